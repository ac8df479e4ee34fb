//! The types read real manifests: the bench config repo's ApplicationSet and AppProjects (Argo CD
//! shapes, group renamed) and an Application using every spec field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use driftless_api::application::SyncStatusCode;
use driftless_api::appset::ApplicationsSyncPolicy;
use driftless_api::project::SyncWindowKind;
use driftless_api::sync_options::PropagationPolicy;
use driftless_api::validate::check_spec;
use driftless_api::{AppProject, Application, ApplicationSet};

fn testdata(name: &str) -> String {
    std::fs::read_to_string(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn application_with_every_field() {
    let app: Application = serde_saphyr::from_str(&testdata("application-blog-prod.yaml")).unwrap();
    assert_eq!(app.spec.project, "prod");
    assert_eq!(app.spec.source.path, "apps/blog/overlays/prod");
    let operation = app.operation.as_ref().unwrap();
    assert_eq!(operation.sync.as_ref().unwrap().prune, Some(true));
    assert_eq!(
        operation.initiated_by.as_ref().unwrap().username.as_deref(),
        Some("alice")
    );
    assert_eq!(app.spec.ignore_differences.len(), 2);
    assert_eq!(
        app.spec.ignore_differences[1].managed_fields_managers,
        ["kube-controller-manager"]
    );

    let checked = check_spec(&app.spec).unwrap();
    assert!(checked.sync_options.create_namespace && checked.sync_options.prune_last);
    assert_eq!(
        checked.sync_options.prune_propagation_policy,
        PropagationPolicy::Background
    );
    let retry = checked.retry.unwrap();
    assert_eq!(
        (retry.limit, retry.max_duration),
        (Some(5), Duration::from_secs(180))
    );

    // The wire form keeps apiVersion/kind and the top-level operation.
    let json = serde_json::to_value(&app).unwrap();
    assert_eq!(json["apiVersion"], "driftless.dev/v1alpha1");
    assert_eq!(json["kind"], "Application");
    assert_eq!(json["operation"]["sync"]["prune"], true);
    assert!(json.get("status").is_none());
    let back: Application = serde_json::from_value(json).unwrap();
    assert_eq!(back.spec, app.spec);
    assert_eq!(back.operation, app.operation);
}

#[test]
fn defaults_fill_omitted_fields() {
    let app: Application = serde_json::from_value(serde_json::json!({
        "apiVersion": "driftless.dev/v1alpha1", "kind": "Application", "metadata": {"name": "a"},
        "spec": {"source": {"repoURL": "https://git.example/r"}, "destination": {"server": "https://kubernetes.default.svc"}},
        "status": {"sync": {"status": "OutOfSync"}}
    }))
    .unwrap();
    assert_eq!(app.spec.project, "default");
    assert_eq!(app.spec.source.target_revision, "HEAD");
    assert!(app.spec.sync_policy.is_none());
    assert_eq!(app.status.unwrap().sync.status, SyncStatusCode::OutOfSync);
}

#[test]
fn bench_application_set() {
    let set: ApplicationSet = serde_saphyr::from_str(&testdata("appset-prod-apps.yaml")).unwrap();
    let git = set.spec.generators[0].git.as_ref().unwrap();
    assert_eq!(git.directories[0].path, "apps/*/overlays/prod");
    assert_eq!(set.spec.template.metadata.name, "{{path[1]}}-prod");
    assert!(!set.spec.go_template);
    let policy = set.spec.sync_policy.clone().unwrap_or_default();
    assert!(policy.applications_sync.unwrap_or_default().allows_delete());
    assert!(!ApplicationsSyncPolicy::CreateOnly.allows_update());
    // The template spec passes the same checks a generated Application will.
    check_spec(&set.spec.template.spec).unwrap();
}

#[test]
fn bench_projects() {
    let projects: Vec<AppProject> = serde_saphyr::from_multiple(&testdata("projects-prod.yaml")).unwrap();
    assert_eq!(projects.len(), 2);
    let prod = &projects[0];
    assert_eq!(prod.spec.source_repos, ["https://github.com/my-org/infra-config"]);
    assert_eq!(prod.spec.destinations[0].namespace.as_deref(), Some("*"));
    assert_eq!(prod.spec.cluster_resource_whitelist[0].kind, "Namespace");
    let window = &prod.spec.sync_windows[0];
    assert_eq!(window.kind, SyncWindowKind::Deny);
    assert_eq!(
        (window.schedule.as_str(), window.duration.as_str()),
        ("0 12 * * 5", "12h")
    );
    assert_eq!(window.time_zone.as_deref(), Some("America/New_York"));
    assert!(window.manual_sync);
}

#[test]
fn nested_matrix_generators_are_readable() {
    let set: ApplicationSet = serde_json::from_value(serde_json::json!({
        "apiVersion": "driftless.dev/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "m"},
        "spec": {
            "generators": [{"matrix": {"generators": [
                {"list": {"elements": [{"cluster": "prod"}]}},
                {"matrix": {"generators": [
                    {"git": {"repoURL": "https://git.example/r", "directories": [{"path": "apps/*"}]}},
                    {"list": {"elements": [{"tier": "web"}]}}
                ]}}
            ]}}],
            "template": {"metadata": {"name": "{{.cluster}}"}, "spec": {
                "source": {"repoURL": "https://git.example/r"}, "destination": {"name": "in-cluster"}}},
            "goTemplate": true,
            "goTemplateOptions": ["missingkey=error"]
        }
    }))
    .unwrap();
    let matrix = set.spec.generators[0].matrix.as_ref().unwrap();
    let inner = matrix.generators[1].nested_matrix().unwrap().unwrap();
    assert_eq!(inner.generators.len(), 2);
    assert_eq!(
        inner.generators[0].git.as_ref().unwrap().directories[0].path,
        "apps/*"
    );
    assert_eq!(set.spec.go_template_options, ["missingkey=error"]);
}
