//! `commonLabels:` and `labels:` (kustomize `LabelTransformer` + `filters/labels`).
//!
//! `commonLabels` uses the `commonLabels` table (selectors and templates);
//! each `labels:` entry uses its own `fields`, plus the template table with
//! `includeTemplates`, or the whole `commonLabels` table with `includeSelectors`,
//! and always `metadata/labels`.

use std::collections::BTreeMap;

use crate::fieldspec::{
    self, Create, FieldSpec, TransformError, TransformerConfig, merge_all, merge_one, path,
};
use crate::kustomization::Label;
use crate::resmap::ResMap;
use crate::yaml::Node;

const NAME: &str = "labels";

/// Sets every pair on every field `specs` name (kustomize's label filter);
/// `transformer` names the kustomization field in errors.
pub fn set_pairs(
    resources: &mut ResMap,
    pairs: &BTreeMap<String, String>,
    specs: &[FieldSpec],
    transformer: &'static str,
) -> Result<(), TransformError> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut set = |node: &mut Node| {
        if node.is_null() {
            *node = Node::map();
        }
        let Some(map) = node.as_map_mut() else {
            return Err(path::WalkError::Set(
                "wrong node kind: expected MappingNode was ScalarNode or SequenceNode".into(),
            ));
        };
        for (k, v) in pairs {
            map.insert(k.clone(), Node::string(v));
        }
        Ok(())
    };
    for res in resources.iter_mut() {
        fieldspec::apply_specs(res, specs, Create::Map, transformer, &mut set)?;
    }
    Ok(())
}

/// The field specs one `labels:` entry applies to.
pub fn label_specs(label: &Label, tc: &TransformerConfig) -> Result<Vec<FieldSpec>, TransformError> {
    let wrap = |e: fieldspec::ConfigError| TransformError::Config {
        transformer: NAME,
        message: format!("failed to merge labels: {e}"),
    };
    let mut specs: Vec<FieldSpec> = Vec::new();
    let own: Vec<FieldSpec> = label.fields.iter().map(FieldSpec::from).collect();
    merge_all(&mut specs, &own).map_err(wrap)?;
    merge_all(&mut specs, &tc.labels).map_err(wrap)?;
    if label.include_selectors {
        merge_all(&mut specs, &tc.common_labels).map_err(wrap)?;
    } else {
        if label.include_templates {
            merge_all(&mut specs, &tc.template_labels).map_err(wrap)?;
        }
        if label.include_volume_claim_templates {
            merge_all(&mut specs, &tc.volume_claim_template_labels).map_err(wrap)?;
        }
        merge_one(&mut specs, FieldSpec::any("metadata/labels", true)).map_err(wrap)?;
    }
    Ok(specs)
}

/// Runs the kustomization's `labels:` entries, then `commonLabels:`.
pub fn apply(
    resources: &mut ResMap,
    labels: &[Label],
    common_labels: &BTreeMap<String, String>,
    tc: &TransformerConfig,
) -> Result<(), TransformError> {
    for label in labels {
        let specs = label_specs(label, tc)?;
        set_pairs(resources, &label.pairs, &specs, NAME)?;
    }
    set_pairs(resources, common_labels, &tc.common_labels, "commonLabels")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::testutil::{objects, resmap};

    const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
";

    fn pairs() -> BTreeMap<String, String> {
        BTreeMap::from([("team".to_owned(), "x".to_owned())])
    }

    #[test]
    fn common_labels_reach_selectors_and_templates() {
        let mut map = resmap(DEPLOY);
        apply(&mut map, &[], &pairs(), TransformerConfig::builtin()).unwrap();
        assert_eq!(
            objects(&map),
            "apiVersion=apps/v1 kind=Deployment metadata.name=d metadata.labels.team=x \
             spec.selector.matchLabels.app=d spec.selector.matchLabels.team=x \
             spec.template.metadata.labels.app=d spec.template.metadata.labels.team=x\n"
        );
    }

    #[test]
    fn labels_entries_follow_their_flags() {
        let cases = [
            (
                false,
                false,
                "spec.selector.matchLabels.app=d spec.template.metadata.labels.app=d\n",
            ),
            (
                false,
                true,
                "spec.selector.matchLabels.app=d spec.template.metadata.labels.app=d \
                           spec.template.metadata.labels.team=x\n",
            ),
            (
                true,
                false,
                "spec.selector.matchLabels.app=d spec.selector.matchLabels.team=x \
                           spec.template.metadata.labels.app=d spec.template.metadata.labels.team=x\n",
            ),
        ];
        for (selectors, templates, tail) in cases {
            let label = Label {
                pairs: pairs(),
                include_selectors: selectors,
                include_templates: templates,
                ..Label::default()
            };
            let mut map = resmap(DEPLOY);
            apply(&mut map, &[label], &BTreeMap::new(), TransformerConfig::builtin()).unwrap();
            let want =
                format!("apiVersion=apps/v1 kind=Deployment metadata.name=d metadata.labels.team=x {tail}");
            assert_eq!(objects(&map), want, "selectors={selectors} templates={templates}");
        }
    }

    #[test]
    fn custom_fields_are_created() {
        let label = Label {
            pairs: pairs(),
            fields: vec![crate::kustomization::FieldSpec {
                kind: "Deployment".into(),
                path: "spec/extra/labels".into(),
                create: true,
                ..Default::default()
            }],
            ..Label::default()
        };
        let mut map = resmap(DEPLOY);
        apply(&mut map, &[label], &BTreeMap::new(), TransformerConfig::builtin()).unwrap();
        assert!(
            objects(&map).contains("spec.extra.labels.team=x"),
            "{}",
            objects(&map)
        );
    }

    #[test]
    fn scalar_selector_is_an_error() {
        let mut map = resmap("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: oops}\n");
        let err = apply(&mut map, &[], &pairs(), TransformerConfig::builtin()).unwrap_err();
        assert!(err.to_string().contains("spec/selector"), "{err}");
    }
}
