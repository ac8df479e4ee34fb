//! Field specs from a `crds:` file (kustomize `LoadConfigFromCRDs`): a map of
//! OpenAPI definitions (`{"<pkg>.<Kind>": {"Schema": {...}}}`) whose
//! properties may carry kustomize's extensions:
//!
//! - `x-kubernetes-annotation` → a `commonAnnotations` spec;
//! - `x-kubernetes-label-selector` → a `commonLabels` spec;
//! - `x-kubernetes-identity` → a `namePrefix` spec;
//! - `x-kubernetes-object-ref-api-version` + `x-kubernetes-object-ref-kind`
//!   (+ optional `x-kubernetes-object-ref-name-key`, default `name`) → a
//!   name reference from that field to the named kind.
//!
//! `$ref`s to other definitions in the same file are followed (with a depth
//! bound, so a cyclic schema cannot loop).

use crate::yaml::{Mapping, Node};

use super::{ConfigError, FieldSpec, GvkSelector, NameBackReference, TransformerConfig, merge_one};

/// How deep `$ref` chains are followed.
const MAX_DEPTH: usize = 32;

impl TransformerConfig {
    /// The field specs one `crds:` document declares.
    pub fn from_crd_document(doc: &Node) -> Result<TransformerConfig, ConfigError> {
        let mut result = TransformerConfig::default();
        let Some(defs) = doc.as_map() else {
            if doc.is_null() {
                return Ok(result);
            }
            return Err(ConfigError::Invalid {
                message: "unable to parse open API definition: not a map of definitions".into(),
            });
        };
        for (name, def) in defs.iter() {
            if !looks_like_k8s_type(properties(def)) {
                continue;
            }
            let kind = name.rsplit('.').next().unwrap_or(name);
            let gvk = GvkSelector {
                kind: kind.to_owned(),
                ..GvkSelector::default()
            };
            let mut one = TransformerConfig::default();
            load(&mut one, &gvk, defs, name, &mut Vec::new(), 0)?;
            result.merge(&one)?;
        }
        Ok(result)
    }
}

fn properties(def: &Node) -> Option<&Mapping> {
    def.get_path(&["Schema", "properties"]).and_then(Node::as_map)
}

fn looks_like_k8s_type(props: Option<&Mapping>) -> bool {
    props
        .is_some_and(|p| p.contains_key("kind") && p.contains_key("apiVersion") && p.contains_key("metadata"))
}

fn text<'a>(prop: &'a Mapping, key: &str) -> Option<&'a str> {
    match prop.get(key) {
        Some(Node::Scalar(s)) => Some(s.text.as_str()),
        _ => None,
    }
}

fn load(
    tc: &mut TransformerConfig,
    gvk: &GvkSelector,
    defs: &Mapping,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<(), ConfigError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let Some(props) = defs.get(type_name).and_then(properties) else {
        return Ok(());
    };
    for (prop_name, prop) in props.iter() {
        let Some(prop) = prop.as_map() else { continue };
        path.push(prop_name.clone());
        let spec = |p: &[String]| FieldSpec::new(gvk.clone(), &p.join("/"), false);
        if text(prop, "x-kubernetes-annotation").is_some() {
            merge_one(&mut tc.common_annotations, spec(path))?;
        }
        if text(prop, "x-kubernetes-label-selector").is_some() {
            merge_one(&mut tc.common_labels, spec(path))?;
        }
        if text(prop, "x-kubernetes-identity").is_some() {
            merge_one(&mut tc.name_prefix, spec(path))?;
        }
        if let (Some(version), Some(kind)) = (
            text(prop, "x-kubernetes-object-ref-api-version"),
            text(prop, "x-kubernetes-object-ref-kind"),
        ) {
            let name_key = text(prop, "x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut field = path.clone();
            field.push(name_key.to_owned());
            let nbr = NameBackReference {
                gvk: GvkSelector {
                    group: String::new(),
                    version: version.to_owned(),
                    kind: kind.to_owned(),
                },
                referrers: vec![spec(&field)],
            };
            let mut extra = TransformerConfig::default();
            extra.name_reference.push(nbr);
            tc.merge(&extra)?;
        }
        if let Some(reference) = text(prop, "$ref") {
            let reference = reference.to_owned();
            load(tc, gvk, defs, &reference, path, depth + 1)?;
        }
        path.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::testutil::nodes;

    #[test]
    fn reads_kustomize_extensions_and_follows_refs() {
        let doc = &nodes(
            r#"
example.com/v1.MyKind:
  Schema:
    properties:
      apiVersion: {type: string}
      kind: {type: string}
      metadata: {$ref: k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta}
      spec: {$ref: example.com/v1.MySpec}
example.com/v1.MySpec:
  Schema:
    properties:
      secretRef:
        x-kubernetes-object-ref-api-version: v1
        x-kubernetes-object-ref-kind: Secret
      configName:
        x-kubernetes-object-ref-api-version: v1
        x-kubernetes-object-ref-kind: ConfigMap
        x-kubernetes-object-ref-name-key: key
      selector: {x-kubernetes-label-selector: ""}
      loop: {$ref: example.com/v1.MySpec}
"#,
        )[0];
        let tc = TransformerConfig::from_crd_document(doc).unwrap();
        let refs: Vec<(String, String)> = tc
            .name_reference
            .iter()
            .flat_map(|n| n.referrers.iter().map(|r| (n.gvk.kind.clone(), r.path.clone())))
            .filter(|(_, p)| !p.contains("loop"))
            .collect();
        assert_eq!(
            refs,
            [
                ("ConfigMap".to_owned(), "spec/configName/key".to_owned()),
                ("Secret".to_owned(), "spec/secretRef/name".to_owned())
            ]
        );
        assert_eq!(tc.common_labels[0].path, "spec/selector");
        assert_eq!(tc.common_labels[0].gvk.kind, "MyKind");
    }
}
