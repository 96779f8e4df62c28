//! Sign-in cost (`make bench`): argon2id with the default parameters, twenty sign-ins in a
//! row. Prints a figure; asserts nothing. Lookups are measured from outside, by
//! scripts/bench_lookups.py.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

use std::sync::Arc;
use std::time::Instant;

use guichet_service::{DEMO_PASSWORD, Provisioning, ServiceConfig, SystemClock, provision};
use guichet_store::{Store, prelude::*};
use zeroize::Zeroizing;

#[tokio::main]
async fn main() {
    guichet_server::tls::install_crypto_provider();
    let dir = std::env::temp_dir().join(format!("guichet_signin_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/signin.db", dir.display());
    let store = Store::connect_with_pool(&url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let g = provision(
        store,
        Arc::new(SystemClock),
        ServiceConfig::default(),
        None,
        Provisioning::files(10, 1),
        |_, _| {},
    )
    .await
    .unwrap()
    .guichet;
    let t = Instant::now();
    for _ in 0..20 {
        g.sign_in("demo.mairie", Zeroizing::new(DEMO_PASSWORD.into()), None)
            .await
            .unwrap();
    }
    println!(
        "sign-in (argon2id 19 MiB, t=2)   {:>8.1} ms each (20 in a row)",
        t.elapsed().as_secs_f64() * 1e3 / 20.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
