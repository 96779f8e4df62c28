//! Test fixtures shared by every suite (feature `testing`): a provisioned database on a
//! driven clock, the demo accounts made ready for lookups, files of a given shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use guichet_core::Dossier;
use guichet_core::wire::{LookupRequest, SessionInfo};
use guichet_store::DossierFilter;
use guichet_store::prelude::*;
use guichet_store::testing::TestDb;
use zeroize::Zeroizing;

use crate::provision::{Provisioning, provision};
use crate::{DEMO_PASSWORD, Guichet, ManualClock, ReadySession, ServiceConfig};

/// The password the fixtures change the demo password to.
pub const NEW_PASSWORD: &str = "Tulipe-Rouge-42-Vélo";

/// Files of a test database (every outcome is represented).
pub const TEST_FILES: u64 = 1_500;

/// 10:00 in Paris on a Monday in November: inside every caisse's opening hours.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

pub fn pw(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.to_owned())
}

pub fn lookup_request(service: &str, nir: &str, name: &str) -> LookupRequest {
    LookupRequest {
        service: service.into(),
        nir: pw(nir),
        name: pw(name),
        as_of: None,
        numero_instructeur: None,
    }
}

/// A provisioned test database, its service and the clock that drives it.
#[derive(Debug)]
pub struct TestEnv {
    pub g: Guichet,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
}

/// [`TestEnv`] with `config` ([`ServiceConfig::fast_for_tests`] in most tests).
pub async fn env_with(db: TestDb, config: ServiceConfig) -> TestEnv {
    env_with_files(db, config, TEST_FILES).await
}

/// [`env_with`] on a database of `files` synthetic files.
pub async fn env_with_files(db: TestDb, config: ServiceConfig, files: u64) -> TestEnv {
    let clock = Arc::new(ManualClock::new(t0()));
    let done = provision(
        db.store.clone(),
        clock.clone(),
        config,
        None,
        Provisioning {
            files,
            seed: 3,
            step: files,
            progress_bar: false,
        },
        |_, _| {},
    )
    .await
    .unwrap();
    TestEnv {
        g: done.guichet,
        clock,
        db,
    }
}

pub async fn env(db: TestDb) -> TestEnv {
    env_with(db, ServiceConfig::fast_for_tests()).await
}

impl TestEnv {
    /// Signs a demo account in and changes its password: a session ready for lookups.
    pub async fn ready(&self, identifiant: &str) -> (SessionInfo, ReadySession) {
        self.ready_with(identifiant, DEMO_PASSWORD).await
    }

    /// Signs an account in with its temporary `password` and changes it: a ready session.
    pub async fn ready_with(
        &self,
        identifiant: &str,
        password: &str,
    ) -> (SessionInfo, ReadySession) {
        let address = Some("192.0.2.1");
        let info = self
            .g
            .sign_in(identifiant, pw(password), address)
            .await
            .unwrap();
        let s = self.g.authenticate(&info.token, address).await.unwrap();
        self.g
            .change_password(&s, pw(password), pw(NEW_PASSWORD))
            .await
            .unwrap();
        let s = self.g.authenticate(&info.token, address).await.unwrap();
        (info, self.g.ready(s).unwrap())
    }

    /// A file of the database matching `pred`.
    pub async fn file(&self, pred: impl Fn(&Dossier) -> bool) -> Dossier {
        file_of(&self.db, pred).await
    }
}

/// A file of `db` matching `pred`.
pub async fn file_of(db: &TestDb, pred: impl Fn(&Dossier) -> bool) -> Dossier {
    db.store
        .dossiers(&DossierFilter::default(), None, 10_000)
        .await
        .unwrap()
        .into_iter()
        .find(|d| pred(d))
        .expect("a synthetic file with that shape")
}
