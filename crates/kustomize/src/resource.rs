//! One Kubernetes object in the build, plus the bookkeeping kustomize keeps
//! beside it (kustomize stores these as `internal.config.kubernetes.io/*`
//! build annotations; we keep them as fields and strip nothing at the end).
//!
//! - previous ids (name/namespace/kind before each rename) so name references
//!   and later lookups can follow renames;
//! - the name prefixes and suffixes applied, used to tell apart candidates in
//!   name-reference resolution;
//! - generator behavior and the hash-suffix flag for generated objects;
//! - the origin and the transformers that touched it (`buildMetadata`).

use crate::resid::{Gvk, ResId};
use crate::yaml::{Mapping, Node};

/// How a generated object combines with an existing one of the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behavior {
    /// Not set (treated as create).
    #[default]
    Unspecified,
    /// Must not exist yet.
    Create,
    /// Replaces the existing object's data.
    Replace,
    /// Merges into the existing object's data.
    Merge,
}

impl Behavior {
    /// Parses kustomize's spelling; `None` for an unknown word.
    pub fn parse(word: &str) -> Option<Behavior> {
        match word {
            "" => Some(Behavior::Unspecified),
            "create" => Some(Behavior::Create),
            "replace" => Some(Behavior::Replace),
            "merge" => Some(Behavior::Merge),
            _ => None,
        }
    }
}

/// Where a resource came from, for the `config.kubernetes.io/origin` annotation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// File path relative to the top kustomization, when read from a file.
    pub path: Option<String>,
    /// Remote repository, when fetched (never, here; kept for the format).
    pub repo: Option<String>,
    /// Git ref of `repo`.
    pub git_ref: Option<String>,
    /// The kustomization file that configured the generator or transformer.
    pub configured_in: Option<String>,
    /// The generator or transformer config that produced or changed it.
    pub config_kind: Option<String>,
    /// Its `metadata.name`.
    pub config_name: Option<String>,
    /// Its `metadata.namespace`.
    pub config_namespace: Option<String>,
    /// Its API version.
    pub config_api_version: Option<String>,
}

/// A resource: the object's YAML tree plus kustomize's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    node: Node,
    /// Earlier ids, oldest first; namespaces stored as effective namespaces (like kustomize).
    pub prev_ids: Vec<ResId>,
    /// Name prefixes applied, in order.
    pub prefixes: Vec<String>,
    /// Name suffixes applied, in order.
    pub suffixes: Vec<String>,
    /// Generator behavior (generated objects only).
    pub behavior: Behavior,
    /// True when the name gets a content-hash suffix at the end of the build.
    pub needs_hash_suffix: bool,
    /// For a patch: it may change its target's name.
    pub allow_name_change: bool,
    /// For a patch: it may change its target's kind.
    pub allow_kind_change: bool,
    /// Ids of the objects whose fields were updated to refer to this one.
    pub ref_by: Vec<ResId>,
    /// Names of the `vars` that refer to this object.
    pub ref_var_names: Vec<String>,
    /// Where it came from (`buildMetadata: [originAnnotations]`).
    pub origin: Option<Origin>,
    /// Transformers that changed it (`buildMetadata: [transformerAnnotations]`).
    pub transformations: Vec<Origin>,
}

impl Resource {
    /// Wraps an object.
    pub fn new(node: Node) -> Resource {
        Resource {
            node,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            behavior: Behavior::Unspecified,
            needs_hash_suffix: false,
            allow_name_change: false,
            allow_kind_change: false,
            ref_by: Vec::new(),
            ref_var_names: Vec::new(),
            origin: None,
            transformations: Vec::new(),
        }
    }

    /// The object.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The object, mutably. Changing name, namespace, kind or apiVersion here
    /// changes [`Resource::cur_id`]; call [`crate::resmap::ResMap::reindex`] afterwards.
    pub fn node_mut(&mut self) -> &mut Node {
        &mut self.node
    }

    /// Replaces the object, keeping the bookkeeping.
    pub fn set_node(&mut self, node: Node) {
        self.node = node;
    }

    /// The object, consumed.
    pub fn into_node(self) -> Node {
        self.node
    }

    fn top_str(&self, key: &str) -> &str {
        self.node
            .as_map()
            .and_then(|m| m.get(key))
            .and_then(scalar_text)
            .unwrap_or("")
    }

    fn meta_str(&self, key: &str) -> &str {
        self.node
            .get_path(&["metadata", key])
            .and_then(scalar_text)
            .unwrap_or("")
    }

    /// `apiVersion`, or "".
    pub fn api_version(&self) -> &str {
        self.top_str("apiVersion")
    }

    /// `kind`, or "".
    pub fn kind(&self) -> &str {
        self.top_str("kind")
    }

    /// `metadata.name`, or "".
    pub fn name(&self) -> &str {
        self.meta_str("name")
    }

    /// `metadata.namespace`, or "".
    pub fn namespace(&self) -> &str {
        self.meta_str("namespace")
    }

    /// Group, version and kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The id from the object's current fields.
    pub fn cur_id(&self) -> ResId {
        ResId::new(self.gvk(), self.name(), self.namespace())
    }

    /// The earliest previous id, if the object was renamed.
    pub fn first_prev_id(&self) -> Option<&ResId> {
        self.prev_ids.first()
    }

    /// The id the object had when it entered the build.
    pub fn org_id(&self) -> ResId {
        self.prev_ids.first().cloned().unwrap_or_else(|| self.cur_id())
    }

    /// Previous ids (oldest first) then the current one.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut ids = self.prev_ids.clone();
        ids.push(self.cur_id());
        ids
    }

    /// Records the current id as a previous one; call before a rename.
    pub fn store_previous_id(&mut self) {
        let cur = self.cur_id();
        let namespace = cur.effective_namespace().to_owned();
        self.prev_ids.push(ResId::new(cur.gvk, cur.name, namespace));
    }

    /// `metadata.labels`, if present and a mapping.
    pub fn labels(&self) -> Option<&Mapping> {
        self.node.get_path(&["metadata", "labels"]).and_then(Node::as_map)
    }

    /// `metadata.annotations`, if present and a mapping.
    pub fn annotations(&self) -> Option<&Mapping> {
        self.node
            .get_path(&["metadata", "annotations"])
            .and_then(Node::as_map)
    }

    /// The label's value, if set.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels().and_then(|m| m.get(key)).and_then(scalar_text)
    }

    /// The annotation's value, if set.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations().and_then(|m| m.get(key)).and_then(scalar_text)
    }

    /// Sets `metadata.name`.
    pub fn set_name(&mut self, name: &str) {
        self.set_meta("name", name);
    }

    /// Sets `metadata.namespace`.
    pub fn set_namespace(&mut self, namespace: &str) {
        self.set_meta("namespace", namespace);
    }

    /// Sets `kind`.
    pub fn set_kind(&mut self, kind: &str) {
        if let Some(map) = self.node.as_map_mut() {
            map.insert("kind", Node::string(kind));
        }
    }

    /// Sets one label, creating `metadata.labels` if needed.
    pub fn set_label(&mut self, key: &str, value: &str) {
        self.set_in_meta_map("labels", key, value);
    }

    /// Sets one annotation, creating `metadata.annotations` if needed.
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        self.set_in_meta_map("annotations", key, value);
    }

    /// Removes one annotation; drops `metadata.annotations` when it becomes empty.
    pub fn remove_annotation(&mut self, key: &str) {
        if let Some(meta) = self.node.get_path_mut(&["metadata"]).and_then(Node::as_map_mut) {
            let now_empty = match meta.get_mut("annotations").and_then(Node::as_map_mut) {
                Some(annotations) => {
                    annotations.remove(key);
                    annotations.is_empty()
                }
                None => false,
            };
            if now_empty {
                meta.remove("annotations");
            }
        }
    }

    /// Removes `metadata.annotations` when it is an empty map (kustomize's
    /// `SetAnnotations` with nothing left clears the field).
    pub fn drop_empty_annotations(&mut self) {
        let Some(meta) = self.node.get_path_mut(&["metadata"]).and_then(Node::as_map_mut) else {
            return;
        };
        if meta
            .get("annotations")
            .and_then(Node::as_map)
            .is_some_and(|m| m.is_empty())
        {
            meta.remove("annotations");
        }
    }

    fn set_meta(&mut self, key: &str, value: &str) {
        if let Some(meta) = self
            .node
            .as_map_mut()
            .and_then(|m| m.entry_map("metadata").as_map_mut())
        {
            meta.insert(key, Node::string(value));
        }
    }

    fn set_in_meta_map(&mut self, field: &str, key: &str, value: &str) {
        let Some(map) = self.node.as_map_mut() else { return };
        let Some(meta) = map.entry_map("metadata").as_map_mut() else {
            return;
        };
        let slot = meta.entry_map(field);
        if !matches!(slot, Node::Map(_)) {
            *slot = Node::map();
        }
        if let Some(m) = slot.as_map_mut() {
            m.insert(key, Node::string(value));
        }
    }

    /// True when the object has no fields at all (a patch deleted it).
    pub fn is_empty(&self) -> bool {
        match &self.node {
            Node::Map(m) => m.is_empty(),
            other => other.is_null(),
        }
    }
}

/// A scalar's text whatever it resolves to (kustomize reads names as
/// strings); `None` for a null. Checked on the text, without resolving.
fn scalar_text(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar(s) if is_null_scalar(s) => None,
        Node::Scalar(s) => Some(s.text.as_str()),
        _ => None,
    }
}

fn is_null_scalar(s: &crate::yaml::Scalar) -> bool {
    match s.tag.as_deref() {
        Some("!!null") => true,
        Some(_) => false,
        None => {
            s.style == crate::yaml::ScalarStyle::Plain
                && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config_map(name: &str, ns: Option<&str>) -> Resource {
        let mut meta = Mapping::default();
        meta.insert("name", Node::string(name));
        if let Some(ns) = ns {
            meta.insert("namespace", Node::string(ns));
        }
        let mut top = Mapping::default();
        top.insert("apiVersion", Node::string("v1"));
        top.insert("kind", Node::string("ConfigMap"));
        top.insert("metadata", Node::Map(meta));
        Resource::new(Node::Map(top))
    }

    #[test]
    fn reads_and_sets_identity() {
        let mut r = config_map("cm", None);
        assert_eq!(
            (r.api_version(), r.kind(), r.name(), r.namespace()),
            ("v1", "ConfigMap", "cm", "")
        );
        r.store_previous_id();
        r.set_name("p-cm");
        r.set_namespace("prod");
        assert_eq!(r.cur_id().to_string(), "ConfigMap.v1.[noGrp]/p-cm.prod");
        assert_eq!(r.org_id().to_string(), "ConfigMap.v1.[noGrp]/cm.default");
        assert_eq!(r.all_ids().len(), 2);
    }

    #[test]
    fn labels_and_annotations() {
        let mut r = config_map("cm", Some("x"));
        assert!(r.labels().is_none());
        r.set_label("app", "web");
        r.set_annotation("a", "1");
        assert_eq!(r.label("app"), Some("web"));
        assert_eq!(r.annotation("a"), Some("1"));
        r.remove_annotation("a");
        assert!(r.annotations().is_none());
    }

    #[test]
    fn behavior_words() {
        assert_eq!(Behavior::parse("merge"), Some(Behavior::Merge));
        assert_eq!(Behavior::parse(""), Some(Behavior::Unspecified));
        assert_eq!(Behavior::parse("bogus"), None);
    }
}
