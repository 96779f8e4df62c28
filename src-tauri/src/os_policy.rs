//! The machine policy as the OS's own management tools set it (DESIGN.md "Connection
//! profiles", installer/DEPLOY.md): on Windows the registry key that group policy writes
//! (`HKLM\SOFTWARE\Policies\Guichet`, templates in installer/windows/), on macOS the managed
//! preferences an MDM pushes (domain `fr.guichet.desktop`, example in installer/macos/).
//! Each value set there wins over the same field of the policy file ([`overlay`]); the
//! `--policy` file then only adds restrictions (`config::merge`).
//!
//! The parsing and the precedence are pure and tested on every platform; only the reading of
//! the registry or of the managed preferences file is platform code.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::{Environment, MachinePolicy, Profile};
use crate::error::DesktopError;

/// The group-policy key, under `HKEY_LOCAL_MACHINE` (only administrators may write it).
pub const REGISTRY_KEY: &str = r"SOFTWARE\Policies\Guichet";
/// Its subkey of pinned profiles: value name = profile name, data = `url|caisse|environment`.
pub const REGISTRY_PROFILES: &str = "Profiles";
/// The managed preferences domain (the app's bundle identifier).
pub const MANAGED_DOMAIN: &str = "fr.guichet.desktop";

/// Where an MDM leaves the machine-wide managed preferences (written by the system, owned
/// by root).
pub fn managed_preferences_path() -> PathBuf {
    PathBuf::from(format!(
        "/Library/Managed Preferences/{MANAGED_DOMAIN}.plist"
    ))
}

/// A registry value as read: only the types the templates write are understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegValue {
    Dword(u32),
    Text(String),
    /// Any other type (binary, multi-string, QWORD…), refused where a value is expected.
    Other(u32),
}

/// Registry value types (winnt.h), the same numbers on every Windows.
const REG_SZ: u32 = 1;
const REG_EXPAND_SZ: u32 = 2;
const REG_DWORD: u32 = 4;

/// Decodes a value's raw bytes as `RegQueryValueExW`/`RegEnumValueW` return them: a DWORD
/// little-endian, a string UTF-16LE with or without its final NUL.
pub fn decode_value(kind: u32, data: &[u8]) -> RegValue {
    match kind {
        REG_DWORD if data.len() == 4 => {
            RegValue::Dword(u32::from_le_bytes([data[0], data[1], data[2], data[3]]))
        }
        REG_SZ | REG_EXPAND_SZ if data.len().is_multiple_of(2) => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let end = units.iter().position(|u| *u == 0).unwrap_or(units.len());
            match String::from_utf16(&units[..end]) {
                Ok(text) => RegValue::Text(text),
                Err(_) => RegValue::Other(kind),
            }
        }
        other => RegValue::Other(other),
    }
}

/// The policy written in the registry: `values` of the key itself, `profiles` of its
/// `Profiles` subkey (`None`: no such subkey). Names are matched case-insensitively, as
/// Windows does. Anything unknown or of the wrong type is refused, French message.
pub fn from_registry(
    values: &[(String, RegValue)],
    profiles: Option<&[(String, RegValue)]>,
) -> Result<MachinePolicy, String> {
    let mut policy = MachinePolicy::default();
    for (name, value) in values {
        let flag = |value: &RegValue| match value {
            RegValue::Dword(0) => Ok(false),
            RegValue::Dword(1) => Ok(true),
            _ => Err(format!("{name} : un DWORD 0 ou 1 est attendu")),
        };
        match name.to_ascii_lowercase().as_str() {
            "idletimeoutsecs" => match value {
                RegValue::Dword(secs) => policy.idle_timeout_secs = Some(*secs),
                _ => return Err(format!("{name} : un DWORD (secondes) est attendu")),
            },
            "allowbundled" => policy.allow_bundled = Some(flag(value)?),
            "allowrememberpassword" => policy.allow_remember_password = Some(flag(value)?),
            "extracapem" => match value {
                RegValue::Text(path) if !path.trim().is_empty() => {
                    policy.extra_ca_pem = Some(PathBuf::from(path.trim()));
                }
                _ => return Err(format!("{name} : un chemin (REG_SZ) est attendu")),
            },
            // The key's default value, which some tools create empty.
            "" if matches!(value, RegValue::Text(t) if t.is_empty()) => {}
            _ => return Err(format!("valeur inconnue « {name} »")),
        }
    }
    if let Some(entries) = profiles.filter(|p| !p.is_empty()) {
        let list = entries
            .iter()
            .map(|(name, value)| match value {
                RegValue::Text(data) => profile_from_registry(name, data),
                _ => Err(format!(
                    "{REGISTRY_PROFILES}\\{name} : une chaîne url|caisse|environnement est attendue"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        policy.profiles = Some(list);
    }
    check_profiles(&policy)?;
    Ok(policy)
}

/// One pinned profile: `name` = `url|caisse|environment`.
fn profile_from_registry(name: &str, data: &str) -> Result<Profile, String> {
    let fields: Vec<&str> = data.split('|').map(str::trim).collect();
    let [url, caisse, environment] = fields[..] else {
        return Err(format!(
            "{REGISTRY_PROFILES}\\{name} : « url|caisse|environnement » est attendu"
        ));
    };
    Ok(Profile {
        name: name.trim().to_owned(),
        url: url.to_owned(),
        caisse: caisse.to_owned(),
        environment: environment_named(environment).ok_or_else(|| {
            format!(
                "{REGISTRY_PROFILES}\\{name} : environnement « {environment} » inconnu (production, recette ou demo)"
            )
        })?,
        qf_grid: Vec::new(),
    })
}

fn environment_named(name: &str) -> Option<Environment> {
    match name.to_ascii_lowercase().as_str() {
        "production" => Some(Environment::Production),
        "recette" => Some(Environment::Recette),
        "demo" => Some(Environment::Demo),
        _ => None,
    }
}

/// Each pinned profile passes the checks of a profile typed by the user.
fn check_profiles(policy: &MachinePolicy) -> Result<(), String> {
    for p in policy.profiles.iter().flatten() {
        p.validate()
            .map_err(|e| format!("profil « {} » : {e}", p.name))?;
    }
    Ok(())
}

/// The managed preferences (a property list, XML or binary). Keys an MDM adds of its own
/// (`PayloadUUID`…) are ignored; a known key of the wrong type is refused.
pub fn from_plist(bytes: &[u8]) -> Result<MachinePolicy, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Managed {
        idle_timeout_secs: Option<u32>,
        allow_bundled: Option<bool>,
        allow_remember_password: Option<bool>,
        extra_ca_pem: Option<PathBuf>,
        profiles: Option<Vec<ManagedProfile>>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct ManagedProfile {
        name: String,
        url: String,
        #[serde(default)]
        caisse: String,
        environment: String,
    }
    let managed: Managed = plist::from_bytes(bytes).map_err(|e| e.to_string())?;
    let profiles = managed
        .profiles
        .map(|list| {
            list.into_iter()
                .map(|p| {
                    Ok(Profile {
                        environment: environment_named(&p.environment).ok_or_else(|| {
                            format!(
                                "profil « {} » : environnement « {} » inconnu (production, recette ou demo)",
                                p.name, p.environment
                            )
                        })?,
                        name: p.name,
                        url: p.url,
                        caisse: p.caisse,
                        qf_grid: Vec::new(),
                    })
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .transpose()?;
    let policy = MachinePolicy {
        idle_timeout_secs: managed.idle_timeout_secs,
        allow_bundled: managed.allow_bundled,
        allow_remember_password: managed.allow_remember_password,
        extra_ca_pem: managed.extra_ca_pem,
        // An empty list pins nothing, as an empty Profiles key does on Windows.
        profiles: profiles.filter(|p| !p.is_empty()),
        // R-32: the QF grid is read from the policy file only.
        qf_grid: None,
    };
    check_profiles(&policy)?;
    Ok(policy)
}

/// The OS's managed policy over the policy file: each field the OS sets wins.
pub fn overlay(file: Option<MachinePolicy>, os: Option<MachinePolicy>) -> Option<MachinePolicy> {
    match (file, os) {
        (file, None) => file,
        (None, os) => os,
        (Some(file), Some(os)) => Some(MachinePolicy {
            idle_timeout_secs: os.idle_timeout_secs.or(file.idle_timeout_secs),
            allow_bundled: os.allow_bundled.or(file.allow_bundled),
            allow_remember_password: os.allow_remember_password.or(file.allow_remember_password),
            extra_ca_pem: os.extra_ca_pem.or(file.extra_ca_pem),
            profiles: os.profiles.or(file.profiles),
            qf_grid: file.qf_grid,
        }),
    }
}

/// Where the OS's policy lives, for messages.
pub fn place() -> String {
    if cfg!(windows) {
        format!(r"HKEY_LOCAL_MACHINE\{REGISTRY_KEY}")
    } else {
        managed_preferences_path().display().to_string()
    }
}

/// Reads the OS's managed policy: `Ok(None)` when IT set none (and always on Linux, where
/// the file is the policy).
pub fn read() -> Result<Option<MachinePolicy>, DesktopError> {
    let invalid = |why: String| DesktopError::PolicyOsInvalid {
        place: place(),
        why,
    };
    #[cfg(windows)]
    {
        registry::read().map_err(invalid)
    }
    #[cfg(target_os = "macos")]
    {
        let path = managed_preferences_path();
        match std::fs::read(&path) {
            Ok(bytes) => from_plist(&bytes).map(Some).map_err(invalid),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(invalid(format!("illisible ({e})"))),
        }
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        let _ = invalid;
        Ok(None)
    }
}

/// The group-policy key through `guichet-os` (read only, 64-bit view).
#[cfg(windows)]
mod registry {
    use super::{REGISTRY_KEY, REGISTRY_PROFILES, RegValue, decode_value, from_registry};
    use crate::config::MachinePolicy;
    use guichet_os::windows::{RawValue, machine_key_values};

    fn decoded(values: Vec<RawValue>) -> Vec<(String, RegValue)> {
        values
            .into_iter()
            .map(|v| (v.name, decode_value(v.kind, &v.data)))
            .collect()
    }

    pub(super) fn read() -> Result<Option<MachinePolicy>, String> {
        let Some((own, profiles)) = machine_key_values(REGISTRY_KEY, REGISTRY_PROFILES)
            .map_err(|code| format!("illisible (erreur {code})"))?
        else {
            return Ok(None);
        };
        let profiles = profiles.map(decoded);
        from_registry(&decoded(own), profiles.as_deref()).map(Some)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn text(s: &str) -> RegValue {
        RegValue::Text(s.into())
    }

    fn utf16(s: &str, nul: bool) -> Vec<u8> {
        s.encode_utf16()
            .chain(nul.then_some(0))
            .flat_map(u16::to_le_bytes)
            .collect()
    }

    #[test]
    fn registry_values_decode_as_the_api_returns_them() {
        assert_eq!(
            decode_value(REG_DWORD, &300u32.to_le_bytes()),
            RegValue::Dword(300)
        );
        assert_eq!(
            decode_value(REG_SZ, &utf16("C:\\CA\\caisse.pem", true)),
            text("C:\\CA\\caisse.pem")
        );
        assert_eq!(
            decode_value(REG_EXPAND_SZ, &utf16("é|ü", false)),
            text("é|ü")
        );
        assert_eq!(decode_value(REG_DWORD, &[1, 0]), RegValue::Other(REG_DWORD));
        assert_eq!(decode_value(REG_SZ, &[0x41]), RegValue::Other(REG_SZ));
        // A lone surrogate is not text.
        assert_eq!(
            decode_value(REG_SZ, &0xD800u16.to_le_bytes()),
            RegValue::Other(REG_SZ)
        );
        assert_eq!(decode_value(11, &[0; 8]), RegValue::Other(11), "QWORD");
    }

    #[test]
    fn r30_group_policy_values_make_a_policy() {
        let values = [
            ("IdleTimeoutSecs".to_owned(), RegValue::Dword(300)),
            ("AllowBundled".to_owned(), RegValue::Dword(0)),
            ("allowrememberpassword".to_owned(), RegValue::Dword(1)),
            (
                "ExtraCaPem".to_owned(),
                text(" C:\\ProgramData\\Guichet\\ca.pem "),
            ),
            (String::new(), text("")),
        ];
        let profiles = [
            (
                "CAF des Yvelines".to_owned(),
                text("https://guichet.caf78.example|CAF-78|production"),
            ),
            (
                "Recette".to_owned(),
                text(" https://recette.caf78.example | CAF-78 | Recette "),
            ),
        ];
        let policy = from_registry(&values, Some(&profiles)).unwrap();
        assert_eq!(policy.idle_timeout_secs, Some(300));
        assert_eq!(policy.allow_bundled, Some(false));
        assert_eq!(policy.allow_remember_password, Some(true));
        assert_eq!(
            policy.extra_ca_pem,
            Some(PathBuf::from("C:\\ProgramData\\Guichet\\ca.pem"))
        );
        let pinned = policy.profiles.unwrap();
        assert_eq!(pinned.len(), 2);
        assert_eq!(pinned[0].name, "CAF des Yvelines");
        assert_eq!(pinned[0].url, "https://guichet.caf78.example");
        assert_eq!(pinned[0].caisse, "CAF-78");
        assert_eq!(pinned[1].environment, Environment::Recette);

        // An empty or missing Profiles subkey pins nothing.
        assert_eq!(
            from_registry(&[], Some(&[])).unwrap(),
            MachinePolicy::default()
        );
        assert_eq!(from_registry(&[], None).unwrap(), MachinePolicy::default());
    }

    #[test]
    fn r30_group_policy_values_are_parsed_strictly() {
        let one = |name: &str, value: RegValue| from_registry(&[(name.to_owned(), value)], None);
        for (name, value, says) in [
            ("AllowBundled", RegValue::Dword(2), "DWORD 0 ou 1"),
            ("AllowBundled", text("0"), "DWORD 0 ou 1"),
            ("AllowRememberPassword", RegValue::Other(11), "DWORD 0 ou 1"),
            ("IdleTimeoutSecs", text("300"), "secondes"),
            ("ExtraCaPem", text("  "), "chemin"),
            ("ExtraCaPem", RegValue::Dword(1), "chemin"),
            (
                "AllowBundle",
                RegValue::Dword(0),
                "inconnue « AllowBundle »",
            ),
            ("", text("x"), "inconnue"),
        ] {
            let e = one(name, value).unwrap_err();
            assert!(e.contains(says), "{name}: {e}");
        }
        let profile = |data: RegValue| from_registry(&[], Some(&[("P".to_owned(), data)]));
        for (data, says) in [
            (text("https://a.example|CAF-78"), "url|caisse|environnement"),
            (
                text("https://a.example|CAF-78|production|x"),
                "url|caisse|environnement",
            ),
            (
                text("https://a.example|CAF-78|prod"),
                "environnement « prod »",
            ),
            (RegValue::Dword(1), "chaîne"),
            (text("ftp://a.example|CAF-78|production"), "profil « P »"),
        ] {
            let e = profile(data).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
    }

    /// Run on Windows or under Wine (scripts/wine-runner.sh): the group-policy key written
    /// with `reg.exe` as a GPO or the installer writes it, read through the Win32 calls, and
    /// the policy folder's owner and DACL set as the installer sets them (or as a user
    /// could), read back through `load_policy`, the app's own path at start-up. One test:
    /// the key is the machine's.
    #[cfg(windows)]
    #[test]
    fn r30_windows_group_policy_and_policy_folder_decide_or_close_the_app() {
        use crate::config::{PolicySources, UserSettings, load_policy, resolve};
        use crate::error::{DesktopError, Untrusted};

        let key = format!(r"HKLM\{REGISTRY_KEY}");
        let reg = |args: &[&str]| {
            let status = std::process::Command::new("reg")
                .args(args)
                .args(["/reg:64", "/f"])
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "reg {args:?}");
        };
        // `reg add KEY /v NAME /t KIND /d DATA`.
        let set = |key: &str, name: &str, kind: &str, data: &str| {
            reg(&["add", key, "/v", name, "/t", kind, "/d", data]);
        };
        let _ = std::process::Command::new("reg")
            .args(["delete", &key, "/reg:64", "/f"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        assert_eq!(read(), Ok(None), "no key: no OS policy");

        // %ProgramData%\Guichet as the installer leaves it, no policy.toml in it.
        let folder = tempfile::tempdir().unwrap();
        let installed = "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";
        guichet_os::windows::set_security(folder.path(), installed).unwrap();
        let sources = PolicySources {
            system: folder.path().join("policy.toml"),
            extra: None,
            trusted_owner: 0,
            os_managed: true,
        };
        // Wine 8 keeps no security descriptor: every file there is the Wine user's, as a
        // folder a user created before the installation would be. The app then closes,
        // naming the folder, whatever the registry says; the cases that need the
        // installer's rights run on Windows itself.
        let wine = guichet_os::windows::under_wine();
        let refused_as_users = |result: Result<_, DesktopError>| match result {
            Err(DesktopError::PolicyUntrusted {
                why: Untrusted::Acl(_),
                folder: Some(f),
                ..
            }) => assert_eq!(f, folder.path()),
            other => panic!("{other:?}"),
        };
        if wine {
            refused_as_users(load_policy(&sources));
        } else {
            assert_eq!(load_policy(&sources), Ok(None), "an unmanaged workstation");
        }

        set(&key, "IdleTimeoutSecs", "REG_DWORD", "240");
        set(&key, "AllowBundled", "REG_DWORD", "0");
        set(
            &format!(r"{key}\{REGISTRY_PROFILES}"),
            "CAF des Yvelines",
            "REG_SZ",
            "https://guichet.caf78.example|CAF-78|production",
        );
        let policy = read().unwrap().unwrap();
        assert_eq!(policy.idle_timeout_secs, Some(240));
        assert_eq!(policy.allow_bundled, Some(false));
        let pinned = policy.profiles.unwrap();
        assert_eq!(pinned.len(), 1);
        assert_eq!(pinned[0].name, "CAF des Yvelines");
        assert_eq!(pinned[0].caisse, "CAF-78");
        let app = resolve(load_policy(&sources), &UserSettings::default());
        if wine {
            assert!(app.profiles.is_empty() && !app.allow_bundled);
            let message = app.policy_error.unwrap();
            assert!(
                message.contains(&*folder.path().to_string_lossy()),
                "{message}"
            );
        } else {
            assert_eq!(app.policy_error, None);
            assert!(!app.allow_bundled);
            assert_eq!(app.idle_timeout_secs, Some(240));
            assert_eq!(app.profiles.len(), 1);
            assert_eq!(app.profiles[0].url, "https://guichet.caf78.example");
        }

        // A value of the wrong type: refused, and the app allows nothing.
        set(&key, "AllowBundled", "REG_SZ", "0");
        match read() {
            Err(DesktopError::PolicyOsInvalid { place, why }) => {
                assert!(place.contains(r"SOFTWARE\Policies\Guichet"), "{place}");
                assert!(why.contains("DWORD 0 ou 1"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        let app = resolve(load_policy(&sources), &UserSettings::default());
        if !wine {
            assert!(app.policy_error.unwrap().contains("AllowBundled"));
        }
        assert!(app.profiles.is_empty() && !app.allow_bundled);
        set(&key, "AllowBundled", "REG_DWORD", "0");
        set(&key, "IdleTimeoutSecs", "REG_QWORD", "240");
        assert!(read().is_err(), "a QWORD delay");
        set(&key, "IdleTimeoutSecs", "REG_DWORD", "240");
        set(&key, "AllowBundle", "REG_DWORD", "1");
        assert!(read().is_err(), "a misspelt value");
        reg(&["delete", &key, "/v", "AllowBundle"]);
        assert!(read().is_ok());
        if wine {
            reg(&["delete", &key]);
            assert_eq!(read(), Ok(None));
            return;
        }

        // The policy folder taken by a user (its owner could rewrite its rights): closed,
        // whatever the registry says.
        let taken = "O:BUD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;BU)";
        guichet_os::windows::set_security(folder.path(), taken).unwrap();
        refused_as_users(load_policy(&sources));
        let app = resolve(load_policy(&sources), &UserSettings::default());
        assert!(app.profiles.is_empty() && !app.allow_bundled && app.policy_error.is_some());

        // Protected again, with a policy file a user may write: refused too.
        guichet_os::windows::set_security(folder.path(), installed).unwrap();
        std::fs::write(&sources.system, "idle_timeout_secs = 600\n").unwrap();
        let writable = "O:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1201bf;;;BU)";
        guichet_os::windows::set_security(&sources.system, writable).unwrap();
        assert!(matches!(
            load_policy(&sources),
            Err(DesktopError::PolicyUntrusted { folder: None, .. })
        ));
        // The file as IT writes it: read, the registry's delay winning over the file's.
        let protected = "O:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)";
        guichet_os::windows::set_security(&sources.system, protected).unwrap();
        let app = resolve(load_policy(&sources), &UserSettings::default());
        assert_eq!(app.policy_error, None);
        assert_eq!(app.idle_timeout_secs, Some(240));

        reg(&["delete", &key]);
        assert_eq!(read(), Ok(None));
    }

    const PLIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>PayloadUUID</key><string>2E4B8F1C-0000-4000-8000-000000000001</string>
  <key>IdleTimeoutSecs</key><integer>240</integer>
  <key>AllowBundled</key><false/>
  <key>AllowRememberPassword</key><true/>
  <key>ExtraCaPem</key><string>/Library/Application Support/Guichet/ca.pem</string>
  <key>Profiles</key><array>
    <dict><key>Name</key><string>MSA Alsace</string><key>Url</key><string>https://guichet.msa-alsace.example</string>
      <key>Caisse</key><string>MSA-ALSACE</string><key>Environment</key><string>production</string></dict>
  </array>
</dict></plist>"#;

    #[test]
    fn r30_managed_preferences_make_a_policy() {
        let policy = from_plist(PLIST.as_bytes()).unwrap();
        assert_eq!(policy.idle_timeout_secs, Some(240));
        assert_eq!(policy.allow_bundled, Some(false));
        assert_eq!(policy.allow_remember_password, Some(true));
        assert_eq!(
            policy.extra_ca_pem.as_deref(),
            Some(std::path::Path::new(
                "/Library/Application Support/Guichet/ca.pem"
            ))
        );
        let pinned = policy.profiles.unwrap();
        assert_eq!(pinned[0].caisse, "MSA-ALSACE");
        assert_eq!(pinned[0].environment, Environment::Production);

        // The shipped example profile parses too (installer/macos).
        let example = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../installer/macos/fr.guichet.desktop.mobileconfig"),
        )
        .unwrap();
        assert!(plist::from_bytes::<plist::Value>(&example).is_ok());
    }

    #[test]
    fn r30_managed_preferences_are_checked() {
        let wrong_type = PLIST.replace("<false/>", "<string>non</string>");
        assert!(from_plist(wrong_type.as_bytes()).is_err());
        let unknown_env = PLIST.replace(">production<", ">prod<");
        assert!(
            from_plist(unknown_env.as_bytes())
                .unwrap_err()
                .contains("« prod »")
        );
        let bad_url = PLIST.replace("https://guichet", "http://guichet");
        assert!(
            from_plist(bad_url.as_bytes())
                .unwrap_err()
                .contains("profil « MSA Alsace »")
        );
        assert!(from_plist(b"not a plist").is_err());
    }

    #[test]
    fn r30_the_os_policy_wins_field_by_field_over_the_file() {
        let file = MachinePolicy {
            idle_timeout_secs: Some(600),
            allow_bundled: Some(true),
            allow_remember_password: Some(false),
            extra_ca_pem: Some("/file/ca.pem".into()),
            profiles: None,
            qf_grid: Some(Vec::new()),
        };
        let os = MachinePolicy {
            allow_bundled: Some(false),
            idle_timeout_secs: Some(900),
            ..MachinePolicy::default()
        };
        let both = overlay(Some(file.clone()), Some(os.clone())).unwrap();
        assert_eq!(
            both.idle_timeout_secs,
            Some(900),
            "the OS's value, even if looser"
        );
        assert_eq!(both.allow_bundled, Some(false));
        assert_eq!(
            both.allow_remember_password,
            Some(false),
            "the file's, unset by the OS"
        );
        assert_eq!(both.extra_ca_pem, file.extra_ca_pem);
        assert_eq!(both.qf_grid, file.qf_grid, "R-32: the grid is the file's");
        assert_eq!(overlay(Some(file.clone()), None), Some(file));
        assert_eq!(overlay(None, Some(os.clone())), Some(os));
        assert_eq!(overlay(None, None), None);
    }
}
