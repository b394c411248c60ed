/* The write lease that keeps other processes out of a file being dug.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "guard.h"

#include <errno.h>
#include <fcntl.h>

/* Set by the lease-break signal.  */
static volatile sig_atomic_t broken;

static void
lease_broken (int sig)
{
  broken = 1;
}

int
guard_take (struct guard *g, int fd)
{
  struct sigaction act = { .sa_handler = lease_broken,
                           .sa_flags = SA_RESTART };
  sigemptyset (&act.sa_mask);
  g->fd = fd;
  broken = 0;
  if (sigaction (SIGIO, &act, &g->old_action) != 0)
    return errno;
  if (fcntl (fd, F_SETLEASE, F_WRLCK) == 0)
    return 0;
  int err = errno;
  sigaction (SIGIO, &g->old_action, NULL);
  return err;
}

bool
guard_broken (void)
{
  return broken;
}

int
guard_release (struct guard *g)
{
  int err = fcntl (g->fd, F_SETLEASE, F_UNLCK) == 0 ? 0 : errno;
  sigaction (SIGIO, &g->old_action, NULL);
  return err;
}
