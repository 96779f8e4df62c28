//! The OS keychain (keyring 4: Secret Service on Linux, Credential Manager on Windows,
//! Keychain on macOS). Per connection profile it keeps the last identifiant and, for a test
//! account on a non-production profile when the policy allows it, the password. Nothing
//! secret goes to a file. Every call blocks (D-Bus round trips): the app makes them through
//! [`Keychain`], off the async runtime and bounded in time. When no keychain answers, or one
//! stops answering, the app works on and remembers nothing.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use keyring::{Entry, Error};
use tokio::task::AbortHandle;
use zeroize::Zeroizing;

use crate::error::DesktopError;

type Result<T> = std::result::Result<T, DesktopError>;

/// Service name of Guichet's items in the keychain.
pub const SERVICE: &str = "fr.guichet.desktop";

/// How long a keychain call may take before the app goes on without it. A Secret Service
/// that holds its D-Bus name but never answers (a hung daemon, a prompt nobody can see)
/// would otherwise keep the sign-in screen on "Chargement…" for good.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(3);

/// The keychain as the app uses it. Each call runs on a blocking thread, bounded by a
/// time-out. A call that overruns is left to finish on its thread; until it has, later
/// calls fail at once with [`DesktopError::KeychainNoAnswer`], since the store serialises
/// its calls and they would only queue behind it.
#[derive(Debug, Clone)]
pub struct Keychain {
    /// Why the keychain cannot be used at all: its set-up failed, or did not answer.
    unusable: Option<DesktopError>,
    timeout: Duration,
    /// The calls that overran their time-out (those still running make the keychain silent).
    overdue: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Keychain {
    /// The system's keychain, set up once (a failure sticks for the process), each call
    /// bounded by `timeout`. The set-up itself is bounded too: it runs on its own thread,
    /// left behind if it overruns.
    pub fn open(timeout: Duration) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("keychain-setup".into())
            .spawn(move || {
                let _ = tx.send(status());
            });
        let unusable = match spawned.map(|_| rx.recv_timeout(timeout)) {
            Ok(Ok(status)) => status.err(),
            Ok(Err(_)) | Err(_) => {
                tracing::warn!(?timeout, "le trousseau ne répond pas au démarrage");
                Some(DesktopError::KeychainNoAnswer)
            }
        };
        Keychain {
            unusable,
            timeout,
            overdue: Arc::default(),
        }
    }

    /// A keychain the app cannot use, for `reason` (the tests' "no keychain").
    pub fn unusable(reason: DesktopError) -> Self {
        Keychain {
            unusable: Some(reason),
            timeout: CALL_TIMEOUT,
            overdue: Arc::default(),
        }
    }

    /// Why the keychain cannot be used now, if it cannot: its set-up failed, or a call is
    /// still overdue.
    pub fn error(&self) -> Option<DesktopError> {
        if let Some(e) = &self.unusable {
            return Some(e.clone());
        }
        let mut overdue = self.overdue.lock().unwrap_or_else(PoisonError::into_inner);
        if overdue.is_empty() {
            return None;
        }
        overdue.retain(|call| !call.is_finished());
        if overdue.is_empty() {
            tracing::info!("le trousseau répond de nouveau");
            return None;
        }
        Some(DesktopError::KeychainNoAnswer)
    }

    /// Runs `f` (keychain calls) on a blocking thread, waiting at most the time-out.
    #[allow(clippy::disallowed_methods)] // the clock only measures a duration, for the log
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if let Some(e) = self.error() {
            return Err(e);
        }
        let started = Instant::now();
        let mut task = tokio::task::spawn_blocking(f);
        match tokio::time::timeout(self.timeout, &mut task).await {
            Ok(joined) => {
                tracing::debug!(elapsed = ?started.elapsed(), "appel au trousseau");
                joined.unwrap_or(Err(DesktopError::KeychainNoAnswer))
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.timeout, "le trousseau ne répond pas");
                self.overdue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(task.abort_handle());
                Err(DesktopError::KeychainNoAnswer)
            }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A keychain whose set-up succeeded, with a short time-out.
    fn answering(timeout: Duration) -> Keychain {
        Keychain {
            unusable: None,
            timeout,
            overdue: Arc::default(),
        }
    }

    /// Run on Windows or under Wine (scripts/wine-runner.sh): keyring's Credential Manager
    /// store, as the app uses it.
    #[cfg(windows)]
    #[tokio::test]
    async fn windows_credential_manager_keeps_and_forgets_per_profile() {
        let keychain = Keychain::open(CALL_TIMEOUT);
        assert_eq!(keychain.error(), None, "Credential Manager answers");
        let profile = format!("Recette Windows {}", std::process::id());
        let other = format!("{profile} bis");
        let p = profile.clone();
        assert_eq!(keychain.call(move || identifiant(&p)).await, Ok(None));

        let p = profile.clone();
        keychain
            .call(move || {
                set_identifiant(&p, "directrice.creche")?;
                set_password(&p, "Mot de passe é ✓ 1234")
            })
            .await
            .unwrap();
        set_identifiant(&other, "agent.mairie").unwrap();
        assert_eq!(
            identifiant(&profile).unwrap().as_deref(),
            Some("directrice.creche")
        );
        assert_eq!(
            password(&profile).unwrap().as_deref().map(String::as_str),
            Some("Mot de passe é ✓ 1234")
        );
        assert_eq!(
            identifiant(&other).unwrap().as_deref(),
            Some("agent.mairie")
        );
        assert_eq!(password(&other).unwrap(), None);

        // Replaced, not added.
        set_password(&profile, "autre").unwrap();
        assert_eq!(
            password(&profile).unwrap().as_deref().map(String::as_str),
            Some("autre")
        );
        forget_password(&profile).unwrap();
        assert_eq!(password(&profile).unwrap(), None);
        assert!(
            identifiant(&profile).unwrap().is_some(),
            "the identifiant stays"
        );
        forget(&profile).unwrap();
        forget(&profile).unwrap();
        assert_eq!(identifiant(&profile).unwrap(), None);
        assert_eq!(
            identifiant(&other).unwrap().as_deref(),
            Some("agent.mairie")
        );
        forget(&other).unwrap();
        assert_eq!(identifiant(&other).unwrap(), None);
    }

    #[tokio::test]
    async fn a_call_that_answers_in_time_gives_its_answer() {
        let k = answering(Duration::from_secs(30));
        assert_eq!(k.call(|| Ok(7)).await, Ok(7));
        assert_eq!(
            k.call(|| Err::<(), _>(DesktopError::KeychainLocked)).await,
            Err(DesktopError::KeychainLocked)
        );
        assert_eq!(k.error(), None);
    }

    #[tokio::test]
    async fn a_silent_keychain_is_given_up_and_later_calls_fail_at_once_until_it_answers() {
        let k = answering(Duration::from_millis(100));
        let (release, hung) = std::sync::mpsc::channel::<()>();
        let (finished, done) = std::sync::mpsc::channel::<()>();
        let first = k.call(move || {
            let _ = hung.recv();
            let _ = finished.send(());
            Ok(())
        });
        assert_eq!(first.await, Err(DesktopError::KeychainNoAnswer));
        assert_eq!(k.error(), Some(DesktopError::KeychainNoAnswer));

        // While the first call hangs, the next one is not even started.
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let second = k.call(move || {
            r.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        assert_eq!(second.await, Err(DesktopError::KeychainNoAnswer));
        assert_eq!(ran.load(Ordering::SeqCst), 0);

        // The keychain answers at last: calls go through again.
        release.send(()).unwrap();
        done.recv().unwrap();
        for _ in 0..200 {
            if k.error().is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(k.error(), None);
        assert_eq!(k.call(|| Ok("kept")).await, Ok("kept"));
    }

    #[tokio::test]
    async fn a_call_that_panics_is_no_answer_and_leaves_nothing_overdue() {
        let k = answering(Duration::from_secs(30));
        let r: Result<()> = k.call(|| panic!("keychain store bug")).await;
        assert_eq!(r, Err(DesktopError::KeychainNoAnswer));
        assert_eq!(k.error(), None);
    }

    #[tokio::test]
    async fn an_unusable_keychain_runs_nothing() {
        let k = Keychain::unusable(DesktopError::KeychainUnavailable);
        let r: Result<()> = k.call(|| unreachable!("never run")).await;
        assert_eq!(r, Err(DesktopError::KeychainUnavailable));
        assert_eq!(k.error(), Some(DesktopError::KeychainUnavailable));
    }
}
