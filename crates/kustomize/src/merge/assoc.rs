//! Associative lists (kyaml `walkAssociativeSequence`): elements are matched
//! by the schema's merge keys (list-map-keys win over the patch merge key) or,
//! for a primitive list with the `merge` strategy (finalizers), by value.
//!
//! The result lists the patch's elements first, in patch order, then the
//! target's other elements in target order. With several keys a matched
//! target element moves after the patch-only ones instead.

use crate::openapi::SchemaRef;
use crate::yaml::Node;

use super::MergeError;
use super::directives::{Directive, take_list_directive};
use super::elements::{
    append_list, element_values_list, find_element, is_missing_or_empty_map, merge_values, restore_key,
    set_element, validate_keys, value_text,
};
use super::smp::{Walked, Walker, missing_or_null};

/// Walks a list whose schema has the `merge` strategy.
pub(super) fn walk_list<'s>(
    walker: &Walker<'s>,
    dest: Option<Node>,
    origin: Option<Node>,
    schema: Option<SchemaRef<'s>>,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<(Walked, bool), MergeError> {
    let (dest, origin, in_place) = if missing_or_null(dest.as_ref()) {
        // kyaml adds the patch's list as it is, then merges it with itself.
        match origin {
            Some(origin) => (origin.clone(), Some(origin), false),
            None => return Ok((Walked::Clear, false)),
        }
    } else {
        let Some(dest) = dest else {
            return Ok((Walked::Clear, false));
        };
        let mut origin = origin;
        if origin.as_ref().is_some_and(Node::is_null) {
            return Ok((Walked::Clear, false));
        }
        let directive = match origin.as_mut().and_then(Node::as_seq_mut) {
            Some(list) => take_list_directive(list).map_err(|e| e.at(path))?,
            None => Directive::Merge,
        };
        match (directive, origin) {
            (Directive::Delete, _) => return Ok((Walked::Clear, false)),
            (Directive::Replace, Some(origin)) => (origin.clone(), Some(origin), false),
            (_, origin) => (dest, origin, true),
        }
    };
    let Node::Seq(mut dest) = dest else {
        return Ok((Walked::Set(dest), in_place));
    };
    let origin = match origin {
        Some(Node::Seq(list)) => list,
        _ => Vec::new(),
    };
    let keys: Vec<String> = match schema {
        Some(s) => s.strategy_and_keys().1.iter().map(str::to_owned).collect(),
        None => Vec::new(),
    };
    let values = element_values(&dest, &origin, &keys);
    let elem_schema = schema.and_then(|s| s.elements());
    let ctx = Ctx {
        walker,
        elem_schema,
        depth,
    };
    let merged = if !values.is_empty() || !keys.is_empty() {
        ctx.set_elements(values, &keys, dest, &origin, path)?
    } else {
        let values = primitive_values(&dest, &origin);
        ctx.set_elements(values, &[String::new()], std::mem::take(&mut dest), &origin, path)?
    };
    Ok((Walked::Set(Node::Seq(merged)), in_place))
}

/// Key tuples of the patch's elements, then the target's, without repeats.
fn element_values(dest: &[Node], origin: &[Node], keys: &[String]) -> Vec<Vec<String>> {
    let mut seen: Vec<Vec<String>> = Vec::new();
    for list in [origin, dest] {
        for tuple in element_values_list(list, keys) {
            if !tuple.is_empty() && !seen.contains(&tuple) {
                seen.push(tuple);
            }
        }
    }
    seen
}

/// Element texts of the patch, then the target, without repeats.
fn primitive_values(dest: &[Node], origin: &[Node]) -> Vec<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for item in origin.iter().chain(dest) {
        let text = value_text(item);
        if seen.insert(text.to_owned()) {
            out.push(vec![text.to_owned()]);
        }
    }
    out
}

struct Ctx<'w, 's> {
    walker: &'w Walker<'s>,
    elem_schema: Option<SchemaRef<'s>>,
    depth: usize,
}

impl Ctx<'_, '_> {
    /// kyaml `setAssociativeSequenceElements` (prepend direction).
    fn set_elements(
        &self,
        mut values_list: Vec<Vec<String>>,
        keys: &[String],
        mut dest: Vec<Node>,
        origin: &[Node],
        path: &mut Vec<String>,
    ) -> Result<Vec<Node>, MergeError> {
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let mut added: Vec<Node> = Vec::new();
        let mut last_keys: Vec<String> = keys.to_vec();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let (valid_keys, valid_values) = validate_keys(&values_list, values, keys);
            last_keys.clone_from(&valid_keys);
            let (lookup_keys, lookup_values) =
                validate_keys(std::slice::from_ref(&valid_values), &valid_values, &valid_keys);
            let dest_index = find_element(&dest, &lookup_keys, &lookup_values);
            let dest_elem = dest_index.and_then(|i| dest.get(i)).cloned();
            let origin_elem = find_element(origin, &lookup_keys, &lookup_values)
                .and_then(|i| origin.get(i))
                .cloned();
            let (walked, in_place) =
                self.walker
                    .walk(dest_elem, origin_elem, self.elem_schema, path, self.depth + 1)?;
            let mut val = walked.into_node();
            if is_missing_or_empty_map(val.as_ref()) {
                set_element(&mut dest, None, &valid_keys, &valid_values).map_err(|e| e.at(path))?;
                continue;
            }
            for (key, value) in valid_keys.iter().zip(&valid_values) {
                if key.is_empty() || value.is_empty() {
                    continue;
                }
                match val.as_mut() {
                    Some(Node::Map(map)) if !map.contains_key(key) => restore_key(map, key, value),
                    Some(Node::Map(_)) => {}
                    Some(other) => {
                        return Err(MergeError::WrongKind {
                            path: path.join("."),
                            expected: "MappingNode",
                            found: super::elements::kind_name(other),
                        });
                    }
                    None => {}
                }
            }
            // kyaml merged into the target's own element, so the target list sees the result too.
            if in_place
                && let (Some(slot), Some(v)) = (dest_index.and_then(|i| dest.get_mut(i)), val.as_ref())
            {
                *slot = v.clone();
            }
            set_element(&mut added, val, &valid_keys, &valid_values).map_err(|e| e.at(path))?;
        }
        if values_list.is_empty() {
            return Ok(dest);
        }
        append_list(&mut added, dest, &last_keys).map_err(|e| e.at(path))?;
        Ok(added)
    }
}
