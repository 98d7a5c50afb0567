#!/usr/bin/env bash
# The shell completions (made from the option table at build time): the
# bash one, sourced in a bash of its own, completes commands, each
# command's options, the values that are files, folders or words, and the
# operands; it offers every option `techweek help COMMAND` lists and no
# other. The zsh one parses, and compinit files it under techweek (skipped,
# saying so, without zsh).
set -uo pipefail
bash_file=$(realpath "$1") zsh_file=$(realpath "$2") techweek=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL $*"; failed=1; }

mkdir -p "$work/dir/sub"
touch "$work/dir/a.rehearsal" "$work/dir/b.txt" "$work/dir/part.json"

# What bash offers for the command line $1, whose last word is being
# completed (an empty one after a trailing space), one sorted line.
complete_line() {
  (cd "$work/dir" && bash --norc --noprofile -c '
    source "$1" || exit 1
    read -ra COMP_WORDS <<<"$2"
    [[ $2 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$2 COMP_POINT=${#2}
    _techweek techweek "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' _ "$bash_file" "$1")
}

expect() {
  local got
  got=$(complete_line "$1")
  [ "$got" = "$2" ] && echo "ok   '$1<TAB>': $got" || fail "'$1<TAB>': got '$got', wanted '$2'"
}

expect "techweek r" "run"
expect "techweek " "--help --version check help merge run"
expect "techweek help m" "merge"
expect "techweek run --jo" "--jobs"
expect "techweek run --j" "--jobs --json --junit --junit-locations"
expect "techweek merge --j" "--json --junit --junit-locations"
expect "techweek check --v" "--var --vars-file"
expect "techweek run --color " "always auto never"
# --name=VALUE: bash splits the word at the '='.
expect "techweek merge --color = a" "always auto"
expect "techweek run --timeout " ""
expect "techweek run --json " "a.rehearsal b.txt part.json sub"
expect "techweek run --reports " "sub"
expect "techweek run -q " "a.rehearsal sub"
expect "techweek check a" "a.rehearsal"
expect "techweek merge " "part.json sub"

# Every option each command's help lists, and none other.
for cmd in run check merge; do
  want=$("$techweek" help "$cmd" | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' |
    sed 's/^ *//; s/, / /' | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
  want=$(printf '%s\n' $want --help -h | sort | tr '\n' ' ' | sed 's/ $//')
  got=$(complete_line "techweek $cmd -")
  [ "$got" = "$want" ] && echo "ok   techweek $cmd: the options of its help" ||
    fail "techweek $cmd -<TAB>: got '$got', the help lists '$want'"
done

if command -v zsh >/dev/null; then
  zsh -n "$zsh_file" && echo "ok   _techweek parses in zsh" || fail "_techweek does not parse in zsh"
  mkdir -p "$work/fpath" && cp "$zsh_file" "$work/fpath/_techweek"
  got=$(HOME=$work zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[techweek]' _ "$work/fpath")
  [ "$got" = "_techweek" ] && echo "ok   compinit files _techweek under techweek" ||
    fail "compinit: techweek completes with '$got'"
else
  echo "skipped: zsh is not installed (.ci/deps installs it)"
fi
exit $failed
