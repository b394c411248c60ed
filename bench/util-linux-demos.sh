#!/bin/bash
# bench/util-linux-demos.sh -- show what util-linux's fallocate(1) gets
# wrong, which this program does right.  The tests test this program only;
# these are the demonstrations of the other one that they used to carry.
#
# Usage (root): bench/util-linux-demos.sh
# Environment:
#   SYS_FALLOCATE=/usr/bin/fallocate  the util-linux program shown
#   TRIALS=6     trials of the racing-writer demonstration
#   WORKDIR      where the images and mount points go (default: a new
#                directory under ${TMPDIR:-/var/tmp})
#
# It makes a 64 MiB ext4 (to fill up), a 256 MiB ext4 and a ramfs, each
# in WORKDIR, and prints one paragraph per demonstration:
#   1. on a full ext4, a failed allocation leaves its partial allocation
#      behind (ours removes the file it created, or restores the old one);
#   2. -d loses what a writer puts into a run of zeros between util-linux's
#      read of it and its punch (ours holds a write lease: none lost);
#   3. -d reads data 4 KiB per pread(2) (ours: 1 MiB);
#   4. -d keeps preallocated (unwritten) space allocated (ours frees it);
#   5. -d on ramfs, which cannot punch, reads the whole file before it
#      fails (ours fails before reading).
# A demonstration that does not show what it should says so; the script
# still exits 0 (a different util-linux may behave better).  Everything
# is always unmounted, detached and removed at the end.

set -euo pipefail

SYS_FALLOCATE=${SYS_FALLOCATE:-/usr/bin/fallocate}
TRIALS=${TRIALS:-6}
MiB=1048576

die() { echo "util-linux-demos.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (loop mounts, drop_caches)"
[[ -x $SYS_FALLOCATE ]] || die "not an executable: $SYS_FALLOCATE"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 is missing (e2fsprogs)"
command -v strace >/dev/null || die "strace is missing"
command -v perl >/dev/null || die "perl is missing"

WORKDIR=${WORKDIR:-$(mktemp -d "${TMPDIR:-/var/tmp}/util-linux-demos.XXXXXX")}
MOUNTS=()
DEVS=()

cleanup() {
  local rc=$? m d
  set +e
  for m in "${MOUNTS[@]}"; do
    if mountpoint -q "$m" 2>/dev/null; then
      umount "$m" 2>/dev/null || { sync; sleep 1; umount "$m" || umount -l "$m"; }
    fi
  done
  for d in "${DEVS[@]}"; do
    losetup -d "$d"
  done
  rm -rf -- "$WORKDIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ext4_mount NAME MIB: make a MIB MiB ext4 in WORKDIR, mount it on
# WORKDIR/NAME and print the mount point.
ext4_mount() {
  local img=$WORKDIR/$1.img mnt=$WORKDIR/$1 dev
  mkdir -p "$mnt"
  truncate -s "${2}M" "$img"
  mkfs.ext4 -q -F -b 4096 -E nodiscard "$img"
  dev=$(losetup -f --show "$img")
  DEVS+=("$dev")
  mount -t ext4 "$dev" "$mnt"
  MOUNTS+=("$mnt")
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# count_preads F COMMAND...: how many times COMMAND calls pread64 on F.
count_preads() {
  local f=$1 log=$WORKDIR/strace.log
  shift
  strace -qq -e trace=pread64 -P "$f" -o "$log" "$@" >/dev/null 2>&1 || true
  grep -c 'pread64(' "$log" || true
}

alloc_bytes() { echo $(($(stat -c '%b * %B' -- "$1"))); }

ext4_mount small 64
ext4_mount big 256
mkdir -p "$WORKDIR/ramfs"
mount -t ramfs ramfs "$WORKDIR/ramfs"
MOUNTS+=("$WORKDIR/ramfs")
SMALL=$WORKDIR/small BIG=$WORKDIR/big RAMFS=$WORKDIR/ramfs

echo "util-linux: $("$SYS_FALLOCATE" --version)"
echo

# 1. A partial allocation left behind.
f=$SMALL/partial
rc=0
"$SYS_FALLOCATE" -l 100M "$f" 2>/dev/null || rc=$?
echo "1. fallocate -l 100M on a 64 MiB ext4: exit status $rc"
if [[ -e $f ]]; then
  echo "   the file is left behind, with $(alloc_bytes "$f") bytes allocated" \
       "($(df -B1 --output=avail "$SMALL" | tail -n 1 | tr -d ' ') bytes free)"
else
  echo "   (not shown: the file is gone)"
fi
rm -f "$f"
echo

# 2. A racing writer loses data.  race F: make F 4 MiB of data and 28 MiB
# of written zeros, and a copy REF; once util-linux's -d on F has read
# 6 MiB, write 16 random 4 KiB blocks into [4 MiB, 5 MiB) of F and of
# REF; tell whether F ends up as REF.
race() {
  local f=$1 ref=$1.ref pidfile=$WORKDIR/pid writer
  rm -f "$f" "$ref" "$pidfile"
  head -c $((4 * MiB)) /dev/urandom >"$f"
  head -c $((28 * MiB)) /dev/zero >>"$f"
  sync "$f"
  cp "$f" "$ref"
  drop_caches
  perl -e '
    use Fcntl qw(SEEK_SET);
    my ($file, $ref, $pidfile, $after, $from, $span) = @ARGV;
    my $pid;
    for (1 .. 20000) {
      if (open (my $p, "<", $pidfile)) { $pid = <$p>; last if $pid; }
      select (undef, undef, undef, 0.0002);
    }
    chomp $pid;
    for (1 .. 20000) {
      open (my $io, "<", "/proc/$pid/io") or last;
      my ($read) = join ("", <$io>) =~ /rchar: (\d+)/;
      last if $read >= $after;
      select (undef, undef, undef, 0.0002);
    }
    open (my $f, "+<", $file) or die "$file: $!";
    open (my $r, "+<", $ref) or die "$ref: $!";
    for (1 .. 16) {
      my $at = $from + int (rand ($span / 4096)) * 4096;
      my $block = pack ("N", int (rand (2**32)) | 1) x 1024;
      for my $h ($f, $r) {
        sysseek ($h, $at, SEEK_SET) or die;
        syswrite ($h, $block) == 4096 or die;
      }
    }' "$f" "$ref" "$pidfile" $((6 * MiB)) $((4 * MiB)) $MiB &
  writer=$!
  timeout 120 bash -c 'echo $$ >"$2"; exec "$0" -d "$1"' "$SYS_FALLOCATE" "$f" "$pidfile" || true
  wait "$writer"
  cmp -s "$f" "$ref"
}
lost=0
for ((trial = 1; trial <= TRIALS; trial++)); do
  race "$BIG/race" || lost=$((lost + 1))
done
rm -f "$BIG/race" "$BIG/race.ref"
echo "2. fallocate -d while another process writes into the zeros it scanned:"
echo "   writes lost in $lost of $TRIALS trials"
echo

# 3. 4 KiB per pread.
f=$BIG/data
head -c $((8 * MiB)) /dev/urandom >"$f"
sync "$f"
drop_caches
echo "3. fallocate -d on 8 MiB of data: $(count_preads "$f" "$SYS_FALLOCATE" -d "$f") pread64 calls" \
     "(8 if it read 1 MiB per call)"
rm -f "$f"
echo

# 4. Preallocated space kept.
f=$BIG/prealloc
"$SYS_FALLOCATE" -l 40M "$f"
before=$(alloc_bytes "$f")
"$SYS_FALLOCATE" -d "$f"
echo "4. fallocate -d on 40 MiB of preallocated space: $before bytes allocated" \
     "before, $(alloc_bytes "$f") after"
rm -f "$f"
echo

# 5. ramfs: read everything, then fail.
f=$RAMFS/mix
head -c $MiB /dev/urandom >"$f"
head -c $((3 * MiB)) /dev/zero >>"$f"
echo "5. fallocate -d on 4 MiB in ramfs, which cannot punch holes:" \
     "$(count_preads "$f" "$SYS_FALLOCATE" -d "$f") pread64 calls before it fails"
rm -f "$f"
