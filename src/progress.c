/* The progress line of long operations (--progress).
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "progress.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sizes.h"

double
progress_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
progress_start (struct progress *p, char const *label,
                char const *rate_format, bool tty, off_t total, double now)
{
  *p = (struct progress) { .label = label, .rate_format = rate_format,
                           .tty = tty, .total = total, .start = now,
                           .last = now };
}

/* The length of what snprintf wrote into a buffer of SIZE bytes, given
   its return value N.  */
static size_t
written (int n, size_t size)
{
  return n < 0 ? 0 : (size_t) n < size ? (size_t) n : size - 1;
}

size_t
progress_format (char *buf, size_t size, char const *label,
                 char const *rate_format, off_t done, off_t total,
                 double elapsed)
{
  char done_text[HUMAN_SIZE_BUFSIZE], total_text[HUMAN_SIZE_BUFSIZE];
  int percent = 0 < total ? (int) (100.0 * (double) done / (double) total)
                : 100;
  size_t len = written (snprintf (buf, size, "%s: %d%% %s / %s",
                                  label, percent,
                                  human_size (done, done_text),
                                  human_size (total, total_text)),
                        size);
  if (0 < done && 0 < elapsed)
    {
      double rate = (double) done / elapsed;
      char rate_text[HUMAN_SIZE_BUFSIZE];
      double left = (double) (total - done) / rate;
      intmax_t secs = left < (double) INTMAX_MAX ? (intmax_t) (left + 0.5)
                      : INTMAX_MAX;
      len += written (snprintf (buf + len, size - len, rate_format,
                                human_size ((uint64_t) rate, rate_text),
                                secs / 3600, secs / 60 % 60, secs % 60),
                      size - len);
    }
  return len;
}

/* Put in BUF a carriage return, the LEN bytes of LINE (if any), and
   blanks up to WIDTH bytes in all; return the length.  LEN and WIDTH
   are below PROGRESS_BUFSIZE - 2.  */
static size_t
overwrite (char buf[PROGRESS_BUFSIZE], char const *line, size_t len,
           size_t width)
{
  buf[0] = '\r';
  memcpy (buf + 1, line, len);
  size_t pad = len < width ? width - len : 0;
  memset (buf + 1 + len, ' ', pad);
  buf[1 + len + pad] = '\0';
  return 1 + len + pad;
}

size_t
progress_update (struct progress *p, off_t done, double now,
                 char buf[PROGRESS_BUFSIZE])
{
  double interval = p->tty ? PROGRESS_TTY_INTERVAL : PROGRESS_PLAIN_INTERVAL;
  if (now - p->last < interval)
    return 0;
  p->last = now;

  /* Room for the carriage return or the newline, and the NUL.  */
  char line[PROGRESS_BUFSIZE - 2];
  size_t len = progress_format (line, sizeof line, p->label,
                                p->rate_format, done, p->total,
                                now - p->start);
  if (!p->tty)
    return written (snprintf (buf, PROGRESS_BUFSIZE, "%s\n", line),
                    PROGRESS_BUFSIZE);
  size_t n = overwrite (buf, line, len, p->width);
  p->width = len;
  return n;
}

size_t
progress_end (struct progress *p, char buf[PROGRESS_BUFSIZE])
{
  if (!p->tty || !p->width)
    return 0;
  size_t n = overwrite (buf, "", 0, p->width);
  p->width = 0;
  buf[n++] = '\r';
  buf[n] = '\0';
  return n;
}
