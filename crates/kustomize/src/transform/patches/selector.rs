//! Resource selection for patch targets (kustomize `types.SelectorRegex` and
//! `ResMap.Select`): group/version/kind/name/namespace are anchored regular
//! expressions, matched against the original or current id; label and
//! annotation selectors use Kubernetes' selector syntax.

use regex::Regex;

use crate::kustomization::Selector;
use crate::resource::Resource;
use crate::yaml::Mapping;

/// One anchored pattern: plain text compares directly, anything with a
/// regular-expression metacharacter goes through the regex engine.
#[derive(Debug)]
enum Pattern {
    Exact(String),
    Regex(Regex),
}

impl Pattern {
    fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Exact(p) => p == text,
            Pattern::Regex(re) => re.is_match(text),
        }
    }
}

/// A compiled selector.
#[derive(Debug)]
pub struct Compiled {
    group: Option<Pattern>,
    version: Option<Pattern>,
    kind: Option<Pattern>,
    name: Option<Pattern>,
    namespace: Option<Pattern>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

/// One term of a label selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    /// `key` present.
    Exists(String),
    /// `!key`.
    NotExists(String),
    /// `key=v`, `key==v`, `key in (v, …)`.
    In(String, Vec<String>),
    /// `key!=v`, `key notin (v, …)`: absent or another value.
    NotIn(String, Vec<String>),
    /// `key>n` / `key<n`: present and numerically greater / less.
    Compare(String, bool, i64),
}

impl Compiled {
    /// Compiles `selector`; an error names the bad pattern.
    pub fn new(selector: &Selector) -> Result<Compiled, String> {
        let anchored = |p: &str| -> Result<Option<Pattern>, String> {
            if p.is_empty() {
                return Ok(None);
            }
            if !p.contains(|c: char| "\\.+*?()|[]{}^$".contains(c)) {
                return Ok(Some(Pattern::Exact(p.to_owned())));
            }
            let re = Regex::new(&format!("^(?:{p})$")).map_err(|e| format!("invalid pattern '{p}': {e}"))?;
            Ok(Some(Pattern::Regex(re)))
        };
        Ok(Compiled {
            group: anchored(&selector.group)?,
            version: anchored(&selector.version)?,
            kind: anchored(&selector.kind)?,
            name: anchored(&selector.name)?,
            namespace: anchored(&selector.namespace)?,
            labels: parse_selector(&selector.label_selector)?,
            annotations: parse_selector(&selector.annotation_selector)?,
        })
    }

    /// True when `r` is selected: kind/group/version on the current id, name
    /// and namespace on the original or the current id (kustomize `Select`).
    pub fn matches(&self, r: &Resource) -> bool {
        let one = |p: &Option<Pattern>, a: &str| p.as_ref().is_none_or(|p| p.is_match(a));
        let (group, version) = crate::resid::parse_group_version(r.api_version());
        if !(one(&self.kind, r.kind()) && one(&self.group, group) && one(&self.version, version)) {
            return false;
        }
        let org = r.first_prev_id();
        if let Some(p) = &self.name
            && !(p.is_match(r.name()) || org.is_some_and(|o| p.is_match(&o.name)))
        {
            return false;
        }
        if let Some(p) = &self.namespace {
            let cur = r.cur_id();
            let org_ns = org.map(|o| o.effective_namespace().to_owned());
            if !(p.is_match(cur.effective_namespace()) || org_ns.is_some_and(|ns| p.is_match(&ns))) {
                return false;
            }
        }
        satisfies(&self.labels, r.labels()) && satisfies(&self.annotations, r.annotations())
    }
}

/// True when every requirement holds for `map`.
pub fn satisfies(requirements: &[Requirement], map: Option<&Mapping>) -> bool {
    let get = |key: &str| {
        map.and_then(|m| m.get(key))
            .and_then(|n| n.as_scalar())
            .map(|s| s.text.as_str())
    };
    requirements.iter().all(|req| match req {
        Requirement::Exists(k) => get(k).is_some(),
        Requirement::NotExists(k) => get(k).is_none(),
        Requirement::In(k, values) => get(k).is_some_and(|v| values.iter().any(|x| x == v)),
        Requirement::NotIn(k, values) => get(k).is_none_or(|v| values.iter().all(|x| x != v)),
        Requirement::Compare(k, greater, n) => get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .is_some_and(|v| if *greater { v > *n } else { v < *n }),
    })
}

/// Parses Kubernetes' label selector syntax.
pub fn parse_selector(text: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for term in split_terms(text) {
        let term = term.trim();
        if term.is_empty() {
            continue;
        }
        out.push(
            parse_term(term)
                .ok_or_else(|| format!("unable to parse requirement '{term}' in selector '{text}'"))?,
        );
    }
    Ok(out)
}

/// Splits on commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn parse_term(term: &str) -> Option<Requirement> {
    if let Some(key) = term.strip_prefix('!') {
        return valid_key(key.trim()).then(|| Requirement::NotExists(key.trim().to_owned()));
    }
    for (op, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((k, v)) = term.split_once(op) {
            let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
            if !valid_key(&k) {
                return None;
            }
            return Some(if negate {
                Requirement::NotIn(k, vec![v])
            } else {
                Requirement::In(k, vec![v])
            });
        }
    }
    for (op, greater) in [(">", true), ("<", false)] {
        if let Some((k, v)) = term.split_once(op) {
            return Some(Requirement::Compare(
                k.trim().to_owned(),
                greater,
                v.trim().parse().ok()?,
            ));
        }
    }
    let words: Vec<&str> = term.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (negate, list) = if let Some(l) = rest.strip_prefix("notin") {
            (true, l)
        } else if let Some(l) = rest.strip_prefix("in") {
            (false, l)
        } else {
            return None;
        };
        let inner = list.trim().strip_prefix('(')?.strip_suffix(')')?;
        let values = inner.split(',').map(|v| v.trim().to_owned()).collect();
        let key = (*key).to_owned();
        return Some(if negate {
            Requirement::NotIn(key, values)
        } else {
            Requirement::In(key, values)
        });
    }
    valid_key(term).then(|| Requirement::Exists(term.to_owned()))
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Node;

    fn labels(pairs: &[(&str, &str)]) -> Mapping {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Node::string(*v)))
            .collect()
    }

    #[test]
    fn label_selectors() {
        let m = labels(&[("app", "web"), ("tier", "front"), ("n", "5")]);
        let cases = [
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app!=web", false),
            ("missing!=x", true),
            ("app in (api, web)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("n>3", true),
            ("n<3", false),
            ("", true),
        ];
        for (text, want) in cases {
            let reqs = parse_selector(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(satisfies(&reqs, Some(&m)), want, "{text}");
        }
        assert!(parse_selector("a b c").is_err());
    }
}
