#!/usr/bin/env bats
# -r and -d on fragmented files: data extents of a block or a few between
# holes and unwritten extents.  The data is read in windows that reach
# across small holes (src/holes.c); what a window reads of a hole or an
# unwritten extent never counts as data, zero blocks at a window's edges
# and runs of zeros that a window boundary cuts count as on an
# unfragmented file, a window ends where the range does, and a file that
# shrinks under the scan is judged only by what is still there.  Each
# layout is a string of 4 KiB blocks (see frag_file); the expected holes
# are worked out from that string, not by the program.

load "$TESTS_SRCDIR/helpers/common"

setup_file() { fs_setup_file ext4 tmpfs; }

teardown() {
  end_slowed
  cache_unlock
}

# frag_file F SPEC: make F of 4 KiB blocks, one a character of SPEC:
# d random (non-zero) data, z written zeros, h a hole, u an unwritten
# (preallocated) extent; fsync it.
frag_file() {
  python3 - "$1" "$2" <<'EOF'
import os, sys
name, spec = sys.argv[1], sys.argv[2]
blk = 4096
fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
pool = os.urandom(256 * blk).replace(b"\0", b"\1")
for i, c in enumerate(spec):
    if c == "d":
        os.pwrite(fd, pool[(i % 256) * blk:(i % 256 + 1) * blk], i * blk)
    elif c == "z":
        os.pwrite(fd, bytes(blk), i * blk)
os.ftruncate(fd, len(spec) * blk)
for i, c in enumerate(spec):
    if c == "u":
        os.posix_fallocate(fd, i * blk, blk)
os.fsync(fd)
os.close(fd)
EOF
}

# expected_holes SPEC [FIRST COUNT]: the -v hole lines of -r over blocks
# [FIRST, FIRST + COUNT) of a file made by frag_file from SPEC (default:
# all of it): runs of h are file holes, runs of z and u data holes.
expected_holes() {
  python3 - "$@" <<'EOF'
import sys
spec = sys.argv[1]
first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
count = int(sys.argv[3]) if len(sys.argv) > 3 else len(spec) - first
blk = 4096
def kind(c):
    return "file" if c == "h" else "data" if c in "zu" else None
i, end = first, first + count
while i < end:
    j = i + 1
    while j < end and kind(spec[j]) == kind(spec[i]):
        j += 1
    if kind(spec[i]):
        print("%s hole: offset %d - %d (%d bytes)"
              % (kind(spec[i]), i * blk, j * blk, (j - i) * blk))
    i = j
EOF
}

# pairs N A B: the string A B repeated N times.
pairs() {
  local i s=
  for ((i = 0; i < $1; i++)); do s+=$2$3; done
  printf '%s\n' "$s"
}

# A layout with zero blocks at the edges of 1 MiB windows (the first
# window of 4 KiB data and 4 KiB holes from offset 0 holds blocks 0..255),
# a hole longer than a window reaches across (80 KiB), one shorter
# (60 KiB), a zero run longer than a window, and, with u, unwritten
# blocks between the data.
layout() {
  local s
  s="z$(pairs 62 h d)hz$(pairs 63 h d)hz" # zeros at blocks 0, 126, 254
  s+="hz$(pairs 100 h d)"                 # and 256
  s+="hhhhhhhhhhhhhhhhhhhhz"              # an 80 KiB hole, zeros after it
  s+="hhhhhhhhhhhhhhhd"                   # a 60 KiB hole
  s+="d$(printf 'z%.0s' $(seq 300))d"     # 1.2 MiB of zeros inside data
  s+="$(pairs 300 h d)hz"
  [[ ${1:-} == u ]] && s+="$(pairs 200 u d)uzd$(pairs 50 d u)"
  s+="$(pairs 40 d h)z"
  printf '%s\n' "$s"
}

# report_matches SPEC F [FIRST COUNT]: -r -v on F (of SPEC) over blocks
# [FIRST, FIRST + COUNT) prints exactly the expected hole lines, and the
# summary counts them.
report_matches() {
  local spec=$1 f=$2 args=() expected nfile ndata
  shift 2
  (($#)) && args=(-o $(($1 * 4096)) -l $(($2 * 4096)))
  expected=$(expected_holes "$spec" "$@")
  drop_caches
  run --separate-stderr "$FALLOCATE" -r -v "${args[@]}" "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$(grep ' hole: ' <<<"$output")" "$expected"
  nfile=$(grep -c '^file hole' <<<"$expected" || true)
  ndata=$(grep -c '^data hole' <<<"$expected" || true)
  assert_output --partial "file holes: $nfile holes,"
  assert_output --partial "data holes: $ndata holes,"
}

fragmented_report() {
  require_fs "$1"
  local f spec
  f=$(new_file "$1")
  spec=$(layout "${2:-}")
  frag_file "$f" "$spec"
  report_matches "$spec" "$f"
}

@test "-r on a fragmented ext4 file: every hole, zeros at window edges" { fragmented_report ext4; }
@test "-r on a fragmented ext4 file with unwritten extents" { fragmented_report ext4 u; }
@test "-r on a fragmented tmpfs file (no FIEMAP)" { fragmented_report tmpfs; }

@test "-r on a fragmented file: a range cut inside a window" {
  require_fs ext4
  local f spec
  f=$(new_file ext4)
  spec=$(layout u)
  frag_file "$f" "$spec"
  # From a zero block (256) to the middle of the 1.2 MiB zero run, which
  # a window reaches past; from an unwritten block to a zero block with
  # data after it; from a data block to that data block.
  [[ ${spec:256:1} == z && ${spec:699:2} == zz ]]
  report_matches "$spec" "$f" 256 444
  local u=${spec%%u*}
  u=${#u}
  [[ ${spec:u+400:3} == uzd ]]
  report_matches "$spec" "$f" "$u" 402
  report_matches "$spec" "$f" $((u + 1)) 402
}

fragmented_dig() {
  require_fs ext4
  local f spec before data
  f=$(new_file ext4)
  spec=$(layout "${1:-}")
  frag_file "$f" "$spec"
  before=$(sha "$f")
  drop_caches
  run --separate-stderr "$FALLOCATE" -d "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$(sha "$f")" "$before"
  assert_size "$f" $((${#spec} * 4096))
  data=${spec//[^d]/}
  assert_equal "$(mapped_bytes "$f" 0 $((${#spec} * 4096)))" $((${#data} * 4096))
  # What is left: file holes where the holes, zeros and unwritten blocks
  # were.
  report_matches "${spec//[zu]/h}" "$f"
}

@test "-d on a fragmented ext4 file punches exactly the zero blocks" { fragmented_dig; }
@test "-d on a fragmented ext4 file frees the unwritten blocks too" { fragmented_dig u; }

# 16 MiB of 4 KiB data extents between 4 KiB holes (or unwritten
# extents): read in 1 MiB windows, about 16 reads, where one read per
# extent was 2048.
few_reads() {
  require_fs ext4
  command -v strace >/dev/null || ci_skip "strace is not installed"
  local f n
  f=$(new_file ext4)
  frag_file "$f" "$(pairs 2048 d "$1")"
  drop_caches
  n=$(count_preads "$f" "$FALLOCATE" "$2" "$f")
  ((n >= 16 && n <= 20)) || fail "$n reads of 16 MiB in 2048 extents"
}

@test "-r reads 4 KiB extents between holes in 1 MiB windows" { few_reads h -r; }
@test "-d reads 4 KiB extents between unwritten ones in 1 MiB windows" { few_reads u -d; }

# -r on a fragmented file drops only what it brought into the page cache:
# cold stays cold (the holes it read through included), warm stays warm.
leaves_cache() {
  local f=$1 want=$2
  if [[ $want == 0 ]]; then
    drop_caches
  else
    cat -- "$f" >/dev/null
  fi
  expect_resident "$f" "$want" "before the report" || return 1
  run --separate-stderr "$FALLOCATE" -r "$f"
  if ((status != 0)); then
    WHY="-r exited $status: $stderr"
    return 1
  fi
  expect_resident "$f" "$want" "after the report"
}

@test "-r on a fragmented file keeps a cold file cold and a cached one cached" {
  require_fs ext4
  require_root
  cache_lock
  local f
  f=$(new_file ext4)
  frag_file "$f" "$(pairs 2048 d h)"
  tries leaves_cache "$f" 0
  tries leaves_cache "$f" $((16 * MiB))
}

# A file cut to half its size after the map was read and before any of
# it: the part that is gone is not taken for zeros, the rest is judged as
# ever.
@test "-r on a fragmented file that shrinks under the scan" {
  require_fs ext4
  local f spec half
  f=$(new_file ext4)
  spec=$(pairs 512 z h)$(pairs 512 z d)
  frag_file "$f" "$spec"
  half=$((${#spec} / 2))
  drop_caches
  held ioctl "$f"
  slowed "$FALLOCATE" -r -v "$f"
  wait_held
  truncate -s $((half * 4096)) "$f"
  assert_still_held
  finish_within 30
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$(grep '^data hole:' <<<"$output")" \
    "$(expected_holes "$spec" 0 "$half" | grep '^data hole:')"
}

# F (2048 4 KiB data extents between holes) with its data, and only its
# data, in the page cache: -r reads each extent alone (there is no I/O
# to save, and reading across the holes would bring in 2048 pages to drop
# one call each), drops nothing and leaves the data cached.
data_alone() {
  local f=$1 log=$BATS_TEST_TMPDIR/strace.log n
  cache_head "$f" 0
  # The data blocks read one by one, without readahead.
  python3 - "$f" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
for i in range(2048):
    os.pread(fd, 4096, i * 8192)
PY
  expect_resident "$f" $((8 * MiB)) "before the report" || return 1
  ASAN_OPTIONS=detect_leaks=0 strace -qq -e trace=pread64,fadvise64 -P "$f" -o "$log" \
    "$FALLOCATE" -r "$f" >/dev/null 2>&1 || { WHY="-r failed"; return 1; }
  n=$(grep -c 'DONTNEED' "$log" || true)
  ((n == 0)) || { WHY="$n POSIX_FADV_DONTNEED calls"; return 1; }
  n=$(grep -c 'pread64(' "$log" || true)
  ((n == 2048)) || { WHY="$n reads"; return 1; }
  expect_resident "$f" $((8 * MiB)) "after the report"
}

@test "-r on a fragmented file whose data alone is cached reads the data alone" {
  require_fs ext4
  require_root
  command -v strace >/dev/null || ci_skip "strace is not installed"
  cache_lock
  local f
  f=$(new_file ext4)
  frag_file "$f" "$(pairs 2048 d h)"
  tries data_alone "$f"
}

# punches F COMMAND...: the hole punches COMMAND makes in F (not the
# probe beyond its end), one "OFFSET LENGTH" line each.
punches() {
  local f=$1 log=$BATS_TEST_TMPDIR/strace.log size
  shift
  size=$(file_size "$f")
  strace -qq -e trace=fallocate -P "$f" -o "$log" "$@" >/dev/null 2>&1 || true
  sed -nE 's/^fallocate\([0-9]+, [A-Z_|]*PUNCH_HOLE[A-Z_|]*, ([0-9]+), ([0-9]+)\) = 0$/\1 \2/p' \
    "$log" | awk -v s="$size" '$1 < s'
}

# Zero blocks with only file holes between them are punched in one
# fallocate(2) call while the guard keeps writers out; with --force
# (another process may fill the holes meanwhile) each run alone.  What
# -d -v says is the same either way.
@test "-d punches zero blocks with only holes between them in one call" {
  require_fs ext4
  command -v strace >/dev/null || ci_skip "strace is not installed"
  local f spec merged forced
  f=$(new_file ext4)
  spec="$(pairs 256 z h)d$(pairs 64 z h)"
  frag_file "$f" "$spec"
  merged=$(punches "$f" "$FALLOCATE" -d "$f")
  assert_equal "$merged" "0 $((511 * 4096))
$((513 * 4096)) $((127 * 4096))"
  assert_equal "$(mapped_bytes "$f" 0 $((${#spec} * 4096)))" 4096
  report_matches "${spec//z/h}" "$f"
  frag_file "$f" "$spec"
  forced=$(punches "$f" "$FALLOCATE" -d --force "$f")
  assert_equal "$(wc -l <<<"$forced")" 320
  assert_equal "$(mapped_bytes "$f" 0 $((${#spec} * 4096)))" 4096
  # The counts are those of the 320 runs punched one by one.
  frag_file "$f" "$spec"
  run --separate-stderr "$FALLOCATE" -d -v --force "$f"
  assert_equal "$status" 0
  forced=$output
  assert_output --partial ": 320 holes, 1.3 MiB (1310720 bytes, "
  frag_file "$f" "$spec"
  run --separate-stderr "$FALLOCATE" -d -v "$f"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "$forced"
}

# A writer opening F during a dig of merged punches: the dig stops before
# its next punch and says at which offset X; each zero block below X is
# a hole, every block from X on is as it was, the writer's block (in a
# hole past X) is there, and the rest of the bytes are unchanged.
@test "-d with merged punches: a writer arriving mid-dig loses nothing, the stop offset holds" {
  require_fs ext4
  local f spec groups base i x n b sum
  f=$(new_file ext4)
  groups=100
  # Groups of 5 blocks, z h z h d: one punch of 3 blocks each.
  spec=$(for ((i = 0; i < groups; i++)); do printf zhzhd; done)
  frag_file "$f" "$spec"
  cp -- "$f" "$BATS_TEST_TMPDIR/want"
  base=$(stat -c %b -- "$f")
  delayed fallocate 200000
  slowed env --default-signal "$FALLOCATE" -d "$f"
  for ((i = 0; i < 3000; i++)); do
    (($(stat -c %b -- "$f") <= base - 16)) && break
    job_running "$TRACER" || fail "the dig ended first: $(cat "$BATS_TEST_TMPDIR/err")"
    sleep 0.01
  done
  (($(stat -c %b -- "$f") <= base - 16)) || fail "the dig punched nothing in 30 s"
  # The writer fills the hole at block 1 of the last group.
  printf 'written%.0s' $(seq 585) | head -c 4096 >"$BATS_TEST_TMPDIR/block"
  timeout 60 dd if="$BATS_TEST_TMPDIR/block" of="$f" bs=4096 \
    seek=$(((groups - 1) * 5 + 1)) conv=notrunc status=none
  finish_within 60
  assert_equal "$status" 1
  sync -- "$f"
  [[ $stderr =~ ^"fallocate: '$f': another process is opening the file for writing; stopped digging at offset "([0-9]+)" of "$((groups * 20480))", after converting "([0-9]+)" holes ("([0-9]+)" bytes) to sparse holes"$ ]] ||
    fail "unexpected message: $stderr"
  x=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} b=${BASH_REMATCH[3]}
  ((n > 0 && x < (groups - 1) * 20480)) || fail "stopped at $x after $n holes"
  # X is where a group's punch would have started.
  assert_equal $((x % 20480)) 0
  assert_equal "$n" $((x / 20480 * 2))
  assert_equal "$b" $((n * 4096))
  assert_equal "$(mapped_bytes "$f" 0 "$x")" $((x / 5))
  assert_equal "$(mapped_bytes "$f" "$x" $((groups * 20480 - x)))" \
    $(((groups * 20480 - x) / 5 * 3 + 4096))
  dd if="$BATS_TEST_TMPDIR/block" of="$BATS_TEST_TMPDIR/want" bs=4096 \
    seek=$(((groups - 1) * 5 + 1)) conv=notrunc status=none
  cmp -- "$BATS_TEST_TMPDIR/want" "$f" || fail "bytes changed or the writer's block is lost"
}

# F: 1 MiB of data at the start of each 64 MiB of 256 MiB, holes between.
# Cold, -r asks for the data past each long hole (POSIX_FADV_WILLNEED)
# before it reads the data before the hole, and leaves none of it in the
# page cache; warm, it drops nothing.
sparse_ahead() {
  local f=$1 log=$BATS_TEST_TMPDIR/strace.log k order
  drop_caches
  ASAN_OPTIONS=detect_leaks=0 strace -qq -e trace=pread64,fadvise64 -P "$f" -o "$log" \
    "$FALLOCATE" -r "$f" >/dev/null 2>&1 || { WHY="-r failed"; return 1; }
  order=$(sed -nE 's/^fadvise64\([0-9]+, ([0-9]+), [0-9]+, POSIX_FADV_WILLNEED\).*/ask \1/p
                   s/^pread64\([0-9]+, .*, ([0-9]+)\) = [0-9]+$/read \1/p' "$log" |
            awk '!seen[$0]++' | tr '\n' ' ')
  for k in 1 2 3; do
    [[ $order == *"ask $((k * 64 * MiB)) "*"read $(((k - 1) * 64 * MiB)) "* ]] ||
      { WHY="the data at $((k * 64)) MiB not asked for first: $order"; return 1; }
  done
  expect_resident "$f" 0 "after a cold -r" || return 1
  cat -- "$f" >/dev/null
  expect_resident "$f" $((256 * MiB)) "before a warm -r" || return 1
  "$FALLOCATE" -r "$f" >/dev/null || { WHY="-r failed"; return 1; }
  expect_resident "$f" $((256 * MiB)) "after a warm -r"
}

@test "-r on a sparse file asks for the data past each long hole ahead, and drops only that" {
  require_fs ext4
  require_root
  command -v strace >/dev/null || ci_skip "strace is not installed"
  cache_lock
  local f k
  f=$(new_file ext4)
  for k in 0 1 2 3; do
    head -c "$MiB" /dev/urandom |
      dd of="$f" bs=1M seek=$((k * 64)) conv=notrunc status=none
  done
  truncate -s 256M -- "$f"
  sync -- "$f"
  tries sparse_ahead "$f"
}
