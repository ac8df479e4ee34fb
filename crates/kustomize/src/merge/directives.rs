//! `$patch` directives (`merge`, `replace`, `delete`) on maps and lists.
//!
//! Only `$patch` is interpreted: kustomize's kyaml merge copies `$retainKeys`,
//! `$setElementOrder/…` and `$deleteFromPrimitiveList/…` into the result as
//! ordinary fields, and so do we (checked against `kubectl kustomize`).

use crate::yaml::{Mapping, Node};

use super::MergeError;
use super::elements::{set_element, value_text};

/// The directive key.
pub const PATCH_KEY: &str = "$patch";

/// What a patch node asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// Merge into the target (the default).
    Merge,
    /// Replace the target with the patch.
    Replace,
    /// Remove the target.
    Delete,
}

fn parse(value: &str) -> Option<Directive> {
    match value {
        "merge" => Some(Directive::Merge),
        "replace" => Some(Directive::Replace),
        "delete" => Some(Directive::Delete),
        _ => None,
    }
}

/// Reads and removes a map's `$patch`.
pub fn take_map_directive(patch: &mut Mapping) -> Result<Directive, MergeError> {
    let Some(value) = patch.get(PATCH_KEY) else {
        return Ok(Directive::Merge);
    };
    let text = value_text(value).to_owned();
    let directive = parse(&text).ok_or(MergeError::UnknownDirective {
        path: String::new(),
        value: text,
    })?;
    patch.remove(PATCH_KEY);
    Ok(directive)
}

/// Reads a list's directive: the first element that is a map holding
/// `$patch`, if it holds nothing else; such elements are then removed.
pub fn take_list_directive(patch: &mut Vec<Node>) -> Result<Directive, MergeError> {
    let holder = patch
        .iter()
        .filter_map(Node::as_map)
        .find(|m| m.contains_key(PATCH_KEY));
    let Some(holder) = holder else {
        return Ok(Directive::Merge);
    };
    if holder.len() > 1 {
        return Ok(Directive::Merge);
    }
    let text = holder
        .get(PATCH_KEY)
        .map(value_text)
        .unwrap_or_default()
        .to_owned();
    let directive = parse(&text).ok_or(MergeError::UnknownDirective {
        path: String::new(),
        value: text.clone(),
    })?;
    set_element(patch, None, &[PATCH_KEY.to_owned()], &[text])?;
    Ok(directive)
}
