//! kyaml's dotted field paths, as `replacements` and `vars` use them:
//! `spec.template.spec.containers.[name=app].image`, `spec.ports.0.port`, `a.*.b`.
//!
//! [`lookup`] follows kyaml's `PathGetter` (read only: numbers index a
//! sequence, `-` is the last element, `[k=v]` matches an element exactly);
//! [`visit_matches`] follows kyaml's `PathMatcher` (`[k=v]` is an unanchored
//! regular expression, `*` visits every element, and with `create` missing
//! fields and elements are added on the way).

use regex::Regex;

use crate::yaml::{Mapping, Node, Scalar, ScalarStyle};

/// Splits on `delimiter`, honouring `\` escapes and keeping `[a.b=c.d]` together
/// (kyaml `SmarterPathSplitter`); a bracket without `=` loses its brackets.
pub fn smarter_split(path: &str, delimiter: char) -> Vec<String> {
    let mut plain: Vec<String> = Vec::new();
    for part in path.split(delimiter) {
        match plain.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push(delimiter);
                last.push_str(part);
            }
            _ => plain.push(part.to_owned()),
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < plain.len() {
        let elem = &plain[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut joined = elem.clone();
            while i + 1 < plain.len() {
                i += 1;
                joined.push(delimiter);
                joined.push_str(&plain[i]);
                if plain[i].ends_with(']') {
                    break;
                }
            }
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_owned());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

/// `[name=value]` → (`name`, `value`); `None` when not bracketed or without `=`.
fn list_index(part: &str) -> Option<(&str, &str)> {
    let inner = part.strip_prefix('[')?.strip_suffix(']')?;
    inner.split_once('=')
}

fn is_list_index(part: &str) -> bool {
    part.starts_with('[') && part.ends_with(']')
}

fn index_number(part: &str) -> Option<usize> {
    part.parse::<usize>().ok()
}

/// A scalar's text as kyaml's `RNode.String()` would give it, trimmed (scalars only).
fn match_text(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(s) => Some(s.text.trim().to_owned()),
        _ => None,
    }
}

/// Follows `parts` read-only (kyaml `Lookup`).
pub fn lookup<'a>(node: &'a Node, parts: &[String]) -> Result<Option<&'a Node>, String> {
    let mut cur = node;
    for part in parts {
        if part.is_empty() {
            continue;
        }
        let next = if let Ok(idx) = part.parse::<i64>() {
            if idx < 0 {
                return Err(format!("array index {idx} cannot be negative"));
            }
            match cur {
                Node::Seq(items) => usize::try_from(idx).ok().and_then(|i| items.get(i)),
                _ => None,
            }
        } else if part == "-" {
            cur.as_seq().and_then(|items| items.last())
        } else if part == "*" {
            return Err("wildcard is not supported in PathGetter".into());
        } else if is_list_index(part) {
            let Some((key, value)) = list_index(part) else {
                return Err(
                    "list path element must contain fieldName=fieldValue for element to match".into(),
                );
            };
            match cur {
                Node::Seq(items) => items.iter().find(|item| element_equals(item, key, value)),
                _ => None,
            }
        } else {
            cur.as_map().and_then(|m| m.get(part))
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn element_equals(item: &Node, key: &str, value: &str) -> bool {
    if key.is_empty() {
        return match_text(item).as_deref() == Some(value);
    }
    item.as_map()
        .and_then(|m| m.get(key))
        .and_then(match_text)
        .is_some_and(|t| t == value)
}

/// What [`visit_matches`] creates for a missing last field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateKind {
    /// An empty scalar.
    Scalar,
    /// An empty mapping.
    Map,
    /// An empty sequence.
    Seq,
}

impl CreateKind {
    /// The kind matching `node`.
    pub fn of(node: &Node) -> CreateKind {
        match node {
            Node::Scalar(_) => CreateKind::Scalar,
            Node::Map(_) => CreateKind::Map,
            Node::Seq(_) => CreateKind::Seq,
        }
    }

    fn empty(self) -> Node {
        match self {
            CreateKind::Scalar => Node::Scalar(Scalar {
                text: String::new(),
                style: ScalarStyle::Plain,
                tag: None,
            }),
            CreateKind::Map => Node::map(),
            CreateKind::Seq => Node::Seq(Vec::new()),
        }
    }
}

/// The kind to create for the field before `next` (kyaml `getPathPartKind`).
fn part_kind(next: Option<&String>, last: CreateKind) -> CreateKind {
    match next {
        None => last,
        Some(p) if is_list_index(p) || index_number(p).is_some() => CreateKind::Seq,
        Some(_) => CreateKind::Map,
    }
}

/// Calls `visit` on every node `parts` matches (kyaml `PathMatcher`),
/// creating what is missing when `create` is set. Returns how many matched.
pub fn visit_matches<F>(
    node: &mut Node,
    parts: &[String],
    create: Option<CreateKind>,
    visit: &mut F,
) -> Result<usize, String>
where
    F: FnMut(&mut Node) -> Result<(), String>,
{
    let Some((first, rest)) = parts.split_first() else {
        visit(node)?;
        return Ok(1);
    };
    if let Some(idx) = index_number(first) {
        let items = elements(node)?;
        if items.len() == idx
            && let Some(kind) = create
        {
            items.push(part_kind(rest.first(), kind).empty());
        }
        let len = items.len();
        let Some(item) = items.get_mut(idx) else {
            return Err(format!("index {idx} specified but only {len} elements found"));
        };
        return visit_matches(item, rest, create, visit);
    }
    if is_list_index(first) {
        return visit_seq(node, first, rest, create, visit);
    }
    if first == "*" {
        let mut count = 0;
        for item in elements(node)? {
            count += visit_matches(item, rest, create, visit)?;
        }
        return Ok(count);
    }
    let Node::Map(map) = node else {
        if node.is_null()
            && let Some(kind) = create
        {
            *node = Node::map();
            let Node::Map(map) = node else { return Ok(0) };
            return visit_field(map, first, rest, Some(kind), visit);
        }
        return Ok(0);
    };
    visit_field(map, first, rest, create, visit)
}

fn visit_field<F>(
    map: &mut Mapping,
    name: &str,
    rest: &[String],
    create: Option<CreateKind>,
    visit: &mut F,
) -> Result<usize, String>
where
    F: FnMut(&mut Node) -> Result<(), String>,
{
    if !map.contains_key(name) {
        let Some(kind) = create else { return Ok(0) };
        map.insert(name, part_kind(rest.first(), kind).empty());
    }
    let Some(field) = map.get_mut(name) else {
        return Ok(0);
    };
    if !rest.is_empty() && matches!(field, Node::Scalar(_)) && !field.is_null() {
        // kyaml would parse the scalar as embedded YAML here; we do not (yet).
        return Ok(0);
    }
    visit_matches(field, rest, create, visit)
}

/// The elements of a sequence; a null node has none, anything else is an error.
fn elements(node: &mut Node) -> Result<&mut Vec<Node>, String> {
    if node.is_null() {
        *node = Node::Seq(Vec::new());
    }
    match node {
        Node::Seq(items) => Ok(items),
        Node::Map(_) => Err("wrong node kind: expected SequenceNode but got MappingNode".into()),
        Node::Scalar(_) => Err("wrong node kind: expected SequenceNode but got ScalarNode".into()),
    }
}

fn visit_seq<F>(
    node: &mut Node,
    part: &str,
    rest: &[String],
    create: Option<CreateKind>,
    visit: &mut F,
) -> Result<usize, String>
where
    F: FnMut(&mut Node) -> Result<(), String>,
{
    let Some((key, pattern)) = list_index(part) else {
        return Err("list path element must contain fieldName=fieldValue for element to match".into());
    };
    let re = Regex::new(pattern).map_err(|e| e.to_string())?;
    let items = elements(node)?;
    let selected = |item: &Node| {
        let text = if key.is_empty() {
            match_text(item)
        } else {
            item.as_map().and_then(|m| m.get(key)).and_then(match_text)
        };
        text.is_some_and(|t| re.is_match(&t))
    };
    let hits: Vec<usize> = (0..items.len())
        .filter(|&i| items.get(i).is_some_and(selected))
        .collect();
    if hits.is_empty() {
        let Some(_) = create else { return Ok(0) };
        let value = Node::string(pattern);
        let elem = if key.is_empty() {
            value
        } else {
            let mut m = Mapping::default();
            m.insert(key, value);
            Node::Map(m)
        };
        items.push(elem);
        let last = items.len() - 1;
        let Some(item) = items.get_mut(last) else {
            return Ok(0);
        };
        return visit_matches(item, rest, create, visit);
    }
    let mut count = 0;
    for i in hits {
        if let Some(item) = items.get_mut(i) {
            count += visit_matches(item, rest, create, visit)?;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::testutil::{flat, nodes};

    fn parts(p: &str) -> Vec<String> {
        smarter_split(p, '.')
    }

    #[test]
    fn splits_like_kyaml() {
        let cases: &[(&str, &[&str])] = &[
            ("a.b.c", &["a", "b", "c"]),
            (
                "spec.containers.[name=a.b].image",
                &["spec", "containers", "[name=a.b]", "image"],
            ),
            (
                "metadata.annotations.[a.b/c]",
                &["metadata", "annotations", "a.b/c"],
            ),
            (r"data.a\.b", &["data", "a.b"]),
        ];
        for (input, want) in cases {
            assert_eq!(&parts(input), want, "{input}");
        }
    }

    #[test]
    fn lookup_reads_indexes_and_selectors() {
        let doc = &nodes("spec: {containers: [{name: a, image: x}, {name: b, image: y}]}")[0];
        let get = |p: &str| lookup(doc, &parts(p)).unwrap().map(flat);
        assert_eq!(get("spec.containers.1.image").as_deref(), Some("=y"));
        assert_eq!(get("spec.containers.[name=a].image").as_deref(), Some("=x"));
        assert_eq!(get("spec.containers.-.name").as_deref(), Some("=b"));
        assert_eq!(get("spec.containers.[name=c].image"), None);
        assert!(lookup(doc, &parts("spec.*")).is_err());
    }

    #[test]
    fn matcher_uses_regexes_wildcards_and_creates() {
        let mut doc =
            nodes("spec: {containers: [{name: app1, image: x}, {name: app2}, {name: db}]}").remove(0);
        let mut set = |n: &mut Node| {
            *n = Node::string("new");
            Ok(())
        };
        assert_eq!(
            visit_matches(
                &mut doc,
                &parts("spec.containers.[name=app].image"),
                None,
                &mut set
            ),
            Ok(1)
        );
        let created = visit_matches(
            &mut doc,
            &parts("spec.containers.[name=app].image"),
            Some(CreateKind::Scalar),
            &mut set,
        );
        assert_eq!(created, Ok(2));
        assert_eq!(
            visit_matches(&mut doc, &parts("spec.containers.*.name"), None, &mut set),
            Ok(3)
        );
        assert_eq!(
            visit_matches(
                &mut doc,
                &parts("spec.extra.[name=z].v"),
                Some(CreateKind::Scalar),
                &mut set
            ),
            Ok(1)
        );
        assert_eq!(
            flat(&doc),
            "spec.containers[0].name=new spec.containers[0].image=new spec.containers[1].name=new \
             spec.containers[1].image=new spec.containers[2].name=new spec.extra[0].name=z spec.extra[0].v=new"
        );
        let err = visit_matches(&mut doc, &parts("spec.containers.7"), None, &mut set).unwrap_err();
        assert_eq!(err, "index 7 specified but only 3 elements found");
    }
}
