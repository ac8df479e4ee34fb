//! kustomize's `TransformerConfig`: every field-spec table, the builtin
//! defaults ([`TransformerConfig::builtin`], parsed once from [`super::tables`]),
//! `configurations:` documents, and kustomize's merge (dedupe, conflicts, sort).

use std::sync::OnceLock;

use crate::yaml::Node;

use super::{FieldSpec, GvkSelector, merge_all, tables};

/// The fields that hold names of objects of one kind (kustomize `NameBackReferences`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameBackReference {
    /// The kind referred to.
    pub gvk: GvkSelector,
    /// The referring fields.
    pub referrers: Vec<FieldSpec>,
}

/// Every field-spec table the builtin transformers use (kustomize `TransformerConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransformerConfig {
    /// `namePrefix`.
    pub name_prefix: Vec<FieldSpec>,
    /// `nameSuffix`.
    pub name_suffix: Vec<FieldSpec>,
    /// `namespace`.
    pub namespace: Vec<FieldSpec>,
    /// `commonLabels` (selectors included).
    pub common_labels: Vec<FieldSpec>,
    /// `templateLabels` (metadata and pod templates).
    pub template_labels: Vec<FieldSpec>,
    /// `volumeClaimTemplateLabels`.
    pub volume_claim_template_labels: Vec<FieldSpec>,
    /// `labels` (extra specs for the `labels:` field; empty by default).
    pub labels: Vec<FieldSpec>,
    /// `commonAnnotations`.
    pub common_annotations: Vec<FieldSpec>,
    /// `varReference`: where `$(VAR)` is substituted.
    pub var_reference: Vec<FieldSpec>,
    /// `images`.
    pub images: Vec<FieldSpec>,
    /// `replicas`.
    pub replicas: Vec<FieldSpec>,
    /// `nameReference`.
    pub name_reference: Vec<NameBackReference>,
}

/// A problem in a field-spec configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Two specs for the same field disagree on `create`.
    #[error("conflicting fieldspecs for path '{path}'")]
    Conflict {
        /// The path.
        path: String,
    },
    /// A configuration document of the wrong shape.
    #[error("invalid transformer configuration: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// A stable CamelCase reason.
    pub fn reason(&self) -> &'static str {
        match self {
            ConfigError::Conflict { .. } => "ConflictingFieldSpecs",
            ConfigError::Invalid { .. } => "InvalidTransformerConfig",
        }
    }
}

impl TransformerConfig {
    /// kustomize's default tables, parsed once per process.
    pub fn builtin() -> &'static TransformerConfig {
        static BUILTIN: OnceLock<TransformerConfig> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // kustomize sorts the parsed defaults, then every accumulation merges
            // them into its empty config, which drops effectively equal specs.
            let mut defaults = parse_tables(tables::DEFAULT_TABLES);
            defaults.sort();
            let mut tc = TransformerConfig::default();
            // The fixed default tables cannot conflict with themselves.
            let _ = tc.merge(&defaults);
            tc
        })
    }

    /// The table a section name (as in a configuration file) refers to.
    fn section_mut(&mut self, name: &str) -> Option<&mut Vec<FieldSpec>> {
        Some(match name {
            "namePrefix" => &mut self.name_prefix,
            "nameSuffix" => &mut self.name_suffix,
            "namespace" => &mut self.namespace,
            "commonLabels" => &mut self.common_labels,
            "templateLabels" => &mut self.template_labels,
            "volumeClaimTemplateLabels" => &mut self.volume_claim_template_labels,
            "labels" => &mut self.labels,
            "commonAnnotations" => &mut self.common_annotations,
            "varReference" => &mut self.var_reference,
            "images" => &mut self.images,
            "replicas" => &mut self.replicas,
            _ => return None,
        })
    }

    /// Adds every table of `other` (kustomize `TransformerConfig.Merge`): each
    /// spec not "effectively equal" to one already present is appended, then
    /// every table is sorted by kind like kustomize's `sortFields`. So a
    /// general spec that sorts after a specific one for the same path is dropped,
    /// exactly as kustomize drops it.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<(), ConfigError> {
        let tables = [
            ("NamePrefix", &mut self.name_prefix, &other.name_prefix),
            ("NameSuffix", &mut self.name_suffix, &other.name_suffix),
            ("NameSpace", &mut self.namespace, &other.namespace),
            (
                "CommonAnnotations",
                &mut self.common_annotations,
                &other.common_annotations,
            ),
            ("CommonLabels", &mut self.common_labels, &other.common_labels),
            ("Labels", &mut self.labels, &other.labels),
            (
                "TemplateLabels",
                &mut self.template_labels,
                &other.template_labels,
            ),
            (
                "VolumeClaimTemplateLabels",
                &mut self.volume_claim_template_labels,
                &other.volume_claim_template_labels,
            ),
            ("VarReference", &mut self.var_reference, &other.var_reference),
            ("Images", &mut self.images, &other.images),
            ("Replicas", &mut self.replicas, &other.replicas),
        ];
        for (name, into, more) in tables {
            merge_all(into, more).map_err(|e| ConfigError::Invalid {
                message: format!("failed to merge {name} fieldSpec: {e}"),
            })?;
        }
        for nbr in &other.name_reference {
            self.add_name_reference(nbr.clone())
                .map_err(|e| ConfigError::Invalid {
                    message: format!("failed to merge NameReference fieldSpec: {e}"),
                })?;
        }
        self.sort();
        Ok(())
    }

    /// kustomize's `sortFields`: every table (and the name-reference list) by kind order.
    fn sort(&mut self) {
        for table in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.volume_claim_template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            table.sort_by_cached_key(|fs| gvk_order(&fs.gvk));
        }
        self.name_reference.sort_by_cached_key(|n| gvk_order(&n.gvk));
    }

    fn add_name_reference(&mut self, nbr: NameBackReference) -> Result<(), ConfigError> {
        match self.name_reference.iter_mut().find(|x| x.gvk == nbr.gvk) {
            Some(existing) => merge_all(&mut existing.referrers, &nbr.referrers),
            None => {
                self.name_reference.push(nbr);
                Ok(())
            }
        }
    }

    /// Adds a `configurations:` document (a TransformerConfig in YAML).
    pub fn merge_document(&mut self, doc: &Node) -> Result<(), ConfigError> {
        let parsed = TransformerConfig::from_document(doc)?;
        self.merge(&parsed)
    }

    /// Reads a `configurations:` document on its own.
    pub fn from_document(doc: &Node) -> Result<TransformerConfig, ConfigError> {
        let mut tc = TransformerConfig::default();
        let Some(map) = doc.as_map() else {
            if doc.is_null() {
                return Ok(tc);
            }
            return Err(invalid("the document is not a mapping"));
        };
        for (key, value) in map.iter() {
            if key == "nameReference" {
                for item in seq_items(value, key)? {
                    let gvk = gvk_of(item);
                    let referrers = match item.as_map().and_then(|m| m.get("fieldSpecs")) {
                        Some(specs) => specs_of(specs, "fieldSpecs")?,
                        None => Vec::new(),
                    };
                    tc.name_reference.push(NameBackReference { gvk, referrers });
                }
                continue;
            }
            let specs = specs_of(value, key)?;
            match tc.section_mut(key) {
                Some(table) => table.extend(specs),
                // Unknown keys are ignored here (the strict check is the loader's business).
                None => continue,
            }
        }
        tc.sort();
        Ok(tc)
    }
}

fn invalid(message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        message: message.into(),
    }
}

fn seq_items<'a>(value: &'a Node, key: &str) -> Result<&'a [Node], ConfigError> {
    match value {
        Node::Seq(items) => Ok(items),
        v if v.is_null() => Ok(&[]),
        _ => Err(invalid(format!("'{key}' must be a list"))),
    }
}

fn text(node: Option<&Node>) -> String {
    match node {
        Some(Node::Scalar(s)) if !node.is_some_and(Node::is_null) => s.text.clone(),
        _ => String::new(),
    }
}

fn gvk_of(item: &Node) -> GvkSelector {
    let map = item.as_map();
    GvkSelector {
        group: text(map.and_then(|m| m.get("group"))),
        version: text(map.and_then(|m| m.get("version"))),
        kind: text(map.and_then(|m| m.get("kind"))),
    }
}

fn specs_of(value: &Node, key: &str) -> Result<Vec<FieldSpec>, ConfigError> {
    let mut out = Vec::new();
    for item in seq_items(value, key)? {
        let Some(map) = item.as_map() else {
            return Err(invalid(format!("an entry of '{key}' is not a mapping")));
        };
        let create = text(map.get("create")) == "true";
        out.push(FieldSpec::new(gvk_of(item), &text(map.get("path")), create));
    }
    Ok(out)
}

/// Parses the line format of [`tables`]. The text is ours and fixed, so a
/// malformed line cannot happen at run time; unknown words are ignored.
fn parse_tables(text: &str) -> TransformerConfig {
    let mut tc = TransformerConfig::default();
    let mut section = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("# ") {
            section = name.to_owned();
            continue;
        }
        let mut words = trimmed.split_whitespace();
        let first = words.next().unwrap_or_default();
        let mut gvk = GvkSelector::default();
        let mut create = false;
        for word in words {
            match word.split_once('=') {
                Some(("kind", v)) => gvk.kind = v.to_owned(),
                Some(("group", v)) => gvk.group = v.to_owned(),
                Some(("version", v)) => gvk.version = v.to_owned(),
                _ if word == "create" => create = true,
                _ => {}
            }
        }
        if section == "nameReference" {
            if first == "@" {
                tc.name_reference.push(NameBackReference {
                    gvk,
                    referrers: Vec::new(),
                });
            } else if let Some(last) = tc.name_reference.last_mut() {
                last.referrers.push(FieldSpec::new(gvk, first, create));
            }
        } else if let Some(table) = tc.section_mut(&section) {
            table.push(FieldSpec::new(gvk, first, create));
        }
    }
    tc
}

/// kustomize's `Gvk.IsLessThan` key: the legacy kind order (first kinds
/// negative, last kinds positive, others 0), then `group_version_kind` with
/// `~G`/`~V`/`~K` for empty parts.
fn gvk_order(gvk: &GvkSelector) -> (i32, String) {
    use crate::finalize::sort::{DEFAULT_ORDER_FIRST as FIRST, DEFAULT_ORDER_LAST as LAST};
    let kind = gvk.kind.as_str();
    let rank = if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        i as i32 - FIRST.len() as i32
    } else if let Some(i) = LAST.iter().position(|k| *k == kind) {
        1 + i as i32
    } else {
        0
    };
    let or = |s: &str, d: &'static str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
    let key = format!(
        "{}_{}_{}",
        or(&gvk.group, "~G"),
        or(&gvk.version, "~V"),
        or(kind, "~K")
    );
    (rank, key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn builtin_tables_have_upstream_sizes() {
        let tc = TransformerConfig::builtin();
        let sizes = [
            ("namePrefix", tc.name_prefix.len(), 1),
            ("nameSuffix", tc.name_suffix.len(), 1),
            ("commonLabels", tc.common_labels.len(), 32),
            ("templateLabels", tc.template_labels.len(), 9),
            (
                "volumeClaimTemplateLabels",
                tc.volume_claim_template_labels.len(),
                1,
            ),
            ("commonAnnotations", tc.common_annotations.len(), 9),
            ("namespace", tc.namespace.len(), 3),
            ("varReference", tc.var_reference.len(), 72),
            ("images", tc.images.len(), 6),
            ("replicas", tc.replicas.len(), 4),
            ("nameReference", tc.name_reference.len(), 16),
        ];
        for (name, got, want) in sizes {
            assert_eq!(got, want, "{name}");
        }
        let referrers: usize = tc.name_reference.iter().map(|n| n.referrers.len()).sum();
        assert_eq!(referrers, 167);
        let cm = tc
            .name_reference
            .iter()
            .find(|n| n.gvk.kind == "ConfigMap")
            .unwrap();
        assert_eq!(
            (cm.gvk.kind.as_str(), cm.gvk.version.as_str()),
            ("ConfigMap", "v1")
        );
        assert_eq!(cm.referrers[0].segments, ["spec", "volumes", "configMap", "name"]);
    }

    #[test]
    fn specific_specs_shadow_general_ones_like_kustomize() {
        let doc = crate::fieldspec::testutil::nodes(
            "namePrefix:\n- path: metadata/name\n  kind: Foo\nnameSuffix:\n- path: spec/x\n  kind: Foo\n",
        );
        let own = {
            let mut c = TransformerConfig::builtin().clone();
            c.merge(&TransformerConfig::from_document(&doc[0]).unwrap())
                .unwrap();
            c
        };
        let mut acc = TransformerConfig::default();
        acc.merge(&own).unwrap();
        let prefix: Vec<_> = acc
            .name_prefix
            .iter()
            .map(|f| (f.gvk.kind.as_str(), f.path.as_str()))
            .collect();
        assert_eq!(
            prefix,
            [("Foo", "metadata/name")],
            "the general metadata/name spec is dropped"
        );
        let suffix: Vec<_> = acc
            .name_suffix
            .iter()
            .map(|f| (f.gvk.kind.as_str(), f.path.as_str()))
            .collect();
        assert_eq!(suffix, [("Foo", "spec/x"), ("", "metadata/name")]);
        let conflicting = crate::fieldspec::testutil::nodes(
            "namePrefix:\n- {path: metadata/name, kind: Foo, create: true}\n",
        );
        let mut own = TransformerConfig::builtin().clone();
        own.merge(&TransformerConfig::from_document(&conflicting[0]).unwrap())
            .unwrap();
        let err = TransformerConfig::default().merge(&own).unwrap_err();
        assert!(
            err.to_string()
                .contains("failed to merge NamePrefix fieldSpec: conflicting fieldspecs"),
            "{err}"
        );
    }
}
