//! Every error code Guichet puts on a wire: the API's answers, the HTTP client's own
//! failures, the desktop app's IPC errors. One enum, snake_case, exported to TypeScript, so
//! that no code is a free string anywhere and a new one is a compile-time decision for every
//! `match`. A code this version does not know (a newer server) decodes as
//! [`ErrorCode::Unknown`], shown with the message the server sent.

use serde::{Deserialize, Serialize};

/// Declares the enum with each variant's wire string once, and the list of all variants.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code from a newer server that this version does not know.
            #[serde(other)]
            Unknown,
        }

        impl ErrorCode {
            /// Every known code (not `Unknown`).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as it travels.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                    ErrorCode::Unknown => "unknown",
                }
            }
        }
    };
}

error_codes! {
    // Signing in and sessions.
    /// Unknown identifiant or wrong password (the same answer for both).
    InvalidCredentials = "invalid_credentials",
    /// too many failures; `retry_after_s` says when to try again.
    AccountLocked = "account_locked",
    /// user, partner or convention inactive, or no habilitation.
    AccountDisabled = "account_disabled",
    /// A temporary password not changed within its validity.
    TemporaryPasswordExpired = "temporary_password_expired",
    /// idle, past its lifetime, revoked, or no token.
    SessionExpired = "session_expired",
    /// the password must be changed first.
    PasswordChangeRequired = "password_change_required",
    /// `violations` lists the rules the new password breaks.
    PasswordPolicy = "password_policy",
    // Lookups.
    ServiceNotGranted = "service_not_granted",
    UnknownService = "unknown_service",
    /// `reopens_at` says when.
    ServiceClosed = "service_closed",
    /// a NIR of the wrong shape.
    NirMalformed = "nir_malformed",
    /// the key does not match the first 13 characters.
    NirKeyMismatch = "nir_key_mismatch",
    /// no letter, a character outside names, or over 100 characters.
    NameMalformed = "name_malformed",
    /// Too many requests for a budget (per user, per address, overall).
    RateLimited = "rate_limited",
    /// CDAP T4: the profile needs the user's numéro instructeur, absent or malformed.
    NumeroInstructeurRequired = "numero_instructeur_required",
    // Administration.
    InvalidInput = "invalid_input",
    NotFound = "not_found",
    Conflict = "conflict",
    // Delegated habilitation management.
    /// The convention's quota of habilitations is used up.
    QuotaReached = "quota_reached",
    /// An administration call by someone who is not one of the partner's managers.
    NotAManager = "not_a_manager",
    /// A supervision call by someone who is not a caisse operator.
    NotAnOperator = "not_an_operator",
    /// A service, département or account outside the partner's conventions or power.
    OutsideConvention = "outside_convention",
    /// the caisse has taken the partner's management back.
    DelegationWithdrawn = "delegation_withdrawn",
    /// Issue 22: an action only the caisse's administration console (the server's command
    /// line) takes: the catalogue, opening hours, new partners and conventions.
    ConsoleOnly = "console_only",
    /// Issue 22: nobody administers or reviews their own account or habilitations.
    OwnAccount = "own_account",
    /// An identifiant already in use.
    IdentifiantTaken = "identifiant_taken",
    /// CDAP T16: a temporary profile's habilitation needs an end date.
    EndDateRequired = "end_date_required",
    // The request itself.
    InvalidBody = "invalid_body",
    PayloadTooLarge = "payload_too_large",
    UnsupportedMediaType = "unsupported_media_type",
    MethodNotAllowed = "method_not_allowed",
    // The server's state.
    /// Too many requests at once, or no password-hashing slot free in time.
    Busy = "busy",
    /// The request took longer than the server allows.
    Timeout = "timeout",
    /// The database cannot be reached or is shutting down.
    Unavailable = "unavailable",
    Internal = "internal",
    /// A real database without its trace key (server configuration).
    TraceKeyRequired = "trace_key_required",
    // The client's side of the wire.
    /// The server URL is not `https://` (plain `http://` only to loopback).
    InvalidUrl = "invalid_url",
    /// The machine policy's extra CA is not a PEM certificate.
    InvalidCa = "invalid_ca",
    /// No connection (DNS, refused, proxy, timeout).
    ServerUnreachable = "server_unreachable",
    /// The server's certificate is not trusted, or the handshake failed.
    TlsError = "tls_error",
    /// The server answered something that is not the contract (a redirect included).
    BadResponse = "bad_response",
    // The desktop app.
    UnknownProfile = "unknown_profile",
    InvalidProfile = "invalid_profile",
    /// The machine policy fixes the profiles.
    ProfilesPinned = "profiles_pinned",
    LastProfile = "last_profile",
    /// The machine policy forbids the bundled backend.
    BundledForbidden = "bundled_forbidden",
    BundledUnavailable = "bundled_unavailable",
    SettingsUnwritable = "settings_unwritable",
    KeychainUnavailable = "keychain_unavailable",
    ClipboardUnavailable = "clipboard_unavailable",
    /// A machine policy or CA file is missing, unreadable, invalid or untrusted: nothing
    /// is allowed on the workstation.
    PolicyRefused = "policy_refused",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every code's wire string, pinned: changing one breaks installed clients.
    #[test]
    fn every_code_is_pinned() {
        let pinned = [
            "invalid_credentials",
            "account_locked",
            "account_disabled",
            "temporary_password_expired",
            "session_expired",
            "password_change_required",
            "password_policy",
            "service_not_granted",
            "unknown_service",
            "service_closed",
            "nir_malformed",
            "nir_key_mismatch",
            "name_malformed",
            "rate_limited",
            "numero_instructeur_required",
            "invalid_input",
            "not_found",
            "conflict",
            "quota_reached",
            "not_a_manager",
            "not_an_operator",
            "outside_convention",
            "delegation_withdrawn",
            "console_only",
            "own_account",
            "identifiant_taken",
            "end_date_required",
            "invalid_body",
            "payload_too_large",
            "unsupported_media_type",
            "method_not_allowed",
            "busy",
            "timeout",
            "unavailable",
            "internal",
            "trace_key_required",
            "invalid_url",
            "invalid_ca",
            "server_unreachable",
            "tls_error",
            "bad_response",
            "unknown_profile",
            "invalid_profile",
            "profiles_pinned",
            "last_profile",
            "bundled_forbidden",
            "bundled_unavailable",
            "settings_unwritable",
            "keychain_unavailable",
            "clipboard_unavailable",
            "policy_refused",
        ];
        let actual: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(actual, pinned);
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{code}\""), "serde agrees with as_str");
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *code);
        }
    }

    #[test]
    fn a_newer_servers_code_decodes_as_unknown() {
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"quota_exceeded\"").unwrap(),
            ErrorCode::Unknown
        );
    }
}
