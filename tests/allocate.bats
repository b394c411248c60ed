#!/usr/bin/env bats
# Plain allocation (mode 0), --keep-size and --posix on real filesystems:
# size, bytes and allocated blocks (stat %b and FIEMAP after dropping the
# page cache), file creation and its permissions, -v lines, and side by
# side runs with util-linux's fallocate.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs ext2 tmpfs; }

# Room for metadata blocks (ext2 indirect blocks, btrfs rounding).
SLACK=65536

# alloc_new_file FS [OPTION]: the program with OPTION -l 1M makes a new
# file of 1 MiB on FS, allocated, reading zeros.
alloc_new_file() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  fallocate_ok ${2:+"$2"} -l 1M "$f"
  drop_caches
  assert_size "$f" $MiB
  assert_alloc_between "$f" $MiB $((MiB + SLACK))
  assert_zeros "$f" 0 $MiB
  if [[ -z ${2:-} ]] && has_fiemap "$1"; then
    # Preallocated, not written: the whole range is unwritten extents.
    assert_equal "$(mapped_bytes "$f" 0 $MiB unwritten)" $MiB
  fi
}

@test "mode 0 on ext4: a new file of 1 MiB, allocated, unwritten, reads zeros" { alloc_new_file ext4; }
@test "mode 0 on xfs: a new file of 1 MiB, allocated, unwritten, reads zeros" { alloc_new_file xfs; }
@test "mode 0 on btrfs: a new file of 1 MiB, allocated, unwritten, reads zeros" { alloc_new_file btrfs; }
@test "mode 0 on tmpfs: a new file of 1 MiB, allocated, reads zeros" { alloc_new_file tmpfs; }

alloc_extends() {
  local f
  op_keeps_head "$1" 64K 65536 $MiB -l 1M
  f=$F
  assert_zeros "$f" 65536 $((MiB - 65536))
  assert_alloc_between "$f" $MiB $((MiB + SLACK))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" 0 65536 data)" 65536
    assert_equal "$(mapped_bytes "$f" 65536 $((MiB - 65536)) unwritten)" $((MiB - 65536))
  fi
}

@test "mode 0 on ext4: extends a file, its data untouched" { alloc_extends ext4; }
@test "mode 0 on xfs: extends a file, its data untouched" { alloc_extends xfs; }
@test "mode 0 on btrfs: extends a file, its data untouched" { alloc_extends btrfs; }
@test "mode 0 on tmpfs: extends a file, its data untouched" { alloc_extends tmpfs; }

alloc_beyond_eof() {
  local f
  op_keeps_head "$1" 4K 4096 $((MiB + 65536)) -o 1M -l 64K
  f=$F
  assert_zeros "$f" 4096 $((MiB + 65536 - 4096))
  # Only the 4 KiB of data and the 64 KiB asked for are allocated: the gap
  # stays a hole.
  assert_alloc_between "$f" $((4096 + 65536)) $((4096 + 65536 + SLACK))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" 4096 $((MiB - 4096)))" 0
    assert_equal "$(mapped_bytes "$f" $MiB 65536 unwritten)" 65536
  fi
}

@test "mode 0 on ext4: -o beyond EOF allocates only the range, the gap stays a hole" { alloc_beyond_eof ext4; }
@test "mode 0 on xfs: -o beyond EOF allocates only the range, the gap stays a hole" { alloc_beyond_eof xfs; }
@test "mode 0 on btrfs: -o beyond EOF allocates only the range, the gap stays a hole" { alloc_beyond_eof btrfs; }
@test "mode 0 on tmpfs: -o beyond EOF allocates only the range, the gap stays a hole" { alloc_beyond_eof tmpfs; }

keep_size_beyond_eof() {
  local f
  op_keeps_head "$1" 4K 4096 4096 -n -l 1M
  f=$F
  assert_alloc_between "$f" $MiB $((MiB + SLACK))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" 4096 $((MiB - 4096)) unwritten)" $((MiB - 4096))
  fi
}

@test "-n on ext4: keeps the size, allocates beyond EOF" { keep_size_beyond_eof ext4; }
@test "-n on xfs: keeps the size, allocates beyond EOF" { keep_size_beyond_eof xfs; }
@test "-n on btrfs: keeps the size, allocates beyond EOF" { keep_size_beyond_eof btrfs; }
@test "-n on tmpfs: keeps the size, allocates beyond EOF" { keep_size_beyond_eof tmpfs; }

keep_size_fills_hole() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" size:1M
  assert_equal "$(alloc_bytes "$f")" 0
  run "$FALLOCATE" -n -o 256K -l 256K "$f"
  assert_success
  drop_caches
  assert_size "$f" $MiB
  assert_zeros "$f" 0 $MiB
  assert_alloc_between "$f" 262144 $((262144 + SLACK))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$f" 0 262144)" 0
    assert_equal "$(mapped_bytes "$f" 262144 262144 unwritten)" 262144
    assert_equal "$(mapped_bytes "$f" 524288 524288)" 0
  fi
}

@test "-n on ext4: allocates exactly the range inside a sparse file" { keep_size_fills_hole ext4; }
@test "-n on xfs: allocates exactly the range inside a sparse file" { keep_size_fills_hole xfs; }
@test "-n on btrfs: allocates exactly the range inside a sparse file" { keep_size_fills_hole btrfs; }
@test "-n on tmpfs: allocates exactly the range inside a sparse file" { keep_size_fills_hole tmpfs; }

@test "mode 0 over existing data changes nothing (ext4)" {
  require_fs ext4
  local f before
  f=$(new_file ext4)
  make_file_with "$f" data:0:1M
  before=$(file_fingerprint "$f")
  run "$FALLOCATE" -o 0 -l 512K "$f"
  assert_success
  drop_caches
  assert_equal "$(file_fingerprint "$f")" "$before"
  assert_equal "$(mapped_bytes "$f" 0 $MiB data)" $MiB
}

@test "mode 0 shorter than the file does not shrink it (xfs)" {
  require_fs xfs
  local f before
  f=$(new_file xfs)
  make_file_with "$f" data:0:256K
  before=$(file_fingerprint "$f")
  run "$FALLOCATE" -l 4K "$f"
  assert_success
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "mode 0 with unaligned offset and length: exact size, whole blocks allocated (ext4)" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  run "$FALLOCATE" -o 1000 -l 5000 "$f"
  assert_success
  drop_caches
  assert_size "$f" 6000
  # Bytes 1000..6000 touch blocks 0 and 1.
  assert_equal "$(alloc_bytes "$f")" 8192
  assert_zeros "$f" 0 6000
}

posix_new_file() { alloc_new_file "$1" -x; }

@test "-x on ext4: a new 1 MiB file, allocated" { posix_new_file ext4; }
@test "-x on xfs: a new 1 MiB file, allocated" { posix_new_file xfs; }
@test "-x on btrfs: a new 1 MiB file, allocated" { posix_new_file btrfs; }
@test "-x on tmpfs: a new 1 MiB file, allocated" { posix_new_file tmpfs; }

@test "-x on ext2: the C library writes the blocks (written extents, no unwritten)" {
  posix_new_file ext2
  local f
  f=$(fs_dir ext2)/$BATS_TEST_NUMBER-f
  assert_equal "$(mapped_bytes "$f" 0 $MiB unwritten)" 0
  assert_equal "$(mapped_bytes "$f" 0 $MiB data)" $MiB
}

@test "-x on ext2: existing data inside the range survives" {
  require_fs ext2
  local f mid
  f=$(new_file ext2)
  make_file_with "$f" size:512K data:128K:64K
  mid=$(region_sha256 "$f" 131072 65536)
  run "$FALLOCATE" -x -l 1M "$f"
  assert_success
  drop_caches
  assert_size "$f" $MiB
  assert_equal "$(region_sha256 "$f" 131072 65536)" "$mid"
  assert_zeros "$f" 0 131072
  assert_zeros "$f" 196608 $((MiB - 196608))
  assert_alloc_between "$f" $MiB $((MiB + SLACK))
}

@test "-x on ext4: the kernel path, unwritten extents" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  run "$FALLOCATE" -x -o 64K -l 64K "$f"
  assert_success
  drop_caches
  assert_size "$f" 131072
  assert_equal "$(mapped_bytes "$f" 0 65536)" 0
  assert_equal "$(mapped_bytes "$f" 65536 65536 unwritten)" 65536
}

@test "a created file has mode 0666 & ~umask" {
  require_fs ext4
  local d
  d=$(fs_dir ext4)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  (umask 022 && "$FALLOCATE" -l 4K "$d/a")
  (umask 077 && "$FALLOCATE" -l 4K "$d/b")
  (umask 000 && "$FALLOCATE" -l 4K "$d/c")
  (umask 027 && "$FALLOCATE" -x -l 4K "$d/e")
  assert_equal "$(stat -c %a "$d/a")" 644
  assert_equal "$(stat -c %a "$d/b")" 600
  assert_equal "$(stat -c %a "$d/c")" 666
  assert_equal "$(stat -c %a "$d/e")" 640
  assert_size "$d/a" 4096
}

@test "an existing file keeps its mode and owner" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" data:0:4K
  chmod 0604 "$f"
  is_root && chown 65534:65534 "$f"
  local owner
  owner=$(stat -c %u:%g "$f")
  run "$FALLOCATE" -l 64K "$f"
  assert_success
  assert_equal "$(stat -c %a "$f")" 604
  assert_equal "$(stat -c %u:%g "$f")" "$owner"
  assert_size "$f" 65536
}

@test "several FILEs are each allocated" {
  require_fs xfs
  local d
  d=$(fs_dir xfs)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  make_file_with "$d/b" data:0:4K
  run "$FALLOCATE" -l 256K "$d/a" "$d/b" "$d/c"
  assert_success
  drop_caches
  local f
  for f in a b c; do
    assert_size "$d/$f" 262144
    assert_alloc_between "$d/$f" 262144 $((262144 + SLACK))
  done
}

@test "-v: 'FILE: 1 MiB (1048576 bytes) allocated.' for mode 0, -n and -x" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f v0 vn vx
  run "$FALLOCATE" -v -l 1M v0
  assert_output "v0: 1 MiB (1048576 bytes) allocated."
  touch vn
  run "$FALLOCATE" -v -n -l 1M vn
  assert_output "vn: 1 MiB (1048576 bytes) allocated."
  run "$FALLOCATE" -v -x -l 1M vx
  assert_output "vx: 1 MiB (1048576 bytes) allocated."
  assert_size v0 $MiB
  assert_size vn 0
  assert_size vx $MiB
}

@test "-v: human sizes as util-linux prints them" {
  require_fs xfs
  mkdir "$(fs_dir xfs)/$BATS_TEST_NUMBER"
  cd "$(fs_dir xfs)/$BATS_TEST_NUMBER"
  local n want
  while read -r n want; do
    rm -f h
    run "$FALLOCATE" -v -l "$n" h
    assert_success
    assert_output "h: $want ($n bytes) allocated."
    assert_size h "$n"
  done <<'EOF'
1 1 B
1023 1023 B
1024 1 KiB
1536 1.5 KiB
1048575 1024 KiB
1048576 1 MiB
1572864 1.5 MiB
10735616 10.2 MiB
104853504 100 MiB
EOF
  rm -f h
}

# compare_with_util_linux FS ARGS...: run both tools with ARGS on two
# copies of the same file; size, bytes, allocation and extent layout match.
compare_with_util_linux() {
  local fs=$1 d
  shift
  d=$(tdir "$fs")
  make_file_with "$d/ours" size:256K data:64K:64K
  cp --sparse=always "$d/ours" "$d/theirs"
  local mine theirs
  run "$FALLOCATE" -v "$@" "$d/ours"
  assert_success
  mine=${output//ours/X}
  run "$SYS_FALLOCATE" -v "$@" "$d/theirs"
  assert_success
  theirs=${output//theirs/X}
  assert_equal "$mine" "$theirs"
  if has_fiemap "$fs"; then
    assert_same_result "$d/ours" "$d/theirs"
  else
    assert_same_result "$d/ours" "$d/theirs" nolayout
  fi
}

@test "same result as util-linux: mode 0 over a hole and data (ext4)" { compare_with_util_linux ext4 -o 32K -l 512K; }
@test "same result as util-linux: mode 0 over a hole and data (xfs)" { compare_with_util_linux xfs -o 32K -l 512K; }
@test "same result as util-linux: -n beyond EOF (ext4)" { compare_with_util_linux ext4 -n -o 128K -l 1M; }
@test "same result as util-linux: -n beyond EOF (btrfs)" { compare_with_util_linux btrfs -n -o 128K -l 1M; }
@test "same result as util-linux: -x (xfs)" { compare_with_util_linux xfs -x -o 100000 -l 300000; }
@test "same result as util-linux: -x (ext2)" { compare_with_util_linux ext2 -x -o 0 -l 1M; }
@test "same result as util-linux: mode 0 (tmpfs)" { compare_with_util_linux tmpfs -o 0 -l 1M; }

@test "no space left: exit 1, the error names the file and ENOSPC (ext4)" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f big
  run --separate-stderr "$FALLOCATE" -l 1G big
  assert_error_match "fallocate: 'big': cannot [a-z ]+: No space left on device"
  rm -f big
}

@test "no space left: exit 1, the error names the file and ENOSPC (tmpfs -n)" {
  require_fs tmpfs
  cd "$(fs_dir tmpfs)"
  rm -f big
  touch big
  run --separate-stderr "$FALLOCATE" -n -l 1G big
  assert_error_match "fallocate: 'big': cannot [a-z ]+: No space left on device"
  assert_size big 0
  rm -f big
}

@test "file too large: exit 1, the error names the file and EFBIG (ext4, 16 TiB limit)" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f huge
  run --separate-stderr "$FALLOCATE" -o 17T -l 4K huge
  assert_error_match "fallocate: 'huge': cannot [a-z ]+: File too large"
  rm -f huge
}

# synced_after ARGS...: strace the program on a 1 MiB file of data in ext4;
# the modifying call (fallocate/write) is followed by an fsync or fdatasync
# of the same descriptor before it is closed, and the run succeeds.
synced_after() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  require_fs ext4
  local d
  d=$(fs_dir ext4)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  make_file_with "$d/s" data:0:1M
  # LeakSanitizer cannot run under ptrace.
  ASAN_OPTIONS=detect_leaks=0 strace -qq -f -e signal=none \
    -e trace=fallocate,pwrite64,pwritev,write,fsync,fdatasync,close \
    -o "$d/trace" "$FALLOCATE" "$@" "$d/s"
  # The descriptor the file operation used, then what happened to it.
  awk '
    /^[0-9]+ +(fallocate|pwrite64|pwritev)\(/ {
      match($0, /\(([0-9]+),/); fd = substr($0, RSTART + 1, RLENGTH - 2)
      op = 1; synced = 0; next }
    op && /(fsync|fdatasync)\(/ && $0 ~ "\\(" fd "\\)" { synced = 1 }
    op && /close\(/ && $0 ~ "\\(" fd "\\)" { closed = 1; if (!synced) bad = 1; exit }
    END { if (!op) { print "no fallocate/pwrite64/pwritev call"; exit 1 }
          if (bad || !closed) { print "not synced before close"; exit 1 } }' "$d/trace" ||
    fail "$* was not followed by fsync: $(cat "$d/trace")"
}

@test "durability: mode 0 ends with fsync of the file" { synced_after -o 1M -l 64K; }
@test "durability: -n ends with fsync of the file" { synced_after -n -o 1M -l 64K; }
@test "durability: -p ends with fsync of the file" { synced_after -p -o 0 -l 64K; }
@test "durability: -z ends with fsync of the file" { synced_after -z -o 0 -l 64K; }
@test "durability: -c ends with fsync of the file" { synced_after -c -o 0 -l 64K; }
@test "durability: -i ends with fsync of the file" { synced_after -i -o 0 -l 64K; }
@test "durability: -x ends with fsync of the file" { synced_after -x -o 1M -l 64K; }
@test "durability: -w ends with fsync of the file" { synced_after -w -o 0 -l 64K; }
