#!/usr/bin/env bats
# --zero-range on ext4, xfs and btrfs (the filesystems that have it; tmpfs
# and ext2 refuse it, see fsmatrix.bats): the range reads as zeros and is
# allocated, the bytes outside are untouched, the size grows only without
# --keep-size.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs; }
teardown_file() { fs_teardown_file; }

setup() {
  check_fallocate_built
}

teardown() { fs_test_cleanup; }

MiB=1048576
K256=262144

new_file() {
  local p
  p=$(fs_dir "$1")/$BATS_TEST_NUMBER-${2:-f}
  rm -f "$p"
  printf '%s\n' "$p"
}

# zero_middle FS: 1 MiB random, zero [256K, 512K): zeros there, still
# allocated (as unwritten extents on ext4 and xfs), the rest unchanged.
zero_middle() {
  require_fs "$1"
  local f ref
  f=$(new_file "$1")
  ref=$(new_file "$1" ref)
  make_file_with "$f" data:0:1M
  cp "$f" "$ref"
  run --separate-stderr "$FALLOCATE" -z -o 256K -l 256K "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  drop_caches
  assert_size "$f" $MiB
  assert_zeros "$f" $K256 $K256
  assert_region_equal "$f" 0 "$ref" 0 $K256
  assert_region_equal "$f" 524288 "$ref" 524288 524288
  assert_equal "$(alloc_bytes "$f")" $MiB
  assert_equal "$(mapped_bytes "$f" $K256 $K256)" $K256
}

@test "-z on ext4: the range reads zeros, stays allocated, the rest untouched" {
  zero_middle ext4
  assert_equal "$(mapped_bytes "$(fs_dir ext4)/$BATS_TEST_NUMBER-f" $K256 $K256 unwritten)" $K256
}
@test "-z on xfs: the range reads zeros, stays allocated, the rest untouched" {
  zero_middle xfs
  assert_equal "$(mapped_bytes "$(fs_dir xfs)/$BATS_TEST_NUMBER-f" $K256 $K256 unwritten)" $K256
}
@test "-z on btrfs: the range reads zeros, stays allocated, the rest untouched" { zero_middle btrfs; }

# zero_hole FS: a sparse file; -z allocates the range.
zero_hole() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" size:1M
  run "$FALLOCATE" -z -o 0 -l 256K "$f"
  assert_success
  drop_caches
  assert_size "$f" $MiB
  assert_zeros "$f" 0 $MiB
  assert_equal "$(alloc_bytes "$f")" $K256
  assert_equal "$(mapped_bytes "$f" 0 $K256)" $K256
  assert_equal "$(mapped_bytes "$f" $K256 $((MiB - K256)))" 0
}

@test "-z on a hole allocates it (ext4)" { zero_hole ext4; }
@test "-z on a hole allocates it (xfs)" { zero_hole xfs; }
@test "-z on a hole allocates it (btrfs)" { zero_hole btrfs; }

# zero_beyond_eof FS: without -n the size grows to OFFSET+LENGTH.
zero_beyond_eof() {
  require_fs "$1"
  local f h
  f=$(new_file "$1")
  make_file_with "$f" data:0:64K
  h=$(region_sha256 "$f" 0 32768)
  run "$FALLOCATE" -z -o 32K -l 96K "$f"
  assert_success
  drop_caches
  assert_size "$f" 131072
  assert_equal "$(region_sha256 "$f" 0 32768)" "$h"
  assert_zeros "$f" 32768 98304
  assert_equal "$(alloc_bytes "$f")" 131072
}

@test "-z across EOF on ext4: the size grows to OFFSET+LENGTH" { zero_beyond_eof ext4; }
@test "-z across EOF on xfs: the size grows to OFFSET+LENGTH" { zero_beyond_eof xfs; }

@test "-z -n across EOF keeps the size but allocates beyond it (ext4)" {
  require_fs ext4
  local f h
  f=$(new_file ext4)
  make_file_with "$f" data:0:64K
  h=$(region_sha256 "$f" 0 32768)
  run "$FALLOCATE" -z -n -o 32K -l 1M "$f"
  assert_success
  drop_caches
  assert_size "$f" 65536
  assert_equal "$(region_sha256 "$f" 0 32768)" "$h"
  assert_zeros "$f" 32768 32768
  assert_equal "$(alloc_bytes "$f")" $((32768 + MiB))
}

zero_unaligned() {
  require_fs "$1"
  local f ref
  f=$(new_file "$1")
  ref=$(new_file "$1" ref)
  make_file_with "$f" data:0:64K
  cp "$f" "$ref"
  run "$FALLOCATE" -z -o 1000 -l 5000 "$f"
  assert_success
  drop_caches
  assert_size "$f" 65536
  assert_region_equal "$f" 0 "$ref" 0 1000
  assert_zeros "$f" 1000 5000
  assert_region_equal "$f" 6000 "$ref" 6000 $((65536 - 6000))
  assert_equal "$(alloc_bytes "$f")" 65536
}

@test "-z unaligned on ext4: exactly the bytes asked for are zeroed" { zero_unaligned ext4; }
@test "-z unaligned on xfs: exactly the bytes asked for are zeroed" { zero_unaligned xfs; }
@test "-z unaligned on btrfs: exactly the bytes asked for are zeroed" { zero_unaligned btrfs; }

@test "-v -z: 'FILE: 256 KiB (262144 bytes) zeroed.'" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f vz
  make_file_with vz data:0:1M
  run --separate-stderr "$FALLOCATE" -v -z -o 256K -l 256K vz
  assert_equal "$status" 0
  assert_equal "$output" "vz: 256 KiB (262144 bytes) zeroed."
  assert_zeros vz $K256 $K256
}

compare_zero() {
  local fs=$1 d
  shift
  require_fs "$fs"
  d=$(fs_dir "$fs")/$BATS_TEST_NUMBER
  rm -rf "$d"
  mkdir -p "$d"
  make_file_with "$d/ours" data:0:256K size:768K data:512K:128K
  cp --sparse=always "$d/ours" "$d/theirs"
  "$FALLOCATE" "$@" "$d/ours"
  "$SYS_FALLOCATE" "$@" "$d/theirs"
  drop_caches
  assert_equal "$(file_size "$d/ours")" "$(file_size "$d/theirs")"
  assert_equal "$(data_alloc_bytes "$d/ours")" "$(data_alloc_bytes "$d/theirs")"
  cmp "$d/ours" "$d/theirs"
  assert_equal "$(extents_summary "$d/ours")" "$(extents_summary "$d/theirs")"
}

@test "same result as util-linux -z (ext4)" { compare_zero ext4 -z -o 100000 -l 600000; }
@test "same result as util-linux -z -n (xfs)" { compare_zero xfs -z -n -o 128K -l 1M; }
@test "same result as util-linux -z (btrfs)" { compare_zero btrfs -z -o 64K -l 512K; }
