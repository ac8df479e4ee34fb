//! Clearing one-shot requests users put on our objects (`operation`, the refresh annotation)
//! once a reconcile has handled them, without losing a request made meanwhile.

use std::fmt::Debug;

use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Applies the merge patch `removal` derives from the object's current state, conditional on
/// that state's resourceVersion, so a request changed since it was handled is left for the next
/// reconcile. A conflict reads again (three tries); `removal` returning `None` ends it.
pub async fn clear<K>(
    api: &Api<K>,
    name: &str,
    removal: impl Fn(&K) -> Option<Value>,
) -> Result<(), kube::Error>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    for _ in 0..3 {
        let Some(current) = api.get_opt(name).await? else {
            return Ok(());
        };
        let Some(mut patch) = removal(&current) else {
            return Ok(());
        };
        patch["metadata"]["resourceVersion"] = json!(current.resource_version());
        match api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Err(kube::Error::Api(status)) if status.code == 409 => continue,
            result => return result.map(|_| ()),
        }
    }
    tracing::warn!(
        name,
        "the object kept changing; its handled request stays and runs again"
    );
    Ok(())
}

/// The patch removing annotation `key` when `current` still carries the value `handled` had.
pub fn annotation_removal<K: Resource>(handled: &K, current: &K, key: &str) -> Option<Value> {
    let value = handled.annotations().get(key)?;
    (current.annotations().get(key) == Some(value))
        .then(|| json!({ "metadata": { "annotations": { key: null } } }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;

    fn object(refresh: Option<&str>) -> ConfigMap {
        let mut object = ConfigMap::default();
        if let Some(value) = refresh {
            object.annotations_mut().insert("k".into(), value.into());
        }
        object
    }

    #[test]
    fn removes_only_the_value_that_was_handled() {
        assert_eq!(
            annotation_removal(&object(Some("normal")), &object(Some("normal")), "k"),
            Some(json!({ "metadata": { "annotations": { "k": null } } }))
        );
        assert_eq!(
            annotation_removal(&object(Some("normal")), &object(Some("hard")), "k"),
            None
        );
        assert_eq!(
            annotation_removal(&object(Some("normal")), &object(None), "k"),
            None
        );
        assert_eq!(
            annotation_removal(&object(None), &object(Some("normal")), "k"),
            None
        );
    }
}
