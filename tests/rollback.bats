#!/usr/bin/env bats
# Rollback (issue "Keeps working where the kernel says no"): an allocating
# operation (mode 0, -n, -x, -z, -w) that fails part way leaves the
# filesystem as it was:
#   - a file the command created is removed;
#   - an existing file keeps its size, bytes and allocation: the blocks the
#     command allocated in its former holes are punched again;
#   - free space (df) within 1 MiB of what it was;
# for ENOSPC (small filesystems: 64 MiB ext4, ext2 and tmpfs, a 300 MiB
# xfs), EFBIG (RLIMIT_FSIZE) and SIGTERM/SIGINT/SIGHUP or a broken write
# lease during a long zero-fill (a 1 GiB ext2, where the fallback writes
# 400 MiB of zeros).  To act surely in the middle of a fallback, the
# tests run the program under strace(1), which delays each of its writes,
# or stops it (SIGSTOP) at one of them until the test lets it go on (a
# fault injection: the writes themselves are unchanged).

load "$TESTS_SRCDIR/helpers/common"

# The big ext2 for the signal tests is a filesystem of this file's own,
# "bigext2" (FS_KIND in the helpers).
setup_file() {
  # Small filesystems, to run out of space.
  FS_IMAGE_MIB[ext4]=64
  FS_IMAGE_MIB[ext2]=64
  FS_IMAGE_MIB[xfs]=300
  FS_IMAGE_MIB[tmpfs]=64
  FS_KIND[bigext2]=ext2
  FS_IMAGE_MIB[bigext2]=1024
  fs_setup_file ext4 ext2 xfs tmpfs bigext2
}


# make_mixed F SIZE: F of SIZE bytes with 1 MiB of random data at 0 and at
# 8 MiB (if it fits), holes elsewhere.
make_mixed() {
  rm -f -- "$1"
  head -c $MiB /dev/urandom >"$1"
  if (($2 > 9 * MiB)); then
    head -c $MiB /dev/urandom |
      dd of="$1" bs=1M seek=8 conv=notrunc status=none
  fi
  truncate -s "$2" -- "$1"
  sync -- "$1"
}

# ---------------------------------------------------------------------------
# ENOSPC

# enospc_new FS [OPTION]: allocating 100 MiB (400 MiB on xfs) in a new
# file on FS fails with ENOSPC; the file is gone, the free space back.
enospc_new() {
  local fs=$1 len=100M
  shift
  require_fs "$fs"
  [[ $fs == xfs ]] && len=400M
  local d f before what=allocate
  [[ ${1:-} == -w ]] && what="write zeroes"
  d=$(tdir "$fs")
  f=$d/big
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" "$@" -l "$len" "$f"
  assert_error "fallocate: '$f': cannot $what: No space left on device"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

@test "ENOSPC, new file, ext4 (kernel): the file is removed, the space back" { enospc_new ext4; }
@test "ENOSPC, new file, ext2 (zero-fill): the file is removed, the space back" { enospc_new ext2; }
@test "ENOSPC, new file, xfs: the file is removed, the space back" { enospc_new xfs; }
@test "ENOSPC, new file, tmpfs: the file is removed, the space back" { enospc_new tmpfs; }
@test "ENOSPC, new file, -x on ext4: the file is removed, the space back" { enospc_new ext4 -x; }
@test "ENOSPC, new file, -x on ext2 (the C library writes): the file is removed, the space back" { enospc_new ext2 -x; }
@test "ENOSPC, new file, -w on ext4: the file is removed, the space back" { enospc_new ext4 -w; }
@test "ENOSPC, new file, -w on ext2: the file is removed, the space back" { enospc_new ext2 -w; }

# enospc_existing FS MIB WHAT OPTION...: a MIB MiB file with data and
# holes; the operation with OPTION... fails with ENOSPC: "cannot WHAT" in
# the error ("*": whatever it says it cannot do); size, bytes and
# allocation as before, the free space back.
enospc_existing() {
  local fs=$1 mib=$2 what=$3
  shift 3
  require_fs "$fs"
  local d f before fp
  d=$(tdir "$fs")
  f=$d/existing
  make_mixed "$f" $((mib * MiB))
  fp=$(file_state "$f")
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" "$@" "$f"
  if [[ $what == '*' ]]; then
    assert_equal "$status" 1
    assert_equal "$output" ""
    [[ $stderr == "fallocate: '$f': cannot "*": No space left on device" ]] ||
      fail "unexpected error: $stderr"
  else
    assert_error "fallocate: '$f': cannot $what: No space left on device"
  fi
  evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
  assert_avail_near "$d" "$before"
}

@test "ENOSPC, existing file, ext4: size, bytes, holes and space as before" { enospc_existing ext4 16 '*' -l 100M; }
@test "ENOSPC, existing file, ext2 (zero-fill): size, bytes, holes and space as before" { enospc_existing ext2 16 '*' -l 100M; }
@test "ENOSPC, existing file, xfs: size, bytes, holes and space as before" { enospc_existing xfs 16 '*' -l 400M; }
@test "ENOSPC, existing file, tmpfs: size, bytes, holes and space as before" { enospc_existing tmpfs 16 '*' -l 100M; }
@test "ENOSPC, existing file, -n on ext4: as before" { enospc_existing ext4 16 '*' -n -o 1M -l 100M; }
# A 200 MiB sparse file on a 64 MiB ext2: -n inside it runs out of space.
@test "ENOSPC, existing file, -n inside the file on ext2 (zero-fill)... as before" { enospc_existing ext2 200 allocate -n -l 200M; }
@test "ENOSPC, existing file, -x on ext4: as before" { enospc_existing ext4 16 '*' -x -l 100M; }
@test "ENOSPC, existing file, -z past EOF on ext4: as before" { enospc_existing ext4 16 '*' -z -o 16M -l 100M; }
@test "ENOSPC, existing file, -z past EOF on tmpfs (punch and allocate): as before" { enospc_existing tmpfs 16 '*' -z -o 16M -l 100M; }
@test "ENOSPC with -w on ext4: the space is reserved first, so the data in the range survives" { enospc_existing ext4 16 "write zeroes" -w -l 100M; }
# ext2 cannot reserve: the fallbacks that write find out that there is no
# room before they write (else -w and -z would have overwritten data).
@test "ENOSPC with -w on ext2: found out before writing, so the data in the range survives" { enospc_existing ext2 16 "write zeroes" -w -l 100M; }
@test "ENOSPC with -z inside a file on ext2: found out before writing, so the data survives" { enospc_existing ext2 200 '*' -z -l 200M; }

# That check is no stricter than the filesystem: all its free blocks but
# the indirect ones (one in 1024, and a few more) can be filled.
@test "the zero-fill on ext2 may fill all the free space" {
  require_fs ext2
  local d f free len
  d=$(tdir ext2)
  f=$d/all
  sync -f "$d"
  free=$(( $(stat -f -c '%f * %S' -- "$d") ))
  len=$(( (free - free / 1024 - 64 * 1024) / 4096 * 4096 ))
  run --separate-stderr "$FALLOCATE" -l "$len" "$f"
  assert_equal "$stderr" ""
  assert_equal "$status" 0
  assert_size "$f" "$len"
  assert_equal "$(mapped_bytes "$f" 0 "$len")" "$len"
  # Nearly nothing is left, even for root.
  sync -f "$d"
  (($(stat -f -c '%f * %S' -- "$d") < 256 * 1024)) ||
    fail "$(stat -f -c '%f' -- "$d") blocks still free"
}

# enospc_prealloc FS: a 16 MiB file with 4 MiB preallocated at 2 MiB and
# 1 MiB of data; allocating 100 MiB fails and the file is as before: the
# preallocated space stays allocated (tmpfs: as pages, checked before;
# elsewhere as unwritten extents, checked before and after).
enospc_prealloc() {
  require_fs "$1"
  local d f fp before
  d=$(tdir "$1")
  f=$d/pre
  make_file_with "$f" size:16M prealloc:2M:4M data:8M:1M
  fp=$(file_state "$f")
  if [[ $1 == tmpfs ]]; then
    assert_equal "$(alloc_bytes "$f")" $((5 * MiB))
  else
    assert_equal "$(mapped_bytes "$f" $((2 * MiB)) $((4 * MiB)) unwritten)" $((4 * MiB))
  fi
  before=$(avail "$d")
  run "$FALLOCATE" -l 100M "$f"
  assert_failure
  [[ $1 == tmpfs ]] || evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
  if [[ $1 != tmpfs ]]; then
    assert_equal "$(mapped_bytes "$f" $((2 * MiB)) $((4 * MiB)) unwritten)" $((4 * MiB))
  fi
  assert_avail_near "$d" "$before"
}

@test "ENOSPC on ext4: preallocated (unwritten) extents of the file stay allocated" { enospc_prealloc ext4; }
@test "ENOSPC on tmpfs: preallocated pages of the file stay allocated" { enospc_prealloc tmpfs; }

@test "ENOSPC on one FILE of several: the others keep their allocation, the failed one is removed" {
  require_fs ext4
  local d before
  d=$(tdir ext4)
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" -v -l 36M "$d/a" "$d/b" "$d/c"
  assert_equal "$status" 1
  assert_equal "$output" "$d/a: 36 MiB (37748736 bytes) allocated."
  assert_equal "$stderr" "fallocate: '$d/b': cannot allocate: No space left on device
fallocate: '$d/c': cannot allocate: No space left on device"
  assert_size "$d/a" $((36 * MiB))
  assert_alloc_between "$d/a" $((36 * MiB)) $((36 * MiB + MiB))
  assert_file_not_exists "$d/b"
  assert_file_not_exists "$d/c"
  # Only a's space is gone.
  local now=$(avail "$d")
  ((before - now >= 36 * MiB && before - now <= 37 * MiB)) ||
    fail "free space went from $before to $now"
}

# ---------------------------------------------------------------------------
# EFBIG: RLIMIT_FSIZE (ulimit -f) with SIGXFSZ ignored makes write(2) fail
# with EFBIG part way through the zero-fill.

# limited KiB ARGS...: run the program with a file size limit of KiB.
limited() {
  local kib=$1
  shift
  run --separate-stderr bash -c 'ulimit -f "$1"; trap "" XFSZ; shift; exec "$@"' \
    limited "$kib" "$FALLOCATE" "$@"
}

@test "EFBIG part way through the zero-fill (ext2): a new file is removed" {
  require_fs ext2
  local d f before
  d=$(tdir ext2)
  f=$d/efbig
  before=$(avail "$d")
  limited 2048 -l 4M "$f"
  assert_error "fallocate: '$f': cannot allocate: File too large"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

@test "EFBIG part way through the zero-fill (ext2): an existing file keeps its size and holes" {
  require_fs ext2
  local d f fp
  d=$(tdir ext2)
  f=$d/efbig
  make_file_with "$f" size:1536K data:0:64K data:1M:64K
  fp=$(file_state "$f")
  # Its holes below the limit are filled first, then writing past 2 MiB fails.
  limited 2048 -l 4M "$f"
  assert_error "fallocate: '$f': cannot allocate: File too large"
  evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
}

# ---------------------------------------------------------------------------
# Signals and a broken lease during a long zero-fill (400 MiB on ext2).

# start_slowed FILE ARGS...: run the program with ARGS, each of its writes
# taking at least 0.1 s (so a 400 MiB zero-fill, 8 MiB a write, takes
# 5 s or more), and wait until FILE's allocation grows.
start_slowed() {
  local f=$1 base deadline
  shift
  base=$(stat -c %b -- "$f" 2>/dev/null || echo 0)
  delayed pwritev 100000
  slowed "$@"
  deadline=$((SECONDS + 60))
  while (($(stat -c %b -- "$f" 2>/dev/null || echo 0) <= base)); do
    job_running "$TRACER" || fail "the program ended before it wrote: $(cat "$BATS_TEST_TMPDIR/err")"
    ((SECONDS < deadline)) || fail "the program did not start writing within 60 s"
    sleep 0.01
  done
}

# stopped_at CALL WHEN: set DELAYED (as `delayed` does) to a command
# prefix under which the WHEN-th CALL system call (strace's when= syntax:
# 1, or 1..2 for the first two) sends the command a SIGSTOP on entry: it
# stops as the call returns, and stays stopped, whatever the load, until
# it gets SIGCONT.
stopped_at() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  DELAYED=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null
           -e signal=none -e trace="$1" -e inject="$1":signal=STOP:when="$2" --)
}

# syscall_nr CALL: the number of system call CALL on this machine.
syscall_nr() { perl -e 'require "syscall.ph"; print &{"SYS_$ARGV[0]"}(), "\n"' "$1"; }

# held_in CALL [FILE [go]]: wait (60 s at most) until the program (PID)
# is in system call CALL (on a descriptor of FILE), as /proc/PID/syscall
# tells.  With go, send it SIGCONT whenever it is in CALL on another file
# meanwhile, to let it go on from a stop there to the next.
held_in() {
  local nr call fd file deadline=$((SECONDS + 60))
  nr=$(syscall_nr "$1")
  while :; do
    read -r call fd _ 2>/dev/null <"/proc/$PID/syscall" || call=
    if [[ $call == "$nr" ]]; then
      file=$(readlink "/proc/$PID/fd/$((fd))" 2>/dev/null) || file=
      [[ -z ${2:-} || $file == "$2" ]] && return 0
      [[ ${3:-} != go ]] || kill -CONT "$PID" 2>/dev/null || true
    fi
    job_running "$TRACER" ||
      fail "the program ended before it called $1${2:+ on $2}: $(cat "$BATS_TEST_TMPDIR/err")"
    ((SECONDS < deadline)) || fail "the program did not call $1${2:+ on $2} within 60 s"
    sleep 0.01
  done
}

# lease_breaking: wait (60 s at most) until /proc/locks shows the lease of
# the program (PID) being broken.
lease_breaking() {
  local deadline=$((SECONDS + 60))
  until grep -q "LEASE  *BREAKING .* $PID " /proc/locks; do
    ((SECONDS < deadline)) || fail "the lease was not broken within 60 s: $(grep LEASE /proc/locks)"
    sleep 0.01
  done
}

# finish_held SIGNAL: send SIGNAL to the program held by `stopped_at`
# (none if SIGNAL is empty), let it go on (SIGCONT, again until it ends:
# the stop may come after the first), and set status, output, stderr and
# stderr_lines as finish_with does.
finish_held() {
  local deadline=$((SECONDS + 60))
  [[ -z $1 ]] || kill -"$1" "$PID"
  while job_running "$TRACER" && ((SECONDS < deadline)); do
    kill -CONT "$PID" 2>/dev/null || true
    sleep 0.01
  done
  finish_with ""
}

# signal_new SIGNAL NUMBER OPTION...: interrupt a 400 MiB fallback into a
# new file with SIGNAL: the file is removed, and once it has said so, the
# program dies by SIGNAL (exit status 128 + NUMBER).
signal_new() {
  local sig=$1 num=$2
  shift 2
  require_fs bigext2
  local d f before what=allocate
  [[ ${1:-} == -w ]] && what="write zeroes"
  d=$(tdir bigext2)
  f=$d/new
  before=$(avail "$d")
  start_slowed "$f" env --default-signal "$FALLOCATE" "$@" -l 400M "$f"
  # The zeros are still being written.
  (($(file_size "$f") < 400 * MiB)) || fail "too late: $(file_size "$f") bytes written"
  finish_with "$sig"
  assert_equal "$status" $((128 + num))
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: '$f': cannot $what: interrupted by signal $num"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

@test "SIGTERM during the zero-fill: stop, remove the new file, die by it (exit 143)" { signal_new TERM 15; }
@test "SIGINT during the zero-fill: stop, remove the new file, die by it (exit 130)" { signal_new INT 2; }
@test "SIGHUP during the zero-fill: stop, remove the new file, die by it (exit 129)" { signal_new HUP 1; }
@test "SIGTERM during the -w fallback: stop, remove the new file, die by it (exit 143)" { signal_new TERM 15 -w; }

@test "SIGTERM during the zero-fill of an existing file: size, bytes and holes restored" {
  require_fs bigext2
  local d f fp before
  d=$(tdir bigext2)
  f=$d/existing
  make_mixed "$f" $((64 * MiB))
  fp=$(file_state "$f")
  before=$(avail "$d")
  start_slowed "$f" "$FALLOCATE" -l 400M "$f"
  (($(file_size "$f") < 400 * MiB)) || fail "too late"
  finish_with TERM
  assert_equal "$status" 143
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: interrupted by signal 15"
  evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
  assert_avail_near "$d" "$before"
}

@test "rollback keeps what another process wrote into a former hole meanwhile" {
  require_fs bigext2
  local d f data mine
  d=$(tdir bigext2)
  f=$d/shared
  # A 32 MiB hole, then 1 MiB of data.
  rm -f -- "$f"
  head -c $MiB /dev/urandom | dd of="$f" bs=1M seek=32 status=none
  data=$(region_sha256 "$f" $((32 * MiB)) $MiB)
  # --force: no lease, so another writer can get in while the fill runs.
  start_slowed "$f" "$FALLOCATE" --force -l 400M "$f"
  head -c 4096 /dev/urandom >"$BATS_TEST_TMPDIR/mine"
  mine=$(sha "$BATS_TEST_TMPDIR/mine")
  dd if="$BATS_TEST_TMPDIR/mine" of="$f" bs=4096 seek=1 conv=notrunc,fsync \
     status=none
  finish_with TERM
  assert_equal "$status" 143
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: interrupted by signal 15"
  evict "$f"
  assert_size "$f" $((33 * MiB))
  assert_equal "$(region_sha256 "$f" 4096 4096)" "$mine"
  assert_equal "$(region_sha256 "$f" $((32 * MiB)) $MiB)" "$data"
  assert_zeros "$f" 0 4096
  assert_zeros "$f" 8192 $((32 * MiB - 8192))
  # The rest of the former hole is a hole again: 4 KiB + 1 MiB of data.
  assert_equal "$(data_alloc_bytes "$f")" $((MiB + 4096))
}

@test "SIGTERM during -n inside a file (zero-fill): size, bytes and holes restored" {
  require_fs bigext2
  local d f fp before
  d=$(tdir bigext2)
  f=$d/existing
  make_mixed "$f" $((400 * MiB))
  fp=$(file_state "$f")
  before=$(avail "$d")
  start_slowed "$f" "$FALLOCATE" -n -l 400M "$f"
  (($(alloc_bytes "$f") < 390 * MiB)) || fail "too late"
  finish_with TERM
  assert_equal "$status" 143
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: interrupted by signal 15"
  evict "$f"
  assert_equal "$(file_state "$f")" "$fp"
  assert_avail_near "$d" "$before"
}

# The program is stopped at its first write, lease held, so the lease
# stays breaking (the opener waiting) until the test lets it go on.
# The file is new: removed, it would leave the opener with a file without
# a name; it is emptied instead, as it was when created.
@test "another process opening the file breaks the lease: stop, roll back, exit 1; the opener proceeds" {
  require_fs bigext2
  local d f before opener
  d=$(tdir bigext2)
  f=$d/leased
  before=$(avail "$d")
  stopped_at pwritev 1
  slowed "$FALLOCATE" -l 400M "$f"
  held_in pwritev
  # The opener blocks in open(2) until the lease is given back.
  head -c 1 -- "$f" >"$BATS_TEST_TMPDIR/opened" 2>&1 3>&- &
  opener=$!
  lease_breaking
  job_running "$opener" || fail "the opener did not wait for the lease: $(cat "$BATS_TEST_TMPDIR/opened")"
  finish_held ""
  wait_job "$opener" 60 "the opener"
  ((JOB_STATUS == 0)) || fail "the opener failed: $(cat "$BATS_TEST_TMPDIR/opened")"
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: another process opened or truncated the file; stopped and rolled back
fallocate: warning: '$f': not removed: another process is opening it; emptied instead"
  assert_size "$f" 0
  assert_equal "$(alloc_bytes "$f")" 0
  assert_avail_near "$d" "$before"
}

# A signal that comes once the zeros are written, while the file is being
# synced, lets the program finish that file (its fsync delayed by 1 s) and
# skips the FILEs after it; then it dies by the signal.
@test "a signal during the final fsync: the file is kept whole, the next FILE skipped, exit 143" {
  require_fs bigext2
  local d f g deadline
  d=$(tdir bigext2)
  f=$d/late
  g=$d/next
  delayed fsync 1000000
  slowed env --default-signal "$FALLOCATE" -l 400M "$f" "$g"
  deadline=$((SECONDS + 60))
  while (($(stat -c %s -- "$f" 2>/dev/null || echo 0) < 400 * MiB)); do
    job_running "$TRACER" || fail "the program ended first: $(cat "$BATS_TEST_TMPDIR/err")"
    ((SECONDS < deadline)) || fail "the zeros were not written within 60 s"
    sleep 0.01
  done
  # Inside the delayed fsync of the file.
  held_in fsync "$f"
  finish_with TERM
  assert_equal "$status" 143
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: interrupted by signal 15; 1 file not processed"
  evict "$f"
  assert_size "$f" $((400 * MiB))
  assert_equal "$(mapped_bytes "$f" 0 $((400 * MiB)))" $((400 * MiB))
  assert_file_not_exists "$g"
}

# A signal during the first of two FILEs: the first is rolled back, the
# second is not touched, and the program dies by the signal.  The program
# is stopped at its first write, and signalled there.
@test "SIGTERM during the first of two FILEs: the second is left untouched, exit 143" {
  require_fs bigext2
  local d f g before
  d=$(tdir bigext2)
  f=$d/first
  g=$d/second
  make_mixed "$g" $((16 * MiB))
  touch -d '2001-02-03 04:05:06' "$g"
  before="$(file_state "$g") $(stat -c %y "$g")"
  stopped_at pwritev 1
  slowed env --default-signal "$FALLOCATE" -l 400M "$f" "$g"
  held_in pwritev
  finish_held TERM
  assert_equal "$status" 143
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: interrupted by signal 15
fallocate: interrupted by signal 15; 1 file not processed"
  assert_file_not_exists "$f"
  evict "$g"
  assert_equal "$(file_state "$g") $(stat -c %y "$g")" "$before"
}

# The cause of a stop is the file's own: after a lease break on the first
# FILE (as in the lease test above), SIGINT during the zero-fill of the
# second is reported as the signal.  The program is stopped at its first
# write into each.
@test "a lease break on the first FILE, then SIGINT during the second: the second says signal 2, exit 130" {
  require_fs bigext2
  local d f g opener
  d=$(tdir bigext2)
  f=$d/first
  g=$d/second
  stopped_at pwritev 1..2
  slowed env --default-signal "$FALLOCATE" -l 32M "$f" "$g"
  held_in pwritev "$f"
  head -c 1 -- "$f" >"$BATS_TEST_TMPDIR/opened" 2>&1 3>&- &
  opener=$!
  lease_breaking
  held_in pwritev "$g" go
  finish_held INT
  wait_job "$opener" 60 "the opener"
  ((JOB_STATUS == 0)) || fail "the opener failed: $(cat "$BATS_TEST_TMPDIR/opened")"
  assert_equal "$output" ""
  assert_equal "${stderr_lines[0]}" "fallocate: '$f': cannot allocate: another process opened or truncated the file; stopped and rolled back"
  # (The new first FILE is emptied, not removed, for its opener.)
  assert_equal "${stderr_lines[1]}" "fallocate: warning: '$f': not removed: another process is opening it; emptied instead"
  assert_equal "${stderr_lines[2]}" "fallocate: '$g': cannot allocate: interrupted by signal 2"
  assert_equal "${#stderr_lines[@]}" 3
  assert_equal "$status" 130
  assert_size "$f" 0
  assert_file_not_exists "$g"
}

@test "--progress on a terminal shows the zero-fill's progress" {
  require_fs bigext2
  local d f log rc=0
  d=$(tdir bigext2)
  f=$d/progress
  log=$BATS_TEST_TMPDIR/typescript
  # script(1) gives the program a terminal; each 8 MiB write is held back
  # 0.25 s, longer than the 0.2 s between two progress lines.
  delayed pwritev 250000
  timeout 120 script -qfec "$(printf '%q ' "${DELAYED[@]}" "$FALLOCATE" --progress -l 64M "$f")" \
    "$log" </dev/null >/dev/null 3>&- || rc=$?
  ((rc != 124)) || fail "the zero-fill under script(1) did not end within 120 s"
  ((rc == 0)) || fail "script(1) or the zero-fill failed, exit status $rc: $(cat "$log" 2>/dev/null)"
  assert_progress_drawn "$log" "$f" "64 MiB"
  evict "$f"
  assert_size "$f" $((64 * MiB))
  assert_equal "$(mapped_bytes "$f" 0 $((64 * MiB)))" $((64 * MiB))
}
