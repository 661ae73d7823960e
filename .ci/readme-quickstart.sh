#!/usr/bin/env bash
# The README's main job, as a user runs it from a fresh clone: `npx flowc run
# examples/quickstart.flow`, one line sent with the README's nc command, the answer OK, the
# line in out/quickstart/, and a clean stop on Ctrl-C (SIGINT). Exits non-zero if any step fails.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
rm -rf out/quickstart
# Job control gives the agent its own process group, as a terminal does, so that SIGINT to the
# group is the user's Ctrl-C (a plain background job of a script ignores SIGINT).
set -m
npx flowc run examples/quickstart.flow >"$log" 2>&1 &
pid=$!
stop() { kill -INT -- "-$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
die() { echo "readme quickstart: $*" >&2; echo "--- agent output:" >&2; cat "$log" >&2; stop; exit 1; }

for _ in $(seq 1 120); do
  grep -q "running" "$log" && break
  kill -0 "$pid" 2>/dev/null || die "the agent exited before it was running"
  sleep 0.5
done
grep -q "running" "$log" || die "the agent did not print its banner within 60 s"

line="hello flume $(date +%s%N)"
answer=$(printf '%s\n' "$line" | timeout 20 nc -N 127.0.0.1 44444) || die "nc failed or hung"
[ "$answer" = "OK" ] || die "the agent answered '$answer', not OK"

for _ in $(seq 1 60); do
  grep -rqs -- "$line" out/quickstart/ && break
  sleep 0.5
done
grep -rqs -- "$line" out/quickstart/ || die "the line did not reach out/quickstart/"

kill -INT -- "-$pid"
wait "$pid"
code=$?
# npm exec itself ends with 130 on Ctrl-C, as in a terminal; the agent says how it stopped.
[ "$code" -eq 0 ] || [ "$code" -eq 130 ] || { echo "readme quickstart: Ctrl-C ended the command with exit $code" >&2; cat "$log" >&2; exit 1; }
grep -q "stopped; every channel was drained" "$log" || { echo "readme quickstart: the agent did not drain and stop on Ctrl-C" >&2; cat "$log" >&2; exit 1; }
grep -q -- "hello flume" "$log" || { echo "readme quickstart: the logger sink did not print the event" >&2; cat "$log" >&2; exit 1; }
echo "readme quickstart: OK (npx flowc run examples/quickstart.flow answered, wrote out/quickstart/, stopped cleanly)"
