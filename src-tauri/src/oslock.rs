//! OS session lock and sleep: each sends an [`Event`] and the app wipes.
//!
//! - **Linux**: logind over the system D-Bus: `PrepareForSleep(true)` on the manager and
//!   `Lock` on this process's session (what `loginctl lock-session`, GNOME, KDE and
//!   light-locker emit). Without logind (a container, a CI box) nothing is sent: the idle
//!   watchdog still applies.
//! - **Windows** (to do, needs the window procedure): `WTSRegisterSessionNotification` on the
//!   main window, then `WM_WTSSESSION_CHANGE` with `WTS_SESSION_LOCK`, and
//!   `WM_POWERBROADCAST` with `PBT_APMSUSPEND`, each mapped to the same events.
//! - **macOS** (to do): `NSWorkspaceWillSleepNotification` on the workspace notification
//!   centre and `com.apple.screenIsLocked` on the distributed notification centre.
//!
//! Wake-up needs no hook anywhere: the watchdog runs on the wall clock, so a deadline that
//! passed during sleep fires at its first tick after wake-up.

use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Locked,
    Sleeping,
}

/// Starts listening in the background; returns at once.
pub fn watch(tx: UnboundedSender<Event>) {
    #[cfg(target_os = "linux")]
    linux::watch(tx);
    #[cfg(not(target_os = "linux"))]
    drop(tx);
}

#[cfg(target_os = "linux")]
mod linux {
    use super::Event;
    use tokio::sync::mpsc::UnboundedSender;
    use zbus::blocking::{Connection, Proxy};
    use zbus::zvariant::OwnedObjectPath;

    const LOGIND: &str = "org.freedesktop.login1";

    pub fn watch(tx: UnboundedSender<Event>) {
        let sleep_tx = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("logind-sleep".into())
            .spawn(move || {
                if let Err(e) = sleep(sleep_tx) {
                    tracing::info!(error = %e, "logind indisponible : pas de verrouillage à la mise en veille");
                }
            })
            .and_then(|_| {
                std::thread::Builder::new()
                    .name("logind-lock".into())
                    .spawn(move || {
                        if let Err(e) = lock(tx) {
                            tracing::info!(error = %e, "logind indisponible : pas de verrouillage avec la session");
                        }
                    })
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "surveillance de logind non démarrée");
        }
    }

    fn manager(conn: &Connection) -> zbus::Result<Proxy<'_>> {
        Proxy::new(
            conn,
            LOGIND,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
        )
    }

    fn sleep(tx: UnboundedSender<Event>) -> zbus::Result<()> {
        let conn = Connection::system()?;
        let manager = manager(&conn)?;
        for message in manager.receive_signal("PrepareForSleep")? {
            let going_to_sleep: bool = message.body().deserialize()?;
            if going_to_sleep && tx.send(Event::Sleeping).is_err() {
                break;
            }
        }
        Ok(())
    }

    fn lock(tx: UnboundedSender<Event>) -> zbus::Result<()> {
        let conn = Connection::system()?;
        let manager = manager(&conn)?;
        let path: OwnedObjectPath = manager
            .call("GetSessionByPID", &(std::process::id()))
            .or_else(|_| {
                OwnedObjectPath::try_from("/org/freedesktop/login1/session/auto")
                    .map_err(zbus::Error::from)
            })?;
        let session = Proxy::new(&conn, LOGIND, path, "org.freedesktop.login1.Session")?;
        for _ in session.receive_signal("Lock")? {
            if tx.send(Event::Locked).is_err() {
                break;
            }
        }
        Ok(())
    }
}
