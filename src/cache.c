/* The page cache around a scan.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdckdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "offsets.h"

int
cache_window_init (struct cache_window *w, int fd, off_t span)
{
  long page = sysconf (_SC_PAGESIZE);
  *w = (struct cache_window) { .fd = fd, .page = 0 < page ? page : 4096 };
  w->room = span / w->page + 2;
  w->cached = malloc (w->room);
  return w->cached ? 0 : ENOMEM;
}

void
cache_note (struct cache_window *w, off_t from, off_t to)
{
  if (w->blind)
    return;
  off_t first = from - from % w->page;
  bool jumped = first < w->start || w->end <= first;
  if (jumped)
    w->start = w->end = first;
  else if (w->start < first)
    {
      size_t gone = (first - w->start) / w->page;
      memmove (w->cached, w->cached + gone,
               (w->end - w->start) / w->page - gone);
      w->start = first;
    }

  off_t limit;
  if (ckd_add (&limit, w->start, (off_t) w->room * w->page))
    limit = floor_block (OFF_T_MAX, w->page);
  /* Whenever the noted pages must grow, note as far as the window
     reaches, so that the next reads need no new call; but after a jump
     (a sparse file) only what is asked: the next read may jump too.  */
  off_t last = jumped && to < limit ? to : limit;
  if (to <= w->end || last <= w->end)
    return;
  size_t len = last - w->end;
  void *map = mmap (NULL, len, PROT_READ, MAP_PRIVATE, w->fd, w->end);
  if (map == MAP_FAILED)
    {
      w->blind = true;
      return;
    }
  if (mincore (map, len, w->cached + (w->end - w->start) / w->page) != 0)
    w->blind = true;
  munmap (map, len);
  w->end += (len + w->page - 1) / w->page * w->page;
}

bool
cache_was_cached (struct cache_window const *w, off_t from, off_t to)
{
  off_t first = from - from % w->page;
  if (w->blind || first < w->start || w->end < to)
    return false;
  for (off_t at = first; at < to; at += w->page)
    if (!(w->cached[(at - w->start) / w->page] & 1))
      return false;
  return true;
}

void
cache_drop_new (struct cache_window *w, off_t from, off_t to)
{
  if (w->blind)
    return;
  off_t first = from - from % w->page;
  if (first < w->start)
    first = w->start;
  if (w->end < to)
    to = w->end;
  for (off_t at = first; at < to; )
    {
      size_t i = (at - w->start) / w->page;
      if (w->cached[i] & 1)
        {
          at += w->page;
          continue;
        }
      off_t run = at;
      while (at < to && !(w->cached[(at - w->start) / w->page] & 1))
        at += w->page;
      posix_fadvise (w->fd, run, at - run, POSIX_FADV_DONTNEED);
    }
}

void
cache_window_free (struct cache_window *w)
{
  free (w->cached);
  w->cached = NULL;
}
