#!/usr/bin/env bats
# Creating FILE (issue 7, items 5, 6 and 19):
#   - a dangling symlink as FILE: its target is created, as util-linux and
#     truncate do; on failure the target is removed and the symlink stays;
#   - a failed run removes the file it created only while the name still
#     refers to that file (not to one renamed over it meanwhile);
#   - once a file is created, its directory is fsync'ed, so that exit
#     status 0 means the new name is on disk too.

load "$TESTS_SRCDIR/helpers/common"

# A small ext4, to run out of space.
setup_file() {
  FS_IMAGE_MIB[ext4]=64
  fs_setup_file ext4
}

# assert_symlink L TARGET: L is a symlink to TARGET.
assert_symlink() {
  [[ -L $1 ]] || fail "$1 is no longer a symlink"
  assert_equal "$(readlink -- "$1")" "$2"
}

# assert_allocated F LEN: F is a regular file of LEN bytes, all of them
# allocated, reading as zeros.
assert_allocated() {
  [[ -f $1 && ! -L $1 ]] || fail "$1 is not a regular file"
  assert_size "$1" "$2"
  assert_alloc_between "$1" "$2" $(($2 + MiB))
  assert_zeros "$1" 0 "$2"
}

# ---------------------------------------------------------------------------
# Dangling symlinks (item 6).

# creates_target OPTION...: in a fresh directory, lnk -> target (missing);
# the program with OPTION... -l 1M on lnk creates target, 1 MiB allocated.
creates_target() {
  require_fs ext4
  local d
  d=$(tdir ext4)
  ln -s target "$d/lnk"
  fallocate_ok "$@" -l 1M "$d/lnk"
  assert_allocated "$d/target" $MiB
  assert_symlink "$d/lnk" target
}

@test "a dangling symlink: mode 0 creates its target" { creates_target; }
@test "a dangling symlink: -x creates its target" { creates_target -x; }
@test "a dangling symlink: -w creates its target" { creates_target -w; }

@test "a chain of two symlinks, the last dangling: its target is created" {
  require_fs ext4
  local d
  d=$(tdir ext4)
  ln -s lnk2 "$d/lnk1"
  ln -s target "$d/lnk2"
  fallocate_ok -l 1M "$d/lnk1"
  assert_allocated "$d/target" $MiB
  assert_symlink "$d/lnk1" lnk2
  assert_symlink "$d/lnk2" target
}

@test "a dangling symlink into a missing directory: ENOENT, nothing created" {
  require_fs ext4
  local d
  d=$(tdir ext4)
  ln -s missing/target "$d/lnk"
  run --separate-stderr "$FALLOCATE" -l 1M "$d/lnk"
  assert_error "fallocate: cannot open '$d/lnk': No such file or directory"
  assert_symlink "$d/lnk" missing/target
  assert_equal "$(ls -A -- "$d")" lnk
}

@test "a dangling symlink, ENOSPC: the target created is removed, the symlink stays" {
  require_fs ext4
  local d before
  d=$(tdir ext4)
  ln -s target "$d/lnk"
  before=$(avail "$d")
  run --separate-stderr "$FALLOCATE" -l 200M "$d/lnk"
  assert_error "fallocate: '$d/lnk': cannot allocate: No space left on device"
  assert_file_not_exists "$d/target"
  assert_symlink "$d/lnk" target
  assert_equal "$(ls -A -- "$d")" lnk
  assert_avail_near "$d" "$before"
}

# Another user's dangling symlink in a sticky directory everyone may
# write to (/tmp): following it would let that user choose where root
# creates a file; refused as fs.protected_symlinks refuses it, whatever
# the sysctl says.  The user's own links, and those of the directory's
# owner, are followed.
@test "another user's dangling symlink in a sticky world-writable directory is not followed" {
  require_fs ext4
  require_root
  local d
  d=$(tdir ext4)/sticky
  mkdir -p "$d/dest"
  chmod 1777 "$d"
  ln -s dest/target "$d/theirs"
  chown -h 65534:65534 "$d/theirs"
  run --separate-stderr "$FALLOCATE" -l 1M "$d/theirs"
  assert_error "fallocate: cannot open '$d/theirs': Permission denied"
  assert_file_not_exists "$d/dest/target"
  ln -s dest/mine "$d/mine"
  fallocate_ok -l 1M "$d/mine"
  assert_allocated "$d/dest/mine" $MiB
}

# ---------------------------------------------------------------------------
# Removal only of the file created (item 5).

@test "a failed run does not remove a file renamed over the one it created" {
  require_fs ext4
  local d f other sum ino before
  d=$(tdir ext4)
  f=$d/new
  other=$d/other
  make_file_with "$other" data:0:1M
  sum=$(sha "$other")
  ino=$(stat -c %i -- "$other")
  before=$(avail "$d")
  # Held once its fallocate(2) has failed for want of space.
  held fallocate "$f"
  slowed "$FALLOCATE" -l 200M "$f"
  wait_held
  grep -q ' = -1 ENOSPC .*(DELAYED)$' "$BATS_TEST_TMPDIR/strace" ||
    fail "held elsewhere: $(cat "$BATS_TEST_TMPDIR/strace")"
  mv -- "$other" "$f"
  assert_still_held
  finish_within 20
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: '$f': cannot allocate: No space left on device
fallocate: warning: '$f': not removed: the name no longer refers to the file this run created"
  # The file renamed over it is there, as it was.
  assert_equal "$(stat -c %i -- "$f")" "$ino"
  assert_equal "$(sha "$f")" "$sum"
  # The file it created, unlinked by the rename, is gone with its space.
  assert_avail_near "$d" "$before"
}

# ---------------------------------------------------------------------------
# The directory of a new file is made durable (item 19).

# synced_dirs: the paths of what $BATS_TEST_TMPDIR/strace (strace -y)
# shows being fsync'ed or fdatasync'ed successfully, in order.
synced_dirs() {
  sed -n 's/^[0-9]* *f\(data\)\{0,1\}sync([0-9]*<\(.*\)>) = 0$/\2/p' \
    "$BATS_TEST_TMPDIR/strace"
}

# traced ARGS...: run the program with ARGS under strace -y, which logs
# its openat, fsync and fdatasync calls to $BATS_TEST_TMPDIR/strace.
traced() {
  command -v strace >/dev/null || ci_skip "strace is not installed"
  run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -y \
    -o "$BATS_TEST_TMPDIR/strace" -e trace=openat,fsync,fdatasync -- \
    "$FALLOCATE" "$@"
  assert_equal "$status" 0
  assert_equal "$stderr" ""
}

# assert_dir_synced_after DIR F: the log shows DIR opened and fsync'ed,
# after the file F was created and fsync'ed.
assert_dir_synced_after() {
  local log=$BATS_TEST_TMPDIR/strace created synced
  created=$(grep -n "O_CREAT.* = [0-9]*<$2>$" "$log" | head -1 | cut -d: -f1)
  [[ -n $created ]] || fail "$2 was not created: $(cat "$log")"
  grep -q "O_RDONLY.* = [0-9]*<$1>$" "$log" ||
    fail "$1 was not opened: $(cat "$log")"
  synced=$(grep -n "sync([0-9]*<$1>) = 0$" "$log" | tail -1 | cut -d: -f1)
  [[ -n $synced ]] || fail "$1 was not fsync'ed: $(cat "$log")"
  ((synced > created)) || fail "$1 was fsync'ed before $2 was created"
  synced_dirs | grep -qxF "$2" || fail "$2 itself was not fsync'ed"
}

@test "a new file: its directory is fsync'ed after it is created" {
  require_fs ext4
  local d
  d=$(tdir ext4)
  traced -l 1M "$d/new"
  assert_dir_synced_after "$d" "$d/new"
  assert_allocated "$d/new" $MiB
}

@test "a new file made through a symlink: the directory of the target is fsync'ed" {
  require_fs ext4
  local d
  d=$(tdir ext4)
  mkdir "$d/sub"
  ln -s sub/target "$d/lnk"
  traced -l 1M "$d/lnk"
  assert_dir_synced_after "$d/sub" "$d/sub/target"
  assert_allocated "$d/sub/target" $MiB
}

@test "an existing file: no directory is fsync'ed" {
  require_fs ext4
  local d
  d=$(tdir ext4)
  make_file_with "$d/old" data:0:64K
  traced -l 1M "$d/old"
  synced_dirs | grep -qxF "$d/old" || fail "the file was not fsync'ed"
  assert_equal "$(synced_dirs | grep -vxF "$d/old")" ""
  assert_size "$d/old" $MiB
}
