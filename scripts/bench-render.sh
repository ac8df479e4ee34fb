#!/usr/bin/env bash
# `make bench-render`: render every kustomization directory of the bench corpus
# with `driftless build` and with `kubectl kustomize` (one process per
# directory for both, same run), print the totals and the ratio, then the
# in-process rate. Corpus: ../shared/bench (medium; large generated with 300 services).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=${DRIFTLESS_BENCH_DIR:-$root/../shared/bench}
[[ -d $bench/config-repo-medium ]] || { echo "bench-render: $bench/config-repo-medium not found" >&2; exit 1; }
cargo build --release --quiet --bin driftless --manifest-path "$root/Cargo.toml"
driftless=$root/target/release/driftless
large=${TMPDIR:-/tmp}/driftless-bench-large
if [[ ! -d $large ]]; then
  python3 "$bench/gen_config_repo.py" "$large" --services 300 --clusters-per-env 3 --components >/dev/null
fi

dirs_of() { # repo -> every directory holding a kustomization, minus Components
  find "$1" -name kustomization.yaml -printf '%h\n' | sort | while read -r dir; do
    grep -q '^kind: Component' "$dir/kustomization.yaml" || echo "$dir"
  done
}

time_all() { # command... (each directory appended); prints milliseconds
  local start end
  start=$(date +%s%N)
  while read -r dir; do
    "$@" "$dir" >/dev/null 2>"$errors" || { echo "bench-render: '$* $dir' failed: $(head -c 300 "$errors")" >&2; return 1; }
  done <"$dirs"
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

errors=$(mktemp)
for repo in "$bench/config-repo-medium" "$large"; do
  dirs=$(mktemp)
  dirs_of "$repo" >"$dirs"
  count=$(wc -l <"$dirs")
  ours=() theirs=()
  for _ in 1 2 3; do
    ours+=("$(time_all "$driftless" build)")
    theirs+=("$(time_all kubectl kustomize)")
  done
  median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
  o=$(median "${ours[@]}") t=$(median "${theirs[@]}")
  printf '%s: %d directories, one process each (median of 3): driftless build %d ms, kubectl kustomize %d ms, %.1fx faster\n' \
    "$(basename "$repo")" "$count" "$o" "$t" "$(awk -v t="$t" -v o="$o" 'BEGIN { print t / o }')"
  rm -f "$dirs"
done
cargo bench --quiet -p driftless-kustomize --bench render -- "$bench/config-repo-medium"
