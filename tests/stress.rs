//! Probes under stress, network trust and secrets (issue 6, items 5 and 6);
//! the trust and secrets tests are in tests/stress_trust.rs, what both
//! share in tests/common/stress.rs.
//!
//! - DNS: a name that does not exist (a DNS server answering NXDOMAIN), a
//!   DNS server that refuses (nothing on port 53) and one that never answers
//!   (black-holed), each in a network and mount namespace of its own
//!   (`unshare --map-root-user --net --mount`) whose /etc/resolv.conf points
//!   at 127.0.0.1, so that nothing leaves the machine;
//! - proxy variables holding garbage, a 100 KB value, bytes that are not
//!   Unicode, and credentials (the password never appears in the output);
//! - a listener that accepts and never speaks, and one that never accepts;
//! - absurd timeouts through the request;
//! - trust: every connect(), sendto() and sendmsg() of a diagnose, seen by
//!   strace, goes to the configured endpoints (and to the DNS server only
//!   when a name must be resolved); with the default endpoints only the
//!   documented hosts are resolved; nothing the caller handed in (error text,
//!   host facts) is written to any socket;
//! - secrets: passwords in error text, host facts and proxy variables never
//!   appear in classify or diagnose output.
//!
//! The child process is `examples/diagnose_request` (built by `cargo test`).
//! Needs: unshare (util-linux), ip (iproute2), strace; a missing tool fails.
//! Every timing test prints its figures (`cargo test --test stress --
//! --nocapture` shows them).

mod common;
use common::{diagnose, fact, finding};

#[path = "common/stress.rs"]
mod stress;
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::process::Command;
use std::time::{Duration, Instant};
use stress::*;

// ------------------------------------------------------------------ DNS

#[test]
fn dns_a_name_that_does_not_exist() {
    // `.invalid` is reserved never to resolve (RFC 2606 §2); the namespace's
    // DNS server says so (NXDOMAIN) without any traffic leaving the machine.
    let timeout = 1000;
    let r = run_child(
        "nxdomain",
        &Child {
            isolated: true,
            dns: Some("nxdomain"),
            ..Default::default()
        },
        &json!({"timeout_ms": timeout, "endpoints": [
            {"name": "nowhere", "host": "csod-stress.invalid"},
            {"name": "sign-in", "host": "login.microsoftonline.com"}]}),
    );
    for name in ["nowhere", "sign-in"] {
        let f = fact(&r.doc, &format!("network.{}", name));
        assert_eq!(f["value"]["dns"], "failed", "{}", f);
        assert_eq!(f["value"]["tcp"], "not_tried", "{}", f);
        let x = finding(&r.doc, &format!("network.{}", name));
        assert_eq!(x["status"], "problem", "{}", x);
        let ev = x["evidence"].to_string();
        assert!(ev.contains("DNS: failed"), "{}", ev);
        assert!(
            ev.contains("error: ") && ev.contains("Name or service not known"),
            "the reason is missing: {}",
            ev
        );
    }
    assert!(finding(&r.doc, "network.nowhere")["summary"]
        .as_str()
        .unwrap()
        .contains("does not resolve"));
    assert_eq!(
        finding(&r.doc, "network.sign-in")["problem"],
        "liveid_connect_failed"
    );
    assert!(r
        .dns_queries
        .iter()
        .any(|q| q.ends_with(" csod-stress.invalid")));
    println!(
        "DNS NXDOMAIN: timeout_ms {}, diagnose {} ms, probe {} ms, child {} ms",
        timeout,
        r.wall_ms,
        net_fact_ms(&r.doc, "nowhere"),
        r.outer_ms
    );
    assert!(r.wall_ms <= timeout + WALL_MARGIN_MS, "{} ms", r.wall_ms);
}

#[test]
fn dns_server_refusing() {
    // Nothing listens on 127.0.0.1:53: the resolver is told so at once.
    let timeout = 1000;
    let r = run_child(
        "refused",
        &Child {
            isolated: true,
            dns: None,
            ..Default::default()
        },
        &json!({"timeout_ms": timeout, "endpoints": [{"name": "svc", "host": "webdir.online.lync.com"}]}),
    );
    let f = fact(&r.doc, "network.svc");
    assert_eq!(f["value"]["dns"], "failed", "{}", f);
    assert!(f["value"]["error"].as_str().unwrap().len() > 5, "{}", f);
    let x = finding(&r.doc, "network.svc");
    assert_eq!(x["status"], "problem");
    assert!(x["evidence"].to_string().contains("error: "), "{}", x);
    println!(
        "DNS refused: timeout_ms {}, diagnose {} ms, probe {} ms",
        timeout,
        r.wall_ms,
        net_fact_ms(&r.doc, "svc")
    );
    assert!(r.wall_ms <= timeout + WALL_MARGIN_MS, "{} ms", r.wall_ms);
}

#[test]
fn dns_server_black_holed_costs_one_timeout() {
    // The DNS server reads every query and never answers; glibc would wait
    // 30 s × 5 attempts per query. Three names, resolved concurrently.
    for timeout in [300u64, 1500] {
        let r = run_child(
            &format!("silent{}", timeout),
            &Child {
                isolated: true,
                resolv_options: "options timeout:30 attempts:5",
                dns: Some("silent"),
                ..Default::default()
            },
            &json!({"timeout_ms": timeout, "endpoints": [
                {"name": "sign-in", "host": "login.microsoftonline.com"},
                {"name": "discovery", "host": "webdir.online.lync.com"},
                {"name": "nowhere", "host": "csod-stress.invalid"}]}),
        );
        let mut probe_ms = Vec::new();
        for name in ["sign-in", "discovery", "nowhere"] {
            let f = fact(&r.doc, &format!("network.{}", name));
            assert_eq!(f["value"]["dns"], "timeout", "{}", f);
            assert_eq!(f["value"]["tcp"], "not_tried");
            let err = f["value"]["error"].as_str().unwrap();
            assert!(
                err.contains(&format!("no answer within {} ms", timeout)),
                "{}",
                err
            );
            let x = finding(&r.doc, &format!("network.{}", name));
            assert_eq!(x["status"], "problem", "{}", x);
            assert!(x["evidence"].to_string().contains("timeout"), "{}", x);
            let ms = net_fact_ms(&r.doc, name);
            assert!(ms >= timeout, "{}: gave up after {} ms", name, ms);
            assert!(ms <= timeout + PROBE_MARGIN_MS, "{}: {} ms", name, ms);
            probe_ms.push(ms);
        }
        assert!(
            r.dns_queries.len() >= 3,
            "the silent server saw {:?}",
            r.dns_queries
        );
        println!(
            "DNS black-holed (3 names): timeout_ms {}, probes {:?} ms, diagnose {} ms, child {} ms, queries seen {}",
            timeout, probe_ms, r.wall_ms, r.outer_ms, r.dns_queries.len()
        );
        assert!(
            r.wall_ms <= timeout + WALL_MARGIN_MS,
            "diagnose took {} ms for a {} ms timeout",
            r.wall_ms,
            timeout
        );
    }
}

// ------------------------------------------------------------------ a resolver that never answers

/// A getaddrinfo that never returns, for LD_PRELOAD: a resolver wedged
/// for good (the library's lookups cannot be cancelled).
const BLOCKING_GETADDRINFO: &str = r#"
#include <netdb.h>
#include <unistd.h>
int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
    (void)node; (void)service; (void)hints; (void)res;
    for (;;)
        pause();
}
"#;

/// Each diagnose used to leave one thread per endpoint behind, blocked in
/// getaddrinfo for good: 20 calls x 8 endpoints left 160 threads (2 MiB of
/// stack each). Now lookups run in the process-wide resolver pool: a lookup
/// of a name still under way is joined, and at most RESOLVER_THREADS
/// threads are ever held; each fact says which lookup was abandoned.
#[test]
fn a_resolver_that_never_answers_holds_a_bounded_number_of_threads() {
    let dir = scratch("blocking-resolver");
    let src = dir.join("blocking_getaddrinfo.c");
    let so = dir.join("blocking_getaddrinfo.so");
    std::fs::write(&src, BLOCKING_GETADDRINFO).unwrap();
    let out = Command::new(tool("gcc"))
        .args(["-shared", "-fPIC", "-O1", "-Wall", "-o"])
        .arg(&so)
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gcc: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bound = 1 + csod::probe::net::RESOLVER_THREADS + csod::probe::OS_PROBE_THREADS;
    // Distinct names in every call (the pool fills, then lookups are not
    // even started), and the same eight names every time (joined).
    for (tag, host, want) in [
        (
            "distinct",
            "csod-call%N%-e{}.invalid",
            "was not started, all 16 name lookup threads are held by probes that have not returned",
        ),
        (
            "same",
            "csod-same-e{}.invalid",
            "by an earlier call, has not returned",
        ),
    ] {
        let endpoints: Vec<Value> = (0..8)
            .map(|k| json!({"name": format!("e{}", k), "host": host.replace("{}", &k.to_string())}))
            .collect();
        let r = run_child(
            tag,
            &Child {
                env: vec![(OsStr::new("LD_PRELOAD"), so.as_os_str())],
                args: "--repeat 20",
                ..Default::default()
            },
            &json!({"timeout_ms": 100, "endpoints": endpoints}),
        );
        let threads: Vec<usize> = r
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("threads: "))
            .map(|n| n.trim().parse().unwrap())
            .collect();
        println!(
            "resolver never answers, {} names: threads after each of 20 diagnoses x 8 endpoints: {:?}; last diagnose {} ms",
            tag, threads, r.wall_ms
        );
        assert_eq!(threads.len(), 20, "{}", r.stderr);
        assert!(
            threads.iter().all(|n| *n <= bound),
            "{}: {:?} (bound {})",
            tag,
            threads,
            bound
        );
        // No growth once the pool holds what it will hold (a thread of the
        // last call may still be on its way out: 2 of slack).
        let first = threads[..10].iter().max().unwrap();
        let second = threads[10..].iter().max().unwrap();
        assert!(second <= &(first + 2), "{}: {:?}", tag, threads);
        for k in 0..8 {
            let f = fact(&r.doc, &format!("network.e{}", k));
            assert_eq!(f["value"]["dns"], "timeout", "{}", f);
            let err = f["value"]["error"].as_str().unwrap();
            assert!(
                err.starts_with(
                    "timeout: no answer within 100 ms (abandoned: the name lookup csod-"
                ),
                "{}",
                err
            );
            assert!(err.contains(want), "{}: {}", tag, err);
        }
        assert!(r.wall_ms <= 100 + WALL_MARGIN_MS, "{} ms", r.wall_ms);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ proxy variables

#[test]
fn proxy_variables_holding_garbage() {
    let big = "x".repeat(100_000);
    let long_label = format!("http://{}.example:8080", "a".repeat(64));
    let junk: Vec<u8> = (0u8..=255)
        .filter(|b| *b != 0 && *b != b'=')
        .cycle()
        .take(600)
        .collect();
    let with_creds_bad = format!("http://admin:{}@pro xy.example:8080", PASSWORD);
    let creds_no_host = format!("http://admin:{}@", PASSWORD);
    let creds_no_user = format!("admin:{}", PASSWORD);
    let creds_path = format!("http://admin:{}@proxy.example:8080/path", PASSWORD);
    let cases: Vec<(&str, &[u8], &str)> = vec![
        ("HTTPS_PROXY", b"::::", "HTTPS_PROXY"),
        ("HTTPS_PROXY", b"http://", "no host"),
        ("https_proxy", &junk, "https_proxy"),
        ("HTTPS_PROXY", b"\xff\xfeproxy\x80:8080", "not a host name"),
        ("HTTP_PROXY", big.as_bytes(), "100000 characters)"),
        ("HTTP_PROXY", long_label.as_bytes(), "63 per label"),
        ("ALL_PROXY", b"ftp://proxy:21", "unsupported scheme"),
        ("HTTPS_PROXY", with_creds_bad.as_bytes(), "not a host name"),
        ("HTTPS_PROXY", creds_no_host.as_bytes(), "no host"),
        ("HTTPS_PROXY", creds_no_user.as_bytes(), "port"),
        ("HTTPS_PROXY", creds_path.as_bytes(), "no path"),
        ("https_proxy", b"http://[::1", "IPv6"),
        ("https_proxy", b"http://proxy:0", "port 0"),
    ];
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for (i, (var, value, words)) in cases.iter().enumerate() {
        let r = run_child(
            &format!("proxy{}", i),
            &Child {
                env: vec![(OsStr::new(var), OsStr::from_bytes(value))],
                ..Default::default()
            },
            &json!({"timeout_ms": 500, "endpoints": [{"name": "local", "host": "127.0.0.1", "port": closed}]}),
        );
        let f = fact(&r.doc, "proxy.environment");
        let shown = String::from_utf8_lossy(&value[..value.len().min(40)]).into_owned();
        let brief: String = f.to_string().chars().take(600).collect();
        assert_eq!(f["state"], "unknown", "{} = {:?}: {}", var, shown, brief);
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.contains(var), "{:?} lacks {}", reason, var);
        assert!(reason.contains(words), "{:?} lacks {:?}", reason, words);
        let x = finding(&r.doc, "proxy.environment");
        assert_eq!(x["status"], "unknown");
        assert!(x["evidence"][0].as_str().unwrap().contains(var), "{}", x);
        assert!(
            !r.stdout.contains(PASSWORD) && !r.stderr.contains(PASSWORD),
            "{} leaked the password: {}",
            var,
            reason
        );
        // A 100 KB value does not make a 100 KB report.
        assert!(
            r.stdout.len() < 40_000,
            "{}: output of {} bytes",
            var,
            r.stdout.len()
        );
        assert!(r.wall_ms < 500 + WALL_MARGIN_MS, "{} ms", r.wall_ms);
        println!(
            "proxy {} ({} bytes): unknown in {} ms, output {} bytes: {}",
            var,
            value.len(),
            r.wall_ms,
            r.stdout.len(),
            &reason.chars().take(110).collect::<String>()
        );
    }
}

#[test]
fn proxy_credentials_are_never_printed() {
    // A valid proxy with credentials: known, used, and shown as ***@.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let value = format!(
        "http://CONTOSO%5Cadmin:{}@proxy.contoso.com:3128/",
        PASSWORD
    );
    let r = run_child(
        "proxycreds",
        &Child {
            env: vec![
                (OsStr::new("HTTPS_PROXY"), OsStr::new(&value)),
                (OsStr::new("no_proxy"), OsStr::new("localhost")),
            ],
            ..Default::default()
        },
        &json!({"timeout_ms": 500, "endpoints": [{"name": "local", "host": "127.0.0.1", "port": closed}]}),
    );
    let f = fact(&r.doc, "proxy.environment");
    assert_eq!(f["state"], "known", "{}", f);
    assert_eq!(
        f["value"]["https"]["proxy"],
        "http://***@proxy.contoso.com:3128"
    );
    // The unreachable endpoint's finding names the proxy (masked).
    let x = finding(&r.doc, "network.local");
    assert_eq!(x["status"], "warning", "{}", x);
    assert!(x["summary"].as_str().unwrap().contains("***@"), "{}", x);
    for secret in [PASSWORD, "CONTOSO%5Cadmin", "admin:"] {
        assert!(
            !r.stdout.contains(secret),
            "{} appears in the output",
            secret
        );
    }
}

// ------------------------------------------------------------------ listeners

#[test]
fn a_listener_that_accepts_and_never_speaks() {
    // One accepts and holds the connection without a byte; one never calls
    // accept (the kernel completes the handshake from its backlog).
    let talker = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = talker.local_addr().unwrap().port();
    let mute = TcpListener::bind("127.0.0.1:0").unwrap();
    let mute_port = mute.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = talker.accept().unwrap();
        // Whatever the probe sends, until it closes (or 10 s).
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let t = Instant::now();
        let mut got = Vec::new();
        let r = s.read_to_end(&mut got);
        tx.send((r.map_err(|e| e.to_string()), got, t.elapsed()))
            .unwrap();
        // Hold it open a while longer: the probe must not be waiting.
        std::thread::sleep(Duration::from_secs(1));
    });
    let timeout = 5000;
    let t = Instant::now();
    let doc = diagnose(&json!({"timeout_ms": timeout, "endpoints": [
        {"name": "silent", "host": "127.0.0.1", "port": silent_port},
        {"name": "mute", "host": "127.0.0.1", "port": mute_port}]}));
    let wall = t.elapsed();
    for name in ["silent", "mute"] {
        let f = fact(&doc, &format!("network.{}", name));
        assert_eq!(f["value"]["tcp"], "reachable", "{}", f);
        assert_eq!(finding(&doc, &format!("network.{}", name))["status"], "ok");
    }
    let (r, got, closed_after) = rx.recv_timeout(Duration::from_secs(15)).unwrap();
    assert_eq!(r, Ok(0), "the listener did not see the probe close");
    assert!(got.is_empty(), "the probe sent {} bytes", got.len());
    println!(
        "silent listener: timeout_ms {}, diagnose {:?}, probes {} / {} ms, probe sent 0 bytes and closed after {:?}",
        timeout,
        wall,
        net_fact_ms(&doc, "silent"),
        net_fact_ms(&doc, "mute"),
        closed_after
    );
    // Reachable at TCP, not a wait for a banner that never comes.
    assert!(wall < Duration::from_millis(1000), "took {:?}", wall);
    drop(mute);
}

// ------------------------------------------------------------------ timeouts

/// A listener whose accept queue is full: new SYNs are dropped.
fn black_hole() -> (TcpListener, Vec<TcpStream>, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    assert_eq!(unsafe { libc::listen(l.as_raw_fd(), 0) }, 0);
    let addr = l.local_addr().unwrap();
    let mut fill = Vec::new();
    for _ in 0..16 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(s) => fill.push(s),
            Err(_) => break,
        }
    }
    (l, fill, addr.port())
}

#[test]
fn absurd_timeouts_are_clamped_or_refused() {
    let (_bh, _fill, port) = black_hole();
    let eps = json!([{"name": "hole", "host": "127.0.0.1", "port": port}]);
    // Accepted, and the bound actually used.
    for (given, used) in [
        (json!(0), 100u64),
        (json!(1), 100),
        (json!(-0.0), 100),
        (json!(99.4), 100),
        (json!(250.6), 251),
        (json!(null), 3000),
        (json!(30001), 30000),
        (json!(1e12), 30000),
        (json!(u64::MAX), 30000),
        (json!(1.7e308), 30000),
    ] {
        let req = if used <= 3000 {
            json!({"timeout_ms": given, "endpoints": eps})
        } else {
            // Do not wait 30 s: no endpoint, just the reported bound.
            json!({"timeout_ms": given, "endpoints": []})
        };
        let t = Instant::now();
        let doc = diagnose(&req);
        let wall = t.elapsed().as_millis() as u64;
        assert_eq!(doc["timeout_ms"], used, "timeout_ms {}", given);
        if used <= 3000 {
            let ms = net_fact_ms(&doc, "hole");
            assert_eq!(fact(&doc, "network.hole")["value"]["tcp"], "timeout");
            assert!(
                ms >= used.saturating_sub(5) && ms <= used + PROBE_MARGIN_MS,
                "timeout_ms {}: probe took {} ms",
                given,
                ms
            );
            assert!(wall <= used + WALL_MARGIN_MS, "{} ms", wall);
            println!(
                "timeout_ms {}: used {}, black-holed probe {} ms, diagnose {} ms",
                given, used, ms, wall
            );
        } else {
            println!("timeout_ms {}: used {}", given, used);
        }
    }
    // Refused, with the reason.
    for (given, words) in [
        ("-1", "timeout_ms must be a number of milliseconds ≥ 0"),
        ("-1e-9", "timeout_ms must be a number of milliseconds ≥ 0"),
        ("-1e308", "timeout_ms must be a number of milliseconds ≥ 0"),
        ("\"3000\"", "timeout_ms must be a number, not a string"),
        ("\"fast\"", "timeout_ms must be a number, not a string"),
        ("true", "timeout_ms must be a number, not a boolean"),
        ("[100]", "timeout_ms must be a number, not an array"),
        ("{}", "timeout_ms must be a number, not an object"),
        ("1e400", "not valid JSON"),
        ("NaN", "not valid JSON"),
        ("Infinity", "not valid JSON"),
    ] {
        let err = common::diagnose_call(&format!("{{\"timeout_ms\":{},\"endpoints\":[]}}", given))
            .err()
            .unwrap_or_else(|| panic!("timeout_ms {} accepted", given));
        assert!(err.contains(words), "timeout_ms {}: {:?}", given, err);
    }
}
