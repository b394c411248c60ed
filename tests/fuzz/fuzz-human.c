/* libFuzzer target: the human-size formatter.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   The first 8 bytes of the input, little-endian, are a byte count.  Its
   human form must match the grammar N[.D] UNIT: N a decimal number
   without leading zeros, at most 1024 (1023.95 and more round up), D
   one nonzero digit, UNIT one of B KiB MiB GiB TiB PiB EiB, bytes shown
   exactly in B; and the number must be within a twentieth of a unit of
   the count (rounding to tenths, from truncated thousandths).  */

#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c-ctype.h"
#include "sizes.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size);

static _Noreturn void
wrong (uint64_t bytes, char const *text, char const *why)
{
  fprintf (stderr, "%ju -> '%s': %s\n", (uintmax_t) bytes, text, why);
  abort ();
}

int
LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  uint64_t bytes = 0;
  for (size_t i = 0; i < size && i < 8; i++)
    bytes |= (uint64_t) data[i] << (8 * i);
  char buf[HUMAN_SIZE_BUFSIZE];
  char const *text = human_size (bytes, buf);

  char const *p = text;
  uint64_t whole = 0;
  if (!c_isdigit (*p) || (p[0] == '0' && c_isdigit (p[1])))
    wrong (bytes, text, "no number, or a leading zero");
  for (; c_isdigit (*p); p++)
    whole = whole * 10 + (*p - '0');
  int tenths = 0;
  if (*p == '.')
    {
      if (!c_isdigit (p[1]) || p[1] == '0')
        wrong (bytes, text, "a decimal point without a nonzero digit");
      tenths = p[1] - '0';
      p += 2;
    }
  if (*p++ != ' ')
    wrong (bytes, text, "no space before the unit");
  static char const *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                       "PiB", "EiB" };
  int unit = 0;
  while (unit < 7 && strcmp (p, units[unit]) != 0)
    unit++;
  if (unit == 7)
    wrong (bytes, text, "an unknown unit");
  if (1024 < whole)
    wrong (bytes, text, "more than 1024 of the unit");
  if (unit == 0 && (tenths || whole != bytes))
    wrong (bytes, text, "bytes not shown exactly");

  long double scale = 1;
  for (int i = 0; i < unit; i++)
    scale *= 1024;
  long double shown = (whole + tenths / 10.0L) * scale;
  long double diff = shown < bytes ? bytes - shown : shown - bytes;
  if (0.0501L * scale < diff)
    wrong (bytes, text, "too far from the count");
  return 0;
}
