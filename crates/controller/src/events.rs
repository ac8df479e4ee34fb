//! Kubernetes Events on Applications: sync started/finished, prune,
//! self-heal, errors. The reason is the same CamelCase word as the condition
//! reason and the metric label.

use driftless_api::Application;
use kube::runtime::events::{Event, EventType};

use crate::context::Context;

/// One Event to publish about an Application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppEvent {
    /// Warning (true) or Normal.
    pub warning: bool,
    /// CamelCase reason.
    pub reason: String,
    /// What the controller did: `Sync`, `Prune`, `SelfHeal`, `Compare`.
    pub action: &'static str,
    /// One sentence for people.
    pub note: String,
}

impl AppEvent {
    /// A Normal event.
    pub fn normal(reason: &str, action: &'static str, note: impl Into<String>) -> AppEvent {
        AppEvent {
            warning: false,
            reason: reason.to_owned(),
            action,
            note: note.into(),
        }
    }

    /// A Warning event.
    pub fn warning(reason: &str, action: &'static str, note: impl Into<String>) -> AppEvent {
        AppEvent {
            warning: true,
            reason: reason.to_owned(),
            action,
            note: note.into(),
        }
    }
}

/// Publishes `event` on `app`; a failure is logged, never fatal.
pub async fn publish(ctx: &Context, app: &Application, event: &AppEvent) {
    let kube_event = Event {
        type_: if event.warning {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: event.reason.clone(),
        note: Some(event.note.chars().take(1024).collect()),
        action: event.action.to_owned(),
        secondary: None,
    };
    let reference = crate::application::object_ref(app);
    if let Err(error) = ctx.recorder.publish(&kube_event, &reference).await {
        tracing::warn!(%error, reason = %event.reason, "could not publish event");
    }
}
