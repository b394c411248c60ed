#!/usr/bin/env bats
# A block device as FILE (issue 7, items 1 and 15): a 64 MiB loop device
# full of random data.  --punch-hole, --zero-range, --write-zeroes and
# --advise work on a range inside it and change nothing else; a range
# that ends past the end of the device is refused before anything is
# written (no rollback ever touches a device: it used to zero the whole
# range and try to truncate the device), but for a punch, or -z -n,
# which reach to the end of the device as the kernel and util-linux
# have them do; a range that starts past the end is refused; every other operation is
# refused; -v with --advise tells the size of the device.  The device's
# bytes are read with direct I/O, past any page cache, and written back
# from a copy before each test.

load "$TESTS_SRCDIR/helpers/common"

# The size of the device, and how the program writes it.
DEV_BYTES=$((64 * MiB))
DEV_SIZE="64 MiB (67108864 bytes)"

# _dev_state: where setup_file records what it did.
_dev_state() { printf '%s\n' "$BATS_FILE_TMPDIR/device"; }

# setup_file: make a 64 MiB image of random data and a copy of it (to
# write back before each test), record its sha256, attach it to a loop
# device.  Each step is recorded in $(_dev_state) as soon as it is done
# (img, orig, sha, dev), so teardown_file undoes exactly what was done;
# a step that fails is recorded as the reason the device is unavailable.
setup_file() {
  local state img orig dev
  state=$(_dev_state)
  mkdir -p "$state"
  if ! is_root; then
    echo "needs root to attach a loop device" >"$state/unavailable"
    return 0
  fi
  img=$BATS_FILE_TMPDIR/device.img
  orig=$BATS_FILE_TMPDIR/device.orig
  printf '%s\n' "$img" >"$state/img"
  printf '%s\n' "$orig" >"$state/orig"
  head -c "$DEV_BYTES" /dev/urandom >"$orig"
  cp -- "$orig" "$img"
  sha "$orig" >"$state/sha"
  if ! dev=$(_losetup_retry "$img" 2>&1); then
    echo "losetup failed: $dev" >"$state/unavailable"
    return 0
  fi
  printf '%s\n' "$dev" >"$state/dev"
}

# teardown_file: detach the device (only if it still holds our image)
# and remove the image and its copy, as far as setup_file got.
teardown_file() {
  local state rc=0 dev img
  state=$(_dev_state)
  [[ -d $state ]] || return 0
  if [[ -e $state/dev ]]; then
    dev=$(<"$state/dev")
    img=$(<"$state/img")
    if losetup -j "$img" -O NAME -n 2>/dev/null | grep -qx "$dev"; then
      losetup -d "$dev" || rc=1
    fi
  fi
  [[ ! -e $state/img ]] || rm -f -- "$(<"$state/img")"
  [[ ! -e $state/orig ]] || rm -f -- "$(<"$state/orig")"
  rm -rf -- "$state"
  return "$rc"
}

# setup: DEV is the device, ORIG the copy of its bytes, SHA their
# sha256; the device is written back from ORIG and checked.
setup() {
  check_fallocate_built
  local state
  state=$(_dev_state)
  if [[ -e $state/unavailable ]]; then
    ci_skip "$(<"$state/unavailable")"
    return
  fi
  DEV=$(<"$state/dev")
  ORIG=$(<"$state/orig")
  SHA=$(<"$state/sha")
  dd if="$ORIG" of="$DEV" bs=1M oflag=direct conv=fsync status=none
  assert_equal "$(dev_sha 0 "$DEV_BYTES")" "$SHA"
}

# dev_sha OFF LEN: sha256 of LEN bytes of the device from OFF (multiples
# of 1 MiB), read with direct I/O.
dev_sha() {
  dd if="$DEV" bs=1M iflag=direct,skip_bytes,count_bytes skip="$1" \
     count="$2" status=none | sha256sum | cut -d' ' -f1
}

# assert_device_unchanged: the device holds the bytes it had.
assert_device_unchanged() {
  assert_equal "$(dev_sha 0 "$DEV_BYTES")" "$SHA"
}

# assert_device_zeroed OFF LEN: the device reads as zeros over
# [OFF, OFF+LEN) and holds its former bytes everywhere else (MiB
# multiples).
assert_device_zeroed() {
  local off=$(( $(to_bytes "$1") )) len=$(( $(to_bytes "$2") )) end
  end=$((off + len))
  assert_equal "$(dev_sha "$off" "$len")" "$(zeros_sha256 "$len")"
  assert_equal "$(dev_sha 0 "$off")" "$(region_sha256 "$ORIG" 0 "$off")"
  assert_equal "$(dev_sha "$end" $((DEV_BYTES - end)))" \
    "$(region_sha256 "$ORIG" "$end" $((DEV_BYTES - end)))"
}

# ---------------------------------------------------------------------------
# Inside the device: done, nothing else changed.

# zeroes_inside OFF LEN OPTION: the program with OPTION -o OFF -l LEN on
# the device succeeds silently; that range reads as zeros, the rest is
# as it was.
zeroes_inside() {
  fallocate_ok "$3" -o "$1" -l "$2" "$DEV"
  assert_equal "$output" ""
  assert_device_zeroed "$1" "$2"
}

@test "-p inside the device: the range reads as zeros, the rest unchanged" { zeroes_inside 1M 2M -p; }
@test "-z inside the device: the range reads as zeros, the rest unchanged" { zeroes_inside 1M 2M -z; }
@test "-w inside the device: the range reads as zeros, the rest unchanged" { zeroes_inside 1M 2M -w; }
@test "-p up to the last byte of the device: done" { zeroes_inside 63M 1M -p; }
@test "-z up to the last byte of the device: done" { zeroes_inside 63M 1M -z; }
@test "-w up to the last byte of the device: done" { zeroes_inside 63M 1M -w; }

@test "--advise on a range of the device: done, the device unchanged" {
  local advice
  for advice in willneed dontneed; do
    fallocate_ok --advise="$advice" -v -o 1M -l 2M "$DEV"
    assert_equal "$output" "$DEV: 2 MiB (2097152 bytes) advised $advice."
  done
  assert_device_unchanged
}

@test "--advise -v on the whole device tells the device's size" {
  local advice
  for advice in willneed dontneed; do
    fallocate_ok --advise="$advice" -v "$DEV"
    assert_equal "$output" "$DEV: $DEV_SIZE advised $advice."
  done
  assert_device_unchanged
}

# ---------------------------------------------------------------------------
# A range past the end: refused before anything is written.

# past_end WHAT OPTION...: the program with OPTION... on the device fails
# with "cannot WHAT: the range ends past the end of the device" and the
# device holds every byte it had.
past_end() {
  local what=$1 where=ends
  shift
  [[ $what != *@start ]] || { what=${what%@start} where=starts; }
  run --separate-stderr "$FALLOCATE" "$@" "$DEV"
  assert_error "fallocate: '$DEV': cannot $what: the range $where past the end of the device (67108864 bytes)"
  assert_device_unchanged
}

@test "-z over the last MiB and 1 MiB past the end: refused, the device unchanged" { past_end "zero range" -z -o 63M -l 2M; }
@test "-z of 65 MiB from 0: refused, the device unchanged" { past_end "zero range" -z -l 65M; }
@test "-w of 20 GiB: refused, the device unchanged" { past_end "write zeroes" -w -l 20G; }
@test "-w over the last MiB and 1 MiB past the end: refused, the device unchanged" { past_end "write zeroes" -w -o 63M -l 2M; }
@test "-z starting at the end of the device: refused, the device unchanged" { past_end "zero range@start" -z -o 64M -l 1M; }
@test "-p starting at the end of the device: refused, the device unchanged" { past_end "punch hole@start" -p -o 64M -l 1M; }

# A punch past the end, as past the end of a file, reaches to the end, as
# the kernel (and util-linux) do; so does -z with -n (which keeps the
# size, here that of the device).
@test "-p over the last MiB and 1 MiB past the end: the last MiB punched, -v says 1 MiB" {
  fallocate_ok -v -p -o 63M -l 2M "$DEV"
  assert_equal "$output" "$DEV: 1 MiB (1048576 bytes) hole created."
  assert_device_zeroed 63M 1M
}

@test "-z -n over the last MiB and 1 MiB past the end: the last MiB zeroed, -v says 1 MiB" {
  fallocate_ok -v -z -n -o 63M -l 2M "$DEV"
  assert_equal "$output" "$DEV: 1 MiB (1048576 bytes) zeroed."
  assert_device_zeroed 63M 1M
}

# ---------------------------------------------------------------------------
# What does not apply to devices: refused, the device unchanged.

# refused OPTION...: the program with OPTION... on the device is refused
# with the message for devices, and the device holds every byte it had.
refused() {
  run --separate-stderr "$FALLOCATE" "$@" "$DEV"
  assert_error "fallocate: '$DEV' is a block device; only --punch-hole, --zero-range, --write-zeroes and --advise apply to devices"
  assert_device_unchanged
}

@test "mode 0 (allocate) on a device: refused, unchanged" { refused -l 1M; }
@test "-n on a device: refused, unchanged" { refused -n -l 1M; }
@test "-x on a device: refused, unchanged" { refused -x -l 1M; }
@test "-c on a device: refused, unchanged" { refused -c -l 1M; }
@test "-i on a device: refused, unchanged" { refused -i -l 1M; }
@test "-u on a device: refused, unchanged" { refused -u -l 1M; }
@test "-d on a device: refused, unchanged" { refused -d; }
@test "-r on a device: refused, unchanged" { refused -r; }
