/* What valgrind's memcheck does not know about FS_IOC_FIEMAP, told by a
   library that tests/valgrind.bats preloads into the program.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later

   Valgrind 3.19 has no wrapper for the FIEMAP ioctl: it goes by the size
   encoded in the request number, the 32-byte struct fiemap header, and
   so takes the extents that the kernel writes after the header for
   never written, and every decision made on them for an error.  This
   ioctl(2) calls the C library's, then, after a FIEMAP call that
   succeeded, marks as defined exactly what the kernel wrote: the
   fm_mapped_extents first extents (what a wrapper in valgrind would do).
   Reading past them is still an error.  Nor does it know LOOP_GET_STATUS64
   (holders.c asks each loop device what its backing file is), whose
   request number encodes no size: after a call that succeeded, the
   struct loop_info64 that the kernel filled is marked as defined.
   Outside valgrind the marking does nothing.  */

#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <valgrind/memcheck.h>

int
ioctl (int fd, unsigned long request, ...)
{
  static int (*real) (int, unsigned long, ...);
  va_list ap;
  va_start (ap, request);
  void *arg = va_arg (ap, void *);
  va_end (ap);
  if (!real)
    real = (int (*) (int, unsigned long, ...)) dlsym (RTLD_NEXT, "ioctl");
  int ret = real (fd, request, arg);
  if (ret == 0 && request == FS_IOC_FIEMAP)
    {
      struct fiemap *map = arg;
      VALGRIND_MAKE_MEM_DEFINED (map->fm_extents,
                                 map->fm_mapped_extents
                                 * sizeof *map->fm_extents);
    }
  if (ret == 0 && request == LOOP_GET_STATUS64)
    VALGRIND_MAKE_MEM_DEFINED (arg, sizeof (struct loop_info64));
  return ret;
}
