/* Unit tests for the size parser and the human size formatter.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include <inttypes.h>
#include <string.h>

#include "intprops.h"
#include "sizes.h"
#include "tap.h"

static struct
{
  char const *text;
  enum size_error error;
  off_t value;
} const parse_cases[] =
{
  { "0", SIZE_OK, 0 },
  { "1", SIZE_OK, 1 },
  { "4096", SIZE_OK, 4096 },
  { "010", SIZE_OK, 10 },              /* leading zeros stay decimal */
  { "0009", SIZE_OK, 9 },
  { "0x10", SIZE_OK, 16 },
  { "0XfF", SIZE_OK, 255 },
  { "0x1K", SIZE_OK, 1024 },
  { "  42", SIZE_OK, 42 },
  { "\t7", SIZE_OK, 7 },
  { "+5", SIZE_OK, 5 },
  { "1K", SIZE_OK, 1024 },
  { "1k", SIZE_OK, 1024 },
  { "1KiB", SIZE_OK, 1024 },
  { "1Kib", SIZE_OK, 1024 },
  { "1KB", SIZE_OK, 1000 },
  { "1kb", SIZE_OK, 1000 },
  { "2M", SIZE_OK, 2097152 },
  { "2MB", SIZE_OK, 2000000 },
  { "1G", SIZE_OK, 1073741824 },
  { "1g", SIZE_OK, 1073741824 },
  { "1GiB", SIZE_OK, 1073741824 },
  { "1GB", SIZE_OK, 1000000000 },
  { "1T", SIZE_OK, INT64_C (1099511627776) },
  { "1TB", SIZE_OK, INT64_C (1000000000000) },
  { "1P", SIZE_OK, INT64_C (1125899906842624) },
  { "1E", SIZE_OK, INT64_C (1152921504606846976) },
  { "7E", SIZE_OK, INT64_C (8070450532247928832) },
  { "9EB", SIZE_OK, INT64_C (9000000000000000000) },
  { "0Z", SIZE_OK, 0 },
  { "0Y", SIZE_OK, 0 },
  { "1.5G", SIZE_OK, 1610612736 },
  { "0.25MiB", SIZE_OK, 262144 },
  { "1.M", SIZE_OK, 1048576 },
  { "1.0M", SIZE_OK, 1048576 },
  { "0.5K", SIZE_OK, 512 },
  { "0.5KB", SIZE_OK, 500 },
  { "0.3K", SIZE_OK, 307 },            /* exact: 307.2, rounded down */
  { "0.05M", SIZE_OK, 52428 },         /* 52428.8 */
  { "1.001K", SIZE_OK, 1025 },         /* 1025.024 */
  { "0.000000001Z", SIZE_OK, INT64_C (1180591620717) },
  { "9223372036854775807", SIZE_OK, INT64_C (9223372036854775807) },
  { "0x7fffffffffffffff", SIZE_OK, INT64_C (9223372036854775807) },
  { "9223372036854775808", SIZE_TOO_LARGE, 0 },
  { "8E", SIZE_TOO_LARGE, 0 },
  { "1Z", SIZE_TOO_LARGE, 0 },
  { "1Y", SIZE_TOO_LARGE, 0 },
  { "99999999999999999999999", SIZE_TOO_LARGE, 0 },
  { "-1", SIZE_NEGATIVE, 0 },
  { " -0", SIZE_INVALID, 0 },
  { "-abc", SIZE_INVALID, 0 },
  { "-", SIZE_INVALID, 0 },
  { "--1", SIZE_INVALID, 0 },
  { "-8E", SIZE_NEGATIVE, 0 },
  { "0x1.8K", SIZE_INVALID, 0 },
  { "", SIZE_INVALID, 0 },
  { "   ", SIZE_INVALID, 0 },
  { "abc", SIZE_INVALID, 0 },
  { "1.2.3M", SIZE_INVALID, 0 },
  { "1.5", SIZE_INVALID, 0 },          /* a fraction needs a unit */
  { "1.", SIZE_INVALID, 0 },
  { ".5M", SIZE_INVALID, 0 },
  { "1X", SIZE_INVALID, 0 },
  { "1KK", SIZE_INVALID, 0 },
  { "1KiBB", SIZE_INVALID, 0 },
  { "1iB", SIZE_INVALID, 0 },
  { "1B", SIZE_INVALID, 0 },
  { "1 K", SIZE_INVALID, 0 },
  { "1K ", SIZE_INVALID, 0 },
  { "0x", SIZE_INVALID, 0 },
  { "0xg", SIZE_INVALID, 0 },
  { "++1", SIZE_INVALID, 0 },
  { "1e3", SIZE_INVALID, 0 },
};

static struct
{
  uint64_t bytes;
  char const *text;
} const human_cases[] =
{
  { 0, "0 B" },
  { 1, "1 B" },
  { 1023, "1023 B" },
  { 1024, "1 KiB" },
  { 1536, "1.5 KiB" },
  { 1048576, "1 MiB" },
  { 1572864, "1.5 MiB" },
  { 10735616, "10.2 MiB" },
  { 104853504, "100 MiB" },            /* 99.996 MiB rounds up */
  { 1048575, "1024 KiB" },             /* 1023.999 KiB, as util-linux */
  { 1073741824, "1 GiB" },
  { UINT64_C (1099511627776), "1 TiB" },
  { UINT64_C (1152921504606846976), "1 EiB" },
  { UINT64_C (9223372036854775807), "8 EiB" },
  { UINT64_MAX, "16 EiB" },
  { 1100, "1.1 KiB" },                 /* 1.074: thousandths 74, tenths 1 */
  { 1075, "1 KiB" },                   /* 1.049: rounds down to 1.0 */
  { 1076, "1.1 KiB" },                 /* 1.050: rounds half up */
};

int
main (void)
{
  for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++)
    {
      off_t value = -1;
      enum size_error e = size_parse (parse_cases[i].text, &value);
      char name[128];
      snprintf (name, sizeof name, "size_parse (\"%s\")",
                parse_cases[i].text);
      bool ok = e == parse_cases[i].error
                && (e != SIZE_OK || value == parse_cases[i].value);
      if (!tap_ok (ok, name))
        tap_diag ("got error %d value %jd, expected error %d value %jd",
                  (int) e, (intmax_t) value, (int) parse_cases[i].error,
                  (intmax_t) parse_cases[i].value);
    }

  for (size_t i = 0; i < sizeof human_cases / sizeof *human_cases; i++)
    {
      char buf[HUMAN_SIZE_BUFSIZE];
      char const *got = human_size (human_cases[i].bytes, buf);
      char name[128];
      snprintf (name, sizeof name, "human_size (%" PRIu64 ") = \"%s\"",
                human_cases[i].bytes, human_cases[i].text);
      if (!tap_ok (strcmp (got, human_cases[i].text) == 0, name))
        tap_diag ("got \"%s\"", got);
    }

  return tap_done ();
}
