//! The bench on Linux: its arguments, and each measure run in a child process
//! of its own (`run`: wall time and max RSS from `wait4`).

mod child;
mod parent;
mod transcript;

use child::*;
use parent::*;
use transcript::*;

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::os::raw::c_char;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const MB: f64 = 1024.0 * 1024.0;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fail(msg: &str) -> ! {
    eprintln!("bench: {}", msg);
    std::process::exit(2);
}

pub fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(|a| a == "--child").unwrap_or(false) {
        child(&args[1..]);
        return;
    }
    let mut size_mb = 256usize;
    let mut slice_mb = 32usize;
    let mut timeout_ms = 2000u64;
    let mut runs = 3usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| fail(&format!("{} needs a number", name)))
        };
        match a.as_str() {
            "--size-mb" => size_mb = val("--size-mb"),
            "--slice-mb" => slice_mb = val("--slice-mb"),
            "--timeout-ms" => timeout_ms = val("--timeout-ms") as u64,
            "--runs" => runs = val("--runs").max(1),
            "-h" | "--help" => {
                println!("usage: scripts/bench [--size-mb 256] [--slice-mb 32] [--timeout-ms 2000] [--runs 3]");
                return;
            }
            other => fail(&format!("unknown argument {}", other)),
        }
    }
    parent(size_mb, slice_mb.min(size_mb), timeout_ms, runs);
}

// -----------------------------------------------------------------------
// Child processes: each measure runs alone so its max RSS is its own.

pub struct Measured {
    pub wall: Duration,
    pub max_rss_kb: i64,
    pub stdout: String,
    pub ok: bool,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Measured {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot start {:?}: {}", cmd, e)));
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut stdout = String::new();
    let _ = out.read_to_string(&mut stdout);
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    // Already reaped by wait4 (which gave its rusage); this only lets
    // std know.
    let _ = child.wait();
    let stderr = err_reader.join().unwrap_or_default();
    Measured {
        wall,
        max_rss_kb: usage.ru_maxrss,
        stdout,
        ok: r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stderr,
    }
}

pub fn me() -> Command {
    Command::new(std::env::current_exe().expect("current exe"))
}
