//! List-element primitives of kyaml's merge: finding, replacing and deleting
//! elements of a sequence by merge-key values. Their quirks are kustomize's
//! observable behaviour (e.g. an empty key value matches every element that
//! has the key), so they are reproduced as they are.

use crate::yaml::{Mapping, Node};

use super::MergeError;

/// The text kyaml compares: a scalar's value, "" for maps and lists.
pub(super) fn value_text(node: &Node) -> &str {
    match node {
        Node::Scalar(s) => &s.text,
        _ => "",
    }
}

/// kyaml `IsNilOrEmpty` for a present node: null, `{}` or `[]`.
pub(super) fn is_null_or_empty(node: &Node) -> bool {
    match node {
        Node::Map(m) => m.is_empty(),
        Node::Seq(s) => s.is_empty(),
        Node::Scalar(_) => node.is_null(),
    }
}

/// kyaml `IsEmptyMap`: missing, null or `{}`.
pub(super) fn is_missing_or_empty_map(node: Option<&Node>) -> bool {
    match node {
        None => true,
        Some(Node::Map(m)) => m.is_empty(),
        Some(other) => other.is_null(),
    }
}

/// The node's kind as kyaml names it in errors.
pub(super) fn kind_name(node: &Node) -> &'static str {
    match node {
        Node::Scalar(_) => "ScalarNode",
        Node::Seq(_) => "SequenceNode",
        Node::Map(_) => "MappingNode",
    }
}

fn wrong_kind(expected: &'static str, node: &Node) -> MergeError {
    MergeError::WrongKind {
        path: String::new(),
        expected,
        found: kind_name(node),
    }
}

/// For each element, the text of each key's value ("" when absent or empty).
pub(super) fn element_values_list(list: &[Node], keys: &[String]) -> Vec<Vec<String>> {
    list.iter()
        .map(|elem| {
            keys.iter()
                .map(|key| match elem.as_map().and_then(|m| m.get(key)) {
                    Some(value) if !is_null_or_empty(value) => value_text(value).to_owned(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

/// The first element whose fields `keys` have exactly `values`; with the key
/// "", the first element whose own text is `values[0]`.
pub(super) fn find_element(list: &[Node], keys: &[String], values: &[String]) -> Option<usize> {
    let first_value = values.first().map_or("", String::as_str);
    if keys.first().is_none_or(|k| k.is_empty()) {
        return list.iter().position(|elem| value_text(elem) == first_value);
    }
    if keys.len() != values.len() {
        return None;
    }
    list.iter().position(|elem| {
        let Some(map) = elem.as_map() else { return false };
        keys.iter()
            .zip(values)
            .all(|(key, value)| map.get(key).is_some_and(|field| value_text(field) == value))
    })
}

/// kyaml's `FieldMatcher{Name, StringValue}`: an empty value matches any
/// element that has the field at all.
fn field_matches(elem: &Node, name: &str, value: &str) -> Result<bool, MergeError> {
    if elem.is_null() {
        return Ok(false);
    }
    if name.is_empty() {
        return match elem {
            Node::Scalar(s) => Ok(s.text == value),
            other => Err(wrong_kind("ScalarNode", other)),
        };
    }
    let Node::Map(map) = elem else {
        return Err(wrong_kind("MappingNode", elem));
    };
    Ok(match map.get(name) {
        Some(field) => value.is_empty() || value_text(field) == value,
        None => false,
    })
}

/// kyaml's `ElementSetter`: replaces every element matching `keys`/`values`
/// with `element` (appending it when none matched), or deletes the matches
/// when `element` is `None`. Null and `{}` elements are dropped on the way.
pub(super) fn set_element(
    list: &mut Vec<Node>,
    element: Option<Node>,
    keys: &[String],
    values: &[String],
) -> Result<(), MergeError> {
    let blank = [String::new()];
    let keys = if keys.is_empty() { &blank[..] } else { keys };
    let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut kept = Vec::with_capacity(list.len() + 1);
    let mut matched = false;
    for elem in std::mem::take(list) {
        if is_missing_or_empty_map(Some(&elem)) {
            continue;
        }
        if mapping_setter && !matches!(elem, Node::Map(_)) {
            kept.push(elem);
            continue;
        }
        // Like kyaml, keys without a value reuse the previous key's result.
        let mut found = false;
        for (j, _) in keys.iter().enumerate() {
            if let Some(value) = values.get(j) {
                found = field_matches(&elem, &keys[j], value)?;
            }
            if !found {
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                kept.push(elem);
            }
            continue;
        }
        matched = true;
        if let Some(replacement) = &element {
            kept.push(replacement.clone());
        }
    }
    *list = kept;
    if let Some(element) = element
        && !matched
        && !element.is_null()
    {
        list.push(element);
    }
    Ok(())
}

/// kyaml's `appendListNode`: folds each element of `src` into `dst` by key,
/// replacing a match in place (or, for several keys, moving it to the end).
pub(super) fn append_list(dst: &mut Vec<Node>, src: Vec<Node>, keys: &[String]) -> Result<(), MergeError> {
    for elem in src {
        if keys.first().is_none_or(|k| k.is_empty()) {
            let value = value_text(&elem).to_owned();
            set_element(dst, Some(elem), &[String::new()], &[value])?;
            continue;
        }
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            let field = match &elem {
                Node::Map(map) => map.get(key),
                other if other.is_null() => None,
                other => return Err(wrong_kind("MappingNode", other)),
            };
            match field {
                Some(value) => values.push(value_text(value).to_owned()),
                None => dst.push(elem.clone()),
            }
        }
        if keys.len() > 1 {
            set_element(dst, None, keys, &values)?;
        }
        set_element(dst, Some(elem), keys, &values)?;
    }
    Ok(())
}

/// kyaml's `validateKeys`: keep only the keys some element has a value for.
pub(super) fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let has_value = |i: usize| {
        values_list
            .iter()
            .any(|vals| vals.get(i).is_some_and(|v| !v.is_empty()))
    };
    let valid: Vec<bool> = (0..keys.len()).map(has_value).collect();
    if !valid.iter().any(|v| *v) {
        return (keys.to_vec(), values.to_vec());
    }
    let valid_keys = keys
        .iter()
        .zip(&valid)
        .filter(|(_, ok)| **ok)
        .map(|(k, _)| k.clone())
        .collect();
    let valid_values = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || valid.get(*i).copied().unwrap_or(false))
        .map(|(_, v)| v.clone())
        .collect();
    (valid_keys, valid_values)
}

/// kyaml's `mergeValues`: partial key tuples that agree somewhere are completed from each other.
pub(super) fn merge_values(values_list: &mut [Vec<String>]) {
    for i in 0..values_list.len() {
        let first = values_list[i].clone();
        for j in 0..values_list.len() {
            if let Some(merged) = match_values(&first, &values_list[j]) {
                values_list[i] = merged.clone();
                values_list[j] = merged;
            }
        }
    }
}

fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut merged = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            merged.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            merged.push(x.clone());
        } else {
            merged.push(y.clone());
        }
    }
    common.then_some(merged)
}

/// Sets `key` on a merged element that lost it (a plain scalar, as kyaml's `NewScalarRNode`).
pub(super) fn restore_key(map: &mut Mapping, key: &str, value: &str) {
    let scalar = crate::yaml::Scalar {
        text: value.to_owned(),
        ..Default::default()
    };
    map.insert(key, Node::Scalar(scalar));
}
