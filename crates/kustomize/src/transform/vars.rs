//! Legacy `vars:` (kustomize `ResolveVars` + `filters/refvar`), run once at
//! the end of the build after name references: each var's value is read from
//! the object that declared it (`fieldref.fieldPath`, default `metadata.name`)
//! and `$(NAME)` is replaced in the fields of the `varReference` table.
//! Unknown `$(X)` stays as written; `$$` is an escaped `$`.

use std::collections::HashMap;

use crate::fieldspec;
use crate::fieldspec::kpath;
use crate::fieldspec::path::{Create, WalkError};
use crate::fieldspec::{FieldSpec, TransformError};
use crate::kustomization::Var;
use crate::resmap::ResMap;
use crate::yaml::{Node, Scalar, ScalarStyle, Value};

const NAME: &str = "vars";

/// A var's value: kustomize substitutes typed scalars only.
#[derive(Debug, Clone, PartialEq)]
enum VarValue {
    /// A scalar, with its resolved type.
    Scalar(Value),
    /// A map or list: never substituted.
    Structured,
}

/// Resolves `vars` and substitutes them; returns the names that were never used.
/// `specs` is the `varReference` table.
pub fn apply(
    resources: &mut ResMap,
    vars: &[Var],
    specs: &[FieldSpec],
) -> Result<Vec<String>, TransformError> {
    if vars.is_empty() {
        return Ok(Vec::new());
    }
    let values = resolve(resources, vars)?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for res in resources.iter_mut() {
        let mut set = |node: &mut Node| substitute_node(node, &values, &mut counts);
        fieldspec::apply_specs(res, specs, Create::Nothing, NAME, &mut set)?;
    }
    Ok(vars
        .iter()
        .filter(|v| !counts.contains_key(v.name.as_str()))
        .map(|v| v.name.clone())
        .collect())
}

/// Reads every var's value from the object that declared it.
fn resolve<'v>(resources: &ResMap, vars: &'v [Var]) -> Result<HashMap<&'v str, VarValue>, TransformError> {
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, res) in resources.iter().enumerate() {
        for name in &res.ref_var_names {
            owner.entry(name.as_str()).or_insert(i);
        }
    }
    let mut values = HashMap::with_capacity(vars.len());
    for var in vars {
        let Some(res) = owner.get(var.name.as_str()).and_then(|&i| resources.get(i)) else {
            return Err(TransformError::Resolve {
                transformer: NAME,
                message: format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    var.name
                ),
            });
        };
        let field_path = if var.fieldref.field_path.is_empty() {
            "metadata.name"
        } else {
            var.fieldref.field_path.as_str()
        };
        let parts = slice_indexes(kpath::smarter_split(field_path, '.'));
        let not_found = || TransformError::Resolve {
            transformer: NAME,
            message: format!(
                "field specified in var '{}' ({field_path}) not found in corresponding resource",
                var.name
            ),
        };
        let node = kpath::lookup(res.node(), &parts)
            .map_err(|_| not_found())?
            .ok_or_else(not_found)?;
        let value = match node {
            Node::Scalar(s) => VarValue::Scalar(s.resolve()),
            _ => VarValue::Structured,
        };
        values.insert(var.name.as_str(), value);
    }
    Ok(values)
}

/// kyaml `convertSliceIndex`: `ports[0]` → `ports`, `0`.
fn slice_indexes(parts: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let split = part.strip_suffix(']').and_then(|p| p.rsplit_once('['));
        match split {
            Some((field, idx)) if !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()) => {
                if !field.is_empty() {
                    out.push(field.to_owned());
                }
                out.push(idx.to_owned());
            }
            _ => out.push(part),
        }
    }
    out
}

fn substitute_node<'v>(
    node: &mut Node,
    values: &HashMap<&'v str, VarValue>,
    counts: &mut HashMap<&'v str, usize>,
) -> Result<(), WalkError> {
    match node {
        n if n.is_null() => Ok(()),
        Node::Scalar(_) => {
            substitute_scalar(node, values, counts);
            Ok(())
        }
        Node::Map(map) => {
            for (_, value) in map.iter_mut() {
                substitute_scalar(value, values, counts);
            }
            Ok(())
        }
        Node::Seq(items) => {
            for item in items.iter_mut() {
                if item.as_str().is_none() {
                    return Err(WalkError::Set("invalid value type expect a string".into()));
                }
                substitute_scalar(item, values, counts);
            }
            Ok(())
        }
    }
}

/// Substitutes in one string scalar (others are left alone, as kustomize does).
fn substitute_scalar<'v>(
    node: &mut Node,
    values: &HashMap<&'v str, VarValue>,
    counts: &mut HashMap<&'v str, usize>,
) {
    let Some(text) = node.as_str() else { return };
    if !text.contains('$') {
        return;
    }
    let mut lookup = |name: &str| -> Option<Value> {
        let (key, value) = values.get_key_value(name)?;
        match value {
            VarValue::Scalar(v) => {
                *counts.entry(*key).or_insert(0) += 1;
                Some(v.clone())
            }
            VarValue::Structured => None,
        }
    };
    *node = match expand(text, &mut lookup) {
        Expanded::Whole(value) => typed(value),
        Expanded::Text(t) => Node::string(t),
    };
}

/// The result of expanding one string.
#[derive(Debug, Clone, PartialEq)]
enum Expanded {
    /// The string was exactly `$(VAR)`: the var's typed value.
    Whole(Value),
    /// Anything else: the expanded text.
    Text(String),
}

/// kustomize `DoReplacements`: `$(NAME)` → value, `$$` → `$`, other text kept.
fn expand(input: &str, lookup: &mut dyn FnMut(&str) -> Option<Value>) -> Expanded {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match lookup(name) {
                            Some(value) if input.len() == name.len() + 3 => return Expanded::Whole(value),
                            Some(value) => out.push_str(&display(&value)),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        close + 1
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$x`: kept as written, both characters consumed.
                    let ch_len = rest.chars().next().map_or(1, char::len_utf8);
                    out.push('$');
                    out.push_str(&rest[..ch_len]);
                    ch_len
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < input.len() {
        out.push_str(&input[checkpoint..]);
    }
    Expanded::Text(out)
}

/// Go's `%v` of a var value.
fn display(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.clone(),
    }
}

/// A node holding a typed value (a whole-string substitution keeps the type).
fn typed(value: Value) -> Node {
    let plain = |text: String| {
        Node::Scalar(Scalar {
            text,
            style: ScalarStyle::Plain,
            tag: None,
        })
    };
    match value {
        Value::String(s) => Node::string(s),
        Value::Null => Node::null(),
        other => plain(display(&other)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};
    use crate::kustomization::{FieldSelector, VarTarget};

    fn var(name: &str, kind: &str, obj: &str, field: &str) -> Var {
        Var {
            name: name.into(),
            objref: VarTarget {
                kind: kind.into(),
                name: obj.into(),
                ..VarTarget::default()
            },
            fieldref: FieldSelector {
                field_path: field.into(),
            },
        }
    }

    #[test]
    fn expands_like_kustomize() {
        let mut lookup = |name: &str| match name {
            "A" => Some(Value::String("x".into())),
            "N" => Some(Value::Int(8080)),
            _ => None,
        };
        let cases = [
            ("$(A)", Expanded::Text("x".into())),
            ("$(N)", Expanded::Whole(Value::Int(8080))),
            ("p-$(N)-$(A)", Expanded::Text("p-8080-x".into())),
            ("$(B) $$(A) $x $(", Expanded::Text("$(B) $(A) $x $(".into())),
            ("cost $", Expanded::Text("cost $".into())),
        ];
        for (input, want) in cases {
            let got = expand(input, &mut lookup);
            let want = match want {
                Expanded::Text(t) if input == "$(A)" => Expanded::Whole(Value::String(t)),
                other => other,
            };
            assert_eq!(got, want, "{input}");
        }
    }

    #[test]
    fn substitutes_in_var_reference_fields() {
        let input = "\
apiVersion: v1
kind: Service
metadata: {name: svc-p}
spec: {ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: c
        command: [run, --svc=$(SVC), $(PORT)]
        env: [{name: P, value: $(PORT)}, {name: Q, value: $(UNKNOWN)}]
";
        let mut map = resmap(input);
        map.get_mut(0).unwrap().ref_var_names = vec!["SVC".into(), "PORT".into()];
        let vars = [
            var("SVC", "Service", "svc", ""),
            var("PORT", "Service", "svc", "spec.ports[0].port"),
            var("UNUSED", "Service", "svc", ""),
        ];
        map.get_mut(0).unwrap().ref_var_names.push("UNUSED".into());
        let unused = apply(&mut map, &vars, &TransformerConfig::builtin().var_reference).unwrap();
        assert_eq!(unused, ["UNUSED"]);
        let got = objects(&map);
        for part in [
            "command[1]=--svc=svc-p ",
            "command[2]=80 ",
            "env[0].value=80 ",
            "env[1].value=$(UNKNOWN)",
        ] {
            assert!(got.contains(part), "{part} in {got}");
        }
        let dep = map.get(1).unwrap();
        let port = dep
            .node()
            .get_path(&["spec", "template", "spec", "containers"])
            .unwrap();
        let env = &port.as_seq().unwrap()[0]
            .get_path(&["env"])
            .unwrap()
            .as_seq()
            .unwrap()[0];
        assert_eq!(
            env.get_path(&["value"]).unwrap().as_scalar().unwrap().resolve(),
            Value::Int(80)
        );
    }

    #[test]
    fn missing_owner_or_field_is_an_error() {
        let mut map = resmap("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
        let err = apply(&mut map, &[var("X", "Service", "s", "")], &[]).unwrap_err();
        assert!(err.to_string().contains("cannot be mapped to a field"), "{err}");
        map.get_mut(0).unwrap().ref_var_names = vec!["X".into()];
        let err = apply(&mut map, &[var("X", "Service", "s", "spec.nope")], &[]).unwrap_err();
        assert!(
            err.to_string().contains("not found in corresponding resource"),
            "{err}"
        );
    }
}
