//! End-to-end scenarios: cluster bring-up lives in `e2e/cluster/`.
