//! `replicas:` (kustomize `ReplicaCountTransformer`): sets the count on the
//! `replicas` table's fields of the objects with that name (current or any
//! previous name). An entry that matches nothing is an error, as in kustomize.

use crate::fieldspec::{self, Create, FieldSpec, TransformError};
use crate::kustomization::Replica;
use crate::resid::Gvk;
use crate::resmap::ResMap;
use crate::yaml::{Node, Scalar, ScalarStyle};

const NAME: &str = "replicas";

/// Applies each entry in order; `specs` is the `replicas` table.
pub fn apply(
    resources: &mut ResMap,
    replicas: &[Replica],
    specs: &[FieldSpec],
) -> Result<(), TransformError> {
    for replica in replicas {
        apply_one(resources, replica, specs)?;
    }
    Ok(())
}

fn apply_one(resources: &mut ResMap, replica: &Replica, specs: &[FieldSpec]) -> Result<(), TransformError> {
    let count = Node::Scalar(Scalar {
        text: replica.count.to_string(),
        style: ScalarStyle::Plain,
        tag: None,
    });
    let mut found = false;
    // kustomize loops specs then objects; per object the specs apply in the same order.
    for res in resources.iter_mut() {
        let named = res.name() == replica.name || res.prev_ids.iter().any(|id| id.name == replica.name);
        if !named {
            continue;
        }
        let ids = res.all_ids();
        for fs in specs {
            let hit = ids
                .iter()
                .any(|id| id.name == replica.name && fs.gvk.selects_gvk(&id.gvk));
            if !hit {
                continue;
            }
            found = true;
            let mut set = |node: &mut Node| {
                *node = count.clone();
                Ok(())
            };
            fieldspec::apply_specs(res, std::slice::from_ref(fs), Create::Scalar, NAME, &mut set)?;
        }
    }
    if !found {
        let gvks: Vec<String> = specs
            .iter()
            .map(|fs| Gvk::new(&fs.gvk.group, &fs.gvk.version, &fs.gvk.kind).to_string())
            .collect();
        return Err(TransformError::Resolve {
            transformer: NAME,
            message: format!(
                "resource with name {} does not match a config with the following GVK [{}]",
                replica.name,
                gvks.join(" ")
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};

    #[test]
    fn sets_counts_by_name_and_fails_on_no_match() {
        let input = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web}
";
        let specs = &TransformerConfig::builtin().replicas;
        let mut map = resmap(input);
        let entries = [
            Replica {
                name: "web".into(),
                count: 3,
            },
            Replica {
                name: "db".into(),
                count: 5,
            },
        ];
        apply(&mut map, &entries, specs).unwrap();
        assert_eq!(
            objects(&map),
            "apiVersion=apps/v1 kind=Deployment metadata.name=web spec.replicas=3\n\
             apiVersion=apps/v1 kind=StatefulSet metadata.name=db spec.replicas=5\n\
             apiVersion=v1 kind=ConfigMap metadata.name=web\n"
        );
        let err = apply(
            &mut map,
            &[Replica {
                name: "nope".into(),
                count: 1,
            }],
            specs,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("resource with name nope does not match"),
            "{err}"
        );
    }
}
