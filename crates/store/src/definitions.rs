//! The definitions of services and caisses, kept in memory by each store (issue 14): a
//! habilitation names its service and caisse, and parsing their JSON on every request
//! was most of a session check's work. The database keeps a revision (`meta`
//! `definitions_revision`) that triggers move on every write to `services` or `caisses`,
//! whoever writes; each request reads it with the user's habilitations, in the same
//! statement, and reloads the definitions when it moved. A change made by another
//! instance, the CLI or plain SQL therefore takes effect on the next request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use guichet_core::ServiceDef;
use guichet_core::policy::hours::OpeningHours;

use crate::Result;
use crate::rows::{CaisseHoursRow, ServiceRow};

/// The definitions as of one revision.
#[derive(Debug, Default)]
pub(crate) struct Definitions {
    pub revision: i64,
    pub services: HashMap<String, ServiceDef>,
    pub caisse_hours: HashMap<String, OpeningHours>,
}

impl Definitions {
    pub(crate) fn from_rows(
        revision: i64,
        services: Vec<ServiceRow>,
        caisses: Vec<CaisseHoursRow>,
    ) -> Result<Self> {
        Ok(Definitions {
            revision,
            services: services
                .into_iter()
                .map(|row| row.into_def().map(|def| (def.code.clone(), def)))
                .collect::<Result<_>>()?,
            caisse_hours: caisses
                .into_iter()
                .map(|row| row.hours().map(|hours| (row.code, hours)))
                .collect::<Result<_>>()?,
        })
    }
}

/// The last definitions a store loaded.
#[derive(Debug, Clone, Default)]
pub(crate) struct DefinitionsCache(Arc<RwLock<Option<Arc<Definitions>>>>);

impl DefinitionsCache {
    /// The definitions held, if they are those of `revision`.
    pub(crate) fn at(&self, revision: i64) -> Option<Arc<Definitions>> {
        let held = self.0.read().ok()?;
        held.as_ref().filter(|d| d.revision == revision).cloned()
    }

    /// Keeps freshly loaded definitions, unless newer ones are already held.
    pub(crate) fn keep(&self, loaded: Arc<Definitions>) {
        if let Ok(mut held) = self.0.write()
            && held.as_ref().is_none_or(|d| d.revision <= loaded.revision)
        {
            *held = Some(loaded);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(revision: i64) -> Arc<Definitions> {
        Arc::new(Definitions {
            revision,
            ..Default::default()
        })
    }

    #[test]
    fn only_the_revision_asked_is_served_and_never_an_older_one_kept() {
        let cache = DefinitionsCache::default();
        assert!(cache.at(1).is_none());
        cache.keep(at(2));
        assert!(cache.at(2).is_some());
        assert!(cache.at(1).is_none() && cache.at(3).is_none());
        cache.keep(at(1)); // a slow reload finishing late
        assert!(cache.at(2).is_some());
        cache.keep(at(3));
        assert!(cache.at(3).is_some() && cache.at(2).is_none());
    }
}
