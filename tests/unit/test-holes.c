/* Unit tests for the holes engine: the zero test, the coalescer, and a
   walk of a real file in the temporary directory.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "holes.h"
#include "space.h"
#include "tap.h"

enum { KiB = 1024, MiB = 1024 * 1024 };

/* The zero test on every size up to a few words past a block, with a
   nonzero byte at every place, from aligned and unaligned starts.  */
static void
test_is_zero (void)
{
  static unsigned char buf[4096 + 200];
  bool all = true;
  for (size_t shift = 0; shift < 8; shift++)
    for (size_t size = 0; size <= 300; size++)
      {
        unsigned char *p = buf + shift;
        memset (buf, 0, sizeof buf);
        all &= holes_is_zero (p, size);
        for (size_t i = 0; i < size; i++)
          {
            p[i] = 0x80;
            all &= !holes_is_zero (p, size);
            p[i] = 0;
          }
        /* A nonzero byte just outside does not count.  */
        p[size] = 1;
        all &= holes_is_zero (p, size);
      }
  tap_ok (all, "holes_is_zero: sizes 0..300, every byte, 8 alignments");

  memset (buf, 0, sizeof buf);
  bool block = holes_is_zero (buf, 4096);
  for (size_t i = 0; i < 4096; i += 7)
    {
      buf[i] = 1;
      block &= !holes_is_zero (buf, 4096);
      buf[i] = 0;
    }
  buf[4095] = 1;
  block &= !holes_is_zero (buf, 4096);
  tap_ok (block, "holes_is_zero: a 4 KiB block");
}

/* What a tally passed on: holes and punches, as text.  */
struct record
{
  char text[1024];
  int punches;
  int fail_at;                  /* fail this punch (1-based) ... */
  int fail_err;                 /* ... with this errno value */
};

static void
append (struct record *r, char const *kind, off_t offset, off_t length)
{
  size_t len = strlen (r->text);
  snprintf (r->text + len, sizeof r->text - len, "%s%s %jd+%jd",
            len ? ", " : "", kind, (intmax_t) offset, (intmax_t) length);
}

static void
record_hole (void *arg, enum hole_kind kind, off_t offset, off_t length)
{
  append (arg, kind == HOLE_FILE ? "file" : "data", offset, length);
}

static int
record_punch (void *arg, off_t offset, off_t length)
{
  struct record *r = arg;
  if (++r->punches == r->fail_at)
    return r->fail_err;
  append (r, "punch", offset, length);
  return 0;
}

/* A walk to feed a tally: a kind letter and a length per segment:
   'h' file hole, 'z' zeros, 'd' nonzero data.  */
struct step
{
  char kind;
  off_t length;
};

struct tally_case
{
  char const *name;
  off_t start, end, size;
  bool dig;
  struct step steps[8];
  char const *expected;
  intmax_t file_holes, data_holes;
};

static struct tally_case const tally_cases[] =
{
  { "a file hole alone", 0, 8 * KiB, 8 * KiB, false,
    { { 'h', 8 * KiB } }, "file 0+8192", 1, 0 },
  { "adjacent file holes merge", 0, 12 * KiB, 12 * KiB, false,
    { { 'h', 4 * KiB }, { 'h', 8 * KiB } }, "file 0+12288", 1, 0 },
  { "unwritten next to written zeros merge", 0, 16 * KiB, 16 * KiB, false,
    { { 'z', 8 * KiB }, { 'z', 4 * KiB }, { 'z', 4 * KiB } },
    "data 0+16384", 0, 1 },
  { "data splits zero runs", 0, 12 * KiB, 12 * KiB, false,
    { { 'z', 4 * KiB }, { 'd', 4 * KiB }, { 'z', 4 * KiB } },
    "data 0+4096, data 8192+4096", 0, 2 },
  { "file hole, zeros, file hole in offset order", 0, 12 * KiB, 12 * KiB,
    false, { { 'h', 4 * KiB }, { 'z', 4 * KiB }, { 'h', 4 * KiB } },
    "file 0+4096, data 4096+4096, file 8192+4096", 2, 1 },
  { "partial blocks at the range edges never count", 100, 10000, 20000,
    false, { { 'z', 9900 } }, "data 4096+4096", 0, 1 },
  { "the last partial block counts up to the end of file", 0, 10000, 10000,
    false, { { 'z', 10000 } }, "data 0+10000", 0, 1 },
  { "a range ending inside the last block does not reach it", 0, 9000,
    10000, false, { { 'z', 9000 } }, "data 0+8192", 0, 1 },
  { "nonzero last partial block", 0, 10000, 10000, false,
    { { 'z', 8192 }, { 'd', 1808 } }, "data 0+8192", 0, 1 },
  { "less than a block of zeros", 0, 8 * KiB, 8 * KiB, false,
    { { 'd', 1000 }, { 'z', 4000 }, { 'd', 3192 } }, "", 0, 0 },
  { "zeros from an unaligned segment start", 0, 12 * KiB, 12 * KiB, false,
    { { 'd', 100 }, { 'z', 12188 } }, "data 4096+8192", 0, 1 },
  { "empty range", 0, 0, 0, false, { { 0, 0 } }, "", 0, 0 },
  { "file holes are not trimmed to blocks", 100, 5000, 5000, false,
    { { 'h', 4900 } }, "file 100+4900", 1, 0 },
  { "dig punches whole blocks", 0, 12 * KiB, 12 * KiB, true,
    { { 'z', 4 * KiB }, { 'd', 4 * KiB }, { 'z', 4 * KiB } },
    "punch 0+4096, data 0+4096, punch 8192+4096, data 8192+4096", 0, 2 },
  { "dig punches the last partial block whole", 0, 10000, 10000, true,
    { { 'd', 4 * KiB }, { 'z', 5904 } },
    "punch 4096+8192, data 4096+5904", 0, 1 },
  { "dig leaves file holes alone", 0, 8 * KiB, 8 * KiB, true,
    { { 'h', 4 * KiB }, { 'z', 4 * KiB } },
    "file 0+4096, punch 4096+4096, data 4096+4096", 1, 1 },
  { "dig punches long runs in batches", 0, 40 * MiB, 40 * MiB, true,
    { { 'z', 10 * MiB }, { 'z', 10 * MiB }, { 'z', 10 * MiB },
      { 'z', 10 * MiB } },
    "punch 0+20971520, punch 20971520+20971520, data 0+41943040", 0, 1 },
};

static void
test_tally (struct tally_case const *c)
{
  struct record r = { .text = "" };
  struct holes_stats stats = { 0 };
  struct holes_tally t;
  holes_tally_init (&t, c->start, c->end, c->size, 4096, record_hole, &r,
                    &stats, c->dig ? record_punch : NULL, &r);
  off_t at = c->start;
  int err = 0;
  for (size_t i = 0; !err && i < sizeof c->steps / sizeof *c->steps
       && c->steps[i].length; i++)
    {
      off_t len = c->steps[i].length;
      err = (c->steps[i].kind == 'h' ? holes_tally_hole (&t, at, len)
             : c->steps[i].kind == 'z' ? holes_tally_zeros (&t, at, len)
             : holes_tally_data (&t));
      at += len;
    }
  if (!err)
    err = holes_tally_end (&t, true);
  bool ok = (!err && strcmp (r.text, c->expected) == 0
             && stats.file_holes == c->file_holes
             && stats.data_holes == c->data_holes);
  if (!tap_ok (ok, c->name))
    tap_diag ("got \"%s\" (%jd file, %jd data holes, error %d), "
              "expected \"%s\"", r.text, stats.file_holes, stats.data_holes,
              err, c->expected);
}

/* A dig stopped (the punch hook says EINTR) counts only what it punched,
   and punches nothing more.  */
static void
test_tally_stop (void)
{
  struct record r = { .text = "", .fail_at = 2, .fail_err = EINTR };
  struct holes_stats stats = { 0 };
  struct holes_tally t;
  holes_tally_init (&t, 0, 40 * MiB, 40 * MiB, 4096, record_hole, &r,
                    &stats, record_punch, &r);
  int err = 0;
  for (off_t at = 0; !err && at < 40 * MiB; at += MiB)
    err = holes_tally_zeros (&t, at, MiB);
  int end_err = holes_tally_end (&t, false);
  bool ok = (err == EINTR && !end_err && r.punches == 2
             && strcmp (r.text, "punch 0+16777216, data 0+16777216") == 0
             && stats.data_hole_bytes == 16 * MiB);
  if (!tap_ok (ok, "a stopped dig counts what it punched"))
    tap_diag ("got \"%s\", error %d, %d punches", r.text, err, r.punches);

  /* A punch failing when the run closes: the run counts what was
     punched before, here nothing.  */
  r = (struct record) { .text = "", .fail_at = 1, .fail_err = EOPNOTSUPP };
  stats = (struct holes_stats) { 0 };
  holes_tally_init (&t, 0, 8 * KiB, 8 * KiB, 4096, record_hole, &r,
                    &stats, record_punch, &r);
  err = holes_tally_zeros (&t, 0, 8 * KiB);
  if (!err)
    err = holes_tally_end (&t, true);
  ok = err == EOPNOTSUPP && stats.data_holes == 0 && !*r.text;
  if (!tap_ok (ok, "a failed punch counts nothing"))
    tap_diag ("got \"%s\", error %d", r.text, err);
}

/* Write LEN bytes of BYTE at OFFSET of FD.  */
static bool
fill (int fd, off_t offset, off_t len, int byte)
{
  static char buf[64 * KiB];
  memset (buf, byte, sizeof buf);
  for (off_t done = 0; done < len; )
    {
      size_t n = len - done < (off_t) sizeof buf ? len - done : sizeof buf;
      ssize_t w = pwrite (fd, buf, n, offset + done);
      if (w <= 0)
        return false;
      done += w;
    }
  return true;
}

/* Whether the SIZE bytes at OFFSET of FD are all BYTE.  */
static bool
holds (int fd, off_t offset, off_t size, int byte)
{
  static char buf[64 * KiB];
  for (off_t done = 0; done < size; )
    {
      size_t n = size - done < (off_t) sizeof buf ? size - done : sizeof buf;
      if (pread (fd, buf, n, offset + done) != (ssize_t) n)
        return false;
      for (size_t i = 0; i < n; i++)
        if (buf[i] != (char) byte)
          return false;
      done += n;
    }
  return true;
}

/* Holes of either kind, adjacent ones merged: what reads as zeros.  */
struct zeros
{
  char text[1024];
  off_t start, end;             /* the last span, not yet in TEXT */
  intmax_t data_holes;
};

static void
zeros_flush (struct zeros *z)
{
  if (z->start < z->end)
    {
      size_t len = strlen (z->text);
      snprintf (z->text + len, sizeof z->text - len, "%s%jd+%jd",
                len ? ", " : "", (intmax_t) z->start,
                (intmax_t) (z->end - z->start));
    }
  z->start = z->end = 0;
}

static void
zeros_hole (void *arg, enum hole_kind kind, off_t offset, off_t length)
{
  struct zeros *z = arg;
  z->data_holes += kind == HOLE_DATA;
  if (z->start == z->end || z->end != offset)
    {
      zeros_flush (z);
      z->start = offset;
    }
  z->end = offset + length;
}

/* Scan FD from OFFSET for LENGTH bytes, digging if DIG, into *Z.  */
static int
scan (int fd, off_t offset, off_t length, bool dig, struct zeros *z,
      struct holes_stats *stats)
{
  struct space_outcome out;
  *z = (struct zeros) { .text = "" };
  int err = holes_scan (fd, offset, length, dig, zeros_hole, z, NULL, stats,
                        &out);
  zeros_flush (z);
  return err;
}

/* A walk of a real file: a 1 MiB hole, 3 MiB of data whose middle MiB
   is zeros, a 1 MiB hole, and a zero tail of 5000 bytes, which does not
   end on a block boundary.  Which zeros are file holes and which data
   holes depends on the filesystem of $TMPDIR (xfs preallocates, ramfs
   has no map); that together they are the zeros does not.  */
static void
test_scan (void)
{
  char const *dir = getenv ("TMPDIR");
  char name[4096];
  snprintf (name, sizeof name, "%s/test-holes.XXXXXX", dir ? dir : "/tmp");
  int fd = mkstemp (name);
  if (!tap_ok (0 <= fd, "make a temporary file"))
    return;
  unlink (name);
  off_t const size = 5 * MiB + 5000;
  bool made = (fill (fd, 1 * MiB, MiB, 0xab) && fill (fd, 2 * MiB, MiB, 0)
               && fill (fd, 3 * MiB, MiB, 0xcd)
               && fill (fd, 5 * MiB, 5000, 0)
               && ftruncate (fd, size) == 0 && fsync (fd) == 0);
  tap_ok (made, "write the layout");

  /* The zero tail's last partial block counts up to the end of file.  */
  char const *all_zeros = "0+1048576, 2097152+1048576, 4194304+1053576";
  struct zeros z;
  struct holes_stats stats;
  int err = scan (fd, 0, 0, false, &z, &stats);
  bool ok = (!err && strcmp (z.text, all_zeros) == 0
             && stats.file_size == size && stats.done == size
             && stats.file_hole_bytes + stats.data_hole_bytes
                == 3 * MiB + 5000);
  if (!tap_ok (ok, "report the holes of a file"))
    tap_diag ("error %d, method %d: \"%s\"", err, (int) stats.method,
              z.text);

  /* A sub-range: from the middle of a block in the data to 1 MiB + 1
     byte later.  */
  err = scan (fd, 2 * MiB - 100, MiB + 101, false, &z, &stats);
  ok = !err && strcmp (z.text, "2097152+1048576") == 0;
  if (!tap_ok (ok, "report the holes of a sub-range"))
    tap_diag ("error %d: \"%s\"", err, z.text);

  err = scan (fd, 0, 0, true, &z, &stats);
  if (!space_mode_available (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
    {
      /* A build without fallocate(2): the dig fails at the first punch,
         the bytes as they were.  */
      ok = (err == ENOSYS && holds (fd, 1 * MiB, MiB, 0xab)
            && holds (fd, 2 * MiB, MiB, 0) && holds (fd, 3 * MiB, MiB, 0xcd)
            && holds (fd, 4 * MiB, MiB + 5000, 0));
      if (!tap_ok (ok, "without fallocate(2), digging fails, its bytes "
                   "unchanged"))
        tap_diag ("error %d", err);
    }
  else if (err == EOPNOTSUPP)
    tap_diag ("the filesystem of %s cannot punch holes: not digging", name);
  else
    {
      ok = (!err && stats.data_holes == z.data_holes
            && holds (fd, 1 * MiB, MiB, 0xab) && holds (fd, 2 * MiB, MiB, 0)
            && holds (fd, 3 * MiB, MiB, 0xcd)
            && holds (fd, 4 * MiB, MiB + 5000, 0));
      tap_ok (ok, "dig the holes of a file, its bytes unchanged");
      err = scan (fd, 0, 0, false, &z, &stats);
      ok = (!err && strcmp (z.text, all_zeros) == 0 && !z.data_holes
            && stats.file_holes == 3);
      if (!tap_ok (ok, "after digging, only file holes"))
        tap_diag ("error %d: \"%s\", %jd data holes", err, z.text,
                  z.data_holes);
    }
  close (fd);
}

int
main (void)
{
  test_is_zero ();
  for (size_t i = 0; i < sizeof tally_cases / sizeof *tally_cases; i++)
    test_tally (&tally_cases[i]);
  test_tally_stop ();
  test_scan ();
  return tap_done ();
}
