//! Shared set-up for the integration tests in `tests/tests/`: a running
//! controller over a temporary namespace and a loopback git server
//! ([`Harness`]), plus a stand-in ingress controller for health checks.

use std::path::Path;
use std::time::Duration;

use driftless_api::Application;
use driftless_controller::ControllerConfig;
use driftless_controller::leader::LeaderElection;
use driftless_testkit::git_server::GitServer;
use driftless_testkit::{TempNamespace, cluster, wait_until};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Name of the repository every harness serves.
pub const REPO: &str = "config";

/// The secret every test controller verifies webhooks with.
pub const WEBHOOK_SECRET: &str = "test-webhook-secret";

/// How long a test waits for the controller to converge.
pub const CONVERGE: Duration = Duration::from_secs(90);

/// A failed set-up step.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// Cluster or wait failure.
    #[error(transparent)]
    Testkit(#[from] driftless_testkit::Error),
    /// A Kubernetes call failed.
    #[error("kubernetes: {0}")]
    Kube(#[from] kube::Error),
    /// The git server failed.
    #[error("git server: {0}")]
    Io(#[from] std::io::Error),
}

/// The controller running in-process against the local control plane, its
/// Applications' namespace and a git server with one repository.
pub struct Harness {
    /// Kubernetes client.
    pub client: Client,
    /// The settings `client` was built from (replicas get their own clients from them).
    pub kube: kube::Config,
    /// Namespace the controller reconciles Applications in.
    pub apps: TempNamespace,
    /// The loopback git server.
    pub git: GitServer,
    /// Where the harness's own controller serves `/metrics`.
    pub metrics_addr: std::net::SocketAddr,
    /// Where the harness's own controller receives webhooks.
    pub webhook_addr: std::net::SocketAddr,
    poll_interval: Duration,
    replica: Option<Replica>,
}

/// One controller running in-process (a replica, with or without leader election), on a
/// runtime of its own so that [`Replica::kill`] can end it the way a crash would.
pub struct Replica {
    /// Where it serves `/metrics`.
    pub metrics_addr: std::net::SocketAddr,
    /// Where it receives push webhooks (signed with [`WEBHOOK_SECRET`]).
    pub webhook_addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), String>>>,
    runtime: Option<tokio::runtime::Runtime>,
    cache: tempfile::TempDir,
}

impl Replica {
    /// Starts a controller for Applications in `namespace`.
    pub fn spawn(
        kube: kube::Config,
        namespace: &str,
        poll_interval: Duration,
        leader_election: Option<LeaderElection>,
    ) -> Result<Replica, HarnessError> {
        Replica::spawn_tuned(kube, namespace, poll_interval, leader_election, |_| {})
    }

    /// Like [`Replica::spawn`], with `tune` adjusting the controller's settings last.
    pub fn spawn_tuned(
        kube: kube::Config,
        namespace: &str,
        poll_interval: Duration,
        leader_election: Option<LeaderElection>,
        tune: impl FnOnce(&mut ControllerConfig),
    ) -> Result<Replica, HarnessError> {
        let cache = tempfile::tempdir()?;
        // Two free loopback ports: bind both (so they differ), read them, release them for the controller.
        let metrics_socket = std::net::TcpListener::bind("127.0.0.1:0")?;
        let webhook_socket = std::net::TcpListener::bind("127.0.0.1:0")?;
        let (metrics_addr, webhook_addr) = (metrics_socket.local_addr()?, webhook_socket.local_addr()?);
        drop((metrics_socket, webhook_socket));
        let mut config = ControllerConfig {
            webhook_addr: Some(webhook_addr),
            webhook_secret: Some(WEBHOOK_SECRET.to_owned()),
            namespaces: vec![namespace.to_owned()],
            poll_interval,
            cache_dir: cache.path().to_path_buf(),
            metrics_addr,
            prune_timeout: Duration::from_secs(20),
            leader_election,
            ..ControllerConfig::default()
        };
        tune(&mut config);
        let (stop, stopped) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let task = runtime.spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            driftless_controller::run_until(kube, config, shutdown)
                .await
                .map_err(|error| {
                    eprintln!("controller stopped: {error}");
                    error.to_string()
                })
        });
        Ok(Replica {
            metrics_addr,
            webhook_addr,
            stop: Some(stop),
            task: Some(task),
            runtime: Some(runtime),
            cache,
        })
    }

    /// Its repository cache directory.
    pub fn cache_dir(&self) -> &Path {
        self.cache.path()
    }

    /// Ends the controller at once, as `kill -9` would: every task it runs (the Lease
    /// renewal too) stops mid-flight, nothing is released or cleaned up.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// The sum of every sample of metric `name` whose labels include all of `labels` (`k="v"`).
    pub async fn metric(&self, name: &str, labels: &[&str]) -> Result<f64, HarnessError> {
        scrape(self.metrics_addr, name, labels).await
    }

    /// Asks the controller to stop, waits for its in-flight work, and returns how it ended.
    pub async fn stop(mut self) -> Result<(), String> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => match tokio::time::timeout(Duration::from_secs(30), task).await {
                Ok(Ok(result)) => result,
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err("did not stop within 30 s".into()),
            },
            None => Ok(()),
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        // Ends every task of the replica; dropping a runtime may block, and from inside the
        // tests' runtime it must not.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// `GET path` at `addr` over plain HTTP/1.0: the status code and the whole response text.
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> Result<(u16, String), HarnessError> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let code = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    Ok((code, response))
}

/// Reads `/metrics` at `addr` and sums the samples of `name` carrying all `labels`.
pub async fn scrape(addr: std::net::SocketAddr, name: &str, labels: &[&str]) -> Result<f64, HarnessError> {
    let (_, body) = http_get(addr, "/metrics").await?;
    Ok(body
        .lines()
        .filter(|line| line.starts_with(name) && line[name.len()..].starts_with(['{', ' ']))
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum())
}

impl Harness {
    /// Installs the CRDs, commits `tree` to a fresh repository and starts the controller.
    pub async fn start(tree: &Path) -> Result<Harness, HarnessError> {
        Harness::start_with(tree, Duration::from_secs(30)).await
    }

    /// Like [`Harness::start`], polling git and re-checking apps every `poll_interval`.
    pub async fn start_with(tree: &Path, poll_interval: Duration) -> Result<Harness, HarnessError> {
        let kube = cluster::config().await?;
        let client = Client::try_from(kube.clone())?;
        install_crds(&client).await?;
        let apps = TempNamespace::create(&client, "dl-apps").await?;
        let git = GitServer::start()?;
        git.create_repo(REPO)?;
        git.commit_dir(REPO, "main", "initial", tree)?;
        git.set_head(REPO, "main")?;
        let replica = Replica::spawn(kube.clone(), apps.name(), poll_interval, None)?;
        let metrics_addr = replica.metrics_addr;
        let webhook_addr = replica.webhook_addr;
        Ok(Harness {
            webhook_addr,
            client,
            kube,
            apps,
            git,
            metrics_addr,
            poll_interval,
            replica: Some(replica),
        })
    }

    /// Starts another controller replica for this harness's Applications.
    pub fn spawn_replica(&self, leader_election: Option<LeaderElection>) -> Result<Replica, HarnessError> {
        Replica::spawn(
            self.kube.clone(),
            self.apps.name(),
            self.poll_interval,
            leader_election,
        )
    }

    /// Stops the harness's own controller (to run replicas instead).
    pub async fn stop_controller(&mut self) {
        if let Some(replica) = self.replica.take() {
            let _ = replica.stop().await;
        }
    }

    /// The repository's URL (git protocol on loopback).
    pub fn repo_url(&self) -> String {
        self.git.git_url(REPO)
    }

    /// The Applications API of the harness namespace.
    pub fn applications(&self) -> Api<Application> {
        Api::namespaced(self.client.clone(), self.apps.name())
    }

    /// Creates an Application from its `spec` (JSON), with extra metadata.
    pub async fn create_app(
        &self,
        name: &str,
        metadata: serde_json::Value,
        spec: serde_json::Value,
    ) -> Result<Application, HarnessError> {
        create_application(&self.applications(), name, metadata, spec).await
    }

    /// Asks the controller to look at the Application `name` again now (`driftless.dev/refresh`).
    pub async fn refresh(&self, name: &str) -> Result<(), HarnessError> {
        let refresh = json!({"metadata": {"annotations": {driftless_api::annotations::REFRESH: "normal"}}});
        self.applications()
            .patch(name, &PatchParams::default(), &Patch::Merge(&refresh))
            .await?;
        Ok(())
    }

    /// Waits until `check` holds for the Application `name`.
    pub async fn wait_app(
        &self,
        name: &str,
        what: &str,
        check: impl Fn(&Application) -> bool,
    ) -> Result<Application, HarnessError> {
        let api = self.applications();
        let check = &check;
        let api = &api;
        Ok(wait_until(what, CONVERGE, || async move {
            let app = api.get(name).await.ok()?;
            check(&app).then_some(app)
        })
        .await?)
    }

    /// The sum of every sample of metric `name` whose labels include all of `labels` (`k="v"`).
    pub async fn metric(&self, name: &str, labels: &[&str]) -> Result<f64, HarnessError> {
        scrape(self.metrics_addr, name, labels).await
    }

    /// Stops the controller and waits for it to finish its in-flight work.
    pub async fn stop(mut self) {
        self.stop_controller().await;
    }
}

/// Applies the Driftless CRDs and waits until they are served.
pub async fn install_crds(client: &Client) -> Result<(), HarnessError> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in driftless_api::crds::all() {
        let name = crd.name_any();
        api.patch(
            &name,
            &PatchParams::apply("driftless-tests").force(),
            &Patch::Apply(&crd),
        )
        .await?;
        let api = &api;
        let name = &name;
        wait_until("CRD Established", Duration::from_secs(30), || async move {
            let crd = api.get(name).await.ok()?;
            let established = crd
                .status?
                .conditions?
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True");
            established.then_some(())
        })
        .await?;
    }
    Ok(())
}

/// True when the Application is Synced and Healthy at `revision` (any revision when `None`).
pub fn synced_and_healthy(app: &Application, revision: Option<&str>) -> bool {
    let Some(status) = app.status.as_ref() else {
        return false;
    };
    status.sync.status == driftless_api::application::SyncStatusCode::Synced
        && status.health.status == driftless_api::application::HealthStatusCode::Healthy
        && revision.is_none_or(|r| status.sync.revision.as_deref() == Some(r))
}

/// Stands in for an ingress controller, which this control plane does not
/// run: gives every Ingress in `namespace` a load-balancer address so its
/// health can become Healthy, until the returned task is aborted.
pub fn fake_ingress_controller(client: Client, namespace: String) -> JoinHandle<()> {
    tokio::spawn(async move {
        let api: Api<Ingress> = Api::namespaced(client, &namespace);
        loop {
            if let Ok(list) = api.list(&ListParams::default()).await {
                for ingress in list.items {
                    let has_address = ingress
                        .status
                        .as_ref()
                        .and_then(|s| s.load_balancer.as_ref())
                        .and_then(|lb| lb.ingress.as_ref())
                        .is_some_and(|i| !i.is_empty());
                    if !has_address {
                        let patch = json!({"status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.100"}]}}});
                        let _ = api
                            .patch_status(
                                &ingress.name_any(),
                                &PatchParams::default(),
                                &Patch::Merge(&patch),
                            )
                            .await;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    })
}

/// Writes `files` (path relative to `dir`, content) into `dir`.
pub fn write_tree(dir: &Path, files: &[(&str, String)]) {
    for (path, content) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(path, content);
    }
}

/// A kustomization listing `resources`.
pub fn kustomization(resources: &[&str]) -> String {
    let lines: String = resources.iter().map(|r| format!("- {r}\n")).collect();
    format!("resources:\n{lines}")
}

/// A git server on loopback with repository `config` whose `main` holds `app/`: a ConfigMap
/// `settings` and a Deployment `web`. Returns the server and the commit.
pub fn one_app_repo() -> Result<(GitServer, String), HarnessError> {
    let tree = tempfile::tempdir()?;
    write_tree(
        tree.path(),
        &[
            (
                "app/kustomization.yaml",
                kustomization(&["cm.yaml", "deploy.yaml"]),
            ),
            ("app/cm.yaml", config_map("settings", "one", &[])),
            ("app/deploy.yaml", deployment("web", 1, &[])),
        ],
    );
    let git = GitServer::start()?;
    git.create_repo("config")?;
    let commit = git.commit_dir("config", "main", "initial", tree.path())?;
    git.set_head("config", "main")?;
    Ok((git, commit))
}

/// Creates Application `name` in `apps`' namespace from its `spec` (JSON), with extra metadata.
pub async fn create_application(
    apps: &Api<Application>,
    name: &str,
    metadata: serde_json::Value,
    spec: serde_json::Value,
) -> Result<Application, HarnessError> {
    let mut meta = json!({ "name": name });
    if let (Some(target), Some(extra)) = (meta.as_object_mut(), metadata.as_object()) {
        target.extend(extra.clone());
    }
    let app: Application = serde_json::from_value(json!({
        "apiVersion": "driftless.dev/v1alpha1", "kind": "Application",
        "metadata": meta, "spec": spec,
    }))
    .map_err(|e| HarnessError::Io(std::io::Error::other(e)))?;
    Ok(apps.create(&PostParams::default(), &app).await?)
}

/// Creates Application `web` in `apps`' namespace: `app/` of `repo_url` (see [`one_app_repo`])
/// into `namespace`, with automated prune and self-heal.
pub async fn create_web_app(
    apps: &Api<Application>,
    repo_url: &str,
    namespace: &str,
) -> Result<Application, HarnessError> {
    let automated = json!({"prune": true, "selfHeal": true});
    let spec = app_spec(repo_url, "app", namespace, automated);
    create_application(apps, "web", json!({}), spec).await
}

/// A Deployment `name` with `replicas` and extra metadata annotations (`key: "value"` lines).
pub fn deployment(name: &str, replicas: u32, annotations: &[(&str, &str)]) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n{}spec:\n  replicas: {replicas}\n  \
         selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    \
         spec:\n      containers:\n      - name: {name}\n        image: nginx:1.27\n",
        annotation_block(annotations)
    )
}

/// A ConfigMap `name` with one data entry and extra metadata annotations.
pub fn config_map(name: &str, value: &str, annotations: &[(&str, &str)]) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{}data:\n  value: {value}\n",
        annotation_block(annotations)
    )
}

fn annotation_block(annotations: &[(&str, &str)]) -> String {
    if annotations.is_empty() {
        return String::new();
    }
    let lines: String = annotations
        .iter()
        .map(|(k, v)| format!("    {k}: \"{v}\"\n"))
        .collect();
    format!("  annotations:\n{lines}")
}

/// An Application spec syncing `path` of the harness repo into `namespace`.
pub fn app_spec(
    repo_url: &str,
    path: &str,
    namespace: &str,
    automated: serde_json::Value,
) -> serde_json::Value {
    json!({
        "source": {"repoURL": repo_url, "targetRevision": "main", "path": path},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        "syncPolicy": {"automated": automated},
    })
}

/// Runs kubectl against the test cluster's kubeconfig.
pub fn kubectl(args: &[&str]) -> std::process::Output {
    std::process::Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", driftless_testkit::cluster::kubeconfig_path())
        .output()
        .unwrap_or_else(|error| panic!("kubectl does not run: {error}"))
}
