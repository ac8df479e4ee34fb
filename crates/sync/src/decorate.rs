//! Step 4 of a reconcile: stamp rendered objects with who owns them and where they go.
//!
//! Every object gets the tracking-id annotation and the app-instance label; namespaced objects
//! without a namespace get the destination namespace; cluster-scoped objects lose any namespace.
//! Scope comes from the caller's discovery cache, or from a CRD in the same render (so a CR whose
//! CRD is applied in this sync is placed correctly before the CRD is served).

use std::collections::HashMap;

use driftless_api::annotations::{APP_INSTANCE_LABEL, TRACKING_ID};
use driftless_api::tracking::{TrackingId, app_instance_label};
use kube::api::DynamicObject;

use crate::error::Error;
use crate::object_id::{ObjectId, split_api_version};

/// The Application objects belong to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppRef {
    /// Namespace of the Application.
    pub namespace: String,
    /// Name of the Application.
    pub name: String,
}

impl AppRef {
    /// The tracking id this app writes on `id`.
    pub fn tracking_id(&self, id: &ObjectId) -> TrackingId {
        TrackingId {
            app_namespace: self.namespace.clone(),
            app_name: self.name.clone(),
            group: id.group.clone(),
            kind: id.kind.clone(),
            namespace: id.namespace.clone(),
            name: id.name.clone(),
        }
    }
}

impl std::fmt::Display for AppRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Answers "is `group`/`kind` namespaced?" from the discovery cache; `None` when not served.
pub trait ScopeLookup {
    /// `Some(true)` for namespaced kinds, `Some(false)` for cluster-scoped, `None` when unknown.
    fn is_namespaced(&self, group: &str, kind: &str) -> Option<bool>;
}

impl<F: Fn(&str, &str) -> Option<bool>> ScopeLookup for F {
    fn is_namespaced(&self, group: &str, kind: &str) -> Option<bool> {
        self(group, kind)
    }
}

/// Decorates `objects` in place for `app`, defaulting namespaced objects to `default_namespace`.
///
/// Fails on the first object with no identity or unknown scope: applying a partly decorated set
/// would leave untracked objects behind.
pub fn decorate(
    objects: &mut [DynamicObject],
    app: &AppRef,
    default_namespace: Option<&str>,
    scope: &dyn ScopeLookup,
) -> Result<(), Error> {
    let rendered_crds = crd_scopes(objects);
    let label = app_instance_label(&app.name);
    for obj in objects.iter_mut() {
        let (group, kind) = match obj.types.as_ref() {
            Some(t) if !t.kind.is_empty() => (split_api_version(&t.api_version).0.to_owned(), t.kind.clone()),
            _ => {
                return Err(Error::InvalidObject {
                    object: describe(obj),
                });
            }
        };
        let namespaced = scope
            .is_namespaced(&group, &kind)
            .or_else(|| rendered_crds.get(&(group.clone(), kind.clone())).copied())
            .ok_or_else(|| Error::UnknownKind {
                object: describe(obj),
                api_version: obj
                    .types
                    .as_ref()
                    .map(|t| t.api_version.clone())
                    .unwrap_or_default(),
                kind: kind.clone(),
            })?;
        if !namespaced {
            obj.metadata.namespace = None;
        } else if obj.metadata.namespace.as_deref().is_none_or(str::is_empty) {
            let namespace = default_namespace.filter(|ns| !ns.is_empty());
            obj.metadata.namespace = Some(
                namespace
                    .ok_or_else(|| Error::MissingNamespace {
                        object: describe(obj),
                    })?
                    .to_owned(),
            );
        }
        let id = ObjectId::of(obj).ok_or_else(|| Error::InvalidObject {
            object: describe(obj),
        })?;
        obj.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(TRACKING_ID.to_owned(), app.tracking_id(&id).to_string());
        obj.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert(APP_INSTANCE_LABEL.to_owned(), label.clone());
    }
    Ok(())
}

/// `(group, kind) → namespaced` for every CRD in the render.
fn crd_scopes(objects: &[DynamicObject]) -> HashMap<(String, String), bool> {
    objects
        .iter()
        .filter(|o| {
            o.types
                .as_ref()
                .is_some_and(|t| t.kind == "CustomResourceDefinition")
        })
        .filter_map(|crd| {
            let spec = crd.data.get("spec")?;
            let group = spec.get("group")?.as_str()?;
            let kind = spec.get("names")?.get("kind")?.as_str()?;
            let namespaced = spec.get("scope")?.as_str()? == "Namespaced";
            Some(((group.to_owned(), kind.to_owned()), namespaced))
        })
        .collect()
}

/// `Kind namespace/name` for messages, with `?` for what is missing.
pub fn describe(obj: &DynamicObject) -> String {
    match ObjectId::of(obj) {
        Some(id) => id.to_string(),
        None => {
            let kind = obj.types.as_ref().map_or("?", |t| t.kind.as_str());
            format!("{kind} {}", obj.metadata.name.as_deref().unwrap_or("?"))
        }
    }
}

/// The tracking id an object carries, if any (a malformed value counts as none owned by us).
pub fn tracking_id_of(
    obj: &DynamicObject,
) -> Option<Result<TrackingId, driftless_api::tracking::ParseTrackingIdError>> {
    obj.metadata
        .annotations
        .as_ref()?
        .get(TRACKING_ID)
        .map(|v| v.parse())
}

/// Fails with `SharedResource` when `live` carries a tracking id naming another Application.
pub fn check_not_shared(live: &DynamicObject, app: &AppRef) -> Result<(), Error> {
    match tracking_id_of(live) {
        Some(Ok(owner)) if !owner.is_owned_by(&app.namespace, &app.name) => Err(Error::SharedResource {
            object: describe(live),
            owner: format!("{}/{}", owner.app_namespace, owner.app_name),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn obj(value: serde_json::Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    fn app() -> AppRef {
        AppRef {
            namespace: "driftless".into(),
            name: "blog-prod".into(),
        }
    }

    fn builtin(group: &str, kind: &str) -> Option<bool> {
        match (group, kind) {
            ("apps", "Deployment") | ("", "ConfigMap") => Some(true),
            ("", "Namespace") | ("apiextensions.k8s.io", "CustomResourceDefinition") => Some(false),
            _ => None,
        }
    }

    #[test]
    fn stamps_and_defaults_namespace() {
        let mut objects = vec![
            obj(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}})),
            obj(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "other"}}),
            ),
            obj(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "blog", "namespace": "x"}}),
            ),
            obj(
                json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "widgets.example.io"},
                "spec": {"group": "example.io", "scope": "Namespaced", "names": {"kind": "Widget"}}}),
            ),
            obj(json!({"apiVersion": "example.io/v1", "kind": "Widget", "metadata": {"name": "w"}})),
        ];
        decorate(&mut objects, &app(), Some("blog"), &builtin).unwrap();
        let summary: Vec<(Option<&str>, &str)> = objects
            .iter()
            .map(|o| {
                (
                    o.metadata.namespace.as_deref(),
                    o.metadata.annotations.as_ref().unwrap()[TRACKING_ID].as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Some("blog"), "driftless/blog-prod:apps/Deployment:blog/web"),
                (Some("other"), "driftless/blog-prod:/ConfigMap:other/cfg"),
                (None, "driftless/blog-prod:/Namespace:/blog"),
                (
                    None,
                    "driftless/blog-prod:apiextensions.k8s.io/CustomResourceDefinition:/widgets.example.io"
                ),
                (Some("blog"), "driftless/blog-prod:example.io/Widget:blog/w"),
            ]
        );
        assert!(
            objects
                .iter()
                .all(|o| o.metadata.labels.as_ref().unwrap()[APP_INSTANCE_LABEL] == "blog-prod")
        );
    }

    #[test]
    fn unknown_kind_and_missing_identity_fail() {
        let mut unknown = vec![obj(
            json!({"apiVersion": "nope.io/v1", "kind": "Gadget", "metadata": {"name": "g"}}),
        )];
        let err = decorate(&mut unknown, &app(), Some("blog"), &builtin).unwrap_err();
        assert_eq!(err.reason(), "UnknownKind");
        assert!(err.to_string().contains("Gadget"), "{err}");

        let mut homeless = vec![obj(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
        )];
        assert_eq!(
            decorate(&mut homeless, &app(), None, &builtin)
                .unwrap_err()
                .reason(),
            "MissingNamespace"
        );

        let mut nameless = vec![obj(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
        )];
        assert_eq!(
            decorate(&mut nameless, &app(), Some("blog"), &builtin)
                .unwrap_err()
                .reason(),
            "InvalidObject"
        );
    }

    #[test]
    fn shared_resources_are_detected() {
        let owned_by = |id: &str| {
            obj(json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "cfg", "namespace": "blog", "annotations": {TRACKING_ID: id}}}))
        };
        assert!(check_not_shared(&owned_by("driftless/blog-prod:/ConfigMap:blog/cfg"), &app()).is_ok());
        let err = check_not_shared(&owned_by("driftless/shop:/ConfigMap:blog/cfg"), &app()).unwrap_err();
        assert_eq!(err.reason(), "SharedResourceWarning");
        assert!(err.to_string().contains("driftless/shop"));
        let untracked = obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}));
        assert!(check_not_shared(&untracked, &app()).is_ok());
    }
}
