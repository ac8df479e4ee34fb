//! Differential strategic-merge test: many generated Deployment and Service
//! targets and patches (fixed seed, so the run is deterministic), merged by
//! us and by `kubectl kustomize` in one build, compared object by object.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "merge/support.rs"]
mod support;

use std::collections::BTreeMap;
use std::process::Command;

use driftless_kustomize::merge::{Outcome, merge_patch};
use driftless_kustomize::openapi::Schemas;
use driftless_kustomize::yaml::emit_document;
use serde_json::{Value as Json, json};
use support::{have_kubectl, to_json, to_node};

/// xorshift64*: a tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn subset<'a>(&mut self, items: &[&'a str]) -> Vec<&'a str> {
        let mut out: Vec<&str> = items.iter().copied().filter(|_| self.chance(50)).collect();
        if self.chance(50) {
            out.reverse();
        }
        out
    }
}

fn env(rng: &mut Rng, patch: bool) -> Json {
    let mut items = Vec::new();
    for name in rng.subset(&["X", "Y", "Z"]) {
        let mut e = json!({"name": name, "value": rng.pick(&["1", "2", "three"])});
        if patch && rng.chance(20) {
            e = json!({"name": name, "$patch": "delete"});
        }
        items.push(e);
    }
    Json::Array(items)
}

fn ports(rng: &mut Rng) -> Json {
    let mut items = Vec::new();
    for port in [80, 443, 53] {
        if rng.chance(40) {
            let mut p = json!({"containerPort": port});
            if rng.chance(50) {
                p["protocol"] = json!(rng.pick(&["TCP", "UDP"]));
            }
            if rng.chance(30) {
                p["name"] = json!(rng.pick(&["http", "dns"]));
            }
            items.push(p);
        }
    }
    Json::Array(items)
}

fn container(rng: &mut Rng, name: &str, patch: bool) -> Json {
    let mut c = json!({"name": name});
    if rng.chance(70) {
        c["image"] = if patch && rng.chance(15) {
            Json::Null
        } else {
            json!(format!("{name}:{}", rng.below(3)))
        };
    }
    if rng.chance(40) {
        c["env"] = env(rng, patch);
    }
    if rng.chance(40) {
        c["ports"] = ports(rng);
    }
    if rng.chance(25) {
        c["args"] = json!(rng.subset(&["--a", "--b", "--c"]));
    }
    if patch && rng.chance(10) {
        c["$patch"] = json!(rng.pick(&["delete", "replace"]));
    }
    c
}

fn deployment(rng: &mut Rng, name: &str, patch: bool) -> Json {
    let mut containers: Vec<Json> = rng
        .subset(&["a", "b", "c", "d"])
        .into_iter()
        .map(|n| container(rng, n, patch))
        .collect();
    if patch && rng.chance(8) {
        containers.insert(0, json!({"$patch": rng.pick(&["replace", "delete"])}));
    }
    let mut spec = json!({"template": {"spec": {"containers": containers}}});
    if rng.chance(50) {
        spec["replicas"] = if patch && rng.chance(30) {
            Json::Null
        } else {
            json!(rng.below(5))
        };
    }
    if rng.chance(40) {
        let volumes: Vec<Json> = rng
            .subset(&["v1", "v2"])
            .into_iter()
            .map(|v| {
                if patch && rng.chance(30) {
                    json!({"name": v, "emptyDir": null, "secret": {"secretName": v}})
                } else {
                    json!({"name": v, "emptyDir": {}})
                }
            })
            .collect();
        spec["template"]["spec"]["volumes"] = Json::Array(volumes);
    }
    if rng.chance(30) {
        let tolerations: Vec<Json> = rng
            .subset(&["k1", "k2"])
            .into_iter()
            .map(|k| json!({"key": k}))
            .collect();
        spec["template"]["spec"]["tolerations"] = Json::Array(tolerations);
    }
    let mut meta = json!({"name": name});
    if rng.chance(40) {
        meta["finalizers"] = json!(rng.subset(&["f1", "f2", "f3"]));
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec})
}

fn service(rng: &mut Rng, name: &str) -> Json {
    let mut ports = Vec::new();
    for port in [80, 443, 8080] {
        if !rng.chance(50) {
            continue;
        }
        let mut p = json!({"port": port});
        if rng.chance(50) {
            p["protocol"] = json!(rng.pick(&["TCP", "UDP"]));
        }
        if rng.chance(50) {
            p["targetPort"] = json!(rng.below(3) + 9000);
        }
        ports.push(p);
    }
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"ports": ports}})
}

/// Parses kubectl's multi-document output, keyed by kind/name.
fn by_name(text: &str) -> BTreeMap<String, Json> {
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| {
            let value: Json = serde::Deserialize::deserialize(doc).unwrap();
            let key = format!(
                "{}/{}",
                value["kind"].as_str().unwrap(),
                value["metadata"]["name"].as_str().unwrap()
            );
            (key, value)
        })
        .collect()
}

#[test]
fn generated_patches_merge_like_kubectl() {
    if !have_kubectl() {
        eprintln!("skipping: kubectl is not installed");
        return;
    }
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let dir = tempfile::tempdir().unwrap();
    let mut kustomization = String::from("resources:\n- resources.yaml\npatches:\n");
    let mut resources = String::new();
    let mut ours = BTreeMap::new();
    let mut ours_text = BTreeMap::new();
    let count = 300;
    for i in 0..count {
        let name = format!("case{i:03}");
        let (target, patch) = if i % 4 == 3 {
            (service(&mut rng, &name), service(&mut rng, &name))
        } else {
            (
                deployment(&mut rng, &name, false),
                deployment(&mut rng, &name, true),
            )
        };
        resources.push_str(&format!("---\n{}\n", serde_json::to_string(&target).unwrap()));
        std::fs::write(
            dir.path().join(format!("{name}.json")),
            serde_json::to_string(&patch).unwrap(),
        )
        .unwrap();
        kustomization.push_str(&format!("- path: {name}.json\n"));
        let mut node = to_node(&target);
        match merge_patch(&mut node, &to_node(&patch), &Schemas::builtin()) {
            Ok(Outcome::Merged) => {
                let merged = to_json(&node);
                let key = format!("{}/{name}", merged["kind"].as_str().unwrap());
                ours_text.insert(key.clone(), emit_document(&node));
                ours.insert(key, Some(merged));
            }
            Ok(Outcome::Deleted) => {
                ours.insert(format!("{}/{name}", target["kind"].as_str().unwrap()), None);
            }
            Err(e) => panic!("{name}: {e}\ntarget {target}\npatch {patch}"),
        }
    }
    std::fs::write(dir.path().join("resources.yaml"), resources).unwrap();
    std::fs::write(dir.path().join("kustomization.yaml"), kustomization).unwrap();
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let reference = by_name(&stdout);
    // Byte check: every document kubectl printed is exactly what our emitter prints.
    for text in stdout.split("---\n") {
        let value: Json = serde_yaml::from_str(text).unwrap();
        let key = format!(
            "{}/{}",
            value["kind"].as_str().unwrap(),
            value["metadata"]["name"].as_str().unwrap()
        );
        assert_eq!(
            ours_text.get(&key).map(String::as_str),
            Some(text),
            "{key} prints differently"
        );
    }
    let mut differences = Vec::new();
    for (key, mine) in &ours {
        let theirs = reference.get(key);
        if mine.as_ref() != theirs {
            differences.push(format!(
                "{key}:\n ours   {}\n kubectl {}",
                json!(mine),
                json!(theirs)
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {count} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    eprintln!("{count} generated strategic-merge patches identical to kubectl kustomize");
}
