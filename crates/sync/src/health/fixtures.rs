//! Runs every fixture under `testdata/<kind>/<expected>-<name>.yaml` through [`super::assess`].
//! The fixtures are objects as the API server returns them (status included).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use kube::api::DynamicObject;

use super::{HealthStatusCode, assess};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/health/testdata")
}

fn expected(file_name: &str) -> HealthStatusCode {
    match file_name.split('-').next().unwrap() {
        "healthy" => HealthStatusCode::Healthy,
        "progressing" => HealthStatusCode::Progressing,
        "degraded" => HealthStatusCode::Degraded,
        "suspended" => HealthStatusCode::Suspended,
        "missing" => HealthStatusCode::Missing,
        "unknown" => HealthStatusCode::Unknown,
        other => panic!("fixture {file_name}: unknown expected status {other:?}"),
    }
}

#[test]
fn fixtures_match_their_expected_health() {
    let mut kinds = 0;
    let mut checked = 0;
    let mut failures = vec![];
    let mut dirs: Vec<_> = std::fs::read_dir(testdata())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        kinds += 1;
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file).unwrap();
            let value: serde_json::Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let obj: DynamicObject =
                serde_json::from_value(value).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let health = assess(&obj);
            let want = expected(&name);
            checked += 1;
            if health.status != want {
                failures.push(format!(
                    "{}/{name}: want {want:?}, got {health:?}",
                    dir.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(kinds >= 15, "only {kinds} kinds have fixtures");
    assert!(checked >= 40, "only {checked} fixtures");
}
