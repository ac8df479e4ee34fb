//! Push webhooks against the local control plane: a signed push refreshes only
//! the Applications whose rendered files it changed, and the ApplicationSets
//! whose git generators read the pushed branch; an unsigned one is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use driftless_api::ApplicationSet;
use driftless_testkit::TempNamespace;
use driftless_testkit::git_server::Change;
use driftless_tests::{
    Harness, WEBHOOK_SECRET, app_spec, config_map, kustomization, synced_and_healthy, write_tree,
};
use hmac::{Hmac, Mac};
use kube::api::{Api, PostParams};
use serde_json::json;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs `body` as a GitHub push event; returns the HTTP status line.
async fn post_push(addr: SocketAddr, body: &str, signature: Option<String>) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let signature = signature
        .map(|s| format!("X-Hub-Signature-256: sha256={s}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /webhook HTTP/1.0\r\nHost: localhost\r\nX-GitHub-Event: push\r\n{signature}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

fn sign(body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_signed_push_refreshes_only_the_apps_it_touches() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("web/kustomization.yaml", kustomization(&["settings.yaml"])),
            ("web/settings.yaml", config_map("web", "one", &[])),
            ("api/kustomization.yaml", kustomization(&["settings.yaml"])),
            ("api/settings.yaml", config_map("api", "one", &[])),
        ],
    );
    // A long poll interval: only the webhook can make an app notice the push.
    let harness = Harness::start_with(tree.path(), Duration::from_secs(600))
        .await
        .unwrap();
    let target = TempNamespace::create(&harness.client, "dl-hook").await.unwrap();
    for name in ["web", "api"] {
        let spec = app_spec(&harness.repo_url(), name, target.name(), json!({"prune": true}));
        harness.create_app(name, json!({}), spec).await.unwrap();
    }
    let first = harness.git.rev_parse(driftless_tests::REPO, "main").unwrap();
    for name in ["web", "api"] {
        harness
            .wait_app(name, "Synced", |app| synced_and_healthy(app, Some(&first)))
            .await
            .unwrap();
    }

    let second = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "change web",
            &[Change::file("web/settings.yaml", &config_map("web", "two", &[]))],
        )
        .unwrap();
    let body = json!({
        "ref": "refs/heads/main", "before": first, "after": second,
        "repository": {"clone_url": harness.repo_url()},
    })
    .to_string();

    assert!(
        post_push(harness.webhook_addr, &body, None).await.contains("401"),
        "unsigned push refused"
    );
    let pushed = Instant::now();
    let status = post_push(harness.webhook_addr, &body, Some(sign(&body))).await;
    assert!(status.contains("200"), "{status}");
    harness
        .wait_app("web", "web synced at the push", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    eprintln!("push to applied: {} ms", pushed.elapsed().as_millis());
    let api = harness.applications().get("api").await.unwrap();
    assert!(
        !api.metadata
            .annotations
            .unwrap_or_default()
            .contains_key("driftless.dev/refresh"),
        "an app the push did not touch is not refreshed"
    );
    assert_eq!(api.status.unwrap().sync.revision.as_deref(), Some(first.as_str()));
    harness.stop().await;
}

#[tokio::test]
async fn a_push_adding_a_service_refreshes_the_application_set_at_once() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("apps/web/kustomization.yaml", kustomization(&["settings.yaml"])),
            ("apps/web/settings.yaml", config_map("web", "one", &[])),
        ],
    );
    // A long poll interval: only the webhook can make the set notice the push.
    let harness = Harness::start_with(tree.path(), Duration::from_secs(600))
        .await
        .unwrap();
    let target = TempNamespace::create(&harness.client, "dl-hook-set")
        .await
        .unwrap();
    let set: ApplicationSet = serde_json::from_value(json!({
        "apiVersion": "driftless.dev/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": "services"},
        "spec": {
            "generators": [{"git": {"repoURL": harness.repo_url(), "revision": "main",
                                    "directories": [{"path": "apps/*"}]}}],
            "template": {
                "metadata": {"name": "{{path.basename}}"},
                "spec": app_spec(&harness.repo_url(), "{{path}}", target.name(), json!({"prune": true})),
            },
        },
    }))
    .unwrap();
    let sets: Api<ApplicationSet> = Api::namespaced(harness.client.clone(), harness.apps.name());
    sets.create(&PostParams::default(), &set).await.unwrap();
    harness
        .wait_app("web", "web generated and synced", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();

    let first = harness.git.rev_parse(driftless_tests::REPO, "main").unwrap();
    let second = harness
        .git
        .commit(
            driftless_tests::REPO,
            "main",
            "add the api service",
            &[
                Change::file("apps/api/kustomization.yaml", &kustomization(&["settings.yaml"])),
                Change::file("apps/api/settings.yaml", &config_map("api", "one", &[])),
            ],
        )
        .unwrap();
    let body = json!({
        "ref": "refs/heads/main", "before": first, "after": second,
        "repository": {"clone_url": harness.repo_url()},
    })
    .to_string();
    let status = post_push(harness.webhook_addr, &body, Some(sign(&body))).await;
    assert!(status.contains("200"), "{status}");
    harness
        .wait_app("api", "api generated and synced at the push", |app| {
            synced_and_healthy(app, Some(&second))
        })
        .await
        .unwrap();
    harness.stop().await;
}
