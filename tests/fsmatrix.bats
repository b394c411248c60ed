#!/usr/bin/env bats
# What each filesystem accepts, operation by operation, on real ext4, xfs,
# btrfs, ext2 and tmpfs mounts.  Where the operation works, its effect on
# a 1 MiB file of random data is checked (size, bytes, allocation after
# dropping the page cache); where the kernel refuses it, the program must
# exit 1 with "fallocate: 'FILE': cannot ...: Operation not supported"
# (detail may follow) and leave the file exactly as it was.
#
#            mode0  -n   -p   -c   -i   -z   -x   -w
#   ext4      yes   yes  yes  yes  yes  yes  yes  fb
#   xfs       yes   yes  yes  yes  yes  yes  yes  fb
#   btrfs     yes   yes  yes  no   no   yes  yes  fb
#   ext2      fb    no   yes  no   no   fb   yes  fb
#   tmpfs     yes   yes  yes  no   no   fb   yes  fb
#
# (ext2 is mounted by the ext4 driver, which punches holes in indirect-
# mapped files.)  -x always works: posix_fallocate(3) falls back to
# writing zeros.  -n here allocates past EOF, which has no fallback.
# fb: the kernel says no (-w: on loop devices), and the program's fallback
#   (the issue "Keeps working where the kernel says no") gives the effect
#   of the kernel operation.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs btrfs ext2 tmpfs; }

SLACK=65536

declare -gA KERNEL_MODE=([0]=0 [n]=0x01 [p]=0x03 [c]=0x08 [i]=0x20 [z]=0x10 [w]=0x80)

# matrix FS OP yes|no|fb: OP is one of 0 n p c i z x w (the cells above).
matrix() {
  local fs=$1 op=$2 expect=$3 d f ref a0 before
  require_fs "$fs"
  d=$(fs_dir "$fs")
  cd "$d"
  f=m-$op
  ref=m-$op.ref
  rm -f "$f" "$ref"
  make_file_with "$f" data:0:1M
  cp "$f" "$ref"
  drop_caches
  a0=$(alloc_bytes "$f")
  before=$(file_fingerprint "$f")

  # The table must describe this kernel: ask it directly first, so that a
  # different kernel shows up as such and not as a bug of the program.
  if [[ $op != x ]]; then
    local k=yes rc=0
    kernel_supports "$d" "${KERNEL_MODE[$op]}" || rc=$?
    ((rc != 2)) || fail "cannot probe mode ${KERNEL_MODE[$op]} on $fs"
    ((rc == 0)) || k=no
    local want=$expect
    [[ $expect == fb ]] && want=no
    [[ $k == "$want" ]] ||
      fail "this kernel says '$k' to mode ${KERNEL_MODE[$op]} on $fs; the matrix expects '$want'"
  fi

  local -a args
  case $op in
    0) args=(-o 1M -l 256K) ;;
    n) args=(-n -o 1M -l 256K) ;;
    x) args=(-x -o 1M -l 256K) ;;
    *) args=("-$op" -o 256K -l 256K) ;;
  esac
  run --separate-stderr "$FALLOCATE" "${args[@]}" "$f"
  drop_caches

  if [[ $expect == no ]]; then
    assert_error_match "fallocate: '$f': cannot [^:]+: Operation not supported( .+)?"
    assert_equal "$(file_fingerprint "$f")" "$before"
    return
  fi

  assert_equal "$status" 0
  assert_equal "$stderr" ""
  case $op in
    0 | x)
      assert_size "$f" $((MiB + K256))
      assert_region_equal "$f" 0 "$ref" 0 $MiB
      assert_zeros "$f" $MiB $K256
      assert_alloc_between "$f" $((a0 + K256)) $((a0 + K256 + SLACK)) ;;
    n)
      assert_size "$f" $MiB
      assert_region_equal "$f" 0 "$ref" 0 $MiB
      assert_alloc_between "$f" $((a0 + K256)) $((a0 + K256 + SLACK)) ;;
    p)
      assert_size "$f" $MiB
      assert_region_equal "$f" 0 "$ref" 0 $K256
      assert_zeros "$f" $K256 $K256
      assert_region_equal "$f" 524288 "$ref" 524288 524288
      assert_equal "$(alloc_bytes "$f")" $((a0 - K256)) ;;
    z | w)
      assert_size "$f" $MiB
      assert_region_equal "$f" 0 "$ref" 0 $K256
      assert_zeros "$f" $K256 $K256
      assert_region_equal "$f" 524288 "$ref" 524288 524288
      # Still allocated (a hole would leave a0 - 256K).
      assert_alloc_between "$f" "$a0" $((a0 + SLACK))
      if [[ $op == w && $fs != tmpfs ]]; then
        assert_equal "$(mapped_bytes "$f" $K256 $K256 unwritten)" 0
      fi ;;
    c)
      assert_size "$f" $((MiB - K256))
      assert_region_equal "$f" 0 "$ref" 0 $K256
      assert_region_equal "$f" $K256 "$ref" 524288 524288
      assert_equal "$(alloc_bytes "$f")" $((a0 - K256)) ;;
    i)
      assert_size "$f" $((MiB + K256))
      assert_region_equal "$f" 0 "$ref" 0 $K256
      assert_zeros "$f" $K256 $K256
      assert_region_equal "$f" 524288 "$ref" $K256 $((MiB - K256))
      assert_equal "$(alloc_bytes "$f")" "$a0" ;;
  esac
  rm -f "$f" "$ref"
}

@test "ext4: mode 0 works"   { matrix ext4 0 yes; }
@test "ext4: -n works"       { matrix ext4 n yes; }
@test "ext4: -p works"       { matrix ext4 p yes; }
@test "ext4: -c works"       { matrix ext4 c yes; }
@test "ext4: -i works"       { matrix ext4 i yes; }
@test "ext4: -z works"       { matrix ext4 z yes; }
@test "ext4: -x works"       { matrix ext4 x yes; }
@test "ext4: -w is not in the kernel here: fallback" { matrix ext4 w fb; }

@test "xfs: mode 0 works"    { matrix xfs 0 yes; }
@test "xfs: -n works"        { matrix xfs n yes; }
@test "xfs: -p works"        { matrix xfs p yes; }
@test "xfs: -c works"        { matrix xfs c yes; }
@test "xfs: -i works"        { matrix xfs i yes; }
@test "xfs: -z works"        { matrix xfs z yes; }
@test "xfs: -x works"        { matrix xfs x yes; }
@test "xfs: -w is not in the kernel here: fallback" { matrix xfs w fb; }

@test "btrfs: mode 0 works"  { matrix btrfs 0 yes; }
@test "btrfs: -n works"      { matrix btrfs n yes; }
@test "btrfs: -p works"      { matrix btrfs p yes; }
@test "btrfs: -c is not supported" { matrix btrfs c no; }
@test "btrfs: -i is not supported" { matrix btrfs i no; }
@test "btrfs: -z works"      { matrix btrfs z yes; }
@test "btrfs: -x works"      { matrix btrfs x yes; }
@test "btrfs: -w is not in the kernel here: fallback" { matrix btrfs w fb; }

@test "ext2: mode 0 is not in the kernel: fallback" { matrix ext2 0 fb; }
@test "ext2: -n past EOF is not supported" { matrix ext2 n no; }
@test "ext2: -p works (ext4 driver)" { matrix ext2 p yes; }
@test "ext2: -c is not supported" { matrix ext2 c no; }
@test "ext2: -i is not supported" { matrix ext2 i no; }
@test "ext2: -z is not in the kernel: fallback" { matrix ext2 z fb; }
@test "ext2: -x works (the C library writes zeros)" { matrix ext2 x yes; }
@test "ext2: -w is not in the kernel here: fallback" { matrix ext2 w fb; }

@test "tmpfs: mode 0 works"  { matrix tmpfs 0 yes; }
@test "tmpfs: -n works"      { matrix tmpfs n yes; }
@test "tmpfs: -p works"      { matrix tmpfs p yes; }
@test "tmpfs: -c is not supported" { matrix tmpfs c no; }
@test "tmpfs: -i is not supported" { matrix tmpfs i no; }
@test "tmpfs: -z is not in the kernel: fallback" { matrix tmpfs z fb; }
@test "tmpfs: -x works"      { matrix tmpfs x yes; }
@test "tmpfs: -w is not in the kernel here: fallback" { matrix tmpfs w fb; }

@test "ext2: mode 0 on a missing file: allocated by the fallback" {
  require_fs ext2
  cd "$(fs_dir ext2)"
  rm -f newfile
  run --separate-stderr "$FALLOCATE" -l 1M newfile
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  drop_caches
  assert_size newfile $MiB
  assert_zeros newfile 0 $MiB
  assert_alloc_between newfile $MiB $((MiB + SLACK))
  rm -f newfile
}

@test "the kernel probe used above tells supported from unsupported modes" {
  require_fs ext4 tmpfs
  # Mode 0 is supported on ext4, ZERO_RANGE is not on tmpfs: the probe
  # must say so, or the matrix would check the wrong thing.
  kernel_supports "$(fs_dir ext4)" 0
  local rc=0
  kernel_supports "$(fs_dir tmpfs)" 0x10 || rc=$?
  assert_equal "$rc" 1
}

# verbose_lines FS: for each operation the -v line is util-linux's, byte
# for byte (util-linux 2.38 has the same wording for these operations).
verbose_lines() {
  require_fs "$1"
  cd "$(fs_dir "$1")"
  local args mine theirs
  while read -r args; do
    rm -f v.ours v.theirs
    make_file_with v.ours data:0:1M
    cp v.ours v.theirs
    # shellcheck disable=SC2086
    run --separate-stderr "$FALLOCATE" -v $args v.ours
    assert_equal "$status" 0
    mine=${output//v.ours/FILE}
    # shellcheck disable=SC2086
    run --separate-stderr "$SYS_FALLOCATE" -v $args v.theirs
    assert_equal "$status" 0
    theirs=${output//v.theirs/FILE}
    assert_equal "$args: $mine" "$args: $theirs"
    cmp v.ours v.theirs
    assert_equal "$(file_size v.ours)" "$(file_size v.theirs)"
  done <<'EOF'
-l 1M
-o 1M -l 1.5M
-n -o 512K -l 1M
-x -o 1M -l 4K
-p -o 64K -l 128K
-c -o 256K -l 256K
-i -o 256K -l 10735616
-z -o 12K -l 1000
-z -n -o 1M -l 1M
EOF
  rm -f v.ours v.theirs
}

@test "-v lines are util-linux's for every operation (ext4)" { verbose_lines ext4; }
@test "-v lines are util-linux's for every operation (xfs)" { verbose_lines xfs; }

@test "-v lines exactly: allocated, hole created, removed, inserted, zeroed" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f vv
  make_file_with vv data:0:1M
  run "$FALLOCATE" -v -o 1M -l 1M vv
  assert_output "vv: 1 MiB (1048576 bytes) allocated."
  run "$FALLOCATE" -v -p -o 0 -l 4K vv
  assert_output "vv: 4 KiB (4096 bytes) hole created."
  run "$FALLOCATE" -v -c -o 0 -l 4K vv
  assert_output "vv: 4 KiB (4096 bytes) removed."
  run "$FALLOCATE" -v -i -o 0 -l 8K vv
  assert_output "vv: 8 KiB (8192 bytes) inserted."
  run "$FALLOCATE" -v -z -o 0 -l 1536K vv
  assert_output "vv: 1.5 MiB (1572864 bytes) zeroed."
  assert_size vv $((2 * MiB + 4096))
}
