//! ApplicationSets against the local control plane and a loopback git server
//! serving the medium bench repository.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use driftless_api::{AppProject, Application, ApplicationSet};
use driftless_testkit::git_server::Change;
use driftless_testkit::wait_until;
use driftless_tests::{Harness, fake_ingress_controller, synced_and_healthy};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(180);

fn medium_repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/config-repo-medium")
}

/// Services with a prod overlay, as the directory generator should find them.
fn prod_services() -> BTreeSet<String> {
    std::fs::read_dir(medium_repo().join("apps"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|s| medium_repo().join("apps").join(s).join("overlays/prod").is_dir())
        .collect()
}

/// A project that allows everything, named `name`, in the harness namespace.
async fn open_project(harness: &Harness, name: &str) {
    let project: AppProject = serde_json::from_value(json!({
        "apiVersion": "driftless.dev/v1alpha1", "kind": "AppProject",
        "metadata": {"name": name},
        "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
                 "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}
    }))
    .unwrap();
    Api::<AppProject>::namespaced(harness.client.clone(), harness.apps.name())
        .create(&PostParams::default(), &project)
        .await
        .unwrap();
}

/// The blog's ApplicationSet from the bench repo, pointed at the harness repo.
fn blog_appset(harness: &Harness) -> ApplicationSet {
    let mut value = yaml_to_json(&medium_repo().join("clusters/prod-us-east-1/apps.yaml"));
    value["apiVersion"] = json!("driftless.dev/v1alpha1");
    value["metadata"]["namespace"] = json!(harness.apps.name());
    value["spec"]["generators"][0]["git"]["repoURL"] = json!(harness.repo_url());
    value["spec"]["template"]["spec"]["source"]["repoURL"] = json!(harness.repo_url());
    serde_json::from_value(value).unwrap()
}

/// Reads a YAML file as JSON.
fn yaml_to_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn sets(harness: &Harness) -> Api<ApplicationSet> {
    Api::namespaced(harness.client.clone(), harness.apps.name())
}

/// The Applications owned by set `name`.
async fn owned_apps(harness: &Harness, name: &str) -> Vec<Application> {
    let uid = sets(harness).get(name).await.unwrap().uid().unwrap();
    harness
        .applications()
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|a| {
            a.owner_references()
                .iter()
                .any(|o| o.uid == uid && o.controller == Some(true))
        })
        .collect()
}

async fn wait_app_names(
    harness: &Harness,
    set: &str,
    want: &BTreeSet<String>,
    what: &str,
) -> Vec<Application> {
    wait_until(what, WAIT, || async move {
        let apps = owned_apps(harness, set).await;
        let live: BTreeSet<String> = apps
            .iter()
            .filter(|a| a.metadata.deletion_timestamp.is_none())
            .map(|a| a.name_any())
            .collect();
        (&live == want).then_some(apps)
    })
    .await
    .unwrap()
}

fn condition(set: &ApplicationSet, type_: &str) -> Option<(String, String)> {
    set.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.clone(), c.message.clone()))
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(
                files_under(&path)
                    .into_iter()
                    .map(|p| path.strip_prefix(dir).unwrap().join(p)),
            );
        } else {
            out.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    out
}

async fn delete_namespaces(client: &Client, names: impl IntoIterator<Item = String>) {
    let api: Api<Namespace> = Api::all(client.clone());
    for name in names {
        let _ = api.delete(&name, &DeleteParams::background()).await;
    }
}

#[tokio::test]
async fn the_blog_appset_makes_one_app_per_service_and_follows_commits() {
    let harness = Harness::start_with(&medium_repo(), Duration::from_secs(10))
        .await
        .unwrap();
    open_project(&harness, "prod").await;
    let services = prod_services();
    assert!(services.len() >= 20, "{services:?}");
    // The blog's namespaces are fixed names: clear what an earlier run left (tracked by another app).
    let all: Vec<String> = services
        .iter()
        .cloned()
        .chain(["new-service".to_owned()])
        .collect();
    delete_namespaces(&harness.client, all.clone()).await;
    let namespaces: Api<Namespace> = Api::all(harness.client.clone());
    let (namespaces, all) = (&namespaces, &all);
    wait_until("leftover namespaces gone", WAIT, || async move {
        for name in all {
            if namespaces.get_opt(name).await.ok()?.is_some() {
                return None;
            }
        }
        Some(())
    })
    .await
    .unwrap();
    let checked = ["payments-api", "auth", "cart"];
    let ingresses: Vec<_> = checked
        .iter()
        .chain(["new-service"].iter())
        .map(|ns| fake_ingress_controller(harness.client.clone(), (*ns).to_owned()))
        .collect();
    let set = blog_appset(&harness);
    sets(&harness).create(&PostParams::default(), &set).await.unwrap();

    let want: BTreeSet<String> = services.iter().map(|s| format!("{s}-prod")).collect();
    let started = std::time::Instant::now();
    let apps = wait_app_names(&harness, "prod-apps", &want, "one Application per service").await;
    eprintln!("{} Applications generated in {:?}", apps.len(), started.elapsed());
    for app in &apps {
        let service = app.name_any().trim_end_matches("-prod").to_owned();
        assert_eq!(app.spec.destination.namespace.as_deref(), Some(service.as_str()));
        assert_eq!(app.spec.source.path, format!("apps/{service}/overlays/prod"));
        assert_eq!(app.spec.project, "prod");
        assert!(
            app.finalizers()
                .iter()
                .any(|f| f == "driftless.dev/resources-finalizer")
        );
        assert_eq!(
            app.labels().get("cluster").map(String::as_str),
            Some("prod-us-east-1")
        );
    }
    // 30 apps sync at once on a shared machine: allow more than the harness default.
    let api = harness.applications();
    for service in checked {
        let name = format!("{service}-prod");
        let (api, name) = (&api, &name);
        let ready = wait_until("Synced and Healthy", WAIT, || async move {
            let app = api.get(name).await.ok()?;
            synced_and_healthy(&app, None).then_some(())
        })
        .await;
        if ready.is_err() {
            let app = api.get(name).await.unwrap();
            panic!("{name} not Synced and Healthy: {:?}", app.status);
        }
    }
    eprintln!("{checked:?} Synced and Healthy after {:?}", started.elapsed());
    let status = wait_until("set status lists every app", WAIT, || async {
        let set = sets(&harness).get("prod-apps").await.ok()?;
        let up = condition(&set, "ResourcesUpToDate")?.0 == "True";
        let listed = set.status.as_ref()?.resources.len() == want.len();
        (up && listed).then_some(set)
    })
    .await
    .unwrap();
    assert_eq!(condition(&status, "ErrorOccurred").unwrap().0, "False");
    assert_eq!(condition(&status, "ParametersGenerated").unwrap().0, "True");

    // A commit adding a service adds its Application, without touching the set.
    let source = medium_repo().join("apps/auth");
    let added: Vec<PathBuf> = files_under(&source);
    let changes: Vec<Change> = added
        .iter()
        .map(|rel| {
            let text = std::fs::read_to_string(source.join(rel)).unwrap();
            Change::file(&format!("apps/new-service/{}", rel.display()), &text)
        })
        .collect();
    harness
        .git
        .commit(driftless_tests::REPO, "main", "add new-service", &changes)
        .unwrap();
    let mut with_new = want.clone();
    with_new.insert("new-service-prod".into());
    wait_app_names(&harness, "prod-apps", &with_new, "new-service-prod generated").await;
    harness
        .wait_app("new-service-prod", "new-service synced", |a| {
            a.status.as_ref().is_some_and(|s| {
                s.sync.status == driftless_api::application::SyncStatusCode::Synced
                    && s.resources.iter().any(|r| r.kind == "Deployment")
            })
        })
        .await
        .unwrap();
    let deployments: Api<Deployment> = Api::namespaced(harness.client.clone(), "new-service");
    assert!(
        !deployments
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // A commit removing it deletes the Application and, through the finalizer, its objects.
    let removals: Vec<Change> = added
        .iter()
        .map(|rel| Change::Delete(format!("apps/new-service/{}", rel.display())))
        .collect();
    harness
        .git
        .commit(driftless_tests::REPO, "main", "remove new-service", &removals)
        .unwrap();
    let apps_api = harness.applications();
    let apps_api = &apps_api;
    wait_until("new-service-prod deleted", WAIT, || async move {
        apps_api
            .get_opt("new-service-prod")
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await
    .unwrap();
    let deployments = &deployments;
    wait_until("new-service objects pruned", WAIT, || async move {
        deployments
            .list(&Default::default())
            .await
            .ok()?
            .items
            .is_empty()
            .then_some(())
    })
    .await
    .unwrap();
    eprintln!("add/remove round trip done after {:?}", started.elapsed());

    // Deleting the set deletes its Applications (owner references) and their objects.
    sets(&harness)
        .delete("prod-apps", &DeleteParams::foreground())
        .await
        .unwrap();
    wait_until("every generated Application gone", WAIT, || async move {
        let left = apps_api.list(&Default::default()).await.ok()?.items;
        left.is_empty().then_some(())
    })
    .await
    .unwrap();
    for task in ingresses {
        task.abort();
    }
    delete_namespaces(
        &harness.client,
        services.into_iter().chain(["new-service".to_owned()]),
    )
    .await;
}

#[tokio::test]
async fn matrix_go_templates_and_duplicate_names() {
    let harness = Harness::start(&medium_repo()).await.unwrap();
    let ns = harness.apps.name().to_owned();
    let repo = harness.repo_url();
    let template = |name: &str, path: &str| {
        json!({"metadata": {"name": name},
               "spec": {"source": {"repoURL": repo, "targetRevision": "main", "path": path},
                        "destination": {"server": "https://kubernetes.default.svc", "namespace": ns}}})
    };
    let dirs = |pattern: &str| json!({"git": {"repoURL": repo, "revision": "main", "directories": [{"path": pattern}]}});
    let create = |name: &str, spec: serde_json::Value| {
        let set: ApplicationSet = serde_json::from_value(json!({
            "apiVersion": "driftless.dev/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": name}, "spec": spec}))
        .unwrap();
        let api = sets(&harness);
        async move { api.create(&PostParams::default(), &set).await.unwrap() }
    };
    // Matrix: two services × two colours.
    create(
        "matrix",
        json!({"generators": [{"matrix": {"generators": [
                  dirs("apps/a*/overlays/prod"),
                  {"list": {"elements": [{"colour": "blue"}, {"colour": "green"}]}}]}}],
               "template": template("{{path[1]}}-{{colour}}", "{{path}}")}),
    )
    .await;
    // Go templates with missingkey=error.
    create(
        "gotemplate",
        json!({"goTemplate": true, "goTemplateOptions": ["missingkey=error"],
               "generators": [dirs("apps/c*")],
               "template": template("{{ .path.basename }}-go", "{{ .path.path }}/overlays/dev")}),
    )
    .await;
    // Every set renders the same name: an error, nothing applied.
    create(
        "dups",
        json!({"generators": [dirs("apps/*")], "template": template("{{path[0]}}", "{{path}}")}),
    )
    .await;

    let matrix: BTreeSet<String> = ["analytics-ingest", "auth"]
        .iter()
        .flat_map(|s| ["blue", "green"].map(|c| format!("{s}-{c}")))
        .collect();
    let apps = wait_app_names(&harness, "matrix", &matrix, "matrix cross product").await;
    for app in &apps {
        let service = app.name_any().rsplit_once('-').unwrap().0.to_owned();
        assert_eq!(app.spec.source.path, format!("apps/{service}/overlays/prod"));
    }
    let go: BTreeSet<String> = ["cart", "catalog", "checkout"]
        .iter()
        .map(|s| format!("{s}-go"))
        .collect();
    let apps = wait_app_names(&harness, "gotemplate", &go, "goTemplate names").await;
    assert!(
        apps.iter()
            .any(|a| a.spec.source.path == "apps/cart/overlays/dev")
    );

    let api = sets(&harness);
    let api = &api;
    let dups = wait_until("duplicate names reported", WAIT, || async move {
        let set = api.get("dups").await.ok()?;
        let (status, message) = condition(&set, "ErrorOccurred")?;
        (status == "True").then_some(message)
    })
    .await
    .unwrap();
    assert!(dups.contains("not unique") && dups.contains("apps"), "{dups}");
    assert!(owned_apps(&harness, "dups").await.is_empty());

    // A broken goTemplate (missing key) keeps the Applications the set has.
    let patch = json!({"spec": {"template": {"metadata": {"name": "{{ .path.nope }}-go"}}}});
    api.patch("gotemplate", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let message = wait_until("missing key reported", WAIT, || async move {
        let set = api.get("gotemplate").await.ok()?;
        let (status, message) = condition(&set, "ErrorOccurred")?;
        (status == "True" && message.contains("missingkey")).then_some(message)
    })
    .await
    .unwrap();
    assert!(message.contains("metadata.name"), "{message}");
    let kept: BTreeSet<String> = owned_apps(&harness, "gotemplate")
        .await
        .iter()
        .map(|a| a.name_any())
        .collect();
    assert_eq!(kept, go);
}
