/* Keeping other writers out of a file being dug.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   Digging tests bytes for zeros and then punches them: two steps, between
   which another process could write.  Two guards close that gap.

   The write lease (fcntl F_SETLEASE, F_WRLCK, guard_take), when nobody
   else has the file open:

   - the kernel grants it only while no other open file description
     refers to the file (nor a shared mapping), so nobody can be writing
     when the dig starts;
   - anyone who then opens or truncates the file blocks in open(2) or
     truncate(2), and the kernel sends us the lease-break signal (SIGIO);
     the process stays blocked until we give the lease back, or until
     /proc/sys/fs/lease-break-time (45 s by default) runs out.

   The open watch (guard_take_shared; needs CAP_SYS_ADMIN, for fanotify),
   set up first, so that readers need not stop a dig:

   - a fanotify FAN_OPEN_PERM mark on the file's inode makes every new
     open of it wait for our answer;
   - then the write lease is tried.  If others have the file open, the
     file is checked for writers: a read lease (F_RDLCK), on a
     descriptor open for reading only, is granted only while nobody has
     the file open for writing, counting writable shared mappings (their
     file stays open) and loop devices (they hold theirs).  The kernel
     counts an opener before it asks fanotify, so an open that got past
     the mark before it was set is counted by the lease or the check;
     our own descriptor, open for writing, would count too, and is
     replaced by one open for reading for the check, and by a new one
     open for writing after it, without changing its number;
   - a thread answers each open: at once for an opener that asks to read
     only (its flags, from /proc/TID/syscall while it waits in open(2),
     openat(2) or open_by_handle_at(2)); any other opener (a
     writer, or one whose flags cannot be told: openat2, execve, a
     kernel thread, another PID namespace) makes guard_broken true and
     waits until guard_release.  That opener cannot write before the
     dig has stopped, and then writes over what the dig left: it loses
     nothing.  The write lease, if held, is given back at the first open
     (fanotify's own open of the file for reading its event would break
     it, and so would a reader's): the watch alone guards from then on.
     Without the lease, a truncate(2) by name passes unseen,
     but it writes no data, and nobody can write into the file without
     opening it.  If this program dies, the kernel lets every waiting
     open through.
   - where /proc is another PID namespace's than ours, the thread IDs
     that fanotify gives name other threads there: every opener but this
     process is then held.  So is an io_uring worker or a kernel thread,
     whose /proc/TID/syscall shows no open of its own.
   - two processes setting up a watch on one file at once would each
     hold back the other's open for writing again: the set-up is done
     under a lock (an abstract Unix socket named after the file, so a
     lock within one network namespace); where it cannot be had, the
     lease alone guards.
   - while the watch is set, the soft limit of open descriptors is
     raised (within the hard limit) to leave room for the events'
     descriptors: where the kernel can make none, it refuses the other
     process's open.

   The operation asks guard_broken (through the should_stop hook of
   space.h) before every punch or write and after every chunk it reads,
   milliseconds apart, and stops; the caller then calls guard_release.
   Nothing of this prints; one guard is held at a time.  */

#ifndef FALLOCATE_GUARD_H
#define FALLOCATE_GUARD_H

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdbool.h>

/* The writers' opens that the watch holds back at most; more wait
   unread in the kernel's queue, as held back as these.  */
enum { GUARD_HELD_MAX = 64 };

struct guard
{
  int fd;
  struct sigaction old_action;  /* SIGIO's action before guard_take */
  bool watching;                /* the open watch guards */
  atomic_bool leased;           /* beside it, the write lease is held */
  int watch_err;                /* why no watch could be had, or 0 */
  int fan_fd;                   /* the fanotify group of the watch */
  int wake[2];                  /* a pipe that stops the watcher */
  pthread_t watcher;            /* the thread that answers the opens */
  int held[GUARD_HELD_MAX];     /* the event descriptors of held opens */
  int nheld;
  struct rlimit old_limit;      /* RLIMIT_NOFILE before the watch */
  bool raised;                  /* the watch raised it */
};

/* Take a write lease on FD, open for writing.  Return 0 if it is held,
   EAGAIN if another process has the file open, or the errno value that
   says why leases cannot be had here: EINVAL (the filesystem has none,
   or /proc/sys/fs/leases-enable is 0), EACCES (not the owner of the file
   and no CAP_LEASE), ...  On failure nothing is left installed.  */
int guard_take (struct guard *g, int fd);

/* Keep writers out of FD's file, open for writing, while letting
   readers in: with the open watch, and with the write lease while
   nobody else has the file open.  Return 0 if the file is guarded (by
   the lease alone if no watch can be had, G->watch_err telling why);
   EBUSY if a process can write to the file (it has it open for writing,
   or is opening it so); EAGAIN if other processes have the file open
   and no watch can be had, with the reason in G->watch_err (EPERM: not
   CAP_SYS_ADMIN; ENOSYS: no fanotify; ...); otherwise the errno value
   of guard_take.  After a failure of the check, FD may be open for
   reading only, on the same file.  */
int guard_take_shared (struct guard *g, int fd);

/* Whether the guard taken last has been broken: another process wants
   the file (a lease), or wants to write to it (the watch).  */
bool guard_broken (void);

/* Whether the guard was broken by a writer's open that the watch holds
   back (not by a lease break).  */
bool guard_writer_waits (void);

/* Let the opens that the watch holds go on and end it, if it is set up;
   give the lease back, if held; restore SIGIO's action.  Return 0 or an
   errno value (the lease is gone anyway once the file is closed).  */
int guard_release (struct guard *g);

#endif
