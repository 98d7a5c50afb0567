# Sourced by the integration scripts that need the stage, after they set
# stage_bin: makes the scratch folder $work, starts the stage on a free
# loopback port, sets $stage to its URL, and on exit stops the stage and
# removes $work.
work=$(mktemp -d)
coproc STAGE { exec "$stage_bin" --port 0; }
trap 'kill $STAGE_PID 2>/dev/null; rm -rf "$work"' EXIT
read -r stage <&"${STAGE[0]}" || { echo "the stage did not start"; exit 1; }
