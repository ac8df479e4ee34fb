//! Appends the content hash to generated names (kustomize's
//! `HashTransformer`), last in accumulation so the content is final.

use crate::generate::hash::hash_suffix;
use crate::resmap::ResMap;

/// Renames every resource that asked for a hash suffix to `name-hash`.
pub fn apply(resources: &mut ResMap) {
    for r in resources.iter_mut() {
        if r.needs_hash_suffix {
            let suffix = hash_suffix(r.node());
            r.store_previous_id();
            let name = format!("{}-{suffix}", r.name());
            r.set_name(&name);
        }
    }
    resources.reindex();
}
