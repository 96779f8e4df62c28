//! The OS keychain (keyring 4: Secret Service on Linux, Credential Manager on Windows,
//! Keychain on macOS). Per connection profile it keeps the last identifiant and, for a test
//! account on a non-production profile when the policy allows it, the password. Nothing
//! secret goes to a file. Every call blocks (D-Bus round trips): call from `spawn_blocking`.
//! When no keychain answers the app works on and remembers nothing.

use keyring::{Entry, Error};
use zeroize::Zeroizing;

use crate::error::DesktopError;

type Result<T> = std::result::Result<T, DesktopError>;

/// Service name of Guichet's items in the keychain.
pub const SERVICE: &str = "fr.guichet.desktop";

/// Whether the keychain can be used (the error says why not, for the sign-in screen).
pub fn status() -> Result<()> {
    Entry::store_status().as_ref().map_err(describe).copied()
}

fn describe(e: &Error) -> DesktopError {
    match e {
        Error::NoStorageAccess(_) => DesktopError::KeychainLocked,
        _ => DesktopError::KeychainUnavailable,
    }
}

fn entry(profile: &str, what: &str) -> Result<Entry> {
    Entry::new(SERVICE, &format!("{profile}\u{1f}{what}")).map_err(|e| describe(&e))
}

fn get(profile: &str, what: &str) -> Result<Option<Zeroizing<String>>> {
    match entry(profile, what)?.get_password() {
        Ok(v) => Ok(Some(Zeroizing::new(v))),
        Err(Error::NoEntry) => Ok(None),
        Err(e) => Err(describe(&e)),
    }
}

fn set(profile: &str, what: &str, value: &str) -> Result<()> {
    entry(profile, what)?
        .set_password(value)
        .map_err(|e| describe(&e))
}

fn delete(profile: &str, what: &str) -> Result<()> {
    match entry(profile, what)?.delete_credential() {
        Ok(()) | Err(Error::NoEntry) => Ok(()),
        Err(e) => Err(describe(&e)),
    }
}

pub fn identifiant(profile: &str) -> Result<Option<String>> {
    Ok(get(profile, "identifiant")?.map(|v| v.to_string()))
}

pub fn set_identifiant(profile: &str, identifiant: &str) -> Result<()> {
    set(profile, "identifiant", identifiant)
}

pub fn password(profile: &str) -> Result<Option<Zeroizing<String>>> {
    get(profile, "password")
}

pub fn set_password(profile: &str, password: &str) -> Result<()> {
    set(profile, "password", password)
}

pub fn forget_password(profile: &str) -> Result<()> {
    delete(profile, "password")
}

/// Removes everything kept for `profile`.
pub fn forget(profile: &str) -> Result<()> {
    delete(profile, "identifiant")?;
    delete(profile, "password")
}
