/* Holes: report them, and dig them out of zeros.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   holes_scan walks a range of a file with the allocation map (extents.h)
   and finds two kinds of holes, in offset order:

     file holes  maximal parts of the range with no space allocated;
     data holes  maximal runs of whole filesystem blocks that have space
                 allocated and read as zeros: unwritten extents (counted
                 without being read) and written blocks found zero by a
                 word-wide test, merged when adjacent.  The last partial
                 block of the file counts up to the end of the file; any
                 other partial block at an edge of the range never counts.

   Data extents are read in windows of up to HOLES_CHUNK bytes; a window
   reaches across the holes and unwritten extents shorter than HOLES_GAP
   that lie between data extents, which read as zeros without I/O, so
   that a fragmented file is read in large reads that readahead can
   follow (but where the data is cached and the holes are not, the data
   alone is read: there is no I/O to save).  Only the bytes of data extents are tested; file holes and
   unwritten extents are counted from the map alone, never from what a
   read returned for them.  What a window's read brought into the page
   cache is dropped once the window is tested (cache.h: pages cached
   before stay cached), so memory stays constant and the machine's
   working set stays.  Where no data follows across small holes (a
   sparse file), the first window of the data past the long hole is
   asked for (POSIX_FADV_WILLNEED) before this one is read, its page
   cache noted apart first, so that what it brings in is dropped too,
   whether the walk gets there or not.

   When digging, each data hole is punched (FALLOC_FL_PUNCH_HOLE |
   FALLOC_FL_KEEP_SIZE) as soon as its blocks are verified, long ones in
   pieces; while the guard keeps writers out (the writers_out hook),
   the runs of zeros with only holes between them are punched in one
   call, counted once it is done.  Every punch covers only bytes read
   as zeros (or unwritten) and, when merged, file holes,
   so a dig stopped at any moment, even by SIGKILL, leaves the bytes of
   the file as they were.  Keeping other writers out between the test and
   the punch is the caller's part: a dig first calls the guard hook of
   space.h (which takes the write lease of guard.h), and asks should_stop
   before every punch and after every chunk.  Then, before reading
   anything, it makes sure that the filesystem can punch holes at all,
   with a punch beyond the end of the file where nothing is allocated;
   as that punch updates the modification time on some filesystems, the
   time is put back when the dig punches nothing.

   The engine never prints: it hands holes, progress and statistics to
   the caller through callbacks and *STATS.  */

#ifndef FALLOCATE_HOLES_H
#define FALLOCATE_HOLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "extents.h"
#include "fsinfo.h"
#include "space.h"

/* Bytes of data read per pread(2).  */
enum { HOLES_CHUNK = 1 << 20 };

/* Holes and unwritten extents shorter than this between two data
   extents are read through (as zeros, without I/O), so that the data
   on either side comes in one read.  */
enum { HOLES_GAP = 64 << 10 };

/* How far past a read the kernel's readahead may reach: twice a device's
   read_ahead_kb under POSIX_FADV_SEQUENTIAL (2.5 MiB on a loop device
   here), with room to spare.  */
enum { HOLES_READAHEAD = 16 << 20 };

/* How far ahead of a read the page cache is noted (cache.h): a window,
   the next one asked for ahead, and readahead after it, twice over, so
   that it is noted anew once every several windows only.  */
enum { HOLES_NOTED = 2 * (2 * HOLES_CHUNK + HOLES_READAHEAD) };

/* When digging, a run of zeros is punched whenever this many of its
   bytes wait verified.  */
enum { HOLES_PUNCH_BATCH = 16 << 20 };

enum hole_kind
{
  HOLE_FILE,
  HOLE_DATA
};

/* Where holes go as they are found (when digging: data holes once
   punched), in offset order.  */
typedef void (*holes_found) (void *arg, enum hole_kind kind, off_t offset,
                             off_t length);

struct holes_stats
{
  off_t file_size;
  off_t start, end;             /* the range walked */
  off_t done;                   /* bytes of it walked */
  intmax_t file_holes;
  off_t file_hole_bytes;
  intmax_t data_holes;          /* when digging: holes punched */
  off_t data_hole_bytes;
  enum extents_method method;
  struct fsinfo fs;             /* type and block size, for messages */
};

/* Walk [OFFSET, OFFSET + LENGTH) of FD, or to the end of the file if
   LENGTH is 0 or reaches past it, and if DIG punch the data holes (FD
   must then be open for writing).  Pass each hole to FOUND (if not
   NULL) with FOUND_ARG.  HOOKS (or NULL) gets the progress over the
   range; when digging, its guard is called first and its should_stop
   before every punch and after every chunk read.  Fill *STATS as far as
   the walk got.  Return 0, or an errno value with *OUT telling which
   step failed: STEP_GUARD (the guard's answer), STEP_FALLOCATE for the
   probe (before anything was read: EOPNOTSUPP means the filesystem
   cannot punch holes) and for punches, STEP_MAP, STEP_READ, STEP_STAT;
   EINTR with STEP_NONE when stopped.  */
int holes_scan (int fd, off_t offset, off_t length, bool dig,
                holes_found found, void *found_arg,
                struct space_hooks const *hooks,
                struct holes_stats *stats, struct space_outcome *out);

/* Dig only inside RANGES (N extents in offset order, disjoint) of FD,
   and before END, with FD open for writing: punch what in them reads as zeros or is unwritten,
   in one walk of the map, as holes_scan does, but without the guard and
   without the probe (a filesystem that cannot punch fails the first
   punch with EOPNOTSUPP).  For the rollback, which gives back the holes
   it recorded.  Return as holes_scan does.  */
int holes_dig_within (int fd, struct extent const *ranges, size_t n,
                      off_t end, struct holes_stats *stats,
                      struct space_outcome *out);

/* Whether the SIZE bytes at BUF are all zero.  */
bool holes_is_zero (void const *buf, size_t size);

/* The coalescer inside holes_scan, exposed for the unit tests: it is fed
   the range in offset order, as segments that are file holes, zeros, or
   other allocated bytes, and turns them into holes (and punches).  */
struct holes_tally
{
  off_t block;                  /* filesystem block size */
  off_t size;                   /* file size */
  off_t window_start;           /* data holes lie in [start, end) */
  off_t window_end;
  holes_found found;
  void *found_arg;
  struct holes_stats *stats;
  /* Punch [OFFSET, OFFSET + LENGTH); return 0 or an errno value.
     NULL: report only.  */
  int (*punch) (void *arg, off_t offset, off_t length);
  void *punch_arg;
  off_t file_start, file_end;   /* the file hole being grown, if any */
  off_t zero_start, zero_end;   /* the run of zeros being grown, if any */
  off_t punched;                /* the run is punched up to here */
  /* If MERGE: runs of zeros with only holes between them are punched
     in one call, [HELD_START, HELD_END) holding the runs closed and not
     yet punched and the holes between them; what it holds is counted
     once it is punched.  Only where no other process can write into
     the holes meanwhile, and only with no FOUND (the holes would be
     passed on out of order).  */
  bool merge;
  off_t held_start, held_end;
  intmax_t held_data_holes, held_file_holes;
  off_t held_data_bytes, held_file_bytes;
};

/* Start *T for the range [START, END) of a file of SIZE bytes with
   blocks of BLOCK bytes; holes go to FOUND (if not NULL) and *STATS.  */
void holes_tally_init (struct holes_tally *t, off_t start, off_t end,
                       off_t size, off_t block,
                       holes_found found, void *found_arg,
                       struct holes_stats *stats,
                       int (*punch) (void *, off_t, off_t), void *punch_arg);

/* Feed *T the next LENGTH bytes at OFFSET: a file hole, bytes that read
   as zeros, or (holes_tally_data) allocated bytes that do not count,
   nonzero or outside the window.  Return 0, or the errno value of a
   failed punch.  */
int holes_tally_hole (struct holes_tally *t, off_t offset, off_t length);
int holes_tally_zeros (struct holes_tally *t, off_t offset, off_t length);
int holes_tally_data (struct holes_tally *t);

/* End the walk: close the open hole.  If not COMPLETE (the walk was
   stopped), punch nothing more, and count of the open run only what is
   punched.  */
int holes_tally_end (struct holes_tally *t, bool complete);

/* Where a stopped walk stands, DONE being how far it got: before what
   T holds or the open run of zeros, unpunched; all before it is dug,
   nothing after.  */
off_t holes_tally_settled (struct holes_tally const *t, off_t done);

#endif
