#!/usr/bin/env bash
# Checks the chart with a Helm built from its Go module: `helm lint --strict`, then the rendered
# chart (default values, and with monitoring and narrowed RBAC) through
# `kubectl apply --dry-run=server` against the local control plane (started if none runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
helm=$("$root/scripts/helm.sh")
chart=$root/charts/driftless
"$helm" lint --strict "$chart"

if [[ ${1:-} != --in-cluster ]]; then
  exec "$root/scripts/with-cluster.sh" "$0" --in-cluster
fi
# A dry run does not create the release namespace, so give the namespaced objects a real one.
ns=driftless-helm-check-$$
kubectl create namespace "$ns" >/dev/null
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null' EXIT
check() { # description, helm template flags...
  local what=$1; shift
  echo "helm-check: $what"
  "$helm" template driftless "$chart" --namespace "$ns" --include-crds "$@" \
    | kubectl apply --dry-run=server -f - 2> >(grep -v 'last-applied-configuration annotation' >&2) \
    | sed 's/^/  /'
}
check "default values"
check "narrowed apply rules, two replicas, extra app namespaces" \
  --set 'rbac.applyRules[0].apiGroups[0]=apps,rbac.applyRules[0].resources[0]=deployments' \
  --set 'rbac.applyRules[0].verbs={get,list,watch,create,patch,delete}' \
  --set 'replicaCount=2,controller.appNamespaces={team-a,team-b}'
# The monitoring objects need the Prometheus Operator's CRDs; check them only where they exist.
if kubectl get crd servicemonitors.monitoring.coreos.com prometheusrules.monitoring.coreos.com >/dev/null 2>&1; then
  check "with ServiceMonitor and PrometheusRule" --set serviceMonitor.enabled=true,prometheusRule.enabled=true
else
  echo "helm-check: no Prometheus Operator CRDs in this cluster; ServiceMonitor/PrometheusRule only linted"
  "$helm" template driftless "$chart" --set serviceMonitor.enabled=true,prometheusRule.enabled=true >/dev/null
fi
echo "helm-check: ok"
