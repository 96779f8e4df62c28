//! The few OS calls the desktop app needs that no safe crate offers, kept apart so that
//! every other crate of the workspace forbids unsafe code:
//!
//! - [`windows`]: the machine's group-policy registry key, read as raw values, a hidden
//!   window that receives the session (lock, disconnection) and power (suspend) messages,
//!   and the owner and DACL of the policy folder and files;
//! - [`macos`]: observers of the screen-lock and sleep notifications.
//!
//! What the values and messages mean is decided by the desktop crate, in pure functions
//! tested on every platform (`guichet_desktop::os_policy`, `guichet_desktop::oslock`); what
//! an owner and a DACL mean is decided here, in [`acl`], safe code built and tested on every
//! platform. Otherwise this crate is empty on Linux: D-Bus and files need no unsafe code.

pub mod acl;

#[cfg(windows)]
#[allow(unsafe_code)]
pub mod windows;

#[cfg(target_os = "macos")]
#[allow(unsafe_code)]
pub mod macos;
