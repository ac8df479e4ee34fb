# Driftless controller image: a static binary on an empty base, run as non-root.
# Build: docker build -t driftless .   (the same binary comes from `make release` without Docker)
FROM rust:1.89-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools perl make && rm -rf /var/lib/apt/lists/*
RUN rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl --bin driftless \
 && install -D target/x86_64-unknown-linux-musl/release/driftless /out/driftless

FROM scratch
COPY --from=build /out/driftless /driftless
USER 65532:65532
ENTRYPOINT ["/driftless"]
CMD ["controller"]
