#!/usr/bin/env bats
# --dig-holes never loses a byte: it takes a write lease first (or, beside
# readers, the open watch: dig-readers.bats) and refuses a file open for
# writing elsewhere; a process that opens the file for writing during
# the dig waits, and makes it stop before the next punch; a writer
# racing with it never loses what it wrote; SIGKILL at any moment leaves
# the bytes as they were; a signal stops it, and it dies by that signal.
# (util-linux loses racing writes: its test for zeros and its punch are
# two steps with nothing between them; bench/util-linux-demos.sh shows it.)

load "$TESTS_SRCDIR/helpers/common"
load "$TESTS_SRCDIR/helpers/race"

setup_file() { fs_setup_file ext4 xfs btrfs tmpfs; }

# A descriptor a failed test left open (open_elsewhere's 8) would keep
# its filesystem busy.
teardown() {
  exec 8>&-
  end_slowed
  fs_test_cleanup
}

# fingerprint F: size, sha256 and modification time.
fingerprint() {
  printf '%s %s ' "$(file_size "$1")" "$(stat -c %y "$1")"
  sha256sum <"$1" | cut -d' ' -f1
}

# Another process has the file open: for reading, dig as if alone (the
# open watch of guard.h); for writing, refuse naming the writers (this
# shell and the subshell of `run`), change nothing; --force digs.
open_elsewhere() {
  require_fs "$1"
  local f before how
  f=$(new_file "$1")
  for how in '<' '>>'; do
    make_file_with "$f" data:0:1M zero:1M:1M
    touch -d '2001-02-03 04:05:06' "$f"
    before=$(fingerprint "$f")
    eval "exec 8$how\"\$f\""
    run --separate-stderr "$FALLOCATE" -d -v "$f"
    if [[ $how == '>>' ]]; then
      assert_equal "$status" 1
      [[ $stderr =~ ^"fallocate: '$f' is open for writing by processes "[0-9]+" (bash), "[0-9]+" (bash); not digging holes"$ ]] ||
        fail "unexpected: $stderr"
      assert_equal "$(fingerprint "$f")" "$before"
      run --separate-stderr "$FALLOCATE" -d -v --force "$f"
    fi
    exec 8>&-
    assert_equal "$status" 0
    assert_equal "$stderr" ""
    assert_equal "$output" "$f: 1 holes, 1 MiB (1048576 bytes, 50.00% of the file) converted to sparse holes."
    assert_equal "$(sha256sum <"$f" | cut -d' ' -f1)" "${before##* }"
    # The zeros are dug (on tmpfs, without FIEMAP: only the data's MiB
    # stays allocated; xfs keeps space past the end while 8 is open).
    if has_fiemap "$f"; then
      assert_equal "$(mapped_bytes "$f" "$MiB" "$MiB")" 0
    else
      assert_equal "$(alloc_bytes "$f")" "$MiB"
    fi
    rm -f "$f"
  done
}

@test "-d on ext4: digs beside a reader, refuses a writer; --force digs" { open_elsewhere ext4; }
@test "-d on xfs: digs beside a reader, refuses a writer; --force digs" { open_elsewhere xfs; }
@test "-d on btrfs: digs beside a reader, refuses a writer; --force digs" { open_elsewhere btrfs; }
@test "-d on tmpfs: digs beside a reader, refuses a writer; --force digs" { open_elsewhere tmpfs; }

# Not the owner, no CAP_LEASE: no lease to be had; say so once and dig,
# as util-linux would.
@test "-d without a lease to be had warns once and digs" {
  require_fs ext4
  local f bin
  f=$(new_file ext4)
  make_file_with "$f" data:0:1M zero:1M:1M
  chmod 0666 "$f"
  open_for_all "$(dirname "$f")"
  bin=$(private_fallocate)
  run_as_nobody "$bin" -d -v "$f"
  assert_equal "$status" 0
  assert_equal "$output" "fallocate: warning: '$f': no write lease, so other writers are not kept out: Permission denied
$f: 1 holes, 1 MiB (1048576 bytes, 50.00% of the file) converted to sparse holes."
  assert_equal "$(mapped_bytes "$f" "$MiB" "$MiB")" 0
}

# dig_held_up COMMAND...: run `$FALLOCATE -d -v $F` on the 16 MiB 4 KiB
# mix F under strace, which holds each of its punches back 0.2 s, so that
# it is surely in the middle of the dig when COMMAND runs, with the dig's
# process ID as last argument, once the dig holds its lease.  Sets
# status, and output and lines from the dig's stderr, as `run` would; its
# stdout must stay empty (-d -v prints only at the end).
dig_held_up() {
  local err=$BATS_TEST_TMPDIR/err out=$BATS_TEST_TMPDIR/out tracer dig i
  delayed fallocate 200000
  # (env: signals are not ignored, as they would be in a background job.)
  env --default-signal "${DELAYED[@]}" "$FALLOCATE" -d -v "$F" \
    >"$out" 2>"$err" 3>&- &
  tracer=$!
  for ((i = 0; i < 3000; i++)); do
    dig=$(pgrep -P "$tracer" -x fallocate) &&
      grep -q "LEASE  *ACTIVE  *WRITE  *$dig " /proc/locks && break
    dig=
    sleep 0.01
  done
  [[ -n $dig ]] || fail "the dig did not take its lease in 30 s: $(cat "$err")"
  "$@" "$dig"
  wait_job "$tracer" 60 "the dig"
  status=$JOB_STATUS
  assert_equal "$(cat "$out")" ""
  output=$(<"$err")
  mapfile -t lines <"$err"
}

# file_holes F: how many file holes `fallocate -r` finds in F.
file_holes() {
  "$FALLOCATE" -r "$1" | sed -n 's/^file holes: \([0-9]*\) holes.*/\1/p'
}

# opens_file F MS PID: open F for writing in the background (as OPENER),
# which waits until process PID, digging, lets it in, and put in the file
# MS how many milliseconds that took; return once it waits (in fanotify's
# open permission check, which PID's dig answers).
opens_file() {
  local i
  bash -c 'start=$(date +%s%N); : >>"$0"
    echo $((($(date +%s%N) - start) / 1000000)) >"$1"' "$1" "$2" 3>&- &
  OPENER=$!
  for ((i = 0; i < 1000; i++)); do
    [[ $(cat "/proc/$OPENER/wchan" 2>/dev/null) == fanotify* ]] && return
    sleep 0.01
  done
  fail "the open by $OPENER does not wait: $(cat "/proc/$OPENER/wchan" 2>/dev/null)"
}

# Another process opens the file for writing during the dig: the dig
# stops before its next punch, lets the other process in (it goes on at
# once), says how far it got, and exits 1.  (A reader opening it does
# not stop the dig: dig-readers.bats.)
lease_break() {
  require_fs "$1"
  local ms=$BATS_TEST_TMPDIR/ms sum converted
  F=$(new_file "$1")
  make_4k_mix "$F" 16
  sum=$(sha256sum <"$F")
  dig_held_up opens_file "$F" "$ms"
  wait_job "$OPENER" 60 "the other open"
  assert_equal "$JOB_STATUS" 0
  assert_equal "$status" 1
  assert_output --regexp "^fallocate: '$F': another process is opening the file for writing; stopped digging at offset [0-9]+ of 16777216, after converting [0-9]+ holes \([0-9]+ bytes\) to sparse holes$"
  converted=$(sed -E 's/.*converting ([0-9]+) holes.*/\1/' <<<"$output")
  # It stopped: fewer holes than the 2048 there are, each one punched.
  ((converted < 2048)) || fail "converted $converted holes: did not stop"
  assert_equal "$(file_holes "$F")" "$converted"
  assert_equal "$(sha256sum <"$F")" "$sum"
  (($(<"$ms") < 10000)) || fail "the other open waited $(<"$ms") ms"
}

@test "-d on ext4: stops and lets a writer in when it opens the file" { lease_break ext4; }
@test "-d on xfs: stops and lets a writer in when it opens the file" { lease_break xfs; }
@test "-d on btrfs: stops and lets a writer in when it opens the file" { lease_break btrfs; }
@test "-d on tmpfs: stops and lets a writer in when it opens the file" { lease_break tmpfs; }

# dig_signal SIGNAL NUMBER: SIGNAL during a held-up dig stops it before
# the next punch, with the bytes as they were; once it has said so, the
# program dies by SIGNAL: exit status 128 + NUMBER.
dig_signal() {
  require_fs ext4
  local sum
  F=$(new_file ext4)
  make_4k_mix "$F" 16
  sum=$(sha256sum <"$F")
  dig_held_up kill -"$1"
  assert_equal "$status" $((128 + $2))
  assert_output --regexp "^fallocate: '$F': interrupted by signal $2; stopped digging at offset [0-9]+ of 16777216, after converting [0-9]+ holes \([0-9]+ bytes\) to sparse holes$"
  assert_equal "$(sha256sum <"$F")" "$sum"
}

@test "-d stops before the next punch on SIGINT, and dies by it (exit 130)" { dig_signal INT 2; }
@test "-d stops before the next punch on SIGTERM, and dies by it (exit 143)" { dig_signal TERM 15; }
@test "-d stops before the next punch on SIGHUP, and dies by it (exit 129)" { dig_signal HUP 1; }

# Writes anywhere in the zeros, the writer opening the file at a random
# point of the dig: before it (refused), during it (stopped) or after it.
racing_writer() {
  require_fs "$1"
  local f trial outcomes=
  f=$(new_file "$1")
  for trial in 1 2 3 4 5 6 7 8; do
    race "$f" 2M 14M $((RANDOM % 8 * MiB)) $((2 * MiB)) \
      $((14 * MiB)) || fail "trial $trial: writes lost"
    outcomes+=" $OUTCOME"
  done
  echo "# digs:$outcomes" >&3
}

@test "-d on ext4: a racing writer loses nothing (8 trials)" { racing_writer ext4; }
@test "-d on xfs: a racing writer loses nothing (8 trials)" { racing_writer xfs; }
@test "-d on btrfs: a racing writer loses nothing (8 trials)" { racing_writer btrfs; }
@test "-d on tmpfs: a racing writer loses nothing (8 trials)" { racing_writer tmpfs; }

# wait_read PID BYTES: wait until process PID has read BYTES, or ended;
# fail if it has done neither within 60 s.
wait_read() {
  local rchar deadline=$((SECONDS + 60))
  while rchar=$(sed -n 's/^rchar: //p' "/proc/$1/io" 2>/dev/null) &&
        [[ -n $rchar ]] && ((rchar < $2)); do
    ((SECONDS < deadline)) || fail "process $1 read $rchar bytes of $2 in 60 s"
    sleep 0.001
  done
}

# SIGKILL at random moments of digs of written zeros, unwritten extents
# and 4 KiB holes, once the dig has read a random amount: the bytes and
# the size stay.
sigkill() {
  require_fs "$1"
  local f orig sum trial dig
  f=$(new_file "$1")
  orig=$(new_file "$1" orig)
  make_4k_mix "$orig" 12
  if [[ $1 == tmpfs ]]; then
    make_file_with "$orig" zero:12M:4M
  else
    make_file_with "$orig" zero:12M:2M size:16M prealloc:14M:2M
  fi
  sum=$(sha256sum <"$orig")
  for trial in 1 2 3 4 5 6 7 8 9 10; do
    cp "$orig" "$f"
    drop_caches
    "$FALLOCATE" -d "$f" &
    dig=$!
    wait_read "$dig" $((RANDOM % 12 * MiB))
    kill -KILL "$dig" 2>/dev/null || true
    wait_job "$dig" 60 "the killed dig"
    drop_caches
    assert_size "$f" $((16 * MiB))
    assert_equal "$(sha256sum <"$f")" "$sum"
  done
}

@test "-d on ext4: SIGKILL at any moment leaves the bytes (10 trials)" { sigkill ext4; }
@test "-d on xfs: SIGKILL at any moment leaves the bytes (10 trials)" { sigkill xfs; }
@test "-d on btrfs: SIGKILL at any moment leaves the bytes (10 trials)" { sigkill btrfs; }
@test "-d on tmpfs: SIGKILL at any moment leaves the bytes (10 trials)" { sigkill tmpfs; }
