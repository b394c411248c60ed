#!/bin/bash
# bench/fallback.sh -- time the zero-fill fallback of plain allocation on
# ext2 (where fallocate(2) answers EOPNOTSUPP) against util-linux's
# `fallocate -x` (glibc's posix_fallocate emulation, one byte per block)
# and against `dd if=/dev/zero bs=1M conv=fsync`.
#
# Usage (root): bench/fallback.sh [FALLOCATE]
#   FALLOCATE  the program to measure (default: $FALLOCATE, else
#              src/fallocate next to this script's directory)
# Environment:
#   RUNS=5       runs of each command (median reported; at least 3)
#   SIZE_MIB=1024  size of the file written (MiB)
#   IMAGE_MIB=3072 size of the sparse ext2 image
#   WORKDIR      where the image and mount point go (default: a new
#                directory under ${TMPDIR:-/var/tmp})
#   SYS_FALLOCATE=/usr/bin/fallocate
#
# Each run starts from a deleted file, `sync` and dropped caches; the
# three commands alternate (the order rotates from run to run).  Two
# times are taken per run: the command alone ("cmd"), and the command
# followed by `sync -f` on the filesystem ("durable"; all three fsync
# the file themselves, so the two should be close); "best" is the fastest
# durable run, the least disturbed by other load.  Peak RSS comes from
# /usr/bin/time.
# The image is always unmounted, detached and removed at the end.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OURS=${1:-${FALLOCATE:-$here/../src/fallocate}}
SYS_FALLOCATE=${SYS_FALLOCATE:-/usr/bin/fallocate}
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-1024}
IMAGE_MIB=${IMAGE_MIB:-3072}

die() { echo "fallback.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (loop mount, drop_caches)"
[[ -x $OURS ]] || die "not an executable: $OURS"
[[ -x $SYS_FALLOCATE ]] || die "not an executable: $SYS_FALLOCATE"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package 'time')"
command -v mkfs.ext2 >/dev/null || die "mkfs.ext2 is missing (e2fsprogs)"
((RUNS >= 3)) || die "RUNS must be at least 3"
OURS=$(cd "$(dirname "$OURS")" && pwd)/$(basename "$OURS")

WORKDIR=${WORKDIR:-$(mktemp -d "${TMPDIR:-/var/tmp}/fallback-bench.XXXXXX")}
IMG=$WORKDIR/ext2.img
MNT=$WORKDIR/mnt
DEV=

cleanup() {
  local rc=$?
  set +e
  if mountpoint -q "$MNT" 2>/dev/null; then
    umount "$MNT" 2>/dev/null || { sync; sleep 1; umount "$MNT" || umount -l "$MNT"; }
  fi
  if [[ -n $DEV ]] && losetup -j "$IMG" -O NAME -n 2>/dev/null | grep -qx "$DEV"; then
    losetup -d "$DEV"
  fi
  rm -f "$IMG"
  rmdir "$MNT" "$WORKDIR" 2>/dev/null
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$MNT"
truncate -s "${IMAGE_MIB}M" "$IMG"
mkfs.ext2 -q -F -b 4096 -E nodiscard "$IMG"
DEV=$(losetup -f --show "$IMG")
mount -t ext2 "$DEV" "$MNT"
F=$MNT/bench.img
SIZE=$((SIZE_MIB * 1048576))

# The premise: the kernel refuses fallocate(2) here, so ours falls back.
"$OURS" -v -l 1M "$F" | grep -q 'zeros written' ||
  die "$OURS did not use the zero-fill fallback on ext2"
rm -f "$F"

fresh() {
  rm -f "$F"
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

now() { date +%s.%N; }

# measure NAME CMD...: one run; appends "cmd durable rss_kib" to
# $WORKDIR/NAME.times.
measure() {
  local name=$1 t0 t1 t2 rss
  shift
  fresh
  t0=$(now)
  /usr/bin/time -f '%M' -o "$WORKDIR/rss" "$@" >/dev/null
  t1=$(now)
  sync -f "$MNT"
  t2=$(now)
  rss=$(tail -n 1 "$WORKDIR/rss")
  # Sanity: the file has its size and its blocks.
  local size blocks
  size=$(stat -c %s "$F")
  blocks=$(stat -c '%b * %B' "$F")
  ((size == SIZE)) || die "$name: size $size, expected $SIZE"
  ((blocks >= SIZE)) || die "$name: only $((blocks)) bytes allocated"
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v r="$rss" \
    'BEGIN { printf "%.3f %.3f %s\n", b - a, c - a, r }' >>"$WORKDIR/$name.times"
}

run_ours() { measure ours "$OURS" -l "${SIZE_MIB}MiB" "$F"; }
run_util() { measure util-linux "$SYS_FALLOCATE" -x -l "${SIZE_MIB}MiB" "$F"; }
run_dd() { measure dd dd if=/dev/zero of="$F" bs=1M count="$SIZE_MIB" conv=fsync status=none; }

rm -f "$WORKDIR"/*.times
order=(run_ours run_util run_dd)
for ((i = 0; i < RUNS; i++)); do
  for ((j = 0; j < 3; j++)); do
    "${order[(i + j) % 3]}"
  done
  printf 'run %d/%d done\n' $((i + 1)) "$RUNS" >&2
done
fresh

# median COLUMN FILE
median() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '
    { v[NR] = $1 }
    END { if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
          else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }

echo
echo "Zero-fill fallback benchmark: ${SIZE_MIB} MiB on ext2 (loop, ${IMAGE_MIB} MiB sparse image), $(uname -r)"
echo "median of $RUNS runs; caches dropped before each run"
printf '%-34s %10s %12s %10s %14s\n' command "cmd (s)" "durable (s)" "best (s)" "peak RSS (KiB)"
declare -A CMD DUR BEST RSS
labels=([0]="ours: fallocate -l ${SIZE_MIB}MiB" [1]="util-linux: fallocate -x" [2]="dd bs=1M conv=fsync")
names=(ours util-linux dd)
for i in 0 1 2; do
  name=${names[i]}
  CMD[$name]=$(median 1 "$WORKDIR/$name.times")
  DUR[$name]=$(median 2 "$WORKDIR/$name.times")
  BEST[$name]=$(awk 'NR == 1 || $2 < m { m = $2 } END { printf "%.3f\n", m }' "$WORKDIR/$name.times")
  RSS[$name]=$(awk '$3 > m { m = $3 } END { print m }' "$WORKDIR/$name.times")
  printf '%-34s %10s %12s %10s %14s\n' "${labels[i]}" "${CMD[$name]}" "${DUR[$name]}" \
    "${BEST[$name]}" "${RSS[$name]}"
done
echo
printf 'ratio ours/util-linux: %s (cmd), %s (durable), %s (best)   target <= 0.5\n' \
  "$(ratio "${CMD[ours]}" "${CMD[util-linux]}")" "$(ratio "${DUR[ours]}" "${DUR[util-linux]}")" \
  "$(ratio "${BEST[ours]}" "${BEST[util-linux]}")"
printf 'ratio ours/dd:         %s (cmd), %s (durable), %s (best)   target close to 1\n' \
  "$(ratio "${CMD[ours]}" "${CMD[dd]}")" "$(ratio "${DUR[ours]}" "${DUR[dd]}")" \
  "$(ratio "${BEST[ours]}" "${BEST[dd]}")"
echo
echo "all runs (cmd durable rss):"
for name in ours util-linux dd; do
  printf '  %-11s %s\n' "$name" "$(awk '{ printf "%.2f/%.2f/%s  ", $1, $2, $3 }' "$WORKDIR/$name.times")"
done
rm -f "$WORKDIR"/*.times "$WORKDIR/rss"
