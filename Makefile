# Driftless developer entry points. `make test` is what CI runs.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c

CARGO ?= cargo
STATE ?= $(or $(DRIFTLESS_STATE),$(HOME)/.local/state/driftless/cluster)
KUBECONFIG_PATH := $(STATE)/kubeconfig

.PHONY: help demo demo-down build test lint fmt unit cluster-test cluster-up cluster-down cluster-purge kind-up kind-down \
        conformance bench bench-render bench-git bench-reconcile check-generated clean tools

help: ## List targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

demo: ## Local control plane + sample config repo + controller; ends with `kubectl get applications`
	./scripts/demo.sh

demo-down: ## Stop everything `make demo` started
	./scripts/demo-down.sh

build: ## Build the driftless binary (release)
	$(CARGO) build --release --bin driftless

fmt: ## Format all Rust code
	$(CARGO) fmt --all

lint: ## rustfmt check and clippy with warnings denied
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

check-generated: ## Fail when generated artifacts (OpenAPI table, CRDs) are stale
	$(CARGO) xtask check-generated

unit: ## Unit and renderer tests (no cluster needed)
	$(CARGO) test --workspace --exclude driftless-tests --exclude driftless-e2e

cluster-test: ## Integration tests against the local control plane (started and stopped if none runs)
	./scripts/with-cluster.sh $(CARGO) test -p driftless-tests -p driftless-e2e -- --test-threads=2

tools: ## Helm and promtool built from their Go modules (once, cached) for the chart and monitoring tests
	./scripts/helm.sh >/dev/null
	./scripts/promtool.sh >/dev/null

test: tools lint check-generated unit cluster-test ## Everything CI runs

cluster-up: ## Start the local control plane (builds binaries once, then cached)
	./e2e/cluster/up.sh

cluster-down: ## Stop the local control plane
	./e2e/cluster/down.sh

cluster-purge: ## Stop the local control plane and delete its state
	./e2e/cluster/down.sh --purge

kind-up: ## Start a kind cluster instead (needs Docker)
	./e2e/kind/up.sh

kind-down: ## Delete the kind cluster
	./e2e/kind/down.sh

conformance: ## Kustomize conformance cases: N passed, M failed, K skipped
	$(CARGO) test --release -p driftless-kustomize --test conformance -- --nocapture

bench: bench-render bench-git bench-reconcile ## All benchmarks

bench-render: ## driftless build vs kubectl kustomize over the bench corpus
	./scripts/bench-render.sh

bench-git: ## Cold fetch, warm no-change refresh and Snapshot reads of the medium repo over loopback HTTP and git://
	$(CARGO) test --release -p driftless-git --test warm_refresh -- --nocapture

bench-reconcile: ## One app of the medium repo: cold and warm reconcile, API requests per quiet reconcile
	./scripts/with-cluster.sh $(CARGO) bench -p driftless-tests --bench reconcile

clean:
	$(CARGO) clean

.PHONY: release helm-check install-manifests

release: ## Static driftless binary in target/dist (what the image ships), checked in an empty root
	./scripts/release.sh

helm-check: ## Build Helm from its Go module, helm lint, dry-run the chart on the local control plane
	./scripts/helm-check.sh

install-manifests: ## Re-render deploy/install.yaml from the deploy/ kustomize base with driftless build
	./scripts/render-install.sh
