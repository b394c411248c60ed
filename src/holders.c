/* Who can write to a file: the processes and loop devices holding it.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "holders.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/loop.h>

#include "c-ctype.h"
#include "fcntl--.h"
#include "same-inode.h"
#include "stdio--.h"

/* Add a holder of KIND to *H.  Return 0 or ENOMEM.  */
static int
add (struct holders *h, enum holder_kind kind, pid_t pid, char const *name)
{
  struct holder *list = realloc (h->list, (h->n + 1) * sizeof *list);
  if (!list)
    return ENOMEM;
  h->list = list;
  list[h->n] = (struct holder) { .kind = kind, .pid = pid };
  snprintf (list[h->n].name, sizeof list[h->n].name, "%s", name);
  h->n++;
  return 0;
}

/* Whether NAME is all decimal digits, at least one.  */
static bool
all_digits (char const *name)
{
  if (!*name)
    return false;
  for (; *name; name++)
    if (!c_isdigit (*name))
      return false;
  return true;
}

ssize_t
read_small (char const *path, char *buf, size_t size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -1;
  ssize_t n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  return n;
}

/* Add the loop devices bound, for writing, to the file of ST to *H.  The
   number of each goes in its PID member, for the order.  */
static int
find_loops (struct stat const *st, struct holders *h)
{
  DIR *dir = opendir ("/sys/block");
  if (!dir)
    return 0;
  int err = 0;
  struct dirent *e;
  while (!err && (e = readdir (dir)))
    {
      if (strncmp (e->d_name, "loop", 4) != 0 || !all_digits (e->d_name + 4))
        continue;
      char dev[32];
      snprintf (dev, sizeof dev, "/dev/loop%d", atoi (e->d_name + 4));
      int fd = open (dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
      if (fd < 0)
        continue;
      struct loop_info64 info;
      bool bound = ioctl (fd, LOOP_GET_STATUS64, &info) == 0;
      close (fd);
      if (bound && !(info.lo_flags & LO_FLAGS_READ_ONLY)
          && info.lo_inode == st->st_ino
          && major (info.lo_device) == major (st->st_dev)
          && minor (info.lo_device) == minor (st->st_dev))
        err = add (h, HOLDER_LOOP, atoi (e->d_name + 4), dev);
    }
  closedir (dir);
  return err;
}

/* Whether process PID has a descriptor open for writing on the file of
   ST.  */
static bool
has_writable_fd (int pid, struct stat const *st)
{
  char path[96];
  snprintf (path, sizeof path, "/proc/%d/fd", pid);
  DIR *dir = opendir (path);
  if (!dir)
    return false;
  bool found = false;
  struct dirent *e;
  while (!found && (e = readdir (dir)))
    {
      struct stat s;
      char info[256];
      if (!all_digits (e->d_name)
          || fstatat (dirfd (dir), e->d_name, &s, 0) != 0
          || !SAME_INODE (s, *st))
        continue;
      snprintf (path, sizeof path, "/proc/%d/fdinfo/%d", pid,
                atoi (e->d_name));
      char const *flags = (read_small (path, info, sizeof info) < 0 ? NULL
                           : strstr (info, "flags:"));
      /* A descriptor that cannot be looked into may be a writer.  */
      found = (!flags
               || (strtoul (flags + sizeof "flags:" - 1, NULL, 8) & O_ACCMODE)
                  != O_RDONLY);
    }
  closedir (dir);
  return found;
}

/* Whether process PID maps the file of ST shared and writable.  */
static bool
maps_writable (int pid, struct stat const *st)
{
  char path[96];
  snprintf (path, sizeof path, "/proc/%d/maps", pid);
  FILE *maps = fopen (path, "re");
  if (!maps)
    return false;
  bool found = false;
  char *line = NULL;
  size_t size = 0;
  while (!found && getline (&line, &size, maps) != -1)
    {
      unsigned long start, end, ino;
      unsigned int maj, min;
      char perms[5];
      if (sscanf (line, "%lx-%lx %4s %*s %x:%x %lu", &start, &end, perms,
                  &maj, &min, &ino) != 6
          || perms[1] != 'w' || perms[3] != 's' || ino != st->st_ino)
        continue;
      /* The mapped file itself, where we may look; else the device that
         the map names (not the one stat tells, on btrfs).  */
      struct stat s;
      snprintf (path, sizeof path, "/proc/%d/map_files/%lx-%lx", pid,
                start, end);
      found = (stat (path, &s) == 0 ? SAME_INODE (s, *st)
               : maj == major (st->st_dev) && min == minor (st->st_dev));
    }
  free (line);
  fclose (maps);
  return found;
}

/* Add the processes other than this one that can write to the file of
   ST to *H.  */
static int
find_processes (struct stat const *st, struct holders *h)
{
  DIR *dir = opendir ("/proc");
  if (!dir)
    return 0;
  int self = getpid ();
  int err = 0;
  struct dirent *e;
  while (!err && (e = readdir (dir)))
    {
      int pid = all_digits (e->d_name) ? atoi (e->d_name) : self;
      if (pid == self
          || !(has_writable_fd (pid, st) || maps_writable (pid, st)))
        continue;
      char path[64], comm[32];
      snprintf (path, sizeof path, "/proc/%d/comm", pid);
      ssize_t n = read_small (path, comm, sizeof comm);
      if (n < 0)
        n = 0;
      comm[n && comm[n - 1] == '\n' ? n - 1 : n] = '\0';
      err = add (h, HOLDER_PROCESS, pid, comm);
    }
  closedir (dir);
  return err;
}

/* Order holders A and B: loop devices first, each kind by number.  */
static int
by_number (void const *a, void const *b)
{
  struct holder const *x = a;
  struct holder const *y = b;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

int
holders_find (int fd, struct holders *h)
{
  *h = (struct holders) { 0 };
  struct stat st;
  if (fstat (fd, &st) != 0)
    return errno;
  int err = find_loops (&st, h);
  if (!err)
    err = find_processes (&st, h);
  if (err)
    holders_free (h);
  else if (h->n)
    qsort (h->list, h->n, sizeof *h->list, by_number);
  return err;
}

void
holders_free (struct holders *h)
{
  free (h->list);
  *h = (struct holders) { 0 };
}
