//! Guichet's server: the HTTP API over `guichet-service` ([`api`]), its configuration
//! ([`config`]) and the `guichet-server` command line ([`cli`]).

mod admin_api;
pub mod api;
mod caisse_api;
pub mod cli;
pub mod config;
pub mod tls;

pub use api::{AppState, HttpConfig, router};
