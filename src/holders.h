/* Who can write to a file: the processes and loop devices holding it.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   For messages that name what keeps a dig out.  What this process can
   see of other processes under /proc (all of it as root, only its own
   user's processes otherwise) and of the loop devices (as root):

   - a process holds the file for writing if a descriptor of it
     (/proc/PID/fd) refers to the file with an access mode other than
     read-only (the "flags:" of /proc/PID/fdinfo), or if it maps the file
     shared and writable (/proc/PID/maps, the mapping's file through
     /proc/PID/map_files);
   - a loop device holds it if it is bound to the file (LOOP_GET_STATUS64
     on /dev/loopN: the device and inode of its backing file) and is not
     read-only.

   A writer in another PID namespace, a kernel user other than a loop
   device, or a process we may not look into is not seen.  */

#ifndef FALLOCATE_HOLDERS_H
#define FALLOCATE_HOLDERS_H

#include <stddef.h>
#include <sys/types.h>

enum holder_kind
{
  HOLDER_LOOP,                  /* a loop device: NAME is "/dev/loopN" */
  HOLDER_PROCESS                /* a process: PID, NAME its command name */
};

struct holder
{
  enum holder_kind kind;
  pid_t pid;
  char name[32];
};

struct holders
{
  struct holder *list;          /* loop devices first, then processes by
                                   process ID; each once */
  size_t n;
};

/* Fill *H with what, but this process, holds the file open as FD for
   writing.  Return 0, or an errno value (ENOMEM) with *H empty; what
   cannot be looked into is left out.  Free with holders_free.  */
int holders_find (int fd, struct holders *h);

void holders_free (struct holders *h);

/* Read the small file PATH (of /proc, of /sys) into BUF of SIZE bytes,
   as a string.  Return its length, or -1.  */
ssize_t read_small (char const *path, char *buf, size_t size);

#endif
