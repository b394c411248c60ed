#!/usr/bin/env bats
# Faults injected with strace(1) (issue 7, items 8, 9 and 18): answers
# the kernel rarely gives, and a file swapped for a FIFO between the
# program's stat and its open.
#   - pwritev(2) returning 0 in the zero writer is "No space left on
#     device", not a reason to try again forever;
#   - ENOSYS from fallocate(2) says fallocate(2) is not available, with no hint
#     about filesystems;
#   - a FIFO swapped in after the first stat is refused on the
#     descriptor, at once: the open must not wait for a writer.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 ext2; }

# faulty CALL INJECT ARGS...: run the program with ARGS (`run
# --separate-stderr`) under strace, every CALL system call changed as
# strace's inject INJECT says (e.g. retval=0); fail if it runs for more
# than 20 s.
faulty() {
  local call=$1 inject=$2
  shift 2
  command -v strace >/dev/null || ci_skip "strace is not installed"
  run --separate-stderr timeout -k 5 20 env ASAN_OPTIONS=detect_leaks=0 \
    strace -f -qq -o /dev/null -e signal=none -e trace="$call" \
    -e inject="$call:$inject" -- "$FALLOCATE" "$@"
  ((status != 124 && status != 137)) ||
    fail "still running after 20 s with $call changed ($inject): it loops"
}

# ---------------------------------------------------------------------------
# pwritev(2) returning 0 (item 9).

@test "pwritev returning 0 in the zero-fill (ext2): ENOSPC, the new file removed" {
  require_fs ext2
  local f
  f=$(new_file ext2)
  faulty pwritev retval=0 -l 1M "$f"
  assert_error "fallocate: '$f': cannot allocate: No space left on device"
  assert_file_not_exists "$f"
}

@test "pwritev returning 0 in -w's zero writer (ext2): ENOSPC, the file's bytes unchanged" {
  require_fs ext2
  local f before
  f=$(new_file ext2)
  make_file_with "$f" data:0:2M
  before=$(file_fingerprint "$f")
  faulty pwritev retval=0 -w -l 1M "$f"
  assert_error "fallocate: '$f': cannot write zeroes: No space left on device"
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

# ---------------------------------------------------------------------------
# ENOSYS from fallocate(2) (item 18).

@test "ENOSYS from fallocate(2): -p says fallocate(2) is not available; the file unchanged" {
  require_fs ext4
  local f before
  f=$(new_file ext4)
  make_file_with "$f" data:0:4M
  before=$(file_fingerprint "$f")
  faulty fallocate error=ENOSYS -p -o 1M -l 1M "$f"
  assert_error "fallocate: '$f': cannot punch hole: Function not implemented (fallocate(2) is not available here)"
  evict "$f"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

# ---------------------------------------------------------------------------
# A FIFO swapped in between the stat and the open (item 8).

# fifo_swap OPTION...: the program with OPTION... on a regular file F is
# held right after its first stat-like call on F; F is replaced by a FIFO
# meanwhile; then it must refuse the FIFO at once (it used to wait
# forever in open(2) for a writer).
fifo_swap() {
  require_fs ext4
  local f
  f=$(new_file ext4)
  make_file_with "$f" data:0:1M
  held newfstatat,statx "$f"
  slowed "$FALLOCATE" "$@" "$f"
  wait_held
  # Held after a stat by name, before any open.
  grep -qF "(AT_FDCWD, \"$f\"" "$BATS_TEST_TMPDIR/strace" ||
    fail "not held at a stat of $f: $(cat "$BATS_TEST_TMPDIR/strace")"
  rm -f -- "$f"
  mkfifo -- "$f"
  assert_still_held
  finish_within 20
  assert_error "fallocate: '$f' is a FIFO, not a regular file"
}

@test "-r on a file swapped for a FIFO after the stat: refused, no hang" { fifo_swap -r; }
@test "--advise=willneed on a file swapped for a FIFO after the stat: refused, no hang" { fifo_swap --advise=willneed; }
