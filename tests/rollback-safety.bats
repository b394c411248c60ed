#!/usr/bin/env bats
# Rollback safety (issue "Safe everywhere"): the rollback of a failed
# allocation undoes what this run changed and nothing else, and says so
# when it cannot:
#   - a process appending to the file meanwhile loses no line;
#   - a failed --zero-range leaves the bytes as they were;
#   - a failure that changed nothing prints one line and leaves the mtime;
#   - where the filesystem cannot punch holes (bindfs, a FUSE filesystem),
#     a warning names the space left allocated, and a failed -z has not
#     zeroed the data;
#   - a rollback over 20,000 former holes punches each once, with one look
#     at the mount table.
# Everything runs on small filesystems of this file's own, to run out of
# space: a 64 MiB ext4 (4 KiB blocks, 1 KiB blocks, and bigalloc with
# 64 KiB clusters), a 300 MiB xfs, and a 256 MiB ext4 ("ext4m").

load "$TESTS_SRCDIR/helpers/common"

setup_file() {
  FS_IMAGE_MIB[ext4]=64
  FS_KIND[ext4k1]=ext4
  FS_MKFS_OPTS[ext4k1]="-b 1024"
  FS_IMAGE_MIB[ext4k1]=64
  FS_KIND[bigalloc]=ext4
  FS_MKFS_OPTS[bigalloc]="-O bigalloc -C 65536"
  FS_IMAGE_MIB[bigalloc]=64
  FS_KIND[ext4m]=ext4
  FS_IMAGE_MIB[ext4m]=256
  fs_setup_file ext4 ext4k1 bigalloc xfs ext4m
}

setup() {
  check_fallocate_built
  APPENDER= FUSE=
}

teardown() {
  # An appender left running by a failed test: stop it.
  if [[ -n $APPENDER ]]; then
    kill -KILL "$APPENDER" 2>/dev/null || true
    wait "$APPENDER" 2>/dev/null || true
  fi
  if [[ -n $FUSE ]] && mountpoint -q "$FUSE"; then
    umount "$FUSE" || umount -l "$FUSE"
  fi
  fs_test_cleanup
}

# ---------------------------------------------------------------------------
# A concurrent appender (item 2)

# start_appender LOG LAST STOP [reopen]: in the background (APPENDER),
# append the numbers 1, 2, 3... one a line, to LOG opened with O_APPEND
# (`>>`) once, or with reopen anew for each line (as `echo >>log` in a
# loop does: the file is closed between lines), each retried until its
# write(2) succeeds; stop once the file STOP exists (or after 500,000
# lines or 120 s), and then put in LAST the last number written.
# Returns once LOG has 100 lines.
start_appender() {
  local log=$1 last=$2 stop=$3 reopen=${4:-} i
  (
    [[ -n $reopen ]] || exec 3>>"$log"
    n=0 end=$((SECONDS + 120))
    while ((n < 500000 && SECONDS < end)) && [[ ! -e $stop ]]; do
      if [[ -n $reopen ]]; then
        echo $((n + 1)) 2>/dev/null >>"$log" && n=$((n + 1))
      else
        echo $((n + 1)) >&3 2>/dev/null && n=$((n + 1))
      fi
    done
    echo "$n" >"$last"
  ) 3>&- &
  APPENDER=$!
  for ((i = 0; i < 1000; i++)); do
    (($(wc -l <"$log") >= 100)) && return 0
    sleep 0.01
  done
  fail "the appender did not write 100 lines within 10 s"
}

# stop_appender STOP: make the appender stop, and wait for it (30 s at most).
stop_appender() {
  local i
  touch "$1"
  for ((i = 0; i < 3000; i++)); do
    kill -0 "$APPENDER" 2>/dev/null || break
    sleep 0.01
  done
  kill -0 "$APPENDER" 2>/dev/null && fail "the appender did not stop within 30 s"
  wait "$APPENDER" || fail "the appender failed"
  APPENDER=
}

# ENOSPC 20 times, while another process appends (keeping LOG open, or
# with REOPEN, opening it for each line): the rollback may leave the
# space it allocated (and say why: the file is open, or its size moved
# since the record, when the appender opened it after the lease was
# taken), but never cuts a line it wrote.
appender_keeps_lines() {
  require_fs ext4m
  local d log last stop run lines n
  d=$(tdir ext4m)
  log=$d/log last=$BATS_TEST_TMPDIR/last stop=$BATS_TEST_TMPDIR/stop
  : >"$log"
  start_appender "$log" "$last" "$stop" "${1:-}"
  lines=$(wc -l <"$log")
  for ((run = 1; run <= 20; run++)); do
    run --separate-stderr "$FALLOCATE" -l 512M "$log"
    assert_equal "$status" 1
    assert_equal "$output" ""
    assert_equal "${stderr_lines[0]}" "fallocate: '$log': cannot allocate: No space left on device"
    ((${#stderr_lines[@]} <= 2)) || fail "run $run: more than two lines: $stderr"
    if ((${#stderr_lines[@]} == 2)); then
      [[ ${stderr_lines[1]} =~ ^"fallocate: warning: '$log': "[0-9.]+\ [KMGTPE]?i?B\ \([0-9]+\ bytes\)" allocated by this run left in place: "("the file is open by another process"|"another process changed the size of the file")$ ]] ||
        fail "run $run: unexpected second line: ${stderr_lines[1]}"
    fi
  done
  stop_appender "$stop"
  n=$(<"$last")
  ((n > lines)) || fail "the appender wrote nothing during the runs ($n lines)"
  # Every line it wrote is there, in order, and nothing else.
  assert_equal "$(wc -l <"$log")" "$n"
  seq 1 "$n" | cmp - "$log" || fail "lines lost or changed: $(seq 1 "$n" | cmp - "$log" 2>&1)"
  echo "# the appender wrote $n lines, $((n - lines)) of them during the 20 runs" >&3
}

@test "a process appending to the file during 20 failed allocations loses no line" { appender_keeps_lines; }
@test "a process opening the file for each line it appends, during 20 failed allocations, loses no line" { appender_keeps_lines reopen; }

# Alone with the file, the same failure gives everything back.
@test "the same failed allocation with nobody else on the file gives all the space back" {
  require_fs ext4m
  local d log fp before
  d=$(tdir ext4m)
  log=$d/log
  seq 1 100000 >"$log"
  sync -- "$log"
  fp=$(file_state "$log")
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" -l 512M "$log"
  assert_error "fallocate: '$log': cannot allocate: No space left on device"
  evict "$log"
  assert_equal "$(file_state "$log")" "$fp"
  assert_avail_near "$d" "$before"
}

# ---------------------------------------------------------------------------
# A failed --zero-range leaves the bytes (item 3)

# zero_enospc FS LEN: an 8 MiB file of random data on FS; -z -l LEN (more
# than FS holds) fails with ENOSPC; once the page cache is dropped, the
# size, bytes and allocation are as before, and the free space is back.
zero_enospc() {
  require_fs "$1"
  local d f fp before
  d=$(tdir "$1")
  f=$d/data
  make_file_with "$f" data:0:8M
  fp=$(file_state "$f")
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" -z -l "$2" "$f"
  assert_error "fallocate: '$f': cannot zero range: No space left on device"
  drop_caches
  assert_equal "$(file_state "$f")" "$fp"
  assert_avail_near "$d" "$before"
}

@test "a failed -z (ENOSPC) on ext4 leaves the data as it was" { zero_enospc ext4 128M; }
@test "a failed -z (ENOSPC) on ext4 with 1 KiB blocks leaves the data as it was" { zero_enospc ext4k1 128M; }
@test "a failed -z (ENOSPC) on ext4 with bigalloc leaves the data as it was" { zero_enospc bigalloc 128M; }
@test "a failed -z (ENOSPC) on xfs leaves the data as it was" { zero_enospc xfs 400M; }

# ---------------------------------------------------------------------------
# A failure that changed nothing (item 13)

# Ranges ext4 refuses with EFBIG (its largest file is 16 TiB - 4 KiB; the
# end of the last ones is 2^63 - 1): one line, and the file untouched,
# down to its mtime.
@test "EFBIG before anything changed: one line, size, bytes, allocation and mtime as they were" {
  require_fs ext4
  local f fp mtime cases c args what
  f=$(new_file ext4)
  make_file_with "$f" data:0:1M size:4M data:3M:64K
  touch -d '2001-02-03 04:05:06.789' "$f"
  fp="$(file_state "$f") $(alloc_bytes "$f")"
  mtime=$(stat -c %.9Y -- "$f")
  # WHAT (as in "cannot WHAT"):OPTIONS
  cases=("allocate:-o 1M -l 20T" "allocate:-l 16T" "allocate:-l 1e"
         "allocate:-n -o 1M -l 20T" "allocate:-o 9223372036854775000 -l 807"
         "zero range:-z -o 9223372036854775000 -l 807"
         "write zeroes:-w -o 9223372036854775000 -l 807"
         "allocate:-x -o 9223372036854775000 -l 807")
  for c in "${cases[@]}"; do
    what=${c%%:*}
    read -r -a args <<<"${c#*:}"
    run --separate-stderr "$FALLOCATE" "${args[@]}" "$f"
    assert_error "fallocate: '$f': cannot $what: File too large"
    assert_equal "$(file_state "$f") $(alloc_bytes "$f")" "$fp"
    assert_equal "$(stat -c %.9Y -- "$f")" "$mtime"
  done
}

# ---------------------------------------------------------------------------
# A filesystem that cannot punch holes (item 14)

# bindfs_file: mount bindfs (FUSE) at FUSE over a directory of the 64 MiB
# ext4 and make F there: 1 MiB of data, then a hole up to 100 MiB.
bindfs_file() {
  local src
  command -v bindfs >/dev/null || ci_skip "bindfs is not installed"
  src=$(tdir ext4)/src
  FUSE=$BATS_TEST_TMPDIR/fuse
  mkdir -p "$src" "$FUSE"
  bindfs "$src" "$FUSE"
  F=$FUSE/f
  make_file_with "$F" data:0:1M size:100M
}

# bindfs (FUSE, libfuse 2) answers EOPNOTSUPP to every fallocate(2) mode,
# and knows no FIEMAP nor SEEK_HOLE, but passes st_blocks and writes
# through.  So -x there is the C library's emulation, which writes a byte
# into every block of the range: it fills the holes of the ext4 below,
# until ENOSPC.  The rollback can neither find those blocks (the map shows
# no holes) nor punch them; it must say how much it leaves allocated.
@test "a rollback where the map shows no holes (bindfs) names the space it leaves allocated" {
  require_fs ext4
  local f fp before left named
  bindfs_file
  f=$F
  fp=$(sha "$f")
  before=$(alloc_bytes "$f")
  run --separate-stderr "$FALLOCATE" -x -l 100M "$f"
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${stderr_lines[0]}" "fallocate: '$f': cannot allocate: No space left on device"
  assert_equal "${#stderr_lines[@]}" 2
  [[ ${stderr_lines[1]} =~ ^"fallocate: warning: '$f': "[0-9.]+\ [KMG]?i?B\ \(([0-9]+)\ bytes\)" allocated by this run left in place: its filesystem does not tell where they are"$ ]] ||
    fail "no warning about the space left: ${stderr_lines[1]:-<none>}"
  named=${BASH_REMATCH[1]}
  sync -- "$f"
  left=$(($(alloc_bytes "$f") - before))
  ((left >= 16 * MiB)) || fail "only $left bytes were left allocated: no holes filled?"
  # What it names is what is left (give or take the extent tree's blocks).
  ((named >= left - 262144 && named <= left + 262144)) ||
    fail "the warning names $named bytes; $left are left allocated"
  assert_size "$f" $((100 * MiB))
  assert_equal "$(sha "$f")" "$fp"
}

# -z there is written zeros all along the range (bindfs shows no holes):
# running out of space part way must not have zeroed the data first.
# (util-linux refuses -z there, changing nothing.)
@test "a failed -z on bindfs (ENOSPC) leaves the data as it was" {
  require_fs ext4
  local f fp
  bindfs_file
  f=$F
  fp=$(sha "$f")
  run --separate-stderr "$FALLOCATE" -z -l 100M "$f"
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${stderr_lines[0]}" "fallocate: '$f': cannot zero range: No space left on device"
  assert_size "$f" $((100 * MiB))
  assert_equal "$(sha "$f")" "$fp"
}

# ---------------------------------------------------------------------------
# The cost of a rollback (item 22)

# holes_file F: F, 160 MiB, 4 KiB of data at every other 4 KiB: 20,480
# data extents and as many holes.
holes_file() {
  perl -e '
    open (my $f, ">", $ARGV[0]) or die "$ARGV[0]: $!";
    my $block = "x" x 4096;
    for (my $at = 0; $at < 160 * 1048576; $at += 8192) {
      sysseek ($f, $at, 0) or die;
      syswrite ($f, $block) == 4096 or die "$ARGV[0]: $!";
    }
    truncate ($f, 160 * 1048576) or die;' "$1"
  sync -- "$1"
}

# On the 256 MiB ext4 (125 MiB free next to the file), -l 400M fills all
# 20,480 holes and runs out of space past the end of the file.
@test "a rollback over 20,480 former holes punches each once and reads the mount table once" {
  require_fs ext4m
  command -v strace >/dev/null || ci_skip "strace is not installed"
  local d f fp start ms trace calls mountinfo
  d=$(tdir ext4m)
  f=$d/holes
  holes_file "$f"
  assert_equal "$(fiemap_extents "$f" | wc -l)" 20480
  fp=$(file_state "$f")
  start=$(date +%s%N)
  run --separate-stderr "$FALLOCATE" -l 400M "$f"
  ms=$((($(date +%s%N) - start) / 1000000))
  assert_error "fallocate: '$f': cannot allocate: No space left on device"
  assert_equal "$(file_state "$f")" "$fp"
  assert_equal "$(fiemap_extents "$f" | wc -l)" 20480
  # Again, counting its system calls.
  trace=$BATS_TEST_TMPDIR/trace
  run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$trace" \
    -e signal=none -e trace=fallocate,openat,ioctl "$FALLOCATE" -l 400M "$f"
  assert_error "fallocate: '$f': cannot allocate: No space left on device"
  calls=$(grep -c 'fallocate(' "$trace" || true)
  mountinfo=$(grep -c 'openat(.*"/proc/self/mountinfo"' "$trace" || true)
  echo "# -l 400M and its rollback: $ms ms; $calls fallocate calls, $mountinfo opens of mountinfo" >&3
  ((calls <= 20480 + 16)) || fail "$calls fallocate calls for 20,480 holes"
  ((mountinfo <= 2)) || fail "/proc/self/mountinfo opened $mountinfo times"
  assert_equal "$(file_state "$f")" "$fp"
  assert_equal "$(fiemap_extents "$f" | wc -l)" 20480
}

# ---------------------------------------------------------------------------
# Space the file had reserved past its end before the run

# prealloc_kept COMMAND...: ext4m; F of 1,000,000 bytes with 4 MiB
# reserved past its end (-n); COMMAND... on F (the program, maybe under
# strace) fails: F's size and bytes are as
# before, its 4 MiB past the end are reserved still, and the space it
# took is back (ext4 ignores punches past the end of a file, so only a
# truncate gives it back, and the reservation must then be made again).
prealloc_kept() {
  require_fs ext4m
  local d f before_avail before_state reserved
  d=$(tdir ext4m)
  f=$d/f F=$f
  head -c 1000000 /dev/urandom >"$f"
  "$FALLOCATE" -n -o 1000000 -l 4M "$f"
  sync -- "$f"
  reserved=$(mapped_bytes "$f" 1003520 $((8 * MiB)) unwritten)
  ((reserved >= 4 * MiB - 4096)) || fail "only $reserved bytes reserved past the end"
  before_state=$(file_state "$f")
  before_avail=$(avail "$d")
  run --separate-stderr "$@" "$f"
  assert_equal "$status" 1
  assert_equal "${#stderr_lines[@]}" 1
  drop_caches
  assert_equal "$(file_state "$f")" "$before_state"
  assert_equal "$(mapped_bytes "$f" 1003520 $((8 * MiB)) unwritten)" "$reserved"
  assert_avail_near "$d" "$before_avail"
}

@test "ENOSPC on a file with space reserved past its end: the space back, the reservation kept" {
  prealloc_kept "$FALLOCATE" -l 1G
  assert_equal "${stderr_lines[0]}" "fallocate: '$F': cannot allocate: No space left on device"
}

@test "an I/O error in the -w fallback past the end of such a file: the reservation kept" {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  prealloc_kept env ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null \
    -e trace=pwritev -e inject=pwritev:error=EIO:when=2 "$FALLOCATE" -w -o 1000000 -l 12M
}
