#!/usr/bin/env bats
# --dig-holes beside readers: a file that others have open for reading
# only is dug as if it were alone, and a process opening it to read
# during the dig goes on at once; one opening it to write waits until the
# dig has stopped, and loses nothing.  A file open for writing (a
# descriptor, a writable shared mapping, a loop device) is refused, the
# holders named.  Without root (no fanotify) a file open elsewhere is
# refused, saying why and what to do.  (Before, any other open refused.)

load "$TESTS_SRCDIR/helpers/common"
load "$TESTS_SRCDIR/helpers/race"

setup_file() { fs_setup_file ext4 xfs btrfs; }

teardown() {
  local p
  for p in ${READERS:-} ${HOLDER:-}; do
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  [[ -z ${LOOP:-} ]] || losetup -d "$LOOP" 2>/dev/null || true
  [[ -z ${SWAP:-} ]] || swapoff -- "$SWAP" 2>/dev/null || true
  end_slowed
  fs_test_cleanup
}

# A file with written zeros, unwritten extents, a hole and data between.
make_diggable() {
  make_file_with "$1" data:0:1M zero:1M:2M data:3M:512K zero:3584K:512K \
    size:6M prealloc:4M:1M data:5M:1M
}

# start_readers F: two processes that hold F open for reading until
# killed: a sleep with F as its standard input, and a shell's descriptor.
start_readers() {
  sleep 600 <"$1" 3>&- &
  READERS=$!
  bash -c 'exec 7<"$0"; exec sleep 600' "$1" 3>&- &
  READERS+=" $!"
  wait_open "$1" 2
}

# wait_open F N: wait (10 s at most) until N processes have a descriptor
# open on F.
wait_open() {
  local i n
  for ((i = 0; i < 1000; i++)); do
    n=$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null |
          cut -d/ -f3 | sort -u | wc -l)
    ((n >= $2)) && return
    sleep 0.01
  done
  fail "$1 is open by $n processes, not $2"
}

# layout F: the extents of F (extents_summary) up to its size, and the
# bytes mapped there.  (Past the end, xfs keeps the space it reserved
# ahead of the writes until the last close, which the readers delay.)
layout() {
  local size
  size=$(file_size "$1")
  extents_summary "$1" | awk -v size="$size" '$1 < size {
    if ($1 + $2 > size) $2 = size - $1
    print }'
  mapped_bytes "$1" 0 "$size"
}

# Readers held throughout: the dig reclaims what a lone dig of an
# identical copy reclaims, with the same report, and the bytes stay.
beside_readers() {
  require_fs "$1"
  local f lone sum out_lone before
  f=$(new_file "$1")
  lone=$(new_file "$1" lone)
  make_diggable "$f"
  make_diggable "$lone"
  sum=$(sha "$f")
  before=$(mapped_bytes "$f" 0 $((6 * MiB)))
  run --separate-stderr "$FALLOCATE" -d -v "$lone"
  assert_equal "$status" 0
  out_lone=$output
  start_readers "$f"
  run --separate-stderr "$FALLOCATE" -d -v "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "${output#"$f"}" "${out_lone#"$lone"}"
  drop_caches
  assert_equal "$(sha "$f")" "$sum"
  assert_size "$f" $((6 * MiB))
  assert_equal "$(layout "$f")" "$(layout "$lone")"
  # The dig did reclaim, at least the 2.5 MiB of written zeros.
  (($(mapped_bytes "$f" 0 $((6 * MiB))) <= before - 5 * MiB / 2)) ||
    fail "$(mapped_bytes "$f" 0 $((6 * MiB))) of $before bytes left allocated"
}

@test "-d on ext4 beside readers digs as a lone dig does" { beside_readers ext4; }
@test "-d on xfs beside readers digs as a lone dig does" { beside_readers xfs; }
@test "-d on btrfs beside readers digs as a lone dig does" { beside_readers btrfs; }

# The racing writer of safety.bats, with a reader holding the file open
# throughout: the writer opens before the dig (refused), during it (held
# until the dig stopped) or after it; it loses nothing.
racing_writer_beside_reader() {
  require_fs "$1"
  local f trial outcomes=
  f=$(new_file "$1")
  make_file_with "$f" size:8M
  start_readers "$f"
  for trial in $(seq 20); do
    race "$f" 1M 7M $((RANDOM % 4 * MiB)) "$MiB" $((7 * MiB)) ||
      fail "trial $trial: writes lost"
    outcomes+=" $OUTCOME"
  done
  echo "# digs:$outcomes" >&3
  # The writer came during the dig at least once: the watch held it.
  [[ $outcomes == *stopped* ]] || fail "no trial stopped a dig:$outcomes"
}

@test "-d on ext4 beside a reader: a racing writer loses nothing (20 trials)" { racing_writer_beside_reader ext4; }
@test "-d on xfs beside a reader: a racing writer loses nothing (20 trials)" { racing_writer_beside_reader xfs; }
@test "-d on btrfs beside a reader: a racing writer loses nothing (20 trials)" { racing_writer_beside_reader btrfs; }

# refused_as F MESSAGE: -d on F (beside a reader) fails with MESSAGE and
# changes nothing.
refused_as() {
  local before
  before=$(file_state "$1")
  run --separate-stderr "$FALLOCATE" -d -v "$1"
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "$stderr" "$2"
  drop_caches
  assert_equal "$(file_state "$1")" "$before"
}

# A writer holds the file open: refused, the writer named.
writer_holds() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_diggable "$f"
  start_readers "$f"
  # This shell itself, open for reading and writing.
  exec 8<>"$f"
  local before err=$BATS_TEST_TMPDIR/err
  before=$(file_state "$f")
  status=0
  "$FALLOCATE" -d "$f" 8>&- 2>"$err" || status=$?
  exec 8>&-
  assert_equal "$status" 1
  assert_equal "$(<"$err")" "fallocate: '$f' is open for writing by process $BASHPID (bash); not digging holes"
  assert_equal "$(file_state "$f")" "$before"
  # Another process, appending.
  sleep 600 >>"$f" 3>&- &
  HOLDER=$!
  wait_open "$f" 3
  refused_as "$f" "fallocate: '$f' is open for writing by process $HOLDER (sleep); not digging holes"
  # Two of them, by process ID.
  sleep 600 5<>"$f" 3>&- &
  HOLDER+=" $!"
  wait_open "$f" 4
  local pids
  read -r -a pids <<<"$HOLDER"
  refused_as "$f" "fallocate: '$f' is open for writing by processes ${pids[0]} (sleep), ${pids[1]} (sleep); not digging holes"
}

@test "-d on ext4 refuses a file open for writing, naming the writer" { writer_holds ext4; }
@test "-d on xfs refuses a file open for writing, naming the writer" { writer_holds xfs; }
@test "-d on btrfs refuses a file open for writing, naming the writer" { writer_holds btrfs; }

# A writable shared mapping whose descriptor is closed still writes.
mapping_holds() {
  require_fs "$1"
  local f ready=$BATS_TEST_TMPDIR/ready
  f=$(new_file "$1")
  make_diggable "$f"
  start_readers "$f"
  python3 -c '
import mmap, os, sys, time
fd = os.open (sys.argv[1], os.O_RDWR)
m = mmap.mmap (fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
os.close (fd)
open (sys.argv[2], "w").close ()
time.sleep (600)' "$f" "$ready" 3>&- &
  HOLDER=$!
  local i
  for ((i = 0; i < 1000; i++)); do
    [[ -e $ready ]] && break
    sleep 0.01
  done
  [[ -e $ready ]] || fail "the mapping was not made"
  # Nothing of it is in /proc/PID/fd: only the map tells.
  refused_as "$f" "fallocate: '$f' is open for writing by process $HOLDER (python3); not digging holes"
}

@test "-d on ext4 refuses a file mapped shared and writable, naming the process" { mapping_holds ext4; }
@test "-d on btrfs refuses a file mapped shared and writable, naming the process" { mapping_holds btrfs; }

# A loop device on the file: refused, the device named; a read-only one
# is a reader.
loop_holds() {
  require_fs "$1"
  local f
  f=$(new_file "$1")
  make_diggable "$f"
  LOOP=$(losetup -f --show "$f")
  refused_as "$f" "fallocate: '$f' is the backing file of $LOOP; not digging holes"
  losetup -d "$LOOP"
  LOOP=$(losetup -r -f --show "$f")
  run --separate-stderr "$FALLOCATE" -d -v "$f"
  assert_equal "$status" 0
  assert_equal "$output" "$f: 2 holes, 3.5 MiB (3670016 bytes, 58.33% of the file) converted to sparse holes."
  losetup -d "$LOOP"
  LOOP=
}

@test "-d on ext4 refuses the backing file of a loop device, naming it" { loop_holds ext4; }
@test "-d on xfs refuses the backing file of a loop device, naming it" { loop_holds xfs; }
@test "-d on btrfs refuses the backing file of a loop device, naming it" { loop_holds btrfs; }

# A writer that no process shows: the kernel, holding a swap file in use.
@test "-d refuses a swap file in use: open for writing by another process" {
  require_fs ext4
  local f
  f=$(new_file ext4 swap)
  make_file_with "$f" zero:0:16M
  chmod 600 "$f"
  mkswap -- "$f" >/dev/null
  swapon -- "$f"
  SWAP=$f
  refused_as "$f" "fallocate: '$f' is open for writing by another process; not digging holes"
}

# Not root: no fanotify, so no digging beside a reader; the refusal says
# why and what to do.
@test "-d as nobody beside a reader refuses, saying why" {
  require_fs ext4
  local f bin before
  f=$(new_file ext4)
  make_diggable "$f"
  chown 65534:65534 "$f"
  open_for_all "$(dirname "$f")"
  bin=$(private_fallocate)
  start_readers "$f"
  before=$(file_state "$f")
  run_as_nobody "$bin" -d -v "$f"
  assert_equal "$status" 1
  assert_equal "$output" "fallocate: '$f' is open by another process; not digging holes: keeping writers out beside readers needs root (fanotify); close the other descriptors or use --force"
  drop_caches
  assert_equal "$(file_state "$f")" "$before"
  # Alone, nobody digs it under the write lease (the owner may take it).
  kill -KILL $READERS
  wait $READERS 2>/dev/null || true
  READERS=
  run_as_nobody "$bin" -d -v "$f"
  assert_equal "$status" 0
  assert_equal "$output" "$f: 2 holes, 3.5 MiB (3670016 bytes, 58.33% of the file) converted to sparse holes."
}

# dig_beside_reader F [USEC]: start `-d -v F` under strace, which holds
# each of its fallocate(2) calls back USEC microseconds (default 0.2 s),
# beside readers; return once it has made its first call (its guard is
# set: the guard comes before it).
dig_beside_reader() {
  local log=$BATS_TEST_TMPDIR/strace i
  start_readers "$1"
  # (env: signals are not ignored, as they would be in a background job.)
  DELAYED=(env --default-signal ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$log"
           -e signal=none -e trace=fallocate
           -e inject=fallocate:delay_enter="${2:-200000}" --)
  rm -f "$log"
  slowed "$FALLOCATE" -d -v "$1"
  for ((i = 0; i < 1000; i++)); do
    grep -q 'fallocate(' "$log" 2>/dev/null && return
    sleep 0.01
  done
  fail "the dig made no fallocate call in 10 s: $(cat "$BATS_TEST_TMPDIR/err")"
}

# wait_blocked PID: wait (10 s at most) until process PID waits in an
# open for fanotify's answer.
wait_blocked() {
  local i
  for ((i = 0; i < 1000; i++)); do
    [[ $(cat "/proc/$1/wchan" 2>/dev/null) == fanotify* ]] && return
    sleep 0.01
  done
  fail "process $1 does not wait for fanotify: $(cat "/proc/$1/wchan" 2>/dev/null)"
}

# A reader opening during the dig goes on at once; a writer opening
# during it waits until the dig has stopped, which says so, keeps what it
# dug, and the writer's bytes are there.
opens_during() {
  require_fs "$1"
  local f sum converted ms=$BATS_TEST_TMPDIR/ms
  f=$(new_file "$1")
  make_4k_mix "$f" 16
  sum=$(sha "$f")
  dig_beside_reader "$f"
  # A reader: well within one held punch, and the dig still runs.
  timeout 10 bash -c 'start=$(date +%s%N); : <"$0"
    echo $((($(date +%s%N) - start) / 1000000)) >"$1"' "$f" "$ms" 3>&- ||
    fail "the reader did not get in within 10 s"
  job_running "$PID" || fail "the dig ended before the reader got in"
  (($(<"$ms") < 150)) || fail "the reader waited $(<"$ms") ms"
  # A writer into the last zero block, far beyond what the dig reaches.
  hold_writer "$f"
  job_running "$PID" || fail "the dig ended before the writer was held"
  finish_within 60
  wait_job "$HOLDER" 10 "the writer"
  HOLDER=
  assert_equal "$JOB_STATUS" 0
  assert_equal "$status" 1
  assert_equal "$stderr" "$(cat "$BATS_TEST_TMPDIR/err")"
  [[ $stderr =~ ^fallocate:\ \'$f\':\ another\ process\ is\ opening\ the\ file\ for\ writing\;\ stopped\ digging\ at\ offset\ [0-9]+\ of\ 16777216,\ after\ converting\ ([0-9]+)\ holes\ \([0-9]+\ bytes\)\ to\ sparse\ holes$ ]] ||
    fail "unexpected: $stderr"
  converted=${BASH_REMATCH[1]}
  ((converted < 2047)) || fail "converted $converted holes: did not stop"
  drop_caches
  assert_equal "$("$FALLOCATE" -r "$f" | sed -n 's/^file holes: \([0-9]*\) holes.*/\1/p')" "$converted"
  make_4k_mix "$BATS_TEST_TMPDIR/want" 16
  printf written | dd of="$BATS_TEST_TMPDIR/want" bs=1 seek=$((4095 * 4096)) \
    conv=notrunc status=none
  assert_equal "$(sha "$f")" "$(sha "$BATS_TEST_TMPDIR/want")"
  [[ $(sha "$f") != "$sum" ]]
}

@test "-d on ext4 beside a reader: readers get in at once, a writer waits" { opens_during ext4; }
@test "-d on xfs beside a reader: readers get in at once, a writer waits" { opens_during xfs; }
@test "-d on btrfs beside a reader: readers get in at once, a writer waits" { opens_during btrfs; }

# hold_writer F: a writer (as HOLDER) of "written" into the 4095th block
# of F, once it waits for the dig's answer to its open.
hold_writer() {
  perl -e 'open (my $f, "+<", $ARGV[0]) or die "$ARGV[0]: $!";
    sysseek ($f, $ARGV[1], 0); syswrite ($f, "written") == 7 or die' \
    "$1" $((4095 * 4096)) 3>&- &
  HOLDER=$!
  wait_blocked "$HOLDER"
}

# SIGNAL while a writer waits: the dig ends (by the signal) and the
# writer goes on, its bytes there: SIGINT through the dig's cleanup,
# SIGKILL through the kernel, which lets every waiting open go on when
# the watch's descriptor is closed.
signal_while_held() {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_4k_mix "$f" 16
  dig_beside_reader "$f" 1000000
  hold_writer "$f"
  kill -"$1" "$PID"
  finish_within 60
  wait_job "$HOLDER" 10 "the writer"
  HOLDER=
  assert_equal "$JOB_STATUS" 0
  assert_equal "$status" "$2"
  assert_equal "$(dd if="$f" bs=1 skip=$((4095 * 4096)) count=7 status=none)" written
}

@test "-d beside a reader: SIGINT lets a waiting writer go on" {
  signal_while_held INT 130
  [[ $stderr =~ ^fallocate:\ \'.*\':\ (interrupted\ by\ signal\ 2|another\ process\ is\ opening\ the\ file\ for\ writing)\;\ stopped\ digging\ at\ offset ]] ||
    fail "unexpected: $stderr"
}

@test "-d beside a reader: SIGKILL lets a waiting writer go on" {
  signal_while_held KILL 137
}

# truncate(2) by name opens nothing, so the watch does not see it; it
# writes no data, so nothing can be lost: the dig goes on over what is
# left, and the bytes before the new end stay.
@test "-d beside a reader: a truncate(2) by name during the dig loses nothing" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_4k_mix "$f" 2
  head -c "$MiB" "$f" >"$BATS_TEST_TMPDIR/want"
  dig_beside_reader "$f" 20000
  perl -e 'truncate ($ARGV[0], $ARGV[1]) or die "$ARGV[0]: $!"' "$f" "$MiB"
  job_running "$PID" || fail "the dig ended before the truncate"
  finish_within 60
  assert_equal "$stderr" ""
  assert_equal "$status" 0
  assert_size "$f" "$MiB"
  drop_caches
  assert_equal "$(sha "$f")" "$(sha "$BATS_TEST_TMPDIR/want")"
}

# Nobody else had the file open (the write lease is held): a reader
# opening it during the dig goes on at once and does not stop the dig,
# which digs all the holes.
@test "-d alone: a reader opening during the dig does not stop it" {
  require_fs ext4
  local f sum ms=$BATS_TEST_TMPDIR/ms log=$BATS_TEST_TMPDIR/strace i
  f=$(new_file ext4)
  make_4k_mix "$f" 1
  sum=$(sha "$f")
  DELAYED=(env --default-signal ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$log"
           -e signal=none -e trace=fallocate
           -e inject=fallocate:delay_enter=20000 --)
  slowed "$FALLOCATE" -d -v "$f"
  for ((i = 0; i < 1000; i++)); do
    grep -q 'fallocate(' "$log" 2>/dev/null &&
      grep -q "LEASE  *ACTIVE  *WRITE  *$PID " /proc/locks && break
    sleep 0.01
  done
  grep -q "LEASE  *ACTIVE  *WRITE  *$PID " /proc/locks ||
    fail "the dig did not take its lease: $(cat "$BATS_TEST_TMPDIR/err")"
  timeout 10 bash -c 'start=$(date +%s%N); : <"$0"
    echo $((($(date +%s%N) - start) / 1000000)) >"$1"' "$f" "$ms" 3>&- ||
    fail "the reader did not get in within 10 s"
  job_running "$PID" || fail "the dig ended before the reader got in"
  (($(<"$ms") < 150)) || fail "the reader waited $(<"$ms") ms"
  finish_within 60
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$f: 128 holes, 512 KiB (524288 bytes, 50.00% of the file) converted to sparse holes."
  drop_caches
  assert_equal "$(sha "$f")" "$sum"
  assert_equal "$(data_alloc_bytes "$f")" $((MiB / 2))
}
