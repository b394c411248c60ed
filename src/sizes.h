/* Sizes: parse OFFSET and LENGTH text, format sizes for people.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#ifndef FALLOCATE_SIZES_H
#define FALLOCATE_SIZES_H

#include <stdint.h>
#include <sys/types.h>

enum size_error
{
  SIZE_OK = 0,
  SIZE_INVALID,      /* not a size: empty, junk, bad suffix, bad fraction */
  SIZE_NEGATIVE,     /* a minus sign before a size greater than 0 */
  SIZE_TOO_LARGE     /* above the off_t maximum */
};

/* Parse TEXT as util-linux parses sizes, except that leading zeros stay
   decimal: leading white space, an optional '+', a decimal or 0x-hex
   integer, an optional fraction (".5", decimal integers only), and an
   optional unit K M G T P E Z Y in
   either case, itself optionally followed by "iB" (powers of 1024, as
   the bare letter) or "B" (powers of 1000).  A fraction needs a unit.
   The value is exact, rounded down to a whole byte.  On success store
   it in *RESULT and return SIZE_OK.  */
enum size_error size_parse (char const *text, off_t *result);

/* Room for any string that human_size produces, with its NUL.  */
enum { HUMAN_SIZE_BUFSIZE = 32 };

/* Format BYTES the way util-linux prints sizes: the largest binary unit
   that keeps the integer part at least 1, a space, a three-letter unit
   (B, KiB, MiB, ... EiB), at most one decimal rounded half up from the
   truncated thousandths, a zero decimal dropped: "0 B", "1023 B",
   "1.5 MiB", "10.2 MiB".  Return BUF.  */
char *human_size (uint64_t bytes, char buf[HUMAN_SIZE_BUFSIZE]);

#endif
