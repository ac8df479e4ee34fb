//! Whom the controller acts as when it applies and prunes: itself, or a ServiceAccount an
//! AppProject names (`destinationServiceAccounts`), impersonated so the API server checks
//! that account's RBAC. Clients are built once per account and reused.

use std::collections::HashMap;
use std::sync::Mutex;

use driftless_sync::discovery::Discovery;

use crate::project::service_account::ServiceAccountRef;

/// The controller's own client settings and one client per impersonated account.
pub struct Identities {
    base: kube::Config,
    own: Discovery,
    requests: prometheus::IntCounterVec,
    accounts: Mutex<HashMap<ServiceAccountRef, Discovery>>,
}

impl Identities {
    /// Identities derived from `base` (the controller's own settings); `own` acts as the
    /// controller. Every client counts its requests in `requests`.
    pub fn new(base: kube::Config, own: Discovery, requests: prometheus::IntCounterVec) -> Identities {
        Identities {
            base,
            own,
            requests,
            accounts: Mutex::default(),
        }
    }

    /// A discovery cache whose client acts as `account`, or as the controller when `None`.
    pub fn acting_as(&self, account: Option<&ServiceAccountRef>) -> Result<Discovery, kube::Error> {
        let Some(account) = account else {
            return Ok(self.own.clone());
        };
        if let Some(found) = self.accounts.lock().ok().and_then(|m| m.get(account).cloned()) {
            return Ok(found);
        }
        let mut config = self.base.clone();
        // The API server adds the ServiceAccount's groups when none are given.
        config.auth_info.impersonate = Some(account.user_name());
        config.auth_info.impersonate_groups = None;
        let discovery = self
            .own
            .with_client(crate::metered::client(config, self.requests.clone())?);
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.insert(account.clone(), discovery.clone());
        }
        Ok(discovery)
    }
}
