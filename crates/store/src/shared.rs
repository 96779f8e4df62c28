//! The statements both backends share. SQLite and PostgreSQL both take `$n` parameters,
//! `RETURNING` and `ON CONFLICT`, so most of the repository is the same SQL; the macro below
//! expands it once per backend, over that backend's own pool and types (no `sqlx::Any`).
//! What differs lives in `sqlite.rs` and `postgres.rs`: connection set-up, migrations and the
//! bulk load of files (batched multi-row inserts vs `COPY`).

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use guichet_core::dossier::{
    Address, Benefit, ContactDetails, FamilySituation, QuotientFamilial, RsaRight, YearlyResources,
};
use guichet_core::policy::hours::OpeningHours;
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
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ConventionRow {
    pub(crate) id: i64,
    number: String,
    partner_id: i64,
    caisse_code: String,
    service_code: String,
    starts_on: NaiveDate,
    status: String,
    status_at: DateTime<Utc>,
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

#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    habilitation_id: i64,
    #[sqlx(flatten)]
    convention: ConventionRow,
    departement: Option<String>,
    #[sqlx(flatten)]
    service: ServiceRow,
    caisse_hours: String,
}

impl GrantRow {
    /// Folds the rows of one habilitation (one per département) into a `Grant`.
    pub(crate) fn group(rows: Vec<GrantRow>) -> Result<Vec<Grant>> {
        let mut out: Vec<Grant> = Vec::new();
        for row in rows {
            if let Some(last) = out
                .last_mut()
                .filter(|g| g.habilitation_id == row.habilitation_id)
            {
                last.convention.departements.extend(row.departement);
                continue;
            }
            out.push(Grant {
                habilitation_id: row.habilitation_id,
                convention: row
                    .convention
                    .into_convention(row.departement.into_iter().collect())?,
                service: row.service.into_def()?,
                caisse_hours: row
                    .caisse_hours
                    .parse()
                    .map_err(|_| StoreError::Corrupt("horaires de caisse"))?,
            });
        }
        Ok(out)
    }
}

/// Timestamps are kept to the microsecond (PostgreSQL's precision), so that a record
/// hashes the same before and after a round trip through either database.
pub(crate) fn normalise_record(r: &TraceRecord) -> TraceRecord {
    TraceRecord {
        at: r.at.trunc_subsecs(6),
        ..r.clone()
    }
}

/// Expands the shared part of `Repository` for a store type with a `pool` field.
/// `$bulk` is the store's inherent bulk-insert method for files.
macro_rules! shared_repository {
    ($store:ty, $backend:expr, $db:ty) => {
        impl $crate::repo::Repository for $store {
            fn backend(&self) -> $crate::repo::Backend {
                $backend
            }

            async fn migrate(&self) -> $crate::Result<()> {
                self.run_migrations().await
            }

            async fn ping(&self) -> $crate::Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn meta(&self, key: &str) -> $crate::Result<Option<String>> {
                Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn set_meta(&self, key: &str, value: &str) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO meta (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(value)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn init_meta(&self, key: &str, value: &str) -> $crate::Result<String> {
                sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
                self.meta(key).await?.ok_or($crate::StoreError::NotFound("réglage"))
            }

            async fn put_caisse(&self, caisse: &Caisse) -> $crate::Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO caisses (code, name, hours) VALUES ($1, $2, $3) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, hours = excluded.hours",
                )
                .bind(&caisse.code)
                .bind(&caisse.name)
                .bind(caisse.hours.to_string())
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM caisse_departements WHERE caisse_code = $1")
                    .bind(&caisse.code)
                    .execute(&mut *tx)
                    .await?;
                for d in &caisse.departements {
                    sqlx::query(
                        "INSERT INTO caisse_departements (caisse_code, departement) VALUES ($1, $2)",
                    )
                    .bind(&caisse.code)
                    .bind(d)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn caisse(&self, code: &str) -> $crate::Result<Option<Caisse>> {
                let row: Option<(String, String, String)> =
                    sqlx::query_as("SELECT code, name, hours FROM caisses WHERE code = $1")
                        .bind(code)
                        .fetch_optional(&self.pool)
                        .await?;
                let Some((code, name, hours)) = row else { return Ok(None) };
                let departements = sqlx::query_scalar(
                    "SELECT departement FROM caisse_departements WHERE caisse_code = $1 ORDER BY departement",
                )
                .bind(&code)
                .fetch_all(&self.pool)
                .await?;
                Ok(Some(Caisse {
                    code,
                    name,
                    departements,
                    hours: hours
                        .parse()
                        .map_err(|_| $crate::StoreError::Corrupt("horaires de caisse"))?,
                }))
            }

            async fn caisses(&self) -> $crate::Result<Vec<Caisse>> {
                let codes: Vec<String> =
                    sqlx::query_scalar("SELECT code FROM caisses ORDER BY code")
                        .fetch_all(&self.pool)
                        .await?;
                let mut out = Vec::with_capacity(codes.len());
                for code in codes {
                    if let Some(c) = self.caisse(&code).await? {
                        out.push(c);
                    }
                }
                Ok(out)
            }

            async fn set_caisse_hours(
                &self,
                code: &str,
                hours: guichet_core::policy::hours::OpeningHours,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE caisses SET hours = $2 WHERE code = $1")
                    .bind(code)
                    .bind(hours.to_string())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("caisse"));
                }
                Ok(())
            }

            async fn put_service(&self, service: &ServiceDef) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO services (code, label, sections, eligibility, idle_timeout_secs, hours) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (code) DO UPDATE SET label = excluded.label, \
                     sections = excluded.sections, eligibility = excluded.eligibility, \
                     idle_timeout_secs = excluded.idle_timeout_secs, hours = excluded.hours",
                )
                .bind(&service.code)
                .bind(&service.label)
                .bind(Json(&service.sections))
                .bind(Json(&service.eligibility))
                .bind(i64::from(service.idle_timeout_secs))
                .bind(service.hours.map(|h| h.to_string()))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn service(&self, code: &str) -> $crate::Result<Option<ServiceDef>> {
                sqlx::query_as::<_, $crate::shared::ServiceRow>(
                    "SELECT code, label, sections, eligibility, idle_timeout_secs, hours \
                     FROM services WHERE code = $1",
                )
                .bind(code)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::ServiceRow::into_def)
                .transpose()
            }

            async fn services(&self) -> $crate::Result<Vec<ServiceDef>> {
                sqlx::query_as::<_, $crate::shared::ServiceRow>(
                    "SELECT code, label, sections, eligibility, idle_timeout_secs, hours \
                     FROM services ORDER BY code",
                )
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::shared::ServiceRow::into_def)
                .collect()
            }

            async fn create_partner(
                &self,
                partner: &NewPartner,
                now: DateTime<Utc>,
            ) -> $crate::Result<Partner> {
                sqlx::query_as::<_, $crate::shared::PartnerRow>(
                    "INSERT INTO partners (tiers, name, kind, siret, status, created_at) \
                     VALUES ($1, $2, $3, $4, 'active', $5) \
                     RETURNING id, tiers, name, kind, siret, status, created_at",
                )
                .bind(&partner.tiers)
                .bind(&partner.name)
                .bind(partner.kind.code())
                .bind(&partner.siret)
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err($crate::error::conflict_as("partenaire (numéro de tiers)"))?
                .into_partner()
            }

            async fn partner(&self, id: i64) -> $crate::Result<Option<Partner>> {
                sqlx::query_as::<_, $crate::shared::PartnerRow>(
                    "SELECT id, tiers, name, kind, siret, status, created_at FROM partners WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::PartnerRow::into_partner)
                .transpose()
            }

            async fn partner_by_tiers(&self, tiers: &str) -> $crate::Result<Option<Partner>> {
                sqlx::query_as::<_, $crate::shared::PartnerRow>(
                    "SELECT id, tiers, name, kind, siret, status, created_at FROM partners WHERE tiers = $1",
                )
                .bind(tiers)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::PartnerRow::into_partner)
                .transpose()
            }

            async fn partners(&self) -> $crate::Result<Vec<Partner>> {
                sqlx::query_as::<_, $crate::shared::PartnerRow>(
                    "SELECT id, tiers, name, kind, siret, status, created_at FROM partners ORDER BY tiers",
                )
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::shared::PartnerRow::into_partner)
                .collect()
            }

            async fn set_partner_status(
                &self,
                id: i64,
                status: PartnerStatus,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE partners SET status = $2 WHERE id = $1")
                    .bind(id)
                    .bind(status.code())
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("partenaire"));
                }
                Ok(())
            }

            async fn create_convention(
                &self,
                c: &NewConvention,
                now: DateTime<Utc>,
            ) -> $crate::Result<Convention> {
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query_as::<_, $crate::shared::ConventionRow>(
                    "INSERT INTO conventions (number, partner_id, caisse_code, service_code, starts_on, status, status_at) \
                     VALUES ($1, $2, $3, $4, $5, 'active', $6) \
                     RETURNING id, number, partner_id, caisse_code, service_code, starts_on, status, status_at",
                )
                .bind(&c.number)
                .bind(c.partner_id)
                .bind(&c.caisse)
                .bind(&c.service)
                .bind(c.starts_on)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err($crate::error::conflict_as("convention (numéro)"))?;
                for d in &c.departements {
                    sqlx::query(
                        "INSERT INTO convention_departements (convention_id, departement) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(row.id)
                    .bind(d)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                let mut deps = c.departements.clone();
                deps.sort();
                deps.dedup();
                row.into_convention(deps)
            }

            async fn convention(&self, number: &str) -> $crate::Result<Option<Convention>> {
                let row = sqlx::query_as::<_, $crate::shared::ConventionRow>(
                    "SELECT id, number, partner_id, caisse_code, service_code, starts_on, status, status_at \
                     FROM conventions WHERE number = $1",
                )
                .bind(number)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(row) => {
                        let deps = self.convention_departements(row.id).await?;
                        Ok(Some(row.into_convention(deps)?))
                    }
                    None => Ok(None),
                }
            }

            async fn conventions_of(&self, partner_id: i64) -> $crate::Result<Vec<Convention>> {
                let rows = sqlx::query_as::<_, $crate::shared::ConventionRow>(
                    "SELECT id, number, partner_id, caisse_code, service_code, starts_on, status, status_at \
                     FROM conventions WHERE partner_id = $1 ORDER BY number",
                )
                .bind(partner_id)
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let deps = self.convention_departements(row.id).await?;
                    out.push(row.into_convention(deps)?);
                }
                Ok(out)
            }

            async fn set_convention_status(
                &self,
                number: &str,
                status: ConventionStatus,
                now: DateTime<Utc>,
            ) -> $crate::Result<()> {
                // One statement, so that no concurrent change slips between check and write.
                let done = sqlx::query(
                    "UPDATE conventions SET status = $2, status_at = $3 \
                     WHERE number = $1 AND (status <> 'terminated' OR $2 = 'terminated')",
                )
                .bind(number)
                .bind(status.code())
                .bind(now)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(match self.convention(number).await? {
                        Some(_) => $crate::StoreError::Refused(
                            "une convention résiliée ne peut être ni réactivée ni suspendue",
                        ),
                        None => $crate::StoreError::NotFound("convention"),
                    });
                }
                Ok(())
            }

            async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> $crate::Result<User> {
                sqlx::query_as::<_, $crate::shared::UserRow>(
                    "INSERT INTO users (partner_id, identifiant, display_name, email, password_hash, \
                     must_change_password, password_changed_at, status, test_account, created_at, status_at) \
                     VALUES ($1, $2, $3, $4, $5, TRUE, $6, 'active', $7, $6, $6) \
                     RETURNING id, partner_id, identifiant, display_name, email, password_hash, \
                     must_change_password, password_changed_at, status, test_account, created_at, status_at",
                )
                .bind(u.partner_id)
                .bind(&u.identifiant)
                .bind(&u.display_name)
                .bind(&u.email)
                .bind(&u.password_hash.0)
                .bind(now)
                .bind(u.test_account)
                .fetch_one(&self.pool)
                .await
                .map_err($crate::error::conflict_as("utilisateur (identifiant)"))?
                .into_user()
            }

            async fn user(&self, id: i64) -> $crate::Result<Option<User>> {
                sqlx::query_as::<_, $crate::shared::UserRow>(
                    "SELECT id, partner_id, identifiant, display_name, email, password_hash, \
                     must_change_password, password_changed_at, status, test_account, created_at, status_at \
                     FROM users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::UserRow::into_user)
                .transpose()
            }

            async fn user_by_identifiant(&self, identifiant: &str) -> $crate::Result<Option<User>> {
                sqlx::query_as::<_, $crate::shared::UserRow>(
                    "SELECT id, partner_id, identifiant, display_name, email, password_hash, \
                     must_change_password, password_changed_at, status, test_account, created_at, status_at \
                     FROM users WHERE identifiant = $1",
                )
                .bind(identifiant)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::UserRow::into_user)
                .transpose()
            }

            async fn users(&self, partner_id: Option<i64>) -> $crate::Result<Vec<User>> {
                sqlx::query_as::<_, $crate::shared::UserRow>(
                    "SELECT id, partner_id, identifiant, display_name, email, password_hash, \
                     must_change_password, password_changed_at, status, test_account, created_at, status_at \
                     FROM users WHERE ($1 IS NULL OR partner_id = $1) ORDER BY identifiant",
                )
                .bind(partner_id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::shared::UserRow::into_user)
                .collect()
            }

            async fn set_user_status(
                &self,
                id: i64,
                status: UserStatus,
                now: DateTime<Utc>,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE users SET status = $2, status_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(status.code())
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("utilisateur"));
                }
                Ok(())
            }

            async fn set_password(
                &self,
                id: i64,
                hash: &PasswordHash,
                must_change: bool,
                now: DateTime<Utc>,
            ) -> $crate::Result<()> {
                let mut tx = self.pool.begin().await?;
                let inserted = sqlx::query(
                    "INSERT INTO password_history (user_id, password_hash, changed_at) \
                     SELECT id, password_hash, password_changed_at FROM users WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("utilisateur"));
                }
                sqlx::query(
                    "UPDATE users SET password_hash = $2, must_change_password = $3, \
                     password_changed_at = $4 WHERE id = $1",
                )
                .bind(id)
                .bind(&hash.0)
                .bind(must_change)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn password_history(&self, id: i64, limit: u32) -> $crate::Result<Vec<PasswordHash>> {
                let hashes: Vec<String> = sqlx::query_scalar(
                    "SELECT password_hash FROM password_history WHERE user_id = $1 \
                     ORDER BY changed_at DESC LIMIT $2",
                )
                .bind(id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                Ok(hashes.into_iter().map(PasswordHash).collect())
            }

            async fn grant(
                &self,
                user_id: i64,
                convention_id: i64,
                now: DateTime<Utc>,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO habilitations (user_id, convention_id, granted_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id, convention_id) DO UPDATE SET ends_at = NULL",
                )
                .bind(user_id)
                .bind(convention_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn grants(&self, user_id: i64, now: DateTime<Utc>) -> $crate::Result<Vec<Grant>> {
                // One round trip: a row per (habilitation, département), grouped below.
                let rows = sqlx::query_as::<_, $crate::shared::GrantRow>(
                    "SELECT h.id AS habilitation_id, c.id, c.number, c.partner_id, c.caisse_code, \
                     c.service_code, c.starts_on, c.status, c.status_at, d.departement, \
                     s.code, s.label, s.sections, s.eligibility, s.idle_timeout_secs, s.hours, \
                     k.hours AS caisse_hours \
                     FROM habilitations h \
                     JOIN conventions c ON c.id = h.convention_id \
                     JOIN services s ON s.code = c.service_code \
                     JOIN caisses k ON k.code = c.caisse_code \
                     LEFT JOIN convention_departements d ON d.convention_id = c.id \
                     WHERE h.user_id = $1 AND (h.ends_at IS NULL OR h.ends_at > $2) \
                     ORDER BY c.service_code, c.number, d.departement",
                )
                .bind(user_id)
                .bind(now)
                .fetch_all(&self.pool)
                .await?;
                $crate::shared::GrantRow::group(rows)
            }

            async fn insert_dossiers(&self, dossiers: &[Dossier]) -> $crate::Result<u64> {
                self.bulk_insert_dossiers(dossiers).await
            }

            async fn dossier(&self, nir: &Nir) -> $crate::Result<Option<Dossier>> {
                sqlx::query_as::<_, $crate::shared::DossierRow>(
                    "SELECT nir, caisse_code, departement, opposition, contact, address, family, \
                     resources, quotients, rsa, benefits FROM dossiers WHERE nir = $1",
                )
                .bind(nir.expose())
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::DossierRow::into_dossier)
                .transpose()
            }

            async fn count_dossiers(&self) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn dossiers(
                &self,
                filter: &DossierFilter,
                after: Option<&str>,
                limit: u32,
            ) -> $crate::Result<Vec<Dossier>> {
                sqlx::query_as::<_, $crate::shared::DossierRow>(
                    "SELECT nir, caisse_code, departement, opposition, contact, address, family, \
                     resources, quotients, rsa, benefits FROM dossiers \
                     WHERE ($1 IS NULL OR caisse_code = $1) AND ($2 IS NULL OR departement = $2) \
                     AND ($3 IS NULL OR opposition = $3) \
                     AND ($4 IS NULL OR (rsa_since IS NOT NULL) = $4) \
                     AND ($5 IS NULL OR nir > $5) ORDER BY nir LIMIT $6",
                )
                .bind(&filter.caisse)
                .bind(&filter.departement)
                .bind(filter.opposition)
                .bind(filter.with_rsa)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::shared::DossierRow::into_dossier)
                .collect()
            }

            async fn create_session(&self, s: &NewSession) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, last_activity_at, \
                     idle_timeout_secs, address) VALUES ($1, $2, $3, $3, $4, $5)",
                )
                .bind(&s.token_hash)
                .bind(s.user_id)
                .bind(s.created_at)
                .bind(i64::from(s.idle_timeout_secs))
                .bind(&s.address)
                .execute(&self.pool)
                .await
                .map_err($crate::error::conflict_as("session"))?;
                Ok(())
            }

            async fn session(&self, token_hash: &str) -> $crate::Result<Option<SessionRecord>> {
                sqlx::query_as::<_, $crate::shared::SessionRow>(
                    "SELECT token_hash, user_id, created_at, last_activity_at, idle_timeout_secs, \
                     address, revoked_at FROM sessions WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                .map($crate::shared::SessionRow::into_record)
                .transpose()
            }

            async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> $crate::Result<()> {
                let mut tx = self.begin_relaxed().await?;
                sqlx::query(
                    "UPDATE sessions SET last_activity_at = $2 \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND last_activity_at < $2",
                )
                .bind(token_hash)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn revoke_session(&self, token_hash: &str, at: DateTime<Utc>) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .bind(token_hash)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_user_sessions(&self, user_id: i64, at: DateTime<Utc>) -> $crate::Result<u64> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                )
                .bind(user_id)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn revoke_other_sessions(
                &self,
                user_id: i64,
                keep_token_hash: &str,
                at: DateTime<Utc>,
            ) -> $crate::Result<u64> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $3 \
                     WHERE user_id = $1 AND token_hash <> $2 AND revoked_at IS NULL",
                )
                .bind(user_id)
                .bind(keep_token_hash)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn purge_sessions(&self, before: DateTime<Utc>) -> $crate::Result<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE created_at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn lockout(
                &self,
                identifiant: &str,
            ) -> $crate::Result<guichet_core::policy::lockout::LockoutState> {
                let row: Option<(i64, i64, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "SELECT consecutive_failures, lock_count, locked_until FROM lockouts WHERE identifiant = $1",
                )
                .bind(identifiant)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match row {
                    Some((failures, locks, until)) => guichet_core::policy::lockout::LockoutState {
                        consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        lock_count: u32::try_from(locks).unwrap_or(u32::MAX),
                        locked_until: until,
                    },
                    None => Default::default(),
                })
            }

            async fn lockout_attempt(
                &self,
                identifiant: &str,
                now: DateTime<Utc>,
                policy: &guichet_core::policy::lockout::LockoutPolicy,
            ) -> $crate::Result<
                std::result::Result<
                    guichet_core::policy::lockout::LockoutState,
                    guichet_core::policy::lockout::Locked,
                >,
            > {
                let mut tx = self.begin_write().await?;
                // The upsert locks the row until commit (a row lock on PostgreSQL, the
                // database's write lock on SQLite): read, decide and write happen as one.
                let (failures, locks, locked_until): (i64, i64, Option<DateTime<Utc>>) =
                    sqlx::query_as(
                        "INSERT INTO lockouts (identifiant, consecutive_failures, lock_count, \
                         locked_until, updated_at) VALUES ($1, 0, 0, NULL, $2) \
                         ON CONFLICT (identifiant) DO UPDATE SET updated_at = excluded.updated_at \
                         RETURNING consecutive_failures, lock_count, locked_until",
                    )
                    .bind(identifiant)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                let state = guichet_core::policy::lockout::LockoutState {
                    consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                    lock_count: u32::try_from(locks).unwrap_or(u32::MAX),
                    locked_until,
                };
                if let Err(locked) = policy.check(&state, now) {
                    tx.commit().await?;
                    return Ok(Err(locked));
                }
                let next = policy.record_failure(&state, now);
                sqlx::query(
                    "UPDATE lockouts SET consecutive_failures = $2, lock_count = $3, \
                     locked_until = $4 WHERE identifiant = $1",
                )
                .bind(identifiant)
                .bind(i64::from(next.consecutive_failures))
                .bind(i64::from(next.lock_count))
                .bind(next.locked_until)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Ok(next))
            }

            async fn clear_lockout(&self, identifiant: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM lockouts WHERE identifiant = $1")
                    .bind(identifiant)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn purge_lockouts(&self, idle_before: DateTime<Utc>) -> $crate::Result<u64> {
                let done = sqlx::query(
                    "DELETE FROM lockouts WHERE (locked_until IS NULL OR locked_until < $1) \
                     AND (updated_at IS NULL OR updated_at < $1)",
                )
                .bind(idle_before)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn refuse_locked(
                &self,
                identifiant: &str,
                window_start: DateTime<Utc>,
                at: DateTime<Utc>,
                address: Option<&str>,
            ) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO lockout_refusals (identifiant, window_start, refused, last_at, address) \
                     VALUES ($1, $2, 1, $3, $4) ON CONFLICT (identifiant, window_start) DO UPDATE \
                     SET refused = lockout_refusals.refused + 1, last_at = excluded.last_at, \
                     address = excluded.address RETURNING refused",
                )
                .bind(identifiant)
                .bind(window_start)
                .bind(at)
                .bind(address)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn take_refusals(
                &self,
                before: DateTime<Utc>,
            ) -> $crate::Result<Vec<LockoutRefusals>> {
                let rows: Vec<(String, DateTime<Utc>, i64, DateTime<Utc>, Option<String>)> =
                    sqlx::query_as(
                        "DELETE FROM lockout_refusals WHERE window_start < $1 \
                         RETURNING identifiant, window_start, refused, last_at, address",
                    )
                    .bind(before)
                    .fetch_all(&self.pool)
                    .await?;
                let mut out: Vec<LockoutRefusals> = rows
                    .into_iter()
                    .map(|(identifiant, window_start, refused, last_at, address)| LockoutRefusals {
                        identifiant,
                        window_start,
                        refused,
                        last_at,
                        address,
                    })
                    .collect();
                out.sort_by(|a, b| (a.window_start, &a.identifiant).cmp(&(b.window_start, &b.identifiant)));
                Ok(out)
            }

            async fn hit_rate(&self, bucket: &str, window_start: DateTime<Utc>) -> $crate::Result<i64> {
                let mut tx = self.begin_relaxed().await?;
                let hits = sqlx::query_scalar(
                    "INSERT INTO rate_counters (bucket, window_start, hits) VALUES ($1, $2, 1) \
                     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + 1 \
                     RETURNING hits",
                )
                .bind(bucket)
                .bind(window_start)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(hits)
            }

            async fn purge_rate(&self, before: DateTime<Utc>) -> $crate::Result<u64> {
                let done = sqlx::query("DELETE FROM rate_counters WHERE window_start < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn append_traces(
                &self,
                records: &[TraceRecord],
                key: &guichet_core::trace::ChainKey,
            ) -> $crate::Result<Vec<ChainedTrace>> {
                if records.is_empty() {
                    return Ok(Vec::new());
                }
                let n = i64::try_from(records.len()).unwrap_or(i64::MAX);
                let mut tx = self.begin_traces().await?;
                // Writing the head first takes the write lock at once (row lock on
                // PostgreSQL, the database lock on SQLite): appends are serialised.
                let (last_seq, mut prev): (i64, String) = sqlx::query_as(
                    "UPDATE trace_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
                )
                .bind(n)
                .fetch_one(&mut *tx)
                .await?;
                let mut seq = last_seq - n;
                let mut out = Vec::with_capacity(records.len());
                for record in records {
                    seq += 1;
                    let record = $crate::shared::normalise_record(record);
                    let hash = record.chain_hash(key, seq, &prev);
                    out.push(ChainedTrace { seq, record, prev_hash: prev, hash: hash.clone() });
                    prev = hash;
                }
                // One multi-row INSERT per 500 records (12 parameters each).
                for chunk in out.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO traces (seq, at, kind, outcome, identifiant, partner, service, \
                         address, nir_digest, detail, prev_hash, hash) ",
                    );
                    qb.push_values(chunk, |mut row, t| {
                        row.push_bind(t.seq)
                            .push_bind(t.record.at)
                            .push_bind(t.record.kind.code())
                            .push_bind(t.record.outcome.clone())
                            .push_bind(t.record.identifiant.clone())
                            .push_bind(t.record.partner.clone())
                            .push_bind(t.record.service.clone())
                            .push_bind(t.record.address.clone())
                            .push_bind(t.record.nir_digest.clone())
                            .push_bind(t.record.detail.clone())
                            .push_bind(t.prev_hash.clone())
                            .push_bind(t.hash.clone());
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE trace_head SET hash = $1 WHERE id = 1")
                    .bind(&prev)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(out)
            }

            async fn traces(&self, after_seq: i64, limit: u32) -> $crate::Result<Vec<ChainedTrace>> {
                self.traces_filtered(&TraceFilter::default(), after_seq, limit).await
            }

            async fn traces_filtered(
                &self,
                filter: &TraceFilter,
                after_seq: i64,
                limit: u32,
            ) -> $crate::Result<Vec<ChainedTrace>> {
                sqlx::query_as::<_, $crate::shared::TraceRow>(
                    "SELECT seq, at, kind, outcome, identifiant, partner, service, address, \
                     nir_digest, detail, prev_hash, hash FROM traces \
                     WHERE seq > $1 AND ($2 IS NULL OR identifiant = $2) \
                     AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) \
                     ORDER BY seq LIMIT $5",
                )
                .bind(after_seq)
                .bind(&filter.identifiant)
                .bind(filter.since)
                .bind(filter.until)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::shared::TraceRow::into_chained)
                .collect()
            }

            async fn trace_anchor(&self) -> $crate::Result<(i64, String)> {
                Ok(sqlx::query_as("SELECT seq, hash FROM trace_anchor WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn trace_head(&self) -> $crate::Result<(i64, String)> {
                Ok(sqlx::query_as("SELECT seq, hash FROM trace_head WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn purge_traces(&self, before: DateTime<Utc>) -> $crate::Result<u64> {
                let mut tx = self.begin_traces().await?;
                // Lock the head so no append interleaves with the purge.
                let (head_seq,): (i64,) =
                    sqlx::query_as("UPDATE trace_head SET seq = seq WHERE id = 1 RETURNING seq")
                        .fetch_one(&mut *tx)
                        .await?;
                let first_kept: Option<i64> =
                    sqlx::query_scalar("SELECT MIN(seq) FROM traces WHERE at >= $1")
                        .bind(before)
                        .fetch_one(&mut *tx)
                        .await?;
                let last_purged = first_kept.map_or(head_seq, |s| s - 1);
                let anchor: Option<String> =
                    sqlx::query_scalar("SELECT hash FROM traces WHERE seq = $1")
                        .bind(last_purged)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(anchor) = anchor else {
                    tx.rollback().await?;
                    return Ok(0);
                };
                let done = sqlx::query("DELETE FROM traces WHERE seq <= $1")
                    .bind(last_purged)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE trace_anchor SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(last_purged)
                    .bind(&anchor)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            async fn trace_stats(
                &self,
                from: DateTime<Utc>,
                to: DateTime<Utc>,
            ) -> $crate::Result<Vec<StatsRow>> {
                let rows: Vec<(Option<String>, Option<String>, Option<String>, String, String, i64)> =
                    sqlx::query_as(
                        "SELECT partner, identifiant, service, kind, outcome, COUNT(*) FROM traces \
                         WHERE at >= $1 AND at < $2 \
                         GROUP BY partner, identifiant, service, kind, outcome \
                         ORDER BY partner, identifiant, service, kind, outcome",
                    )
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(partner, identifiant, service, kind, outcome, count)| StatsRow {
                        partner,
                        identifiant,
                        service,
                        kind,
                        outcome,
                        count,
                    })
                    .collect())
            }
        }

        impl $store {
            async fn convention_departements(&self, convention_id: i64) -> $crate::Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT departement FROM convention_departements WHERE convention_id = $1 ORDER BY departement",
                )
                .bind(convention_id)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use shared_repository;
