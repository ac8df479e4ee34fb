#!/usr/bin/env bash
# Deletes the kind cluster made by up.sh.
set -euo pipefail
source "$(dirname "$0")/../cluster/lib.sh"
kind delete cluster --name driftless
rm -f "$STATE/kubeconfig"
