#!/usr/bin/env bats
# --report-holes --json: one line of JSON per FILE, checked with a real
# JSON parser (python3's json, strict: no control characters in strings)
# against the text report of the same file: every layout report.bats
# uses, with and without -v; file names that need escaping or are not
# UTF-8; several files; failures; the percentages in the C form whatever
# LC_NUMERIC says.

load "$TESTS_SRCDIR/helpers/common"
load "$TESTS_SRCDIR/helpers/layouts"

setup_file() { fs_setup_file ext4 xfs btrfs tmpfs; }

CHECK=$TESTS_SRCDIR/helpers/report-json.py

# allocated_in F OFF LEN: the bytes of [OFF, OFF+LEN) of F that have
# space behind them: mapped per FIEMAP, or data per SEEK_DATA on tmpfs
# (which has no FIEMAP, and no unwritten extents to tell from holes).
allocated_in() {
  if has_fiemap "$1"; then
    mapped_bytes "$1" "$2" "$3"
  else
    python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
pos, end, total = int(sys.argv[2]), int(sys.argv[2]) + int(sys.argv[3]), 0
while pos < end:
    try:
        data = os.lseek(fd, pos, os.SEEK_DATA)
    except OSError:
        break
    hole = os.lseek(fd, data, os.SEEK_HOLE)
    total += max(0, min(hole, end) - min(data, end))
    pos = hole
print(total)' "$1" "$2" "$3"
  fi
}

# report_pair V F [OPTIONS...]: drop the page cache and run -r [-v if V
# is 1] OPTIONS F, then the same with -J, into $BATS_TEST_TMPDIR/text and
# .../json; both must succeed with nothing on stderr.
report_pair() {
  local v=$1 f=$2 form out
  shift 2
  local opts=("$@")
  ((v)) && opts+=(-v)
  for form in text json; do
    out=$BATS_TEST_TMPDIR/$form
    drop_caches
    if [[ $form == json ]]; then
      "$FALLOCATE" -r -J "${opts[@]}" -- "$f" >"$out" 2>"$out.err" ||
        fail "-r -J ${opts[*]} $f exited $?: $(cat "$out.err")"
    else
      "$FALLOCATE" -r "${opts[@]}" -- "$f" >"$out" 2>"$out.err" ||
        fail "-r ${opts[*]} $f exited $?: $(cat "$out.err")"
    fi
    [[ ! -s $out.err ]] || fail "stderr of -r ${opts[*]}: $(cat "$out.err")"
  done
}

# json_matches_text F [OPTIONS...]: -r -J OPTIONS F (with and without -v)
# is valid JSON and says what -r OPTIONS F says (report-json.py), with
# the range clipped to the file as the manual says and "allocated" as
# FIEMAP or SEEK_DATA counts it.
json_matches_text() {
  local f=$1 size off=0 len=0 start end v
  shift
  local args=("$@")
  while (($#)); do
    case $1 in
      -o) off=$(to_bytes "$2"); shift 2 ;;
      -l) len=$(to_bytes "$2"); shift 2 ;;
      *) fail "json_matches_text: option $1?" ;;
    esac
  done
  size=$(file_size "$f")
  end=$((off + len))
  ((len && end <= size)) || end=$size
  start=$((off < end ? off : end))
  for v in 0 1; do
    report_pair "$v" "$f" "${args[@]}"
    python3 "$CHECK" "$BATS_TEST_TMPDIR/text" "$BATS_TEST_TMPDIR/json" \
      "$f" "$start" $((end - start)) \
      "$(allocated_in "$f" "$start" $((end - start)))" "$v" >/dev/null ||
      fail "-r ${args[*]} (-v: $v): $(cat "$BATS_TEST_TMPDIR/json")"
  done
}

# layout_json FS LAYOUT: the layout of report.bats on FS, JSON against
# text (sub_ranges: with each of report.bats's -o/-l options).
layout_json() {
  require_fs "$1"
  local f opts
  f=$(new_file "$1")
  hole_layout "$2" "$f"
  if [[ $2 != sub_ranges ]]; then
    json_matches_text "$f"
    return
  fi
  for opts in "${SUB_RANGE_OPTIONS[@]}"; do
    read -r -a opts <<<"$opts"
    json_matches_text "$f" "${opts[@]}"
  done
}

@test "-J on ext4: a sparse file, as the text report" { layout_json ext4 sparse; }
@test "-J on xfs: a sparse file, as the text report" { layout_json xfs sparse; }
@test "-J on btrfs: a sparse file, as the text report" { layout_json btrfs sparse; }
@test "-J on tmpfs: a sparse file, as the text report" { layout_json tmpfs sparse; }
@test "-J on ext4: a trailing hole, as the text report" { layout_json ext4 trailing_hole; }
@test "-J on xfs: a trailing hole, as the text report" { layout_json xfs trailing_hole; }
@test "-J on btrfs: a trailing hole, as the text report" { layout_json btrfs trailing_hole; }
@test "-J on tmpfs: a trailing hole, as the text report" { layout_json tmpfs trailing_hole; }
@test "-J on ext4: a hole each side, as the text report" { layout_json ext4 hole_each_side; }
@test "-J on xfs: a hole each side, as the text report" { layout_json xfs hole_each_side; }
@test "-J on btrfs: a hole each side, as the text report" { layout_json btrfs hole_each_side; }
@test "-J on tmpfs: a hole each side, as the text report" { layout_json tmpfs hole_each_side; }
@test "-J on ext4: preallocated space, as the text report" { layout_json ext4 preallocated; }
@test "-J on xfs: preallocated space, as the text report" { layout_json xfs preallocated; }
@test "-J on btrfs: preallocated space, as the text report" { layout_json btrfs preallocated; }
@test "-J on ext4: zeros around unwritten, as the text report" { layout_json ext4 zeros_unwritten; }
@test "-J on xfs: zeros around unwritten, as the text report" { layout_json xfs zeros_unwritten; }
@test "-J on btrfs: zeros around unwritten, as the text report" { layout_json btrfs zeros_unwritten; }
@test "-J on ext4: a mixed layout, as the text report" { layout_json ext4 mixed; }
@test "-J on xfs: a mixed layout, as the text report" { layout_json xfs mixed; }
@test "-J on btrfs: a mixed layout, as the text report" { layout_json btrfs mixed; }
@test "-J on tmpfs: a mixed layout, as the text report" { layout_json tmpfs mixed; }
@test "-J on ext4: a zero tail, as the text report" { layout_json ext4 zero_tail; }
@test "-J on xfs: a zero tail, as the text report" { layout_json xfs zero_tail; }
@test "-J on btrfs: a zero tail, as the text report" { layout_json btrfs zero_tail; }
@test "-J on tmpfs: a zero tail, as the text report" { layout_json tmpfs zero_tail; }
@test "-J on ext4: a zero tail ending in 0xff, as the text report" { layout_json ext4 zero_tail_dirty; }
@test "-J on xfs: a zero tail ending in 0xff, as the text report" { layout_json xfs zero_tail_dirty; }
@test "-J on btrfs: a zero tail ending in 0xff, as the text report" { layout_json btrfs zero_tail_dirty; }
@test "-J on tmpfs: a zero tail ending in 0xff, as the text report" { layout_json tmpfs zero_tail_dirty; }
@test "-J on ext4: an empty file, as the text report" { layout_json ext4 empty; }
@test "-J on tmpfs: an empty file, as the text report" { layout_json tmpfs empty; }
@test "-J on ext4: -o and -l sub-ranges, as the text report" { layout_json ext4 sub_ranges; }
@test "-J on xfs: -o and -l sub-ranges, as the text report" { layout_json xfs sub_ranges; }
@test "-J on btrfs: -o and -l sub-ranges, as the text report" { layout_json btrfs sub_ranges; }
@test "-J on tmpfs: -o and -l sub-ranges, as the text report" { layout_json tmpfs sub_ranges; }

@test "-J: the whole line, exactly, for a mixed layout with -v" {
  require_fs ext4
  local f
  f=$(new_file ext4)
  hole_layout mixed "$f"
  drop_caches
  run --separate-stderr "$FALLOCATE" -r -v -J "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" '{"file":"'"$f"'","size":6291456,"offset":0,"length":6291456,"allocated":4194304,"file_holes":{"count":2,"bytes":2097152,"percent":33.33,"holes":[{"offset":0,"length":1048576},{"offset":5242880,"length":1048576}]},"data_holes":{"count":3,"bytes":3141632,"percent":49.93,"holes":[{"offset":1048576,"length":1048576},{"offset":3145728,"length":1048576},{"offset":4198400,"length":1044480}]}}'
}

# 1 and 3 blocks of 800 are 0.125% and 0.375%, exact ties: printf rounds
# them to even (0.12, 0.38), and so must the JSON, which has no printf.
@test "-J: percentages that are exact ties round as the text report's" {
  require_fs ext4
  local f g
  f=$(new_file ext4)
  g=$(new_file ext4 g)
  make_file_with "$f" zero:0:4K data:4K:3272704
  make_file_with "$g" zero:0:12K data:12K:3264512
  json_matches_text "$f"
  assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/text")" \
    "data holes: 1 holes, 4 KiB (4096 bytes, 0.12% of the file)"
  json_matches_text "$g"
  assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/text")" \
    "data holes: 1 holes, 12 KiB (12288 bytes, 0.38% of the file)"
  grep -q '"data_holes":{"count":1,"bytes":12288,"percent":0.38,' \
    "$BATS_TEST_TMPDIR/json"
}

# name_is NAME EXPECTED: -r -J on the file NAME (a 4 KiB file hole, in
# this test's directory on tmpfs) prints EXPECTED as its "file" member
# and, where the name is not UTF-8, "file_bytes", exactly; the line is
# strict JSON that report-json.py finds as the text report says.
name_is() {
  local name=$1 want=$2 dir
  dir=$(tdir tmpfs)
  truncate -s 4K "$dir/$name"
  cd "$dir"
  report_pair 1 "$name"
  python3 "$CHECK" "$BATS_TEST_TMPDIR/text" "$BATS_TEST_TMPDIR/json" \
    "$name" 0 4096 0 1 >/dev/null ||
    fail "name $(printf %q "$name"): $(cat "$BATS_TEST_TMPDIR/json")"
  assert_equal "$(cat "$BATS_TEST_TMPDIR/json")" "{$want"',"size":4096,"offset":0,"length":4096,"allocated":0,"file_holes":{"count":1,"bytes":4096,"percent":100.00,"holes":[{"offset":0,"length":4096}]},"data_holes":{"count":0,"bytes":0,"percent":0.00,"holes":[]}}'
  rm -- "$name"
  cd - >/dev/null
}

@test "-J: quotes and backslashes are escaped" {
  require_fs tmpfs
  name_is 'say "hi"' '"file":"say \"hi\""'
  name_is 'back\slash' '"file":"back\\slash"'
  name_is '\"' '"file":"\\\""'
}

@test "-J: control characters and DEL are \\u00XX" {
  require_fs tmpfs
  name_is $'new\nline' '"file":"new\u000aline"'
  name_is $'tab\there' '"file":"tab\u0009here"'
  name_is $'\x01\x1f' '"file":"\u0001\u001f"'
  name_is $'del\x7f' '"file":"del\u007f"'
  name_is $'\e[31mred' '"file":"\u001b[31mred"'
}

@test "-J: valid UTF-8 passes through unchanged, with no file_bytes" {
  require_fs tmpfs
  name_is 'é' '"file":"é"'
  name_is '日本' '"file":"日本"'
  name_is $'\xf0\x9f\x98\x80 \xef\xbf\xbd' $'"file":"\xf0\x9f\x98\x80 \xef\xbf\xbd"'
}

@test "-J: each byte that is not UTF-8 is U+FFFD, and file_bytes has the name in hex" {
  require_fs tmpfs
  name_is $'\xff' '"file":"\ufffd","file_bytes":"ff"'
  name_is $'lone\xc3' '"file":"lone\ufffd","file_bytes":"6c6f6e65c3"'
  name_is $'\xc3x' '"file":"\ufffdx","file_bytes":"c378"'
  # A cut 3-byte sequence, an overlong '/', a surrogate, past U+10FFFF.
  name_is $'\xe6\x97' '"file":"\ufffd\ufffd","file_bytes":"e697"'
  name_is $'\xc0\xaf' '"file":"\ufffd\ufffd","file_bytes":"c0af"'
  name_is $'\xed\xa0\x80' '"file":"\ufffd\ufffd\ufffd","file_bytes":"eda080"'
  name_is $'\xf4\x90\x80\x80' '"file":"\ufffd\ufffd\ufffd\ufffd","file_bytes":"f4908080"'
  # Valid parts stay, escapes too; file_bytes is the name as it is.
  name_is $'é\xff"\n' '"file":"é\ufffd\"\u000a","file_bytes":"c3a9ff220a"'
}

@test "-J on several files: one line each, in order, no headers" {
  require_fs ext4
  local f g h i line
  f=$(new_file ext4)
  g=$(new_file ext4 g)
  h=$(new_file ext4 h)
  hole_layout sparse "$f"
  hole_layout mixed "$g"
  hole_layout zero_tail "$h"
  for v in "" -v; do
    drop_caches
    run --separate-stderr "$FALLOCATE" -r $v -J "$f" "$g" "$h"
    assert_equal "$status" 0
    assert_equal "$stderr" ""
    assert_equal "${#lines[@]}" 3
    i=0
    for line in "$f" "$g" "$h"; do
      report_pair "$([[ $v ]] && echo 1 || echo 0)" "$line"
      assert_equal "${lines[i]}" "$(cat "$BATS_TEST_TMPDIR/json")"
      i=$((i + 1))
    done
  done
  # Each line parses on its own (JSON Lines), as jq -c or a loop reads it.
  "$FALLOCATE" -r -J "$f" "$g" "$h" | python3 -c '
import json, sys
names = [json.loads(line)["file"] for line in sys.stdin]
assert names == sys.argv[1:], names' "$f" "$g" "$h"
}

@test "-J with a file that fails: its error on stderr, no JSON for it, exit 1" {
  require_fs ext4
  local f g
  f=$(new_file ext4)
  g=$(new_file ext4 g)
  hole_layout sparse "$f"
  hole_layout mixed "$g"
  run --separate-stderr "$FALLOCATE" -r -J "$f" missing "$g"
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: cannot open 'missing': No such file or directory"
  assert_equal "${#lines[@]}" 2
  [[ ${lines[0]} == '{"file":"'"$f"'",'* ]] || fail "first line: ${lines[0]}"
  [[ ${lines[1]} == '{"file":"'"$g"'",'* ]] || fail "second line: ${lines[1]}"
}

# The text report prints the -v lines of the holes found before a read
# fails; the JSON report prints nothing for the file.
@test "-J -v with a read failing part way: the error, and no JSON at all" {
  require_fs ext4
  command -v strace >/dev/null || ci_skip "strace is not installed"
  local f form
  f=$(new_file ext4)
  make_file_with "$f" size:4M zero:1M:1M data:2M:1M
  for form in -v -vJ; do
    drop_caches
    run --separate-stderr timeout -k 5 60 env ASAN_OPTIONS=detect_leaks=0 \
      strace -f -qq -e signal=none -P "$f" -o /dev/null -e trace=pread64 \
      -e inject=pread64:error=EIO:when=2 -- "$FALLOCATE" -r "$form" "$f"
    assert_equal "$status" 1
    assert_equal "$stderr" "fallocate: '$f': cannot report holes: Input/output error"
    if [[ $form == -v ]]; then
      assert_equal "${lines[0]}" "file hole: offset 0 - 1048576 (1048576 bytes)"
    else
      assert_equal "$output" ""
    fi
  done
}

@test "-J without -r: the usage error" {
  run --separate-stderr "$FALLOCATE" -J "$BATS_TEST_TMPDIR/f"
  assert_error "fallocate: option --json needs --report-holes"
  assert_try_help
  assert [ ! -e "$BATS_TEST_TMPDIR/f" ]
  run --separate-stderr "$FALLOCATE" --help
  assert_equal "$status" 0
  assert_line --regexp '^  -J, --json  +with -r, print the report as one line of JSON$'
}

# A locale with a decimal comma: the text report follows it, as
# util-linux's does; JSON numbers cannot.
@test "-J under LC_NUMERIC=de_DE.UTF-8: percentages keep their point" {
  require_fs ext4
  locale -a | grep -qix 'de_DE.utf-\?8' ||
    ci_skip "no de_DE.UTF-8 locale (.ci/run generates it)"
  assert_equal "$(env -u LC_ALL LC_NUMERIC=de_DE.UTF-8 locale decimal_point)" ","
  local f text json
  f=$(new_file ext4)
  hole_layout sub_ranges "$f"
  drop_caches
  text=$(env -u LC_ALL LC_NUMERIC=de_DE.UTF-8 "$FALLOCATE" -r -o 1M -l 1M "$f")
  json=$(env -u LC_ALL LC_NUMERIC=de_DE.UTF-8 "$FALLOCATE" -r -J -o 1M -l 1M "$f")
  [[ $text == *"(1048576 bytes, 12"[.,]"50% of the file)" ]] || fail "text: $text"
  assert_equal "$json" '{"file":"'"$f"'","size":8388608,"offset":1048576,"length":1048576,"allocated":1048576,"file_holes":{"count":0,"bytes":0,"percent":0.00},"data_holes":{"count":1,"bytes":1048576,"percent":12.50}}'
}

@test "-J >/dev/full: the write error, exit 1" {
  require_fs tmpfs
  local f
  f=$(new_file tmpfs)
  hole_layout sparse "$f"
  run --separate-stderr bash -c '"$FALLOCATE" -r -J "$0" >/dev/full' "$f"
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: write error: No space left on device"
}
