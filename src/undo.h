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
   read as zeros, as the holes did, are punched, and whatever another
   process wrote there stays; past the old end of the file it cuts the
   size back or frees what was reserved there.  It does so only while
   no other process has the file open (the caller holds the write lease
   of guard.h), or where that cannot be known (no leases here): with the
   file open elsewhere, a writer could have written into the blocks, or
   appended past the old end, after the map was read, so nothing is
   changed and the space is left allocated.  Regular files only: a
   device is never rolled back.  A file the command created is removed
   by the caller instead.  */

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
  off_t eof_block_end;        /* the end of the block holding the end of
                                 the file then */
  off_t start, end;           /* the range of the operation */
  struct extent *holes;       /* its holes then, in offset order */
  size_t nholes;
  size_t room;
  bool reserved_past_eof;     /* it had blocks past the end of the file */
  enum extents_method method; /* how the map was read */
};

/* Who else may have the file open while it is rolled back.  */
enum undo_company
{
  UNDO_ALONE,                 /* nobody: the caller holds the write lease */
  UNDO_UNKNOWN,               /* no lease can be had here: nobody known */
  UNDO_SHARED                 /* another process has it open */
};

/* Record in *U the size, the modification time and the holes of
   [OFFSET, OFFSET + LENGTH) of FD.  Return 0, or an errno value.  */
int undo_record (int fd, off_t offset, off_t length, struct undo *u);

/* Why space allocated by the run stays allocated after undo_apply.  */
enum undo_leftover
{
  LEFT_NONE,
  LEFT_SHARED,                /* another process has the file open */
  LEFT_NO_PUNCH,              /* the filesystem cannot punch (errno) */
  LEFT_UNMAPPED,              /* its map does not tell where (no FIEMAP) */
  LEFT_KEPT                   /* it ignored the punches (ext4 past EOF) */
};

struct undo_result
{
  off_t left;                 /* bytes allocated by the run, left */
  enum undo_leftover why;
  int punch_err;              /* with LEFT_NO_PUNCH: the punch's errno */
};

/* Give back what was allocated since undo_record in the holes it
   recorded, and set the size back, as COMPANY allows: with UNDO_SHARED,
   change nothing.  With UNDO_ALONE, the modification time is put back
   too.  Tell in *RES what stays allocated, and why.  Where the map does
   not tell holes (no FIEMAP), what was allocated shows only as a larger
   st_blocks, which is counted, without UNDO_SHARED, as left by the run.
   Return 0, or the errno value of the first step that failed.  */
int undo_apply (int fd, struct undo const *u, enum undo_company company,
                struct undo_result *res);

/* Release what undo_record took.  */
void undo_free (struct undo *u);

#endif
