//! YAML text → [`Node`] trees, on top of saphyr-parser's event stream.
//!
//! Follows what kustomize's kyaml (a go-yaml v3 fork) keeps: scalars keep
//! their text, style and short tag; anchors and aliases are expanded (with a
//! budget, so alias bombs fail fast); merge keys `<<` are applied the way
//! kyaml's `DeAnchor` does when kustomize reads a resource (explicit keys
//! win, then earlier merge sources).
//!
//! Duplicate mapping keys: kustomize reads a kustomization file with a repeated
//! key and keeps the last value (verified with `kubectl kustomize`: two
//! `namePrefix:` lines, the second wins), so [`parse_documents`] keeps the
//! last value at the first key's position. kustomize rejects a duplicate key
//! in a *resource* (`mapping key "a" already defined at line 6`);
//! [`parse_documents_strict`] gives that behaviour.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, ScanError, Span, Tag};

use super::node::{Mapping, Node, Scalar, ScalarStyle};

/// Most nodes that alias expansion may copy in one parse (a "billion laughs" guard).
pub const ALIAS_EXPANSION_LIMIT: usize = 1_000_000;
/// Deepest nesting accepted; deeper input is refused so later recursive walks stay bounded.
pub const MAX_DEPTH: usize = 1_000;

/// A YAML syntax or structure error, with a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("yaml: line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

impl ParseError {
    /// A CamelCase reason for conditions and events.
    pub fn reason(&self) -> &'static str {
        "YamlParseError"
    }

    fn at(span: Span, message: impl Into<String>) -> ParseError {
        ParseError {
            line: span.start.line().max(1),
            column: span.start.col() + 1,
            message: message.into(),
        }
    }
}

impl From<ScanError> for ParseError {
    fn from(e: ScanError) -> ParseError {
        ParseError {
            line: e.marker().line().max(1),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        }
    }
}

/// Parses every document of a stream; empty documents are dropped.
/// A repeated mapping key keeps its last value (kustomization-file behaviour).
pub fn parse_documents(text: &str) -> Result<Vec<Node>, ParseError> {
    Builder::new(false).run(text)
}

/// Like [`parse_documents`], but a repeated mapping key is an error, as
/// kustomize reports for resources.
pub fn parse_documents_strict(text: &str) -> Result<Vec<Node>, ParseError> {
    Builder::new(true).run(text)
}

/// Parses a stream that holds zero or one (non-empty) document.
pub fn parse_document(text: &str) -> Result<Option<Node>, ParseError> {
    let mut docs = parse_documents(text)?;
    if docs.len() > 1 {
        return Err(ParseError {
            line: 1,
            column: 1,
            message: format!("expected a single document, found {}", docs.len()),
        });
    }
    Ok(docs.pop())
}

/// A collection being built.
enum Frame {
    Seq { items: Vec<Node>, anchor: usize },
    Map(MapFrame),
}

struct MapFrame {
    map: Mapping,
    anchor: usize,
    /// Key waiting for its value (with the line it was written on).
    key: Option<(String, usize, bool)>,
    /// Values of `<<` keys, in order.
    merges: Vec<(Node, Span)>,
    /// Line of each key, for duplicate reports (strict mode only).
    lines: HashMap<String, usize>,
}

struct Builder {
    strict: bool,
    stack: Vec<Frame>,
    /// Completed anchored nodes with their node counts.
    anchors: HashMap<usize, (Node, usize)>,
    expanded: usize,
    docs: Vec<Node>,
    root: Option<Node>,
}

impl Builder {
    fn new(strict: bool) -> Builder {
        Builder {
            strict,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            docs: Vec::new(),
            root: None,
        }
    }

    fn run(mut self, text: &str) -> Result<Vec<Node>, ParseError> {
        for item in Parser::new_from_str(text) {
            let (event, span) = item?;
            match event {
                Event::DocumentStart(_) => self.root = None,
                Event::DocumentEnd => {
                    if let Some(root) = self.root.take()
                        && !is_empty_document(&root)
                    {
                        self.docs.push(root);
                    }
                    self.anchors.clear();
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let text = match style {
                        SaphyrStyle::Folded => {
                            super::folded::reemit(&text).unwrap_or_else(|| text.into_owned())
                        }
                        _ => text.into_owned(),
                    };
                    let node = Node::Scalar(Scalar {
                        text,
                        style: convert_style(style),
                        tag: tag.map(|t| short_tag(&t)),
                    });
                    self.finish_node(node, anchor, span)?;
                }
                Event::Alias(id) => {
                    let Some((node, count)) = self.anchors.get(&id) else {
                        return Err(ParseError::at(
                            span,
                            "alias refers to an anchor that is not complete",
                        ));
                    };
                    self.expanded = self.expanded.saturating_add(*count);
                    if self.expanded > ALIAS_EXPANSION_LIMIT {
                        return Err(ParseError::at(span, "alias expansion exceeds limit"));
                    }
                    let node = node.clone();
                    self.finish_node(node, 0, span)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.check_depth(span)?;
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        anchor,
                    });
                }
                Event::MappingStart(anchor, _) => {
                    self.check_depth(span)?;
                    self.stack.push(Frame::Map(MapFrame {
                        map: Mapping::default(),
                        anchor,
                        key: None,
                        merges: Vec::new(),
                        lines: HashMap::new(),
                    }));
                }
                Event::SequenceEnd => {
                    if let Some(Frame::Seq { items, anchor }) = self.stack.pop() {
                        self.finish_node(Node::Seq(items), anchor, span)?;
                    }
                }
                Event::MappingEnd => {
                    if let Some(Frame::Map(frame)) = self.stack.pop() {
                        let anchor = frame.anchor;
                        let node = apply_merges(frame)?;
                        self.finish_node(node, anchor, span)?;
                    }
                }
                Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            }
        }
        Ok(self.docs)
    }

    fn check_depth(&self, span: Span) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::at(span, format!("exceeded max depth of {MAX_DEPTH}")));
        }
        Ok(())
    }

    /// Places a completed node into its parent (or as the document root).
    fn finish_node(&mut self, node: Node, anchor: usize, span: Span) -> Result<(), ParseError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), count_nodes(&node)));
        }
        let strict = self.strict;
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map(frame)) => match frame.key.take() {
                None => {
                    let (key, is_merge) = map_key(node, span)?;
                    frame.key = Some((key, span.start.line(), is_merge));
                }
                Some((_, _, true)) => frame.merges.push((node, span)),
                Some((key, line, false)) => {
                    if strict {
                        if let Some(first) = frame.lines.get(&key) {
                            return Err(ParseError {
                                line,
                                column: 1,
                                message: format!("mapping key {key:?} already defined at line {first}"),
                            });
                        }
                        frame.lines.insert(key.clone(), line);
                    }
                    frame.map.insert(key, node);
                }
            },
        }
        Ok(())
    }
}

/// A mapping key's text, and whether it is a merge key `<<`.
fn map_key(node: Node, span: Span) -> Result<(String, bool), ParseError> {
    match node {
        Node::Scalar(s) => {
            let merge = s.text == "<<"
                && match s.tag.as_deref() {
                    None => s.style == ScalarStyle::Plain,
                    Some(tag) => tag == "!!merge",
                };
            Ok((s.text, merge))
        }
        _ => Err(ParseError::at(span, "mapping keys must be scalars")),
    }
}

/// kyaml's `DeAnchor` merge (same result as go-yaml v3's): keys written in
/// the mapping win, then earlier sources. Like kyaml, a second merge key is an
/// error, and a mapping without a merge key loses its first `"<<"` entry
/// (kyaml clears the `<<` field unconditionally, quoted or not).
fn apply_merges(frame: MapFrame) -> Result<Node, ParseError> {
    let MapFrame { mut map, merges, .. } = frame;
    if let Some((_, span)) = merges.get(1) {
        return Err(ParseError::at(*span, "duplicate merge key"));
    }
    if merges.is_empty() {
        map.remove("<<");
    }
    for (value, span) in merges {
        let sources: Vec<Node> = match value {
            Node::Map(_) => vec![value],
            Node::Seq(items) => items,
            Node::Scalar(_) => {
                return Err(ParseError::at(
                    span,
                    "map merge requires map or sequence of maps as the value",
                ));
            }
        };
        for source in sources {
            let Node::Map(source) = source else {
                return Err(ParseError::at(
                    span,
                    "map merge requires map or sequence of maps as the value",
                ));
            };
            for (k, v) in source {
                if !map.contains_key(&k) {
                    map.insert(k, v);
                }
            }
        }
    }
    Ok(Node::Map(map))
}

/// A document with no content (only comments or nothing) parses as an empty plain scalar.
fn is_empty_document(node: &Node) -> bool {
    matches!(node, Node::Scalar(s) if s.text.is_empty() && s.style == ScalarStyle::Plain && s.tag.is_none())
}

fn convert_style(style: SaphyrStyle) -> ScalarStyle {
    match style {
        SaphyrStyle::Plain => ScalarStyle::Plain,
        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        SaphyrStyle::Literal => ScalarStyle::Literal,
        SaphyrStyle::Folded => ScalarStyle::Folded,
    }
}

/// `tag:yaml.org,2002:str` → `!!str`; local tags keep their `!`.
fn short_tag(tag: &Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// Nodes in a tree (iterative, so deep trees cannot overflow the stack).
fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        count += 1;
        match n {
            Node::Scalar(_) => {}
            Node::Seq(items) => pending.extend(items),
            Node::Map(map) => pending.extend(map.iter().map(|(_, v)| v)),
        }
    }
    count
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::yaml::to_json;

    fn json(text: &str) -> serde_json::Value {
        serde_json::Value::Array(parse_documents(text).unwrap().iter().map(to_json).collect())
    }

    #[test]
    fn documents_and_structure() {
        let cases: &[(&str, serde_json::Value)] = &[
            ("", serde_json::json!([])),
            ("# only a comment\n", serde_json::json!([])),
            (
                "---\n---\na: 1\n...\n---\n# c\n---\nb: 2\n",
                serde_json::json!([{"a": 1}, {"b": 2}]),
            ),
            (
                "a: &x {p: 1}\nb: *x\n",
                serde_json::json!([{"a": {"p": 1}, "b": {"p": 1}}]),
            ),
            (
                "b: &b {p: 1, q: 2}\nm: {q: 3, <<: *b}\n",
                serde_json::json!([{"b": {"p": 1, "q": 2}, "m": {"p": 1, "q": 3}}]),
            ),
            (
                "a: &a {q: 1}\nb: &b {q: 2, z: 9}\nm: {<<: [*a, *b]}\n",
                serde_json::json!([{"a": {"q": 1}, "b": {"q": 2, "z": 9}, "m": {"q": 1, "z": 9}}]),
            ),
            // kyaml drops a quoted "<<" key when the mapping has no merge key.
            ("a: 1\n\"<<\": x\n", serde_json::json!([{"a": 1}])),
            ("a: 1\na: 2\n", serde_json::json!([{"a": 2}])),
            (
                "- !!str 12\n- !!int '7'\n- '0755'\n- 0755\n",
                serde_json::json!([["12", 7, "0755", 493]]),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&json(text), want, "{text:?}");
        }
    }

    #[test]
    fn errors_carry_positions_and_messages() {
        let cases: &[(&str, &str)] = &[
            ("a: [1, 2\n", "yaml: line"),
            ("a: *nope\n", "yaml: line 1"),
            ("a: &x [*x]\n", "not complete"),
            ("m: {<<: 1}\n", "map merge requires map"),
            ("{[a]: 1}\n", "mapping keys must be scalars"),
        ];
        for (text, want) in cases {
            let err = parse_documents(text).unwrap_err();
            assert!(err.to_string().contains(want), "{text:?}: {err}");
            assert!(err.line >= 1 && err.column >= 1);
        }
        let err = parse_documents_strict("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "yaml: line 3, column 1: mapping key \"a\" already defined at line 1"
        );
        assert!(parse_document("a: 1\n---\nb: 2\n").is_err());
        assert_eq!(parse_document("# nothing\n").unwrap(), None);
        assert!(parse_document("a: 1\n").unwrap().is_some());
    }

    #[test]
    fn scalars_keep_style_and_tag() {
        let doc = parse_document("a: 'x'\nb: \"y\"\nc: |\n  z\nd: !!str 1\ne: !custom w\n")
            .unwrap()
            .unwrap();
        let map = doc.as_map().unwrap();
        let style = |k: &str| {
            map.get(k)
                .and_then(Node::as_scalar)
                .map(|s| (s.style, s.tag.clone()))
                .unwrap()
        };
        assert_eq!(style("a"), (ScalarStyle::SingleQuoted, None));
        assert_eq!(style("b"), (ScalarStyle::DoubleQuoted, None));
        assert_eq!(style("c"), (ScalarStyle::Literal, None));
        assert_eq!(style("d"), (ScalarStyle::Plain, Some("!!str".into())));
        assert_eq!(style("e"), (ScalarStyle::Plain, Some("!custom".into())));
    }
}
