//! Guichet's storage: the repository traits, one per aggregate ([`repo`]), each implemented
//! once on the [`Store`], which holds a SQLite or a PostgreSQL backend picked from a URL; the
//! deterministic synthetic data generator ([`synth`]) with its bulk loader ([`seed`]).
//!
//! Layout: `rows.rs` decodes rows into model types; `repo/*.rs` hold the SQL,
//! one module per aggregate, each method written once in plain Rust and run on either
//! backend through `on_backend!` (see `store.rs`); `sqlite.rs` and `postgres.rs` hold what
//! each backend does its own way (connections, migrations, transaction flavours, bulk
//! loads). Callers write `use guichet_store::prelude::*;` to call the repository methods.

mod definitions;
mod error;
pub mod model;
mod postgres;
pub mod reference;
pub mod repo;
mod rows;
pub mod seed;
mod sqlite;
mod store;
pub mod synth;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use error::{Result, StoreError};
pub use model::*;
pub use postgres::PgStore;
pub use repo::{
    Backend, DatabaseRepo, DossierRepo, GroupRepo, HabilitationRepo, LimitRepo, PartnerRepo,
    ReferenceRepo, Repository, RoleRepo, SessionRepo, TraceRepo, UserRepo,
};
pub use sqlite::SqliteStore;
pub use store::{DEFAULT_MAX_CONNECTIONS, Store};

/// The repository traits, so that `use guichet_store::prelude::*;` brings every store method
/// into scope.
pub mod prelude {
    pub use crate::repo::{
        DatabaseRepo, DossierRepo, GroupRepo, HabilitationRepo, LimitRepo, PartnerRepo,
        ReferenceRepo, Repository, RoleRepo, SessionRepo, TraceRepo, UserRepo,
    };
}
