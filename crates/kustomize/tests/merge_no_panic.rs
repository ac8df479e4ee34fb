//! Robustness: strategic merge and JSON 6902 on many generated, mostly
//! malformed inputs (directives in odd places, kind mismatches, keyless and
//! null elements, bad pointers) must return `Ok` or `Err`, never panic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use driftless_kustomize::merge::{apply_json6902, merge_patch};
use driftless_kustomize::openapi::Schemas;
use driftless_kustomize::yaml::{Mapping, Node, Scalar};

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
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "spec",
    "template",
    "containers",
    "name",
    "image",
    "ports",
    "containerPort",
    "protocol",
    "finalizers",
    "metadata",
    "$patch",
    "env",
    "value",
    "volumes",
    "$retainKeys",
    "port",
    "",
];
const SCALARS: &[&str] = &[
    "a", "b", "80", "TCP", "null", "~", "", "delete", "replace", "merge", "1.0", "true",
];

fn scalar(text: &str) -> Node {
    Node::Scalar(Scalar {
        text: text.to_owned(),
        ..Default::default()
    })
}

fn tree(rng: &mut Rng, depth: usize) -> Node {
    match if depth == 0 { 0 } else { rng.below(3) } {
        0 => scalar(rng.pick(SCALARS)),
        1 => Node::Seq((0..rng.below(4)).map(|_| tree(rng, depth - 1)).collect()),
        _ => {
            let mut map = Mapping::default();
            for _ in 0..rng.below(4) {
                map.insert(rng.pick(KEYS), tree(rng, depth - 1));
            }
            Node::Map(map)
        }
    }
}

fn object(rng: &mut Rng) -> Node {
    let mut map = match tree(rng, 6) {
        Node::Map(m) => m,
        _ => Mapping::default(),
    };
    map.insert(
        "apiVersion",
        scalar(rng.pick(&["apps/v1", "v1", "example.com/v1"])),
    );
    map.insert("kind", scalar(rng.pick(&["Deployment", "Service", "Widget"])));
    Node::Map(map)
}

#[test]
fn strategic_merge_never_panics() {
    let mut rng = Rng(0xDEAD_BEEF_0BAD_F00D);
    let schemas = Schemas::builtin();
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..20_000 {
        let mut target = object(&mut rng);
        let patch = object(&mut rng);
        match merge_patch(&mut target, &patch, &schemas) {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    assert!(
        ok > 1000 && failed > 100,
        "inputs too uniform: {ok} ok, {failed} errors"
    );
}

#[test]
fn json6902_never_panics() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    const PATHS: &[&str] = &[
        "",
        "/",
        "/spec",
        "/spec/0",
        "/spec/-",
        "/spec/-1",
        "/spec/x/~1",
        "a/b",
        "/-/-",
        "/99",
    ];
    for _ in 0..20_000 {
        let mut target = object(&mut rng);
        let mut ops = Vec::new();
        for _ in 0..rng.below(4) {
            let mut op = Mapping::default();
            op.insert(
                "op",
                scalar(rng.pick(&["add", "remove", "replace", "move", "copy", "test", "x"])),
            );
            op.insert("path", scalar(rng.pick(PATHS)));
            op.insert("from", scalar(rng.pick(PATHS)));
            op.insert("value", tree(&mut rng, 2));
            ops.push(Node::Map(op));
        }
        let _ = apply_json6902(&mut target, &Node::Seq(ops));
    }
}
