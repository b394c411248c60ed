/* Operations on the space of a file: one function per operation, each on
   (descriptor, offset, length), each returning 0 or an errno value and
   filling a struct space_outcome that tells the CLI what happened.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#ifndef FALLOCATE_SPACE_H
#define FALLOCATE_SPACE_H

#include <stdbool.h>
#include <sys/types.h>

/* FALLOC_FL_* values, defined here where the C library or kernel headers
   are too old to have them.  */
#include <fcntl.h>
#include <linux/falloc.h>
#ifndef FALLOC_FL_KEEP_SIZE
# define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
# define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
# define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_ZERO_RANGE
# define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef FALLOC_FL_INSERT_RANGE
# define FALLOC_FL_INSERT_RANGE 0x20
#endif
#ifndef FALLOC_FL_UNSHARE_RANGE
# define FALLOC_FL_UNSHARE_RANGE 0x40
#endif
#ifndef FALLOC_FL_WRITE_ZEROES
# define FALLOC_FL_WRITE_ZEROES 0x80
#endif

/* The call that failed.  */
enum space_step
{
  STEP_NONE,
  STEP_FALLOCATE,         /* fallocate(2) */
  STEP_POSIX_FALLOCATE,   /* posix_fallocate(3) */
  STEP_FADVISE,           /* posix_fadvise(3) */
  STEP_STAT,              /* fstat(2) */
  STEP_STATFS,            /* fstatvfs(3) */
  STEP_MAP,               /* reading the allocation map */
  STEP_READ,              /* pread(2) */
  STEP_WRITE,             /* pwrite(2) */
  STEP_TRUNCATE,          /* ftruncate(2) */
  STEP_SYNC,              /* fsync(2) */
  STEP_GUARD              /* keeping other writers out (guard.h) */
};

/* How the operation was carried out.  */
enum space_method
{
  METHOD_KERNEL,          /* the fallocate(2) mode itself */
  METHOD_POSIX,           /* posix_fallocate(3): the C library decided */
  METHOD_ZERO_FILL,       /* zeros written where the file had no data */
  METHOD_PUNCH_ALLOCATE,  /* punch, then allocate (zero-range fallback) */
  METHOD_WRITE            /* zeros written over the range */
};

struct space_outcome
{
  int err;                   /* 0, or the errno value of STEP */
  enum space_step step;
  enum space_method method;
  off_t written_end;         /* the end of the last byte written, or 0 */
  bool touched_data;         /* a zeroing call ran, and may have changed
                                bytes of data (writes: WRITTEN_END) */
};

/* What a fallback that writes calls back.  Any member may be NULL.  */
struct space_hooks
{
  void *arg;                    /* passed to each callback */
  /* DONE of the TOTAL bytes of the range handled so far.  */
  void (*progress) (void *arg, off_t done, off_t total);
  /* Whether to stop now (a signal, a broken lease): the operation then
     fails with EINTR as soon as it safely can.  */
  bool (*should_stop) (void *arg);
  /* Called before the zero-fill fallback, which writes where it found
     holes and so must keep other writers out: return 0 to go on, or an
     errno value to refuse.  */
  int (*guard) (void *arg);
  /* Whether other writers are kept out of the file now (they cannot
     write into its holes before should_stop says so); NULL: no.  */
  bool (*writers_out) (void *arg);
};

/* Each returns 0 on success, else an errno value, and fills *OUT, which
   the caller zeroes first.
   KEEP_SIZE adds FALLOC_FL_KEEP_SIZE where the operation takes it.
   Those that can fall back to writing take HOOKS (which may be NULL).

   The four that allocate (space_allocate, space_posix_allocate,
   space_zero, space_write_zeroes) first reserve the range with
   FALLOC_FL_KEEP_SIZE where the filesystem can: that neither changes
   the size nor touches data, so a failure to find the space leaves
   nothing but allocated blocks in former holes, which undo.h gives
   back; the operation proper comes once the space is there.  */

/* Allocate the range; then mode 0 only raises the size.  Where
   fallocate(2) is not supported, write zeros into the holes of the
   range and past the end of the file, never over data; KEEP_SIZE has
   no such fallback.  The caller guards the file against other writers
   while a fallback runs (see guard.h).  */
int space_allocate (int fd, off_t offset, off_t length, bool keep_size,
                    struct space_hooks const *hooks,
                    struct space_outcome *out);
int space_posix_allocate (int fd, off_t offset, off_t length,
                          struct space_outcome *out);
int space_punch (int fd, off_t offset, off_t length,
                 struct space_outcome *out);
int space_collapse (int fd, off_t offset, off_t length,
                    struct space_outcome *out);
int space_insert (int fd, off_t offset, off_t length,
                  struct space_outcome *out);
/* Zero the range and allocate it.  Where FALLOC_FL_ZERO_RANGE is not
   supported: punch the reserved range and allocate it again; where
   nothing can be reserved or punched, write zeros over it.  Nothing is
   zeroed, punched or written before the range is reserved (or known to
   have room, or with KEEP_SIZE, to lie inside the file).  */
int space_zero (int fd, off_t offset, off_t length, bool keep_size,
                struct space_hooks const *hooks, struct space_outcome *out);
/* Write zeros over the range, allocating written extents; where
   FALLOC_FL_WRITE_ZEROES is not supported, write them with pwritev(2),
   into the reserved range, or after checking that there is room.  */
int space_write_zeroes (int fd, off_t offset, off_t length,
                        struct space_hooks const *hooks,
                        struct space_outcome *out);
int space_unshare (int fd, off_t offset, off_t length, bool keep_size,
                   struct space_outcome *out);
/* posix_fadvise(3) over [OFFSET, OFFSET + LENGTH); LENGTH 0: to EOF.  */
int space_advise (int fd, off_t offset, off_t length, int advice,
                  struct space_outcome *out);
/* Allocate what the range lacks, keeping the size (FALLOC_FL_KEEP_SIZE):
   the reservation the allocating operations start with.  */
int space_reserve (int fd, off_t offset, off_t length,
                   struct space_outcome *out);

/* Whether this system can do the fallocate(2) MODE at all: any mode
   where the C library has fallocate(2); else only mode 0, which
   posix_fallocate(3) (or the system's own call) does.  */
bool space_mode_available (int mode);

/* Whether ERR says that the kernel or the filesystem lacks a mode.  */
bool space_unsupported (int err);

/* Make the file's data and size durable.  */
int space_sync (int fd, struct space_outcome *out);

#endif
