//! `list`: each element is a parameter set (flattened with dots in the default mode).

use driftless_api::appset::ListGenerator;

use super::GenError;
use crate::appset::params::{Params, flatten};

/// One set per element.
pub fn generate(list: &ListGenerator, at: &str, go_template: bool) -> Result<Vec<Params>, GenError> {
    list.elements
        .iter()
        .enumerate()
        .map(|(index, element)| {
            let object = element.as_object().ok_or_else(|| GenError::Element {
                at: at.to_owned(),
                index,
            })?;
            Ok(if go_template {
                object.clone()
            } else {
                flatten(object)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_become_sets() {
        let list = ListGenerator {
            elements: vec![
                json!({"cluster": "a", "values": {"replicas": 2}}),
                json!({"cluster": "b"}),
            ],
        };
        let flat = generate(&list, "g", false).unwrap();
        assert_eq!(flat[0]["values.replicas"], "2");
        assert_eq!(flat[1]["cluster"], "b");
        let nested = generate(&list, "g", true).unwrap();
        assert_eq!(nested[0]["values"]["replicas"], 2);
        let bad = ListGenerator {
            elements: vec![json!("text")],
        };
        assert!(matches!(
            generate(&bad, "g", false),
            Err(GenError::Element { index: 0, .. })
        ));
    }
}
