#!/usr/bin/env bash
# Benchmark of --dig-holes and --report-holes on fragmented files.
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench/fragmented.sh [DIR]
#
# Makes a sparse ext4 image in a fresh directory under DIR (default:
# $TMPDIR or /var/tmp), mounts it on a loop device and builds in it:
#   data      FRAG_MIB (800) MiB of 4 KiB blocks of non-zero data, each
#             followed by a 4 KiB hole (102,400 data extents);
#   zeros     the same with the data blocks written as zeros (-d punches
#             them all);
#   unwritten 4 KiB of non-zero data alternating with 4 KiB unwritten
#             (preallocated) extents;
#   sparse    64 GiB with 64 MiB of data, 1 MiB at the start of each GiB.
# For each, -r and -d, warm (the file read into the page cache first) and
# cold (sync; echo 3 >/proc/sys/vm/drop_caches first), each run of -d on
# a fresh file made the same way: ours (OURS, default src/fallocate of
# the build directory this is run from), util-linux's (THEIRS, default
# /usr/bin/fallocate; left out for -r where it has no --report-holes)
# and `cat FILE >/dev/null` (not of the sparse file: 64 GiB of zeros),
# RUNS times each (default 3, at least 3),
# interleaved, the order turned each run.  BEFORE (a path) adds another
# build of ours to the same runs, for a before/after comparison.  It prints the median wall
# times and the ratios ours/util-linux (target <= 0.8) and ours/cat
# (target for cold runs <= 1.2).  The mount, the loop device and the
# directory are removed when it ends, even on failure or Ctrl-C.  Needs
# root, e2fsprogs and python3.  Not part of `make check`.

set -euo pipefail

: "${OURS:=$PWD/src/fallocate}"
: "${THEIRS:=/usr/bin/fallocate}"
: "${RUNS:=3}"
: "${FRAG_MIB:=800}"
: "${BEFORE:=}"
((RUNS >= 3)) || RUNS=3

for tool in "$OURS" "$THEIRS" ${BEFORE:+"$BEFORE"}; do
  [[ -x $tool ]] || { echo "fragmented.sh: $tool is not an executable" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "fragmented.sh: needs root" >&2; exit 1; }

parent=${1:-${TMPDIR:-/var/tmp}}
work=$(mktemp -d "$parent/bench-frag.XXXXXX")
mnt=$work/mnt
loop=
cleanup() {
  cd /
  mountpoint -q "$mnt" && umount "$mnt"
  [[ -n $loop ]] && losetup -d "$loop"
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

truncate -s $((4 * FRAG_MIB + 1024))M "$work/image"
mkfs.ext4 -q -F -b 4096 -E nodiscard "$work/image"
# Direct I/O: the loop device does not cache the image a second time,
# and cold reads reach the disk.
loop=$(losetup -f --show --direct-io=on "$work/image")
mkdir "$mnt"
mount "$loop" "$mnt"
cd "$mnt"

theirs_r=false
"$THEIRS" --help | grep -q -- --report-holes && theirs_r=true

# The test suite (tests/helpers/common.bash) drops the page cache only
# while it holds an exclusive lock on /proc/sys/vm/drop_caches: a warm run
# holds a shared one from the warming to the end of the timed command,
# so that tests running meanwhile do not make it cold; the bench takes
# the exclusive one to drop the cache itself.
exec {cache_lock}>>/proc/sys/vm/drop_caches
drop_caches() {
  sync
  flock -x -w 600 "$cache_lock"
  echo 3 >/proc/sys/vm/drop_caches
  flock -u "$cache_lock"
}

# warm KIND FILE: read FILE's data into the page cache (of the sparse
# file only its data: cat would read 64 GiB of zeros).
warm() {
  if [[ $1 == sparse ]]; then
    for i in $(seq 0 63); do
      dd if="$2" of=/dev/null bs=1M skip=$((i * 1024)) count=1 status=none
    done
  else
    cat "$2" >/dev/null
  fi
}

# make KIND FILE: build FILE of layout KIND (see above) and sync it.
make_file() {
  rm -f -- "$2"
  python3 - "$1" "$2" "$FRAG_MIB" <<'EOF'
import os, sys
kind, name, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
blk = 4096
pool = os.urandom(1 << 20).replace(b"\0", b"\1")
fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
if kind == "sparse":
    os.ftruncate(fd, 64 << 30)
    for i in range(64):
        os.pwrite(fd, pool, i << 30)
else:
    n = (mib << 20) // (2 * blk)
    zero = bytes(blk)
    for i in range(n):
        off = i * 2 * blk
        if kind == "zeros":
            os.pwrite(fd, zero, off)
        else:
            j = (i % 256) * blk
            os.pwrite(fd, pool[j:j + blk], off)
    os.ftruncate(fd, n * 2 * blk)
    if kind == "unwritten":
        for i in range(n):
            os.posix_fallocate(fd, i * 2 * blk + blk, blk)
os.fsync(fd)
os.close(fd)
EOF
}

# time_us CMD...: run CMD with its output discarded; print its wall time
# in microseconds.
time_us() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>err.out || {
    echo "fragmented.sh: $* failed: $(cat err.out)" >&2
    exit 1
  }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000))
}

# The median of the numbers on standard input (none: "-"), their time
# in seconds, their ratio ("-" if either is).
median() {
  { grep . || true; } | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}
secs() { [[ $1 == - ]] && echo - || awk -v a="$1" 'BEGIN { printf "%.3f", a / 1e6 }'; }
ratio() {
  [[ $1 == - || $2 == - ]] && echo - ||
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

printf '%-20s %8s %8s %8s %8s %9s %9s %9s %9s\n' case ours/s util/s cat/s \
  before/s ours/util ours/cat bef/util bef/cat

# bench KIND OP TEMP: RUNS interleaved runs of ours, util-linux's (if it
# has OP) and cat on a file of layout KIND, TEMP warm or cold.
bench() {
  local kind=$1 op=$2 temp=$3 i who
  local file=$kind.f
  local -a order=(ours) ot=() tt=() ct=() bt=()
  [[ $op == -d ]] || $theirs_r && order+=(theirs)
  [[ $kind == sparse ]] || order+=(cat)
  [[ -z $BEFORE ]] || order+=(before)
  [[ -e $file ]] || make_file "$kind" "$file"
  for ((i = 0; i < RUNS; i++)); do
    local -a turn=("${order[@]:i % ${#order[@]}}" "${order[@]:0:i % ${#order[@]}}")
    for who in "${turn[@]}"; do
      [[ $op == -d && $who != cat ]] && make_file "$kind" "$file"
      if [[ $temp == warm ]]; then
        flock -s -w 600 "$cache_lock"
        warm "$kind" "$file"
      else
        drop_caches
      fi
      case $who in
        ours) ot+=("$(time_us "$OURS" "$op" "$file")") ;;
        theirs) tt+=("$(time_us "$THEIRS" "$op" "$file")") ;;
        cat) ct+=("$(time_us cat "$file")") ;;
        before) bt+=("$(time_us "$BEFORE" "$op" "$file")") ;;
      esac
      flock -u "$cache_lock"
    done
  done
  local om tm cm bm
  om=$(printf '%s\n' "${ot[@]}" | median)
  tm=$(printf '%s\n' "${tt[@]}" | median)
  cm=$(printf '%s\n' "${ct[@]}" | median)
  bm=$(printf '%s\n' "${bt[@]}" | median)
  printf '%-20s %8s %8s %8s %8s %9s %9s %9s %9s\n' "$kind $op $temp" \
    "$(secs "$om")" "$(secs "$tm")" "$(secs "$cm")" "$(secs "$bm")" \
    "$(ratio "$om" "$tm")" "$(ratio "$om" "$cm")" \
    "$(ratio "$bm" "$tm")" "$(ratio "$bm" "$cm")"
}

for kind in data zeros unwritten sparse; do
  for op in -r -d; do
    for temp in warm cold; do
      bench "$kind" "$op" "$temp"
    done
  done
  rm -f -- "$kind.f"
done
