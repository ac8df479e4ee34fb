//! `namePrefix:` and `nameSuffix:` (kustomize `PrefixTransformer`/`SuffixTransformer`).
//!
//! Every object except CRDs, APIServices and Namespaces gets the prefix (suffix)
//! on each field of the `namePrefix` (`nameSuffix`) table — by default only
//! `metadata/name`. The previous id and the affix are recorded on the resource
//! so name references can follow the rename later.

use crate::fieldspec::{self, Create, FieldSpec, GvkSelector, TransformError};
use crate::resid::ResId;
use crate::resmap::ResMap;
use crate::yaml::Node;

/// Which affix to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affix {
    /// `namePrefix`.
    Prefix,
    /// `nameSuffix`.
    Suffix,
}

impl Affix {
    fn transformer(self) -> &'static str {
        match self {
            Affix::Prefix => "namePrefix",
            Affix::Suffix => "nameSuffix",
        }
    }
}

/// True for the kinds kustomize never renames.
fn skipped(id: &ResId) -> bool {
    let kind = id.gvk.kind.as_str();
    kind == "CustomResourceDefinition"
        || kind == "Namespace"
        || (kind == "APIService" && id.gvk.group == "apiregistration.k8s.io")
}

/// Adds `prefix` to the fields `specs` name (the `namePrefix` table).
pub fn apply_prefix(resources: &mut ResMap, prefix: &str, specs: &[FieldSpec]) -> Result<(), TransformError> {
    apply(resources, Affix::Prefix, prefix, specs)
}

/// Adds `suffix` to the fields `specs` name (the `nameSuffix` table).
pub fn apply_suffix(resources: &mut ResMap, suffix: &str, specs: &[FieldSpec]) -> Result<(), TransformError> {
    apply(resources, Affix::Suffix, suffix, specs)
}

/// Adds the prefix or suffix `affix` to the fields `specs` name.
pub fn apply(
    resources: &mut ResMap,
    which: Affix,
    affix: &str,
    specs: &[FieldSpec],
) -> Result<(), TransformError> {
    for res in resources.iter_mut() {
        let org = res.org_id();
        if skipped(&org) {
            continue;
        }
        for fs in specs {
            if !selects(&fs.gvk, &org) {
                continue;
            }
            if fs.path == "metadata/name" {
                match which {
                    Affix::Prefix => res.prefixes.push(affix.to_owned()),
                    Affix::Suffix => res.suffixes.push(affix.to_owned()),
                }
                if !affix.is_empty() {
                    res.store_previous_id();
                }
            }
            let mut set = |node: &mut Node| {
                let old = fieldspec::path::scalar_text(node).unwrap_or_default();
                let new = match which {
                    Affix::Prefix => format!("{affix}{old}"),
                    Affix::Suffix => format!("{old}{affix}"),
                };
                *node = Node::string(new);
                Ok(())
            };
            fieldspec::apply_specs(
                res,
                std::slice::from_ref(fs),
                Create::Scalar,
                which.transformer(),
                &mut set,
            )?;
        }
    }
    resources.reindex();
    Ok(())
}

fn selects(selector: &GvkSelector, id: &ResId) -> bool {
    selector.selects_gvk(&id.gvk)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};

    #[test]
    fn renames_all_but_skipped_kinds_and_records_history() {
        let input = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crd}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: api}
---
apiVersion: example.com/v1
kind: APIService
metadata: {name: mine}
";
        let tc = TransformerConfig::builtin();
        let mut map = resmap(input);
        apply_prefix(&mut map, "p-", &tc.name_prefix).unwrap();
        apply_suffix(&mut map, "-s", &tc.name_suffix).unwrap();
        let names: Vec<_> = map.iter().map(|r| r.name().to_owned()).collect();
        assert_eq!(names, ["p-cm-s", "ns", "crd", "api", "p-mine-s"]);
        let cm = map.get(0).unwrap();
        assert_eq!(
            (cm.prefixes.clone(), cm.suffixes.clone()),
            (vec!["p-".to_owned()], vec!["-s".to_owned()])
        );
        let prev: Vec<_> = cm.prev_ids.iter().map(|id| id.name.clone()).collect();
        assert_eq!(prev, ["cm", "p-cm"]);
        assert!(objects(&map).contains("metadata.name=p-cm-s"));
    }
}
