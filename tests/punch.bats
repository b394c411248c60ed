#!/usr/bin/env bats
# --punch-hole: the range reads as zeros, the size never changes, the
# whole blocks inside the range are freed (stat %b and FIEMAP after
# dropping the page cache), the bytes outside the range are untouched.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs ext2 tmpfs ramfs; }

# punch_middle FS: 1 MiB of random data, punch [256K, 512K).
punch_middle() {
  require_fs "$1"
  local f a0 h0 h1
  f=$(new_file "$1")
  make_file_with "$f" data:0:1M
  drop_caches
  a0=$(alloc_bytes "$f")
  h0=$(region_sha256 "$f" 0 $K256)
  h1=$(region_sha256 "$f" 524288 524288)
  run --separate-stderr "$FALLOCATE" -p -o 256K -l 256K "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" ""
  drop_caches
  assert_size "$f" $MiB
  assert_zeros "$f" $K256 $K256
  assert_equal "$(region_sha256 "$f" 0 $K256)" "$h0"
  assert_equal "$(region_sha256 "$f" 524288 524288)" "$h1"
  assert_equal "$(alloc_bytes "$f")" $((a0 - K256))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" $K256 $K256)" 0
    assert_equal "$(mapped_bytes "$f" 0 $K256 data)" $K256
    assert_equal "$(mapped_bytes "$f" 524288 524288 data)" 524288
  fi
}

@test "-p on ext4: the range becomes a hole, the rest is untouched" { punch_middle ext4; }
@test "-p on xfs: the range becomes a hole, the rest is untouched" { punch_middle xfs; }
@test "-p on btrfs: the range becomes a hole, the rest is untouched" { punch_middle btrfs; }
@test "-p on ext2: the range becomes a hole, the rest is untouched" { punch_middle ext2; }
@test "-p on tmpfs: the range becomes a hole, the rest is untouched" { punch_middle tmpfs; }

# punch_unaligned FS: bytes [1000, 11000) are zeroed; the one whole block
# inside ([4096, 8192)) is freed, the partial blocks stay allocated.
punch_unaligned() {
  require_fs "$1"
  local f ref
  file_and_ref "$1" data:0:64K
  f=$F ref=$REF
  run "$FALLOCATE" -p -o 1000 -l 10000 "$f"
  assert_success
  drop_caches
  assert_size "$f" 65536
  assert_zeros "$f" 1000 10000
  assert_region_equal "$f" 0 "$ref" 0 1000
  assert_region_equal "$f" 11000 "$ref" 11000 $((65536 - 11000))
  assert_equal "$(alloc_bytes "$f")" $((65536 - 4096))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" 4096 4096)" 0
    assert_equal "$(mapped_bytes "$f" 0 4096)" 4096
    assert_equal "$(mapped_bytes "$f" 8192 4096)" 4096
  fi
}

@test "-p unaligned on ext4: exact bytes zeroed, only whole blocks freed" { punch_unaligned ext4; }
@test "-p unaligned on xfs: exact bytes zeroed, only whole blocks freed" { punch_unaligned xfs; }
@test "-p unaligned on btrfs: exact bytes zeroed, only whole blocks freed" { punch_unaligned btrfs; }
@test "-p unaligned on tmpfs: exact bytes zeroed, only whole pages freed" { punch_unaligned tmpfs; }

punch_across_eof() {
  op_keeps_head "$1" 64K 32768 65536 -p -o 32K -l 1M
  assert_zeros "$F" 32768 32768
  assert_equal "$(alloc_bytes "$F")" 32768
}

@test "-p across EOF on ext4: the size stays, the tail is freed" { punch_across_eof ext4; }
@test "-p across EOF on xfs: the size stays, the tail is freed" { punch_across_eof xfs; }

@test "-p entirely beyond EOF changes nothing (ext4)" {
  require_fs ext4
  local f before
  f=$(new_file ext4)
  make_file_with "$f" data:0:64K
  before=$(file_fingerprint "$f")
  run "$FALLOCATE" -p -o 1M -l 1M "$f"
  assert_success
  drop_caches
  assert_equal "$(file_fingerprint "$f")" "$before"
}

punch_whole_file() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" data:0:512K
  run "$FALLOCATE" -p -l 512K "$f"
  assert_success
  drop_caches
  assert_size "$f" 524288
  assert_zeros "$f" 0 524288
  assert_equal "$(alloc_bytes "$f")" 0
}

@test "-p the whole file on ext4: nothing allocated, size kept" { punch_whole_file ext4; }
@test "-p the whole file on btrfs: nothing allocated, size kept" { punch_whole_file btrfs; }
@test "-p the whole file on tmpfs: nothing allocated, size kept" { punch_whole_file tmpfs; }

punch_prealloc() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" size:1M prealloc:0:1M
  assert_equal "$(mapped_bytes "$f" 0 $MiB unwritten)" $MiB
  run "$FALLOCATE" -p -o 0 -l 512K "$f"
  assert_success
  drop_caches
  assert_size "$f" $MiB
  assert_equal "$(mapped_bytes "$f" 0 524288)" 0
  assert_equal "$(mapped_bytes "$f" 524288 524288 unwritten)" 524288
  assert_equal "$(alloc_bytes "$f")" 524288
}

@test "-p on preallocated (unwritten) extents frees them (ext4)" { punch_prealloc ext4; }
@test "-p on preallocated (unwritten) extents frees them (xfs)" { punch_prealloc xfs; }

@test "-p on a hole is a no-op (xfs)" {
  require_fs xfs
  local f
  f=$(new_file xfs)
  make_file_with "$f" size:1M
  run "$FALLOCATE" -p -l 1M "$f"
  assert_success
  assert_size "$f" $MiB
  assert_equal "$(alloc_bytes "$f")" 0
}

@test "-p keeps the file's mode and does not create anything" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" data:0:16K
  chmod 0640 "$f"
  run "$FALLOCATE" -p -o 4K -l 4K "$f" "$f.missing"
  assert_failure 1
  assert_equal "$(stat -c %a "$f")" 640
  assert_zeros "$f" 4096 4096
  assert_not_exist "$f.missing"
}

@test "-v -p: 'FILE: 256 KiB (262144 bytes) hole created.'" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  make_file_with vp data:0:1M
  run --separate-stderr "$FALLOCATE" -v -p -o 256K -l 256K vp
  assert_equal "$status" 0
  assert_equal "$output" "vp: 256 KiB (262144 bytes) hole created."
  assert_zeros vp $K256 $K256
}

@test "-v -p: human sizes are util-linux's, for lengths far beyond EOF (tmpfs)" {
  require_fs tmpfs
  cd "$(fs_dir tmpfs)"
  touch hp
  local n mine theirs
  for n in 1 1023 1024 1025 1536 1048575 1048576 1572864 10735616 104853504 \
           1073741824 1610612736 1099511627776 1125899906842624 1152921504606846976 \
           123456789 987654321987; do
    run "$FALLOCATE" -v -p -l "$n" hp
    assert_success
    mine=$output
    run "$SYS_FALLOCATE" -v -p -l "$n" hp
    assert_success
    theirs=$output
    assert_equal "$mine" "$theirs"
  done
  assert_size hp 0
}

# compare_punch FS ARGS...: util-linux and we punch the same copy alike.
compare_punch() { same_as_util_linux "$1" "data:0:512K prealloc:512K:256K" "${@:2}"; }

@test "same result as util-linux -p (ext4)" { compare_punch ext4 -p -o 100000 -l 600000; }
@test "same result as util-linux -p (xfs)" { compare_punch xfs -p -o 4K -l 700K; }
@test "same result as util-linux -p (btrfs)" { compare_punch btrfs -p -o 64K -l 64K; }

@test "a filesystem that cannot punch: 'fallocate: 'img': cannot punch hole: Operation not supported'" {
  require_fs ramfs
  cd "$(fs_dir ramfs)"
  make_file_with img data:0:8K
  local before
  before=$(file_fingerprint img)
  run --separate-stderr "$FALLOCATE" -p -l 4096 img
  # The sentence of the issue comes first; detail may follow it.
  assert_error_match "fallocate: 'img': cannot punch hole: Operation not supported( .+)?"
  assert_equal "$(file_fingerprint img)" "$before"
}
