#!/usr/bin/env bats
# valgrind's memcheck over a representative set of real runs (issue 8):
# allocation into a new and an existing file, each fallback (zero-fill
# on ext2, -w everywhere, -z on tmpfs and ext2), -p, -z, -c, -i, -u,
# -r and -d on a fragmented file, --advise, a failing rollback (ENOSPC),
# a signal during a held-up zero-fill, bad options and a block device.
# Each run must give no memcheck error and no definite leak (exit status
# not 99, nothing in the log but the descriptors inherited from the
# shell: no descriptor the program opened is still open at exit), and
# the effect on the file that the other test files check.
#
# valgrind cannot run a build with AddressSanitizer, so this file is not
# part of `make check`: `make check-valgrind` runs it, in a build without
# --enable-sanitizers.

load "$TESTS_SRCDIR/helpers/common"

# Small ext4 to run out of space; a 1 GiB ext2, "bigext2", for a long
# zero-fill; a reflink xfs, "rxfs", for -u.  And a 16 MiB loop device of
# random data, set up as _dev_setup says.
setup_file() {
  FS_IMAGE_MIB[ext4]=64
  FS_KIND[bigext2]=ext2
  FS_IMAGE_MIB[bigext2]=1024
  FS_KIND[rxfs]=xfs
  FS_MKFS_OPTS[rxfs]="-m reflink=1"
  FS_IMAGE_MIB[rxfs]=300
  fs_setup_file ext4 ext2 tmpfs rxfs bigext2
  _vg_setup
  _dev_setup
}

teardown_file() {
  _dev_teardown
  fs_teardown_file
}

setup() {
  check_fallocate_built
  local why
  if why=$(cat "$BATS_FILE_TMPDIR/vg.unavailable" 2>/dev/null); then
    ci_skip "$why"
    return
  fi
  SHIM=$BATS_FILE_TMPDIR/vg-fiemap.so
  PID= FROZEN=
}

teardown() {
  # A descriptor a failed test left open would keep its filesystem busy.
  exec 7<&-
  if [[ -n $FROZEN ]]; then
    fsfreeze --unfreeze "$FROZEN" || true
  fi
  if [[ -n $PID ]]; then
    kill -KILL "$PID" 2>/dev/null || true
    wait_job "$PID" 60 "the killed program" || true
  fi
  fs_test_cleanup
}

# _vg_setup: check that valgrind is there and that FALLOCATE is not built
# with AddressSanitizer, and build the preload library of
# helpers/vg-fiemap.c (valgrind does not know FIEMAP) into
# $BATS_FILE_TMPDIR; else record why not in vg.unavailable.
_vg_setup() {
  local why=
  if ! command -v valgrind >/dev/null; then
    why="valgrind is not installed"
  elif grep -q __asan_init "$FALLOCATE" 2>/dev/null; then
    why="$FALLOCATE is built with AddressSanitizer, which valgrind cannot run: configure without --enable-sanitizers"
  elif ! why=$("${CC:-cc}" -shared -fPIC -O2 -o "$BATS_FILE_TMPDIR/vg-fiemap.so" \
                 "$TESTS_SRCDIR/helpers/vg-fiemap.c" -ldl 2>&1); then
    why="cannot build helpers/vg-fiemap.c with ${CC:-cc}: $why"
  else
    why=
  fi
  [[ -z $why ]] || printf '%s\n' "$why" >"$BATS_FILE_TMPDIR/vg.unavailable"
}

# The memcheck options of every run.
VG_OPTS=(--tool=memcheck --error-exitcode=99 --leak-check=full
         --errors-for-leak-kinds=definite --track-fds=yes -q)

# vg ARGS...: run the program with ARGS under memcheck (`run
# --separate-stderr`), memcheck's report in $BATS_TEST_TMPDIR/vg.log, and
# check the report (assert_vg_clean).
vg() {
  VG_LOG=$BATS_TEST_TMPDIR/vg.log
  VG_RUN="fallocate $*"
  rm -f -- "$VG_LOG"
  run --separate-stderr env LD_PRELOAD="$SHIM" valgrind "${VG_OPTS[@]}" \
    --log-file="$VG_LOG" -- "$FALLOCATE" "$@"
  assert_vg_clean
}

# vg_findings LOG: what memcheck's LOG says besides the descriptors the
# program inherited (the FILE DESCRIPTORS listing of --track-fds, each
# "<inherited from parent>") and its three-line warning that it does not
# know LOOP_GET_STATUS64 (0x4c05; the shim tells it what the kernel
# wrote): errors, leaks, descriptors left open.
vg_findings() {
  awk '{ sub(/^==[0-9]+== ?/, "") }
       /^Warning: noted but unhandled ioctl 0x4c05 / { skip = 2; next }
       skip > 0 { skip--; next }
       /^FILE DESCRIPTORS: / { next }
       /^Open file descriptor [0-9]+:/ { fd = $0; next }
       fd != "" { held = fd; fd = ""
                  if ($0 ~ /^ *<inherited from parent>$/) next
                  print held }
       /^ *$/ { next }
       { print }' "$1"
}

# assert_vg_clean: the last run under memcheck did not exit with its
# error status (99) and its report has no findings; else fail, showing
# the whole report.
assert_vg_clean() {
  [[ -e $VG_LOG ]] || fail "no memcheck report (exit status $status): $stderr"
  if ((status == 99)) || [[ -n $(vg_findings "$VG_LOG") ]]; then
    fail "memcheck found errors (exit status $status) in: $VG_RUN
$(cat "$VG_LOG")"
  fi
}

# _dev_setup: DEV_IMG, a 16 MiB image of random data (and DEV_ORIG, a
# copy of it), attached to a loop device; each step recorded in
# $BATS_FILE_TMPDIR/dev.* as soon as it is done, for _dev_teardown; a
# failure recorded in dev.unavailable.
_dev_setup() {
  local img=$BATS_FILE_TMPDIR/dev.img dev
  if ! is_root; then
    echo "needs root to attach a loop device" >"$BATS_FILE_TMPDIR/dev.unavailable"
    return 0
  fi
  head -c $((16 * MiB)) /dev/urandom >"$BATS_FILE_TMPDIR/dev.orig"
  cp -- "$BATS_FILE_TMPDIR/dev.orig" "$img"
  if ! dev=$(_losetup_retry "$img" 2>&1); then
    echo "losetup failed: $dev" >"$BATS_FILE_TMPDIR/dev.unavailable"
    return 0
  fi
  printf '%s\n' "$dev" >"$BATS_FILE_TMPDIR/dev.name"
}

# _dev_teardown: detach the loop device (if it still holds the image)
# and remove the image and its copy.
_dev_teardown() {
  local img=$BATS_FILE_TMPDIR/dev.img dev rc=0
  if [[ -e $BATS_FILE_TMPDIR/dev.name ]]; then
    dev=$(<"$BATS_FILE_TMPDIR/dev.name")
    if losetup -j "$img" -O NAME -n 2>/dev/null | grep -qx "$dev"; then
      losetup -d "$dev" || rc=1
    fi
  fi
  rm -f -- "$img" "$BATS_FILE_TMPDIR/dev.orig" "$BATS_FILE_TMPDIR/dev.name"
  return "$rc"
}

# require_dev: DEV is the loop device, written back from its copy
# DEV_ORIG; skip (fail in CI) if it was not set up.
require_dev() {
  if [[ -e $BATS_FILE_TMPDIR/dev.unavailable ]]; then
    ci_skip "$(<"$BATS_FILE_TMPDIR/dev.unavailable")"
    return
  fi
  DEV=$(<"$BATS_FILE_TMPDIR/dev.name")
  DEV_ORIG=$BATS_FILE_TMPDIR/dev.orig
  dd if="$DEV_ORIG" of="$DEV" bs=1M oflag=direct conv=fsync status=none
}

# dev_sha OFF LEN: sha256 of LEN bytes of the device from OFF (multiples
# of 1 MiB), read with direct I/O.
dev_sha() {
  dd if="$DEV" bs=1M iflag=direct,skip_bytes,count_bytes skip="$1" \
     count="$2" status=none | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------------------
# Allocation, by the kernel (ext4) and by the zero-fill (ext2).

@test "memcheck: -v -l 10M, a new file on ext4: allocated" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  vg -v -l 10M "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 10 MiB (10485760 bytes) allocated."
  assert_size "$f" $((10 * MiB))
  assert_equal "$(data_alloc_bytes "$f")" $((10 * MiB))
  assert_zeros "$f" 0 $((10 * MiB))
}

@test "memcheck: -l 8M, an existing file with data and holes on ext4: allocated, the data kept" {
  require_fs ext4
  file_and_ref ext4 size:4M data:0:1M data:2M:64K
  vg -l 8M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$F"
  assert_size "$F" $((8 * MiB))
  assert_equal "$(data_alloc_bytes "$F")" $((8 * MiB))
  assert_region_equal "$F" 0 "$REF" 0 $((4 * MiB))
  assert_zeros "$F" $((4 * MiB)) $((4 * MiB))
}

@test "memcheck: mode 0 on ext2 (zero-fill), an existing file: the holes filled, the data kept" {
  require_fs ext2
  file_and_ref ext2 size:4M data:0:64K data:2M:64K
  vg -v -l 8M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$F: 8 MiB (8388608 bytes) allocated (fallocate(2) not supported here: zeros written)."
  evict "$F"
  assert_size "$F" $((8 * MiB))
  assert_equal "$(mapped_bytes "$F" 0 $((8 * MiB)))" $((8 * MiB))
  assert_region_equal "$F" 0 "$REF" 0 $((4 * MiB))
  assert_zeros "$F" $((4 * MiB)) $((4 * MiB))
}

# ---------------------------------------------------------------------------
# -w falls back to writing zeros everywhere (loop devices refuse
# WRITE_ZEROES; tmpfs has no such mode).

# wz FS: F has data over its 4 MiB; -w -v over [1M, 5M) says it wrote
# zeros, and zeroes it: written (not unwritten) blocks, the size grown to
# 5 MiB, the first MiB kept.
wz() {
  require_fs "$1"
  file_and_ref "$1" data:0:4M
  vg -w -v -o 1M -l 4M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$F: 4 MiB (4194304 bytes) written as zeroes (FALLOC_FL_WRITE_ZEROES not supported here: zeros written)."
  evict "$F"
  assert_size "$F" $((5 * MiB))
  assert_region_equal "$F" 0 "$REF" 0 $MiB
  assert_zeros "$F" $MiB $((4 * MiB))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$F" $MiB $((4 * MiB)) data)" $((4 * MiB))
  else
    assert_alloc_between "$F" $((5 * MiB)) $((5 * MiB))
  fi
}

@test "memcheck: -w on ext4 (zeros written): zeroed, written extents" { wz ext4; }
@test "memcheck: -w on ext2 (zeros written): zeroed, written blocks" { wz ext2; }
@test "memcheck: -w on xfs (zeros written): zeroed, written extents" { wz rxfs; }
@test "memcheck: -w on tmpfs (zeros written): zeroed, allocated" { wz tmpfs; }

# ---------------------------------------------------------------------------
# -z where ZERO_RANGE is missing: punch and allocate (tmpfs), punch and
# write (ext2); and where it is there (ext4).

# zero FS KIND [HOW]: F holds 4 MiB of data; -z -v over [1M, 2M) says
# it zeroed the range HOW (the fallback's note, if any), and did: zeros
# there, the rest and the size kept, the range still allocated (KIND on
# FIEMAP: data, or unwritten).
zero() {
  require_fs "$1"
  file_and_ref "$1" data:0:4M
  vg -z -v -o 1M -l 1M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$F: 1 MiB (1048576 bytes) zeroed${3:+ $3}."
  evict "$F"
  assert_size "$F" $((4 * MiB))
  assert_region_equal "$F" 0 "$REF" 0 $MiB
  assert_zeros "$F" $MiB $MiB
  assert_region_equal "$F" $((2 * MiB)) "$REF" $((2 * MiB)) $((2 * MiB))
  if has_fiemap "$1"; then
    assert_equal "$(mapped_bytes "$F" $MiB $MiB "$2")" $MiB
  else
    assert_alloc_between "$F" $((4 * MiB)) $((4 * MiB))
  fi
}

@test "memcheck: -z on tmpfs (punch and allocate): zeroed, allocated" {
  zero tmpfs all "(FALLOC_FL_ZERO_RANGE not supported here: punched and allocated)"
}
@test "memcheck: -z on ext2 (punch and write): zeroed, written blocks" {
  zero ext2 data "(FALLOC_FL_ZERO_RANGE not supported here: zeros written)"
}
@test "memcheck: -z on ext4 (ZERO_RANGE): zeroed, unwritten extents" { zero ext4 unwritten; }

@test "memcheck: -p on ext4: a hole, the rest kept" {
  require_fs ext4
  file_and_ref ext4 data:0:4M
  vg -p -o 1M -l 1M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$F"
  assert_size "$F" $((4 * MiB))
  assert_zeros "$F" $MiB $MiB
  assert_equal "$(mapped_bytes "$F" $MiB $MiB)" 0
  assert_region_equal "$F" 0 "$REF" 0 $MiB
  assert_region_equal "$F" $((2 * MiB)) "$REF" $((2 * MiB)) $((2 * MiB))
}

@test "memcheck: -c on ext4: the range gone, the rest moved down" {
  require_fs ext4
  file_and_ref ext4 data:0:4M
  vg -c -o 1M -l 1M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$F"
  assert_size "$F" $((3 * MiB))
  assert_region_equal "$F" 0 "$REF" 0 $MiB
  assert_region_equal "$F" $MiB "$REF" $((2 * MiB)) $((2 * MiB))
}

@test "memcheck: -i on ext4: a hole inserted, the rest moved up" {
  require_fs ext4
  file_and_ref ext4 data:0:4M
  vg -i -o 1M -l 1M "$F"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$F"
  assert_size "$F" $((5 * MiB))
  assert_region_equal "$F" 0 "$REF" 0 $MiB
  assert_zeros "$F" $MiB $MiB
  assert_equal "$(mapped_bytes "$F" $MiB $MiB)" 0
  assert_region_equal "$F" $((2 * MiB)) "$REF" $MiB $((3 * MiB))
}

@test "memcheck: -u on a reflink copy (xfs): nothing shared any more, the bytes kept" {
  require_fs rxfs
  local d
  d=$(tdir rxfs)
  head -c $((4 * MiB)) /dev/urandom >"$d/orig"
  cp --reflink=always -- "$d/orig" "$d/copy"
  sync -f "$d"
  fiemap_extents "$d/copy" | grep -q shared || fail "the copy shares nothing to begin with"
  vg -u -l 4M "$d/copy"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$d/copy"
  run fiemap_extents "$d/copy"
  assert_success
  refute_output --partial shared
  assert_size "$d/copy" $((4 * MiB))
  cmp -- "$d/orig" "$d/copy"
}

# ---------------------------------------------------------------------------
# -r and -d on a fragmented file: 4 MiB of 4 KiB data and 4 KiB zeros.

@test "memcheck: -r -v on a file of 512 holes (two FIEMAP batches): every hole told, the file unchanged" {
  require_fs ext4
  local f fp
  f=$(new_file ext4)
  make_4k_mix "$f" 4
  "$SYS_FALLOCATE" -d "$f"
  fp=$(file_fingerprint "$f")
  drop_caches
  vg -r -v "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$(grep -c '^file hole: offset ' <<<"$output")" 512
  assert_line "file hole: offset 4190208 - 4194304 (4096 bytes)"
  assert_line "file holes: 512 holes, 2 MiB (2097152 bytes, 50.00% of the file)"
  assert_line "data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)"
  assert_equal "$(file_fingerprint "$f")" "$fp"
}

# The JSON report keeps the holes in growing arrays until the file is
# done: 512 of them, freed after the line is printed.
@test "memcheck: -r -v -J on a file of 512 holes: one line listing them all" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_4k_mix "$f" 4
  "$SYS_FALLOCATE" -d "$f"
  drop_caches
  vg -r -v -J "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert len(r["file_holes"]["holes"]) == r["file_holes"]["count"] == 512, r
assert r["file_holes"]["holes"][-1] == {"offset": 4190208, "length": 4096}
assert r["data_holes"] == {"count": 0, "bytes": 0, "percent": 0.0, "holes": []}
' "$output"
}

@test "memcheck: -d -v on a file with 512 runs of zeros: all punched, the bytes kept" {
  require_fs ext4
  local f sum
  f=$(new_file ext4)
  make_4k_mix "$f" 4
  sum=$(sha "$f")
  drop_caches
  vg -d -v "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 512 holes, 2 MiB (2097152 bytes, 50.00% of the file) converted to sparse holes."
  evict "$f"
  assert_equal "$(sha "$f")" "$sum"
  assert_size "$f" $((4 * MiB))
  assert_equal "$(data_alloc_bytes "$f")" $((2 * MiB))
}

# The open watch of guard.h (a fanotify group and its thread): beside a
# reader the dig runs and ends the watch; beside a writer it is refused.
@test "memcheck: -d -v beside a reader digs; beside a writer it is refused" {
  require_fs ext4
  local f sum
  f=$(new_file ext4)
  make_4k_mix "$f" 4
  sum=$(sha "$f")
  exec 7<"$f"
  vg -d -v "$f" 7<&-
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 512 holes, 2 MiB (2097152 bytes, 50.00% of the file) converted to sparse holes."
  exec 7<&- 7>>"$f"
  vg -d -v "$f" 7>&-
  exec 7>&-
  assert_equal "$status" 1
  [[ $stderr =~ ^"fallocate: '$f' is open for writing by process" ]] ||
    fail "unexpected: $stderr"
  assert_equal "$(sha "$f")" "$sum"
  assert_equal "$(data_alloc_bytes "$f")" $((2 * MiB))
}

# cached F: read all of F; it is then all in the page cache (else WHY
# is set: see `tries`).
cached() {
  cat -- "$1" >/dev/null
  expect_resident "$1" "$(file_size "$1")" "after reading it"
}

@test "memcheck: --advise=dontneed -v: told, the file dropped from the page cache" {
  require_fs ext4
  local f fp
  f=$(new_file ext4)
  make_file_with "$f" data:0:2M
  fp=$(file_fingerprint "$f")
  tries cached "$f"
  vg --advise=dontneed -v "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 2 MiB (2097152 bytes) advised dontneed."
  assert_equal "$(resident "$f")" 0
  assert_equal "$(file_fingerprint "$f")" "$fp"
}

# ---------------------------------------------------------------------------
# A failing rollback: ENOSPC on the 64 MiB ext4.

@test "memcheck: ENOSPC, an existing file (ext4): size, bytes, holes and space as before" {
  require_fs ext4
  local d f fp before
  d=$(tdir ext4)
  f=$d/existing
  make_file_with "$f" size:16M data:0:1M data:8M:1M
  fp=$(file_state "$f")
  before=$(avail "$d")
  vg -l 100M "$f"
  assert_error "fallocate: '$f': cannot allocate: No space left on device"
  evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
  assert_avail_near "$d" "$before"
}

@test "memcheck: ENOSPC, a new file (ext4): removed, the space back" {
  require_fs ext4
  local d f before
  d=$(tdir ext4)
  f=$d/new
  before=$(avail "$d")
  vg -l 100M "$f"
  assert_error "fallocate: '$f': cannot allocate: No space left on device"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

# ---------------------------------------------------------------------------
# A signal during a zero-fill, held up deterministically without strace
# (which cannot trace valgrind): once the file grows, its filesystem is
# frozen (fsfreeze), so the program waits in its next pwritev(2) until
# the thaw; SIGTERM comes while it waits.

@test "memcheck: SIGTERM during a zero-fill held by a frozen ext2: rolled back, exit 143" {
  require_fs bigext2
  local d f fp base nr deadline call state
  d=$(fs_dir bigext2)
  f=$(new_file bigext2 existing)
  make_file_with "$f" size:900M data:0:1M data:512M:1M
  fp=$(file_state "$f")
  base=$(stat -c %b -- "$f")
  nr=$(perl -e 'require "syscall.ph"; print &SYS_pwritev(), "\n"')
  VG_LOG=$BATS_TEST_TMPDIR/vg.log
  VG_RUN="fallocate -l 900M $f"
  LD_PRELOAD=$SHIM valgrind "${VG_OPTS[@]}" --log-file="$VG_LOG" -- \
    "$FALLOCATE" -l 900M "$f" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
  PID=$!
  deadline=$((SECONDS + 60))
  while (($(stat -c %b -- "$f") <= base)); do
    job_running "$PID" || fail "the program ended before it wrote: $(cat "$BATS_TEST_TMPDIR/err")"
    ((SECONDS < deadline)) || fail "the program did not start writing within 60 s"
    sleep 0.01
  done
  FROZEN=$d
  fsfreeze --freeze "$d"
  deadline=$((SECONDS + 60))
  until read -r call _ 2>/dev/null <"/proc/$PID/syscall" && [[ $call == "$nr" ]] &&
      state=$(<"/proc/$PID/stat") && state=${state##*) } && [[ ${state%% *} == D ]]; do
    job_running "$PID" || fail "the program ended before the freeze held it: $(cat "$BATS_TEST_TMPDIR/err")"
    ((SECONDS < deadline)) || fail "the program was not held in pwritev within 60 s"
    sleep 0.01
  done
  (($(stat -c %b -- "$f") * 512 < 899 * MiB)) || fail "too late: the zero-fill is done"
  kill -TERM "$PID"
  fsfreeze --unfreeze "$d"
  FROZEN=
  wait_job "$PID" 60 "the program"
  PID=
  status=$JOB_STATUS
  stderr=$(<"$BATS_TEST_TMPDIR/err")
  assert_equal "$status" 143
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" ""
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: interrupted by signal 15"
  assert_vg_clean
  evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
}

# ---------------------------------------------------------------------------
# Bad options: exit 1, one message, nothing created.

@test "memcheck: bad options: exit 1, the message, nothing created" {
  require_fs ext4
  local d f spec msg args
  d=$(tdir ext4)
  f=$d/f
  local -a cases=(
    "--bogus -l 1M|fallocate: unrecognized option '--bogus'"
    "-p -z -l 1M|fallocate: options --punch-hole and --zero-range cannot be combined"
    "-l 1Q|fallocate: invalid length: '1Q'"
    "--p -l 1M|fallocate: option '--p' is ambiguous; possibilities: '--posix' '--progress' '--punch-hole'"
    "-o -1 -l 1M|fallocate: invalid offset: '-1': must not be negative"
    "--advise=bogus|fallocate: invalid argument 'bogus' for '--advise'; valid arguments are normal, sequential, random, noreuse, willneed, dontneed"
  )
  for spec in "${cases[@]}"; do
    msg=${spec#*|}
    read -r -a args <<<"${spec%%|*}"
    vg "${args[@]}" "$f"
    assert_error "$msg"
    assert_file_not_exists "$f"
  done
  vg -l 1M
  assert_error "fallocate: no filename specified"
  vg -l
  assert_error "fallocate: option '--length' requires an argument"
}

# ---------------------------------------------------------------------------
# A block device (a loop device).

@test "memcheck: -z -o 1M -l 2M on a loop device: the range zeroed, the rest kept" {
  require_dev
  vg -z -o 1M -l 2M "$DEV"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$(dev_sha $MiB $((2 * MiB)))" "$(zeros_sha256 $((2 * MiB)))"
  assert_equal "$(dev_sha 0 $MiB)" "$(region_sha256 "$DEV_ORIG" 0 $MiB)"
  assert_equal "$(dev_sha $((3 * MiB)) $((13 * MiB)))" \
    "$(region_sha256 "$DEV_ORIG" $((3 * MiB)) $((13 * MiB)))"
}

@test "memcheck: -w -l 20M on a 16 MiB loop device: refused, the device unchanged" {
  require_dev
  vg -w -l 20M "$DEV"
  assert_error "fallocate: '$DEV': cannot write zeroes: the range ends past the end of the device (16777216 bytes)"
  assert_equal "$(dev_sha 0 $((16 * MiB)))" "$(sha "$DEV_ORIG")"
}

@test "memcheck: -l 1M (allocate) on a loop device: refused, the device unchanged" {
  require_dev
  vg -l 1M "$DEV"
  assert_error "fallocate: '$DEV' is a block device; only --punch-hole, --zero-range, --write-zeroes and --advise apply to devices"
  assert_equal "$(dev_sha 0 $((16 * MiB)))" "$(sha "$DEV_ORIG")"
}
