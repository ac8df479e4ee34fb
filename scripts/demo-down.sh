#!/usr/bin/env bash
# `make demo-down`: stop the demo's controller and git server, then the control plane.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/e2e/cluster/lib.sh"
DEMO=$STATE/demo
for name in controller git-daemon; do
  if [[ -f $DEMO/$name.pid ]]; then
    pid=$(cat "$DEMO/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$DEMO/$name.pid"
  fi
done
pkill -f -- "--base-path=$DEMO/repos" 2>/dev/null || true
rm -rf "$DEMO"
"$root/e2e/cluster/down.sh"
