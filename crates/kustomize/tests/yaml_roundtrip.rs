//! Fixed-point check of the YAML layer against kustomize's own output:
//! for every `expected.yaml` of the conformance corpus (and every rendered
//! overlay of the medium bench repo), `emit(parse(text)) == text` byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use driftless_kustomize::yaml::{emit_documents, parse_documents};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Round-trips every file; returns (passed, failures as "name: first differing line").
fn round_trip_all(files: &[(String, String)]) -> (usize, Vec<String>) {
    let mut passed = 0;
    let mut failures = Vec::new();
    for (name, text) in files {
        let docs = match parse_documents(text) {
            Ok(docs) => docs,
            Err(e) => {
                failures.push(format!("{name}: parse error {e}"));
                continue;
            }
        };
        let out = emit_documents(&docs);
        if out == *text {
            passed += 1;
        } else {
            let line = out
                .lines()
                .zip(text.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("got {a:?}, want {b:?}"))
                .unwrap_or_else(|| format!("lengths {} vs {}", out.len(), text.len()));
            failures.push(format!("{name}: {line}"));
        }
    }
    (passed, failures)
}

#[test]
fn conformance_expected_outputs_are_fixed_points() {
    let cases = shared().join("kustomize-conformance/cases");
    let Ok(entries) = std::fs::read_dir(&cases) else {
        println!("skipping: {} is absent", cases.display());
        return;
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path().join("expected.yaml");
        if let Ok(text) = std::fs::read_to_string(&path) {
            if !text.is_empty() {
                files.push((path.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned(), text));
            }
        }
    }
    files.sort();
    let (passed, failures) = round_trip_all(&files);
    println!("conformance corpus: {passed}/{} byte-exact round trips", files.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
