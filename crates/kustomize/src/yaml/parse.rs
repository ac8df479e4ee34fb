//! YAML text → [`Node`] trees, on top of saphyr-parser's event stream.
//!
//! Follows what kustomize's kyaml (a go-yaml v3 fork) keeps: scalars keep
//! their text, style and short tag; anchors and aliases are expanded (with a
//! budget, so alias bombs fail fast); merge keys `<<` are applied the way
//! go-yaml v3 decodes them (explicit keys win, then earlier merge sources).
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
        ParseError { line: span.start.line().max(1), column: span.start.col() + 1, message: message.into() }
    }
}

impl From<ScanError> for ParseError {
    fn from(e: ScanError) -> ParseError {
        ParseError { line: e.marker().line().max(1), column: e.marker().col() + 1, message: e.info().to_owned() }
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
        Builder { strict, stack: Vec::new(), anchors: HashMap::new(), expanded: 0, docs: Vec::new(), root: None }
    }

    fn run(mut self, text: &str) -> Result<Vec<Node>, ParseError> {
        for item in Parser::new_from_str(text) {
            let (event, span) = item?;
            match event {
                Event::DocumentStart(_) => self.root = None,
                Event::DocumentEnd => {
                    if let Some(root) = self.root.take() {
                        if !is_empty_document(&root) {
                            self.docs.push(root);
                        }
                    }
                    self.anchors.clear();
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let node = Node::Scalar(Scalar {
                        text: text.into_owned(),
                        style: convert_style(style),
                        tag: tag.map(|t| short_tag(&t)),
                    });
                    self.finish_node(node, anchor, span)?;
                }
                Event::Alias(id) => {
                    let Some((node, count)) = self.anchors.get(&id) else {
                        return Err(ParseError::at(span, "alias refers to an anchor that is not complete"));
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
                    self.stack.push(Frame::Seq { items: Vec::new(), anchor });
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

/// go-yaml v3's merge: keys written in the mapping win, then earlier sources.
fn apply_merges(frame: MapFrame) -> Result<Node, ParseError> {
    let MapFrame { mut map, merges, .. } = frame;
    for (value, span) in merges {
        let sources: Vec<Node> = match value {
            Node::Map(_) => vec![value],
            Node::Seq(items) => items,
            Node::Scalar(_) => {
                return Err(ParseError::at(span, "map merge requires map or sequence of maps as the value"));
            }
        };
        for source in sources {
            let Node::Map(source) = source else {
                return Err(ParseError::at(span, "map merge requires map or sequence of maps as the value"));
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
