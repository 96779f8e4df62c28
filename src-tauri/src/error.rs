//! The desktop's own failures: the keychain, the connection profiles and the machine policy.
//! Each has an [`ErrorCode`] and a French message for the screen; the backend's failures
//! already arrive as an [`ErrorBody`].

use std::path::PathBuf;

use guichet_core::wire::{ErrorBody, ErrorCode};
use guichet_os::acl::Unprotected;

/// Which file of the machine policy a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFile {
    /// The one IT installs (`/etc/guichet/policy.toml`).
    System,
    /// A stricter one named by `--policy` or `GUICHET_POLICY`.
    Extra,
    /// The certificate authority the system policy adds.
    Ca,
}

impl std::fmt::Display for PolicyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PolicyFile::System => "politique du poste",
            PolicyFile::Extra => "politique supplémentaire",
            PolicyFile::Ca => "certificat d'autorité de la politique du poste",
        })
    }
}

/// Why a policy or CA file, or its folder, cannot be trusted (follows "il" or "son dossier
/// …" in a message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untrusted {
    /// Owned by someone else than `trusted` (root in production).
    NotOwnedBy {
        trusted: u32,
    },
    /// Writable by its group or others.
    WritableByOthers,
    NotARegularFile,
    /// Swapped between the check and the read.
    Replaced,
    /// Over 1 MiB.
    TooLarge,
    /// Windows: owned by someone else than SYSTEM, Administrators or TrustedInstaller, or
    /// changeable by someone else (its DACL).
    Acl(Unprotected),
}

/// A SID as a message names it: the French name of the usual ones, the SID always (the
/// same on every language of Windows).
fn sid_label(sid: &str) -> String {
    let name = match sid {
        "S-1-1-0" => "Tout le monde",
        "S-1-5-11" => "Utilisateurs authentifiés",
        "S-1-5-32-545" => "Utilisateurs",
        "S-1-5-4" => "INTERACTIF",
        "S-1-3-1" => "CREATEUR GROUPE",
        _ => return format!("le compte {sid}"),
    };
    format!("{name} ({sid})")
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Untrusted::NotOwnedBy { trusted: 0 } => f.write_str("n'appartient pas à root"),
            Untrusted::NotOwnedBy { trusted } => {
                write!(f, "n'appartient pas à l'utilisateur {trusted}")
            }
            Untrusted::WritableByOthers => {
                f.write_str("est modifiable par d'autres que son propriétaire (groupe ou autres)")
            }
            Untrusted::NotARegularFile => f.write_str("n'est pas un fichier ordinaire"),
            Untrusted::Replaced => f.write_str("a été remplacé pendant sa lecture"),
            Untrusted::TooLarge => f.write_str("dépasse 1 Mio"),
            Untrusted::Acl(Unprotected::Owner(sid)) => write!(
                f,
                "a pour propriétaire {}, et non SYSTEM ou les Administrateurs",
                sid_label(sid)
            ),
            Untrusted::Acl(Unprotected::NullDacl) => {
                f.write_str("n'a aucune liste de droits (tout le monde peut le modifier)")
            }
            Untrusted::Acl(Unprotected::Writable { sid, .. }) => {
                write!(f, "est modifiable par {}", sid_label(sid))
            }
            Untrusted::Acl(Unprotected::UnknownAce(kind)) => {
                write!(f, "porte un droit d'un type inconnu ({kind})")
            }
            Untrusted::Acl(Unprotected::Malformed) => f.write_str("a des droits illisibles"),
            Untrusted::Acl(Unprotected::Unreadable(code)) => {
                write!(f, "a des droits illisibles (erreur Windows {code})")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesktopError {
    #[error("Le trousseau du système est verrouillé : l'identifiant ne sera pas mémorisé.")]
    KeychainLocked,
    #[error("Aucun trousseau du système n'est disponible : l'identifiant ne sera pas mémorisé.")]
    KeychainUnavailable,
    #[error("Le trousseau du système ne répond pas : l'identifiant ne sera pas mémorisé.")]
    KeychainNoAnswer,

    #[error("Le nom du profil doit compter de 1 à 80 caractères.")]
    ProfileNameLength,
    #[error("Le nom du profil contient des caractères invalides.")]
    ProfileNameInvalid,
    #[error("Le code de la caisse est invalide.")]
    ProfileCaisseInvalid,
    /// The server address, as the HTTP client judged it.
    #[error("{0}")]
    ProfileUrl(String),
    /// R-32: a QF grid that does not hold.
    #[error("Grille de quotient familial invalide : {0}.")]
    QfGridInvalid(String),

    #[error("Le fichier {} ({file}) est introuvable : rien n'est autorisé sur ce poste.", path.display())]
    PolicyMissing { path: PathBuf, file: PolicyFile },
    #[error("Le fichier {} ({file}) est illisible (droits d'accès) : rien n'est autorisé sur ce poste.", path.display())]
    PolicyUnreadable { path: PathBuf, file: PolicyFile },
    #[error("Le fichier {} ({file}) est refusé : {}{why}. Rien n'est autorisé sur ce poste.", path.display(), folder.as_ref().map(|d| format!("son dossier {} ", d.display())).unwrap_or_else(|| "il ".into()))]
    PolicyUntrusted {
        path: PathBuf,
        file: PolicyFile,
        /// The folder at fault, if it is the folder and not the file.
        folder: Option<PathBuf>,
        why: Untrusted,
    },
    #[error("Le fichier {} ({file}) est invalide : {why}. Rien n'est autorisé sur ce poste.", path.display())]
    PolicyInvalid {
        path: PathBuf,
        file: PolicyFile,
        why: String,
    },
    #[error("Le fichier {} ({}) est refusé : seule la politique du système ({}) peut ajouter un certificat d'autorité (extra_ca_pem). Rien n'est autorisé sur ce poste.", path.display(), PolicyFile::Extra, system.display())]
    PolicyCaOutsideSystem { path: PathBuf, system: PathBuf },
    /// The OS's managed policy (Windows group policy, macOS managed preferences).
    #[error(
        "La politique gérée du poste ({place}) est invalide : {why}. Rien n'est autorisé sur ce poste."
    )]
    PolicyOsInvalid { place: String, why: String },
}

impl DesktopError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DesktopError::KeychainLocked
            | DesktopError::KeychainUnavailable
            | DesktopError::KeychainNoAnswer => ErrorCode::KeychainUnavailable,
            DesktopError::ProfileNameLength
            | DesktopError::ProfileNameInvalid
            | DesktopError::ProfileCaisseInvalid
            | DesktopError::QfGridInvalid(_)
            | DesktopError::ProfileUrl(_) => ErrorCode::InvalidProfile,
            DesktopError::PolicyMissing { .. }
            | DesktopError::PolicyUnreadable { .. }
            | DesktopError::PolicyUntrusted { .. }
            | DesktopError::PolicyInvalid { .. }
            | DesktopError::PolicyCaOutsideSystem { .. }
            | DesktopError::PolicyOsInvalid { .. } => ErrorCode::PolicyRefused,
        }
    }
}

impl From<DesktopError> for ErrorBody {
    fn from(e: DesktopError) -> Self {
        ErrorBody::new(e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_say_why() {
        let e = DesktopError::PolicyUntrusted {
            path: "/etc/guichet/policy.toml".into(),
            file: PolicyFile::System,
            folder: Some("/etc/guichet".into()),
            why: Untrusted::NotOwnedBy { trusted: 0 },
        };
        assert_eq!(
            e.to_string(),
            "Le fichier /etc/guichet/policy.toml (politique du poste) est refusé : son dossier \
             /etc/guichet n'appartient pas à root. Rien n'est autorisé sur ce poste."
        );
        assert_eq!(e.code(), ErrorCode::PolicyRefused);
        let e = DesktopError::PolicyUntrusted {
            path: r"C:\ProgramData\Guichet\policy.toml".into(),
            file: PolicyFile::System,
            folder: Some(r"C:\ProgramData\Guichet".into()),
            why: Untrusted::Acl(Unprotected::Writable {
                sid: "S-1-5-32-545".into(),
                mask: 0x116,
            }),
        };
        assert_eq!(
            e.to_string(),
            "Le fichier C:\\ProgramData\\Guichet\\policy.toml (politique du poste) est refusé : \
             son dossier C:\\ProgramData\\Guichet est modifiable par Utilisateurs (S-1-5-32-545). \
             Rien n'est autorisé sur ce poste."
        );
        let owner = Untrusted::Acl(Unprotected::Owner("S-1-5-21-1-2-3-1001".into()));
        assert_eq!(
            owner.to_string(),
            "a pour propriétaire le compte S-1-5-21-1-2-3-1001, et non SYSTEM ou les Administrateurs"
        );
        let body = ErrorBody::from(DesktopError::ProfileNameLength);
        assert_eq!(body.code, ErrorCode::InvalidProfile);
    }
}
