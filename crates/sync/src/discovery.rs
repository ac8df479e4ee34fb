//! GroupVersionKind → API resource and scope, cached.
//!
//! A kind is looked up once and cached; a miss (a CRD applied moments ago)
//! asks the API server again, so a CR whose CRD is in the same render resolves
//! as soon as the CRD is served. Unknown kinds are not cached.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::discovery::{Scope, pinned_kind};

/// What the sync engine needs to know about a kind.
#[derive(Debug, Clone)]
pub struct KindInfo {
    /// Group, version, kind and plural for building requests.
    pub resource: ApiResource,
    /// True for namespaced kinds.
    pub namespaced: bool,
}

/// A kind the API server does not serve (or could not be asked about).
#[derive(Debug, thiserror::Error)]
#[error("the API server does not serve {kind} ({api_version}): {source}")]
pub struct DiscoveryError {
    /// `group/version` of the kind.
    pub api_version: String,
    /// The kind.
    pub kind: String,
    /// The API error.
    #[source]
    pub source: kube::Error,
}

impl DiscoveryError {
    /// Condition/Event reason.
    pub fn reason(&self) -> &'static str {
        "UnknownKind"
    }

    /// The API server answered that it does not serve the kind (its group/version is unknown,
    /// or the version lacks the kind) — as opposed to a failure to ask.
    pub fn not_served(&self) -> bool {
        match &self.source {
            kube::Error::Api(status) => status.code == 404,
            kube::Error::Discovery(kube::error::DiscoveryError::MissingKind(_)) => true,
            _ => false,
        }
    }
}

/// The discovery cache.
#[derive(Clone)]
pub struct Discovery {
    client: Client,
    kinds: Arc<RwLock<HashMap<GroupVersionKind, Arc<KindInfo>>>>,
}

impl Discovery {
    /// An empty cache over `client`.
    pub fn new(client: Client) -> Discovery {
        Discovery {
            client,
            kinds: Arc::default(),
        }
    }

    /// The same cache over another client (one impersonating a ServiceAccount, say): kinds
    /// resolve the same for every identity, so the entries are shared.
    pub fn with_client(&self, client: Client) -> Discovery {
        Discovery {
            client,
            kinds: Arc::clone(&self.kinds),
        }
    }

    /// The client the cache asks.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Resolves `gvk`, asking the API server on a cache miss.
    pub async fn resolve(&self, gvk: &GroupVersionKind) -> Result<Arc<KindInfo>, DiscoveryError> {
        if let Some(info) = self.cached(gvk) {
            return Ok(info);
        }
        let (resource, capabilities) =
            pinned_kind(&self.client, gvk)
                .await
                .map_err(|source| DiscoveryError {
                    api_version: gvk.api_version(),
                    kind: gvk.kind.clone(),
                    source,
                })?;
        let info = Arc::new(KindInfo {
            resource,
            namespaced: capabilities.scope == Scope::Namespaced,
        });
        if let Ok(mut kinds) = self.kinds.write() {
            kinds.insert(gvk.clone(), info.clone());
        }
        Ok(info)
    }

    /// The cached entry for `gvk`, if any.
    pub fn cached(&self, gvk: &GroupVersionKind) -> Option<Arc<KindInfo>> {
        self.kinds.read().ok()?.get(gvk).cloned()
    }

    /// Forgets every cached kind (after CRDs were deleted, say).
    pub fn invalidate(&self) {
        if let Ok(mut kinds) = self.kinds.write() {
            kinds.clear();
        }
    }

    /// A dynamic API handle for `info`, scoped to `namespace` for namespaced kinds.
    pub fn api(&self, info: &KindInfo, namespace: Option<&str>) -> Api<DynamicObject> {
        match (info.namespaced, namespace) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &info.resource),
            _ => Api::all_with(self.client.clone(), &info.resource),
        }
    }
}

/// The GroupVersionKind of a dynamic object, if it has `apiVersion` and `kind`.
pub fn gvk_of(obj: &DynamicObject) -> Option<GroupVersionKind> {
    let types = obj.types.as_ref()?;
    let (group, version) = match types.api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", types.api_version.as_str()),
    };
    Some(GroupVersionKind::gvk(group, version, &types.kind))
}
