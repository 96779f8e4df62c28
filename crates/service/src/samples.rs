//! Files of a synthetic database picked by the answer a lookup would get: what `sample`
//! prints for demos, and what the desktop and server tests look up. Refused on a database
//! not marked synthetic, so real NIRs are never listed.

use chrono::NaiveDate;
use guichet_core::dossier::Dossier;
use guichet_core::lookup::decide;
use guichet_core::policy::scope::Scope;
use guichet_core::{FamilyName, LookupOutcome};
use guichet_store::seed::META_SYNTHETIC;
use guichet_store::{DossierFilter, Store, prelude::*};

use crate::error::{Result, ServiceError};

/// Which files to pick.
#[derive(Debug, Clone, Default)]
pub struct SampleQuery {
    pub caisse: Option<String>,
    pub departement: Option<String>,
    /// With `service`: the answer a lookup by birth name would get from a convention
    /// covering the file (`found`, `opposition`, `not_eligible`). Without: only the
    /// opposition flag is looked at.
    pub outcome: Option<LookupOutcome>,
    pub service: Option<String>,
    pub count: usize,
}

/// Up to `query.count` files, in NIR order.
pub async fn sample_files(
    store: &Store,
    query: &SampleQuery,
    today: NaiveDate,
) -> Result<Vec<Dossier>> {
    if store.meta(META_SYNTHETIC).await?.as_deref() != Some("1") {
        return Err(ServiceError::InvalidInput(
            "cette base n'est pas synthétique".into(),
        ));
    }
    let service = match &query.service {
        Some(code) => Some(
            store
                .service(code)
                .await?
                .ok_or(ServiceError::NotFound("service"))?,
        ),
        None => None,
    };
    let filter = DossierFilter {
        caisse: query.caisse.clone(),
        departement: query.departement.clone(),
        opposition: query.outcome.map(|o| o == LookupOutcome::Opposition),
        with_rsa: None,
    };
    let mut picked = Vec::new();
    let mut after: Option<String> = None;
    while picked.len() < query.count {
        let page = store.dossiers(&filter, after.as_deref(), 1_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.nir.expose().to_owned());
        for d in page {
            if let (Some(s), Some(wanted)) = (&service, query.outcome) {
                let scope = Scope::of_caisse(&d.caisse, vec![d.departement.clone()]);
                let Ok(name) = FamilyName::parse(&d.contact.birth_name) else {
                    continue;
                };
                let (outcome, _) = decide(Some(&d), &name, &[scope], s, today, today);
                if outcome != wanted {
                    continue;
                }
            }
            picked.push(d);
            if picked.len() >= query.count {
                break;
            }
        }
    }
    Ok(picked)
}
