#!/usr/bin/env bats
# --zero-range on ext4, xfs and btrfs (the filesystems that have it; tmpfs
# and ext2 refuse it, see fsmatrix.bats): the range reads as zeros and is
# allocated, the bytes outside are untouched, the size grows only without
# --keep-size.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs; }

# zero_middle FS [unwritten]: 1 MiB random, zero [256K, 512K): zeros
# there, still allocated (with "unwritten": as unwritten extents, as on
# ext4 and xfs), the rest unchanged.
zero_middle() {
  require_fs "$1"
  file_and_ref "$1" data:0:1M
  fallocate_ok -z -o 256K -l 256K "$F"
  drop_caches
  assert_size "$F" $MiB
  assert_zeros "$F" $K256 $K256
  assert_region_equal "$F" 0 "$REF" 0 $K256
  assert_region_equal "$F" 524288 "$REF" 524288 524288
  assert_equal "$(alloc_bytes "$F")" $MiB
  assert_equal "$(mapped_bytes "$F" $K256 $K256)" $K256
  if [[ ${2:-} == unwritten ]]; then
    assert_equal "$(mapped_bytes "$F" $K256 $K256 unwritten)" $K256
  fi
}

@test "-z on ext4: the range reads zeros, stays allocated, the rest untouched" { zero_middle ext4 unwritten; }
@test "-z on xfs: the range reads zeros, stays allocated, the rest untouched" { zero_middle xfs unwritten; }
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
  op_keeps_head "$1" 64K 32768 131072 -z -o 32K -l 96K
  assert_zeros "$F" 32768 98304
  assert_equal "$(alloc_bytes "$F")" 131072
}

@test "-z across EOF on ext4: the size grows to OFFSET+LENGTH" { zero_beyond_eof ext4; }
@test "-z across EOF on xfs: the size grows to OFFSET+LENGTH" { zero_beyond_eof xfs; }

@test "-z -n across EOF keeps the size but allocates beyond it (ext4)" {
  op_keeps_head ext4 64K 32768 65536 -z -n -o 32K -l 1M
  assert_zeros "$F" 32768 32768
  assert_equal "$(alloc_bytes "$F")" $((32768 + MiB))
}

zero_unaligned() {
  require_fs "$1"
  file_and_ref "$1" data:0:64K
  run "$FALLOCATE" -z -o 1000 -l 5000 "$F"
  assert_success
  drop_caches
  assert_size "$F" 65536
  assert_region_equal "$F" 0 "$REF" 0 1000
  assert_zeros "$F" 1000 5000
  assert_region_equal "$F" 6000 "$REF" 6000 $((65536 - 6000))
  assert_equal "$(alloc_bytes "$F")" 65536
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

compare_zero() { same_as_util_linux "$1" "data:0:256K size:768K data:512K:128K" "${@:2}"; }

@test "same result as util-linux -z (ext4)" { compare_zero ext4 -z -o 100000 -l 600000; }
@test "same result as util-linux -z -n (xfs)" { compare_zero xfs -z -n -o 128K -l 1M; }
@test "same result as util-linux -z (btrfs)" { compare_zero btrfs -z -o 64K -l 512K; }
