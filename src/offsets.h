/* Arithmetic on file offsets that cannot overflow.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#ifndef FALLOCATE_OFFSETS_H
#define FALLOCATE_OFFSETS_H

#include <stdckdint.h>
#include <sys/types.h>

#include "intprops.h"

#define OFF_T_MAX TYPE_MAXIMUM (off_t)

static inline off_t
min_off (off_t a, off_t b)
{
  return a < b ? a : b;
}

static inline off_t
max_off (off_t a, off_t b)
{
  return a < b ? b : a;
}

/* X (not negative) rounded down, and up, to a multiple of BLOCK; up,
   at most to OFF_T_MAX.  */
static inline off_t
floor_block (off_t x, off_t block)
{
  return x - x % block;
}

static inline off_t
ceil_block (off_t x, off_t block)
{
  off_t r = x % block, y;
  return r == 0 ? x : ckd_add (&y, x, block - r) ? OFF_T_MAX : y;
}

#endif
