# Shared test bodies for the operations on a file: the steps that
# allocate.bats, punch.bats, zero.bats, collapse-insert.bats and others
# repeat around the one command they check.  -*- shell-script -*-
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Loaded by common.bash.  The helpers that make a file set F (and REF)
# for the caller's further checks.

# fallocate_ok ARGS...: run the program with ARGS (`run --separate-stderr`);
# it must exit 0 and print nothing on stderr.
fallocate_ok() {
  run --separate-stderr "$FALLOCATE" "$@"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
}

# file_and_ref FS SPEC...: F, a fresh file on FS built by make_file_with
# SPEC..., and REF, a copy of it to compare regions with afterwards.
file_and_ref() {
  local fs=$1
  shift
  F=$(new_file "$fs")
  REF=$(new_file "$fs" ref)
  make_file_with "$F" "$@"
  cp "$F" "$REF"
}

# op_keeps_head FS DATA KEEP SIZE OPTION...: on FS, F is a fresh file of
# DATA bytes (K/M suffixes) of random data; the program with OPTION... on
# F succeeds; once the page cache is dropped, F is SIZE bytes long and its
# first KEEP bytes are as they were.  The caller checks the rest.
op_keeps_head() {
  local fs=$1 data=$2 keep=$3 size=$4 head
  shift 4
  require_fs "$fs"
  F=$(new_file "$fs")
  make_file_with "$F" "data:0:$data"
  head=$(region_sha256 "$F" 0 "$keep")
  run "$FALLOCATE" "$@" "$F"
  assert_success
  drop_caches
  assert_size "$F" "$size"
  assert_equal "$(region_sha256 "$F" 0 "$keep")" "$head"
}

# assert_same_result OURS THEIRS [nolayout]: once the page cache is
# dropped, the two files have the same size, data allocation and bytes,
# and (unless nolayout: no FIEMAP there) the same extent layout.
assert_same_result() {
  drop_caches
  assert_equal "$(file_size "$1")" "$(file_size "$2")"
  assert_equal "$(data_alloc_bytes "$1")" "$(data_alloc_bytes "$2")"
  cmp "$1" "$2"
  if [[ ${3:-} != nolayout ]]; then
    assert_equal "$(extents_summary "$1")" "$(extents_summary "$2")"
  fi
}

# same_as_util_linux FS SPECS ARGS...: on FS, "ours" is built by
# make_file_with from the space-separated SPECS and "theirs" is a sparse
# copy of it (its prealloc: ranges preallocated again: cp does not copy
# them); the program runs with ARGS... on ours, util-linux's on theirs;
# both succeed, with the same result (assert_same_result).
same_as_util_linux() {
  local fs=$1 specs spec kind a b d
  read -r -a specs <<<"$2"
  shift 2
  require_fs "$fs"
  d=$(tdir "$fs")
  make_file_with "$d/ours" "${specs[@]}"
  cp --sparse=always "$d/ours" "$d/theirs"
  for spec in "${specs[@]}"; do
    IFS=: read -r kind a b <<<"$spec"
    if [[ $kind == prealloc ]]; then
      "$SYS_FALLOCATE" -n -o "$a" -l "$b" "$d/theirs"
    fi
  done
  "$FALLOCATE" "$@" "$d/ours"
  "$SYS_FALLOCATE" "$@" "$d/theirs"
  assert_same_result "$d/ours" "$d/theirs"
}
