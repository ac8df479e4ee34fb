#!/usr/bin/env bash
# `make demo`: a local control plane, the sample config repo served by a
# loopback git server, the controller, and the dev cluster's ApplicationSet.
# Ends with `kubectl get applications`; everything keeps running until
# `make demo-down`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/e2e/cluster/lib.sh"
DEMO=$STATE/demo
GIT_PORT=${DRIFTLESS_DEMO_GIT_PORT:-19418}
METRICS_PORT=${DRIFTLESS_DEMO_METRICS_PORT:-18080}
NAMESPACE=driftless

"$root/e2e/cluster/up.sh" | tail -n 3
export KUBECONFIG=$STATE/kubeconfig
echo "demo: building driftless (release)"
# driftless_build_info{revision} names the commit the binary was built from.
DRIFTLESS_REVISION=${DRIFTLESS_REVISION:-$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
export DRIFTLESS_REVISION
cargo build --release --quiet --bin driftless --manifest-path "$root/Cargo.toml"
driftless=$root/target/release/driftless
mkdir -p "$DEMO"

running() { [[ -f $DEMO/$1.pid ]] && kill -0 "$(cat "$DEMO/$1.pid")" 2>/dev/null; }

# --- the config repo, served over git:// on loopback -----------------------
repo=$DEMO/repos/config.git
if [[ ! -d $repo ]]; then
  git init --quiet --bare --initial-branch=main "$repo"
  work=$(mktemp -d)
  cp -r "$root/examples/config-repo/." "$work/"
  git -C "$work" init --quiet --initial-branch=main
  git -C "$work" add -A
  git -C "$work" -c user.name=demo -c user.email=demo@example.com commit --quiet -m "Initial config"
  git -C "$work" push --quiet "$repo" main
  rm -rf "$work"
fi
if ! running git-daemon; then
  setsid "$(git --exec-path)/git-daemon" --reuseaddr --listen=127.0.0.1 --port="$GIT_PORT" --base-path="$DEMO/repos" \
    --export-all --enable=receive-pack "$DEMO/repos" >"$DEMO/git-daemon.log" 2>&1 </dev/null &
  echo $! >"$DEMO/git-daemon.pid"
fi
REPO_URL=git://127.0.0.1:$GIT_PORT/config.git
for _ in $(seq 100); do git ls-remote "$REPO_URL" >/dev/null 2>&1 && break; sleep 0.1; done

# --- CRDs, namespace, controller -------------------------------------------
"$driftless" crds | kubectl apply --server-side --force-conflicts -f - >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
if ! running controller; then
  setsid "$driftless" controller --namespace "$NAMESPACE" --poll-interval 30s \
    --metrics-addr "127.0.0.1:$METRICS_PORT" --cache-dir "$DEMO/cache" \
    >"$DEMO/controller.log" 2>&1 </dev/null &
  echo $! >"$DEMO/controller.pid"
fi

# --- the dev cluster's ApplicationSet ----------------------------------------
sed "s#REPO_URL#$REPO_URL#g" "$root/examples/config-repo/clusters/dev-us-east-1/apps.yaml" | kubectl apply -f - >/dev/null
echo "demo: waiting for the ApplicationSet's Applications to be Synced and Healthy"
expected=$(ls -d "$root"/examples/config-repo/apps/*/overlays/dev | wc -l)
deadline=$((SECONDS + 300))
until [[ $(kubectl get applications -n "$NAMESPACE" --no-headers 2>/dev/null | wc -l) -ge $expected ]]; do
  ((SECONDS < deadline)) || { echo "demo: Applications did not appear; see $DEMO/controller.log" >&2; exit 1; }
  sleep 1
done
kubectl wait --for=condition=Ready applications --all -n "$NAMESPACE" --timeout=300s >/dev/null || {
  kubectl get applications -n "$NAMESPACE"
  echo "demo: not every Application became Ready; see $DEMO/controller.log" >&2
  exit 1
}

cat <<MSG

$(kubectl get applications -n "$NAMESPACE")

export KUBECONFIG=$KUBECONFIG
Metrics:    http://127.0.0.1:$METRICS_PORT/metrics
Logs:       $DEMO/controller.log

Roll out a change (the promotion PR the blog describes), then watch it sync:
  git clone $REPO_URL /tmp/config && cd /tmp/config
  sed -i 's/newTag: .*/newTag: v9.9.9/' apps/payments-api/overlays/dev/kustomization.yaml
  git commit -am "Promote payments-api" && git push origin main
  kubectl annotate application payments-api-dev -n $NAMESPACE driftless.dev/refresh=normal
  kubectl get applications -n $NAMESPACE -w

Stop everything with: make demo-down
MSG
