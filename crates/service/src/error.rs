//! The service's errors, each with a stable wire code and a French message. The server maps
//! them to HTTP statuses, the desktop app to IPC errors; both send `{code, message}`.

use chrono::{DateTime, Utc};
use guichet_core::policy::hours::paris_hhmm;
use guichet_core::policy::password::{PasswordPolicy, PasswordViolation};
use guichet_core::wire::{ErrorBody, ErrorCode, Violation};
use guichet_core::{NameError, NirError};
use guichet_store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("identifiant ou mot de passe incorrect")]
    InvalidCredentials,
    #[error("compte verrouillé après plusieurs échecs")]
    AccountLocked { retry_after_s: i64 },
    #[error("compte inactif")]
    AccountDisabled,
    #[error("mot de passe provisoire expiré")]
    TemporaryPasswordExpired,
    #[error("session expirée")]
    SessionExpired,
    #[error("changement de mot de passe requis")]
    PasswordChangeRequired,
    #[error("mot de passe refusé par la politique")]
    PasswordPolicy {
        violations: Vec<PasswordViolation>,
        /// The policy in force, which the messages quote (12 characters, or what is set).
        policy: PasswordPolicy,
    },
    #[error("service non attribué")]
    ServiceNotGranted,
    #[error("service inconnu")]
    UnknownService,
    #[error("service fermé")]
    ServiceClosed { reopens_at: DateTime<Utc> },
    #[error("trop de demandes")]
    RateLimited { retry_after_s: i64 },
    #[error(transparent)]
    Nir(NirError),
    #[error(transparent)]
    Name(NameError),
    #[error("saisie invalide : {0}")]
    InvalidInput(String),
    #[error("introuvable : {0}")]
    NotFound(&'static str),
    #[error("existe déjà : {0}")]
    Conflict(&'static str),
    #[error("quota atteint")]
    QuotaReached { service: String, quota: u32 },
    #[error("pas gestionnaire des habilitations")]
    NotAManager,
    #[error("pas agent de caisse")]
    NotAnOperator,
    #[error("hors convention : {0}")]
    OutsideConvention(String),
    #[error("délégation retirée")]
    DelegationWithdrawn,
    #[error("réservé à la console")]
    ConsoleOnly,
    #[error("son propre compte")]
    OwnAccount,
    #[error("identifiant déjà pris")]
    IdentifiantTaken,
    #[error("numéro instructeur requis")]
    NumeroInstructeurRequired,
    #[error("date de fin requise")]
    EndDateRequired { service: String },
    #[error("base de données indisponible")]
    Unavailable,
    #[error("serveur occupé")]
    Busy { retry_after_s: i64 },
    #[error("clé de traces requise")]
    TraceKeyRequired,
    #[error("erreur interne")]
    Internal,
}

impl ServiceError {
    /// The stable wire code (DESIGN.md "Contracts").
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ServiceError::AccountLocked { .. } => ErrorCode::AccountLocked,
            ServiceError::AccountDisabled => ErrorCode::AccountDisabled,
            ServiceError::TemporaryPasswordExpired => ErrorCode::TemporaryPasswordExpired,
            ServiceError::SessionExpired => ErrorCode::SessionExpired,
            ServiceError::PasswordChangeRequired => ErrorCode::PasswordChangeRequired,
            ServiceError::PasswordPolicy { .. } => ErrorCode::PasswordPolicy,
            ServiceError::ServiceNotGranted => ErrorCode::ServiceNotGranted,
            ServiceError::UnknownService => ErrorCode::UnknownService,
            ServiceError::ServiceClosed { .. } => ErrorCode::ServiceClosed,
            ServiceError::RateLimited { .. } => ErrorCode::RateLimited,
            ServiceError::Nir(e) => e.code(),
            ServiceError::Name(e) => e.code(),
            ServiceError::InvalidInput(_) => ErrorCode::InvalidInput,
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::Conflict(_) => ErrorCode::Conflict,
            ServiceError::QuotaReached { .. } => ErrorCode::QuotaReached,
            ServiceError::NotAManager => ErrorCode::NotAManager,
            ServiceError::NotAnOperator => ErrorCode::NotAnOperator,
            ServiceError::OutsideConvention(_) => ErrorCode::OutsideConvention,
            ServiceError::ConsoleOnly => ErrorCode::ConsoleOnly,
            ServiceError::OwnAccount => ErrorCode::OwnAccount,
            ServiceError::DelegationWithdrawn => ErrorCode::DelegationWithdrawn,
            ServiceError::IdentifiantTaken => ErrorCode::IdentifiantTaken,
            ServiceError::NumeroInstructeurRequired => ErrorCode::NumeroInstructeurRequired,
            ServiceError::EndDateRequired { .. } => ErrorCode::EndDateRequired,
            ServiceError::Unavailable => ErrorCode::Unavailable,
            ServiceError::Busy { .. } => ErrorCode::Busy,
            ServiceError::TraceKeyRequired => ErrorCode::TraceKeyRequired,
            ServiceError::Internal => ErrorCode::Internal,
        }
    }

    /// What the user reads.
    pub fn message(&self) -> String {
        match self {
            ServiceError::InvalidCredentials => "Identifiant ou mot de passe incorrect.".into(),
            ServiceError::AccountLocked { retry_after_s } => format!(
                "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans {}.",
                minutes(*retry_after_s)
            ),
            ServiceError::AccountDisabled => {
                "Votre compte ne permet pas de vous connecter. Contactez votre administrateur.".into()
            }
            ServiceError::TemporaryPasswordExpired => {
                "Votre mot de passe provisoire a expiré. Demandez-en un nouveau à votre administrateur."
                    .into()
            }
            ServiceError::SessionExpired => {
                "Votre session a expiré. Reconnectez-vous avec votre identifiant et votre mot de passe."
                    .into()
            }
            ServiceError::PasswordChangeRequired => {
                "Vous devez changer votre mot de passe avant de continuer.".into()
            }
            ServiceError::PasswordPolicy { violations, policy } => {
                let list: Vec<_> = violations.iter().map(|v| v.message(policy)).collect();
                format!("Mot de passe refusé : {}.", list.join(", "))
            }
            ServiceError::ServiceNotGranted => {
                "Vous n'êtes pas habilité à ce service.".into()
            }
            ServiceError::UnknownService => "Ce service n'existe pas.".into(),
            ServiceError::ServiceClosed { reopens_at } => format!(
                "Service fermé, réouverture à {}.",
                paris_hhmm(*reopens_at)
            ),
            ServiceError::RateLimited { retry_after_s } => format!(
                "Trop de demandes en peu de temps. Réessayez dans {retry_after_s} s."
            ),
            ServiceError::Nir(e) => {
                let mut m = e.to_string();
                capitalize(&mut m);
                format!("{m}.")
            }
            ServiceError::Name(e) => {
                let mut m = e.to_string();
                capitalize(&mut m);
                format!("{m}.")
            }
            ServiceError::InvalidInput(m) => format!("Saisie invalide : {m}."),
            ServiceError::NotFound(what) => format!("Introuvable : {what}."),
            ServiceError::Conflict(what) => format!("Existe déjà : {what}."),
            ServiceError::QuotaReached { service, quota } => format!(
                "Quota atteint : la convention permet {quota} habilitation{} au service {service}, \
                 toutes attribuées. Retirez-en une ou demandez à la caisse d'augmenter le quota.",
                if *quota > 1 { "s" } else { "" }
            ),
            ServiceError::NotAManager => "Cette fonction est réservée aux gestionnaires des \
                 habilitations du partenaire."
                .into(),
            ServiceError::NotAnOperator => {
                "Cette fonction est réservée aux agents de la caisse.".into()
            }
            ServiceError::OutsideConvention(what) => {
                format!("Hors de vos conventions : {what}.")
            }
            ServiceError::ConsoleOnly => "Cette action se fait sur la console \
                 d'administration de la caisse (guichet-server admin)."
                .into(),
            ServiceError::OwnAccount => "Personne n'administre ni ne revoit son propre \
                 compte : adressez-vous à un autre gestionnaire ou à la caisse."
                .into(),
            ServiceError::DelegationWithdrawn => "La caisse a repris la gestion des \
                 habilitations de votre organisme : adressez-vous à elle."
                .into(),
            ServiceError::IdentifiantTaken => "Cet identifiant est déjà utilisé.".into(),
            ServiceError::NumeroInstructeurRequired => "Ce profil demande votre numéro \
                 instructeur (1 à 20 lettres, chiffres ou tirets) avant toute recherche."
                .into(),
            ServiceError::EndDateRequired { service } => format!(
                "Le profil {service} n'est attribué que temporairement : indiquez une date de fin."
            ),
            ServiceError::Unavailable => {
                "Le service est momentanément indisponible. Réessayez dans quelques instants.".into()
            }
            ServiceError::Busy { retry_after_s } => format!(
                "Le serveur est très sollicité. Réessayez dans {retry_after_s} s."
            ),
            ServiceError::TraceKeyRequired => "Cette base de données n'est pas synthétique : \
                 la clé de traces (trace_key_file, GUICHET_TRACE_KEY_FILE) est requise."
                .into(),
            ServiceError::Internal => "Une erreur interne est survenue.".into(),
        }
    }

    /// The `{code, message, …}` body of this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.message(),
            retry_after_s: match self {
                ServiceError::AccountLocked { retry_after_s }
                | ServiceError::RateLimited { retry_after_s }
                | ServiceError::Busy { retry_after_s } => Some(*retry_after_s),
                _ => None,
            },
            violations: match self {
                ServiceError::PasswordPolicy { violations, policy } => Some(
                    violations
                        .iter()
                        .map(|v| Violation {
                            code: v.code().into(),
                            message: v.message(policy),
                        })
                        .collect(),
                ),
                _ => None,
            },
            reopens_at: match self {
                ServiceError::ServiceClosed { reopens_at } => Some(*reopens_at),
                _ => None,
            },
        }
    }
}

fn minutes(secs: i64) -> String {
    let m = (secs + 59) / 60;
    if m <= 1 {
        "1 minute".into()
    } else {
        format!("{m} minutes")
    }
}

fn capitalize(s: &mut String) {
    if let Some(first) = s.chars().next() {
        let upper: String = first.to_uppercase().collect();
        s.replace_range(..first.len_utf8(), &upper);
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Refused(why) => ServiceError::InvalidInput(why.into()),
            StoreError::Bareme(why) => ServiceError::InvalidInput(why.to_string()),
            e if e.is_unavailable() => {
                tracing::error!(error = ?e, "database unavailable");
                ServiceError::Unavailable
            }
            e => {
                // Debug of StoreError keeps the kind only (no values from rows).
                tracing::error!(error = ?e, "store error");
                ServiceError::Internal
            }
        }
    }
}

impl From<NirError> for ServiceError {
    fn from(e: NirError) -> Self {
        ServiceError::Nir(e)
    }
}

impl From<NameError> for ServiceError {
    fn from(e: NameError) -> Self {
        ServiceError::Name(e)
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_error_has_its_code() {
        let reopens_at = Utc.with_ymd_and_hms(2026, 1, 15, 23, 30, 0).unwrap();
        let cases = [
            (
                ServiceError::InvalidCredentials,
                ErrorCode::InvalidCredentials,
            ),
            (
                ServiceError::AccountLocked { retry_after_s: 60 },
                ErrorCode::AccountLocked,
            ),
            (ServiceError::AccountDisabled, ErrorCode::AccountDisabled),
            (
                ServiceError::TemporaryPasswordExpired,
                ErrorCode::TemporaryPasswordExpired,
            ),
            (ServiceError::SessionExpired, ErrorCode::SessionExpired),
            (
                ServiceError::PasswordChangeRequired,
                ErrorCode::PasswordChangeRequired,
            ),
            (
                ServiceError::PasswordPolicy {
                    violations: vec![],
                    policy: PasswordPolicy::default(),
                },
                ErrorCode::PasswordPolicy,
            ),
            (
                ServiceError::ServiceNotGranted,
                ErrorCode::ServiceNotGranted,
            ),
            (ServiceError::UnknownService, ErrorCode::UnknownService),
            (
                ServiceError::ServiceClosed { reopens_at },
                ErrorCode::ServiceClosed,
            ),
            (
                ServiceError::RateLimited { retry_after_s: 5 },
                ErrorCode::RateLimited,
            ),
            (
                ServiceError::Nir(NirError::KeyMismatch),
                ErrorCode::NirKeyMismatch,
            ),
            (ServiceError::Nir(NirError::Month), ErrorCode::NirMalformed),
            (
                ServiceError::Name(NameError::TooLong),
                ErrorCode::NameMalformed,
            ),
            (
                ServiceError::InvalidInput("x".into()),
                ErrorCode::InvalidInput,
            ),
            (ServiceError::NotFound("x"), ErrorCode::NotFound),
            (ServiceError::Conflict("x"), ErrorCode::Conflict),
            (ServiceError::Unavailable, ErrorCode::Unavailable),
            (ServiceError::Busy { retry_after_s: 1 }, ErrorCode::Busy),
            (ServiceError::TraceKeyRequired, ErrorCode::TraceKeyRequired),
            (ServiceError::Internal, ErrorCode::Internal),
        ];
        for (e, code) in cases {
            assert_eq!(e.code(), code);
            assert_eq!(e.body().code, code);
            assert!(e.message().ends_with('.'), "{e:?}: a French sentence");
        }
    }

    #[test]
    fn r12_messages_quote_the_policy_in_force() {
        let strict = PasswordPolicy {
            min_length: 14,
            ..PasswordPolicy::default()
        };
        let e = ServiceError::PasswordPolicy {
            violations: vec![PasswordViolation::TooShort],
            policy: strict,
        };
        assert!(e.message().contains("14 caractères"), "{}", e.message());
        assert!(e.body().violations.unwrap()[0].message.contains("14"));
    }

    #[test]
    fn r18_closed_message_gives_paris_time() {
        let e = ServiceError::ServiceClosed {
            reopens_at: Utc.with_ymd_and_hms(2026, 1, 16, 4, 0, 0).unwrap(),
        };
        assert_eq!(e.message(), "Service fermé, réouverture à 05:00.");
        assert_eq!(
            e.body().reopens_at,
            Some(Utc.with_ymd_and_hms(2026, 1, 16, 4, 0, 0).unwrap())
        );
    }

    #[test]
    fn messages_are_french_sentences() {
        assert_eq!(
            ServiceError::Nir(NirError::KeyMismatch).message(),
            "La clé du NIR ne correspond pas aux 13 premiers caractères."
        );
        assert_eq!(
            ServiceError::AccountLocked { retry_after_s: 900 }.message(),
            "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans 15 minutes."
        );
        let body = ServiceError::PasswordPolicy {
            violations: vec![PasswordViolation::TooShort],
            policy: PasswordPolicy::default(),
        }
        .body();
        assert_eq!(body.violations.unwrap()[0].code, "too_short");
    }
}
