//! Runs one `csod_diagnose` request (JSON on stdin) through the C ABI and
//! prints the result on stdout; a NULL result prints `csod_last_error` on
//! stderr and exits 2. It is the child process of the stress and trust
//! tests (tests/stress.rs, tests/stress_trust.rs), which run it in a network
//! namespace of its own and under strace.
//!
//! `cargo run --example diagnose_request < request.json`
//!
//! `diagnose_request --repeat N` runs the request N times, with `%N%` in it
//! replaced by the call's number (0, 1, …), and prints the threads the
//! process has after each call (`threads: K` on stderr, from
//! /proc/self/task); stdout holds the last result.
//!
//! `diagnose_request --serve-dns MODE --ready FILE` instead serves DNS on
//! 127.0.0.1:53 until killed (so it needs a network namespace of its own,
//! whose /etc/resolv.conf says `nameserver 127.0.0.1`), creates FILE once
//! it listens, and logs every query as `dns-query: TYPE NAME` on stderr. It
//! is a separate process so that a trace of the diagnose shows only the
//! library's own traffic. MODE:
//! - `silent`: never answers (a black-holed DNS server);
//! - `nxdomain`: answers "no such name" to everything;
//! - `loopback`: answers 127.0.0.2 to A queries, no address to others.

use std::ffi::{CStr, CString};
use std::io::Read;
use std::net::UdpSocket;
use std::time::Instant;

fn qname(q: &[u8]) -> Option<(String, usize)> {
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let n = *q.get(i)? as usize;
        i += 1;
        if n == 0 {
            break;
        }
        if n > 63 {
            return None;
        }
        labels.push(String::from_utf8_lossy(q.get(i..i + n)?).into_owned());
        i += n;
    }
    Some((labels.join("."), i))
}

fn answer(q: &[u8], mode: &str) -> Option<Vec<u8>> {
    let (_, end) = qname(q)?;
    let qtype = u16::from_be_bytes([*q.get(end)?, *q.get(end + 1)?]);
    let question = q.get(12..end + 4)?;
    let a = mode == "loopback" && qtype == 1;
    let rcode: u8 = if mode == "nxdomain" { 3 } else { 0 };
    let mut r = Vec::new();
    r.extend_from_slice(&q[0..2]);
    r.push(0x80 | (q[2] & 0x01)); // QR, RD copied
    r.push(0x80 | rcode); // RA
    r.extend_from_slice(&[0, 1, 0, if a { 1 } else { 0 }, 0, 0, 0, 0]);
    r.extend_from_slice(question);
    if a {
        r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 2]);
    }
    Some(r)
}

fn serve_dns(mode: &str, ready: &str) -> ! {
    let sock = match UdpSocket::bind("127.0.0.1:53") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("diagnose_request: cannot serve DNS on 127.0.0.1:53: {}", e);
            std::process::exit(3);
        }
    };
    if let Err(e) = std::fs::write(ready, b"ready\n") {
        eprintln!("diagnose_request: cannot write {}: {}", ready, e);
        std::process::exit(3);
    }
    let mut buf = [0u8; 1500];
    loop {
        let (n, from) = match sock.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("diagnose_request: DNS socket: {}", e);
                std::process::exit(3);
            }
        };
        let q = &buf[..n];
        if let Some((name, end)) = qname(q) {
            let t = q
                .get(end..end + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .unwrap_or(0);
            let kind = match t {
                1 => "A".to_string(),
                28 => "AAAA".to_string(),
                n => n.to_string(),
            };
            eprintln!("dns-query: {} {}", kind, name);
        }
        if mode != "silent" {
            if let Some(r) = answer(q, mode) {
                let _ = sock.send_to(&r, from);
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 1usize;
    match args.as_slice() {
        [] => {}
        [flag, n] if flag == "--repeat" && n.parse::<usize>().is_ok() => {
            repeat = n.parse().unwrap_or(1)
        }
        [flag, mode, r, ready]
            if flag == "--serve-dns"
                && r == "--ready"
                && ["silent", "nxdomain", "loopback"].contains(&mode.as_str()) =>
        {
            serve_dns(mode, ready)
        }
        _ => {
            eprintln!("usage: diagnose_request [--repeat N] < request.json");
            eprintln!("       diagnose_request --serve-dns silent|nxdomain|loopback --ready FILE");
            std::process::exit(64);
        }
    }
    let mut request = String::new();
    std::io::stdin()
        .read_to_string(&mut request)
        .expect("request on stdin");
    let mut last = (String::new(), 0);
    for i in 0..repeat {
        let c =
            CString::new(request.replace("%N%", &i.to_string())).expect("no NUL in the request");
        let start = Instant::now();
        let out = unsafe { csod::ffi::csod_diagnose(c.as_ptr()) };
        let wall = start.elapsed().as_millis();
        if out.is_null() {
            let e = unsafe { CStr::from_ptr(csod::ffi::csod_last_error()) };
            eprintln!("diagnose_request: {}", e.to_string_lossy());
            std::process::exit(2);
        }
        let s = unsafe { CStr::from_ptr(out) }
            .to_string_lossy()
            .into_owned();
        unsafe { csod::ffi::csod_string_free(out) };
        if repeat > 1 {
            let threads = std::fs::read_dir("/proc/self/task")
                .map(|d| d.count().to_string())
                .unwrap_or_else(|_| "?".into());
            eprintln!("threads: {}", threads);
        }
        last = (s, wall);
    }
    println!("{}", last.0);
    eprintln!("wall_ms: {}", last.1);
    // Exit now: a resolver thread still blocked in getaddrinfo must not
    // keep the process alive.
    std::process::exit(0);
}
