//! Process hardening shared by the desktop app and the server: a crash must not write
//! the process's memory (passwords, session tokens, the files on screen) to a core file, and
//! another process of the same user must not read that memory through ptrace or
//! `/proc/<pid>/mem`.

/// Turns core dumps off for this process and its children: `RLIMIT_CORE` set to 0 (the hard
/// limit too, so nothing later in the process can raise it again) and, on Linux, the process
/// marked not dumpable (`prctl(PR_SET_DUMPABLE, 0)`), which also keeps same-user debuggers
/// out. Called first thing at start, before any secret is in memory and before any thread
/// exists. The error says, in French, which step failed; the caller decides whether to go on.
pub fn forbid_core_dumps() -> Result<(), String> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        setrlimit(Resource::Core, none)
            .map_err(|e| format!("Impossible d'interdire les fichiers core (RLIMIT_CORE) : {e}"))?;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable).map_err(|e| {
            format!("Impossible de rendre le processus non copiable (PR_SET_DUMPABLE) : {e}")
        })?;
    }
    // Windows has no core files: a crash goes to Windows Error Reporting, whose local dumps
    // are off unless IT turns them on (LocalDumps registry key); excluding the app there
    // belongs with the machine policy in the registry (issue 12).
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn r29_core_dumps_are_forbidden() {
        use rustix::process::{DumpableBehavior, Resource, dumpable_behavior, getrlimit};
        forbid_core_dumps().unwrap();
        let limit = getrlimit(Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        // Twice is fine (the server and the desktop may both call it at start).
        forbid_core_dumps().unwrap();
    }
}
