//! Properties of the YAML layer on generated trees and inputs:
//! emitted text parses back to the same JSON (up to kustomize's own number
//! normalisation), emitting is a fixed point, and no input makes the parser panic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use driftless_kustomize::yaml::{
    Mapping, Node, Scalar, ScalarStyle, emit_document, emit_documents, parse_documents, to_json,
};
use proptest::prelude::*;
use serde_json::Value as Json;

/// Strings that stress quoting: YAML-ish words, numbers, indicators, spaces,
/// line breaks, long runs and non-ASCII (NEL excluded: go-yaml folds it, see emit.rs).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "true",
            "yes",
            "on",
            "null",
            "~",
            "0755",
            "8080",
            "1e3",
            "1:20",
            "<<",
            "- x",
            "a: b",
            "#x",
            " lead",
            "trail ",
            "2001-12-14",
            ".5",
            "0x1F",
            "\t",
            "\n",
            "a\n",
            "a\n\n",
            " \n",
            "\u{feff}a",
            "\u{2028}",
            "'",
            "\"",
            "\\",
            "é",
            "😀",
            "---",
            "...",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,120}",
        "[a-z \n:#'\"-]{0,200}",
        "[\\PC\t\r\n]{0,40}".prop_map(|s| s.replace('\u{85}', "")),
    ]
}

fn scalar() -> impl Strategy<Value = Node> {
    let plain = |t: String| {
        Node::Scalar(Scalar {
            text: t,
            style: ScalarStyle::Plain,
            tag: None,
        })
    };
    prop_oneof![
        text().prop_map(Node::string),
        any::<i64>().prop_map(move |i| plain(i.to_string())),
        any::<u64>().prop_map(move |u| plain(u.to_string())),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(move |f| plain(format!("{f:e}"))),
        any::<bool>().prop_map(move |b| plain(b.to_string())),
        Just(Node::null()),
    ]
}

fn tree() -> impl Strategy<Value = Node> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Node::Seq),
            // A `<<` key would be read back as a merge key (as kustomize would).
            prop::collection::vec((text().prop_filter("merge key", |k| k != "<<"), inner), 0..6).prop_map(
                |entries| {
                    let mut map = Mapping::default();
                    for (k, v) in entries {
                        map.insert(k, v);
                    }
                    Node::Map(map)
                }
            ),
        ]
    })
}

/// kustomize's output turns integral floats into ints; compare numbers as f64.
fn normalise(v: &Json) -> Json {
    match v {
        Json::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, Json::Number),
        Json::Array(items) => Json::Array(items.iter().map(normalise).collect()),
        Json::Object(map) => Json::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn emitted_text_parses_back_to_the_same_json(node in tree()) {
        let text = emit_document(&node);
        let docs = parse_documents(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(docs.len(), 1, "{}", text);
        prop_assert_eq!(normalise(&to_json(&docs[0])), normalise(&to_json(&node)), "{}", text);
        // And kustomize output is a fixed point of parse + emit.
        prop_assert_eq!(emit_documents(&docs), text);
    }

    #[test]
    fn parser_never_panics(input in "[ -~\t\n\u{85}\u{feff}é]{0,200}") {
        let _ = parse_documents(&input);
    }

    #[test]
    fn parser_never_panics_on_yamlish_input(parts in prop::collection::vec(prop::sample::select(vec![
        "a", ": ", "- ", "\n", "  ", "&x ", "*x", "<<: ", "[", "]", "{", "}", ", ", "'", "\"", "|", ">", "#",
        "---\n", "...\n", "!!str ", "!t ", "? ", "\t", "%YAML 1.2\n", "\\", "0", "~",
    ]), 0..60)) {
        let input: String = parts.concat();
        if let Ok(docs) = parse_documents(&input) {
            // Whatever parses must also emit.
            let _ = emit_documents(&docs);
        }
    }
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let err = parse_documents(&text).unwrap_err();
    assert!(err.to_string().contains("alias expansion exceeds limit"), "{err}");
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let text = "[".repeat(100_000);
    assert!(parse_documents(&text).is_err());
    // Block nesting is bounded by our own depth limit (flow nesting by saphyr's).
    let deep_ok: String = (0..999).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let docs = parse_documents(&deep_ok).unwrap();
    assert_eq!(docs.len(), 1);
    let _ = emit_documents(&docs);
    let _ = to_json(&docs[0]);
    let too_deep: String = (0..1500).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let err = parse_documents(&too_deep).unwrap_err();
    assert!(err.message.contains("max depth"), "{err}");
}
