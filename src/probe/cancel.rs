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
    let deadline = Instant::now() + timeout;
    // Dropping the stream (an early return) closes the socket.
    let (stream, mut state) = sys::start(addr)?;
    while state == Wait::Pending {
        state = sys::wait(&stream, next_slice(deadline, cancel)?)?;
    }
    if state == Wait::Failed {
        // Linux reports a refused connection as POLLOUT|POLLERR|POLLHUP,
        // Windows in the except set: SO_ERROR says what happened.
        return Err(stream.take_error()?.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::Other,
                "the connection failed without an error code",
            )
        }));
    }
    if let Some(e) = stream.take_error()? {
        return Err(e);
    }
    stream.set_nonblocking(false)?;
    Ok(stream)
}

/// Where a non-blocking handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Still under way.
    Pending,
    /// Done: connected, unless SO_ERROR says otherwise.
    Ready,
    /// The system reported an error condition.
    Failed,
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

/// The socket calls through safe wrappers: socket2 owns the socket (close on
/// exec, closed on drop), nix's `poll` waits for the handshake.
#[cfg(unix)]
mod sys {
    use super::Wait;
    use nix::poll::{poll, PollFd, PollFlags};
    use socket2::{Domain, SockAddr, Socket, Type};
    use std::io;
    use std::net::{SocketAddr, TcpStream};
    use std::os::unix::io::AsRawFd;
    use std::time::Duration;

    /// A non-blocking socket with its handshake started.
    pub(crate) fn start(addr: &SocketAddr) -> io::Result<(TcpStream, Wait)> {
        let socket = Socket::new(Domain::for_address(*addr), Type::STREAM, None)?;
        socket.set_nonblocking(true)?;
        let state = match socket.connect(&SockAddr::from(*addr)) {
            Ok(()) => Wait::Ready,
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Wait::Pending,
            Err(e) => return Err(e),
        };
        Ok((socket.into(), state))
    }

    /// Waits at most `slice` for the handshake to end.
    pub(crate) fn wait(stream: &TcpStream, slice: Duration) -> io::Result<Wait> {
        let mut fds = [PollFd::new(stream.as_raw_fd(), PollFlags::POLLOUT)];
        let ms = slice.as_millis().clamp(1, 1000) as libc::c_int;
        match poll(&mut fds, ms) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => Ok(Wait::Pending),
            Ok(_) => {
                let failed = PollFlags::POLLHUP | PollFlags::POLLERR;
                Ok(match fds[0].revents() {
                    Some(r) if r.intersects(failed) => Wait::Failed,
                    _ => Wait::Ready,
                })
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Winsock, declared in the Windows system-call file.
#[cfg(windows)]
use super::win32::socket as sys;

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
