//! Cancelling a diagnose from another thread (`csod_cancel`): a token the
//! probes' waits look at.
//!
//! A probe waits in three places: for a name lookup and for an OS probe
//! (their pool tickets, `pool::Ticket::wait_or_cancel`) and for a TCP
//! handshake (`connect`). Each wait is cut into slices of [`POLL`] and looks
//! at the token between slices, so a cancelled diagnose returns within about
//! one slice whatever the timeout.
//! The TCP handshake is a non-blocking `connect` polled by slices
//! (`std::net::TcpStream::connect_timeout` cannot be interrupted); a
//! cancelled handshake closes its socket at once.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a wait looks at the token.
pub const POLL: Duration = Duration::from_millis(20);

/// A cancel token: clones share one flag; once cancelled it stays so.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token not cancelled (yet).
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Cancels every wait that uses this token (or a clone), from any thread.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The error of a cancelled handshake (kind `Interrupted`).
pub fn cancelled() -> io::Error {
    io::Error::new(io::ErrorKind::Interrupted, "cancelled")
}

/// `TcpStream::connect_timeout` that also ends, closing the socket, when the
/// token is cancelled (then the error's kind is `Interrupted`). A timeout is
/// `TimedOut`; a refused or unreachable address is the system's error.
pub fn connect(addr: &SocketAddr, timeout: Duration, cancel: &Cancel) -> io::Result<TcpStream> {
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    if timeout == Duration::ZERO {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot connect with a zero timeout",
        ));
    }
    sys::connect(addr, Instant::now() + timeout, cancel)
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection timed out")
}

/// The slice to wait next, or the reason to stop waiting.
fn next_slice(deadline: Instant, cancel: &Cancel) -> io::Result<Duration> {
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    let now = Instant::now();
    if now >= deadline {
        return Err(timed_out());
    }
    Ok((deadline - now).min(POLL))
}

#[cfg(unix)]
mod sys {
    use super::{next_slice, Cancel};
    use std::io;
    use std::net::{SocketAddr, TcpStream};
    use std::os::unix::io::{AsRawFd, FromRawFd};
    use std::time::Instant;

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn new_socket(family: libc::c_int) -> io::Result<TcpStream> {
        let fd = unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // Owned from here on: dropping the stream closes it.
        Ok(unsafe { TcpStream::from_raw_fd(fd) })
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn new_socket(family: libc::c_int) -> io::Result<TcpStream> {
        let fd = unsafe { libc::socket(family, libc::SOCK_STREAM, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let s = unsafe { TcpStream::from_raw_fd(fd) };
        if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(s)
    }

    fn connect_raw(fd: libc::c_int, addr: &SocketAddr) -> libc::c_int {
        // sockaddr_storage is large and aligned enough for both families.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let len = match addr {
            SocketAddr::V4(a) => {
                let sin = &mut storage as *mut _ as *mut libc::sockaddr_in;
                unsafe {
                    (*sin).sin_family = libc::AF_INET as libc::sa_family_t;
                    (*sin).sin_port = a.port().to_be();
                    (*sin).sin_addr.s_addr = u32::from_ne_bytes(a.ip().octets());
                    #[cfg(any(
                        target_os = "macos",
                        target_os = "ios",
                        target_os = "freebsd",
                        target_os = "openbsd",
                        target_os = "netbsd",
                        target_os = "dragonfly"
                    ))]
                    {
                        (*sin).sin_len = std::mem::size_of::<libc::sockaddr_in>() as u8;
                    }
                }
                std::mem::size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(a) => {
                let sin6 = &mut storage as *mut _ as *mut libc::sockaddr_in6;
                unsafe {
                    (*sin6).sin6_family = libc::AF_INET6 as libc::sa_family_t;
                    (*sin6).sin6_port = a.port().to_be();
                    (*sin6).sin6_flowinfo = a.flowinfo();
                    (*sin6).sin6_addr.s6_addr = a.ip().octets();
                    (*sin6).sin6_scope_id = a.scope_id();
                    #[cfg(any(
                        target_os = "macos",
                        target_os = "ios",
                        target_os = "freebsd",
                        target_os = "openbsd",
                        target_os = "netbsd",
                        target_os = "dragonfly"
                    ))]
                    {
                        (*sin6).sin6_len = std::mem::size_of::<libc::sockaddr_in6>() as u8;
                    }
                }
                std::mem::size_of::<libc::sockaddr_in6>()
            }
        };
        unsafe {
            libc::connect(
                fd,
                &storage as *const _ as *const libc::sockaddr,
                len as libc::socklen_t,
            )
        }
    }

    pub fn connect(addr: &SocketAddr, deadline: Instant, cancel: &Cancel) -> io::Result<TcpStream> {
        let family = if addr.is_ipv4() {
            libc::AF_INET
        } else {
            libc::AF_INET6
        };
        let stream = new_socket(family)?;
        let fd = stream.as_raw_fd();
        stream.set_nonblocking(true)?;
        if connect_raw(fd, addr) == 0 {
            stream.set_nonblocking(false)?;
            return Ok(stream);
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINPROGRESS) {
            return Err(err);
        }
        loop {
            let slice = next_slice(deadline, cancel)?;
            let mut pfd = libc::pollfd {
                fd,
                events: libc::POLLOUT,
                revents: 0,
            };
            let ms = slice.as_millis().clamp(1, 1000) as libc::c_int;
            let n = unsafe { libc::poll(&mut pfd, 1, ms) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n == 0 {
                continue;
            }
            // Linux reports a refused connection as POLLOUT|POLLERR|POLLHUP:
            // SO_ERROR says what happened.
            if let Some(e) = stream.take_error()? {
                return Err(e);
            }
            if pfd.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::Other,
                    "the connection failed without an error code",
                ));
            }
            stream.set_nonblocking(false)?;
            return Ok(stream);
        }
    }
}

#[cfg(windows)]
mod sys {
    use super::{next_slice, Cancel};
    use std::io;
    use std::net::{SocketAddr, TcpStream};
    use std::os::raw::{c_int, c_void};
    use std::os::windows::io::{FromRawSocket, RawSocket};
    use std::time::Instant;

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

    fn startup() {
        // Reference-counted by Winsock; std does the same once per process.
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let mut data = [0u64; 64];
            unsafe { WSAStartup(0x0202, data.as_mut_ptr() as *mut c_void) };
        });
    }

    fn new_socket(family: c_int) -> io::Result<TcpStream> {
        startup();
        let flags = WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT;
        let mut s = unsafe {
            WSASocketW(
                family,
                SOCK_STREAM,
                IPPROTO_TCP,
                std::ptr::null_mut(),
                0,
                flags,
            )
        };
        if s == INVALID_SOCKET && unsafe { WSAGetLastError() } == WSAEINVAL {
            // Windows before 7 SP1 lacks WSA_FLAG_NO_HANDLE_INHERIT.
            s = unsafe {
                WSASocketW(
                    family,
                    SOCK_STREAM,
                    IPPROTO_TCP,
                    std::ptr::null_mut(),
                    0,
                    WSA_FLAG_OVERLAPPED,
                )
            };
        }
        if s == INVALID_SOCKET {
            return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
        }
        // Owned from here on: dropping the stream closes it.
        Ok(unsafe { TcpStream::from_raw_socket(s as RawSocket) })
    }

    pub fn connect(addr: &SocketAddr, deadline: Instant, cancel: &Cancel) -> io::Result<TcpStream> {
        let stream = new_socket(if addr.is_ipv4() { AF_INET } else { AF_INET6 })?;
        let s = {
            use std::os::windows::io::AsRawSocket;
            stream.as_raw_socket() as Socket
        };
        stream.set_nonblocking(true)?;
        let r = match addr {
            SocketAddr::V4(a) => {
                let sin = SockaddrIn {
                    family: AF_INET as u16,
                    port: a.port().to_be(),
                    addr: a.ip().octets(),
                    zero: [0; 8],
                };
                unsafe {
                    ws_connect(
                        s,
                        &sin as *const _ as *const c_void,
                        std::mem::size_of::<SockaddrIn>() as c_int,
                    )
                }
            }
            SocketAddr::V6(a) => {
                let sin6 = SockaddrIn6 {
                    family: AF_INET6 as u16,
                    port: a.port().to_be(),
                    flowinfo: a.flowinfo(),
                    addr: a.ip().octets(),
                    scope_id: a.scope_id(),
                };
                unsafe {
                    ws_connect(
                        s,
                        &sin6 as *const _ as *const c_void,
                        std::mem::size_of::<SockaddrIn6>() as c_int,
                    )
                }
            }
        };
        if r == 0 {
            stream.set_nonblocking(false)?;
            return Ok(stream);
        }
        let code = unsafe { WSAGetLastError() };
        if code != WSAEWOULDBLOCK {
            return Err(io::Error::from_raw_os_error(code));
        }
        loop {
            let slice = next_slice(deadline, cancel)?;
            // A failed connect is reported in the except set, a done one in
            // the write set.
            let mut write = FdSet {
                count: 1,
                sockets: [0; 64],
            };
            write.sockets[0] = s;
            let mut except = FdSet {
                count: 1,
                sockets: [0; 64],
            };
            except.sockets[0] = s;
            let us = slice.as_micros().clamp(1000, 1_000_000) as i32;
            let tv = Timeval {
                sec: us / 1_000_000,
                usec: us % 1_000_000,
            };
            let n = unsafe { select(1, std::ptr::null_mut(), &mut write, &mut except, &tv) };
            if n < 0 {
                return Err(io::Error::from_raw_os_error(unsafe { WSAGetLastError() }));
            }
            if n == 0 {
                continue;
            }
            if let Some(e) = stream.take_error()? {
                return Err(e);
            }
            if except.count > 0 {
                return Err(io::Error::new(
                    io::ErrorKind::Other,
                    "the connection failed without an error code",
                ));
            }
            stream.set_nonblocking(false)?;
            return Ok(stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn connect_reaches_a_listener_and_is_refused_by_a_closed_port() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        connect(&addr, Duration::from_secs(2), &Cancel::new()).unwrap();
        drop(l);
        let e = connect(&addr, Duration::from_secs(2), &Cancel::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{}", e);
        if let Ok(l6) = TcpListener::bind("[::1]:0") {
            let a6 = l6.local_addr().unwrap();
            connect(&a6, Duration::from_secs(2), &Cancel::new()).unwrap();
        }
    }

    #[test]
    fn a_cancelled_token_stops_before_connecting() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let cancel = Cancel::new();
        cancel.cancel();
        let e = connect(&l.local_addr().unwrap(), Duration::from_secs(2), &cancel).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Interrupted);
    }
}
