#!/usr/bin/env bats
# --collapse-range and --insert-range on ext4 and xfs (the filesystems
# that have them): the data after the range moves, the size changes by
# LENGTH, the bytes are where they must be (sha256 of each region), and
# the allocation follows.  Misaligned ranges and ranges reaching EOF are
# refused by the kernel with EINVAL: the error names the file and the
# operation, and the file is unchanged.  (btrfs/tmpfs/ext2: fsmatrix.bats.)

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 xfs; }

# collapse FS: 1 MiB random; collapse [256K, 512K).
collapse() {
  require_fs "$1"
  local f ref
  file_and_ref "$1" data:0:1M
  f=$F ref=$REF
  fallocate_ok -c -o 256K -l 256K "$f"
  drop_caches
  assert_size "$f" $((MiB - K256))
  assert_region_equal "$f" 0 "$ref" 0 $K256
  assert_region_equal "$f" $K256 "$ref" 524288 524288
  assert_equal "$(alloc_bytes "$f")" $((MiB - K256))
  assert_equal "$(mapped_bytes "$f" 0 $((MiB - K256)) data)" $((MiB - K256))
}

@test "-c on ext4: the range is removed, what follows moves down" { collapse ext4; }
@test "-c on xfs: the range is removed, what follows moves down" { collapse xfs; }

# insert FS: 1 MiB random; insert 256K at 256K.
insert() {
  require_fs "$1"
  local f ref
  file_and_ref "$1" data:0:1M
  f=$F ref=$REF
  fallocate_ok -i -o 256K -l 256K "$f"
  drop_caches
  assert_size "$f" $((MiB + K256))
  assert_region_equal "$f" 0 "$ref" 0 $K256
  assert_zeros "$f" $K256 $K256
  assert_region_equal "$f" 524288 "$ref" $K256 $((MiB - K256))
  # The inserted range is a hole: nothing new is allocated.
  assert_equal "$(alloc_bytes "$f")" $MiB
  assert_equal "$(mapped_bytes "$f" $K256 $K256)" 0
}

@test "-i on ext4: a hole is inserted, what follows moves up" { insert ext4; }
@test "-i on xfs: a hole is inserted, what follows moves up" { insert xfs; }

@test "-c then -i of the same range gives the same size and surrounding bytes (ext4)" {
  require_fs ext4
  local f ref
  file_and_ref ext4 data:0:512K
  f=$F ref=$REF
  "$FALLOCATE" -c -o 128K -l 64K "$f"
  "$FALLOCATE" -i -o 128K -l 64K "$f"
  drop_caches
  assert_size "$f" 524288
  assert_region_equal "$f" 0 "$ref" 0 131072
  assert_zeros "$f" 131072 65536
  assert_region_equal "$f" 196608 "$ref" 196608 327680
}

@test "-c keeps holes and unwritten extents in place before the range (xfs)" {
  require_fs xfs
  local f ref
  # [0,64K) data, [64K,128K) hole, [128K,192K) unwritten, [192K,384K) data;
  # [256K,320K) is collapsed away.
  file_and_ref xfs data:0:64K data:192K:192K prealloc:128K:64K
  f=$F ref=$REF
  run "$FALLOCATE" -c -o 256K -l 64K "$f"
  assert_success
  drop_caches
  assert_size "$f" 327680
  assert_region_equal "$f" 0 "$ref" 0 262144
  assert_region_equal "$f" 262144 "$ref" 327680 65536
  assert_equal "$(mapped_bytes "$f" 65536 65536)" 0
  assert_equal "$(mapped_bytes "$f" 131072 65536 unwritten)" 65536
  assert_equal "$(mapped_bytes "$f" 196608 131072 data)" 131072
}

@test "-i at offset 0 shifts the whole file (ext4)" {
  require_fs ext4
  local f ref
  file_and_ref ext4 data:0:128K
  f=$F ref=$REF
  run "$FALLOCATE" -i -o 0 -l 1M "$f"
  assert_success
  drop_caches
  assert_size "$f" $((MiB + 131072))
  assert_zeros "$f" 0 $MiB
  assert_region_equal "$f" $MiB "$ref" 0 131072
  assert_equal "$(alloc_bytes "$f")" 131072
}

# refused_einval FS CAUSE ARGS...: the kernel says EINVAL; we say which
# file and which operation, exit 1, and the file is as before.  The cause
# is the errno text, or (issue "Keeps working where the kernel says no")
# its explanation: CAUSE "align" must name the block size, 4096; CAUSE
# "eof" must speak of the end of the file.
refused_einval() {
  local fs=$1 cause=$2
  shift 2
  require_fs "$fs"
  cd "$(fs_dir "$fs")"
  rm -f bad
  make_file_with bad data:0:1M
  local before
  before=$(file_fingerprint bad)
  run --separate-stderr "$FALLOCATE" "$@" bad
  assert_error_match "fallocate: 'bad': cannot (collapse|insert) range: .+"
  local why=${stderr_lines[0]#*range: }
  if [[ $why != "Invalid argument" ]]; then
    case $cause in
      align) [[ $why == *4096* ]] || fail "the block size (4096) is not named: $why" ;;
      eof) [[ $why == *"end of"* ]] || fail "the end of file is not named: $why" ;;
    esac
  fi
  drop_caches
  assert_equal "$(file_fingerprint bad)" "$before"
}

@test "-c with an offset not a multiple of the block size: EINVAL, file unchanged (ext4)" { refused_einval ext4 align -c -o 1000 -l 4096; }
@test "-c with a length not a multiple of the block size: EINVAL, file unchanged (xfs)" { refused_einval xfs align -c -o 4096 -l 5000; }
@test "-c reaching EOF: EINVAL, file unchanged (ext4)" { refused_einval ext4 eof -c -o 512K -l 512K; }
@test "-c beyond EOF: EINVAL, file unchanged (xfs)" { refused_einval xfs eof -c -o 2M -l 4K; }
@test "-i unaligned: EINVAL, file unchanged (ext4)" { refused_einval ext4 align -i -o 4096 -l 1000; }
@test "-i at EOF: EINVAL, file unchanged (xfs)" { refused_einval xfs eof -i -o 1M -l 4K; }

@test "the EINVAL message names the operation: collapse vs insert" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f op
  make_file_with op data:0:64K
  run --separate-stderr "$FALLOCATE" -c -o 1 -l 4096 op
  local c=${stderr_lines[0]}
  run --separate-stderr "$FALLOCATE" -i -o 1 -l 4096 op
  local i=${stderr_lines[0]}
  [[ ${c,,} == *collapse* ]] || fail "collapse not named: $c"
  [[ ${i,,} == *insert* ]] || fail "insert not named: $i"
  assert_size op 65536
}

@test "-v -c: 'FILE: 64 KiB (65536 bytes) removed.'" {
  require_fs ext4
  cd "$(fs_dir ext4)"
  rm -f vc
  make_file_with vc data:0:256K
  run --separate-stderr "$FALLOCATE" -v -c -o 64K -l 64K vc
  assert_equal "$status" 0
  assert_equal "$output" "vc: 64 KiB (65536 bytes) removed."
  assert_size vc 196608
}

@test "-v -i: 'FILE: 1.5 MiB (1572864 bytes) inserted.'" {
  require_fs xfs
  cd "$(fs_dir xfs)"
  rm -f vi
  make_file_with vi data:0:256K
  run --separate-stderr "$FALLOCATE" -v -i -o 64K -l 1.5M vi
  assert_equal "$status" 0
  assert_equal "$output" "vi: 1.5 MiB (1572864 bytes) inserted."
  assert_size vi $((262144 + 1572864))
}

# compare_ci FS ARGS...: util-linux and we move the same bytes the same way.
compare_ci() { same_as_util_linux "$1" "data:0:256K size:768K data:512K:128K" "${@:2}"; }

@test "same result as util-linux -c (ext4)" { compare_ci ext4 -c -o 128K -l 256K; }
@test "same result as util-linux -c (xfs)" { compare_ci xfs -c -o 0 -l 512K; }
@test "same result as util-linux -i (ext4)" { compare_ci ext4 -i -o 256K -l 64K; }
@test "same result as util-linux -i (xfs)" { compare_ci xfs -i -o 4K -l 1M; }
