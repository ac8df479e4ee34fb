//! The steps after accumulation, in kustomize's order
//! (`makeCustomizedResMap` then `Kustomizer.Run`): hash suffixes, name
//! references, vars, local-config removal, sort, managed-by label, build
//! metadata annotations.

pub mod hash_suffix;
pub mod metadata;
pub mod sort;

use crate::error::Error;
use crate::kustomization::Kustomization;
use crate::resmap::ResMap;
use crate::target::Accumulator;

/// `buildMetadata` option: keep origin annotations.
pub const ORIGIN_ANNOTATIONS: &str = "originAnnotations";
/// `buildMetadata` option: keep transformer annotations.
pub const TRANSFORMER_ANNOTATIONS: &str = "transformerAnnotations";
/// `buildMetadata` option: add the managed-by label.
pub const MANAGED_BY_LABEL: &str = "managedByLabel";

/// Turns the top kustomization's accumulation into the output list.
pub fn finalize(
    acc: Accumulator,
    top: &Kustomization,
    default_order: &sort::Order,
    add_managed_by: bool,
) -> Result<ResMap, Error> {
    let config = acc.config.get();
    let mut resources = acc.resources;
    hash_suffix::apply(&mut resources);
    crate::transform::name_reference::apply(&mut resources, &config.name_reference)?;
    resources.reindex();
    // Unused vars are only a warning in kustomize.
    let _unused = crate::transform::vars::apply(&mut resources, &acc.vars, &config.var_reference)?;
    resources.reindex();
    metadata::drop_local_config(&mut resources);
    let order = match &top.sort_options {
        Some(options) => sort::Order::from_options(options)?,
        None => default_order.clone(),
    };
    sort::apply(&mut resources, &order);
    let meta = &top.build_metadata;
    if add_managed_by || meta.iter().any(|m| m == MANAGED_BY_LABEL) {
        metadata::add_managed_by(&mut resources);
    }
    let origins = meta.iter().any(|m| m == ORIGIN_ANNOTATIONS);
    let transformations = meta.iter().any(|m| m == TRANSFORMER_ANNOTATIONS);
    metadata::write_annotations(&mut resources, origins, transformations);
    resources.reindex();
    Ok(resources)
}
