#!/usr/bin/env bash
# Writing the reports when things go wrong: a signal while they are being
# written, a full disk, and report paths that a rename must not replace
# (devices, pipes, FIFOs, symlinks). A run's reports are all new or all as
# they were, no temporary file is left behind, and the exit status says
# what happened (docs/reports.md, "Writing the reports").
# Synchronised on techweek's own output, and on a FIFO this script opens
# only after sending the signal; never on a sleep.
set -uo pipefail
techweek=$1 stage_bin=$2
source "$(dirname "$0")/start_stage.sh"

for name in Old New; do
  cat >"$work/$name.rehearsal" <<R
rehearsal "$name run"
scene "Ping" on web
  get {{stage}}/ping
  expect status 200
R
done
run() { "$techweek" run --var "stage=$stage" --color never "$@"; }
failed=0
report() { # NAME PROBLEM...
  local name=$1; shift
  if [ $# -eq 0 ]; then echo "ok   $name"; return; fi
  echo "FAIL $name"; printf '     %s\n' "$@"; failed=1
}
temporaries() { find "$@" -maxdepth 1 -name '*.tmp-*' | head -3; }
# Copies of the reports in $1, to compare with after a failed run.
keep() { rm -rf "$1.kept"; cp -a "$1" "$1.kept"; }
unchanged() { diff -r "$1.kept" "$1" >/dev/null; }

# 1. SIGTERM while the reports are being written: the JUnit report goes to
# a FIFO, so techweek waits there, inside report writing, until the signal
# has been sent and this script opens the FIFO. The reports are finished,
# all new, and the status is 130.
p=()
rep=$work/signal
run --reports "$rep" "$work/Old.rehearsal" >/dev/null
mkfifo "$work/junit.fifo" "$work/stdout.fifo"
ln "$work/junit.fifo" "$work/junit.same" # the FIFO, whatever becomes of its name
"$techweek" run --var "stage=$stage" --color never --reports "$rep" \
  --junit "$work/junit.fifo" "$work/New.rehearsal" >"$work/stdout.fifo" 2>"$work/signal.err" &
pid=$!
exec 3<"$work/stdout.fifo"
# The verdict ends the summary: from here on techweek writes reports.
while IFS= read -r line <&3; do
  printf '%s\n' "$line" >>"$work/signal.out"
  case $line in *readiness*) break ;; esac
done
kill -TERM "$pid"
cat "$work/junit.fifo" >"$work/junit-read.xml" &
reader=$!
cat <&3 >>"$work/signal.out"
wait "$pid"
status=$?
# A techweek that died, or replaced the FIFO, never opened it: release
# the reader.
exec 4<>"$work/junit.same"; exec 4>&-
wait "$reader"
[ "$status" = 130 ] || p+=("exit status $status, expected 130")
[ -p "$work/junit.fifo" ] || p+=("the FIFO was replaced by a file")
grep -q '<testsuite .*name="New run"' "$work/junit-read.xml" ||
  p+=("the JUnit report never came through the FIFO")
[ "$(jq -r '.rehearsals[0].name' "$rep/result.json" 2>&1)" = "New run" ] ||
  p+=("result.json is not the new run's")
grep -q "New run" "$rep/readiness.html" || p+=("readiness.html is not the new run's")
[ -z "$(temporaries "$rep" "$work")" ] || p+=("temporary files left: $(temporaries "$rep" "$work")")
grep -q "JSON result: $rep/result.json" "$work/signal.out" ||
  p+=("the summary does not list the JSON result")
grep -q "interrupted" "$work/signal.err" || p+=("stderr does not say the run was interrupted")
report "SIGTERM while writing the reports" "${p[@]}"

# 2. A full disk, as RLIMIT_FSIZE makes it (SIGXFSZ ignored, so the write
# fails with EFBIG): the reports are all the old run's, none is listed as
# written, no temporary file is left, and the status is 4.
p=()
rep=$work/full
run --reports "$rep" "$work/Old.rehearsal" >/dev/null
keep "$rep"
(ulimit -f 4; trap '' XFSZ; exec "$techweek" run --var "stage=$stage" --color never \
   --reports "$rep" "$work/New.rehearsal") >"$work/full.out" 2>"$work/full.err"
status=$?
[ "$status" = 4 ] || p+=("exit status $status, expected 4")
unchanged "$rep" || p+=("the reports are not all the old ones: $(diff -rq "$rep.kept" "$rep" | head -3)")
[ -z "$(temporaries "$rep")" ] || p+=("temporary files left: $(temporaries "$rep")")
grep -q "$rep/.*File too large" "$work/full.err" || p+=("stderr does not name the report and the cause")
! grep -q "report: \|result: " "$work/full.out" || p+=("stdout lists a report as written")
report "a full disk keeps all the old reports" "${p[@]}"

# 3. A character device: written through, a failure reported. /dev/full is
# made in the scratch folder (mknod needs root), so that a rename over it
# cannot touch the real one.
p=()
rep=$work/device
if mknod "$work/full-device" c 1 7 2>/dev/null; then
  run --reports "$rep" "$work/Old.rehearsal" >/dev/null
  keep "$rep"
  run --reports "$rep" --junit "$work/full-device" "$work/New.rehearsal" \
    >"$work/device.out" 2>"$work/device.err"
  status=$?
  [ "$status" = 4 ] || p+=("exit status $status, expected 4")
  [ -c "$work/full-device" ] || p+=("the device was replaced by a file")
  grep -q "$work/full-device.*No space left on device" "$work/device.err" ||
    p+=("stderr does not name the device and ENOSPC: $(head -3 "$work/device.err")")
  unchanged "$rep" || p+=("the other reports are not all the old ones")
  [ -z "$(temporaries "$rep" "$work")" ] || p+=("temporary files left")
  report "a full character device is reported" "${p[@]}"
else
  echo "skip a full character device (mknod not permitted)"
fi

# 4. A symlink to this process's stdout (a pipe), as /dev/stdout is: the
# JSON comes down the pipe and the link stays a link.
p=()
ln -s /proc/self/fd/1 "$work/to-stdout"
name=$(run --quiet --reports "$work/pipe" --json "$work/to-stdout" "$work/New.rehearsal" |
  jq -r '.rehearsals[0].name' 2>&1)
statuses=("${PIPESTATUS[@]}")
[ "${statuses[0]}" = 0 ] || p+=("exit status ${statuses[0]}, expected 0")
[ "$name" = "New run" ] || p+=("the JSON did not come down the pipe: '$name'")
[ -L "$work/to-stdout" ] || p+=("the symlink was replaced by a file")
report "a symlink to a pipe is written through" "${p[@]}"

# 5. A symlink to a report elsewhere: the target is replaced atomically,
# the link stays.
p=()
mkdir "$work/real"
run --reports "$work/real" "$work/Old.rehearsal" >/dev/null
ln -s real/readiness.html "$work/link.html"
run --reports "$work/linked" --html "$work/link.html" "$work/New.rehearsal" >/dev/null
status=$?
[ "$status" = 0 ] || p+=("exit status $status, expected 0")
[ -L "$work/link.html" ] || p+=("the symlink was replaced by a file")
grep -q "New run" "$work/real/readiness.html" || p+=("the link's target is not the new report")
[ -z "$(temporaries "$work/real" "$work")" ] || p+=("temporary files left")
report "a symlink's target is replaced, the link kept" "${p[@]}"

# 6. --no-reports turns off the reports nobody named: a report given by
# --junit, --json or --html is still written, in either order (a shard's
# part, docs/sharding.md), and only it; alone it writes nothing.
p=()
run --quiet --reports "$work/none" --no-reports "$work/New.rehearsal" >/dev/null
[ ! -e "$work/none" ] || p+=("--no-reports alone wrote $(ls "$work/none")")
for order in before after; do
  rm -rf "$work/named-$order"
  if [ $order = before ]; then
    run --quiet --reports "$work/named-$order" --no-reports --json "$work/$order.json" "$work/New.rehearsal"
  else
    run --quiet --reports "$work/named-$order" --json "$work/$order.json" --no-reports "$work/New.rehearsal"
  fi
  status=$?
  [ "$status" = 0 ] || p+=("--json $order --no-reports: exit status $status, expected 0")
  [ "$(jq -r '.rehearsals[0].name' "$work/$order.json" 2>&1)" = "New run" ] ||
    p+=("--no-reports with --json $order it: no JSON result written")
  [ ! -e "$work/named-$order" ] || p+=("--no-reports --json ($order): wrote $(ls "$work/named-$order")")
done
out=$(run --reports "$work/two" --no-reports --junit "$work/two.xml" --html "$work/two.html" \
  "$work/New.rehearsal")
[ -s "$work/two.xml" ] && [ -s "$work/two.html" ] || p+=("--no-reports --junit --html: not both written")
[ ! -e "$work/two" ] || p+=("--no-reports --junit --html: wrote $(ls "$work/two")")
grep -q "JSON result" <<<"$out" && p+=("--no-reports --junit --html lists a JSON result")
grep -q "JUnit report: $work/two.xml" <<<"$out" || p+=("the JUnit report written is not listed")
report "--no-reports writes only the reports named" "${p[@]}"

exit $failed
