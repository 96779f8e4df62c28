//! The wire contract (DESIGN.md "Contracts"): request and response bodies of the HTTP API,
//! shared by the server, the HTTP client and the desktop app. Requests refuse unknown
//! fields; secrets (passwords, tokens, typed NIRs and names) are `Zeroizing` so they are
//! wiped when the body is dropped.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::lookup::LookupOutcome;
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct PartnerInfo {
    pub tiers: String,
    pub name: String,
}

/// A service the user holds, with what a client needs to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ServiceInfo {
    pub code: String,
    pub label: String,
    pub sections: Vec<Section>,
    pub idle_timeout_s: u32,
    pub caisse: String,
    pub departements: Vec<String>,
    /// Opening hours, Paris time (`05:00-23:00`, or `24/7`), caisse and service combined.
    pub hours: String,
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
}

/// The answer to a lookup. `dossier` only with `found`, holding only the service's sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub code: String,
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
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorBody {
            code: code.into(),
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
#[serde(deny_unknown_fields)]
pub struct Violation {
    pub code: String,
    pub message: String,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
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
        as_of
    },
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
