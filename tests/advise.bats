#!/usr/bin/env bats
# --advise=ADVICE: posix_fadvise(3) over [OFFSET, OFFSET+LENGTH), to EOF
# without LENGTH.  dontneed and willneed have an effect that outlives the
# process: the file's pages leave or enter the page cache (measured with
# fincore(1)).  The other advice only changes the open file's readahead,
# so for those the call itself is observed with strace(1).  Names take
# unambiguous prefixes; ambiguous and unknown names are refused.  Advice
# never changes the file (size, bytes, allocation, mtime).

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4; }

setup() {
  check_fallocate_built
  require_fs ext4
  # Tests in other files drop the page cache; not while we measure it.
  cache_lock
  cd "$(fs_dir ext4)"
  F=adv$BATS_TEST_NUMBER
  rm -f "$F"
}

teardown() {
  cache_unlock
  rm -f "$(fs_dir ext4)/adv$BATS_TEST_NUMBER"*
}

# cached F: read all of F into the page cache (and check that it is).
cached() {
  cat -- "$1" >/dev/null
  expect_resident "$1" "$(file_size "$1")" "after reading it all"
}

# uncached F: drop the page cache (so none of F is in it).
uncached() {
  drop_caches
  expect_resident "$1" 0 "after drop_caches"
}

# state F: size, allocation, sha256 and mtime (advice must change none).
# (It reads F, so it brings F into the page cache.)
state() { printf '%s %s\n' "$(file_fingerprint "$1")" "$(stat -c %Y.%y -- "$1")"; }

@test "--advise=dontneed drops the whole file from the page cache" {
  make_file_with "$F" data:0:1M
  local before
  before=$(state "$F")
  try() { cached "$F" && advise --advise=dontneed "$F" && expect_resident "$F" 0; }
  tries try
  assert_equal "$(state "$F")" "$before"
}

@test "--advise=dontneed -o -l drops exactly that range" {
  make_file_with "$F" data:0:1M
  local before
  before=$(state "$F")
  try() {
    cached "$F" && advise --advise=dontneed -o 256K -l 256K "$F" &&
      expect_resident "$F" $((MiB - 262144)) &&
      # Reading [512K, 1M) brings nothing in: it stayed cached...
      dd if="$F" of=/dev/null bs=4K skip=128 count=128 status=none &&
      expect_resident "$F" $((MiB - 262144)) "after reading [512K, 1M)" &&
      # ... reading [256K, 512K) brings back all that was missing.
      dd if="$F" of=/dev/null bs=4K skip=64 count=64 status=none &&
      expect_resident "$F" $MiB "after reading [256K, 512K)"
  }
  tries try
  assert_equal "$(state "$F")" "$before"
}

@test "--advise=dontneed -o without -l: from OFFSET to EOF" {
  make_file_with "$F" data:0:1M
  try() { cached "$F" && advise --advise=dontneed -o 768K "$F" && expect_resident "$F" 786432; }
  tries try
}

@test "--advise=willneed loads the whole file into the page cache" {
  make_file_with "$F" data:0:1M
  local before
  before=$(state "$F")
  try() { uncached "$F" && advise --advise=willneed "$F" && loads "$F" $MiB; }
  tries try
  assert_equal "$(state "$F")" "$before"
}

@test "--advise=willneed -o -l loads only that range" {
  make_file_with "$F" data:0:1M
  try() { uncached "$F" && advise --advise=willneed -o 512K -l 128K "$F" && loads "$F" 131072; }
  tries try
}

@test "unambiguous prefixes: --advise=dont, --advise=w, --advise=d" {
  make_file_with "$F" data:0:512K
  try() {
    cached "$F" && advise --advise=dont "$F" && expect_resident "$F" 0 &&
      advise --advise=w "$F" && loads "$F" 524288 &&
      advise --advise=d "$F" && expect_resident "$F" 0
  }
  tries try
}

@test "--advise with several FILEs advises each" {
  make_file_with "$F.a" data:0:256K
  make_file_with "$F.b" data:0:256K
  try() {
    cached "$F.a" && cached "$F.b" && advise --advise=dontneed "$F.a" "$F.b" &&
      expect_resident "$F.a" 0 && expect_resident "$F.b" 0
  }
  tries try
}

@test "--advise after -n: the range is allocated, then dropped from the cache" {
  make_file_with "$F" data:0:512K
  local head
  head=$(region_sha256 "$F" 0 524288)
  try() { cached "$F" && advise -n -l 1M --advise=dontneed "$F" && expect_resident "$F" 0; }
  tries try
  assert_size "$F" 524288
  assert_alloc_between "$F" $MiB $((MiB + 65536))
  assert_equal "$(region_sha256 "$F" 0 524288)" "$head"
}

@test "a lone --advise with -l allocates nothing (synopsis: --advise=ADVICE [-o] [-l] FILE)" {
  make_file_with "$F" data:0:512K
  local before
  before=$(state "$F")
  try() { cached "$F" && advise -l 1M --advise=dontneed "$F" && expect_resident "$F" 0; }
  tries try
  assert_equal "$(state "$F")" "$before"
}

@test "--advise=willneed after -x: allocated and loaded" {
  make_file_with "$F" data:0:256K
  try() { uncached "$F" && advise -x -o 0 -l 256K --advise=willneed "$F" && loads "$F" 262144; }
  tries try
  assert_size "$F" 262144
}

@test "--advise with -c, -i, -d or -r is refused as a conflict, nothing done" {
  make_file_with "$F" data:0:256K
  local before op long
  before=$(state "$F")
  for op in c:collapse-range i:insert-range d:dig-holes r:report-holes; do
    long=${op#*:}
    run --separate-stderr "$FALLOCATE" "-${op%%:*}" -l 4K --advise=dontneed "$F"
    assert_error_match "fallocate: options (--$long and --advise|--advise and --$long) cannot be combined"
  done
  # And the advice was not given either: the cached pages stay.
  try() {
    cached "$F" || return 1
    local o
    for o in -c -i -d -r; do
      run "$FALLOCATE" "$o" -l 4K --advise=dontneed "$F"
    done
    expect_resident "$F" 262144
  }
  tries try
  assert_equal "$(state "$F")" "$before"
}

# traced_advice ADVICE-ARG [OPTIONS...]: run with strace and print the
# fadvise64 calls (strace's rendering: "fadvise64(FD, OFF, LEN, POSIX_FADV_X) = 0").
traced_advice() {
  make_file_with "$F" data:0:64K
  local before
  before=$(state "$F")
  # LeakSanitizer cannot run under ptrace.
  ASAN_OPTIONS=detect_leaks=0 strace -qq -f -e trace=fadvise64 -e signal=none \
    -o "$BATS_TEST_TMPDIR/trace" "$FALLOCATE" "$@" "$F"
  assert_equal "$(state "$F")" "$before"
  grep -o 'fadvise64(.*' "$BATS_TEST_TMPDIR/trace"
}

# advice_is WANT ARGS...: exactly one fadvise64 call, with advice WANT.
advice_is() {
  local want=$1
  shift
  command -v strace >/dev/null || ci_skip "strace is not installed"
  run traced_advice "$@"
  assert_success
  assert_equal "${#lines[@]}" 1
  [[ ${lines[0]} =~ ^fadvise64\([0-9]+,\ ([0-9]+),\ ([0-9]+),\ POSIX_FADV_$want\)\ =\ 0$ ]] ||
    fail "expected one fadvise64(..., POSIX_FADV_$want) = 0, got: $output"
  OFF=${BASH_REMATCH[1]} LEN=${BASH_REMATCH[2]}
}

@test "--advise=normal calls posix_fadvise with POSIX_FADV_NORMAL" {
  advice_is NORMAL --advise=normal
  assert_equal "$OFF $LEN" "0 0"
}

@test "--advise=sequential over -o/-l: POSIX_FADV_SEQUENTIAL on that range" {
  advice_is SEQUENTIAL --advise=sequential -o 4K -l 8K
  assert_equal "$OFF $LEN" "4096 8192"
}

@test "--advise=random: POSIX_FADV_RANDOM, no LENGTH means to EOF" {
  advice_is RANDOM --advise=random -o 1000
  assert_equal "$OFF $LEN" "1000 0"
}

@test "--advise=noreuse: POSIX_FADV_NOREUSE" {
  advice_is NOREUSE --advise=noreuse -l 1M
  assert_equal "$OFF $LEN" "0 1048576"
}

@test "--advise=willneed and dontneed reach posix_fadvise as such" {
  advice_is WILLNEED --advise=willneed -o 8K -l 4K
  assert_equal "$OFF $LEN" "8192 4096"
  advice_is DONTNEED --advise dontneed
}

@test "prefixes: seq r norm nore will" {
  advice_is SEQUENTIAL --advise=seq
  advice_is RANDOM --advise=r
  advice_is NORMAL --advise=norm
  advice_is NOREUSE --advise=nore
  advice_is WILLNEED --advise=will
}

# bad_advice TEXT: refused, exit 1, the first line quotes TEXT, the file is
# not advised (its pages stay cached) and not changed.
bad_advice() {
  make_file_with "$F" data:0:64K
  local before
  before=$(state "$F")
  run --separate-stderr "$FALLOCATE" "--advise=$1" "$F"
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]} == "fallocate: "*"'$1'"* ]] ||
    fail "the bad advice '$1' is not quoted: $stderr"
  try() {
    cached "$F" && { "$FALLOCATE" "--advise=$1" "$F" 2>/dev/null; true; } &&
      expect_resident "$F" 65536
  }
  tries try "$1"
  assert_equal "$(state "$F")" "$before"
}

@test "ambiguous advice prefix 'n' (normal, noreuse) is refused" {
  bad_advice n
  [[ ${stderr_lines[0],,} == *ambiguous* ]] || fail "not called ambiguous: $stderr"
}

@test "ambiguous advice prefix 'no' is refused" {
  bad_advice no
  [[ ${stderr_lines[0],,} == *ambiguous* ]] || fail "not called ambiguous: $stderr"
}

@test "ambiguous advice prefix 'nor' (normal, noreuse) is refused" {
  bad_advice nor
  [[ ${stderr_lines[0],,} == *ambiguous* ]] || fail "not called ambiguous: $stderr"
}

@test "unknown advice names are refused" {
  bad_advice bogus
  bad_advice dontneedx
  bad_advice willneed2
}

@test "advice names are case-sensitive: DONTNEED is refused" {
  bad_advice DONTNEED
}

@test "an empty advice is refused" {
  make_file_with "$F" data:0:64K
  run --separate-stderr "$FALLOCATE" --advise= "$F"
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]} == "fallocate: "*"''"* ]] || fail "empty text not quoted: $stderr"
}

@test "--advise=dontneed -l 0: to EOF, as without -l" {
  make_file_with "$F" data:0:1M
  local before
  before=$(state "$F")
  try() { cached "$F" && advise --advise=dontneed -l 0 "$F" && expect_resident "$F" 0; }
  tries try
  try() { cached "$F" && advise --advise=dontneed -o 256K -l 0 "$F" && expect_resident "$F" 262144; }
  tries try
  assert_equal "$(state "$F")" "$before"
}
