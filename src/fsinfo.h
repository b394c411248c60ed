/* Facts about the filesystem under a file descriptor.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#ifndef FALLOCATE_FSINFO_H
#define FALLOCATE_FSINFO_H

#include <sys/types.h>

struct fsinfo
{
  char type[32];          /* "ext4", "xfs", "btrfs", "tmpfs", "ext2", ...  */
  unsigned long magic;    /* statfs f_type */
  off_t block_size;       /* the filesystem's allocation unit, in bytes */
};

/* Fill *INFO for the filesystem that holds FD.  The type name comes from
   the mount table when it lists FD's device (this tells ext2 from ext4,
   which share a magic number), otherwise from the statfs magic number,
   otherwise "unknown".  Return 0, or an errno value.  */
int fsinfo_get (int fd, struct fsinfo *info);

/* Store in *SIZE the size in bytes of the block device open as FD.
   Return 0, or an errno value.  */
int fsinfo_device_size (int fd, off_t *size);

#endif
