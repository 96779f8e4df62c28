//! the PSU barème as the lookups read it. A barème changes a few times a year, and
//! values are published ahead of the day they apply: it is read from the database once and
//! kept for [`BAREME_TTL_SECS`], so that a PSU lookup costs no extra statement. A value
//! published through this service is seen at once; through another process (the command
//! line, another server instance) within [`BAREME_TTL_SECS`].

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use guichet_core::psu::Bareme;
use guichet_store::prelude::*;

use crate::Guichet;

/// How long a barème read from the database is used before it is read again.
pub const BAREME_TTL_SECS: i64 = 30;

/// The barème last read, and when.
#[derive(Debug, Default)]
pub(crate) struct BaremeCache(Mutex<Option<(DateTime<Utc>, Arc<Bareme>)>>);

impl BaremeCache {
    fn get(&self) -> Option<(DateTime<Utc>, Arc<Bareme>)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, value: Option<(DateTime<Utc>, Arc<Bareme>)>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = value;
    }
}

impl Guichet {
    /// The barème in force for lookups (see the module's comment).
    pub(crate) async fn psu_bareme(&self) -> guichet_store::Result<Arc<Bareme>> {
        let now = self.now();
        let fresh = |at: DateTime<Utc>| at <= now && now - at < Duration::seconds(BAREME_TTL_SECS);
        if let Some((_, bareme)) = self.inner.bareme.get().filter(|(at, _)| fresh(*at)) {
            return Ok(bareme);
        }
        let bareme = Arc::new(self.inner.store.psu_bareme().await?);
        self.inner.bareme.set(Some((now, Arc::clone(&bareme))));
        Ok(bareme)
    }

    /// After a change made through this service: the next lookup reads the database.
    pub(crate) fn forget_bareme(&self) {
        self.inner.bareme.set(None);
    }
}
