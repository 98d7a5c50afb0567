#!/usr/bin/env bash
# techweek run --shard I/N and techweek merge (docs/sharding.md): the merge
# of every shard equals the unsharded run's counts, in both modes (more
# rehearsals than shards: each shard performs some; fewer: each performs a
# share of the performances); the merged JUnit validates and has the same
# testsuites; the score is computed; and bad parts (truncated, another run,
# a repeated or missing shard, another format) are refused with exit 2, a
# message naming the file and no report written; so is a hostile part (a
# value missing or of another type: the file and JSON path named); and a
# part's script paths are only names: merge opens no script.
#
# usage: merge.sh TECHWEEK STAGE SOURCE_ROOT
set -uo pipefail
# Whole lines to grep: the summary as a terminal wide enough for any of
# them shows it (it fits 80 columns otherwise).
export COLUMNS=1000
techweek=$(realpath "$1") stage_bin=$(realpath "$2") root=$(realpath "$3")
schema=$root/tests/schemas/junit.xsd
work=$(mktemp -d)
export STAGE_PASSWORD=lovelace
coproc STAGE { exec "$stage_bin" --port 0; }
stage_pid=$STAGE_PID
trap 'kill $stage_pid 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }
cd "$root" # the shards run from the checkout, given paths relative to it

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

run() { # NAME ARGS... : a run writing NAME.json and NAME.xml
  local name=$1; shift
  "$techweek" run --var "stage=$stage" --performances 40 --customers 4 -q --color never \
    --json "$work/$name.json" --junit "$work/$name.xml" --html "$work/$name.html" "$@" \
    >"$work/$name.out" 2>&1
  echo $?
}

# Counts that must not depend on how the run was shared out.
counts='{totals: (.totals | {rehearsals, performances, achieved, failed, unreachable, broken, limited, planned, started, steps, requests}),
  rehearsals: [.rehearsals[] | {path, status, performances, achieved, failed, unreachable, broken, limited,
    tto: .time_to_outcome.count,
    scenes: [.scenes[] | {passed, failed, skipped,
      touchpoints: [.touchpoints[] | {count, passed, failed, failures, limited, requests, bytes_out}]}]}]}'
# Every histogram's buckets add up to its count.
buckets='[.. | objects | select(has("buckets") and has("count")) | select(([.buckets[][2]] | add // 0) != .count)] | length'

check_mode() { # LABEL MODE PATHS...
  local label=$1 mode=$2; shift 2
  local want_status
  want_status=$(run "$label-full" "$@")
  local s1 s2
  s1=$(run "$label-1" --shard 1/2 "$@")
  s2=$(run "$label-2" --shard 2/2 "$@")
  [ "$(jq -r .shard.mode "$work/$label-1.json")" = "$mode" ] || fail "$label: shard mode is not $mode"
  [ "$(jq -r '.shard | "\(.index)/\(.count)"' "$work/$label-2.json")" = 2/2 ] || fail "$label: shard 2/2 not recorded"
  [ "$(jq -r .shard "$work/$label-full.json")" = null ] || fail "$label: an unsharded run has a shard"
  "$techweek" merge --color never --json "$work/$label-m.json" --junit "$work/$label-m.xml" \
    --html "$work/$label-m.html" "$work/$label-2.json" "$work/$label-1.json" >"$work/$label-m.out" 2>&1
  local got=$?
  [ "$got" = "$want_status" ] || fail "$label: merge exit $got, the unsharded run's $want_status (shards: $s1 $s2)"
  diff <(jq -S "$counts" "$work/$label-full.json") <(jq -S "$counts" "$work/$label-m.json") >"$work/$label.diff" ||
    { fail "$label: merged counts differ from the unsharded run's"; head -40 "$work/$label.diff"; }
  [ "$(jq "$buckets" "$work/$label-m.json")" = 0 ] || fail "$label: merged bucket counts do not sum to the counts"
  [ "$(jq "$buckets" "$work/$label-1.json")" = 0 ] || fail "$label: shard bucket counts do not sum to the counts"
  xmllint --noout --schema "$schema" "$work/$label-m.xml" 2>"$work/$label-xsd" ||
    { fail "$label: merged JUnit does not validate"; cat "$work/$label-xsd"; }
  diff <(xmllint --xpath '//testsuite/@name' "$work/$label-full.xml") \
       <(xmllint --xpath '//testsuite/@name' "$work/$label-m.xml") >/dev/null ||
    fail "$label: merged JUnit has other testsuites"
  [ "$(jq -r '.readiness.score | type' "$work/$label-m.json")" = number ] || fail "$label: no score"
  [ "$(jq -r .readiness.score "$work/$label-m.json")" = "$(jq -r .readiness.score "$work/$label-full.json")" ] ||
    echo "note: $label: score $(jq -r .readiness.score "$work/$label-m.json") merged, $(jq -r .readiness.score "$work/$label-full.json") unsharded (timings differ run to run)"
  grep -q 'readiness' "$work/$label-m.out" || fail "$label: merge printed no verdict"
  [ -s "$work/$label-m.html" ] || fail "$label: no HTML report"
  echo "ok: $label ($mode mode)"
}

# 4 sample rehearsals and a failing case: more than 2 shards' worth.
check_mode rehearsals rehearsals rehearsals/ tests/cases/missing-link.rehearsal
# One rehearsal: each shard performs 20 of the 40.
check_mode one performances rehearsals/order-pizza.rehearsal
[ "$(jq .totals.performances "$work/one-1.json")" = 20 ] || fail "one: shard 1 did not perform 20"
# techweek's limit in one shard only: the merge is limited too, not READY,
# and nothing in it reads as cut off by the run's end.
check_mode limited rehearsals tests/cases/limits-say-keys-only.rehearsal tests/cases/verdict-ready.rehearsal
[ "$(jq -c '[.verdict, .totals.limited, .totals.interrupted]' "$work/limited-m.json")" = '["limited",40,0]' ] ||
  fail "limited: merged $(jq -c '[.verdict, .totals.limited, .totals.interrupted]' "$work/limited-m.json")"
# issue 15, LOOP: an open model's shards each carry start_lag_ms; their
# percentiles cannot be combined, so the merge keeps only the greatest max.
for i in 1 2; do
  "$techweek" run --var "stage=$stage" --rate 40/s --duration 1s --customers 4 -q --no-reports \
    --json "$work/open-$i.json" --shard $i/2 rehearsals/order-pizza.rehearsal >/dev/null 2>&1
done
"$techweek" merge --no-reports --json "$work/open-m.json" "$work/open-1.json" "$work/open-2.json" >/dev/null 2>&1
want=$(jq -s '[.[].totals.start_lag_ms.max] | max' "$work/open-1.json" "$work/open-2.json")
[ "$(jq -c '.totals.start_lag_ms | keys' "$work/open-m.json")" = '["max"]' ] &&
  [ "$(jq '.totals.start_lag_ms.max' "$work/open-m.json")" = "$want" ] ||
  fail "open: merged start_lag_ms $(jq -c .totals.start_lag_ms "$work/open-m.json"), want only max $want"
"$techweek" merge --no-reports --json "$work/closed-m.json" "$work/one-1.json" "$work/one-2.json" >/dev/null 2>&1
[ "$(jq '.totals | has("start_lag_ms")' "$work/closed-m.json")" = false ] ||
  fail "closed: a merge of closed-model shards has start_lag_ms"

# issue 13, FLOW: conditional scenes (the stage's coin: heads on odd
# tosses, 20 of 40 whoever tosses) merge with what they add: the scene's
# `when`, the performances it left the scene out of, and the shown
# performance's ran/why; a part whose `when` differs is another plan.
check_mode flow performances tests/cases/flow-dress.rehearsal
[ "$(jq -c '[.rehearsals[0].scenes[] | [.when, .not_run]]' "$work/flow-m.json")" = \
  '[[null,0],["{{heads}}",20],["not {{heads}}",20],["not {{open}}",40]]' ] ||
  fail "flow: merged $(jq -c '[.rehearsals[0].scenes[] | [.when, .not_run]]' "$work/flow-m.json")"
[ "$(jq -c '.rehearsals[0].shown.scenes[3] | [.ran, .why]' "$work/flow-m.json")" = '[false,"open is set"]' ] ||
  fail "flow: the shown performance's closed scene merged as $(jq -c '.rehearsals[0].shown.scenes[3]' "$work/flow-m.json")"
xmllint --xpath "string(//testcase[@name='Closed']/skipped/@message)" "$work/flow-m.xml" | grep -qxF 'when not {{open}}: not run in 40 of 40 performances; ran in none' ||
  fail "flow: the merged JUnit does not say why Closed was not run"
# F3 (trial T8): the scene the shown performance left out says how many
# performances left it out and ran it, the same merged as unsharded.
xmllint --xpath "substring-after(//testcase[@name='Pay' or @name='backstage: Tails']/skipped/@message, ': ')" "$work/flow-m.xml" |
  grep -qxF 'not run in 20 of 40 performances; ran in 20' ||
  fail "flow: the merged JUnit's left-out scene does not count the performances"
jq -c '.rehearsals[0].scenes[1].when = "{{tails}}"' "$work/flow-2.json" >"$work/flow-when.json"
"$techweek" merge --reports "$work/flow-when-out" "$work/flow-1.json" "$work/flow-when.json" >/dev/null 2>"$work/flow-when.err"
[ $? = 2 ] && grep -q "when" "$work/flow-when.err" || { fail "flow: a part with another when merged"; cat "$work/flow-when.err"; }

# issue 13, F1: a failing scene a use brought says which use led there;
# the JSON carries it (scene used_by), so the merge says it too.
check_mode use performances tests/cases/use-failure-twice.rehearsal
[ "$(jq -r '.rehearsals[0].scenes[1].used_by' "$work/use-m.json")" = tests/cases/use-failure-twice.rehearsal:17 ] ||
  fail "use: merged used_by $(jq -c '.rehearsals[0].scenes[1].used_by' "$work/use-m.json")"
grep -qF 'at tests/cases/data/use/look.scene:9 (used by tests/cases/use-failure-twice.rehearsal:17)' "$work/use-m.xml" ||
  fail "use: the merged JUnit failure does not say which use led there"
tr -s ' \n' ' ' <"$work/use-m.out" | grep -qF 'look.scene:9 (used by tests/cases/use-failure-twice.rehearsal:17)' ||
  { fail "use: the merged summary does not say which use led there"; cat "$work/use-m.out"; }

# A shard performs only its rehearsals: shard 2 of 2 has the 2nd and 4th.
[ "$(jq -c '[.rehearsals[].path]' "$work/rehearsals-2.json")" = \
  '["rehearsals/kitchen-api.rehearsal","rehearsals/returning-customer.rehearsal"]' ] ||
  fail "shard 2/2 performed $(jq -c '[.rehearsals[].path]' "$work/rehearsals-2.json")"

# Bad inputs: exit 2, the file named, nothing written.
bad() { # LABEL WANT_FILE PARTS...
  local label=$1 file=$2; shift 2
  rm -rf "$work/bad-out"
  "$techweek" merge --reports "$work/bad-out" "$@" >"$work/bad.out" 2>"$work/bad.err"
  local got=$?
  [ "$got" = 2 ] || fail "$label: exit $got, expected 2"
  grep -qF -- "$file" "$work/bad.err" || { fail "$label: the message does not name $file"; cat "$work/bad.err"; }
  [ ! -e "$work/bad-out" ] || fail "$label: reports were written"
  echo "ok: bad part: $label: $(head -1 "$work/bad.err")"
}
p1=$work/rehearsals-1.json p2=$work/rehearsals-2.json
head -c 300 "$p2" >"$work/truncated.json"
bad truncated "$work/truncated.json" "$p1" "$work/truncated.json"
bad "another plan" "$work/one-2.json" "$p1" "$work/one-2.json"
cp "$p2" "$work/copy.json"
bad "repeated shard" "$work/copy.json" "$p1" "$p2" "$work/copy.json"
bad "missing shard" "$p1" "$p1"
jq -c '.format = 2' "$p2" >"$work/format2.json"
bad "another format" "$work/format2.json" "$p1" "$work/format2.json"
jq -c '.techweek = "0.0.0-other"' "$p2" >"$work/version.json"
bad "another version" "$work/version.json" "$p1" "$work/version.json"
echo 'not json' >"$work/text.json"
bad "not JSON" "$work/text.json" "$work/text.json"

# A part is hostile input: a value missing, null, of another type or
# length is refused before anything is built (it used to crash after the
# reports were written), naming the file and the JSON path.
jq -c . "$p2" >"$work/p2-jq.json" # numbers as jq writes them, as in the hostile part
bad_at() { # JQ WANT_MESSAGE
  jq -c "$1" "$p1" >"$work/hostile.json"
  bad "$1" "$work/hostile.json" "$work/hostile.json" "$work/p2-jq.json"
  grep -qF -- "$work/hostile.json: $2" "$work/bad.err" ||
    { fail "$1: the message does not say '$2'"; cat "$work/bad.err"; }
}
steps='rehearsals[0].shown.scenes[0].steps'
n=$(jq '.rehearsals[0].shown.scenes[0].steps | length' "$p1")
bad_at "del(.$steps)" "$steps: expected an array of $n steps, got nothing"
bad_at ".$steps = null" "$steps: expected an array of $n steps, got null"
bad_at ".$steps = []" "$steps: expected an array of $n steps, got an array of 0"
bad_at ".$steps |= .[1:]" "$steps: expected an array of $n steps, got an array of $((n - 1))"
bad_at '.rehearsals[0].shown.scenes[0] = null' 'rehearsals[0].shown.scenes[0]: expected an object, got null'
bad_at '.rehearsals[0].shown.scenes[0] = 0' 'rehearsals[0].shown.scenes[0]: expected an object, got 0'
bad_at '.rehearsals[0].shown.scenes[0] = ""' 'rehearsals[0].shown.scenes[0]: expected an object, got a string'
bad_at '.rehearsals[0].scenes[0].touchpoints[0].latency = 0' \
  'rehearsals[0].scenes[0].touchpoints[0].latency: expected an object, got 0'
bad_at '.totals.planned = -1' 'totals.planned: expected a whole number from 0'

# The project file is checked against the merged run as against a run: a
# gates rule one edit from a rehearsal's name, which no rule names, is a
# typo (exit 2, nothing written); a rule for a rehearsal not in the run is
# a warning.
echo '{"gates": [{"rehearsal": "Order a pizza onlin", "require": "100%"}]}' >"$work/typo.json"
bad "a typo in a gates rule" "$work/typo.json: usage error: gates[0]: no rehearsal of this run is named 'Order a pizza onlin' (did you mean 'Order a pizza online'?" \
  --project "$work/typo.json" "$p1" "$p2"
echo '{"gates": [{"rehearsal": "Refund", "minimum": 50}]}' >"$work/subset.json"
"$techweek" merge --no-reports "$p1" "$p2" >/dev/null 2>&1
want=$?
"$techweek" merge --no-reports --project "$work/subset.json" "$p1" "$p2" >/dev/null 2>"$work/subset.err"
got=$?
[ "$got" = "$want" ] || fail "a rule for a rehearsal not in the run: merge exit $got, without it $want"
grep -qF "$work/subset.json: warning: gates[0]: no rehearsal of this run is named 'Refund'" "$work/subset.err" ||
  { fail "a rule for a rehearsal not in the run: no warning"; cat "$work/subset.err"; }

# A part's script paths are only names (merge opens no script,
# docs/sharding.md): a path outside the current folder, or one naming a
# file that is not a script, merges as the parts say, and nothing such a
# file holds is shown.
"$techweek" merge --no-reports "$p1" "$p2" >/dev/null 2>&1
want=$?
word=$(grep -v -e '^#' -e '^$' README.md | head -1 | awk '{print $1}') # its first word of text
for path in /etc/passwd ../etc/passwd rehearsals/../../etc/passwd README.md; do
  jq -c --arg p "$path" '.plan.rehearsals[0].path = $p | .rehearsals[0].path = $p' "$p1" >"$work/renamed-1.json"
  jq -c --arg p "$path" '.plan.rehearsals[0].path = $p' "$p2" >"$work/renamed-2.json"
  "$techweek" merge --color never --json "$work/renamed.json" --junit "$work/renamed.xml" \
    "$work/renamed-1.json" "$work/renamed-2.json" >"$work/renamed.out" 2>&1
  got=$?
  [ "$got" = "$want" ] || { fail "a part naming $path: merge exit $got, expected $want"; tail -3 "$work/renamed.out"; }
  [ "$(jq -r '.rehearsals[0].path' "$work/renamed.json" 2>/dev/null)" = "$path" ] ||
    fail "a part naming $path: the merged rehearsal is not named so"
  grep -qF -e 'root:' -e "$word" "$work/renamed.out" "$work/renamed.json" "$work/renamed.xml" &&
    fail "merge showed what $path holds"
done
echo "ok: a part's script paths are names: no script read"

# The recipes of docs/sharding.md, run as written there (only the paths,
# the stage's URL and where the parts travel are this machine's): each
# shard writes its part with --no-reports --json, and the merge of the
# four parts reaches a verdict with every report written.
doc=$root/docs/sharding.md
recipe() { # LABEL MERGE_CMD SHARD_CMD (for shard $shard, pod $JOB_COMPLETION_INDEX)
  local label=$1 merge_cmd=$2 shard_cmd=$3 dir=$work/recipe-$1
  mkdir -p "$dir/parts" && ln -s "$root/rehearsals" "$dir/rehearsals"
  for shard in 1 2 3 4; do
    (cd "$dir" && JOB_COMPLETION_INDEX=$((shard - 1)) && eval "$shard_cmd") >"$dir/shard-$shard.out" 2>&1 ||
      fail "$label recipe: shard $shard exited $? (the recipe's command exits 0 once the part is written)"
    [ -s "$dir/parts/part-$shard.json" ] ||
      { fail "$label recipe: shard $shard wrote no part"; tail -3 "$dir/shard-$shard.out"; }
  done
  (cd "$dir" && eval "$merge_cmd") >"$dir/merge.out" 2>&1
  local got=$? want
  case $(jq -r .verdict "$dir/parts/reports/result.json" 2>/dev/null) in
    passed) want=0 ;; failed) want=1 ;; *) want="a verdict" ;;
  esac
  [ "$got" = "$want" ] || { fail "$label recipe: merge exit $got, expected $want"; tail -3 "$dir/merge.out"; }
  [ "$(jq .totals.performances "$dir/parts/reports/result.json" 2>/dev/null)" = 1600 ] ||
    fail "$label recipe: the merge did not count 4 x 400 performances"
  [ -s "$dir/parts/reports/junit.xml" ] && [ -s "$dir/parts/reports/readiness.html" ] ||
    fail "$label recipe: the merge wrote not every report"
  echo "ok: the $label recipe of docs/sharding.md (merge exit $got)"
}
# Continuation lines are kept as they are: the shell reads them as one command.
gh_shard=$(sed -n '/techweek run --shard \${{ matrix.shard }}/,/|| true$/p' "$doc" |
  sed -e 's|build/plain/harness/techweek|"$techweek"|' -e 's|\${{ matrix.shard }}|$shard|g' \
      -e 's|http://127.0.0.1:8080|$stage|' -e 's| part-\$shard.json| parts/part-$shard.json|')
gh_merge=$(sed -n 's|^ *run: build/plain/harness/techweek merge|"$techweek" merge|p' "$doc" |
  sed 's|--reports reports|--reports parts/reports|')
[ -n "$gh_shard" ] && [ -n "$gh_merge" ] || fail "the GitHub Actions recipe was not found in $doc"
recipe "GitHub Actions" "$gh_merge" "$gh_shard"
# The Indexed Job's folded command, one line; /parts is the shared volume.
k8s_shard=$(sed -n '/^ *- >$/,/volumeMounts:/p' "$doc" | sed -e '1d' -e '$d' | tr '\n' ' ' |
  sed -e 's|^ *techweek |"$techweek" |' -e 's|/parts/|parts/|g' -e 's|http://stage.rehearsal.svc:8080|$stage|')
k8s_merge=$(sed -n 's|^ *- techweek merge|"$techweek" merge|p' "$doc" | sed 's|/parts/|parts/|g')
[ -n "$k8s_shard" ] && [ -n "$k8s_merge" ] || fail "the Kubernetes recipe was not found in $doc"
recipe Kubernetes "$k8s_merge" "$k8s_shard"

# A shard with nothing to do (docs/sharding.md): shard 2 of 2 when every
# script is broken (shard 1 reports them), or when there is one
# performance. It holds no rehearsal, says so, is not READY (exit 3,
# "unreachable"; never "1 passed" for nothing performed), started none; and
# the merge with shard 1 gives the unsharded run's verdict.
empty_shard() { # LABEL PERFORMANCES PATHS...
  local label=$1 perf=$2; shift 2
  local args=(--var "stage=$stage" --performances "$perf" --color never --json)
  "$techweek" run "${args[@]}" "$work/$label-full.json" --no-reports "$@" >"$work/$label-full.out" 2>&1
  local want=$?
  "$techweek" run "${args[@]}" "$work/$label-1.json" --no-reports --shard 1/2 "$@" >"$work/$label-1.out" 2>&1
  "$techweek" run "${args[@]}" "$work/$label-2.json" --no-reports --shard 2/2 "$@" >"$work/$label-2.out" 2>&1
  local got=$?
  [ "$got" = 3 ] || fail "$label: the empty shard exits $got, expected 3"
  [ "$(jq -c '[.verdict, .totals.planned, .totals.started, (.rehearsals | length)]' "$work/$label-2.json")" = \
    '["unreachable",0,0,0]' ] ||
    fail "$label: the empty shard's [verdict, planned, started, rehearsals] are $(jq -c '[.verdict, .totals.planned, .totals.started, (.rehearsals | length)]' "$work/$label-2.json")"
  grep -q "curtain up" "$work/$label-2.out" && fail "$label: the empty shard says READY"
  grep -q " 0 passed" "$work/$label-2.out" || fail "$label: the empty shard does not say 0 passed"
  grep -q "nothing to rehearse in shard 2 of 2" "$work/$label-2.out" ||
    { fail "$label: the empty shard does not say it had nothing to do"; cat "$work/$label-2.out"; }
  "$techweek" merge --color never --no-reports --json "$work/$label-m.json" \
    "$work/$label-1.json" "$work/$label-2.json" >"$work/$label-m.out" 2>&1
  got=$?
  [ "$got" = "$want" ] || fail "$label: merge exits $got, the unsharded run $want"
  [ "$(jq -r .verdict "$work/$label-m.json")" = "$(jq -r .verdict "$work/$label-full.json")" ] ||
    fail "$label: merged verdict $(jq -r .verdict "$work/$label-m.json"), unsharded $(jq -r .verdict "$work/$label-full.json")"
  echo "ok: empty shard: $label (merge exit $got)"
}
printf 'rehearsal "B%s"\nscene "x"\n  visit {{nosuch}}/\n' 1 >"$work/broken1.rehearsal"
printf 'rehearsal "B%s"\nscene "x"\n  visit {{nosuch}}/\n' 2 >"$work/broken2.rehearsal"
empty_shard broken 1 "$work/broken1.rehearsal" "$work/broken2.rehearsal"
[ "$(jq -r .verdict "$work/broken-m.json")" = script_error ] || fail "broken: the merge is not script_error"
empty_shard one-performance 1 tests/cases/verdict-ready.rehearsal
[ "$(jq -r .verdict "$work/one-performance-m.json")" = passed ] || fail "one-performance: the merge is not passed"

# issue 13, SUITE: the selection (--tag, --skip-tag, --name) and the
# environment (--env) of the shards are the merged run's, in every report.
printf '{"environments": {"ci": {"vars": {"who": "ci"}}}}\n' >"$work/project-env.json"
for i in 1 2; do
  run "select-$i" --shard "$i/2" --skip-tag phone --env ci --project "$work/project-env.json" \
    rehearsals/ >/dev/null
done
"$techweek" merge --color never --json "$work/select-m.json" --junit "$work/select-m.xml" \
  --html "$work/select-m.html" "$work/select-1.json" "$work/select-2.json" >"$work/select-m.out" 2>&1
[ "$(jq -r '"\(.environment) \(.selection.skip_tags[0]) \(.selection.selected)/\(.selection.considered) \(.selection.left_out[0].why)"' "$work/select-m.json")" = "ci phone 3/4 with tag phone" ] ||
  fail "select: the merge lost the selection or the environment: $(jq -c '[.environment, .selection]' "$work/select-m.json")"
grep -q 'selected 3 of 4 rehearsals: 1 with tag phone' "$work/select-m.out" || fail "select: the merged summary does not say what was left out"
grep -q '  environment ci' "$work/select-m.out" || fail "select: the merged summary does not name the environment"
[ "$(xmllint --xpath 'string((//property[@name="techweek.selection"])[1]/@value)' "$work/select-m.xml")" = "--skip-tag phone" ] ||
  fail "select: the merged JUnit has no techweek.selection"

# --shard's values are checked.
for v in 0/2 3/2 1/0 2 a/b 1/1001 -1/2; do
  "$techweek" run --shard "$v" --no-reports rehearsals/ >/dev/null 2>&1
  got=$?
  [ "$got" = 2 ] || fail "--shard $v: exit $got, expected 2"
done

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all merge checks passed"
