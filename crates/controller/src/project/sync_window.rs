//! Sync windows (Argo CD semantics): a window opens at each occurrence of its
//! cron `schedule` (in `timeZone`, default UTC) and stays open for `duration`.
//! A window applies to an Application when its name matches `applications`,
//! its destination namespace matches `namespaces`, or its cluster matches
//! `clusters` (with `andOperator: true`, when every non-empty one of them
//! does). An active deny window blocks syncs (manual ones too unless
//! every active deny window has `manualSync: true`); when any allow window
//! applies, syncs run only inside an active one (manual ones outside need an
//! allow window with `manualSync: true`). Pure: the caller passes `now`.

use std::str::FromStr;

use croner::Cron;
use driftless_api::application::IN_CLUSTER_NAME;
use driftless_api::project::{SyncWindow, SyncWindowKind};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::policy::glob_match;

/// A window that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// `schedule` is not a cron expression.
    #[error("sync window {index}: schedule {schedule:?}: {message}")]
    Schedule {
        /// Position in `syncWindows`.
        index: usize,
        /// The schedule.
        schedule: String,
        /// The parser's complaint.
        message: String,
    },
    /// `duration` is not a duration like `1h30m`.
    #[error("sync window {index}: duration {duration:?} is not a duration like 1h30m")]
    Duration {
        /// Position in `syncWindows`.
        index: usize,
        /// The duration.
        duration: String,
    },
    /// `timeZone` is not an IANA zone.
    #[error("sync window {index}: unknown timeZone {zone:?}")]
    TimeZone {
        /// Position in `syncWindows`.
        index: usize,
        /// The zone.
        zone: String,
    },
}

impl WindowError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        "InvalidSyncWindow"
    }
}

/// Who asks to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKind {
    /// Automated sync or self-heal.
    Automated,
    /// `operation.sync`.
    Manual,
}

/// The verdict for one kind of sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Syncs may run.
    Open,
    /// Syncs may not run.
    Closed {
        /// Which window(s) block, in words.
        why: String,
        /// When syncs may run again (`None` when no window opens within the search horizon).
        opens_at: Option<Timestamp>,
    },
}

impl Gate {
    /// True when syncs may run.
    pub fn is_open(&self) -> bool {
        matches!(self, Gate::Open)
    }

    /// One sentence for a condition.
    pub fn message(&self, kind: SyncKind) -> Option<String> {
        match self {
            Gate::Open => None,
            Gate::Closed { why, opens_at } => {
                let what = match kind {
                    SyncKind::Automated => "automated sync and self-heal",
                    SyncKind::Manual => "manual sync",
                };
                let when = opens_at.map_or_else(|| "no opening found".into(), |t| format!("opens at {t}"));
                Some(format!("{what} blocked by {why}; {when}"))
            }
        }
    }
}

/// The Application a window is evaluated for.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Application name.
    pub app: &'a str,
    /// Destination namespace.
    pub namespace: &'a str,
}

/// A window, parsed.
struct Parsed<'a> {
    window: &'a SyncWindow,
    cron: Cron,
    duration: SignedDuration,
    zone: TimeZone,
}

impl Parsed<'_> {
    /// The end of the occurrence covering `at`, when one does.
    fn active_until(&self, at: Timestamp) -> Option<Timestamp> {
        let local = at.to_zoned(self.zone.clone());
        let start = self.cron.find_previous_occurrence(&local, true).ok()?;
        let end = start.timestamp().checked_add(self.duration).ok()?;
        (end > at).then_some(end)
    }

    /// The first start strictly after `at`.
    fn next_start(&self, at: Timestamp) -> Option<Timestamp> {
        let local = at.to_zoned(self.zone.clone());
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|z| z.timestamp())
    }

    fn describe(&self) -> String {
        let w = self.window;
        let kind = match w.kind {
            SyncWindowKind::Allow => "allow",
            SyncWindowKind::Deny => "deny",
        };
        let zone = w.time_zone.as_deref().unwrap_or("UTC");
        let mut text = format!("{kind} window '{}' ({}, {zone})", w.schedule, w.duration);
        if let Some(description) = w.description.as_deref().filter(|d| !d.is_empty()) {
            text.push_str(&format!(" \"{description}\""));
        }
        text
    }
}

fn applies(window: &SyncWindow, target: Target<'_>) -> bool {
    let lists = [
        (&window.applications, target.app),
        (&window.namespaces, target.namespace),
        (&window.clusters, IN_CLUSTER_NAME),
    ];
    let mut used = lists
        .iter()
        .filter(|(patterns, _)| !patterns.is_empty())
        .peekable();
    let matches = |(patterns, text): &&(&Vec<String>, &str)| patterns.iter().any(|p| glob_match(p, text));
    if window.and_operator {
        used.peek().is_some() && used.all(|list| matches(&list))
    } else {
        used.any(|list| matches(&list))
    }
}

/// Parses a Go-style duration (`90s`, `1h30m`, `12h`).
pub fn parse_duration(text: &str) -> Option<SignedDuration> {
    let mut total = 0i64;
    let mut number = String::new();
    let mut chars = text.trim().chars().peekable();
    chars.peek()?;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let value: i64 = number.parse().ok()?;
        number.clear();
        let unit = match (c, chars.peek()) {
            ('m', Some('s')) => {
                chars.next();
                return None;
            }
            ('h', _) => 3600,
            ('m', _) => 60,
            ('s', _) => 1,
            _ => return None,
        };
        total = total.checked_add(value.checked_mul(unit)?)?;
    }
    if !number.is_empty() || total <= 0 {
        return None;
    }
    Some(SignedDuration::from_secs(total))
}

/// The windows of a project that apply to `target`, parsed.
fn parse_all<'a>(windows: &'a [SyncWindow], target: Target<'_>) -> Result<Vec<Parsed<'a>>, WindowError> {
    let mut parsed = Vec::new();
    for (index, window) in windows.iter().enumerate() {
        let cron = Cron::from_str(&window.schedule).map_err(|e| WindowError::Schedule {
            index,
            schedule: window.schedule.clone(),
            message: e.to_string(),
        })?;
        let duration = parse_duration(&window.duration).ok_or_else(|| WindowError::Duration {
            index,
            duration: window.duration.clone(),
        })?;
        let zone = match window.time_zone.as_deref().filter(|z| !z.is_empty()) {
            None => TimeZone::UTC,
            Some(name) => TimeZone::get(name).map_err(|_| WindowError::TimeZone {
                index,
                zone: name.to_owned(),
            })?,
        };
        if applies(window, target) {
            parsed.push(Parsed {
                window,
                cron,
                duration,
                zone,
            });
        }
    }
    Ok(parsed)
}

/// The gate at one instant, without looking for the opening.
fn gate_at(windows: &[Parsed<'_>], kind: SyncKind, at: Timestamp) -> Result<(), String> {
    let active: Vec<&Parsed<'_>> = windows.iter().filter(|w| w.active_until(at).is_some()).collect();
    let denies: Vec<&&Parsed<'_>> = active
        .iter()
        .filter(|w| w.window.kind == SyncWindowKind::Deny)
        .collect();
    if !denies.is_empty() {
        let manual_ok = kind == SyncKind::Manual && denies.iter().all(|w| w.window.manual_sync);
        if !manual_ok {
            let names: Vec<String> = denies.iter().map(|w| w.describe()).collect();
            return Err(names.join(" and "));
        }
        return Ok(());
    }
    let allows: Vec<&Parsed<'_>> = windows
        .iter()
        .filter(|w| w.window.kind == SyncWindowKind::Allow)
        .collect();
    let inside_allow = active.iter().any(|w| w.window.kind == SyncWindowKind::Allow);
    if !allows.is_empty() && !inside_allow {
        let manual_ok = kind == SyncKind::Manual && allows.iter().any(|w| w.window.manual_sync);
        if !manual_ok {
            let names: Vec<String> = allows.iter().map(|w| w.describe()).collect();
            return Err(format!("being outside every allow window ({})", names.join(", ")));
        }
    }
    Ok(())
}

/// How many window boundaries to step over looking for the next opening.
const MAX_STEPS: usize = 256;

/// Whether a sync of `kind` may run at `now` for `target`, and if not, why and when it may.
pub fn evaluate(
    windows: &[SyncWindow],
    target: Target<'_>,
    kind: SyncKind,
    now: Timestamp,
) -> Result<Gate, WindowError> {
    let parsed = parse_all(windows, target)?;
    let why = match gate_at(&parsed, kind, now) {
        Ok(()) => return Ok(Gate::Open),
        Err(why) => why,
    };
    // Step from boundary to boundary (window ends, next starts) until the gate opens.
    let mut at = now;
    for _ in 0..MAX_STEPS {
        let next = parsed
            .iter()
            .flat_map(|w| [w.active_until(at), w.next_start(at)])
            .flatten()
            .filter(|t| *t > at)
            .min();
        let Some(next) = next else { break };
        at = next;
        if gate_at(&parsed, kind, at).is_ok() {
            return Ok(Gate::Closed {
                why,
                opens_at: Some(at),
            });
        }
    }
    Ok(Gate::Closed { why, opens_at: None })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn window(
        kind: SyncWindowKind,
        schedule: &str,
        duration: &str,
        manual: bool,
        zone: Option<&str>,
    ) -> SyncWindow {
        SyncWindow {
            kind,
            schedule: schedule.into(),
            duration: duration.into(),
            applications: vec!["*".into()],
            manual_sync: manual,
            time_zone: zone.map(Into::into),
            ..SyncWindow::default()
        }
    }

    /// The blog's prod project: closed Friday 12:00 for 12h and Saturday/Sunday 20:00 for 10h, New York time.
    fn blog_prod() -> Vec<SyncWindow> {
        let ny = Some("America/New_York");
        vec![
            window(SyncWindowKind::Deny, "0 12 * * 5", "12h", true, ny),
            window(SyncWindowKind::Deny, "0 20 * * 6,0", "10h", true, ny),
        ]
    }

    fn ny(text: &str) -> Timestamp {
        let dt: jiff::civil::DateTime = text.parse().unwrap();
        dt.in_tz("America/New_York").unwrap().timestamp()
    }

    const APP: Target<'static> = Target {
        app: "payments-api-prod",
        namespace: "payments-api",
    };

    #[test]
    fn blog_prod_windows() {
        // 2026-11-27 is a Friday.
        let cases = [
            ("2026-11-26T15:00", true, None),                      // Thursday afternoon
            ("2026-11-27T11:59", true, None),                      // Friday just before noon
            ("2026-11-27T12:00", false, Some("2026-11-28T00:00")), // Friday noon: closed until midnight
            ("2026-11-27T23:59", false, Some("2026-11-28T00:00")),
            ("2026-11-28T10:00", true, None), // Saturday morning
            ("2026-11-28T21:00", false, Some("2026-11-29T06:00")), // Saturday night
            ("2026-11-29T05:00", false, Some("2026-11-29T06:00")), // still Saturday's window
            ("2026-11-29T12:00", true, None), // Sunday noon
            ("2026-11-29T20:30", false, Some("2026-11-30T06:00")), // Sunday night
            ("2026-11-30T06:00", true, None), // Monday morning
        ];
        for (at, open, opens) in cases {
            let gate = evaluate(&blog_prod(), APP, SyncKind::Automated, ny(at)).unwrap();
            assert_eq!(gate.is_open(), open, "{at}: {gate:?}");
            if let (Gate::Closed { opens_at, why }, Some(opens)) = (&gate, opens) {
                assert_eq!(*opens_at, Some(ny(opens)), "{at}");
                assert!(why.contains("deny window"), "{why}");
            }
            // manualSync: true lets people sync by hand inside the freeze.
            assert!(
                evaluate(&blog_prod(), APP, SyncKind::Manual, ny(at))
                    .unwrap()
                    .is_open(),
                "{at}"
            );
        }
    }

    #[test]
    fn manual_sync_needs_manual_sync_true() {
        let windows = vec![window(SyncWindowKind::Deny, "* * * * *", "1h", false, None)];
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        assert!(!evaluate(&windows, APP, SyncKind::Manual, now).unwrap().is_open());
        let gate = evaluate(&windows, APP, SyncKind::Automated, now).unwrap();
        // A window starting every minute never closes: no opening is found.
        assert_eq!(
            gate,
            Gate::Closed {
                why: "deny window '* * * * *' (1h, UTC)".into(),
                opens_at: None
            }
        );
    }

    #[test]
    fn allow_windows_restrict_syncs_to_themselves() {
        // Allowed 22:00–23:00 UTC daily.
        let windows = vec![window(SyncWindowKind::Allow, "0 22 * * *", "1h", false, None)];
        let at = |s: &str| -> Timestamp { format!("{s}Z").parse().unwrap() };
        let cases = [
            ("2026-11-23T21:00:00", false, Some("2026-11-23T22:00:00")),
            ("2026-11-23T22:30:00", true, None),
            ("2026-11-23T23:00:00", false, Some("2026-11-24T22:00:00")),
        ];
        for (now, open, opens) in cases {
            let gate = evaluate(&windows, APP, SyncKind::Automated, at(now)).unwrap();
            assert_eq!(gate.is_open(), open, "{now}");
            if let Gate::Closed { opens_at, why } = gate {
                assert_eq!(opens_at, opens.map(at), "{now}");
                assert!(why.contains("outside every allow window"), "{why}");
            }
        }
        // A deny inside the allow window wins.
        let mut both = windows.clone();
        both.push(window(SyncWindowKind::Deny, "15 22 * * *", "30m", false, None));
        let gate = evaluate(&both, APP, SyncKind::Automated, at("2026-11-23T22:20:00")).unwrap();
        assert_eq!(
            gate,
            Gate::Closed {
                why: "deny window '15 22 * * *' (30m, UTC)".into(),
                opens_at: Some(at("2026-11-23T22:45:00"))
            },
            "syncs resume when the deny ends inside the allow window"
        );
    }

    /// Whether automated syncs of `app` in `namespace` may run under `window` alone.
    fn open_for(window: &SyncWindow, app: &str, namespace: &str, now: Timestamp) -> bool {
        let target = Target { app, namespace };
        evaluate(std::slice::from_ref(window), target, SyncKind::Automated, now)
            .unwrap()
            .is_open()
    }

    #[test]
    fn windows_apply_by_app_or_namespace() {
        let mut w = window(SyncWindowKind::Deny, "* * * * *", "1h", false, None);
        w.applications = vec!["billing-*".into()];
        w.namespaces = vec!["ledger".into()];
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let cases = [
            ("billing-prod", "x", false),
            ("web", "ledger", false),
            ("web", "web", true),
        ];
        for (app, namespace, open) in cases {
            assert_eq!(open_for(&w, app, namespace, now), open, "{app} {namespace}");
        }
    }

    #[test]
    fn and_operator_needs_every_listed_selector_to_match() {
        let mut w = window(SyncWindowKind::Deny, "* * * * *", "1h", false, None);
        w.applications = vec!["billing-*".into()];
        w.namespaces = vec!["ledger".into()];
        w.and_operator = true;
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let cases = [
            ("billing-prod", "ledger", false),
            ("billing-prod", "x", true),
            ("web", "ledger", true),
        ];
        for (app, namespace, open) in cases {
            assert_eq!(open_for(&w, app, namespace, now), open, "{app} {namespace}");
        }
        let mut empty = window(SyncWindowKind::Deny, "* * * * *", "1h", false, None);
        empty.applications.clear();
        empty.and_operator = true;
        assert!(
            open_for(&empty, "web", "web", now),
            "a window selecting nothing applies to nothing"
        );
    }

    #[test]
    fn invalid_windows_are_errors() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let cases = [
            (
                window(SyncWindowKind::Deny, "not cron", "1h", false, None),
                "schedule",
            ),
            (
                window(SyncWindowKind::Deny, "* * * * *", "soon", false, None),
                "duration",
            ),
            (
                window(
                    SyncWindowKind::Deny,
                    "* * * * *",
                    "1h",
                    false,
                    Some("Mars/Olympus"),
                ),
                "timeZone",
            ),
        ];
        for (w, what) in cases {
            let error = evaluate(&[w], APP, SyncKind::Automated, now).unwrap_err();
            assert!(error.to_string().contains(what), "{error}");
            assert_eq!(error.reason(), "InvalidSyncWindow");
        }
    }

    #[test]
    fn go_durations() {
        let cases = [
            ("90s", Some(90)),
            ("1h30m", Some(5400)),
            ("12h", Some(43200)),
            ("", None),
            ("5", None),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text),
                secs.map(SignedDuration::from_secs),
                "{text}"
            );
        }
    }
}
