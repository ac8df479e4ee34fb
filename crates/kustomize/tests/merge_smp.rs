//! Strategic merge: table tests of each directive and list kind, with the
//! expected results taken from `kubectl kustomize` (Kustomize v5.5), and a
//! differential test that re-checks every case against kubectl when present.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "merge/support.rs"]
mod support;

use driftless_kustomize::merge::{MergeError, Outcome, merge_patch, strategic_merge};
use driftless_kustomize::openapi::{ExtraSchemas, Schemas};
use support::{have_kubectl, kubectl_patch, to_json, to_node, yaml};

/// What a case expects.
enum Want {
    /// The merged object.
    Object(&'static str),
    /// The patch deletes the object.
    Deleted,
    /// An error whose reason is this.
    Error(&'static str),
}

struct Case {
    name: &'static str,
    target: &'static str,
    patch: &'static str,
    want: Want,
}

const DEPLOYMENT: &str = "
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  finalizers: [b, a]
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: a
        image: a:1
        args: [x, y]
        ports:
        - containerPort: 80
        - containerPort: 53
          protocol: UDP
      - name: b
        image: b:1
      - name: c
        image: c:1
      volumes:
      - name: v1
        emptyDir: {}
";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "containers merge by name; patch elements come first, in patch order",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: c
        image: c:2
      - name: new
        image: n:1
      - name: a
        args: [z]
",
            want: Want::Object(
                "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [b, a]}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - {name: c, image: c:2}
      - {name: new, image: n:1}
      - name: a
        image: a:1
        args: [z]
        ports:
        - containerPort: 80
        - {containerPort: 53, protocol: UDP}
      - {name: b, image: b:1}
      volumes:
      - {name: v1, emptyDir: {}}
",
            ),
        },
        Case {
            name: "primitive list with merge strategy (finalizers) unions, patch values first",
            target: DEPLOYMENT,
            patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, finalizers: [a, c]}}",
            want: Want::Object("{finalizers: [a, c, b]}"),
        },
        Case {
            name: "list-map-keys (containerPort, protocol): matched target elements move last",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: a
        ports:
        - containerPort: 443
        - {containerPort: 80, name: http}
",
            want: Want::Object(
                "{ports: [{containerPort: 443}, {containerPort: 80, name: http}, {containerPort: 53, protocol: UDP}]}",
            ),
        },
        Case {
            name: "null deletes; nulls inside new maps vanish; spelled-out nulls in the target stay",
            target: "
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  keep: null
  drop: 1
  gone:
  nested: {a: 1, b: 2}
",
            patch: "
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  drop: null
  nested: {a: null}
  added: {x: null, y: 1}
  missing: null
",
            want: Want::Object(
                "
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  keep: null
  nested: {b: 2}
  added: {y: 1}
",
            ),
        },
        Case {
            name: "$patch: delete removes one container; $patch: replace on an element keeps the target's",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: b, image: b:2, $patch: replace}
      - {name: c, $patch: delete}
",
            want: Want::Object(
                "{containers: [{name: b, image: b:1},
                  {name: a, image: a:1, args: [x, y], ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]}]}",
            ),
        },
        Case {
            name: "$patch: replace in a list replaces the whole list",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - $patch: replace
      - {name: z, image: z}
",
            want: Want::Object("{containers: [{name: z, image: z}]}"),
        },
        Case {
            name: "$patch: replace and delete on maps",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    $patch: replace
    metadata: {labels: {app: x}}
  replicas: null
",
            want: Want::Object(
                "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, finalizers: [b, a]},
                  spec: {template: {metadata: {labels: {app: x}}}}}",
            ),
        },
        Case {
            name: "$patch: delete at the top deletes the object",
            target: DEPLOYMENT,
            patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, $patch: delete}",
            want: Want::Deleted,
        },
        Case {
            name: "$retainKeys, $setElementOrder and $deleteFromPrimitiveList are copied, not applied",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  $deleteFromPrimitiveList/finalizers: [b]
spec:
  template:
    spec:
      $setElementOrder/containers: [{name: b}]
      volumes:
      - {name: v2, secret: {secretName: s}, $retainKeys: [secret]}
",
            want: Want::Object(
                "{metadata: {$deleteFromPrimitiveList/finalizers: [b], finalizers: [b, a]},
                  spec: {template: {spec: {$setElementOrder/containers: [{name: b}],
                    volumes: [{name: v2, secret: {secretName: s}, $retainKeys: [secret]}, {name: v1, emptyDir: {}}]}}}}",
            ),
        },
        Case {
            name: "non-associative lists (args, CRD lists) are replaced",
            target: "
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  items: [{name: x, v: 1}, {name: y, v: 2}]
",
            patch: "{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {items: [{name: y, v: 3}]}}",
            want: Want::Object("{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {items: [{name: y, v: 3}]}}"),
        },
        Case {
            name: "a patch element without the merge key wipes the keyed elements",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{image: noname}]}}}
",
            want: Want::Object("{containers: []}"),
        },
        Case {
            name: "a target element without the merge key survives alone",
            target: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: a, image: a:1}, {image: x}]}}}
",
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: a, image: a:2}]}}}
",
            want: Want::Object("{containers: [{image: x}]}"),
        },
        Case {
            name: "Service ports merge on (port, protocol)",
            target: "
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
  - {port: 80, targetPort: 8080}
  - {port: 443, protocol: TCP}
",
            patch: "
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
  - {port: 443, protocol: TCP, name: https}
  - {port: 9090}
",
            want: Want::Object("{ports: [{port: 9090}, {port: 80, targetPort: 8080}, {port: 443, protocol: TCP, name: https}]}"),
        },
        Case {
            name: "env merges by name and volumeMounts by mountPath",
            target: "
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
      - name: db
        env: [{name: A, value: '1'}, {name: B, value: '2'}]
        volumeMounts: [{name: data, mountPath: /data}]
",
            patch: "
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers:
      - name: db
        env: [{name: B, value: '3'}, {name: C, value: '4'}]
        volumeMounts: [{name: other, mountPath: /data, readOnly: true}]
",
            want: Want::Object(
                "{containers: [{name: db,
                   env: [{name: B, value: '3'}, {name: C, value: '4'}, {name: A, value: '1'}],
                   volumeMounts: [{name: other, mountPath: /data, readOnly: true}]}]}",
            ),
        },
        Case {
            name: "an object with its own apiVersion/kind inside a CRD is merged with its schema",
            target: "
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  embedded:
    apiVersion: apps/v1
    kind: Deployment
    spec: {template: {spec: {containers: [{name: a, image: a:1}, {name: b, image: b:1}]}}}
",
            patch: "
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  embedded:
    apiVersion: apps/v1
    kind: Deployment
    spec: {template: {spec: {containers: [{name: b, image: b:2}]}}}
",
            want: Want::Object("{containers: [{name: b, image: b:2}, {name: a, image: a:1}]}"),
        },
        Case {
            name: "a list only the patch has is merged with itself: delete directives and duplicates go",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: b
        env: [{name: A, $patch: delete}, {name: B, value: '1'}, {name: B, value: '2'}]
",
            want: Want::Object("{name: b, image: b:1, env: [{name: B, value: '2'}]}"),
        },
        Case {
            name: "a Service port without protocol merges with the target's TCP port",
            target: "
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 30900, targetPort: 30900, protocol: TCP}]
",
            patch: "
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {service: web}
  ports: [{port: 30900, targetPort: 30900}]
",
            want: Want::Object("{ports: [{port: 30900, targetPort: 30900, protocol: TCP}]}"),
        },
        Case {
            name: "deleting an env var that does not exist adds nothing",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: a
        env: [{name: NOPE, $patch: delete}]
",
            want: Want::Object("{name: a, image: a:1, args: [x, y], env: [],
                ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]}"),
        },
        Case {
            name: "a volume source swapped with a null beside the new one",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      volumes:
      - {name: v1, emptyDir: null, gcePersistentDisk: {pdName: disk}}
",
            want: Want::Object("{volumes: [{name: v1, gcePersistentDisk: {pdName: disk}}]}"),
        },
        Case {
            name: "$patch: delete on a whole list and $patch: merge on a map",
            target: DEPLOYMENT,
            patch: "
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    $patch: merge
    spec:
      volumes: [{$patch: delete}]
",
            want: Want::Object("{template: {spec: {containers: [{name: a, image: a:1, args: [x, y],
                ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]},
                {name: b, image: b:1}, {name: c, image: c:1}]}}}"),
        },
        Case {
            name: "a list directive on a list the target lacks is copied as it is",
            target: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {containers: [{name: a}]}}}}",
            patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {spec: {volumes: [{$patch: delete}]}}}}",
            want: Want::Object("{containers: [{name: a}], volumes: [{$patch: delete}]}"),
        },
        Case {
            name: "a list patched with a map is an error",
            target: DEPLOYMENT,
            patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, finalizers: {a: 1}}}",
            want: Want::Error("PatchKindMismatch"),
        },
        Case {
            name: "unknown $patch value is an error",
            target: DEPLOYMENT,
            patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: {$patch: squash}}}",
            want: Want::Error("UnknownPatchDirective"),
        },
        Case {
            name: "a map patched with a scalar is an error",
            target: DEPLOYMENT,
            patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {template: 3}}",
            want: Want::Error("PatchKindMismatch"),
        },
    ]
}

/// True when `want` appears in `have`: equal scalars and lists, and maps
/// whose every key in `want` matches (so cases can show only the part that matters).
fn contains(have: &serde_json::Value, want: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (have, want) {
        (J::Object(h), J::Object(w)) => w.iter().all(|(k, v)| h.get(k).is_some_and(|hv| contains(hv, v))),
        _ => have == want,
    }
}

/// Finds `want` at the top or anywhere below (cases give a fragment such as `{containers: …}`).
fn matches(have: &serde_json::Value, want: &serde_json::Value) -> bool {
    if contains(have, want) {
        return true;
    }
    match have {
        serde_json::Value::Object(m) => m.values().any(|v| matches(v, want)),
        serde_json::Value::Array(a) => a.iter().any(|v| matches(v, want)),
        _ => false,
    }
}

fn run(case: &Case) -> Result<Option<serde_json::Value>, MergeError> {
    let mut target = to_node(&yaml(case.target));
    let patch = to_node(&yaml(case.patch));
    match merge_patch(&mut target, &patch, &Schemas::builtin())? {
        Outcome::Merged => Ok(Some(to_json(&target))),
        Outcome::Deleted => Ok(None),
    }
}

#[test]
fn strategic_merge_cases() {
    for case in cases() {
        let got = run(&case);
        match (&case.want, got) {
            (Want::Object(want), Ok(Some(have))) => {
                let want = yaml(want);
                assert!(
                    matches(&have, &want),
                    "{}:\nhave {have:#}\nwant {want:#}",
                    case.name
                );
            }
            (Want::Deleted, Ok(None)) => {}
            (Want::Error(reason), Err(e)) => assert_eq!(e.reason(), *reason, "{}: {e}", case.name),
            (_, other) => panic!("{}: unexpected {other:?}", case.name),
        }
    }
}

#[test]
fn merging_twice_changes_nothing_more() {
    for case in cases() {
        let Want::Object(_) = case.want else { continue };
        let quirky = [
            "without the merge key",
            "$retainKeys",
            "duplicates",
            "whole list",
            "lacks",
        ];
        if quirky.iter().any(|q| case.name.contains(q)) {
            continue; // kustomize's quirks there are not idempotent either
        }
        let patch = to_node(&yaml(case.patch));
        let mut once = to_node(&yaml(case.target));
        strategic_merge(&mut once, &patch).unwrap();
        let mut twice = once.clone();
        strategic_merge(&mut twice, &patch).unwrap();
        assert_eq!(to_json(&once), to_json(&twice), "{}", case.name);
    }
}

#[test]
fn extra_schemas_make_crd_lists_associative() {
    let doc = serde_json::json!({"definitions": {"com.example.v1.Widget": {
        "type": "object",
        "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
        "properties": {"spec": {"type": "object", "properties": {"items": {
            "type": "array", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name",
            "items": {"type": "object"}}}}}}}});
    let schemas = Schemas::with_extra(ExtraSchemas::from_json(&doc, "widget.json").unwrap(), false);
    let case = &cases()[9];
    let mut target = to_node(&yaml(case.target));
    merge_patch(&mut target, &to_node(&yaml(case.patch)), &schemas).unwrap();
    let want = yaml("{items: [{name: y, v: 3}, {name: x, v: 1}]}");
    assert!(matches(&to_json(&target), &want), "{:#}", to_json(&target));
}

/// Every case again, with `kubectl kustomize` as the judge.
#[test]
fn strategic_merge_matches_kubectl() {
    if !have_kubectl() {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let to_yaml = |text: &str| serde_yaml::to_string(&yaml(text)).unwrap();
    let mut compared = 0;
    for case in cases() {
        let reference = kubectl_patch(&to_yaml(case.target), &[&to_yaml(case.patch)]);
        let ours = run(&case);
        match (reference, ours) {
            (Ok(Some(want)), Ok(Some(have))) => assert_eq!(have, want, "{}", case.name),
            (Ok(None), Ok(None)) => {}
            (Err(_), Err(_)) => {}
            (reference, ours) => panic!("{}: kubectl {reference:?}, ours {ours:?}", case.name),
        }
        compared += 1;
    }
    eprintln!("{compared} strategic-merge cases identical to kubectl kustomize");
}

const CUSTOM_SCHEMA: &str = r##"{"definitions": {"v1.Widget": {"type": "object",
  "x-kubernetes-group-version-kind": [{"group": "example.com", "kind": "Widget", "version": "v1"}],
  "properties": {"spec": {"type": "object", "properties": {
    "pod": {"$ref": "#/definitions/io.k8s.api.core.v1.PodSpec"},
    "items": {"type": "array", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "id",
              "items": {"type": "object"}}}}}}}}"##;

const CUSTOM_TARGETS: [(&str, &str); 2] = [
    (
        "{apiVersion: example.com/v1, kind: Widget, metadata: {name: w},
          spec: {pod: {containers: [{name: a, image: a}, {name: b, image: b}]}, items: [{id: x, v: 1}, {id: y, v: 2}]}}",
        "{apiVersion: example.com/v1, kind: Widget, metadata: {name: w},
          spec: {pod: {containers: [{name: b, image: b2}]}, items: [{id: y, v: 3}]}}",
    ),
    (
        "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d},
          spec: {template: {spec: {containers: [{name: a, image: a}, {name: b, image: b}]}}}}",
        "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d},
          spec: {template: {spec: {containers: [{name: b, image: b2}]}}}}",
    ),
];

/// `openapi: path:` replaces the builtin schema: the CRD's list merges by its
/// key, while Deployment containers and `$ref`s to builtin definitions no
/// longer merge (expectations from `kubectl kustomize`).
#[test]
fn custom_openapi_schema_replaces_the_builtin_one() {
    let extra =
        ExtraSchemas::from_json(&serde_json::from_str(CUSTOM_SCHEMA).unwrap(), "schema.json").unwrap();
    let schemas = Schemas::with_extra(extra, true);
    let wants = [
        "{items: [{id: y, v: 3}, {id: x, v: 1}], pod: {containers: [{name: b, image: b2}]}}",
        "{containers: [{name: b, image: b2}]}",
    ];
    for ((target, patch), want) in CUSTOM_TARGETS.iter().zip(wants) {
        let mut node = to_node(&yaml(target));
        merge_patch(&mut node, &to_node(&yaml(patch)), &schemas).unwrap();
        assert!(matches(&to_json(&node), &yaml(want)), "{:#}", to_json(&node));
    }
    assert_eq!(
        schemas.is_namespaced("v1", "Namespace"),
        Some(false),
        "builtin scopes still apply"
    );
}

#[test]
fn custom_openapi_schema_matches_kubectl() {
    if !have_kubectl() {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("schema.json", CUSTOM_SCHEMA);
    let mut k = String::from("openapi:\n  path: schema.json\nresources:\n");
    let extra =
        ExtraSchemas::from_json(&serde_json::from_str(CUSTOM_SCHEMA).unwrap(), "schema.json").unwrap();
    let schemas = Schemas::with_extra(extra, true);
    let mut ours = Vec::new();
    for (i, (target, patch)) in CUSTOM_TARGETS.iter().enumerate() {
        write(&format!("r{i}.json"), &yaml(target).to_string());
        write(&format!("p{i}.json"), &yaml(patch).to_string());
        k.push_str(&format!("- r{i}.json\n"));
        let mut node = to_node(&yaml(target));
        merge_patch(&mut node, &to_node(&yaml(patch)), &schemas).unwrap();
        ours.push(to_json(&node));
    }
    k.push_str("patches:\n- path: p0.json\n- path: p1.json\n");
    write("kustomization.yaml", &k);
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let theirs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    for mine in &ours {
        assert!(theirs.contains(mine), "ours {mine:#}\nkubectl {theirs:#?}");
    }
}
