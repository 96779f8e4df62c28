//! The Win32 calls themselves, run on Windows or under Wine (`make test` runs them with
//! scripts/wine-runner.sh): the registry read as stored, the session window receiving what
//! Windows sends it, and the owner and DACL read back as the file system holds them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::*;
use crate::acl::Unprotected;

/// `reg.exe` on the 64-bit view, as an administrator's script or the installer writes.
fn reg(args: &[&str]) {
    let status = Command::new("reg")
        .args(args)
        .args(["/reg:64", "/f"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "reg {args:?}: {status}");
}

fn utf16z(text: &str) -> Vec<u8> {
    text.encode_utf16()
        .chain(Some(0))
        .flat_map(u16::to_le_bytes)
        .collect()
}

#[test]
fn the_machine_key_is_read_as_stored_with_its_subkey() {
    let path = format!(r"SOFTWARE\GuichetOsTest\{}", std::process::id());
    let full = format!(r"HKLM\{path}");
    assert_eq!(machine_key_values(&path, "Sub"), Ok(None), "no key yet");

    reg(&["add", &full, "/v", "Delay", "/t", "REG_DWORD", "/d", "300"]);
    reg(&[
        "add",
        &full,
        "/v",
        "Path",
        "/t",
        "REG_SZ",
        "/d",
        r"C:\CA\caisse é.pem",
    ]);
    reg(&["add", &full, "/v", "Big", "/t", "REG_QWORD", "/d", "7"]);
    let (own, sub) = machine_key_values(&path, "Sub").unwrap().unwrap();
    assert_eq!(sub, None, "no subkey");
    let find = |name: &str| own.iter().find(|v| v.name == name).unwrap().clone();
    assert_eq!(find("Delay").kind, 4, "REG_DWORD");
    assert_eq!(find("Delay").data, 300u32.to_le_bytes());
    assert_eq!(find("Path").kind, 1, "REG_SZ");
    assert_eq!(find("Path").data, utf16z(r"C:\CA\caisse é.pem"));
    assert_eq!(find("Big").kind, 11, "REG_QWORD");
    assert_eq!(own.len(), 3);

    reg(&[
        "add",
        &format!(r"{full}\Sub"),
        "/v",
        "Un profil",
        "/t",
        "REG_SZ",
        "/d",
        "a|b|c",
    ]);
    let (_, sub) = machine_key_values(&path, "Sub").unwrap().unwrap();
    let sub = sub.unwrap();
    assert_eq!(sub.len(), 1);
    assert_eq!(sub[0].name, "Un profil");
    assert_eq!(sub[0].data, utf16z("a|b|c"));

    reg(&["delete", &full]);
    assert_eq!(machine_key_values(&path, "Sub"), Ok(None));
}

#[test]
fn the_session_window_receives_what_windows_sends_it() {
    use std::sync::mpsc;
    assert!(
        !send_to_watcher(codes::WM_WTSSESSION_CHANGE, 0),
        "no window yet"
    );
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    watch_session(move |message, wparam| {
        if message == codes::WM_WTSSESSION_CHANGE || message == codes::WM_POWERBROADCAST {
            let _ = tx.lock().unwrap().send((message, wparam));
        }
    })
    .unwrap();
    assert_eq!(watch_session(|_, _| {}), Err("déjà en place"));

    for sent in [
        (codes::WM_WTSSESSION_CHANGE, codes::WTS_SESSION_LOCK),
        (codes::WM_POWERBROADCAST, codes::PBT_APMSUSPEND),
        (codes::WM_WTSSESSION_CHANGE, codes::WTS_REMOTE_DISCONNECT),
    ] {
        assert!(send_to_watcher(sent.0, sent.1));
        // SendMessageW returns once the procedure ran: the message is already there.
        assert_eq!(rx.try_recv(), Ok(sent));
    }
}

/// A folder of its own under the temporary folder, removed on drop.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("guichet-os-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).unwrap();
        Folder(path)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn set(path: &Path, sddl: &str) {
    set_security(path, sddl).unwrap_or_else(|code| panic!("{sddl}: Win32 error {code}"));
}

/// What the installer sets (installer/windows/hooks.nsh): owner Administrators, SYSTEM and
/// Administrators full control, Users read and execute, not inherited.
const INSTALLED: &str = "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";

#[test]
fn the_owner_and_dacl_are_read_back_and_judged() {
    let folder = Folder::new("policy");
    if under_wine() {
        // Wine 8 keeps no security descriptor (stored ACLs are a wine-staging patch):
        // SetFileSecurityW succeeds, and what is read back is derived from the Unix owner
        // and mode, which make every file the Wine user's. So this checks the read path
        // on what Wine gives: the folder is judged as one a user created, and refused,
        // naming that user; the descriptors below are judged on Windows itself.
        set(&folder.0, INSTALLED);
        match check_protected(&folder.0, None) {
            Err(Unprotected::Owner(sid)) => assert!(sid.starts_with("S-1-5-21-"), "{sid}"),
            other => panic!("{other:?}"),
        }
        let file = folder.0.join("policy.toml");
        std::fs::write(&file, "idle_timeout_secs = 300\n").unwrap();
        assert!(matches!(
            check_protected(&file, None),
            Err(Unprotected::Owner(_))
        ));
        // The tests' own user, when trusted (as the Unix tests trust their uid): the
        // same folder and file pass, and that user is the one Wine reports.
        let me = current_user_sid().unwrap();
        assert!(me.starts_with("S-1-5-21-"), "{me}");
        assert_eq!(check_protected(&folder.0, Some(&me)), Ok(()));
        assert_eq!(check_protected(&file, Some(&me)), Ok(()));
        assert_eq!(
            check_protected(&file, Some("S-1-5-21-1-2-3-1001")),
            Err(Unprotected::Owner(me))
        );
        match check_protected(&folder.0.join("absent"), None) {
            Err(Unprotected::Unreadable(code)) => assert!(code == 2 || code == 3, "{code}"),
            other => panic!("{other:?}"),
        }
        return;
    }
    set(&folder.0, INSTALLED);
    assert_eq!(check_protected(&folder.0, None), Ok(()));

    // Users may write: refused, naming them.
    set(
        &folder.0,
        "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1201bf;;;BU)",
    );
    match check_protected(&folder.0, None) {
        Err(Unprotected::Writable { sid, mask }) => {
            assert_eq!(sid, "S-1-5-32-545");
            assert_ne!(mask & crate::acl::FILE_WRITE_DATA, 0);
        }
        other => panic!("{other:?}"),
    }

    // Owned by Users (who could rewrite the DACL): refused.
    set(&folder.0, "O:BUD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
    assert_eq!(
        check_protected(&folder.0, None),
        Err(Unprotected::Owner("S-1-5-32-545".into()))
    );

    // A NULL DACL lets everyone do everything.
    set(&folder.0, "O:BAD:NO_ACCESS_CONTROL");
    assert_eq!(check_protected(&folder.0, None), Err(Unprotected::NullDacl));

    // A file in a protected folder is judged on its own descriptor.
    set(&folder.0, INSTALLED);
    let file = folder.0.join("policy.toml");
    std::fs::write(&file, "idle_timeout_secs = 300\n").unwrap();
    set(&file, "O:SYD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)");
    assert_eq!(check_protected(&file, None), Ok(()));
    set(&file, "O:SYD:P(A;;FA;;;SY)(A;;FA;;;WD)");
    assert!(
        matches!(check_protected(&file, None), Err(Unprotected::Writable { ref sid, .. }) if sid == "S-1-1-0"),
        "Everyone may write"
    );

    // Nothing there: unreadable, with Windows' error (file or path not found).
    match check_protected(&folder.0.join("absent"), None) {
        Err(Unprotected::Unreadable(code)) => assert!(code == 2 || code == 3, "{code}"),
        other => panic!("{other:?}"),
    }
}
