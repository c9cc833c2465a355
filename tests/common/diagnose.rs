//! What the diagnose suites share (tests/diagnose.rs, tests/diagnose_rules.rs,
//! each with `#[path = "common/diagnose.rs"] mod diagnose;` next to
//! `mod common;`): the call, a finding's status, a request with host facts,
//! and listeners on 127.0.0.1 that refuse or black-hole.
#![allow(dead_code)]

use crate::common;
use crate::common::finding;
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::os::unix::io::AsRawFd;
use std::time::{Duration, Instant};

pub fn diagnose(request: Value) -> Value {
    common::diagnose(&request)
}

pub fn status(doc: &Value, id: &str) -> String {
    finding(doc, id)["status"].as_str().unwrap().to_string()
}

/// A request with no network work (one reachable listener) and these host facts.
pub fn with_host(host: Value) -> Value {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::mem::forget(l);
    json!({"timeout_ms": 1000, "endpoints": [{"name": "local", "host": "127.0.0.1", "port": port}], "host": host})
}

/// A port that refuses: bind a listener, note its port, drop it.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A listener whose accept queue is full: new SYNs are dropped, so connects
/// time out. Returns the listener and the clients that fill its queue.
pub fn black_hole() -> (TcpListener, Vec<TcpStream>, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    // std listens with a backlog of 128: listen again with the smallest one.
    assert_eq!(unsafe { libc::listen(l.as_raw_fd(), 0) }, 0);
    let addr = l.local_addr().unwrap();
    let mut fill = Vec::new();
    for _ in 0..16 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(s) => fill.push(s),
            Err(_) => break,
        }
    }
    // Verify that it really black-holes on this kernel.
    let t = Instant::now();
    let r = TcpStream::connect_timeout(&addr, Duration::from_millis(500));
    assert!(
        r.is_err() && t.elapsed() >= Duration::from_millis(450),
        "the full accept queue did not drop a new SYN ({:?} after {:?}, {} queued)",
        r.map(|_| ()),
        t.elapsed(),
        fill.len()
    );
    (l, fill, addr.port())
}
