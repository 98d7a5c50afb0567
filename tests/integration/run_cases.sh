#!/usr/bin/env bash
# The integration suite is data: every tests/cases/*.rehearsal is a case,
# and its "#!" comment lines say how to run it and what must come out.
#
#   #! args: --timeout 2s            extra options for techweek run
#   #! cmd: check                    run `techweek check` instead of run
#   #! paths: {cases}/other.rehearsal missing.rehearsal
#                                    more paths after the case itself
#   #! exit: 1                       the exit status (default 0)
#   #! stdout: TEXT                  TEXT appears in stdout (fixed string)
#   #! stderr: TEXT                  TEXT appears in stderr
#   #! not-output: TEXT              TEXT appears in none of stdout, stderr and
#                                    the reports (junit.xml, result.json,
#                                    readiness.html): secrets
#   #! junit: XPATH => VALUE         string(XPATH) of the JUnit report
#   #! json: JQ => VALUE             jq -r JQ of the JSON result
#   #! self: no                      do not pass the case file itself
#
# {stage} in args/paths/expectations is the stage's base URL ({stagehost}
# its host:port), {cases} the cases folder, {root} the source tree,
# {hostile} the base URL of hostile_server.py (raw-socket misbehaviour the
# stage cannot do). Every JUnit report written is validated against the schema.
#
# usage: run_cases.sh TECHWEEK STAGE SOURCE_ROOT [CASE...]
set -uo pipefail
techweek=$1 stage_bin=$2 root=$3
shift 3
cases_dir=$root/tests/cases
schema=$root/tests/schemas/junit.xsd # a copy of ../shared/schemas/junit.xsd

work=$(mktemp -d)
# Secrets the cases use; every case asserts they never reach the output.
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

  problems=()
  [ "$got" = "$exit_want" ] || problems+=("exit status $got, expected $exit_want")
  for d in "${directives[@]}"; do
    case $d in
      "stdout: "*) want=$(subst "${d#stdout: }")
        grep -qF -- "$want" "$out/stdout" || problems+=("stdout lacks: $want") ;;
      "stderr: "*) want=$(subst "${d#stderr: }")
        grep -qF -- "$want" "$out/stderr" || problems+=("stderr lacks: $want") ;;
      "not-output: "*) want=$(subst "${d#not-output: }")
        for f in stdout stderr junit.xml result.json readiness.html; do
          if grep -qF -- "$want" "$out/$f" 2>/dev/null; then
            problems+=("$f contains: $want"); fi
        done ;;
      "json: "*) expr=${d#json: }; query=${expr%% => *}; want=$(subst "${expr#* => }")
        have=$(jq -r "$query" "$out/result.json" 2>&1)
        [ "$have" = "$want" ] || problems+=("json $query is '$have', expected '$want'") ;;
      "junit: "*) expr=${d#junit: }; xpath=${expr%% => *}; want=$(subst "${expr#* => }")
        have=$(xmllint --xpath "string($xpath)" "$out/junit.xml" 2>&1)
        [ "$have" = "$want" ] || problems+=("junit $xpath is '$have', expected '$want'") ;;
    esac
  done
  if [ -f "$out/junit.xml" ] && ! xmllint --noout --schema "$schema" "$out/junit.xml" 2>"$out/xsd"; then
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
