/* Keeping other writers out of a file being dug.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/fanotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fcntl--.h"
#include "unistd-safer.h"

/* Set by the lease-break signal, or by the watcher when a writer opens
   the file.  */
static atomic_bool broken;

/* Set by the watcher when it holds back a writer's open.  */
static atomic_bool writer_waits;

static void
lease_broken (int sig)
{
  atomic_store (&broken, true);
}

/* Install the lease-break handler, keeping the old action in G.  */
static int
catch_lease_break (struct guard *g)
{
  struct sigaction act = { .sa_handler = lease_broken,
                           .sa_flags = SA_RESTART };
  sigemptyset (&act.sa_mask);
  atomic_store (&broken, false);
  atomic_store (&writer_waits, false);
  return sigaction (SIGIO, &act, &g->old_action) == 0 ? 0 : errno;
}

int
guard_take (struct guard *g, int fd)
{
  g->fd = fd;
  g->watching = false;
  g->watch_err = 0;
  atomic_store (&g->leased, false);
  int err = catch_lease_break (g);
  if (err)
    return err;
  if (fcntl (fd, F_SETLEASE, F_WRLCK) == 0)
    return 0;
  err = errno;
  sigaction (SIGIO, &g->old_action, NULL);
  return err;
}

bool
guard_broken (void)
{
  return atomic_load (&broken);
}

bool
guard_writer_waits (void)
{
  return atomic_load (&writer_waits);
}

/* Whether thread TID, waiting for our answer to its open of the file,
   asks to read only: its system call and flags, as /proc/TID/syscall
   shows them while it waits.  False where they cannot be told.  */
static bool
opens_to_read (pid_t tid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/syscall", (int) tid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buf[256];
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  long nr;
  unsigned long arg[3];
  if (sscanf (buf, "%ld %lx %lx %lx", &nr, &arg[0], &arg[1], &arg[2]) != 4)
    return false;
  unsigned long flags;
#ifdef SYS_open
  if (nr == SYS_open)
    flags = arg[1];
  else
#endif
  if (nr == SYS_openat || nr == SYS_open_by_handle_at)
    flags = arg[2];
  else
    return false;
  return (flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC);
}

/* Let the open that waits as event descriptor FD of FAN_FD go on.  */
static void
allow (int fan_fd, int fd)
{
  struct fanotify_response r = { .fd = fd, .response = FAN_ALLOW };
  while (write (fan_fd, &r, sizeof r) < 0 && errno == EINTR)
    continue;
  close (fd);
}

/* The watcher thread of the guard ARG: answer each open of the file,
   at once for this process and for readers; hold the others back and
   note that the guard is broken.  Give the lease back, if held, at the
   first open.  Once it holds GUARD_HELD_MAX opens it reads no more, and
   later opens wait in the queue.  End when the wake
   pipe is written to, or if the watch fails (the opens then wait until
   guard_release ends it).  */
static void *
watch (void *arg)
{
  struct guard *g = arg;
  pid_t self = getpid ();
  for (;;)
    {
      struct pollfd p[2] = { { .fd = g->wake[0], .events = POLLIN },
                             { .fd = g->fan_fd, .events = POLLIN } };
      if (poll (p, g->nheld < GUARD_HELD_MAX ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return NULL;
        }
      if (p[0].revents)
        return NULL;
      if (!(p[1].revents & POLLIN))
        continue;
      /* Reading an event opens the file for us, which would break the
         lease (and a reader's open would too, and stop the dig): the
         watch alone guards from the first open on.  */
      if (atomic_exchange (&g->leased, false))
        fcntl (g->fd, F_SETLEASE, F_UNLCK);
      struct fanotify_event_metadata ev[GUARD_HELD_MAX];
      ssize_t len = read (g->fan_fd, ev,
                          (GUARD_HELD_MAX - g->nheld) * sizeof *ev);
      if (len < 0)
        {
          if (errno == EINTR || errno == EAGAIN)
            continue;
          return NULL;
        }
      for (struct fanotify_event_metadata *m = ev; FAN_EVENT_OK (m, len);
           m = FAN_EVENT_NEXT (m, len))
        {
          if (m->fd < 0)
            continue;
          if (m->pid == self || opens_to_read (m->pid))
            allow (g->fan_fd, m->fd);
          else
            {
              g->held[g->nheld++] = m->fd;
              atomic_store (&writer_waits, true);
              atomic_store (&broken, true);
            }
        }
    }
}

/* Stop the watcher of G, let the opens it held go on, and end the watch:
   closing the fanotify group lets those still queued go on too.  */
static void
watch_end (struct guard *g)
{
  while (write (g->wake[1], "", 1) < 0 && errno == EINTR)
    continue;
  pthread_join (g->watcher, NULL);
  for (int i = 0; i < g->nheld; i++)
    allow (g->fan_fd, g->held[i]);
  g->nheld = 0;
  close (g->fan_fd);
  close (g->wake[0]);
  close (g->wake[1]);
  g->watching = false;
}

/* Start the watcher thread of G, with every signal blocked in it, so
   that signals go to the thread doing the work.  */
static int
watcher_start (struct guard *g)
{
  sigset_t all, old;
  sigfillset (&all);
  int err = pthread_sigmask (SIG_SETMASK, &all, &old);
  if (err)
    return err;
  err = pthread_create (&g->watcher, NULL, watch, g);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  return err;
}

/* Set up the fanotify group of G's watch, mark the file of FD (with
   FAN_REPORT_TID, so that the opener's own thread can be asked) and
   start the watcher.  Return 0, or an errno value with nothing left.  */
static int
watch_start (struct guard *g, int fd)
{
  g->nheld = 0;
  g->fan_fd = fd_safer (fanotify_init (FAN_CLASS_CONTENT | FAN_CLOEXEC
                                       | FAN_UNLIMITED_QUEUE
                                       | FAN_REPORT_TID,
                                       O_RDONLY | O_LARGEFILE));
  if (g->fan_fd < 0)
    return errno;
  int err = 0;
  if (fanotify_mark (g->fan_fd, FAN_MARK_ADD, FAN_OPEN_PERM, fd, NULL) != 0
      || pipe_safer (g->wake) != 0)
    err = errno;
  else if ((err = watcher_start (g)))
    {
      close (g->wake[0]);
      close (g->wake[1]);
    }
  if (err)
    close (g->fan_fd);
  else
    g->watching = true;
  return err;
}

/* With G's watch set up, whether anyone has FD's file open for writing
   but this process, whose descriptor FD is replaced by RO, open for
   reading only, for the check: return 0 if nobody does, EBUSY if
   someone does, or an errno value.  */
static int
check_no_writer (int fd, int ro)
{
  if (dup3 (ro, fd, O_CLOEXEC) < 0)
    return errno;
  if (fcntl (fd, F_SETLEASE, F_RDLCK) != 0)
    return errno == EAGAIN ? EBUSY : errno;
  return fcntl (fd, F_SETLEASE, F_UNLCK) == 0 ? 0 : errno;
}

/* With G's watch set up and the lease refused because others have FD's
   file open: check that none of them has it open for writing, and open
   it for writing again as FD.  Return 0, EBUSY if someone can write to
   the file, or another errno value.  */
static int
readers_only (int fd)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  /* Our second descriptor: the watcher lets this process's opens
     through.  */
  int ro = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (ro < 0)
    return errno;
  int err = check_no_writer (fd, ro);
  int rw = err ? -1 : open (path, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (!err && (rw < 0 || dup3 (rw, fd, O_CLOEXEC) < 0))
    err = errno;
  if (0 <= rw)
    close (rw);
  close (ro);
  return err;
}

int
guard_take_shared (struct guard *g, int fd)
{
  g->fd = fd;
  g->watching = false;
  atomic_store (&g->leased, false);
  int err = catch_lease_break (g);
  if (err)
    return err;
  /* The watch first, so that no open is left that it has not seen or
     that the lease or the check does not count.  */
  g->watch_err = watch_start (g, fd);
  /* Noted before it is taken, so that the watcher gives it back before
     it reads an event; there can be none while the lease can be had,
     as the opener of each has the file open already.  */
  atomic_store (&g->leased, true);
  if (fcntl (fd, F_SETLEASE, F_WRLCK) == 0)
    return 0;
  err = errno;
  atomic_store (&g->leased, false);
  if (err == EAGAIN && g->watching)
    {
      err = readers_only (fd);
      if (err && err != EBUSY)
        {
          g->watch_err = err;
          err = EAGAIN;
        }
    }
  if (err)
    {
      if (g->watching)
        watch_end (g);
      sigaction (SIGIO, &g->old_action, NULL);
    }
  return err;
}

int
guard_release (struct guard *g)
{
  int err = 0;
  bool leased = !g->watching || atomic_load (&g->leased);
  if (g->watching)
    watch_end (g);
  if (leased && fcntl (g->fd, F_SETLEASE, F_UNLCK) != 0)
    err = errno;
  sigaction (SIGIO, &g->old_action, NULL);
  return err;
}
