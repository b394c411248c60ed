#!/usr/bin/env bats
# OFFSET and LENGTH through the real binary: every accepted form gives the
# exact value (seen as the file size after a plain allocation: -l N makes
# an N-byte file, -o N -l 1 an (N+1)-byte file), every bad form is
# refused with one line naming the option and quoting the text, before
# any file is opened.
#
# Small values use the per-test directory; offsets beyond what ext4
# allows (P, E, fractions of Z) use a tmpfs mount, whose maximum file
# size is the off_t maximum.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file tmpfs; }

setup() {
  check_fallocate_built
  cd "$BATS_TEST_TMPDIR"
}

OFF_T_MAX=9223372036854775807

# length_is TEXT BYTES: `fallocate -l TEXT` makes a BYTES-byte file that
# has at least BYTES allocated.
length_is() {
  rm -f f
  run --separate-stderr "$FALLOCATE" -l "$1" f
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_size f "$2"
  local a
  a=$(alloc_bytes f)
  ((a >= $2)) || fail "-l '$1': only $a bytes allocated, expected >= $2"
}

# offset_is TEXT BYTES [DIR]: `fallocate -o TEXT -l 1` makes a file of
# BYTES+1 bytes (in DIR, default the test directory).
offset_is() {
  local f=${3:-.}/f
  rm -f "$f"
  run --separate-stderr "$FALLOCATE" -o "$1" -l 1 "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_size "$f" "$(($2 + 1))"
  rm -f "$f"
}

# bad_length TEXT [REGEX-TAIL]: -l TEXT is refused as
# "fallocate: invalid length: 'TEXT'" (optionally followed by ": reason"
# when REGEX-TAIL is "reason"), no file created, an existing one untouched.
bad_length() { _bad_size length "$@"; }
bad_offset() { _bad_size offset "$@"; }

_bad_size() {
  local opt=$1 text=$2 tail=${3:-} want
  want="fallocate: invalid $opt: '$text'"
  local -a args
  if [[ $opt == length ]]; then args=(-l "$text"); else args=(-o "$text" -l 4096); fi
  rm -f new
  run --separate-stderr "$FALLOCATE" "${args[@]}" new
  if [[ $tail == reason ]]; then
    assert_error_match "$(_ere_quote "$want")(: .+)?"
  else
    assert_error "$want"
  fi
  assert_not_exist new
  # An existing file is not changed either (-n would allocate, -z zero).
  make_file_with old data:0:8K
  local before
  before=$(file_fingerprint old)
  run --separate-stderr "$FALLOCATE" -z -n "${args[@]}" old
  assert_equal "$status" 1
  assert_equal "$(file_fingerprint old)" "$before"
}

# _ere_quote TEXT: TEXT with ERE metacharacters escaped.
_ere_quote() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }

# --- accepted forms -------------------------------------------------------

@test "decimal integers" {
  length_is 1 1
  length_is 4096 4096
  length_is 123457 123457
  offset_is 0 0
  offset_is 65537 65537
}

@test "leading zeros stay decimal: 010 is ten, not eight" {
  length_is 010 10
  length_is 0000100 100
  offset_is 010 10
  offset_is 0777 777
}

@test "0x hexadecimal, either case of x and of the digits" {
  length_is 0x1000 4096
  length_is 0X1f 31
  length_is 0xAbC 2748
  offset_is 0x10 16
}

@test "hexadecimal with a unit: 0x10K is 16 KiB" {
  length_is 0x10K 16384
  offset_is 0x2M 2097152
}

@test "a leading plus sign is accepted" {
  length_is +10 10
  offset_is +4096 4096
}

@test "leading blanks (spaces, tabs) are skipped" {
  length_is " 10" 10
  length_is "   4K" 4096
  length_is $'\t20' 20
  offset_is "  1K" 1024
}

@test "K M G T in upper and lower case are powers of 1024" {
  length_is 1K 1024
  length_is 1k 1024
  length_is 2M 2097152
  length_is 1m 1048576
  offset_is 1G 1073741824
  offset_is 3g 3221225472
  offset_is 1T 1099511627776
  offset_is 2t 2199023255552
}

@test "P and E, either case, are powers of 1024 (tmpfs: beyond ext4's limit)" {
  require_fs tmpfs
  local d
  d=$(fs_dir tmpfs)
  offset_is 1P 1125899906842624 "$d"
  offset_is 1p 1125899906842624 "$d"
  offset_is 1E 1152921504606846976 "$d"
  offset_is 7e 8070450532247928832 "$d"
}

@test "the iB suffix means the same as the bare letter" {
  length_is 1KiB 1024
  length_is 3kiB 3072
  length_is 1MiB 1048576
  offset_is 1GiB 1073741824
  offset_is 1TiB 1099511627776
}

@test "PiB and EiB (tmpfs)" {
  require_fs tmpfs
  local d
  d=$(fs_dir tmpfs)
  offset_is 2PiB 2251799813685248 "$d"
  offset_is 1EiB 1152921504606846976 "$d"
}

@test "the B suffix means powers of 1000: KB MB GB TB" {
  length_is 1KB 1000
  length_is 4kB 4000
  length_is 1MB 1000000
  offset_is 1GB 1000000000
  offset_is 2TB 2000000000000
}

@test "PB and EB are powers of 1000 (tmpfs)" {
  require_fs tmpfs
  local d
  d=$(fs_dir tmpfs)
  offset_is 1PB 1000000000000000 "$d"
  offset_is 9EB 9000000000000000000 "$d"
}

@test "util-linux compatibility: a lower-case b (1Kb, 1Kib) as util-linux accepts it" {
  # util-linux 2.38 and 2.43 take 'b' for 'B' after the unit.
  length_is 1Kb 1000
  length_is 1Kib 1024
}

@test "fractions: 1.5G 0.25MiB 1.M 2.5k" {
  length_is 0.25MiB 262144
  length_is 1.M 1048576
  length_is 2.5k 2560
  length_is 1.5KB 1500
  offset_is 1.5G 1610612736
}

@test "fractions are exact and rounded down to a whole byte" {
  length_is 1.05K 1075           # 1075.2
  length_is 1.1K 1126            # 1126.4
  length_is 0.999K 1022          # 1022.976
  length_is 1.0000001M 1048576   # 1048576.1048576
  offset_is 0.3333333333G 357913941   # 357913940.97...
}

@test "fractions of E and Z are exact (tmpfs)" {
  require_fs tmpfs
  local d
  d=$(fs_dir tmpfs)
  offset_is 7.5E 8646911284551352320 "$d"
  # 2^70 / 1000 = 1180591620717411303.424 (util-linux's 64-bit arithmetic
  # cannot represent Z at all).
  offset_is 0.001Z 1180591620717411303 "$d"
  offset_is 0.001ZB 1000000000000000000 "$d"
}

@test "a value as large as off_t allows is accepted as offset (tmpfs)" {
  require_fs tmpfs
  local d
  d=$(fs_dir tmpfs)
  # OFF_T_MAX - 4096 + 1 bytes fits exactly.
  offset_is 9223372036854771711 9223372036854771711 "$d"
  offset_is 0x7ffffffffffff000 9223372036854771712 "$d"
}

# --- refused forms ----------------------------------------------------------

@test "the issue's example: -l 1.2.3M" {
  bad_length 1.2.3M
}

@test "garbage, empty, lone unit, lone sign are invalid lengths" {
  bad_length abc
  bad_length ""
  bad_length K
  bad_length +
  bad_length 0x
  bad_length " "
}

@test "trailing junk and inner blanks are invalid" {
  bad_length "10 "
  bad_length "1 K"
  bad_length 1KiBx
  bad_length 1KBB
  bad_length 4096x
}

@test "unknown or misspelt units are invalid (1X, 1KIB, 1iB, 1e3)" {
  bad_length 1X
  bad_length 1KIB
  bad_length 1iB
  bad_length 1e3
  bad_length 1Q
}

@test "a fraction needs a unit; a lone dot is invalid" {
  bad_length 1.5
  bad_length 0.5
  bad_length .
  bad_length .K
  bad_length 1..5K
}

@test "bad offsets are named as offsets" {
  bad_offset 1.2.3M
  bad_offset abc
  bad_offset ""
  bad_offset "4 K"
}

@test "quotes inside the bad text are quoted the GNU way" {
  rm -f new
  run --separate-stderr "$FALLOCATE" -l "1'2" new
  # quote(3gl) gives '1\'2'; the shell-escape style gives "1'2".
  assert_error_match "fallocate: invalid length: ('1\\\\'2'|\"1'2\")"
  assert_not_exist new
}

@test "negative length: refused, names the option and quotes the text" {
  bad_length -5 reason
  bad_length -1M reason
  bad_length " -1" reason
}

@test "negative offset: refused, names the option and quotes the text" {
  bad_offset -5 reason
  bad_offset -0x10 reason
}

@test "values above the off_t maximum are refused" {
  bad_length 9223372036854775808 reason
  bad_length 18446744073709551616 reason
  bad_length 99999999999999999999999 reason
  bad_offset 8E reason
  bad_offset 8EiB reason
  bad_offset 1Z reason
  bad_offset 1Y reason
  bad_offset 0x8000000000000000 reason
  bad_offset 0.5Y reason
}

@test "the off_t maximum itself is a valid number (refused only later as a range)" {
  # Offset OFF_T_MAX with length 1 overflows: the complaint must be about
  # the range, not about the number being invalid.
  rm -f new
  run --separate-stderr "$FALLOCATE" -o "$OFF_T_MAX" -l 1 new
  assert_equal "$status" 1
  [[ ${stderr_lines[0]} != "fallocate: invalid offset: '$OFF_T_MAX'" ]] ||
    fail "OFF_T_MAX itself rejected as invalid: $stderr"
  assert_not_exist new
}

# overflow_refused OFF LEN: OFF+LEN beyond the off_t maximum is refused
# before any file is opened, with a line naming the offset and the length.
overflow_refused() {
  rm -f new
  run --separate-stderr "$FALLOCATE" -o "$1" -l "$2" new
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]} == "fallocate: "* ]] || fail "not a fallocate error: $stderr"
  local l=${stderr_lines[0],,}
  [[ $l == *offset* && $l == *length* ]] ||
    fail "overflow message does not name offset and length: $stderr"
  assert_not_exist new
  make_file_with old data:0:4K
  local before
  before=$(file_fingerprint old)
  run --separate-stderr "$FALLOCATE" -p -o "$1" -l "$2" old
  assert_equal "$status" 1
  assert_equal "$(file_fingerprint old)" "$before"
}

@test "offset + length overflow: OFF_T_MAX + 1" {
  overflow_refused "$OFF_T_MAX" 1
}

@test "offset + length overflow: 4E + 4E" {
  overflow_refused 4E 4E
}

@test "offset + length overflow: 1 + OFF_T_MAX" {
  overflow_refused 1 "$OFF_T_MAX"
}

@test "offset + length overflow: 7E + 1E, given in hex" {
  overflow_refused 0x7000000000000000 0x1000000000000000
}

@test "zero length is refused where a length is required" {
  rm -f new
  run --separate-stderr "$FALLOCATE" -l 0 new
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]} == "fallocate: "* && ${stderr_lines[0],,} == *length* ]] ||
    fail "zero length not refused as a length problem: $stderr"
  assert_not_exist new
}

@test "a fraction that rounds down to zero is a zero length" {
  rm -f new
  run --separate-stderr "$FALLOCATE" -l 0.0001K new
  assert_equal "$status" 1
  [[ ${stderr_lines[0],,} == *length* ]] || fail "not about the length: $stderr"
  assert_not_exist new
}

@test "same values as util-linux for every form both accept" {
  # (Not 0.25MiB or 3.75G: util-linux 2.38 computes 262143 and 4348654387.)
  local s mine theirs
  for s in 1 4096 0x1000 0X1f 0x10K 1K 1k 1KiB 1kiB 1KB 1kB 1Kb 1Kib 1M 1.M \
           1.5K 2.5k 1.05K 1.1K 1.5KB 0.5M " 10" +10 123457; do
    rm -f ours theirs
    "$FALLOCATE" -l "$s" ours
    "$SYS_FALLOCATE" -l "$s" theirs
    mine=$(file_size ours) theirs=$(file_size theirs)
    assert_equal "$s=$mine" "$s=$theirs"
  done
}
