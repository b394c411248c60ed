/* Operations on the space of a file.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "space.h"

#include <errno.h>
#include <fcntl.h>
#include <stdckdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "extents.h"

/* Zeros to write from, 1 MiB of them, which each pwritev(2) repeats
   ZERO_IOVECS times: large requests keep the system call and per-request
   costs small next to the cost of the data.  Aligned for direct I/O,
   which writes the aligned middle of long runs: it skips the copy into
   the page cache and takes half the time of buffered writes.  */
enum { ZERO_CHUNK = 1 << 20, ZERO_IOVECS = 8, DIRECT_ALIGN = 4096 };
static _Alignas (DIRECT_ALIGN) char zeros[ZERO_CHUNK];
static bool zeros_touched;

bool
space_unsupported (int err)
{
  return err == EOPNOTSUPP || err == ENOSYS;
}

static bool
stopping (struct space_hooks const *hooks)
{
  return hooks && hooks->should_stop && hooks->should_stop (hooks->arg);
}

/* Record in *OUT that STEP ended with ERR by way of METHOD; return ERR.
   What *OUT says of the writes done stays.  */
static int
outcome (struct space_outcome *out, int err, enum space_step step,
         enum space_method method)
{
  out->err = err;
  out->step = err ? step : STEP_NONE;
  out->method = method;
  return err;
}

#if !defined HAVE_FALLOCATE && defined F_PREALLOCATE
/* Allocate the part of [OFFSET, OFFSET + LENGTH) of FD that lies past
   its end the macOS way, and raise its size to the end of the range:
   F_PREALLOCATE adds space past the file's physical end, in one piece
   if it can, else in any pieces.  Holes inside the file stay holes.
   Return 0 or an errno value.  */
static int
preallocate (int fd, off_t offset, off_t length)
{
  struct stat st;
  off_t end = offset + length;
  if (fstat (fd, &st) != 0)
    return errno;
  if (end <= st.st_size)
    return 0;
  fstore_t store = { .fst_flags = F_ALLOCATECONTIG,
                     .fst_posmode = F_PEOFPOSMODE,
                     .fst_length = end - st.st_size };
  if (fcntl (fd, F_PREALLOCATE, &store) != 0)
    {
      store.fst_flags = F_ALLOCATEALL;
      if (fcntl (fd, F_PREALLOCATE, &store) != 0)
        return errno;
    }
  return ftruncate (fd, end) == 0 ? 0 : errno;
}
#endif

/* fallocate(2) with MODE over the range of FD; return 0 or an errno
   value.  Where the C library has no fallocate(2), only mode 0 can be
   done, by posix_fallocate(3) or the system's own call; any other mode
   fails with ENOSYS.  */
static int
call_fallocate (int fd, int mode, off_t offset, off_t length)
{
#if defined HAVE_FALLOCATE
  return fallocate (fd, mode, offset, length) == 0 ? 0 : errno;
#elif defined F_PREALLOCATE
  return mode ? ENOSYS : preallocate (fd, offset, length);
#else
  return mode ? ENOSYS : posix_fallocate (fd, offset, length);
#endif
}

bool
space_mode_available (int mode)
{
#if defined HAVE_FALLOCATE
  return true;
#else
  return mode == 0;
#endif
}

/* fallocate(2) with MODE over the range, retried when a signal
   interrupts it, unless HOOKS say to stop.  */
static int
kernel (int fd, int mode, off_t offset, off_t length,
        struct space_hooks const *hooks, struct space_outcome *out)
{
  int err;
  do
    err = call_fallocate (fd, mode, offset, length);
  while (err == EINTR && !stopping (hooks));
  return outcome (out, err, STEP_FALLOCATE, METHOD_KERNEL);
}

/* Set O_DIRECT on FD if ON, else clear it.  Return true if done.  */
static bool
set_direct (int fd, bool on)
{
  int flags = fcntl (fd, F_GETFL);
  if (flags < 0)
    return false;
  int wanted = on ? flags | O_DIRECT : flags & ~O_DIRECT;
  return wanted == flags || fcntl (fd, F_SETFL, wanted) == 0;
}

/* Write zeros over [FROM, TO) of FD, adding what is written to *DONE of
   TOTAL for progress.  *DIRECT tells whether O_DIRECT is set; where the
   filesystem refuses a direct write, clear it and go on buffered.  */
static int
pwrite_zeros (int fd, off_t from, off_t to, bool *direct, off_t *done,
              off_t total, struct space_hooks const *hooks,
              struct space_outcome *out)
{
  while (from < to)
    {
      if (stopping (hooks))
        return outcome (out, EINTR, STEP_WRITE, out->method);
      struct iovec iov[ZERO_IOVECS];
      int count = 0;
      for (off_t left = to - from; count < ZERO_IOVECS && 0 < left;
           left -= iov[count++].iov_len)
        iov[count] = (struct iovec) { zeros, (left < ZERO_CHUNK
                                              ? left : ZERO_CHUNK) };
      ssize_t n = pwritev (fd, iov, count, from);
      if (n < 0)
        {
          if (errno == EINVAL && *direct && set_direct (fd, false))
            *direct = false;
          else if (errno != EINTR)
            return outcome (out, errno, STEP_WRITE, out->method);
          continue;
        }
      /* Nothing written, and no error: the device or filesystem has no
         room left (as gnulib's full-write takes it).  */
      if (n == 0)
        return outcome (out, ENOSPC, STEP_WRITE, out->method);
      from += n;
      *done += n;
      if (out->written_end < from)
        out->written_end = from;
      if (hooks && hooks->progress)
        hooks->progress (hooks->arg, *done, total);
    }
  return 0;
}

/* Write zeros over [FROM, TO) of FD, reporting progress as DONE bytes
   (plus what is written here) of TOTAL: the unaligned edges through the
   page cache, the aligned middle, when long, with direct I/O.  */
static int
write_zeros (int fd, off_t from, off_t to, off_t *done, off_t total,
             struct space_hooks const *hooks, struct space_outcome *out)
{
  /* Fault the buffer in once: writing from pages that fault in during
     the copy makes ext2 allocate the first blocks out of order (258
     extents for 8 MiB instead of 6).  */
  if (!zeros_touched)
    {
      memset (zeros, 0, sizeof zeros);
      zeros_touched = true;
    }

  off_t head = from + (DIRECT_ALIGN - from % DIRECT_ALIGN) % DIRECT_ALIGN;
  if (to < head)
    head = to;
  off_t tail = to - to % DIRECT_ALIGN;
  if (tail < head)
    tail = head;

  bool direct = false;
  int err = pwrite_zeros (fd, from, head, &direct, done, total, hooks, out);
  if (!err && head < tail)
    {
      direct = ZERO_CHUNK <= tail - head && set_direct (fd, true);
      err = pwrite_zeros (fd, head, tail, &direct, done, total, hooks, out);
      if (direct)
        set_direct (fd, false);
    }
  if (!err)
    err = pwrite_zeros (fd, tail, to, &direct, done, total, hooks, out);
  return err;
}

/* extents_each's callback for check_room: add the length of each hole
   to *ARG.  */
static int
add_hole_length (void *arg, struct extent const *seg)
{
  off_t *need = arg;
  if (seg->kind == EXTENT_HOLE)
    *need += seg->length;
  return 0;
}

/* Fail with ENOSPC if writing zeros over [FROM, TO) of FD, whose status
   is ST, surely needs more space than its filesystem has free, even for
   root: the fallbacks that write cannot reserve the space first, so
   without this they would find out part way, after overwriting part of
   the range or writing what must then be rolled back.  The blocks to
   find are those of the holes and past the end of the file, plus one in
   1024 for the indirect blocks that map them (ext2); where the map
   cannot tell holes, the whole range.  Writing over a
   device takes no space; and a filesystem that reports no size at all
   (ramfs, FUSE without statfs) says nothing about its free space either:
   there is nothing to check then.  */
static int
check_room (int fd, off_t from, off_t to, struct stat const *st,
            enum space_method method, struct space_outcome *out)
{
  if (!S_ISREG (st->st_mode))
    return outcome (out, 0, STEP_NONE, method);
  struct statvfs fs;
  if (fstatvfs (fd, &fs) != 0)
    return outcome (out, errno, STEP_STATFS, method);
  if (!fs.f_blocks)
    return outcome (out, 0, STEP_NONE, method);

  off_t size = st->st_size;
  off_t need = from < size && size < to ? to - size
               : size <= from ? to - from : 0;
  off_t eof = size < to ? size : to;
  if (from < eof)
    {
      off_t holes = 0;
      enum extents_method map;
      int err = extents_each (fd, from, eof, add_hole_length, &holes, &map);
      if (err)
        return outcome (out, err, STEP_MAP, method);
      /* Only FIEMAP is sure to show holes: where the map comes from
         SEEK_HOLE or from nothing (FUSE), what it calls data may be
         holes underneath, and all of the range may need space.  */
      need += map == EXTENTS_FIEMAP ? holes : eof - from;
    }

  off_t free_bytes;
  bool too_much = (ckd_add (&need, need, need / 1024)
                   || (!ckd_mul (&free_bytes, fs.f_bfree, fs.f_frsize)
                       && free_bytes < need));
  return outcome (out, too_much ? ENOSPC : 0, STEP_WRITE, method);
}

/* What zero_fill's walk of the map carries from segment to segment.  */
struct fill
{
  int fd;
  off_t length;                 /* of the whole range, for progress */
  off_t done;                   /* bytes of it handled */
  struct space_hooks const *hooks;
  struct space_outcome *out;
  int err;                      /* the writes' error, not the map's */
};

/* extents_each's callback for zero_fill: write zeros into a hole, step
   over anything allocated.  */
static int
fill_segment (void *arg, struct extent const *seg)
{
  struct fill *f = arg;
  if (seg->kind == EXTENT_HOLE)
    f->err = write_zeros (f->fd, seg->offset, seg->offset + seg->length,
                          &f->done, f->length, f->hooks, f->out);
  else
    {
      f->done += seg->length;
      if (stopping (f->hooks))
        f->err = outcome (f->out, EINTR, STEP_WRITE, METHOD_ZERO_FILL);
    }
  return f->err;
}

/* Allocate [OFFSET, OFFSET + LENGTH) of FD by writing zeros into its
   holes and past its end, never over allocated space.  Set the size to
   at least OFFSET + LENGTH, as fallocate(2) mode 0 does.  With KEEP_SIZE
   there is nothing faithful to do past the end of the file: fail with
   CAUSE, the kernel's answer.  */
static int
zero_fill (int fd, off_t offset, off_t length, bool keep_size, int cause,
           struct space_hooks const *hooks, struct space_outcome *out)
{
  struct stat st;
  if (fstat (fd, &st) != 0)
    return outcome (out, errno, STEP_STAT, METHOD_ZERO_FILL);
  off_t end = offset + length;
  if (keep_size && st.st_size < end)
    return outcome (out, cause, STEP_FALLOCATE, METHOD_KERNEL);
  outcome (out, 0, STEP_NONE, METHOD_ZERO_FILL);
  int refused = hooks && hooks->guard ? hooks->guard (hooks->arg) : 0;
  if (refused)
    return outcome (out, refused, STEP_GUARD, METHOD_ZERO_FILL);
  int err = check_room (fd, offset, end, &st, METHOD_ZERO_FILL, out);
  if (err)
    return err;
  off_t eof = st.st_size < end ? st.st_size : end;

  struct fill f = { .fd = fd, .length = length, .hooks = hooks, .out = out };
  if (offset < eof
      && (err = extents_each (fd, offset, eof, fill_segment, &f, NULL)))
    return f.err ? f.err : outcome (out, err, STEP_MAP, METHOD_ZERO_FILL);

  off_t from = offset < st.st_size ? st.st_size : offset;
  return write_zeros (fd, from, end, &f.done, length, hooks, out);
}

/* Reserve [OFFSET, OFFSET + LENGTH) of FD: allocate what the range lacks
   with FALLOC_FL_KEEP_SIZE, which neither changes the size nor touches
   a byte of data, so that an operation that then zeroes or sets the size
   cannot run out of space half way, and a failure to reserve changes
   nothing but the allocation, which the caller can give back.  */
static int
reserve (int fd, off_t offset, off_t length, struct space_hooks const *hooks,
         struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_KEEP_SIZE, offset, length, hooks, out);
}

int
space_reserve (int fd, off_t offset, off_t length, struct space_outcome *out)
{
  return reserve (fd, offset, length, NULL, out);
}

int
space_allocate (int fd, off_t offset, off_t length, bool keep_size,
                struct space_hooks const *hooks, struct space_outcome *out)
{
  int err = reserve (fd, offset, length, hooks, out);
  /* Once the blocks are there, mode 0 only raises the size, at once and
     never below what another process made it meanwhile.  Some
     filesystems (many FUSE servers) know mode 0 alone.  */
  if (!keep_size && (!err || space_unsupported (err)))
    err = kernel (fd, 0, offset, length, hooks, out);
  if (space_unsupported (err))
    return zero_fill (fd, offset, length, keep_size, err, hooks, out);
  return err;
}

int
space_posix_allocate (int fd, off_t offset, off_t length,
                      struct space_outcome *out)
{
  int err = reserve (fd, offset, length, NULL, out);
  if (err && !space_unsupported (err))
    return err;
  do
    err = posix_fallocate (fd, offset, length);
  while (err == EINTR);
  return outcome (out, err, STEP_POSIX_FALLOCATE, METHOD_POSIX);
}

int
space_punch (int fd, off_t offset, off_t length, struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset,
                 length, NULL, out);
}

int
space_collapse (int fd, off_t offset, off_t length,
                struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_COLLAPSE_RANGE, offset, length, NULL, out);
}

int
space_insert (int fd, off_t offset, off_t length, struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_INSERT_RANGE, offset, length, NULL, out);
}

int
space_zero (int fd, off_t offset, off_t length, bool keep_size,
            struct space_hooks const *hooks, struct space_outcome *out)
{
  /* Reserve first: zeroing then needs no new space, so running out of
     it fails before a byte of data is zeroed.  Where nothing can be
     reserved (no fallocate(2) at all, or a block device), the range is
     zeroed as it is.  */
  int err = reserve (fd, offset, length, hooks, out);
  if (err && !space_unsupported (err))
    return err;
  bool reserved = !err;
  int keep = keep_size ? FALLOC_FL_KEEP_SIZE : 0;
  err = kernel (fd, FALLOC_FL_ZERO_RANGE | keep, offset, length, hooks,
                out);
  out->touched_data = !space_unsupported (err);
  if (!space_unsupported (err))
    return err;
  int cause = err;

  /* No zero-range, but the range is reserved: punch it and allocate it
     again, and it reads as zeros and is allocated.  */
  if (reserved)
    {
      err = kernel (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset,
                    length, hooks, out);
      out->touched_data = !space_unsupported (err);
      if (!err)
        err = kernel (fd, keep, offset, length, hooks, out);
      out->method = METHOD_PUNCH_ALLOCATE;
      if (!space_unsupported (err))
        return err;
    }

  /* Write the zeros.  Where the range is reserved, only over the part
     inside the file: past it the reserved blocks read as zeros already,
     and mode 0 then sets the size.  Unreserved space past the end of the
     file would change the size, which -n forbids: that fails before
     anything is written.  */
  struct stat st;
  if (fstat (fd, &st) != 0)
    return outcome (out, errno, STEP_STAT, METHOD_KERNEL);
  off_t end = offset + length;
  if (keep_size && st.st_size < end && !reserved)
    return outcome (out, cause, STEP_FALLOCATE, METHOD_KERNEL);
  off_t write_end = end;
  if (reserved && st.st_size < end)
    write_end = st.st_size < offset ? offset : st.st_size;
  if (!reserved && (err = check_room (fd, offset, end, &st, METHOD_WRITE,
                                      out)))
    return err;
  off_t done = 0;
  outcome (out, 0, STEP_NONE, METHOD_WRITE);
  err = write_zeros (fd, offset, write_end, &done, length, hooks, out);
  if (err || write_end == end || keep_size)
    return err;
  err = kernel (fd, 0, offset, length, hooks, out);
  out->method = METHOD_WRITE;
  return err;
}

int
space_write_zeroes (int fd, off_t offset, off_t length,
                    struct space_hooks const *hooks,
                    struct space_outcome *out)
{
  /* Reserve the space first where the filesystem can, so that running
     out of it fails before a byte of the range is overwritten.  */
  int err = reserve (fd, offset, length, hooks, out);
  if (err && !space_unsupported (err))
    return err;
  bool reserved = !err;
  err = kernel (fd, FALLOC_FL_WRITE_ZEROES, offset, length, hooks, out);
  out->touched_data = !space_unsupported (err);
  if (!space_unsupported (err))
    return err;

  if (!reserved)
    {
      /* Nothing reserved: at least make sure there is room.  */
      struct stat st;
      if (fstat (fd, &st) != 0)
        return outcome (out, errno, STEP_STAT, METHOD_WRITE);
      if ((err = check_room (fd, offset, offset + length, &st,
                             METHOD_WRITE, out)))
        return err;
    }
  outcome (out, 0, STEP_NONE, METHOD_WRITE);
  off_t done = 0;
  return write_zeros (fd, offset, offset + length, &done, length, hooks,
                      out);
}

int
space_unshare (int fd, off_t offset, off_t length, bool keep_size,
               struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_UNSHARE_RANGE | (keep_size
                                                ? FALLOC_FL_KEEP_SIZE : 0),
                 offset, length, NULL, out);
}

int
space_advise (int fd, off_t offset, off_t length, int advice,
              struct space_outcome *out)
{
  return outcome (out, posix_fadvise (fd, offset, length, advice),
                  STEP_FADVISE, METHOD_KERNEL);
}

int
space_sync (int fd, struct space_outcome *out)
{
  return outcome (out, fsync (fd) == 0 ? 0 : errno, STEP_SYNC,
                  METHOD_KERNEL);
}
