/* Printing hole reports: the text of util-linux and JSON.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

#include "i18n.h"
#include "sizes.h"

void
report_begin (struct report *r, char const *name, bool json, bool verbose,
              bool header)
{
  *r = (struct report) { .name = name, .json = json, .verbose = verbose };
  if (header && !json)
    printf ("%s:\n", name);
}

void
report_hole (struct report *r, enum hole_kind kind, off_t offset,
             off_t length)
{
  if (!r->json)
    {
      printf ((kind == HOLE_FILE
               ? _("file hole: offset %jd - %jd (%jd bytes)\n")
               : _("data hole: offset %jd - %jd (%jd bytes)\n")),
              (intmax_t) offset, (intmax_t) (offset + length),
              (intmax_t) length);
      return;
    }
  struct report_holes *h = &r->holes[kind];
  if (h->n == h->allocated)
    h->v = x2nrealloc (h->v, &h->allocated, sizeof *h->v);
  h->v[h->n++] = (struct report_hole) { offset, length };
}

void
report_free (struct report *r)
{
  free (r->holes[HOLE_FILE].v);
  free (r->holes[HOLE_DATA].v);
  r->holes[HOLE_FILE] = r->holes[HOLE_DATA] = (struct report_holes) { 0 };
}

/* The percentage of the file's FILE_SIZE bytes that BYTES (at most
   FILE_SIZE) are, as it is computed for the text report.  */
static double
percent (off_t bytes, off_t file_size)
{
  return file_size ? 100.0 * (double) bytes / (double) file_size : 0.0;
}

/* Print "N holes, SIZE (BYTES bytes, P% of the file)" for holes of BYTES
   in all in a file of FILE_SIZE bytes.  P is in the user's LC_NUMERIC,
   as util-linux prints it.  */
static void
print_holes (intmax_t holes, off_t bytes, off_t file_size)
{
  char buf[HUMAN_SIZE_BUFSIZE];
  /* TRANSLATORS: English says "holes" for one hole too, as util-linux
     does and scripts expect; translations use their plural forms.  */
  printf (ngettext ("%jd holes, %s (%jd bytes, %.2f%% of the file)",
                    "%jd holes, %s (%jd bytes, %.2f%% of the file)",
                    plural_of (holes)),
          holes, human_size (bytes, buf), (intmax_t) bytes,
          percent (bytes, file_size));
}

void
report_dug (char const *name, struct holes_stats const *stats)
{
  printf ("%s: ", name);
  print_holes (stats->data_holes, stats->data_hole_bytes, stats->file_size);
  puts (_(" converted to sparse holes."));
}

/* The percentage P of BYTES in a file of FILE_SIZE bytes (BYTES at most
   FILE_SIZE) in hundredths: the digits that "%.2f" prints for it in the
   text report, rounded as printf rounds (the exact value of the double,
   ties to even), found with integer arithmetic only, so that no locale
   can change it.  */
static uint64_t
hundredths (off_t bytes, off_t file_size)
{
  double p = percent (bytes, file_size);
  if (p == 0)
    return 0;
  /* Doubling is exact: P is M * 2^-SHIFT with M the integer below 2^53
     that SCALED ends as, and 100 * P is N * 2^-SHIFT with N below 2^60.
     As 0 < P <= 100, 46 <= SHIFT.  */
  double scaled = p;
  int shift = 0;
  for (; scaled < 0x1p52; shift++)
    scaled *= 2;
  uint64_t n = (uint64_t) scaled * 100;
  if (62 <= shift)
    return 0;                   /* 100 * P < 1/4 */
  uint64_t whole = n >> shift;
  uint64_t rest = n & ((UINT64_C (1) << shift) - 1);
  uint64_t half = UINT64_C (1) << (shift - 1);
  return whole + (half < rest || (rest == half && (whole & 1)));
}

/* Print the text S as a JSON string: valid UTF-8 as it is, except
   '"' and '\' escaped with a backslash and the control characters
   U+0000..U+001F and U+007F as \u00XX; each byte that is not part of a
   valid UTF-8 sequence as \ufffd.  Return whether S was valid UTF-8.  */
static bool
print_json_string (char const *s)
{
  bool valid = true;
  putchar ('"');
  for (unsigned char const *p = (unsigned char const *) s; *p; )
    {
      if (*p == '"' || *p == '\\')
        {
          putchar ('\\');
          putchar (*p++);
          continue;
        }
      if (*p < 0x20 || *p == 0x7f)
        {
          printf ("\\u%04x", (unsigned int) *p++);
          continue;
        }
      /* The length of the UTF-8 sequence that starts here, and the range
         its second byte must be in (RFC 3629: no overlong forms, no
         surrogates, nothing above U+10FFFF).  */
      size_t len = 1;
      unsigned char lo = 0x80, hi = 0xbf;
      if (0xc2 <= *p && *p <= 0xdf)
        len = 2;
      else if (0xe0 <= *p && *p <= 0xef)
        {
          len = 3;
          lo = *p == 0xe0 ? 0xa0 : 0x80;
          hi = *p == 0xed ? 0x9f : 0xbf;
        }
      else if (0xf0 <= *p && *p <= 0xf4)
        {
          len = 4;
          lo = *p == 0xf0 ? 0x90 : 0x80;
          hi = *p == 0xf4 ? 0x8f : 0xbf;
        }
      else if (0x80 <= *p)
        len = 0;
      /* The NUL at the end of S is out of every range below.  */
      for (size_t i = 1; i < len; i++)
        if (p[i] < (i == 1 ? lo : 0x80) || (i == 1 ? hi : 0xbf) < p[i])
          {
            len = 0;
            break;
          }
      if (!len)
        {
          fputs ("\\ufffd", stdout);
          p++;
          valid = false;
          continue;
        }
      fwrite (p, 1, len, stdout);
      p += len;
    }
  putchar ('"');
  return valid;
}

/* Print the JSON member NAME of the holes of one kind: COUNT holes of
   BYTES in all, in a file of FILE_SIZE bytes, and, if LIST is not NULL,
   each of them.  */
static void
print_json_holes (char const *name, intmax_t count, off_t bytes,
                  off_t file_size, struct report_holes const *list)
{
  uint64_t h = hundredths (bytes, file_size);
  printf ("\"%s\":{\"count\":%jd,\"bytes\":%jd,\"percent\":%ju.%02ju",
          name, count, (intmax_t) bytes, (uintmax_t) (h / 100),
          (uintmax_t) (h % 100));
  if (list)
    {
      fputs (",\"holes\":[", stdout);
      for (size_t i = 0; i < list->n; i++)
        printf ("%s{\"offset\":%jd,\"length\":%jd}", i ? "," : "",
                (intmax_t) list->v[i].offset, (intmax_t) list->v[i].length);
      putchar (']');
    }
  putchar ('}');
}

/* Print the name of R's file, as the member "file" and, if it is not
   valid UTF-8, as "file_bytes" too: every byte of it in two lowercase
   hexadecimal digits.  */
static void
print_json_name (struct report const *r)
{
  fputs ("\"file\":", stdout);
  if (print_json_string (r->name))
    return;
  fputs (",\"file_bytes\":\"", stdout);
  for (unsigned char const *p = (unsigned char const *) r->name; *p; p++)
    printf ("%02x", (unsigned int) *p);
  putchar ('"');
}

void
report_end (struct report const *r, struct holes_stats const *stats)
{
  if (!r->json)
    {
      putchar ('\n');
      puts (_("Summary:"));
      fputs (_("file holes: "), stdout);
      print_holes (stats->file_holes, stats->file_hole_bytes,
                   stats->file_size);
      putchar ('\n');
      fputs (_("data holes: "), stdout);
      print_holes (stats->data_holes, stats->data_hole_bytes,
                   stats->file_size);
      putchar ('\n');
      return;
    }
  /* File holes lie in the range, so the rest of it has space.  */
  off_t length = stats->end - stats->start;
  putchar ('{');
  print_json_name (r);
  printf (",\"size\":%jd,\"offset\":%jd,\"length\":%jd,\"allocated\":%jd,",
          (intmax_t) stats->file_size, (intmax_t) stats->start,
          (intmax_t) length, (intmax_t) (length - stats->file_hole_bytes));
  print_json_holes ("file_holes", stats->file_holes, stats->file_hole_bytes,
                    stats->file_size,
                    r->verbose ? &r->holes[HOLE_FILE] : NULL);
  putchar (',');
  print_json_holes ("data_holes", stats->data_holes, stats->data_hole_bytes,
                    stats->file_size,
                    r->verbose ? &r->holes[HOLE_DATA] : NULL);
  puts ("}");
}
