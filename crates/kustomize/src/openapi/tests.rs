#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn keys(s: SchemaRef<'_>) -> (String, Vec<String>) {
    let (strategy, keys) = s.strategy_and_keys();
    (strategy.to_owned(), keys.iter().map(str::to_owned).collect())
}

#[test]
fn finds_list_merge_keys_like_kyaml() {
    let deploy = schema_for("apps/v1", "Deployment").unwrap();
    let pod = deploy.lookup(&["spec", "template", "spec"]).unwrap();
    let cases: &[(&[&str], &str, &[&str])] = &[
        (&["containers"], "merge", &["name"]),
        (&["volumes"], "merge,retainKeys", &["name"]),
        (
            &["containers", "[]", "ports"],
            "merge",
            &["containerPort", "protocol"],
        ),
        (&["containers", "[]", "env"], "merge", &["name"]),
        (&["containers", "[]", "volumeMounts"], "merge", &["mountPath"]),
        (&["containers", "[]", "args"], "", &[]),
        (
            &["topologySpreadConstraints"],
            "merge",
            &["topologyKey", "whenUnsatisfiable"],
        ),
        (&["tolerations"], "", &[]),
    ];
    for (path, strategy, want) in cases {
        let s = pod
            .lookup(path)
            .unwrap_or_else(|| panic!("no schema at {path:?}"));
        let want: Vec<String> = want.iter().map(|k| (*k).to_owned()).collect();
        assert_eq!(keys(s), ((*strategy).to_owned(), want), "at {path:?}");
    }
    let finalizers = deploy.lookup(&["metadata", "finalizers"]).unwrap();
    assert_eq!(keys(finalizers), ("merge".to_owned(), vec![]));
    let ports = schema_for("v1", "Service")
        .unwrap()
        .lookup(&["spec", "ports"])
        .unwrap();
    assert_eq!(keys(ports).1, ["port", "protocol"]);
    assert_eq!(ports.patch_merge_key(), Some("port"));
}

#[test]
fn maps_fall_back_to_additional_properties() {
    let cm = schema_for("v1", "ConfigMap").unwrap();
    assert_eq!(
        cm.lookup(&["data", "anything"]).unwrap().kind(),
        ValueKind::Primitive
    );
    assert_eq!(
        cm.lookup(&["metadata", "labels", "app"]).unwrap().kind(),
        ValueKind::Primitive
    );
    assert!(cm.field("nonsense").is_none());
    // A $ref field resolves to the target; the extensions beside the $ref are lost, as in kyaml.
    let strategy = schema_for("apps/v1", "Deployment")
        .unwrap()
        .lookup(&["spec", "strategy"])
        .unwrap();
    assert_eq!(strategy.kind(), ValueKind::Object);
    assert_eq!(strategy.patch_strategy(), "");
}

#[test]
fn knows_scope_of_builtin_kinds_only() {
    let cases = [
        ("v1", "Namespace", Some(false)),
        ("v1", "ConfigMap", Some(true)),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", Some(false)),
        ("apps/v1", "Deployment", Some(true)),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", Some(false)),
        ("v1", "PodExecOptions", Some(true)),
        ("example.com/v1", "Widget", None),
        ("apps/v1beta1", "Deployment", None),
    ];
    for (api_version, kind, want) in cases {
        assert_eq!(is_namespaced(api_version, kind), want, "{api_version} {kind}");
    }
    assert!(is_certainly_cluster_scoped("v1", "Namespace"));
    assert!(!is_certainly_cluster_scoped("example.com/v1", "Widget"));
    assert!(schema_for("example.com/v1", "Widget").is_none());
}

#[test]
fn extra_schemas_add_kinds_and_reuse_builtin_definitions() {
    let doc = serde_json::json!({
        "definitions": {
            "com.example.v1.Widget": {
                "type": "object",
                "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
                "properties": {
                    "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
                    "spec": {"$ref": "#/definitions/com.example.v1.WidgetSpec"}
                }
            },
            "com.example.v1.WidgetSpec": {
                "type": "object",
                "properties": {
                    "parts": {
                        "type": "array",
                        "x-kubernetes-patch-strategy": "merge",
                        "x-kubernetes-patch-merge-key": "id",
                        "items": {"type": "object", "properties": {"id": {"type": "string"}}}
                    }
                }
            }
        },
        "paths": {
            "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}": {
                "get": {"x-kubernetes-group-version-kind": {"group": "example.com", "version": "v1", "kind": "Widget"}}
            }
        }
    });
    let extra = ExtraSchemas::from_json(&doc, "widget.json").unwrap();
    let schemas = Schemas::with_extra(extra, false);
    let widget = schemas.schema_for("example.com/v1", "Widget").unwrap();
    assert_eq!(
        keys(widget.lookup(&["spec", "parts"]).unwrap()),
        ("merge".into(), vec!["id".into()])
    );
    assert_eq!(
        keys(widget.lookup(&["metadata", "finalizers"]).unwrap()),
        ("merge".into(), vec![])
    );
    assert_eq!(schemas.is_namespaced("example.com/v1", "Widget"), Some(true));
    assert!(schemas.schema_for("apps/v1", "Deployment").is_some());
    let err = ExtraSchemas::from_json(&serde_json::json!([]), "x.json").unwrap_err();
    assert_eq!(err.reason(), "InvalidOpenAPISchema");
}

#[test]
fn openapi_field_selects_schemas_like_kustomize() {
    assert!(Schemas::from_openapi_field(None, None).unwrap().is_none());
    assert!(
        Schemas::from_openapi_field(Some("v1.21.2"), None)
            .unwrap()
            .is_some()
    );
    let err = Schemas::from_openapi_field(Some("v1.99.0"), None).unwrap_err();
    assert_eq!(err.reason(), "UnknownOpenAPIVersion");
    let extra = || ExtraSchemas::from_json(&serde_json::json!({"definitions": {}}), "s.json").unwrap();
    let err = Schemas::from_openapi_field(Some("v1.21.2"), Some(extra())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "builtin version and custom schema provided, cannot use both"
    );
    let custom = Schemas::from_openapi_field(None, Some(extra())).unwrap().unwrap();
    assert!(custom.schema_for("apps/v1", "Deployment").is_none());
}
