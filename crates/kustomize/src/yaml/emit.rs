//! [`Node`] → the exact bytes kustomize prints.
//!
//! kustomize's `Resource.AsYAML` is kyaml `MarshalJSON`, then
//! sigs.k8s.io/yaml `JSONToYAML`: go-yaml v2 re-reads the JSON and marshals it
//! with its libyaml-port emitter (2-space indent, sequences not indented
//! under their key, best width 80, keys in v2's order). This module does the
//! same in one pass over the tree: scalars are resolved as the JSON step does
//! ([`super::json`]), strings get go-yaml v2's style (`encoder.stringv`, then
//! the emitter's `select_scalar_style`) and are written by ports of its
//! plain/quoted/literal writers, including their line folding.

use std::borrow::Cow;

use super::goscalar;
use super::json::{Resolved, resolve_scalar};
use super::keyorder;
use super::node::{Mapping, Node};

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// One resource as kustomize's `Resource.AsYAML()` prints it; ends with `\n`.
pub fn emit_document(node: &Node) -> String {
    let mut e = Emitter::new();
    e.document(node);
    e.out
}

/// Several resources as kustomize's `ResMap.AsYaml()` prints them, joined by `---\n`.
pub fn emit_documents(nodes: &[Node]) -> String {
    let mut e = Emitter::new();
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            e.out.push_str("---\n");
            e.reset();
        }
        e.document(node);
    }
    e.out
}

/// go-yaml v2's scalar styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// What `yaml_emitter_analyze_scalar` finds out about a value.
#[derive(Debug, Clone, Copy)]
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i32,
}

/// Where a node is written (go-yaml's `emit_node` context flags).
#[derive(Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            out: String::with_capacity(4096),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
        }
    }

    fn reset(&mut self) {
        self.column = 0;
        self.whitespace = true;
        self.indention = true;
        self.indent = -1;
    }

    fn document(&mut self, node: &Node) {
        self.node(
            node,
            Context {
                mapping: false,
                simple_key: false,
            },
        );
        // Document end: an implicit end only finishes the line.
        self.indent = -1;
        self.write_indent();
    }

    fn node(&mut self, node: &Node, ctx: Context) {
        match node {
            Node::Scalar(s) => match resolve_scalar(s) {
                Resolved::Null => self.write_word("null"),
                Resolved::Bool(b) => self.write_word(if b { "true" } else { "false" }),
                Resolved::Int(i) => self.write_word(&i.to_string()),
                Resolved::Uint(u) => self.write_word(&u.to_string()),
                Resolved::Float(f) => self.write_word(&goscalar::output_float(f)),
                Resolved::Str(text) => {
                    let text = json_string(&text);
                    self.scalar(&text, string_style(&text), &analyze(&text), ctx);
                }
            },
            Node::Seq(items) if items.is_empty() => self.empty_flow("[]"),
            Node::Map(map) if map.is_empty() => self.empty_flow("{}"),
            Node::Seq(items) => self.block_sequence(items, ctx),
            Node::Map(map) => self.block_mapping(map),
        }
    }

    /// A null, boolean or number: plain, never folded (no spaces in it).
    fn write_word(&mut self, word: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(word);
        self.column += word.len();
        self.whitespace = false;
        self.indention = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) -> i32 {
        let saved = self.indent;
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
        saved
    }

    fn empty_flow(&mut self, pair: &str) {
        self.write_indicator(&pair[..1], true, true, false);
        self.write_indicator(&pair[1..], false, false, false);
    }

    fn block_sequence(&mut self, items: &[Node], ctx: Context) {
        let saved = self.increase_indent(false, ctx.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(
                item,
                Context {
                    mapping: false,
                    simple_key: false,
                },
            );
        }
        self.indent = saved;
    }

    fn block_mapping(&mut self, map: &Mapping) {
        let saved = self.increase_indent(false, false);
        let mut entries: Vec<(&String, &Node)> = map.iter().collect();
        keyorder::sort_by_key(&mut entries, |e| e.0.as_str());
        let key_ctx = |simple_key| Context {
            mapping: true,
            simple_key,
        };
        for (key, value) in entries {
            self.write_indent();
            let key = json_string(key);
            let requested = string_style(&key);
            let analysis = analyze(&key);
            // `check_simple_key`: at most 128 bytes and on one line.
            if key.len() <= 128 && !analysis.multiline {
                self.scalar(&key, requested, &analysis, key_ctx(true));
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(&key, requested, &analysis, key_ctx(false));
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, key_ctx(false));
        }
        self.indent = saved;
    }

    fn scalar(&mut self, text: &str, requested: Style, analysis: &Analysis, ctx: Context) {
        let style = select_style(text, requested, analysis, ctx.simple_key);
        let saved = self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::Single => self.write_single_quoted(text, allow_breaks),
            Style::Double => self.write_double_quoted(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.indent = saved;
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        if value.is_ascii() && !value.bytes().any(|c| c == b' ' || c == b'\n' || c == b'\r') {
            // Nothing to fold or break: copy it whole.
            self.out.push_str(value);
            self.column += value.len();
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && chars.peek() != Some(&' ') {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, n)| n);
            if c == ' ' {
                let inside = i > 0 && i < value.len() - 1;
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inside && next != Some(' ') {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // go-yaml checks for a BOM at the start of the value for every character.
        let starts_with_bom = value.starts_with('\u{feff}');
        let mut spaces = false;
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match escape(c) {
                    Some(letter) => self.put(letter),
                    None => {
                        let code = c as u32;
                        let (prefix, digits) = match code {
                            0..=0xFF => ('x', 2),
                            0x100..=0xFFFF => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(prefix);
                        for k in (0..digits).rev() {
                            let digit = (code >> (k * 4)) & 0xF;
                            self.put(char::from_digit(digit, 16).unwrap_or('0').to_ascii_uppercase());
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < value.len() - 1 {
                    self.write_indent();
                    if chars.peek().map(|&(_, n)| n) == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let first = value.chars().next();
        if first.is_some_and(|c| c == ' ' || is_break(c)) {
            self.write_indicator("2", false, false, false);
        }
        let mut rev = value.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// A string after the JSON text is re-read by go-yaml v2: a raw NEL (which
/// `encoding/json` leaves unescaped) is a line break inside the double-quoted
/// scalar and folds like one.
fn json_string(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{85}') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{85}' {
            out.push(c);
            continue;
        }
        while out.ends_with(' ') {
            out.pop();
        }
        let mut breaks = 1;
        while let Some(&n) = chars.peek() {
            match n {
                ' ' => {}
                '\u{85}' => breaks += 1,
                _ => break,
            }
            chars.next();
        }
        if breaks == 1 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }
    Cow::Owned(out)
}

/// go-yaml v2's `encoder.stringv` style request.
fn string_style(text: &str) -> Style {
    if text.contains('\n') {
        Style::Literal
    } else if goscalar::v2_plain_is_string(text) {
        Style::Plain
    } else {
        Style::Double
    }
}

/// go-yaml v2's `yaml_emitter_select_scalar_style` (block context, no tags).
fn select_style(text: &str, requested: Style, a: &Analysis, simple_key: bool) -> Style {
    let mut style = requested;
    if simple_key && a.multiline {
        style = Style::Double;
    }
    if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && simple_key)) {
        style = Style::Single;
    }
    if style == Style::Single && !a.single_quoted_allowed {
        style = Style::Double;
    }
    if style == Style::Literal && (!a.block_allowed || simple_key) {
        style = Style::Double;
    }
    style
}

/// True when go-yaml would write `value` as a block scalar (`|` or `>`).
pub(crate) fn block_allowed(value: &str) -> bool {
    analyze(value).block_allowed
}

/// go-yaml v2's `yaml_emitter_analyze_scalar`, for block context.
fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    // Fast path: identifiers, names, paths and versions need no quoting at all.
    let b = value.as_bytes();
    if b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b'_' | b'-'))
    {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut chars = value.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_whitespace = next.is_none_or(|n| n == ' ' || n == '\t');
        let last = next.is_none();
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@'
                | '`' => {
                    block_indicators = true;
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= first;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = matches!(c, ' ' | '\t' | '\0') || is_break(c);
        first = false;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's printable set (note: no tab, nothing above the BMP).
fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD)
}

/// Short escapes of go-yaml's double-quoted writer.
fn escape(c: char) -> Option<char> {
    Some(match c {
        '\0' => '0',
        '\u{7}' => 'a',
        '\u{8}' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\u{b}' => 'v',
        '\u{c}' => 'f',
        '\r' => 'r',
        '\u{1b}' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{a0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_line(value: &str) -> String {
        let mut map = Mapping::default();
        map.insert("k", Node::string(value));
        emit_document(&Node::Map(map))
    }

    #[test]
    fn strings_are_quoted_like_kustomize() {
        // Each expectation is `kubectl kustomize` (v5.5.0) output for the string value.
        let cases: &[(&str, &str)] = &[
            ("yes", "k: \"yes\"\n"),
            ("8080", "k: \"8080\"\n"),
            ("", "k: \"\"\n"),
            ("1:20", "k: \"1:20\"\n"),
            ("2001-12-14", "k: \"2001-12-14\"\n"),
            ("a: b", "k: 'a: b'\n"),
            ("*/1 * * * *", "k: '*/1 * * * *'\n"),
            ("- x", "k: '- x'\n"),
            ("it's", "k: it's\n"),
            (" lead", "k: ' lead'\n"),
            ("trail ", "k: 'trail '\n"),
            ("a\tb", "k: \"a\\tb\"\n"),
            ("a\u{1}b", "k: \"a\\x01b\"\n"),
            ("😀", "k: \"\\U0001F600\"\n"),
            ("héllo", "k: héllo\n"),
            ("line1\nline2", "k: |-\n  line1\n  line2\n"),
            ("line1\n", "k: |\n  line1\n"),
            ("line1\n\n", "k: |+\n  line1\n\n"),
            (" lead\nx", "k: |2-\n   lead\n  x\n"),
            ("line1  \nline2", "k: \"line1  \\nline2\"\n"),
            ("<<", "k: <<\n"),
            ("a #b", "k: 'a #b'\n"),
            ("a#b", "k: a#b\n"),
            (
                "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr",
                "k: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n  qqqq rrrr\n",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(value_line(value), *want, "{value:?}");
        }
    }

    #[test]
    fn collections_and_documents() {
        let doc = crate::yaml::parse_documents(
            "b: []\na: {}\nc:\n  - x: 1\n    y: [1, [2]]\n  - {}\nd: ~\n---\nz: 1\n",
        )
        .unwrap_or_default();
        assert_eq!(
            emit_documents(&doc),
            "a: {}\nb: []\nc:\n- x: 1\n  \"y\":\n  - 1\n  - - 2\n- {}\nd: null\n---\nz: 1\n"
        );
        assert_eq!(emit_document(&Node::map()), "{}\n");
    }
}
