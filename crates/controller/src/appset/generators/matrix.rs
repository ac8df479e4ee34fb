//! `matrix`: the cross product of exactly two children's sets; a parameter
//! both children set to different values is an error (Argo CD refuses it too).

use driftless_api::appset::MatrixGenerator;

use super::{GenError, Trees, generate_nested};
use crate::appset::params::Params;

/// Every pair of sets, first child outer.
pub fn generate(
    matrix: &MatrixGenerator,
    at: &str,
    trees: &Trees,
    go_template: bool,
) -> Result<Vec<Params>, GenError> {
    let [first, second] = matrix.generators.as_slice() else {
        return Err(GenError::Combine {
            at: at.to_owned(),
            message: format!(
                "a matrix needs exactly 2 generators, not {}",
                matrix.generators.len()
            ),
        });
    };
    let left = generate_nested(first, &format!("{at}.generators[0]"), trees, go_template)?;
    let right = generate_nested(second, &format!("{at}.generators[1]"), trees, go_template)?;
    let mut out = Vec::with_capacity(left.len() * right.len());
    for a in &left {
        for b in &right {
            let mut combined = a.clone();
            for (key, value) in b {
                match combined.get(key) {
                    Some(existing) if existing != value => {
                        return Err(GenError::Combine {
                            at: at.to_owned(),
                            message: format!(
                                "both children set parameter {key:?} (use pathParamPrefix on git children)"
                            ),
                        });
                    }
                    _ => {
                        combined.insert(key.clone(), value.clone());
                    }
                }
            }
            out.push(combined);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::appset::generators::testing::MemTree;
    use driftless_api::appset::{
        ApplicationSetNestedGenerator, GitDirectoryGeneratorItem, GitGenerator, ListGenerator,
    };
    use serde_json::json;
    use std::sync::Arc;

    fn list(elements: serde_json::Value) -> ApplicationSetNestedGenerator {
        ApplicationSetNestedGenerator {
            list: Some(ListGenerator {
                elements: elements.as_array().unwrap().clone(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn cross_product_of_git_dirs_and_a_list() {
        let mut trees = Trees::default();
        trees.insert(
            "repo",
            "main",
            Arc::new(MemTree::new(&[("apps/a/k.yaml", ""), ("apps/b/k.yaml", "")])),
        );
        let git = ApplicationSetNestedGenerator {
            git: Some(GitGenerator {
                repo_url: "repo".into(),
                revision: Some("main".into()),
                directories: vec![GitDirectoryGeneratorItem {
                    path: "apps/*".into(),
                    exclude: false,
                }],
                ..GitGenerator::default()
            }),
            ..Default::default()
        };
        let matrix = MatrixGenerator {
            generators: vec![git, list(json!([{"env": "dev"}, {"env": "prod"}]))],
        };
        let got = generate(&matrix, "m", &trees, false).unwrap();
        let pairs: Vec<(String, String)> = got
            .iter()
            .map(|p| {
                (
                    p["path.basename"].as_str().unwrap().into(),
                    p["env"].as_str().unwrap().into(),
                )
            })
            .collect();
        let want = [("a", "dev"), ("a", "prod"), ("b", "dev"), ("b", "prod")];
        assert_eq!(pairs, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
    }

    #[test]
    fn conflicts_and_shape_are_errors() {
        let trees = Trees::default();
        let clash = MatrixGenerator {
            generators: vec![list(json!([{"x": "1"}])), list(json!([{"x": "2"}]))],
        };
        assert!(generate(&clash, "m", &trees, false).is_err());
        let same = MatrixGenerator {
            generators: vec![list(json!([{"x": "1"}])), list(json!([{"x": "1", "y": "2"}]))],
        };
        assert_eq!(generate(&same, "m", &trees, false).unwrap().len(), 1);
        let one = MatrixGenerator {
            generators: vec![list(json!([{"x": "1"}]))],
        };
        assert!(
            generate(&one, "m", &trees, false)
                .unwrap_err()
                .to_string()
                .contains("exactly 2")
        );
    }
}
