//! Private repositories: the controller fetches with the credentials of the Secrets in its
//! namespace labelled `driftless.dev/secret-type` (`repository` for one URL, `repo-creds` for a
//! prefix), against a loopback smart-HTTP server with basic auth; no secret value ever shows in
//! status or Events, and a malformed Secret is named in the app's condition.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftless_api::Application;
use driftless_testkit::TempNamespace;
use driftless_testkit::git_server::GitServer;
use driftless_tests::{
    Harness, app_spec, config_map, kubectl, kustomization, synced_and_healthy, write_tree,
};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde_json::json;

const USER: &str = "ci-bot";
const PASSWORD: &str = "s3cret-Token-4711";

async fn create_secret(harness: &Harness, name: &str, scope: &str, fields: serde_json::Value) {
    let secret: Secret = serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"driftless.dev/secret-type": scope}},
        "stringData": fields,
    }))
    .unwrap();
    let api: Api<Secret> = Api::namespaced(harness.client.clone(), harness.apps.name());
    api.create(&PostParams::default(), &secret).await.unwrap();
}

fn condition_with(app: &Application, reason: &str) -> Option<String> {
    let status = app.status.as_ref()?;
    let condition = status.conditions.iter().find(|c| c.reason == reason)?;
    Some(condition.message.clone())
}

#[tokio::test]
async fn private_repositories_are_fetched_with_the_secrets_of_the_controllers_namespace() {
    let tree = tempfile::tempdir().unwrap();
    write_tree(
        tree.path(),
        &[
            ("app/kustomization.yaml", kustomization(&["cm.yaml"])),
            ("app/cm.yaml", config_map("settings", "private", &[])),
        ],
    );
    let harness = Harness::start(tree.path()).await.unwrap();
    let private = GitServer::start_with_basic_auth(USER, PASSWORD).unwrap();
    for repo in ["config", "team", "broken"] {
        private.create_repo(repo).unwrap();
        private.commit_dir(repo, "main", "initial", tree.path()).unwrap();
        private.set_head(repo, "main").unwrap();
    }
    // One destination namespace per app: they all render the same ConfigMap.
    let mut targets = Vec::new();
    for _ in 0..3 {
        targets.push(
            TempNamespace::create(&harness.client, "dl-private")
                .await
                .unwrap(),
        );
    }
    let spec = |repo: &str, target: &TempNamespace| {
        app_spec(
            &private.http_url(repo),
            "app",
            target.name(),
            json!({"prune": true}),
        )
    };

    // Without a Secret the server refuses us, and the condition says so.
    harness
        .create_app("config", json!({}), spec("config", &targets[0]))
        .await
        .unwrap();
    harness
        .wait_app("config", "an auth failure", |app| {
            condition_with(app, "GitAuthFailed").is_some()
        })
        .await
        .unwrap();

    // `repository`: this one URL. The app recovers without a restart.
    create_secret(
        &harness,
        "config-repo",
        "repository",
        json!({"url": private.http_url("config"), "username": USER, "password": PASSWORD}),
    )
    .await;
    harness.refresh("config").await.unwrap();
    harness
        .wait_app("config", "Synced and Healthy", |app| {
            synced_and_healthy(app, None)
        })
        .await
        .unwrap();

    // `repo-creds`: every repository under a prefix.
    let prefix = private.http_url("team").trim_end_matches("team.git").to_owned();
    create_secret(
        &harness,
        "all-repos",
        "repo-creds",
        json!({"url": prefix, "username": USER, "password": PASSWORD}),
    )
    .await;
    harness
        .create_app("team", json!({}), spec("team", &targets[1]))
        .await
        .unwrap();
    harness
        .wait_app("team", "Synced and Healthy", |app| synced_and_healthy(app, None))
        .await
        .unwrap();

    // A malformed `repository` Secret for a URL wins over the prefix and is named, field included.
    create_secret(
        &harness,
        "broken-repo",
        "repository",
        json!({"url": private.http_url("broken"), "password": PASSWORD, "sshPrivateKey": "not a key"}),
    )
    .await;
    harness
        .create_app("broken", json!({}), spec("broken", &targets[2]))
        .await
        .unwrap();
    let app = harness
        .wait_app("broken", "the broken Secret named", |app| {
            condition_with(app, "GitCredentialsInvalid").is_some()
        })
        .await
        .unwrap();
    let message = condition_with(&app, "GitCredentialsInvalid").unwrap();
    assert!(
        message.contains(&format!("repository Secret {}/broken-repo", harness.apps.name()))
            && message.contains("sshPrivateKey"),
        "{message}"
    );

    // The password is nowhere in what the controller wrote.
    let written = [
        kubectl(&["get", "applications", "-n", harness.apps.name(), "-o", "yaml"]),
        kubectl(&["get", "events", "-n", harness.apps.name(), "-o", "yaml"]),
    ];
    for output in written {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(!text.contains(PASSWORD), "the password leaked:\n{text}");
    }
    harness.stop().await;
}
