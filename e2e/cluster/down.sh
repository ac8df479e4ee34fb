#!/usr/bin/env bash
# Stops the local control plane and leaves no process behind. `--purge` also
# deletes its state (etcd data, certificates, logs). Idempotent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUN=$STATE/run

stop() { # name
  local pidfile=$RUN/$1.pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$name"; done
# Anything else still holding the state directory (a crashed run's leftovers).
pkill -KILL -f -- "$STATE/" 2>/dev/null || true
if pgrep -f -- "$STATE/" >/dev/null; then
  echo "down: processes still running: $(pgrep -af -- "$STATE/")" >&2
  exit 1
fi
if [[ ${1:-} == --purge ]]; then
  rm -rf "$STATE"
  echo "down: stopped and purged $STATE"
else
  echo "down: stopped (state kept in $STATE)"
fi
