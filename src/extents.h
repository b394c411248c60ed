/* The allocation map of a file, walked as a sequence of segments.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   A walk covers a range [START, END) of an open file and yields, in
   offset order and without gaps, segments of three kinds:

     EXTENT_HOLE       no space is allocated;
     EXTENT_UNWRITTEN  space is allocated but reads as zeros by definition
                       (preallocated, never written);
     EXTENT_DATA       space is allocated and the bytes must be read to
                       know what they are.

   The map comes from the best source the filesystem offers:

     FIEMAP (FS_IOC_FIEMAP) tells all three kinds apart.  It is always
       asked with FIEMAP_FLAG_SYNC, so that dirty pages are written out
       first: an extent that the kernel still marks unwritten while new
       bytes for it wait in the page cache would otherwise pass for zeros.
       Extents whose data is delayed, of unknown location or encoded count
       as DATA, never as UNWRITTEN.  A later batch that comes back
       empty, though the one before it did not end the map, makes the
       rest of the range DATA: what the map does not say is never taken
       for a hole.
     SEEK_DATA/SEEK_HOLE, where FIEMAP is missing (tmpfs): holes and data
       only.  tmpfs reports preallocated pages as holes here.
     Nothing: where SEEK_DATA is not supported either, the whole range is
       DATA.

   Consecutive segments may have the same kind.  The walk holds one
   buffer of a fixed number of extents, whatever the size of the file.
   The SEEK method moves the file offset of the descriptor.  */

#ifndef FALLOCATE_EXTENTS_H
#define FALLOCATE_EXTENTS_H

#include <stdbool.h>
#include <sys/types.h>

enum extent_kind
{
  EXTENT_HOLE,
  EXTENT_UNWRITTEN,
  EXTENT_DATA
};

enum extents_method
{
  EXTENTS_FIEMAP,
  EXTENTS_SEEK,
  EXTENTS_READ
};

struct extent
{
  off_t offset;
  off_t length;                 /* 0: the walk is over */
  enum extent_kind kind;
};

struct fiemap;

struct extents
{
  int fd;
  off_t pos;                    /* where the next segment starts */
  off_t end;
  enum extents_method method;
  struct fiemap *map;           /* FIEMAP: the last batch of extents */
  unsigned int next;            /* FIEMAP: index of the next extent */
  bool mapped_all;              /* FIEMAP: no extent after the batch */
};

/* Start a walk of [START, END) of FD into *WALK, choosing the method.
   Return 0, or an errno value (nothing to release then).  */
int extents_open (struct extents *walk, int fd, off_t start, off_t end);

/* Store the next segment in *SEG; at the end of the range its length is
   0.  Return 0, or an errno value from reading the map.  */
int extents_next (struct extents *walk, struct extent *seg);

/* How far data reaches from FROM (or WALK's position, if later), as far
   as the part of the map already read shows (no call to the
   filesystem): the end of the last data extent that starts before LIMIT
   (cut there), where the holes and unwritten extents on the way, from
   FROM to it and between any two data extents, are each shorter than
   GAP.  FROM itself if there is none, or if the method is not FIEMAP.
   For reading ahead of the walk across small holes, which cost no
   I/O.  */
off_t extents_data_reach (struct extents const *walk, off_t from,
                          off_t limit, off_t gap);

/* The first data extent of WALK that ends after FROM (or WALK's
   position, if later), as far as the part of the map already read shows
   (no call to the filesystem): store in *START and *END where it lies
   from FROM on, cut at WALK's end, and return true; false if the map
   read shows none, or if the method is not FIEMAP.  For asking for the
   data past a long hole before the walk gets there.  */
bool extents_next_data (struct extents const *walk, off_t from,
                        off_t *start, off_t *end);

/* Release what extents_open took.  */
void extents_close (struct extents *walk);

/* What extents_each calls for each segment: return 0 to go on, or a
   nonzero value to stop the walk with it.  */
typedef int (*extents_fn) (void *arg, struct extent const *seg);

/* Walk [START, END) of FD, calling FN (ARG, SEG) for each segment in
   offset order, and store the method used in *METHOD (if not NULL).
   Return 0, FN's first nonzero value, or an errno value from reading
   the map; a caller that must tell the last two apart notes in ARG that
   FN failed.  */
int extents_each (int fd, off_t start, off_t end, extents_fn fn, void *arg,
                  enum extents_method *method);

#endif
