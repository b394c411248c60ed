# File layouts for the hole reports (report.bats, report-json.bats).
# -*- shell-script -*-
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hole_layout NAME F: build the layout NAME in F (a fresh path):
#   sparse           100 MiB, nothing written: one file hole
#   trailing_hole    100 MiB, 4 KiB of data at 0: the hole after it
#   hole_each_side   100 MiB, 4 KiB of data at 50 MiB
#   preallocated     `fallocate -l 100M` (util-linux): unwritten extents
#   zeros_unwritten  4 MiB: written zeros, an unwritten MiB, zeros, data
#   mixed            6 MiB: a file hole, zeros, data, zeros split by one
#                    nonzero byte, a file hole
#   zero_tail        1 MiB of data, then 5000 zero bytes to the end
#   zero_tail_dirty  the same with the last byte 0xff
#   empty            0 bytes
#   sub_ranges       8 MiB: data, 2 MiB of zeros, data, a 4 MiB file hole
# HOLE_LAYOUT_FS[NAME] lists the filesystems the layout is tested on (tmpfs
# cannot tell preallocated pages from holes).
declare -gA HOLE_LAYOUT_FS=(
  [sparse]="ext4 xfs btrfs tmpfs"
  [trailing_hole]="ext4 xfs btrfs tmpfs"
  [hole_each_side]="ext4 xfs btrfs tmpfs"
  [preallocated]="ext4 xfs btrfs"
  [zeros_unwritten]="ext4 xfs btrfs"
  [mixed]="ext4 xfs btrfs tmpfs"
  [zero_tail]="ext4 xfs btrfs tmpfs"
  [zero_tail_dirty]="ext4 xfs btrfs tmpfs"
  [empty]="ext4 tmpfs"
  [sub_ranges]="ext4 xfs btrfs tmpfs"
)

# The -o/-l options report.bats gives with the sub_ranges layout, one
# set a line (the first: none).
SUB_RANGE_OPTIONS=(
  ""
  "-o 1M -l 1M"
  "-o 1000 -l 2M"
  "-o 2M -l 100M"
  "-o 5000000"
  "-o 9M"
  "-l 0"
)

hole_layout() {
  local f=$2
  case $1 in
    sparse) truncate -s 100M "$f" ;;
    trailing_hole) make_file_with "$f" size:100M data:0:4K ;;
    hole_each_side) make_file_with "$f" size:100M data:50M:4K ;;
    preallocated) "$SYS_FALLOCATE" -l 100M "$f" ;;
    zeros_unwritten)
      make_file_with "$f" size:4M prealloc:1M:1M zero:0:1M zero:2M:1M \
        data:3M:1M ;;
    mixed)
      make_file_with "$f" size:6M zero:1M:1M data:2M:1M zero:3M:2M \
        fill:4M:1:0x01 ;;
    zero_tail) make_file_with "$f" data:0:1M zero:1M:5000 ;;
    zero_tail_dirty)
      make_file_with "$f" data:0:1M zero:1M:5000 fill:1053575:1:0xff ;;
    empty) : >"$f" ;;
    sub_ranges) make_file_with "$f" size:8M data:0:1M zero:1M:2M data:3M:1M ;;
    *) echo "hole_layout: no layout '$1'" >&2; return 1 ;;
  esac
}
