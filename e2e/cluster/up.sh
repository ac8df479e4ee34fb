#!/usr/bin/env bash
# Starts the local control plane on loopback: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (one fake node that makes
# Pods Running and Ready). Idempotent: a second run while it is healthy only
# prints the kubeconfig line. Logs and state live under $STATE.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PKI=$STATE/pki
LOGS=$STATE/logs
RUN=$STATE/run
KUBECONFIG_PATH=$STATE/kubeconfig
export KUBECONFIG=$KUBECONFIG_PATH

# A component runs when its pid file names a live process started for this state
# dir (a pid file that survived a reboot may name an unrelated process).
running() {
  [[ -f $RUN/$1.pid ]] || return 1
  [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$(cat "$RUN/$1.pid")/cmdline") == *"$STATE/"* ]]
}
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
all_running() {
  local name
  for name in "${COMPONENTS[@]}"; do running "$name" || return 1; done
}

started=()
wait_for() { # description seconds command...
  local what=$1 deadline=$((SECONDS + $2)) name; shift 2
  until "$@" >/dev/null 2>&1; do
    for name in "${started[@]}"; do
      if ! running "$name"; then
        echo "up: $name exited while waiting for $what; its log is $LOGS/$name.log:" >&2
        tail -n 30 "$LOGS/$name.log" >&2 || true
        exit 1
      fi
    done
    if ((SECONDS >= deadline)); then
      echo "up: timed out waiting for $what; logs are in $LOGS" >&2
      tail -n 20 "$LOGS"/*.log >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

start() { # name binary args...
  local name=$1; shift
  started+=("$name")
  if running "$name"; then return; fi
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

if all_running && kubectl get --raw /readyz >/dev/null 2>&1; then
  echo "up: the local control plane is already running"
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  exit 0
fi

"$CLUSTER_DIR/build.sh"
began=$SECONDS
mkdir -p "$PKI" "$LOGS" "$RUN" "$STATE/etcd"

# --- credentials (generated once per state dir) ---------------------------
if [[ ! -f $PKI/admin.crt ]]; then
  (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=driftless-local-ca" \
      -keyout ca.key -out ca.crt 2>/dev/null
    cat >apiserver.ext <<EXT
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EXT
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=driftless-admin" \
      -keyout admin.key -out admin.csr 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile client.ext -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
fi
b64() { base64 -w0 <"$1"; }
cat >"$KUBECONFIG_PATH" <<CFG
apiVersion: v1
kind: Config
clusters:
- name: driftless-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: driftless-admin
  user:
    client-certificate-data: $(b64 "$PKI/admin.crt")
    client-key-data: $(b64 "$PKI/admin.key")
contexts:
- name: driftless-local
  context: {cluster: driftless-local, user: driftless-admin}
current-context: driftless-local
CFG
chmod 600 "$KUBECONFIG_PATH"

# --- processes -------------------------------------------------------------
start etcd "$BIN_DIR/etcd" --name local --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
wait_for "etcd" 30 curl -sf "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

start kube-apiserver "$BIN_DIR/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 --authorization-mode Node,RBAC \
  --endpoint-reconciler-type none --allow-privileged --profiling=false \
  --cert-dir "$STATE/apiserver-certs"
wait_for "kube-apiserver /readyz" 90 kubectl get --raw /readyz

start kube-controller-manager "$BIN_DIR/kube-controller-manager" \
  --kubeconfig "$KUBECONFIG_PATH" --authentication-kubeconfig "$KUBECONFIG_PATH" \
  --authorization-kubeconfig "$KUBECONFIG_PATH" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
  --controllers '*' --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --concurrent-gc-syncs 5 --profiling=false
start kube-scheduler "$BIN_DIR/kube-scheduler" \
  --kubeconfig "$KUBECONFIG_PATH" --authentication-kubeconfig "$KUBECONFIG_PATH" \
  --authorization-kubeconfig "$KUBECONFIG_PATH" \
  --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --profiling=false
# kwok's own "fast" stages (node ready + heartbeat, pods Running/Ready/Completed),
# rendered from the kwok module the binary was built from. The heartbeat stage
# relies on the node Lease that --node-lease-duration-seconds makes kwok renew;
# without it the node lifecycle controller marks the node NotReady every ~50 s.
# Kept next to the binaries so that only the first start after a build needs Go.
stages=$(dirname "$BIN_DIR")/kwok-stages.yaml
if [[ ! -s $stages ]]; then
  kwok_dir=$(cd "$CLUSTER_DIR/kwok" && go list -mod=mod -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  kubectl kustomize "$kwok_dir/kustomize/stage/fast" >"$stages.tmp"
  mv "$stages.tmp" "$stages"
fi
# A node Lease left by a previous kwok process (other holder identity) keeps a new
# one from managing the node, so its Pods stay Pending, until it expires (40 s).
if ! running kwok; then
  kubectl delete lease -n kube-node-lease kwok-node-0 --ignore-not-found >/dev/null
fi
start kwok "$BIN_DIR/kwok" --kubeconfig "$KUBECONFIG_PATH" --config "$stages" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --cidr 10.244.0.0/16 --node-ip 10.0.0.2 --server-address "127.0.0.1:$KWOK_PORT" \
  --node-lease-duration-seconds 40

# --- one fake node ---------------------------------------------------------
kubectl apply -f - >/dev/null <<'NODE'
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "500"}
  capacity: {cpu: "64", memory: 256Gi, pods: "500"}
NODE
node_ready() {
  [[ $(kubectl get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
wait_for "node kwok-node-0 Ready" 60 node_ready
wait_for "kwok to take the node Lease" 60 kubectl get lease -n kube-node-lease kwok-node-0
wait_for "ServiceAccount default/default" 60 kubectl get serviceaccount default -n default

echo "up: local control plane ready in $((SECONDS - began))s (server $(kubectl get --raw /version | grep gitVersion | tr -d ' ",'))"
echo "up: logs in $LOGS"
echo "export KUBECONFIG=$KUBECONFIG_PATH"
