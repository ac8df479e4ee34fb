# Driftless controller image: one static binary on an empty base, run as non-root, no shell.
#   docker build -t driftless --build-arg DRIFTLESS_REVISION=$(git rev-parse --short=12 HEAD) .
# Without Docker, `make release` builds the same binary (scripts/release.sh) and checks that it
# starts in an empty root.

FROM rust:1.95-bookworm AS build
# musl-gcc compiles the vendored C code (OpenSSL, libgit2, ring) for the static musl target.
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools perl make ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
ARG DRIFTLESS_REVISION=unknown
RUN DRIFTLESS_REVISION=$DRIFTLESS_REVISION ./scripts/release.sh --build
# The image's whole file system besides the binary: CA certificates for HTTPS git remotes, and
# writable /tmp and cache directories (the chart mounts emptyDirs over both).
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/var/cache/driftless \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && chmod 1777 /rootfs/tmp \
 && chown 65532:65532 /rootfs/var/cache/driftless \
 && install -m 0755 target/dist/driftless /rootfs/driftless

FROM scratch
COPY --from=build /rootfs/ /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    DRIFTLESS_CACHE_DIR=/var/cache/driftless
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/driftless"]
CMD ["controller", "--metrics-addr", "0.0.0.0:8080", "--log-json"]
