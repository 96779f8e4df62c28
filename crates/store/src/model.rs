//! What the store keeps besides the domain types of guichet-core: partners, conventions,
//! users, habilitations, sessions. Plain data; rules live in the core and the service.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::ServiceDef;
use guichet_core::policy::hours::OpeningHours;
use guichet_core::policy::scope::Scope;
use guichet_core::psu::CareType;
use serde::{Deserialize, Serialize};

pub use guichet_core::admin::{
    Authority, Branch, ConventionStatus, PartnerKind, PartnerRole, PartnerStatus, Suspension,
    UserStatus,
};

/// a convention whose habilitations the partner manages, with its quota and use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub convention: Convention,
    /// Habilitations in force allowed at once; `None`: no quota.
    pub quota: Option<u32>,
    /// Habilitations in force now.
    pub used: u32,
    /// the caisse took management back.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A habilitation as its manager lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Habilitation {
    pub id: i64,
    pub user_id: i64,
    pub identifiant: String,
    pub convention_number: String,
    pub service: String,
    pub granted_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub granted_by: Option<String>,
    /// last confirmed by the partner's administrator (none: never reviewed).
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    /// suspended (gives no access meanwhile), and why.
    pub suspended_at: Option<DateTime<Utc>>,
    pub suspension: Option<Suspension>,
    /// limited to these départements of the convention (`None`: all of them).
    pub departements: Option<Vec<String>>,
}

/// a named group of a partner's users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    pub id: i64,
    pub name: String,
    /// The members' identifiants, in order.
    pub members: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl Habilitation {
    /// due for review a year after its grant or its last review.
    pub fn review_due(&self) -> DateTime<Utc> {
        guichet_core::admin::review_due(self.granted_at, self.reviewed_at)
    }
}

/// What a quota-checked grant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantOutcome {
    Granted,
    /// Already in force: nothing changed (the end date, if any, was updated).
    AlreadyHeld,
    /// The convention's quota is used up.
    QuotaReached {
        quota: u32,
    },
}

/// A caisse and the départements it covers, with its opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caisse {
    pub code: String,
    pub name: String,
    pub branch: Branch,
    pub departements: Vec<String>,
    pub hours: OpeningHours,
}

impl Grant {
    /// the convention's scope narrowed to the habilitation's départements.
    pub fn scope(&self, branch_caisses: &[String]) -> Scope {
        self.convention
            .scope(branch_caisses)
            .narrowed(self.departements.as_deref())
    }

    /// The départements this habilitation reaches.
    pub fn departements(&self) -> Vec<String> {
        let mut d = self.convention.departements.clone();
        if let Some(only) = &self.departements {
            d.retain(|x| only.contains(x));
        }
        d
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartner {
    pub tiers: String,
    pub name: String,
    pub kind: PartnerKind,
    pub siret: Option<String>,
    /// the type of care, for the PSU effort rates (collective when not said).
    pub care: CareType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    pub id: i64,
    pub tiers: String,
    pub name: String,
    pub kind: PartnerKind,
    pub siret: Option<String>,
    pub status: PartnerStatus,
    pub created_at: DateTime<Utc>,
    pub care: CareType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConvention {
    pub number: String,
    pub partner_id: i64,
    pub caisse: String,
    pub service: String,
    pub departements: Vec<String>,
    pub beyond_caisse: bool,
    pub starts_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Convention {
    pub id: i64,
    pub number: String,
    pub partner_id: i64,
    pub caisse: String,
    pub service: String,
    pub departements: Vec<String>,
    /// a CAF convention whose départements may lie outside its caisse (every CAF's
    /// files in them are in scope).
    pub beyond_caisse: bool,
    pub starts_on: NaiveDate,
    /// the day notice was received, and the last day the convention has effect.
    pub notice_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub status: ConventionStatus,
    pub status_at: DateTime<Utc>,
}

impl Convention {
    /// in force on `day`: active, started, and not past the end its notice set.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        guichet_core::admin::convention_in_force(self.status, self.starts_on, self.ends_on, day)
    }

    /// still binds its caisse to the partner on `day` (see
    /// [`guichet_core::admin::convention_binds`]): the caisse's operators reach the partner
    /// through it.
    pub fn binds(&self, day: NaiveDate) -> bool {
        guichet_core::admin::convention_binds(self.status, self.ends_on, day)
    }

    /// what this convention lets its users see; `branch_caisses` are the caisses of
    /// its branch, reached only when it is set beyond its caisse.
    pub fn scope(&self, branch_caisses: &[String]) -> Scope {
        let mut scope = Scope::of_caisse(&self.caisse, self.departements.clone());
        if self.beyond_caisse {
            scope.caisses.extend(
                branch_caisses
                    .iter()
                    .filter(|c| **c != self.caisse)
                    .cloned(),
            );
        }
        scope
    }
}

/// A password hash in PHC format. Not the password, but still kept out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub partner_id: i64,
    pub identifiant: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: PasswordHash,
    pub test_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub partner_id: i64,
    pub identifiant: String,
    pub display_name: String,
    pub email: String,
    pub password_hash: PasswordHash,
    pub must_change_password: bool,
    pub password_changed_at: DateTime<Utc>,
    pub status: UserStatus,
    pub test_account: bool,
    pub created_at: DateTime<Utc>,
    pub status_at: DateTime<Utc>,
}

/// A user's habilitation on one convention, with everything a lookup needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub habilitation_id: i64,
    pub convention: Convention,
    /// the départements of the convention this habilitation is limited to; `None`:
    /// all of them.
    pub departements: Option<Vec<String>>,
    pub service: ServiceDef,
    pub caisse_hours: OpeningHours,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 of the token, hex. The token itself is never stored.
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub idle_timeout_secs: u32,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub idle_timeout_secs: u32,
    pub address: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What one request asks of its session (issue 14: one round trip on PostgreSQL).
#[derive(Debug, Clone, Copy)]
pub struct SessionRequest<'a> {
    pub token_hash: &'a str,
    pub at: DateTime<Utc>,
    /// The activity is written only when it moves the idle deadline forward by more than
    /// this many seconds, and only while the session is live by its own idle delay and by
    /// `absolute_lifetime_secs` (the caller decides the session's state from the record as
    /// it was before this request, and revokes it when it ran out).
    pub touch_after_secs: u32,
    pub absolute_lifetime_secs: i64,
    /// A rate counter that counts this request: the bucket's prefix, completed with the
    /// session's user id (`lookup:` counts in `lookup:42`), and the window's start. Not
    /// counted for a revoked session.
    pub rate: Option<(&'a str, DateTime<Utc>)>,
}

/// A session with its user and partner, as one request found them.
#[derive(Debug, Clone)]
pub struct SessionBundle {
    /// The record before this request touched it.
    pub record: SessionRecord,
    pub user: User,
    pub partner: Partner,
    /// The rate counter after this request's hit (when a rate was asked for).
    pub hits: Option<i64>,
    /// The user's habilitations, as [`crate::UserRepo::grants`] gives them at the
    /// request's time, when the backend read them in the same round trip (PostgreSQL).
    pub grants: Option<Vec<Grant>>,
}

/// Which files `sample` may pick (synthetic databases only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierFilter {
    pub caisse: Option<String>,
    pub departement: Option<String>,
    pub opposition: Option<bool>,
    /// Only files with an RSA right (open, suspended or closed).
    pub with_rsa: Option<bool>,
}

/// The trace filter of `audit export`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceFilter {
    pub identifiant: Option<String>,
    /// The partner's numéro de tiers (R-21: its administrator reads its traces).
    pub partner: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// A service's code (issue 23: a manager's or an operator's listing by service).
    pub service: Option<String>,
}

/// One line of the monthly statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsRow {
    pub partner: Option<String>,
    pub identifiant: Option<String>,
    pub service: Option<String>,
    pub kind: String,
    pub outcome: String,
    pub count: i64,
}

/// sign-in attempts refused while an identifiant was locked, over one window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockoutRefusals {
    pub identifiant: String,
    pub window_start: DateTime<Utc>,
    pub refused: i64,
    pub last_at: DateTime<Utc>,
    /// The address of the last refused attempt.
    pub address: Option<String>,
}

/// sign-ins refused by one rate-limit budget (a client address, or all of them
/// together) over one window (issue 22: aggregated, so that a flood adds no trace per
/// request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRefusals {
    /// The budget that refused (`sign_in:<address>`, `sign_in:*`).
    pub bucket: String,
    pub window_start: DateTime<Utc>,
    pub refused: i64,
    pub last_at: DateTime<Utc>,
    /// The identifiant every refusal of the window named; `None` once they differ.
    pub identifiant: Option<String>,
    /// The address of the last refused attempt.
    pub address: Option<String>,
}
