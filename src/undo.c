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

/* Append [OFFSET, OFFSET + LENGTH) to the list *LIST of *N extents, room
   for *ROOM, merging it with the last one when they touch.  */
static int
add_extent (struct extent **list, size_t *n, size_t *room, off_t offset,
            off_t length)
{
  if (*n)
    {
      struct extent *last = &(*list)[*n - 1];
      if (last->offset + last->length == offset)
        {
          last->length += length;
          return 0;
        }
    }
  if (*n == *room)
    {
      size_t more;
      if (ckd_mul (&more, *room ? *room : 8, 2)
          || SIZE_MAX / sizeof **list < more)
        return ENOMEM;
      struct extent *grown = realloc (*list, more * sizeof *grown);
      if (!grown)
        return ENOMEM;
      *list = grown;
      *room = more;
    }
  (*list)[(*n)++] = (struct extent) { .offset = offset, .length = length,
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
  return (u->method == EXTENTS_FIEMAP && seg->kind == EXTENT_HOLE
          ? add_extent (&u->holes, &u->nholes, &u->room, seg->offset,
                        seg->length)
          : 0);
}

/* extents_each's callback for the blocks the file has past its end:
   note them, to reserve them again if the rollback truncates.  */
static int
record_reserved (void *arg, struct extent const *seg)
{
  struct undo *u = arg;
  return (u->method == EXTENTS_FIEMAP && seg->kind != EXTENT_HOLE
          ? add_extent (&u->reserved, &u->nreserved, &u->reserved_room,
                        seg->offset, seg->length)
          : 0);
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
  /* The last block of the file reaches past its end when the size is
     not a multiple of the block size: that is no reservation.  */
  off_t eof_block_end = ceil_block (u->size, block);

  int err = walk (fd, u, record_segment, u, &u->method);
  if (!err && u->method != EXTENTS_FIEMAP && u->size < u->end)
    {
      off_t from = max_off (u->start, u->size);
      err = add_extent (&u->holes, &u->nholes, &u->room, from,
                        u->end - from);
    }
  if (!err && u->method == EXTENTS_FIEMAP)
    err = extents_each (fd, eof_block_end, OFF_T_MAX, record_reserved, u,
                        NULL);
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

/* Reserve again the blocks that U's file had past its end, which a
   truncate to its old size freed.  */
static int
reserve_again (int fd, struct undo const *u)
{
  for (size_t i = 0; i < u->nreserved; i++)
    {
      struct space_outcome out = { 0 };
      int err = space_reserve (fd, u->reserved[i].offset,
                               u->reserved[i].length, &out);
      if (err)
        return err;
    }
  return 0;
}

/* Put FD's modification time back as U recorded it, if the operation
   changed no byte of data and nobody else can have changed the file:
   the failed fallocate(2) itself moves it on some filesystems (xfs,
   btrfs, and ext2 even when it answers EOPNOTSUPP), and so do the
   rollback's truncates.  CHANGED: the rollback changed the file, which
   moved the time for sure, whatever a stale fstat says (FUSE caches
   attributes).  */
static void
restore_mtime (int fd, struct undo const *u, struct undo_facts const *facts,
               bool changed)
{
  struct stat st;
  if (facts->alone && facts->data_untouched
      && (changed
          || (fstat (fd, &st) == 0
              && (st.st_mtim.tv_sec != u->mtime.tv_sec
                  || st.st_mtim.tv_nsec != u->mtime.tv_nsec))))
    futimens (fd, (struct timespec[]) { { .tv_nsec = UTIME_OMIT },
                                        u->mtime });
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
      if (!err && facts->locked)
        restore_mtime (fd, u, facts, false);
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
     only reserved there (the size unchanged) goes the same way (ext4
     ignores punches past the end of a file).  What the file had
     reserved past its end before is then reserved again.  The size is
     never cut below what another process may have written: where
     another process made the file larger, what lies past the old end is
     left as it is.  */
  bool grown_by_run = (u->size < st.st_size
                       && (facts->alone || st.st_size <= facts->written_end));
  if (grown_by_run || (c.past && u->size == st.st_size))
    {
      int e = ftruncate (fd, u->size) == 0 ? 0 : errno;
      if (!e)
        e = reserve_again (fd, u);
      if (!err)
        err = e;
    }

  /* What stays allocated in the former holes: past the old end, all of
     it; inside, what the dig left is data another process wrote there,
     unless the filesystem could not punch at all.  */
  int count_err = count_allocated (fd, u, &c);
  if (!err)
    err = count_err;
  res->left = (punch_err ? c.inside : 0) + c.past;
  res->why = (!res->left ? LEFT_NONE : punch_err ? LEFT_NO_PUNCH
              : LEFT_CHANGED);
  res->punch_err = punch_err;
  if (u->method != EXTENTS_FIEMAP && facts->alone && fstat (fd, &st) == 0
      && u->blocks < st.st_blocks)
    {
      res->left = (st.st_blocks - u->blocks) * 512;
      res->why = LEFT_UNMAPPED;
    }

  restore_mtime (fd, u, facts, true);
  return err;
}

void
undo_free (struct undo *u)
{
  free (u->holes);
  free (u->reserved);
  *u = (struct undo) { 0 };
}
