#!/usr/bin/env bats
# A build without fallocate(2) (./configure ac_cv_func_fallocate=no), on
# tmpfs: plain allocation and --posix go by posix_fallocate(3), the report
# only reads, and every Linux-only mode is refused with one line before
# the file is touched.  `make check` of that build runs this file and the
# unit tests only; the other builds do not run it.

load "$TESTS_SRCDIR/helpers/common"

setup_file() {
  if [[ ${FALLOCATE_SYSCALL:-} != no ]]; then
    echo "nofallocate.bats tests a build configured with" \
         "ac_cv_func_fallocate=no (FALLOCATE_SYSCALL='${FALLOCATE_SYSCALL:-}')" >&2
    return 1
  fi
  fs_setup_file tmpfs
}

# allocates_new_file OPTION...: the program with OPTION... -l 1M makes a
# new file of 1 MiB, allocated, reading zeros.
allocates_new_file() {
  require_fs tmpfs
  local f
  f=$(new_file tmpfs)
  fallocate_ok "$@" -l 1M "$f"
  assert_size "$f" $MiB
  assert_alloc_between "$f" $MiB $MiB
  assert_zeros "$f" 0 $MiB
}

@test "no fallocate(2): -l 1M makes a new file of 1 MiB, allocated" { allocates_new_file; }
@test "no fallocate(2): -x -l 1M makes a new file of 1 MiB, allocated" { allocates_new_file -x; }

@test "no fallocate(2): -l 1M extends a file, its data untouched" {
  op_keeps_head tmpfs 64K 65536 $MiB -l 1M
  assert_zeros "$F" 65536 $((MiB - 65536))
  assert_alloc_between "$F" $MiB $MiB
}

# refused WHAT OPTION...: on a file of data with a hole and written
# zeros, the program with OPTION... fails with exit 1 and the one line
# "cannot WHAT: not available on this system", and the file keeps its
# size, blocks, bytes and mtime.
refused() {
  local what=$1 before
  shift
  require_fs tmpfs
  F=$(new_file tmpfs)
  make_file_with "$F" data:0:1M zero:256K:256K punch:768K:128K
  touch -d '2001-02-03 04:05:06' "$F"
  before="$(file_fingerprint "$F") $(stat -c %Y "$F")"
  run --separate-stderr "$FALLOCATE" "$@" "$F"
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: '$F': cannot $what: not available on this system"
  assert_equal "$(file_fingerprint "$F") $(stat -c %Y "$F")" "$before"
}

@test "no fallocate(2): -p is refused, the file unchanged" { refused "punch hole" -p -o 0 -l 64K; }
@test "no fallocate(2): -c is refused, the file unchanged" { refused "collapse range" -c -o 0 -l 64K; }
@test "no fallocate(2): -i is refused, the file unchanged" { refused "insert range" -i -o 0 -l 64K; }
@test "no fallocate(2): -z is refused, the file unchanged" { refused "zero range" -z -o 0 -l 64K; }
@test "no fallocate(2): -z -n is refused, the file unchanged" { refused "zero range with --keep-size" -z -n -o 0 -l 64K; }
@test "no fallocate(2): -u is refused, the file unchanged" { refused "unshare range" -u -o 0 -l 64K; }
@test "no fallocate(2): -n is refused, the file unchanged" { refused "allocate with --keep-size" -n -o 0 -l 2M; }
@test "no fallocate(2): -w is refused, the file unchanged" { refused "write zeroes" -w -o 0 -l 64K; }
@test "no fallocate(2): -d is refused, the file unchanged" { refused "dig holes" -d; }

@test "no fallocate(2): -n on a missing file is refused, nothing created" {
  require_fs tmpfs
  local f
  f=$(new_file tmpfs)
  run --separate-stderr "$FALLOCATE" -n -l 1M "$f"
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: '$f': cannot allocate with --keep-size: not available on this system"
  assert_file_not_exists "$f"
}

@test "no fallocate(2): -r reports a file hole and a data hole" {
  require_fs tmpfs
  F=$(new_file tmpfs)
  make_file_with "$F" data:0:1M zero:256K:256K punch:768K:128K
  run --separate-stderr "$FALLOCATE" -r -v "$F"
  assert_success
  assert_equal "$stderr" ""
  assert_output "data hole: offset 262144 - 524288 (262144 bytes)
file hole: offset 786432 - 917504 (131072 bytes)

Summary:
file holes: 1 holes, 128 KiB (131072 bytes, 12.50% of the file)
data holes: 1 holes, 256 KiB (262144 bytes, 25.00% of the file)"
}

@test "no fallocate(2): the program does not link the C library's fallocate" {
  run nm -D --undefined-only "$FALLOCATE"
  assert_success
  assert_output --regexp '(^| )posix_fallocate(@|$)'
  refute_output --regexp '(^| )fallocate(64)?(@|$)'
}
