/* libFuzzer target: the size parser, with a round-trip oracle.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   Any text is parsed.  A size that parses lies in [0, OFF_T_MAX], and
   every exact way of writing it again (decimal and hexadecimal bytes,
   each binary and decimal unit that divides it, in both cases, halves
   of a unit as ".5") parses back to the same value; a leading minus is
   never accepted, and called negative only before a size above zero.
   Anything else aborts, which libFuzzer reports.  */

#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "sizes.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size);

/* Abort unless TEXT parses to VALUE.  */
static void
parses_to (char const *text, off_t value)
{
  off_t got;
  if (size_parse (text, &got) != SIZE_OK || got != value)
    {
      fprintf (stderr, "'%s' does not parse back to %jd\n", text,
               (intmax_t) value);
      abort ();
    }
}

/* Write VALUE in every exact way and parse it back.  */
static void
round_trip (off_t value)
{
  static char const letters[] = "KMGTPE";
  char buf[64];
  snprintf (buf, sizeof buf, "%jd", (intmax_t) value);
  parses_to (buf, value);
  snprintf (buf, sizeof buf, " +%jd", (intmax_t) value);
  parses_to (buf, value);
  snprintf (buf, sizeof buf, "0x%jx", (intmax_t) value);
  parses_to (buf, value);
  snprintf (buf, sizeof buf, "0X%jX", (intmax_t) value);
  parses_to (buf, value);

  uint64_t binary = 1, decimal = 1;
  for (int i = 0; letters[i]; i++)
    {
      binary *= 1024;
      decimal *= 1000;
      char letter = letters[i];
      if ((uint64_t) value % binary == 0)
        {
          intmax_t n = (uint64_t) value / binary;
          snprintf (buf, sizeof buf, "%jd%c", n, letter);
          parses_to (buf, value);
          snprintf (buf, sizeof buf, "%jd%ciB", n, c_tolower (letter));
          parses_to (buf, value);
        }
      else if ((uint64_t) value % (binary / 2) == 0)
        {
          intmax_t n = (uint64_t) value / binary;
          snprintf (buf, sizeof buf, "%jd.5%c", n, letter);
          parses_to (buf, value);
          snprintf (buf, sizeof buf, "%jd.50000%ciB", n, letter);
          parses_to (buf, value);
        }
      if ((uint64_t) value % decimal == 0)
        {
          snprintf (buf, sizeof buf, "%jd%cB",
                    (intmax_t) ((uint64_t) value / decimal), letter);
          parses_to (buf, value);
        }
    }
}

int
LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char *text = malloc (size + 1);
  if (!text)
    return 0;
  memcpy (text, data, size);
  text[size] = '\0';

  off_t value;
  enum size_error e = size_parse (text, &value);
  char const *p = text;
  while (c_isspace (*p))
    p++;
  /* A minus sign is refused: as negative only before what would be a
     size greater than zero.  */
  off_t magnitude;
  enum size_error rest = *p == '-' ? size_parse (p + 1, &magnitude) : e;
  if (*p == '-'
      && (e == SIZE_OK
          || (e == SIZE_NEGATIVE
              && !((rest == SIZE_OK && 0 < magnitude)
                   || rest == SIZE_TOO_LARGE))))
    {
      fprintf (stderr, "'%s': a minus sign taken wrongly (%d)\n", text,
               (int) e);
      abort ();
    }
  if (e == SIZE_OK)
    {
      if (value < 0)
        abort ();
      round_trip (value);
    }
  free (text);
  return 0;
}
