/* Sizes: parse OFFSET and LENGTH text, format sizes for people.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "sizes.h"

#include <locale.h>
#include <stdckdint.h>
#include <stdio.h>
#include <string.h>

#include "c-ctype.h"
#include "intprops.h"

/* The most fraction digits kept.  Each further digit changes a value by
   less than 2**80 / 10**64 bytes, and is rejected rather than dropped so
   that every accepted size is exact.  */
enum { MAX_FRACTION_DIGITS = 64 };

static int
digit_value (char c, int radix)
{
  if (c_isdigit (c))
    return c - '0';
  if (radix == 16 && c_isxdigit (c))
    return c_tolower (c) - 'a' + 10;
  return -1;
}

/* Multiply the number INTEGER.FRACTION (FRACTION holding NDIGITS decimal
   digits, most significant first) by BASE in place.  Return false on
   overflow of INTEGER.  */
static bool
scale (uintmax_t *integer, unsigned char *fraction, int ndigits, int base)
{
  unsigned int carry = 0;
  for (int i = ndigits - 1; 0 <= i; i--)
    {
      unsigned int d = fraction[i] * base + carry;
      fraction[i] = d % 10;
      carry = d / 10;
    }
  return ! (ckd_mul (integer, *integer, base)
            || ckd_add (integer, *integer, carry));
}

enum size_error
size_parse (char const *text, off_t *result)
{
  char const *p = text;
  while (c_isspace (*p))
    p++;
  /* A minus sign before what would be a size greater than zero.  */
  if (*p == '-')
    {
      if (p[1] == '-' || p[1] == '+' || c_isspace (p[1]))
        return SIZE_INVALID;
      off_t magnitude;
      enum size_error e = size_parse (p + 1, &magnitude);
      return ((e == SIZE_OK && 0 < magnitude) || e == SIZE_TOO_LARGE
              ? SIZE_NEGATIVE : SIZE_INVALID);
    }
  if (*p == '+')
    p++;

  int radix = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')
      && digit_value (p[2], 16) >= 0)
    {
      radix = 16;
      p += 2;
    }
  if (digit_value (*p, radix) < 0)
    return SIZE_INVALID;

  uintmax_t integer = 0;
  bool too_large = false;
  for (int d; 0 <= (d = digit_value (*p, radix)); p++)
    too_large |= (ckd_mul (&integer, integer, radix)
                  || ckd_add (&integer, integer, d));

  unsigned char fraction[MAX_FRACTION_DIGITS];
  int ndigits = 0;
  bool has_point = *p == '.';
  /* Fractions are decimal only.  */
  if (has_point && radix == 16)
    return SIZE_INVALID;
  if (has_point)
    for (p++; c_isdigit (*p); p++)
      {
        if (ndigits == MAX_FRACTION_DIGITS)
          return SIZE_INVALID;
        fraction[ndigits++] = *p - '0';
      }

  int power = 0;
  int base = 1024;
  if (*p)
    {
      static char const units[] = "KMGTPEZY";
      char const *unit = strchr (units, c_toupper (*p));
      if (!unit)
        return SIZE_INVALID;
      power = unit - units + 1;
      p++;
      if (p[0] == 'i' && (p[1] == 'B' || p[1] == 'b') && !p[2])
        p += 2;
      else if ((p[0] == 'B' || p[0] == 'b') && !p[1])
        {
          base = 1000;
          p++;
        }
      if (*p)
        return SIZE_INVALID;
    }
  else if (has_point)
    return SIZE_INVALID;

  for (int i = 0; i < power; i++)
    too_large |= !scale (&integer, fraction, ndigits, base);

  if (too_large || TYPE_MAXIMUM (off_t) < integer)
    return SIZE_TOO_LARGE;
  *result = integer;
  return SIZE_OK;
}

char *
human_size (uint64_t bytes, char buf[HUMAN_SIZE_BUFSIZE])
{
  static char const units[][4] = { "B", "KiB", "MiB", "GiB", "TiB",
                                   "PiB", "EiB" };
  int exp = 0;
  while (exp < 60 && (UINT64_C (1) << (exp + 10)) <= bytes)
    exp += 10;

  uint64_t whole = bytes >> exp;
  uint64_t rest = bytes - (whole << exp);
  unsigned int tenths = 0;
  if (rest)
    {
      /* Thousandths, truncated, then rounded half up to tenths.  */
      uint64_t thousandths = (rest < UINT64_MAX / 1000
                              ? (rest * 1000) >> exp
                              : ((rest >> 10) * 1000) >> (exp - 10));
      tenths = (thousandths + 50) / 100;
      if (tenths == 10)
        {
          whole++;
          tenths = 0;
        }
    }

  if (tenths)
    {
      struct lconv const *lc = localeconv ();
      char const *point = lc && *lc->decimal_point ? lc->decimal_point : ".";
      snprintf (buf, HUMAN_SIZE_BUFSIZE, "%d%.4s%c %.3s", (int) whole, point,
                (char) ('0' + tenths), units[exp / 10]);
    }
  else
    snprintf (buf, HUMAN_SIZE_BUFSIZE, "%d %.3s", (int) whole,
              units[exp / 10]);
  return buf;
}
