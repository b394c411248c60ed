#!/usr/bin/env bats
# Fallbacks where the kernel lacks a mode (issue "Keeps working where the
# kernel says no"), compared with the kernel mode where it exists:
#   - plain allocation on ext2 (no extents: fallocate(2) answers
#     EOPNOTSUPP) writes zeros into the holes of the range and past EOF,
#     never over data: same size, bytes and allocation as mode 0 on ext4;
#   - --keep-size has no faithful emulation past EOF: a clear error, the
#     file unchanged;
#   - --write-zeroes where FALLOC_FL_WRITE_ZEROES is refused (every loop
#     device): zeros written, written (not unwritten) extents;
#   - --zero-range where FALLOC_FL_ZERO_RANGE is refused (tmpfs, ext2):
#     punch then allocate, same result as -z on ext4;
#   - -c and -i are never emulated: the errors name the filesystem type,
#     the block size or the end of the file;
#   - the zero-fill holds a write lease (refused while the file is open
#     elsewhere, unless --force);
#   - --advise after a fallback, several FILEs with one failing.
# Rollback (ENOSPC, signals) is in rollback.bats, -u in unshare.bats.

load "$TESTS_SRCDIR/helpers/common"

setup_file() {
  fs_setup_file ext4 xfs btrfs ext2 tmpfs ramfs
  # The random bytes every layout is cut from, so that the same layout on
  # two filesystems holds the same bytes.
  head -c 4194304 /dev/urandom >"$BATS_FILE_TMPDIR/rand"
}

setup() {
  check_fallocate_built
  RAND=$BATS_FILE_TMPDIR/rand
}

teardown() {
  release
  fs_test_cleanup
}

WRITE_ZEROES=0x80

# hold F: keep F open in this shell (another open file description than
# the program's own), as another process would; release: close it.
# (Not fd 3: bats reports through it.)
HOLD=
hold() { exec {HOLD}<"$1"; }
release() {
  if [[ -n $HOLD ]]; then
    exec {HOLD}<&-
    HOLD=
  fi
}
ZERO_RANGE=0x10

# The data regions of the standard layout (offset:length), in a 4 MiB
# file: aligned and unaligned pieces with holes between them.
LAYOUT=(0:65536 300000:5000 1048576:262144 2101248:4096 3670016:102400)

# make_layout F: F is a 4 MiB sparse file holding the bytes of $RAND at
# each region of LAYOUT, holes elsewhere.
make_layout() {
  local r off len
  rm -f -- "$1"
  for r in "${LAYOUT[@]}"; do
    off=${r%:*} len=${r#*:}
    dd if="$RAND" of="$1" bs=64K iflag=skip_bytes,count_bytes \
       oflag=seek_bytes skip="$off" seek="$off" count="$len" \
       conv=notrunc status=none
  done
  truncate -s 4M -- "$1"
  sync -- "$1"
}

# assert_layout_data F: every region of LAYOUT still holds $RAND's bytes.
assert_layout_data() {
  local r off len
  for r in "${LAYOUT[@]}"; do
    off=${r%:*} len=${r#*:}
    [[ $(region_sha256 "$1" "$off" "$len") == $(region_sha256 "$RAND" "$off" "$len") ]] ||
      fail "$1: the data at $off (+$len) changed"
  done
}

# layout_sha256: the sha256 of the layout file (data regions, zeros between).
layout_sha256() {
  local f=$BATS_TEST_TMPDIR/layout.ref
  make_layout "$f"
  sha256sum <"$f" | cut -d' ' -f1
}

# assert_no_unwritten F: FIEMAP reports no unwritten extent in F.
assert_no_unwritten() {
  local ext
  ext=$(fiemap_extents "$1") || fail "filefrag failed on $1"
  if grep -q unwritten <<<"$ext"; then
    fail "$1 has unwritten extents: $ext"
  fi
}

# probe FS MODE: set SUPPORTED to yes or no: whether the kernel does
# fallocate(2) MODE on FS (asked directly, not through the program).
probe() {
  local rc=0
  kernel_supports "$(fs_dir "$1")" "$2" || rc=$?
  ((rc != 2)) || fail "cannot probe fallocate mode $2 on $1"
  SUPPORTED=no
  ((rc != 0)) || SUPPORTED=yes
}

# ---------------------------------------------------------------------------
# Plain allocation: the zero-fill fallback on ext2, mode 0 on ext4.

@test "premise: on ext2 fallocate(2) mode 0, -n and -z are refused but punching works" {
  require_fs ext2 ext4
  probe ext2 0
  assert_equal "$SUPPORTED" no
  probe ext2 0x01
  assert_equal "$SUPPORTED" no
  probe ext2 $ZERO_RANGE
  assert_equal "$SUPPORTED" no
  probe ext2 0x03
  assert_equal "$SUPPORTED" yes
  probe ext4 0
  assert_equal "$SUPPORTED" yes
}

@test "mode 0, new file: ext2 (zero-fill) gives the size, bytes and allocation of ext4 (kernel)" {
  require_fs ext2 ext4
  local a b
  a=$(tdir ext2)/new b=$(tdir ext4)/new
  run --separate-stderr "$FALLOCATE" -v -l 4M "$a"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$a: 4 MiB (4194304 bytes) allocated (fallocate(2) not supported here: zeros written)."
  run --separate-stderr "$FALLOCATE" -v -l 4M "$b"
  assert_equal "$status" 0
  assert_equal "$output" "$b: 4 MiB (4194304 bytes) allocated."
  evict "$a"
  evict "$b"
  assert_size "$a" $((4 * MiB))
  assert_size "$b" $((4 * MiB))
  assert_equal "$(sha "$a")" "$(sha "$b")"
  assert_zeros "$a" 0 $((4 * MiB))
  # Fully allocated on both; written blocks on ext2 (it has no unwritten
  # extents), unwritten ones on ext4.
  assert_equal "$(mapped_bytes "$a" 0 $((4 * MiB)))" $((4 * MiB))
  assert_equal "$(mapped_bytes "$b" 0 $((4 * MiB)))" $((4 * MiB))
  assert_equal "$(data_alloc_bytes "$a")" "$(data_alloc_bytes "$b")"
  assert_no_unwritten "$a"
  # ext2's st_blocks counts its indirect blocks too: at least the data.
  assert_alloc_between "$a" $((4 * MiB)) $((4 * MiB + 65536))
}

@test "mode 0 fallback (ext2): data inside the range survives, the holes are filled, like ext4" {
  require_fs ext2 ext4
  local a b want
  a=$(tdir ext2)/layout b=$(tdir ext4)/layout
  make_layout "$a"
  make_layout "$b"
  want=$(layout_sha256)
  # Holes before: the layout is sparse on both.
  (($(mapped_bytes "$a" 0 $((4 * MiB))) < 2 * MiB)) || fail "layout not sparse on ext2"
  run --separate-stderr "$FALLOCATE" -v -l 4M "$a"
  assert_equal "$status" 0
  assert_equal "$output" "$a: 4 MiB (4194304 bytes) allocated (fallocate(2) not supported here: zeros written)."
  run "$FALLOCATE" -l 4M "$b"
  assert_success
  evict "$a"
  evict "$b"
  assert_layout_data "$a"
  assert_equal "$(sha "$a")" "$want"
  assert_equal "$(sha "$b")" "$want"
  assert_size "$a" $((4 * MiB))
  assert_equal "$(mapped_bytes "$a" 0 $((4 * MiB)))" $((4 * MiB))
  assert_equal "$(data_alloc_bytes "$a")" "$(data_alloc_bytes "$b")"
  assert_no_unwritten "$a"
}

@test "mode 0 fallback (ext2) writes only into holes, never over allocated blocks" {
  require_fs ext2
  local f log before line off len s e
  f=$(tdir ext2)/layout
  make_layout "$f"
  before=$(fiemap_extents "$f")
  log=$BATS_TEST_TMPDIR/strace
  # (LeakSanitizer cannot run under ptrace: off in a sanitizer build.)
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    run strace -f -o "$log" -e trace=pwrite64,pwritev,write -- "$FALLOCATE" -o 32K -l 5M "$f"
  assert_success
  # Every write lies in a hole of the file as it was, or past its end:
  # the offset is the last argument, the bytes written the result.
  local n=0
  while IFS= read -r line; do
    [[ $line =~ (pwrite64|pwritev)\(.*,\ ([0-9]+)\)\ +=\ ([0-9]+)$ ]] || continue
    off=${BASH_REMATCH[2]} len=${BASH_REMATCH[3]}
    n=$((n + 1))
    ((off >= 32768 && off + len <= 32768 + 5 * MiB)) ||
      fail "write outside the range: $line"
    while read -r s l _; do
      ((off + len <= s || off >= s + l)) ||
        fail "wrote over the allocated extent at $s (+$l): $line"
    done <<<"$before"
  done <"$log"
  ((n > 0)) || fail "no pwrite64/pwritev seen: $(head -c 2000 "$log")"
  evict "$f"
  assert_layout_data "$f"
  assert_size "$f" $((32768 + 5 * MiB))
  assert_equal "$(mapped_bytes "$f" 32768 $((5 * MiB)))" $((5 * MiB))
}

@test "mode 0 fallback over a fully allocated range writes nothing and changes nothing (ext2)" {
  require_fs ext2
  local f log before
  f=$(tdir ext2)/full
  head -c $MiB "$RAND" >"$f"
  sync -- "$f"
  before=$(file_fingerprint "$f")
  log=$BATS_TEST_TMPDIR/strace
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    run strace -f -o "$log" -e trace=pwrite64,pwritev -- "$FALLOCATE" -o 4K -l 512K "$f"
  assert_success
  run grep -cE '(pwrite64|pwritev)\(' "$log"
  assert_output 0
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "mode 0 fallback (ext2): the file is no more fragmented than one written by dd" {
  # Writing from a zero buffer whose pages were never touched makes each
  # block of the first write be allocated, freed and allocated again
  # elsewhere (the copy from user space faults): one extent per block.
  require_fs ext2
  local d ours theirs
  d=$(tdir ext2)
  run "$FALLOCATE" -l 8M "$d/ours"
  assert_success
  dd if=/dev/zero of="$d/dd" bs=1M count=8 conv=fsync status=none
  ours=$(fiemap_extents "$d/ours" | wc -l)
  theirs=$(fiemap_extents "$d/dd" | wc -l)
  ((ours <= 2 * theirs + 8)) ||
    fail "the zero-filled file has $ours extents, the one dd wrote $theirs"
}

@test "mode 0 fallback with OFFSET past EOF: the gap stays a hole, as on ext4" {
  require_fs ext2 ext4
  local fs f
  for fs in ext2 ext4; do
    f=$(tdir $fs)/gap
    head -c 65536 "$RAND" >"$f"
    run "$FALLOCATE" -o 1M -l 512K "$f"
    assert_success
    evict "$f"
    assert_size "$f" $((MiB + 524288))
    assert_equal "$(mapped_bytes "$f" 65536 $((MiB - 65536)))" 0
    assert_equal "$(mapped_bytes "$f" $MiB 524288)" 524288
    assert_region_equal "$f" 0 "$RAND" 0 65536
    assert_zeros "$f" 65536 $((MiB + 524288 - 65536))
  done
  assert_equal "$(sha "$(fs_dir ext2)/$BATS_TEST_NUMBER/gap")" \
               "$(sha "$(fs_dir ext4)/$BATS_TEST_NUMBER/gap")"
}

@test "mode 0 fallback, unaligned range: exact size, the blocks touched allocated, as on ext4" {
  require_fs ext2 ext4
  local fs f
  for fs in ext2 ext4; do
    f=$(tdir $fs)/sparse
    truncate -s 64K "$f"
    run "$FALLOCATE" -o 1000 -l 5000 "$f"
    assert_success
    f=$(tdir $fs)/grow
    run "$FALLOCATE" -o 1000 -l 5000 "$f"
    assert_success
  done
  for f in sparse grow; do
    local a=$(fs_dir ext2)/$BATS_TEST_NUMBER/$f b=$(fs_dir ext4)/$BATS_TEST_NUMBER/$f
    evict "$a"
    assert_equal "$(file_size "$a")" "$(file_size "$b")"
    assert_equal "$(sha "$a")" "$(sha "$b")"
    assert_equal "$(data_alloc_bytes "$a")" 8192
    assert_equal "$(data_alloc_bytes "$b")" 8192
  done
  assert_size "$(fs_dir ext2)/$BATS_TEST_NUMBER/sparse" 65536
  assert_size "$(fs_dir ext2)/$BATS_TEST_NUMBER/grow" 6000
}

@test "-n inside the file on ext2: the holes are filled, the size kept, as on ext4" {
  require_fs ext2 ext4
  local fs f
  for fs in ext2 ext4; do
    f=$(tdir $fs)/layout
    make_layout "$f"
    run "$FALLOCATE" -n -o 64K -l 3M "$f"
    assert_success
    evict "$f"
    assert_size "$f" $((4 * MiB))
    assert_layout_data "$f"
    assert_equal "$(mapped_bytes "$f" 65536 $((3 * MiB)))" $((3 * MiB))
  done
  local a=$(fs_dir ext2)/$BATS_TEST_NUMBER/layout b=$(fs_dir ext4)/$BATS_TEST_NUMBER/layout
  assert_equal "$(sha "$a")" "$(sha "$b")"
  assert_equal "$(data_alloc_bytes "$a")" "$(data_alloc_bytes "$b")"
}

@test "-n past EOF on ext2 fails, saying --keep-size has no fallback, and changes nothing" {
  require_fs ext2
  local f before
  f=$(tdir ext2)/keep
  head -c 65536 "$RAND" >"$f"
  sync -- "$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -v -n -o 64K -l 1M "$f"
  assert_error "fallocate: '$f': cannot allocate with --keep-size: Operation not supported on ext2; --keep-size has no fallback past the end of the file"
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "-n across EOF on ext2 fails and leaves the holes before EOF alone" {
  require_fs ext2
  local f before
  f=$(tdir ext2)/layout
  make_layout "$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -n -o 1M -l 4M "$f"
  assert_error "fallocate: '$f': cannot allocate with --keep-size: Operation not supported on ext2; --keep-size has no fallback past the end of the file"
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "-n on a missing file on ext2: not created" {
  require_fs ext2
  local f
  f=$(tdir ext2)/missing
  run --separate-stderr "$FALLOCATE" -n -l 1M "$f"
  assert_equal "$status" 1
  assert_file_not_exists "$f"
}

# ramfs has no fallocate(2) at all and reports no size (statfs: 0 blocks),
# so there is no free space to check before writing: every fallback that
# writes zeros just writes them.
@test "mode 0, -w and -z on ramfs (no fallocate(2), no size reported): zeros written" {
  require_fs ramfs
  local f
  f=$(tdir ramfs)/new
  run --separate-stderr "$FALLOCATE" -v -l 1M "$f"
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 1 MiB (1048576 bytes) allocated (fallocate(2) not supported here: zeros written)."
  assert_size "$f" $MiB
  assert_zeros "$f" 0 $MiB
  assert_equal "$(alloc_bytes "$f")" $MiB
  run --separate-stderr "$FALLOCATE" -v -w -o 1M -l 1M "$f"
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 1 MiB (1048576 bytes) written as zeroes (FALLOC_FL_WRITE_ZEROES not supported here: zeros written)."
  assert_size "$f" $((2 * MiB))
  assert_equal "$(alloc_bytes "$f")" $((2 * MiB))
  head -c 8192 "$RAND" | dd of="$f" bs=4096 seek=16 conv=notrunc status=none
  run --separate-stderr "$FALLOCATE" -v -z -o 64K -l 4K "$f"
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 4 KiB (4096 bytes) zeroed (FALLOC_FL_ZERO_RANGE not supported here: zeros written)."
  assert_zeros "$f" 0 $((64 * 1024 + 4096))
  assert_region_equal "$f" $((68 * 1024)) "$RAND" 4096 4096
  assert_size "$f" $((2 * MiB))
}

# ---------------------------------------------------------------------------
# --write-zeroes: refused by the kernel on loop devices; zeros written.

# wz_fallback FS: a layout, then -w over [512K, 5M+512K), past its end.
wz_fallback() {
  require_fs "$1"
  local f note=""
  probe "$1" $WRITE_ZEROES
  [[ $SUPPORTED == yes ]] ||
    note=" (FALLOC_FL_WRITE_ZEROES not supported here: zeros written)"
  f=$(tdir "$1")/layout
  make_layout "$f"
  run --separate-stderr "$FALLOCATE" -v -w -o 512K -l 5M "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 5 MiB (5242880 bytes) written as zeroes$note."
  evict "$f"
  assert_size "$f" $((5 * MiB + 524288))
  assert_region_equal "$f" 0 "$RAND" 0 65536
  assert_region_equal "$f" 300000 "$RAND" 300000 5000
  assert_zeros "$f" 524288 $((5 * MiB))
  if [[ $1 == tmpfs ]]; then
    # No FIEMAP: every page of the range is there.
    assert_alloc_between "$f" $((5 * MiB)) $((6 * MiB))
  else
    assert_equal "$(mapped_bytes "$f" 524288 $((5 * MiB)) data)" $((5 * MiB))
    assert_equal "$(mapped_bytes "$f" 524288 $((5 * MiB)) unwritten)" 0
  fi
}

@test "-w fallback on ext4: zeros over the range, written extents, size grows" { wz_fallback ext4; }
@test "-w fallback on xfs: zeros over the range, written extents, size grows" { wz_fallback xfs; }
@test "-w fallback on btrfs: zeros over the range, written extents, size grows" { wz_fallback btrfs; }
@test "-w fallback on ext2: zeros over the range, written blocks, size grows" { wz_fallback ext2; }
@test "-w fallback on tmpfs: zeros over the range, allocated, size grows" { wz_fallback tmpfs; }

@test "premise: FALLOC_FL_WRITE_ZEROES is refused on these loop devices, so -w falls back" {
  require_fs ext4 xfs
  probe ext4 $WRITE_ZEROES
  assert_equal "$SUPPORTED" no
  probe xfs $WRITE_ZEROES
  assert_equal "$SUPPORTED" no
}

# wz_over_prealloc FS: preallocated (unwritten) extents become written.
wz_over_prealloc() {
  require_fs "$1"
  local f
  f=$(tdir "$1")/pre
  make_file_with "$f" size:1M prealloc:0:4M
  assert_equal "$(mapped_bytes "$f" 0 $((4 * MiB)) unwritten)" $((4 * MiB))
  run "$FALLOCATE" -w -o 0 -l 4M "$f"
  assert_success
  evict "$f"
  assert_size "$f" $((4 * MiB))
  assert_zeros "$f" 0 $((4 * MiB))
  assert_no_unwritten "$f"
  assert_equal "$(mapped_bytes "$f" 0 $((4 * MiB)) data)" $((4 * MiB))
}

@test "-w fallback over preallocated extents makes them written (ext4)" { wz_over_prealloc ext4; }
@test "-w fallback over preallocated extents makes them written (xfs)" { wz_over_prealloc xfs; }

@test "-w fallback gives the bytes, size and allocation of writing zeros with dd (ext4)" {
  require_fs ext4
  local d a b
  d=$(tdir ext4)
  a=$d/wz b=$d/dd
  make_layout "$a"
  make_layout "$b"
  run "$FALLOCATE" -w -o 100000 -l 3M "$a"
  assert_success
  dd if=/dev/zero of="$b" bs=64K oflag=seek_bytes,sync iflag=count_bytes \
     seek=100000 count=$((3 * MiB)) conv=notrunc status=none
  evict "$a"
  evict "$b"
  assert_equal "$(file_size "$a")" "$(file_size "$b")"
  assert_equal "$(sha "$a")" "$(sha "$b")"
  assert_equal "$(extents_summary "$a" | awk '{print $1, $2}')" \
               "$(extents_summary "$b" | awk '{print $1, $2}')"
  assert_no_unwritten "$a"
}

# ---------------------------------------------------------------------------
# --zero-range: tmpfs and ext2 lack FALLOC_FL_ZERO_RANGE.

# The notes of -v where -z falls back.
PUNCHED=" (FALLOC_FL_ZERO_RANGE not supported here: punched and allocated)"
WRITTEN=" (FALLOC_FL_ZERO_RANGE not supported here: zeros written)"

# zero_compare FS NOTE ARGS...: -z ARGS on FS's layout and on ext4's (the
# kernel): same size, bytes and allocation; -v ends with NOTE.
zero_compare() {
  local fs=$1 note=$2
  shift 2
  require_fs "$fs" ext4
  local a b out
  a=$(tdir "$fs")/layout b=$(tdir ext4)/layout
  make_layout "$a"
  make_layout "$b"
  run --separate-stderr "$FALLOCATE" -v -z "$@" "$a"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  [[ $output == "$a: "*" zeroed$note." ]] || fail "unexpected -v line: $output"
  run --separate-stderr "$FALLOCATE" -v -z "$@" "$b"
  assert_equal "$status" 0
  [[ $output == "$b: "*" zeroed." ]] || fail "unexpected -v line on ext4: $output"
  evict "$a"
  evict "$b"
  assert_equal "$(file_size "$a")" "$(file_size "$b")"
  assert_equal "$(sha "$a")" "$(sha "$b")"
  assert_equal "$(data_alloc_bytes "$a")" "$(data_alloc_bytes "$b")"
}

@test "-z on tmpfs (punch and allocate) = -z on ext4: unaligned range over data and holes" {
  zero_compare tmpfs "$PUNCHED" -o 100000 -l 1200000
}

@test "-z on tmpfs = -z on ext4: across EOF, the size grows" {
  zero_compare tmpfs "$PUNCHED" -o 3M -l 2M
  assert_size "$(fs_dir tmpfs)/$BATS_TEST_NUMBER/layout" $((5 * MiB))
}

@test "-z -n on tmpfs = -z -n on ext4: across EOF, the size kept, allocated past it" {
  zero_compare tmpfs "$PUNCHED" -n -o 3M -l 2M
  local f=$(fs_dir tmpfs)/$BATS_TEST_NUMBER/layout
  assert_size "$f" $((4 * MiB))
  # The range, plus the pages of the data before it (64K, 2 pages around
  # 300000, 256K, 4K).
  assert_equal "$(alloc_bytes "$f")" $((2 * MiB + 65536 + 8192 + 262144 + 4096))
}

@test "-z on ext2 (punch, then zeros written) = -z on ext4" {
  zero_compare ext2 "$WRITTEN" -o 200000 -l 2M
  local f=$(fs_dir ext2)/$BATS_TEST_NUMBER/layout
  assert_zeros "$f" 200000 $((2 * MiB))
  assert_equal "$(mapped_bytes "$f" 200000 $((2 * MiB)))" $((2 * MiB))
  assert_no_unwritten "$f"
}

@test "-z on ext2 across EOF = -z on ext4: the size grows" {
  zero_compare ext2 "$WRITTEN" -o 3M -l 2M
  assert_size "$(fs_dir ext2)/$BATS_TEST_NUMBER/layout" $((5 * MiB))
}

@test "-z -n inside the file on ext2 = -z -n on ext4" {
  zero_compare ext2 "$WRITTEN" -n -o 1M -l 2M
}

@test "-z -n past EOF on ext2 fails and loses no data" {
  require_fs ext2
  local f before
  f=$(tdir ext2)/layout
  make_layout "$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -z -n -o 1M -l 4M "$f"
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ $stderr == "fallocate: '$f': cannot zero range with --keep-size: Operation not supported on ext2"* ]] ||
    fail "unexpected error: $stderr"
  evict "$f"
  assert_layout_data "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

# ---------------------------------------------------------------------------
# -c and -i: never emulated; the errors say why.

@test "-c misaligned on ext4 names the block size, 4096 bytes, and changes nothing" {
  require_fs ext4
  local f before
  assert_equal "$(fs_block_size "$(fs_dir ext4)")" 4096
  f=$(tdir ext4)/c
  head -c $MiB "$RAND" >"$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -c -o 1000 -l 4096 "$f"
  assert_error "fallocate: '$f': cannot collapse range: offset and length must be multiples of the filesystem block size, 4096 bytes on ext4"
  run --separate-stderr "$FALLOCATE" -c -o 4096 -l 6000 "$f"
  assert_error "fallocate: '$f': cannot collapse range: offset and length must be multiples of the filesystem block size, 4096 bytes on ext4"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "-i misaligned on xfs names the block size and xfs" {
  require_fs xfs
  local f before bs
  bs=$(fs_block_size "$(fs_dir xfs)")
  f=$(tdir xfs)/i
  head -c $MiB "$RAND" >"$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -i -o 4095 -l 4096 "$f"
  assert_error "fallocate: '$f': cannot insert range: offset and length must be multiples of the filesystem block size, $bs bytes on xfs"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "-c reaching EOF and -i at EOF on ext4: the error names the end of the file" {
  require_fs ext4
  local f before
  f=$(tdir ext4)/c
  head -c $MiB "$RAND" >"$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -c -o 512K -l 512K "$f"
  assert_error "fallocate: '$f': cannot collapse range: the range must end before the end of the file (1048576 bytes)"
  run --separate-stderr "$FALLOCATE" -i -o 1M -l 4096 "$f"
  assert_error "fallocate: '$f': cannot insert range: the offset must be before the end of the file (1048576 bytes)"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

# not_emulated FS: -c and -i are refused naming FS; the file unchanged.
not_emulated() {
  require_fs "$1"
  local f before
  f=$(tdir "$1")/c
  head -c $MiB "$RAND" >"$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -c -o 4096 -l 4096 "$f"
  assert_error "fallocate: '$f': cannot collapse range: Operation not supported on $1; it works on ext4 (with extents) and xfs"
  run --separate-stderr "$FALLOCATE" -i -o 4096 -l 4096 "$f"
  assert_error "fallocate: '$f': cannot insert range: Operation not supported on $1; it works on ext4 (with extents) and xfs"
  # Misaligned too: still the filesystem, not the block size, is the cause.
  run --separate-stderr "$FALLOCATE" -c -o 1000 -l 4096 "$f"
  assert_error "fallocate: '$f': cannot collapse range: Operation not supported on $1; it works on ext4 (with extents) and xfs"
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "-c and -i on tmpfs name tmpfs and are not emulated" { not_emulated tmpfs; }
@test "-c and -i on ext2 name ext2 and are not emulated" { not_emulated ext2; }
@test "-c and -i on btrfs name btrfs and are not emulated" { not_emulated btrfs; }

# ---------------------------------------------------------------------------
# The write lease of the zero-fill.

@test "zero-fill on ext2 is refused while another process has the file open" {
  require_fs ext2
  local f before
  f=$(tdir ext2)/layout
  make_layout "$f"
  before=$(file_fingerprint "$f")
  hold "$f"
  run --separate-stderr "$FALLOCATE" -v -l 8M "$f"
  release
  assert_error "fallocate: '$f' is open by another process; not writing zeros into its holes (use --force to write anyway)"
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "zero-fill on ext2 with --force proceeds while the file is open elsewhere" {
  require_fs ext2
  local f
  f=$(tdir ext2)/layout
  make_layout "$f"
  hold "$f"
  run --separate-stderr "$FALLOCATE" -v --force -l 8M "$f"
  release
  assert_equal "$status" 0
  assert_equal "$output" "$f: 8 MiB (8388608 bytes) allocated (fallocate(2) not supported here: zeros written)."
  evict "$f"
  assert_size "$f" $((8 * MiB))
  assert_layout_data "$f"
  assert_equal "$(mapped_bytes "$f" 0 $((8 * MiB)))" $((8 * MiB))
}

@test "the lease is free again afterwards: a second zero-fill works, with the file closed" {
  require_fs ext2
  local f
  f=$(tdir ext2)/two
  run "$FALLOCATE" -l 1M "$f"
  assert_success
  run "$FALLOCATE" -l 2M "$f"
  assert_success
  assert_size "$f" $((2 * MiB))
  assert_equal "$(mapped_bytes "$f" 0 $((2 * MiB)))" $((2 * MiB))
}

@test "the kernel's allocation (ext4) takes no lease: it works while the file is open" {
  require_fs ext4
  local f
  f=$(tdir ext4)/layout
  make_layout "$f"
  hold "$f"
  run --separate-stderr "$FALLOCATE" -l 8M "$f"
  release
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_size "$f" $((8 * MiB))
}

# -z on ext2 writes zeros over the whole range: it reads nothing first, so
# there is no race to guard against, and no lease is asked for.
@test "-z on ext2 while the file is open elsewhere: done, as it reads nothing first" {
  require_fs ext2
  local f
  f=$(tdir ext2)/layout
  make_layout "$f"
  hold "$f"
  run --separate-stderr "$FALLOCATE" -z -o 1M -l 1M "$f"
  release
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$f"
  assert_zeros "$f" $MiB $MiB
  assert_equal "$(mapped_bytes "$f" $MiB $MiB)" $MiB
}

# ---------------------------------------------------------------------------
# --advise after a fallback (fincore(1) counts the resident bytes).

# A check that expects pages to be resident runs under `tries`: another
# test may drop the whole page cache meanwhile.

@test "zero-fill (-n) and -w fallbacks write around the page cache; --advise=dontneed after them" {
  require_fs ext2
  local d
  d=$(tdir ext2)
  # The aligned middle of a long run is written with direct I/O, so the
  # zeros do not push the machine's working set out of the page cache.
  truncate -s 4M "$d/plain"
  run "$FALLOCATE" -n -l 4M "$d/plain"
  assert_success
  assert_equal "$(resident "$d/plain")" 0
  assert_equal "$(mapped_bytes "$d/plain" 0 $((4 * MiB)))" $((4 * MiB))
  # (--advise with plain allocation only advises: -n makes it allocate.)
  truncate -s 4M "$d/adv"
  run --separate-stderr "$FALLOCATE" -v -n -l 4M --advise=dontneed "$d/adv"
  assert_equal "$status" 0
  assert_equal "$output" "$d/adv: 4 MiB (4194304 bytes) allocated (fallocate(2) not supported here: zeros written).
$d/adv: 4 MiB (4194304 bytes) advised dontneed."
  assert_equal "$(resident "$d/adv")" 0
  assert_size "$d/adv" $((4 * MiB))
  assert_equal "$(mapped_bytes "$d/adv" 0 $((4 * MiB)))" $((4 * MiB))
  run --separate-stderr "$FALLOCATE" -w -l 3M --advise=dontneed "$d/wz"
  assert_equal "$status" 0
  assert_equal "$(resident "$d/wz")" 0
  assert_equal "$(mapped_bytes "$d/wz" 0 $((3 * MiB)))" $((3 * MiB))
}

@test "--advise=willneed brings a zero-filled file back into the page cache" {
  require_fs ext2
  local f
  f=$(tdir ext2)/adv
  run "$FALLOCATE" -l 2M "$f"
  assert_success
  evict "$f"
  assert_equal "$(resident "$f")" 0
  try() { advise --advise=willneed "$f" && loads "$f" $((2 * MiB)) 4; }
  tries try
}

# ---------------------------------------------------------------------------
# Several FILEs: a failing one does not stop the others.

@test "-n on ext4, ext2 and tmpfs files: ext2 fails, the others are allocated, exit 1" {
  require_fs ext4 ext2 tmpfs
  local a b c before
  a=$(tdir ext4)/k b=$(tdir ext2)/k c=$(tdir tmpfs)/k
  head -c 65536 "$RAND" >"$a"
  head -c 65536 "$RAND" >"$b"
  head -c 65536 "$RAND" >"$c"
  sync
  before=$(file_fingerprint "$b")
  run --separate-stderr "$FALLOCATE" -v -n -o 64K -l 1M "$a" "$b" "$c"
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: '$b': cannot allocate with --keep-size: Operation not supported on ext2; --keep-size has no fallback past the end of the file"
  assert_equal "$output" "$a: 1 MiB (1048576 bytes) allocated.
$c: 1 MiB (1048576 bytes) allocated."
  assert_equal "$(file_fingerprint "$b")" "$before"
  assert_size "$a" 65536
  assert_size "$c" 65536
  assert_alloc_between "$a" $((MiB + 65536)) $((MiB + 2 * 65536))
  assert_alloc_between "$c" $((MiB + 65536)) $((MiB + 65536))
}

@test "mode 0 on ext2, a directory and ext4: the fallback and the kernel each say so, exit 1" {
  require_fs ext4 ext2
  local a b d
  a=$(tdir ext2)/m b=$(tdir ext4)/m d=$(tdir ext4)/dir
  mkdir "$d"
  run --separate-stderr "$FALLOCATE" -v -l 2M "$a" "$d" "$b"
  assert_equal "$status" 1
  assert_equal "${#stderr_lines[@]}" 1
  [[ $stderr == "fallocate: '$d' is a directory"* ]] || fail "unexpected error: $stderr"
  assert_equal "$output" "$a: 2 MiB (2097152 bytes) allocated (fallocate(2) not supported here: zeros written).
$b: 2 MiB (2097152 bytes) allocated."
  assert_size "$a" $((2 * MiB))
  assert_size "$b" $((2 * MiB))
  assert_equal "$(mapped_bytes "$a" 0 $((2 * MiB)))" $((2 * MiB))
}

@test "a lease refusal on one FILE does not stop the next one" {
  require_fs ext2
  local d
  d=$(tdir ext2)
  truncate -s 1M "$d/open" "$d/closed"
  hold "$d/open"
  run --separate-stderr "$FALLOCATE" -l 1M "$d/open" "$d/closed"
  release
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: '$d/open' is open by another process; not writing zeros into its holes (use --force to write anyway)"
  assert_equal "$(mapped_bytes "$d/open" 0 $MiB)" 0
  assert_equal "$(mapped_bytes "$d/closed" 0 $MiB)" $MiB
}

# A FIEMAP batch that comes back empty part way through the map says
# nothing about the rest of the range.  strace makes the zero-fill's own
# refill (the second FIEMAP call of its walk, the last walk from offset
# 0, counted on a dry run over a file of the same layout) return
# nothing: the rest must be taken for data and left alone, not for a
# hole to write zeros into.
@test "zero-fill on ext2: an empty FIEMAP refill is not taken for a hole" {
  require_fs ext2
  local f dry size sum n
  command -v strace >/dev/null || ci_skip "strace is not installed"
  f=$(new_file ext2)
  dry=$(new_file ext2 dry)
  # 600 blocks of data, each followed by a hole: three batches of 256.
  for n in "$f" "$dry"; do
    perl -e 'open (my $f, "+>", $ARGV[0]) or die "$ARGV[0]: $!";
             for my $i (0 .. 599) { seek ($f, $i * 8192, 0); print $f pack ("N", $i + 1) x 1024 }' "$n"
    sync "$n"
  done
  env ASAN_OPTIONS=detect_leaks=0 strace -qq -o "$BATS_TEST_TMPDIR/dry" \
    -e trace=ioctl "$FALLOCATE" -l 8M "$dry"
  n=$(grep FS_IOC_FIEMAP "$BATS_TEST_TMPDIR/dry" | grep -n 'fm_start=0,' | tail -n 1 | cut -d: -f1)
  [[ -n $n ]] || fail "no FIEMAP from offset 0 in the dry run: $(cat "$BATS_TEST_TMPDIR/dry")"
  size=$(file_size "$f")
  sum=$(region_sha256 "$f" 0 "$size")
  run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null \
    -e trace=ioctl -e inject=ioctl:retval=0:when=$((n + 1)) "$FALLOCATE" -l 8M "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  drop_caches
  assert_size "$f" $((8 * MiB))
  assert_equal "$(region_sha256 "$f" 0 "$size")" "$sum"
}
