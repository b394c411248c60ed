#!/usr/bin/env bats
# Closed standard descriptors (issue 7, item 4): with stdin, stdout or
# stderr closed, the FILE must not be opened as descriptor 0, 1 or 2,
# else what the program prints lands inside it (-d -v with stdout closed
# wrote its -v lines into the file it dug).  For each operation, with
# each of the three closed in turn: the file is exactly as the operation
# leaves it, nothing written into it; with stdout closed -v ends in
# "write error" and exit status 1; otherwise the exit status and the -v
# lines are as with all three open.  strace(1) -y shows which descriptor
# every system call on the file goes through.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 ext2; }

# closing FD COMMAND...: run COMMAND with descriptor FD (0, 1 or 2)
# closed.
closing() {
  local fd=$1
  shift
  case $fd in
    0) "$@" <&- ;;
    1) "$@" >&- ;;
    2) "$@" 2>&- ;;
  esac
}

# closed FD ARGS...: run the program with ARGS and descriptor FD closed
# (`run --separate-stderr`), under strace -y, which logs every system
# call with the path of each descriptor to $BATS_TEST_TMPDIR/strace.
closed() {
  local fd=$1
  shift
  command -v strace >/dev/null || ci_skip "strace is not installed"
  run --separate-stderr closing "$fd" env ASAN_OPTIONS=detect_leaks=0 \
    strace -f -qq -y -o "$BATS_TEST_TMPDIR/strace" -- "$FALLOCATE" "$@"
}

# assert_no_low_fd F: the program never worked on F through descriptor
# 0, 1 or 2.  (gnulib's open-safer may get one of them from open(2) and
# move it at once: fcntl(F_DUPFD) and close are all it may do with it.)
assert_no_low_fd() {
  local bad
  bad=$(F=$1 perl -ne '
    next unless /(?<![0-9])[012]<\Q$ENV{F}\E>/;
    next if /^\d+\s+openat\(.*\) = [012]<\Q$ENV{F}\E>$/;
    next if /^\d+\s+(fcntl\([012]<[^>]*>, F_DUPFD|close\([012]<[^>]*>\) = 0$)/;
    print' "$BATS_TEST_TMPDIR/strace" | head -n 5)
  [[ -z $bad ]] || fail "$1 used through descriptor 0, 1 or 2: $bad"
  grep -q "<$1>" "$BATS_TEST_TMPDIR/strace" ||
    fail "no system call on $1 in the log: $(head -c 2000 "$BATS_TEST_TMPDIR/strace")"
}

# assert_file SIZE DATA SHA: F (written out and evicted from the page
# cache) is SIZE bytes long, DATA bytes of it mapped (FIEMAP), its bytes
# of sha256 SHA.
assert_file() {
  evict "$F"
  assert_equal "$(file_state "$F")" "$1 $2 $3"
}

# The operations: prepare_OP makes F on ext4 and sets ARGS, the options
# (-v included), and LAST, the last line -v prints; expect_OP checks F.

prepare_new() {
  F=$(new_file ext4)
  ARGS=(-v -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) allocated."
}
expect_new() { assert_file $MiB $MiB "$(zeros_sha256 $MiB)"; }

# F: 4 MiB of random data; REF: what it must become.
prepare_range() {
  file_and_ref ext4 data:0:4M
  make_file_with "$REF" zero:1M:1M
}

prepare_punch() {
  prepare_range
  ARGS=(-v -p -o 1M -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) hole created."
}
expect_punch() { assert_file $((4 * MiB)) $((3 * MiB)) "$(sha "$REF")"; }

prepare_zero() {
  prepare_range
  ARGS=(-v -z -o 1M -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) zeroed."
}
expect_zero() { assert_file $((4 * MiB)) $((4 * MiB)) "$(sha "$REF")"; }

# F: 2 MiB, 256 runs of 4 KiB of data each followed by 4 KiB of zeros.
prepare_mix() {
  F=$(new_file ext4)
  make_4k_mix "$F" 2
  SUM=$(sha "$F")
}

prepare_dig() {
  prepare_mix
  ARGS=(-v -d)
  LAST="$F: 256 holes, 1 MiB (1048576 bytes, 50.00% of the file) converted to sparse holes."
}
expect_dig() { assert_file $((2 * MiB)) $MiB "$SUM"; }

prepare_report() {
  prepare_mix
  ARGS=(-v -r)
  LAST="data holes: 256 holes, 1 MiB (1048576 bytes, 50.00% of the file)"
}
expect_report() { assert_file $((2 * MiB)) $((2 * MiB)) "$SUM"; }

prepare_advise() {
  F=$(new_file ext4)
  make_file_with "$F" data:0:1M
  SUM=$(sha "$F")
  ARGS=(-v --advise=willneed)
  LAST="$F: 1 MiB (1048576 bytes) advised willneed."
}
expect_advise() { assert_file $MiB $MiB "$SUM"; }

prepare_keep() {
  F=$(new_file ext4)
  make_file_with "$F" data:0:1M size:4M
  SUM=$(sha "$F")
  ARGS=(-v -n -l 4M)
  LAST="$F: 4 MiB (4194304 bytes) allocated."
}
expect_keep() { assert_file $((4 * MiB)) $((4 * MiB)) "$SUM"; }

prepare_posix() {
  F=$(new_file ext4)
  ARGS=(-v -x -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) allocated."
}
expect_posix() { expect_new; }

prepare_wzero() {
  prepare_range
  ARGS=(-v -w -o 1M -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) written as zeroes (FALLOC_FL_WRITE_ZEROES not supported here: zeros written)."
}
expect_wzero() { expect_zero; }

# F: 4 MiB of random data; REF: F without its second MiB (collapse), or
# with a hole of 1 MiB inserted there (insert).
prepare_collapse() {
  file_and_ref ext4 data:0:4M
  { head -c "$MiB" "$F"; tail -c $((2 * MiB)) "$F"; } >"$REF"
  ARGS=(-v -c -o 1M -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) removed."
}
expect_collapse() { assert_file $((3 * MiB)) $((3 * MiB)) "$(sha "$REF")"; }

prepare_insert() {
  file_and_ref ext4 data:0:4M
  { head -c "$MiB" "$F"; head -c "$MiB" /dev/zero; tail -c $((3 * MiB)) "$F"; } >"$REF"
  ARGS=(-v -i -o 1M -l 1M)
  LAST="$F: 1 MiB (1048576 bytes) inserted."
}
expect_insert() { assert_file $((5 * MiB)) $((4 * MiB)) "$(sha "$REF")"; }

# The zero-fill fallback: ext2 has no fallocate(2).
prepare_fill() {
  F=$(new_file ext2)
  make_file_with "$F" data:0:1M size:2M
  SUM=$(sha "$F")
  ARGS=(-v -l 2M)
  LAST="$F: 2 MiB (2097152 bytes) allocated (fallocate(2) not supported here: zeros written)."
}
expect_fill() { assert_file $((2 * MiB)) $((2 * MiB)) "$SUM"; }

# with_closed FD OP: OP (new, punch, zero, dig, report, advise, keep,
# posix, wzero, collapse, insert, fill) on F with
# descriptor FD closed.
with_closed() {
  local fd=$1 op=$2
  require_fs ext4 ext2
  "prepare_$op"
  closed "$fd" "${ARGS[@]}" "$F"
  case $fd in
    1)
      assert_equal "$status" 1
      assert_equal "$stderr" "fallocate: write error: Bad file descriptor" ;;
    2)
      assert_equal "$status" 0
      assert_equal "${lines[-1]}" "$LAST" ;;
    0)
      assert_equal "$status" 0
      assert_equal "$stderr" ""
      assert_equal "${lines[-1]}" "$LAST" ;;
  esac
  "expect_$op"
  assert_no_low_fd "$F"
}

@test "stdin closed: allocating a new file" { with_closed 0 new; }
@test "stdout closed: allocating a new file" { with_closed 1 new; }
@test "stderr closed: allocating a new file" { with_closed 2 new; }
@test "stdin closed: -p" { with_closed 0 punch; }
@test "stdout closed: -p" { with_closed 1 punch; }
@test "stderr closed: -p" { with_closed 2 punch; }
@test "stdin closed: -z" { with_closed 0 zero; }
@test "stdout closed: -z" { with_closed 1 zero; }
@test "stderr closed: -z" { with_closed 2 zero; }
@test "stdin closed: -d -v on 256 holes" { with_closed 0 dig; }
@test "stdout closed: -d -v on 256 holes: nothing written into the file" { with_closed 1 dig; }
@test "stderr closed: -d -v on 256 holes" { with_closed 2 dig; }
@test "stdin closed: -r -v" { with_closed 0 report; }
@test "stdout closed: -r -v" { with_closed 1 report; }
@test "stderr closed: -r -v" { with_closed 2 report; }
@test "stdin closed: --advise" { with_closed 0 advise; }
@test "stdout closed: --advise" { with_closed 1 advise; }
@test "stderr closed: --advise" { with_closed 2 advise; }
@test "stdin closed: -n" { with_closed 0 keep; }
@test "stdout closed: -n" { with_closed 1 keep; }
@test "stderr closed: -n" { with_closed 2 keep; }
@test "stdin closed: -x" { with_closed 0 posix; }
@test "stdout closed: -x" { with_closed 1 posix; }
@test "stderr closed: -x" { with_closed 2 posix; }
@test "stdin closed: -w" { with_closed 0 wzero; }
@test "stdout closed: -w" { with_closed 1 wzero; }
@test "stderr closed: -w" { with_closed 2 wzero; }
@test "stdin closed: -c" { with_closed 0 collapse; }
@test "stdout closed: -c" { with_closed 1 collapse; }
@test "stderr closed: -c" { with_closed 2 collapse; }
@test "stdin closed: -i" { with_closed 0 insert; }
@test "stdout closed: -i" { with_closed 1 insert; }
@test "stderr closed: -i" { with_closed 2 insert; }
@test "stdin closed: the zero-fill fallback (ext2)" { with_closed 0 fill; }
@test "stdout closed: the zero-fill fallback (ext2)" { with_closed 1 fill; }
@test "stderr closed: the zero-fill fallback (ext2)" { with_closed 2 fill; }

# The error of a failure goes nowhere, not into the file; the exit status
# still tells.
@test "stderr closed: -p failing (past the largest file size of ext4): exit 1, nothing written into the file" {
  require_fs ext4
  F=$(new_file ext4)
  make_file_with "$F" data:0:1M
  SUM=$(sha "$F")
  closed 2 -p -o 17T -l 4K "$F"
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_file $MiB $MiB "$SUM"
  assert_no_low_fd "$F"
}
