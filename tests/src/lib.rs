//! Integration tests against a real API server and git server live in `tests/tests/`.
