//! `syncPolicy.syncOptions` and the per-object `driftless.dev/sync-options` annotation, parsed once
//! into typed structs. Code downstream reads fields, never the strings.

/// What to do with an object's dependents when it is pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PropagationPolicy {
    /// Delete the object now; the garbage collector removes dependents (the default).
    #[default]
    Background,
    /// Delete dependents first, then the object.
    Foreground,
    /// Leave dependents behind.
    Orphan,
}

/// The Application's sync options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// `CreateNamespace=true`: create the destination namespace before applying.
    pub create_namespace: bool,
    /// `PrunePropagationPolicy=background|foreground|orphan`.
    pub prune_propagation_policy: PropagationPolicy,
    /// `PruneLast=true`: prune after everything else is applied and healthy.
    pub prune_last: bool,
    /// Always true: Driftless only applies server-side (`ServerSideApply=true` is accepted and implied).
    pub server_side_apply: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            create_namespace: false,
            prune_propagation_policy: PropagationPolicy::Background,
            prune_last: false,
            server_side_apply: true,
        }
    }
}

/// Options one object carries in its `driftless.dev/sync-options` annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectSyncOptions {
    /// `Prune=false` keeps the object when it leaves git.
    pub prune: bool,
    /// `PruneLast=true` prunes this object after everything else.
    pub prune_last: bool,
}

impl Default for ObjectSyncOptions {
    fn default() -> Self {
        ObjectSyncOptions {
            prune: true,
            prune_last: false,
        }
    }
}

/// A sync option Driftless does not understand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncOptionError {
    /// The key is not a known option here.
    #[error("unknown sync option {option:?} (known: {known})")]
    Unknown {
        /// The option as written.
        option: String,
        /// The options accepted in this place.
        known: &'static str,
    },
    /// The key is known but the value is not allowed.
    #[error("sync option {option:?}: value must be one of {allowed}")]
    BadValue {
        /// The option as written.
        option: String,
        /// The values accepted.
        allowed: &'static str,
    },
}

impl SyncOptionError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        "InvalidSyncOption"
    }
}

const APP_OPTIONS: &str = "CreateNamespace, PrunePropagationPolicy, PruneLast, ServerSideApply";
const OBJECT_OPTIONS: &str = "Prune, PruneLast, ServerSideApply";

impl SyncOptions {
    /// Parses `syncPolicy.syncOptions` entries such as `CreateNamespace=true`.
    pub fn parse<S: AsRef<str>>(options: &[S]) -> Result<SyncOptions, SyncOptionError> {
        let mut parsed = SyncOptions::default();
        for option in options {
            let option = option.as_ref();
            let (key, value) = split(option);
            match key {
                "CreateNamespace" => parsed.create_namespace = boolean(option, value)?,
                "PruneLast" => parsed.prune_last = boolean(option, value)?,
                "ServerSideApply" => server_side_apply(option, value)?,
                "PrunePropagationPolicy" => {
                    parsed.prune_propagation_policy = match value.to_ascii_lowercase().as_str() {
                        "background" => PropagationPolicy::Background,
                        "foreground" => PropagationPolicy::Foreground,
                        "orphan" => PropagationPolicy::Orphan,
                        _ => return Err(bad(option, "background, foreground, orphan")),
                    }
                }
                _ => {
                    return Err(SyncOptionError::Unknown {
                        option: option.to_owned(),
                        known: APP_OPTIONS,
                    });
                }
            }
        }
        Ok(parsed)
    }
}

impl ObjectSyncOptions {
    /// Parses the comma-separated `driftless.dev/sync-options` annotation value.
    pub fn parse(annotation: &str) -> Result<ObjectSyncOptions, SyncOptionError> {
        let mut parsed = ObjectSyncOptions::default();
        for option in annotation.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let (key, value) = split(option);
            match key {
                "Prune" => parsed.prune = boolean(option, value)?,
                "PruneLast" => parsed.prune_last = boolean(option, value)?,
                "ServerSideApply" => server_side_apply(option, value)?,
                _ => {
                    return Err(SyncOptionError::Unknown {
                        option: option.to_owned(),
                        known: OBJECT_OPTIONS,
                    });
                }
            }
        }
        Ok(parsed)
    }
}

fn split(option: &str) -> (&str, &str) {
    let (key, value) = option.split_once('=').unwrap_or((option, ""));
    (key.trim(), value.trim())
}

fn bad(option: &str, allowed: &'static str) -> SyncOptionError {
    SyncOptionError::BadValue {
        option: option.to_owned(),
        allowed,
    }
}

fn boolean(option: &str, value: &str) -> Result<bool, SyncOptionError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(option, "true, false")),
    }
}

fn server_side_apply(option: &str, value: &str) -> Result<(), SyncOptionError> {
    // Client-side apply is not implemented; saying so beats silently ignoring `=false`.
    if value == "true" {
        Ok(())
    } else {
        Err(bad(option, "true (server-side apply is always on)"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn app_options() {
        let defaults = SyncOptions::default();
        let cases: Vec<(Vec<&str>, SyncOptions)> = vec![
            (vec![], defaults.clone()),
            (
                vec!["CreateNamespace=true"],
                SyncOptions {
                    create_namespace: true,
                    ..defaults.clone()
                },
            ),
            (
                vec![
                    "PrunePropagationPolicy=foreground",
                    "PruneLast=true",
                    "ServerSideApply=true",
                ],
                SyncOptions {
                    prune_propagation_policy: PropagationPolicy::Foreground,
                    prune_last: true,
                    ..defaults.clone()
                },
            ),
            (
                vec!["PrunePropagationPolicy=orphan"],
                SyncOptions {
                    prune_propagation_policy: PropagationPolicy::Orphan,
                    ..defaults.clone()
                },
            ),
            (vec!["PrunePropagationPolicy=background"], defaults.clone()),
        ];
        for (input, want) in cases {
            assert_eq!(SyncOptions::parse(&input).unwrap(), want, "{input:?}");
        }
    }

    #[test]
    fn app_option_errors_name_the_option() {
        for input in [
            "Replace=true",
            "CreateNamespace=yes",
            "PrunePropagationPolicy=sideways",
            "ServerSideApply=false",
        ] {
            let err = SyncOptions::parse(&[input]).unwrap_err();
            assert!(err.to_string().contains(input), "{err}");
            assert_eq!(err.reason(), "InvalidSyncOption");
        }
    }

    #[test]
    fn object_options() {
        let cases = [
            ("", ObjectSyncOptions::default()),
            (
                "Prune=false",
                ObjectSyncOptions {
                    prune: false,
                    prune_last: false,
                },
            ),
            (
                " Prune=false , PruneLast=true ",
                ObjectSyncOptions {
                    prune: false,
                    prune_last: true,
                },
            ),
            (
                "PruneLast=true",
                ObjectSyncOptions {
                    prune: true,
                    prune_last: true,
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(ObjectSyncOptions::parse(input).unwrap(), want, "{input:?}");
        }
        assert!(ObjectSyncOptions::parse("Prune=maybe").is_err());
        assert!(ObjectSyncOptions::parse("CreateNamespace=true").is_err());
    }
}
