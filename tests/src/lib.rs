//! Integration tests against a real API server live in `tests/tests/`.
