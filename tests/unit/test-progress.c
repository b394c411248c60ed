/* Unit tests for the progress line.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include <string.h>

#include "progress.h"
#include "tap.h"

enum { MiB = 1024 * 1024 };

/* The rate and time left, as fallocate.c words them in English.  */
#define RATE ", %s/s, %jd:%02jd:%02jd left"

static void
check (char const *got, size_t len, char const *expected, char const *name)
{
  if (!tap_ok (strlen (got) == len && strcmp (got, expected) == 0, name))
    tap_diag ("got \"%s\" (%zu), expected \"%s\"", got, len, expected);
}

static void
test_format (void)
{
  char buf[PROGRESS_BUFSIZE];
  size_t len = progress_format (buf, sizeof buf, "img", RATE, 420 * MiB,
                                1000 * MiB, 0.5);
  check (buf, len, "img: 42% 420 MiB / 1000 MiB, 840 MiB/s, 0:00:01 left",
         "format: percent, sizes, rate, time left");

  len = progress_format (buf, sizeof buf, "img", RATE, 0, 1000 * MiB, 0.0);
  check (buf, len, "img: 0% 0 B / 1000 MiB", "format: nothing done yet");

  len = progress_format (buf, sizeof buf, "img", RATE, 0, 0, 1.0);
  check (buf, len, "img: 100% 0 B / 0 B", "format: an empty range");

  len = progress_format (buf, sizeof buf, "img", RATE, MiB, 8192.0 * MiB,
                         1.0);
  check (buf, len, "img: 0% 1 MiB / 8 GiB, 1 MiB/s, 2:16:31 left",
         "format: hours left");

  char small[12];
  len = progress_format (small, sizeof small, "img", RATE, 420 * MiB,
                         1000 * MiB, 0.5);
  check (small, len, "img: 42% 42", "format: truncated to the buffer");
}

static void
test_tty (void)
{
  char buf[PROGRESS_BUFSIZE];
  struct progress p;
  progress_start (&p, "img", RATE, true, 1000 * MiB, 100.0);
  size_t len = progress_update (&p, MiB, 100.1, buf);
  tap_ok (len == 0, "terminal: no line before the first interval");
  len = progress_update (&p, 420 * MiB, 100.5, buf);
  check (buf, len, "\rimg: 42% 420 MiB / 1000 MiB, 840 MiB/s, 0:00:01 left",
         "terminal: the line, after a carriage return");
  len = progress_update (&p, 500 * MiB, 100.6, buf);
  tap_ok (len == 0, "terminal: no line within the interval");
  len = progress_update (&p, 0, 101.0, buf);
  check (buf, len, "\rimg: 0% 0 B / 1000 MiB                              ",
         "terminal: a shorter line blanks the rest of the last");
  len = progress_end (&p, buf);
  check (buf, len, "\r                      \r",
         "terminal: the end clears the line");
  len = progress_end (&p, buf);
  tap_ok (len == 0, "terminal: nothing more to clear");
}

static void
test_plain (void)
{
  char buf[PROGRESS_BUFSIZE];
  struct progress p;
  progress_start (&p, "img", RATE, false, 1000 * MiB, 0.0);
  size_t len = progress_update (&p, 420 * MiB, 5.0, buf);
  tap_ok (len == 0, "plain: nothing within the first 10 seconds");
  len = progress_update (&p, 500 * MiB, 10.0, buf);
  check (buf, len, "img: 50% 500 MiB / 1000 MiB, 50 MiB/s, 0:00:10 left\n",
         "plain: a whole line every 10 seconds");
  len = progress_end (&p, buf);
  tap_ok (len == 0, "plain: nothing to clear at the end");
}

int
main (void)
{
  test_format ();
  test_tty ();
  test_plain ();
  return tap_done ();
}
