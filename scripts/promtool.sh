#!/usr/bin/env bash
# Prints the path of a promtool built from the Prometheus Go module (through the module proxy,
# no prebuilt download), building it once into ~/.cache/driftless/promtool-<version>/
# (DRIFTLESS_CACHE moves the cache). A second run only prints the path. The tests use it to
# check the alert rules, run their unit tests, and parse every dashboard query.
#
#   scripts/promtool.sh            build if needed, print the path
#   scripts/promtool.sh --cached   print the path only if already built (exit 1 otherwise)
set -euo pipefail
source "$(dirname "$0")/go-tool.sh"
PROMETHEUS_MODULE_VERSION=${PROMETHEUS_MODULE_VERSION:-v0.316.0}
go_tool promtool "$PROMETHEUS_MODULE_VERSION" github.com/prometheus/prometheus/cmd/promtool "" "${1:-}"
