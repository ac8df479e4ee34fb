//! Strategic merge with the semantics of kustomize's kyaml `merge2` (not the
//! API server's): maps merge field by field; a null in the patch removes the
//! field; a list merges by key only where the schema gives it the `merge`
//! strategy (else the patch's list replaces it); merged lists put the
//! patch's elements first, in patch order (`ListIncreaseDirection: Prepend`).
//!
//! The walk mirrors kyaml's `walk.Walker` with two sources, `dest` (the
//! target) and `origin` (the patch). Where kyaml aliases the patch as the
//! destination (a field only the patch has, `$patch: replace`), the patch is
//! merged with a copy of itself, which applies its nested directives and
//! drops its nulls, as kustomize does.

use crate::openapi::{SchemaRef, Schemas};
use crate::yaml::{Mapping, Node};

use super::MergeError;
use super::assoc;
use super::directives::{Directive, take_map_directive};
use super::elements::kind_name;

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// What a strategic merge did to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The target now holds the merged object.
    Merged,
    /// The patch deleted the whole object (`$patch: delete` at the top); the target is untouched.
    Deleted,
}

/// Strategic-merges `patch` into `target`. The schema is the one `schemas`
/// gives for the target's (else the patch's) apiVersion/kind; nested objects
/// that carry their own apiVersion/kind are looked up the same way. On an
/// error, and when the patch deletes the object, `target` is left as it was.
pub fn merge_patch(target: &mut Node, patch: &Node, schemas: &Schemas) -> Result<Outcome, MergeError> {
    let walker = Walker { schemas };
    let dest = std::mem::replace(target, Node::null());
    let original = dest.clone();
    let mut path = Vec::new();
    match walker.walk(Some(dest), Some(patch.clone()), None, &mut path, 0) {
        Ok((Walked::Set(node) | Walked::Keep(node), _)) => {
            *target = node;
            Ok(Outcome::Merged)
        }
        Ok((Walked::Clear, _)) => {
            *target = original;
            Ok(Outcome::Deleted)
        }
        Err(e) => {
            *target = original;
            Err(e)
        }
    }
}

/// The result of walking one field.
#[derive(Debug)]
pub(super) enum Walked {
    /// Remove the field.
    Clear,
    /// Set the field (a null here still removes it).
    Set(Node),
    /// Keep this null: the target had it and the patch did not touch it.
    Keep(Node),
}

impl Walked {
    pub(super) fn into_node(self) -> Option<Node> {
        match self {
            Walked::Clear => None,
            Walked::Set(n) | Walked::Keep(n) => Some(n),
        }
    }
}

/// True when a node is absent or null (kyaml `IsMissingOrNull`).
pub(super) fn missing_or_null(node: Option<&Node>) -> bool {
    node.is_none_or(Node::is_null)
}

pub(super) struct Walker<'s> {
    pub(super) schemas: &'s Schemas,
}

impl<'s> Walker<'s> {
    /// Walks one position; the flag tells whether the result is `dest`
    /// updated in place (kyaml then keeps that node inside the parent list).
    pub(super) fn walk(
        &self,
        dest: Option<Node>,
        origin: Option<Node>,
        schema: Option<SchemaRef<'s>>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(Walked, bool), MergeError> {
        if depth > MAX_DEPTH {
            return Err(MergeError::TooDeep { path: path.join(".") });
        }
        let schema = schema.or_else(|| self.schema_from_meta(dest.as_ref(), origin.as_ref()));
        let kind_of = [dest.as_ref(), origin.as_ref()]
            .into_iter()
            .flatten()
            .find(|n| !n.is_null());
        match kind_of {
            None | Some(Node::Map(_)) => {
                check_kind(&[dest.as_ref(), origin.as_ref()], "MappingNode", path)?;
                self.walk_map(dest, origin, schema, path, depth)
            }
            Some(Node::Seq(_)) => {
                check_kind(&[dest.as_ref(), origin.as_ref()], "SequenceNode", path)?;
                if schema.is_some_and(|s| s.has_merge_strategy()) {
                    assoc::walk_list(self, dest, origin, schema, path, depth)
                } else {
                    Ok(match origin {
                        Some(origin) => (Walked::Set(origin), false),
                        None => (dest.map_or(Walked::Clear, Walked::Set), true),
                    })
                }
            }
            Some(Node::Scalar(_)) => {
                check_kind(&[dest.as_ref(), origin.as_ref()], "ScalarNode", path)?;
                Ok(match origin {
                    Some(origin) => (Walked::Set(origin), false),
                    None => (dest.map_or(Walked::Clear, Walked::Set), true),
                })
            }
        }
    }

    /// kyaml looks a schema up from `apiVersion`/`kind` wherever it has none.
    fn schema_from_meta(&self, dest: Option<&Node>, origin: Option<&Node>) -> Option<SchemaRef<'s>> {
        [dest, origin].into_iter().flatten().find_map(|node| {
            let map = node.as_map()?;
            let api_version = map.get("apiVersion").and_then(Node::as_scalar)?;
            let kind = map.get("kind").and_then(Node::as_scalar)?;
            if api_version.text.is_empty() || kind.text.is_empty() {
                return None;
            }
            self.schemas.schema_for(&api_version.text, &kind.text)
        })
    }

    fn walk_map(
        &self,
        dest: Option<Node>,
        origin: Option<Node>,
        schema: Option<SchemaRef<'s>>,
        path: &mut Vec<String>,
        depth: usize,
    ) -> Result<(Walked, bool), MergeError> {
        let (mut merged, origin, in_place) = match dest {
            Some(dest) if !dest.is_null() => {
                let mut origin = origin;
                if origin.as_ref().is_some_and(Node::is_null) {
                    return Ok((Walked::Clear, false));
                }
                let directive = match origin.as_mut().and_then(Node::as_map_mut) {
                    Some(map) => take_map_directive(map).map_err(|e| e.at(path))?,
                    None => Directive::Merge,
                };
                match (directive, origin) {
                    (Directive::Delete, _) => return Ok((Walked::Clear, false)),
                    (Directive::Replace, Some(origin)) => (origin.clone(), Some(origin), false),
                    (_, origin) => (dest, origin, true),
                }
            }
            dest => {
                let mut origin = origin;
                // kyaml ignores a bad directive here.
                let directive = origin
                    .as_mut()
                    .and_then(Node::as_map_mut)
                    .map_or(Directive::Merge, |m| {
                        take_map_directive(m).unwrap_or(Directive::Merge)
                    });
                if directive == Directive::Delete {
                    return Ok((Walked::Clear, false));
                }
                match origin {
                    None => {
                        // A null the target spelled out survives; an empty value does not.
                        return Ok(match dest {
                            Some(Node::Scalar(s)) if !s.text.is_empty() => {
                                (Walked::Keep(Node::Scalar(s)), true)
                            }
                            _ => (Walked::Clear, true),
                        });
                    }
                    Some(origin) => (origin.clone(), Some(origin), false),
                }
            }
        };
        let Node::Map(fields) = &mut merged else {
            return Ok((Walked::Set(merged), in_place));
        };
        let mut origin_fields = match origin {
            Some(Node::Map(map)) => map,
            _ => Mapping::default(),
        };
        let mut names: Vec<String> = fields.keys().chain(origin_fields.keys()).cloned().collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let child_schema = schema.and_then(|s| s.field(&name));
            let dest_child = fields
                .get_mut(&name)
                .map(|slot| std::mem::replace(slot, Node::null()));
            let origin_child = origin_fields
                .get_mut(&name)
                .map(|slot| std::mem::replace(slot, Node::null()));
            path.push(name);
            let walked = self.walk(dest_child, origin_child, child_schema, path, depth + 1);
            let name = path.pop().unwrap_or_default();
            match walked?.0 {
                Walked::Clear => {
                    fields.remove(&name);
                }
                Walked::Set(node) if node.is_null() => {
                    fields.remove(&name);
                }
                Walked::Set(node) | Walked::Keep(node) => fields.insert(name, node),
            }
        }
        Ok((Walked::Set(merged), in_place))
    }
}

/// kyaml's `ErrorIfAnyInvalidAndNonNull`.
fn check_kind(nodes: &[Option<&Node>], expected: &'static str, path: &[String]) -> Result<(), MergeError> {
    for node in nodes.iter().flatten() {
        if !node.is_null() && kind_name(node) != expected {
            return Err(MergeError::WrongKind {
                path: path.join("."),
                expected,
                found: kind_name(node),
            });
        }
    }
    Ok(())
}
