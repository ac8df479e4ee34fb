//! AppProjects: what an Application may deploy, where, and when.
//!
//! [`policy`] (sources, destinations, kinds), [`service_account`] (whom a
//! sync acts as) and [`sync_window`] (cron windows) are pure; [`reconcile`]
//! loads the project (creating `default`) and holds a decision back when a
//! window is closed.

pub mod policy;
pub mod reconcile;
pub mod service_account;
pub mod sync_window;
