#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kwok from Go modules
# (through the module proxy) into a per-version cache; a second run is a no-op.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Kubernetes reports the version it was stamped with (kubectl and clients read /version).
K8S_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
 -X k8s.io/component-base/version.gitMajor=$(echo "$K8S_VERSION" | cut -d. -f1 | tr -d v) \
 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2) \
 -X k8s.io/component-base/version.gitTreeState=clean"

build() { # module-dir output ldflags package...
  local dir=$1 out=$2 ldflags=$3; shift 3
  if [[ -x $BIN_DIR/$out ]]; then return; fi
  echo "build: $out from $dir ($*)"
  (cd "$CLUSTER_DIR/$dir" && go build -mod=mod -p "${BUILD_JOBS:-2}" -trimpath -ldflags="$ldflags" \
      -o "$BIN_DIR/$out.tmp" "$@")
  mv "$BIN_DIR/$out.tmp" "$BIN_DIR/$out"
}

mkdir -p "$BIN_DIR"
start=$SECONDS
build etcd etcd "-s -w" .
build k8s kube-apiserver "$K8S_LDFLAGS" k8s.io/kubernetes/cmd/kube-apiserver
build k8s kube-controller-manager "$K8S_LDFLAGS" k8s.io/kubernetes/cmd/kube-controller-manager
build k8s kube-scheduler "$K8S_LDFLAGS" k8s.io/kubernetes/cmd/kube-scheduler
build kwok kwok "-s -w" sigs.k8s.io/kwok/cmd/kwok
echo "build: binaries ready in $BIN_DIR ($((SECONDS - start))s)"
