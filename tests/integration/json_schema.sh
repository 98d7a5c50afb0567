#!/usr/bin/env bash
# The JSON result as techweek really writes it validates against its schema
# (docs/results-schema.json): the sample rehearsals, failing cases (web and
# phone, with transcripts), a secret that must not show, a broken script
# beside a missing file, dress rehearsals (closed and open model), a run
# stopped by --bail, runs beyond techweek's limits and a run interrupted
# with Ctrl-C. The schema itself is
# checked against its metaschema first. A run's readiness score is checked
# with --gate where the CLI scores runs, and with the unit test's score
# built by hand (tests/unit/test_json.c, TW_JSON_KEEP) where TECHWEEK_BUILD
# names a build holding it.
#
# The validator is Debian's python3-jsonschema (.ci/deps installs it); the
# test is skipped, saying so, where it is missing.
#
# usage: json_schema.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
techweek=$1 stage_bin=$2 root=$3
schema=$root/docs/results-schema.json
cases=$root/tests/cases

# Debian's python3 first: the package's, not a python3 of someone's PATH.
python=
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import jsonschema' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIP json-schema: no JSON Schema validator (apt-get install python3-jsonschema, or .ci/deps)"
  exit 77
fi

# Prints one line per error, with its place in the document; fails when
# the schema is not a valid JSON Schema or any file does not validate.
validate() {
  "$python" - "$schema" "$@" <<'PY'
import json, sys
from jsonschema import validators
from jsonschema.exceptions import SchemaError

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
cls = validators.validator_for(schema)
try:
    cls.check_schema(schema)
except SchemaError as e:
    print(f"{sys.argv[1]} is not a valid JSON Schema: {e.message}")
    sys.exit(1)
v = cls(schema)
bad = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for e in errors[:20]:
        where = "/".join(map(str, e.absolute_path)) or "(top)"
        print(f"{path}: {where}: {e.message[:300]}")
    bad += len(errors)
sys.exit(1 if bad else 0)
PY
}

work=$(mktemp -d)
export STAGE_PASSWORD=lovelace
export TW_TEST_CARD=4111111111111111
export STAGE_AUTH_TOKEN=stage-auth-token
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
trap 'kill $stage_pid 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }

passed=0 failed=0
report() { # NAME PROBLEM...
  local name=$1
  shift
  if [ $# -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; printf '     %s\n' "$@"
  fi
}

# NAME EXIT_WANTED JQ_CHECK [techweek run arguments...]: runs, validates
# the result, and checks jq -e JQ_CHECK on it.
check() {
  local name=$1 want=$2 jqcheck=$3
  shift 3
  local out=$work/$name
  mkdir -p "$out"
  "$techweek" run --var "stage=$stage" --color never --reports "$out" \
    --json "$out/result.json" "$@" >"$out/stdout" 2>"$out/stderr" </dev/null
  local got=$? problems=()
  [ "$got" = "$want" ] || problems+=("exit status $got, expected $want: $(tail -n 3 "$out/stderr")")
  if [ ! -s "$out/result.json" ]; then
    problems+=("no JSON result written")
  else
    local errors
    errors=$(validate "$out/result.json" 2>&1) || problems+=("does not validate:" "$errors")
    jq -e "$jqcheck" "$out/result.json" >/dev/null 2>&1 || problems+=("jq -e '$jqcheck' does not hold")
  fi
  report "$name" "${problems[@]}"
}

# The schema alone (no document): is it a valid draft 2020-12 schema?
errors=$(validate 2>&1)
if [ $? -eq 0 ]; then report schema; else report schema "$errors"; fi

check samples 0 '.format == 9 and .shard == null and (.plan.rehearsals | length) >= 4 and .verdict == "passed" and (.rehearsals | length) >= 4
    and .settings.variables == ["stage", "probe_token"]' \
  --var probe_token=s3cr3t-never-shown "$root/rehearsals/"
if grep -qF s3cr3t-never-shown "$work/samples/result.json"; then
  report samples-no-values "a variable's value is in the JSON result"
else
  report samples-no-values
fi

check status-mismatch 1 '.rehearsals[0].scenes[0].transcript.failed_step.expected == "404"
    and .rehearsals[0].scenes[1].transcript == null' \
  "$cases/status-mismatch.rehearsal"
check ivr-hear-mismatch 1 '[.rehearsals[0].scenes[].transcript | select(. != null) | .text]
    | any(type == "string")' \
  "$cases/ivr-hear-mismatch.rehearsal"
check secrets 1 'true' "$cases/secrets.rehearsal"
if grep -qF 4111111111111111 "$work/secrets/result.json"; then
  report secrets-redacted "the card number is in the JSON result"
else
  report secrets-redacted
fi
check broken 2 '[.rehearsals[].status] | index("broken") != null' \
  "$cases/broken-beside-good.rehearsal" "$cases/data/broken.rehearsal" \
  "$cases/data/no-such-file.rehearsal"
check dress 0 '.schedule.performances == 20 and .schedule.customers == 5
    and .totals.performances == 80' \
  --performances 20 --customers 5 "$root/rehearsals/"
check shard-rehearsals 0 '.shard == {"index": 2, "count": 2, "mode": "rehearsals"}
    and (.rehearsals | length) == 2 and (.plan.rehearsals | length) == 4' \
  --performances 4 --customers 2 --shard 2/2 "$root/rehearsals/"
check shard-performances 0 '.shard.mode == "performances" and .totals.performances == 3
    and (.rehearsals[0].shown.scenes | length) > 0' \
  --performances 5 --shard 1/2 "$root/rehearsals/order-pizza.rehearsal"
check dress-open 0 '.schedule.model == "open"' \
  --rate 40/s --duration 1s --customers 20 "$cases/dress-open.rehearsal"
check bail 1 '.totals.stopped == "max_failures"' \
  --performances 100 --customers 1 --bail "$cases/status-mismatch.rehearsal"
# techweek's limits, phone and web: counted apart, verdict limited (limits-web's
# upload passes since attach: 4 limited)
check limited 5 '.verdict == "limited" and .totals.limited == 4
    and ([.rehearsals[].status] | unique) == ["limited", "passed"]
    and ([.rehearsals[].scenes[].transcript | select(. != null) | .status] | unique) == ["limited"]' \
  "$cases/limits-vxml-script.rehearsal" "$cases/limits-vxml-grammar.rehearsal" \
  "$cases/limits-say-keys-only.rehearsal" "$cases/limits-web.rehearsal" \
  "$cases/data/limits/web-contact.rehearsal" "$cases/verdict-ready.rehearsal"

# Against a baseline (docs/baseline.md): the same journey with one request
# more, found by its name, its steps regressed beyond the project's limit.
check baseline-before 0 '.baseline == null' "$cases/verdict-ready.rehearsal"
sed 's|^  get {{stage}}/$|  get {{stage}}/\n  get {{stage}}/|' "$cases/verdict-ready.rehearsal" \
  >"$work/grown.rehearsal"
printf '{"regression": {"score": 100, "outcome": "1%%", "p95": "1000000%%", "steps": 0, "time": "1000000%%"}}\n' \
  >"$work/regression.json"
check baseline 1 '.baseline.rehearsals[0].matched == "name" and .baseline.regressions[0].figure == "steps"
    and ([.baseline.rehearsals[0].touchpoints[] | select(.new)] | length) == 1 and .baseline.limits.steps == 0' \
  --baseline "$work/baseline-before/result.json" --project "$work/regression.json" "$work/grown.rehearsal"

# Ctrl-C during a dress rehearsal, synchronised on the first progress line
# as tests/integration/interrupt.sh does.
cat >"$work/slow.rehearsal" <<'R'
rehearsal "Slow customers"
scene "Browse" on web
  get {{stage}}/ping
  expect status 200
  pause 20s
  get {{stage}}/ping
R
mkdir -p "$work/interrupted"
mkfifo "$work/progress"
"$techweek" run --var "stage=$stage" --performances 1000 --customers 4 --progress 100ms \
  --reports "$work/interrupted" --color never "$work/slow.rehearsal" \
  >"$work/interrupted/stdout" 2>"$work/progress" &
pid=$!
exec 3<"$work/progress"
problems=()
if read -r _ <&3; then
  kill -INT "$pid"
  cat <&3 >/dev/null &
  drain=$!
  wait "$pid"
  status=$?
  wait "$drain"
  [ "$status" = 130 ] || problems+=("exit status $status, expected 130")
  result=$work/interrupted/result.json
  if [ -s "$result" ]; then
    errors=$(validate "$result" 2>&1) || problems+=("does not validate:" "$errors")
    jq -e '.totals.stopped == "interrupted"' "$result" >/dev/null 2>&1 ||
      problems+=("totals.stopped is not interrupted")
  else
    problems+=("no JSON result written")
  fi
else
  kill "$pid" 2>/dev/null
  wait "$pid"
  problems+=("no progress line")
fi
exec 3<&-
report interrupted "${problems[@]}"

# With a gate, the run is scored: readiness is filled in.
check gate 0 '.readiness.gate == 50 and ([.rehearsals[].readiness] | all(. != null))' \
  --gate 50 "$root/rehearsals/"

# Every field with a value, from the unit test's hand-built score.
unit=${TECHWEEK_BUILD:-}/tests/unit/test_json
if [ -n "${TECHWEEK_BUILD:-}" ] && [ -x "$unit" ]; then
  problems=()
  if TW_JSON_KEEP=$work/unit.json "$unit" >"$work/unit.log" 2>&1 && [ -s "$work/unit.json" ]; then
    errors=$(validate "$work/unit.json" 2>&1) || problems+=("does not validate:" "$errors")
    jq -e '.readiness.parts_weights != null and
        ([.rehearsals[].scenes[].touchpoints[].apdex | select(. != null)] | length) > 0' \
      "$work/unit.json" >/dev/null 2>&1 || problems+=("no readiness in the unit test's document")
  else
    problems+=("$unit failed: $(tail -n 5 "$work/unit.log")")
  fi
  report unit-readiness "${problems[@]}"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
