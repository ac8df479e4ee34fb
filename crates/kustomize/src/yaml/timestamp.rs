//! go-yaml's timestamp recognition (the same four layouts in v2 and v3) and
//! Go's `time.Time` JSON form (RFC 3339 with nanoseconds, zeros trimmed).
//!
//! kyaml decodes a plain `2001-12-14` into a `time.Time`, so kustomize prints
//! it as `"2001-12-14T00:00:00Z"`; go-yaml v2 double-quotes any string that
//! parses as one of these layouts.

/// A parsed timestamp, kept as fields (no time zone database needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    /// Offset east of UTC in seconds.
    offset: i32,
}

/// Parses `s` with go-yaml's layouts: `2006-1-2T15:4:5.999999999Z07:00`
/// (also with `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2`.
pub fn parse(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    // Quick check shared with go-yaml: four digits then '-'.
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let mut p = Cursor { b, i: 5 };
    let year = (b[0] - b'0') as u32 * 1000
        + (b[1] - b'0') as u32 * 100
        + (b[2] - b'0') as u32 * 10
        + (b[3] - b'0') as u32;
    let month = p.num()?;
    p.lit(b'-')?;
    let day = p.num()?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return None;
    }
    let mut ts = Timestamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
    };
    if p.done() {
        return Some(ts);
    }
    let with_zone = match b[p.i] {
        b'T' | b't' => {
            p.i += 1;
            true
        }
        b' ' => {
            // A layout space matches one or more spaces.
            while p.i < b.len() && b[p.i] == b' ' {
                p.i += 1;
            }
            false
        }
        _ => return None,
    };
    ts.hour = p.num()?;
    p.lit(b':')?;
    ts.minute = p.num()?;
    p.lit(b':')?;
    ts.second = p.num()?;
    if ts.hour > 23 || ts.minute > 59 || ts.second > 59 {
        return None;
    }
    if p.i + 1 < b.len() && matches!(b[p.i], b'.' | b',') && b[p.i + 1].is_ascii_digit() {
        p.i += 1;
        let start = p.i;
        while p.i < b.len() && b[p.i].is_ascii_digit() {
            p.i += 1;
        }
        let digits = &b[start..p.i.min(start + 9)];
        let mut nanos = 0u32;
        for (k, d) in digits.iter().enumerate() {
            nanos += (d - b'0') as u32 * 10u32.pow(8 - k as u32);
        }
        ts.nanos = nanos;
    }
    if with_zone {
        ts.offset = p.zone()?;
    }
    p.done().then_some(ts)
}

impl Timestamp {
    /// Go's `time.Time.MarshalJSON` text (without the quotes).
    pub fn to_rfc3339(self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        if self.offset == 0 {
            out.push('Z');
        } else {
            let sign = if self.offset < 0 { '-' } else { '+' };
            let abs = self.offset.unsigned_abs();
            out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
        }
        out
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    /// One or two digits (Go's non-fixed `getnum`).
    fn num(&mut self) -> Option<u32> {
        let first = *self.b.get(self.i).filter(|c| c.is_ascii_digit())?;
        self.i += 1;
        match self.b.get(self.i) {
            Some(d) if d.is_ascii_digit() => {
                self.i += 1;
                Some((first - b'0') as u32 * 10 + (d - b'0') as u32)
            }
            _ => Some((first - b'0') as u32),
        }
    }

    fn lit(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// `Z` or `±hh:mm`.
    fn zone(&mut self) -> Option<i32> {
        let rest = &self.b[self.i.min(self.b.len())..];
        if rest.first() == Some(&b'Z') {
            self.i += 1;
            return Some(0);
        }
        if rest.len() < 6 || rest[3] != b':' || !matches!(rest[0], b'+' | b'-') {
            return None;
        }
        let two = |x: &[u8]| -> Option<i32> {
            (x[0].is_ascii_digit() && x[1].is_ascii_digit())
                .then(|| ((x[0] - b'0') * 10 + (x[1] - b'0')) as i32)
        };
        let (hh, mm) = (two(&rest[1..3])?, two(&rest[4..6])?);
        if hh > 24 || mm > 60 {
            return None;
        }
        self.i += 6;
        let secs = hh * 3600 + mm * 60;
        Some(if rest[0] == b'-' { -secs } else { secs })
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go_time_json() {
        // Expectations taken from `kubectl kustomize` output (Kustomize v5.5.0).
        let cases: &[(&str, Option<&str>)] = &[
            ("2001-12-14", Some("2001-12-14T00:00:00Z")),
            (
                "2001-12-14t21:59:43.10-05:00",
                Some("2001-12-14T21:59:43.1-05:00"),
            ),
            ("2001-12-14 21:59:43.10", Some("2001-12-14T21:59:43.1Z")),
            ("2002-12-14T01:02:03Z", Some("2002-12-14T01:02:03Z")),
            ("2002-12-14T01:02:03+00:00", Some("2002-12-14T01:02:03Z")),
            ("2002-1-4", Some("2002-01-04T00:00:00Z")),
            ("2002-13-4", None),
            ("2002-02-30", None),
            ("2001-12-14 21:59:43.10 -5", None),
            ("2001-12-1x", None),
            ("12345-01-01", None),
            ("2024-02-29", Some("2024-02-29T00:00:00Z")),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).map(|t| t.to_rfc3339()).as_deref(), *want, "{input}");
        }
    }
}
