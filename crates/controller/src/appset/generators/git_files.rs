//! `git.files`: every JSON/YAML file matching a glob (`**` crosses
//! directories) yields one set per object it holds (a file may hold one
//! object or a list of them): its keys (flattened with dots in the default
//! mode) plus `path.*` and `path.filename` of the file.

use std::path::Path;

use driftless_api::appset::GitGenerator;
use driftless_kustomize::fs::{EntryKind, FileSystem};
use serde_json::Value;

use super::git_dirs::{depth_for, matcher, walk};
use super::{GenError, add_values};
use crate::appset::params::{Params, flatten, path_params};

/// The objects a file holds.
fn parse(at: &str, file: &str, bytes: &[u8]) -> Result<Vec<Params>, GenError> {
    let error = |message: String| GenError::File {
        at: at.to_owned(),
        file: file.to_owned(),
        message,
    };
    let value: Value = if file.ends_with(".json") {
        serde_json::from_slice(bytes).map_err(|e| error(e.to_string()))?
    } else {
        serde_yaml::from_slice(bytes).map_err(|e| error(e.to_string()))?
    };
    match value {
        Value::Object(object) => Ok(vec![object]),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Object(object) => Ok(object),
                _ => Err(error("list items must be objects".into())),
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(error("the file must hold an object or a list of objects".into())),
    }
}

/// One set per object per matching file, files sorted by path.
pub fn generate(
    git: &GitGenerator,
    tree: &dyn FileSystem,
    at: &str,
    go_template: bool,
) -> Result<Vec<Params>, GenError> {
    let matchers = git
        .files
        .iter()
        .map(|f| matcher(at, &f.path))
        .collect::<Result<Vec<_>, _>>()?;
    let depth = depth_for(git.files.iter().map(|f| f.path.as_str()));
    let prefix = git.path_param_prefix.as_deref().filter(|p| !p.is_empty());
    let mut sets = Vec::new();
    for file in walk(tree, depth, EntryKind::File) {
        if !matchers.iter().any(|m| m.is_match(&file)) {
            continue;
        }
        let bytes = tree
            .read(Path::new(&format!("/{file}")))
            .map_err(|e| GenError::File {
                at: at.to_owned(),
                file: file.clone(),
                message: e.to_string(),
            })?;
        let (dir, name) = file.rsplit_once('/').unwrap_or(("", file.as_str()));
        for object in parse(at, &file, &bytes)? {
            let mut params = if go_template { object } else { flatten(&object) };
            params.extend(path_params(dir, Some(name), prefix, go_template));
            add_values(&mut params, &git.values, go_template);
            sets.push(params);
        }
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::appset::generators::testing::MemTree;
    use driftless_api::appset::GitFileGeneratorItem;

    fn files(pattern: &str) -> GitGenerator {
        GitGenerator {
            repo_url: "r".into(),
            files: vec![GitFileGeneratorItem { path: pattern.into() }],
            ..GitGenerator::default()
        }
    }

    fn tree() -> MemTree {
        MemTree::new(&[
            (
                "clusters/prod/config.json",
                r#"{"cluster": {"name": "prod", "replicas": 3}}"#,
            ),
            (
                "clusters/dev/config.yaml",
                "cluster:\n  name: dev\n  replicas: 1\n",
            ),
            (
                "clusters/many/config.yaml",
                "- {cluster: {name: a}}\n- {cluster: {name: b}}\n",
            ),
            ("clusters/broken/config.yaml", "cluster: [unclosed\n"),
        ])
    }

    #[test]
    fn flattens_file_keys_and_adds_path_params() {
        let got = generate(&files("clusters/{prod,dev}/config.*"), &tree(), "g", false).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0]["cluster.name"], "dev");
        assert_eq!(got[1]["cluster.replicas"], "3");
        assert_eq!(got[1]["path"], "clusters/prod");
        assert_eq!(got[1]["path.basename"], "prod");
        assert_eq!(got[1]["path.filename"], "config.json");
        let go = generate(&files("clusters/prod/*.json"), &tree(), "g", true).unwrap();
        assert_eq!(go[0]["cluster"]["replicas"], 3);
        assert_eq!(go[0]["path"]["filename"], "config.json");
    }

    #[test]
    fn lists_and_double_star() {
        let got = generate(&files("**/many/*.yaml"), &tree(), "g", false).unwrap();
        let names: Vec<&str> = got.iter().map(|p| p["cluster.name"].as_str().unwrap()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let error = generate(&files("clusters/*/config.yaml"), &tree(), "g", false).unwrap_err();
        assert_eq!(error.reason(), "GeneratorFileInvalid");
        assert!(
            error.to_string().contains("clusters/broken/config.yaml"),
            "{error}"
        );
    }
}
