#!/usr/bin/env bats
# --report-holes: file holes (no space allocated) and data holes (whole
# blocks allocated that read as zeros: written zeros and unwritten
# extents, merged), in util-linux 2.43's words, byte for byte.  The
# layouts that util-linux gets wrong are reproduced here: a sparse file
# (0 holes), a trailing hole (missed), a hole on each side of the data
# (one half-size hole), preallocated extents (nothing).  The page cache is
# dropped before each report, so the on-disk state is what is judged.

load "$TESTS_SRCDIR/helpers/common"
load "$TESTS_SRCDIR/helpers/layouts"

setup_file() { fs_setup_file ext4 xfs btrfs tmpfs; }

# state F: size, sha256 and bytes allocated up to the size of F (xfs
# trims its preallocation past the end of file whenever a file is closed,
# so st_blocks alone can change under a mere open).
state() {
  local size
  size=$(file_size "$1")
  if [[ $(fs_type "$(dirname "$1")") == tmpfs ]]; then
    printf '%s %s ' "$size" "$(alloc_bytes "$1")"
  else
    printf '%s %s ' "$size" "$(mapped_bytes "$1" 0 "$size")"
  fi
  sha256sum <"$1" | cut -d' ' -f1
}

# report_is EXPECTED ARGS...: drop the page cache, run -r ARGS, and check
# that it succeeds, prints EXPECTED exactly and nothing on stderr, and
# leaves the file as it was (the last of ARGS).
report_is() {
  local expected=$1 before
  shift
  before=$(state "${!#}")
  drop_caches
  run --separate-stderr "$FALLOCATE" -r "$@"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$expected"
  assert_equal "$(state "${!#}")" "$before"
}

# A sparse file: util-linux 2.43 says 0 file holes.
sparse_file() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout sparse "$f"
  report_is "file hole: offset 0 - 104857600 (104857600 bytes)

Summary:
file holes: 1 holes, 100 MiB (104857600 bytes, 100.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" -v "$f"
  report_is "
Summary:
file holes: 1 holes, 100 MiB (104857600 bytes, 100.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" "$f"
}

@test "-r on ext4: a sparse file is one file hole" { sparse_file ext4; }
@test "-r on xfs: a sparse file is one file hole" { sparse_file xfs; }
@test "-r on btrfs: a sparse file is one file hole" { sparse_file btrfs; }
@test "-r on tmpfs: a sparse file is one file hole" { sparse_file tmpfs; }

# 4 KiB of data at offset 0: util-linux 2.43 misses the trailing hole.
trailing_hole() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout trailing_hole "$f"
  report_is "file hole: offset 4096 - 104857600 (104853504 bytes)

Summary:
file holes: 1 holes, 100 MiB (104853504 bytes, 100.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" -v "$f"
}

@test "-r on ext4: the trailing hole counts" { trailing_hole ext4; }
@test "-r on xfs: the trailing hole counts" { trailing_hole xfs; }
@test "-r on btrfs: the trailing hole counts" { trailing_hole btrfs; }
@test "-r on tmpfs: the trailing hole counts" { trailing_hole tmpfs; }

# 4 KiB of data in the middle: util-linux 2.43 says one 50 MiB hole.
hole_each_side() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout hole_each_side "$f"
  report_is "file hole: offset 0 - 52428800 (52428800 bytes)
file hole: offset 52432896 - 104857600 (52424704 bytes)

Summary:
file holes: 2 holes, 100 MiB (104853504 bytes, 100.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" -v "$f"
}

@test "-r on ext4: a hole on each side of the data" { hole_each_side ext4; }
@test "-r on xfs: a hole on each side of the data" { hole_each_side xfs; }
@test "-r on btrfs: a hole on each side of the data" { hole_each_side btrfs; }
@test "-r on tmpfs: a hole on each side of the data" { hole_each_side tmpfs; }

# `fallocate -l 100M`: 100 MiB of disk in use, reads as zeros;
# util-linux 2.43 reports nothing.  (tmpfs cannot tell preallocated pages
# from holes: not there.)
preallocated() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout preallocated "$f"
  assert_equal "$(mapped_bytes "$f" 0 104857600 unwritten)" 104857600
  report_is "data hole: offset 0 - 104857600 (104857600 bytes)

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 100 MiB (104857600 bytes, 100.00% of the file)" -v "$f"
}

@test "-r on ext4: preallocated space is a data hole" { preallocated ext4; }
@test "-r on xfs: preallocated space is a data hole" { preallocated xfs; }
@test "-r on btrfs: preallocated space is a data hole" { preallocated btrfs; }

# Written zeros on both sides of an unwritten extent: one data hole.
zeros_around_unwritten() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout zeros_unwritten "$f"
  assert_equal "$(mapped_bytes "$f" 1048576 1048576 unwritten)" 1048576
  assert_equal "$(mapped_bytes "$f" 0 1048576 data)" 1048576
  report_is "data hole: offset 0 - 3145728 (3145728 bytes)

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 3 MiB (3145728 bytes, 75.00% of the file)" -v "$f"
}

@test "-r on ext4: written zeros next to an unwritten extent merge" { zeros_around_unwritten ext4; }
@test "-r on xfs: written zeros next to an unwritten extent merge" { zeros_around_unwritten xfs; }
@test "-r on btrfs: written zeros next to an unwritten extent merge" { zeros_around_unwritten btrfs; }

# Written zeros between a file hole and data, and a zero run split by
# one nonzero byte.
mixed_layout() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout mixed "$f"
  report_is "file hole: offset 0 - 1048576 (1048576 bytes)
data hole: offset 1048576 - 2097152 (1048576 bytes)
data hole: offset 3145728 - 4194304 (1048576 bytes)
data hole: offset 4198400 - 5242880 (1044480 bytes)
file hole: offset 5242880 - 6291456 (1048576 bytes)

Summary:
file holes: 2 holes, 2 MiB (2097152 bytes, 33.33% of the file)
data holes: 3 holes, 3 MiB (3141632 bytes, 49.93% of the file)" -v "$f"
}

@test "-r on ext4: file holes, data and data holes in offset order" { mixed_layout ext4; }
@test "-r on xfs: file holes, data and data holes in offset order" { mixed_layout xfs; }
@test "-r on btrfs: file holes, data and data holes in offset order" { mixed_layout btrfs; }
@test "-r on tmpfs: file holes, data and data holes in offset order" { mixed_layout tmpfs; }

# A zero tail that does not end on a block boundary counts up to the end
# of the file; a nonzero byte in the last partial block keeps it out.
zero_tail() {
  require_fs "$1"
  local f g
  f=$(new_file "$1")
  hole_layout zero_tail "$f"
  report_is "data hole: offset 1048576 - 1053576 (5000 bytes)

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 4.9 KiB (5000 bytes, 0.47% of the file)" -v "$f"
  g=$(new_file "$1" g)
  hole_layout zero_tail_dirty "$g"
  report_is "data hole: offset 1048576 - 1052672 (4096 bytes)

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 4 KiB (4096 bytes, 0.39% of the file)" -v "$g"
}

@test "-r on ext4: an unaligned zero tail counts up to the end of file" { zero_tail ext4; }
@test "-r on xfs: an unaligned zero tail counts up to the end of file" { zero_tail xfs; }
@test "-r on btrfs: an unaligned zero tail counts up to the end of file" { zero_tail btrfs; }
@test "-r on tmpfs: an unaligned zero tail counts up to the end of file" { zero_tail tmpfs; }

empty_file() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout empty "$f"
  report_is "
Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" -v "$f"
}

@test "-r on ext4: an empty file has no holes" { empty_file ext4; }
@test "-r on tmpfs: an empty file has no holes" { empty_file tmpfs; }

# -o and -l: the range is [OFFSET, min(OFFSET+LENGTH, EOF)); partial blocks
# at its edges never count; percentages stay of the whole file.
sub_ranges() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  hole_layout sub_ranges "$f"
  report_is "data hole: offset 1048576 - 3145728 (2097152 bytes)
file hole: offset 4194304 - 8388608 (4194304 bytes)

Summary:
file holes: 1 holes, 4 MiB (4194304 bytes, 50.00% of the file)
data holes: 1 holes, 2 MiB (2097152 bytes, 25.00% of the file)" -v "$f"
  report_is "data hole: offset 1048576 - 2097152 (1048576 bytes)

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 1 MiB (1048576 bytes, 12.50% of the file)" -v -o 1M -l 1M "$f"
  # [1000, 2098152): the blocks cut by either edge do not count.
  report_is "data hole: offset 1048576 - 2097152 (1048576 bytes)

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 1 MiB (1048576 bytes, 12.50% of the file)" -v -o 1000 -l 2M "$f"
  # LENGTH past the end of file: to the end of file.
  report_is "data hole: offset 2097152 - 3145728 (1048576 bytes)
file hole: offset 4194304 - 8388608 (4194304 bytes)

Summary:
file holes: 1 holes, 4 MiB (4194304 bytes, 50.00% of the file)
data holes: 1 holes, 1 MiB (1048576 bytes, 12.50% of the file)" -v -o 2M -l 100M "$f"
  # File holes are cut at the range, not at blocks.
  report_is "file hole: offset 5000000 - 8388608 (3388608 bytes)

Summary:
file holes: 1 holes, 3.2 MiB (3388608 bytes, 40.40% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" -v -o 5000000 "$f"
  report_is "
Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)" -v -o 9M "$f"
}

@test "-r on ext4: -o and -l sub-ranges" { sub_ranges ext4; }
@test "-r on xfs: -o and -l sub-ranges" { sub_ranges xfs; }
@test "-r on btrfs: -o and -l sub-ranges" { sub_ranges btrfs; }
@test "-r on tmpfs: -o and -l sub-ranges" { sub_ranges tmpfs; }

@test "-r on several files reports each under its name" {
  require_fs ext4
  local f g
  f=$(new_file ext4)
  g=$(new_file ext4 g)
  truncate -s 1M "$f"
  make_file_with "$g" zero:0:1M
  drop_caches
  run --separate-stderr "$FALLOCATE" -r "$f" "$g"
  assert_equal "$status" 0
  assert_equal "$output" "$f:

Summary:
file holes: 1 holes, 1 MiB (1048576 bytes, 100.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
$g:

Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 1 MiB (1048576 bytes, 100.00% of the file)"
}

@test "-r reads a read-only file and needs no lease" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" zero:0:1M
  chmod 0444 "$f"
  exec 8<"$f"
  run --separate-stderr "$FALLOCATE" -r "$f"
  exec 8<&-
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "
Summary:
file holes: 0 holes, 0 B (0 bytes, 0.00% of the file)
data holes: 1 holes, 1 MiB (1048576 bytes, 100.00% of the file)"
}

# ---------------------------------------------------------------------------
# Issue "Safe everywhere": -l 0 and the page cache.

# A test that locked the page cache gives the lock back.
teardown() {
  cache_unlock
  fs_test_cleanup
}

@test "-r -l 0 reports to the end of the file, as -r without -l" {
  require_fs ext4
  local f expected
  f=$(new_file ext4)
  hole_layout sub_ranges "$f"
  expected="
Summary:
file holes: 1 holes, 4 MiB (4194304 bytes, 50.00% of the file)
data holes: 1 holes, 2 MiB (2097152 bytes, 25.00% of the file)"
  report_is "$expected" "$f"
  report_is "$expected" -l 0 "$f"
  report_is "$expected" -o 0 -l 0 "$f"
}

# -r reads the file; it may drop from the page cache only the pages it
# brought in.  F: 8 MiB of data, the first MIB MiB read beforehand.
report_leaves_cache() {
  local f=$1 mib=$2
  cache_head "$f" "$mib"
  expect_resident "$f" $((mib * MiB)) "before the report" || return 1
  run --separate-stderr "$FALLOCATE" -r "$f"
  if ((status != 0)); then
    WHY="-r exited $status: $stderr"
    return 1
  fi
  expect_resident "$f" $((mib * MiB)) "after the report" &&
    # The cached pages are the first MIB MiB: dropping the rest leaves them.
    cache_head "$f" "$mib" keep &&
    expect_resident "$f" $((mib * MiB)) "after dropping all but the first $mib MiB"
}

@test "-r keeps a cached file cached, a cold one cold, a half-cached one half" {
  require_fs ext4
  cache_lock
  local f before
  f=$(new_file ext4)
  make_file_with "$f" data:0:8M
  before=$(state "$f")
  tries report_leaves_cache "$f" 8
  tries report_leaves_cache "$f" 0
  tries report_leaves_cache "$f" 4
  assert_equal "$(state "$f")" "$before"
}
