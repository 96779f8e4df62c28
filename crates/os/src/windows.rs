//! Win32: the registry (read only, 64-bit view) and a hidden window of its own thread.

use std::ptr::{null, null_mut};
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::{
    ERROR_FILE_NOT_FOUND, ERROR_NO_MORE_ITEMS, ERROR_SUCCESS, HWND, LPARAM, LRESULT, WPARAM,
};
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
        let _ = ready.send(Ok(()));
        let mut msg: wm::MSG = std::mem::zeroed();
        while wm::GetMessageW(&mut msg, null_mut(), 0, 0) > 0 {
            wm::TranslateMessage(&msg);
            wm::DispatchMessageW(&msg);
        }
    }
}
