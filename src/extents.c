/* The allocation map of a file, walked as a sequence of segments.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "extents.h"

#include <errno.h>
#include <stdckdint.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

/* Extents asked for per FIEMAP call: 2048 * 56 bytes, enough to see
   several windows of reads ahead in a file of 4 KiB extents
   (extents_data_reach).  */
enum { BATCH = 2048 };

/* Fill WALK's buffer with the extents from its position on.  */
static int
fiemap_fill (struct extents *walk)
{
  struct fiemap *map = walk->map;
  memset (map, 0, sizeof *map);
  map->fm_start = walk->pos;
  map->fm_length = walk->end - walk->pos;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  map->fm_extent_count = BATCH;
  while (ioctl (walk->fd, FS_IOC_FIEMAP, map) != 0)
    if (errno != EINTR)
      return errno;
  unsigned int n = map->fm_mapped_extents;
  walk->next = 0;
  walk->mapped_all = (n < BATCH
                      || map->fm_extents[n - 1].fe_flags & FIEMAP_EXTENT_LAST);
  return 0;
}

/* The offset just past extent E.  */
static uint64_t
extent_end (struct fiemap_extent const *e)
{
  uint64_t end;
  return ckd_add (&end, e->fe_logical, e->fe_length) ? UINT64_MAX : end;
}

/* What the extent with FLAGS holds.  Only an extent that is plainly
   unwritten reads as zeros without being read; one whose data is
   delayed, unknown, encoded or inline is read like any data.  */
static enum extent_kind
extent_kind (uint32_t flags)
{
  uint32_t const unsure = (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC
                           | FIEMAP_EXTENT_ENCODED
                           | FIEMAP_EXTENT_DATA_INLINE
                           | FIEMAP_EXTENT_DATA_TAIL);
  return ((flags & FIEMAP_EXTENT_UNWRITTEN) && !(flags & unsure)
          ? EXTENT_UNWRITTEN : EXTENT_DATA);
}

static int
fiemap_next (struct extents *walk, struct extent *seg)
{
  struct fiemap_extent const *e = NULL;
  for (bool refilled = false; ; refilled = true)
    {
      struct fiemap const *map = walk->map;
      while (walk->next < map->fm_mapped_extents
             && extent_end (&map->fm_extents[walk->next]) <= (uint64_t) walk->pos)
        walk->next++;
      if (walk->next < map->fm_mapped_extents)
        {
          e = &map->fm_extents[walk->next];
          break;
        }
      /* A fresh batch with nothing past the position (the file shrank
         meanwhile, or a kernel bug) says nothing about the rest: take it
         for data, which is read before anything is punched and is never
         written over, rather than for a hole.  */
      if (refilled)
        {
          seg->kind = EXTENT_DATA;
          seg->length = walk->end - walk->pos;
          return 0;
        }
      if (walk->mapped_all)
        break;
      int err = fiemap_fill (walk);
      if (err)
        return err;
    }

  seg->kind = EXTENT_HOLE;
  off_t end = walk->end;
  if (e && e->fe_logical <= (uint64_t) walk->pos)
    {
      seg->kind = extent_kind (e->fe_flags);
      if (extent_end (e) < (uint64_t) end)
        end = extent_end (e);
    }
  else if (e && e->fe_logical < (uint64_t) end)
    end = e->fe_logical;
  seg->length = end - walk->pos;
  return 0;
}

static int
seek_next (struct extents *walk, struct extent *seg)
{
  off_t end = walk->end;
  off_t data = lseek (walk->fd, walk->pos, SEEK_DATA);
  if (data < 0)
    {
      if (errno != ENXIO)
        return errno;
      data = end;
    }
  if (walk->pos < data)
    {
      seg->kind = EXTENT_HOLE;
      if (data < end)
        end = data;
    }
  else
    {
      off_t hole = lseek (walk->fd, walk->pos, SEEK_HOLE);
      if (hole < 0)
        return errno;
      seg->kind = EXTENT_DATA;
      /* A hole at the position itself means the file shrank meanwhile;
         the rest is then read, and the reads come back short.  */
      if (walk->pos < hole && hole < end)
        end = hole;
    }
  seg->length = end - walk->pos;
  return 0;
}

int
extents_open (struct extents *walk, int fd, off_t start, off_t end)
{
  *walk = (struct extents) { .fd = fd, .pos = start, .end = end,
                             .method = EXTENTS_FIEMAP };
  if (end <= start)
    return 0;

  walk->map = malloc (sizeof *walk->map
                      + BATCH * sizeof *walk->map->fm_extents);
  if (!walk->map)
    return ENOMEM;
  int err = fiemap_fill (walk);
  if (!err)
    return 0;
  free (walk->map);
  walk->map = NULL;
  /* No FIEMAP (ENOTTY, EOPNOTSUPP), or not with FIEMAP_FLAG_SYNC
     (EBADR): fall back on SEEK_DATA, and on reading everything where
     that is not supported either.  */
  if (err != ENOTTY && err != EOPNOTSUPP && err != EBADR)
    return err;
  walk->method = EXTENTS_SEEK;
  if (lseek (fd, start, SEEK_DATA) < 0 && errno == EINVAL)
    walk->method = EXTENTS_READ;
  return 0;
}

int
extents_next (struct extents *walk, struct extent *seg)
{
  seg->offset = walk->pos;
  seg->length = 0;
  seg->kind = EXTENT_DATA;
  if (walk->end <= walk->pos)
    return 0;

  int err = 0;
  switch (walk->method)
    {
    case EXTENTS_FIEMAP:
      err = fiemap_next (walk, seg);
      break;
    case EXTENTS_SEEK:
      err = seek_next (walk, seg);
      break;
    case EXTENTS_READ:
    default:
      seg->length = walk->end - walk->pos;
      break;
    }
  if (!err)
    walk->pos += seg->length;
  return err;
}

off_t
extents_data_reach (struct extents const *walk, off_t from, off_t limit,
                    off_t gap)
{
  off_t reach = from < walk->pos ? walk->pos : from;
  if (walk->method != EXTENTS_FIEMAP || !walk->map)
    return reach;
  if (walk->end < limit)
    limit = walk->end;
  struct fiemap const *map = walk->map;
  for (unsigned int i = walk->next; i < map->fm_mapped_extents; i++)
    {
      struct fiemap_extent const *e = &map->fm_extents[i];
      uint64_t end = extent_end (e);
      if (end <= (uint64_t) reach)
        continue;
      if ((uint64_t) limit <= e->fe_logical
          || ((uint64_t) reach < e->fe_logical
              && (uint64_t) gap <= e->fe_logical - reach))
        break;
      if (extent_kind (e->fe_flags) == EXTENT_DATA)
        reach = end < (uint64_t) limit ? (off_t) end : limit;
    }
  return reach;
}

bool
extents_next_data (struct extents const *walk, off_t from, off_t *start,
                   off_t *end)
{
  if (from < walk->pos)
    from = walk->pos;
  if (walk->method != EXTENTS_FIEMAP || !walk->map)
    return false;
  struct fiemap const *map = walk->map;
  for (unsigned int i = walk->next; i < map->fm_mapped_extents; i++)
    {
      struct fiemap_extent const *e = &map->fm_extents[i];
      uint64_t e_end = extent_end (e);
      if ((uint64_t) walk->end <= e->fe_logical)
        break;
      if (e_end <= (uint64_t) from
          || extent_kind (e->fe_flags) != EXTENT_DATA)
        continue;
      *start = (uint64_t) from < e->fe_logical ? (off_t) e->fe_logical : from;
      *end = e_end < (uint64_t) walk->end ? (off_t) e_end : walk->end;
      return true;
    }
  return false;
}

void
extents_close (struct extents *walk)
{
  free (walk->map);
  walk->map = NULL;
}

int
extents_each (int fd, off_t start, off_t end, extents_fn fn, void *arg,
              enum extents_method *method)
{
  struct extents walk;
  int err = extents_open (&walk, fd, start, end);
  if (err)
    return err;
  if (method)
    *method = walk.method;
  struct extent seg;
  while (!(err = extents_next (&walk, &seg)) && seg.length
         && !(err = fn (arg, &seg)))
    continue;
  extents_close (&walk);
  return err;
}
