#!/usr/bin/env bats
# Real faults (issue 8, "Real faults"): the errors a failing disk, a full
# filesystem, a quota, a read-only mount, file attributes, permissions, a
# running executable, a swap file in use and another process acting on
# the file give.  Each ends in exit 1 with one line naming the file and
# the cause, and leaves the filesystem as it was: bytes (sha256), size,
# data allocation, free space (within 1 MiB), and the mtime where the
# operation wrote no data.
#
# EIO and EDQUOT (this kernel has neither device-mapper nor quotas) are
# injected with strace(1) at the N-th read or write, N found by counting
# the calls of a run on a file of the same layout first.
#
# Left to other files (not repeated here):
#   - ENOSPC rows already in rollback.bats (new: ext4, ext2, xfs, tmpfs
#     mode 0; ext4 and ext2 -x and -w; existing: ext4, ext2, xfs, tmpfs
#     mode 0; ext4 -n, -x, -z, -w; ext2 -n, -z, -w; tmpfs -z), in
#     rollback-safety.bats (-z on ext4 variants and xfs) and unshare.bats
#     (-u out of space on a reflink xfs); -n, -z on a missing file are
#     refused without creating it (errors.bats);
#   - EACCES for mode 0 and -p (errors.bats);
#   - pwritev returning 0 and ENOSYS (faults.bats);
#   - a truncate(2) during -d (dig.bats), a rename over a new file after
#     the kernel's ENOSPC (create.bats), a concurrent appender
#     (rollback-safety.bats), a lease break by an open (rollback.bats);
#   - closed standard descriptors (stdfds.bats), block devices (device.bats).

load "$TESTS_SRCDIR/helpers/common"

# Small filesystems, to run out of space; "rofs" is remounted read-only.
setup_file() {
  FS_IMAGE_MIB[ext4]=64
  FS_IMAGE_MIB[ext2]=64
  FS_IMAGE_MIB[tmpfs]=64
  FS_KIND[rofs]=ext4
  FS_IMAGE_MIB[rofs]=64
  fs_setup_file ext4 ext2 xfs btrfs tmpfs rofs
}

setup() {
  check_fallocate_built
  PID= TRACER= SLEEPER= SWAP= ATTR= FAILFS=
}

teardown() {
  end_slowed
  if [[ -n $SLEEPER ]]; then
    kill -KILL "$SLEEPER" 2>/dev/null || true
    wait "$SLEEPER" 2>/dev/null || true
  fi
  [[ -z $SWAP ]] || swapoff -- "$SWAP" 2>/dev/null || true
  if [[ -n $FAILFS ]] && mountpoint -q "$FAILFS"; then
    umount "$FAILFS" || umount -l "$FAILFS"
  fi
  [[ -z $ATTR ]] || chattr -i -a -- "$ATTR" 2>/dev/null || true
  if fs_available rofs && findmnt -n -o OPTIONS -- "$(fs_dir rofs)" | grep -q '^ro'; then
    mount -o remount,rw -- "$(fs_dir rofs)"
  fi
  fs_test_cleanup
}

# state F: file_state of F and its mtime (to the nanosecond).
state() { printf '%s %s\n' "$(file_state "$1")" "$(stat -c %.9Y -- "$1")"; }

# file_state_of STATE: the file_state part of what `state` printed.
file_state_of() { cut -d' ' -f1-3 <<<"$1"; }

# strace_cmd [PATH]: set STRACE to a strace(1) prefix that traces only
# the calls named by -e options added after it, on PATH alone if given
# (an absolute path, the name of an existing file).
strace_cmd() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  STRACE=(timeout -k 5 60 env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e signal=none)
  [[ -z ${1:-} ]] || STRACE+=(-P "$1")
}

# count_calls CALL PATH ARGS...: print how many CALL system calls the
# program with ARGS makes (on PATH only, unless PATH is empty); it must
# succeed.  The dry run that tells N for the injection.
count_calls() {
  local call=$1 log=$BATS_TEST_TMPDIR/count
  strace_cmd "$2"
  shift 2
  "${STRACE[@]}" -o "$log" -e trace="$call" -- "$FALLOCATE" "$@" >/dev/null ||
    { fail "the dry run failed: fallocate $*"; return 1; }
  grep -c " $call(" "$log"
}

# nth WHICH N: 1, the middle one or N for WHICH first, middle, last.
nth() {
  case $1 in
    first) echo 1 ;;
    middle) echo $((($2 + 1) / 2)) ;;
    last) echo "$2" ;;
  esac
}

# injected INJECT PATH ARGS...: run the program with ARGS (`run
# --separate-stderr`) under strace with -e inject=INJECT (CALL:...), the
# calls counted and changed on PATH only unless PATH is empty; fail if it
# runs for more than 60 s.
injected() {
  local call=${1%%:*} inject=$1
  strace_cmd "$2"
  shift 2
  run --separate-stderr "${STRACE[@]}" -o /dev/null -e trace="$call" \
    -e inject="$inject" -- "$FALLOCATE" "$@"
  ((status != 124 && status != 137)) || fail "still running after 60 s ($inject)"
}

# ---------------------------------------------------------------------------
# EIO from the reads of -d and -r.

# MIX: 8 MiB, 1 MiB of random data then 1 MiB of written zeros, 4 times:
# -d and -r read it in 8 reads of 1 MiB.
MIX=(data:0:1M zero:1M:1M data:2M:1M zero:3M:1M data:4M:1M zero:5M:1M data:6M:1M zero:7M:1M)

# eio_read WHICH WHAT OPTION: -d or -r (OPTION) on MIX on ext4 with the
# WHICH (first, middle, last) of its reads on the file failing with EIO:
# "cannot WHAT: Input/output error"; size, bytes and mtime as before, and
# nothing punched from the failed read on; every data MiB still mapped.
eio_read() {
  local which=$1 what=$2 opt=$3 f dry n k before
  require_fs ext4
  f=$(new_file ext4)
  dry=$(new_file ext4 dry)
  make_file_with "$f" "${MIX[@]}"
  make_file_with "$dry" "${MIX[@]}"
  drop_caches
  n=$(count_calls pread64 "$dry" "$opt" "$dry")
  ((n == 8)) || fail "the dry run read $n times, not 8"
  k=$(nth "$which" "$n")
  before=$(state "$f")
  drop_caches
  injected "pread64:error=EIO:when=$k" "$f" "$opt" "$f"
  assert_error "fallocate: '$f': cannot $what: Input/output error"
  evict "$f"
  # Bytes and size; the allocation is checked below, and the mtime
  # where nothing was punched (a punch sets it, as in a dig that works).
  assert_equal "$(sha "$f") $(file_size "$f")" \
    "$(cut -d' ' -f3 <<<"$before") $(cut -d' ' -f1 <<<"$before")"
  local i
  for ((i = 0; i < 8; i += 2)); do
    assert_equal "$(mapped_bytes "$f" $((i * MiB)) $MiB)" $MiB
  done
  assert_equal "$(mapped_bytes "$f" $(((k - 1) * MiB)) $(((9 - k) * MiB)))" $(((9 - k) * MiB))
  [[ $opt == -d && $which != first ]] || assert_equal "$(state "$f")" "$before"
}

@test "EIO at the first read of -d: one line, the file as it was" { eio_read first "dig holes" -d; }
@test "EIO at a middle read of -d: one line, bytes kept, nothing punched from there on" { eio_read middle "dig holes" -d; }
@test "EIO at the last read of -d: one line, bytes kept, nothing punched from there on" { eio_read last "dig holes" -d; }
@test "EIO at the first read of -r: one line, the file as it was" { eio_read first "report holes" -r; }
@test "EIO at a middle read of -r: one line, the file as it was" { eio_read middle "report holes" -r; }
@test "EIO at the last read of -r: one line, the file as it was" { eio_read last "report holes" -r; }

# ---------------------------------------------------------------------------
# EIO (and EDQUOT) from the writes of the zero-fill and of -w.

# The zero writer writes 8 MiB a call: 24 MiB of holes take 3 writes.

# write_fault_new ERR MESSAGE WHICH: mode 0 of 24 MiB into a new file on
# ext2 (the zero-fill), the WHICH of its writes failing with ERR: "cannot
# allocate: MESSAGE", the file removed, the free space back.
write_fault_new() {
  local err=$1 msg=$2 which=$3 d f dry n before
  require_fs ext2
  d=$(tdir ext2)
  f=$d/new
  dry=$d/dry
  n=$(count_calls pwritev "" -l 24M "$dry")
  rm -f -- "$dry"
  ((n >= 3)) || fail "the dry run wrote $n times"
  before=$(avail "$d")
  injected "pwritev:error=$err:when=$(nth "$which" "$n")" "" -l 24M "$f"
  assert_error "fallocate: '$f': cannot allocate: $msg"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

# write_fault_existing ERR MESSAGE WHICH WHAT FS OPTION...: OPTION... over
# 24 MiB of holes of a 30 MiB file (1 MiB of data at 0 and at 29 MiB) on
# FS, the WHICH of its writes failing with ERR: "cannot WHAT: MESSAGE";
# size, bytes, allocation, free space as before, and the mtime, but where
# -w wrote zeros before the failure (the mtime of a write).
write_fault_existing() {
  local err=$1 msg=$2 which=$3 what=$4 fs=$5 d f dry n before space
  shift 5
  require_fs "$fs"
  d=$(tdir "$fs")
  f=$d/existing
  dry=$d/dry
  make_file_with "$f" data:0:1M size:30M data:29M:1M
  make_file_with "$dry" data:0:1M size:30M data:29M:1M
  n=$(count_calls pwritev "" "$@" "$dry")
  rm -f -- "$dry"
  ((n >= 3)) || fail "the dry run wrote $n times"
  before=$(state "$f")
  space=$(avail "$d")
  injected "pwritev:error=$err:when=$(nth "$which" "$n")" "" "$@" "$f"
  assert_error "fallocate: '$f': cannot $what: $msg"
  evict "$f"
  if [[ $1 == -w && $which != first ]]; then
    assert_equal "$(file_state "$f")" "$(file_state_of "$before")"
  else
    assert_equal "$(state "$f")" "$before"
  fi
  assert_avail_near "$d" "$space"
}

@test "EIO at the first write of the zero-fill (ext2), new file: removed, space back" { write_fault_new EIO "Input/output error" first; }
@test "EIO at a middle write of the zero-fill (ext2), new file: removed, space back" { write_fault_new EIO "Input/output error" middle; }
@test "EIO at the last write of the zero-fill (ext2), new file: removed, space back" { write_fault_new EIO "Input/output error" last; }
@test "EIO at the first write of the zero-fill (ext2), existing file: as before" { write_fault_existing EIO "Input/output error" first allocate ext2 -o 1M -l 24M; }
@test "EIO at a middle write of the zero-fill (ext2), existing file: as before" { write_fault_existing EIO "Input/output error" middle allocate ext2 -o 1M -l 24M; }
@test "EIO at the last write of the zero-fill (ext2), existing file: as before" { write_fault_existing EIO "Input/output error" last allocate ext2 -o 1M -l 24M; }
@test "EIO at the first write of -w (ext4) over holes: as before" { write_fault_existing EIO "Input/output error" first "write zeroes" ext4 -w -o 1M -l 24M; }
@test "EIO at a middle write of -w (ext4) over holes: as before" { write_fault_existing EIO "Input/output error" middle "write zeroes" ext4 -w -o 1M -l 24M; }
@test "EIO at the last write of -w (ext4) over holes: as before" { write_fault_existing EIO "Input/output error" last "write zeroes" ext4 -w -o 1M -l 24M; }

# ---------------------------------------------------------------------------
# EDQUOT

@test "EDQUOT from fallocate(2) (ext4), new file: removed, the message says the quota" {
  require_fs ext4
  local d f before
  d=$(tdir ext4)
  f=$d/new
  before=$(avail "$d")
  injected "fallocate:error=EDQUOT" "" -l 8M "$f"
  assert_error "fallocate: '$f': cannot allocate: Disk quota exceeded"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

# The last fallocate(2) of a successful run is the allocation itself,
# after the reservation: failing it makes the program give the
# reservation back.
@test "EDQUOT from the last fallocate(2) (ext4), existing file: restored, the message says the quota" {
  require_fs ext4
  local d f dry n before space
  d=$(tdir ext4)
  f=$d/existing
  dry=$d/dry
  make_file_with "$f" data:0:1M size:4M data:3M:1M
  make_file_with "$dry" data:0:1M size:4M data:3M:1M
  n=$(count_calls fallocate "$dry" -l 12M "$dry")
  ((n >= 1)) || fail "the dry run made no fallocate(2) call"
  before=$(state "$f")
  space=$(avail "$d")
  injected "fallocate:error=EDQUOT:when=$n" "$f" -l 12M "$f"
  assert_error "fallocate: '$f': cannot allocate: Disk quota exceeded"
  evict "$f"
  assert_equal "$(state "$f")" "$before"
  assert_avail_near "$d" "$space"
}

@test "EDQUOT at a middle write of the zero-fill (ext2), new file: removed, the message says the quota" { write_fault_new EDQUOT "Disk quota exceeded" middle; }
@test "EDQUOT at a middle write of the zero-fill (ext2), existing file: restored, the message says the quota" { write_fault_existing EDQUOT "Disk quota exceeded" middle allocate ext2 -o 1M -l 24M; }

# ---------------------------------------------------------------------------
# ENOSPC, one row per (filesystem, operation, new or existing file) that
# the files named at the top do not already have.

# enospc FS new|existing WHAT OPTION...: OPTION... of 400 MiB (more than
# the filesystem holds) on a new file, or on a 16 MiB existing one (1 MiB
# of data at 0 and at 8 MiB, holes between), fails: "cannot WHAT: No space
# left on device"; the new file is gone, the existing one as it was (size,
# bytes, allocation, mtime); the free space back.
enospc() {
  local fs=$1 kind=$2 what=$3 d f before space
  shift 3
  require_fs "$fs"
  d=$(tdir "$fs")
  f=$d/$kind
  [[ $kind == new ]] || make_file_with "$f" data:0:1M size:16M data:8M:1M
  before=$( [[ $kind == new ]] && echo absent || state "$f")
  space=$(avail "$d")
  run --separate-stderr "$FALLOCATE" "$@" "$f"
  assert_error "fallocate: '$f': cannot $what: No space left on device"
  if [[ $kind == new ]]; then
    assert_file_not_exists "$f"
  else
    evict "$f"
    assert_equal "$(state "$f")" "$before"
  fi
  assert_avail_near "$d" "$space"
}

@test "ENOSPC: btrfs, mode 0, new file"      { enospc btrfs new allocate -l 400M; }
@test "ENOSPC: btrfs, mode 0, existing file" { enospc btrfs existing allocate -l 400M; }
@test "ENOSPC: btrfs, -n, existing file"     { enospc btrfs existing allocate -n -o 1M -l 400M; }
@test "ENOSPC: btrfs, -x, new file"          { enospc btrfs new allocate -x -l 400M; }
@test "ENOSPC: btrfs, -x, existing file"     { enospc btrfs existing allocate -x -l 400M; }
@test "ENOSPC: btrfs, -z, existing file"     { enospc btrfs existing "zero range" -z -o 16M -l 400M; }
@test "ENOSPC: btrfs, -w, new file"          { enospc btrfs new "write zeroes" -w -l 400M; }
@test "ENOSPC: btrfs, -w, existing file"     { enospc btrfs existing "write zeroes" -w -l 400M; }
@test "ENOSPC: xfs, -n, existing file"       { enospc xfs existing allocate -n -o 1M -l 400M; }
@test "ENOSPC: xfs, -x, new file"            { enospc xfs new allocate -x -l 400M; }
@test "ENOSPC: xfs, -x, existing file"       { enospc xfs existing allocate -x -l 400M; }
@test "ENOSPC: xfs, -w, new file"            { enospc xfs new "write zeroes" -w -l 400M; }
@test "ENOSPC: xfs, -w, existing file"       { enospc xfs existing "write zeroes" -w -l 400M; }
@test "ENOSPC: ext2, -x, existing file"      { enospc ext2 existing allocate -x -l 400M; }
@test "ENOSPC: ext2, -z past EOF, existing file" { enospc ext2 existing "zero range" -z -o 16M -l 400M; }
@test "ENOSPC: tmpfs, -n, existing file"     { enospc tmpfs existing allocate -n -o 1M -l 400M; }
@test "ENOSPC: tmpfs, -x, new file"          { enospc tmpfs new allocate -x -l 400M; }
@test "ENOSPC: tmpfs, -x, existing file"     { enospc tmpfs existing allocate -x -l 400M; }
@test "ENOSPC: tmpfs, -w, new file"          { enospc tmpfs new "write zeroes" -w -l 400M; }
@test "ENOSPC: tmpfs, -w, existing file"     { enospc tmpfs existing "write zeroes" -w -l 400M; }

# ---------------------------------------------------------------------------
# EROFS, EPERM, EACCES, ETXTBSY, a swap file in use: refused at the open
# or by the kernel, and nothing changes.

# refused F MESSAGE OPTION...: the program with OPTION... on F prints
# exactly MESSAGE, exits 1, and F is as it was.
refused() {
  local f=$1 msg=$2 before
  shift 2
  before=$(state "$f")
  run --separate-stderr "$FALLOCATE" "$@" "$f"
  assert_error "$msg"
  evict "$f"
  assert_equal "$(state "$f")" "$before"
}

@test "EROFS: on a read-only remount, mode 0, -p, -z, -w and -d are refused; nothing is created" {
  require_fs rofs
  local d f opts
  d=$(tdir rofs)
  f=$d/f
  make_file_with "$f" data:0:1M size:4M data:3M:1M
  mount -o remount,ro -- "$(fs_dir rofs)"
  for opts in "-l 8M" "-p -l 1M" "-z -l 1M" "-w -l 1M" "-d"; do
    # shellcheck disable=SC2086
    refused "$f" "fallocate: cannot open '$f': Read-only file system" $opts
  done
  run --separate-stderr "$FALLOCATE" -l 1M "$d/new"
  assert_error "fallocate: cannot open '$d/new': Read-only file system"
  assert_file_not_exists "$d/new"
}

@test "EPERM: chattr +i: mode 0, -p, -z and -d are refused, the file as it was" {
  require_fs ext4
  local f opts
  f=$(new_file ext4)
  make_file_with "$f" data:0:1M size:4M data:3M:1M
  ATTR=$f
  chattr +i -- "$f"
  for opts in "-l 8M" "-p -l 1M" "-z -l 1M" "-d"; do
    # shellcheck disable=SC2086
    refused "$f" "fallocate: cannot open '$f': Operation not permitted" $opts
  done
}

@test "EPERM: chattr +a: -p and -c are refused, the file as it was" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" data:0:4M
  ATTR=$f
  chattr +a -- "$f"
  refused "$f" "fallocate: cannot open '$f': Operation not permitted" -p -l 1M
  refused "$f" "fallocate: cannot open '$f': Operation not permitted" -c -l 1M
}

@test "EACCES: nobody cannot -z, -w or -d a file it may not write" {
  require_fs ext4
  local d f bin opts
  d=$(tdir ext4)
  f=$d/f
  make_file_with "$f" data:0:1M size:4M data:3M:1M
  chmod 0644 "$f"
  chmod 0755 "$d"
  bin=$(private_fallocate)
  for opts in "-z -l 1M" "-w -l 1M" "-d"; do
    before=$(state "$f")
    # shellcheck disable=SC2086
    run_as_nobody "$bin" $opts "$f"
    assert_equal "$status" 1
    assert_output "fallocate: cannot open '$f': Permission denied"
    assert_equal "$(state "$f")" "$before"
  done
}

@test "ETXTBSY: -p and -z on a running executable are refused, the executable as it was" {
  require_fs ext4
  local exe i
  exe=$(new_file ext4 sleep)
  cp /bin/sleep "$exe"
  sync -- "$exe"
  timeout 60 "$exe" 60 &
  SLEEPER=$!
  # timeout's child runs the copy: wait until some process does.
  for ((i = 0; i < 1000; i++)); do
    for p in /proc/[0-9]*; do
      [[ $(readlink "$p/exe" 2>/dev/null) == "$exe" ]] && break 2
    done
    sleep 0.01
  done
  ((i < 1000)) || fail "$exe did not start within 10 s"
  refused "$exe" "fallocate: cannot open '$exe': Text file busy" -p -l 4096
  refused "$exe" "fallocate: cannot open '$exe': Text file busy" -z -l 4096
}

@test "a swap file in use: -p, -c, -z are refused (Text file busy), the file as it was" {
  require_fs ext4
  local f
  f=$(new_file ext4 swap)
  make_file_with "$f" zero:0:16M
  chmod 0600 "$f"
  mkswap -- "$f" >/dev/null
  swapon -- "$f"
  SWAP=$f
  refused "$f" "fallocate: '$f': cannot punch hole: Text file busy" -p -o 1M -l 1M
  refused "$f" "fallocate: '$f': cannot collapse range: Text file busy" -c -o 1M -l 1M
  refused "$f" "fallocate: '$f': cannot zero range: Text file busy" -z -o 1M -l 1M
}

# ---------------------------------------------------------------------------
# Another process removes, renames over or truncates the file while the
# program is held (strace) in the middle of -d or of a fallback.

# dig_held F: start -d on F and hold it at its first fallocate(2) on F
# (the punch probe, before any hole is punched).  Until it is let go,
# nothing may open F: that would break its lease.
dig_held() {
  held fallocate "$1"
  slowed "$FALLOCATE" -d "$1"
  wait_held
}

@test "-d: the file renamed over meanwhile: the new file untouched, the old one dug, bytes kept" {
  require_fs ext4
  local d f other sum ostate
  d=$(tdir ext4)
  f=$d/f
  other=$d/other
  make_file_with "$other" data:0:1M zero:1M:1M
  ostate=$(file_state "$other")
  make_file_with "$f" "${MIX[@]}"
  ln -- "$f" "$d/old"
  sum=$(sha "$f")
  dig_held "$f"
  mv -- "$other" "$f"
  assert_still_held
  finish_within 20
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  evict "$f"
  assert_equal "$(file_state "$f")" "$ostate"
  evict "$d/old"
  assert_equal "$(sha "$d/old")" "$sum"
  assert_equal "$(data_alloc_bytes "$d/old")" $((4 * MiB))
}

@test "-d: the file removed meanwhile: dug all the same, bytes kept, no error" {
  require_fs ext4
  local d f sum
  d=$(tdir ext4)
  f=$d/f
  make_file_with "$f" "${MIX[@]}"
  ln -- "$f" "$d/old"
  sum=$(sha "$f")
  dig_held "$f"
  rm -- "$f"
  assert_still_held
  finish_within 20
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_file_not_exists "$f"
  evict "$d/old"
  assert_equal "$(sha "$d/old")" "$sum"
  assert_equal "$(data_alloc_bytes "$d/old")" $((4 * MiB))
}

# failing_write N: set DELAYED to a strace prefix under which the N-th
# pwritev(2) fails with EIO and is held 5 s first (logged "(DELAYED)").
failing_write() {
  held pwritev
  DELAYED=("${DELAYED[@]/delay_exit=5000000:when=1/error=EIO:delay_exit=5000000:when=$1}")
}

@test "zero-fill (ext2) of a new file failing after it was renamed over: the other file kept, a warning" {
  require_fs ext2
  local d f other ostate ino before
  d=$(tdir ext2)
  f=$d/new
  other=$d/other
  make_file_with "$other" data:0:1M
  ostate=$(file_state "$other")
  ino=$(stat -c %i -- "$other")
  before=$(avail "$d")
  failing_write 2
  slowed "$FALLOCATE" -l 24M "$f"
  wait_held
  mv -- "$other" "$f"
  assert_still_held
  finish_within 20
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: Input/output error
fallocate: warning: '$f': not removed: the name no longer refers to the file this run created"
  assert_equal "$(stat -c %i -- "$f")" "$ino"
  assert_equal "$(file_state "$f")" "$ostate"
  assert_avail_near "$d" "$before"
}

@test "zero-fill (ext2) of a new file failing after it was removed: one line, nothing left, space back" {
  require_fs ext2
  local d f before
  d=$(tdir ext2)
  f=$d/new
  before=$(avail "$d")
  failing_write 2
  slowed "$FALLOCATE" -l 24M "$f"
  wait_held
  rm -- "$f"
  assert_still_held
  finish_within 20
  assert_error "fallocate: '$f': cannot allocate: Input/output error"
  assert_file_not_exists "$f"
  assert_avail_near "$d" "$before"
}

@test "zero-fill (ext2) of an existing file truncated meanwhile: stopped, rolled back, the new size kept" {
  require_fs ext2
  local d f head before deadline rc=0 tpid
  d=$(tdir ext2)
  f=$d/existing
  make_file_with "$f" data:0:1M size:30M
  head=$(region_sha256 "$f" 0 $MiB)
  before=$(avail "$d")
  held pwritev
  slowed "$FALLOCATE" -l 40M "$f"
  wait_held
  # truncate(2) by path waits in the kernel for the program's lease.
  timeout 60 perl -e 'truncate ($ARGV[0], 48 << 20) or die "truncate: $!\n"' "$f" &
  tpid=$!
  deadline=$((SECONDS + 20))
  until grep -q "LEASE  *BREAKING .* $PID " /proc/locks; do
    ((SECONDS < deadline)) || fail "the truncate did not break the lease within 20 s"
    sleep 0.01
  done
  assert_still_held
  finish_within 20
  wait_job "$tpid" 60 "the truncate"
  assert_equal "$JOB_STATUS" 0
  assert_error "fallocate: '$f': cannot allocate: another process opened or truncated the file; stopped and rolled back"
  evict "$f"
  assert_size "$f" $((48 * MiB))
  assert_equal "$(region_sha256 "$f" 0 $MiB)" "$head"
  assert_zeros "$f" $MiB $((47 * MiB))
  assert_equal "$(data_alloc_bytes "$f")" $MiB
  assert_avail_near "$d" "$before"
}

# ---------------------------------------------------------------------------
# A filesystem that really fails: failfs (tests/helpers/failfs.py), a FUSE
# passthrough over a directory of the ext4 whose reads and writes fail
# with EIO over a chosen range of bytes.  Like many FUSE filesystems it
# has no fallocate(2) and no FIEMAP: allocation is the zero-fill.

# failfs READ WRITE: mount failfs at FAILFS over SRC (a fresh directory
# on the ext4), reads failing over READ and writes over WRITE
# ("START:END" in bytes, or empty).
failfs() {
  require_fs ext4
  /usr/bin/python3 -c 'import fuse' 2>/dev/null ||
    ci_skip "python3-fuse is not installed"
  SRC=$(tdir ext4)/src
  FAILFS=$BATS_TEST_TMPDIR/failfs
  mkdir -p "$SRC" "$FAILFS"
  FAILFS_READ=$1 FAILFS_WRITE=$2 /usr/bin/python3 \
    "$TESTS_SRCDIR/helpers/failfs.py" "$FAILFS" -o root="$SRC" ||
    fail "failfs did not mount"
}

@test "failfs: a read failing part way through -r: exit 1, one line, the file unchanged" {
  failfs 3145728:3149824 ""
  make_file_with "$SRC/f" data:0:8M
  local before
  before=$(state "$SRC/f")
  run --separate-stderr "$FALLOCATE" -r "$FAILFS/f"
  assert_error "fallocate: '$FAILFS/f': cannot report holes: Input/output error"
  assert_equal "$(state "$SRC/f")" "$before"
}

@test "failfs: a write failing part way through the zero-fill of a new file: removed, space back" {
  failfs "" 2097152:2101248
  local before
  before=$(avail "$SRC")
  run --separate-stderr "$FALLOCATE" -l 4M "$FAILFS/new"
  assert_error "fallocate: '$FAILFS/new': cannot allocate: Input/output error"
  assert_file_not_exists "$SRC/new"
  assert_avail_near "$SRC" "$before"
}

# (The mtime is not compared here: the program puts it back, but FUSE
# then writes its own cached times back to the server, which moves it.)
@test "failfs: a write failing part way through the zero-fill of an existing file: size and bytes back" {
  failfs "" 2097152:2101248
  make_file_with "$SRC/f" data:0:1M
  local before avail_before
  before=$(file_state "$SRC/f")
  avail_before=$(avail "$SRC")
  run --separate-stderr "$FALLOCATE" -l 4M "$FAILFS/f"
  assert_error "fallocate: '$FAILFS/f': cannot allocate: Input/output error"
  assert_equal "$(file_state "$SRC/f")" "$before"
  assert_avail_near "$SRC" "$avail_before"
}
