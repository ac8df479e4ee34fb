//! Renders `spec.template` with one parameter set: every string field is a
//! template. Default mode is Argo CD's fasttemplate substitution — `{{key}}`
//! (spaces trimmed) becomes the parameter, an unknown key stays as written.
//! `goTemplate: true` runs each string as a Go template (gtmpl) over the
//! nested parameters, with `default`, `lower`/`toLower`, `upper`/`toUpper`,
//! `trim`, `trimPrefix`, `trimSuffix`, `replace`, `quote`, `normalize` added;
//! `missingkey=error` turns a missing key into an error (gtmpl prints
//! `<no value>` for it, which is what is detected).

use std::collections::HashMap;

use driftless_api::ApplicationSpec;
use driftless_api::appset::{ApplicationSetTemplate, ApplicationSetTemplateMeta};
use gtmpl::{FuncError, Value as GoValue};
use serde_json::Value;

use super::params::{Params, normalize};

/// What gtmpl prints for a missing key.
const NO_VALUE: &str = "<no value>";

/// A template that does not render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The Go template does not parse or execute.
    #[error("template field {field}: {message}")]
    Go {
        /// JSON path of the field (`spec.source.path`).
        field: String,
        /// gtmpl's complaint.
        message: String,
    },
    /// `missingkey=error` and the template names a parameter the set lacks.
    #[error("template field {field}: map has no entry for a key it uses (missingkey=error): {text:?}")]
    MissingKey {
        /// JSON path of the field.
        field: String,
        /// The template text.
        text: String,
    },
    /// The rendered template is not a valid Application.
    #[error("rendered template is not a valid Application: {0}")]
    Shape(String),
}

impl TemplateError {
    /// Condition reason.
    pub fn reason(&self) -> &'static str {
        "TemplateRenderFailed"
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// `goTemplate: true`.
    pub go_template: bool,
    /// `goTemplateOptions: ["missingkey=error"]`.
    pub missing_key_error: bool,
}

impl Mode {
    /// The mode of a set's spec.
    pub fn of(go_template: bool, options: &[String]) -> Mode {
        Mode {
            go_template,
            missing_key_error: options.iter().any(|o| o.replace(' ', "") == "missingkey=error"),
        }
    }
}

/// The rendered metadata and spec of one Application.
pub fn render(
    template: &ApplicationSetTemplate,
    params: &Params,
    mode: Mode,
) -> Result<(ApplicationSetTemplateMeta, ApplicationSpec), TemplateError> {
    let shape = |e: serde_json::Error| TemplateError::Shape(e.to_string());
    let mut value = serde_json::to_value(template).map_err(shape)?;
    let go_params = mode.go_template.then(|| to_go(&Value::Object(params.clone())));
    walk(&mut value, "", &mut |field, text| match &go_params {
        Some(data) => render_go(field, text, data, mode.missing_key_error),
        None => Ok(render_fast(text, params)),
    })?;
    let rendered: ApplicationSetTemplate = serde_json::from_value(value).map_err(shape)?;
    Ok((rendered.metadata, rendered.spec))
}

fn walk(
    value: &mut Value,
    path: &str,
    f: &mut dyn FnMut(&str, &str) -> Result<String, TemplateError>,
) -> Result<(), TemplateError> {
    match value {
        Value::String(text) if text.contains("{{") => {
            *text = f(path, text)?;
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                walk(v, format!("{path}.{k}").trim_start_matches('.'), f)?;
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                walk(v, &format!("{path}[{i}]"), f)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// fasttemplate: `{{ key }}` → parameter text; unknown or empty tags are kept.
pub fn render_fast(text: &str, params: &Params) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = &after[..end];
        match params.get(tag.trim()).filter(|_| !tag.trim().is_empty()) {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&other.to_string()),
            None => {
                out.push_str("{{");
                out.push_str(tag);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn to_go(value: &Value) -> GoValue {
    match value {
        Value::Null => GoValue::Nil,
        Value::Bool(b) => GoValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => GoValue::from(i),
            (None, Some(f)) => GoValue::from(f),
            _ => GoValue::String(n.to_string()),
        },
        Value::String(s) => GoValue::String(s.clone()),
        Value::Array(items) => GoValue::Array(items.iter().map(to_go).collect()),
        Value::Object(map) => GoValue::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), to_go(v)))
                .collect::<HashMap<_, _>>(),
        ),
    }
}

fn render_go(
    field: &str,
    text: &str,
    data: &GoValue,
    missing_key_error: bool,
) -> Result<String, TemplateError> {
    let go_error = |message: String| TemplateError::Go {
        field: field.to_owned(),
        message,
    };
    // gtmpl can spin on some malformed input and recurses without a bound (a self-including
    // template or deep nesting overflows the stack and aborts the process): refuse those.
    if text.matches("{{").count() != text.matches("}}").count() {
        return Err(go_error("unbalanced {{ and }}".into()));
    }
    check_go_limits(text).map_err(go_error)?;
    let mut template = gtmpl::Template::default();
    template.add_funcs(FUNCS);
    template.parse(text).map_err(|e| go_error(e.to_string()))?;
    let out = template
        .render(&gtmpl::Context::from(data.clone()))
        .map_err(|e| go_error(e.to_string()))?;
    if missing_key_error && out.contains(NO_VALUE) && !text.contains(NO_VALUE) {
        return Err(TemplateError::MissingKey {
            field: field.to_owned(),
            text: text.to_owned(),
        });
    }
    Ok(out)
}

/// Longest template string accepted.
pub const MAX_TEMPLATE_BYTES: usize = 16 * 1024;
/// Deepest nesting of `if`/`with`/`range` blocks, or of parentheses in one action.
pub const MAX_TEMPLATE_DEPTH: usize = 32;

/// Refuses what the Go-template engine cannot run safely: `define`/`template`/`block`
/// (a template including itself recurses forever), nesting deeper than
/// [`MAX_TEMPLATE_DEPTH`], and strings longer than [`MAX_TEMPLATE_BYTES`].
pub fn check_go_limits(text: &str) -> Result<(), String> {
    if text.len() > MAX_TEMPLATE_BYTES {
        return Err(format!(
            "template is {} bytes, more than the {MAX_TEMPLATE_BYTES} allowed",
            text.len()
        ));
    }
    let mut blocks = 0usize;
    for action in text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
    {
        let body = action.trim_start_matches('-').trim_end_matches('-').trim();
        if body.starts_with("/*") {
            continue;
        }
        match body
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("")
        {
            "define" | "template" | "block" => {
                return Err(format!(
                    "{{{{{body}}}}}: define, template and block are not supported in ApplicationSet templates"
                ));
            }
            "if" | "with" | "range" => blocks += 1,
            "end" => blocks = blocks.saturating_sub(1),
            _ => {}
        }
        if blocks > MAX_TEMPLATE_DEPTH {
            return Err(format!("blocks nest deeper than {MAX_TEMPLATE_DEPTH}"));
        }
        if paren_depth(body) > MAX_TEMPLATE_DEPTH {
            return Err(format!("parentheses nest deeper than {MAX_TEMPLATE_DEPTH}"));
        }
    }
    Ok(())
}

/// The deepest parenthesis nesting of an action, outside string literals.
fn paren_depth(action: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in action.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '`' | '\'' => quote = Some(c),
                '(' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    deepest
}

const FUNCS: &[(&str, gtmpl::Func)] = &[
    ("default", default),
    ("lower", lower),
    ("toLower", lower),
    ("upper", upper),
    ("toUpper", upper),
    ("trim", trim),
    ("trimPrefix", trim_prefix),
    ("trimSuffix", trim_suffix),
    ("replace", replace),
    ("quote", quote),
    ("normalize", normalize_func),
];

fn text_of(value: &GoValue) -> String {
    match value {
        GoValue::String(s) => s.clone(),
        GoValue::NoValue | GoValue::Nil => String::new(),
        other => other.to_string(),
    }
}

fn args<const N: usize>(name: &str, values: &[GoValue]) -> Result<[String; N], FuncError> {
    let texts: Vec<String> = values.iter().map(text_of).collect();
    texts
        .try_into()
        .map_err(|_| FuncError::ExactlyXArgs(name.into(), N))
}

/// Sprig `default DEFAULT VALUE`: VALUE unless it is empty.
fn default(values: &[GoValue]) -> Result<GoValue, FuncError> {
    match values {
        [fallback] => Ok(fallback.clone()),
        [fallback, given] => {
            let empty = match given {
                GoValue::NoValue | GoValue::Nil => true,
                GoValue::String(s) => s.is_empty(),
                GoValue::Bool(b) => !b,
                GoValue::Array(a) => a.is_empty(),
                GoValue::Map(m) | GoValue::Object(m) => m.is_empty(),
                _ => false,
            };
            Ok(if empty { fallback.clone() } else { given.clone() })
        }
        _ => Err(FuncError::AtLeastXArgs("default".into(), 1)),
    }
}

fn lower(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [s] = args::<1>("lower", values)?;
    Ok(s.to_lowercase().into())
}

fn upper(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [s] = args::<1>("upper", values)?;
    Ok(s.to_uppercase().into())
}

fn trim(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [s] = args::<1>("trim", values)?;
    Ok(s.trim().to_owned().into())
}

/// Sprig argument order: `trimPrefix PREFIX STRING`.
fn trim_prefix(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [prefix, s] = args::<2>("trimPrefix", values)?;
    Ok(s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_owned().into())
}

fn trim_suffix(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [suffix, s] = args::<2>("trimSuffix", values)?;
    Ok(s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_owned().into())
}

/// Sprig: `replace OLD NEW STRING`.
fn replace(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [old, new, s] = args::<3>("replace", values)?;
    Ok(s.replace(&old, &new).into())
}

fn quote(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [s] = args::<1>("quote", values)?;
    Ok(format!("{s:?}").into())
}

fn normalize_func(values: &[GoValue]) -> Result<GoValue, FuncError> {
    let [s] = args::<1>("normalize", values)?;
    Ok(normalize(&s).into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::appset::params::path_params;
    use serde_json::json;

    fn template(name: &str, path: &str, namespace: &str, label: &str) -> ApplicationSetTemplate {
        serde_json::from_value(json!({
            "metadata": {"name": name, "labels": {"team": label}},
            "spec": {
                "project": "default",
                "source": {"repoURL": "https://x/repo", "targetRevision": "main", "path": path},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace}
            }
        }))
        .unwrap()
    }

    #[test]
    fn fasttemplate_substitutes_argo_names() {
        let params = path_params("apps/payments-api/overlays/prod", None, None, false);
        let (meta, spec) = render(
            &template("{{path[1]}}-prod", "{{path}}", "{{ path[1] }}", "{{team}}"),
            &params,
            Mode::default(),
        )
        .unwrap();
        assert_eq!(meta.name, "payments-api-prod");
        assert_eq!(spec.source.path, "apps/payments-api/overlays/prod");
        assert_eq!(spec.destination.namespace.as_deref(), Some("payments-api"));
        // An unknown tag stays as written.
        assert_eq!(meta.labels["team"], "{{team}}");
    }

    #[test]
    fn fast_edge_cases() {
        let params = json!({"a": "1", "b": "2"}).as_object().unwrap().clone();
        let cases = [
            ("{{a}}{{b}}", "12"),
            ("x{{ a }}y", "x1y"),
            ("{{}}", "{{}}"),
            ("{{a", "{{a"),
            ("plain", "plain"),
        ];
        for (text, want) in cases {
            assert_eq!(render_fast(text, &params), want, "{text}");
        }
    }

    #[test]
    fn go_templates_that_would_recurse_without_bound_are_refused() {
        let params = path_params("apps/web", None, None, true);
        let refused = [
            r#"{{define "a"}}{{template "a"}}{{end}}{{template "a"}}"#.to_owned(),
            r#"{{- block "a" . -}}x{{end}}"#.to_owned(),
            format!("{{{{ {}.path.basename{} }}}}", "(".repeat(1000), ")".repeat(1000)),
            format!("{}x{}", "{{if .path}}".repeat(1000), "{{end}}".repeat(1000)),
            format!("{{{{ .path.basename }}}}{}", "x".repeat(MAX_TEMPLATE_BYTES)),
        ];
        for text in refused {
            let result = render(&template(&text, "p", "ns", "t"), &params, Mode::of(true, &[]));
            let error = result.unwrap_err();
            assert_eq!(error.reason(), "TemplateRenderFailed");
            assert!(error.to_string().contains("metadata.name"), "{error}");
        }
        // Nesting within the bounds, and parentheses inside strings, still render.
        let fine = format!(
            "{}{{{{ ((.path.basename)) }}}}{{{{ \"((((\" | len }}}}{}",
            "{{if .path}}".repeat(3),
            "{{end}}".repeat(3)
        );
        let (meta, _) = render(&template(&fine, "p", "ns", "t"), &params, Mode::of(true, &[])).unwrap();
        assert_eq!(meta.name, "web4");
    }

    #[test]
    fn go_templates() {
        let params = path_params("apps/Payments_API", None, None, true);
        let mut params = params;
        params.insert("env".into(), json!("Prod"));
        let render_text =
            |text: &str, strict: bool| render_go("f", text, &to_go(&Value::Object(params.clone())), strict);
        let cases = [
            ("{{ .path.basename }}", "Payments_API"),
            ("{{ index .path.segments 0 }}", "apps"),
            (
                "{{ .path.basenameNormalized }}-{{ .env | toLower }}",
                "payments-api-prod",
            ),
            ("{{ default \"none\" .missing }}", "none"),
            ("{{ normalize .path.basename }}", "payments-api"),
            ("{{ trimPrefix \"Pay\" .path.basename }}", "ments_API"),
            ("{{ upper .path.basename }}", "PAYMENTS_API"),
        ];
        for (text, want) in cases {
            assert_eq!(render_text(text, true).unwrap(), want, "{text}");
        }
        assert_eq!(render_text("{{ .nope }}", false).unwrap(), "<no value>");
        let error = render_text("{{ .nope }}", true).unwrap_err();
        assert!(matches!(error, TemplateError::MissingKey { .. }), "{error}");
        assert!(matches!(
            render_text("{{ .path.basename ", true),
            Err(TemplateError::Go { .. })
        ));
    }

    #[test]
    fn go_mode_renders_the_whole_template() {
        let params = path_params("apps/web", None, None, true);
        let mode = Mode::of(true, &["missingkey=error".into()]);
        let (meta, spec) = render(
            &template("{{ .path.basename }}-go", "{{ .path.path }}", "web", "t"),
            &params,
            mode,
        )
        .unwrap();
        assert_eq!(meta.name, "web-go");
        assert_eq!(spec.source.path, "apps/web");
        let missing = template("{{ .path.basename }}", "{{ .team }}", "web", "t");
        let error = render(&missing, &params, mode).unwrap_err();
        assert!(error.to_string().contains("spec.source.path"), "{error}");
    }
}
