# Shared helpers for the bats test files.  -*- shell-script -*-
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every test file starts with
#     load "$TESTS_SRCDIR/helpers/common"
# The harness (Makefile.am) exports:
#     FALLOCATE        absolute path of the built src/fallocate (the program under test)
#     TESTS_SRCDIR     absolute path of the source tree's tests/ directory
#     PACKAGE_VERSION  the package version (for --version)
# Tests always run "$FALLOCATE", never a PATH lookup.  The system's
# util-linux fallocate is available as "$SYS_FALLOCATE" as a reference
# and as a tool to build file layouts.
#
# Filesystems: a test file that needs real filesystems calls
#     setup_file()    { fs_setup_file ext4 xfs btrfs ext2 tmpfs; }
#     teardown_file() { fs_teardown_file; }
# and each test that uses one starts with `require_fs FS` and works under
# "$(fs_dir FS)".  Everything lives in $BATS_FILE_TMPDIR, so test files
# can run in parallel (make check -j).

: "${TESTS_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${FALLOCATE:=$TESTS_SRCDIR/../src/fallocate}"
: "${SYS_FALLOCATE:=/usr/bin/fallocate}"
export TESTS_SRCDIR FALLOCATE SYS_FALLOCATE

# Messages are checked in the C locale (GNU quoting is 'x' there; a UTF-8
# locale would give curly quotes).
export LC_ALL=C
unset LANGUAGE

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
load /usr/lib/bats/bats-file/load

# `run --separate-stderr` and `run -N` need bats 1.5.
bats_require_minimum_version 1.5.0

# Image sizes in MiB (sparse files; xfs needs 300 MiB, btrfs about 120).
declare -gA FS_IMAGE_MIB=([ext4]=128 [ext2]=128 [xfs]=300 [btrfs]=256 [tmpfs]=300 [ramfs]=0)

# A test file may set up a filesystem of its own under a name of its own
# (before fs_setup_file, in setup_file):
#     FS_KIND[NAME]=TYPE        the filesystem type (ext4 ext2 xfs btrfs)
#     FS_MKFS_OPTS[NAME]=OPTS   extra mkfs options (split on spaces)
#     FS_IMAGE_MIB[NAME]=MIB    the image size
# and then uses NAME like any other: fs_setup_file NAME, require_fs NAME,
# fs_dir NAME, tdir NAME.  A name without FS_KIND is its own type.
declare -gA FS_KIND=() FS_MKFS_OPTS=()

# Sizes the tests use everywhere.
MiB=1048576
K256=262144

# is_root: true when running as root (needed for mounts and drop_caches).
is_root() { [[ $(id -u) -eq 0 ]]; }

# in_ci: true when CI=true; then a skipped filesystem test is a failure.
in_ci() { [[ ${CI:-} == true ]]; }

# ci_skip REASON: skip the current test with REASON, but fail it when
# CI=true (CI must run every test).
ci_skip() {
  if in_ci; then
    fail "CI=true, so this may not be skipped: $*"
    return 1
  fi
  skip "$*"
}

# _fs_state_dir: where fs_setup_file records what it set up.
_fs_state_dir() { printf '%s\n' "$BATS_FILE_TMPDIR/fs-state"; }

# _fs_kind FS: the filesystem type of FS (FS_KIND, else FS itself).
_fs_kind() { printf '%s\n' "${FS_KIND[$1]:-$1}"; }

# _fs_mkfs FS IMAGE: make filesystem FS (its type, with its FS_MKFS_OPTS)
# on the file or device IMAGE.
_fs_mkfs() {
  local opts
  read -r -a opts <<<"${FS_MKFS_OPTS[$1]:-}"
  case $(_fs_kind "$1") in
    ext4) mkfs.ext4 -q -F -b 4096 -E nodiscard "${opts[@]}" "$2" ;;
    ext2) mkfs.ext2 -q -F -b 4096 -E nodiscard "${opts[@]}" "$2" ;;
    xfs) mkfs.xfs -q -f -K "${opts[@]}" "$2" ;;
    btrfs) mkfs.btrfs -q -f -K "${opts[@]}" "$2" ;;
    *) echo "unknown filesystem '$1'" >&2; return 1 ;;
  esac
}

# _losetup_retry IMAGE: attach IMAGE to a free loop device and print it;
# retries when a parallel test grabbed the same device first.
_losetup_retry() {
  local dev try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    if dev=$(losetup -f --show "$1" 2>/dev/null); then
      printf '%s\n' "$dev"
      return 0
    fi
    sleep 0.2
  done
  losetup -f --show "$1"
}

# fs_setup_file FS...: call in setup_file.  For each FS (ext4 xfs btrfs
# ext2 tmpfs, and ramfs, or a name of the file's own: FS_KIND) make a sparse image in $BATS_FILE_TMPDIR, mkfs it,
# attach it to a loop device and mount it on $BATS_FILE_TMPDIR/mnt/FS
# (tmpfs: mount -t tmpfs -o size=300m; ramfs, a filesystem without any
# fallocate(2) support, has no size limit: keep its files tiny).  Each step is recorded as soon as it is
# done, so fs_teardown_file undoes exactly what was done, even when a
# later step failed.  When not root, or when a step fails, FS is recorded
# as unavailable with the reason (require_fs then skips, or fails in CI);
# setup_file itself never fails because of this.
fs_setup_file() {
  local state fs kind img dev mnt reason
  state=$(_fs_state_dir)
  mkdir -p "$state"
  for fs in "$@"; do
    mnt=$BATS_FILE_TMPDIR/mnt/$fs
    img=$BATS_FILE_TMPDIR/img.$fs
    kind=$(_fs_kind "$fs")
    if ! is_root; then
      echo "needs root to mount $kind" >"$state/$fs.unavailable"
      continue
    fi
    mkdir -p "$mnt"
    printf '%s\n' "$mnt" >"$state/$fs.mnt"
    if [[ $kind == tmpfs ]]; then
      if ! reason=$(mount -t tmpfs -o "size=${FS_IMAGE_MIB[$fs]}m" tmpfs "$mnt" 2>&1); then
        echo "cannot mount tmpfs: $reason" >"$state/$fs.unavailable"
        continue
      fi
    elif [[ $kind == ramfs ]]; then
      if ! reason=$(mount -t ramfs ramfs "$mnt" 2>&1); then
        echo "cannot mount ramfs: $reason" >"$state/$fs.unavailable"
        continue
      fi
    else
      if ! command -v "mkfs.$kind" >/dev/null 2>&1; then
        echo "mkfs.$kind is not installed" >"$state/$fs.unavailable"
        continue
      fi
      printf '%s\n' "$img" >"$state/$fs.img"
      truncate -s "${FS_IMAGE_MIB[$fs]}M" "$img"
      if ! reason=$(_fs_mkfs "$fs" "$img" 2>&1); then
        echo "mkfs.$kind${FS_MKFS_OPTS[$fs]:+ ${FS_MKFS_OPTS[$fs]}} failed: $reason" >"$state/$fs.unavailable"
        continue
      fi
      if ! dev=$(_losetup_retry "$img" 2>&1); then
        echo "losetup failed: $dev" >"$state/$fs.unavailable"
        continue
      fi
      printf '%s\n' "$dev" >"$state/$fs.dev"
      if ! reason=$(mount -t "$kind" "$dev" "$mnt" 2>&1); then
        echo "mount $kind failed: $reason" >"$state/$fs.unavailable"
        continue
      fi
    fi
    chmod 1777 "$mnt"
    touch "$state/$fs.mounted"
  done
}

# fs_teardown_file: call in teardown_file.  Unmounts (lazily if a plain
# unmount fails), detaches the loop devices and removes the images of
# everything fs_setup_file recorded.  Never fails on a step that is
# already undone; returns non-zero only if something could not be undone.
fs_teardown_file() {
  local state f fs mnt dev img rc=0
  state=$(_fs_state_dir)
  [[ -d $state ]] || return 0
  for f in "$state"/*.mnt; do
    [[ -e $f ]] || continue
    fs=$(basename "$f" .mnt)
    mnt=$(<"$f")
    if mountpoint -q "$mnt"; then
      umount "$mnt" 2>/dev/null || {
        sync; sleep 0.5
        umount "$mnt" 2>/dev/null || umount -l "$mnt" || rc=1
      }
    fi
    if [[ -e $state/$fs.dev ]]; then
      dev=$(<"$state/$fs.dev")
      img=$(<"$state/$fs.img")
      # Detach only if the device still holds our image.
      if losetup -j "$img" -O NAME -n 2>/dev/null | grep -qx "$dev"; then
        losetup -d "$dev" || rc=1
      fi
    fi
    if [[ -e $state/$fs.img ]]; then
      img=$(<"$state/$fs.img")
      rm -f "$img"
    fi
    rm -f "$state/$fs".*
  done
  return "$rc"
}

# fs_test_cleanup: call in teardown.  Removes, from every filesystem this
# file mounted, what the current test made under the names the tests use:
# "$BATS_TEST_NUMBER" and "$BATS_TEST_NUMBER-*".  Keeps the small images
# from filling up over a file's tests.
fs_test_cleanup() {
  local f mnt
  for f in "$(_fs_state_dir)"/*.mounted; do
    [[ -e $f ]] || continue
    mnt=$(fs_dir "$(basename "$f" .mounted)")
    rm -rf -- "${mnt:?}/$BATS_TEST_NUMBER" "$mnt/$BATS_TEST_NUMBER"-*
  done
}

# fs_dir FS: print the mount point of FS (set up by fs_setup_file).
fs_dir() { printf '%s\n' "$BATS_FILE_TMPDIR/mnt/$1"; }

# tdir FS: make and print this test's directory on FS ("$BATS_TEST_NUMBER"
# under its mount point; fs_test_cleanup removes it).
tdir() {
  local d
  d=$(fs_dir "$1")/$BATS_TEST_NUMBER
  mkdir -p "$d"
  printf '%s\n' "$d"
}

# new_file FS [NAME]: print a fresh path in FS's mount for this test
# ("$BATS_TEST_NUMBER-NAME", default NAME f; removed if present).
new_file() {
  local p
  p=$(fs_dir "$1")/$BATS_TEST_NUMBER-${2:-f}
  rm -f "$p"
  printf '%s\n' "$p"
}

# has_fiemap FS|FILE: whether FIEMAP tells extents apart (unwritten from
# data) on the filesystem named FS (fs_setup_file's name), or on that of
# FILE (a path): everywhere but on tmpfs.
has_fiemap() {
  if [[ $1 == */* ]]; then
    [[ $(fs_type "$(dirname "$1")") != tmpfs ]]
  else
    [[ $(_fs_kind "$1") != tmpfs ]]
  fi
}

# fs_available FS: true when FS was set up and is mounted.
fs_available() {
  [[ -e $(_fs_state_dir)/$1.mounted ]] && mountpoint -q "$(fs_dir "$1")"
}

# require_fs FS...: first line of a test that needs FS.  If FS is not
# available: skip with the reason ("needs root to mount FS"), or fail
# the test when CI=true.
require_fs() {
  local fs reason
  for fs in "$@"; do
    fs_available "$fs" && continue
    reason=$(cat "$(_fs_state_dir)/$fs.unavailable" 2>/dev/null) ||
      reason="$fs was not set up (missing fs_setup_file $fs in setup_file?)"
    ci_skip "$reason"
  done
}

# require_root: skip (fail in CI) unless root.
require_root() {
  is_root || ci_skip "needs root"
}

# The page cache is shared by everything on the machine, including the
# test files that run in parallel: one file's drop_caches would spoil
# another's measurement of what is cached (advise.bats).  So dropping takes
# an exclusive flock(2) on /proc/sys/vm/drop_caches itself (the same lock
# object for every test tree, distcheck's too), and cache_lock holds that
# lock for a whole test.  Root only, like dropping.
_CACHE_LOCK_FILE=/proc/sys/vm/drop_caches

# drop_caches: write everything out and, when root, drop the page cache,
# dentries and inodes, so what follows reads the on-disk state.  Waits
# while another test holds cache_lock.
drop_caches() {
  sync
  is_root || return 0
  if [[ -n ${_CACHE_LOCK_FD:-} ]]; then
    echo 3 >/proc/sys/vm/drop_caches
  else
    local fd
    exec {fd}>>"$_CACHE_LOCK_FILE"
    if ! flock -x -w 600 "$fd"; then
      exec {fd}>&-
      fail "drop_caches: another test held the page-cache lock for 600 s"
      return 1
    fi
    echo 3 >/proc/sys/vm/drop_caches
    exec {fd}>&-
  fi
}

# cache_lock: call in setup of a test that measures the page cache (with
# fincore): no test calls drop_caches until cache_unlock (in teardown).
cache_lock() {
  is_root || return 0
  exec {_CACHE_LOCK_FD}>>"$_CACHE_LOCK_FILE"
  flock -x -w 600 "$_CACHE_LOCK_FD" ||
    fail "cache_lock: another test held the page-cache lock for 600 s"
}

# cache_unlock: call in teardown after cache_lock.
cache_unlock() {
  if [[ -n ${_CACHE_LOCK_FD:-} ]]; then
    exec {_CACHE_LOCK_FD}>&-
    unset _CACHE_LOCK_FD
  fi
}

# resident F: bytes of F in the page cache.
resident() { fincore --bytes --noheadings --output RES -- "$1" | tr -d ' '; }

# Another process may drop the whole page cache at any moment (a global
# drop_caches; cache_lock keeps this suite's own files from doing it, not
# everything else on the machine).  That can only take pages away that a
# check expects to be there.  So each measurement is a "try" function that
# returns 0 when all it saw was right (else sets WHY), and `tries` runs it
# up to 5 times: an outside drop spoils one try, a bug spoils all of them.
tries() {
  local i
  WHY=
  for i in 1 2 3 4 5; do
    "$@" && return 0
  done
  fail "wrong in 5 tries out of 5; the last: $WHY"
}

# expect_resident F N: F has N bytes in the page cache, else WHY is set.
expect_resident() {
  local r
  r=$(resident "$1")
  [[ $r == "$2" ]] && return 0
  WHY="$1: $r bytes resident, expected $2${3:+ ($3)}"
  return 1
}

# cache_head F MIB: make the first MIB MiB of F, and nothing else of it,
# resident in the page cache: drop it all, read it all, then drop the
# rest (read with dd's nocache, which drops what it read: a plain read of
# the head would bring in readahead beyond it).  With "keep" as third
# argument, only drop the rest.
cache_head() {
  local size
  size=$(file_size "$1")
  [[ ${3:-} == keep ]] || drop_caches
  ((${2} == 0)) && return 0
  [[ ${3:-} == keep ]] || cat -- "$1" >/dev/null
  if (($2 * MiB < size)); then
    dd if="$1" of=/dev/null bs=1M skip="$2" count=$(((size - $2 * MiB) / MiB)) \
       iflag=nocache status=none
  fi
}

# loads F N [SECONDS]: readahead completes asynchronously: wait (up to
# SECONDS, 10 by default) until N bytes of F are resident, else WHY is set.
loads() {
  local i secs=${3:-10}
  for ((i = 0; i < secs * 10; i++)); do
    [[ $(resident "$1") == "$2" ]] && return 0
    sleep 0.1
  done
  expect_resident "$1" "$2" "$secs s after the advice"
}

# advise ARGS...: run the program; fine if it exits 0 without output.
advise() {
  run --separate-stderr "$FALLOCATE" "$@"
  ((status == 0)) && [[ -z $output && -z $stderr ]] && return 0
  WHY="fallocate $* exited $status: $output $stderr"
  return 1
}


# sha F: sha256 of the whole of F.
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# avail DIR: free bytes of DIR's filesystem for unprivileged files, once
# everything is written out.
avail() {
  sync -f "$1"
  df -B1 --output=avail -- "$1" | tail -n 1 | tr -d ' '
}

# assert_avail_near DIR BEFORE: free space of DIR within 1 MiB of BEFORE.
assert_avail_near() {
  local now d
  now=$(avail "$1")
  d=$((now - $2))
  ((d < 0)) && d=$((-d))
  ((d <= MiB)) || fail "free space of $1: $2 before, $now after (off by $d bytes)"
}

# evict F: write F out and drop its pages from the page cache, so that
# what is read next comes from the disk.  (Only F's pages: a global
# drop_caches would disturb page cache tests running in parallel.)
evict() {
  sync -- "$1"
  dd if="$1" iflag=nocache count=0 status=none
}

# make_4k_mix F MIB: F of MIB MiB, alternating 4 KiB of nonzero data and
# 4 KiB of written zeros (for --dig-holes: many small punches).
make_4k_mix() {
  perl -e 'for (1 .. $ARGV[0] * 128) { print pack ("N", $_) x 1024, "\0" x 4096 }' \
    "$2" >"$1"
  sync "$1"
}

# file_size F: size of F in bytes.
file_size() { stat -c %s -- "$1"; }

# alloc_bytes F: bytes allocated to F (st_blocks * block unit).
alloc_bytes() { echo $(( $(stat -c '%b * %B' -- "$1") )); }

# fs_block_size DIR: the fundamental block size of the filesystem of DIR.
fs_block_size() { stat -f -c %S -- "$1"; }

# fs_type DIR: the filesystem type name of DIR as stat -f says (ext2/ext3/xfs/btrfs/tmpfs).
fs_type() { stat -f -c %T -- "$1"; }

# to_bytes N: N with an optional K/M/G/T suffix (powers of 1024) as bytes.
to_bytes() { numfmt --from=iec -- "$1"; }

# fiemap_extents F: the extents of F from `filefrag -v`, one per line as
#     LOGICAL_START_BYTES LENGTH_BYTES FLAGS
# where FLAGS is filefrag's comma-separated list (e.g. "unwritten,eof"),
# or "-" when it has none.  Fails when the filesystem has no FIEMAP (tmpfs).
fiemap_extents() {
  local out
  out=$(filefrag -v -- "$1") || return 1
  awk '
    /^File size of .* blocks? of [0-9]+ bytes\)$/ {
      match($0, /blocks? of [0-9]+ bytes\)$/)
      s = substr($0, RSTART, RLENGTH); sub(/^blocks? of /, "", s); bs = s + 0; next
    }
    /^ *[0-9]+: / {
      line = $0
      gsub(/\.\./, " ", line); gsub(/:/, " ", line)
      n = split(line, f, " ")
      # f[1]=index f[2]=logical start f[3]=logical end f[4..5]=physical
      # f[6]=length [f[7]=expected] [last field=flags]
      flags = "-"
      if (n >= 7 && f[n] !~ /^[0-9]+$/) flags = f[n]
      printf "%d %d %s\n", f[2] * bs, f[6] * bs, flags
    }' <<<"$out"
}

# extents_summary F: like fiemap_extents, but with the flags reduced to
# "unwritten" or "data" (adjacent extents of the same kind merged), so
# tests can compare layouts across filesystems.
extents_summary() {
  fiemap_extents "$1" | awk '
    { kind = ($3 ~ /unwritten/) ? "unwritten" : "data"
      if (n && kind == k && $1 == s + l) { l += $2; next }
      if (n) printf "%d %d %s\n", s, l, k
      s = $1; l = $2; k = kind; n = 1 }
    END { if (n) printf "%d %d %s\n", s, l, k }'
}

# mapped_bytes F OFF LEN [unwritten|data|all]: how many bytes of
# [OFF, OFF+LEN) FIEMAP reports as mapped (of the given kind; default all).
mapped_bytes() {
  local f=$1 off=$2 len=$3 kind=${4:-all}
  fiemap_extents "$f" | awk -v o="$off" -v e="$((off + len))" -v k="$kind" '
    { kind = ($3 ~ /unwritten/) ? "unwritten" : "data"
      if (k != "all" && k != kind) next
      s = $1; t = $1 + $2
      if (s < o) s = o
      if (t > e) t = e
      if (t > s) sum += t - s }
    END { printf "%d\n", sum }'
}

# data_alloc_bytes F: bytes of F's extents per FIEMAP (data blocks only,
# no metadata such as ext4 extent-tree blocks, whose number depends on how
# fragmented the filesystem is); alloc_bytes where there is no FIEMAP.
data_alloc_bytes() {
  local m
  if m=$(fiemap_extents "$1" 2>/dev/null); then
    awk '{ s += $2 } END { printf "%d\n", s }' <<<"$m"
  else
    alloc_bytes "$1"
  fi
}

# region_sha256 F OFF LEN: sha256 of LEN bytes of F from OFF.
region_sha256() {
  dd if="$1" bs=64K iflag=skip_bytes,count_bytes skip="$2" count="$3" \
     status=none | sha256sum | cut -d' ' -f1
}

# zeros_sha256 LEN: sha256 of LEN zero bytes.
zeros_sha256() { head -c "$1" /dev/zero | sha256sum | cut -d' ' -f1; }

# assert_zeros F OFF LEN: bytes [OFF, OFF+LEN) of F are all zero.
assert_zeros() {
  local got want
  got=$(region_sha256 "$1" "$2" "$3")
  want=$(zeros_sha256 "$3")
  [[ $got == "$want" ]] ||
    fail "$1: bytes $2..$(($2 + $3)) are not all zero: $(dd if="$1" bs=64K iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none | od -An -tx1 | grep -v '^ *\(00 \)*00$' | head -3)"
}

# assert_region_equal F1 OFF1 F2 OFF2 LEN: the two regions hold the same bytes.
assert_region_equal() {
  local a b
  a=$(region_sha256 "$1" "$2" "$5")
  b=$(region_sha256 "$3" "$4" "$5")
  [[ $a == "$b" ]] ||
    fail "$1 @$2 differs from $3 @$4 over $5 bytes"
}

# assert_size F N: F is exactly N bytes long.
assert_size() {
  local got
  got=$(file_size "$1")
  [[ $got == "$2" ]] || fail "size of $1: expected $2, got $got"
}

# assert_alloc_between F MIN MAX: alloc_bytes F is in [MIN, MAX].
assert_alloc_between() {
  local got
  got=$(alloc_bytes "$1")
  ((got >= $2 && got <= $3)) ||
    fail "allocated bytes of $1: expected $2..$3, got $got"
}

# file_fingerprint F: size, allocated bytes and sha256 of F on one line
# ("absent" if F does not exist); to check that a command changed nothing.
file_fingerprint() {
  if [[ -e $1 ]]; then
    printf '%s %s %s\n' "$(file_size "$1")" "$(alloc_bytes "$1")" \
      "$(sha256sum <"$1" | cut -d' ' -f1)"
  else
    echo absent
  fi
}

# count_preads F COMMAND...: how many times COMMAND calls pread64 on F.
count_preads() {
  local f=$1 log=$BATS_TEST_TMPDIR/strace.log
  shift
  strace -qq -e trace=pread64 -P "$f" -o "$log" "$@" >/dev/null 2>&1 || true
  grep -c 'pread64(' "$log" || true
}

# file_state F: size, data blocks (data_alloc_bytes) and sha256 of F
# ("absent" if F does not exist); to check that a failed operation gave
# everything back.  Metadata blocks are left out: an ext4 extent tree that
# grew during the attempt keeps its new index blocks after a rollback.
file_state() {
  if [[ -e $1 ]]; then
    printf '%s %s %s\n' "$(file_size "$1")" "$(data_alloc_bytes "$1")" "$(sha "$1")"
  else
    echo absent
  fi
}

# make_file_with F SPEC...: build F (created if missing) by applying each
# SPEC in order, then fsync it.  Offsets and lengths take K/M/G suffixes.
#   size:N            truncate F to N bytes
#   data:OFF:LEN      write LEN random bytes at OFF
#   zero:OFF:LEN      write LEN zero bytes at OFF (allocated, written zeros)
#   fill:OFF:LEN:B    write LEN bytes of value B (0..255, e.g. 0xab) at OFF
#   prealloc:OFF:LEN  preallocate unwritten extents, keeping the size
#                     (the system's util-linux `fallocate -n`; fails on ext2)
#   punch:OFF:LEN     punch a hole, keeping the size (util-linux `fallocate -p`)
make_file_with() {
  local f=$1 spec kind a b c off len
  shift
  touch -- "$f" || return 1
  for spec in "$@"; do
    IFS=: read -r kind a b c <<<"$spec"
    case $kind in
      size)
        truncate -s "$(to_bytes "$a")" -- "$f" || return 1 ;;
      data | zero | fill)
        off=$(to_bytes "$a") len=$(to_bytes "$b")
        case $kind in
          data) head -c "$len" /dev/urandom ;;
          zero) head -c "$len" /dev/zero ;;
          fill) head -c "$len" /dev/zero | tr '\000' "\\$(printf '%03o' "$((c))")" ;;
        esac | dd of="$f" bs=64K oflag=seek_bytes seek="$off" conv=notrunc \
                 status=none || return 1 ;;
      prealloc)
        "$SYS_FALLOCATE" -n -o "$(to_bytes "$a")" -l "$(to_bytes "$b")" -- "$f" ||
          return 1 ;;
      punch)
        "$SYS_FALLOCATE" -p -o "$(to_bytes "$a")" -l "$(to_bytes "$b")" -- "$f" ||
          return 1 ;;
      *)
        echo "make_file_with: bad spec '$spec'" >&2
        return 1 ;;
    esac
  done
  sync -- "$f"
}

# kernel_fallocate F MODE OFF LEN: call fallocate(2) on F directly (through
# perl's syscall, independent of the program under test) and print the
# errno value, 0 on success.  Fails if the syscall number of this machine
# is not known.
kernel_fallocate() {
  local nr
  case $(uname -m) in
    x86_64) nr=285 ;;
    aarch64 | riscv64 | loongarch64) nr=47 ;;
    ppc64le | ppc64) nr=309 ;;
    s390x) nr=314 ;;
    *) echo "kernel_fallocate: unknown syscall number on $(uname -m)" >&2; return 1 ;;
  esac
  perl -e '
    open(my $f, "+<", $ARGV[0]) or die "open $ARGV[0]: $!\n";
    my $r = syscall($ARGV[1] + 0, fileno($f), $ARGV[2] + 0, $ARGV[3] + 0, $ARGV[4] + 0);
    print $r < 0 ? $! + 0 : 0, "\n";' "$1" "$nr" "$(($2))" "$3" "$4"
}

# kernel_supports DIR MODE: true when fallocate(2) with MODE (e.g. 0x80)
# works on DIR's filesystem, probed on a scratch file of 64 KiB there at
# offset 0, length 4096.  False when it answers EOPNOTSUPP; any other
# answer is an error.
kernel_supports() {
  local scratch err
  scratch=$(mktemp "$1/.probe.XXXXXX") || return 2
  head -c 65536 /dev/urandom >"$scratch"
  err=$(kernel_fallocate "$scratch" "$2" 0 4096) || { rm -f "$scratch"; return 2; }
  rm -f "$scratch"
  case $err in
    0) return 0 ;;
    95) return 1 ;;   # EOPNOTSUPP
    *) echo "kernel_supports: fallocate mode $2 in $1: errno $err" >&2; return 2 ;;
  esac
}

# run_as_nobody CMD...: run CMD (with bats' `run`) as user/group 65534
# with no supplementary groups.  Root only.
run_as_nobody() {
  run setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

# open_for_all DIR: make DIR and its parents up to $BATS_RUN_TMPDIR
# searchable by everyone, so an unprivileged user can reach files there.
open_for_all() {
  local d=$1
  while [[ $d == "$BATS_RUN_TMPDIR"* && $d != / ]]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
}

# private_fallocate: print the path of a copy of $FALLOCATE that every
# user may run (the build tree may not be reachable by nobody).
private_fallocate() {
  local bin=$BATS_FILE_TMPDIR/bin/fallocate
  if [[ ! -x $bin ]]; then
    mkdir -p "$(dirname "$bin")"
    cp -- "$FALLOCATE" "$bin"
    chmod 755 "$bin" "$(dirname "$bin")"
    open_for_all "$(dirname "$bin")"
  fi
  printf '%s\n' "$bin"
}

# delayed CALL USEC: set DELAYED to a command prefix that runs a command
# under strace(1) with each CALL system call of it (and of its children)
# held back USEC microseconds, and nothing else changed: a long operation
# made surely long, to act on it while it runs.  (LeakSanitizer cannot
# work under ptrace.)
delayed() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  DELAYED=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null
           -e signal=none -e trace="$1" -e inject="$1":delay_enter="$2" --)
}

# job_running PID: true while process PID exists and has not ended (a
# child that ended stays a zombie until it is waited for, and kill -0
# still finds it).
job_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != [ZX] ]]
}

# wait_job PID SECONDS WHAT: wait at most SECONDS for the background job
# PID (a child of this shell) to end, and set JOB_STATUS to its exit
# status.  If it is still running then, kill it and fail: "WHAT did not
# end within SECONDS s".
wait_job() {
  local deadline=$((SECONDS + $2))
  while job_running "$1"; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$1" 2>/dev/null || true
      wait "$1" 2>/dev/null || true
      fail "$3 did not end within $2 s"
      return 1
    fi
    sleep 0.01
  done
  JOB_STATUS=0
  wait "$1" || JOB_STATUS=$?
}

# slowed ARGS...: run ARGS in the background under "${DELAYED[@]}" (set by
# `delayed` or `held`), as TRACER, with its stdout and stderr in
# $BATS_TEST_TMPDIR/out and err; once it runs, PID is the process of ARGS
# itself.
slowed() {
  local pidf=$BATS_TEST_TMPDIR/pid i
  rm -f -- "$pidf"
  # A shell tells its pid, then becomes ARGS.
  "${DELAYED[@]}" sh -c 'echo $$ >"$0.tmp" && mv -- "$0.tmp" "$0" && exec "$@"' \
    "$pidf" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
  TRACER=$!
  for ((i = 0; i < 1000; i++)); do
    [[ -s $pidf ]] && break
    sleep 0.01
  done
  [[ -s $pidf ]] || fail "the program did not start: $(cat "$BATS_TEST_TMPDIR/err")"
  PID=$(<"$pidf")
}

# finish_with SIGNAL: send SIGNAL to the program (none if SIGNAL is
# empty), wait for it (60 s at most), and set status, output, lines, stderr and
# stderr_lines from it, as `run --separate-stderr` does.
finish_with() {
  [[ -z $1 ]] || kill -"$1" "$PID"
  wait_job "$TRACER" 60 "the program"
  status=$JOB_STATUS
  PID= TRACER=
  output=$(<"$BATS_TEST_TMPDIR/out")
  stderr=$(<"$BATS_TEST_TMPDIR/err")
  mapfile -t lines <<<"$output"
  mapfile -t stderr_lines <<<"$stderr"
}

# finish_within SECONDS: as `finish_with ""`, but if the program has not
# ended within SECONDS, kill it and fail: it hangs.
finish_within() {
  local deadline=$((SECONDS + $1))
  while job_running "$TRACER"; do
    if ((SECONDS >= deadline)); then
      end_slowed
      fail "the program hangs: still running after $1 s: $(cat "$BATS_TEST_TMPDIR/err")"
    fi
    sleep 0.05
  done
  finish_with ""
}

# end_slowed: call in teardown of a test that may have left a program
# started by `slowed` running (a failed test): kill it and its tracer.
end_slowed() {
  local p
  for p in ${PID:-} ${TRACER:-}; do
    kill -KILL "$p" 2>/dev/null || true
  done
  [[ -z ${TRACER:-} ]] || wait_job "$TRACER" 60 "the killed program"
  PID= TRACER=
}

# held CALLS [PATH]: set DELAYED to a command prefix that runs a command
# (and its children) under strace(1), with the first of its system calls
# CALLS (comma-separated, e.g. newfstatat,statx; on PATH only, if given,
# the same string the command is given) held for 5 s once it returns.
# The held call is logged to $BATS_TEST_TMPDIR/strace, marked
# "(DELAYED)", before the hold.  Run the command with `slowed`.
held() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  local log=$BATS_TEST_TMPDIR/strace
  rm -f -- "$log"
  DELAYED=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq
           -o "$log" -e signal=none -e trace="$1"
           -e inject="$1":delay_exit=5000000:when=1)
  [[ -z ${2:-} ]] || DELAYED+=(-P "$2")
  DELAYED+=(--)
}

# wait_held: wait (up to 10 s) until the program started by `slowed`
# under `held` is held in the call; fail if it ends first.
wait_held() {
  local log=$BATS_TEST_TMPDIR/strace deadline=$((SECONDS + 10))
  until grep -q '(DELAYED)$' "$log" 2>/dev/null && _stopped "$PID"; do
    job_running "$TRACER" ||
      fail "the program ended before it was held: $(cat "$BATS_TEST_TMPDIR/err")"
    ((SECONDS < deadline)) || fail "the program was not held within 10 s"
    sleep 0.01
  done
  HELD_AT=$(<"/proc/$PID/syscall")
}

# assert_still_held: the program is still held where wait_held saw it
# held (what the test did meanwhile came before the program went on).
assert_still_held() {
  _stopped "$PID" && [[ $(<"/proc/$PID/syscall") == "$HELD_AT" ]] ||
    fail "too late: the program went on before the test was done"
}

# _stopped PID: whether PID is stopped by its tracer.
_stopped() {
  local stat
  stat=$(<"/proc/$1/stat") || return 1
  stat=${stat##*) }
  [[ ${stat%% *} == t ]]
}

# assert_progress_drawn TYPESCRIPT FILE TOTAL: script(1)'s TYPESCRIPT has
# a --progress line for FILE of TOTAL (as printed: "16 MiB") rewritten in
# place ("\rFILE: 42% 7 MiB / 16 MiB, 3 MiB/s, 0:00:03 left"), and the
# last one drawn is blanked out, with nothing after it but the end of the
# typescript.
assert_progress_drawn() {
  local log=$1 file=$2 total=$3
  grep -q $'\r'"$file: [0-9]*% [0-9.]* [KMG]*i*B / $total, .*/s, [0-9]*:[0-9][0-9]:[0-9][0-9] left" "$log" ||
    fail "no progress line: $(od -c "$log" | head)"
  perl -0777 -ne 'exit !/ left *\r {40,}\r\r?\nScript done/' "$log" ||
    fail "the line is not cleared: $(od -c "$log" | tail -8)"
}

# assert_usage_error: the last `run` failed as a usage error must: exit
# status 1, nothing on stdout, a first line starting "fallocate: ".
# Use `run --separate-stderr`; the caller checks the culprit text.
assert_usage_error() {
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]:-} == "fallocate: "* ]] ||
    fail "stderr does not start with 'fallocate: ': $stderr"
}

# assert_try_help: stderr of the last `run --separate-stderr` ends with the
# GNU hint line.
assert_try_help() {
  local last=${stderr_lines[${#stderr_lines[@]}-1]:-}
  assert_equal "$last" "Try 'fallocate --help' for more information."
}

# assert_error LINE: the last `run --separate-stderr` failed with exit
# status 1, printed nothing on stdout, and printed exactly LINE on stderr,
# optionally followed by the "Try 'fallocate --help'" hint.
assert_error() {
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "${stderr_lines[0]:-}" "$1"
  _assert_only_hint_follows
}

# assert_error_match REGEX: like assert_error, but the first stderr line
# must match the extended regular expression REGEX (whole line).
assert_error_match() {
  assert_equal "$status" 1
  assert_equal "$output" ""
  [[ ${stderr_lines[0]:-} =~ ^$1$ ]] ||
    fail "stderr line 1 does not match /^$1\$/: ${stderr_lines[0]:-<none>}"
  _assert_only_hint_follows
}

_assert_only_hint_follows() {
  local n=${#stderr_lines[@]}
  if ((n > 2)) || { ((n == 2)) &&
      [[ ${stderr_lines[1]} != "Try 'fallocate --help' for more information." ]]; }; then
    fail "expected one error line (plus at most the --help hint), got: $stderr"
  fi
}

# Shared test bodies (fallocate_ok, file_and_ref, op_keeps_head, ...).
load "$TESTS_SRCDIR/helpers/ops"

# check_fallocate_built: fail early and clearly if $FALLOCATE is missing.
check_fallocate_built() {
  [[ -x $FALLOCATE ]] || fail "FALLOCATE=$FALLOCATE is not an executable"
}

# The default setup and teardown of a test (a program left running by
# `slowed` in a failed test is killed), and teardown of a file (a no-op
# without fs_setup_file); a test file that needs more
# defines its own (after the load, so that it wins).
setup() { check_fallocate_built; PID= TRACER=; }
teardown() { end_slowed; fs_test_cleanup; }
teardown_file() { fs_teardown_file; }
