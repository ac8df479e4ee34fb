//! The Helm chart and the plain manifests against the local control plane: both pass a
//! server-side dry run, and the controller syncs an Application while acting as the chart's
//! ServiceAccount (impersonated), so the chart's RBAC is what gets tested.
//!
//! Helm comes from `scripts/helm.sh` (built from its Go module and cached); without it these
//! tests print why and skip, except under CI, where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use driftless_api::Application;
use driftless_controller::ControllerConfig;
use driftless_testkit::{TempNamespace, cluster, wait_until};
use driftless_tests::synced_and_healthy;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use kube::api::{Api, PostParams};
use kube::config::AuthInfo;
use serde_json::json;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The cached Helm binary, or `None` (after saying so) when it has not been built.
fn helm() -> Option<PathBuf> {
    let out = Command::new(repo_root().join("scripts/helm.sh"))
        .arg("--cached")
        .output()
        .unwrap();
    if out.status.success() {
        return Some(PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "helm is not built; CI must run scripts/helm.sh before the tests"
    );
    eprintln!("SKIPPED: helm is not built; run scripts/helm.sh (builds Helm from its Go module, once)");
    None
}

/// `helm template` of the chart as release `release` in `namespace`, with `--set` values.
fn helm_template(helm: &PathBuf, release: &str, namespace: &str, sets: &[&str]) -> String {
    let mut cmd = Command::new(helm);
    cmd.args(["template", release])
        .arg(repo_root().join("charts/driftless"))
        .args(["--namespace", namespace, "--include-crds"]);
    for set in sets {
        cmd.args(["--set", set]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "helm template: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs kubectl against the local control plane with `input` on stdin.
fn kubectl(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", cluster::kubeconfig_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn dry_run(manifests: &str) -> String {
    let out = kubectl(&["apply", "--dry-run=server", "-f", "-"], manifests);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "server dry run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test]
async fn the_chart_passes_a_server_side_dry_run() {
    let Some(helm) = helm() else { return };
    let client = cluster::client().await.unwrap();
    // Namespaced objects need their namespace to exist: a dry run does not create it.
    let ns = TempNamespace::create(&client, "dl-chart").await.unwrap();
    let lint = Command::new(&helm)
        .args(["lint", "--strict"])
        .arg(repo_root().join("charts/driftless"))
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "helm lint: {}",
        String::from_utf8_lossy(&lint.stdout)
    );
    let rendered = helm_template(&helm, "driftless", ns.name(), &[]);
    let applied = dry_run(&rendered);
    for object in [
        "customresourcedefinition.apiextensions.k8s.io/applications.driftless.dev",
        "clusterrole.rbac.authorization.k8s.io/driftless-apply",
        "role.rbac.authorization.k8s.io/driftless",
        "deployment.apps/driftless",
        "service/driftless",
    ] {
        assert!(applied.contains(object), "{object} not applied:\n{applied}");
    }
    // Narrowed apply rules and extra namespaces render valid objects too.
    let narrowed = helm_template(
        &helm,
        "driftless",
        ns.name(),
        &[
            "rbac.applyRules[0].apiGroups[0]=apps",
            "rbac.applyRules[0].resources[0]=deployments",
            "rbac.applyRules[0].verbs={get,list,watch,create,patch,delete}",
            "controller.appNamespaces={team-a,team-b}",
            "replicaCount=2",
        ],
    );
    dry_run(&narrowed);
    ns.delete().await.unwrap();
}

#[tokio::test]
async fn the_plain_manifests_pass_a_server_side_dry_run() {
    let client = cluster::client().await.unwrap();
    let install = std::fs::read_to_string(repo_root().join("deploy/install.yaml")).unwrap();
    // install.yaml names its namespace; create it for the dry run unless it exists.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let created = if namespaces.get_opt("driftless").await.unwrap().is_none() {
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "driftless"}})).unwrap();
        namespaces.create(&PostParams::default(), &ns).await.unwrap();
        true
    } else {
        false
    };
    let applied = dry_run(&install);
    if created {
        namespaces.delete("driftless", &Default::default()).await.unwrap();
    }
    assert!(applied.contains("deployment.apps/driftless"), "{applied}");
}

/// Applies the chart's ServiceAccount and RBAC for real (release `release` in `namespace`);
/// the returned text deletes them again.
fn apply_chart_rbac(helm: &PathBuf, release: &str, namespace: &str) -> String {
    // Apply rules narrowed to what the test Application holds, so the controller's own
    // ClusterRole and Role (not a `*` apply grant) must cover everything else it does.
    let rendered = helm_template(
        helm,
        release,
        namespace,
        &[
            "namespace.create=false",
            "rbac.applyRules[0].apiGroups={,apps}",
            "rbac.applyRules[0].resources={configmaps,deployments}",
            "rbac.applyRules[0].verbs={get,list,watch,create,update,patch,delete}",
        ],
    );
    let rbac: String = rendered
        .split("\n---")
        .filter(|doc| doc.contains("# Source: driftless/templates/rbac.yaml"))
        .chain(
            rendered
                .split("\n---")
                .filter(|doc| doc.contains("# Source: driftless/templates/serviceaccount.yaml")),
        )
        .map(|doc| format!("---{doc}\n"))
        .collect();
    let out = kubectl(&["apply", "-f", "-"], &rbac);
    assert!(
        out.status.success(),
        "applying RBAC: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    rbac
}

#[tokio::test]
async fn the_controller_syncs_with_only_the_charts_rbac() {
    let Some(helm) = helm() else { return };
    let admin = cluster::client().await.unwrap();
    driftless_tests::install_crds(&admin).await.unwrap();
    let home = TempNamespace::create(&admin, "dl-rbac").await.unwrap();
    let target = TempNamespace::create(&admin, "dl-rbac-target").await.unwrap();
    // The release name is unique so its ClusterRoles don't meet another test's.
    let release = format!("{}-driftless", home.name());
    let rbac = apply_chart_rbac(&helm, &release, home.name());

    // Settings that authenticate as the chart's ServiceAccount with a bound token, as the Pod
    // would: no admin credentials left, so the controller's own impersonation is checked too.
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), home.name());
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![],
            expiration_seconds: Some(3600),
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    };
    let token = accounts
        .create_token_request(&release, &PostParams::default(), &request)
        .await
        .unwrap()
        .status
        .unwrap()
        .token;
    let mut as_sa = cluster::config().await.unwrap();
    as_sa.auth_info = AuthInfo {
        token: Some(token.into()),
        ..AuthInfo::default()
    };

    let (git, commit) = driftless_tests::one_app_repo().unwrap();

    let cache = tempfile::tempdir().unwrap();
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = ControllerConfig {
        namespaces: vec![home.name().to_owned()],
        poll_interval: Duration::from_secs(30),
        cache_dir: cache.path().to_path_buf(),
        metrics_addr,
        prune_timeout: Duration::from_secs(20),
        // Leader election too, as the chart runs it: the Lease is in the Role's grant.
        leader_election: Some(driftless_controller::leader::LeaderElection {
            lease_name: format!("{release}-controller"),
            identity: "install-test".into(),
            lease_duration: Duration::from_secs(15),
        }),
        ..ControllerConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(driftless_controller::run_until(as_sa, config, async move {
        let _ = stopped.await;
    }));

    let apps: Api<Application> = Api::namespaced(admin.clone(), home.name());
    driftless_tests::create_web_app(&apps, &git.git_url("config"), target.name())
        .await
        .unwrap();
    let synced = wait_until(
        "Synced and Healthy as the chart's ServiceAccount",
        Duration::from_secs(90),
        || {
            let apps = apps.clone();
            let commit = commit.clone();
            async move {
                let app = apps.get("web").await.ok()?;
                synced_and_healthy(&app, Some(&commit)).then_some(app)
            }
        },
    )
    .await;
    // Delete the Application while the controller still runs, so its finalizer is released.
    apps.delete("web", &Default::default()).await.unwrap();
    let gone = wait_until("the Application deleted", Duration::from_secs(60), || {
        let apps = apps.clone();
        async move { apps.get_opt("web").await.ok()?.is_none().then_some(()) }
    })
    .await;
    let _ = stop.send(());
    controller.await.unwrap().unwrap();
    kubectl(&["delete", "--ignore-not-found", "-f", "-"], &rbac);
    let app = synced.unwrap_or_else(|e| panic!("{e}"));
    gone.unwrap();
    assert!(
        app.status
            .unwrap()
            .resources
            .iter()
            .any(|r| r.kind == "Deployment" && r.name == "web")
    );
    target.delete().await.unwrap();
    home.delete().await.unwrap();
}
