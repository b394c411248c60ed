#!/usr/bin/env bats
# --write-zeroes (FALLOC_FL_WRITE_ZEROES, Linux 6.17+).  Whether the kernel
# can do it on a filesystem depends on the device below it; on loop
# devices it answers EOPNOTSUPP, so on every filesystem here the program
# writes the zeros itself (the fallback of the issue "Keeps working where
# the kernel says no").  Either way the outcome is one: the program
# succeeds, the range reads as zeros and is allocated with written (not
# unwritten) extents, the size grows as for mode 0, the bytes outside are
# intact.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs ext2 tmpfs; }

# write_zeroes FS: 64 KiB of data, then -w -o 32K -l 96K.
write_zeroes() {
  require_fs "$1"
  local d f h
  d=$(tdir "$1")
  cd "$d"
  f=wz
  make_file_with "$f" data:0:64K
  h=$(region_sha256 "$f" 0 32768)
  run --separate-stderr "$FALLOCATE" -w -o 32K -l 96K "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  drop_caches
  assert_size "$f" 131072
  assert_equal "$(region_sha256 "$f" 0 32768)" "$h"
  assert_zeros "$f" 32768 98304
  # (ext2 adds an indirect block.)
  assert_alloc_between "$f" 131072 $((131072 + 65536))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" 32768 98304 unwritten)" 0
    assert_equal "$(mapped_bytes "$f" 32768 98304 data)" 98304
  fi
}

@test "-w on ext4: the range is written as zeros" { write_zeroes ext4; }
@test "-w on xfs: the range is written as zeros" { write_zeroes xfs; }
@test "-w on btrfs: the range is written as zeros" { write_zeroes btrfs; }
@test "-w on ext2: the range is written as zeros" { write_zeroes ext2; }
@test "-w on tmpfs: the range is written as zeros" { write_zeroes tmpfs; }

@test "-w over preallocated (unwritten) extents leaves written extents (xfs)" {
  require_fs xfs
  cd "$(tdir xfs)"
  make_file_with f size:256K prealloc:0:256K
  assert_equal "$(mapped_bytes f 0 262144 unwritten)" 262144
  run --separate-stderr "$FALLOCATE" -w -o 64K -l 128K f
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  drop_caches
  assert_size f 262144
  assert_zeros f 0 262144
  assert_equal "$(mapped_bytes f 65536 131072 unwritten)" 0
  assert_equal "$(mapped_bytes f 65536 131072 data)" 131072
  assert_equal "$(alloc_bytes f)" 262144
}

@test "-w on a missing file creates it (mode 0666 & ~umask)" {
  require_fs ext4
  cd "$(tdir ext4)"
  run --separate-stderr bash -c 'umask 027 && exec "$0" -w -l 64K wnew' "$FALLOCATE"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  drop_caches
  assert_size wnew 65536
  assert_zeros wnew 0 65536
  assert_equal "$(alloc_bytes wnew)" 65536
  assert_equal "$(mapped_bytes wnew 0 65536 unwritten)" 0
  assert_equal "$(stat -c %a wnew)" 640
}

@test "-v -w: 'FILE: 64 KiB (65536 bytes) written as zeroes', saying that the zeros were written" {
  require_fs ext4
  cd "$(tdir ext4)"
  make_file_with wv data:0:64K
  run --separate-stderr "$FALLOCATE" -v -w -o 0 -l 64K wv
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  # The util-linux sentence, then how the fallback did it.
  assert_equal "$output" "wv: 64 KiB (65536 bytes) written as zeroes (FALLOC_FL_WRITE_ZEROES not supported here: zeros written)."
  drop_caches
  assert_zeros wv 0 65536
}

@test "-w: several FILEs, a failure on one does not stop the others" {
  require_fs tmpfs
  cd "$(tdir tmpfs)"
  make_file_with w1 data:0:8K
  make_file_with w3 data:0:8K
  run --separate-stderr "$FALLOCATE" -w -l 8K w1 nodir/w2 w3
  assert_error "fallocate: cannot open 'nodir/w2': No such file or directory"
  assert_size w1 8192
  assert_zeros w1 0 8192
  assert_size w3 8192
  assert_zeros w3 0 8192
}
