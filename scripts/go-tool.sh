# Sourced by scripts/helm.sh and scripts/promtool.sh: build a tool from its Go module through
# the module proxy (no prebuilt download), once, into ~/.cache/driftless/<name>-<version>/bin
# (DRIFTLESS_CACHE moves the cache), and print its path.
#
#   go_tool NAME VERSION PACKAGE [LDFLAGS] [--cached]
# With --cached, only print the path when already built (status 1 otherwise).
go_tool() {
  local name=$1 version=$2 package=$3 ldflags=${4:-} only_cached=${5:-}
  local dir=${DRIFTLESS_CACHE:-$HOME/.cache/driftless}/$name-$version
  local bin=$dir/bin/$name
  if [[ -x $bin ]]; then
    echo "$bin"
    return 0
  fi
  [[ $only_cached == --cached ]] && return 1
  command -v go >/dev/null || { echo "$name: go is required to build $name" >&2; return 1; }
  echo "$name: building $name $version from $package (once)" >&2
  local start=$SECONDS tmp
  mkdir -p "$dir"
  tmp=$(mktemp -d "$dir/build.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap runs after this function's locals are gone
  trap "rm -rf '$tmp'" EXIT
  GOBIN=$tmp GOFLAGS=-buildvcs=false go install -trimpath -ldflags="-s -w $ldflags" "$package@$version" >&2
  mkdir -p "$dir/bin"
  mv "$tmp/$name" "$bin"
  echo "$name: built in $((SECONDS - start))s" >&2
  echo "$bin"
}
