//! Fresh databases for tests (feature `testing`): a temporary SQLite file, or a PostgreSQL
//! schema of its own in the `guichet_test` database. PostgreSQL comes from
//! `GUICHET_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`); a
//! test that cannot reach it fails, it never skips.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

use crate::prelude::*;
use crate::{PgStore, SqliteStore, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL server tests use (its maintenance database).
pub fn postgres_admin_url() -> String {
    std::env::var("GUICHET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A test database; removes its SQLite files when dropped (PostgreSQL schemas live in
/// `guichet_test`, which `make test` drops before each run).
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    /// A URL that reaches the same database (for a second server instance).
    pub url: String,
    files: Vec<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

/// A fresh, migrated SQLite database in a temporary file.
pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name("guichet_test")));
    let url = format!("sqlite://{}", path.display());
    let store = Store::Sqlite(SqliteStore::connect(&url, 8).await.expect("open SQLite"));
    store.migrate().await.expect("migrate SQLite");
    let files = ["", "-wal", "-shm"]
        .iter()
        .map(|s| PathBuf::from(format!("{}{s}", path.display())))
        .collect();
    TestDb { store, url, files }
}

/// A fresh, migrated PostgreSQL schema. Panics (fails the test) if PostgreSQL is unreachable.
pub async fn postgres() -> TestDb {
    let admin = postgres_admin_url();
    let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is required for this test and unreachable at {admin}: {e}")
    });
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'guichet_test')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    if !exists {
        // Two test binaries may race here: a duplicate is fine.
        let _ = sqlx::query("CREATE DATABASE guichet_test")
            .execute(&mut conn)
            .await;
    }
    conn.close().await.ok();

    let base = PgConnectOptions::from_str(&admin)
        .unwrap()
        .database("guichet_test");
    let schema = unique_name("t");
    let mut conn = PgConnection::connect_with(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();

    let options = base.clone().options([("search_path", schema.as_str())]);
    let store = Store::Postgres(PgStore::connect_with(options, 8).await.unwrap());
    store.migrate().await.expect("migrate PostgreSQL");
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path("/guichet_test");
    url.query_pairs_mut()
        .append_pair("options[search_path]", &schema);
    let url = url.to_string();
    TestDb {
        store,
        url,
        files: Vec::new(),
    }
}

/// Declares each named `async fn(TestDb)` as two tests, one on a fresh SQLite database
/// (module `sqlite`) and one on a fresh PostgreSQL schema (module `postgres`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::postgres().await).await
                }
            )*
        }
    };
}
