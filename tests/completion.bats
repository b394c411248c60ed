#!/usr/bin/env bats
# The bash completion (completion/fallocate.bash): the function is driven
# the way bash drives it, through COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT, and COMPREPLY is compared exactly.  Its option list is
# checked against the options table of src/request.c and against --help,
# so that an option added to the program cannot be left out.

load "$TESTS_SRCDIR/helpers/common"

COMPLETION=$TESTS_SRCDIR/../completion/fallocate.bash
REQUEST_C=$TESTS_SRCDIR/../src/request.c

setup() {
  check_fallocate_built
  cd "$BATS_TEST_TMPDIR"
  # shellcheck source=../completion/fallocate.bash
  source "$COMPLETION"
}

# complete_words WORD...: run the completion for the command line made of
# WORD... (the last one is the word being completed, possibly empty), as
# bash would with "=" in COMP_WORDBREAKS; the replies end up in REPLY_LIST,
# one per element, in the order the function gave them.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=(unset)
  _fallocate fallocate "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  REPLY_LIST=("${COMPREPLY[@]}")
}

# assert_replies WORD...: REPLY_LIST is exactly WORD... (none: empty).
assert_replies() {
  local want got
  want=$(printf '<%s>' "$@")
  got=$(printf '<%s>' "${REPLY_LIST[@]}")
  [[ $got == "$want" ]] ||
    fail "for '${COMP_LINE}': COMPREPLY is ${got:-(empty)}, expected ${want:-(empty)}"
}

# table_options: every option of the table in src/request.c, one per
# line, "-X" for each letter of short_options and "--NAME" for each entry
# of long_options, sorted.
table_options() {
  local shorts
  shorts=$(sed -n 's/^static char const short_options\[\] = "\(.*\)";$/\1/p' "$REQUEST_C")
  [[ -n $shorts ]] || fail "no short_options in $REQUEST_C"
  {
    grep -o '[[:alnum:]]' <<<"$shorts" | sed 's/^/-/'
    sed -n '/^static struct option const long_options/,/^};/s/^ *{"\([a-z-]*\)",.*/--\1/p' \
        "$REQUEST_C"
  } | LC_ALL=C sort
}

# help_options: every option --help lists ("-X, --NAME" or "--NAME" at
# the start of a line), one per line, sorted.
help_options() {
  "$FALLOCATE" --help |
    grep -oE '^ +(-[[:alnum:]], )?--[a-z-]+' |
    grep -oE -- '--?[[:alnum:]][a-z-]*' | LC_ALL=C sort
}

# help_options_with_argument: the options --help shows with "=ARG", and
# the short option beside each, one per line.
help_options_with_argument() {
  "$FALLOCATE" --help |
    grep -oE '^ +(-[[:alnum:]], )?--[a-z-]+=' |
    grep -oE -- '--?[[:alnum:]][a-z-]*'
}

@test "after '-': exactly the options of the program's table and of --help" {
  local table help
  table=$(table_options)
  help=$(help_options)
  [[ $(wc -l <<<"$table") -gt 20 ]] || fail "too few options parsed: $table"
  assert_equal "$help" "$table"
  complete_words fallocate -
  assert_equal "$(printf '%s\n' "${REPLY_LIST[@]}" | LC_ALL=C sort)" "$table"
  # Each once.
  assert_equal "${#REPLY_LIST[@]}" "$(wc -l <<<"$table")"
}

@test "after '--' and a prefix: the matching long options, in order" {
  complete_words fallocate --
  assert_replies --collapse-range --dig-holes --insert-range --punch-hole \
    --report-holes --unshare-range --write-zeroes --posix --zero-range \
    --offset --length --keep-size --advise --force --progress --json \
    --verbose --help --version
  complete_words fallocate -v --p
  assert_replies --punch-hole --posix --progress
  complete_words fallocate --dig
  assert_replies --dig-holes
  complete_words fallocate -J
  assert_replies -J
  complete_words fallocate --nonsense
  assert_replies
}

@test "--advise=: the six advice names of the table, in the table's order" {
  local names
  names=$(sed -n '/^char const \*const advice_names\[\] =/,/^};/p' "$REQUEST_C" |
            grep -oE '"[a-z]+"' | tr -d '"')
  assert_equal "$(echo $names)" "normal sequential random noreuse willneed dontneed"
  "$FALLOCATE" --help | grep -F "ADVICE is normal, sequential, random, noreuse, willneed or dontneed." ||
    fail "--help names other advice"
  # bash splits "--advise=" at the "=" (COMP_WORDBREAKS).
  complete_words fallocate --advise =
  assert_replies $names
  complete_words fallocate -o 1M --advise = no
  assert_replies normal noreuse
  complete_words fallocate --advise = d
  assert_replies dontneed
  complete_words fallocate --advise = x
  assert_replies
}

@test "'--advise ADVICE' as a separate word" {
  complete_words fallocate --advise ''
  assert_replies normal sequential random noreuse willneed dontneed
  complete_words fallocate -l 1G --advise s
  assert_replies sequential
}

@test "--advise=X as one word (no '=' in COMP_WORDBREAKS): the whole word" {
  complete_words fallocate --advise=
  assert_replies --advise=normal --advise=sequential --advise=random \
    --advise=noreuse --advise=willneed --advise=dontneed
  complete_words fallocate --advise=w
  assert_replies --advise=willneed
}

@test "no completion for the argument of an option that takes one" {
  touch offset-file
  local opt args
  args=$(help_options_with_argument)
  assert_equal "$(echo $args)" "-o --offset -l --length --advise"
  for opt in $args; do
    [[ $opt == --advise ]] && continue
    complete_words fallocate "$opt" ''
    assert_replies
    complete_words fallocate "$opt" o
    assert_replies
    if [[ $opt == --* ]]; then
      complete_words fallocate "$opt" = ''
      assert_replies
      complete_words fallocate "$opt=o"
      assert_replies
    fi
  done
}

@test "operands: file names, after options and after '--'" {
  mkdir sub
  touch -- 'a file' another -dash.img sub/inner
  complete_words fallocate ''
  assert_equal "$(printf '%s\n' "${REPLY_LIST[@]}" | LC_ALL=C sort)" \
    "$(printf '%s\n' -dash.img 'a file' another sub)"
  complete_words fallocate -l 1M -v a
  assert_equal "$(printf '%s\n' "${REPLY_LIST[@]}" | LC_ALL=C sort)" \
    "$(printf '%s\n' 'a file' another)"
  complete_words fallocate -d sub/
  assert_replies sub/inner
  complete_words fallocate --advise = willneed an
  assert_replies another
  complete_words fallocate -o 4K -l 4K ''
  assert_equal "${#REPLY_LIST[@]}" 4
  # After "--" a word that begins with "-" is a file name.
  complete_words fallocate -p -l 4K -- -
  assert_replies -dash.img
  complete_words fallocate -- --
  assert_replies
}

@test "nothing after --help, -h, --version or -V" {
  touch afile
  local opt
  for opt in --help -h --version -V; do
    complete_words fallocate "$opt" ''
    assert_replies
    complete_words fallocate "$opt" -
    assert_replies
    complete_words fallocate -v "$opt" --advise =
    assert_replies
  done
}

@test "the file registers _fallocate for the command fallocate" {
  run complete -p fallocate
  assert_success
  assert_output "complete -F _fallocate fallocate"
}

@test "bash-completion loads it by the command's name from a completions directory" {
  local bc=/usr/share/bash-completion/bash_completion
  if [[ ! -r $bc ]]; then
    ci_skip "bash-completion is not installed"
    return
  fi
  mkdir -p user/completions
  cp "$COMPLETION" user/completions/fallocate
  # A fresh shell, without this file sourced: bash-completion finds it
  # through BASH_COMPLETION_USER_DIR, as it finds the installed one.
  BASH_COMPLETION_USER_DIR=$PWD/user run bash -c '
    source "$1" || exit 2
    complete -r fallocate 2>/dev/null
    __load_completion fallocate || exit 3
    complete -p fallocate
    COMP_WORDS=(fallocate --advise = wi) COMP_CWORD=3
    _fallocate
    printf "%s\n" "${COMPREPLY[@]}"' bash "$bc"
  assert_success
  assert_output "complete -F _fallocate fallocate
willneed"
}
