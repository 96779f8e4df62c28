//! Where the app keeps its files, the machine policy set by IT (DESIGN.md "Connection
//! profiles"), and the user's own connection profiles (R-30).
//!
//! The policy can only make things stricter: it replaces the user's profile list, forbids
//! the bundled backend or remembered passwords, lowers the idle delay, adds a CA. The file at
//! the system location is always read; `--policy` names an extra one that can only add
//! restrictions. Whoever can write a policy or CA file decides what the app trusts, so each
//! file and its folder must belong to root and be writable by nobody else. Any doubt (a
//! named file missing, unreadable, invalid or untrusted) closes the app to every profile,
//! with a French message naming the file (fail closed).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{DesktopError, PolicyFile, Untrusted};
use crate::qf_grid::QfBracket;

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
    /// R-32: the municipality's QF brackets for this profile (the machine policy's win).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub qf_grid: Vec<QfBracket>,
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
            qf_grid: Vec::new(),
        }
    }

    /// Checks a profile typed by the user; French message on failure.
    pub fn validate(&self) -> Result<(), DesktopError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(DesktopError::ProfileNameLength);
        }
        if name.chars().any(char::is_control) {
            return Err(DesktopError::ProfileNameInvalid);
        }
        if self.caisse.chars().count() > 40 || self.caisse.chars().any(char::is_control) {
            return Err(DesktopError::ProfileCaisseInvalid);
        }
        crate::qf_grid::validate(&self.qf_grid)?;
        if self.is_bundled() {
            return Ok(());
        }
        guichet_client::Client::new(&self.url, None)
            .map(drop)
            .map_err(|e| DesktopError::ProfileUrl(e.message))
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
    /// A CA certificate (PEM) trusted on top of the OS store. Only the system policy may
    /// name one.
    pub extra_ca_pem: Option<PathBuf>,
    /// Replaces the user's own list when present.
    pub profiles: Option<Vec<Profile>>,
    /// R-32: the municipality's QF brackets, over every profile's own.
    pub qf_grid: Option<Vec<QfBracket>>,
}

/// The user id of root, who must own the policy files in production.
pub const ROOT: u32 = 0;

/// Where the machine policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySources {
    /// The system location ([`default_policy_path`]), always read; no file there means an
    /// unmanaged workstation.
    pub system: PathBuf,
    /// `--policy` / `GUICHET_POLICY`: a policy on top of the system one, which can only add
    /// restrictions. When named, it must exist: a missing or unreadable one allows nothing.
    pub extra: Option<PathBuf>,
    /// Who must own the policy and CA files and their folders (Unix user id): [`ROOT`] in
    /// production; the tests pass their own, so that they run as any user. Windows has its
    /// own fixed rule instead (SYSTEM, Administrators or TrustedInstaller).
    pub trusted_owner: u32,
    /// Whether the OS's managed policy (Windows group policy, macOS managed preferences)
    /// is read over the system file ([`crate::os_policy`]): always in production, never in
    /// tests that play IT with files.
    pub os_managed: bool,
}

impl PolicySources {
    /// The system location, with `extra` on top, files owned by root.
    pub fn system(extra: Option<PathBuf>) -> PolicySources {
        PolicySources {
            system: default_policy_path(),
            extra,
            trusted_owner: ROOT,
            os_managed: true,
        }
    }
}

/// The policy in force: the files merged, the CA read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadedPolicy {
    pub rules: MachinePolicy,
    /// The certificates of `rules.extra_ca_pem` (PEM).
    pub extra_ca_pem: Option<Vec<u8>>,
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
    /// R-32: the machine policy's QF grid, which replaces the profiles' own.
    pub qf_grid: Option<Vec<QfBracket>>,
    /// A policy or CA file is missing, unusable or untrusted: nothing is allowed.
    pub policy_error: Option<String>,
    pub managed: bool,
}

impl Effective {
    /// R-32: the QF grid in force for `profile`: the machine policy's, else the profile's.
    pub fn qf_grid_of(&self, profile: &str) -> Vec<QfBracket> {
        match &self.qf_grid {
            Some(grid) => grid.clone(),
            None => self
                .profiles
                .iter()
                .find(|p| p.name == profile)
                .map(|p| p.qf_grid.clone())
                .unwrap_or_default(),
        }
    }
}

impl Effective {
    /// Fail closed: no profile, nothing allowed, and why.
    fn closed(message: String) -> Effective {
        Effective {
            profiles: Vec::new(),
            profiles_pinned: true,
            allow_bundled: false,
            allow_remember_password: false,
            idle_timeout_secs: None,
            extra_ca_pem: None,
            qf_grid: None,
            policy_error: Some(message),
            managed: true,
        }
    }
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

/// Reads both policy files, checks who could have written them, merges them (the stricter
/// value wins, [`merge`]) and reads the CA. `Ok(None)`: no policy at all, an unmanaged
/// workstation. Any doubt is an `Err` with a French message naming the file, and the app
/// then allows nothing.
pub fn load_policy(sources: &PolicySources) -> Result<Option<LoadedPolicy>, DesktopError> {
    let owner = sources.trusted_owner;
    let system = read_policy(&sources.system, owner, PolicyFile::System)?;
    // Windows and macOS: what IT's management tools set wins over the file, field by field.
    let system = if sources.os_managed {
        crate::os_policy::overlay(system, crate::os_policy::read()?)
    } else {
        system
    };
    let extra = match &sources.extra {
        None => None,
        Some(path) => {
            // Naming a policy that is not there must not read as "no restriction".
            let policy = read_policy(path, owner, PolicyFile::Extra)?.ok_or_else(|| {
                DesktopError::PolicyMissing {
                    path: path.clone(),
                    file: PolicyFile::Extra,
                }
            })?;
            // A CA widens what the app trusts: only IT's own file may add one.
            if policy.extra_ca_pem.is_some() {
                return Err(DesktopError::PolicyCaOutsideSystem {
                    path: path.clone(),
                    system: sources.system.clone(),
                });
            }
            Some(policy)
        }
    };
    let rules = match (system, extra) {
        (None, None) => return Ok(None),
        (system, extra) => merge(system.unwrap_or_default(), extra.unwrap_or_default()),
    };
    let extra_ca_pem = match &rules.extra_ca_pem {
        None => None,
        Some(path) => Some(read_trusted(path, owner, PolicyFile::Ca)?.ok_or_else(|| {
            DesktopError::PolicyMissing {
                path: path.clone(),
                file: PolicyFile::Ca,
            }
        })?),
    };
    Ok(Some(LoadedPolicy {
        rules,
        extra_ca_pem,
    }))
}

/// Reads one policy file: `Ok(None)` when there is none.
pub fn read_policy(
    path: &Path,
    trusted_owner: u32,
    file: PolicyFile,
) -> Result<Option<MachinePolicy>, DesktopError> {
    let Some(bytes) = read_trusted(path, trusted_owner, file)? else {
        return Ok(None);
    };
    let invalid = |why: String| DesktopError::PolicyInvalid {
        path: path.to_owned(),
        file,
        why,
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid("il n'est pas en UTF-8".into()))?;
    let policy: MachinePolicy = toml::from_str(text).map_err(|e| invalid(e.message().into()))?;
    if let Some(profiles) = &policy.profiles {
        for p in profiles {
            p.validate()
                .map_err(|e| invalid(format!("profil « {} » : {e}", p.name)))?;
        }
    }
    if let Some(grid) = &policy.qf_grid {
        crate::qf_grid::validate(grid).map_err(|e| invalid(e.to_string()))?;
    }
    Ok(Some(policy))
}

/// A policy or CA file is far smaller than this; a bigger one is refused unread.
const MAX_TRUSTED_FILE: u64 = 1024 * 1024;

/// Reads a file that widens or narrows what the app allows: only if it and its folder are
/// owned by `trusted_owner` and writable by nobody else (see [`check_trusted`]). `Ok(None)`
/// when it does not exist (and its folder, if any, is trusted: otherwise someone else
/// could have removed it).
fn read_trusted(
    path: &Path,
    trusted_owner: u32,
    file: PolicyFile,
) -> Result<Option<Vec<u8>>, DesktopError> {
    use std::io::Read;
    let refused = |folder: Option<&Path>, why: Untrusted| DesktopError::PolicyUntrusted {
        path: path.to_owned(),
        file,
        folder: folder.map(Path::to_owned),
        why,
    };
    let unreadable = || DesktopError::PolicyUnreadable {
        path: path.to_owned(),
        file,
    };
    let check_folder = |dir: &Path| -> Result<(), DesktopError> {
        let meta = std::fs::metadata(dir).map_err(|_| unreadable())?;
        check_trusted(dir, &meta, trusted_owner).map_err(|why| refused(Some(dir), why))
    };
    // Links followed: what is checked is the real file, in its real folder.
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| d.exists()) {
                check_folder(dir)?;
            }
            return Ok(None);
        }
        Err(_) => return Err(unreadable()),
    };
    if let Some(dir) = real.parent() {
        check_folder(dir)?;
    }
    let checked = std::fs::metadata(&real).map_err(|_| unreadable())?;
    if !checked.is_file() {
        return Err(refused(None, Untrusted::NotARegularFile));
    }
    check_trusted(&real, &checked, trusted_owner).map_err(|why| refused(None, why))?;
    let file = std::fs::File::open(&real).map_err(|_| unreadable())?;
    // The file read is the one checked, not one swapped in meanwhile.
    let opened = file.metadata().map_err(|_| unreadable())?;
    if !same_file(&checked, &opened) {
        return Err(refused(None, Untrusted::Replaced));
    }
    let mut bytes = Vec::new();
    file.take(MAX_TRUSTED_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| unreadable())?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_TRUSTED_FILE {
        return Err(refused(None, Untrusted::TooLarge));
    }
    Ok(Some(bytes))
}

/// Whoever can write a policy or CA file, or its folder, decides what the app allows: only
/// `trusted_owner` (root in production) may. Returns why not.
#[cfg(unix)]
fn check_trusted(
    _path: &Path,
    meta: &std::fs::Metadata,
    trusted_owner: u32,
) -> Result<(), Untrusted> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != trusted_owner {
        return Err(Untrusted::NotOwnedBy {
            trusted: trusted_owner,
        });
    }
    if meta.mode() & 0o022 != 0 {
        return Err(Untrusted::WritableByOthers);
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// Windows: the file or folder must be owned by SYSTEM, Administrators or TrustedInstaller,
/// and its DACL must let no one else change it (`guichet_os::acl`): a folder
/// `%ProgramData%\Guichet` that a user created, or whose rights were loosened, is refused
/// like a Unix one not owned by root (installer/DEPLOY.md). `trusted_owner` is [`ROOT`] in
/// production: those three only. Any other value (the tests', which on Unix is their own
/// uid) trusts the user this process runs as too.
#[cfg(windows)]
fn check_trusted(
    path: &Path,
    _meta: &std::fs::Metadata,
    trusted_owner: u32,
) -> Result<(), Untrusted> {
    let also = if trusted_owner == ROOT {
        None
    } else {
        guichet_os::windows::current_user_sid()
    };
    guichet_os::windows::check_protected(path, also.as_deref()).map_err(Untrusted::Acl)
}

#[cfg(windows)]
fn same_file(_a: &std::fs::Metadata, _b: &std::fs::Metadata) -> bool {
    true
}

/// The system policy with an extra one on top, the stricter value of each field winning:
/// the lower idle delay, a permission only if both allow it, and profiles pinned by both
/// reduced to the system's that the extra list also names (same name and URL). The CA comes
/// from the system policy only ([`load_policy`] refuses an extra policy that names one).
pub fn merge(system: MachinePolicy, extra: MachinePolicy) -> MachinePolicy {
    fn both_allow(a: Option<bool>, b: Option<bool>) -> Option<bool> {
        match (a, b) {
            (None, None) => None,
            _ => Some(a.unwrap_or(true) && b.unwrap_or(true)),
        }
    }
    // 0 lowers nothing (see `resolve`): it must not win the minimum.
    let lowering = |secs: Option<u32>| secs.filter(|s| *s > 0);
    let idle_timeout_secs = match (
        lowering(system.idle_timeout_secs),
        lowering(extra.idle_timeout_secs),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let profiles = match (system.profiles, extra.profiles) {
        (Some(pinned), Some(also)) => Some(
            pinned
                .into_iter()
                .filter(|p| also.iter().any(|a| a.name == p.name && a.url == p.url))
                .collect(),
        ),
        (system, extra) => system.or(extra),
    };
    MachinePolicy {
        idle_timeout_secs,
        allow_bundled: both_allow(system.allow_bundled, extra.allow_bundled),
        allow_remember_password: both_allow(
            system.allow_remember_password,
            extra.allow_remember_password,
        ),
        extra_ca_pem: system.extra_ca_pem,
        profiles,
        // IT's grid; a `--policy` file's only where IT set none.
        qf_grid: system.qf_grid.or(extra.qf_grid),
    }
}

/// Resolves the policy in force and the user's settings into what the app may do. Pure:
/// the files were read by [`load_policy`].
pub fn resolve(
    policy: Result<Option<LoadedPolicy>, DesktopError>,
    user: &UserSettings,
) -> Effective {
    let loaded = match policy {
        Ok(loaded) => loaded,
        Err(e) => return Effective::closed(e.to_string()),
    };
    let managed = loaded.is_some();
    let LoadedPolicy {
        rules,
        extra_ca_pem,
    } = loaded.unwrap_or_default();
    let allow_bundled = rules.allow_bundled.unwrap_or(true);
    let (mut profiles, profiles_pinned) = match rules.profiles {
        Some(p) => (p, true),
        None if user.profiles.is_empty() => (vec![Profile::demo()], false),
        None => (user.profiles.clone(), false),
    };
    if !allow_bundled {
        profiles.retain(|p| !p.is_bundled());
    }
    Effective {
        profiles,
        profiles_pinned,
        allow_bundled,
        allow_remember_password: rules.allow_remember_password.unwrap_or(true),
        idle_timeout_secs: rules.idle_timeout_secs.filter(|s| *s > 0),
        extra_ca_pem,
        qf_grid: rules.qf_grid,
        policy_error: None,
        managed,
    }
}

// The file checks are Unix ones (see `check_trusted`).
#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn remote(name: &str) -> Profile {
        Profile {
            name: name.into(),
            url: "https://guichet.msa.example".into(),
            caisse: "MSA-ALSACE".into(),
            environment: Environment::Production,
            qf_grid: Vec::new(),
        }
    }

    fn grid(label: &str) -> Vec<QfBracket> {
        vec![QfBracket {
            label: label.into(),
            from: 0,
            to: None,
            price_cents: None,
        }]
    }

    /// R-32: IT's grid wins over a `--policy` file's and over every profile's; without a
    /// policy grid each profile has its own; a grid that does not hold closes the policy.
    #[test]
    fn r32_the_machine_policy_grid_wins() {
        let mut own = remote("A");
        own.qf_grid = grid("Profil");
        let user = UserSettings {
            profiles: vec![own, remote("B")],
        };
        let no_grid = resolve(loaded(MachinePolicy::default()), &user);
        assert_eq!(no_grid.qf_grid_of("A"), grid("Profil"));
        assert!(no_grid.qf_grid_of("B").is_empty());
        let it = MachinePolicy {
            qf_grid: Some(grid("IT")),
            ..MachinePolicy::default()
        };
        let pinned = resolve(loaded(it.clone()), &user);
        assert_eq!(pinned.qf_grid_of("A"), grid("IT"));
        assert_eq!(pinned.qf_grid_of("B"), grid("IT"));
        let extra = MachinePolicy {
            qf_grid: Some(grid("Extra")),
            ..MachinePolicy::default()
        };
        assert_eq!(merge(it, extra.clone()).qf_grid, Some(grid("IT")));
        assert_eq!(
            merge(MachinePolicy::default(), extra).qf_grid,
            Some(grid("Extra"))
        );
        assert!(
            resolve(Err(DesktopError::KeychainLocked), &user)
                .qf_grid_of("A")
                .is_empty()
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, "[[qf_grid]]\nlabel = \"A\"\nfrom = 10\nto = 5\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = read_policy(&path, me(), PolicyFile::System).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("Grille de quotient familial invalide"),
            "{refused}"
        );
    }

    fn loaded(rules: MachinePolicy) -> Result<Option<LoadedPolicy>, DesktopError> {
        Ok(Some(LoadedPolicy {
            rules,
            extra_ca_pem: None,
        }))
    }

    fn me() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    /// A folder of policy files owned by this test's user, as /etc/guichet is by root.
    struct Files {
        dir: tempfile::TempDir,
    }

    impl Files {
        fn new() -> Files {
            let dir = tempfile::tempdir().unwrap();
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            Files { dir }
        }

        fn path(&self, name: &str) -> PathBuf {
            self.dir.path().join(name)
        }

        /// Writes `text` with mode 0644, whatever the umask.
        fn write(&self, name: &str, text: &str) -> PathBuf {
            let path = self.path(name);
            std::fs::write(&path, text).unwrap();
            chmod(&path, 0o644);
            path
        }

        fn sources(&self, extra: Option<PathBuf>) -> PolicySources {
            PolicySources {
                system: self.path("policy.toml"),
                extra,
                trusted_owner: me(),
                os_managed: false,
            }
        }
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// What the app allows when `load_policy` fails: nothing.
    fn assert_closed(result: Result<Option<LoadedPolicy>, DesktopError>, names: &Path) -> String {
        let message = result.clone().unwrap_err().to_string();
        assert!(
            message.contains(&names.display().to_string()),
            "the message names {}: {message}",
            names.display()
        );
        let e = resolve(result, &UserSettings::default());
        assert!(e.profiles.is_empty() && !e.allow_bundled && !e.allow_remember_password);
        assert_eq!(e.policy_error, Some(message.clone()));
        message
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
        let e = resolve(loaded(policy), &user);
        assert_eq!(e.profiles, vec![remote("MSA Alsace")]);
        assert!(e.profiles_pinned && !e.allow_bundled && !e.allow_remember_password);
        assert_eq!(e.idle_timeout_secs, Some(120));
    }

    #[test]
    fn an_unreadable_policy_closes_everything() {
        let e = resolve(
            Err(DesktopError::PolicyMissing {
                path: "/etc/guichet/policy.toml".into(),
                file: PolicyFile::System,
            }),
            &UserSettings::default(),
        );
        assert!(e.profiles.is_empty() && !e.allow_bundled && e.policy_error.is_some());
    }

    #[test]
    fn r16_r30_the_merge_keeps_the_stricter_value_of_each_field() {
        let other_url = Profile {
            url: "https://ailleurs.example".into(),
            ..remote("B")
        };
        let system = MachinePolicy {
            idle_timeout_secs: Some(300),
            allow_bundled: Some(false),
            allow_remember_password: None,
            extra_ca_pem: Some("/etc/guichet/ca.pem".into()),
            profiles: Some(vec![remote("A"), remote("B"), remote("C")]),
            qf_grid: None,
        };
        let extra = MachinePolicy {
            idle_timeout_secs: Some(600),
            allow_bundled: Some(true),
            allow_remember_password: Some(false),
            extra_ca_pem: None,
            profiles: Some(vec![remote("A"), other_url, remote("D")]),
            qf_grid: None,
        };
        let m = merge(system.clone(), extra);
        assert_eq!(m.idle_timeout_secs, Some(300), "the lower delay");
        assert_eq!(m.allow_bundled, Some(false), "R-30: not re-allowed");
        assert_eq!(m.allow_remember_password, Some(false));
        assert_eq!(m.extra_ca_pem, system.extra_ca_pem);
        // Only the system's profiles that the extra list names with the same URL.
        assert_eq!(m.profiles, Some(vec![remote("A")]));

        let lower = MachinePolicy {
            idle_timeout_secs: Some(60),
            ..MachinePolicy::default()
        };
        assert_eq!(merge(system.clone(), lower).idle_timeout_secs, Some(60));
        // 0 means "no lowering": it must not erase the system's delay.
        let zero = MachinePolicy {
            idle_timeout_secs: Some(0),
            ..MachinePolicy::default()
        };
        assert_eq!(merge(system.clone(), zero).idle_timeout_secs, Some(300));
        // One side pins: that list.
        let pins = MachinePolicy {
            profiles: Some(vec![remote("D")]),
            ..MachinePolicy::default()
        };
        assert_eq!(
            merge(MachinePolicy::default(), pins.clone()).profiles,
            Some(vec![remote("D")])
        );
        assert_eq!(
            merge(system.clone(), MachinePolicy::default()),
            MachinePolicy {
                idle_timeout_secs: Some(300),
                ..system
            }
        );
        // An extra CA never comes through the merge.
        let with_ca = MachinePolicy {
            extra_ca_pem: Some("/tmp/ca.pem".into()),
            ..MachinePolicy::default()
        };
        assert_eq!(merge(MachinePolicy::default(), with_ca).extra_ca_pem, None);
        assert_eq!(
            merge(MachinePolicy::default(), MachinePolicy::default()).allow_bundled,
            None
        );
    }

    #[test]
    fn policy_files_are_parsed_strictly() {
        let f = Files::new();
        let path = f.path("policy.toml");
        assert_eq!(read_policy(&path, me(), PolicyFile::System), Ok(None));
        f.write(
            "policy.toml",
            "idle_timeout_secs = 60\n[[profiles]]\nname = \"MSA\"\nurl = \"https://g.example\"\ncaisse = \"MSA-ALSACE\"\nenvironment = \"production\"\n",
        );
        let p = read_policy(&path, me(), PolicyFile::System)
            .unwrap()
            .unwrap();
        assert_eq!(p.idle_timeout_secs, Some(60));
        f.write("policy.toml", "idle_timeout = 60\n");
        let e = read_policy(&path, me(), PolicyFile::System)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&path.display().to_string()),
            "unknown keys are refused: {e}"
        );
        f.write(
            "policy.toml",
            "[[profiles]]\nname = \"X\"\nurl = \"http://g.example\"\nenvironment = \"demo\"\n",
        );
        assert!(
            read_policy(&path, me(), PolicyFile::System)
                .unwrap_err()
                .to_string()
                .contains("https")
        );
    }

    #[test]
    fn r30_the_system_policy_alone_or_none_at_all() {
        let f = Files::new();
        assert_eq!(
            load_policy(&f.sources(None)),
            Ok(None),
            "no file: unmanaged"
        );
        f.write("policy.toml", "allow_bundled = false\n");
        let p = load_policy(&f.sources(None)).unwrap().unwrap();
        assert_eq!(p.rules.allow_bundled, Some(false));
    }

    #[test]
    fn r30_a_missing_extra_policy_allows_nothing() {
        let f = Files::new();
        f.write("policy.toml", "idle_timeout_secs = 300\n");
        let missing = f.path("nonexistent.toml");
        let message = assert_closed(load_policy(&f.sources(Some(missing.clone()))), &missing);
        assert!(message.contains("introuvable"), "{message}");
        // Without any system policy either.
        std::fs::remove_file(f.path("policy.toml")).unwrap();
        assert_closed(load_policy(&f.sources(Some(missing.clone()))), &missing);
    }

    #[test]
    fn r30_an_empty_extra_policy_lifts_nothing() {
        let f = Files::new();
        f.write(
            "policy.toml",
            "allow_bundled = false\nidle_timeout_secs = 300\n",
        );
        let empty = f.write("empty.toml", "");
        let alone = load_policy(&f.sources(None)).unwrap();
        assert_eq!(load_policy(&f.sources(Some(empty))).unwrap(), alone);
        // /dev/null itself is writable by everyone: refused, which lifts nothing either.
        let null = PathBuf::from("/dev/null");
        assert_closed(load_policy(&f.sources(Some(null.clone()))), &null);
    }

    #[test]
    fn r30_an_extra_policy_cannot_re_allow_what_the_system_forbids() {
        let f = Files::new();
        f.write(
            "policy.toml",
            "allow_bundled = false\nallow_remember_password = false\nidle_timeout_secs = 120\n",
        );
        let extra = f.write(
            "extra.toml",
            "allow_bundled = true\nallow_remember_password = true\nidle_timeout_secs = 3600\n",
        );
        let e = resolve(
            load_policy(&f.sources(Some(extra))),
            &UserSettings::default(),
        );
        assert!(!e.allow_bundled && !e.allow_remember_password);
        assert_eq!(e.idle_timeout_secs, Some(120));
        assert!(e.profiles.is_empty(), "the demo profile is bundled");
        // It can add a restriction of its own.
        f.write("policy.toml", "");
        let extra = f.write("extra.toml", "allow_bundled = false\n");
        let e = resolve(
            load_policy(&f.sources(Some(extra))),
            &UserSettings::default(),
        );
        assert!(!e.allow_bundled && e.managed);
    }

    #[test]
    fn r29_only_the_system_policy_may_add_a_ca() {
        let f = Files::new();
        let ca = f.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
        let line = format!("extra_ca_pem = {:?}\n", ca.display().to_string());
        f.write("policy.toml", &line);
        let p = load_policy(&f.sources(None)).unwrap().unwrap();
        assert_eq!(
            p.extra_ca_pem.as_deref(),
            Some(&b"-----BEGIN CERTIFICATE-----\n"[..])
        );
        // The same line in an extra policy: refused, and the system's CA is not used.
        let extra = f.write("extra.toml", &line);
        let message = assert_closed(load_policy(&f.sources(Some(extra.clone()))), &extra);
        assert!(message.contains("extra_ca_pem"), "{message}");
        // A CA file that is gone.
        std::fs::remove_file(&ca).unwrap();
        assert_closed(load_policy(&f.sources(None)), &ca);
    }

    #[test]
    fn r29_r30_a_policy_or_ca_writable_by_group_or_others_is_refused() {
        let f = Files::new();
        let policy = f.write("policy.toml", "idle_timeout_secs = 300\n");
        for mode in [0o664, 0o646, 0o666] {
            chmod(&policy, mode);
            let message = assert_closed(load_policy(&f.sources(None)), &policy);
            assert!(message.contains("modifiable"), "{message}");
        }
        chmod(&policy, 0o600);
        assert!(load_policy(&f.sources(None)).is_ok(), "0600 is fine");
        // The extra policy and the CA are held to the same rule.
        let extra = f.write("extra.toml", "");
        chmod(&extra, 0o620);
        assert_closed(load_policy(&f.sources(Some(extra))), &f.path("extra.toml"));
        let ca = f.write("ca.pem", "pem");
        f.write(
            "policy.toml",
            &format!("extra_ca_pem = {:?}\n", ca.display().to_string()),
        );
        chmod(&ca, 0o666);
        assert_closed(load_policy(&f.sources(None)), &ca);
    }

    #[test]
    fn r29_r30_a_folder_writable_by_group_or_others_is_refused() {
        let f = Files::new();
        let policy = f.write("policy.toml", "idle_timeout_secs = 300\n");
        chmod(f.dir.path(), 0o775);
        let message = assert_closed(load_policy(&f.sources(None)), &policy);
        assert!(message.contains("son dossier"), "{message}");
        // Nor can the absence of a file be trusted in such a folder: anyone could remove it.
        std::fs::remove_file(&policy).unwrap();
        assert_closed(load_policy(&f.sources(None)), &policy);
        chmod(f.dir.path(), 0o755);
        assert_eq!(load_policy(&f.sources(None)), Ok(None));
        // A link is followed to the real file, whose own folder is checked.
        let loose = tempfile::tempdir().unwrap();
        chmod(loose.path(), 0o777);
        let real = loose.path().join("policy.toml");
        std::fs::write(&real, "").unwrap();
        chmod(&real, 0o644);
        std::os::unix::fs::symlink(&real, &policy).unwrap();
        assert_closed(load_policy(&f.sources(None)), &policy);
        // Not a regular file.
        std::fs::remove_file(&policy).unwrap();
        std::fs::create_dir(&policy).unwrap();
        assert_closed(load_policy(&f.sources(None)), &policy);
    }

    #[test]
    fn r29_r30_files_of_another_owner_are_refused() {
        let f = Files::new();
        let policy = f.write("policy.toml", "idle_timeout_secs = 300\n");
        // Trusting someone else than the files' owner (the file and its folder are ours).
        let sources = PolicySources {
            trusted_owner: me().wrapping_add(1),
            ..f.sources(None)
        };
        let message = assert_closed(load_policy(&sources), &policy);
        assert!(message.contains("n'appartient pas"), "{message}");
        // Production trusts root only.
        assert_eq!(PolicySources::system(None).trusted_owner, ROOT);
    }

    #[test]
    #[allow(clippy::print_stderr)]
    fn r29_r30_files_chowned_to_another_user_are_refused() {
        if me() != ROOT {
            eprintln!(
                "SKIPPED r29_r30_files_chowned_to_another_user_are_refused: chown needs root (this test runs as uid {}); the owner check itself is covered by r29_r30_files_of_another_owner_are_refused",
                me()
            );
            return;
        }
        const NOBODY: u32 = 65534;
        let f = Files::new();
        let policy = f.write("policy.toml", "idle_timeout_secs = 300\n");
        std::os::unix::fs::chown(&policy, Some(NOBODY), None).unwrap();
        let message = assert_closed(load_policy(&f.sources(None)), &policy);
        assert!(message.contains("il n'appartient pas à root"), "{message}");
        // A root-owned file in a folder that another user owns (and so can swap).
        std::os::unix::fs::chown(&policy, Some(ROOT), None).unwrap();
        assert!(load_policy(&f.sources(None)).is_ok());
        std::os::unix::fs::chown(f.dir.path(), Some(NOBODY), None).unwrap();
        let message = assert_closed(load_policy(&f.sources(None)), &policy);
        assert!(message.contains("son dossier"), "{message}");
        // The CA file too.
        std::os::unix::fs::chown(f.dir.path(), Some(ROOT), None).unwrap();
        let ca = f.write("ca.pem", "pem");
        f.write(
            "policy.toml",
            &format!("extra_ca_pem = {:?}\n", ca.display().to_string()),
        );
        std::os::unix::fs::chown(&ca, Some(NOBODY), None).unwrap();
        assert_closed(load_policy(&f.sources(None)), &ca);
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
