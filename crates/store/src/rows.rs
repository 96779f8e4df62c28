//! The rows the repositories read, and their conversion into model and core types. Plain
//! Rust shared by both backends: each row derives `FromRow` for SQLite and PostgreSQL alike.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use guichet_core::dossier::{
    Address, Benefit, ContactDetails, FamilySituation, QuotientFamilial, RsaRight, YearlyResources,
};
use guichet_core::policy::hours::OpeningHours;
use guichet_core::service_def::ServiceRules;
use guichet_core::trace::{ChainedTrace, TraceKind, TraceRecord};
use guichet_core::{Dossier, Eligibility, Nir, Section, ServiceDef};
use sqlx::types::Json;

use crate::model::*;
use crate::{Result, StoreError};

pub(crate) const DOSSIER_COLUMNS: &str = "nir, caisse_code, departement, birth_key, usage_key, opposition, rsa_since, contact, address, family, resources, quotients, rsa, benefits";

#[derive(sqlx::FromRow)]
pub(crate) struct DossierRow {
    nir: String,
    caisse_code: String,
    departement: String,
    opposition: bool,
    contact: Json<ContactDetails>,
    address: Json<Address>,
    family: Json<FamilySituation>,
    resources: Json<Vec<YearlyResources>>,
    quotients: Json<Vec<QuotientFamilial>>,
    rsa: Option<Json<RsaRight>>,
    benefits: Json<Vec<Benefit>>,
}

impl DossierRow {
    pub(crate) fn into_dossier(self) -> Result<Dossier> {
        Ok(Dossier {
            nir: Nir::parse(&self.nir).map_err(|_| StoreError::Corrupt("NIR stocké invalide"))?,
            caisse: self.caisse_code,
            departement: self.departement,
            opposition: self.opposition,
            contact: self.contact.0,
            address: self.address.0,
            family: self.family.0,
            resources: self.resources.0,
            quotients: self.quotients.0,
            rsa: self.rsa.map(|j| j.0),
            benefits: self.benefits.0,
        })
    }
}

/// The derived lookup columns of a file: normalised names and RSA start.
pub(crate) struct DossierKeys {
    pub birth_key: String,
    pub usage_key: Option<String>,
    pub rsa_since: Option<NaiveDate>,
}

impl DossierKeys {
    pub(crate) fn of(d: &Dossier) -> Result<Self> {
        Ok(DossierKeys {
            birth_key: guichet_core::name::normalize(&d.contact.birth_name)
                .ok_or(StoreError::Corrupt("nom de naissance sans lettre"))?,
            usage_key: d
                .contact
                .usage_name
                .as_deref()
                .and_then(guichet_core::name::normalize),
            rsa_since: d.rsa.as_ref().map(|r| r.period.start),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ServiceRow {
    code: String,
    label: String,
    sections: Json<Vec<Section>>,
    eligibility: Json<Eligibility>,
    idle_timeout_secs: i64,
    hours: Option<String>,
    rules: Json<ServiceRules>,
}

impl ServiceRow {
    pub(crate) fn into_def(self) -> Result<ServiceDef> {
        Ok(ServiceDef {
            code: self.code,
            label: self.label,
            sections: self.sections.0,
            eligibility: self.eligibility.0,
            idle_timeout_secs: u32::try_from(self.idle_timeout_secs)
                .map_err(|_| StoreError::Corrupt("délai d'inactivité"))?,
            hours: self
                .hours
                .map(|h| h.parse::<OpeningHours>())
                .transpose()
                .map_err(|_| StoreError::Corrupt("horaires de service"))?,
            rules: self.rules.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PartnerRow {
    id: i64,
    tiers: String,
    name: String,
    kind: String,
    siret: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    care: String,
}

impl PartnerRow {
    pub(crate) fn into_partner(self) -> Result<Partner> {
        Ok(Partner {
            id: self.id,
            tiers: self.tiers,
            name: self.name,
            kind: self.kind.parse()?,
            siret: self.siret,
            status: self.status.parse()?,
            created_at: self.created_at,
            care: self
                .care
                .parse()
                .map_err(|_| StoreError::Corrupt("type d'accueil"))?,
        })
    }
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct ConventionRow {
    pub(crate) id: i64,
    number: String,
    partner_id: i64,
    pub(crate) caisse_code: String,
    pub(crate) service_code: String,
    starts_on: NaiveDate,
    status: String,
    status_at: DateTime<Utc>,
    beyond_caisse: bool,
    notice_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
}

impl ConventionRow {
    pub(crate) fn into_convention(self, departements: Vec<String>) -> Result<Convention> {
        Ok(Convention {
            id: self.id,
            number: self.number,
            partner_id: self.partner_id,
            caisse: self.caisse_code,
            service: self.service_code,
            departements,
            beyond_caisse: self.beyond_caisse,
            notice_on: self.notice_on,
            ends_on: self.ends_on,
            starts_on: self.starts_on,
            status: self.status.parse()?,
            status_at: self.status_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    partner_id: i64,
    identifiant: String,
    display_name: String,
    email: String,
    password_hash: String,
    must_change_password: bool,
    password_changed_at: DateTime<Utc>,
    status: String,
    test_account: bool,
    created_at: DateTime<Utc>,
    status_at: DateTime<Utc>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        Ok(User {
            id: self.id,
            partner_id: self.partner_id,
            identifiant: self.identifiant,
            display_name: self.display_name,
            email: self.email,
            password_hash: PasswordHash(self.password_hash),
            must_change_password: self.must_change_password,
            password_changed_at: self.password_changed_at,
            status: self.status.parse()?,
            test_account: self.test_account,
            created_at: self.created_at,
            status_at: self.status_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    user_id: i64,
    created_at: DateTime<Utc>,
    last_activity_at: DateTime<Utc>,
    idle_timeout_secs: i64,
    address: Option<String>,
    revoked_at: Option<DateTime<Utc>>,
}

impl SessionRow {
    pub(crate) fn into_record(self) -> Result<SessionRecord> {
        Ok(SessionRecord {
            token_hash: self.token_hash,
            user_id: self.user_id,
            created_at: self.created_at,
            last_activity_at: self.last_activity_at,
            idle_timeout_secs: u32::try_from(self.idle_timeout_secs)
                .map_err(|_| StoreError::Corrupt("délai de session"))?,
            address: self.address,
            revoked_at: self.revoked_at,
        })
    }
}

/// The columns of [`SessionBundleRow`], over `s` (the session), `u` and `p`.
pub(crate) const SESSION_BUNDLE_COLUMNS: &str = "s.token_hash, s.user_id, s.created_at, \
     s.last_activity_at, s.idle_timeout_secs, s.address, s.revoked_at, u.partner_id, \
     u.identifiant, u.display_name, u.email, u.password_hash, u.must_change_password, \
     u.password_changed_at, u.status AS user_status, u.test_account, \
     u.created_at AS user_created_at, u.status_at AS user_status_at, p.tiers, p.name, p.kind, \
     p.siret, p.status AS partner_status, p.created_at AS partner_created_at, p.care";

/// A session, its user and its partner in one row (`SESSION_BUNDLE_COLUMNS`).
#[derive(sqlx::FromRow)]
pub(crate) struct SessionBundleRow {
    #[sqlx(flatten)]
    session: SessionRow,
    partner_id: i64,
    identifiant: String,
    display_name: String,
    email: String,
    password_hash: String,
    must_change_password: bool,
    password_changed_at: DateTime<Utc>,
    user_status: String,
    test_account: bool,
    user_created_at: DateTime<Utc>,
    user_status_at: DateTime<Utc>,
    tiers: String,
    name: String,
    kind: String,
    siret: Option<String>,
    partner_status: String,
    partner_created_at: DateTime<Utc>,
    care: String,
    /// PostgreSQL's statement counts the rate hit in the same row…
    #[sqlx(default)]
    hits: Option<i64>,
    /// … and reads the user's habilitations (a JSON array, in `grants`' order) with the
    /// definitions' revision.
    #[sqlx(default)]
    pub(crate) habilitations: Option<Json<Vec<HabilitationRow>>>,
    #[sqlx(default)]
    pub(crate) revision: Option<i64>,
}

impl SessionBundleRow {
    /// The bundle without its grants (`grants`: `None`, for the caller to fill).
    pub(crate) fn into_bundle(self) -> Result<SessionBundle> {
        let record = self.session.into_record()?;
        let user = UserRow {
            id: record.user_id,
            partner_id: self.partner_id,
            identifiant: self.identifiant,
            display_name: self.display_name,
            email: self.email,
            password_hash: self.password_hash,
            must_change_password: self.must_change_password,
            password_changed_at: self.password_changed_at,
            status: self.user_status,
            test_account: self.test_account,
            created_at: self.user_created_at,
            status_at: self.user_status_at,
        }
        .into_user()?;
        let partner = PartnerRow {
            id: self.partner_id,
            tiers: self.tiers,
            name: self.name,
            kind: self.kind,
            siret: self.siret,
            status: self.partner_status,
            created_at: self.partner_created_at,
            care: self.care,
        }
        .into_partner()?;
        Ok(SessionBundle {
            record,
            user,
            partner,
            hits: self.hits,
            grants: None,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TraceRow {
    seq: i64,
    at: DateTime<Utc>,
    kind: String,
    outcome: String,
    identifiant: Option<String>,
    partner: Option<String>,
    service: Option<String>,
    address: Option<String>,
    nir_digest: Option<String>,
    detail: Option<String>,
    prev_hash: String,
    hash: String,
}

impl TraceRow {
    pub(crate) fn into_chained(self) -> Result<ChainedTrace> {
        Ok(ChainedTrace {
            seq: self.seq,
            record: TraceRecord {
                at: self.at,
                kind: TraceKind::from_code(&self.kind)
                    .ok_or(StoreError::Corrupt("type de trace"))?,
                outcome: self.outcome,
                identifiant: self.identifiant,
                partner: self.partner,
                service: self.service,
                address: self.address,
                nir_digest: self.nir_digest,
                detail: self.detail,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// A habilitation with its convention (one row per département of the convention), and
/// the definitions' revision read in the same statement; its service and caisse come
/// from the definitions held in memory (`definitions.rs`).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct HabilitationRow {
    habilitation_id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    convention: ConventionRow,
    habilitation_departements: Option<String>,
    departement: Option<String>,
    /// Read with each row by `grants`; the session statement reads it once.
    #[serde(default)]
    pub(crate) revision: Option<i64>,
}

impl HabilitationRow {
    pub(crate) fn with_revision(self, revision: Option<i64>) -> Self {
        Self { revision, ..self }
    }

    /// Folds the rows of one habilitation (one per département) into a `Grant`. A
    /// habilitation whose service or caisse the definitions lack (deleted since) is not
    /// usable, as when the two were joined in SQL.
    pub(crate) fn group(
        rows: Vec<HabilitationRow>,
        definitions: &crate::definitions::Definitions,
    ) -> Result<Vec<Grant>> {
        let mut out: Vec<Grant> = Vec::new();
        let mut skipped = None;
        for row in rows {
            if skipped == Some(row.habilitation_id) {
                continue;
            }
            if let Some(last) = out
                .last_mut()
                .filter(|g| g.habilitation_id == row.habilitation_id)
            {
                last.convention.departements.extend(row.departement);
                continue;
            }
            let (Some(service), Some(hours)) = (
                definitions.services.get(&row.convention.service_code),
                definitions.caisse_hours.get(&row.convention.caisse_code),
            ) else {
                skipped = Some(row.habilitation_id);
                continue;
            };
            out.push(Grant {
                habilitation_id: row.habilitation_id,
                departements: habilitation_departements(row.habilitation_departements.as_deref())?,
                service: service.clone(),
                caisse_hours: *hours,
                convention: row
                    .convention
                    .into_convention(row.departement.into_iter().collect())?,
            });
        }
        Ok(out)
    }
}

/// A caisse's opening hours, for the definitions held in memory.
#[derive(sqlx::FromRow)]
pub(crate) struct CaisseHoursRow {
    pub(crate) code: String,
    hours: String,
}

impl CaisseHoursRow {
    pub(crate) fn hours(&self) -> Result<OpeningHours> {
        self.hours
            .parse()
            .map_err(|_| StoreError::Corrupt("horaires de caisse"))
    }
}

/// a habilitation's départements, kept as a JSON array (`NULL`: the convention's).
pub(crate) fn habilitation_departements(stored: Option<&str>) -> Result<Option<Vec<String>>> {
    stored
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| StoreError::Corrupt("départements d'habilitation"))
}

/// Timestamps are kept to the microsecond (PostgreSQL's precision), so that a record
/// hashes the same before and after a round trip through either database.
pub(crate) fn normalise_record(r: &TraceRecord) -> TraceRecord {
    TraceRecord {
        at: r.at.trunc_subsecs(6),
        ..r.clone()
    }
}
