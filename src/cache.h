/* The page cache around a scan: which pages were cached before the scan
   read them, so that it drops only the ones it brought in.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   A scan that reads a whole file would push everything else out of the
   page cache; dropping what it read once tested (POSIX_FADV_DONTNEED)
   keeps the machine's working set, but must not drop pages that were
   cached before: a hot file stays hot.  So, before each read, the scan
   notes with mincore(2) which pages of what it is about to read, and of
   what readahead may bring in after it, are cached; after the read it
   drops only the pages that were not.  A page noted once keeps what was
   noted, so pages that the scan's own readahead brought in count as its
   own.  The window of pages noted is bounded (SPAN bytes), whatever the
   size of the file.  Where mincore(2) cannot be used (the file cannot
   be mapped), nothing is dropped.  */

#ifndef FALLOCATE_CACHE_H
#define FALLOCATE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cache_window
{
  int fd;
  off_t page;                   /* the page size */
  off_t start, end;             /* the pages noted: [start, end) */
  unsigned char *cached;        /* one entry a page: cached when noted */
  size_t room;                  /* entries that CACHED holds */
  bool blind;                   /* mincore(2) failed: drop nothing */
};

/* Start *W for FD, to note up to SPAN bytes at a time.  Return 0, or
   ENOMEM (nothing to release then).  */
int cache_window_init (struct cache_window *w, int fd, off_t span);

/* Note which pages of [FROM, TO) are cached now, as far as the window
   reaches; pages already noted keep what was noted, pages before FROM
   are forgotten.  If pages must be noted after those noted before, all
   up to the window's reach are, past TO, so that most calls find them
   noted already.  Call before reading from FROM.  */
void cache_note (struct cache_window *w, off_t from, off_t to);

/* Whether every page of [FROM, TO) was noted as cached (false where
   one was not noted, or mincore(2) cannot be used).  */
bool cache_was_cached (struct cache_window const *w, off_t from, off_t to);

/* Drop from the page cache the pages of [FROM, TO) that were noted as
   not cached.  */
void cache_drop_new (struct cache_window *w, off_t from, off_t to);

/* Release what cache_window_init took.  */
void cache_window_free (struct cache_window *w);

#endif
