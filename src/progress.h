/* The progress line of long operations (--progress).
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   A struct progress follows one operation over TOTAL bytes.  The
   operation reports how many bytes it has done as often as it likes;
   progress_update answers, at most every PROGRESS_TTY_INTERVAL seconds
   on a terminal and every PROGRESS_PLAIN_INTERVAL seconds elsewhere,
   with the text to write to the terminal or log:

     on a terminal, one line rewritten in place: a carriage return, the
       line, and blanks over what is left of the previous one;
         disk.img: 42% 420 MiB / 1000 MiB, 850 MiB/s, 0:00:01 left
     elsewhere (a log, a pipe), the same line now and then, ending in a
       newline, so short operations print nothing at all.

   progress_end gives the text that clears the line (on a terminal).
   The caller writes the texts (to stderr) and passes the times, from
   progress_now, and the words: the format of the rate and the time
   left, in the user's language; nothing here does I/O or translates.  */

#ifndef FALLOCATE_PROGRESS_H
#define FALLOCATE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROGRESS_TTY_INTERVAL 0.2
#define PROGRESS_PLAIN_INTERVAL 10.0

/* Room for any text that progress_update or progress_end produce.  */
enum { PROGRESS_BUFSIZE = 512 };

struct progress
{
  char const *label;            /* what the operation works on */
  char const *rate_format;      /* see progress_format */
  bool tty;                     /* draw in place */
  off_t total;
  double start;                 /* when the operation started */
  double last;                  /* when a line was last due */
  size_t width;                 /* of the line on the terminal */
};

/* Seconds from an arbitrary, fixed point.  */
double progress_now (void);

/* Start *P at time NOW for an operation over TOTAL bytes of LABEL,
   drawn in place if TTY, its rate and time left in RATE_FORMAT.  */
void progress_start (struct progress *p, char const *label,
                     char const *rate_format, bool tty, off_t total,
                     double now);

/* If a line is due at time NOW with DONE bytes done, put the text to
   write in BUF and return its length; else return 0.  */
size_t progress_update (struct progress *p, off_t done, double now,
                        char buf[PROGRESS_BUFSIZE]);

/* Put in BUF the text that clears the line and return its length (0 if
   nothing was drawn, or not on a terminal).  */
size_t progress_end (struct progress *p, char buf[PROGRESS_BUFSIZE]);

/* Format the line itself into BUF of SIZE bytes: LABEL, percentage of
   TOTAL done, the sizes, and once anything is done, the rate and the
   time left, from DONE bytes in ELAPSED seconds, in RATE_FORMAT: a
   printf format of the rate as a human size (%s) and the hours,
   minutes and seconds (%jd, %02jd, %02jd), such as
   ", %s/s, %jd:%02jd:%02jd left".  Return its length.  */
size_t progress_format (char *buf, size_t size, char const *label,
                        char const *rate_format, off_t done, off_t total,
                        double elapsed);

#endif
