#!/usr/bin/env bash
# Builds the release binary the image ships: one static executable with no runtime dependencies
# (musl when its target and musl-gcc are installed, else glibc with a statically linked C
# runtime), copies it to target/dist/driftless, and proves it starts in an empty root.
#
#   scripts/release.sh            build, then check in an empty root
#   scripts/release.sh --build    only build (the Dockerfile's build stage runs this)
#   scripts/release.sh --check    only check an existing target/dist/driftless
#
# Vendored OpenSSL and libgit2 (git2's features) are compiled into the binary either way.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/target/dist
cd "$root"

musl_ready() {
  rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl && command -v musl-gcc >/dev/null
}

build() {
  local target
  if musl_ready; then
    target=x86_64-unknown-linux-musl
    # C code (OpenSSL, libgit2, ring) must be compiled against musl too.
    export CC_x86_64_unknown_linux_musl=musl-gcc
  else
    target=x86_64-unknown-linux-gnu
    echo "release: musl target or musl-gcc missing (apt-get install musl-tools;" \
      "rustup target add x86_64-unknown-linux-musl); building static glibc" >&2
    export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+crt-static"
  fi
  if [[ -z ${DRIFTLESS_REVISION:-} ]]; then
    DRIFTLESS_REVISION=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  fi
  export DRIFTLESS_REVISION
  # Same setting as the Dockerfile: symbols stripped.
  export CARGO_PROFILE_RELEASE_STRIP=symbols
  local start=$SECONDS
  cargo build --release --locked --target "$target" --bin driftless
  mkdir -p "$dist"
  install -m 0755 "target/$target/release/driftless" "$dist/driftless.tmp"
  mv "$dist/driftless.tmp" "$dist/driftless"
  echo "release: $target binary in $((SECONDS - start))s"
}

# Runs the binary as uid 65532 in a directory that holds nothing else: no libc, no /etc, no shell.
check() {
  local bin=$dist/driftless
  [[ -x $bin ]] || { echo "release: $bin is missing; run scripts/release.sh" >&2; exit 1; }
  if readelf -l "$bin" | grep -q 'INTERP'; then
    echo "release: $bin asks for a dynamic loader; it is not static" >&2
    exit 1
  fi
  local empty
  empty=$(mktemp -d)
  chmod 0755 "$empty"
  trap 'rm -rf "$empty"' RETURN
  cp "$bin" "$empty/driftless"
  local out
  if [[ $(id -u) == 0 ]]; then
    # A new mount and PID namespace so nothing of the host is visible inside.
    out=$(unshare --mount --pid --fork chroot --userspec=65532:65532 "$empty" /driftless --version)
  else
    echo "release: not root; checking without chroot (env cleared, cwd empty)" >&2
    out=$(cd "$empty" && env -i ./driftless --version)
  fi
  echo "release: in an empty root, /driftless --version printed: $out"
  [[ $out == driftless\ * ]] || { echo "release: unexpected --version output" >&2; exit 1; }
  echo "release: size $(stat -c %s "$bin") bytes ($(du -h "$bin" | cut -f1))"
}

case ${1:-} in
  --build) build ;;
  --check) check ;;
  "") build; check ;;
  *) echo "usage: $0 [--build|--check]" >&2; exit 2 ;;
esac
