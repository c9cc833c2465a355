//! What the stress suites share (tests/stress.rs, tests/stress_trust.rs, each
//! with `#[path = "common/stress.rs"] mod stress;` next to `mod common;`):
//! the child diagnose (`examples/diagnose_request`) run in a namespace of its
//! own, under strace if asked, and what its trace says about the traffic.
#![allow(dead_code)]

use crate::common::fact;
use serde_json::Value;
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The variables the proxy probe reads: cleared in every child so the
/// runner's own environment cannot change a result.
pub const PROXY_VARS: &[&str] = &[
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
pub const WALL_MARGIN_MS: u64 = 1500;
/// Margin over the timeout for one network probe's own elapsed_ms.
pub const PROBE_MARGIN_MS: u64 = 150;

pub fn tool(name: &str) -> PathBuf {
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
pub fn child_exe() -> PathBuf {
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

pub fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("csod-stress-{}-{}", std::process::id(), tag));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// How a child diagnose runs.
#[derive(Default)]
pub struct Child<'a> {
    /// In a network + mount namespace of its own, with /etc/resolv.conf
    /// saying `nameserver 127.0.0.1` (and these options).
    pub isolated: bool,
    pub resolv_options: &'a str,
    /// A DNS server on 127.0.0.1:53 in that namespace (silent, nxdomain,
    /// loopback); None: nothing listens there.
    pub dns: Option<&'a str>,
    /// Under `strace -ff`.
    pub trace: bool,
    pub env: Vec<(&'a OsStr, &'a OsStr)>,
    /// Arguments of the child (`--repeat N`).
    pub args: &'a str,
}

pub struct Ran {
    pub doc: Value,
    pub stdout: String,
    pub stderr: String,
    /// The diagnose call itself, measured by the child.
    pub wall_ms: u64,
    /// The whole child, namespace set-up included, measured here.
    pub outer_ms: u64,
    /// strace lines, one file per process.
    pub trace: Vec<String>,
    pub dns_queries: Vec<String>,
}

pub fn run_child(tag: &str, c: &Child, request: &Value) -> Ran {
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

pub fn net_fact_ms(doc: &Value, name: &str) -> u64 {
    fact(doc, &format!("network.{}", name))["value"]["elapsed_ms"]
        .as_u64()
        .unwrap()
}

pub const PASSWORD: &str = "S3cr3t-Pw-7f4a";

/// Marks what the caller hands in; it must never reach a socket.
pub const MARKER: &str = "csodmarker7q";

/// The IPv4/IPv6 destinations of the traced connect()/sendto()/sendmsg()
/// calls, AF_UNIX paths, and the lines that wrote to anything but
/// stdout/stderr.
pub struct Traffic {
    pub inet: BTreeSet<String>,
    pub unix: BTreeSet<String>,
    pub other_families: Vec<String>,
    pub writes_elsewhere: Vec<String>,
    pub opened_for_writing: Vec<String>,
    pub marker_lines: Vec<String>,
    pub sends: usize,
}

pub fn traffic(lines: &[String]) -> Traffic {
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

pub fn assert_local_ipc_only(t: &Traffic) {
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
