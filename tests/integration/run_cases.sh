#!/usr/bin/env bash
# The integration suite is data: every tests/cases/*.rehearsal is a case,
# and its "#!" comment lines say how to run it and what must come out.
#
#   #! args: --timeout 2s            extra options for techweek run
#   #! cmd: check                    run `techweek check` instead of run
#   #! paths: {cases}/other.rehearsal missing.rehearsal
#                                    more paths after the case itself
#   #! exit: 1                       the exit status (default 0)
#   #! stdout: TEXT                  TEXT appears in stdout (fixed string), read
#                                    as words: the summary fits 80 columns (no
#                                    terminal, no COLUMNS), so a line break and
#                                    the next line's indentation, or a run of
#                                    spaces, match one space
#   #! stderr: TEXT                  TEXT appears in stderr
#   #! not-output: TEXT              TEXT appears in none of stdout, stderr and
#                                    the reports (junit.xml, result.json,
#                                    readiness.html): secrets
#   #! junit: XPATH => VALUE         string(XPATH) of the JUnit report
#   #! json: JQ => VALUE             jq -r JQ of the JSON result
#   #! html: XPATH => VALUE          string(XPATH) of the HTML report
#   #! self: no                      do not pass the case file itself
#
# {stage} in args/paths/expectations (queries too) is the stage's base URL ({stagehost}
# its host:port), {cases} the cases folder, {root} the source tree,
# {hostile} the base URL of hostile_server.py (raw-socket misbehaviour the
# stage cannot do). Every JUnit report written is validated against the schema.
# Every run that wrote its reports must show one verdict everywhere: the
# exit status, the JSON's verdict and readiness.passed, the JUnit verdict
# property of every suite, the HTML title and badge, and the terminal.
#
# usage: run_cases.sh TECHWEEK STAGE SOURCE_ROOT [CASE...]
set -uo pipefail
techweek=$1 stage_bin=$2 root=$3
shift 3
cases_dir=$root/tests/cases
schema=$root/tests/schemas/junit.xsd # a copy of ../shared/schemas/junit.xsd

work=$(mktemp -d)
# Secrets the cases use; every case asserts they never reach the output.
# The summary fits 80 columns, as on a machine with no terminal.
unset COLUMNS
export STAGE_PASSWORD=lovelace
export TW_TEST_CARD=4111111111111111
# A secret every encoding changes: percent (space, @, /, ~, é), form (+),
# HTML (& < > " '), JSON (" \), base64 (6 bytes or more).
export TW_TEST_ODD='Op3n "s@y" <me>&~\x2/Iß'
export STAGE_AUTH_TOKEN=stage-auth-token   # the stage's default --auth-token
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
trap 'kill $stage_pid 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }
exec {hostile_fd}< <(exec python3 "$root/tests/integration/hostile_server.py")
hostile_pid=$!
trap 'kill $stage_pid $hostile_pid 2>/dev/null; rm -rf "$work"' EXIT
read -r hostile _ <&"$hostile_fd" || { echo "hostile_server.py did not start"; exit 1; }

# The one verdict (docs/readiness.md, The verdict), as each report shows it.
verdict_agrees() {
  local key passed want_exit title t
  key=$(jq -r .verdict "$out/result.json")
  passed=$(jq -r '.readiness.passed // "none"' "$out/result.json")
  case $key in
    passed) want_exit=0 ;; failed) want_exit=1 ;; script_error) want_exit=2 ;;
    unreachable) want_exit=3 ;; limited) want_exit=5 ;; interrupted) want_exit=130 ;;
    *) want_exit=unknown ;;
  esac
  [ "$got" = "$want_exit" ] || problems+=("exit status $got, but the JSON verdict is $key")
  if [ "$passed" != none ] && [ "$passed" != "$([ "$key" = passed ] && echo true || echo false)" ]; then
    problems+=("readiness.passed is $passed beside verdict $key")
  fi
  title=$(xmllint --xpath "string((//property[@name='verdict'])[1]/@value)" "$out/junit.xml" 2>/dev/null)
  [ -n "$title" ] || return 0 # no suite
  [ "$(xmllint --xpath "count(//property[@name='verdict'][@value!='$title'])" "$out/junit.xml")" = 0 ] ||
    problems+=("the JUnit suites disagree on the verdict")
  case $title in
    "READY: curtain up") [ "$key" = passed ] || problems+=("JUnit says $title, JSON $key") ;;
    *) [ "$key" != passed ] || problems+=("JUnit says $title, JSON $key") ;;
  esac
  grep -qE -- "(/100|readiness not scored) — $(sed 's/[][\.*^$()+?{}|]/\\&/g' <<<"$title")" "$out/stdout.words" ||
    problems+=("the terminal does not say: $title")
  # The verdict's reasons, the engine's one list (tw_verdict_reasons): every
  # sentence of the JUnit verdict's failure is in the HTML's list and the
  # terminal's (a long name cut there: its cause, after the first ": ").
  local reason html_reasons
  html_reasons=$(xmllint --html --xpath "//*[@id='reasons']/li" "$out/readiness.html" 2>/dev/null |
    sed -e 's/<[^>]*>//g' -e 's/&amp;/\&/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e "s/&#39;/'/g")
  while IFS= read -r reason; do
    [ -n "$reason" ] || continue
    grep -qF -- "$reason" <<<"$html_reasons" || problems+=("the HTML's reasons lack: $reason")
    reason=$(words <<<"$reason" | sed 's/ $//')
    grep -qF -- "$reason" "$out/stdout.words" || grep -qF -- "${reason#*: }" "$out/stdout.words" ||
      problems+=("the terminal's reasons lack: $reason")
  done < <(xmllint --xpath "string(//testcase[@name='readiness verdict']/failure)" "$out/junit.xml" 2>/dev/null)
  # ... and the JSON's "reasons" are the same sentences, in the same order.
  [ "$(jq -r '.reasons[].text' "$out/result.json")" = \
    "$(xmllint --xpath "string(//testcase[@name='readiness verdict']/failure)" "$out/junit.xml" 2>/dev/null | sed '/^$/d')" ] ||
    problems+=("the JSON's reasons are not the JUnit verdict's")
  t=$(xmllint --html --xpath "string(//title)" "$out/readiness.html" 2>/dev/null)
  case $t in *"— $title ·"*) ;; *) problems+=("the HTML title '$t' is not: $title") ;; esac
  t=$(xmllint --html --xpath "string(//*[@id='verdict'])" "$out/readiness.html" 2>/dev/null)
  case $t in *" $title") ;; *) problems+=("the HTML badge '$t' is not: $title") ;; esac
}

passed=0 failed=0
if [ $# -gt 0 ]; then cases=("$@"); else cases=("$cases_dir"/*.rehearsal); fi

subst() {
  local s=${1//\{stage\}/$stage}
  s=${s//\{stagehost\}/${stage#http://}}
  s=${s//\{hostile\}/$hostile}
  s=${s//\{root\}/$root}
  printf '%s' "${s//\{cases\}/$cases_dir}"
}

for case in "${cases[@]}"; do
  name=$(basename "$case" .rehearsal)
  out=$work/$name
  mkdir -p "$out"
  cmd=run args=() paths=() exit_want=0 self=("$case")
  mapfile -t directives < <(grep -E '^#! ' "$case" | sed 's/^#! //')
  for d in "${directives[@]}"; do
    case $d in
      "cmd: "*) cmd=${d#cmd: } ;;
      "args: "*) read -r -a more <<<"$(subst "${d#args: }")"; args+=("${more[@]}") ;;
      "paths: "*) read -r -a more <<<"$(subst "${d#paths: }")"; paths+=("${more[@]}") ;;
      "exit: "*) exit_want=${d#exit: } ;;
      "self: no") self=() ;;
    esac
  done
  if [ "$cmd" = run ]; then
    args=(--var "stage=$stage" --color never --junit "$out/junit.xml" --json "$out/result.json"
          --html "$out/readiness.html" "${args[@]}")
  fi
  "$techweek" "$cmd" "${args[@]}" "${self[@]}" "${paths[@]}" >"$out/stdout" 2>"$out/stderr" </dev/null
  got=$?
  # The summary's words, whatever the width broke its lines at.
  words() { tr '\n' ' ' | tr -s ' '; }
  words <"$out/stdout" >"$out/stdout.words"

  problems=()
  [ "$got" = "$exit_want" ] || problems+=("exit status $got, expected $exit_want")
  for d in "${directives[@]}"; do
    case $d in
      "stdout: "*) want=$(subst "${d#stdout: }")
        grep -qF -- "$(words <<<"$want" | sed 's/ $//')" "$out/stdout.words" ||
          problems+=("stdout lacks: $want") ;;
      "stderr: "*) want=$(subst "${d#stderr: }")
        grep -qF -- "$want" "$out/stderr" || problems+=("stderr lacks: $want") ;;
      "not-output: "*) want=$(subst "${d#not-output: }")
        for f in stdout stdout.words stderr junit.xml result.json readiness.html; do
          if grep -qF -- "$want" "$out/$f" 2>/dev/null; then
            problems+=("$f contains: $want"); fi
        done ;;
      "json: "*) expr=${d#json: }; query=$(subst "${expr%% => *}"); want=$(subst "${expr#* => }")
        have=$(jq -r "$query" "$out/result.json" 2>&1)
        [ "$have" = "$want" ] || problems+=("json $query is '$have', expected '$want'") ;;
      "junit: "*) expr=${d#junit: }; xpath=$(subst "${expr%% => *}"); want=$(subst "${expr#* => }")
        have=$(xmllint --xpath "string($xpath)" "$out/junit.xml" 2>&1)
        [ "$have" = "$want" ] || problems+=("junit $xpath is '$have', expected '$want'") ;;
      "html: "*) expr=${d#html: }; xpath=$(subst "${expr%% => *}"); want=$(subst "${expr#* => }")
        have=$(xmllint --html --xpath "string($xpath)" "$out/readiness.html" 2>/dev/null)
        [ "$have" = "$want" ] || problems+=("html $xpath is '$have', expected '$want'") ;;
    esac
  done
  if [ "$cmd" = run ] && [ "$got" != 4 ] && [ -f "$out/result.json" ]; then
    verdict_agrees
  fi
  # --junit-locations adds what the schema refuses, file and line on
  # <testcase> (docs/reports.md): the rest must still validate.
  xml=$out/junit.xml
  if [ -f "$xml" ] && [[ " ${args[*]} " == *" --junit-locations "* ]]; then
    sed -E 's/(<testcase [^>]*) file="[^"]*"( line="[0-9]+")?/\1/' "$xml" >"$out/junit-schema.xml"
    xml=$out/junit-schema.xml
  fi
  if [ -f "$xml" ] && ! xmllint --noout --schema "$schema" "$xml" 2>"$out/xsd"; then
    problems+=("JUnit report does not validate: $(tail -n 3 "$out/xsd")")
  fi

  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"
    printf '     %s\n' "${problems[@]}"
    echo "     --- stdout"; sed 's/^/     /' "$out/stdout" | head -40
    echo "     --- stderr"; sed 's/^/     /' "$out/stderr" | head -20
  fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
