#!/usr/bin/env bats
# --dig-holes: every data hole of the range becomes a file hole; the bytes
# and the size never change.  Covers what util-linux gets wrong (shown by
# bench/util-linux-demos.sh): preallocated (unwritten) space is freed, the
# file is read 1 MiB per pread(2), not 4 KiB, and a filesystem that cannot
# punch is found out before anything is read.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs ext2 tmpfs ramfs; }

# allocated F [OFF LEN]: bytes of F allocated in [OFF, OFF+LEN) (default:
# up to its size), from FIEMAP; without FIEMAP, of the whole file from
# st_blocks.  (st_blocks on xfs counts preallocation past the end of
# file, which xfs trims when it pleases.)
allocated() {
  if has_fiemap "$1"; then
    mapped_bytes "$1" "${2:-0}" "${3:-$(file_size "$1")}"
  else
    alloc_bytes "$1"
  fi
}

# dig_is F EXPECTED ARGS...: dig F with ARGS (-d ARGS F), check that it
# succeeds with nothing on stderr, and that the size and the bytes of F
# did not change.  EXPECTED is the report of the holes the dig leaves in
# the range, in the form of `-r -v` ("data hole: offset A - B (N bytes)"
# for those it punched, "file hole: ..." for those that were there), and
# then, with -v, the one line -d -v prints (as util-linux, no line per
# hole): that line must be all it prints, and each hole listed must be
# unallocated afterwards (where FIEMAP can tell).
dig_is() {
  local f=$1 expected=$2 size sum line holes=() summary=
  shift 2
  while IFS= read -r line; do
    if [[ $line == *" hole: offset "* ]]; then
      holes+=("$line")
    elif [[ -n $line ]]; then
      summary=$line
    fi
  done <<<"$expected"
  size=$(file_size "$f")
  sum=$(sha256sum <"$f")
  run --separate-stderr "$FALLOCATE" -d "$@" "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$summary"
  drop_caches
  assert_size "$f" "$size"
  assert_equal "$(sha256sum <"$f")" "$sum"
  if has_fiemap "$f"; then
    for line in "${holes[@]}"; do
      [[ $line =~ offset\ ([0-9]+)\ -\ ([0-9]+) ]] || fail "bad hole line: $line"
      assert_equal "$(allocated "$f" "${BASH_REMATCH[1]}" \
                      $((BASH_REMATCH[2] - BASH_REMATCH[1])))" 0
    done
  fi
}

# Preallocated space reads as zeros: dig frees it all (util-linux skips
# it, as SEEK_DATA calls it a hole).
preallocated() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  "$SYS_FALLOCATE" -l 40M "$f"
  assert_equal "$(allocated "$f")" $((40 * MiB))
  dig_is "$f" "data hole: offset 0 - 41943040 (41943040 bytes)
$f: 1 holes, 40 MiB (41943040 bytes, 100.00% of the file) converted to sparse holes." -v
  assert_equal "$(allocated "$f")" 0
  assert_equal "$(alloc_bytes "$f")" 0
  assert_zeros "$f" 0 $((40 * MiB))
}

@test "-d on ext4: frees preallocated space" { preallocated ext4; }
@test "-d on xfs: frees preallocated space" { preallocated xfs; }
@test "-d on btrfs: frees preallocated space" { preallocated btrfs; }

# Alternating MiB of random data and written zeros.
mib_mix() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" data:0:1M zero:1M:1M data:2M:1M zero:3M:1M \
    data:4M:1M zero:5M:1M data:6M:1M zero:7M:1M
  assert_equal "$(allocated "$f")" $((8 * MiB))
  dig_is "$f" "data hole: offset 1048576 - 2097152 (1048576 bytes)
data hole: offset 3145728 - 4194304 (1048576 bytes)
data hole: offset 5242880 - 6291456 (1048576 bytes)
data hole: offset 7340032 - 8388608 (1048576 bytes)
$f: 4 holes, 4 MiB (4194304 bytes, 50.00% of the file) converted to sparse holes." -v
  assert_equal "$(allocated "$f")" $((4 * MiB))
  if has_fiemap "$f"; then
    assert_equal "$(allocated "$f" $MiB $MiB)" 0
    assert_equal "$(allocated "$f" $((7 * MiB)) $MiB)" 0
  fi
  # Nothing is left to dig.
  drop_caches
  run "$FALLOCATE" -r "$f"
  assert_output --partial "data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)"
}

@test "-d on ext4: alternating data and zeros" { mib_mix ext4; }
@test "-d on xfs: alternating data and zeros" { mib_mix xfs; }
@test "-d on btrfs: alternating data and zeros" { mib_mix btrfs; }
@test "-d on tmpfs: alternating data and zeros" { mib_mix tmpfs; }

# Written zeros on both sides of an unwritten extent: one hole, one punch
# (util-linux frees only the written zeros, in two pieces).
zeros_around_unwritten() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" size:4M prealloc:1M:1M zero:0:1M zero:2M:1M data:3M:1M
  dig_is "$f" "data hole: offset 0 - 3145728 (3145728 bytes)
$f: 1 holes, 3 MiB (3145728 bytes, 75.00% of the file) converted to sparse holes." -v
  assert_equal "$(allocated "$f")" "$MiB"
  assert_equal "$(allocated "$f" $((3 * MiB)) $MiB)" "$MiB"
}

@test "-d on ext4: written zeros and an unwritten extent in one hole" { zeros_around_unwritten ext4; }
@test "-d on xfs: written zeros and an unwritten extent in one hole" { zeros_around_unwritten xfs; }
@test "-d on btrfs: written zeros and an unwritten extent in one hole" { zeros_around_unwritten btrfs; }

# A zero tail that ends inside a block: the last block goes too.
zero_tail() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" data:0:1M zero:1M:5000
  dig_is "$f" "data hole: offset 1048576 - 1053576 (5000 bytes)
$f: 1 holes, 4.9 KiB (5000 bytes, 0.47% of the file) converted to sparse holes." -v
  assert_equal "$(allocated "$f")" "$MiB"
}

@test "-d on ext4: an unaligned zero tail is freed" { zero_tail ext4; }
@test "-d on xfs: an unaligned zero tail is freed" { zero_tail xfs; }
@test "-d on btrfs: an unaligned zero tail is freed" { zero_tail btrfs; }
@test "-d on tmpfs: an unaligned zero tail is freed" { zero_tail tmpfs; }

# -o/-l: only whole blocks inside the range are punched; file holes are
# reported but left alone.
sub_range() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_file_with "$f" size:4M zero:0:3M
  dig_is "$f" "data hole: offset 4096 - 2097152 (2093056 bytes)
$f: 1 holes, 2 MiB (2093056 bytes, 49.90% of the file) converted to sparse holes." -v -o 1000 -l 2M
  assert_equal "$(allocated "$f" 0 4096)" 4096
  assert_equal "$(allocated "$f" 4096 $((2 * MiB - 4096)))" 0
  assert_equal "$(allocated "$f" $((2 * MiB)) $MiB)" "$MiB"
  dig_is "$f" "file hole: offset 3145728 - 4194304 (1048576 bytes)
$f: 0 holes, 0 B (0 bytes, 0.00% of the file) converted to sparse holes." -v -o 3M
  dig_is "$f" "" -o 2M -l 1M
  assert_equal "$(allocated "$f")" 4096
}

@test "-d on ext4: -o and -l punch only whole blocks of the range" { sub_range ext4; }
@test "-d on xfs: -o and -l punch only whole blocks of the range" { sub_range xfs; }
@test "-d on btrfs: -o and -l punch only whole blocks of the range" { sub_range btrfs; }

@test "-d on an empty file converts nothing" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  : >"$f"
  dig_is "$f" "$f: 0 holes, 0 B (0 bytes, 0.00% of the file) converted to sparse holes." -v
}

@test "-d without -v prints nothing" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" zero:0:1M data:1M:1M
  dig_is "$f" ""
  assert_equal "$(allocated "$f")" "$MiB"
}

@test "-d -v on several files: one line each" {
  require_fs xfs
  local f g
  f=$(new_file xfs)
  g=$(new_file xfs g)
  make_file_with "$f" zero:0:1M data:1M:1M
  make_file_with "$g" data:0:1M
  run --separate-stderr "$FALLOCATE" -d -v "$f" "$g"
  assert_equal "$status" 0
  assert_equal "$output" "$f: 1 holes, 1 MiB (1048576 bytes, 50.00% of the file) converted to sparse holes.
$g: 0 holes, 0 B (0 bytes, 0.00% of the file) converted to sparse holes."
}

# The modification time stays when there is nothing to dig, though the
# punch that probes the filesystem moves it on some of them.
keeps_mtime() {
  require_fs "$1"
  local f before
  f=$(new_file "$1")
  make_file_with "$f" data:0:1M
  touch -d '2001-02-03 04:05:06.789' "$f"
  before=$(stat -c %y "$f")
  dig_is "$f" ""
  assert_equal "$(stat -c %y "$f")" "$before"
}

@test "-d on ext4: nothing to dig leaves the modification time" { keeps_mtime ext4; }
@test "-d on xfs: nothing to dig leaves the modification time" { keeps_mtime xfs; }
@test "-d on tmpfs: nothing to dig leaves the modification time" { keeps_mtime tmpfs; }

require_strace() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
}

@test "-d reads data in 1 MiB chunks" {
  require_fs ext4
  require_strace
  local f
  f=$(new_file ext4)
  make_file_with "$f" data:0:8M
  drop_caches
  assert_equal "$(count_preads "$f" "$FALLOCATE" -d "$f")" 8
}

@test "-d never reads holes or unwritten extents" {
  require_fs xfs
  require_strace
  local f
  f=$(new_file xfs)
  make_file_with "$f" size:64M prealloc:8M:32M data:60M:1M
  drop_caches
  assert_equal "$(count_preads "$f" "$FALLOCATE" -d "$f")" 1
  assert_equal "$(allocated "$f")" "$MiB"
}

# ramfs cannot punch holes: fail at once, before reading anything,
# naming the filesystem.
@test "-d on ramfs fails fast, naming the filesystem" {
  require_fs ramfs
  require_strace
  local f before
  f=$(new_file ramfs)
  make_file_with "$f" data:0:1M zero:1M:3M
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -d "$f"
  assert_error "fallocate: '$f': cannot dig holes: Operation not supported on ramfs; it works on ext4, xfs, btrfs and tmpfs"
  assert_equal "$(file_fingerprint "$f")" "$before"
  assert_equal "$(count_preads "$f" "$FALLOCATE" -d "$f")" 0
}

# ext2 files have no extents; whether the kernel punches holes in them
# depends on whether it serves ext2 with the ext4 driver.  Either way the
# answer comes before any reading.
@test "-d on ext2 digs where the kernel can punch, else fails fast" {
  require_fs ext2
  local f dir
  dir=$(fs_dir ext2)
  f=$(new_file ext2)
  make_file_with "$f" data:0:1M zero:1M:1M
  if kernel_supports "$dir" 0x03; then
    dig_is "$f" "data hole: offset 1048576 - 2097152 (1048576 bytes)
$f: 1 holes, 1 MiB (1048576 bytes, 50.00% of the file) converted to sparse holes." -v
  else
    run --separate-stderr "$FALLOCATE" -d "$f"
    assert_error "fallocate: '$f': cannot dig holes: Operation not supported on ext2; it works on ext4, xfs, btrfs and tmpfs"
  fi
}

# --progress on a terminal: a line rewritten in place, then cleared.  The
# dig is held up by strace, which delays each of its 2048 punches by 2 ms,
# so that lines are due; script(1) gives it a terminal (within a
# deadline: without a pty to be had, script fails at once).
@test "--progress draws on a terminal and clears the line at the end" {
  require_fs ext4
  local f log out
  f=$(new_file ext4)
  log=$BATS_TEST_TMPDIR/typescript
  out=$BATS_TEST_TMPDIR/out
  make_4k_mix "$f" 16
  delayed fallocate 2000
  timeout 120 script -qfec "$(printf '%q ' "${DELAYED[@]}" "$FALLOCATE" -d -v --progress "$f") >'$out'" \
    "$log" </dev/null >/dev/null ||
    fail "script(1) failed or timed out ($?): $(cat "$log" 2>/dev/null)"
  assert_equal "$(cat "$out")" "$f: 2048 holes, 8 MiB (8388608 bytes, 50.00% of the file) converted to sparse holes."
  assert_progress_drawn "$log" "$f" "16 MiB"
}

@test "--progress prints nothing on a pipe for a short dig" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" zero:0:1M
  run --separate-stderr "$FALLOCATE" -d --progress "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
}

# ---------------------------------------------------------------------------
# Issue "Safe everywhere": where a stopped dig says it stopped, -l 0, what
# -v prints, and the page cache.

# A test that held up a dig (held_dig) or locked the page cache: let the
# dig die, give the lock back.
teardown() {
  local p
  for p in ${PID:-} ${TRACER:-}; do
    kill -KILL "$p" 2>/dev/null || true
  done
  [[ -z ${TRACER:-} ]] || wait "$TRACER" 2>/dev/null || true
  PID= TRACER=
  cache_unlock
  fs_test_cleanup
}

# held_dig HOLES: dig F, the 16 MiB 4 KiB mix, in the background (TRACER,
# strace, whose child PID is the program), each fallocate(2) call held
# back 20 ms (2,048 punches: 40 s or more), its stderr into
# $BATS_TEST_TMPDIR/err; return once HOLES of its zero blocks are punched.
held_dig() {
  local base i
  base=$(stat -c %b -- "$F")
  delayed fallocate 20000
  "${DELAYED[@]}" env --default-signal "$FALLOCATE" -d "$F" \
    2>"$BATS_TEST_TMPDIR/err" 3>&- &
  TRACER=$!
  for ((i = 0; i < 6000; i++)); do
    PID=$(cat "/proc/$TRACER/task/$TRACER/children" 2>/dev/null) || PID=
    PID=${PID// /}
    [[ -n $PID ]] && (($(stat -c %b -- "$F") <= base - $1 * 8)) && return 0
    kill -0 "$TRACER" 2>/dev/null || fail "the dig ended first: $(cat "$BATS_TEST_TMPDIR/err")"
    sleep 0.01
  done
  fail "the dig did not punch $1 holes within 60 s"
}

# finish_dig: wait for the held dig; set status and lines (its stderr).
finish_dig() {
  status=0
  wait "$TRACER" || status=$?
  PID= TRACER=
  mapfile -t lines <"$BATS_TEST_TMPDIR/err"
}

# assert_stopped_at CAUSE: the dig of F said, in one line, that CAUSE
# stopped it at offset X after converting N holes (B bytes), and that is
# true: each of the N 4 KiB zero blocks below X is a hole now, every
# block from X on is still allocated, the bytes are unchanged ($SUM).
assert_stopped_at() {
  local x n b
  assert_equal "${#lines[@]}" 1
  [[ ${lines[0]} =~ ^"fallocate: '$F': $1; stopped digging at offset "([0-9]+)" of 16777216, after converting "([0-9]+)" holes ("([0-9]+)" bytes) to sparse holes"$ ]] ||
    fail "unexpected message: ${lines[0]:-<none>}"
  x=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} b=${BASH_REMATCH[3]}
  ((n >= 100)) || fail "only $n holes converted"
  ((x > 0)) || fail "stopped at offset 0 after $n holes"
  assert_equal "$b" $((n * 4096))
  # The zero blocks are the odd 4 KiB blocks: X / 8192 of them lie wholly below X.
  assert_equal "$n" $((x / 8192))
  assert_equal "$(mapped_bytes "$F" 0 "$x")" $((x - n * 4096))
  assert_equal "$(mapped_bytes "$F" "$x" $((16 * MiB - x)))" $((16 * MiB - x))
  assert_equal "$(sha256sum <"$F")" "$SUM"
}

@test "-d stopped by SIGINT reports the offset it really got to" {
  require_fs ext4
  F=$(new_file ext4)
  make_4k_mix "$F" 16
  SUM=$(sha256sum <"$F")
  held_dig 100
  kill -INT "$PID"
  finish_dig
  assert_stopped_at "interrupted by signal 2"
  assert_equal "$status" 130
}

# truncate(2) breaks the lease as an open does; the message says both.
# (truncate(1) opens the file, with O_NONBLOCK: perl calls truncate(2).)
@test "-d stopped by a truncate(2) by path says the file was opened or truncated" {
  require_fs ext4
  local rc=0
  F=$(new_file ext4)
  make_4k_mix "$F" 16
  SUM=$(sha256sum <"$F")
  held_dig 100
  # The truncate waits until the lease is given back (to the same size:
  # the bytes stay as they were).
  timeout 60 perl -e 'truncate ($ARGV[0], 16777216) or die "truncate: $!\n"' "$F" || rc=$?
  assert_equal "$rc" 0
  finish_dig
  assert_equal "$status" 1
  assert_stopped_at "another process opened or truncated the file"
}

@test "-d -l 0 digs to the end of the file, as -d without -l" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" zero:0:1M data:1M:1M zero:2M:1M data:3M:1M zero:4M:1M
  dig_is "$f" "" -l 0
  assert_equal "$(allocated "$f")" $((2 * MiB))
  assert_equal "$(allocated "$f" 0 $MiB)" 0
  assert_equal "$(allocated "$f" $((2 * MiB)) $MiB)" 0
  assert_equal "$(allocated "$f" $((4 * MiB)) $MiB)" 0
}

# util-linux 2.42 and later: -d -v prints the summary only; -r -v lists
# each hole.
@test "-d -v prints one line per file, no hole lines; -r -v still lists the holes" {
  require_fs ext4
  local f g
  f=$(new_file ext4)
  g=$(new_file ext4 g)
  make_file_with "$f" zero:0:1M data:1M:1M zero:2M:1M data:3M:1M
  make_file_with "$g" data:0:1M
  drop_caches
  run --separate-stderr "$FALLOCATE" -r -v "$f"
  assert_equal "$status" 0
  assert_line "data hole: offset 0 - 1048576 (1048576 bytes)"
  assert_line "data hole: offset 2097152 - 3145728 (1048576 bytes)"
  run --separate-stderr "$FALLOCATE" -d -v "$f" "$g"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 2 holes, 2 MiB (2097152 bytes, 50.00% of the file) converted to sparse holes.
$g: 0 holes, 0 B (0 bytes, 0.00% of the file) converted to sparse holes."
  assert_equal "$(allocated "$f")" $((2 * MiB))
}

# -d reads the file; it may drop from the page cache only the pages it
# brought in.  F: 8 MiB of data (nothing to dig), the first MIB MiB read
# beforehand.
dig_leaves_cache() {
  local f=$1 mib=$2
  cache_head "$f" "$mib"
  expect_resident "$f" $((mib * MiB)) "before the dig" || return 1
  advise -d "$f" && expect_resident "$f" $((mib * MiB)) "after the dig" &&
    # The cached pages are the first MIB MiB: dropping the rest leaves them.
    cache_head "$f" "$mib" keep &&
    expect_resident "$f" $((mib * MiB)) "after dropping all but the first $mib MiB"
}

@test "-d keeps a cached file cached, a cold one cold, a half-cached one half" {
  require_fs ext4
  cache_lock
  local f sum
  f=$(new_file ext4)
  make_file_with "$f" data:0:8M
  sum=$(sha256sum <"$f")
  tries dig_leaves_cache "$f" 8
  tries dig_leaves_cache "$f" 0
  tries dig_leaves_cache "$f" 4
  assert_equal "$(sha256sum <"$f")" "$sum"
  assert_equal "$(allocated "$f")" $((8 * MiB))
}
