//! OS session lock and sleep: each sends an [`Event`] and the app wipes
//! ([`crate::app::AppCore::follow_os_events`]).
//!
//! - **Linux**, as desktops really signal it (no single signal covers them all):
//!   - system bus, logind: `Lock` on this process's session (`loginctl lock-session`,
//!     light-locker), the session's `LockedHint` property turning true (GNOME and KDE set it
//!     when their lock screen comes up, including Super+L and the lock on idle), and
//!     `PrepareForSleep(true)` on the manager before suspend or hibernation;
//!   - session bus: `ActiveChanged(true)` of `org.freedesktop.ScreenSaver` (paths
//!     `/org/freedesktop/ScreenSaver` and `/ScreenSaver`: KDE, Xfce, Cinnamon, MATE…) and of
//!     `org.gnome.ScreenSaver` (`/org/gnome/ScreenSaver`, GNOME Shell).
//!
//!   Signals count only from the owner of the well-known name (zbus follows its changes).
//!   A bus that cannot be reached (a container, a CI box) is logged at info and skipped:
//!   the idle watchdog still applies.
//! - **Windows** ([`windows`]): a hidden top-level window of its own thread, registered with
//!   `WTSRegisterSessionNotification`: `WM_WTSSESSION_CHANGE` with `WTS_SESSION_LOCK` (Win+L,
//!   lock on idle) or a disconnection (fast user switching, a remote session closed), and the
//!   `WM_POWERBROADCAST` broadcast with `PBT_APMSUSPEND` ([`windows_event`]).
//! - **macOS** ([`macos`]): `com.apple.screenIsLocked` on the distributed notification centre
//!   and `NSWorkspaceWillSleepNotification` on the workspace's ([`macos_event`]).
//!
//! Wake-up needs no hook anywhere: the watchdog runs on the wall clock, so a deadline that
//! passed during sleep fires at its first tick after wake-up.

use std::collections::HashMap;

use futures_util::stream::{BoxStream, SelectAll, StreamExt};
use tokio::sync::mpsc::UnboundedSender;
use zbus::zvariant::{OwnedObjectPath, OwnedValue};
use zbus::{Connection, Proxy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Locked,
    Sleeping,
}

const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const LOGIND_MANAGER: &str = "org.freedesktop.login1.Manager";
const LOGIND_SESSION: &str = "org.freedesktop.login1.Session";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";

/// The screen savers' `ActiveChanged(bool)`: (bus name and interface, object path).
const SCREEN_SAVERS: [(&str, &str); 3] = [
    (
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
    ),
    ("org.freedesktop.ScreenSaver", "/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
];

/// The Win32 messages and codes the hidden window acts on (winuser.h, wtsapi32.h): the same
/// numbers on every Windows, written here so that the decision is tested on every platform
/// (the Windows build checks them against `windows-sys`).
pub mod win32 {
    pub const WM_WTSSESSION_CHANGE: u32 = 0x02B1;
    pub const WM_POWERBROADCAST: u32 = 0x0218;
    pub const WTS_CONSOLE_DISCONNECT: usize = 0x2;
    pub const WTS_REMOTE_DISCONNECT: usize = 0x4;
    pub const WTS_SESSION_LOCK: usize = 0x7;
    pub const PBT_APMSUSPEND: usize = 0x4;
    pub const WTS_SESSION_LOGON: usize = 0x5;
    pub const WTS_SESSION_UNLOCK: usize = 0x8;
    pub const PBT_APMPOWERSTATUSCHANGE: usize = 0xA;
    pub const PBT_APMRESUMEAUTOMATIC: usize = 0x12;
    /// Messages the session window receives that call for no wipe: unlocking, logging on,
    /// resuming, a power status change (the tests send them before the ones that do).
    pub const UNEVENTFUL: [(u32, usize); 4] = [
        (WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK),
        (WM_WTSSESSION_CHANGE, WTS_SESSION_LOGON),
        (WM_POWERBROADCAST, PBT_APMRESUMEAUTOMATIC),
        (WM_POWERBROADCAST, PBT_APMPOWERSTATUSCHANGE),
    ];
}

/// What a window message means for the app: the session locked or left (another user
/// switched in, the remote connection dropped), or the machine about to sleep. Unlocking,
/// resuming and every other message change nothing.
pub fn windows_event(message: u32, wparam: usize) -> Option<Event> {
    use win32::*;
    match (message, wparam) {
        (
            WM_WTSSESSION_CHANGE,
            WTS_SESSION_LOCK | WTS_CONSOLE_DISCONNECT | WTS_REMOTE_DISCONNECT,
        ) => Some(Event::Locked),
        (WM_POWERBROADCAST, PBT_APMSUSPEND) => Some(Event::Sleeping),
        _ => None,
    }
}

/// The distributed notification macOS posts when the screen locks.
pub const MACOS_SCREEN_LOCKED: &str = "com.apple.screenIsLocked";
/// The workspace notification before sleep (the value of `NSWorkspaceWillSleepNotification`).
pub const MACOS_WILL_SLEEP: &str = "NSWorkspaceWillSleepNotification";

/// What a macOS notification means for the app.
pub fn macos_event(name: &str) -> Option<Event> {
    match name {
        MACOS_SCREEN_LOCKED => Some(Event::Locked),
        MACOS_WILL_SLEEP => Some(Event::Sleeping),
        _ => None,
    }
}

/// The two D-Bus connections the watcher listens on; either may be missing.
#[derive(Debug, Clone, Default)]
pub struct Buses {
    /// Where logind lives.
    pub system: Option<Connection>,
    /// Where the desktop's screen saver lives.
    pub session: Option<Connection>,
}

impl Buses {
    /// The machine's system bus and the user's session bus, those that answer.
    pub async fn connect() -> Buses {
        if !cfg!(target_os = "linux") {
            return Buses::default();
        }
        let system = Connection::system().await.map_err(|e| {
            tracing::info!(error = %e, "bus système indisponible : ni logind, ni verrouillage de session suivi par lui");
        });
        let session = Connection::session().await.map_err(|e| {
            tracing::info!(error = %e, "bus de session indisponible : l'économiseur d'écran n'est pas suivi");
        });
        Buses {
            system: system.ok(),
            session: session.ok(),
        }
    }
}

/// Every lock and sleep signal, subscribed: a signal sent once [`Watcher::subscribe`] has
/// returned is not missed.
pub struct Watcher {
    events: SelectAll<BoxStream<'static, Event>>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("subscriptions", &self.events.len())
            .finish()
    }
}

impl Watcher {
    /// Subscribes to whatever `buses` offer; a subscription that fails is logged and skipped.
    pub async fn subscribe(buses: &Buses) -> Watcher {
        let mut events = SelectAll::new();
        if let Some(system) = &buses.system {
            match logind(system).await {
                Ok(streams) => events.extend(streams),
                Err(e) => {
                    tracing::info!(error = %e, "logind indisponible : veille et verrouillage non suivis par lui");
                }
            }
        }
        if let Some(session) = &buses.session {
            for (name, path) in SCREEN_SAVERS {
                match screen_saver(session, name, path).await {
                    Ok(stream) => events.push(stream),
                    Err(e) => {
                        tracing::info!(error = %e, name, path, "économiseur d'écran non suivi");
                    }
                }
            }
        }
        Watcher { events }
    }

    /// Sends each event to `tx` until every subscription or `tx` is closed.
    pub async fn forward(mut self, tx: UnboundedSender<Event>) {
        while let Some(event) = self.events.next().await {
            if tx.send(event).is_err() {
                break;
            }
        }
    }
}

/// A stream of `signal` from `destination`'s `path` and `interface`, mapped by `event`.
async fn signals(
    conn: &Connection,
    destination: &'static str,
    path: OwnedObjectPath,
    interface: &'static str,
    signal: &'static str,
    event: fn(&zbus::Message) -> Option<Event>,
) -> zbus::Result<BoxStream<'static, Event>> {
    let proxy = Proxy::new(conn, destination, path, interface).await?;
    let stream = proxy.receive_signal(signal).await?;
    Ok(stream
        .filter_map(move |message| std::future::ready(event(&message)))
        .boxed())
}

/// `(true)` as the signal's only argument: sleep is coming, the screen saver is on.
fn first_arg_true(message: &zbus::Message) -> bool {
    message.body().deserialize::<bool>().unwrap_or(false)
}

/// `PropertiesChanged` on a logind session, with `LockedHint` now true.
fn locked_hint_set(message: &zbus::Message) -> bool {
    let Ok((interface, changed, _invalidated)) =
        message
            .body()
            .deserialize::<(String, HashMap<String, OwnedValue>, Vec<String>)>()
    else {
        return false;
    };
    interface == LOGIND_SESSION
        && changed
            .get("LockedHint")
            .and_then(|v| bool::try_from(v).ok())
            .unwrap_or(false)
}

/// logind's manager (sleep) and this process's session (lock).
async fn logind(conn: &Connection) -> zbus::Result<Vec<BoxStream<'static, Event>>> {
    let manager_path = OwnedObjectPath::try_from(LOGIND_PATH)?;
    let sleep = signals(
        conn,
        LOGIND,
        manager_path.clone(),
        LOGIND_MANAGER,
        "PrepareForSleep",
        |m| first_arg_true(m).then_some(Event::Sleeping),
    )
    .await?;
    let mut streams = vec![sleep];
    let manager = Proxy::new(conn, LOGIND, manager_path, LOGIND_MANAGER).await?;
    // An app started by the desktop may live in a scope of the user's service manager rather
    // than in the session itself: then "auto", the user's graphical session, is asked for.
    let session: zbus::Result<OwnedObjectPath> =
        match manager.call("GetSessionByPID", &(std::process::id())).await {
            Ok(path) => Ok(path),
            Err(_) => manager.call("GetSession", &("auto",)).await,
        };
    match session {
        Ok(path) => {
            streams.push(
                signals(conn, LOGIND, path.clone(), LOGIND_SESSION, "Lock", |_| {
                    Some(Event::Locked)
                })
                .await?,
            );
            streams.push(
                signals(conn, LOGIND, path, PROPERTIES, "PropertiesChanged", |m| {
                    locked_hint_set(m).then_some(Event::Locked)
                })
                .await?,
            );
        }
        Err(e) => {
            tracing::info!(error = %e, "aucune session logind pour ce processus : verrouillage suivi par l'économiseur d'écran seulement");
        }
    }
    Ok(streams)
}

async fn screen_saver(
    conn: &Connection,
    name: &'static str,
    path: &'static str,
) -> zbus::Result<BoxStream<'static, Event>> {
    let path = OwnedObjectPath::try_from(path)?;
    signals(conn, name, path, name, "ActiveChanged", |m| {
        first_arg_true(m).then_some(Event::Locked)
    })
    .await
}

/// Windows: a hidden window of its own thread (`guichet-os`) receives the session and power
/// messages.
#[cfg(windows)]
pub mod windows {
    use guichet_os::windows::codes;
    use tokio::sync::mpsc::UnboundedSender;

    use super::{Event, win32, windows_event};

    // The numbers the pure decision uses are Windows' own.
    const _: () = assert!(win32::WM_WTSSESSION_CHANGE == codes::WM_WTSSESSION_CHANGE);
    const _: () = assert!(win32::WM_POWERBROADCAST == codes::WM_POWERBROADCAST);
    const _: () = assert!(win32::WTS_SESSION_LOCK == codes::WTS_SESSION_LOCK);
    const _: () = assert!(win32::WTS_CONSOLE_DISCONNECT == codes::WTS_CONSOLE_DISCONNECT);
    const _: () = assert!(win32::WTS_REMOTE_DISCONNECT == codes::WTS_REMOTE_DISCONNECT);
    const _: () = assert!(win32::PBT_APMSUSPEND == codes::PBT_APMSUSPEND);

    /// Starts the watcher; the error is the set-up step that failed (the caller logs it:
    /// the idle watchdog still applies).
    pub fn start(tx: UnboundedSender<Event>) -> Result<(), &'static str> {
        guichet_os::windows::watch_session(move |message, wparam| {
            if let Some(event) = windows_event(message, wparam) {
                let _ = tx.send(event);
            }
        })
    }

    /// Run on Windows or under Wine (scripts/wine-runner.sh): the window is real, the
    /// messages are sent to it as Windows sends them.
    #[cfg(test)]
    mod tests {
        use super::super::win32::*;
        use super::*;
        use guichet_os::windows::send_to_watcher;

        #[test]
        fn r16_a_session_lock_or_a_suspend_sent_by_windows_reaches_the_wipe() {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            start(tx).unwrap();
            for (message, wparam) in UNEVENTFUL {
                assert!(send_to_watcher(message, wparam));
            }
            assert!(rx.try_recv().is_err(), "no event for those");
            for (message, wparam, event) in [
                (WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK, Event::Locked),
                (WM_POWERBROADCAST, PBT_APMSUSPEND, Event::Sleeping),
                (WM_WTSSESSION_CHANGE, WTS_REMOTE_DISCONNECT, Event::Locked),
                (WM_WTSSESSION_CHANGE, WTS_CONSOLE_DISCONNECT, Event::Locked),
            ] {
                assert!(send_to_watcher(message, wparam));
                // The window procedure ran before SendMessageW returned.
                assert_eq!(rx.try_recv(), Ok(event), "{message:#x} {wparam:#x}");
            }
        }
    }
}

/// macOS: observers on the distributed and the workspace notification centres
/// (`guichet-os`), added from the main thread (the app's set-up).
#[cfg(target_os = "macos")]
pub mod macos {
    use tokio::sync::mpsc::UnboundedSender;

    use super::{Event, MACOS_SCREEN_LOCKED, macos_event};

    pub fn start(tx: UnboundedSender<Event>) {
        guichet_os::macos::observe_lock_and_sleep(MACOS_SCREEN_LOCKED, move |name| {
            if let Some(event) = macos_event(name) {
                let _ = tx.send(event);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r16_windows_lock_disconnection_and_suspend_wipe() {
        use win32::*;
        assert_eq!(
            windows_event(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK),
            Some(Event::Locked)
        );
        assert_eq!(
            windows_event(WM_WTSSESSION_CHANGE, WTS_CONSOLE_DISCONNECT),
            Some(Event::Locked)
        );
        assert_eq!(
            windows_event(WM_WTSSESSION_CHANGE, WTS_REMOTE_DISCONNECT),
            Some(Event::Locked)
        );
        assert_eq!(
            windows_event(WM_POWERBROADCAST, PBT_APMSUSPEND),
            Some(Event::Sleeping)
        );
        // Unlock (0x8), logon, console connect, resume (PBT_APMRESUMEAUTOMATIC 0x12,
        // PBT_APMRESUMESUSPEND 0x7), power status change (0xA): nothing to do.
        for wparam in [0x1, 0x3, 0x5, 0x6, 0x8, 0x9] {
            assert_eq!(
                windows_event(WM_WTSSESSION_CHANGE, wparam),
                None,
                "{wparam:#x}"
            );
        }
        for wparam in [0x7, 0xA, 0x12] {
            assert_eq!(
                windows_event(WM_POWERBROADCAST, wparam),
                None,
                "{wparam:#x}"
            );
        }
        // The same codes under another message mean nothing.
        assert_eq!(windows_event(0x0010 /* WM_CLOSE */, WTS_SESSION_LOCK), None);
        assert_eq!(windows_event(0x0111 /* WM_COMMAND */, PBT_APMSUSPEND), None);
    }

    #[test]
    fn r16_macos_lock_and_sleep_wipe() {
        assert_eq!(macos_event("com.apple.screenIsLocked"), Some(Event::Locked));
        assert_eq!(
            macos_event("NSWorkspaceWillSleepNotification"),
            Some(Event::Sleeping)
        );
        for other in [
            "com.apple.screenIsUnlocked",
            "NSWorkspaceDidWakeNotification",
            "com.apple.screensaver.didstop",
            "",
        ] {
            assert_eq!(macos_event(other), None, "{other}");
        }
    }
}
