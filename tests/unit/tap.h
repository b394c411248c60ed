/* A minimal TAP producer for the C unit tests.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#ifndef FALLOCATE_TAP_H
#define FALLOCATE_TAP_H

#include <stdbool.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

/* Report test NAME as passed if OK; return OK.  */
static inline bool
tap_ok (bool ok, char const *name)
{
  tap_count++;
  if (!ok)
    tap_failed++;
  printf ("%s %d - %s\n", ok ? "ok" : "not ok", tap_count, name);
  return ok;
}

/* Print a diagnostic line.  */
#define tap_diag(...) \
  (fputs ("# ", stdout), printf (__VA_ARGS__), putchar ('\n'))

/* Print the plan and return the exit status.  */
static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif
