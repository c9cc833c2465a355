//! The Windows system calls of the probes, and the only `unsafe` code among
//! them: the registry (advapi32), the service control manager (advapi32)
//! and WinHTTP, behind the [`Machine`] interface (machine.rs). Every call
//! only reads: keys are opened with KEY_READ, the service manager with
//! SC_MANAGER_CONNECT and the service with SERVICE_QUERY_STATUS |
//! SERVICE_QUERY_CONFIG. What the values mean is not here: see `windows/`.
//! The calls and their constants: docs/facts.md#windows-apis. Winsock's
//! socket/connect/select for the cancellable connect (`socket`, below).
//!
//! The few Win32 functions are declared here (no bindings crate).

use std::ffi::c_void;
use std::path::Path;
use widestring::U16CString;

use super::machine::{
    absent_or, key_place, value_place, Hive, Machine, OsError, RegError, RegValue, Registry,
    ServiceError, ServiceQuery, View, WinHttpProxy, MAX_VALUES,
};
use super::winerr::{self, ERROR_MORE_DATA};

type Hkey = isize;
type ScHandle = *mut c_void;

const HKEY_CURRENT_USER: Hkey = 0x8000_0001u32 as i32 as isize;
const HKEY_LOCAL_MACHINE: Hkey = 0x8000_0002u32 as i32 as isize;
const KEY_READ: u32 = 0x20019;
const KEY_WOW64_64KEY: u32 = 0x0100;
const KEY_WOW64_32KEY: u32 = 0x0200;
const RRF_RT_REG_SZ: u32 = 0x0000_0002;
const RRF_RT_REG_DWORD: u32 = 0x0000_0010;
const RRF_RT_ANY: u32 = 0x0000_ffff;
const REG_SZ: u32 = 1;
const REG_EXPAND_SZ: u32 = 2;
const REG_BINARY: u32 = 3;
const REG_DWORD: u32 = 4;
const REG_QWORD: u32 = 11;
const ERROR_SUCCESS: i32 = 0;
const ERROR_NO_MORE_ITEMS: i32 = 259;
/// The longest value name, in UTF-16 units, with its NUL.
const MAX_VALUE_NAME: usize = 16384;
const SC_MANAGER_CONNECT: u32 = 0x0001;
const SERVICE_QUERY_CONFIG: u32 = 0x0001;
const SERVICE_QUERY_STATUS: u32 = 0x0004;
const SC_STATUS_PROCESS_INFO: u32 = 0;

#[repr(C)]
struct WinHttpProxyInfo {
    access_type: u32,
    proxy: *mut u16,
    proxy_bypass: *mut u16,
}

#[link(name = "advapi32")]
extern "system" {
    fn RegOpenKeyExW(key: Hkey, sub: *const u16, options: u32, sam: u32, out: *mut Hkey) -> i32;
    fn RegGetValueW(
        key: Hkey,
        sub: *const u16,
        value: *const u16,
        flags: u32,
        kind: *mut u32,
        data: *mut c_void,
        size: *mut u32,
    ) -> i32;
    fn RegEnumValueW(
        key: Hkey,
        index: u32,
        name: *mut u16,
        name_len: *mut u32,
        reserved: *mut u32,
        kind: *mut u32,
        data: *mut u8,
        data_len: *mut u32,
    ) -> i32;
    fn RegCloseKey(key: Hkey) -> i32;
    fn OpenSCManagerW(machine: *const u16, database: *const u16, access: u32) -> ScHandle;
    fn OpenServiceW(manager: ScHandle, name: *const u16, access: u32) -> ScHandle;
    fn QueryServiceStatusEx(
        service: ScHandle,
        level: u32,
        buffer: *mut u8,
        size: u32,
        needed: *mut u32,
    ) -> i32;
    fn QueryServiceConfigW(service: ScHandle, config: *mut u8, size: u32, needed: *mut u32) -> i32;
    fn CloseServiceHandle(handle: ScHandle) -> i32;
}

#[link(name = "winhttp")]
extern "system" {
    fn WinHttpGetDefaultProxyConfiguration(info: *mut WinHttpProxyInfo) -> i32;
}

#[link(name = "kernel32")]
extern "system" {
    fn GlobalFree(mem: *mut c_void) -> *mut c_void;
    fn GetLastError() -> u32;
}

/// This machine, through the system calls.
pub(crate) struct System;

/// The one instance the probes use.
pub(crate) static SYSTEM: System = System;

fn wide(s: &str) -> U16CString {
    U16CString::from_str(s).unwrap_or_default()
}

fn root(hive: Hive) -> Hkey {
    match hive {
        Hive::LocalMachine => HKEY_LOCAL_MACHINE,
        Hive::CurrentUser => HKEY_CURRENT_USER,
    }
}

fn view_flag(view: View) -> u32 {
    match view {
        View::Bit64 => KEY_WOW64_64KEY,
        View::Bit32 => KEY_WOW64_32KEY,
    }
}

/// The system's text for a code, without std's " (os error N)" tail.
fn system_text(code: i32) -> String {
    let t = std::io::Error::from_raw_os_error(code).to_string();
    match t.rfind(" (os error ") {
        Some(i) => t[..i].to_string(),
        None => t,
    }
}

fn last_error() -> i32 {
    unsafe { GetLastError() as i32 }
}

/// An open key, closed on drop.
struct Key(Hkey);

impl Drop for Key {
    fn drop(&mut self) {
        unsafe {
            RegCloseKey(self.0);
        }
    }
}

/// Opens a key for reading in a view; `Ok(None)` when it does not exist.
fn open(hive: Hive, view: View, path: &str) -> Result<Option<Key>, RegError> {
    let p = wide(path);
    let mut h: Hkey = 0;
    let rc = unsafe {
        RegOpenKeyExW(
            root(hive),
            p.as_ptr(),
            0,
            KEY_READ | view_flag(view),
            &mut h,
        )
    };
    match rc {
        ERROR_SUCCESS => Ok(Some(Key(h))),
        rc => absent_or(key_place(hive, path), rc, Some(system_text(rc))),
    }
}

/// `RegGetValueW` of `name` under an open key into `buf`: the code, the
/// type and the size it reports.
fn get(key: &Key, name: &U16CString, flags: u32, buf: &mut [u8]) -> (i32, u32, u32) {
    let mut cb: u32 = buf.len() as u32;
    let mut kind: u32 = 0;
    let rc = unsafe {
        RegGetValueW(
            key.0,
            std::ptr::null(),
            name.as_ptr(),
            flags,
            &mut kind,
            buf.as_mut_ptr() as *mut c_void,
            &mut cb,
        )
    };
    (rc, kind, cb)
}

impl Registry for System {
    fn key_exists(&self, hive: Hive, view: View, path: &str) -> Result<bool, RegError> {
        open(hive, view, path).map(|k| k.is_some())
    }

    fn dword(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<u32>, RegError> {
        let key = match open(hive, view, path)? {
            Some(k) => k,
            None => return Ok(None),
        };
        let mut buf = [0u8; 4];
        match get(&key, &wide(name), RRF_RT_REG_DWORD, &mut buf) {
            (ERROR_SUCCESS, _, _) => Ok(Some(u32::from_le_bytes(buf))),
            (rc, _, _) => absent_or(value_place(hive, path, name), rc, Some(system_text(rc))),
        }
    }

    fn string(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<String>, RegError> {
        let key = match open(hive, view, path)? {
            Some(k) => k,
            None => return Ok(None),
        };
        let v = wide(name);
        // RRF_RT_REG_SZ alone: a REG_EXPAND_SZ value is expanded and accepted
        // (asking for RRF_RT_REG_EXPAND_SZ without RRF_NOEXPAND is refused).
        let mut size: u32 = 0;
        for _ in 0..4 {
            let mut buf = vec![0u8; (size as usize / 2 + 1) * 2];
            match get(&key, &v, RRF_RT_REG_SZ, &mut buf) {
                (ERROR_SUCCESS, _, cb) => {
                    let units: Vec<u16> = buf[..(cb as usize).min(buf.len())]
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect();
                    return Ok(Some(winerr::reg_sz_text(&units)));
                }
                (ERROR_MORE_DATA, _, cb) => size = cb.max(size * 2 + 2),
                (rc, _, _) => {
                    return absent_or(value_place(hive, path, name), rc, Some(system_text(rc)))
                }
            }
        }
        Err(RegError::Growing {
            place: value_place(hive, path, name),
        })
    }

    fn value(
        &self,
        hive: Hive,
        view: View,
        path: &str,
        name: &str,
    ) -> Result<Option<RegValue>, RegError> {
        let key = match open(hive, view, path)? {
            Some(k) => k,
            None => return Ok(None),
        };
        let v = wide(name);
        let mut size: u32 = 64;
        for _ in 0..4 {
            // Two spare bytes, as RegGetValueW may add a terminating NUL.
            let mut buf: Vec<u8> = vec![0; size as usize + 2];
            let (rc, kind, cb) = get(&key, &v, RRF_RT_ANY, &mut buf[..size as usize]);
            match rc {
                ERROR_SUCCESS => {
                    let data = &buf[..(cb as usize).min(buf.len())];
                    return Ok(Some(reg_value(kind, data)));
                }
                ERROR_MORE_DATA => size = cb.max(size * 2),
                rc => return absent_or(value_place(hive, path, name), rc, Some(system_text(rc))),
            }
        }
        Err(RegError::Growing {
            place: value_place(hive, path, name),
        })
    }

    fn values(
        &self,
        hive: Hive,
        view: View,
        path: &str,
    ) -> Result<Option<Vec<(String, RegValue)>>, RegError> {
        let names = match self.value_names(hive, view, path)? {
            Some(n) => n,
            None => return Ok(None),
        };
        let mut out = Vec::new();
        for name in names {
            // A value deleted since the listing is simply not there.
            if let Some(v) = self.value(hive, view, path, &name)? {
                out.push((name, v));
            }
        }
        Ok(Some(out))
    }
}

impl System {
    /// The names of a key's values (`RegEnumValueW`, names only).
    fn value_names(
        &self,
        hive: Hive,
        view: View,
        path: &str,
    ) -> Result<Option<Vec<String>>, RegError> {
        let key = match open(hive, view, path)? {
            Some(k) => k,
            None => return Ok(None),
        };
        let mut names = Vec::new();
        let mut buf = vec![0u16; MAX_VALUE_NAME];
        for i in 0..MAX_VALUES {
            let mut n = buf.len() as u32;
            let null = std::ptr::null_mut();
            let rc = unsafe {
                RegEnumValueW(
                    key.0,
                    i,
                    buf.as_mut_ptr(),
                    &mut n,
                    null,
                    null,
                    std::ptr::null_mut(),
                    null,
                )
            };
            match rc {
                ERROR_SUCCESS => names.push(String::from_utf16_lossy(
                    &buf[..(n as usize).min(buf.len())],
                )),
                ERROR_NO_MORE_ITEMS => break,
                rc => return absent_or(key_place(hive, path), rc, Some(system_text(rc))),
            }
        }
        Ok(Some(names))
    }
}

/// A value's bytes as .NET's `GetValue` hands them over.
fn reg_value(kind: u32, data: &[u8]) -> RegValue {
    match kind {
        REG_DWORD if data.len() >= 4 => RegValue::Number(u64::from(u32::from_le_bytes([
            data[0], data[1], data[2], data[3],
        ]))),
        REG_QWORD if data.len() >= 8 => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&data[..8]);
            RegValue::Number(u64::from_le_bytes(b))
        }
        REG_SZ | REG_EXPAND_SZ => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let s = String::from_utf16_lossy(&units);
            RegValue::Text(s.trim_end_matches('\0').to_string())
        }
        REG_BINARY => RegValue::Binary(data.to_vec()),
        _ => RegValue::Other,
    }
}

/// A service manager handle, closed on drop.
struct Sc(ScHandle);

impl Drop for Sc {
    fn drop(&mut self) {
        unsafe {
            CloseServiceHandle(self.0);
        }
    }
}

fn service_error(api: &'static str) -> ServiceError {
    let code = last_error();
    ServiceError {
        api,
        code,
        text: Some(system_text(code)),
    }
}

/// Copies a WinHTTP string and frees it (`None` for NULL or empty).
fn take_wide(p: *mut u16) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = unsafe { widestring::U16CStr::from_ptr_str(p) }.to_string_lossy();
    unsafe { GlobalFree(p as *mut c_void) };
    Some(s).filter(|s| !s.is_empty())
}

impl Machine for System {
    fn service(&self, name: &str) -> Result<ServiceQuery, ServiceError> {
        let scm = unsafe { OpenSCManagerW(std::ptr::null(), std::ptr::null(), SC_MANAGER_CONNECT) };
        if scm.is_null() {
            return Err(service_error("OpenSCManagerW"));
        }
        let scm = Sc(scm);
        let n = wide(name);
        let h = unsafe {
            OpenServiceW(
                scm.0,
                n.as_ptr(),
                SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG,
            )
        };
        if h.is_null() {
            return Err(service_error("OpenServiceW"));
        }
        let h = Sc(h);
        let mut out = ServiceQuery::default();
        // SERVICE_STATUS_PROCESS: nine DWORDs; dwCurrentState is the second.
        let mut status = [0u32; 9];
        let mut needed: u32 = 0;
        let ok = unsafe {
            QueryServiceStatusEx(
                h.0,
                SC_STATUS_PROCESS_INFO,
                status.as_mut_ptr() as *mut u8,
                std::mem::size_of_val(&status) as u32,
                &mut needed,
            )
        };
        if ok != 0 {
            out.state = Some(status[1]);
        }
        // QUERY_SERVICE_CONFIGW: dwServiceType, dwStartType, … then strings.
        let mut needed: u32 = 0;
        unsafe { QueryServiceConfigW(h.0, std::ptr::null_mut(), 0, &mut needed) };
        if needed > 0 && needed < 1 << 20 {
            let mut buf = vec![0u64; (needed as usize + 7) / 8];
            let ok = unsafe {
                QueryServiceConfigW(h.0, buf.as_mut_ptr() as *mut u8, needed, &mut needed)
            };
            if ok != 0 {
                out.start_type = Some((buf[0] >> 32) as u32);
            }
        }
        Ok(out)
    }

    fn winhttp_proxy(&self) -> Result<WinHttpProxy, OsError> {
        let mut info = WinHttpProxyInfo {
            access_type: 0,
            proxy: std::ptr::null_mut(),
            proxy_bypass: std::ptr::null_mut(),
        };
        let ok = unsafe { WinHttpGetDefaultProxyConfiguration(&mut info) };
        if ok == 0 {
            let code = last_error();
            return Err(OsError {
                code,
                text: Some(system_text(code)),
            });
        }
        Ok(WinHttpProxy {
            access_type: info.access_type,
            proxy: take_wide(info.proxy),
            bypass: take_wide(info.proxy_bypass),
        })
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        std::fs::read(path).ok()
    }

    fn is_file(&self, path: &str) -> bool {
        Path::new(path).is_file()
    }

    fn subfolders(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    out.push(p.display().to_string());
                }
            }
        }
        out
    }
}

/// Winsock: the two calls of a handshake `cancel::connect` can interrupt
/// (std's `connect_timeout` cannot be). Declared here, the one Windows
/// system-call file; the loop that slices the wait is `cancel::connect`.
pub(crate) mod socket {
    use super::super::cancel::Wait;
    use std::io;
    use std::net::{SocketAddr, TcpStream};
    use std::os::raw::{c_int, c_void};
    use std::os::windows::io::{AsRawSocket, FromRawSocket, RawSocket};
    use std::time::Duration;

    type Socket = usize;
    const INVALID_SOCKET: Socket = !0;
    const AF_INET: c_int = 2;
    const AF_INET6: c_int = 23;
    const SOCK_STREAM: c_int = 1;
    const IPPROTO_TCP: c_int = 6;
    const WSA_FLAG_OVERLAPPED: u32 = 0x01;
    const WSA_FLAG_NO_HANDLE_INHERIT: u32 = 0x80;
    const WSAEWOULDBLOCK: i32 = 10035;
    const WSAEINVAL: i32 = 10022;

    #[repr(C)]
    struct SockaddrIn {
        family: u16,
        port: u16,
        addr: [u8; 4],
        zero: [u8; 8],
    }

    #[repr(C)]
    struct SockaddrIn6 {
        family: u16,
        port: u16,
        flowinfo: u32,
        addr: [u8; 16],
        scope_id: u32,
    }

    #[repr(C)]
    struct FdSet {
        count: u32,
        sockets: [Socket; 64],
    }

    impl FdSet {
        fn one(s: Socket) -> FdSet {
            let mut set = FdSet {
                count: 1,
                sockets: [0; 64],
            };
            set.sockets[0] = s;
            set
        }
    }

    #[repr(C)]
    struct Timeval {
        sec: i32,
        usec: i32,
    }

    #[link(name = "ws2_32")]
    extern "system" {
        fn WSAStartup(version: u16, data: *mut c_void) -> c_int;
        fn WSASocketW(
            af: c_int,
            ty: c_int,
            protocol: c_int,
            info: *mut c_void,
            group: u32,
            flags: u32,
        ) -> Socket;
        #[link_name = "connect"]
        fn ws_connect(s: Socket, name: *const c_void, len: c_int) -> c_int;
        fn select(
            nfds: c_int,
            read: *mut FdSet,
            write: *mut FdSet,
            except: *mut FdSet,
            timeout: *const Timeval,
        ) -> c_int;
        fn WSAGetLastError() -> c_int;
    }

    fn last_error() -> io::Error {
        io::Error::from_raw_os_error(unsafe { WSAGetLastError() })
    }

    fn new_socket(family: c_int) -> io::Result<TcpStream> {
        // Reference-counted by Winsock; std does the same once per process.
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let mut data = [0u64; 64];
            unsafe { WSAStartup(0x0202, data.as_mut_ptr() as *mut c_void) };
        });
        let open = |flags: u32| unsafe {
            WSASocketW(
                family,
                SOCK_STREAM,
                IPPROTO_TCP,
                std::ptr::null_mut(),
                0,
                flags,
            )
        };
        let mut s = open(WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        if s == INVALID_SOCKET && unsafe { WSAGetLastError() } == WSAEINVAL {
            // Windows before 7 SP1 lacks WSA_FLAG_NO_HANDLE_INHERIT.
            s = open(WSA_FLAG_OVERLAPPED);
        }
        if s == INVALID_SOCKET {
            return Err(last_error());
        }
        // Owned from here on: dropping the stream closes it.
        Ok(unsafe { TcpStream::from_raw_socket(s as RawSocket) })
    }

    /// A non-blocking socket with its handshake started.
    pub(crate) fn start(addr: &SocketAddr) -> io::Result<(TcpStream, Wait)> {
        let stream = new_socket(if addr.is_ipv4() { AF_INET } else { AF_INET6 })?;
        let s = stream.as_raw_socket() as Socket;
        stream.set_nonblocking(true)?;
        let r = match addr {
            SocketAddr::V4(a) => {
                let sin = SockaddrIn {
                    family: AF_INET as u16,
                    port: a.port().to_be(),
                    addr: a.ip().octets(),
                    zero: [0; 8],
                };
                let len = std::mem::size_of::<SockaddrIn>() as c_int;
                unsafe { ws_connect(s, &sin as *const _ as *const c_void, len) }
            }
            SocketAddr::V6(a) => {
                let sin6 = SockaddrIn6 {
                    family: AF_INET6 as u16,
                    port: a.port().to_be(),
                    flowinfo: a.flowinfo(),
                    addr: a.ip().octets(),
                    scope_id: a.scope_id(),
                };
                let len = std::mem::size_of::<SockaddrIn6>() as c_int;
                unsafe { ws_connect(s, &sin6 as *const _ as *const c_void, len) }
            }
        };
        if r == 0 {
            return Ok((stream, Wait::Ready));
        }
        let e = last_error();
        if e.raw_os_error() != Some(WSAEWOULDBLOCK) {
            return Err(e);
        }
        Ok((stream, Wait::Pending))
    }

    /// Waits at most `slice` for the handshake to end: a done connect is
    /// reported in the write set, a failed one in the except set.
    pub(crate) fn wait(stream: &TcpStream, slice: Duration) -> io::Result<Wait> {
        let s = stream.as_raw_socket() as Socket;
        let mut write = FdSet::one(s);
        let mut except = FdSet::one(s);
        let us = slice.as_micros().clamp(1000, 1_000_000) as i32;
        let tv = Timeval {
            sec: us / 1_000_000,
            usec: us % 1_000_000,
        };
        let n = unsafe { select(1, std::ptr::null_mut(), &mut write, &mut except, &tv) };
        if n < 0 {
            return Err(last_error());
        }
        Ok(if n == 0 {
            Wait::Pending
        } else if except.count > 0 {
            Wait::Failed
        } else {
            Wait::Ready
        })
    }
}
