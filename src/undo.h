/* Rollback bookkeeping: what an allocating operation must give back when
   it fails part way.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   Before the operation, undo_record notes the file's size and the holes
   of the range (the part past the end of the file counts as a hole;
   inside the file, only where FIEMAP tells holes from preallocated
   space).
   After a failure, undo_apply sets the size back and turns those holes
   into holes again: past the old end of the file it punches them; inside
   it, it digs them (holes.h), so that only blocks that still read as
   zeros, as the holes did, are punched, and whatever another process
   wrote there meanwhile stays.  A file the command created is removed by
   the caller instead.  */

#ifndef FALLOCATE_UNDO_H
#define FALLOCATE_UNDO_H

#include <stddef.h>
#include <sys/types.h>

struct undo_hole
{
  off_t offset;
  off_t length;
};

struct undo
{
  off_t size;                 /* the size before the operation */
  struct undo_hole *holes;    /* in offset order */
  size_t nholes;
  size_t room;
};

/* Record in *U the size of FD and the holes of [OFFSET, OFFSET + LENGTH).
   Return 0, or an errno value.  */
int undo_record (int fd, off_t offset, off_t length, struct undo *u);

/* Restore the recorded size and holes.  Filesystems that cannot punch
   keep the blocks (they still read as zeros).  Return 0, or the errno
   value of the first step that failed.  */
int undo_apply (int fd, struct undo const *u);

/* Release what undo_record took.  */
void undo_free (struct undo *u);

#endif
