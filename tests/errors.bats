#!/usr/bin/env bats
# Every error path of the Foundation issue: option conflicts, missing and
# zero lengths, files that do not exist or cannot be opened, directories,
# FIFOs and devices, and several FILEs where some fail.  Each error must
# exit 1 with one line naming the culprit, and create or change nothing
# (checked by size, allocation and sha256 of the files involved).

load "$TESTS_SRCDIR/helpers/common"

setup() {
  check_fallocate_built
  cd "$BATS_TEST_TMPDIR"
}

# conflict LONG_A LONG_B OPTION...: OPTION... (with -l 4096 and two FILEs,
# one existing and one missing) is refused with
# "fallocate: options --LONG_A and --LONG_B cannot be combined" (the two
# names in either order), before any file is opened.
conflict() {
  local a=$1 b=$2 before
  shift 2
  make_file_with old data:0:8K
  before=$(file_fingerprint old)
  run --separate-stderr "$FALLOCATE" "$@" -l 4096 old new
  assert_error_match "fallocate: options (--$a and --$b|--$b and --$a) cannot be combined"
  assert_equal "$(file_fingerprint old)" "$before"
  assert_not_exist new
}

# --- the mutually exclusive operations: every pair ------------------------

@test "conflict: -c -d"  { conflict collapse-range dig-holes -c -d; }
@test "conflict: -c -i"  { conflict collapse-range insert-range -c -i; }
@test "conflict: -c -p"  { conflict collapse-range punch-hole -c -p; }
@test "conflict: -c -x"  { conflict collapse-range posix -c -x; }
@test "conflict: -c -w"  { conflict collapse-range write-zeroes -c -w; }
@test "conflict: -c -z"  { conflict collapse-range zero-range -c -z; }
@test "conflict: -d -i"  { conflict dig-holes insert-range -d -i; }
@test "conflict: -d -p"  { conflict dig-holes punch-hole -d -p; }
@test "conflict: -d -x"  { conflict dig-holes posix -d -x; }
@test "conflict: -d -w"  { conflict dig-holes write-zeroes -d -w; }
@test "conflict: -d -z"  { conflict dig-holes zero-range -d -z; }
@test "conflict: -i -p"  { conflict insert-range punch-hole -i -p; }
@test "conflict: -i -x"  { conflict insert-range posix -i -x; }
@test "conflict: -i -w"  { conflict insert-range write-zeroes -i -w; }
@test "conflict: -i -z"  { conflict insert-range zero-range -i -z; }
@test "conflict: -p -x"  { conflict punch-hole posix -p -x; }
@test "conflict: -p -w"  { conflict punch-hole write-zeroes -p -w; }
@test "conflict: -p -z (the issue's example)" { conflict punch-hole zero-range -p -z; }
@test "conflict: -x -w"  { conflict posix write-zeroes -x -w; }
@test "conflict: -x -z"  { conflict posix zero-range -x -z; }
@test "conflict: -w -z"  { conflict write-zeroes zero-range -w -z; }

@test "conflict: long spellings and reversed order give the same refusal" {
  conflict punch-hole zero-range --zero-range --punch-hole
  conflict collapse-range insert-range --insert-range -c
}

@test "conflict: the same operation twice is not a conflict (-p -p)" {
  make_file_with f data:0:16K
  run "$FALLOCATE" -p -p -o 4096 -l 4096 f
  assert_success
  assert_zeros f 4096 4096
  assert_size f 16384
}

# --- --keep-size and the operations that change the size by definition ----

@test "conflict: -n -c" { conflict keep-size collapse-range -n -c; }
@test "conflict: -n -i" { conflict keep-size insert-range -n -i; }
@test "conflict: -n -w" { conflict keep-size write-zeroes -n -w; }
@test "conflict: -n -x" { conflict keep-size posix -n -x; }

@test "no conflict: -p -n (punch implies keep-size)" {
  make_file_with f data:0:16K
  run "$FALLOCATE" -p -n -o 0 -l 8K f
  assert_success
  assert_size f 16384
  assert_zeros f 0 8192
}

@test "no conflict: -z -n" {
  make_file_with f data:0:16K
  run "$FALLOCATE" -z -n -o 8K -l 16K f
  assert_success
  assert_size f 16384
  assert_zeros f 8192 8192
}

# --- --report-holes only reads -----------------------------------------------

@test "conflict: -r -c" { conflict report-holes collapse-range -r -c; }
@test "conflict: -r -d" { conflict report-holes dig-holes -r -d; }
@test "conflict: -r -i" { conflict report-holes insert-range -r -i; }
@test "conflict: -r -p" { conflict report-holes punch-hole -r -p; }
@test "conflict: -r -x" { conflict report-holes posix -r -x; }
@test "conflict: -r -w" { conflict report-holes write-zeroes -r -w; }
@test "conflict: -r -z" { conflict report-holes zero-range -r -z; }
@test "conflict: -r -n" { conflict report-holes keep-size -r -n; }

# --- LENGTH required ---------------------------------------------------------

# no_length OPTION...: without -l, OPTION... is refused with a line about
# the missing length; nothing is created or changed.
no_length() {
  make_file_with old data:0:8K
  local before
  before=$(file_fingerprint old)
  run --separate-stderr "$FALLOCATE" "$@" -o 4096 old new
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]} == "fallocate: "* && ${stderr_lines[0],,} == *length* ]] ||
    fail "missing length not reported: $stderr"
  _assert_only_hint_follows
  assert_equal "$(file_fingerprint old)" "$before"
  assert_not_exist new
}

@test "no length: plain allocation" { no_length; }
@test "no length: -n"  { no_length -n; }
@test "no length: -p"  { no_length -p; }
@test "no length: -c"  { no_length -c; }
@test "no length: -i"  { no_length -i; }
@test "no length: -z"  { no_length -z; }
@test "no length: -w"  { no_length -w; }
@test "no length: -x"  { no_length -x; }

@test "zero length is refused for every operation that requires a length" {
  local op before
  make_file_with old data:0:8K
  before=$(file_fingerprint old)
  for op in "" -n -p -c -i -z -w -x; do
    rm -f new
    # shellcheck disable=SC2086
    run --separate-stderr "$FALLOCATE" $op -l 0 old new
    assert_equal "$status" 1
    [[ ${stderr_lines[0]} == "fallocate: "* && ${stderr_lines[0],,} == *length* ]] ||
      fail "'$op -l 0' not refused as a length problem: $stderr"
    assert_equal "$(file_fingerprint old)" "$before"
    assert_not_exist new
  done
}

# --- files that must exist -------------------------------------------------

# needs_file OPTION...: on a missing file, OPTION... says
# "fallocate: cannot open 'missing': No such file or directory" and does
# not create it.
needs_file() {
  run --separate-stderr "$FALLOCATE" "$@" missing
  assert_error "fallocate: cannot open 'missing': No such file or directory"
  assert_not_exist missing
}

@test "missing file: -n does not create it" { needs_file -n -l 4096; }
@test "missing file: -p" { needs_file -p -l 4096; }
@test "missing file: -c" { needs_file -c -l 4096; }
@test "missing file: -i" { needs_file -i -l 4096; }
@test "missing file: -z" { needs_file -z -l 4096; }
@test "missing file: -z -n" { needs_file -z -n -l 4096; }
@test "missing file: -d" { needs_file -d; }
@test "missing file: -r" { needs_file -r; }
@test "missing file: --advise" { needs_file --advise=dontneed; }

@test "missing directory on the way: plain allocation cannot create the file" {
  run --separate-stderr "$FALLOCATE" -l 4096 nodir/f
  assert_error "fallocate: cannot open 'nodir/f': No such file or directory"
  assert_not_exist nodir
}

# --- permissions -------------------------------------------------------------

@test "no write permission on the file: cannot open, Permission denied, unchanged" {
  make_file_with f data:0:8K
  local before
  if is_root; then
    open_for_all "$PWD"
    chmod 0644 f
    before=$(file_fingerprint f)
    local bin
    bin=$(private_fallocate)
    run_as_nobody "$bin" -l 64K f
  else
    chmod 0444 f
    before=$(file_fingerprint f)
    run "$FALLOCATE" -l 64K f
  fi
  assert_equal "$status" 1
  assert_output "fallocate: cannot open 'f': Permission denied"
  assert_equal "$(file_fingerprint f)" "$before"
}

@test "no write permission on the file: -p is refused the same way" {
  make_file_with f data:0:8K
  local before
  if is_root; then
    open_for_all "$PWD"
    before=$(file_fingerprint f)
    run_as_nobody "$(private_fallocate)" -p -l 4096 f
  else
    chmod 0444 f
    before=$(file_fingerprint f)
    run "$FALLOCATE" -p -l 4096 f
  fi
  assert_equal "$status" 1
  assert_output "fallocate: cannot open 'f': Permission denied"
  assert_equal "$(file_fingerprint f)" "$before"
}

@test "no write permission on the directory: the file cannot be created" {
  mkdir ro
  if is_root; then
    open_for_all "$PWD"
    chmod 0755 ro
    run_as_nobody "$(private_fallocate)" -l 4096 ro/new
  else
    chmod 0555 ro
    run "$FALLOCATE" -l 4096 ro/new
  fi
  assert_equal "$status" 1
  [[ $output =~ ^fallocate:\ cannot\ (open|create)\ \'ro/new\':\ Permission\ denied$ ]] ||
    fail "unexpected message: $output"
  assert_not_exist ro/new
}

# --- things that are not regular files ---------------------------------------

@test "a directory gets an error that says it is a directory" {
  mkdir adir
  run --separate-stderr "$FALLOCATE" -l 4096 adir
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${#stderr_lines[@]}" 1
  [[ ${stderr_lines[0]} == "fallocate: "*"'adir'"* ]] || fail "not named: $stderr"
  [[ ${stderr_lines[0],,} == *directory* ]] || fail "does not say directory: $stderr"
  assert_equal "$(ls -A adir | wc -l)" 0
}

@test "a directory with -p is refused the same way" {
  mkdir adir
  run --separate-stderr "$FALLOCATE" -p -l 4096 adir
  assert_equal "$status" 1
  [[ ${stderr_lines[0]} == "fallocate: "*"'adir'"* ]] || fail "not named: $stderr"
  [[ ${stderr_lines[0],,} == *directory* ]] || fail "does not say directory: $stderr"
}

@test "a FIFO gets an error that names it (and does not block)" {
  mkfifo pipe
  # timeout only guards against a hang (opening a FIFO write-only blocks).
  run --separate-stderr timeout 60 "$FALLOCATE" -l 4096 pipe
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${#stderr_lines[@]}" 1
  [[ ${stderr_lines[0]} == "fallocate: "*"'pipe'"* ]] || fail "not named: $stderr"
  [[ ${stderr_lines[0],,} =~ fifo|pipe ]] || fail "does not say FIFO: $stderr"
  [[ -p pipe ]]
}

@test "a character device gets an error that names it" {
  run --separate-stderr timeout 60 "$FALLOCATE" -l 4096 /dev/null
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${#stderr_lines[@]}" 1
  [[ ${stderr_lines[0]} == "fallocate: "*"'/dev/null'"* ]] || fail "not named: $stderr"
  [[ ${stderr_lines[0],,} == *device* ]] || fail "does not say device: $stderr"
  [[ -c /dev/null ]]
}

# --- several FILEs, some failing -------------------------------------------------

@test "several FILEs, the middle one fails: the others are allocated, exit 1" {
  run --separate-stderr "$FALLOCATE" -l 8K a nodir/b c
  assert_error "fallocate: cannot open 'nodir/b': No such file or directory"
  assert_size a 8192
  assert_size c 8192
}

@test "several FILEs, the first one fails: the rest are processed" {
  make_file_with x data:0:16K
  make_file_with y data:0:16K
  local x1 y1
  x1=$(region_sha256 x 8192 8192) y1=$(region_sha256 y 8192 8192)
  run --separate-stderr "$FALLOCATE" -p -l 8K missing x y
  assert_error "fallocate: cannot open 'missing': No such file or directory"
  assert_zeros x 0 8192
  assert_zeros y 0 8192
  assert_equal "$(region_sha256 x 8192 8192)" "$x1"
  assert_equal "$(region_sha256 y 8192 8192)" "$y1"
  assert_not_exist missing
}

@test "several FILEs, the last one fails: exit 1 after processing the others" {
  run --separate-stderr "$FALLOCATE" -l 4K a b nodir/c
  assert_error "fallocate: cannot open 'nodir/c': No such file or directory"
  assert_size a 4096
  assert_size b 4096
}

@test "several FILEs, two fail: one line each, in order; -v reports only the successes" {
  mkdir adir
  run --separate-stderr "$FALLOCATE" -v -l 4K nodir/a b adir c
  assert_equal "$status" 1
  assert_equal "${#stderr_lines[@]}" 2
  assert_equal "${stderr_lines[0]}" "fallocate: cannot open 'nodir/a': No such file or directory"
  [[ ${stderr_lines[1]} == "fallocate: "*"'adir'"* ]] || fail "adir not named: $stderr"
  assert_equal "$output" "b: 4 KiB (4096 bytes) allocated.
c: 4 KiB (4096 bytes) allocated."
  assert_size b 4096
  assert_size c 4096
}

@test "several FILEs, all succeed: exit 0" {
  make_file_with a data:0:16K
  make_file_with b data:0:16K
  run "$FALLOCATE" -p -o 4K -l 4K a b
  assert_success
  assert_zeros a 4096 4096
  assert_zeros b 4096 4096
}

@test "the same missing FILE twice: each occurrence is tried and reported" {
  run --separate-stderr "$FALLOCATE" -p -l 4K nodir/f nodir/f
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${#stderr_lines[@]}" 2
  assert_equal "${stderr_lines[0]}" "fallocate: cannot open 'nodir/f': No such file or directory"
  assert_equal "${stderr_lines[1]}" "${stderr_lines[0]}"
}
