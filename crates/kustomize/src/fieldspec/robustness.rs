//! Robustness: every field-spec transformer over pseudo-random objects (wrong
//! shapes where maps are expected, nulls, sequences of scalars, odd names)
//! returns `Ok` or an error, never panics. Deterministic (fixed seeds).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use crate::fieldspec::TransformerConfig;
use crate::kustomization::{
    FieldOptions, FieldSelector, Image, Label, Replacement, Replica, Selector, SourceSelector,
    TargetSelector, Var, VarTarget,
};
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::transform::{
    annotations, images, labels, name_reference, namespace, prefix_suffix, replacements, replicas, vars,
};
use crate::yaml::{Mapping, Node};

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const KEYS: &[&str] = &[
    "spec",
    "template",
    "metadata",
    "labels",
    "annotations",
    "containers",
    "initContainers",
    "image",
    "name",
    "selector",
    "matchLabels",
    "volumes",
    "configMap",
    "secret",
    "env",
    "valueFrom",
    "configMapKeyRef",
    "subjects",
    "roleRef",
    "namespace",
    "replicas",
    "jobTemplate",
    "rules",
    "resourceNames",
    "tls",
    "secretName",
    "serviceAccountName",
    "value",
    "command",
    "args",
];
const VALUES: &[&str] = &[
    "a",
    "cm",
    "$(V)",
    "nginx:1",
    "",
    "null",
    "8080",
    "x@sha256:1",
    "$(",
    "$$",
];

fn node(rng: &mut Rng, depth: u32) -> Node {
    match (rng.next() % 6, depth) {
        (_, 0) | (0 | 1, _) => {
            if rng.next().is_multiple_of(7) {
                Node::null()
            } else {
                Node::string(rng.pick(VALUES))
            }
        }
        (2, _) => Node::Seq((0..rng.next() % 3).map(|_| node(rng, depth - 1)).collect()),
        _ => {
            let mut m = Mapping::default();
            for _ in 0..(1 + rng.next() % 4) {
                m.insert(rng.pick(KEYS), node(rng, depth - 1));
            }
            Node::Map(m)
        }
    }
}

fn object(rng: &mut Rng, i: usize) -> Resource {
    let kinds = [
        ("apps/v1", "Deployment"),
        ("v1", "Pod"),
        ("v1", "ConfigMap"),
        ("v1", "Service"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("batch/v1", "CronJob"),
        ("v1", "Namespace"),
        ("networking.k8s.io/v1", "Ingress"),
    ];
    let (api, kind) = kinds[(rng.next() % kinds.len() as u64) as usize];
    let mut top = match node(rng, 5) {
        Node::Map(m) => m,
        _ => Mapping::default(),
    };
    top.insert("apiVersion", Node::string(api));
    top.insert("kind", Node::string(kind));
    let mut meta = match top.get("metadata") {
        Some(Node::Map(m)) => m.clone(),
        _ => Mapping::default(),
    };
    meta.insert("name", Node::string(format!("{}{i}", rng.pick(VALUES))));
    top.insert("metadata", Node::Map(meta));
    Resource::new(Node::Map(top))
}

fn selector(kind: &str) -> Selector {
    Selector {
        kind: kind.into(),
        ..Selector::default()
    }
}

#[test]
fn transformers_never_panic_on_odd_objects() {
    let tc = TransformerConfig::builtin();
    for seed in 1..200u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut resources = ResMap::new();
        for i in 0..6 {
            // Duplicate ids are rejected by the map; skip those objects.
            let _ = resources.append(object(&mut rng, i));
        }
        let pairs = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
        let _ = namespace::apply(
            &mut resources,
            &namespace::Config::from_kustomization("ns"),
            &tc.namespace,
        );
        let _ = prefix_suffix::apply_prefix(&mut resources, "p-", &tc.name_prefix);
        let _ = prefix_suffix::apply_suffix(&mut resources, "-s", &tc.name_suffix);
        let label = Label {
            pairs: pairs.clone(),
            include_templates: true,
            ..Label::default()
        };
        let _ = labels::apply(&mut resources, &[label], &pairs, tc);
        let _ = annotations::apply(&mut resources, &pairs, &tc.common_annotations);
        let image = Image {
            name: "nginx".into(),
            new_tag: "2".into(),
            ..Image::default()
        };
        let _ = images::apply(&mut resources, &[image], &tc.images);
        let replica = Replica {
            name: "a0".into(),
            count: 2,
        };
        let _ = replicas::apply(&mut resources, &[replica], &tc.replicas);
        let replacement = Replacement {
            source: Some(SourceSelector {
                kind: "ConfigMap".into(),
                field_path: "metadata.name".into(),
                ..SourceSelector::default()
            }),
            targets: vec![TargetSelector {
                select: Some(selector("Deployment")),
                field_paths: vec![
                    "spec.template.spec.containers.*.env.[name=a].value".into(),
                    "spec.0".into(),
                ],
                options: Some(FieldOptions {
                    delimiter: ":".into(),
                    index: -1,
                    create: rng.next().is_multiple_of(2),
                    ..FieldOptions::default()
                }),
                ..TargetSelector::default()
            }],
            source_value: None,
        };
        let _ = replacements::apply(&mut resources, &[replacement]);
        let _ = name_reference::apply(&mut resources, &tc.name_reference);
        if let Some(first) = resources.get_mut(0) {
            first.ref_var_names.push("V".into());
        }
        let var = Var {
            name: "V".into(),
            objref: VarTarget::default(),
            fieldref: FieldSelector {
                field_path: "spec.replicas".into(),
            },
        };
        let _ = vars::apply(&mut resources, &[var], &tc.var_reference);
    }
}
