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
//! - **Windows** (to do, needs the window procedure): `WTSRegisterSessionNotification` on the
//!   main window, then `WM_WTSSESSION_CHANGE` with `WTS_SESSION_LOCK`, and
//!   `WM_POWERBROADCAST` with `PBT_APMSUSPEND`, each mapped to the same events.
//! - **macOS** (to do): `NSWorkspaceWillSleepNotification` on the workspace notification
//!   centre and `com.apple.screenIsLocked` on the distributed notification centre.
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
