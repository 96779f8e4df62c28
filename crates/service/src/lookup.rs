//! Looking a file up, in the order of DESIGN.md "Flows":
//! session, password change, service, hours, rate limit, NIR, name, fetch, decision,
//! projection, trace. The answer is returned only once its trace is committed.

use chrono::NaiveDate;
use guichet_core::lookup::decide;
use guichet_core::policy::hours::{HoursStatus, OpeningHours};
use guichet_core::policy::scope::Scope;
use guichet_core::psu::{NoParticipation, participation};
use guichet_core::trace::{TraceKind, nir_digest};
use guichet_core::wire::{LookupRequest, LookupResponse};
use guichet_core::{Dossier, ErrorCode, FamilyName, Nir};
use guichet_store::StoreError;
use guichet_store::prelude::*;

use crate::Guichet;
use crate::auth::{ReadySession, Session};
use crate::error::{Result, ServiceError};
use crate::limits::RateInfo;

/// A lookup's answer and what the transport may add to it.
#[derive(Debug, Clone)]
pub struct LookupAnswer {
    pub response: LookupResponse,
    pub rate: RateInfo,
    /// Sequence number of the trace that records this lookup.
    pub trace_seq: i64,
}

impl Guichet {
    /// Looks a file up for `session`. `request_id` (a client's correlation id, no personal
    /// data) is kept in the trace.
    pub async fn lookup(
        &self,
        session: &ReadySession,
        request: LookupRequest,
        request_id: Option<&str>,
    ) -> Result<LookupAnswer> {
        let now = self.now();
        let mut trace = self.session_trace(session, TraceKind::Lookup);
        trace.service = Some(request.service.clone());
        trace.detail = request_id.map(|id| format!("request_id={id}"));

        let grants: Vec<_> = session
            .grants
            .iter()
            .filter(|g| g.service.code == request.service)
            .collect();
        let Some(first) = grants.first() else {
            let known = self.inner.store.service(&request.service).await?.is_some();
            let err = if known {
                ServiceError::ServiceNotGranted
            } else {
                ServiceError::UnknownService
            };
            if !known {
                trace.service = None; // never store what was typed in place of a code
            }
            trace.outcome = err.code().as_str().into();
            self.trace(trace).await?;
            return Err(err);
        };
        let service = &first.service;

        if let HoursStatus::Closed { reopens_at } =
            OpeningHours::status_of_both(&first.caisse_hours, service.hours.as_ref(), now)
        {
            trace.outcome = ErrorCode::ServiceClosed.as_str().into();
            self.trace(trace).await?;
            return Err(ServiceError::ServiceClosed { reopens_at });
        }

        let rate = match self.limit_lookups(session, now).await? {
            Ok(rate) => rate,
            Err(refused) => {
                trace.outcome = refused.code().as_str().into();
                self.trace(trace).await?;
                return Err(refused);
            }
        };

        // CDAP T4: the numéro instructeur, checked and traced before any access to files.
        if service.rules.numero_instructeur {
            let number = request
                .numero_instructeur
                .as_deref()
                .map(str::trim)
                .filter(|n| is_numero_instructeur(n))
                .ok_or(ServiceError::NumeroInstructeurRequired);
            let number = self.trace_if_refused(&trace, number).await?;
            let detail = format!("numero_instructeur={number}");
            trace.detail = Some(match trace.detail.take() {
                Some(d) => format!("{d} {detail}"),
                None => detail,
            });
        }

        // refused before any access to files.
        let parsed = Nir::parse(&request.nir)
            .map_err(ServiceError::from)
            .and_then(|nir| {
                FamilyName::parse(&request.name)
                    .map(|name| (nir, name))
                    .map_err(ServiceError::from)
            });
        let (nir, name) = self.trace_if_refused(&trace, parsed).await?;
        drop(request.nir);
        drop(request.name);
        trace.nir_digest = Some(nir_digest(self.inner.trace_keys.current(), &nir));

        let found = self.inner.store.dossier(&nir).await?;
        if found.is_none() {
            let decoy: Option<Dossier> = serde_json::from_str(guichet_core::lookup::DECOY).ok();
            std::hint::black_box(decoy.is_some_and(|d| name.matches(&d.contact.birth_name, None)));
        }
        let today = self.today();
        let as_of: NaiveDate = request.as_of.unwrap_or(today);
        // a CAF convention set beyond its caisse reaches every CAF's files.
        let branch = match grants.iter().find(|g| g.convention.beyond_caisse) {
            Some(g) => {
                self.inner
                    .store
                    .branch_caisses(&g.convention.caisse)
                    .await?
            }
            None => Vec::new(),
        };
        let scopes: Vec<Scope> = grants.iter().map(|g| g.scope(&branch)).collect();
        let (outcome, mut dossier) = decide(found.as_ref(), &name, &scopes, service, today, as_of);
        // the PSU participation at the date of the Recherche, from the whole file
        // (children and AEEH are counted whatever the service shows of them).
        let recherche = dossier.as_mut().and_then(|v| v.recherche.as_mut());
        if let (true, Some(recherche), Some(file)) =
            (service.rules.participation, recherche, found.as_ref())
        {
            let result = if recherche.resources.is_none() {
                Err(NoParticipation::NoResources)
            } else {
                match self.psu_bareme().await {
                    Ok(bareme) => {
                        participation(file, recherche.date, session.partner.care, &bareme)
                    }
                    // A barème someone wrote around `admin bareme` (overlapping values): the
                    // file is still shown, without a figure that could be wrong.
                    Err(StoreError::Corrupt(what)) => {
                        tracing::error!(what, "barème PSU incohérent : participation non calculée");
                        Err(NoParticipation::NoBareme)
                    }
                    Err(e) => return Err(e.into()),
                }
            };
            recherche.set_participation(result);
        }
        drop(found);

        trace.outcome = outcome.code().into();
        let trace_seq = self.trace(trace).await?;
        Ok(LookupAnswer {
            response: LookupResponse {
                outcome,
                message: outcome.message().into(),
                dossier,
            },
            rate,
            trace_seq,
        })
    }

    /// whether a service of the session is open now, and when it reopens (so the
    /// client can say so before the user types).
    pub fn service_hours(&self, session: &Session, service: &str) -> Option<HoursStatus> {
        let g = session.grants.iter().find(|g| g.service.code == service)?;
        Some(OpeningHours::status_of_both(
            &g.caisse_hours,
            g.service.hours.as_ref(),
            self.now(),
        ))
    }
}

/// A numéro instructeur as the e-RSA application issues them: 1 to 20 ASCII letters, digits
/// or hyphens (nothing that could break a trace line).
fn is_numero_instructeur(n: &str) -> bool {
    (1..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
