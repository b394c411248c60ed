/* The write lease that keeps other processes out of a file being dug.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   Digging tests bytes for zeros and then punches them: two steps, between
   which another process could write.  A write lease (fcntl F_SETLEASE,
   F_WRLCK) closes that gap:

   - the kernel grants it only while no other open file description
     refers to the file (nor a shared mapping), so nobody can be writing
     when the dig starts;
   - anyone who then opens or truncates the file blocks in open(2) or
     truncate(2), and the kernel sends us the lease-break signal (SIGIO);
     the process stays blocked until we give the lease back, or until
     /proc/sys/fs/lease-break-time (45 s by default) runs out.

   guard_take installs a SIGIO handler that only sets a flag, then takes
   the lease.  The operation asks guard_broken (through the should_stop
   hook of space.h) before every punch or write and after every chunk it
   reads, milliseconds apart, and stops; the caller then calls
   guard_release, which gives the lease back and restores the previous
   SIGIO action.  Nothing of this prints; one lease is held at a time.  */

#ifndef FALLOCATE_GUARD_H
#define FALLOCATE_GUARD_H

#include <signal.h>
#include <stdbool.h>

struct guard
{
  int fd;
  struct sigaction old_action;  /* SIGIO's action before guard_take */
};

/* Take a write lease on FD, open for writing.  Return 0 if it is held,
   EAGAIN if another process has the file open, or the errno value that
   says why leases cannot be had here: EINVAL (the filesystem has none,
   or /proc/sys/fs/leases-enable is 0), EACCES (not the owner of the file
   and no CAP_LEASE), ...  On failure nothing is left installed.  */
int guard_take (struct guard *g, int fd);

/* Whether the lease taken last has been broken: another process wants
   the file.  */
bool guard_broken (void);

/* Give the lease back and restore SIGIO's action.  Return 0 or an errno
   value (the lease is gone anyway once the file is closed).  */
int guard_release (struct guard *g);

#endif
