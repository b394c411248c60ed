#!/usr/bin/env bats
# The command line as such: --help, --version, option syntax, usage
# errors, exit status, output streams.  No mounts needed: the files are
# small and live in the per-test temporary directory.

load "$TESTS_SRCDIR/helpers/common"

setup() {
  check_fallocate_built
  cd "$BATS_TEST_TMPDIR"
}

# Every long option of the Foundation issue.
LONG_OPTIONS=(collapse-range dig-holes insert-range length keep-size offset
              punch-hole report-holes verbose write-zeroes posix zero-range
              help version advise)

@test "--help: GNU usage on stdout, exit 0, every option listed" {
  run --separate-stderr "$FALLOCATE" --help
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  [[ ${lines[0]} == "Usage: fallocate "* ]] || fail "first line: ${lines[0]}"
  local opt
  for opt in "${LONG_OPTIONS[@]}"; do
    [[ $output == *"--$opt"* ]] || fail "--help does not mention --$opt"
  done
  # Short options, util-linux style "-c, --collapse-range".
  for opt in c d i l n o p r v w x z h V; do
    [[ $output =~ (^|[[:space:]])-$opt, ]] || fail "--help does not list -$opt,"
  done
  # The advice names are documented.
  for opt in normal sequential random noreuse willneed dontneed; do
    [[ $output == *"$opt"* ]] || fail "--help does not name advice '$opt'"
  done
}

@test "-h is --help" {
  run --separate-stderr "$FALLOCATE" --help
  local long=$output
  run --separate-stderr "$FALLOCATE" -h
  assert_equal "$status" 0
  assert_equal "$output" "$long"
}

@test "--help wins over the other options and touches no file" {
  run --separate-stderr "$FALLOCATE" -l 1M --help f
  assert_equal "$status" 0
  [[ ${lines[0]} == "Usage: fallocate "* ]]
  assert_not_exist f
}

@test "--version: GNU format on stdout, exit 0" {
  run --separate-stderr "$FALLOCATE" --version
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  [[ ${lines[0]} =~ ^fallocate(\ \(fallocate\))?\ ${PACKAGE_VERSION//./\\.}$ ]] ||
    fail "first line '${lines[0]}' is not 'fallocate (fallocate) $PACKAGE_VERSION'"
  [[ ${lines[1]} == "Copyright (C) "* ]] || fail "second line: ${lines[1]}"
  assert_line --partial "License GPLv3+"
}

@test "-V is --version" {
  run --separate-stderr "$FALLOCATE" --version
  local long=$output
  run --separate-stderr "$FALLOCATE" -V
  assert_equal "$status" 0
  assert_equal "$output" "$long"
}

@test "no arguments at all: usage error, exit 1, naming what is missing" {
  run --separate-stderr "$FALLOCATE"
  assert_usage_error
  [[ ${stderr_lines[0],,} == *length* || ${stderr_lines[0],,} == *file* ]] ||
    fail "does not say what is missing: $stderr"
  _assert_only_hint_follows
}

@test "no FILE: usage error naming the missing file operand" {
  run --separate-stderr "$FALLOCATE" -l 4096
  assert_usage_error
  [[ ${stderr_lines[0],,} == *file* ]] || fail "does not say a file is missing: $stderr"
  assert_try_help
}

@test "unknown long option: named, --help hint, nothing created" {
  run --separate-stderr "$FALLOCATE" --bogus -l 4096 f
  assert_usage_error
  [[ ${stderr_lines[0]} == *"'--bogus'"* ]] || fail "culprit not quoted: $stderr"
  assert_try_help
  assert_not_exist f
}

@test "unknown short option: named, --help hint, nothing created" {
  run --separate-stderr "$FALLOCATE" -q -l 4096 f
  assert_usage_error
  [[ ${stderr_lines[0]} == *"'q'"* ]] || fail "culprit not quoted: $stderr"
  assert_try_help
  assert_not_exist f
}

@test "option needing an argument given none: named, --help hint" {
  run --separate-stderr "$FALLOCATE" f -l
  assert_usage_error
  [[ ${stderr_lines[0]} == *"'l'"* || ${stderr_lines[0]} == *length* ]] ||
    fail "option not named: $stderr"
  assert_try_help
  assert_not_exist f
}

@test "long option without argument given =VALUE: named, --help hint" {
  touch f
  run --separate-stderr "$FALLOCATE" --punch-hole=yes -l 4096 f
  assert_usage_error
  [[ ${stderr_lines[0]} == *punch-hole* ]] || fail "option not named: $stderr"
  assert_try_help
  assert_size f 0
}

@test "ambiguous long option prefix: named with its candidates, --help hint" {
  run --separate-stderr "$FALLOCATE" --p -l 4096 f
  assert_usage_error
  assert_equal "${stderr_lines[0]}" "fallocate: option '--p' is ambiguous; possibilities: '--posix' '--progress' '--punch-hole'"
  assert_try_help
  assert_not_exist f
}

@test "an unknown short option after a long one is named as itself" {
  run --separate-stderr "$FALLOCATE" --verbose -qv -l 1 f
  assert_usage_error
  assert_equal "${stderr_lines[0]}" "fallocate: invalid option -- 'q'"
  assert_try_help
  assert_not_exist f
}

@test "unambiguous long option prefixes are accepted (--len, --off, --pu)" {
  run "$FALLOCATE" --off=4096 --len 8192 f
  assert_success
  assert_size f 12288
  make_file_with g fill:0:16K:0xaa
  run "$FALLOCATE" --pu --off 4096 --len=4096 g
  assert_success
  assert_size g 16384
  assert_zeros g 4096 4096
  [[ $(region_sha256 g 0 4096) == $(region_sha256 g 8192 4096) ]]
}

@test "option argument forms: -l4096, -l 4096, --length=4096, --length 4096" {
  local form i=0
  for form in "-l4096" "-l 4096" "--length=4096" "--length 4096"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    run "$FALLOCATE" $form "f$i"
    assert_success
    assert_size "f$i" 4096
  done
}

@test "short options can be bundled: -nl 8192" {
  make_file_with f data:0:4096
  local before
  before=$(region_sha256 f 0 4096)
  run "$FALLOCATE" -nl 8192 f
  assert_success
  assert_size f 4096
  ((($(alloc_bytes f)) >= 8192)) || fail "-n did not allocate: $(alloc_bytes f)"
  assert_equal "$(region_sha256 f 0 4096)" "$before"
}

@test "options may follow FILE (GNU argument permutation)" {
  run "$FALLOCATE" f -o 4096 -l 4096
  assert_success
  assert_size f 8192
}

@test "-- ends the options: a FILE named -x is allocated" {
  run "$FALLOCATE" -l 4096 -- -x
  assert_success
  assert_size ./-x 4096
  # ... and no posix-mode file got created under another name.
  assert_equal "$(ls -A | wc -l)" 1
}

@test "success: exit 0, nothing on stdout or stderr without -v" {
  run --separate-stderr "$FALLOCATE" -l 64K f
  assert_equal "$status" 0
  assert_equal "$output" ""
  assert_equal "$stderr" ""
  assert_size f 65536
}

@test "-v: the util-linux line on stdout, nothing on stderr" {
  run --separate-stderr "$FALLOCATE" -v -l 1M f
  assert_equal "$status" 0
  assert_equal "$output" "f: 1 MiB (1048576 bytes) allocated."
  assert_equal "$stderr" ""
  assert_size f 1048576
}

@test "-v names FILE exactly as given on the command line" {
  mkdir sub
  run "$FALLOCATE" -v -l 4096 ./sub/../sub/f
  assert_success
  assert_output "./sub/../sub/f: 4 KiB (4096 bytes) allocated."
  assert_size sub/f 4096
}

@test "several FILEs: each processed in order, exit 0" {
  run "$FALLOCATE" -v -l 8K a b c
  assert_success
  assert_equal "${lines[0]}" "a: 8 KiB (8192 bytes) allocated."
  assert_equal "${lines[1]}" "b: 8 KiB (8192 bytes) allocated."
  assert_equal "${lines[2]}" "c: 8 KiB (8192 bytes) allocated."
  assert_equal "${#lines[@]}" 3
  assert_size a 8192
  assert_size b 8192
  assert_size c 8192
}

@test "--help to a full stdout: write error reported, exit 1" {
  run --separate-stderr bash -c '"$FALLOCATE" --help >/dev/full'
  assert_equal "$status" 1
  [[ $stderr == "fallocate: "*"write error"* ]] || fail "no write error: $stderr"
}

@test "--version to a full stdout: write error reported, exit 1" {
  run --separate-stderr bash -c '"$FALLOCATE" --version >/dev/full'
  assert_equal "$status" 1
  [[ $stderr == "fallocate: "*"write error"* ]] || fail "no write error: $stderr"
}

@test "-v to a full stdout: the file is allocated, but exit 1 with a write error" {
  run --separate-stderr bash -c '"$FALLOCATE" -v -l 64K f >/dev/full'
  assert_equal "$status" 1
  [[ $stderr == "fallocate: "*"write error"* ]] || fail "no write error: $stderr"
  assert_size f 65536
}

@test "messages start with 'fallocate: ' whatever the path used to run it" {
  mkdir -p bin/deeper
  cp "$FALLOCATE" bin/deeper/fallocate
  run --separate-stderr ./bin/deeper/fallocate -l 1.2.3M f
  assert_error "fallocate: invalid length: '1.2.3M'"
}

@test "a usage error prints no partial work: -v with a bad option creates and prints nothing" {
  run --separate-stderr "$FALLOCATE" -v -l 4096 a --bogus b
  assert_usage_error
  assert_not_exist a
  assert_not_exist b
}
