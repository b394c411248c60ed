/* Operations on the space of a file.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "space.h"

#include <errno.h>
#include <unistd.h>

/* Record in *OUT that STEP ended with ERR by way of METHOD; return ERR.  */
static int
outcome (struct space_outcome *out, int err, enum space_step step,
         enum space_method method)
{
  *out = (struct space_outcome) { .err = err,
                                  .step = err ? step : STEP_NONE,
                                  .method = method };
  return err;
}

/* fallocate(2) with MODE over the range, retried when a signal
   interrupts it before it did anything.  */
static int
kernel (int fd, int mode, off_t offset, off_t length,
        struct space_outcome *out)
{
  int err;
  do
    err = fallocate (fd, mode, offset, length) == 0 ? 0 : errno;
  while (err == EINTR);
  return outcome (out, err, STEP_FALLOCATE, METHOD_KERNEL);
}

int
space_allocate (int fd, off_t offset, off_t length, bool keep_size,
                struct space_outcome *out)
{
  return kernel (fd, keep_size ? FALLOC_FL_KEEP_SIZE : 0, offset, length,
                 out);
}

int
space_posix_allocate (int fd, off_t offset, off_t length,
                      struct space_outcome *out)
{
  int err;
  do
    err = posix_fallocate (fd, offset, length);
  while (err == EINTR);
  return outcome (out, err, STEP_POSIX_FALLOCATE, METHOD_POSIX);
}

int
space_punch (int fd, off_t offset, off_t length, struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset,
                 length, out);
}

int
space_collapse (int fd, off_t offset, off_t length,
                struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_COLLAPSE_RANGE, offset, length, out);
}

int
space_insert (int fd, off_t offset, off_t length, struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_INSERT_RANGE, offset, length, out);
}

int
space_zero (int fd, off_t offset, off_t length, bool keep_size,
            struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_ZERO_RANGE | (keep_size ? FALLOC_FL_KEEP_SIZE
                                                        : 0),
                 offset, length, out);
}

int
space_write_zeroes (int fd, off_t offset, off_t length,
                    struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_WRITE_ZEROES, offset, length, out);
}

int
space_unshare (int fd, off_t offset, off_t length, bool keep_size,
               struct space_outcome *out)
{
  return kernel (fd, FALLOC_FL_UNSHARE_RANGE | (keep_size
                                                ? FALLOC_FL_KEEP_SIZE : 0),
                 offset, length, out);
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
