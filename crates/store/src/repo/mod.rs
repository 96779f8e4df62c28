//! The repository traits: every read and write the service needs, one narrow trait per
//! aggregate, each implemented once on [`crate::Store`] and run on whichever backend it holds
//! (through `on_backend!`, in `store.rs`). [`Repository`] gathers them all; callers bring the
//! methods into scope with `use guichet_store::prelude::*;`. The contract suite
//! (`tests/contract.rs`) runs on both backends.

use std::future::Future;

use crate::store::on_backend;
use crate::{Result, Store};

mod dossiers;
mod groups;
mod habilitations;
mod limits;
mod partners;
mod reference;
mod roles;
mod sessions;
mod traces;
mod users;

pub use dossiers::DossierRepo;
pub use groups::GroupRepo;
pub use habilitations::HabilitationRepo;
pub use limits::LimitRepo;
pub use partners::PartnerRepo;
pub use reference::ReferenceRepo;
pub use roles::RoleRepo;
pub use sessions::SessionRepo;
pub use traces::TraceRepo;
pub use users::UserRepo;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database as a whole: which one, its schema, whether it answers.
pub trait DatabaseRepo: Send + Sync {
    fn backend(&self) -> Backend;
    /// Applies pending migrations.
    fn migrate(&self) -> impl Future<Output = Result<()>> + Send;
    /// A round trip to the database (health checks).
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;
}

/// Every repository trait at once: what the service and the loaders ask of a store.
pub trait Repository:
    DatabaseRepo
    + ReferenceRepo
    + PartnerRepo
    + UserRepo
    + RoleRepo
    + HabilitationRepo
    + GroupRepo
    + DossierRepo
    + SessionRepo
    + LimitRepo
    + TraceRepo
{
}

impl<T> Repository for T where
    T: DatabaseRepo
        + ReferenceRepo
        + PartnerRepo
        + UserRepo
        + RoleRepo
        + HabilitationRepo
        + GroupRepo
        + DossierRepo
        + SessionRepo
        + LimitRepo
        + TraceRepo
{
}

impl DatabaseRepo for Store {
    fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    async fn migrate(&self) -> Result<()> {
        on_backend!(self, |db| db.run_migrations().await)
    }

    async fn ping(&self) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query("SELECT 1").execute(db.pool()).await?;
            Ok(())
        })
    }
}
