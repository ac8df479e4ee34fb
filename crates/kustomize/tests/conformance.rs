//! Conformance runner over `../shared/kustomize-conformance/cases` (see its
//! README): builds every case without `needs`, compares the output document
//! by document (semantically, and byte for byte), and checks error cases.
//!
//! Prints `N passed, M failed, K skipped` and the byte-exact count. With
//! `UPDATE_CONFORMANCE=1` it rewrites `CONFORMANCE.md` (failing cases and
//! reasons, and the ratchet). The test fails only when fewer cases pass than
//! the ratchet recorded in `CONFORMANCE.md`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, LoadRestrictions, Reorder, backend, build};

const RATCHET_MARK: &str = "<!-- ratchet: ";

#[derive(Debug, serde::Deserialize)]
struct Case {
    name: String,
    build_dir: String,
    expect: String,
    #[serde(default)]
    error_substring: Option<String>,
    #[serde(default)]
    load_restrictions: Option<String>,
    #[serde(default)]
    reorder: Option<String>,
    #[serde(default)]
    options: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    empty_dirs: Vec<String>,
}

enum Outcome {
    Pass { byte_exact: bool, note: Option<String> },
    Fail(String),
    Skip,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/kustomize-conformance/cases")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let target = to.join(&name);
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn documents(text: &str) -> Result<Vec<serde_json::Value>, String> {
    let docs = backend::parse_documents(text).map_err(|e| e.to_string())?;
    Ok(docs
        .iter()
        .map(backend::to_json)
        .filter(|v| !v.is_null() && v != &serde_json::json!({}))
        .collect())
}

fn run_case(dir: &Path) -> (String, Outcome) {
    let case: Case = serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
    if !case.needs.is_empty() {
        return (case.name, Outcome::Skip);
    }
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("case");
    std::fs::create_dir_all(&root).unwrap();
    copy_tree(dir, &root);
    std::fs::remove_file(root.join("case.json")).ok();
    std::fs::remove_file(root.join("expected.yaml")).ok();
    for empty in &case.empty_dirs {
        std::fs::create_dir_all(root.join(empty)).unwrap();
    }
    let opts = BuildOptions {
        load_restrictions: match case.load_restrictions.as_deref() {
            Some("none") => LoadRestrictions::None,
            _ => LoadRestrictions::RootOnly,
        },
        reorder: match case.reorder.as_deref() {
            Some("legacy") => Reorder::Legacy,
            _ => Reorder::None,
        },
        add_managed_by_label: case
            .options
            .get("add_managedby_label")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        max_file_bytes: None,
    };
    let result = build(&DiskFs, &root.join(&case.build_dir), &opts);
    let outcome = match (case.expect.as_str(), result) {
        ("output", Ok(rendered)) => {
            let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
            let actual = rendered.to_yaml();
            match (documents(&actual), documents(&expected)) {
                (Ok(a), Ok(e)) if a == e => Outcome::Pass {
                    byte_exact: actual == expected,
                    note: None,
                },
                (Ok(a), Ok(e)) => Outcome::Fail(describe_difference(&a, &e)),
                (Err(e), _) => Outcome::Fail(format!("our output does not parse: {e}")),
                (_, Err(e)) => Outcome::Fail(format!("expected.yaml does not parse: {e}")),
            }
        }
        ("output", Err(e)) => {
            let message = e.to_string().replace(&root.display().to_string(), "");
            Outcome::Fail(format!("build failed: {}", one_line(&message)))
        }
        (_, Ok(_)) => Outcome::Fail("build succeeded, expected an error".into()),
        (_, Err(e)) => {
            let message = e.to_string().replace(&root.display().to_string(), "");
            let note = case
                .error_substring
                .filter(|want| !message.contains(want.as_str()))
                .map(|want| format!("wording differs: want '{want}', got '{}'", one_line(&message)));
            Outcome::Pass {
                byte_exact: true,
                note,
            }
        }
    };
    (case.name, outcome)
}

fn one_line(s: &str) -> String {
    let flat = s.replace('\n', " ");
    if flat.chars().count() > 300 {
        format!("{}…", flat.chars().take(300).collect::<String>())
    } else {
        flat
    }
}

fn describe_difference(actual: &[serde_json::Value], expected: &[serde_json::Value]) -> String {
    if actual.len() != expected.len() {
        return format!("{} documents, expected {}", actual.len(), expected.len());
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        if a != e {
            return format!(
                "document {i} differs: got {} / expected {}",
                one_line(&a.to_string()),
                one_line(&e.to_string())
            );
        }
    }
    "differs".into()
}

fn ratchet(doc: &str) -> usize {
    doc.lines()
        .find_map(|l| l.strip_prefix(RATCHET_MARK))
        .and_then(|rest| rest.trim_end_matches("-->").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn conformance() {
    let dir = cases_dir();
    if !dir.is_dir() {
        eprintln!("skipping conformance: {} is absent", dir.display());
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.json").is_file())
        .collect();
    entries.sort();
    let (mut passed, mut failed, mut skipped, mut exact) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut inexact = Vec::new();
    let mut notes = Vec::new();
    for case_dir in &entries {
        let (name, outcome) = std::panic::catch_unwind(|| run_case(case_dir)).unwrap_or_else(|_| {
            (
                case_dir.file_name().unwrap().to_string_lossy().into_owned(),
                Outcome::Fail("panicked".into()),
            )
        });
        match outcome {
            Outcome::Pass { byte_exact, note } => {
                passed += 1;
                if byte_exact {
                    exact += 1;
                } else {
                    inexact.push(name.clone());
                }
                if let Some(note) = note {
                    notes.push((name, note));
                }
            }
            Outcome::Fail(reason) => {
                failed += 1;
                failures.push((name, reason));
            }
            Outcome::Skip => skipped += 1,
        }
    }
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    println!("byte-exact: {exact} of {passed} passing");
    for (name, reason) in &failures {
        println!("FAIL {name}: {reason}");
    }
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("CONFORMANCE.md");
    let current = std::fs::read_to_string(&doc_path).unwrap_or_default();
    if std::env::var_os("UPDATE_CONFORMANCE").is_some() {
        let mut doc = String::from("# Kustomize conformance\n\n");
        doc.push_str(
            "Generated by `UPDATE_CONFORMANCE=1 cargo test -p driftless-kustomize --test conformance`",
        );
        doc.push_str(" over `../shared/kustomize-conformance/cases`.\n\n");
        doc.push_str(&format!(
            "**{passed} passed, {failed} failed, {skipped} skipped** (skipped = cases with `needs`).\n"
        ));
        doc.push_str(&format!(
            "Byte-exact output: {exact} of {passed} passing cases.\n\n"
        ));
        doc.push_str(&format!("{RATCHET_MARK}{passed} -->\n\n## Failing cases\n\n"));
        for (name, reason) in &failures {
            doc.push_str(&format!("- `{name}`: {}\n", reason.replace('|', "\\|")));
        }
        doc.push_str("\n## Passing, but not byte-exact\n\n");
        for name in &inexact {
            doc.push_str(&format!("- `{name}`\n"));
        }
        doc.push_str("\n## Error cases with different wording\n\n");
        for (name, note) in &notes {
            doc.push_str(&format!("- `{name}`: {note}\n"));
        }
        std::fs::write(&doc_path, doc).unwrap();
    }
    let minimum = ratchet(&current);
    assert!(
        passed >= minimum,
        "conformance dropped: {passed} passed, ratchet is {minimum}"
    );
}
