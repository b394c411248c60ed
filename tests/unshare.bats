#!/usr/bin/env bats
# -u/--unshare-range (FALLOC_FL_UNSHARE_RANGE): a file gets its own copy
# of the blocks it shares with reflinked copies.  Checked on an xfs made
# with reflink=1 and copies made with `cp --reflink=always`: FIEMAP's
# SHARED flag (filefrag -v "shared") is gone from the range, the bytes
# and the size do not change, and the result is the kernel's own (the
# same mode called directly on a twin copy).  Elsewhere (ext4, btrfs,
# ext2, tmpfs) the kernel refuses the mode: the error names the
# filesystem and says where it works, and nothing changes.

load "$TESTS_SRCDIR/helpers/common"

# The reflink xfs is a filesystem of this file's own, "rxfs" (FS_KIND in
# the helpers), made with mkfs.xfs -m reflink=1.
setup_file() {
  FS_KIND[rxfs]=xfs
  FS_MKFS_OPTS[rxfs]="-m reflink=1"
  FS_IMAGE_MIB[rxfs]=300
  fs_setup_file ext4 btrfs ext2 tmpfs rxfs
}


UNSHARE=0x40

# shared_bytes F OFF LEN: bytes of [OFF, OFF+LEN) in extents flagged shared.
shared_bytes() {
  fiemap_extents "$1" | awk -v o="$2" -v e="$(($2 + $3))" '
    $3 ~ /shared/ {
      s = $1; t = $1 + $2
      if (s < o) s = o
      if (t > e) t = e
      if (t > s) sum += t - s }
    END { printf "%d\n", sum }'
}

# layout F: the logical layout of F without physical places: offset,
# length and kind (data/unwritten, shared or not) of each extent.
layout() {
  fiemap_extents "$1" | awk '{
    k = ($3 ~ /unwritten/) ? "unwritten" : "data"
    if ($3 ~ /shared/) k = k "+shared"
    print $1, $2, k }'
}

# make_shared D: D/orig with 4 MiB of random data and D/copy, a reflink
# copy of it; both fully shared.
make_shared() {
  head -c $((4 * MiB)) /dev/urandom >"$1/orig"
  cp --reflink=always -- "$1/orig" "$1/copy"
  sync -f "$1"
}

@test "premise: cp --reflink=always on the reflink xfs shares every extent" {
  require_fs rxfs
  local d
  d=$(tdir rxfs)
  make_shared "$d"
  assert_equal "$(shared_bytes "$d/copy" 0 $((4 * MiB)))" $((4 * MiB))
  assert_equal "$(shared_bytes "$d/orig" 0 $((4 * MiB)))" $((4 * MiB))
}

@test "-u on a reflink copy: no shared extent left, bytes and size unchanged, its own blocks" {
  require_fs rxfs
  local d before now
  d=$(tdir rxfs)
  make_shared "$d"
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" -v -u -l 4M "$d/copy"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$d/copy: 4 MiB (4194304 bytes) unshared."
  sync -f "$d"
  assert_equal "$(shared_bytes "$d/copy" 0 $((4 * MiB)))" 0
  # With its last sharer gone, the original owns its blocks alone too.
  assert_equal "$(shared_bytes "$d/orig" 0 $((4 * MiB)))" 0
  assert_equal "$(mapped_bytes "$d/copy" 0 $((4 * MiB)) data)" $((4 * MiB))
  assert_size "$d/copy" $((4 * MiB))
  cmp -- "$d/orig" "$d/copy"
  # The copy took 4 MiB of new space.
  now=$(avail "$d")
  ((before - now >= 4 * MiB && before - now <= 5 * MiB)) ||
    fail "free space went from $before to $now"
}

@test "-u over part of a copy unshares exactly that range" {
  require_fs rxfs
  local d
  d=$(tdir rxfs)
  make_shared "$d"
  run "$FALLOCATE" -u -o 1M -l 1M "$d/copy"
  assert_success
  sync -f "$d"
  assert_equal "$(shared_bytes "$d/copy" $MiB $MiB)" 0
  assert_equal "$(shared_bytes "$d/copy" 0 $MiB)" $MiB
  assert_equal "$(shared_bytes "$d/copy" $((2 * MiB)) $((2 * MiB)))" $((2 * MiB))
  cmp -- "$d/orig" "$d/copy"
}

# same_as_kernel OPTIONS... -- MODE OFF LEN: on two reflink copies of a
# sparse file (data, holes, a preallocated range), ours with OPTIONS and
# the kernel's fallocate(2) MODE OFF LEN give the same size, bytes and
# extent layout.
same_as_kernel() {
  local opts=() mode off len d
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  mode=$2 off=$3 len=$4
  require_fs rxfs
  d=$(tdir rxfs)
  make_file_with "$d/orig" size:4M data:0:1M data:2M:512K prealloc:3M:512K
  cp --reflink=always -- "$d/orig" "$d/ours"
  cp --reflink=always -- "$d/orig" "$d/kern"
  sync -f "$d"
  (($(shared_bytes "$d/ours" 0 $((4 * MiB))) > 0)) || fail "the copy shares nothing"
  run "$FALLOCATE" "${opts[@]}" "$d/ours"
  assert_success
  assert_equal "$(kernel_fallocate "$d/kern" "$mode" "$off" "$len")" 0
  sync -f "$d"
  assert_equal "$(file_size "$d/ours")" "$(file_size "$d/kern")"
  assert_equal "$(sha "$d/ours")" "$(sha "$d/kern")"
  assert_equal "$(layout "$d/ours")" "$(layout "$d/kern")"
  assert_equal "$(shared_bytes "$d/ours" "$off" "$len")" 0
}

@test "-u over data, holes and preallocated space = the kernel's UNSHARE_RANGE" {
  same_as_kernel -u -o 512K -l 3M -- $UNSHARE 524288 $((3 * MiB))
}

@test "-u past EOF grows the size as the kernel's UNSHARE_RANGE does" {
  same_as_kernel -u -o 3M -l 2M -- $UNSHARE $((3 * MiB)) $((2 * MiB))
  assert_size "$(fs_dir rxfs)/$BATS_TEST_NUMBER/ours" $((5 * MiB))
  assert_equal "$(mapped_bytes "$(fs_dir rxfs)/$BATS_TEST_NUMBER/ours" $((3 * MiB)) $((2 * MiB)))" $((2 * MiB))
}

@test "-u -n past EOF keeps the size, as UNSHARE_RANGE|KEEP_SIZE" {
  same_as_kernel -u -n -o 3M -l 2M -- $((UNSHARE | 0x01)) $((3 * MiB)) $((2 * MiB))
  assert_size "$(fs_dir rxfs)/$BATS_TEST_NUMBER/ours" $((4 * MiB))
}

@test "-u on a file that shares nothing changes nothing" {
  require_fs rxfs
  local d before
  d=$(tdir rxfs)
  head -c $((2 * MiB)) /dev/urandom >"$d/alone"
  sync -f "$d"
  before=$(file_fingerprint "$d/alone")
  run "$FALLOCATE" -u -l 2M "$d/alone"
  assert_success
  assert_equal "$(file_fingerprint "$d/alone")" "$before"
  assert_equal "$(shared_bytes "$d/alone" 0 $((2 * MiB)))" 0
}

@test "-u out of space: exit 1 with ENOSPC, the bytes, size and mtime unchanged" {
  # (Blocks unshared before the space ran out stay unshared: they cannot
  # be shared again without knowing the other copy, so the free space is
  # not checked here.  Unsharing changes no byte: the failed call's move
  # of the modification time is put back.)
  require_fs rxfs
  local d before mtime
  d=$(tdir rxfs)
  # Twice this does not fit in the 300 MiB filesystem.
  head -c $((150 * MiB)) /dev/zero | tr '\0' x >"$d/orig"
  cp --reflink=always -- "$d/orig" "$d/copy"
  before=$(avail "$d")
  ((before < 150 * MiB)) || fail "too much free space for the test: $before"
  touch -d '2001-02-03 04:05:06.789' "$d/copy"
  mtime=$(stat -c %.9Y -- "$d/copy")
  run --separate-stderr "$FALLOCATE" -v -u -l 150M "$d/copy"
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: '$d/copy': cannot unshare range: No space left on device"
  assert_size "$d/copy" $((150 * MiB))
  cmp -- "$d/orig" "$d/copy"
  # Whatever is still shared is still the original's blocks.
  (($(shared_bytes "$d/copy" 0 $((150 * MiB))) > 0)) || fail "nothing left shared, yet ENOSPC"
  assert_equal "$(stat -c %.9Y -- "$d/copy")" "$mtime"
}

# not_supported FS: -u is refused naming FS; nothing changes.
not_supported() {
  require_fs "$1"
  local d f before
  d=$(tdir "$1")
  f=$d/f
  head -c $MiB /dev/urandom >"$f"
  sync -- "$f"
  before=$(file_fingerprint "$f")
  run --separate-stderr "$FALLOCATE" -u -l 1M "$f"
  assert_error "fallocate: '$f': cannot unshare range: Operation not supported on $1; it works on xfs with reflink"
  assert_equal "$(file_fingerprint "$f")" "$before"
}

@test "-u on ext4 is refused, naming ext4" { not_supported ext4; }
@test "-u on ext2 is refused, naming ext2" { not_supported ext2; }
@test "-u on tmpfs is refused, naming tmpfs" { not_supported tmpfs; }

@test "-u on a btrfs reflink copy is refused, naming btrfs; the copy stays shared" {
  require_fs btrfs
  local d
  d=$(tdir btrfs)
  make_shared "$d"
  assert_equal "$(shared_bytes "$d/copy" 0 $((4 * MiB)))" $((4 * MiB))
  run --separate-stderr "$FALLOCATE" -u -l 4M "$d/copy"
  assert_error "fallocate: '$d/copy': cannot unshare range: Operation not supported on btrfs; it works on xfs with reflink"
  assert_equal "$(shared_bytes "$d/copy" 0 $((4 * MiB)))" $((4 * MiB))
  cmp -- "$d/orig" "$d/copy"
}

@test "-u on several FILEs: a refused one does not stop the others, exit 1" {
  require_fs rxfs
  require_fs ext4
  local d e
  d=$(tdir rxfs)
  e=$(tdir ext4)
  make_shared "$d"
  cp --reflink=always -- "$d/orig" "$d/copy2"
  head -c $MiB /dev/urandom >"$e/f"
  run --separate-stderr "$FALLOCATE" -v -u -l 4M "$d/copy" "$e/f" "$d/copy2"
  assert_equal "$status" 1
  assert_equal "$output" "$d/copy: 4 MiB (4194304 bytes) unshared.
$d/copy2: 4 MiB (4194304 bytes) unshared."
  assert_equal "$stderr" "fallocate: '$e/f': cannot unshare range: Operation not supported on ext4; it works on xfs with reflink"
  sync -f "$d"
  assert_equal "$(shared_bytes "$d/copy" 0 $((4 * MiB)))" 0
  assert_equal "$(shared_bytes "$d/copy2" 0 $((4 * MiB)))" 0
  cmp -- "$d/orig" "$d/copy2"
}
