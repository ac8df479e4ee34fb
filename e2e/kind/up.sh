#!/usr/bin/env bash
# Starts a kind cluster (needs Docker and kind) and writes its kubeconfig where
# the local control plane would, so tests and the demo use it unchanged.
set -euo pipefail
source "$(dirname "$0")/../cluster/lib.sh"
command -v kind >/dev/null || { echo "kind-up: kind is not installed (https://kind.sigs.k8s.io)" >&2; exit 1; }
mkdir -p "$STATE"
if ! kind get clusters 2>/dev/null | grep -qx driftless; then
  kind create cluster --config "$(dirname "$0")/kind-config.yaml" --wait 120s
fi
kind get kubeconfig --name driftless >"$STATE/kubeconfig"
chmod 600 "$STATE/kubeconfig"
echo "export KUBECONFIG=$STATE/kubeconfig"
