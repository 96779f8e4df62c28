//! Where the app keeps its files, the machine policy set by IT (DESIGN.md "Connection
//! profiles"), and the user's own connection profiles (R-30).
//!
//! The policy can only make things stricter: it replaces the user's profile list, forbids
//! the bundled backend or remembered passwords, lowers the idle delay, adds a CA. A policy
//! file that exists but cannot be read closes the app to every profile (fail closed).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The reserved URL of the bundled backend.
pub const BUNDLED: &str = "bundled";

/// Default path of the machine policy file.
#[cfg(target_os = "linux")]
pub fn default_policy_path() -> PathBuf {
    PathBuf::from("/etc/guichet/policy.toml")
}

/// Default path of the machine policy file (`%ProgramData%\Guichet\policy.toml`).
#[cfg(target_os = "windows")]
pub fn default_policy_path() -> PathBuf {
    std::env::var_os("ProgramData")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"))
        .join("Guichet")
        .join("policy.toml")
}

/// Default path of the machine policy file.
#[cfg(not(any(target_os = "linux", target_os = "windows")))]
pub fn default_policy_path() -> PathBuf {
    PathBuf::from("/Library/Application Support/Guichet/policy.toml")
}

/// Default data folder: the OS app-data folder.
pub fn default_data_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("guichet")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Production,
    Recette,
    Demo,
}

/// A connection profile (R-30): where to sign in, for which caisse, in which environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// `https://…` of a guichet-server, or `bundled`.
    pub url: String,
    #[serde(default)]
    pub caisse: String,
    pub environment: Environment,
}

impl Profile {
    pub fn is_bundled(&self) -> bool {
        self.url == BUNDLED
    }

    /// The profile every unmanaged installation starts with.
    pub fn demo() -> Profile {
        Profile {
            name: "Démonstration (données fictives)".into(),
            url: BUNDLED.into(),
            caisse: String::new(),
            environment: Environment::Demo,
        }
    }

    /// Checks a profile typed by the user; French message on failure.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err("Le nom du profil doit compter de 1 à 80 caractères.".into());
        }
        if name.chars().any(char::is_control) {
            return Err("Le nom du profil contient des caractères invalides.".into());
        }
        if self.caisse.chars().count() > 40 || self.caisse.chars().any(char::is_control) {
            return Err("Le code de la caisse est invalide.".into());
        }
        if self.is_bundled() {
            return Ok(());
        }
        guichet_client::Client::new(&self.url, None)
            .map(drop)
            .map_err(|e| e.message)
    }
}

/// The machine policy (TOML), set by IT. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachinePolicy {
    /// Lowers every service's idle delay.
    pub idle_timeout_secs: Option<u32>,
    pub allow_bundled: Option<bool>,
    pub allow_remember_password: Option<bool>,
    /// A CA certificate (PEM) trusted on top of the OS store.
    pub extra_ca_pem: Option<PathBuf>,
    /// Replaces the user's own list when present.
    pub profiles: Option<Vec<Profile>>,
}

/// What the app runs with: the policy resolved against the user's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub profiles: Vec<Profile>,
    /// The list comes from the machine policy: the user cannot edit it.
    pub profiles_pinned: bool,
    pub allow_bundled: bool,
    pub allow_remember_password: bool,
    pub idle_timeout_secs: Option<u32>,
    pub extra_ca_pem: Option<Vec<u8>>,
    /// The policy file exists but is unusable: nothing is allowed.
    pub policy_error: Option<String>,
    pub managed: bool,
}

/// The user's own settings, in the data folder. Nothing secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSettings {
    #[serde(default)]
    pub profiles: Vec<Profile>,
}

pub const SETTINGS_FILE: &str = "settings.toml";

impl UserSettings {
    pub fn load(data_dir: &Path) -> UserSettings {
        std::fs::read_to_string(data_dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|s| toml::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// Writes atomically (temporary file, then rename).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        let tmp = data_dir.join(format!("{SETTINGS_FILE}.tmp"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, data_dir.join(SETTINGS_FILE))
    }
}

/// Reads the policy file: `Ok(None)` when there is none.
pub fn read_policy(path: &Path) -> Result<Option<MachinePolicy>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err("La politique du poste est illisible (droits d'accès).".into()),
    };
    let policy: MachinePolicy = toml::from_str(&text)
        .map_err(|e| format!("La politique du poste est invalide : {}", e.message()))?;
    if let Some(profiles) = &policy.profiles {
        for p in profiles {
            p.validate()
                .map_err(|m| format!("Profil « {} » de la politique du poste : {m}", p.name))?;
        }
    }
    Ok(Some(policy))
}

/// Resolves the machine policy and the user's settings into what the app may do.
pub fn resolve(policy: Result<Option<MachinePolicy>, String>, user: &UserSettings) -> Effective {
    let policy = match policy {
        Ok(p) => p,
        Err(message) => {
            return Effective {
                profiles: Vec::new(),
                profiles_pinned: true,
                allow_bundled: false,
                allow_remember_password: false,
                idle_timeout_secs: None,
                extra_ca_pem: None,
                policy_error: Some(message),
                managed: true,
            };
        }
    };
    let managed = policy.is_some();
    let policy = policy.unwrap_or_default();
    let mut policy_error = None;
    let extra_ca_pem = match &policy.extra_ca_pem {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem),
            Err(_) => {
                policy_error = Some(format!(
                    "Le certificat d'autorité de la politique du poste est introuvable : {}",
                    path.display()
                ));
                None
            }
        },
        None => None,
    };
    let allow_bundled = policy.allow_bundled.unwrap_or(true) && policy_error.is_none();
    let (mut profiles, profiles_pinned) = match policy.profiles {
        Some(p) => (p, true),
        None if user.profiles.is_empty() => (vec![Profile::demo()], false),
        None => (user.profiles.clone(), false),
    };
    if !allow_bundled {
        profiles.retain(|p| !p.is_bundled());
    }
    if policy_error.is_some() {
        profiles.clear();
    }
    Effective {
        profiles,
        profiles_pinned,
        allow_bundled,
        allow_remember_password: policy.allow_remember_password.unwrap_or(true),
        idle_timeout_secs: policy.idle_timeout_secs.filter(|s| *s > 0),
        extra_ca_pem,
        policy_error,
        managed,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn remote(name: &str) -> Profile {
        Profile {
            name: name.into(),
            url: "https://guichet.msa.example".into(),
            caisse: "MSA-ALSACE".into(),
            environment: Environment::Production,
        }
    }

    #[test]
    fn without_policy_the_user_list_or_the_demo_profile_is_used() {
        let e = resolve(Ok(None), &UserSettings::default());
        assert_eq!(e.profiles, vec![Profile::demo()]);
        assert!(e.allow_bundled && !e.profiles_pinned && !e.managed);
        let user = UserSettings {
            profiles: vec![remote("Prod")],
        };
        assert_eq!(resolve(Ok(None), &user).profiles, vec![remote("Prod")]);
    }

    #[test]
    fn r30_the_policy_replaces_the_list_and_can_forbid_the_bundled_backend() {
        let policy = MachinePolicy {
            allow_bundled: Some(false),
            allow_remember_password: Some(false),
            idle_timeout_secs: Some(120),
            profiles: Some(vec![remote("MSA Alsace"), Profile::demo()]),
            ..MachinePolicy::default()
        };
        let user = UserSettings {
            profiles: vec![remote("Mine")],
        };
        let e = resolve(Ok(Some(policy)), &user);
        assert_eq!(e.profiles, vec![remote("MSA Alsace")]);
        assert!(e.profiles_pinned && !e.allow_bundled && !e.allow_remember_password);
        assert_eq!(e.idle_timeout_secs, Some(120));
    }

    #[test]
    fn an_unreadable_policy_closes_everything() {
        let e = resolve(Err("invalide".into()), &UserSettings::default());
        assert!(e.profiles.is_empty() && !e.allow_bundled && e.policy_error.is_some());
    }

    #[test]
    fn policy_files_are_parsed_strictly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        assert_eq!(read_policy(&path), Ok(None));
        std::fs::write(
            &path,
            "idle_timeout_secs = 60\n[[profiles]]\nname = \"MSA\"\nurl = \"https://g.example\"\ncaisse = \"MSA-ALSACE\"\nenvironment = \"production\"\n",
        )
        .unwrap();
        let p = read_policy(&path).unwrap().unwrap();
        assert_eq!(p.idle_timeout_secs, Some(60));
        std::fs::write(&path, "idle_timeout = 60\n").unwrap();
        assert!(read_policy(&path).is_err(), "unknown keys are refused");
        std::fs::write(
            &path,
            "[[profiles]]\nname = \"X\"\nurl = \"http://g.example\"\nenvironment = \"demo\"\n",
        )
        .unwrap();
        assert!(read_policy(&path).unwrap_err().contains("https"));
    }

    #[test]
    fn profiles_typed_by_the_user_are_checked() {
        let mut p = remote("  ");
        assert!(p.validate().is_err());
        p.name = "x".repeat(81);
        assert!(p.validate().is_err());
        p.name = "Recette 🧪".into();
        assert!(p.validate().is_ok());
        p.url = "ftp://x".into();
        assert!(p.validate().is_err());
    }

    #[test]
    fn settings_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = UserSettings {
            profiles: vec![remote("A")],
        };
        s.save(dir.path()).unwrap();
        assert_eq!(UserSettings::load(dir.path()), s);
    }
}
