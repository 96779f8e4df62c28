//! The [`Store`]: the backend chosen at run time from a URL, and [`on_backend!`], which
//! runs one body of plain Rust against whichever backend the store holds.

use crate::postgres::PgStore;
use crate::sqlite::SqliteStore;
use crate::{Result, StoreError};

/// The store chosen at run time from a URL: `sqlite://path` or `postgres://…`.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// SQLite's connection pool size when the caller does not say.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

impl Store {
    /// The pool size for `url` when the caller does not say. PostgreSQL: twice the cores
    /// plus one (the PostgreSQL wiki's starting point): more connections than the machine
    /// can run at once only add context switches and lock waits (issue 14: on 2 cores, 5
    /// connections gave 1.5 × the lookups of 16 at 64 clients, with a lower p99).
    pub fn default_pool_size(url: &str) -> u32 {
        if url.starts_with("sqlite:") {
            return DEFAULT_MAX_CONNECTIONS;
        }
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        u32::try_from(cores * 2 + 1).unwrap_or(DEFAULT_MAX_CONNECTIONS)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with_pool(url, Self::default_pool_size(url)).await
    }

    pub async fn connect_with_pool(url: &str, max_connections: u32) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(
                SqliteStore::connect(url, max_connections).await?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(
                PgStore::connect(url, max_connections).await?,
            ))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Connects and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        crate::DatabaseRepo::migrate(&store).await?;
        Ok(store)
    }

    /// Closes the pool (waits for connections in use to come back).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }
}

/// `on_backend!(store, |db| body)` evaluates `body` with `db` bound to the backend the
/// [`Store`] holds: `&SqliteStore` or `&PgStore`. The body is written once and expanded once
/// per backend, so each copy type-checks against its own driver (`sqlx` infers the database
/// from the pool or transaction it runs on; no `sqlx::Any`). Both backends offer the same
/// helpers to the body: `pool()`, `begin_write()`, `begin_relaxed()`, `begin_traces()`.
///
/// The closure syntax is what lets rustfmt and rust-analyzer read the body; it is inlined,
/// not called, so `?` and `.await` act on the enclosing method. Keep each call the method's
/// tail expression (or follow it with `?`), so both readings agree.
///
/// Where the SQL differs per backend, write a `match` on the [`Store`] instead.
macro_rules! on_backend {
    ($store:expr, |$db:ident| $body:expr) => {
        match $store {
            $crate::Store::Sqlite($db) => $body,
            $crate::Store::Postgres($db) => $body,
        }
    };
}

pub(crate) use on_backend;
