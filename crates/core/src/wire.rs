//! The wire contract (DESIGN.md "Contracts"): request and response bodies of the HTTP API,
//! shared by the server, the HTTP client and the desktop app. Requests refuse unknown
//! fields (a typo is an error, not a silent default); responses accept fields they do not
//! know, so that a server can add one without breaking the desktops already installed ("add,
//! don't break"). Secrets (passwords, tokens, typed NIRs and names) are `Zeroizing` so they
//! are wiped when the body is dropped.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use crate::error_code::ErrorCode;
use crate::lookup::LookupOutcome;
use crate::policy::password::PasswordPolicy;
use crate::service_def::{DossierView, Section};

/// `POST /api/v1/sessions`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub identifiant: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Password))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub password: Zeroizing<String>,
}

/// The answer to a sign-in: who is signed in, with which services, and the session token.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionInfo {
    /// Bearer token of the session. Kept in memory only by clients.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub token: Zeroizing<String>,
    pub user: UserInfo,
    pub partner: PartnerInfo,
    pub services: Vec<ServiceInfo>,
    /// R-11: every other call is refused until the password is changed.
    pub must_change_password: bool,
    /// R-12: the password is over a year old; changing it is recommended.
    pub password_age_warning: bool,
    /// R-16: idle delay of this session (the strictest of its services).
    pub idle_timeout_s: u32,
    /// R-17: the session ends at this time whatever the activity.
    pub expires_at: DateTime<Utc>,
    /// R-12: the rules a new password must meet here (the server's own, which a client's
    /// live check and messages follow).
    #[serde(default)]
    pub password_rules: PasswordRules,
    /// R-25: `administrator`, `deputy` or `manager` of the partner (the "Administration"
    /// screen), or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_role: Option<String>,
    /// The caisse of a caisse operator (the supervision screen), or none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_of: Option<String>,
}

/// R-12: the password rules in force on a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PasswordRules {
    pub min_length: u32,
    pub max_length: u32,
    /// How many previous passwords may not be reused.
    pub history: u32,
}

impl Default for PasswordRules {
    fn default() -> Self {
        PasswordRules::from(&PasswordPolicy::default())
    }
}

impl From<&PasswordPolicy> for PasswordRules {
    fn from(p: &PasswordPolicy) -> Self {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        PasswordRules {
            min_length: n(p.min_length),
            max_length: n(p.max_length),
            history: n(p.history),
        }
    }
}

impl From<PasswordRules> for PasswordPolicy {
    fn from(r: PasswordRules) -> Self {
        PasswordPolicy {
            min_length: r.min_length as usize,
            max_length: r.max_length as usize,
            history: r.history as usize,
            ..PasswordPolicy::default()
        }
    }
}

impl std::fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionInfo")
            .field("token", &"***")
            .field("user", &self.user.identifiant)
            .field("services", &self.services.len())
            .field("must_change_password", &self.must_change_password)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserInfo {
    pub identifiant: String,
    pub display_name: String,
    /// A test account (MSA staff testing partner access): a client may remember its
    /// password on a non-production profile.
    pub test_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartnerInfo {
    pub tiers: String,
    pub name: String,
}

/// A service the user holds, with what a client needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceInfo {
    pub code: String,
    pub label: String,
    pub sections: Vec<Section>,
    pub idle_timeout_s: u32,
    pub caisse: String,
    pub departements: Vec<String>,
    /// Opening hours, Paris time (`05:00-23:00`, or `24/7`), caisse and service combined
    /// (R-18): `05:00-23:00 & 07:00-19:00` when both count (see `CombinedHours`).
    pub hours: String,
    /// CDAP T4: the lookup asks for the user's numéro instructeur.
    #[serde(default)]
    pub numero_instructeur: bool,
    /// CDAP T20: the dated parts of a file are cut to this many months before today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_months: Option<u32>,
}

/// `PUT /api/v1/sessions/current/password`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Password))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub current_password: Zeroizing<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Password))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub new_password: Zeroizing<String>,
}

/// `POST /api/v1/lookups`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    pub service: String,
    /// As typed: spaces and dots between groups are accepted.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "1 85 05 78 006 084 91"))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub nir: Zeroizing<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Lefèvre"))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub name: Zeroizing<String>,
    /// Date of the "Recherche" (resources and QF in force); today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// CDAP T4: the user's numéro instructeur (1 to 20 letters, digits or hyphens), kept
    /// in the lookup's trace. Ignored by the other services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numero_instructeur: Option<String>,
}

/// The answer to a lookup. `dossier` only with `found`, holding only the service's sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LookupResponse {
    pub outcome: LookupOutcome,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier: Option<DossierView>,
}

/// Every error answer: a stable `code`, a French `message`, and the details some codes add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// `account_locked`, `rate_limited`: seconds before trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub retry_after_s: Option<i64>,
    /// `password_policy`: every rule the new password breaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
    /// `service_closed`: when lookups are answered again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopens_at: Option<DateTime<Utc>>,
}

impl ErrorBody {
    /// An error with just its code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            retry_after_s: None,
            violations: None,
            reopens_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Violation {
    pub code: String,
    pub message: String,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Health {
    pub status: String,
    pub database: String,
    pub version: String,
}

/// Debug output of bodies that carry secrets or personal data: the field names only.
macro_rules! redacted_debug {
    ($($ty:ident { $($field:ident),* }),* $(,)?) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &"***"))*
                    .finish()
            }
        }
    )*};
}

redacted_debug!(
    SignInRequest {
        identifiant,
        password
    },
    ChangePasswordRequest {
        current_password,
        new_password
    },
    LookupRequest {
        service,
        nir,
        name,
        as_of,
        numero_instructeur
    },
    CreatedUser {
        identifiant,
        temporary_password
    },
    TemporaryPassword { temporary_password },
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_refused() {
        let ok = r#"{"service":"psu","nir":"185057800608491","name":"Dupont"}"#;
        assert!(serde_json::from_str::<LookupRequest>(ok).is_ok());
        let extra = r#"{"service":"psu","nir":"1","name":"D","admin":true}"#;
        assert!(serde_json::from_str::<LookupRequest>(extra).is_err());
    }

    /// An old client reading a newer server's answers: an added field, an added section
    /// and an added error code all decode.
    #[test]
    fn responses_from_a_newer_server_decode() {
        let lookup = r#"{"outcome":"found","message":"ok","confidence":0.9,
            "dossier":{"service":"psu","sections":["coordonnees","bons_vacances"],
            "bons_vacances":{"montant":120},
            "coordonnees":{"allocataire_number":"1234567","civility":"madame",
            "first_name":"Léa","birth_name":"DUPONT","usage_name":null,
            "birth_date":"1985-05-12","rang":1}}}"#;
        let r: LookupResponse = serde_json::from_str(lookup).unwrap();
        let d = r.dossier.unwrap();
        assert_eq!(d.sections, vec![Section::Coordonnees, Section::Unknown]);
        assert!(d.coordonnees.is_some());
        let error = r#"{"code":"quota_exceeded","message":"Quota atteint.","quota":20}"#;
        let e: ErrorBody = serde_json::from_str(error).unwrap();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Unknown, "Quota atteint.")
        );
    }

    #[test]
    fn debug_never_prints_secrets() {
        let r: SignInRequest =
            serde_json::from_str(r#"{"identifiant":"demo.creche","password":"S3cret-pass!"}"#)
                .unwrap();
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("S3cret") && !shown.contains("demo.creche"),
            "{shown}"
        );
    }
}

/// A trace as a user reads their own (`GET /api/v1/me/traces`, GDPR art. 15) or an
/// administrator their partner's (`GET /api/v1/admin/traces`, R-21): who, when, what, which
/// service, with what outcome; never a NIR or its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TraceEntry {
    pub at: DateTime<Utc>,
    /// Whose action (the user's own in `/me/traces`).
    #[serde(default)]
    pub identifiant: Option<String>,
    /// `sign_in`, `sign_out`, `password_change`, `lookup`, `timeout`, `admin`.
    pub kind: String,
    #[serde(default)]
    pub service: Option<String>,
    pub outcome: String,
    #[serde(default)]
    pub address: Option<String>,
}

/// Largest page of a trace listing, and the size of a page when none is asked for.
pub const TRACE_PAGE_MAX: u32 = 500;
pub const TRACE_PAGE_DEFAULT: u32 = 100;

/// Which page of a trace listing (issue 22: every listing is paged): newest first, at most
/// `limit` traces (100 by default, 500 at most), all older than the cursor `before`, the
/// `next_before` of the previous page (absent for the first page). The query string of
/// `GET /api/v1/me/traces`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TracePageQuery {
    /// Traces in the page, 1 to 500 (100 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<u32>,
    /// The cursor: only traces older than this one (the `next_before` of the previous page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub before: Option<i64>,
    /// Issue 23: only this user's traces (an identifiant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 64))]
    pub user: Option<String>,
    /// Only the traces of this service (its code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 64))]
    pub service: Option<String>,
    /// From this day on (Paris time, included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// Up to this day (Paris time, included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// One page of a trace listing, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TraceEntries {
    pub entries: Vec<TraceEntry>,
    /// The `before` of the next (older) page; absent on the last page.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub next_before: Option<i64>,
}

// ------------------------------------------------ delegated management (`/api/v1/admin/…`)

/// A habilitation to grant: a service delegated to the partner, until a day (included) or
/// without end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct HabilitationGrant {
    pub service: String,
    /// R-25: some of the convention's départements only; all of them when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departements: Option<Vec<String>>,
    /// Last day of a temporary habilitation (required by CDAP T16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<NaiveDate>,
}

/// `POST /api/v1/admin/users`: a new user; the identifiant is generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// First and last name, as the user's colleagues know them.
    pub name: String,
    pub email: String,
    pub habilitations: Vec<HabilitationGrant>,
}

/// The account created, and its temporary password: shown once, to hand over apart from
/// the identifiant (R-10); changed at first sign-in (R-11).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreatedUser {
    pub identifiant: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub temporary_password: Zeroizing<String>,
}

/// A new temporary password (`POST …/password-reset`).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemporaryPassword {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub temporary_password: Zeroizing<String>,
}

/// An account's state, as a manager sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Suspended,
    Deactivated,
}

/// `PUT /api/v1/admin/users/{identifiant}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AccountStatusRequest {
    pub status: AccountStatus,
}

/// `PUT /api/v1/admin/users/{identifiant}/manager`: appoint or dismiss a delegated manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ManagerRequest {
    pub manager: bool,
}

/// R-25: a group of the partner's users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupInfo {
    pub name: String,
    /// The members' identifiants.
    pub members: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/admin/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRequest {
    pub name: String,
}

/// A partner of the caisse, as its operators supervise it (`GET /api/v1/caisse/partners`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupervisedPartner {
    pub tiers: String,
    pub name: String,
    /// `active` or `suspended`.
    pub status: String,
    /// R-25: some of its conventions are managed by the partner itself.
    pub delegated: bool,
    /// R-26: the caisse has taken the management back.
    pub delegation_withdrawn: bool,
    /// R-27: habilitations whose yearly review is late.
    pub late_reviews: u32,
}

/// `PUT /api/v1/caisse/partners/{tiers}/delegation`: withdraw the delegation or give it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DelegationStateRequest {
    pub withdrawn: bool,
}

/// `PUT /api/v1/caisse/users/{identifiant}/habilitations/{service}/suspension`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SuspensionRequest {
    pub suspended: bool,
}

/// How many accounts or habilitations an action touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Affected {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// A habilitation in force, as its manager lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HabilitationInfo {
    pub service: String,
    /// The départements it reaches (the convention's, or the subset it was granted on).
    pub departements: Vec<String>,
    pub granted_at: DateTime<Utc>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub granted_by: Option<String>,
    /// R-26, R-27, issue 22: why it is suspended, when it is: `caisse` (the caisse's own
    /// suspension, lifted by that caisse only) or `late_review` (lifted when the partner's
    /// administrator confirms it in the yearly review).
    #[serde(default)]
    pub suspended_by: Option<String>,
}

/// A user of the partner, as its managers see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ManagedUserInfo {
    pub identifiant: String,
    pub display_name: String,
    pub email: String,
    pub status: AccountStatus,
    /// `administrator`, `deputy`, `manager`, or none for a plain user.
    #[serde(default)]
    pub role: Option<String>,
    pub must_change_password: bool,
    pub habilitations: Vec<HabilitationInfo>,
}

/// A convention delegated to the partner and its quota's use ("12 / 20").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DelegationInfo {
    pub service: String,
    pub convention: String,
    pub caisse: String,
    pub departements: Vec<String>,
    /// Habilitations in force allowed at once; none: no quota.
    #[serde(default)]
    pub quota: Option<u32>,
    pub used: u32,
}

/// R-27: a habilitation in force and its yearly review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewInfo {
    pub identifiant: String,
    pub service: String,
    pub granted_at: DateTime<Utc>,
    #[serde(default)]
    pub reviewed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    /// A year after the grant or the last review.
    pub due_at: DateTime<Utc>,
    pub late: bool,
    /// R-26: suspended by the caisse (for a late review) until confirmed.
    pub suspended: bool,
}

/// R-27: the administrator's decision on one habilitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Confirm,
    Remove,
}

/// `POST /api/v1/admin/reviews`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub identifiant: String,
    pub service: String,
    pub decision: ReviewDecision,
}

// ------------------------------------------- the caisse's operators (`/api/v1/caisse/…`)

/// A partner's convention with the operator's caisse, as the operator reads it
/// (`GET /api/v1/caisse/partners/{tiers}/conventions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConventionInfo {
    pub number: String,
    pub service: String,
    pub caisse: String,
    pub departements: Vec<String>,
    pub starts_on: NaiveDate,
    /// R-28: the day notice was received, and the convention's last day.
    #[serde(default)]
    pub notice_on: Option<NaiveDate>,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    /// `active`, `suspended` or `terminated`.
    pub status: String,
    /// R-25: its habilitations are granted by the partner's managers (within `quota`);
    /// otherwise by the caisse (R-24).
    pub delegated: bool,
    /// R-26: the caisse took the delegation back.
    pub delegation_withdrawn: bool,
    #[serde(default)]
    pub quota: Option<u32>,
}

/// `GET /api/v1/caisse/stats`: which month (`YYYY-MM`, Paris time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// The month, `YYYY-MM`.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = r"^[0-9]{4}-[0-9]{2}$", example = "2026-11")
    )]
    pub month: String,
}

/// R-22: one line of a month's statistics: how many traces of a kind and outcome, per
/// partner, user and service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonthlyStat {
    #[serde(default)]
    pub partner: Option<String>,
    #[serde(default)]
    pub identifiant: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    /// `sign_in`, `lookup`, …
    pub kind: String,
    pub outcome: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// `GET /api/v1/caisse/flags`: from which day (Paris time, included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FlagsQuery {
    pub since: NaiveDate,
}

/// R-23: a user worth a look, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AbuseSignal {
    pub identifiant: String,
    #[serde(default)]
    pub partner: Option<String>,
    /// In French, for the agent ("12 réponses « aucun dossier » d'affilée").
    pub reason: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// Why a session ended without the user's "Se déconnecter" (issue 23: traced as such).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The user signed out.
    SignOut,
    /// R-16: the idle delay ran out on the workstation.
    Idle,
    /// The OS session was locked.
    ScreenLocked,
    /// The machine went to sleep.
    Sleep,
}

impl EndReason {
    /// The outcome recorded in the sign-out's trace.
    pub fn outcome(self) -> &'static str {
        match self {
            EndReason::SignOut => "ok",
            EndReason::Idle => "idle",
            EndReason::ScreenLocked => "screen_locked",
            EndReason::Sleep => "sleep",
        }
    }
}

/// `DELETE /api/v1/sessions/current`: why (a voluntary sign-out when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SignOutQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub reason: Option<EndReason>,
}
