//! The field-spec walker (kustomize `filters/fieldspec`): follows a path of
//! mapping keys through an object, visiting every element of each sequence on
//! the way (with or without a `[]` suffix), optionally creating missing
//! fields, and hands each field found to a setter.

use crate::yaml::{Node, Scalar, ScalarStyle};

use super::FieldSpec;

/// What to create for a missing last field when the spec says `create`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Never create (a missing field ends the walk).
    Nothing,
    /// An empty scalar (names, namespaces, replicas).
    Scalar,
    /// An empty mapping (labels, annotations).
    Map,
}

/// Why a walk failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    /// The path runs into a scalar before its end.
    #[error("expected sequence or mapping node")]
    NotAContainer,
    /// A path with an empty field name.
    #[error("cannot set or create an empty field name")]
    EmptyField,
    /// The setter refused the field.
    #[error("{0}")]
    Set(String),
}

/// True when `fs` applies to an object of this apiVersion and kind.
pub fn matches(fs: &FieldSpec, api_version: &str, kind: &str) -> bool {
    let (group, version) = crate::resid::parse_group_version(api_version);
    fs.gvk.selects(group, version, kind)
}

/// Visits the field(s) `fs` names in `obj` (the object's GVK must already
/// match), calling `set` on each. A missing field ends the walk quietly.
pub fn walk<F>(obj: &mut Node, fs: &FieldSpec, create: Create, set: &mut F) -> Result<(), WalkError>
where
    F: FnMut(&mut Node) -> Result<(), WalkError>,
{
    walk_segments(obj, &fs.segments, fs.create, create, set)
}

/// [`walk`] over an already split path.
pub fn walk_segments<F>(
    obj: &mut Node,
    path: &[String],
    create_missing: bool,
    create: Create,
    set: &mut F,
) -> Result<(), WalkError>
where
    F: FnMut(&mut Node) -> Result<(), WalkError>,
{
    let Some((first, rest)) = path.split_first() else {
        return set(obj);
    };
    if obj.is_null() {
        return Ok(());
    }
    match obj {
        Node::Seq(items) => {
            for item in items {
                walk_segments(item, path, create_missing, create, set)?;
            }
            Ok(())
        }
        Node::Map(map) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (first.as_str(), false),
            };
            if name.is_empty() {
                return Err(WalkError::EmptyField);
            }
            // kustomize creates only when the spec asks, the transformer says what to
            // create, and never through a `[]` step.
            let creating = create_missing && !is_seq && create != Create::Nothing;
            if !map.contains_key(name) {
                if !creating {
                    return Ok(());
                }
                let fresh = if rest.is_empty() && create == Create::Scalar {
                    empty_scalar()
                } else {
                    Node::map()
                };
                map.insert(name, fresh);
            }
            let Some(field) = map.get_mut(name) else {
                return Ok(());
            };
            if creating && field.is_null() && matches!(field, Node::Scalar(_)) {
                // A `null` field becomes the kind the walk creates.
                if !rest.is_empty() || create == Create::Map {
                    *field = Node::map();
                }
            }
            walk_segments(field, rest, create_missing, create, set)
        }
        Node::Scalar(_) => Err(WalkError::NotAContainer),
    }
}

/// The empty scalar kustomize creates before setting a value into it.
fn empty_scalar() -> Node {
    Node::Scalar(Scalar {
        text: String::new(),
        style: ScalarStyle::Plain,
        tag: None,
    })
}

/// The text of a scalar whatever it resolves to; `None` for null and containers.
pub fn scalar_text(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar(s) if !node.is_null() => Some(s.text.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::GvkSelector;
    use crate::yaml::Mapping;

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Mapping>(),
        )
    }

    fn s(text: &str) -> Node {
        Node::string(text)
    }

    fn pod() -> Node {
        map(vec![(
            "spec",
            map(vec![(
                "containers",
                Node::Seq(vec![
                    map(vec![("name", s("a")), ("image", s("nginx"))]),
                    map(vec![("name", s("b"))]),
                ]),
            )]),
        )])
    }

    fn collect(obj: &mut Node, path: &str, create: bool, kind: Create) -> Result<Vec<String>, WalkError> {
        let fs = FieldSpec::new(GvkSelector::default(), path, create);
        let mut seen = Vec::new();
        walk(obj, &fs, kind, &mut |n: &mut Node| {
            seen.push(scalar_text(n).unwrap_or("<none>").to_owned());
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn walks_sequences_with_and_without_brackets() {
        let cases = [
            ("spec/containers[]/image", false, Create::Nothing, vec!["nginx"]),
            ("spec/containers/image", false, Create::Nothing, vec!["nginx"]),
            ("spec/containers/name", false, Create::Nothing, vec!["a", "b"]),
            (
                "spec/containers[]/image",
                true,
                Create::Scalar,
                vec!["nginx", "<none>"],
            ),
            ("spec/missing/x", false, Create::Nothing, vec![]),
            ("spec/missing/x", true, Create::Scalar, vec!["<none>"]),
            ("spec/initContainers[]/image", true, Create::Scalar, vec![]),
        ];
        for (path, create, kind, want) in cases {
            let mut obj = pod();
            assert_eq!(collect(&mut obj, path, create, kind).unwrap(), want, "{path}");
        }
    }

    #[test]
    fn creates_only_when_asked() {
        let mut obj = pod();
        collect(&mut obj, "metadata/labels", true, Create::Map).unwrap();
        assert!(obj.get_path(&["metadata", "labels"]).unwrap().as_map().is_some());
        let mut obj = pod();
        collect(&mut obj, "metadata/labels", false, Create::Map).unwrap();
        assert!(obj.get_path(&["metadata"]).is_none());
        let mut obj = pod();
        collect(&mut obj, "metadata/labels", true, Create::Nothing).unwrap();
        assert!(
            obj.get_path(&["metadata", "labels"]).is_none(),
            "last field needs a create kind"
        );
    }

    #[test]
    fn scalar_in_the_middle_is_an_error() {
        let mut obj = map(vec![("spec", s("x"))]);
        assert_eq!(
            collect(&mut obj, "spec/selector", false, Create::Nothing),
            Err(WalkError::NotAContainer)
        );
        let mut obj = map(vec![("spec", Node::null())]);
        assert_eq!(
            collect(&mut obj, "spec/selector", false, Create::Nothing),
            Ok(vec![])
        );
    }

    #[test]
    fn matches_by_group_version_kind() {
        let fs = FieldSpec::new(
            GvkSelector {
                group: "apps".into(),
                version: String::new(),
                kind: "Deployment".into(),
            },
            "spec",
            false,
        );
        assert!(matches(&fs, "apps/v1", "Deployment"));
        assert!(!matches(&fs, "v1", "Deployment"));
        assert!(!matches(&fs, "apps/v1", "StatefulSet"));
    }
}
