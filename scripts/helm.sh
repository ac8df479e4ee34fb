#!/usr/bin/env bash
# Prints the path of a Helm binary built from its Go module (through the module proxy, no
# prebuilt download), building it once into ~/.cache/driftless/helm-<version>/ (DRIFTLESS_CACHE
# moves the cache). A second run only prints the path.
#
#   scripts/helm.sh            build if needed, print the path
#   scripts/helm.sh --cached   print the path only if already built (exit 1 otherwise)
set -euo pipefail
HELM_VERSION=${HELM_VERSION:-v4.3.1}
major=${HELM_VERSION%%.*}
dir=${DRIFTLESS_CACHE:-$HOME/.cache/driftless}/helm-$HELM_VERSION
bin=$dir/bin/helm

if [[ -x $bin ]]; then
  echo "$bin"
  exit 0
fi
if [[ ${1:-} == --cached ]]; then
  exit 1
fi

command -v go >/dev/null || { echo "helm.sh: go is required to build helm" >&2; exit 1; }
echo "helm.sh: building helm $HELM_VERSION from helm.sh/helm/$major (once)" >&2
start=$SECONDS
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# `helm version` reports the module version it was stamped with.
GOBIN=$tmp GOFLAGS=-buildvcs=false go install -trimpath \
  -ldflags="-s -w -X helm.sh/helm/$major/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/$major/cmd/helm@$HELM_VERSION" >&2
mkdir -p "$dir/bin"
mv "$tmp/helm" "$bin"
echo "helm.sh: built in $((SECONDS - start))s" >&2
echo "$bin"
