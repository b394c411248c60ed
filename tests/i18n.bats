#!/usr/bin/env bats
# Translations: with a German locale the messages, --help, -v lines and
# the report are German, exactly as po/de.po says; in the C locale every
# message is the English one, byte for byte, catalog or not; the figures
# follow LC_NUMERIC; po/de.po translates every message of the sources.
#
# The program looks for its catalog where it was built to be installed
# ($LOCALEDIR, from Makefile.am).  No test may depend on an installation,
# so each run happens in a private mount namespace (unshare -m, root) in
# which the nearest existing ancestor of that directory is an overlay:
# this build's po/de.gmo is copied into it as de/LC_MESSAGES/fallocate.mo,
# and the overlay's writes land in the test's temporary directory.
# Outside the namespace nothing changes.

load "$TESTS_SRCDIR/helpers/common"

: "${LOCALEDIR:=/usr/local/share/locale}"
: "${PO_DIR:=$TESTS_SRCDIR/../po}"
: "${USE_NLS:=yes}"

setup_file() {
  # A de_DE.UTF-8 locale of our own (LOCPATH), for the tests of
  # LC_NUMERIC: the system need not have generated one.
  if [[ -r /usr/share/i18n/locales/de_DE ]]; then
    mkdir -p "$BATS_FILE_TMPDIR/locale"
    localedef -i de_DE -f UTF-8 "$BATS_FILE_TMPDIR/locale/de_DE.UTF-8" \
      >/dev/null 2>&1 || true
  fi
}

setup() {
  check_fallocate_built
  require_root
  [[ $USE_NLS != yes || -r $PO_DIR/de.gmo ]] ||
    fail "no catalog $PO_DIR/de.gmo (make all first)"
  cd "$BATS_TEST_TMPDIR"
}

# Processes a test started to hold a file open, killed at its end.
HOLDERS=()
teardown() {
  local p
  for p in "${HOLDERS[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  end_slowed
  fs_test_cleanup
}

# hold_for_writing FILE: start a process (sleep) that holds FILE open for
# writing until the test ends; its pid is the last of HOLDERS.
hold_for_writing() {
  (exec sleep 300 3>>"$1") &
  HOLDERS+=("$!")
  local i
  for ((i = 0; i < 500; i++)); do
    [[ -e /proc/$!/fd/3 ]] && return 0
    sleep 0.01
  done
  fail "the holder of $1 did not open it"
}

# with_catalog CMD...: run CMD in a private mount namespace in which
# $LOCALEDIR/de/LC_MESSAGES/fallocate.mo is this build's German catalog
# (a build without NLS has none, and would not read it).
with_catalog() {
  [[ $USE_NLS == yes ]] || { "$@"; return; }
  local dir=$LOCALEDIR/de/LC_MESSAGES top
  top=$dir
  while [[ ! -d $top ]]; do
    top=$(dirname -- "$top")
  done
  [[ $top != / ]] || { echo "with_catalog: no directory to overlay for $dir" >&2; return 99; }
  local ov
  ov=$(mktemp -d "$BATS_TEST_TMPDIR/overlay.XXXXXX")
  mkdir "$ov/upper" "$ov/work"
  unshare -m --propagation private sh -c '
    mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3" "$1" &&
    mkdir -p "$4" && cp -- "$5" "$4/fallocate.mo" || exit 99
    shift 5
    exec "$@"' sh "$top" "$ov/upper" "$ov/work" "$dir" "$PO_DIR/de.gmo" "$@"
}

# require_nls: skip a test of translated output in a build configured
# with --disable-nls (or without a gettext), which speaks only English.
require_nls() {
  [[ $USE_NLS == yes ]] || ci_skip "built without NLS (configure --disable-nls)"
}

# german ARGS...: run the program with ARGS in German (LANGUAGE=de under
# the C.UTF-8 locale, whose numbers are the C locale's).
german() {
  with_catalog env LANGUAGE=de LC_ALL=C.UTF-8 "$FALLOCATE" "$@"
}

# english ARGS...: run the program with ARGS in the C locale, with the
# German catalog in place and LANGUAGE=de (which the C locale ignores).
english() {
  with_catalog env LANGUAGE=de LC_ALL=C "$FALLOCATE" "$@"
}

# strerror_de ERRNO: the C library's text for ERRNO in German, as the
# program gets it under LANGUAGE=de.
strerror_de() {
  LANGUAGE=de LC_ALL=C.UTF-8 perl -MPOSIX=setlocale,LC_ALL,strerror \
    -e 'setlocale (LC_ALL, ""); print strerror ($ARGV[0])' "$1"
}

@test "German: the usage errors and their Try line" {
  require_nls
  run --separate-stderr german
  assert_equal "$status" 1
  assert_equal "$output" ""
  assert_equal "$stderr" "fallocate: kein Dateiname angegeben
Weitere Informationen mit 'fallocate --help'."

  run --separate-stderr german --bogus f
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: unbekannte Option '--bogus'
Weitere Informationen mit 'fallocate --help'."

  run --separate-stderr german f
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: keine Länge angegeben
Weitere Informationen mit 'fallocate --help'."

  run --separate-stderr german -p -z -l 1M f
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: die Optionen --punch-hole und --zero-range schließen einander aus"

  run --separate-stderr german -l 1x f
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: ungültiger Wert für --length: '1x'"
  assert_not_exist f
}

@test "German: errors about files name the file" {
  require_nls
  run --separate-stderr german -l 1M nodir/f
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: 'nodir/f' kann nicht geöffnet werden: $(strerror_de 2)"

  mkdir d
  run --separate-stderr german -l 1M d
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: 'd' ist ein Verzeichnis, keine reguläre Datei"

  # A dig refused because of writers, who are named: "Prozess" for one,
  # "Prozessen" for two.
  truncate -s 1M held
  hold_for_writing held
  local one=${HOLDERS[-1]}
  run --separate-stderr german -d held
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: 'held' ist von Prozess $one (sleep) zum Schreiben geöffnet; es werden keine Löcher gegraben"
  hold_for_writing held
  local two=${HOLDERS[-1]}
  run --separate-stderr german -d held
  assert_equal "$status" 1
  [[ $stderr =~ ^"fallocate: 'held' ist von Prozessen "($one|$two)" (sleep), "($one|$two)" (sleep) zum Schreiben geöffnet; es werden keine Löcher gegraben"$ ]] ||
    fail "not the two holders in German: $stderr"
  [[ $stderr == *"$one (sleep)"* && $stderr == *"$two (sleep)"* ]] ||
    fail "a holder is missing: $stderr"
}

@test "German: --help, its columns aligned; --version" {
  require_nls
  run --separate-stderr german --help
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "${lines[0]}" "Aufruf: fallocate [-c|-i|-p|-u|-w|-x|-z] [-n] [-o ANFANG] -l LÄNGE DATEI..."
  assert_equal "${lines[1]}" "  oder: fallocate -d|-r [-o ANFANG] [-l LÄNGE] DATEI..."
  assert_equal "${lines[2]}" "  oder: fallocate --advise=HINWEIS [-o ANFANG] [-l LÄNGE] DATEI..."
  assert_equal "${lines[3]}" "Belegt Plattenplatz jeder DATEI im Voraus, gibt ihn frei oder untersucht ihn."
  local german_help=$output

  # Each option's description starts in column 25, in German as in
  # English; continuation lines in column 27; no line is wider than 79
  # columns (wc counts characters, not bytes, in a UTF-8 locale); the
  # German text lists as many options as the English one.
  run --separate-stderr english --help
  local english_help=$output help line n counts=()
  for help in "$german_help" "$english_help"; do
    (($(LC_ALL=C.UTF-8 wc -L <<<"$help") <= 79)) ||
      fail "a line of --help is wider than 79 columns: $help"
    n=0
    while IFS= read -r line; do
      if [[ $line =~ ^(\ \ -[[:alpha:]],\ |\ \ \ \ \ \ )--[a-z-]+(=[^\ ]+)?\ + ]]; then
        ((++n))
        # (24 characters and the newline.)
        (($(LC_ALL=C.UTF-8 wc -m <<<"${BASH_REMATCH[0]}") == 25)) ||
          fail "description not in column 25: '$line'"
      elif [[ $line == "                          "* ]]; then
        [[ ${line:26:1} != " " ]] || fail "continuation not in column 27: '$line'"
      fi
    done <<<"$help"
    counts+=("$n")
  done
  ((counts[1] >= 19)) || fail "only ${counts[1]} options found in the English --help"
  assert_equal "${counts[0]}" "${counts[1]}"

  run --separate-stderr german --version
  assert_equal "$status" 0
  assert_equal "${lines[1]}" "Copyright © 2026 die Entwickler von fallocate."
  assert_equal "${lines[2]}" "Lizenz GPLv3+: GNU GPL, Version 3 oder neuer <https://gnu.org/licenses/gpl.html>."
}

@test "German: the -v lines, the report and its plural forms" {
  require_nls
  run --separate-stderr german -v -l 1M f
  assert_equal "$status" 0
  assert_equal "$stderr" ""
  assert_equal "$output" "f: 1 MiB (1048576 Bytes) belegt."

  truncate -s 2M g
  run --separate-stderr german -v -p -o 512K -l 4K g
  assert_equal "$status" 0
  assert_equal "$output" "g: 4 KiB (4096 Bytes) als Loch freigegeben."

  # One file hole, no data hole: "1 Loch", "0 Löcher".
  truncate -s 3M h
  run --separate-stderr german -r -v h
  assert_equal "$status" 0
  assert_equal "$output" "Dateiloch: Position 0 - 3145728 (3145728 Bytes)

Zusammenfassung:
Dateilöcher: 1 Loch, 3 MiB (3145728 Bytes, 100.00 % der Datei)
Datenlöcher: 0 Löcher, 0 B (0 Bytes, 0.00 % der Datei)"

  # Two file holes: "2 Löcher".
  printf x | dd of=h bs=1 seek=$MiB conv=notrunc status=none
  run --separate-stderr german -r h
  assert_equal "$status" 0
  # (lines leaves out the empty line.)
  assert_line --index 0 "Zusammenfassung:"
  assert_line --index 1 --regexp "^Dateilöcher: 2 Löcher, [0-9.]+ MiB \\([0-9]+ Bytes, [0-9]+\\.[0-9]{2} % der Datei\\)$"
}

@test "the figures follow LC_NUMERIC: the user's locale, or the C locale's" {
  require_nls
  [[ -d $BATS_FILE_TMPDIR/locale/de_DE.UTF-8 ]] ||
    ci_skip "no de_DE locale (the locales package's definitions are missing)"
  truncate -s 3000 h
  # A de_DE.UTF-8 user: German words, German decimal comma.
  run --separate-stderr with_catalog env LOCPATH="$BATS_FILE_TMPDIR/locale" \
    LC_ALL=de_DE.UTF-8 "$FALLOCATE" -r h
  assert_equal "$status" 0
  assert_line --index 1 "Dateilöcher: 1 Loch, 2,9 KiB (3000 Bytes, 100,00 % der Datei)"
  # German words with the C locale's numbers (LC_NUMERIC=C).
  run --separate-stderr with_catalog env LOCPATH="$BATS_FILE_TMPDIR/locale" \
    LC_ALL= LANG=de_DE.UTF-8 LC_NUMERIC=C "$FALLOCATE" -r h
  assert_equal "$status" 0
  assert_line --index 1 "Dateilöcher: 1 Loch, 2.9 KiB (3000 Bytes, 100.00 % der Datei)"
}

@test "-r -J: the JSON report is the same in every locale" {
  [[ -d $BATS_FILE_TMPDIR/locale/de_DE.UTF-8 ]] ||
    ci_skip "no de_DE locale (the locales package's definitions are missing)"
  # Two file holes and a percentage with decimals.
  truncate -s 3M h
  printf x | dd of=h bs=1 seek=$MiB conv=notrunc status=none
  run --separate-stderr english -r -J -v h
  assert_equal "$status" 0
  local c=$output
  [[ $c == *'"percent":99.'[0-9][0-9]* ]] || fail "no percentage with a point: $c"
  run --separate-stderr with_catalog env LOCPATH="$BATS_FILE_TMPDIR/locale" \
    LC_ALL=de_DE.UTF-8 "$FALLOCATE" -r -J -v h
  assert_equal "$status" 0
  assert_equal "$output" "$c"
}

@test "C locale: the English messages, byte for byte, with the catalog in place" {
  run --separate-stderr english
  assert_equal "$status" 1
  assert_equal "$stderr" "fallocate: no filename specified
Try 'fallocate --help' for more information."

  run --separate-stderr english -p -z -l 1M f
  assert_equal "$stderr" "fallocate: options --punch-hole and --zero-range cannot be combined"

  run --separate-stderr english -l 1M nodir/f
  assert_equal "$stderr" "fallocate: cannot open 'nodir/f': No such file or directory"

  mkdir d
  run --separate-stderr english -l 1M d
  assert_equal "$stderr" "fallocate: 'd' is a directory, not a regular file"

  truncate -s 1M held
  hold_for_writing held
  run --separate-stderr english -d held
  assert_equal "$stderr" "fallocate: 'held' is open for writing by process ${HOLDERS[-1]} (sleep); not digging holes"

  run --separate-stderr english --help
  assert_equal "${lines[0]}" "Usage: fallocate [-c|-i|-p|-u|-w|-x|-z] [-n] [-o OFFSET] -l LENGTH FILE..."
  assert_equal "${lines[3]}" "Preallocate, deallocate or inspect the disk space of each FILE."

  run --separate-stderr english --version
  assert_equal "${lines[1]}" "Copyright (C) 2026 the fallocate developers."

  run --separate-stderr english -v -l 1M f
  assert_equal "$status" 0
  assert_equal "$output" "f: 1 MiB (1048576 bytes) allocated."

  truncate -s 3000 h
  run --separate-stderr english -r -v h
  assert_equal "$status" 0
  assert_equal "$output" "file hole: offset 0 - 3000 (3000 bytes)

Summary:
file holes: 1 holes, 2.9 KiB (3000 bytes, 100.00% of the file)
data holes: 0 holes, 0 B (0 bytes, 0.00% of the file)"
}

@test "po/POTFILES.in lists every source file with messages, and only those" {
  local srcdir=$TESTS_SRCDIR/.. f listed
  listed=$(grep -v '^#' "$srcdir/po/POTFILES.in" | sed '/^$/d')
  while IFS= read -r f; do
    [[ -f $srcdir/$f ]] || fail "POTFILES.in lists '$f', which does not exist"
  done <<<"$listed"
  for f in "$srcdir"/src/*.[ch]; do
    f=src/${f##*/}
    if [[ $f != src/i18n.h ]] &&
        grep -Eq '(^|[^[:alnum:]_])(N?_\(|ngettext \()' "$srcdir/$f"; then
      grep -qxF "$f" <<<"$listed" || fail "$f marks messages but is not in po/POTFILES.in"
    else
      ! grep -qxF "$f" <<<"$listed" || fail "$f is in po/POTFILES.in but has no messages"
    fi
  done
}

@test "po/de.po translates every message of the sources" {
  command -v xgettext >/dev/null && command -v msgcmp >/dev/null ||
    ci_skip "needs xgettext and msgcmp (gettext)"
  local srcdir=$TESTS_SRCDIR/..
  (cd "$srcdir" && grep -v '^#' po/POTFILES.in | sed '/^$/d' |
     xgettext --files-from=- --keyword=_ --keyword=N_ --from-code=UTF-8 \
       --output="$BATS_TEST_TMPDIR/now.pot")
  # Every message of the sources has a translation that is neither
  # missing nor fuzzy.
  run msgcmp "$srcdir/po/de.po" "$BATS_TEST_TMPDIR/now.pot"
  assert_equal "$status" 0
  run msgfmt --check --statistics -o /dev/null "$srcdir/po/de.po"
  assert_equal "$status" 0
  assert_output --regexp '^[0-9]+ translated messages\.$'
}
