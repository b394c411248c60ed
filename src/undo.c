/* Rollback.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "undo.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "holes.h"
#include "offsets.h"
#include "space.h"

/* Append the hole [OFFSET, OFFSET + LENGTH) to U, merging it with the
   last one when they touch.  */
static int
add_hole (struct undo *u, off_t offset, off_t length)
{
  if (u->nholes)
    {
      struct extent *last = &u->holes[u->nholes - 1];
      if (last->offset + last->length == offset)
        {
          last->length += length;
          return 0;
        }
    }
  if (u->nholes == u->room)
    {
      size_t room;
      if (ckd_mul (&room, u->room ? u->room : 8, 2)
          || SIZE_MAX / sizeof *u->holes < room)
        return ENOMEM;
      struct extent *holes = realloc (u->holes, room * sizeof *holes);
      if (!holes)
        return ENOMEM;
      u->holes = holes;
      u->room = room;
    }
  u->holes[u->nholes++] = (struct extent) { .offset = offset,
                                            .length = length,
                                            .kind = EXTENT_HOLE };
  return 0;
}

/* extents_each over [U->start, U->end) of FD, with FN and ARG.  FIEMAP
   refuses a range that starts past the largest file the filesystem can
   hold (EFBIG), where no block can lie: then only the part inside the
   file is walked (nothing has been passed to FN before that refusal,
   which comes with the first batch).  */
static int
walk (int fd, struct undo const *u, extents_fn fn, void *arg,
      enum extents_method *method)
{
  int err = extents_each (fd, u->start, u->end, fn, arg, method);
  if (err == EFBIG && u->size < u->end)
    err = extents_each (fd, u->start, max_off (u->start, u->size), fn, arg,
                        method);
  return err;
}

/* extents_each's callback for undo_record.  Only FIEMAP tells holes
   from preallocated space: the SEEK_HOLE map of tmpfs counts
   preallocated pages as holes, and punching them would free space the
   file had (tmpfs undoes a failed fallocate(2) itself, and never needs
   the zero-fill).  */
static int
record_segment (void *arg, struct extent const *seg)
{
  struct undo *u = arg;
  if (u->method != EXTENTS_FIEMAP)
    return 0;
  if (seg->kind == EXTENT_HOLE)
    return add_hole (u, seg->offset, seg->length);
  /* The last block of the file reaches past its end when the size is
     not a multiple of the block size: it is not a reservation.  */
  if (u->eof_block_end < seg->offset + seg->length)
    u->reserved_past_eof = true;
  return 0;
}

int
undo_record (int fd, off_t offset, off_t length, struct undo *u)
{
  *u = (struct undo) { .start = offset, .end = offset + length };
  struct stat st;
  if (fstat (fd, &st) != 0)
    return errno;
  u->size = st.st_size;
  u->mtime = st.st_mtim;
  u->blocks = st.st_blocks;
  struct statfs fs;
  off_t block = (fstatfs (fd, &fs) == 0 && 0 < fs.f_bsize ? fs.f_bsize
                 : 0 < st.st_blksize ? st.st_blksize : 4096);
  u->eof_block_end = ceil_block (u->size, block);

  int err = walk (fd, u, record_segment, u, &u->method);
  if (!err && u->method != EXTENTS_FIEMAP && u->size < u->end)
    {
      off_t from = max_off (u->start, u->size);
      err = add_hole (u, from, u->end - from);
    }
  if (err)
    undo_free (u);
  return err;
}

/* What count_segment adds up: the bytes now allocated in U's former
   holes, inside the old size and past it.  */
struct count
{
  struct undo const *u;
  size_t next;                  /* the first hole not behind the walk */
  off_t inside, past;
};

/* extents_each's callback: add the part of SEG that is allocated and
   lies in a former hole.  */
static int
count_segment (void *arg, struct extent const *seg)
{
  struct count *c = arg;
  struct undo const *u = c->u;
  if (seg->kind == EXTENT_HOLE)
    return 0;
  off_t end = seg->offset + seg->length;
  for (size_t i = c->next; i < u->nholes && u->holes[i].offset < end; i++)
    {
      struct extent const *h = &u->holes[i];
      if (h->offset + h->length <= seg->offset)
        {
          c->next = i + 1;
          continue;
        }
      off_t from = max_off (seg->offset, h->offset);
      off_t to = min_off (end, h->offset + h->length);
      off_t split = min_off (max_off (from, u->size), to);
      c->inside += max_off (split - from, 0);
      c->past += max_off (to - split, 0);
    }
  return 0;
}

/* Count in *C the bytes of U's former holes that FD has allocated now.  */
static int
count_allocated (int fd, struct undo const *u, struct count *c)
{
  *c = (struct count) { .u = u };
  return u->nholes ? walk (fd, u, count_segment, c, NULL) : 0;
}

/* Punch U's former holes past the old end of the file.  */
static int
punch_past_eof (int fd, struct undo const *u)
{
  int err = 0;
  for (size_t i = 0; i < u->nholes; i++)
    {
      struct extent const *h = &u->holes[i];
      off_t from = max_off (h->offset, u->size);
      off_t to = h->offset + h->length;
      struct space_outcome out = { 0 };
      int e = from < to ? space_punch (fd, from, to - from, &out) : 0;
      if (!err)
        err = e;
    }
  return err;
}

int
undo_apply (int fd, struct undo const *u, struct undo_facts const *facts,
            struct undo_result *res)
{
  *res = (struct undo_result) { 0 };
  struct stat st;
  if (fstat (fd, &st) != 0)
    return errno;
  struct count c;
  int err = count_allocated (fd, u, &c);
  if (err || !facts->locked
      || (!c.inside && !c.past && st.st_size <= u->size
          && (u->method == EXTENTS_FIEMAP || st.st_blocks <= u->blocks)))
    {
      res->left = c.inside + c.past;
      res->why = res->left ? LEFT_NOT_ALONE : LEFT_NONE;
      return err;
    }

  /* Inside the file, dig the former holes rather than punch them: only
     blocks that read as zeros, as the holes did, go back.  */
  int punch_err = 0;
  if (c.inside)
    {
      size_t n = 0;
      while (n < u->nholes && u->holes[n].offset < u->size)
        n++;
      struct holes_stats stats;
      struct space_outcome out = { 0 };
      int e = holes_dig_within (fd, u->holes, n, u->size, &stats, &out);
      if (space_unsupported (e))
        punch_err = e;
      else
        err = e;
    }

  /* Past the old end of the file: what a fallback wrote there made the
     file larger, and cutting the size back frees all of it; what was
     only reserved there (the size unchanged) goes the same way, unless
     the file had blocks of its own past its end, which only a punch of
     the former holes spares (ext4 ignores punches past the end of a
     file: those blocks are then left).  The size is never cut below
     what another process may have written; where another process made
     the file larger, what lies past the old end is left as it is.  */
  bool grown_by_run = (u->size < st.st_size
                       && (facts->alone || st.st_size <= facts->written_end));
  bool grown_by_others = u->size < st.st_size && !grown_by_run;
  int e = 0;
  if (grown_by_run || (c.past && !u->reserved_past_eof
                       && u->size == st.st_size))
    e = ftruncate (fd, u->size) == 0 ? 0 : errno;
  else if (c.past && !grown_by_others)
    e = punch_past_eof (fd, u);
  if (space_unsupported (e))
    punch_err = e;
  else if (!err)
    err = e;

  /* What stays allocated in the former holes: past the old end, all of
     it; inside, what the dig left is data another process wrote there,
     unless the filesystem could not punch at all.  */
  int count_err = count_allocated (fd, u, &c);
  if (!err)
    err = count_err;
  res->left = (punch_err ? c.inside : 0) + c.past;
  res->why = (!res->left ? LEFT_NONE : grown_by_others ? LEFT_NOT_ALONE
              : punch_err ? LEFT_NO_PUNCH : LEFT_PAST_EOF);
  res->punch_err = punch_err;
  if (u->method != EXTENTS_FIEMAP && facts->alone && fstat (fd, &st) == 0
      && u->blocks < st.st_blocks)
    {
      res->left = (st.st_blocks - u->blocks) * 512;
      res->why = LEFT_UNMAPPED;
    }

  /* The modification time: put back, if the operation changed no byte
     of data and nobody else can have changed the file.  */
  if (facts->alone && facts->data_untouched && fstat (fd, &st) == 0
      && (st.st_mtim.tv_sec != u->mtime.tv_sec
          || st.st_mtim.tv_nsec != u->mtime.tv_nsec))
    futimens (fd, (struct timespec[]) { { .tv_nsec = UTIME_OMIT },
                                        u->mtime });
  return err;
}

void
undo_free (struct undo *u)
{
  free (u->holes);
  *u = (struct undo) { 0 };
}
