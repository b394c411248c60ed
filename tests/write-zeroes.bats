#!/usr/bin/env bats
# --write-zeroes (FALLOC_FL_WRITE_ZEROES, Linux 6.17+).  Whether the kernel
# can do it on a filesystem depends on the device below it; on loop
# devices it answers EOPNOTSUPP.  The kernel is asked directly (perl's
# syscall(), independent of the program) so that the tests know which case
# they are in:
#   - the program succeeds (the kernel did it, or the fallback of the issue
#     "Keeps working where the kernel says no" wrote zeros): the range reads
#     as zeros and is allocated with written (not unwritten) extents, the
#     size grows as for mode 0, the bytes outside are intact;
#   - the program fails: allowed only where the kernel refuses the mode
#     (FOUNDATION behaviour, no fallback): exit 1, "fallocate: 'FILE':
#     cannot ...: Operation not supported" (detail may follow), and the
#     file unchanged.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs ext2 tmpfs; }

WRITE_ZEROES=0x80

# probe_wz DIR: set WZ to yes if the kernel does WRITE_ZEROES there, else
# to no; fails the test if the probe itself fails.  (Call it as a plain
# command, not in a condition, so that the failure counts.)
probe_wz() {
  local rc=0
  kernel_supports "$1" $WRITE_ZEROES || rc=$?
  ((rc != 2)) || fail "cannot probe FALLOC_FL_WRITE_ZEROES in $1"
  WZ=no
  ((rc != 0)) || WZ=yes
}

# assert_refused_not_supported FILE BEFORE: the last run failed the
# Foundation way and FILE still has fingerprint BEFORE.
assert_refused_not_supported() {
  assert_error_match "fallocate: '$1': cannot [^:]+: Operation not supported( .+)?"
  assert_equal "$(file_fingerprint "$1")" "$2"
}

# write_zeroes FS: 64 KiB of data, then -w -o 32K -l 96K.
write_zeroes() {
  require_fs "$1"
  local d f h before
  d=$(fs_dir "$1")/$BATS_TEST_NUMBER
  mkdir -p "$d"
  cd "$d"
  f=wz
  make_file_with "$f" data:0:64K
  h=$(region_sha256 "$f" 0 32768)
  before=$(file_fingerprint "$f")
  probe_wz "$d"
  run --separate-stderr "$FALLOCATE" -w -o 32K -l 96K "$f"
  drop_caches
  if ((status == 0)); then
    assert_equal "$stderr" ""
    assert_size "$f" 131072
    assert_equal "$(region_sha256 "$f" 0 32768)" "$h"
    assert_zeros "$f" 32768 98304
    # (ext2 adds an indirect block.)
    assert_alloc_between "$f" 131072 $((131072 + 65536))
    if has_fiemap "$1"; then
      assert_equal "$(mapped_bytes "$f" 32768 98304 unwritten)" 0
      assert_equal "$(mapped_bytes "$f" 32768 98304 data)" 98304
    fi
  else
    [[ $WZ == no ]] || fail "the kernel does WRITE_ZEROES here, the program failed: $stderr"
    assert_refused_not_supported "$f" "$before"
  fi
}

@test "-w on ext4: the range is written as zeros, or EOPNOTSUPP and unchanged" { write_zeroes ext4; }
@test "-w on xfs: the range is written as zeros, or EOPNOTSUPP and unchanged" { write_zeroes xfs; }
@test "-w on btrfs: the range is written as zeros, or EOPNOTSUPP and unchanged" { write_zeroes btrfs; }
@test "-w on ext2: the range is written as zeros, or EOPNOTSUPP and unchanged" { write_zeroes ext2; }
@test "-w on tmpfs: the range is written as zeros, or EOPNOTSUPP and unchanged" { write_zeroes tmpfs; }

@test "-w over preallocated (unwritten) extents leaves written extents (xfs)" {
  require_fs xfs
  local d
  d=$(fs_dir xfs)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  cd "$d"
  make_file_with f size:256K prealloc:0:256K
  local before
  before=$(file_fingerprint f)
  assert_equal "$(mapped_bytes f 0 262144 unwritten)" 262144
  run --separate-stderr "$FALLOCATE" -w -o 64K -l 128K f
  drop_caches
  if ((status == 0)); then
    assert_size f 262144
    assert_zeros f 0 262144
    assert_equal "$(mapped_bytes f 65536 131072 unwritten)" 0
    assert_equal "$(mapped_bytes f 65536 131072 data)" 131072
    assert_equal "$(alloc_bytes f)" 262144
  else
    probe_wz "$d"
    [[ $WZ == no ]] || fail "the kernel does WRITE_ZEROES here, the program failed"
    assert_refused_not_supported f "$before"
  fi
}

@test "-w on a missing file creates it (mode 0666 & ~umask)" {
  require_fs ext4
  local d
  d=$(fs_dir ext4)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  cd "$d"
  local rc=0
  (umask 027 && "$FALLOCATE" -w -l 64K wnew) || rc=$?
  if ((rc == 0)); then
    assert_size wnew 65536
    assert_zeros wnew 0 65536
    assert_equal "$(alloc_bytes wnew)" 65536
    assert_equal "$(mapped_bytes wnew 0 65536 unwritten)" 0
    assert_equal "$(stat -c %a wnew)" 640
  else
    # FOUNDATION-ONLY: the kernel refused; whatever is left holds nothing.
    probe_wz "$d"
    [[ $WZ == no ]] || fail "the kernel does WRITE_ZEROES here, the program failed"
    if [[ -e wnew ]]; then
      assert_equal "$(stat -c %a wnew)" 640
      assert_size wnew 0
      assert_equal "$(alloc_bytes wnew)" 0
    fi
  fi
}

@test "-v -w: 'FILE: 64 KiB (65536 bytes) written as zeroes' on success, stdout empty on failure" {
  require_fs ext4
  local d
  d=$(fs_dir ext4)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  cd "$d"
  make_file_with wv data:0:64K
  run --separate-stderr "$FALLOCATE" -v -w -o 0 -l 64K wv
  if ((status == 0)); then
    # The util-linux sentence first; a fallback may add how it was done
    # before the final period.
    [[ $output == "wv: 64 KiB (65536 bytes) written as zeroes"* && $output == *. ]] ||
      fail "unexpected -v line: $output"
    assert_equal "${#lines[@]}" 1
    assert_zeros wv 0 65536
  else
    assert_equal "$status" 1
    assert_equal "$output" ""
  fi
}

@test "-w: several FILEs, a failure on one does not stop the others" {
  require_fs tmpfs
  local d
  d=$(fs_dir tmpfs)/$BATS_TEST_NUMBER
  mkdir -p "$d"
  cd "$d"
  make_file_with w1 data:0:8K
  make_file_with w3 data:0:8K
  local b1 b3
  b1=$(file_fingerprint w1) b3=$(file_fingerprint w3)
  run --separate-stderr "$FALLOCATE" -w -l 8K w1 nodir/w2 w3
  assert_equal "$status" 1
  assert_equal "$output" ""
  local n=${#stderr_lines[@]}
  [[ " ${stderr_lines[*]} " == *"fallocate: cannot open 'nodir/w2': No such file or directory"* ]] ||
    fail "nodir/w2 not reported: $stderr"
  if ((n == 1)); then
    assert_zeros w1 0 8192
    assert_zeros w3 0 8192
  else
    # Foundation: one refusal each for w1 and w3, files unchanged.
    assert_equal "$n" 3
    [[ ${stderr_lines[0]} == "fallocate: 'w1': "* ]] || fail "w1 not tried first: $stderr"
    [[ ${stderr_lines[2]} == "fallocate: 'w3': "* ]] || fail "w3 not tried: $stderr"
    assert_equal "$(file_fingerprint w1)" "$b1"
    assert_equal "$(file_fingerprint w3)" "$b3"
  fi
}

@test "the kernel probe used above tells supported from unsupported modes" {
  require_fs ext4 tmpfs
  # Mode 0 is supported on ext4, ZERO_RANGE is not on tmpfs: the probe
  # must say so, or the tests above would take the wrong branch.
  kernel_supports "$(fs_dir ext4)" 0
  local rc=0
  kernel_supports "$(fs_dir tmpfs)" 0x10 || rc=$?
  assert_equal "$rc" 1
}
