//! The benchmark behind `scripts/bench`: prints one table, every figure
//! measured in this run on the same data.
//!
//! - classify latency through the C ABI (`csod_classify`) over the corpus;
//! - scan throughput on a generated transcript (noise plus 0.1% error lines
//!   from every corpus sample, so every problem and language) against
//!   ripgrep (`rg -c -F -i -f patterns.txt`) and PowerShell 7's
//!   `Select-String -SimpleMatch` with the same literal patterns: the
//!   scanner's prefilter pieces, which come from the catalog;
//! - `Import-Module` of powershell/CsOnlineDiagnostics.psd1, cold (first
//!   import in a new pwsh) and warm (again after `Remove-Module`), against a
//!   trivial script module;
//! - the first answer: `Import-Module` plus the first diagnosis of a caught
//!   error in a fresh pwsh (interop cache warm), against importing a
//!   trivial script module and calling it the same way;
//! - `csod_diagnose` with every endpoint black-holed, against its timeout;
//! - Ctrl-C: `PowerShell.Stop()` of a running health check whose endpoint
//!   is black-holed (-TimeoutSec 20), against 500 ms;
//! - the peak memory (max RSS) of each, every measure running in its own
//!   child process (`wait4`).
//!
//! Usage (release build): `scripts/bench [--size-mb 256] [--slice-mb 32]
//! [--timeout-ms 2000] [--runs 3]`.

#[cfg(not(unix))]
fn main() {
    eprintln!("the bench runs on Linux (it measures child processes with wait4)");
    std::process::exit(2);
}

#[cfg(unix)]
fn main() {
    unix::main()
}

#[cfg(unix)]
mod unix {
    use std::ffi::{CStr, CString};
    use std::fs::File;
    use std::io::{BufWriter, Read, Write};
    use std::os::raw::c_char;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    const MB: f64 = 1024.0 * 1024.0;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn fail(msg: &str) -> ! {
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

    struct Measured {
        wall: Duration,
        max_rss_kb: i64,
        stdout: String,
        ok: bool,
        stderr: String,
    }

    fn run(cmd: &mut Command) -> Measured {
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

    fn me() -> Command {
        Command::new(std::env::current_exe().expect("current exe"))
    }

    fn child(args: &[String]) {
        match args.first().map(String::as_str) {
            Some("classify") => child_classify(),
            Some("scan") => child_scan(&args[1]),
            Some("diagnose") => child_diagnose(args[1].parse().unwrap_or(2000)),
            _ => fail("unknown child"),
        }
    }

    fn corpus_texts() -> Vec<(Option<String>, String)> {
        let dir = root().join("tests").join("corpus");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| fail(&format!("{}: {}", dir.display(), e)))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().map(|x| x == "json").unwrap_or(false))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap_or_default())
                    .unwrap_or_else(|e| fail(&format!("{}: {}", f.display(), e)));
            for s in doc["samples"].as_array().cloned().unwrap_or_default() {
                if let Some(t) = s["text"].as_str() {
                    out.push((s["expect"].as_str().map(String::from), t.to_string()));
                }
            }
        }
        out
    }

    fn child_classify() {
        let texts: Vec<CString> = corpus_texts()
            .into_iter()
            .map(|(_, t)| CString::new(t).unwrap_or_default())
            .collect();
        let lang = CString::new("en").unwrap();
        let call = |t: &CString| unsafe {
            let p = csod::ffi::csod_classify(t.as_ptr(), lang.as_ptr());
            if p.is_null() {
                fail("csod_classify returned NULL");
            }
            csod::ffi::csod_string_free(p);
        };
        for t in &texts {
            call(t); // builds the pattern set once
        }
        let mut times: Vec<f64> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline || times.len() < 1000 {
            for t in &texts {
                let s = Instant::now();
                call(t);
                times.push(s.elapsed().as_secs_f64() * 1e6);
            }
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
        println!(
            "{} {:.2} {:.2} {}",
            times.len(),
            pct(0.5),
            pct(0.99),
            texts.len()
        );
    }

    fn child_scan(path: &str) {
        let mut f = File::open(path).unwrap_or_else(|e| fail(&format!("{}: {}", path, e)));
        let mut buf = vec![0u8; 1 << 20];
        unsafe {
            let opts = CString::new("{\"max_hits\":1000,\"fields\":false}").unwrap();
            let s = csod::ffi::csod_scanner_new(opts.as_ptr());
            if s.is_null() {
                fail("csod_scanner_new returned NULL");
            }
            loop {
                let n = f.read(&mut buf).unwrap_or_else(|e| fail(&e.to_string()));
                if n == 0 {
                    break;
                }
                if csod::ffi::csod_scanner_feed(s, buf.as_ptr(), n) != 0 {
                    fail("csod_scanner_feed failed");
                }
            }
            let p = csod::ffi::csod_scanner_finish(s);
            if p.is_null() {
                fail("csod_scanner_finish returned NULL");
            }
            let v: serde_json::Value =
                serde_json::from_str(CStr::from_ptr(p).to_str().unwrap_or("{}"))
                    .unwrap_or_default();
            csod::ffi::csod_string_free(p);
            csod::ffi::csod_scanner_free(s);
            let total: u64 = v["counts"]
                .as_object()
                .map(|o| o.values().filter_map(|n| n.as_u64()).sum())
                .unwrap_or(0);
            println!("{} {}", total, v["lines"]);
        }
    }

    /// A 127.0.0.1 port where a TCP connect hangs: a listener with a
    /// backlog of 0 that never accepts, its queue filled first, so the
    /// kernel drops every further SYN.
    fn black_hole() -> (u16, Vec<std::net::TcpStream>) {
        unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            if fd < 0 {
                fail("socket failed");
            }
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
            addr.sin_port = 0;
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            if libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len) != 0
                || libc::listen(fd, 0) != 0
            {
                fail("bind/listen failed");
            }
            let mut got: libc::sockaddr_in = std::mem::zeroed();
            let mut glen = len;
            libc::getsockname(fd, &mut got as *mut _ as *mut libc::sockaddr, &mut glen);
            let port = u16::from_be(got.sin_port);
            // Leak fd on purpose: the listener lives as long as the child.
            let target = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            let mut fillers = Vec::new();
            for _ in 0..4 {
                if let Ok(s) =
                    std::net::TcpStream::connect_timeout(&target, Duration::from_millis(200))
                {
                    fillers.push(s);
                }
            }
            (port, fillers)
        }
    }

    type DiagnoseFn = unsafe extern "C" fn(*const c_char) -> *mut c_char;

    fn child_diagnose(timeout_ms: u64) {
        let lib = root().join("target").join("release").join("libcsod.so");
        let lib_c = CString::new(lib.to_string_lossy().as_bytes()).unwrap();
        let handle = unsafe { libc::dlopen(lib_c.as_ptr(), libc::RTLD_NOW) };
        if handle.is_null() {
            println!("absent cannot load {}", lib.display());
            return;
        }
        let sym = CString::new("csod_diagnose").unwrap();
        let f = unsafe { libc::dlsym(handle, sym.as_ptr()) };
        if f.is_null() {
            println!("absent csod_diagnose not exported");
            return;
        }
        let diagnose: DiagnoseFn = unsafe { std::mem::transmute(f) };
        let (port, _fillers) = black_hole();
        let target = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let holed =
            std::net::TcpStream::connect_timeout(&target, Duration::from_millis(300)).is_err();
        let request = serde_json::json!({
            "timeout_ms": timeout_ms,
            "endpoints": [
                {"name": "sign-in", "host": "127.0.0.1", "port": port},
                {"name": "admin", "host": "127.0.0.1", "port": port},
                {"name": "webticket", "host": "127.0.0.1", "port": port},
            ],
        })
        .to_string();
        let req = CString::new(request).unwrap();
        let start = Instant::now();
        let p = unsafe { diagnose(req.as_ptr()) };
        let wall = start.elapsed();
        let ok = !p.is_null();
        if ok {
            type FreeFn = unsafe extern "C" fn(*mut c_char);
            let free_sym = CString::new("csod_string_free").unwrap();
            let fr = unsafe { libc::dlsym(handle, free_sym.as_ptr()) };
            if !fr.is_null() {
                let free: FreeFn = unsafe { std::mem::transmute(fr) };
                unsafe { free(p) };
            }
        }
        println!(
            "present {:.1} {} {}",
            wall.as_secs_f64() * 1000.0,
            if holed { "holed" } else { "not-holed" },
            if ok { "ok" } else { "null" }
        );
    }

    // -----------------------------------------------------------------------
    // The transcript.

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545F4914F6CDD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const FIRST: &[&str] = &[
        "ken", "adele", "alex", "megan", "diego", "lidia", "nestor", "patti", "isaiah", "joni",
    ];
    const LAST: &[&str] = &[
        "myer",
        "vance",
        "wilber",
        "bowen",
        "siciliani",
        "holloway",
        "wilke",
        "fernandez",
    ];
    const POLICIES: &[&str] = &[
        "Tag:AllowCalling",
        "Tag:DisallowCalling",
        "Global",
        "Tag:RestrictedAnonymousAccess",
        "Tag:Kiosk",
    ];

    /// One line (or a few) of ordinary transcript output.
    fn noise(r: &mut Rng, out: &mut String) {
        let user = format!(
            "{}.{}{}@contoso.com",
            FIRST[r.below(FIRST.len())],
            LAST[r.below(LAST.len())],
            r.below(100)
        );
        let n = r.below(12000);
        match r.below(20) {
            0 => out.push_str(&format!("PS C:\\Scripts> .\\Sync-Voice.ps1 -Batch {}\n", n % 40)),
            1 => out.push_str(&format!(
                "VERBOSE: Performing the operation \"Grant-CsVoiceRoutingPolicy\" on target \"{}\".\n",
                user
            )),
            2 => out.push_str(&format!("VERBOSE: Processing user {} ({} of 12000)\n", user, n)),
            3 => out.push_str(&format!(
                "WARNING: User {} has no Phone System license; the policy was not assigned.\n",
                user
            )),
            4 => out.push_str(&format!(
                "2024-05-{:02}T{:02}:{:02}:{:02} INFO granted {} to {}\n",
                1 + n % 28,
                n % 24,
                n % 60,
                (n * 7) % 60,
                POLICIES[n % POLICIES.len()],
                user
            )),
            5 => out.push_str(&format!(
                "\nIdentity             : sip:{}\nDisplayName          : {}\nEnterpriseVoiceEnabled : {}\nLineURI              : tel:+1425555{:04}\n\n",
                user,
                user.split('@').next().unwrap_or(""),
                if n % 2 == 0 { "True" } else { "False" },
                n % 10000
            )),
            6 => out.push_str(
                "Id     Name            PSJobTypeName   State         HasMoreData     Location\n--     ----            -------------   -----         -----------     --------\n",
            ),
            7 => out.push_str(&format!(
                "{:<6} Session{:<8} RemoteJob       Completed     True            admin{}a.online.lync.com\n",
                n % 50,
                n % 50,
                n % 9
            )),
            8 => out.push_str(&format!(
                "Policy {} is disabled for the user {}; the module will retry later.\n",
                POLICIES[n % POLICIES.len()],
                user
            )),
            9 => out.push_str("The operation completed successfully.\n"),
            10 => out.push_str(&format!(
                "Loaded module SkypeOnlineConnector 7.0.0.0 from C:\\Program Files\\Common Files\\Skype for Business Online\\Modules\\ in {} ms\n",
                n % 900
            )),
            11 => out.push_str(&format!(
                "Le module a été chargé. L'utilisateur {} dispose d'une licence; la stratégie est désactivée pour ce test.\n",
                user
            )),
            12 => out.push('\n'),
            13 => out.push_str(&format!(
                "Set-CsUser -Identity {} -EnterpriseVoiceEnabled $true -HostedVoiceMail $true\n",
                user
            )),
            14 => out.push_str(&format!(
                "Checked {} users, {} changes pending, tenant quota at {}%.\n",
                n,
                n % 97,
                n % 100
            )),
            15 => out.push_str(&format!(
                "Name                           Value\n----                           -----\nPSVersion                      5.1.19041.{}\n",
                n
            )),
            16 => out.push_str("**********************\nCommand start time: 20240501093012\n**********************\n"),
            17 => out.push_str(&format!(
                "DEBUG: {} ms spent in Get-CsOnlineUser for page {} (system time)\n",
                n % 3000,
                n % 300
            )),
            18 => out.push_str(&format!(
                "Get-CsOnlineUser -Filter {{Department -eq 'Sales{}'}} | Select-Object DisplayName, LineURI\n",
                n % 30
            )),
            _ => out.push_str(&format!(
                "    Directory: C:\\Logs\\{:04}\n\nMode                 LastWriteTime         Length Name\n----                 -------------         ------ ----\n-a----          5/1/2024   9:30 AM         {} run-{}.txt\n",
                n, n * 13, n
            )),
        }
    }

    fn wrap(text: &str, width: usize) -> String {
        let mut out = Vec::new();
        for line in text.split('\n') {
            let mut cur = String::new();
            let mut cells = 0;
            for c in line.chars() {
                let w = if csod::scan::is_wide(c) { 2 } else { 1 };
                if cells + w > width {
                    out.push(std::mem::take(&mut cur));
                    cells = 0;
                }
                cur.push(c);
                cells += w;
            }
            out.push(cur);
        }
        out.join("\n")
    }

    /// Writes the transcript; returns (lines, errors planted).
    fn generate(path: &Path, size: u64) -> (u64, u64) {
        let samples: Vec<String> = corpus_texts()
            .into_iter()
            .filter(|(e, _)| e.is_some())
            .map(|(_, t)| t)
            .collect();
        if samples.is_empty() {
            fail("no corpus samples");
        }
        let f = File::create(path).unwrap_or_else(|e| fail(&format!("{}: {}", path.display(), e)));
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let mut r = Rng(0x2545F4914F6CDD1D);
        let mut written: u64 = 0;
        let mut lines: u64 = 0;
        let mut errors: u64 = 0;
        let mut chunk = String::new();
        let header = "**********************\nWindows PowerShell transcript start\nStart time: 20240501093000\nUsername: CONTOSO\\svc-voice\nRunAs User: CONTOSO\\svc-voice\nMachine: ADMIN01 (Microsoft Windows NT 10.0.19045.0)\nHost Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -File C:\\Scripts\\Sync-Voice.ps1\nProcess ID: 4242\nPSVersion: 5.1.19045.4291\n**********************\n";
        chunk.push_str(header);
        let mut next_sample = 0usize;
        // 0.1% of the lines are the first line of an error: one every 1000
        // lines on average, at random gaps.
        let mut next_error = 1 + r.below(1999) as u64;
        while written < size {
            if lines >= next_error {
                next_error = lines + 1 + r.below(1999) as u64;
                let mut e = samples[next_sample % samples.len()].clone();
                next_sample += 1;
                // As tests/scan.rs: a headless error follows a prompt or a
                // blank line; samples with several lines are renderings
                // already (no second wrap).
                let multi_line = e.contains('\n');
                if !csod::scan::is_error_head(e.lines().next().unwrap_or("")) {
                    chunk.push_str("PS C:\\Scripts> .\\Sync-Voice.ps1 -Batch 7\n");
                }
                if !e.contains("FullyQualifiedErrorId") && r.below(2) == 0 {
                    let head = e.split(" : ").next().unwrap_or("").trim();
                    let cmd = if head.len() < 40 && !head.contains(' ') {
                        head.to_string()
                    } else {
                        "Invoke-Sync".to_string()
                    };
                    e.push_str(&format!("\nAt C:\\Scripts\\Sync-Voice.ps1:88 char:9\n+         {}\n+         ~~~~~~~~~~~~~~\n    + CategoryInfo          : NotSpecified: (:) [{}], Exception\n    + FullyQualifiedErrorId : Sync.Failed,Sync-Voice.ps1", cmd, cmd));
                }
                if r.below(2) == 0 && !multi_line {
                    e = wrap(&e, 120);
                }
                chunk.push_str(&e);
                chunk.push('\n');
                errors += 1;
            } else {
                noise(&mut r, &mut chunk);
            }
            lines += chunk.matches('\n').count() as u64;
            let s = chunk.replace('\n', "\r\n");
            written += s.len() as u64;
            w.write_all(s.as_bytes())
                .unwrap_or_else(|e| fail(&e.to_string()));
            chunk.clear();
        }
        w.flush().unwrap_or_else(|e| fail(&e.to_string()));
        (lines, errors)
    }

    fn slice_file(src: &Path, dst: &Path, size: u64) -> u64 {
        let mut f = File::open(src).unwrap_or_else(|e| fail(&e.to_string()));
        let mut buf = vec![0u8; size as usize];
        let mut got = 0;
        while got < buf.len() {
            let n = f.read(&mut buf[got..]).unwrap_or(0);
            if n == 0 {
                break;
            }
            got += n;
        }
        buf.truncate(got);
        if let Some(i) = buf.iter().rposition(|b| *b == b'\n') {
            buf.truncate(i + 1);
        }
        std::fs::write(dst, &buf).unwrap_or_else(|e| fail(&e.to_string()));
        buf.len() as u64
    }

    // -----------------------------------------------------------------------
    // The parent: measures and prints the table.

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    }

    fn mib(kb: i64) -> String {
        format!("{:.1} MiB", kb as f64 / 1024.0)
    }

    fn machine() -> String {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|s| s.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let mem = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|k| k.parse::<f64>().ok())
            })
            .map(|kb| format!("{:.1} GiB RAM", kb / 1024.0 / 1024.0))
            .unwrap_or_else(|| "unknown memory".into());
        let n = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        format!("nproc {}, {}, {}", n, cpu, mem)
    }

    struct Row {
        what: String,
        csod: String,
        reference: String,
        ratio: String,
        target: String,
        met: String,
        memory: String,
    }

    fn yes(b: bool) -> String {
        if b { "yes" } else { "NO" }.to_string()
    }

    fn pwsh_script(script: &str) -> Measured {
        let pwsh = root().join("scripts").join("pwsh");
        run(Command::new(pwsh).args(["-NoProfile", "-NonInteractive", "-Command", script]))
    }

    fn import_times(manifest: &Path, name: &str) -> Option<(f64, f64, i64)> {
        let script = format!(
            "$ErrorActionPreference='Stop'; $sw=[Diagnostics.Stopwatch]::StartNew(); Import-Module '{m}'; $cold=$sw.Elapsed.TotalMilliseconds; $w=@(); foreach($i in 1..7){{ Remove-Module '{n}'; $sw.Restart(); Import-Module '{m}'; $w+=$sw.Elapsed.TotalMilliseconds }}; $s=$w | Sort-Object; '{{0}} {{1}}' -f $cold.ToString([Globalization.CultureInfo]::InvariantCulture), $s[3].ToString([Globalization.CultureInfo]::InvariantCulture)",
            m = manifest.display(),
            n = name
        );
        let m = pwsh_script(&script);
        if !m.ok {
            eprintln!("bench: importing {} failed: {}", name, m.stderr.trim());
            return None;
        }
        let mut it = m.stdout.split_whitespace();
        let cold: f64 = it.next()?.parse().ok()?;
        let warm: f64 = it.next()?.parse().ok()?;
        Some((cold, warm, m.max_rss_kb))
    }

    fn parent(size_mb: usize, slice_mb: usize, timeout_ms: u64, runs: usize) {
        let dir = root().join("target").join("bench");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(&e.to_string()));
        let size = size_mb as u64 * 1024 * 1024;
        let transcript = dir.join(format!("transcript-{}mb.txt", size_mb));
        let meta = dir.join(format!("transcript-{}mb.meta", size_mb));
        let stamp = format!("v4 {} {}", size, corpus_texts().len());
        let known = std::fs::read_to_string(&meta).ok().and_then(|m| {
            let mut it = m.split('|');
            let s = it.next()?.to_string();
            let lines: u64 = it.next()?.trim().parse().ok()?;
            let errors: u64 = it.next()?.trim().parse().ok()?;
            if s == stamp && transcript.exists() {
                Some((lines, errors))
            } else {
                None
            }
        });
        let (lines, planted) = match known {
            Some(k) => k,
            None => {
                eprintln!("bench: writing {} ...", transcript.display());
                let k = generate(&transcript, size);
                std::fs::write(&meta, format!("{}|{}|{}", stamp, k.0, k.1))
                    .unwrap_or_else(|e| fail(&e.to_string()));
                k
            }
        };
        let bytes = std::fs::metadata(&transcript).map(|m| m.len()).unwrap_or(0);
        let patterns = dir.join("patterns.txt");
        let pieces = csod::scan::prefilter_pieces().unwrap_or_else(|e| fail(&e));
        std::fs::write(&patterns, pieces.join("\n") + "\n")
            .unwrap_or_else(|e| fail(&e.to_string()));
        let slice = dir.join(format!("slice-{}mb.txt", slice_mb));
        let slice_bytes = slice_file(&transcript, &slice, slice_mb as u64 * 1024 * 1024);
        // Page cache: read everything once so that no tool pays for the disk.
        {
            let mut f = File::open(&transcript).unwrap_or_else(|e| fail(&e.to_string()));
            let mut b = vec![0u8; 1 << 20];
            while f.read(&mut b).map(|n| n > 0).unwrap_or(false) {}
        }
        let mut rows: Vec<Row> = Vec::new();

        // (a) classify latency.
        eprintln!("bench: classify latency ...");
        let c = run(me().args(["--child", "classify"]));
        if !c.ok {
            fail(&format!("classify child failed: {}", c.stderr));
        }
        let f: Vec<f64> = c
            .stdout
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let (calls, med, p99, samples) = (f[0], f[1], f[2], f[3]);
        rows.push(Row {
            what: format!(
                "classify latency, C ABI ({} calls over {} corpus samples)",
                calls, samples
            ),
            csod: format!("median {:.1} µs, p99 {:.1} µs", med, p99),
            reference: "-".into(),
            ratio: "-".into(),
            target: "median < 20 µs".into(),
            met: yes(med < 20.0),
            memory: mib(c.max_rss_kb),
        });

        // (b) scan throughput.
        eprintln!("bench: scan throughput, {} runs each ...", runs);
        let mut ours = Vec::new();
        let mut ours_rss = 0;
        let mut ours_hits = String::new();
        let mut rg = Vec::new();
        let mut rg_rss = 0;
        let mut rg_lines = String::new();
        let tp = transcript.to_string_lossy().into_owned();
        for _ in 0..runs {
            let m = run(me().args(["--child", "scan", &tp]));
            if !m.ok {
                fail(&format!("scan child failed: {}", m.stderr));
            }
            ours.push(m.wall.as_secs_f64());
            ours_rss = ours_rss.max(m.max_rss_kb);
            ours_hits = m
                .stdout
                .split_whitespace()
                .next()
                .unwrap_or("?")
                .to_string();
            let r = run(Command::new("rg").args([
                "-c",
                "-F",
                "-i",
                "-f",
                &patterns.to_string_lossy(),
                &tp,
            ]));
            if !r.ok && r.stdout.trim().is_empty() && !r.stderr.is_empty() {
                fail(&format!(
                    "rg failed (is ripgrep installed? scripts/setup.sh --all): {}",
                    r.stderr
                ));
            }
            rg.push(r.wall.as_secs_f64());
            rg_rss = rg_rss.max(r.max_rss_kb);
            rg_lines = r.stdout.trim().to_string();
        }
        let ours_mbs = bytes as f64 / MB / median(ours);
        let rg_mbs = bytes as f64 / MB / median(rg);
        rows.push(Row {
            what: format!(
                "scan {:.0} MiB transcript ({} lines, {} errors planted), median of {}",
                bytes as f64 / MB,
                lines,
                planted,
                runs
            ),
            csod: format!("{:.0} MiB/s, {} hits", ours_mbs, ours_hits),
            reference: format!(
                "ripgrep -c -F -i, {} patterns: {:.0} MiB/s, {} lines",
                pieces.len(),
                rg_mbs,
                rg_lines
            ),
            ratio: format!("{:.2}×", ours_mbs / rg_mbs),
            target: "≥ 0.5× ripgrep; memory < 64 MiB".into(),
            met: yes(ours_mbs / rg_mbs >= 0.5 && ours_rss < 64 * 1024),
            memory: format!("{} / rg {}", mib(ours_rss), mib(rg_rss)),
        });

        eprintln!("bench: Select-String on a {} MiB slice ...", slice_mb);
        let ss_script = format!(
            "$p = Get-Content -LiteralPath '{}'; $sw=[Diagnostics.Stopwatch]::StartNew(); $n = (Select-String -LiteralPath '{}' -SimpleMatch -Pattern $p | Measure-Object).Count; '{{0}} {{1}}' -f $sw.Elapsed.TotalSeconds.ToString([Globalization.CultureInfo]::InvariantCulture), $n",
            patterns.display(),
            slice.display()
        );
        let ss = pwsh_script(&ss_script);
        let ss_fig: Option<(f64, String)> = if ss.ok {
            let mut it = ss.stdout.split_whitespace();
            match (it.next().and_then(|s| s.parse::<f64>().ok()), it.next()) {
                (Some(t), Some(n)) => Some((t, n.to_string())),
                _ => None,
            }
        } else {
            None
        };
        match ss_fig {
            Some((secs, n)) => {
                let ss_mbs = slice_bytes as f64 / MB / secs;
                rows.push(Row {
                    what: format!(
                        "scan vs Select-String -SimpleMatch (pwsh 7, measured on a {:.0} MiB slice, MiB/s extrapolated)",
                        slice_bytes as f64 / MB
                    ),
                    csod: format!("{:.0} MiB/s", ours_mbs),
                    reference: format!("{:.1} MiB/s ({:.1} s, {} lines)", ss_mbs, secs, n),
                    ratio: format!("{:.0}×", ours_mbs / ss_mbs),
                    target: "≥ 20× Select-String".into(),
                    met: yes(ours_mbs / ss_mbs >= 20.0),
                    memory: format!("pwsh {}", mib(ss.max_rss_kb)),
                });
            }
            None => rows.push(Row {
                what: "scan vs Select-String".into(),
                csod: format!("{:.0} MiB/s", ours_mbs),
                reference: format!(
                    "n/a (pwsh failed: {})",
                    ss.stderr.trim().lines().next().unwrap_or("")
                ),
                ratio: "-".into(),
                target: "≥ 20× Select-String".into(),
                met: "n/a".into(),
                memory: "-".into(),
            }),
        }

        // (c) Import-Module.
        eprintln!("bench: Import-Module ...");
        let trivial_dir = dir.join("Trivial");
        std::fs::create_dir_all(&trivial_dir).unwrap_or_else(|e| fail(&e.to_string()));
        std::fs::write(
            trivial_dir.join("Trivial.psm1"),
            "function Get-Trivial { param([Parameter(ValueFromPipeline = $true)] $InputObject) process { 'trivial' } }\nExport-ModuleMember -Function Get-Trivial\n",
        )
        .unwrap_or_else(|e| fail(&e.to_string()));
        std::fs::write(
            trivial_dir.join("Trivial.psd1"),
            "@{ RootModule = 'Trivial.psm1'; ModuleVersion = '1.0.0'; GUID = '6f1d2b8e-3c1a-4b7e-9d1e-2a5b7c9e0f11'; FunctionsToExport = @('Get-Trivial'); CmdletsToExport = @(); VariablesToExport = @(); AliasesToExport = @() }\n",
        )
        .unwrap_or_else(|e| fail(&e.to_string()));
        let trivial = import_times(&trivial_dir.join("Trivial.psd1"), "Trivial");
        let module = root().join("powershell").join("CsOnlineDiagnostics.psd1");
        let ours_import = if module.exists() {
            Some(import_times(&module, "CsOnlineDiagnostics"))
        } else {
            None
        };
        let triv_txt = |i: usize| match trivial {
            Some((c, w, _)) => format!("trivial module {:.1} ms", if i == 0 { c } else { w }),
            None => "trivial module: n/a (pwsh failed)".into(),
        };
        for (i, label) in [
            "cold (first import in a new pwsh)",
            "warm (again after Remove-Module, median of 7)",
        ]
        .iter()
        .enumerate()
        {
            let (csod, ratio, met, memory) = match (&ours_import, trivial) {
                (None, _) => (
                    "n/a (module not present)".to_string(),
                    "-".to_string(),
                    "n/a".to_string(),
                    "-".to_string(),
                ),
                (Some(None), _) => (
                    "n/a (import failed, see stderr)".to_string(),
                    "-".to_string(),
                    "NO".to_string(),
                    "-".to_string(),
                ),
                (Some(Some((c, w, rss))), t) => {
                    let v = if i == 0 { *c } else { *w };
                    let r = t.map(|(tc, tw, _)| v / if i == 0 { tc } else { tw });
                    (
                        format!("{:.1} ms", v),
                        r.map(|r| format!("{:.1}×", r))
                            .unwrap_or_else(|| "-".into()),
                        match (i, r) {
                            (1, Some(r)) => yes(r < 2.0),
                            (0, _) => "-".into(),
                            _ => "n/a".into(),
                        },
                        format!(
                            "pwsh {} / trivial {}",
                            mib(*rss),
                            trivial.map(|t| mib(t.2)).unwrap_or_else(|| "-".into())
                        ),
                    )
                }
            };
            rows.push(Row {
                what: format!("Import-Module CsOnlineDiagnostics, {}", label),
                csod,
                reference: triv_txt(i),
                ratio,
                target: if i == 1 {
                    "warm < 2× trivial".into()
                } else {
                    "-".into()
                },
                met,
                memory,
            });
        }

        // (c2) the first answer: Import-Module and the first diagnosis of a
        // caught error in a fresh pwsh, the interop cache warm (the import
        // rows above compiled it), against the trivial module imported and
        // called the same way ($_ piped in a catch block). The probes go to
        // a loopback listener, so the figure is the module's and the
        // library's, not the network's. Alternated, median of the runs.
        eprintln!("bench: first answer ...");
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| fail(&format!("cannot listen on 127.0.0.1: {}", e)));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let first_runs = runs.max(9);
        let trivial_script = format!(
            "$sw=[Diagnostics.Stopwatch]::StartNew(); Import-Module '{}'; $r = try {{ throw 'x' }} catch {{ $_ | Get-Trivial }}; if ($r -ne 'trivial') {{ exit 3 }}; $sw.Elapsed.TotalMilliseconds.ToString([Globalization.CultureInfo]::InvariantCulture)",
            trivial_dir.join("Trivial.psd1").display()
        );
        let csod_script = format!(
            "$sw=[Diagnostics.Stopwatch]::StartNew(); Import-Module '{}'; $d = try {{ throw [System.Management.Automation.PSSecurityException]::new('File C:\\m\\x.psm1 cannot be loaded because running scripts is disabled on this system.') }} catch {{ $_ | Test-CsOnlineConnector -Endpoint 127.0.0.1:{} }}; if ($d.Problem -ne 'execution_policy') {{ exit 3 }}; $sw.Elapsed.TotalMilliseconds.ToString([Globalization.CultureInfo]::InvariantCulture)",
            module.display(),
            port
        );
        let mut first_trivial = Vec::new();
        let mut first_csod = Vec::new();
        let mut first_rss = (0, 0);
        if module.exists() {
            for _ in 0..first_runs {
                for (script, out, rss) in [
                    (&trivial_script, &mut first_trivial, &mut first_rss.0),
                    (&csod_script, &mut first_csod, &mut first_rss.1),
                ] {
                    let m = pwsh_script(script);
                    match m.stdout.trim().parse::<f64>() {
                        Ok(ms) if m.ok => {
                            out.push(ms);
                            *rss = (*rss).max(m.max_rss_kb);
                        }
                        _ => eprintln!("bench: first answer run failed: {}", m.stderr.trim()),
                    }
                }
            }
        }
        drop(listener);
        rows.push(if first_trivial.is_empty() || first_csod.is_empty() {
            Row {
                what: "first answer: Import-Module + diagnosis of a caught error (fresh pwsh)".into(),
                csod: "n/a (module not present or pwsh failed)".into(),
                reference: "-".into(),
                ratio: "-".into(),
                target: "≤ 3× trivial".into(),
                met: "n/a".into(),
                memory: "-".into(),
            }
        } else {
            let n = first_csod.len().min(first_trivial.len());
            let c = median(first_csod);
            let t = median(first_trivial);
            Row {
                what: format!(
                    "first answer: Import-Module + diagnosis of a caught error ($_ | Test-CsOnlineConnector, probes to a loopback listener), fresh pwsh, interop cache warm, median of {}",
                    n
                ),
                csod: format!("{:.0} ms", c),
                reference: format!("trivial module, Import-Module + $_ | Get-Trivial: {:.0} ms", t),
                ratio: format!("{:.1}×", c / t),
                target: "≤ 3× trivial".into(),
                met: yes(c / t <= 3.0),
                memory: format!("pwsh {} / trivial {}", mib(first_rss.1), mib(first_rss.0)),
            }
        });

        // (d) health check with every endpoint black-holed.
        eprintln!("bench: health check, endpoints black-holed ...");
        let d = run(me().args(["--child", "diagnose", &timeout_ms.to_string()]));
        let dout = d.stdout.trim().to_string();
        let mut it = dout.split_whitespace();
        let row = match it.next() {
            Some("present") => {
                let ms: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
                let holed = it.next().unwrap_or("?");
                let status = it.next().unwrap_or("?");
                Row {
                    what: format!(
                        "health check (csod_diagnose), 3 endpoints black-holed on 127.0.0.1 ({}, result {})",
                        holed, status
                    ),
                    csod: format!("{:.0} ms", ms),
                    reference: format!("timeout {} ms", timeout_ms),
                    ratio: format!("{:+.0} ms", ms - timeout_ms as f64),
                    target: "< timeout + 500 ms".into(),
                    met: yes(ms < timeout_ms as f64 + 500.0 && status == "ok"),
                    memory: mib(d.max_rss_kb),
                }
            }
            _ => Row {
                what: "health check (csod_diagnose), every endpoint black-holed".into(),
                csod: format!(
                    "n/a (csod_diagnose not present: {})",
                    dout.split_once(' ').map(|x| x.1).unwrap_or(d.stderr.trim())
                ),
                reference: format!("timeout {} ms", timeout_ms),
                ratio: "-".into(),
                target: "< timeout + 500 ms".into(),
                met: "n/a".into(),
                memory: "-".into(),
            },
        };
        rows.push(row);

        // (e) Ctrl-C: PowerShell.Stop() (from another thread: BeginStop) of a
        // health check whose endpoint is black-holed, -TimeoutSec 20, once
        // its probes run. The black hole lives in this process.
        eprintln!("bench: Ctrl-C of a running health check ...");
        let (hole, _fillers) = black_hole();
        let stop_script = format!(
            "$ErrorActionPreference='Stop'; $ps=[PowerShell]::Create(); [void]$ps.AddScript(\"`$ProgressPreference='Continue'; Import-Module '{m}'; Test-CsOnlineConnector -Endpoint 'hole=127.0.0.1:{p}' -TimeoutSec 20\"); $a=$ps.BeginInvoke(); $w=[Diagnostics.Stopwatch]::StartNew(); while (-not ($ps.Streams.Progress | Where-Object {{ $_.StatusDescription -like '*probes*' }})) {{ if ($a.IsCompleted -or $w.Elapsed.TotalSeconds -gt 60) {{ exit 3 }}; Start-Sleep -Milliseconds 20 }}; Start-Sleep -Milliseconds 300; $sw=[Diagnostics.Stopwatch]::StartNew(); $s=$ps.BeginStop($null,$null); [void]$s.AsyncWaitHandle.WaitOne(60000); $ps.EndStop($s); $sw.Elapsed.TotalMilliseconds.ToString([Globalization.CultureInfo]::InvariantCulture) + ' ' + $ps.InvocationStateInfo.State",
            m = module.display(),
            p = hole
        );
        let mut stops = Vec::new();
        let mut stop_rss = 0;
        let mut stop_state = String::new();
        if module.exists() {
            for _ in 0..runs {
                let m = pwsh_script(&stop_script);
                let mut it = m.stdout.split_whitespace();
                match (it.next().and_then(|x| x.parse::<f64>().ok()), it.next()) {
                    (Some(ms), Some(state)) if m.ok => {
                        stops.push(ms);
                        stop_rss = stop_rss.max(m.max_rss_kb);
                        stop_state = state.to_string();
                    }
                    _ => eprintln!("bench: Ctrl-C run failed: {}", m.stderr.trim()),
                }
            }
        }
        rows.push(if stops.is_empty() {
            Row {
                what: "Ctrl-C: PowerShell.Stop() of a running health check".into(),
                csod: "n/a (module not present or pwsh failed)".into(),
                reference: "-".into(),
                ratio: "-".into(),
                target: "< 500 ms".into(),
                met: "n/a".into(),
                memory: "-".into(),
            }
        } else {
            let n = stops.len();
            let worst = stops.iter().cloned().fold(0.0, f64::max);
            let ms = median(stops);
            Row {
                what: format!(
                    "Ctrl-C: PowerShell.Stop() of a running health check, endpoint black-holed on 127.0.0.1, -TimeoutSec 20 (state {}), median of {}",
                    stop_state, n
                ),
                csod: format!("{:.0} ms (worst {:.0} ms)", ms, worst),
                reference: "probe bound 20000 ms".into(),
                ratio: "-".into(),
                target: "< 500 ms".into(),
                met: yes(worst < 500.0 && stop_state == "Stopped"),
                memory: format!("pwsh {}", mib(stop_rss)),
            }
        });

        println!();
        println!("csod bench: {}", machine());
        println!(
            "data: {} ({:.0} MiB, CRLF), patterns: {} literal pieces from the catalog ({})",
            transcript.display(),
            bytes as f64 / MB,
            pieces.len(),
            patterns.display()
        );
        println!();
        println!("| measure | csod | reference | ratio | target | met | peak memory (max RSS) |");
        println!("| --- | --- | --- | --- | --- | --- | --- |");
        for r in rows {
            println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                r.what, r.csod, r.reference, r.ratio, r.target, r.met, r.memory
            );
        }
    }
}
