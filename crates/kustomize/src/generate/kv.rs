//! Key/value pairs for generators (kustomize `api/kv`): env files first,
//! then literals, then files, each in the order given.

use std::path::Path;

use crate::kustomization::GeneratorArgs;
use crate::loader::Loader;

/// A key and its raw bytes.
pub type Pair = (String, Vec<u8>);

/// Loads every pair of a generator, relative to `dir`.
pub fn load_pairs(loader: &Loader<'_>, dir: &Path, args: &GeneratorArgs) -> Result<Vec<Pair>, String> {
    let mut pairs = Vec::new();
    let env_files = args
        .envs
        .iter()
        .chain((!args.env.is_empty()).then_some(&args.env));
    for env in env_files {
        let content = loader
            .read_file(dir, env)
            .map_err(|e| format!("env source files: {e}"))?;
        pairs.extend(env_lines(&content)?);
    }
    for literal in &args.literals {
        pairs.push(literal_pair(literal)?);
    }
    for source in &args.files {
        let (key, path) = file_source(source)?;
        let content = loader
            .read_file(dir, path)
            .map_err(|e| format!("file sources: {e}"))?;
        pairs.push((key, content.to_vec()));
    }
    Ok(pairs)
}

/// `KEY=VALUE` lines; blank lines and `#` comments skipped; a bare `KEY` is empty.
fn env_lines(content: &[u8]) -> Result<Vec<Pair>, String> {
    let mut pairs = Vec::new();
    let text = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    for (number, raw) in text.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = std::str::from_utf8(raw).map_err(|_| format!("line {number} has invalid utf8 bytes"))?;
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if !is_env_var_name(key) {
            return Err(format!("invalid env var name '{key}' in env file line {number}"));
        }
        pairs.push((key.to_owned(), value.as_bytes().to_vec()));
    }
    Ok(pairs)
}

/// `key=value`, with one pair of matching surrounding quotes removed.
fn literal_pair(source: &str) -> Result<Pair, String> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => {
            Ok((key.to_owned(), remove_quotes(value).as_bytes().to_vec()))
        }
        _ => Err(format!("invalid literal source {source}, expected key=value")),
    }
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// `path` (key = file name) or `key=path`.
fn file_source(source: &str) -> Result<(String, &str), String> {
    match source.matches('=').count() {
        0 => {
            let base = source.rsplit('/').find(|s| !s.is_empty()).unwrap_or(source);
            Ok((base.to_owned(), source))
        }
        1 => match source.split_once('=') {
            Some(("", path)) => Err(format!(
                "missing key name for file path \"{path}\" in source \"{source}\""
            )),
            Some((key, "")) => Err(format!(
                "missing file path for key name \"{key}\" in source \"{source}\""
            )),
            Some((key, path)) => Ok((key.to_owned(), path)),
            None => Err(format!("source \"{source}\" is malformed")),
        },
        _ => Err(format!("source \"{source}\" key name or file path contains '='")),
    }
}

/// Kubernetes' config-map key rule: `[-._a-zA-Z0-9]+`, not `.` or `..`.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key != "."
        && key != ".."
        && key.len() <= 253
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Kubernetes' env var name rule: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_var_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        let cases = [
            ("a=b", Ok(("a", "b"))),
            ("a=\"b c\"", Ok(("a", "b c"))),
            ("a='x'", Ok(("a", "x"))),
            ("a=b=c", Ok(("a", "b=c"))),
            ("a=", Ok(("a", ""))),
            ("=b", Err(())),
            ("ab", Err(())),
        ];
        for (input, want) in cases {
            let got = literal_pair(input)
                .map(|(k, v)| (k, String::from_utf8(v).unwrap_or_default()))
                .map_err(|_| ());
            let want = want.map(|(k, v)| (k.to_owned(), v.to_owned()));
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn env_files() {
        let pairs = env_lines(b"\xEF\xBB\xBF# c\nA=1\n\n  B=x=y\r\nC\n").unwrap_or_default();
        let got: Vec<_> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        assert_eq!(
            got,
            [("A", "1".into()), ("B", "x=y".into()), ("C", String::new())]
        );
        assert!(env_lines(b"1A=2").is_err());
    }

    #[test]
    fn file_sources() {
        assert_eq!(
            file_source("dir/app.properties").ok(),
            Some(("app.properties".into(), "dir/app.properties"))
        );
        assert_eq!(file_source("k=dir/f").ok(), Some(("k".into(), "dir/f")));
        assert!(file_source("=f").is_err() && file_source("k=").is_err() && file_source("a=b=c").is_err());
    }
}
