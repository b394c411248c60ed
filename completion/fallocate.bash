# bash completion for fallocate(1), the GNU-style reimplementation.
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installed as "fallocate" in bash-completion's completions directory,
# where bash-completion loads it on the first <Tab> after "fallocate".
# It needs nothing but bash 4: no function of bash-completion is used.

# _fallocate: set COMPREPLY for word COMP_CWORD of COMP_WORDS.
# Options after "-", the advice names after --advise (as "--advise=X" or
# "--advise X"), nothing for the OFFSET and LENGTH of -o and -l, nothing
# at all after --help or --version, and file names otherwise (always
# after "--").
_fallocate ()
{
  local options='-c --collapse-range -d --dig-holes -i --insert-range
    -p --punch-hole -r --report-holes -u --unshare-range -w --write-zeroes
    -x --posix -z --zero-range -o --offset -l --length -n --keep-size
    --advise --force --progress -J --json -v --verbose -h --help
    -V --version'
  local advice='normal sequential random noreuse willneed dontneed'
  local cur=${COMP_WORDS[COMP_CWORD]} prev= option= prefix= i

  COMPREPLY=()
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --)
        _fallocate_files "$cur"
        return 0
        ;;
      -h | --help | -V | --version)
        return 0
        ;;
    esac
  done

  # The option whose argument is being completed, if any.  Where "=" is
  # in COMP_WORDBREAKS (bash's default), "--advise=wi" is the three words
  # "--advise", "=" and "wi"; elsewhere it is one word.
  if [[ $cur == = && $prev == --* ]]; then
    option=$prev
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    option=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    option=${cur%%=*}
    prefix=$option=
    cur=${cur#*=}
  else
    case $prev in
      --advise | -o | --offset | -l | --length) option=$prev ;;
    esac
  fi

  if [[ -n $option ]]; then
    if [[ $option == --advise ]]; then
      mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$advice" -- "$cur")
    fi
    return 0
  fi

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    return 0
  fi
  _fallocate_files "$cur"
}

# _fallocate_files WORD: set COMPREPLY to the file names that begin with
# WORD, marked as file names so that bash quotes them and puts a slash
# after a directory.  (compopt fails when the function is called outside
# a completion, as by a test; the names are the same then.)
_fallocate_files ()
{
  compopt -o filenames 2>/dev/null || :
  mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

complete -F _fallocate fallocate
