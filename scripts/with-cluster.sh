#!/usr/bin/env bash
# Runs a command with KUBECONFIG pointing at the local control plane.
# Reuses a running control plane; otherwise starts one and stops it afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
state=${DRIFTLESS_STATE:-$HOME/.local/state/driftless/cluster}
kubeconfig=$state/kubeconfig

started=0
if [[ -f $kubeconfig ]] && KUBECONFIG=$kubeconfig kubectl get --raw /readyz >/dev/null 2>&1; then
  echo "with-cluster: reusing the running control plane ($kubeconfig)"
else
  "$here/e2e/cluster/up.sh"
  started=1
fi
stop() { if [[ $started == 1 ]]; then "$here/e2e/cluster/down.sh"; fi; }
trap stop EXIT
export KUBECONFIG=$kubeconfig
"$@"
