//! `replacements:` (kustomize `ReplacementTransformer` + `filters/replacement`).
//!
//! Each replacement reads one value (a `sourceValue`, or a field of the one
//! object its `source` selects by any of its ids) and writes it into the
//! `fieldPaths` of every object a target's `select` matches and no `reject`
//! matches. Target selectors are anchored regular expressions; field paths
//! use kyaml's dotted syntax ([`crate::fieldspec::kpath`]). `options.delimiter`
//! / `index` pick or replace one part of a delimited string, `options.create`
//! creates missing fields. Entries from `path:` files are loaded by the
//! pipeline and passed in as parsed [`Replacement`]s.

use regex::Regex;

use crate::fieldspec::TransformError;
use crate::fieldspec::kpath::{self, CreateKind};
use crate::kustomization::{FieldOptions, Replacement, Selector, SourceSelector, TargetSelector};
use crate::resid::{Gvk, ResId};
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::yaml::{Node, Scalar, ScalarStyle, Value};

use super::patches::selector::{Requirement, parse_selector, satisfies};

const NAME: &str = "replacements";
const DEFAULT_PATH: &str = "metadata.name";

fn err(message: impl Into<String>) -> TransformError {
    TransformError::Resolve {
        transformer: NAME,
        message: message.into(),
    }
}

/// Applies the replacements in order.
pub fn apply(resources: &mut ResMap, replacements: &[Replacement]) -> Result<(), TransformError> {
    for r in replacements {
        if (r.source_value.is_none() && r.source.is_none()) || r.targets.is_empty() {
            return Err(err("replacements must specify a source and at least one target"));
        }
        let value = source_value(resources, r)?;
        for target in &r.targets {
            apply_target(resources, &value, target)?;
        }
    }
    Ok(())
}

/// The value a replacement copies.
fn source_value(resources: &ResMap, r: &Replacement) -> Result<Node, TransformError> {
    let source = match (&r.source_value, &r.source) {
        (Some(_), Some(_)) => return Err(err("value and resource selectors are mutually exclusive")),
        (Some(v), None) => {
            return Ok(Node::Scalar(Scalar {
                text: v.clone(),
                style: ScalarStyle::Plain,
                tag: None,
            }));
        }
        (None, Some(s)) => s,
        (None, None) => return Err(err("replacements must specify a source and at least one target")),
    };
    let selector = source_id(source);
    let mut found: Option<&Resource> = None;
    for res in resources.iter() {
        if res.all_ids().iter().any(|id| id.is_selected_by(&selector)) {
            if found.is_some() {
                return Err(err(format!("multiple matches for selector {}", describe(source))));
            }
            found = Some(res);
        }
    }
    let Some(res) = found else {
        return Err(err(format!("nothing selected by {}", describe(source))));
    };
    let path = if source.field_path.is_empty() {
        DEFAULT_PATH
    } else {
        source.field_path.as_str()
    };
    let parts = kpath::smarter_split(path, '.');
    let node = kpath::lookup(res.node(), &parts)
        .map_err(|e| err(format!("error looking up replacement source: {e}")))?;
    let node = match node {
        Some(n) if !is_nil_or_empty(n) => n,
        _ => {
            return Err(err(format!(
                "fieldPath `{path}` is missing for replacement source {selector}"
            )));
        }
    };
    refine(source.options.as_ref(), node)
}

fn is_nil_or_empty(node: &Node) -> bool {
    match node {
        Node::Map(m) => m.is_empty(),
        Node::Seq(s) => s.is_empty(),
        Node::Scalar(_) => node.is_null(),
    }
}

fn source_id(s: &SourceSelector) -> ResId {
    ResId::new(Gvk::new(&s.group, &s.version, &s.kind), &s.name, &s.namespace)
}

/// kustomize's `SourceSelector.String()`.
fn describe(s: &SourceSelector) -> String {
    let mut parts = vec![source_id(s).to_string()];
    if !s.field_path.is_empty() {
        parts.push(s.field_path.clone());
    }
    if let Some(o) = &s.options
        && (!o.delimiter.is_empty() || o.create)
    {
        parts.push(format!("{}({}), create={}", o.delimiter, o.index, o.create));
    }
    parts.join(":")
}

/// Applies `options.delimiter`/`index` to the source value.
fn refine(options: Option<&FieldOptions>, node: &Node) -> Result<Node, TransformError> {
    let Some(opts) = options.filter(|o| !o.delimiter.is_empty()) else {
        return Ok(node.clone());
    };
    let Node::Scalar(s) = node else {
        return Err(err("delimiter option can only be used with scalar nodes"));
    };
    let parts: Vec<&str> = s.text.split(opts.delimiter.as_str()).collect();
    let part = usize::try_from(opts.index).ok().and_then(|i| parts.get(i));
    let Some(part) = part else {
        return Err(err(format!(
            "options.index {} is out of bounds for value {}",
            opts.index, s.text
        )));
    };
    Ok(Node::Scalar(Scalar {
        text: (*part).to_owned(),
        ..s.clone()
    }))
}

/// A compiled `select`/`reject` selector (anchored regexes; empty fields match anything).
struct SelectorRegex<'a> {
    selector: &'a Selector,
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

impl<'a> SelectorRegex<'a> {
    fn new(selector: &'a Selector) -> Result<SelectorRegex<'a>, TransformError> {
        let anchored = |p: &str| -> Result<Option<Regex>, TransformError> {
            if p.is_empty() {
                return Ok(None);
            }
            Regex::new(&format!("^(?:{p})$"))
                .map(Some)
                .map_err(|e| err(format!("error creating target selector: {e}")))
        };
        Ok(SelectorRegex {
            selector,
            group: anchored(&selector.group)?,
            version: anchored(&selector.version)?,
            kind: anchored(&selector.kind)?,
            name: anchored(&selector.name)?,
            namespace: anchored(&selector.namespace)?,
            labels: parse_selector(&selector.label_selector).map_err(err)?,
            annotations: parse_selector(&selector.annotation_selector).map_err(err)?,
        })
    }

    fn has_id_fields(&self) -> bool {
        let s = self.selector;
        !(s.group.is_empty()
            && s.version.is_empty()
            && s.kind.is_empty()
            && s.name.is_empty()
            && s.namespace.is_empty())
    }

    fn has_meta_selectors(&self) -> bool {
        !self.selector.label_selector.is_empty() || !self.selector.annotation_selector.is_empty()
    }

    fn selects(&self, id: &ResId) -> bool {
        let ok = |re: &Option<Regex>, text: &str| re.as_ref().is_none_or(|r| r.is_match(text));
        ok(&self.group, &id.gvk.group)
            && ok(&self.version, &id.gvk.version)
            && ok(&self.kind, &id.gvk.kind)
            && ok(&self.name, &id.name)
            && ok(&self.namespace, &id.namespace)
    }

    fn matches_meta(&self, res: &Resource) -> bool {
        satisfies(&self.labels, res.labels()) && satisfies(&self.annotations, res.annotations())
    }
}

fn apply_target(resources: &mut ResMap, value: &Node, target: &TargetSelector) -> Result<(), TransformError> {
    let Some(select) = &target.select else {
        return Err(err("target must specify resources to select"));
    };
    let select = SelectorRegex::new(select)?;
    let rejects = target
        .reject
        .iter()
        .map(SelectorRegex::new)
        .collect::<Result<Vec<_>, _>>()?;
    let default_paths = [DEFAULT_PATH.to_owned()];
    let paths: &[String] = if target.field_paths.is_empty() {
        &default_paths
    } else {
        &target.field_paths
    };
    for res in resources.iter_mut() {
        if !select.matches_meta(res) {
            continue;
        }
        if rejects
            .iter()
            .any(|r| r.has_meta_selectors() && r.matches_meta(res))
        {
            continue;
        }
        let ids = res.all_ids();
        if rejects
            .iter()
            .any(|r| r.has_id_fields() && ids.iter().any(|id| r.selects(id)))
        {
            continue;
        }
        if ids.iter().any(|id| select.selects(id)) {
            copy_to_target(res, value, paths, target.options.as_ref())?;
        }
    }
    resources.reindex();
    Ok(())
}

fn copy_to_target(
    res: &mut Resource,
    value: &Node,
    paths: &[String],
    options: Option<&FieldOptions>,
) -> Result<(), TransformError> {
    let create = options.is_some_and(|o| o.create).then(|| CreateKind::of(value));
    for fp in paths {
        let parts = kpath::smarter_split(fp, '.');
        let not_found = || {
            if create.is_some() {
                format!("unable to find or create field \"{fp}\" in replacement target")
            } else {
                format!("unable to find field \"{fp}\" in replacement target")
            }
        };
        let mut set = |node: &mut Node| set_field_value(options, node, value);
        let count = kpath::visit_matches(res.node_mut(), &parts, create, &mut set)
            .map_err(|e| err(format!("{}: {e}", not_found())))?;
        if count == 0 {
            return Err(err(not_found()));
        }
    }
    Ok(())
}

/// kustomize `setFieldValue`: a scalar target keeps its type and style and
/// takes the text; anything else is replaced by a copy of the value.
fn set_field_value(options: Option<&FieldOptions>, target: &mut Node, value: &Node) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(opts) = options.filter(|o| !o.delimiter.is_empty()) {
        let Node::Scalar(t) = &*target else {
            return Err("delimiter option can only be used with scalar nodes".into());
        };
        let mut parts: Vec<String> = t.text.split(opts.delimiter.as_str()).map(str::to_owned).collect();
        let v = match &value {
            Node::Scalar(s) => s.text.clone(),
            _ => String::new(),
        };
        match usize::try_from(opts.index) {
            Err(_) => parts.insert(0, v),
            Ok(i) if i >= parts.len() => parts.push(v),
            Ok(i) => {
                if let Some(slot) = parts.get_mut(i) {
                    *slot = v;
                }
            }
        }
        let joined = parts.join(&opts.delimiter);
        match &mut value {
            Node::Scalar(s) => s.text = joined,
            other => *other = Node::string(joined),
        }
    }
    match (target, value) {
        (Node::Scalar(t), Node::Scalar(v)) => replace_text(t, v.text),
        // kustomize copies only the (empty) scalar value of a map or list into a scalar.
        (Node::Scalar(t), _) => replace_text(t, String::new()),
        (t, v) => *t = v,
    }
    Ok(())
}

/// Replaces a scalar's text keeping what it was: a string stays a string.
fn replace_text(target: &mut Scalar, text: String) {
    let was_string = matches!(target.resolve(), Value::String(_));
    target.text = text;
    if was_string && target.style == ScalarStyle::Plain && !matches!(target.resolve(), Value::String(_)) {
        target.style = ScalarStyle::DoubleQuoted;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::testutil::{objects, resmap};

    fn replacement(yaml: &str) -> Vec<Replacement> {
        let doc = crate::yaml::parse_documents(yaml).unwrap().remove(0);
        serde_json::from_value(crate::yaml::to_json(&doc)).unwrap()
    }

    const INPUT: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, labels: {tier: a}}
data: {image: 'nginx:1.2', list: 'a,b,c'}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {visitedby: x}}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - {name: app, image: old}
      - {name: sidecar, image: old}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other}
";

    fn run(yaml: &str) -> Result<String, TransformError> {
        let mut map = resmap(INPUT);
        apply(&mut map, &replacement(yaml))?;
        Ok(objects(&map))
    }

    #[test]
    fn copies_values_into_selected_targets() {
        let got = run("
- source: {kind: ConfigMap, name: cm1, fieldPath: data.image}
  targets:
  - select: {kind: Deploy.*}
    reject: [{name: other}]
    fieldPaths:
    - spec.template.spec.containers.[name=app].image
")
        .unwrap();
        assert!(got.contains("containers[0].image=nginx:1.2 "), "{got}");
        assert!(got.contains("containers[1].image=old"), "{got}");
        assert!(got.ends_with("metadata.name=other\n"), "{got}");
    }

    #[test]
    fn delimiter_index_and_create() {
        let got = run("
- source: {kind: ConfigMap, name: cm1, fieldPath: data.list, options: {delimiter: ',', index: 1}}
  targets:
  - select: {name: web}
    fieldPaths: [metadata.annotations.visitedby, metadata.annotations.fresh]
    options: {delimiter: ',', index: -1, create: true}
")
        .unwrap();
        assert!(
            got.contains("metadata.annotations.visitedby=b,x metadata.annotations.fresh=b,"),
            "{got}"
        );
    }

    #[test]
    fn scalar_targets_keep_their_type() {
        let mut map = resmap(INPUT);
        apply(
            &mut map,
            &replacement(
                "
- sourceValue: '3'
  targets: [{select: {name: web}, fieldPaths: [spec.replicas]}]
- sourceValue: 'true'
  targets: [{select: {name: web}, fieldPaths: [spec.template.spec.containers.0.name]}]
",
            ),
        )
        .unwrap();
        let dep = map.get(1).unwrap().node();
        let replicas = dep.get_path(&["spec", "replicas"]).unwrap().as_scalar().unwrap();
        assert_eq!(replicas.resolve(), Value::Int(3));
        let containers = dep.get_path(&["spec", "template", "spec", "containers"]).unwrap();
        let name = containers.as_seq().unwrap()[0].get_path(&["name"]).unwrap();
        assert_eq!(name.as_str(), Some("true"), "a string target stays a string");
    }

    #[test]
    fn errors_name_the_problem() {
        let cases = [
            ("- targets: [{select: {kind: X}}]", "must specify a source"),
            (
                "- source: {kind: Deployment}\n  targets: [{select: {kind: X}}]",
                "multiple matches for selector",
            ),
            (
                "- source: {kind: Nope}\n  targets: [{select: {kind: X}}]",
                "nothing selected by",
            ),
            (
                "- source: {name: cm1, fieldPath: data.nope}\n  targets: [{select: {kind: X}}]",
                "is missing for replacement source",
            ),
            (
                "- source: {name: cm1}\n  targets: [{fieldPaths: [a]}]",
                "target must specify resources to select",
            ),
            (
                "- source: {name: cm1}\n  targets: [{select: {name: web}, fieldPaths: [spec.nope]}]",
                "unable to find field \"spec.nope\"",
            ),
            (
                "- source: {name: cm1, fieldPath: data.list, options: {delimiter: ',', index: 5}}\n  targets: [{select: {name: web}}]",
                "out of bounds",
            ),
        ];
        for (yaml, want) in cases {
            let e = run(yaml).unwrap_err().to_string();
            assert!(e.contains(want), "{yaml}: {e}");
        }
    }

    #[test]
    fn label_and_annotation_selectors_narrow_targets() {
        let got = run("
- source: {kind: ConfigMap, name: cm1, fieldPath: data.image}
  targets:
  - select: {labelSelector: 'tier in (a,b)'}
    fieldPaths: [data.copy]
    options: {create: true}
  - select: {kind: Deployment}
    reject: [{annotationSelector: visitedby=x}]
    fieldPaths: [metadata.annotations.img]
    options: {create: true}
")
        .unwrap();
        assert!(got.contains("data.copy=nginx:1.2"), "{got}");
        assert!(
            !got.contains("name=web metadata.annotations.visitedby=x metadata.annotations.img"),
            "{got}"
        );
        assert!(
            got.contains("metadata.name=other metadata.annotations.img=nginx:1.2"),
            "{got}"
        );
    }
}
