/* Keeping other writers out of a file being dug.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fcntl--.h"
#include "holders.h"
#include "unistd-safer.h"

/* The task flags (/proc/TID/stat) of an io_uring worker and of a kernel
   thread: their /proc/TID/syscall does not show an open of their own.  */
enum { TASK_IO_WORKER = 0x10, TASK_KTHREAD = 0x200000 };

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

/* Read /proc/TID/WHAT into BUF of SIZE bytes as a string.  Return its
   length, or -1.  */
static ssize_t
read_task_file (pid_t tid, char const *what, char *buf, size_t size)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) tid, what);
  return read_small (path, buf, size);
}

/* Whether thread TID is a thread of a user program: not an io_uring
   worker (whose /proc/TID/syscall shows its creator's registers) nor a
   kernel thread.  */
static bool
user_thread (pid_t tid)
{
  char buf[512];
  if (read_task_file (tid, "stat", buf, sizeof buf) <= 0)
    return false;
  char const *end = strrchr (buf, ')');
  unsigned int flags;
  return (end
          && sscanf (end + 1, " %*c %*d %*d %*d %*d %*d %u", &flags) == 1
          && !(flags & (TASK_IO_WORKER | TASK_KTHREAD)));
}

/* Whether /proc is this process's PID namespace's, so that the thread
   IDs fanotify reports name the same threads there.  */
static bool
proc_is_ours (void)
{
  char buf[32];
  ssize_t n = readlink ("/proc/self", buf, sizeof buf - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  char *end;
  long pid = strtol (buf, &end, 10);
  return *end == '\0' && pid == getpid ();
}

/* Whether thread TID, waiting for our answer to its open of the file,
   asks to read only: its system call and flags, as /proc/TID/syscall
   shows them while it waits.  False where they cannot be told: for
   an io_uring worker or a kernel thread, and where the thread cannot
   be looked into.  The caller checks that /proc is ours.  */
static bool
opens_to_read (pid_t tid)
{
  char buf[256];
  if (!user_thread (tid) || read_task_file (tid, "syscall", buf,
                                            sizeof buf) <= 0)
    return false;
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

/* The watcher can answer no more opens: those not answered wait until
   guard_release, so stop the dig as a writer's open would.  */
static void *
watch_failed (void)
{
  atomic_store (&broken, true);
  return NULL;
}

/* The watcher thread of the guard ARG: answer each open of the file,
   at once for this process and for readers; hold the others back and
   note that the guard is broken.  Give the lease back, if held, at the
   first open.  Once it holds GUARD_HELD_MAX opens it reads no more, and
   later opens wait in the queue.  Where /proc is another PID namespace's,
   no opener's flags can be told: all but this process are held.  End
   when the wake pipe is written to, or if the watch fails (the opens
   then wait until guard_release ends it, and the guard is broken).  */
static void *
watch (void *arg)
{
  struct guard *g = arg;
  pid_t self = getpid ();
  bool ours = proc_is_ours ();
  for (;;)
    {
      struct pollfd p[2] = { { .fd = g->wake[0], .events = POLLIN },
                             { .fd = g->fan_fd, .events = POLLIN } };
      if (poll (p, g->nheld < GUARD_HELD_MAX ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return watch_failed ();
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
          return watch_failed ();
        }
      for (struct fanotify_event_metadata *m = ev; FAN_EVENT_OK (m, len);
           m = FAN_EVENT_NEXT (m, len))
        {
          if (m->vers != FANOTIFY_METADATA_VERSION)
            return watch_failed ();
          if (m->fd < 0)
            continue;
          if (m->pid == self || (ours && opens_to_read (m->pid)))
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

/* Put back the limit of open descriptors that watch_start raised.  */
static void
restore_limit (struct guard *g)
{
  if (g->raised)
    setrlimit (RLIMIT_NOFILE, &g->old_limit);
  g->raised = false;
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
  restore_limit (g);
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
  /* Each open read from the group comes with a descriptor: where none
     can be made, the kernel refuses the other process's open.  Room for
     the held ones and the batch read with them, as far as the hard
     limit allows.  */
  g->raised = false;
  if (getrlimit (RLIMIT_NOFILE, &g->old_limit) == 0
      && g->old_limit.rlim_cur != RLIM_INFINITY
      && g->old_limit.rlim_cur < g->old_limit.rlim_max)
    {
      struct rlimit lim = g->old_limit;
      rlim_t want = lim.rlim_cur + 2 * GUARD_HELD_MAX + 16;
      lim.rlim_cur = lim.rlim_max < want ? lim.rlim_max : want;
      g->raised = setrlimit (RLIMIT_NOFILE, &lim) == 0;
    }
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
    {
      close (g->fan_fd);
      restore_limit (g);
    }
  else
    g->watching = true;
  return err;
}

/* With G's watch set up, whether anyone has FD's file open for writing
   but this process, whose descriptor FD is replaced by RO, open for
   reading only, for the check: return 0 if nobody does, EBUSY if
   someone does, or an errno value.  Where the file has no leases, the
   writers that holders_find sees are all that can be checked.  */
static int
check_no_writer (int fd, int ro)
{
  if (dup3 (ro, fd, O_CLOEXEC) < 0)
    return errno;
  if (fcntl (fd, F_SETLEASE, F_RDLCK) == 0)
    return fcntl (fd, F_SETLEASE, F_UNLCK) == 0 ? 0 : errno;
  if (errno == EAGAIN)
    return EBUSY;
  if (errno != EINVAL)
    return errno;
  /* No leases here: the writers that /proc and the loop devices show.  */
  struct holders h;
  int err = holders_find (fd, &h);
  if (!err)
    {
      err = h.n ? EBUSY : 0;
      holders_free (&h);
    }
  return err;
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

/* Two processes setting up a watch on the same file at once would each
   hold back the other's open for writing again (each is a writer to the
   other), for ever.  The set-up is done under a lock: an abstract Unix
   socket named after the file, which the kernel frees when this process
   ends, whatever way.  Return the lock's socket, or -1 with errno set
   (ETIMEDOUT after waiting 5 s).  */
static int
setup_lock (int fd)
{
  struct stat st;
  if (fstat (fd, &st) != 0)
    return -1;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int len = snprintf (addr.sun_path + 1, sizeof addr.sun_path - 1,
                      "fallocate-dig/%ju/%ju", (uintmax_t) st.st_dev,
                      (uintmax_t) st.st_ino);
  socklen_t size = offsetof (struct sockaddr_un, sun_path) + 1 + len;
  int s = fd_safer (socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s < 0)
    return -1;
  struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
  for (int tries = 500; 0 < tries; tries--)
    {
      if (bind (s, (struct sockaddr *) &addr, size) == 0)
        return s;
      if (errno != EADDRINUSE)
        break;
      nanosleep (&pause, NULL);
    }
  int err = errno == EADDRINUSE ? ETIMEDOUT : errno;
  close (s);
  errno = err;
  return -1;
}

/* guard_take_shared's work, under the set-up lock.  */
static int
take_shared (struct guard *g, int fd)
{
  /* The watch first, so that no open is left that it has not seen or
     that the lease or the check does not count.  */
  g->watch_err = watch_start (g, fd);
  /* Noted before it is taken, so that the watcher gives it back before
     it reads an event; there can be none while the lease can be had,
     as the opener of each has the file open already.  */
  atomic_store (&g->leased, true);
  if (fcntl (fd, F_SETLEASE, F_WRLCK) == 0)
    return 0;
  int err = errno;
  atomic_store (&g->leased, false);
  if (g->watching)
    {
      err = readers_only (fd);
      if (err && err != EBUSY)
        {
          g->watch_err = err;
          err = EAGAIN;
        }
    }
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
  int lock = setup_lock (fd);
  if (lock < 0)
    {
      /* No watch then, the lease alone.  */
      g->watch_err = errno;
      err = fcntl (fd, F_SETLEASE, F_WRLCK) == 0 ? 0 : errno;
    }
  else
    {
      err = take_shared (g, fd);
      close (lock);
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
