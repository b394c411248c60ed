#!/usr/bin/env bash
# Benchmark of --dig-holes and --report-holes against util-linux.
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/holes.sh [DIR]
#
# Builds its files in a fresh directory under DIR (default: $TMPDIR or
# /var/tmp; about 4.5 GiB), runs each case RUNS times (default 5, at least
# 3) alternating ours and the system's util-linux fallocate (THEIRS,
# default /usr/bin/fallocate), and prints the median wall times, their
# ratio ours/theirs, the target, and the peak resident set sizes
# (/usr/bin/time -v).  `cat FILE >/dev/null` is timed as the read limit.
# The cold cases drop the page cache, which needs root; without root they
# are left out.  Everything it made is removed when it ends.
#
# OURS is the program under test (default: src/fallocate of the build
# directory this is run from).  Not part of `make check`.

set -euo pipefail

: "${OURS:=$PWD/src/fallocate}"
: "${THEIRS:=/usr/bin/fallocate}"
: "${RUNS:=5}"
((RUNS >= 3)) || RUNS=3

for tool in "$OURS" "$THEIRS" /usr/bin/time; do
  [[ -x $tool ]] || { echo "holes.sh: $tool is not an executable" >&2; exit 1; }
done

parent=${1:-${TMPDIR:-/var/tmp}}
work=$(mktemp -d "$parent/bench-holes.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cd "$work"

MiB=1048576
GiB=$((1024 * MiB))
root=false
[[ $(id -u) -eq 0 ]] && root=true

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# mix F TOTAL UNIT: F of TOTAL bytes, alternating UNIT bytes of random
# data and UNIT bytes of written zeros.
mix() {
  perl -e '
    my ($total, $unit) = @ARGV;
    open (my $r, "<", "/dev/urandom") or die;
    binmode STDOUT;
    my $zeros = "\0" x $unit;
    for (my $done = 0; $done < $total; $done += 2 * $unit) {
      read ($r, my $data, $unit) == $unit or die;
      print $data, $zeros;
    }' "$2" "$3" >"$1"
}

echo "building the files in $work ..." >&2
head -c $GiB /dev/urandom >random
mix mib-mix $GiB $MiB
mix 4k-mix $((256 * MiB)) 4096
truncate -s 64G sparse-64g
for i in $(seq 0 63); do
  head -c $MiB /dev/urandom |
    dd of=sparse-64g bs=1M seek=$((i * 1024)) conv=notrunc status=none
done
"$THEIRS" -l 1G prealloc
sync

# measure CMD...: run CMD, print its wall time in microseconds and its
# peak RSS in KiB.
measure() {
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -v -o time.out "$@" >/dev/null 2>stderr.out || {
    echo "holes.sh: $* failed: $(cat stderr.out)" >&2
    exit 1
  }
  t1=$(date +%s%N)
  printf '%d %s\n' $(((t1 - t0) / 1000)) \
    "$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.out)"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# prepare HOW FILE: before a run: warm (read FILE into the page cache),
# cold (drop the page cache), copy (FILE written anew from FILE.ref, its
# zeros as zeros), prealloc (FILE preallocated anew), or none.
prepare() {
  case $1 in
    warm) cat "$2" >/dev/null ;;
    cold) drop_caches ;;
    copy) rm -f "$2"; cp --sparse=never "$2.ref" "$2"; sync ;;
    prealloc) rm -f "$2"; "$THEIRS" -l 1G "$2"; sync ;;
    none) ;;
  esac
}

printf '%-44s %9s %9s %6s %7s %9s %9s\n' case ours/s theirs/s ratio target \
  "ours RSS" "their RSS"

# bench NAME TARGET HOW FILE OURS-ARGS -- THEIRS-ARGS: RUNS alternating
# runs of both (THEIRS-ARGS empty: ours alone), FILE prepared by HOW
# before each run.
bench() {
  local name=$1 target=$2 how=$3 file=$4 i
  shift 4
  local ours=() theirs=()
  while [[ $1 != -- ]]; do ours+=("$1"); shift; done
  shift
  theirs=("$@")
  local ot=() orss=() tt=() trss=() t r
  for ((i = 0; i < RUNS; i++)); do
    for who in $( ((i % 2)) && echo theirs ours || echo ours theirs); do
      if [[ $who == ours ]]; then
        prepare "$how" "$file"
        read -r t r < <(measure "$OURS" "${ours[@]}" "$file")
        ot+=("$t"); orss+=("$r")
      elif ((${#theirs[@]})); then
        prepare "$how" "$file"
        read -r t r < <(measure "$THEIRS" "${theirs[@]}" "$file")
        tt+=("$t"); trss+=("$r")
      fi
    done
  done
  local om orm tm trm ratio
  om=$(printf '%s\n' "${ot[@]}" | median)
  orm=$(printf '%s\n' "${orss[@]}" | sort -n | tail -1)
  if ((${#tt[@]})); then
    tm=$(printf '%s\n' "${tt[@]}" | median)
    trm=$(printf '%s\n' "${trss[@]}" | sort -n | tail -1)
    ratio=$(awk -v a="$om" -v b="$tm" 'BEGIN { printf "%.2f", a / b }')
    printf '%-44s %9.3f %9.3f %6s %7s %6d KiB %6d KiB\n' "$name" \
      "$(awk -v a="$om" 'BEGIN { print a / 1e6 }')" \
      "$(awk -v a="$tm" 'BEGIN { print a / 1e6 }')" "$ratio" "$target" \
      "$orm" "$trm"
  else
    printf '%-44s %9.3f %9s %6s %7s %6d KiB %9s\n' "$name" \
      "$(awk -v a="$om" 'BEGIN { print a / 1e6 }')" - - "$target" "$orm" -
  fi
}

# cat FILE, timed as the read limit.
read_limit() {
  local name=$1 how=$2 file=$3 i ts=() t r
  for ((i = 0; i < RUNS; i++)); do
    prepare "$how" "$file"
    read -r t r < <(measure cat "$file")
    ts+=("$t")
  done
  printf '%-44s %9.3f\n' "$name" \
    "$(awk -v a="$(printf '%s\n' "${ts[@]}" | median)" 'BEGIN { print a / 1e6 }')"
}

read_limit "cat 1 GiB random, warm (read limit)" warm random
bench "scan 1 GiB random (-d, nothing), warm" "<= 0.8" warm random -d -- -d
bench "report 1 GiB random (-r), warm" "< cat" warm random -r --
if $root; then
  read_limit "cat 1 GiB random, cold (read limit)" cold random
  bench "scan 1 GiB random (-d, nothing), cold" "<= 1.0" cold random -d -- -d
fi
mv mib-mix mib-mix.ref
bench "dig 1 GiB of 1 MiB random/zeros" "<= 0.8" copy mib-mix -d -- -d
mv 4k-mix 4k-mix.ref
bench "dig 256 MiB of 4 KiB random/zeros" "<= 1.0" copy 4k-mix -d -- -d
bench "report 64 GiB sparse, 64 MiB data (-r)" - none sparse-64g -r --
bench "scan 64 GiB sparse, 64 MiB data (-d)" - none sparse-64g -d -- -d
bench "report 1 GiB preallocated (-r)" - none prealloc -r --
bench "dig 1 GiB preallocated (theirs frees none)" - prealloc prealloc -d -- -d
