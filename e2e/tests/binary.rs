//! The `driftless` binary as users run it: started with flags against the local control
//! plane, it becomes ready, syncs an Application, reports it on `/metrics`, logs JSON lines
//! that name the app, and on SIGTERM finishes and exits 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use driftless_api::Application;
use driftless_e2e::driftless_binary;
use driftless_testkit::{TempNamespace, cluster, wait_until};
use driftless_tests::{install_crds, scrape, synced_and_healthy};
use kube::api::Api;

/// The status code `GET path` answers at `addr`, if it answers.
async fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    driftless_tests::http_get(addr, path)
        .await
        .ok()
        .map(|(code, _)| code)
}

/// Kills the controller if the test ends early.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_syncs_reports_and_stops_cleanly_on_sigterm() {
    let binary = driftless_binary().unwrap();
    let admin = cluster::client().await.unwrap();
    install_crds(&admin).await.unwrap();
    let home = TempNamespace::create(&admin, "dl-bin").await.unwrap();
    let target = TempNamespace::create(&admin, "dl-bin-target").await.unwrap();

    let (git, commit) = driftless_tests::one_app_repo().unwrap();

    let work = tempfile::tempdir().unwrap();
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let log_path = work.path().join("controller.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(&binary)
        .args([
            "controller",
            "--namespace",
            home.name(),
            "--webhook-addr",
            "off",
            "--log-json",
        ])
        .args([
            "--poll-interval",
            "30s",
            "--metrics-addr",
            &metrics_addr.to_string(),
        ])
        .arg("--cache-dir")
        .arg(work.path().join("repos"))
        .env("KUBECONFIG", cluster::kubeconfig_path())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut controller = Running(child);
    let logs = || std::fs::read_to_string(&log_path).unwrap_or_default();

    wait_until("/readyz answers 200", Duration::from_secs(30), || async {
        (http_status(metrics_addr, "/readyz").await == Some(200)).then_some(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", logs()));
    assert_eq!(http_status(metrics_addr, "/healthz").await, Some(200));

    let apps: Api<Application> = Api::namespaced(admin.clone(), home.name());
    driftless_tests::create_web_app(&apps, &git.git_url("config"), target.name())
        .await
        .unwrap();
    wait_until("Synced and Healthy", Duration::from_secs(90), || async {
        let app = apps.get("web").await.ok()?;
        synced_and_healthy(&app, Some(&commit)).then_some(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", logs()));

    // The status is written just before the metrics of the same reconcile: wait for them.
    let labels = [
        "name=\"web\"",
        "sync_status=\"Synced\"",
        "health_status=\"Healthy\"",
    ];
    wait_until("app_info reports the app", Duration::from_secs(30), || async {
        (scrape(metrics_addr, "driftless_app_info", &labels).await.ok()? == 1.0).then_some(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", logs()));
    assert_eq!(
        scrape(metrics_addr, "driftless_build_info", &[]).await.unwrap(),
        1.0
    );
    // JSON lines, and the reconcile span names the app.
    let text = logs();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["app"] == "web" || l["spans"].to_string().contains("\"app\":\"web\"")),
        "no log line names the app:\n{text}"
    );

    let pid = controller.0.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success());
    let status = wait_until("the controller exits", Duration::from_secs(30), || {
        let exited = controller.0.try_wait().unwrap();
        async move { exited }
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", logs()));
    assert!(status.success(), "exit status {status}\n{}", logs());

    apps.delete("web", &Default::default()).await.unwrap();
    target.delete().await.unwrap();
    home.delete().await.unwrap();
}
