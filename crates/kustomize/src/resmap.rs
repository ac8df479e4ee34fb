//! The ordered list of resources in a build, indexed by id.
//!
//! Order is insertion order (kustomize's FIFO order). Two hash indexes map
//! the current id and every earlier id of a resource to positions, so
//! lookups never scan (kustomize#5081 was a 4x win from this).
//!
//! Any mutable access may rename resources, so it drops the index; the next
//! lookup rebuilds it (once, however many mutations came before). Appends
//! keep an existing index up to date.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::error::Error;
use crate::resid::ResId;
use crate::resource::Resource;

/// Positions by current id, and by any id (current or previous).
#[derive(Debug, Clone, Default)]
struct Index {
    current: HashMap<ResId, usize>,
    any: HashMap<ResId, Vec<usize>>,
}

impl Index {
    fn add(&mut self, index: usize, resource: &Resource, id: ResId) {
        for prev in &resource.prev_ids {
            self.any.entry(prev.clone()).or_default().push(index);
        }
        self.any.entry(id.clone()).or_default().push(index);
        // With duplicates (possible mid-transform), the first one wins like kustomize's scan.
        self.current.entry(id).or_insert(index);
    }

    fn build(resources: &[Resource]) -> Index {
        let mut index = Index::default();
        for (i, r) in resources.iter().enumerate() {
            index.add(i, r, r.cur_id());
        }
        index
    }
}

/// Resources in order, with id indexes.
#[derive(Debug, Clone, Default)]
pub struct ResMap {
    resources: Vec<Resource>,
    index: OnceCell<Index>,
}

impl ResMap {
    /// An empty map.
    pub fn new() -> ResMap {
        ResMap::default()
    }

    /// Builds a map, failing on the first duplicate id.
    pub fn from_resources(resources: impl IntoIterator<Item = Resource>) -> Result<ResMap, Error> {
        let mut map = ResMap::new();
        for r in resources {
            map.append(r)?;
        }
        Ok(map)
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Resources in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Resource> {
        self.resources.iter()
    }

    /// Resources in order, mutably; the index is rebuilt on the next lookup.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Resource> {
        self.index.take();
        self.resources.iter_mut()
    }

    /// The resources as a slice.
    pub fn as_slice(&self) -> &[Resource] {
        &self.resources
    }

    /// The resource at `index`.
    pub fn get(&self, index: usize) -> Option<&Resource> {
        self.resources.get(index)
    }

    /// The resource at `index`, mutably; the index is rebuilt on the next lookup.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut Resource> {
        self.index.take();
        self.resources.get_mut(index)
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.resources))
    }

    /// Appends a resource; an error when its current id is already present.
    pub fn append(&mut self, resource: Resource) -> Result<(), Error> {
        let id = resource.cur_id();
        if self.position(&id).is_some() {
            return Err(Error::DuplicateId { id: id.to_string() });
        }
        let position = self.resources.len();
        if let Some(index) = self.index.get_mut() {
            index.add(position, &resource, id);
        }
        self.resources.push(resource);
        Ok(())
    }

    /// Appends every resource of `other`, in order.
    pub fn append_all(&mut self, other: ResMap) -> Result<(), Error> {
        for r in other.resources {
            self.append(r)?;
        }
        Ok(())
    }

    /// Replaces the resource at `index` (its id may change).
    pub fn replace(&mut self, index: usize, resource: Resource) {
        if let Some(slot) = self.resources.get_mut(index) {
            *slot = resource;
            self.index.take();
        }
    }

    /// Removes and returns the resource at `index`.
    pub fn remove(&mut self, index: usize) -> Option<Resource> {
        if index >= self.resources.len() {
            return None;
        }
        self.index.take();
        Some(self.resources.remove(index))
    }

    /// Keeps only the resources for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Resource) -> bool) {
        let before = self.resources.len();
        self.resources.retain(keep);
        if self.resources.len() != before {
            self.index.take();
        }
    }

    /// Replaces the whole list (e.g. after sorting).
    pub fn set_resources(&mut self, resources: Vec<Resource>) {
        self.resources = resources;
        self.index.take();
    }

    /// Position of the resource whose current id equals `id`.
    pub fn position(&self, id: &ResId) -> Option<usize> {
        self.index().current.get(id).copied()
    }

    /// The resource whose current id equals `id`.
    pub fn get_by_id(&self, id: &ResId) -> Option<&Resource> {
        self.position(id).and_then(|i| self.resources.get(i))
    }

    /// Positions (ascending) of resources whose current or any previous id equals `id`.
    pub fn positions_by_any_id(&self, id: &ResId) -> Vec<usize> {
        let mut hits = self.index().any.get(id).cloned().unwrap_or_default();
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// Positions of resources whose current id is selected by `selector`
    /// (empty selector fields match anything).
    pub fn positions_selected_by(&self, selector: &ResId) -> Vec<usize> {
        let hits = self
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.cur_id().is_selected_by(selector));
        hits.map(|(i, _)| i).collect()
    }

    /// Marks the index for rebuilding (after changing resources in place).
    pub fn reindex(&mut self) {
        self.index.take();
    }

    /// Checks that no two resources share a current id.
    pub fn check_unique(&self) -> Result<(), Error> {
        let mut seen = HashMap::with_capacity(self.resources.len());
        for r in &self.resources {
            let id = r.cur_id();
            if seen.insert(id.clone(), ()).is_some() {
                return Err(Error::DuplicateId { id: id.to_string() });
            }
        }
        Ok(())
    }

    /// The resources, consumed, in order.
    pub fn into_vec(self) -> Vec<Resource> {
        self.resources
    }
}

impl IntoIterator for ResMap {
    type Item = Resource;
    type IntoIter = std::vec::IntoIter<Resource>;
    fn into_iter(self) -> Self::IntoIter {
        self.resources.into_iter()
    }
}

impl<'a> IntoIterator for &'a ResMap {
    type Item = &'a Resource;
    type IntoIter = std::slice::Iter<'a, Resource>;
    fn into_iter(self) -> Self::IntoIter {
        self.resources.iter()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::resid::Gvk;
    use crate::yaml::{Mapping, Node};

    fn res(kind: &str, name: &str) -> Resource {
        let mut meta = Mapping::default();
        meta.insert("name", Node::string(name));
        let mut top = Mapping::default();
        top.insert("apiVersion", Node::string("v1"));
        top.insert("kind", Node::string(kind));
        top.insert("metadata", Node::Map(meta));
        Resource::new(Node::Map(top))
    }

    fn id(kind: &str, name: &str) -> ResId {
        ResId::new(Gvk::new("", "v1", kind), name, "")
    }

    #[test]
    fn append_rejects_duplicates_and_keeps_order() {
        let mut map = ResMap::new();
        map.append(res("ConfigMap", "a")).unwrap();
        map.append(res("Service", "a")).unwrap();
        let err = map.append(res("ConfigMap", "a")).unwrap_err();
        assert!(
            err.to_string()
                .contains("already registered id: ConfigMap.v1.[noGrp]/a.[noNs]"),
            "{err}"
        );
        let kinds: Vec<_> = map.iter().map(|r| r.kind().to_owned()).collect();
        assert_eq!(kinds, ["ConfigMap", "Service"]);
    }

    #[test]
    fn lookups_follow_renames_after_reindex_and_while_stale() {
        let mut map = ResMap::from_resources([res("ConfigMap", "a"), res("ConfigMap", "b")]).unwrap();
        for r in map.iter_mut() {
            r.store_previous_id();
            let renamed = format!("p-{}", r.name());
            r.set_name(&renamed);
        }
        for round in 0..2 {
            assert_eq!(map.position(&id("ConfigMap", "p-b")), Some(1), "round {round}");
            assert_eq!(map.position(&id("ConfigMap", "b")), None, "round {round}");
            assert_eq!(
                map.positions_by_any_id(&id("ConfigMap", "b")),
                vec![1],
                "round {round}"
            );
            map.reindex();
        }
        map.remove(0);
        assert_eq!(map.position(&id("ConfigMap", "p-b")), Some(0));
    }

    #[test]
    fn selection_by_partial_id() {
        let map = ResMap::from_resources([res("ConfigMap", "a"), res("Service", "a")]).unwrap();
        let selector = ResId::new(Gvk::new("", "", "Service"), "", "");
        assert_eq!(map.positions_selected_by(&selector), vec![1]);
        assert_eq!(map.positions_selected_by(&id("ConfigMap", "a")), vec![0]);
    }
}
