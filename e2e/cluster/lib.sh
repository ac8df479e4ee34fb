# Shared settings of the local control plane scripts (sourced, not run).
# shellcheck shell=bash
K8S_VERSION=v1.37.2
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_ROOT=${DRIFTLESS_CACHE:-$HOME/.cache/driftless}
# Absolute, so that down.sh recognises its processes by the path in their command line.
STATE=$(realpath -m "${DRIFTLESS_STATE:-$HOME/.local/state/driftless/cluster}")

# Binaries are cached per version and per hash of the module files that pin them.
inputs_hash() {
  cat "$CLUSTER_DIR"/{k8s,etcd,kwok}/go.{mod,sum} "$CLUSTER_DIR"/etcd/main.go "$CLUSTER_DIR"/build.sh | sha256sum | cut -c1-12
}
BIN_DIR=$CACHE_ROOT/k8s-$K8S_VERSION-$(inputs_hash)/bin

# Loopback ports (chosen away from the defaults so a developer's own cluster keeps its ports).
ETCD_CLIENT_PORT=${DRIFTLESS_ETCD_PORT:-23790}
ETCD_PEER_PORT=$((ETCD_CLIENT_PORT + 1))
APISERVER_PORT=${DRIFTLESS_APISERVER_PORT:-16443}
KCM_PORT=${DRIFTLESS_KCM_PORT:-10357}
KWOK_PORT=${DRIFTLESS_KWOK_PORT:-10347}
SCHEDULER_PORT=${DRIFTLESS_SCHEDULER_PORT:-10359}
