#!/usr/bin/env bash
# Prints the state of the local control plane: each component's process, the
# API server's /readyz and the fake node. Exits 0 only when all of it is healthy.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUN=$STATE/run
export KUBECONFIG=$STATE/kubeconfig

healthy=1
for name in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
  pid=$(cat "$RUN/$name.pid" 2>/dev/null || true)
  if [[ -n $pid && $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *"$STATE/"* ]]; then
    printf '%-24s running (pid %s, log %s)\n' "$name" "$pid" "$STATE/logs/$name.log"
  else
    printf '%-24s stopped\n' "$name"
    healthy=0
  fi
done
if [[ -f $KUBECONFIG ]] && kubectl get --raw /readyz >/dev/null 2>&1; then
  echo "api server               ready at https://127.0.0.1:$APISERVER_PORT"
  kubectl get nodes --no-headers 2>/dev/null | sed 's/^/node                     /' || true
else
  echo "api server               not ready"
  healthy=0
fi
echo "export KUBECONFIG=$KUBECONFIG"
((healthy))
