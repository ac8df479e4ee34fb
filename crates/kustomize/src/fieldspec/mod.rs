//! Field specs: which fields of which kinds a builtin transformer touches
//! (kustomize's `types.FieldSpec` and `TransformerConfig`).
//!
//! [`TransformerConfig::builtin`] is kustomize's default tables ([`tables`]),
//! parsed once; [`TransformerConfig::merge_document`] adds a `configurations:`
//! file. [`path::walk`] visits the fields a spec names.

pub mod config;
pub mod crds;
pub mod error;
pub mod kpath;
pub mod path;
#[cfg(test)]
mod robustness;
pub mod tables;
#[cfg(test)]
pub(crate) mod testutil;

pub use config::{ConfigError, NameBackReference, TransformerConfig};
pub use error::TransformError;
pub use path::Create;

use crate::resid::{Gvk, parse_group_version};
use crate::resource::Resource;
use crate::yaml::Node;

/// Applies `set` to every field the matching `specs` name in `res` (matched
/// on its current group/version/kind), wrapping failures with the object and path.
pub fn apply_specs<F>(
    res: &mut Resource,
    specs: &[FieldSpec],
    create: Create,
    transformer: &'static str,
    set: &mut F,
) -> Result<(), TransformError>
where
    F: FnMut(&mut Node) -> Result<(), path::WalkError>,
{
    let matched: Vec<&FieldSpec> = {
        let (group, version) = parse_group_version(res.api_version());
        let kind = res.kind();
        specs
            .iter()
            .filter(|fs| fs.gvk.selects(group, version, kind))
            .collect()
    };
    for fs in matched {
        if let Err(e) = path::walk(res.node_mut(), fs, create, set) {
            return Err(TransformError::field(
                transformer,
                res.cur_id(),
                &fs.path,
                e.to_string(),
            ));
        }
    }
    Ok(())
}

/// A group/version/kind selector: empty parts match anything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct GvkSelector {
    /// API group.
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl GvkSelector {
    /// True when every non-empty part equals the object's.
    pub fn selects(&self, group: &str, version: &str, kind: &str) -> bool {
        (self.kind.is_empty() || self.kind == kind)
            && (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
    }

    /// [`GvkSelector::selects`] on a [`Gvk`].
    pub fn selects_gvk(&self, gvk: &Gvk) -> bool {
        self.selects(&gvk.group, &gvk.version, &gvk.kind)
    }

    /// True when `other` (as a selector) selects this selector's parts (kustomize `Gvk.IsSelected`).
    pub fn is_selected_by(&self, other: &GvkSelector) -> bool {
        other.selects(&self.group, &self.version, &self.kind)
    }
}

/// One field spec: a slash-separated path in objects the selector matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Which objects.
    pub gvk: GvkSelector,
    /// The path as written (`spec/template/spec/containers[]/image`).
    pub path: String,
    /// The path split into fields (`\/` is a literal slash).
    pub segments: Vec<String>,
    /// Create missing fields on the way (`create: true`).
    pub create: bool,
}

impl FieldSpec {
    /// A field spec from its parts.
    pub fn new(gvk: GvkSelector, path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk,
            path: path.to_owned(),
            segments: split_path(path),
            create,
        }
    }

    /// A spec for every kind.
    pub fn any(path: &str, create: bool) -> FieldSpec {
        FieldSpec::new(GvkSelector::default(), path, create)
    }

    /// kustomize's `effectivelyEquals`: same path, and this spec's selector is selected by the other's.
    fn effectively_equals(&self, other: &FieldSpec) -> bool {
        self.path == other.path && self.gvk.is_selected_by(&other.gvk)
    }
}

impl From<&crate::kustomization::FieldSpec> for FieldSpec {
    fn from(fs: &crate::kustomization::FieldSpec) -> FieldSpec {
        let gvk = GvkSelector {
            group: fs.group.clone(),
            version: fs.version.clone(),
            kind: fs.kind.clone(),
        };
        FieldSpec::new(gvk, &fs.path, fs.create)
    }
}

/// Splits a field-spec path on `/`, joining a segment that ends in `\` with the next.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(part);
            }
            _ => out.push(part.to_owned()),
        }
    }
    out
}

/// Appends the specs of `more` not already in `into` (kustomize `FsSlice.MergeAll`).
pub fn merge_all(into: &mut Vec<FieldSpec>, more: &[FieldSpec]) -> Result<(), ConfigError> {
    for fs in more {
        merge_one(into, fs.clone())?;
    }
    Ok(())
}

/// Appends `fs` unless an equal spec exists; a conflicting `create` is an error.
pub fn merge_one(into: &mut Vec<FieldSpec>, fs: FieldSpec) -> Result<(), ConfigError> {
    match into.iter().find(|x| x.effectively_equals(&fs)) {
        Some(existing) if existing.create != fs.create => Err(ConfigError::Conflict { path: fs.path }),
        Some(_) => Ok(()),
        None => {
            into.push(fs);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn split_path_keeps_escaped_slashes() {
        let cases: &[(&str, &[&str])] = &[
            ("spec/template", &["spec", "template"]),
            (
                r"metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret",
                &[
                    "metadata",
                    "annotations",
                    "nginx.ingress.kubernetes.io/auth-secret",
                ],
            ),
            ("a", &["a"]),
        ];
        for (path, want) in cases {
            assert_eq!(&split_path(path), want, "{path}");
        }
    }

    #[test]
    fn merge_skips_duplicates_and_rejects_conflicts() {
        let mut specs = vec![FieldSpec::any("metadata/labels", true)];
        merge_one(&mut specs, FieldSpec::any("metadata/labels", true)).unwrap();
        assert_eq!(specs.len(), 1);
        let err = merge_one(&mut specs, FieldSpec::any("metadata/labels", false)).unwrap_err();
        assert_eq!(err.reason(), "ConflictingFieldSpecs");
        merge_one(&mut specs, FieldSpec::any("spec/x", false)).unwrap();
        assert_eq!(specs.len(), 2);
    }
}
