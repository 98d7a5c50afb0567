#!/usr/bin/env bash
# Makes the seed corpus of one fuzz target from the repository's own
# scripts and documents, so the seeds follow the code: the sample
# rehearsals and test cases, the docs' examples, and what the stage serves
# (its pages, TwiML and VoiceXML, its JSON, and the JSON results of real
# runs against it). Small hand-made seeds that cannot be derived live in
# tests/fuzz/corpus/TARGET and are used beside these.
#
# usage: seeds.sh TARGET OUT_DIR SOURCE_ROOT TECHWEEK STAGE
set -uo pipefail
target=$1 out=$2 root=$(realpath "$3") techweek=$(realpath "$4") stage_bin=$(realpath "$5")
mkdir -p "$out"
cd "$root"
seed() { # seed < CONTENT: one seed file (may run in a pipeline's subshell)
  cat >"$(mktemp "$out/seed-XXXXXX")"
}

# The samples' shared scenes (rehearsals/scenes) too: the samples use them
# for most of their steps, and a scene file parses on its own.
scripts() { ls rehearsals/*.rehearsal rehearsals/scenes/*.scene tests/cases/*.rehearsal \
  tests/cases/data/*.rehearsal tests/bench/*.rehearsal 2>/dev/null; }
# The fenced blocks of one language in the docs, one file each.
fenced() { # fenced LANG
  local i=0
  for md in README.md docs/*.md; do
    awk -v lang="$1" -v dir="$out" -v base="doc-$(basename "$md" .md)" '
      $0 == "```" lang { on = 1; f = sprintf("%s/%s-%d", dir, base, ++k); next }
      on && /^```/ { on = 0; close(f); next }
      on { print > f }' "$md"
  done
}
# Every step line of a kind in the scripts and the docs, once each.
steps() { # steps REGEX
  { scripts | xargs cat; cat docs/*.md; } | sed -n "s/^ *\($1\)/\1/p" | sed 's/ \+#.*//' | sort -u
}

stage_url=
start_stage() {
  export STAGE_PASSWORD=lovelace
  coproc STAGE { exec "$stage_bin" --port 0; }
  stage_pid=$STAGE_PID
  trap 'kill $stage_pid 2>/dev/null' EXIT
  read -r stage_url <&"${STAGE[0]}" || { echo "seeds.sh: the stage did not start" >&2; exit 1; }
}
get() { curl -s --max-time 10 "$@"; }

case $target in
language)
  for f in $(scripts); do seed <"$f"; done
  fenced rehearsal
  ;;
twiml|vxml)
  start_stage
  if [ "$target" = twiml ]; then
    paths="/voice /voice/menu /voice/order /voice/after-agent /signed/voice"
    for f in unknown-verb redirect-loop endless dtmf-only no-gather reject record enqueue \
             not-xml recorded; do paths+=" /voice/fault/$f"; done
    paths+=" /limits/twiml-keys"
    forms=("Digits=1" "Digits=2" "Digits=3" "SpeechResult=order+status&Confidence=0.9")
  else
    paths="/vxml /vxml/order /vxml/status /vxml/hours /vxml/fault/not-vxml /vxml/fault/ecmascript"
    paths+=" /limits/vxml-script /limits/vxml-grammar"
    forms=("choice=1" "choice=2" "order=1001" "utterance=hours")
  fi
  docs=()
  for p in $paths; do
    docs+=("$out/doc-${#docs[@]}")
    get -X POST -d "CallSid=CA0" "$stage_url$p" >"${docs[-1]}"
    for f in "${forms[@]}"; do get -X POST -d "$f" "$stage_url$p" | seed; done
  done
  # A whole call: the first documents in order, then the caller's actions.
  { for d in "${docs[@]:0:4}"; do cat "$d"; printf '\0'; done; printf '1s2.#h'; } | seed
  ;;
forms)
  start_stage
  get -s -X POST -d "name=Ada&phone=555&size=l&pizza=margherita" "$stage_url/order" >/dev/null
  actions=$(steps 'fill \|choose \|tick \|untick \|submit\b' |
    sed -E 's/"//g; s/^fill (.*) with (.*)$/fill \1=\2/; s/^choose (.*) from (.*)$/choose \2=\1/; s/^choose ([^=]*)$/choose =\1/')
  for p in / /pizza/margherita /pizza/marinara /pizza/pepperoni /login /hours /account /orders/1001; do
    get "$stage_url$p" >"$out/page"
    seed <"$out/page"
    { echo "$actions"; echo; cat "$out/page"; } | seed
    { steps 'click ' | sed 's/"//g'; echo; cat "$out/page"; } | seed
  done
  rm -f "$out/page"
  ;;
expect|jsonpath)
  start_stage
  get -X POST -H 'Content-Type: application/json' \
    -d '{"pizza":"margherita","name":"Ada","size":"l","extra_cheese":true}' "$stage_url/api/orders" >/dev/null
  get -D "$out/api.h" -o "$out/api.b" "$stage_url/api/orders/1001"
  get -D "$out/page.h" -o "$out/page.b" "$stage_url/pizza/margherita"
  get -D "$out/echo.h" -o "$out/echo.b" -X POST -d 'a=1&b=two' "$stage_url/echo"
  if [ "$target" = expect ]; then
    steps 'expect \|hear ' | while IFS= read -r line; do
      case $line in
        hear*|*transfer*|*recording*|*rejected*|*hangup*)
          { echo "$line"; echo; echo "Welcome to Stage Pizza. For the status of an order, press 1."; } | seed
          continue ;;
        *json*|*header*) r=api ;;
        *) r=page ;;
      esac
      { echo "$line"; tr -d '\r' <"$out/$r.h"; cat "$out/$r.b"; } | seed
    done
  else
    steps 'expect json ' | sed -E 's/^expect json ([^ ]+).*/\1/' | sort -u | while IFS= read -r q; do
      for r in api echo; do { echo "$q"; cat "$out/$r.b"; } | seed; done
    done
  fi
  rm -f "$out"/*.h "$out"/*.b
  ;;
project)
  fenced json
  ;;
merge)
  start_stage
  work=$(mktemp -d)
  run() { "$techweek" run --var "stage=$stage_url" --performances 2 -q --color never \
            --json "$work/$1.json" "${@:2}" >/dev/null 2>&1; }
  run full rehearsals/order-pizza.rehearsal rehearsals/kitchen-api.rehearsal tests/cases/missing-link.rehearsal
  run one tests/cases/status-mismatch.rehearsal
  run s1 --shard 1/2 rehearsals/order-pizza.rehearsal rehearsals/kitchen-api.rehearsal
  run s2 --shard 2/2 rehearsals/order-pizza.rehearsal rehearsals/kitchen-api.rehearsal
  run p1 --shard 1/2 rehearsals/call-about-order.rehearsal
  run p2 --shard 2/2 rehearsals/call-about-order.rehearsal
  seed <"$work/full.json"
  seed <"$work/one.json"
  { cat "$work/s1.json"; printf '\0'; cat "$work/s2.json"; } | seed
  { cat "$work/p2.json"; printf '\0'; cat "$work/p1.json"; } | seed
  rm -rf "$work"
  ;;
baseline)
  start_stage
  work=$(mktemp -d)
  run() { "$techweek" run --var "stage=$stage_url" --performances 2 -q --color never \
            --json "$work/$1.json" "${@:2}" >/dev/null 2>&1; }
  run full rehearsals/order-pizza.rehearsal rehearsals/kitchen-api.rehearsal tests/cases/missing-link.rehearsal
  run phone rehearsals/call-about-order.rehearsal
  run limited tests/cases/data/limits/vxml-script.rehearsal
  for f in full phone limited; do seed <"$work/$f.json"; done
  rm -rf "$work"
  ;;
datafile) # issue 13, DATA: the cases' data files
  for f in $(find tests/cases/data -name '*.csv' -o -name '*.jsonl' -o -name '*.ndjson'); do
    seed <"$f"
  done
  printf 'user,note\r\n"a, b","say ""hi"""\r\n"two\nlines",\r\n' | seed
  ;;
srgs) # issue 14, SRGS: the stage's grammars, each after a line of input
  start_stage
  for g in yesno.srgs digits.grxml common.grxml yesno.abnf; do
    for said in "yeah please" "1234567" "no"; do
      { echo "$said"; get "$stage_url/grammars/$g"; } | seed
    done
  done
  ;;
*) echo "seeds.sh: unknown target $target" >&2; exit 2 ;;
esac
# Empty seeds (a page that did not come) teach nothing.
find "$out" -type f -empty -delete
[ -n "$(ls -A "$out")" ] || { echo "seeds.sh: no seeds for $target" >&2; exit 1; }
