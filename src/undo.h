/* Rollback: what an allocating operation must give back when it fails
   part way, and never more.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   Before the operation, undo_record notes the file's size, its
   modification time and the holes of the range, past the end of the
   file too (where FIEMAP tells holes from preallocated space; elsewhere
   only the part of the range past the end of the file counts as a
   hole).  The operations of space.h never change the size before the
   space is theirs (they reserve it with FALLOC_FL_KEEP_SIZE first), so
   on failure what this run did is: blocks allocated in those holes, and
   where a fallback wrote, a larger size.

   undo_apply gives exactly that back, in one walk of the map: inside
   the file it digs the former holes (holes.h), so that only blocks that
   read as zeros, as the holes did, are punched; past the old end of the
   file it cuts the size back or frees what was reserved there.  It does
   so only when no other process can have touched the file since
   undo_record: the caller holds the write lease of guard.h from before
   undo_record until after undo_apply (while the lease is held, any
   other open of the file waits).  Without it (another process has the
   file open, or no lease can be had), a writer may have written into
   the former holes, or appended past the old end, after the map was
   read: then nothing is changed and the space is left allocated.  With
   a lease taken only for the rollback (--force), the former holes are
   dug, but the size is cut back only as far as the run's own writes
   go.
   Regular files only: a device is never rolled back.  A file the
   command created is removed by the caller instead.

   Blocks the file had reserved past its end before are noted too (all
   of them, inside the range or not): cutting the size back frees them,
   and they are then reserved again.  */

#ifndef FALLOCATE_UNDO_H
#define FALLOCATE_UNDO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "extents.h"

struct undo
{
  off_t size;                 /* the size before the operation */
  struct timespec mtime;      /* the modification time before it */
  blkcnt_t blocks;            /* st_blocks before it */
  off_t start, end;           /* the range of the operation */
  struct extent *holes;       /* its holes then, in offset order */
  size_t nholes;
  size_t room;
  struct extent *reserved;    /* the blocks past the end of the file */
  size_t nreserved;
  size_t reserved_room;
  enum extents_method method; /* how the map was read */
};


/* Record in *U the size, the modification time and the holes of
   [OFFSET, OFFSET + LENGTH) of FD.  Return 0, or an errno value.  */
int undo_record (int fd, off_t offset, off_t length, struct undo *u);

/* Why space allocated by the run stays allocated after undo_apply.  */
enum undo_leftover
{
  LEFT_NONE,
  LEFT_NOT_ALONE,             /* others may be writing: nothing done */
  LEFT_NO_PUNCH,              /* the filesystem cannot punch (errno) */
  LEFT_UNMAPPED,              /* its map does not tell where (no FIEMAP) */
  LEFT_CHANGED                /* another process changed the size since */
};

struct undo_result
{
  off_t left;                 /* bytes allocated by the run, left */
  enum undo_leftover why;
  int punch_err;              /* with LEFT_NO_PUNCH: the punch's errno */
};

/* What undo_apply may take for granted.  */
struct undo_facts
{
  bool locked;                /* the write lease is held now */
  bool alone;                 /* ... and was since undo_record */
  off_t written_end;          /* the end of what the run wrote, or 0 */
  bool data_untouched;        /* no byte of data changed */
};

/* Give back what was allocated since undo_record in the holes it
   recorded, and set the size back, as FACTS allow.  Not locked, change
   nothing: another process may be writing.  Locked, dig the former
   holes inside the file (nobody can write meanwhile), and cut the size
   back if nobody else can have made it larger (alone since the record,
   or the file ends where the run's own writes end: an append after
   them would lie beyond).  Alone and with data untouched, put the
   modification time back too.  Tell in *RES what stays allocated, and
   why; where the map does not tell holes (no FIEMAP), what was
   allocated shows only as a larger st_blocks, counted only if alone.
   Return 0, or the errno value of the first step that failed.  */
int undo_apply (int fd, struct undo const *u, struct undo_facts const *facts,
                struct undo_result *res);

/* Release what undo_record took.  */
void undo_free (struct undo *u);

#endif
