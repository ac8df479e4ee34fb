//! The scalar decisions of kustomize's output path: how go-yaml v2 resolves a
//! plain string (to decide whether a string must be quoted) and how a float
//! comes out after Go's `json.Marshal` and go-yaml v2's re-read and print.

use std::borrow::Cow;

use super::timestamp;

/// Words go-yaml v2 resolves through its table (booleans incl. YAML 1.1 ones,
/// nulls, special floats and the merge key).
fn is_v2_word(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "true"
            | "True"
            | "TRUE"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "false"
            | "False"
            | "FALSE"
            | "off"
            | "Off"
            | "OFF"
            | ""
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | "<<"
    )
}

/// True when go-yaml v2 may print `s` as a plain scalar: it resolves back to a
/// string and is not a YAML 1.1 base-60 float (`encoder.stringv`).
pub fn v2_plain_is_string(s: &str) -> bool {
    !v2_resolves_non_string(s) && !is_base60_float(s)
}

/// go-yaml v2's `resolve("", s)` returning a tag other than `!!str`.
fn v2_resolves_non_string(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true;
    };
    let hint = match first {
        b'+' | b'-' | b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => return false,
    };
    if is_v2_word(s) {
        return true;
    }
    match hint {
        b'.' => go_parse_float(s).is_some(),
        b'D' => {
            if timestamp::parse(s).is_some() {
                return true;
            }
            let plain = if s.contains('_') {
                Cow::Owned(s.replace('_', ""))
            } else {
                Cow::Borrowed(s)
            };
            go_parse_int(&plain).is_some() || (is_yaml_float(&plain) && go_parse_float(&plain).is_some())
        }
        _ => false,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeding: the value.
pub fn go_parse_int(s: &str) -> Option<i128> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let b = body.as_bytes();
    let (radix, digits) = match (b.first(), b.get(1).map(u8::to_ascii_lowercase)) {
        (Some(b'0'), Some(b'x')) => (16, &body[2..]),
        (Some(b'0'), Some(b'o')) => (8, &body[2..]),
        (Some(b'0'), Some(b'b')) => (2, &body[2..]),
        (Some(b'0'), Some(_)) => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        if magnitude > i64::MAX as u64 + 1 {
            return None;
        }
        return Some(-(magnitude as i128));
    }
    Some(magnitude as i128)
}

/// go-yaml's float pattern `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
pub fn is_yaml_float(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text (with Go's underscore
/// rule); out-of-range values fail, as they do in Go.
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let body = b.strip_prefix(b"-").or_else(|| b.strip_prefix(b"+")).unwrap_or(b);
    if body.eq_ignore_ascii_case(b"inf")
        || body.eq_ignore_ascii_case(b"infinity")
        || body.eq_ignore_ascii_case(b"nan")
    {
        return None; // never reached through the hints that call this; treat as text.
    }
    // Underscores only between digits.
    let mut saw_digit = false;
    let mut saw_underscore = false;
    for &c in body {
        if c.is_ascii_digit() {
            saw_digit = true;
            saw_underscore = false;
        } else if c == b'_' {
            if !saw_digit {
                return None;
            }
            saw_digit = false;
            saw_underscore = true;
        } else {
            if saw_underscore {
                return None;
            }
            saw_digit = false;
        }
    }
    if saw_underscore {
        return None;
    }
    let cleaned = s.replace('_', "");
    if !is_yaml_float(&cleaned) {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// YAML 1.1 base-60 floats (`1:20`), which go-yaml v2 quotes on output.
fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// The shortest decimal digits of `f` (no sign) and the decimal point position.
fn shortest_digits(f: f64) -> (String, i32) {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

/// Go's `%e` body with `nd - 1` fraction digits, exponent of at least two digits.
fn fmt_e(digits: &str, dp: i32) -> String {
    let mut out = String::with_capacity(digits.len() + 6);
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let exp = dp - 1;
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
    out
}

/// Go's `%f` with exactly as many fraction digits as the shortest form needs.
fn fmt_f(digits: &str, dp: i32) -> String {
    let d = digits.as_bytes();
    let nd = d.len() as i32;
    let mut out = String::new();
    if dp > 0 {
        for k in 0..dp {
            out.push(if k < nd { d[k as usize] as char } else { '0' });
        }
    } else {
        out.push('0');
    }
    let prec = (nd - dp).max(0);
    if prec > 0 {
        out.push('.');
        for k in 0..prec {
            let j = dp + k;
            out.push(if (0..nd).contains(&j) {
                d[j as usize] as char
            } else {
                '0'
            });
        }
    }
    out
}

/// Go's `encoding/json` text of a finite float64.
pub fn go_json_float(f: f64) -> String {
    let (digits, dp) = shortest_digits(f);
    let abs = f.abs();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut e = fmt_e(&digits, dp);
        // encoding/json writes e-07 as e-7.
        if let Some(pos) = e.find("e-0") {
            e.remove(pos + 2);
        }
        return format!("{sign}{e}");
    }
    format!("{sign}{}", fmt_f(&digits, dp))
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_g_float(f: f64) -> String {
    let (digits, dp) = shortest_digits(f);
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        format!("{sign}{}", fmt_e(&digits, dp))
    } else {
        format!("{sign}{}", fmt_f(&digits, dp))
    }
}

/// What kustomize prints for a float: JSON text, re-read by go-yaml v2 (an
/// integral JSON number that fits 64 bits becomes an int), printed with `%g`.
pub fn output_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let json = go_json_float(f);
    if !json.contains(['.', 'e'])
        && let Some(int) = go_parse_int(&json)
    {
        return int.to_string();
    }
    go_g_float(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_kustomize() {
        // Expectations from `kubectl kustomize` (Kustomize v5.5.0).
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (1e21, "1e+21"),
            (1e20, "1e+20"),
            (0.5, "0.5"),
            (1e-7, "1e-07"),
            (0.000001, "1e-06"),
            (1000.5, "1000.5"),
            (1234567.5, "1.2345675e+06"),
            (123456.5, "123456.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e6, "1000000"),
            (12345678901234567890123.0, "1.2345678901234568e+22"),
            (-0.0, "0"),
            (3.0e-5, "3e-05"),
            (1e19, "10000000000000000000"),
            (-1.5, "-1.5"),
        ];
        for (f, want) in cases {
            assert_eq!(output_float(*f), *want, "{f}");
        }
        assert_eq!(go_json_float(1e-7), "1e-7");
        assert_eq!(go_json_float(1e21), "1e+21");
        assert_eq!(go_json_float(1e20), "100000000000000000000");
    }

    #[test]
    fn plain_string_decisions_match_go_yaml_v2() {
        // (text, may be plain) from `kubectl kustomize` output.
        let cases: &[(&str, bool)] = &[
            ("<<", true),
            ("1:20:30.5", false),
            ("1:20", false),
            ("1e400", true),
            (".5", false),
            ("+.5", false),
            ("0x1G", true),
            ("1_000", false),
            ("0b2", true),
            ("-x", true),
            ("._5", true),
            ("1_0.5", false),
            ("0o8", true),
            ("+0x10", false),
            ("1.", false),
            ("0.5.5", true),
            ("2001-12-14", false),
            ("2001-12-1x", true),
            ("12e3", false),
            ("+1", false),
            ("0", false),
            ("-0x1f", false),
            ("0_", false),
            ("inf", true),
            ("+inf", true),
            ("NaN", true),
            ("y", false),
            ("n", false),
            ("yes", false),
            ("on", false),
            ("", false),
            ("null", false),
            ("~", false),
            ("hello", true),
            ("v1", true),
            ("18446744073709551615", false),
            ("99999999999999999999", false),
        ];
        for (text, plain) in cases {
            assert_eq!(v2_plain_is_string(text), *plain, "{text:?}");
        }
    }
}
