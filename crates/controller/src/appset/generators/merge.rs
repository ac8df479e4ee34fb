//! `merge`: the first child's sets are the base; a set of a later child whose
//! `mergeKeys` values equal a base set's overrides that set's parameters.
//! Base sets without a match stay as they are; later sets without one are dropped.

use driftless_api::appset::MergeGenerator;

use super::{GenError, Trees, generate_nested};
use crate::appset::params::{Params, lookup};

fn key_of(params: &Params, keys: &[String]) -> Option<Vec<String>> {
    keys.iter()
        .map(|k| lookup(params, k).map(|v| v.to_string()))
        .collect()
}

/// The base sets, overridden by matching later sets.
pub fn generate(
    merge: &MergeGenerator,
    at: &str,
    trees: &Trees,
    go_template: bool,
) -> Result<Vec<Params>, GenError> {
    if merge.generators.is_empty() || merge.merge_keys.is_empty() {
        return Err(GenError::Combine {
            at: at.to_owned(),
            message: "a merge needs generators and mergeKeys".into(),
        });
    }
    let mut base = generate_nested(
        &merge.generators[0],
        &format!("{at}.generators[0]"),
        trees,
        go_template,
    )?;
    for (i, child) in merge.generators.iter().enumerate().skip(1) {
        let overrides = generate_nested(child, &format!("{at}.generators[{i}]"), trees, go_template)?;
        for set in &mut base {
            let Some(key) = key_of(set, &merge.merge_keys) else {
                continue;
            };
            if let Some(over) = overrides
                .iter()
                .find(|o| key_of(o, &merge.merge_keys).as_ref() == Some(&key))
            {
                for (k, v) in over {
                    set.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use driftless_api::appset::{ApplicationSetNestedGenerator, ListGenerator};
    use serde_json::json;

    fn list(elements: serde_json::Value) -> ApplicationSetNestedGenerator {
        ApplicationSetNestedGenerator {
            list: Some(ListGenerator {
                elements: elements.as_array().unwrap().clone(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn overrides_by_merge_key() {
        let merge = MergeGenerator {
            generators: vec![
                list(json!([{"name": "a", "size": "s"}, {"name": "b", "size": "s"}])),
                list(json!([{"name": "b", "size": "xl"}, {"name": "z", "size": "m"}])),
            ],
            merge_keys: vec!["name".into()],
        };
        let got = generate(&merge, "m", &Trees::default(), false).unwrap();
        assert_eq!(
            serde_json::Value::Array(got.into_iter().map(serde_json::Value::Object).collect()),
            json!([{"name": "a", "size": "s"}, {"name": "b", "size": "xl"}])
        );
        let no_keys = MergeGenerator {
            merge_keys: vec![],
            ..merge
        };
        assert!(generate(&no_keys, "m", &Trees::default(), false).is_err());
    }
}
