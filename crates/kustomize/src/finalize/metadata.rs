//! Last touches on the output (kustomize `Kustomizer.Run`): drop
//! `local-config` objects, add the managed-by label, write origin
//! annotations, and clean up after the build bookkeeping.

use crate::resmap::ResMap;
use crate::resource::{Origin, Resource};
use crate::yaml::Node;

/// Objects with this annotation (not "false") are not output.
pub const LOCAL_CONFIG_ANNOTATION: &str = "config.kubernetes.io/local-config";
/// The label `--enable-managedby-label` adds.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value: kustomize's version as kubectl v1.32 embeds it.
pub const MANAGED_BY_VALUE: &str = "kustomize-v5.5.0";
/// Where `buildMetadata: [originAnnotations]` records an object's origin.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
/// Where `buildMetadata: [transformerAnnotations]` records the transformers.
pub const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";

/// Drops objects marked local-config.
pub fn drop_local_config(resources: &mut ResMap) {
    resources.retain(|r| r.annotation(LOCAL_CONFIG_ANNOTATION).is_none_or(|v| v == "false"));
}

/// Sets the managed-by label on every object.
pub fn add_managed_by(resources: &mut ResMap) {
    for r in resources.iter_mut() {
        r.set_label(MANAGED_BY_LABEL, MANAGED_BY_VALUE);
    }
}

/// Writes origin/transformation annotations when asked, and mirrors a side
/// effect of kustomize removing its build annotations: an object that carried
/// them and has no other annotation loses an empty `metadata.annotations`.
pub fn write_annotations(resources: &mut ResMap, origins: bool, transformations: bool) {
    for r in resources.iter_mut() {
        if had_build_annotations(r) {
            r.drop_empty_annotations();
        }
        stringify_annotations(r);
        if origins && let Some(origin) = r.origin.clone() {
            r.set_annotation(ORIGIN_ANNOTATION, &origin_yaml(&origin, ""));
        }
        if transformations && !r.transformations.is_empty() {
            let text: String = r.transformations.iter().map(|o| origin_yaml(o, "- ")).collect();
            r.set_annotation(TRANSFORMATIONS_ANNOTATION, &text);
        }
    }
}

/// kustomize rewrites a non-empty annotation map from its string form when
/// it strips build annotations, so `port: 8080` comes out as `port: "8080"`.
fn stringify_annotations(r: &mut Resource) {
    let Some(annotations) = r
        .node_mut()
        .get_path_mut(&["metadata", "annotations"])
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    for (_, value) in annotations.iter_mut() {
        let text = match value {
            Node::Scalar(s) => s.text.clone(),
            _ => String::new(),
        };
        *value = Node::string(text);
    }
}

fn had_build_annotations(r: &Resource) -> bool {
    !r.prev_ids.is_empty() || !r.prefixes.is_empty() || !r.suffixes.is_empty() || !r.ref_by.is_empty()
}

/// The origin as kyaml marshals it (fields in struct order), optionally as a list item.
fn origin_yaml(origin: &Origin, item: &str) -> String {
    let indent = " ".repeat(item.len());
    let mut lines = Vec::new();
    let mut field = |key: &str, value: &Option<String>| {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            lines.push(format!("{key}: {v}"));
        }
    };
    field("path", &origin.path);
    field("repo", &origin.repo);
    field("ref", &origin.git_ref);
    field("configuredIn", &origin.configured_in);
    let by: Vec<String> = [
        ("apiVersion", &origin.config_api_version),
        ("kind", &origin.config_kind),
        ("name", &origin.config_name),
        ("namespace", &origin.config_namespace),
    ]
    .iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| format!("  {k}: {v}"))
    })
    .collect();
    if !by.is_empty() {
        lines.push("configuredBy:".into());
        lines.extend(by);
    }
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(if i == 0 { item } else { &indent });
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_text() {
        let file = Origin {
            path: Some("base/deploy.yaml".into()),
            ..Origin::default()
        };
        assert_eq!(origin_yaml(&file, ""), "path: base/deploy.yaml\n");
        let generator = Origin {
            configured_in: Some("kustomization.yaml".into()),
            config_api_version: Some("builtin".into()),
            config_kind: Some("ConfigMapGenerator".into()),
            ..Origin::default()
        };
        assert_eq!(
            origin_yaml(&generator, "- "),
            "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: ConfigMapGenerator\n"
        );
    }
}
