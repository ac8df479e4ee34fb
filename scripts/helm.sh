#!/usr/bin/env bash
# Prints the path of a Helm binary built from its Go module (through the module proxy, no
# prebuilt download), building it once into ~/.cache/driftless/helm-<version>/ (DRIFTLESS_CACHE
# moves the cache). A second run only prints the path.
#
#   scripts/helm.sh            build if needed, print the path
#   scripts/helm.sh --cached   print the path only if already built (exit 1 otherwise)
set -euo pipefail
source "$(dirname "$0")/go-tool.sh"
HELM_VERSION=${HELM_VERSION:-v4.3.1}
major=${HELM_VERSION%%.*}
# `helm version` reports the module version it was stamped with.
go_tool helm "$HELM_VERSION" "helm.sh/helm/$major/cmd/helm" \
  "-X helm.sh/helm/$major/internal/version.version=$HELM_VERSION" "${1:-}"
