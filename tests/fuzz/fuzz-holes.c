/* libFuzzer target: the hole coalescer over synthetic allocation maps.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   The input describes a block size, a range and a file size, and the
   range as a sequence of segments: file holes, zeros (written or
   unwritten) and other data.  The tally of holes.h is fed them in
   order, once reporting and once digging (with a punch that records
   what it is asked to punch).  Oracles, from a model that works block
   by block:
   - holes come in offset order, disjoint, inside the range;
   - the file holes are exactly the maximal runs of hole segments;
   - the data holes are exactly the maximal runs of whole blocks inside
     the window (the last partial block of the file counting up to its
     end) that lie wholly in zero segments;
   - the statistics add up to what was reported;
   - digging punches exactly the data holes, block-aligned, in order;
   - digging with merged punches (and no per-hole callback) counts the
     same, and punches, block-aligned, in order, all the data holes and
     nothing but file holes and zeros.  */

#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "holes.h"

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size);

enum { MAX_SEGMENTS = 64, MAX_HOLES = 2 * MAX_SEGMENTS + 2 };

enum seg_kind { SEG_HOLE, SEG_ZEROS, SEG_DATA };

struct seg
{
  enum seg_kind kind;
  off_t offset, length;
};

struct span
{
  off_t offset, length;
};

/* What the tally reported.  */
struct seen
{
  struct span file[MAX_HOLES], data[MAX_HOLES], punched[MAX_HOLES];
  int nfile, ndata, npunched;
  bool overflow;
};

static void
add_span (struct span *list, int *n, bool *overflow, off_t offset,
          off_t length)
{
  if (*n == MAX_HOLES)
    *overflow = true;
  else
    list[(*n)++] = (struct span) { offset, length };
}

static void
found (void *arg, enum hole_kind kind, off_t offset, off_t length)
{
  struct seen *s = arg;
  if (kind == HOLE_FILE)
    add_span (s->file, &s->nfile, &s->overflow, offset, length);
  else
    add_span (s->data, &s->ndata, &s->overflow, offset, length);
}

static int
punch (void *arg, off_t offset, off_t length)
{
  struct seen *s = arg;
  add_span (s->punched, &s->npunched, &s->overflow, offset, length);
  return 0;
}

static _Noreturn void
wrong (char const *why, int i)
{
  fprintf (stderr, "%s (%d)\n", why, i);
  abort ();
}

static off_t
floor_to (off_t x, off_t b)
{
  return x - x % b;
}

static off_t
ceil_to (off_t x, off_t b)
{
  return floor_to (x + b - 1, b);
}

/* Whether [FROM, TO) lies wholly in zero segments of SEGS.  */
static bool
all_zeros (struct seg const *segs, int n, off_t from, off_t to)
{
  for (int i = 0; i < n && from < to; i++)
    {
      off_t end = segs[i].offset + segs[i].length;
      if (end <= from)
        continue;
      if (segs[i].offset > from || segs[i].kind != SEG_ZEROS)
        return false;
      from = end;
    }
  return to <= from;
}

/* Whether [FROM, TO) lies wholly in hole and zero segments of SEGS.  */
static bool
no_data (struct seg const *segs, int n, off_t from, off_t to)
{
  for (int i = 0; i < n && from < to; i++)
    {
      off_t end = segs[i].offset + segs[i].length;
      if (end <= from)
        continue;
      if (segs[i].offset > from || segs[i].kind == SEG_DATA)
        return false;
      from = end;
    }
  return to <= from;
}

/* Compare the spans GOT (N of them) with the spans WANT (M).  */
static void
same_spans (struct span const *got, int n, struct span const *want, int m,
            char const *what)
{
  if (n != m)
    wrong (what, n - m);
  for (int i = 0; i < n; i++)
    if (got[i].offset != want[i].offset || got[i].length != want[i].length)
      wrong (what, i);
}

int
LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  if (size < 4)
    return 0;
  off_t block = (off_t) 512 << (data[0] % 4);
  off_t start = data[1] * 97;
  bool range_to_eof = data[2] & 1;
  off_t beyond = (data[2] >> 1) * 311;

  struct seg segs[MAX_SEGMENTS];
  int n = 0;
  off_t pos = start;
  for (size_t i = 3; i + 2 < size && n < MAX_SEGMENTS; i += 3)
    {
      off_t length = ((data[i + 1] | data[i + 2] << 8) % 16384) + 1;
      segs[n++] = (struct seg) { data[i] % 3, pos, length };
      pos += length;
    }
  off_t end = pos;
  off_t file_size = range_to_eof ? end : end + beyond;

  /* The model: file holes, then data holes block by block.  */
  struct span want_file[MAX_HOLES], want_data[MAX_HOLES];
  int nwant_file = 0, nwant_data = 0;
  bool spill = false;
  for (int i = 0; i < n; i++)
    if (segs[i].kind == SEG_HOLE)
      {
        if (nwant_file
            && (want_file[nwant_file - 1].offset
                + want_file[nwant_file - 1].length == segs[i].offset))
          want_file[nwant_file - 1].length += segs[i].length;
        else
          add_span (want_file, &nwant_file, &spill, segs[i].offset,
                    segs[i].length);
      }
  off_t window_start = ceil_to (start, block);
  off_t window_end = end == file_size ? end : floor_to (end, block);
  for (off_t b = window_start; b < window_end; b += block)
    {
      off_t b_end = b + block < file_size ? b + block : file_size;
      if (window_end < b_end || !all_zeros (segs, n, b, b_end))
        continue;
      if (nwant_data
          && (want_data[nwant_data - 1].offset
              + want_data[nwant_data - 1].length == b))
        want_data[nwant_data - 1].length += b_end - b;
      else
        add_span (want_data, &nwant_data, &spill, b, b_end - b);
    }

  for (int dig = 0; dig < 2; dig++)
    {
      struct seen seen = { 0 };
      struct holes_stats stats = { 0 };
      struct holes_tally t;
      holes_tally_init (&t, start, end, file_size, block, found, &seen,
                        &stats, dig ? punch : NULL, &seen);
      for (int i = 0; i < n; i++)
        {
          int err = (segs[i].kind == SEG_HOLE
                     ? holes_tally_hole (&t, segs[i].offset, segs[i].length)
                     : segs[i].kind == SEG_ZEROS
                     ? holes_tally_zeros (&t, segs[i].offset,
                                          segs[i].length)
                     : holes_tally_data (&t));
          if (err)
            wrong ("a tally error", err);
        }
      if (holes_tally_end (&t, true))
        wrong ("an error at the end", 0);
      if (seen.overflow || spill)
        return 0;

      same_spans (seen.file, seen.nfile, want_file, nwant_file,
                  "file holes differ from the model");
      same_spans (seen.data, seen.ndata, want_data, nwant_data,
                  "data holes differ from the model");

      off_t file_bytes = 0, data_bytes = 0, last = start;
      for (int i = 0; i < seen.nfile; i++)
        file_bytes += seen.file[i].length;
      for (int i = 0; i < seen.ndata; i++)
        data_bytes += seen.data[i].length;
      if (stats.file_holes != seen.nfile || stats.file_hole_bytes != file_bytes
          || stats.data_holes != seen.ndata
          || stats.data_hole_bytes != data_bytes)
        wrong ("statistics that do not add up", dig);

      if (dig)
        {
          /* The punches cover the data holes exactly, whole blocks (the
             last partial block of the file whole), in order.  */
          off_t punched = 0;
          for (int i = 0; i < seen.npunched; i++)
            {
              struct span const *p = &seen.punched[i];
              if (p->offset < last || p->offset % block
                  || p->length <= 0 || p->length % block)
                wrong ("a punch out of order or unaligned", i);
              last = p->offset + p->length;
              punched += (last < file_size ? last : file_size) - p->offset;
              bool inside = false;
              for (int j = 0; j < seen.ndata && !inside; j++)
                inside = (seen.data[j].offset <= p->offset
                          && (p->offset + p->length
                              <= ceil_to (seen.data[j].offset
                                          + seen.data[j].length, block)));
              if (!inside)
                wrong ("a punch outside the data holes", i);
            }
          if (punched != data_bytes)
            wrong ("punches that do not add up to the data holes", 0);
        }
    }

  struct seen seen = { 0 };
  struct holes_stats stats = { 0 };
  struct holes_tally t;
  holes_tally_init (&t, start, end, file_size, block, NULL, NULL, &stats,
                    punch, &seen);
  t.merge = true;
  for (int i = 0; i < n; i++)
    if (segs[i].kind == SEG_HOLE ? holes_tally_hole (&t, segs[i].offset,
                                                     segs[i].length)
        : segs[i].kind == SEG_ZEROS ? holes_tally_zeros (&t, segs[i].offset,
                                                         segs[i].length)
        : holes_tally_data (&t))
      wrong ("a merged tally error", i);
  if (holes_tally_end (&t, true) || seen.overflow)
    wrong ("a merged tally error at the end", 0);
  off_t file_bytes = 0, data_bytes = 0, last = 0;
  for (int i = 0; i < nwant_file; i++)
    file_bytes += want_file[i].length;
  for (int i = 0; i < nwant_data; i++)
    data_bytes += want_data[i].length;
  if (stats.file_holes != nwant_file || stats.file_hole_bytes != file_bytes
      || stats.data_holes != nwant_data || stats.data_hole_bytes != data_bytes)
    wrong ("merged statistics that differ from the model", 0);
  for (int i = 0; i < seen.npunched; i++)
    {
      struct span const *p = &seen.punched[i];
      off_t p_end = p->offset + p->length;
      if (p->offset < last || p->offset % block || p->length <= 0
          || p->length % block
          || !no_data (segs, n, p->offset,
                       p_end < file_size ? p_end : file_size))
        wrong ("a merged punch out of order, unaligned or over data", i);
      last = p_end;
    }
  for (int j = 0; j < nwant_data; j++)
    {
      bool inside = false;
      for (int i = 0; i < seen.npunched && !inside; i++)
        inside = (seen.punched[i].offset <= want_data[j].offset
                  && (want_data[j].offset + want_data[j].length
                      <= seen.punched[i].offset + seen.punched[i].length));
      if (!inside)
        wrong ("a data hole that no merged punch covers", j);
    }
  return 0;
}
