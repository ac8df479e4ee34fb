//! kustomize re-emits a `>` folded scalar with go-yaml v3 and reads it back
//! before printing. v3's folded writer adds a line break after every line
//! (it checks the start of the value, not the next line, for a blank), which
//! folding undoes except next to more-indented lines and at the end of
//! `>+` values. Measured with `kubectl kustomize`: `>` text `a\n  b\n` comes
//! out as `a\n\n  b\n`, and `>+` `keep\n\n\n` as `keep\n\n\n\n`.

use saphyr_parser::{Event, Parser};

/// The value a folded scalar has after kustomize's v3 write-and-read.
pub fn reemit(value: &str) -> Option<String> {
    if !super::emit::block_allowed(value) {
        return None; // v3 would write it double-quoted, which keeps it exact
    }
    let text = write_folded(value);
    let mut scalars = Parser::new_from_str(&text).filter_map(|event| match event {
        Ok((Event::Scalar(text, ..), _)) => Some(Ok(text)),
        Ok(_) => None,
        Err(_) => Some(Err(())),
    });
    let _key = scalars.next()?.ok()?;
    Some(scalars.next()?.ok()?.into_owned())
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `k: >…` as go-yaml v3's `yaml_emitter_write_folded_scalar` writes `value`.
fn write_folded(value: &str) -> String {
    const INDENT: usize = 2;
    let mut out = String::with_capacity(value.len() * 2 + 8);
    out.push_str("k: >");
    if value.starts_with(|c: char| c == ' ' || is_break(c)) {
        out.push('2');
    }
    let mut rev = value.chars().rev();
    match (rev.next(), rev.next()) {
        (None, _) => out.push('-'),
        (Some(last), _) if !is_break(last) => out.push('-'),
        (Some(_), None) => out.push('+'),
        (Some(_), Some(before)) if is_break(before) => out.push('+'),
        _ => {}
    }
    out.push('\n');
    // The writer's check looks at the first non-break character of the whole value.
    let after_breaks = value.trim_start_matches(is_break);
    let extra_breaks = !(after_breaks.is_empty() || after_breaks.starts_with([' ', '\t']));
    let (mut breaks, mut leading_spaces, mut column) = (true, true, 0usize);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if is_break(c) {
            if !breaks && !leading_spaces && c == '\n' && extra_breaks {
                out.push('\n');
            }
            out.push(c);
            column = 0;
            breaks = true;
        } else {
            if breaks {
                out.push_str("  ");
                column = INDENT;
                leading_spaces = c == ' ' || c == '\t';
            }
            if !breaks && c == ' ' && chars.peek() != Some(&' ') && column > 80 {
                out.push('\n');
                out.push_str("  ");
                column = INDENT;
            } else {
                out.push(c);
                column += 1;
            }
            breaks = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_kustomize_round_trip() {
        // (value after the first read, value kustomize prints) from `kubectl kustomize`.
        let cases: &[(&str, &str)] = &[
            (
                "folded\n  more indented\nback\npara\n",
                "folded\n\n  more indented\nback\npara\n",
            ),
            ("keep\n\n\n", "keep\n\n\n\n"),
            ("folded text continues here\n", "folded text continues here\n"),
            ("a b\nc\n", "a b\nc\n"),
        ];
        for (value, want) in cases {
            assert_eq!(reemit(value).as_deref(), Some(*want), "{value:?}");
        }
    }
}
