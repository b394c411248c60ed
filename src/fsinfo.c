/* Facts about the filesystem under a file descriptor.
   Copyright (C) 2026 the fallocate developers.
   SPDX-License-Identifier: GPL-3.0-or-later  */

#include <config.h>

#include "fsinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>

#include "intprops.h"
#include "stdio--.h"

static struct
{
  unsigned long magic;
  char const *name;
} const magics[] =
{
  { 0xEF53, "ext2/ext3/ext4" },
  { 0x58465342, "xfs" },
  { 0x9123683E, "btrfs" },
  { 0x01021994, "tmpfs" },
  { 0xF2F52010, "f2fs" },
  { 0x2FC12FC1, "zfs" },
  { 0xCA451A4E, "bcachefs" },
  { 0x6969, "nfs" },
  { 0xFF534D42, "cifs" },
  { 0x65735546, "fuse" },
  { 0x794C7630, "overlay" },
  { 0x4D44, "vfat" },
  { 0x5346544E, "ntfs" },
  { 0x2011BAB0, "exfat" },
  { 0x858458F6, "ramfs" },
};

/* Copy into TYPE (of size SIZE) the filesystem type that the mount table
   gives for device DEV.  Return true if it lists DEV.  */
static bool
mount_table_type (dev_t dev, char *type, size_t size)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (!f)
    return false;
  bool found = false;
  char line[4096];
  while (!found && fgets (line, sizeof line, f))
    {
      unsigned int major, minor;
      if (sscanf (line, "%*u %*u %u:%u", &major, &minor) != 2
          || makedev (major, minor) != dev)
        continue;
      /* The type is the first field after the " - " separator.  */
      char const *sep = strstr (line, " - ");
      if (!sep)
        continue;
      size_t len = strcspn (sep + 3, " \n");
      if (0 < len && len < size)
        {
          memcpy (type, sep + 3, len);
          type[len] = '\0';
          found = true;
        }
    }
  fclose (f);
  return found;
}

int
fsinfo_get (int fd, struct fsinfo *info)
{
  struct statfs sfs;
  struct stat st;
  if (fstatfs (fd, &sfs) != 0 || fstat (fd, &st) != 0)
    return errno;

  info->magic = (unsigned long) sfs.f_type;
  info->block_size = sfs.f_bsize;
  if (mount_table_type (st.st_dev, info->type, sizeof info->type))
    return 0;
  for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
    if (magics[i].magic == info->magic)
      {
        snprintf (info->type, sizeof info->type, "%s", magics[i].name);
        return 0;
      }
  snprintf (info->type, sizeof info->type, "unknown (0x%lx)", info->magic);
  return 0;
}

int
fsinfo_device_size (int fd, off_t *size)
{
  uint64_t bytes;
  if (ioctl (fd, BLKGETSIZE64, &bytes) != 0)
    return errno;
  if (TYPE_MAXIMUM (off_t) < bytes)
    return EOVERFLOW;
  *size = bytes;
  return 0;
}
