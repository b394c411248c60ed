/* Rollback bookkeeping.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "undo.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extents.h"
#include "holes.h"
#include "space.h"

/* Append the hole [OFFSET, OFFSET + LENGTH) to U, merging it with the
   last one when they touch.  */
static int
add_hole (struct undo *u, off_t offset, off_t length)
{
  if (u->nholes)
    {
      struct undo_hole *last = &u->holes[u->nholes - 1];
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
      struct undo_hole *holes = realloc (u->holes, room * sizeof *holes);
      if (!holes)
        return ENOMEM;
      u->holes = holes;
      u->room = room;
    }
  u->holes[u->nholes++] = (struct undo_hole) { offset, length };
  return 0;
}

int
undo_record (int fd, off_t offset, off_t length, struct undo *u)
{
  *u = (struct undo) { 0 };
  struct stat st;
  if (fstat (fd, &st) != 0)
    return errno;
  u->size = st.st_size;

  off_t end = offset + length;
  off_t eof = st.st_size < end ? st.st_size : end;
  int err = 0;
  if (offset < eof)
    {
      struct extents walk;
      err = extents_open (&walk, fd, offset, eof);
      if (err)
        return err;
      /* Only FIEMAP tells holes from preallocated space: the SEEK_HOLE
         map of tmpfs counts preallocated pages as holes, and punching
         them would free space the file had.  tmpfs undoes a failed
         fallocate(2) itself, and never needs the zero-fill.  */
      struct extent seg;
      while (walk.method == EXTENTS_FIEMAP
             && !(err = extents_next (&walk, &seg)) && seg.length)
        if (seg.kind == EXTENT_HOLE
            && (err = add_hole (u, seg.offset, seg.length)))
          break;
      extents_close (&walk);
    }
  if (!err && eof < end)
    {
      off_t from = offset < eof ? eof : offset;
      err = add_hole (u, from, end - from);
    }
  if (err)
    undo_free (u);
  return err;
}

int
undo_apply (int fd, struct undo const *u)
{
  int err = 0;

  /* Past the old end of the file: punch, then cut the size back.  */
  for (size_t i = 0; i < u->nholes; i++)
    {
      struct undo_hole const *h = &u->holes[i];
      off_t from = h->offset < u->size ? u->size : h->offset;
      off_t end = h->offset + h->length;
      if (from < end
          && fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                        from, end - from) != 0
          && errno != EOPNOTSUPP && !err)
        err = errno;
    }
  if (ftruncate (fd, u->size) != 0 && !err)
    err = errno;

  /* Inside the file, dig the former holes rather than punch them:
     another process may have written there since they were recorded,
     and only blocks that read as zeros, as the holes did, go back.  */
  for (size_t i = 0; i < u->nholes && u->holes[i].offset < u->size; i++)
    {
      struct undo_hole const *h = &u->holes[i];
      off_t end = h->offset + h->length;
      struct holes_stats stats;
      struct space_outcome out;
      int e = holes_scan (fd, h->offset,
                          (end < u->size ? end : u->size) - h->offset,
                          true, NULL, NULL, NULL, &stats, &out);
      if (e && e != EOPNOTSUPP && !err)
        err = e;
    }
  return err;
}

void
undo_free (struct undo *u)
{
  free (u->holes);
  *u = (struct undo) { 0 };
}
