#!/usr/bin/env bats
# A smoke run on tmpfs: allocate, punch, dig and report once each, and
# check what each did to the file (size, bytes, allocated blocks).  Cheap
# enough for every build: `make check` runs it, and `make check-smoke`
# runs it with the unit tests alone (the musl build in CI).

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file tmpfs; }

@test "smoke: -l 1M makes a new file of 1 MiB, allocated, reading zeros" {
  require_fs tmpfs
  local f
  f=$(new_file tmpfs)
  fallocate_ok -l 1M "$f"
  assert_size "$f" $MiB
  assert_alloc_between "$f" $MiB $MiB
  assert_zeros "$f" 0 $MiB
}

@test "smoke: -p punches 256 KiB out of 1 MiB of data, the rest untouched" {
  require_fs tmpfs
  file_and_ref tmpfs data:0:1M
  fallocate_ok -p -o 256K -l 256K "$F"
  assert_size "$F" $MiB
  assert_alloc_between "$F" $((3 * K256)) $((3 * K256))
  assert_zeros "$F" $K256 $K256
  assert_region_equal "$F" 0 "$REF" 0 $K256
  assert_region_equal "$F" $((2 * K256)) "$REF" $((2 * K256)) $((2 * K256))
}

@test "smoke: -d makes 512 KiB of written zeros a hole, the bytes unchanged" {
  require_fs tmpfs
  file_and_ref tmpfs data:0:256K zero:256K:512K data:768K:256K
  assert_alloc_between "$F" $MiB $MiB
  fallocate_ok -d "$F"
  assert_size "$F" $MiB
  assert_alloc_between "$F" $((2 * K256)) $((2 * K256))
  cmp "$F" "$REF"
}

@test "smoke: -r reports a file hole and a data hole, and changes nothing" {
  require_fs tmpfs
  local before
  file_and_ref tmpfs data:0:1M zero:256K:256K punch:768K:128K
  before=$(file_fingerprint "$F")
  run --separate-stderr "$FALLOCATE" -r -v "$F"
  assert_success
  assert_equal "$stderr" ""
  assert_output "data hole: offset 262144 - 524288 (262144 bytes)
file hole: offset 786432 - 917504 (131072 bytes)

Summary:
file holes: 1 holes, 128 KiB (131072 bytes, 12.50% of the file)
data holes: 1 holes, 256 KiB (262144 bytes, 25.00% of the file)"
  assert_equal "$(file_fingerprint "$F")" "$before"
}
