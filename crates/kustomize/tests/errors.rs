//! One table test over the errors a user can act on: each fixture is a tiny
//! tree on disk; the build must fail with the expected reason and a message
//! that names the problem.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use driftless_kustomize::fs::DiskFs;
use driftless_kustomize::{BuildOptions, build};

const K: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Name, files (path, text), expected reason, text the message must contain.
type Case = (
    &'static str,
    Vec<(&'static str, String)>,
    &'static str,
    &'static str,
);

#[test]
fn errors_name_the_problem() {
    let alias_bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    let bomb_resource = format!(
        "{CM}data:\n  x: y\nbomb:\n{}",
        alias_bomb.lines().map(|l| format!("  {l}\n")).collect::<String>()
    );
    let cases: Vec<Case> = vec![
        (
            "misspelled field",
            vec![("app/kustomization.yaml", format!("{K}namePrefx: p-\n"))],
            "UnknownField",
            "did you mean \"namePrefix\"",
        ),
        (
            "missing file",
            vec![("app/kustomization.yaml", format!("{K}resources:\n- nope.yaml\n"))],
            "MissingFile",
            "nope.yaml",
        ),
        (
            "cycle",
            vec![
                ("app/kustomization.yaml", format!("{K}resources:\n- ../other\n")),
                ("other/kustomization.yaml", format!("{K}resources:\n- ../app\n")),
            ],
            "KustomizationCycle",
            "cycle",
        ),
        (
            "duplicate id",
            vec![
                (
                    "app/kustomization.yaml",
                    format!("{K}resources:\n- a.yaml\n- b.yaml\n"),
                ),
                ("app/a.yaml", CM.to_owned()),
                ("app/b.yaml", CM.to_owned()),
            ],
            "DuplicateResourceId",
            "already registered id: ConfigMap.v1.[noGrp]/cm.[noNs]",
        ),
        (
            "patch target not found",
            vec![
                (
                    "app/kustomization.yaml",
                    format!("{K}resources:\n- a.yaml\npatches:\n- path: p.yaml\n"),
                ),
                ("app/a.yaml", CM.to_owned()),
                (
                    "app/p.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  k: v\n".to_owned(),
                ),
            ],
            "PatchFailed",
            "no matches for Id ConfigMap.v1.[noGrp]/other",
        ),
        (
            "bad yaml",
            vec![
                ("app/kustomization.yaml", format!("{K}resources:\n- a.yaml\n")),
                ("app/a.yaml", "kind: [unclosed\n".to_owned()),
            ],
            "MalformedYaml",
            "a.yaml",
        ),
        (
            "path outside root",
            vec![
                ("app/kustomization.yaml", format!("{K}resources:\n- ../cm.yaml\n")),
                ("cm.yaml", CM.to_owned()),
            ],
            "PathOutsideRoot",
            "is not in or below",
        ),
        (
            "helm",
            vec![("app/kustomization.yaml", format!("{K}helmCharts:\n- name: x\n"))],
            "UnsupportedFeature",
            "helmCharts",
        ),
        (
            "remote resource",
            vec![(
                "app/kustomization.yaml",
                format!("{K}resources:\n- https://github.com/org/repo//base?ref=v1\n"),
            )],
            "UnsupportedFeature",
            "remote resource",
        ),
        (
            "exec transformer",
            vec![
                ("app/kustomization.yaml", format!("{K}transformers:\n- t.yaml\n")),
                (
                    "app/t.yaml",
                    "apiVersion: example.com/v1\nkind: MyTransformer\nmetadata:\n  name: t\n".to_owned(),
                ),
            ],
            "UnsupportedFeature",
            "transformer plugin example.com/v1/MyTransformer",
        ),
        (
            "alias bomb",
            vec![
                ("app/kustomization.yaml", format!("{K}resources:\n- a.yaml\n")),
                ("app/a.yaml", bomb_resource),
            ],
            "MalformedYaml",
            "a.yaml",
        ),
        (
            "no kustomization",
            vec![("app/a.yaml", CM.to_owned())],
            "NoKustomization",
            "unable to find one of",
        ),
    ];
    let mut failures = Vec::new();
    for (name, files, reason, text) in cases {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        write(dir.path(), &files);
        match build(&DiskFs, &dir.path().join("app"), &BuildOptions::default()) {
            Ok(_) => failures.push(format!("{name}: built without error")),
            Err(e) if e.reason() != reason || !e.to_string().contains(text) => {
                failures.push(format!("{name}: got {} / {e}", e.reason()))
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn oversized_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("{CM}data:\n  blob: {}\n", "x".repeat(4096));
    write(
        dir.path(),
        &[
            ("app/kustomization.yaml", &format!("{K}resources:\n- big.yaml\n")),
            ("app/big.yaml", &big),
        ],
    );
    let opts = BuildOptions {
        max_file_bytes: Some(1024),
        ..BuildOptions::default()
    };
    let err = build(&DiskFs, &dir.path().join("app"), &opts).unwrap_err();
    assert_eq!(err.reason(), "InputTooLarge", "{err}");
    assert!(err.to_string().contains("big.yaml"), "{err}");
}

#[test]
fn symlinks_cannot_escape_the_root() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("app/kustomization.yaml", &format!("{K}resources:\n- link.yaml\n")),
            ("secret.yaml", CM),
        ],
    );
    std::os::unix::fs::symlink(dir.path().join("secret.yaml"), dir.path().join("app/link.yaml")).unwrap();
    let err = build(&DiskFs, &dir.path().join("app"), &BuildOptions::default()).unwrap_err();
    assert_eq!(err.reason(), "PathOutsideRoot", "{err}");
}

#[test]
fn files_read_lists_exactly_what_the_build_used() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("app/kustomization.yaml", &format!("{K}resources:\n- ../base\n")),
            ("base/kustomization.yaml", &format!("{K}resources:\n- cm.yaml\n")),
            ("base/cm.yaml", CM),
            ("base/unused.yaml", CM),
        ],
    );
    let rendered = build(&DiskFs, &dir.path().join("app"), &BuildOptions::default()).unwrap();
    let root = dir.path().canonicalize().unwrap();
    let names: Vec<String> = rendered
        .files_read
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "app/kustomization.yaml",
            "base/cm.yaml",
            "base/kustomization.yaml"
        ]
    );
    let probed: Vec<String> = rendered
        .probed_absent
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(
        probed,
        [
            "app/Kustomization",
            "app/kustomization.yml",
            "base/Kustomization",
            "base/kustomization.yml"
        ]
    );
}
