//! Probes under stress, network trust and secrets (issue 6, items 5 and 6).
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
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::ffi::{CStr, CString, OsStr};
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use csod::ffi::{csod_classify_record, csod_last_error, csod_string_free};

// ------------------------------------------------------------------ helpers

/// The variables the proxy probe reads: cleared in every child so the
/// runner's own environment cannot change a result.
const PROXY_VARS: &[&str] = &[
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// Margin over the timeout for a whole diagnose in a fresh (debug) process:
/// the first sign-in finding loads and compiles the catalog.
const WALL_MARGIN_MS: u64 = 1500;
/// Margin over the timeout for one network probe's own elapsed_ms.
const PROBE_MARGIN_MS: u64 = 150;

fn tool(name: &str) -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':').chain([
        "/usr/sbin",
        "/sbin",
        "/usr/bin",
    ]) {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "{} is missing: the stress tests need it (scripts/setup.sh --all installs it)",
        name
    );
}

/// `target/<profile>/examples/diagnose_request`, next to this test's
/// `deps` folder, built (once per run) by the cargo that runs this test so
/// that it always links the library under test, even with
/// `cargo test --test stress`.
fn child_exe() -> PathBuf {
    static BUILT: once_cell::sync::Lazy<Result<PathBuf, String>> =
        once_cell::sync::Lazy::new(|| {
            let me = std::env::current_exe().unwrap();
            let profile_dir = me.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
            let mut cmd = Command::new(env!("CARGO"));
            cmd.args(["build", "--quiet", "--example", "diagnose_request"])
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if profile_dir.file_name() == Some(OsStr::new("release")) {
                cmd.arg("--release");
            }
            let out = cmd
                .output()
                .map_err(|e| format!("cannot run cargo: {}", e))?;
            if !out.status.success() {
                return Err(format!(
                    "cargo build --example diagnose_request failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let p = profile_dir.join("examples").join("diagnose_request");
            if p.is_file() {
                Ok(p)
            } else {
                Err(format!("{} is missing after the build", p.display()))
            }
        });
    BUILT.clone().unwrap_or_else(|e| panic!("{}", e))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("csod-stress-{}-{}", std::process::id(), tag));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// How a child diagnose runs.
#[derive(Default)]
struct Child<'a> {
    /// In a network + mount namespace of its own, with /etc/resolv.conf
    /// saying `nameserver 127.0.0.1` (and these options).
    isolated: bool,
    resolv_options: &'a str,
    /// A DNS server on 127.0.0.1:53 in that namespace (silent, nxdomain,
    /// loopback); None: nothing listens there.
    dns: Option<&'a str>,
    /// Under `strace -ff`.
    trace: bool,
    env: Vec<(&'a OsStr, &'a OsStr)>,
    /// Arguments of the child (`--repeat N`).
    args: &'a str,
}

struct Ran {
    doc: Value,
    stdout: String,
    stderr: String,
    /// The diagnose call itself, measured by the child.
    wall_ms: u64,
    /// The whole child, namespace set-up included, measured here.
    outer_ms: u64,
    /// strace lines, one file per process.
    trace: Vec<String>,
    dns_queries: Vec<String>,
}

fn run_child(tag: &str, c: &Child, request: &Value) -> Ran {
    let exe = child_exe();
    let dir = scratch(tag);
    let req = dir.join("request.json");
    std::fs::write(&req, request.to_string()).unwrap();
    let resolv = dir.join("resolv.conf");
    std::fs::write(
        &resolv,
        format!("nameserver 127.0.0.1\n{}\n", c.resolv_options),
    )
    .unwrap();
    let trace_dir = dir.join("trace");
    std::fs::create_dir_all(&trace_dir).unwrap();
    let mut script = String::from("set -e\n");
    if c.isolated {
        script.push_str("ip link set lo up\nmount --bind \"$CSOD_RESOLV\" /etc/resolv.conf\n");
    }
    if let Some(_mode) = c.dns {
        script.push_str(
            "\"$CSOD_EXE\" --serve-dns \"$CSOD_DNS\" --ready \"$CSOD_DIR/ready\" &\nsrv=$!\n\
             i=0; while [ ! -e \"$CSOD_DIR/ready\" ]; do i=$((i+1)); [ $i -lt 500 ] || { echo 'DNS server never ready' >&2; exit 97; }; sleep 0.01; done\n",
        );
    }
    script.push_str("set +e\n");
    if c.trace {
        script.push_str(
            "\"$CSOD_STRACE\" -ff -qq -s 65536 -e trace=connect,sendto,sendmsg,sendmmsg,write,writev,pwrite64,open,openat,creat -o \"$CSOD_DIR/trace/t\" \"$CSOD_EXE\" <\"$CSOD_REQ\"\n",
        );
    } else {
        script.push_str("\"$CSOD_EXE\" $CSOD_ARGS <\"$CSOD_REQ\"\n");
    }
    script.push_str("rc=$?\n");
    if c.dns.is_some() {
        script.push_str("kill $srv 2>/dev/null || true\n");
    }
    script.push_str("exit $rc\n");
    let mut cmd = if c.isolated {
        let mut k = Command::new(tool("unshare"));
        k.args(["--map-root-user", "--net", "--mount", "--", "sh", "-c"]);
        k.arg(&script);
        k
    } else {
        let mut k = Command::new("sh");
        k.arg("-c").arg(&script);
        k
    };
    if c.isolated {
        // ip must be found inside the namespace's shell.
        tool("ip");
    }
    cmd.env("CSOD_EXE", &exe)
        .env("CSOD_DIR", &dir)
        .env("CSOD_REQ", &req)
        .env("CSOD_RESOLV", &resolv)
        .env("CSOD_DNS", c.dns.unwrap_or(""))
        .env("CSOD_ARGS", c.args)
        .env(
            "PATH",
            format!(
                "{}:/usr/sbin:/sbin:/usr/bin:/bin",
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    if c.trace {
        cmd.env("CSOD_STRACE", tool("strace"));
    }
    for v in PROXY_VARS {
        cmd.env_remove(v);
    }
    for (k, v) in &c.env {
        cmd.env(k, v);
    }
    let t = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let outer_ms = t.elapsed().as_millis() as u64;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "child failed ({}): stderr:\n{}\nstdout:\n{}",
        out.status,
        stderr,
        stdout
    );
    let doc: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("child output is not JSON ({}): {}", e, stdout));
    let wall_ms = stderr
        .lines()
        .find_map(|l| l.strip_prefix("wall_ms: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no wall_ms in {}", stderr));
    let dns_queries = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("dns-query: "))
        .map(str::to_string)
        .collect();
    let mut trace = Vec::new();
    if c.trace {
        for e in std::fs::read_dir(&trace_dir).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            trace.extend(text.lines().map(str::to_string));
        }
        assert!(
            !trace.is_empty(),
            "strace wrote nothing (is ptrace allowed here?)"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ran {
        doc,
        stdout,
        stderr,
        wall_ms,
        outer_ms,
        trace,
        dns_queries,
    }
}

fn net_fact_ms(doc: &Value, name: &str) -> u64 {
    fact(doc, &format!("network.{}", name))["value"]["elapsed_ms"]
        .as_u64()
        .unwrap()
}

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

const PASSWORD: &str = "S3cr3t-Pw-7f4a";

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

// ------------------------------------------------------------------ trust

/// Marks what the caller hands in; it must never reach a socket.
const MARKER: &str = "csodmarker7q";

fn marked_request(endpoints: Option<Value>, timeout: u64) -> Value {
    let mut r = json!({
        "timeout_ms": timeout,
        "host": {"os": "Linux", "edition": "Core", "version": "7.4.6",
                 "ui_culture": "en-US",
                 "sessions": [{"name": format!("{}-session", MARKER),
                               "computer_name": format!("{}.online.lync.com", MARKER),
                               "state": "Opened", "age_minutes": 5}],
                 "modules": [{"name": "SkypeOnlineConnector", "version": "7.0.0.0",
                              "path": format!("/home/{}/Modules", MARKER)}]},
        "error": {"message": format!("Connecting to remote server {m}-tenant.online.lync.com failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic. user {m}@contoso.onmicrosoft.com password {p}", m = MARKER, p = PASSWORD),
                  "fully_qualified_error_id": "AccessDenied,PSSessionOpenFailed"}
    });
    if let Some(e) = endpoints {
        r["endpoints"] = e;
    }
    r
}

/// The IPv4/IPv6 destinations of the traced connect()/sendto()/sendmsg()
/// calls, AF_UNIX paths, and the lines that wrote to anything but
/// stdout/stderr.
struct Traffic {
    inet: BTreeSet<String>,
    unix: BTreeSet<String>,
    other_families: Vec<String>,
    writes_elsewhere: Vec<String>,
    opened_for_writing: Vec<String>,
    marker_lines: Vec<String>,
    sends: usize,
}

fn traffic(lines: &[String]) -> Traffic {
    let v4 =
        regex::Regex::new(r#"sin_port=htons\((\d+)\), sin_addr=inet_addr\("([0-9.]+)"\)"#).unwrap();
    let v6 =
        regex::Regex::new(r#"sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)""#).unwrap();
    let un = regex::Regex::new(r#"sa_family=AF_UNIX, sun_path="([^"]*)""#).unwrap();
    let fam = regex::Regex::new(r#"sa_family=(AF_[A-Z0-9]+)"#).unwrap();
    let write = regex::Regex::new(r#"^(write|writev|pwrite64)\((\d+),"#).unwrap();
    let mut t = Traffic {
        inet: BTreeSet::new(),
        unix: BTreeSet::new(),
        other_families: Vec::new(),
        writes_elsewhere: Vec::new(),
        opened_for_writing: Vec::new(),
        marker_lines: Vec::new(),
        sends: 0,
    };
    for l in lines {
        if let Some(c) = write.captures(l) {
            if &c[2] != "1" && &c[2] != "2" {
                t.writes_elsewhere.push(l.clone());
            }
            if &c[2] != "1" && l.contains(MARKER) {
                t.marker_lines.push(l.clone());
            }
            continue;
        }
        if l.contains(MARKER) {
            t.marker_lines.push(l.clone());
        }
        if (l.starts_with("open") || l.starts_with("creat"))
            && (l.contains("O_WRONLY")
                || l.contains("O_RDWR")
                || l.contains("O_CREAT")
                || l.starts_with("creat"))
            && !l.contains("= -1 ")
        {
            t.opened_for_writing.push(l.clone());
        }
        if l.starts_with("send") {
            t.sends += 1;
        }
        for c in v4.captures_iter(l) {
            t.inet.insert(format!("{}:{}", &c[2], &c[1]));
        }
        for c in v6.captures_iter(l) {
            t.inet.insert(format!("[{}]:{}", &c[2], &c[1]));
        }
        for c in un.captures_iter(l) {
            t.unix.insert(c[1].to_string());
        }
        for c in fam.captures_iter(l) {
            if !["AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC", "AF_NETLINK"].contains(&&c[1]) {
                t.other_families.push(l.clone());
            }
        }
    }
    t
}

fn assert_local_ipc_only(t: &Traffic) {
    // glibc asks nscd (a local daemon) before DNS; nothing else is local IPC.
    for p in &t.unix {
        assert!(
            p == "/var/run/nscd/socket" || p == "/run/nscd/socket",
            "connect() to the local socket {}",
            p
        );
    }
    assert!(t.other_families.is_empty(), "{:?}", t.other_families);
    assert!(
        t.writes_elsewhere.is_empty(),
        "wrote to something other than stdout/stderr: {:?}",
        t.writes_elsewhere
    );
    assert!(
        t.marker_lines.is_empty(),
        "the caller's text reached a socket: {:?}",
        t.marker_lines
    );
    // Nothing is stored: no file is opened for writing.
    assert!(
        t.opened_for_writing.is_empty(),
        "opened for writing: {:?}",
        t.opened_for_writing
    );
}

#[test]
fn network_probes_contact_only_the_configured_endpoints() {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let v6 = TcpListener::bind("[::1]:0").ok();
    let mut eps = vec![
        json!({"name": "open", "host": "127.0.0.1", "port": open_port}),
        json!({"name": "closed", "host": "127.0.0.1", "port": closed}),
    ];
    let mut allowed: BTreeSet<String> = [
        format!("127.0.0.1:{}", open_port),
        format!("127.0.0.1:{}", closed),
    ]
    .into_iter()
    .collect();
    if let Some(l) = &v6 {
        let p = l.local_addr().unwrap().port();
        eps.push(json!({"name": "v6", "host": "[::1]", "port": p}));
        allowed.insert(format!("[::1]:{}", p));
    }
    let r = run_child(
        "trust-literal",
        &Child {
            trace: true,
            ..Default::default()
        },
        &marked_request(Some(Value::Array(eps)), 1000),
    );
    assert_eq!(fact(&r.doc, "network.open")["value"]["tcp"], "reachable");
    assert_eq!(fact(&r.doc, "network.closed")["value"]["tcp"], "refused");
    let t = traffic(&r.trace);
    println!(
        "trust, address endpoints: connected to {:?} (allowed {:?}); {} send calls; local IPC {:?}; {} trace lines",
        t.inet,
        allowed,
        t.sends,
        t.unix,
        r.trace.len()
    );
    assert_eq!(t.inet, allowed, "connect() went elsewhere");
    // Addresses need no name resolution: no DNS at all, and no sends.
    assert!(t.unix.is_empty(), "{:?}", t.unix);
    assert_eq!(t.sends, 0, "something was sent");
    assert_local_ipc_only(&t);
    // The caller's own data comes back to the caller (stdout) only.
    assert!(r.stdout.contains(MARKER));
}

#[test]
fn default_endpoints_resolve_and_contact_only_the_documented_hosts() {
    let defaults = [
        "login.microsoftonline.com",
        "webdir.online.lync.com",
        "api.interfaces.records.teams.microsoft.com",
        "www.powershellgallery.com",
        "outlook.office365.com",
    ];
    let r = run_child(
        "trust-default",
        &Child {
            isolated: true,
            dns: Some("loopback"),
            trace: true,
            ..Default::default()
        },
        &marked_request(None, 300),
    );
    let endpoints: Vec<&str> = r.doc["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["host"].as_str().unwrap())
        .collect();
    assert_eq!(endpoints, defaults);
    let names: BTreeSet<String> = r
        .dns_queries
        .iter()
        .map(|q| q.split(' ').nth(1).unwrap().to_string())
        .collect();
    // The defaults, and the one host the error names (a WinRM access
    // denied from <tenant>.online.lync.com): the host the admin was
    // connecting to, tried on its HTTPS port (issue 12).
    let error_host = format!("{}-tenant.online.lync.com", MARKER);
    let mut want: BTreeSet<String> = defaults.iter().map(|s| s.to_string()).collect();
    want.insert(error_host.clone());
    let t = traffic(&r.trace);
    println!(
        "trust, default endpoints (timeout_ms 300): names resolved {:?}; connected to {:?}; {} send calls; {} DNS queries; diagnose {} ms",
        names,
        t.inet,
        t.sends,
        r.dns_queries.len(),
        r.wall_ms
    );
    assert_eq!(names, want, "resolved other names");
    // The resolver (127.0.0.1:53) and what it answered (127.0.0.2:443).
    let allowed: BTreeSet<String> = ["127.0.0.1:53", "127.0.0.2:443"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(
        t.inet.is_subset(&allowed) && t.inet.contains("127.0.0.1:53"),
        "connected to {:?}",
        t.inet
    );
    for name in ["sign-in", "discovery", "admin", "gallery", "exchange"] {
        let f = fact(&r.doc, &format!("network.{}", name));
        assert_eq!(f["value"]["dns"], "ok", "{}", f);
        assert_eq!(f["value"]["addresses"][0], "127.0.0.2");
    }
    let target = fact(&r.doc, "winrm.target");
    assert_eq!(target["value"]["host"], error_host.as_str());
    assert_eq!(target["value"]["port"], 443);
    // The caller's text reaches a socket only as that name in the DNS
    // queries (strace writes each label's length as an octal escape).
    let wire: String = error_host
        .split('.')
        .map(|label| format!("\\{:o}{}", label.len(), label))
        .collect();
    let mut t = t;
    t.marker_lines.retain(|l| !l.contains(&wire));
    assert_local_ipc_only(&t);
    // The marker reaches the resolver only as the error's host name.
    assert!(r
        .dns_queries
        .iter()
        .filter(|q| q.contains(MARKER))
        .all(|q| q.split(' ').nth(1) == Some(error_host.as_str())));
}

// ------------------------------------------------------------------ secrets

fn classify_record(record: &Value) -> String {
    let c = CString::new(record.to_string()).unwrap();
    let lang = CString::new("en").unwrap();
    let out = unsafe { csod_classify_record(c.as_ptr(), lang.as_ptr()) };
    assert!(!out.is_null(), "{:?}", unsafe {
        CStr::from_ptr(csod_last_error())
    });
    let s = unsafe { CStr::from_ptr(out) }
        .to_string_lossy()
        .into_owned();
    unsafe { csod_string_free(out) };
    s
}

#[test]
fn passwords_in_error_text_and_host_facts_are_never_printed() {
    let upn = "adele.vance@contoso.onmicrosoft.com";
    // Errors that carry a user name (a field, returned deliberately) next
    // to a password (never returned).
    let errors = [
        format!("Connecting to remote server admin1a.online.lync.com failed with the following error message : The WinRM client cannot process the request. Basic authentication is currently disabled in the client configuration. Change the client configuration and try the request again. password={}", PASSWORD),
        format!("Get-CsWebTicket : Logon failed for the user '{}'. Please make sure that you are using the correct user name and password. Password: {}", upn, PASSWORD),
        format!("New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : Access is denied. $cred = New-Object PSCredential('{}', (ConvertTo-SecureString '{}' -AsPlainText -Force))", upn, PASSWORD),
    ];
    let mut matched = 0;
    for e in &errors {
        let record = json!({"message": e, "command": format!("New-CsOnlineSession -Credential {}", PASSWORD)});
        let c = classify_record(&record);
        assert!(
            !c.contains(PASSWORD),
            "classify printed the password: {}",
            c
        );
        let doc = diagnose(&json!({"timeout_ms": 100, "endpoints": [],
            "host": {"os": "Windows",
                     "sessions": [{"name": "S1", "computer_name": "admin1a.online.lync.com",
                                   "state": "Opened", "password": PASSWORD,
                                   "credential": {"user": upn, "password": PASSWORD}}],
                     "modules": [{"name": "SkypeOnlineConnector", "version": "7.0.0.0",
                                  "secret": PASSWORD}],
                     "execution_policy": {"LocalMachine": "RemoteSigned", "Password": PASSWORD},
                     "password": PASSWORD},
            "error": record}));
        let s = doc.to_string();
        assert!(
            !s.contains(PASSWORD),
            "diagnose printed the password: {}",
            s
        );
        let m = doc["matches"].as_array().unwrap();
        if !m.is_empty() {
            matched += 1;
        }
        // What the caller passed deliberately comes back: the documented
        // host facts, and fields the catalog extracts (the user name).
        assert!(s.contains("admin1a.online.lync.com"));
        if e.contains("Logon failed") {
            assert!(
                m.iter().any(|x| x["fields"].to_string().contains(upn)),
                "the user name field was not extracted: {:#}",
                doc["matches"]
            );
        }
    }
    assert!(matched >= 2, "only {} of the errors classified", matched);
    // Unknown keys inside host objects are dropped, not echoed.
    let doc = diagnose(&json!({"timeout_ms": 100, "endpoints": [],
        "host": {"sessions": [{"name": "S1", "token": "abc"}], "modules": [{"name": "M", "key": "k"}]}}));
    assert_eq!(
        fact(&doc, "host.sessions")["value"],
        json!([{"name": "S1"}])
    );
    assert_eq!(fact(&doc, "host.modules")["value"], json!([{"name": "M"}]));
}

#[test]
fn nothing_asks_for_or_stores_a_credential() {
    // The library has no input for a credential and no place to keep one:
    // its exports take error text, a record, a request and a language only.
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/csod.h"))
        .unwrap()
        .to_lowercase();
    for word in ["password", "credential", "secret", "token"] {
        let decls: Vec<&str> = header
            .lines()
            .filter(|l| {
                l.contains(word)
                    && l.contains('(')
                    && !l.trim_start().starts_with('*')
                    && !l.trim_start().starts_with("//")
            })
            .collect();
        assert!(decls.is_empty(), "an export mentions {}: {:?}", word, decls);
    }
}
