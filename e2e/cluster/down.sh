#!/usr/bin/env bash
# Stops the local control plane and leaves no process behind. `--purge` also
# deletes its state (etcd data, certificates, logs). Idempotent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUN=$STATE/run

# Control-plane processes of this state dir, as "pid name": a component binary
# (by executable name) whose command line mentions "$STATE/". Matching on the
# binary too keeps shells and editors that merely mention the path out of it.
ours() {
  local dir exe name
  for dir in /proc/[0-9]*; do
    exe=$(readlink "$dir/exe" 2>/dev/null) || continue
    exe=${exe% (deleted)}
    name=${exe##*/}
    case $name in etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kwok) ;; *) continue ;; esac
    [[ $(tr '\0' ' ' 2>/dev/null <"$dir/cmdline") == *"$STATE/"* ]] && echo "${dir#/proc/} $name"
  done
  return 0
}

# TERM a set of pids, give them 10 s, then KILL what is left.
stop() { # pid...
  local pid alive=() still
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null && alive+=("$pid"); done
  for _ in $(seq 100); do
    still=()
    for pid in "${alive[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    alive=("${still[@]}")
    ((${#alive[@]} == 0)) && return 0
    sleep 0.1
  done
  for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}

# Found by scanning /proc rather than trusting pid files, so a stale pid file
# (after a reboot) never signals an unrelated process and a crashed run's
# leftovers are found too. The API server drains quickly only while etcd is
# still up, so etcd stops last.
components=$(ours)
# shellcheck disable=SC2046
stop $(awk '$2 != "etcd" {print $1}' <<<"$components")
# shellcheck disable=SC2046
stop $(awk '$2 == "etcd" {print $1}' <<<"$components")
rm -f "$RUN"/*.pid

left=$(ours)
if [[ -n $left ]]; then
  sleep 1
  left=$(ours)
fi
if [[ -n $left ]]; then
  echo "down: processes still running:" >&2
  while read -r pid _; do echo "  $pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" >&2; done <<<"$left"
  exit 1
fi
if [[ ${1:-} == --purge ]]; then
  rm -rf "$STATE"
  echo "down: stopped and purged $STATE"
else
  echo "down: stopped (state kept in $STATE)"
fi
