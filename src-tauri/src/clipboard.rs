//! The OS clipboard, which the app writes only when the user copies a NIR. What it
//! writes is marked as secret for clipboard managers, so that they keep it out of their
//! history (and, on Windows, out of the cloud clipboard); the app also clears it after
//! [`crate::app::CLIPBOARD_TTL`] and on every wipe if it is still there.

use std::sync::Mutex;

/// One arboard clipboard for the app's lifetime. On X11 the app serves the clipboard's
/// content itself, for as long as this lives; arboard hands it to a clipboard manager only
/// when the last instance is dropped, which never happens here: at exit the content goes
/// with the process.
#[derive(Default)]
pub struct OsClipboard(Mutex<Option<arboard::Clipboard>>);

impl std::fmt::Debug for OsClipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OsClipboard")
    }
}

impl OsClipboard {
    /// Runs `f` on the clipboard, opened at first use (no display, no clipboard: `None`).
    fn with<T>(
        &self,
        f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Option<T> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            match arboard::Clipboard::new() {
                Ok(c) => *guard = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "presse-papiers indisponible");
                    return None;
                }
            }
        }
        guard.as_mut().and_then(|c| f(c).ok())
    }

    /// Puts `text` in the clipboard, marked so that clipboard managers keep no copy:
    /// `x-kde-passwordManagerHint: secret` on Linux (KDE's Klipper, GNOME's extensions,
    /// CopyQ…), the history, cloud and monitoring exclusion formats on Windows,
    /// `org.nspasteboard.ConcealedType` on macOS.
    pub fn set_secret_text(&self, text: &str) -> bool {
        self.with(|c| {
            let set = c.set();
            #[cfg(all(unix, not(target_os = "macos")))]
            let set = {
                use arboard::SetExtLinux;
                set.exclude_from_history()
            };
            #[cfg(windows)]
            let set = {
                use arboard::SetExtWindows;
                set.exclude_from_history()
                    .exclude_from_cloud()
                    .exclude_from_monitoring()
            };
            #[cfg(target_os = "macos")]
            let set = {
                use arboard::SetExtApple;
                set.exclude_from_history()
            };
            set.text(text)
        })
        .is_some()
    }

    pub fn text(&self) -> Option<String> {
        self.with(|c| c.get_text())
    }

    /// Empties the clipboard. Some platforms refuse to clear what they did not own:
    /// overwritten with nothing first.
    pub fn clear(&self) {
        self.with(|c| c.set_text(""));
        self.with(|c| c.clear());
    }
}
