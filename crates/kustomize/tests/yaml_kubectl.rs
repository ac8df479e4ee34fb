//! Differential test of the emitter against `kubectl kustomize` on generated
//! ConfigMaps: random keys and values (quoting, folding, line breaks, unicode,
//! numbers) are rendered by kubectl and by `emit_documents(parse_documents(..))`.
//! Skipped when kubectl is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::process::Command;

use driftless_kustomize::yaml::{emit_documents, parse_documents};

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
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

const PIECES: &[&str] = &[
    "a",
    "b",
    "word",
    " ",
    " ",
    "  ",
    "\n",
    "\n\n",
    ":",
    ": ",
    "#",
    " #",
    "-",
    "- ",
    "'",
    "\"",
    "\\",
    "\t",
    "true",
    "yes",
    "on",
    "null",
    "~",
    "0",
    "0755",
    "1e3",
    "1.5",
    ".5",
    "1:20",
    "2001-12-14",
    "0x1F",
    "é",
    "日本",
    "😀",
    "\u{a0}",
    "\u{2028}",
    "\r",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&",
    "*",
    "!",
    "|",
    ">",
    "%",
    "@",
    "`",
    "?",
    "---",
    "...",
    "<<",
    "\u{7}",
    "\u{1b}",
    "\u{feff}",
];

fn random_text(rng: &mut Rng) -> String {
    match rng.below(4) {
        // Long space-separated text that must fold near column 80.
        0 => (0..rng.below(40))
            .map(|_| rng.pick(&["aaaa", "bb", "cccccc", "d:", "e"]))
            .collect::<Vec<_>>()
            .join(" "),
        // A single YAML-ish word.
        1 => rng.pick(PIECES).to_owned(),
        _ => (0..rng.below(12)).map(|_| rng.pick(PIECES)).collect(),
    }
}

/// `s` as a YAML double-quoted scalar that any YAML parser reads the same way.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{feff}' || c == '\u{2028}' => {
                write!(out, "\\u{:04X}", c as u32).unwrap();
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn random_value(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("{}", rng.next() as i64 >> rng.below(63)),
        1 => format!("{:e}", f64::from_bits(rng.next() >> 2) / 1e150),
        2 => rng
            .pick(&[
                "1.0", "0.5", "1e21", "1e-7", "0o17", "0b11", "+12", "-0", "1_000", "true", "~", "yes",
            ])
            .to_owned(),
        3 => {
            // The first line sets the indentation, so it is never more indented or empty.
            let first = format!("  {}\n", rng.pick(&["x", "y z"]));
            let rest: String = (0..rng.below(4))
                .map(|_| format!("  {}\n", rng.pick(&["x", "y z", " indented", ""])))
                .collect();
            let body = first + &rest;
            let indicator = rng.pick(&["|", ">"]);
            format!(
                "{indicator}{}\n{}",
                rng.pick(&["", "-", "+"]),
                body.trim_end_matches('\n')
            )
        }
        _ => quoted(&random_text(rng)),
    }
}

#[test]
fn generated_config_maps_match_kubectl() {
    if !Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        println!("skipping: kubectl is not available");
        return;
    }
    // YAML_KUBECTL_SEED explores other inputs; the default keeps the test deterministic.
    let seed = std::env::var("YAML_KUBECTL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut rng = Rng(seed);
    let mut input = String::new();
    for i in 0..300 {
        writeln!(
            input,
            "---\napiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t{i:04}\ndata:"
        )
        .unwrap();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..6 {
            let key = random_text(&mut rng);
            // kustomize rejects duplicate keys in resources. Keys that start with a digit can make
            // go-yaml v2's order non-transitive (`0755a` < `0x1F` < `1e3` < `0755a`); kustomize then
            // prints them in Go's random map order, so they are left out.
            if key.starts_with(|c: char| c.is_ascii_digit()) || !seen.insert(key.clone()) {
                continue;
            }
            let value = random_value(&mut rng);
            // Indent block-scalar bodies under the key.
            writeln!(input, "  {}: {}", quoted(&key), value.replace('\n', "\n  ")).unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    if let Ok(path) = std::env::var("YAML_KUBECTL_DUMP") {
        std::fs::write(path, &input).unwrap();
    }
    std::fs::write(dir.path().join("things.yaml"), &input).unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources:\n- things.yaml\n",
    )
    .unwrap();
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
    let want = String::from_utf8(out.stdout).unwrap();
    let got = emit_documents(&parse_documents(&input).unwrap());
    if got != want {
        let (g, w): (Vec<&str>, Vec<&str>) = (got.split("---\n").collect(), want.split("---\n").collect());
        let bad: Vec<String> = g
            .iter()
            .zip(&w)
            .filter(|(a, b)| a != b)
            .take(3)
            .map(|(a, b)| format!("got:\n{a}\nwant:\n{b}"))
            .collect();
        panic!(
            "{} of {} documents differ; first ones:\n{}",
            g.iter().zip(&w).filter(|(a, b)| a != b).count(),
            w.len(),
            bad.join("\n")
        );
    }
}
