//! AppProject guard rails against the local control plane: forbidden kinds
//! stop a render before anything is applied, and sync windows hold automated
//! syncs, self-heal and (unless allowed) manual syncs until they close.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use driftless_api::application::SyncStatusCode;
use driftless_api::{AppProject, Application};
use driftless_testkit::{TempNamespace, unique_name, wait_until};
use driftless_tests::Harness;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, Role, RoleBinding};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

fn write(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

/// `guarded/`: a ConfigMap and a ClusterRole; `plain/`: a ConfigMap only.
fn tree(role: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n";
    write(dir.path(), "plain/cm.yaml", cm);
    write(dir.path(), "plain/kustomization.yaml", "resources:\n- cm.yaml\n");
    write(dir.path(), "guarded/cm.yaml", cm);
    let role_yaml = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {role}\n\
         rules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n"
    );
    write(dir.path(), "guarded/role.yaml", &role_yaml);
    write(
        dir.path(),
        "guarded/kustomization.yaml",
        "resources:\n- cm.yaml\n- role.yaml\n",
    );
    dir
}

async fn create_project(harness: &Harness, name: &str, spec: serde_json::Value) {
    let project: AppProject = serde_json::from_value(json!({
        "apiVersion": "driftless.dev/v1alpha1", "kind": "AppProject",
        "metadata": {"name": name}, "spec": spec
    }))
    .unwrap();
    projects(harness)
        .create(&PostParams::default(), &project)
        .await
        .unwrap();
}

fn projects(harness: &Harness) -> Api<AppProject> {
    Api::namespaced(harness.client.clone(), harness.apps.name())
}

fn app_spec(harness: &Harness, project: &str, path: &str, namespace: &str) -> serde_json::Value {
    json!({
        "project": project,
        "source": {"repoURL": harness.repo_url(), "targetRevision": "main", "path": path},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        "syncPolicy": {"automated": {"prune": true, "selfHeal": true}},
    })
}

/// The message of condition `type_` when it is True.
fn condition(app: &Application, type_: &str) -> Option<String> {
    app.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_ && c.status == "True")
        .map(|c| c.message.clone())
}

#[tokio::test]
async fn a_project_denying_cluster_roles_stops_the_render_before_any_apply() {
    let role = unique_name("dl-guarded-reader");
    let repo = tree(&role);
    let harness = Harness::start(repo.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-guarded")
        .await
        .unwrap();
    create_project(
        &harness,
        "locked",
        json!({"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
               "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
               "clusterResourceBlacklist": [{"group": "rbac.authorization.k8s.io", "kind": "ClusterRole"}]}),
    )
    .await;
    harness
        .create_app(
            "guarded",
            json!({}),
            app_spec(&harness, "locked", "guarded", target.name()),
        )
        .await
        .unwrap();
    let app = harness
        .wait_app("guarded", "SyncError naming the ClusterRole", |a| {
            condition(a, "SyncError").is_some_and(|m| m.contains("ClusterRole"))
        })
        .await
        .unwrap();
    let message = condition(&app, "SyncError").unwrap();
    assert!(message.contains(&role), "{message}");
    assert!(message.contains("clusterResourceBlacklist"), "{message}");
    assert!(message.contains("locked"), "{message}");
    // Nothing of that render was applied: not the ClusterRole, not the ConfigMap next to it.
    let roles: Api<ClusterRole> = Api::all(harness.client.clone());
    assert!(roles.get_opt(&role).await.unwrap().is_none());
    let maps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    assert!(maps.get_opt("settings").await.unwrap().is_none());

    // An app without a project uses `default`, created on demand, which allows everything.
    harness
        .create_app("plain", json!({}), app_spec(&harness, "", "plain", target.name()))
        .await
        .unwrap();
    harness
        .wait_app("plain", "Synced", |a| {
            a.status
                .as_ref()
                .is_some_and(|s| s.sync.status == SyncStatusCode::Synced)
        })
        .await
        .unwrap();
    assert!(projects(&harness).get_opt("default").await.unwrap().is_some());
    assert!(maps.get_opt("settings").await.unwrap().is_some());
    target.delete().await.unwrap();
}

/// How long the test's deny window stays closed after the test starts.
const WINDOW_SECS: u64 = 150;

#[tokio::test]
async fn a_deny_window_holds_syncs_until_it_closes() {
    let repo = tree(&unique_name("dl-unused"));
    let harness = Harness::start(repo.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-window").await.unwrap();
    // A deny window that started this minute (UTC) and ends about 150 s from now: long enough for
    // every check below on a loaded machine.
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (second, minute, hour) = (epoch % 60, (epoch / 60) % 60, (epoch / 3600) % 24);
    let window = json!({"kind": "deny", "schedule": format!("{minute} {hour} * * *"),
                        "duration": format!("{}s", second + WINDOW_SECS), "applications": ["frozen"],
                        "manualSync": false});
    let ends = std::time::Instant::now() + Duration::from_secs(WINDOW_SECS);
    create_project(
        &harness,
        "frozen",
        json!({"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
               "clusterResourceWhitelist": [{"group": "*", "kind": "*"}], "syncWindows": [window]}),
    )
    .await;
    harness
        .create_app(
            "frozen",
            json!({}),
            app_spec(&harness, "frozen", "plain", target.name()),
        )
        .await
        .unwrap();
    let maps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());

    // Automated sync is held, OutOfSync, with the window and its end in the condition.
    let app = harness
        .wait_app("frozen", "held by the window", |a| {
            condition(a, "SyncError").is_some_and(|m| m.contains("automated sync and self-heal blocked"))
        })
        .await
        .unwrap();
    assert_eq!(
        app.status.as_ref().unwrap().sync.status,
        SyncStatusCode::OutOfSync
    );
    let message = condition(&app, "SyncError").unwrap();
    assert!(
        message.contains("deny window") && message.contains("opens at"),
        "{message}"
    );
    assert!(maps.get_opt("settings").await.unwrap().is_none());

    // A manual sync is refused while manualSync is false.
    let apps = harness.applications();
    let sync = json!({"operation": {"sync": {"prune": true}}});
    apps.patch("frozen", &PatchParams::default(), &Patch::Merge(&sync))
        .await
        .unwrap();
    harness
        // The refusal is reported by the reconcile that handles the request; the next one (caused by
        // clearing the request) reports the automated hold again, so wait for the request to be
        // handled and check that nothing was applied.
        .wait_app("frozen", "manual sync handled", |a| a.operation.is_none())
        .await
        .unwrap();
    assert!(maps.get_opt("settings").await.unwrap().is_none());

    // With manualSync: true it goes through.
    let allow = json!({"spec": {"syncWindows": [{"kind": "deny", "schedule": window["schedule"],
        "duration": window["duration"], "applications": ["frozen"], "manualSync": true}]}});
    projects(&harness)
        .patch("frozen", &PatchParams::default(), &Patch::Merge(&allow))
        .await
        .unwrap();
    apps.patch("frozen", &PatchParams::default(), &Patch::Merge(&sync))
        .await
        .unwrap();
    harness
        .wait_app("frozen", "manual sync ran", |a| {
            a.operation.is_none()
                && a.status
                    .as_ref()
                    .is_some_and(|s| s.sync.status == SyncStatusCode::Synced)
        })
        .await
        .unwrap();
    assert_eq!(maps.get("settings").await.unwrap().data.unwrap()["color"], "blue");

    // Drift is seen but not healed while the window is closed.
    let drift = json!({"data": {"color": "red"}});
    maps.patch("settings", &PatchParams::default(), &Patch::Merge(&drift))
        .await
        .unwrap();
    harness
        .wait_app("frozen", "self-heal held", |a| {
            a.status
                .as_ref()
                .is_some_and(|s| s.sync.status == SyncStatusCode::OutOfSync)
                && condition(a, "SyncError").is_some_and(|m| m.contains("self-heal blocked"))
        })
        .await
        .unwrap();
    assert!(
        std::time::Instant::now() < ends,
        "the window closed before the checks finished"
    );
    assert_eq!(maps.get("settings").await.unwrap().data.unwrap()["color"], "red");

    // When the window closes the app heals by itself.
    let maps = &maps;
    wait_until(
        "healed after the window",
        Duration::from_secs(WINDOW_SECS + 60),
        || async move {
            let color = maps.get("settings").await.ok()?.data?.get("color")?.clone();
            (color == "blue").then_some(())
        },
    )
    .await
    .unwrap();
    assert!(
        std::time::Instant::now() + Duration::from_secs(2) >= ends,
        "healed before the window closed"
    );
    harness
        .wait_app("frozen", "Synced without a window condition", |a| {
            a.status
                .as_ref()
                .is_some_and(|s| s.sync.status == SyncStatusCode::Synced)
                && condition(a, "SyncError").is_none()
        })
        .await
        .unwrap();
    target.delete().await.unwrap();
}

#[tokio::test]
async fn a_project_service_account_bounds_what_a_sync_may_apply() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        "scoped/kustomization.yaml",
        "resources:\n- cm.yaml\n- secret.yaml\n",
    );
    write(
        repo.path(),
        "scoped/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n",
    );
    write(
        repo.path(),
        "scoped/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  value: s3cr3t\n",
    );
    let harness = Harness::start(repo.path()).await.unwrap();
    let target = TempNamespace::create(&harness.client, "dl-scoped").await.unwrap();
    // `deployer` may manage ConfigMaps in the target namespace, nothing else.
    let rbac = |resources: &str| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
               "metadata": {"name": "deployer", "namespace": target.name()},
               "rules": [{"apiGroups": [""], "resources": resources.split(',').collect::<Vec<_>>(),
                          "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]}]})
    };
    apply_admin::<ServiceAccount>(
        &harness,
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "deployer", "namespace": target.name()}}),
    )
    .await;
    apply_admin::<Role>(&harness, rbac("configmaps")).await;
    apply_admin::<RoleBinding>(
        &harness,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                 "metadata": {"name": "deployer", "namespace": target.name()},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"},
                 "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": target.name()}]}),
    )
    .await;
    create_project(
        &harness,
        "least",
        json!({"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
               "destinationServiceAccounts": [{"server": "*", "namespace": "dl-scoped-*",
                                               "defaultServiceAccount": "deployer"}]}),
    )
    .await;
    harness
        .create_app(
            "scoped",
            json!({}),
            app_spec(&harness, "least", "scoped", target.name()),
        )
        .await
        .unwrap();

    // The sync runs as `deployer`: the ConfigMap goes in, the Secret is refused by RBAC.
    let user = format!("system:serviceaccount:{}:deployer", target.name());
    let app = harness
        .wait_app("scoped", "SyncError naming the forbidden Secret", |a| {
            condition(a, "SyncError").is_some_and(|m| m.contains("Secret") && m.contains(&user))
        })
        .await
        .unwrap();
    let message = condition(&app, "SyncError").unwrap();
    assert!(message.contains("forbidden"), "{message}");
    let maps: Api<ConfigMap> = Api::namespaced(harness.client.clone(), target.name());
    assert!(maps.get_opt("settings").await.unwrap().is_some());
    let secrets: Api<Secret> = Api::namespaced(harness.client.clone(), target.name());
    assert!(secrets.get_opt("token").await.unwrap().is_none());

    // Granting Secrets to the account lets the next sync through.
    apply_admin::<Role>(&harness, rbac("configmaps,secrets")).await;
    harness.refresh("scoped").await.unwrap();
    harness
        .wait_app("scoped", "Synced once deployer may write Secrets", |a| {
            driftless_tests::synced_and_healthy(a, None)
        })
        .await
        .unwrap();
    assert!(secrets.get_opt("token").await.unwrap().is_some());

    // A destination no entry covers is refused before anything runs, not synced as the controller.
    let other = TempNamespace::create(&harness.client, "dl-unscoped")
        .await
        .unwrap();
    harness
        .create_app(
            "unscoped",
            json!({}),
            app_spec(&harness, "least", "scoped", other.name()),
        )
        .await
        .unwrap();
    let app = harness
        .wait_app("unscoped", "InvalidSpecError: no service account", |a| {
            condition(a, "InvalidSpecError").is_some()
        })
        .await
        .unwrap();
    let message = condition(&app, "InvalidSpecError").unwrap();
    assert!(message.contains("destinationServiceAccounts"), "{message}");
    let others: Api<ConfigMap> = Api::namespaced(harness.client.clone(), other.name());
    assert!(others.get_opt("settings").await.unwrap().is_none());
    harness.stop().await;
}

/// Server-side applies `object` (JSON) as the admin, in its own namespace.
async fn apply_admin<K>(harness: &Harness, object: serde_json::Value)
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + serde::Serialize,
{
    let object: K = serde_json::from_value(object).unwrap();
    let namespace = object.meta().namespace.clone().unwrap();
    let name = object.meta().name.clone().unwrap();
    let api: Api<K> = Api::namespaced(harness.client.clone(), &namespace);
    api.patch(&name, &PatchParams::apply("test").force(), &Patch::Apply(&object))
        .await
        .unwrap();
}
