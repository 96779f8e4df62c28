//! Win32: the registry (read only, 64-bit view), a hidden window of its own thread, and the
//! owner and DACL of a file or folder.

use std::path::Path;
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::{
    ERROR_FILE_NOT_FOUND, ERROR_NO_MORE_ITEMS, ERROR_SUCCESS, HLOCAL, HWND, LPARAM, LRESULT,
    LocalFree, WPARAM,
};
use windows_sys::Win32::Security::Authorization::{GetSecurityInfo, SE_FILE_OBJECT};
use windows_sys::Win32::Security::{
    ACL, DACL_SECURITY_INFORMATION, GetLengthSid, IsValidAcl, IsValidSid,
    OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
};
use windows_sys::Win32::Storage::FileSystem::{FILE_FLAG_BACKUP_SEMANTICS, READ_CONTROL};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::Registry::{
    HKEY, HKEY_LOCAL_MACHINE, KEY_READ, KEY_WOW64_64KEY, RegCloseKey, RegEnumValueW, RegOpenKeyExW,
};
use windows_sys::Win32::System::RemoteDesktop::{
    NOTIFY_FOR_THIS_SESSION, WTSRegisterSessionNotification,
};
use windows_sys::Win32::UI::WindowsAndMessaging as wm;

/// The messages and codes the desktop acts on, as Windows defines them (the desktop's own
/// copies, used by its tests on every platform, are checked against these at compile time).
pub mod codes {
    use windows_sys::Win32::UI::WindowsAndMessaging as wm;
    pub const WM_WTSSESSION_CHANGE: u32 = wm::WM_WTSSESSION_CHANGE;
    pub const WM_POWERBROADCAST: u32 = wm::WM_POWERBROADCAST;
    pub const WTS_CONSOLE_DISCONNECT: usize = wm::WTS_CONSOLE_DISCONNECT as usize;
    pub const WTS_REMOTE_DISCONNECT: usize = wm::WTS_REMOTE_DISCONNECT as usize;
    pub const WTS_SESSION_LOCK: usize = wm::WTS_SESSION_LOCK as usize;
    pub const PBT_APMSUSPEND: usize = wm::PBT_APMSUSPEND as usize;
}

/// A registry value as stored: its name, its type (`REG_*`) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawValue {
    pub name: String,
    pub kind: u32,
    pub data: Vec<u8>,
}

/// The values of `HKEY_LOCAL_MACHINE\{path}` and of its subkey `sub` (`None` when that
/// subkey does not exist); `Ok(None)` when the key itself does not exist. The error is the
/// Win32 error code.
#[allow(clippy::type_complexity)]
pub fn machine_key_values(
    path: &str,
    sub: &str,
) -> Result<Option<(Vec<RawValue>, Option<Vec<RawValue>>)>, u32> {
    let Some(key) = Key::open(HKEY_LOCAL_MACHINE, path)? else {
        return Ok(None);
    };
    let own = key.values()?;
    let subkey = match Key::open(key.0, sub)? {
        Some(subkey) => Some(subkey.values()?),
        None => None,
    };
    Ok(Some((own, subkey)))
}

/// An open key, closed on drop.
struct Key(HKEY);

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the handle came from RegOpenKeyExW and is closed once, here.
        unsafe { RegCloseKey(self.0) };
    }
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}

impl Key {
    fn open(parent: HKEY, path: &str) -> Result<Option<Key>, u32> {
        let path = wide(path);
        let mut key: HKEY = null_mut();
        // SAFETY: `path` is NUL-terminated and outlives the call; `key` is written only on
        // success, and then owned by the returned `Key`.
        let rc = unsafe {
            RegOpenKeyExW(
                parent,
                path.as_ptr(),
                0,
                KEY_READ | KEY_WOW64_64KEY,
                &mut key,
            )
        };
        match rc {
            ERROR_SUCCESS => Ok(Some(Key(key))),
            ERROR_FILE_NOT_FOUND => Ok(None),
            rc => Err(rc),
        }
    }

    /// Every value of the key. Names are at most 16 383 characters (the registry's limit);
    /// a value over 64 KiB, far beyond any policy value, is an error (ERROR_MORE_DATA).
    fn values(&self) -> Result<Vec<RawValue>, u32> {
        let mut name = vec![0u16; 16_384];
        let mut data = vec![0u8; 64 * 1024];
        let mut out = Vec::new();
        for index in 0u32.. {
            let mut name_len = u32::try_from(name.len()).unwrap_or(u32::MAX);
            let mut data_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
            let mut kind = 0u32;
            // SAFETY: each buffer is passed with its own length, which the call updates to
            // what it wrote; the reserved pointer is null as required.
            let rc = unsafe {
                RegEnumValueW(
                    self.0,
                    index,
                    name.as_mut_ptr(),
                    &mut name_len,
                    null(),
                    &mut kind,
                    data.as_mut_ptr(),
                    &mut data_len,
                )
            };
            match rc {
                ERROR_SUCCESS => {}
                ERROR_NO_MORE_ITEMS => break,
                rc => return Err(rc),
            }
            let name_len = usize::try_from(name_len).unwrap_or(0).min(name.len());
            let data_len = usize::try_from(data_len).unwrap_or(0).min(data.len());
            out.push(RawValue {
                name: String::from_utf16_lossy(&name[..name_len]),
                kind,
                data: data[..data_len].to_vec(),
            });
        }
        Ok(out)
    }
}

type OnMessage = Box<dyn Fn(u32, usize) + Send + Sync>;

/// What the window procedure calls (one watcher per process).
static ON_MESSAGE: OnceLock<OnMessage> = OnceLock::new();

/// The watcher's window, once created (its `HWND` as an integer: a handle is not `Sync`).
static WINDOW: OnceLock<usize> = OnceLock::new();

unsafe extern "system" fn window_proc(
    hwnd: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    if let Some(on_message) = ON_MESSAGE.get() {
        on_message(message, wparam);
    }
    // SAFETY: the arguments are the ones Windows passed to this procedure.
    unsafe { wm::DefWindowProcW(hwnd, message, wparam, lparam) }
}

/// Calls `on_message(message, wparam)` for every message of a top-level window that is never
/// shown (broadcasts such as `WM_POWERBROADCAST` reach top-level windows only), registered
/// for this session's notifications, on a thread of its own that runs its message loop.
/// Returns once the window is set up, or why it could not be (the step that failed).
pub fn watch_session(
    on_message: impl Fn(u32, usize) + Send + Sync + 'static,
) -> Result<(), &'static str> {
    if ON_MESSAGE.set(Box::new(on_message)).is_err() {
        return Err("déjà en place");
    }
    let (ready, started) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("guichet-session".into())
        .spawn(move || run(&ready))
        .map_err(|_| "thread")?;
    started.recv().unwrap_or(Err("thread"))
}

fn run(ready: &std::sync::mpsc::Sender<Result<(), &'static str>>) {
    let class = wide("GuichetSessionWatcher");
    // SAFETY: plain Win32 calls on this thread. The class name outlives the window, which
    // lives as long as the process; `wc` and `msg` are plain structures, zero a valid value.
    unsafe {
        let instance = GetModuleHandleW(null());
        let mut wc: wm::WNDCLASSW = std::mem::zeroed();
        wc.lpfnWndProc = Some(window_proc);
        wc.hInstance = instance;
        wc.lpszClassName = class.as_ptr();
        if wm::RegisterClassW(&wc) == 0 {
            let _ = ready.send(Err("RegisterClassW"));
            return;
        }
        let hwnd = wm::CreateWindowExW(
            0,
            class.as_ptr(),
            class.as_ptr(),
            wm::WS_OVERLAPPED,
            0,
            0,
            0,
            0,
            null_mut(),
            null_mut(),
            instance,
            null(),
        );
        if hwnd.is_null() {
            let _ = ready.send(Err("CreateWindowExW"));
            return;
        }
        if WTSRegisterSessionNotification(hwnd, NOTIFY_FOR_THIS_SESSION) == 0 {
            let _ = ready.send(Err("WTSRegisterSessionNotification"));
            return;
        }
        let _ = WINDOW.set(hwnd as usize);
        let _ = ready.send(Ok(()));
        let mut msg: wm::MSG = std::mem::zeroed();
        while wm::GetMessageW(&mut msg, null_mut(), 0, 0) > 0 {
            wm::TranslateMessage(&msg);
            wm::DispatchMessageW(&msg);
        }
    }
}

/// Sends `message` with `wparam` to the watcher's window and waits until its procedure has
/// handled it, as Windows does for a session change or a suspend: the tests' way to
/// reproduce them. `false` when no watcher is set up.
#[cfg(any(test, feature = "testing"))]
pub fn send_to_watcher(message: u32, wparam: usize) -> bool {
    let Some(&hwnd) = WINDOW.get() else {
        return false;
    };
    // SAFETY: `hwnd` is the watcher's window, which lives as long as the process;
    // SendMessageW only queues the message to its thread and waits for the answer.
    unsafe { wm::SendMessageW(hwnd as HWND, message, wparam, 0) };
    true
}

/// Sets the owner and the DACL (protected: not inherited) of the file or folder at `path`
/// from an SDDL string, as `icacls` would: the tests' way to make a folder look as the
/// installer leaves it, or as a user could have. The error is the Win32 error code.
/// Whether this process runs under Wine (every Wine prefix has this machine key). Tests
/// use it where Wine differs from Windows: Wine 8 keeps no security descriptor, so
/// `set_security` succeeds there and changes nothing.
#[cfg(any(test, feature = "testing"))]
pub fn under_wine() -> bool {
    matches!(machine_key_values(r"SOFTWARE\Wine", "Drivers"), Ok(Some(_)))
}

#[cfg(any(test, feature = "testing"))]
pub fn set_security(path: &Path, sddl: &str) -> Result<(), u32> {
    use windows_sys::Win32::Foundation::GetLastError;
    use windows_sys::Win32::Security::Authorization::{
        ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
    };
    use windows_sys::Win32::Security::{PROTECTED_DACL_SECURITY_INFORMATION, SetFileSecurityW};

    let sddl = wide(sddl);
    let path = wide(&path.to_string_lossy());
    let mut descriptor: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: both strings are NUL-terminated and outlive the calls; the descriptor
    // Windows allocates for the caller is freed once, by `LocalMemory`, after its last use.
    unsafe {
        if ConvertStringSecurityDescriptorToSecurityDescriptorW(
            sddl.as_ptr(),
            SDDL_REVISION_1,
            &mut descriptor,
            null_mut(),
        ) == 0
        {
            return Err(GetLastError());
        }
        let _descriptor = LocalMemory(descriptor);
        if SetFileSecurityW(
            path.as_ptr(),
            OWNER_SECURITY_INFORMATION
                | DACL_SECURITY_INFORMATION
                | PROTECTED_DACL_SECURITY_INFORMATION,
            descriptor,
        ) == 0
        {
            return Err(GetLastError());
        }
    }
    Ok(())
}

// The rights and entry types `acl` judges by, as Windows defines them.
const _: () = {
    use crate::acl;
    use windows_sys::Win32::Foundation as foundation;
    use windows_sys::Win32::Storage::FileSystem as fs;
    use windows_sys::Win32::System::SystemServices as ss;
    assert!(acl::FILE_WRITE_DATA == fs::FILE_WRITE_DATA);
    assert!(acl::FILE_APPEND_DATA == fs::FILE_APPEND_DATA);
    assert!(acl::FILE_WRITE_DATA == fs::FILE_ADD_FILE);
    assert!(acl::FILE_APPEND_DATA == fs::FILE_ADD_SUBDIRECTORY);
    assert!(acl::FILE_WRITE_EA == fs::FILE_WRITE_EA);
    assert!(acl::FILE_DELETE_CHILD == fs::FILE_DELETE_CHILD);
    assert!(acl::FILE_WRITE_ATTRIBUTES == fs::FILE_WRITE_ATTRIBUTES);
    assert!(acl::DELETE == fs::DELETE);
    assert!(acl::WRITE_DAC == fs::WRITE_DAC);
    assert!(acl::WRITE_OWNER == fs::WRITE_OWNER);
    assert!(acl::MAXIMUM_ALLOWED == ss::MAXIMUM_ALLOWED);
    assert!(acl::GENERIC_ALL == foundation::GENERIC_ALL);
    assert!(acl::GENERIC_WRITE == foundation::GENERIC_WRITE);
    assert!(acl::ACCESS_ALLOWED_ACE_TYPE as u32 == ss::ACCESS_ALLOWED_ACE_TYPE);
    assert!(acl::ACCESS_DENIED_ACE_TYPE as u32 == ss::ACCESS_DENIED_ACE_TYPE);
    assert!(acl::ACCESS_ALLOWED_OBJECT_ACE_TYPE as u32 == ss::ACCESS_ALLOWED_OBJECT_ACE_TYPE);
    assert!(acl::ACCESS_DENIED_OBJECT_ACE_TYPE as u32 == ss::ACCESS_DENIED_OBJECT_ACE_TYPE);
    assert!(acl::ACCESS_ALLOWED_CALLBACK_ACE_TYPE as u32 == ss::ACCESS_ALLOWED_CALLBACK_ACE_TYPE);
    assert!(acl::ACCESS_DENIED_CALLBACK_ACE_TYPE as u32 == ss::ACCESS_DENIED_CALLBACK_ACE_TYPE);
    assert!(
        acl::ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE as u32
            == ss::ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE
    );
    assert!(
        acl::ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE as u32
            == ss::ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE
    );
};

/// Memory that Windows allocated with `LocalAlloc` for the caller, freed on drop.
struct LocalMemory(HLOCAL);

impl Drop for LocalMemory {
    fn drop(&mut self) {
        // SAFETY: the pointer came from GetSecurityInfo, which allocates it with LocalAlloc
        // for the caller to free; it is freed once, here, and nothing borrowed from it is
        // used afterwards (see `check_protected`).
        unsafe { LocalFree(self.0) };
    }
}

/// Whether the file or folder at `path` (links followed) is owned by SYSTEM, Administrators
/// or TrustedInstaller and changeable by no one else: see [`crate::acl`] for the rules.
/// The owner and DACL are read from a handle opened for `READ_CONTROL` only.
pub fn check_protected(path: &Path, also: Option<&str>) -> Result<(), crate::acl::Unprotected> {
    use crate::acl::{self, Unprotected};
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;

    // FILE_FLAG_BACKUP_SEMANTICS: required to open a folder; it grants nothing by itself.
    let object = std::fs::OpenOptions::new()
        .access_mode(READ_CONTROL)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
        .map_err(|e| {
            Unprotected::Unreadable(
                e.raw_os_error()
                    .and_then(|c| u32::try_from(c).ok())
                    .unwrap_or(0),
            )
        })?;
    let mut owner: PSID = null_mut();
    let mut dacl: *mut ACL = null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: the handle is open (READ_CONTROL, which reading the owner and DACL needs) for
    // the whole call; every out pointer is a valid local. On success the descriptor is
    // allocated for the caller, and `owner` and `dacl` point inside it.
    let rc = unsafe {
        GetSecurityInfo(
            object.as_raw_handle(),
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
            &mut owner,
            null_mut(),
            &mut dacl,
            null_mut(),
            &mut descriptor,
        )
    };
    if rc != ERROR_SUCCESS {
        return Err(Unprotected::Unreadable(rc));
    }
    // Declared before the borrows below, so that it outlives them.
    let _descriptor = LocalMemory(descriptor);
    if owner.is_null() {
        return Err(Unprotected::Malformed);
    }
    // SAFETY: `owner` points to a SID inside the descriptor, alive until `_descriptor`
    // drops at the end of this function; IsValidSid checks its structure (revision,
    // sub-authority count) before GetLengthSid trusts it, and the slice covers exactly the
    // SID's bytes.
    let owner = unsafe {
        if IsValidSid(owner) == 0 {
            return Err(Unprotected::Malformed);
        }
        let len = usize::try_from(GetLengthSid(owner)).map_err(|_| Unprotected::Malformed)?;
        std::slice::from_raw_parts(owner.cast::<u8>().cast_const(), len)
    };
    // A null pointer: a NULL DACL, or no DACL at all; both let everyone do everything.
    let dacl = if dacl.is_null() {
        None
    } else {
        // SAFETY: `dacl` points to an ACL inside the descriptor, alive until `_descriptor`
        // drops; IsValidAcl checks its header and entries, and the slice covers the
        // `AclSize` bytes the header declares, which the descriptor holds.
        unsafe {
            if IsValidAcl(dacl) == 0 {
                return Err(Unprotected::Malformed);
            }
            let len = usize::from((*dacl).AclSize);
            Some(std::slice::from_raw_parts(
                dacl.cast::<u8>().cast_const(),
                len,
            ))
        }
    };
    acl::judge(owner, dacl, also)
}

/// The SID of the user this process runs as (its token's), as `S-1-…`; `None` if it cannot
/// be read. The tests trust it as the Unix tests trust their own uid ([`check_protected`]).
pub fn current_user_sid() -> Option<String> {
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::Security::{GetTokenInformation, TOKEN_QUERY, TOKEN_USER, TokenUser};
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

    let mut token: HANDLE = null_mut();
    // SAFETY: the pseudo-handle of the current process needs no closing; `token` is a
    // valid out pointer, and the token handle it receives is closed below.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return None;
    }
    // TOKEN_USER and the SID it points to, in a buffer aligned for TOKEN_USER.
    let mut buffer = [0u64; 16];
    let mut len = 0u32;
    // SAFETY: the buffer's size is passed with it; on success it holds a TOKEN_USER
    // whose SID pointer points inside the buffer, which outlives its use here.
    let sid = unsafe {
        let ok = GetTokenInformation(
            token,
            TokenUser,
            buffer.as_mut_ptr().cast(),
            u32::try_from(std::mem::size_of_val(&buffer)).unwrap_or(0),
            &mut len,
        );
        CloseHandle(token);
        if ok == 0 {
            return None;
        }
        let user = &*buffer.as_ptr().cast::<TOKEN_USER>();
        let sid = user.User.Sid;
        if sid.is_null() || IsValidSid(sid) == 0 {
            return None;
        }
        let n = usize::try_from(GetLengthSid(sid)).ok()?;
        std::slice::from_raw_parts(sid.cast::<u8>().cast_const(), n)
    };
    crate::acl::parse_sid(sid).map(|(text, _)| text)
}

#[cfg(test)]
mod tests;
