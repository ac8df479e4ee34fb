#!/usr/bin/env bash
# Prints the path of a promtool built from the Prometheus Go module (through the module proxy,
# no prebuilt download), building it once into ~/.cache/driftless/promtool-<version>/
# (DRIFTLESS_CACHE moves the cache). A second run only prints the path. The tests use it to
# check the alert rules, run their unit tests, and parse every dashboard query.
#
#   scripts/promtool.sh            build if needed, print the path
#   scripts/promtool.sh --cached   print the path only if already built (exit 1 otherwise)
set -euo pipefail
PROMETHEUS_MODULE_VERSION=${PROMETHEUS_MODULE_VERSION:-v0.316.0}
dir=${DRIFTLESS_CACHE:-$HOME/.cache/driftless}/promtool-$PROMETHEUS_MODULE_VERSION
bin=$dir/bin/promtool

if [[ -x $bin ]]; then
  echo "$bin"
  exit 0
fi
if [[ ${1:-} == --cached ]]; then
  exit 1
fi

command -v go >/dev/null || { echo "promtool.sh: go is required to build promtool" >&2; exit 1; }
echo "promtool.sh: building promtool from github.com/prometheus/prometheus $PROMETHEUS_MODULE_VERSION (once)" >&2
start=$SECONDS
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
GOBIN=$tmp GOFLAGS=-buildvcs=false go install -trimpath -ldflags="-s -w" \
  "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION" >&2
mkdir -p "$dir/bin"
mv "$tmp/promtool" "$bin"
echo "promtool.sh: built in $((SECONDS - start))s" >&2
echo "$bin"
