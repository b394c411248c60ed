#!/usr/bin/env bats
# Bad input, as a table: malformed command lines, one row each.  Every
# row must end in exit status 1, nothing on stdout, exactly one message
# line on stderr that names the culprit (the text as the program quotes
# it, the option, or the file), followed for a usage error by the
# "Try 'fallocate --help'" line, and nothing created or changed in the
# test's directory.  No mounts: everything lives in $BATS_TEST_TMPDIR/w
# (bats keeps its own files in $BATS_TEST_TMPDIR).
#
# A row is one call:
#     bad_usage ARGS... -- MESSAGE        usage error: MESSAGE, then the hint
#     bad_input ARGS... -- MESSAGE        MESSAGE alone
#     bad_input_match ARGS... -- REGEX    one line matching REGEX (whole line)
# MESSAGE and REGEX leave out the "fallocate: " every line starts with.
# The last "--" separates ARGS from MESSAGE, so ARGS may hold a "--" too.

load "$TESTS_SRCDIR/helpers/common"

# The files the rows name, made for each test, all with an old mtime so
# that any change shows:
#   old   8 KiB of data, an existing target (rows that must not touch it)
#   reg   a regular file, used as a directory in reg/f
#   dir/  an empty directory
#   fifo  a FIFO
# and new, nodir: names that do not exist.
setup() {
  check_fallocate_built
  mkdir "$BATS_TEST_TMPDIR/w"
  cd "$BATS_TEST_TMPDIR/w" || return 1
  head -c 8K /dev/urandom >old
  head -c 4K /dev/urandom >reg
  mkdir dir
  mkfifo fifo
  touch -h -d @1000000000 old reg dir fifo .
}

OFF_T_MAX=9223372036854775807

# world: everything in the test's directory, each name with its type,
# mode, size, mtime and ctime, and the sha256 of the regular files old
# and reg: the same before and after a refused command, or something was
# created, removed or changed (a file made and removed again changes the
# directory's mtime).
world() {
  find . -printf '%y %m %s %T@ %C@ %p\n' | sort
  sha old
  sha reg
}

# _refused KIND ARGS... -- EXPECTED: run the program with ARGS (under a
# 10 s timeout: a hang is a failure) and check the refusal described at
# the top; KIND is usage, input or match.
_refused() {
  local kind=$1
  shift
  if (($# < 2)) || [[ ${*: -2:1} != -- ]]; then
    fail "bad table row (ARGS... -- MESSAGE expected): $*"
  fi
  local want=${!#} args=("${@:1:$#-2}") before after
  before=$(world)
  run --separate-stderr timeout 10 "$FALLOCATE" "${args[@]}"
  ((status != 124)) || fail "fallocate ${args[*]@Q}: still running after 10 s"
  assert_equal "$status" 1
  assert_equal "$output" ""
  case $kind in
    usage)
      assert_equal "$stderr" "fallocate: $want
Try 'fallocate --help' for more information." ;;
    input)
      assert_equal "$stderr" "fallocate: $want" ;;
    match)
      if ((${#stderr_lines[@]} != 1)) || [[ ! $stderr =~ ^fallocate:\ $want$ ]]; then
        fail "stderr is not one line matching /^fallocate: $want\$/: $stderr"
      fi ;;
  esac
  after=$(world)
  assert_equal "$after" "$before"
}

bad_usage() { _refused usage "$@"; }
bad_input() { _refused input "$@"; }
bad_input_match() { _refused match "$@"; }

# --- sizes: junk, units, fractions, signs, spaces, hexadecimal --------------

@test "size: empty"                 { bad_input -l '' old new -- "invalid length: ''"; }
@test "size: empty with ="          { bad_input --length= old new -- "invalid length: ''"; }
@test "size: a blank"               { bad_input -l ' ' old new -- "invalid length: ' '"; }
@test "size: junk"                  { bad_input -l abc old new -- "invalid length: 'abc'"; }
@test "size: unknown unit Q"        { bad_input -l 1Q old new -- "invalid length: '1Q'"; }
@test "size: unknown unit XiB"      { bad_input -l 1XiB old new -- "invalid length: '1XiB'"; }
@test "size: KIB"                   { bad_input -l 1KIB old new -- "invalid length: '1KIB'"; }
@test "size: Ki without B"          { bad_input -l 1Ki old new -- "invalid length: '1Ki'"; }
@test "size: iB without a letter"   { bad_input -l 1iB old new -- "invalid length: '1iB'"; }
@test "size: B alone"               { bad_input -l 1B old new -- "invalid length: '1B'"; }
@test "size: b alone"               { bad_input -l 1b old new -- "invalid length: '1b'"; }
@test "size: two units"             { bad_input -l 1KK old new -- "invalid length: '1KK'"; }
@test "size: digits after the unit" { bad_input -l 1K1 old new -- "invalid length: '1K1'"; }
@test "size: garbage after iB"      { bad_input -l 1.5KiBx old new -- "invalid length: '1.5KiBx'"; }
@test "size: fraction without unit" { bad_input -l 1.5 old new -- "invalid length: '1.5'"; }
@test "size: 0.5 without unit"      { bad_input -l 0.5 old new -- "invalid length: '0.5'"; }
@test "size: 1.0 without unit"      { bad_input -l 1.0 old new -- "invalid length: '1.0'"; }
@test "size: 1. without unit"       { bad_input -l 1. old new -- "invalid length: '1.'"; }
@test "size: OFF_T_MAX.9 without unit" { bad_input -l "$OFF_T_MAX.9" old new -- "invalid length: '$OFF_T_MAX.9'"; }
@test "size: no digit before the point" { bad_input -l .5K old new -- "invalid length: '.5K'"; }
@test "size: two points"            { bad_input -l 1.2.3 old new -- "invalid length: '1.2.3'"; }
@test "size: point after the unit"  { bad_input -l 1K.5 old new -- "invalid length: '1K.5'"; }
@test "size: decimal comma"         { bad_input -l 1,5K old new -- "invalid length: '1,5K'"; }
@test "size: exponent"              { bad_input -l 1e3 old new -- "invalid length: '1e3'"; }
@test "size: digit separator"       { bad_input -l 1_000 old new -- "invalid length: '1_000'"; }
@test "size: 0b binary"             { bad_input -l 0b101 old new -- "invalid length: '0b101'"; }
@test "size: 0o octal"              { bad_input -l 0o7 old new -- "invalid length: '0o7'"; }
@test "size: hex 0x alone"          { bad_input -l 0x old new -- "invalid length: '0x'"; }
@test "size: hex bad digit"         { bad_input -l 0xg old new -- "invalid length: '0xg'"; }
@test "size: hex float"             { bad_input -l 0X1p3 old new -- "invalid length: '0X1p3'"; }
@test "size: hex after 00"          { bad_input -l 00x1 old new -- "invalid length: '00x1'"; }
@test "size: hex twice"             { bad_input -l 0x0x1 old new -- "invalid length: '0x0x1'"; }
@test "size: hex minus"             { bad_input -l 0x-1 old new -- "invalid length: '0x-1'"; }
@test "size: hex blank"             { bad_input -l '0x 1' old new -- "invalid length: '0x 1'"; }
@test "size: hex fraction alone"    { bad_input -l 0x1.8 old new -- "invalid length: '0x1.8'"; }
@test "size: hex digits in fraction" { bad_input -l 0xA.FK old new -- "invalid length: '0xA.FK'"; }
@test "size: x without 0"           { bad_input -l x10 old new -- "invalid length: 'x10'"; }
@test "size: trailing blank"        { bad_input -l '1 ' old new -- "invalid length: '1 '"; }
@test "size: blank before unit"     { bad_input -l '1 K' old new -- "invalid length: '1 K'"; }
@test "size: blank before unit of a fraction" { bad_input -l '1.5 K' old new -- "invalid length: '1.5 K'"; }
@test "size: trailing tab, shell-quoted" { bad_input -l $'1\t' old new -- "invalid length: '1'\$'\\t'"; }
@test "size: + alone"               { bad_input -l + old new -- "invalid length: '+'"; }
@test "size: ++"                    { bad_input -l ++1 old new -- "invalid length: '++1'"; }
@test "size: +-"                    { bad_input -l +-1 old new -- "invalid length: '+-1'"; }
@test "size: + then blank"          { bad_input -l '+ 1' old new -- "invalid length: '+ 1'"; }
@test "size: negative"              { bad_input -l -1 old new -- "invalid length: '-1': must not be negative"; }
@test "size: negative with unit"    { bad_input -l -1K old new -- "invalid length: '-1K': must not be negative"; }
@test "size: negative hex"          { bad_input -l -0x1 old new -- "invalid length: '-0x1': must not be negative"; }
@test "size: hex fraction with unit" { bad_input -l 0x1.8K old new -- "invalid length: '0x1.8K'"; }
@test "size: hex fraction, iB unit" { bad_input -l 0x10.5KiB old new -- "invalid length: '0x10.5KiB'"; }
@test "size: minus before junk"     { bad_input -l -abc old new -- "invalid length: '-abc'"; }
@test "size: minus alone"           { bad_input -l - old new -- "invalid length: '-'"; }
@test "size: minus zero"            { bad_input -l -0 old new -- "invalid length: '-0'"; }
@test "size: minus minus"           { bad_input -l --1 old new -- "invalid length: '--1'"; }
@test "size: an option taken for the length" { bad_input --length -l 1 old new -- "invalid length: '-l'"; }
@test "size: an option taken for the offset" { bad_input -o -o 1 -l 1 old new -- "invalid offset: '-o'"; }
@test "size: minus before too large" { bad_input -l -8E old new -- "invalid length: '-8E': must not be negative"; }
@test "range: offset plus length past the maximum" { bad_input -o 4E -l 4E old new -- "invalid range: offset '4E' plus length '4E' exceeds the largest file size (9223372036854775807 bytes)"; }
@test "range: the maximum offset plus 1" { bad_input -o 9223372036854775807 -l 1 old new -- "invalid range: offset '9223372036854775807' plus length '1' exceeds the largest file size (9223372036854775807 bytes)"; }
@test "range: -d past the maximum"  { bad_input -d -o 1 -l 9223372036854775807 old -- "invalid range: offset '1' plus length '9223372036854775807' exceeds the largest file size (9223372036854775807 bytes)"; }

# --- sizes past the off_t maximum, and at it --------------------------------

@test "size: 20 digits"             { bad_input -l 99999999999999999999 old new -- "invalid length: '99999999999999999999': Value too large for defined data type"; }
@test "size: OFF_T_MAX + 1"         { bad_input -l 9223372036854775808 old new -- "invalid length: '9223372036854775808': Value too large for defined data type"; }
@test "size: hex OFF_T_MAX + 1"     { bad_input -l 0x8000000000000000 old new -- "invalid length: '0x8000000000000000': Value too large for defined data type"; }
@test "size: hex UINT64_MAX"        { bad_input -l 0xffffffffffffffff old new -- "invalid length: '0xffffffffffffffff': Value too large for defined data type"; }
@test "size: 8E"                    { bad_input -l 8E old new -- "invalid length: '8E': Value too large for defined data type"; }
@test "size: 8EiB"                  { bad_input -l 8EiB old new -- "invalid length: '8EiB': Value too large for defined data type"; }
@test "size: 8.0E"                  { bad_input -l 8.0E old new -- "invalid length: '8.0E': Value too large for defined data type"; }
@test "size: 16E"                   { bad_input -l 16E old new -- "invalid length: '16E': Value too large for defined data type"; }
@test "size: 8192P"                 { bad_input -l 8192P old new -- "invalid length: '8192P': Value too large for defined data type"; }
@test "size: K overflowing"         { bad_input -l 9223372036854775K old new -- "invalid length: '9223372036854775K': Value too large for defined data type"; }
@test "size: 1Z"                    { bad_input -l 1Z old new -- "invalid length: '1Z': Value too large for defined data type"; }
@test "size: 1Y"                    { bad_input -l 1Y old new -- "invalid length: '1Y': Value too large for defined data type"; }
@test "size: offset junk"           { bad_input -o abc -l 1 old new -- "invalid offset: 'abc'"; }
@test "size: offset empty with ="   { bad_input --offset= -l 1 old new -- "invalid offset: ''"; }
@test "size: offset fraction without unit" { bad_input -o 1.5 -l 1 old new -- "invalid offset: '1.5'"; }
@test "size: offset negative"       { bad_input -o -1 -l 1 old new -- "invalid offset: '-1': must not be negative"; }
@test "size: offset hex 0x alone"   { bad_input -p -o 0x -l 1 old new -- "invalid offset: '0x'"; }
@test "size: offset 8E"             { bad_input -o 8E -l 1 old new -- "invalid offset: '8E': Value too large for defined data type"; }
@test "size: offset of -d past the maximum" { bad_input -d -o 8E old new -- "invalid offset: '8E': Value too large for defined data type"; }
# Valid sizes the filesystem refuses (ext4: File too large; tmpfs, xfs,
# btrfs: no space): the existing file is left as it was.
@test "size: length OFF_T_MAX on an existing file" { bad_input_match -l "$OFF_T_MAX" old -- "'old': cannot allocate: (File too large|No space left on device)"; }
@test "size: length 0x7fff... with -n"             { bad_input_match -n -l 0x7fffffffffffffff old -- "'old': cannot allocate: (File too large|No space left on device)"; }

# --- conflicts: every pair of operations ------------------------------------

@test "conflict: -c -d" { bad_input -c -d -l 4096 old new -- "options --collapse-range and --dig-holes cannot be combined"; }
@test "conflict: -c -i" { bad_input -c -i -l 4096 old new -- "options --collapse-range and --insert-range cannot be combined"; }
@test "conflict: -c -p" { bad_input -c -p -l 4096 old new -- "options --collapse-range and --punch-hole cannot be combined"; }
@test "conflict: -c -u" { bad_input -c -u -l 4096 old new -- "options --collapse-range and --unshare-range cannot be combined"; }
@test "conflict: -c -w" { bad_input -c -w -l 4096 old new -- "options --collapse-range and --write-zeroes cannot be combined"; }
@test "conflict: -c -x" { bad_input -c -x -l 4096 old new -- "options --collapse-range and --posix cannot be combined"; }
@test "conflict: -c -z" { bad_input -c -z -l 4096 old new -- "options --collapse-range and --zero-range cannot be combined"; }
@test "conflict: -d -i" { bad_input -d -i -l 4096 old new -- "options --dig-holes and --insert-range cannot be combined"; }
@test "conflict: -d -p" { bad_input -d -p -l 4096 old new -- "options --dig-holes and --punch-hole cannot be combined"; }
@test "conflict: -d -u" { bad_input -d -u -l 4096 old new -- "options --dig-holes and --unshare-range cannot be combined"; }
@test "conflict: -d -w" { bad_input -d -w -l 4096 old new -- "options --dig-holes and --write-zeroes cannot be combined"; }
@test "conflict: -d -x" { bad_input -d -x -l 4096 old new -- "options --dig-holes and --posix cannot be combined"; }
@test "conflict: -d -z" { bad_input -d -z -l 4096 old new -- "options --dig-holes and --zero-range cannot be combined"; }
@test "conflict: -i -p" { bad_input -i -p -l 4096 old new -- "options --insert-range and --punch-hole cannot be combined"; }
@test "conflict: -i -u" { bad_input -i -u -l 4096 old new -- "options --insert-range and --unshare-range cannot be combined"; }
@test "conflict: -i -w" { bad_input -i -w -l 4096 old new -- "options --insert-range and --write-zeroes cannot be combined"; }
@test "conflict: -i -x" { bad_input -i -x -l 4096 old new -- "options --insert-range and --posix cannot be combined"; }
@test "conflict: -i -z" { bad_input -i -z -l 4096 old new -- "options --insert-range and --zero-range cannot be combined"; }
@test "conflict: -p -u" { bad_input -p -u -l 4096 old new -- "options --punch-hole and --unshare-range cannot be combined"; }
@test "conflict: -p -w" { bad_input -p -w -l 4096 old new -- "options --punch-hole and --write-zeroes cannot be combined"; }
@test "conflict: -p -x" { bad_input -p -x -l 4096 old new -- "options --punch-hole and --posix cannot be combined"; }
@test "conflict: -p -z" { bad_input -p -z -l 4096 old new -- "options --punch-hole and --zero-range cannot be combined"; }
@test "conflict: -u -w" { bad_input -u -w -l 4096 old new -- "options --unshare-range and --write-zeroes cannot be combined"; }
@test "conflict: -u -x" { bad_input -u -x -l 4096 old new -- "options --unshare-range and --posix cannot be combined"; }
@test "conflict: -u -z" { bad_input -u -z -l 4096 old new -- "options --unshare-range and --zero-range cannot be combined"; }
@test "conflict: -w -x" { bad_input -w -x -l 4096 old new -- "options --write-zeroes and --posix cannot be combined"; }
@test "conflict: -w -z" { bad_input -w -z -l 4096 old new -- "options --write-zeroes and --zero-range cannot be combined"; }
@test "conflict: -x -z" { bad_input -x -z -l 4096 old new -- "options --posix and --zero-range cannot be combined"; }
@test "conflict: long names, the first seen first" { bad_input --zero-range --punch-hole -l 4096 old new -- "options --zero-range and --punch-hole cannot be combined"; }
@test "conflict: in one cluster after the FILEs"   { bad_input old new -l 4096 -vpz -- "options --punch-hole and --zero-range cannot be combined"; }

# --- conflicts: -n, -r, --advise --------------------------------------------

@test "conflict: -n -c" { bad_input -n -c -l 4096 old new -- "options --keep-size and --collapse-range cannot be combined"; }
@test "conflict: -n -i" { bad_input -n -i -l 4096 old new -- "options --keep-size and --insert-range cannot be combined"; }
@test "conflict: -n -w" { bad_input -n -w -l 4096 old new -- "options --keep-size and --write-zeroes cannot be combined"; }
@test "conflict: -x -n" { bad_input -x -n -l 4096 old new -- "options --posix and --keep-size cannot be combined"; }
@test "conflict: -r -c" { bad_input -r -c old new -- "options --report-holes and --collapse-range cannot be combined"; }
@test "conflict: -r -d" { bad_input -r -d old new -- "options --report-holes and --dig-holes cannot be combined"; }
@test "conflict: -r -i" { bad_input -r -i old new -- "options --report-holes and --insert-range cannot be combined"; }
@test "conflict: -r -p" { bad_input -r -p old new -- "options --report-holes and --punch-hole cannot be combined"; }
@test "conflict: -r -u" { bad_input -r -u old new -- "options --report-holes and --unshare-range cannot be combined"; }
@test "conflict: -r -w" { bad_input -r -w old new -- "options --report-holes and --write-zeroes cannot be combined"; }
@test "conflict: -r -x" { bad_input -r -x old new -- "options --report-holes and --posix cannot be combined"; }
@test "conflict: -r -z" { bad_input -r -z old new -- "options --report-holes and --zero-range cannot be combined"; }
@test "conflict: -n -r" { bad_input -n -r old new -- "options --keep-size and --report-holes cannot be combined"; }
@test "conflict: --advise -c" { bad_input --advise=normal -c -l 4096 old new -- "options --advise and --collapse-range cannot be combined"; }
@test "conflict: --advise -i" { bad_input --advise=dontneed -i -l 4096 old new -- "options --advise and --insert-range cannot be combined"; }
@test "conflict: -d --advise" { bad_input -d --advise=willneed old new -- "options --dig-holes and --advise cannot be combined"; }
@test "conflict: --advise -r" { bad_input --advise=random -r old new -- "options --advise and --report-holes cannot be combined"; }

# --json is a form of the report: refused without -r, as a usage error.
@test "needs: -J alone"             { bad_usage -J old -- "option --json needs --report-holes"; }
@test "needs: --json with -l"       { bad_usage --json -l 4096 old -- "option --json needs --report-holes"; }
@test "needs: -J with -d"           { bad_usage -d -J old new -- "option --json needs --report-holes"; }
@test "needs: -J -v, no FILE"       { bad_usage -vJ -- "option --json needs --report-holes"; }
@test "conflict: -r -J -n"          { bad_input -r -J -n old -- "options --report-holes and --keep-size cannot be combined"; }

# --- missing operands and option arguments ----------------------------------

@test "operand: nothing at all"      { bad_usage -- "no filename specified"; }
@test "operand: no FILE"             { bad_usage -l 1 -- "no filename specified"; }
@test "operand: no FILE after --"    { bad_usage -l 1 -- -- "no filename specified"; }
@test "operand: no FILE for -p"      { bad_usage -p -l 1 -- "no filename specified"; }
@test "operand: no FILE for -d"      { bad_usage -d -- "no filename specified"; }
@test "operand: no FILE for -r"      { bad_usage -r -- "no filename specified"; }
@test "operand: no FILE for --advise" { bad_usage --advise=normal -- "no filename specified"; }
@test "operand: no FILE nor length for -z" { bad_usage -z -- "no filename specified"; }
@test "operand: no -l"               { bad_usage old new -- "no length argument specified"; }
@test "operand: no -l, only -o"      { bad_usage -o 1 old new -- "no length argument specified"; }
@test "operand: no -l for -n"        { bad_usage -n old new -- "no length argument specified"; }
@test "operand: no -l for -p"        { bad_usage -p old new -- "no length argument specified: --punch-hole needs --length"; }
@test "operand: no -l for -c"        { bad_usage -c old new -- "no length argument specified: --collapse-range needs --length"; }
@test "operand: no -l for -i"        { bad_usage -i old new -- "no length argument specified: --insert-range needs --length"; }
@test "operand: no -l for -z"        { bad_usage -z old new -- "no length argument specified: --zero-range needs --length"; }
@test "operand: no -l for -w"        { bad_usage -w old new -- "no length argument specified: --write-zeroes needs --length"; }
@test "operand: no -l for -x"        { bad_usage -x old new -- "no length argument specified: --posix needs --length"; }
@test "operand: no -l for -u"        { bad_usage -u old new -- "no length argument specified: --unshare-range needs --length"; }
@test "operand: no -l for -n --advise" { bad_usage -n --advise=normal old new -- "no length argument specified"; }
@test "operand: -l 0"                { bad_input -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0K"               { bad_input -l 0K old new -- "invalid length: '0K': must be greater than zero"; }
@test "operand: -l 0x0"              { bad_input -l 0x0 old new -- "invalid length: '0x0': must be greater than zero"; }
@test "operand: -l 000"              { bad_input -l 000 old new -- "invalid length: '000': must be greater than zero"; }
@test "operand: -l 0.0K"             { bad_input -l 0.0K old new -- "invalid length: '0.0K': must be greater than zero"; }
@test "operand: -l 0 with -n"        { bad_input -n -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -p"        { bad_input -p -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -c"        { bad_input -c -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -i"        { bad_input -i -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -z"        { bad_input -z -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -w"        { bad_input -w -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -x"        { bad_input -x -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l 0 with -u"        { bad_input -u -l 0 old new -- "invalid length: '0': must be greater than zero"; }
@test "operand: -l without its argument"  { bad_usage old new -l -- "option '--length' requires an argument"; }
@test "operand: -o without its argument"  { bad_usage -l 1 old new -o -- "option '--offset' requires an argument"; }
@test "operand: --length without its argument" { bad_usage old --length -- "option '--length' requires an argument"; }
@test "operand: --advise without its argument" { bad_usage old --advise -- "option '--advise' requires an argument"; }

# --- extra arguments: =VALUE to options that take none ----------------------

@test "extra: --verbose=x"     { bad_usage --verbose=x -l 1 old new -- "option '--verbose' doesn't allow an argument"; }
@test "extra: --verb=x"        { bad_usage --verb=x -l 1 old new -- "option '--verbose' doesn't allow an argument"; }
@test "extra: --punch-hole=yes" { bad_usage --punch-hole=yes -l 1 old new -- "option '--punch-hole' doesn't allow an argument"; }
@test "extra: --dig-holes=1"   { bad_usage --dig-holes=1 old new -- "option '--dig-holes' doesn't allow an argument"; }
@test "extra: --in=1"          { bad_usage -v --in=1 -l 1 old new -- "option '--insert-range' doesn't allow an argument"; }
@test "extra: --pos=1"         { bad_usage --pos=1 -l 1 old new -- "option '--posix' doesn't allow an argument"; }
@test "extra: --force=yes"     { bad_usage --force=yes -d old new -- "option '--force' doesn't allow an argument"; }
@test "extra: --progress=1"    { bad_usage --progress=1 -l 1 old new -- "option '--progress' doesn't allow an argument"; }
@test "extra: --help=1"        { bad_usage --help=1 old new -- "option '--help' doesn't allow an argument"; }
@test "extra: --version=1"     { bad_usage --version=1 -- "option '--version' doesn't allow an argument"; }

# --- unknown and ambiguous options ------------------------------------------

@test "option: -q"             { bad_usage -q -l 1 old new -- "invalid option -- 'q'"; }
@test "option: -L"             { bad_usage -L 1 old new -- "invalid option -- 'L'"; }
@test "option: -1"             { bad_usage -1 old new -- "invalid option -- '1'"; }
@test "option: -qv"            { bad_usage -qv -l 1 old new -- "invalid option -- 'q'"; }
@test "option: -vq"            { bad_usage -vq -l 1 old new -- "invalid option -- 'q'"; }
@test "option: --verbose -qv"  { bad_usage --verbose -qv -l 1 old new -- "invalid option -- 'q'"; }
@test "option: --verbose -v -Z" { bad_usage --verbose -v -Z -l 1 old new -- "invalid option -- 'Z'"; }
@test "option: second cluster" { bad_usage -l 1 -vn -qp old new -- "invalid option -- 'q'"; }
@test "option: after --advise" { bad_usage -p -l 1 --advise=normal -q old new -- "invalid option -- 'q'"; }
@test "option: a FILE with a leading - and no --" { bad_usage -p -l 1 old -foo -- "invalid option -- 'f'"; }
@test "option: before -h, the error wins" { bad_usage -q -h -- "invalid option -- 'q'"; }
@test "option: --bogus"        { bad_usage --bogus -l 1 old new -- "unrecognized option '--bogus'"; }
@test "option: --bogus=1"      { bad_usage -l 1 old new --bogus=1 -- "unrecognized option '--bogus=1'"; }
@test "option: --Verbose"      { bad_usage --Verbose -l 1 old new -- "unrecognized option '--Verbose'"; }
@test "option: ---"            { bad_usage --- -l 1 old new -- "unrecognized option '---'"; }
@test "option: ambiguous --p"  { bad_usage --p -l 1 old new -- "option '--p' is ambiguous; possibilities: '--posix' '--progress' '--punch-hole'"; }
@test "option: ambiguous --p=1" { bad_usage --p=1 -l 1 old new -- "option '--p=1' is ambiguous; possibilities: '--posix' '--progress' '--punch-hole'"; }
@test "option: ambiguous --v"  { bad_usage --v -l 1 old new -- "option '--v' is ambiguous; possibilities: '--verbose' '--version'"; }
@test "option: ambiguous --ver=1" { bad_usage --ver=1 -- "option '--ver=1' is ambiguous; possibilities: '--verbose' '--version'"; }
@test "option: ambiguous --=x" { bad_usage --=x -l 1 old new -- "option '--=x' is ambiguous; possibilities: '--advise' '--collapse-range' '--dig-holes' '--force' '--insert-range' '--json' '--keep-size' '--length' '--offset' '--posix' '--progress' '--punch-hole' '--report-holes' '--unshare-range' '--verbose' '--write-zeroes' '--zero-range' '--help' '--version'"; }

# --- advice -----------------------------------------------------------------

ADVICES="valid arguments are normal, sequential, random, noreuse, willneed, dontneed"

@test "advice: unknown"          { bad_input --advise=bogus old new -- "invalid argument 'bogus' for '--advise'; $ADVICES"; }
@test "advice: upper case"       { bad_input --advise=NORMAL old new -- "invalid argument 'NORMAL' for '--advise'; $ADVICES"; }
@test "advice: trailing blank"   { bad_input --advise='willneed ' old new -- "invalid argument 'willneed ' for '--advise'; $ADVICES"; }
@test "advice: too long"         { bad_input --advise=willneedx old new -- "invalid argument 'willneedx' for '--advise'; $ADVICES"; }
@test "advice: through --ad="    { bad_input --ad=x old new -- "invalid argument 'x' for '--advise'; $ADVICES"; }
@test "advice: --a takes the FILE" { bad_input --a old -- "invalid argument 'old' for '--advise'; $ADVICES"; }
@test "advice: bad value before a conflict" { bad_input --advise=bogus -c -l 1 old new -- "invalid argument 'bogus' for '--advise'; $ADVICES"; }
@test "advice: ambiguous n"      { bad_input --advise=n old new -- "ambiguous argument 'n' for '--advise'; $ADVICES"; }
@test "advice: ambiguous no"     { bad_input --advise=no old new -- "ambiguous argument 'no' for '--advise'; $ADVICES"; }
@test "advice: ambiguous empty"  { bad_input --advise= old new -- "ambiguous argument '' for '--advise'; $ADVICES"; }

# --- odd file names ---------------------------------------------------------

# A 300-byte name component (NAME_MAX is 255).
printf -v LONG '%300s' ''
LONG=${LONG// /x}

@test "name: -x after --"        { bad_input -p -l 1 -- -x -- "cannot open '-x': No such file or directory"; }
@test "name: - after --"         { bad_input -p -l 1 -- - -- "cannot open '-': No such file or directory"; }
@test "name: --dash after -- for -d" { bad_input -d -- --dash -- "cannot open '--dash': No such file or directory"; }
@test "name: empty"              { bad_input -l 1 '' -- "cannot open '': No such file or directory"; }
@test "name: newline"            { bad_input -p -l 1 $'new\nline' -- "cannot open 'new'\$'\\n''line': No such file or directory"; }
@test "name: newline alone, -d"  { bad_input -d $'\n' -- "cannot open ''\$'\\n': No such file or directory"; }
@test "name: newline in a missing directory" { bad_input -l 1 $'no\ndir/f' -- "cannot open 'no'\$'\\n''dir/f': No such file or directory"; }
@test "name: newline in a directory's name" { mkdir $'d\nir'; bad_input -l 1 $'d\nir' -- "'d'\$'\\n''ir' is a directory, not a regular file"; }
@test "name: tab"                { bad_input -p -l 1 $'tab\there' -- "cannot open 'tab'\$'\\t''here': No such file or directory"; }
@test "name: escape sequence"    { bad_input -p -l 1 $'esc\e[31m' -- "cannot open 'esc'\$'\\033''[31m': No such file or directory"; }
@test "name: bell"               { bad_input -p -l 1 $'bell\a' -- "cannot open 'bell'\$'\\a': No such file or directory"; }
@test "name: carriage return"    { bad_input -p -l 1 $'cr\r' -- "cannot open 'cr'\$'\\r': No such file or directory"; }
@test "name: control-A"          { bad_input -p -l 1 $'x\001y' -- "cannot open 'x'\$'\\001''y': No such file or directory"; }
@test "name: DEL"                { bad_input -p -l 1 $'del\x7f' -- "cannot open 'del'\$'\\177': No such file or directory"; }
@test "name: bytes that are not text" { bad_input -p -l 1 $'\xff\xfe' -- "cannot open ''\$'\\377\\376': No such file or directory"; }
@test "name: an apostrophe"      { bad_input -p -l 1 "it's" -- "cannot open \"it's\": No such file or directory"; }
@test "name: a blank"            { bad_input -p -l 1 'sp ace' -- "cannot open 'sp ace': No such file or directory"; }
@test "name: 300 bytes, creating" { bad_input -l 1 "$LONG" -- "cannot open '$LONG': File name too long"; }
@test "name: 300 bytes, -p"      { bad_input -p -l 1 "$LONG" -- "cannot open '$LONG': File name too long"; }
@test "name: 300 bytes, -d"      { bad_input -d "$LONG" -- "cannot open '$LONG': File name too long"; }
@test "name: 300 bytes in dir/"  { bad_input -x -l 1 "dir/$LONG" -- "cannot open 'dir/$LONG': File name too long"; }
@test "name: a symbolic link loop" { ln -s loop loop; bad_input -l 1 loop -- "cannot open 'loop': Too many levels of symbolic links"; }

# --- paths through a regular file, directories, FIFOs, missing directories --

@test "path: reg/f, creating"    { bad_input -l 1 reg/f -- "cannot open 'reg/f': Not a directory"; }
@test "path: reg/f, -x"          { bad_input -x -l 1 reg/f -- "cannot open 'reg/f': Not a directory"; }
@test "path: reg/f, -p"          { bad_input -p -l 1 reg/f -- "cannot open 'reg/f': Not a directory"; }
@test "path: reg/, -d"           { bad_input -d reg/ -- "cannot open 'reg/': Not a directory"; }
@test "path: reg/, -r"           { bad_input -r reg/ -- "cannot open 'reg/': Not a directory"; }
@test "path: a directory"        { bad_input -l 1 dir -- "'dir' is a directory, not a regular file"; }
@test "path: a directory, -p"    { bad_input -p -l 1 dir -- "'dir' is a directory, not a regular file"; }
@test "path: a directory, -d"    { bad_input -d dir -- "'dir' is a directory, not a regular file"; }
@test "path: a directory, -r"    { bad_input -r dir -- "'dir' is a directory, not a regular file"; }
@test "path: a directory, --advise" { bad_input --advise=normal dir -- "'dir' is a directory, not a regular file"; }
@test "path: dir/, -w"           { bad_input -w -l 1 dir/ -- "'dir/' is a directory, not a regular file"; }
@test "path: a FIFO"             { bad_input -l 1 fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: a FIFO, -x"         { bad_input -x -l 1 fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: a FIFO, -p"         { bad_input -p -l 1 fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: a FIFO, -z"         { bad_input -z -l 1 fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: a FIFO, -d"         { bad_input -d fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: a FIFO, -r"         { bad_input -r fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: a FIFO, --advise"   { bad_input --advise=willneed fifo -- "'fifo' is a FIFO, not a regular file"; }
@test "path: missing directory, creating" { bad_input -l 1 nodir/f -- "cannot open 'nodir/f': No such file or directory"; }
@test "path: missing directory, -x" { bad_input -x -l 1 nodir/f -- "cannot open 'nodir/f': No such file or directory"; }
@test "path: missing directory, -w" { bad_input -w -l 1 nodir/f -- "cannot open 'nodir/f': No such file or directory"; }
