//! The renderer's YAML node model.
//!
//! Maps keep their key order; scalars keep their source text, style and tag so
//! they resolve the way kustomize's go-yaml does (plain `0755` is the integer
//! 493, plain `yes` stays the string "yes"). Resolution happens on demand in
//! [`Scalar::resolve`], never at parse time, so a value that is only copied
//! keeps its original spelling.

/// One YAML node: a scalar, a sequence or a mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A scalar (string, number, bool or null before resolution).
    Scalar(Scalar),
    /// A sequence, in document order.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Mapping),
}

/// How a scalar was written in its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScalarStyle {
    /// Unquoted: subject to type resolution.
    #[default]
    Plain,
    /// `'single quoted'`: always a string.
    SingleQuoted,
    /// `"double quoted"`: always a string.
    DoubleQuoted,
    /// `|` block: always a string.
    Literal,
    /// `>` block: always a string.
    Folded,
}

/// A scalar with its source text, style and explicit tag (if any).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scalar {
    /// The scalar's value after unescaping (for plain scalars, the text as written).
    pub text: String,
    /// How it was written.
    pub style: ScalarStyle,
    /// An explicit tag such as `!!str` or `!!int`, in its short form.
    pub tag: Option<String>,
}

/// The typed value of a scalar, resolved with go-yaml's rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty plain scalar.
    Null,
    /// `true`/`false` (and their capitalised spellings).
    Bool(bool),
    /// An integer that fits 64 bits.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    Uint(u64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// Anything else.
    String(String),
}

/// An ordered mapping with string keys (Kubernetes objects only use string keys).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Mapping {
    entries: Vec<(String, Node)>,
}

impl Node {
    /// A plain-style string scalar that will resolve as a string
    /// (tagged `!!str` when its text would otherwise resolve to another type).
    pub fn string(text: impl Into<String>) -> Node {
        Node::Scalar(Scalar::string(text))
    }

    /// A null scalar.
    pub fn null() -> Node {
        Node::Scalar(Scalar {
            text: "null".into(),
            style: ScalarStyle::Plain,
            tag: None,
        })
    }

    /// An empty mapping.
    pub fn map() -> Node {
        Node::Map(Mapping::default())
    }

    /// The mapping, if this is one.
    pub fn as_map(&self) -> Option<&Mapping> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The mapping, mutably, if this is one.
    pub fn as_map_mut(&mut self) -> Option<&mut Mapping> {
        match self {
            Node::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence, if this is one.
    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match self {
            Node::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The sequence, mutably, if this is one.
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match self {
            Node::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's value when it resolves to a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) if matches!(s.resolve(), Value::String(_)) => Some(&s.text),
            _ => None,
        }
    }

    /// True for a null scalar.
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Scalar(s) if s.resolve() == Value::Null)
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.as_map()?.get(key))
    }

    /// Follows a path of mapping keys, mutably.
    pub fn get_path_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        path.iter()
            .try_fold(self, |node, key| node.as_map_mut()?.get_mut(key))
    }
}

impl Scalar {
    /// A scalar holding `text` that resolves as a string.
    pub fn string(text: impl Into<String>) -> Scalar {
        let text = text.into();
        let plain = Scalar {
            text,
            style: ScalarStyle::Plain,
            tag: None,
        };
        // A plain date would become a time (and print as RFC 3339) in kustomize's JSON step.
        if matches!(plain.resolve(), Value::String(_)) && super::timestamp::parse(&plain.text).is_none() {
            plain
        } else {
            Scalar {
                style: ScalarStyle::DoubleQuoted,
                ..plain
            }
        }
    }

    /// Resolves the scalar to a typed value using go-yaml (v3) rules:
    /// only plain scalars without a tag are subject to implicit typing.
    pub fn resolve(&self) -> Value {
        match self.tag.as_deref() {
            Some("!!str") => return Value::String(self.text.clone()),
            Some("!!null") => return Value::Null,
            Some("!!bool") | Some("!!int") | Some("!!float") => {
                return resolve_plain(&self.text);
            }
            Some(_) => return Value::String(self.text.clone()),
            None => {}
        }
        if self.style != ScalarStyle::Plain {
            return Value::String(self.text.clone());
        }
        resolve_plain(&self.text)
    }
}

/// go-yaml v3's implicit resolution of a plain scalar.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(text.to_owned());
    }
    let plain: std::borrow::Cow<'_, str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    if let Some(v) = parse_int(&plain) {
        return v;
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::String(text.to_owned())
}

/// Integers the way go-yaml v3 accepts them: decimal, `0x`, `0o`, `0b`, and a
/// leading-zero octal (Go's `strconv.ParseInt(s, 0, 64)`).
fn parse_int(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(rest) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        (8, rest)
    } else if let Some(rest) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some(Value::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    Some(match i64::try_from(magnitude) {
        Ok(v) => Value::Int(v),
        Err(_) => Value::Uint(magnitude),
    })
}

/// go-yaml v3's float pattern: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

impl Mapping {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key` to `value`, keeping the key's position if it exists, else appending.
    pub fn insert(&mut self, key: impl Into<String>, value: Node) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(index).1)
    }

    /// The value under `key`, inserting an empty mapping first if it is missing.
    pub fn entry_map(&mut self, key: &str) -> &mut Node {
        let index = match self.entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                self.entries.push((key.to_owned(), Node::map()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[index].1
    }

    /// True when `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Entries in order, values mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut Node)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps only the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut Node) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl FromIterator<(String, Node)> for Mapping {
    fn from_iter<I: IntoIterator<Item = (String, Node)>>(iter: I) -> Self {
        let mut map = Mapping::default();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl IntoIterator for Mapping {
    type Item = (String, Node);
    type IntoIter = std::vec::IntoIter<(String, Node)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Value {
        Scalar {
            text: text.into(),
            style: ScalarStyle::Plain,
            tag: None,
        }
        .resolve()
    }

    #[test]
    fn resolves_like_go_yaml_v3() {
        let cases: &[(&str, Value)] = &[
            ("0755", Value::Int(493)),
            ("012", Value::Int(10)),
            ("0x1F", Value::Int(31)),
            ("0o17", Value::Int(15)),
            ("-42", Value::Int(-42)),
            ("1_000", Value::Int(1000)),
            ("yes", Value::String("yes".into())),
            ("on", Value::String("on".into())),
            ("True", Value::Bool(true)),
            ("~", Value::Null),
            ("", Value::Null),
            ("1.5", Value::Float(1.5)),
            ("1e3", Value::Float(1000.0)),
            (".5", Value::Float(0.5)),
            ("1.2.3", Value::String("1.2.3".into())),
            ("089", Value::Float(89.0)),
            ("v1", Value::String("v1".into())),
            ("18446744073709551615", Value::Uint(u64::MAX)),
        ];
        for (text, want) in cases {
            assert_eq!(&plain(text), want, "resolving {text:?}");
        }
    }

    #[test]
    fn quoted_and_tagged_scalars_stay_strings() {
        let quoted = Scalar {
            text: "0755".into(),
            style: ScalarStyle::DoubleQuoted,
            tag: None,
        };
        assert_eq!(quoted.resolve(), Value::String("0755".into()));
        let tagged = Scalar {
            text: "true".into(),
            style: ScalarStyle::Plain,
            tag: Some("!!str".into()),
        };
        assert_eq!(tagged.resolve(), Value::String("true".into()));
        assert_eq!(Node::string("8080").as_str(), Some("8080"));
    }

    #[test]
    fn mapping_keeps_order_and_replaces_in_place() {
        let mut map = Mapping::default();
        map.insert("b", Node::string("1"));
        map.insert("a", Node::string("2"));
        map.insert("b", Node::string("3"));
        let keys: Vec<_> = map.keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(map.get("b").and_then(Node::as_str), Some("3"));
    }
}
