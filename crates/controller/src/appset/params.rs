//! Parameter sets: what a generator yields, one per Application.
//!
//! In the default (fasttemplate) mode a set is flat — `path.basename`,
//! `path[1]`, `values.x` are plain keys holding strings — and in Go-template
//! mode it is nested (`{{ .path.basename }}`, `{{ index .path.segments 1 }}`),
//! as Argo CD builds them.

use serde_json::{Map, Value};

/// One parameter set.
pub type Params = Map<String, Value>;

/// Argo CD's `basenameNormalized`: lower case, characters outside `[-a-z0-9.]`
/// become `-`, at most 253 characters, no leading/trailing `-` or `.`.
pub fn normalize(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(253)
        .collect();
    lowered.trim_matches(|c| c == '-' || c == '.').to_owned()
}

/// The `path.*` parameters of a directory (and, for a file, its file name).
pub fn path_params(dir: &str, filename: Option<&str>, prefix: Option<&str>, go_template: bool) -> Params {
    let segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let basename = segments.last().copied().unwrap_or_default();
    let mut path = Params::new();
    if go_template {
        path.insert("path".into(), dir.into());
        path.insert("basename".into(), basename.into());
        path.insert("basenameNormalized".into(), normalize(basename).into());
        path.insert(
            "segments".into(),
            segments.iter().map(|s| Value::from(*s)).collect(),
        );
        if let Some(file) = filename {
            path.insert("filename".into(), file.into());
            path.insert("filenameNormalized".into(), normalize(file).into());
        }
        let mut params = Params::new();
        match prefix {
            Some(prefix) => {
                let mut outer = Params::new();
                outer.insert("path".into(), Value::Object(path));
                params.insert(prefix.into(), Value::Object(outer));
            }
            None => {
                params.insert("path".into(), Value::Object(path));
            }
        }
        return params;
    }
    let key = |name: &str| match prefix {
        Some(prefix) => format!("{prefix}.{name}"),
        None => name.to_owned(),
    };
    let mut params = Params::new();
    params.insert(key("path"), dir.into());
    params.insert(key("path.basename"), basename.into());
    params.insert(key("path.basenameNormalized"), normalize(basename).into());
    for (i, segment) in segments.iter().enumerate() {
        params.insert(key(&format!("path[{i}]")), (*segment).into());
    }
    if let Some(file) = filename {
        params.insert(key("path.filename"), file.into());
        params.insert(key("path.filenameNormalized"), normalize(file).into());
    }
    params
}

/// A scalar as fasttemplate sees it (`true`, `3`, text).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Flattens nested objects and lists into dotted keys (`a.b`, `list.0`), values as strings.
pub fn flatten(object: &Params) -> Params {
    fn walk(prefix: &str, value: &Value, out: &mut Params) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(&join(prefix, k), v, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&join(prefix, &i.to_string()), v, out);
                }
            }
            scalar => {
                out.insert(prefix.to_owned(), Value::String(scalar_text(scalar)));
            }
        }
    }
    fn join(prefix: &str, key: &str) -> String {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    }
    let mut out = Params::new();
    for (k, v) in object {
        walk(k, v, &mut out);
    }
    out
}

/// Looks up a dotted key (`path.basename`) in a set of either shape.
pub fn lookup<'a>(params: &'a Params, key: &str) -> Option<&'a Value> {
    if let Some(v) = params.get(key) {
        return Some(v);
    }
    let mut parts = key.split('.');
    let mut current = params.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_like_argo() {
        let cases = [
            ("Payments_API", "payments-api"),
            ("-a.b-", "a.b"),
            ("x/y z", "x-y-z"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), want, "{input}");
        }
    }

    #[test]
    fn path_params_in_both_modes() {
        let flat = path_params("apps/payments-api/overlays/prod", None, None, false);
        assert_eq!(flat["path"], "apps/payments-api/overlays/prod");
        assert_eq!(flat["path.basename"], "prod");
        assert_eq!(flat["path[1]"], "payments-api");
        let nested = path_params("cfg/my_app", Some("config.json"), Some("p"), true);
        assert_eq!(nested["p"]["path"]["basenameNormalized"], "my-app");
        assert_eq!(nested["p"]["path"]["segments"], json!(["cfg", "my_app"]));
        assert_eq!(nested["p"]["path"]["filename"], "config.json");
        let prefixed = path_params("a/b", Some("c.yaml"), Some("p"), false);
        assert_eq!(prefixed["p.path.filename"], "c.yaml");
        assert_eq!(prefixed["p.path[0]"], "a");
    }

    #[test]
    fn flattens_with_dots() {
        let nested = json!({"cluster": {"name": "prod", "replicas": 3, "zones": ["a", "b"]}, "on": true});
        let flat = flatten(nested.as_object().unwrap());
        assert_eq!(
            Value::Object(flat),
            json!({"cluster.name": "prod", "cluster.replicas": "3", "cluster.zones.0": "a",
                   "cluster.zones.1": "b", "on": "true"})
        );
        let params = nested.as_object().unwrap();
        assert_eq!(lookup(params, "cluster.name"), Some(&json!("prod")));
        assert_eq!(lookup(params, "cluster.missing"), None);
    }
}
