# Racing writers for the dig's safety tests (safety.bats, dig-readers.bats):
# a writer that writes into the zeros of a file while -d digs it, and the
# same writes into a copy, so that the file must end up as the copy.

# race_writer F REF PIDFILE AFTER FROM SPAN: create PIDFILE.ready; once
# the process whose ID then appears in PIDFILE has read AFTER bytes (or
# has ended), write 16 random 4 KiB blocks at random places of [FROM,
# FROM + SPAN) of F, and the same to REF.
race_writer() {
  perl -e '
    use Fcntl qw(SEEK_SET);
    my ($file, $ref, $pidfile, $after, $from, $span) = @ARGV;
    open (my $ready, ">", "$pidfile.ready") or die "$pidfile.ready: $!";
    close ($ready);
    my $pid;
    for (1 .. 20000) {
      if (open (my $p, "<", $pidfile)) {
        $pid = <$p>;
        last if $pid;
      }
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
    }' "$@"
}

# race F DATA ZEROS AFTER FROM SPAN: make F DATA of random bytes and
# ZEROS of written zeros, dig it while race_writer
# writes into it (AFTER FROM SPAN), and tell whether F ended up as the
# copy that got the same writes.  Set OUTCOME to how the dig ended
# (finished, stopped, refused); fail the test if it failed otherwise.
# A reader may hold F open meanwhile: the dig then runs under the open
# watch of guard.h, and its messages say so.
race() {
  local f=$1 ref=$BATS_TEST_TMPDIR/ref err=$BATS_TEST_TMPDIR/err
  local pidfile=$BATS_TEST_TMPDIR/pid rc=0 writer i
  make_file_with "$f" "data:0:$2" "zero:$2:$3"
  cp "$f" "$ref"
  rm -f "$pidfile" "$pidfile.ready"
  drop_caches
  race_writer "$f" "$ref" "$pidfile" "$4" "$5" "$6" &
  writer=$!
  for ((i = 0; i < 1000; i++)); do
    [[ -e $pidfile.ready ]] && break
    sleep 0.01
  done
  [[ -e $pidfile.ready ]] || fail "the writer did not start"
  timeout 120 bash -c 'echo $$ >"$2"; exec "$0" -d "$1"' "$FALLOCATE" "$f" "$pidfile" \
    2>"$err" || rc=$?
  wait_job "$writer" 60 "the writer"
  ((rc != 124)) || fail "the dig did not end within 120 s"
  if ((rc == 0)); then
    OUTCOME=finished
  elif ((rc == 1)) && grep -Eq "another process (opened or truncated the file|is opening the file for writing)" "$err"; then
    OUTCOME=stopped
  elif ((rc == 1)) && grep -Eq "is open (by another process|for writing by)" "$err"; then
    OUTCOME=refused
  else
    fail "exit status $rc: $(<"$err")"
  fi
  [[ $(sha256sum <"$f") == "$(sha256sum <"$ref")" ]]
}
