/* Printing hole reports: the text of util-linux and JSON.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   A command-line room, as fallocate.c is: these functions write the
   report of one FILE to standard output.  The text report (-r, -r -v)
   is printed as the holes come; the JSON report (-r -J) is printed
   whole, as one line, once the scan of the file has succeeded, so that
   a failed file prints nothing.  Write errors are left for
   close_stdout to find.  */

#ifndef FALLOCATE_REPORT_H
#define FALLOCATE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "holes.h"

/* The holes of one kind, as the JSON report lists them with -v.  */
struct report_holes
{
  struct report_hole
  {
    off_t offset;
    off_t length;
  } *v;
  size_t n;
  size_t allocated;
};

/* The report of one FILE being made.  */
struct report
{
  char const *name;             /* the FILE operand, as given */
  bool json;
  bool verbose;                 /* list each hole */
  struct report_holes holes[HOLE_DATA + 1]; /* JSON -v, by hole_kind */
};

/* Start *R, the report on the file NAME, in JSON if JSON, listing each
   hole if VERBOSE.  The text report of one of several files (if
   HEADER) starts with a line that names it: print it now.  */
void report_begin (struct report *r, char const *name, bool json,
                   bool verbose, bool header);

/* Add to *R the hole of KIND at [OFFSET, OFFSET + LENGTH), found in
   offset order: as text, print its line now.  */
void report_hole (struct report *r, enum hole_kind kind, off_t offset,
                  off_t length);

/* Print the rest of *R, whose scan succeeded with STATS: the summary,
   or the JSON object.  */
void report_end (struct report const *r, struct holes_stats const *stats);

/* Free what *R holds, whether or not it was ended.  */
void report_free (struct report *r);

/* Print the -d -v line: what the dig of the file NAME, as STATS tells,
   turned into holes.  */
void report_dug (char const *name, struct holes_stats const *stats);

#endif
