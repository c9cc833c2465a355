//! What a child process of the bench measures (`bench --child <what>`).

use super::*;

pub fn child(args: &[String]) {
    match args.first().map(String::as_str) {
        Some("classify") => child_classify(),
        Some("scan") => child_scan(&args[1]),
        Some("diagnose") => child_diagnose(args[1].parse().unwrap_or(2000)),
        _ => fail("unknown child"),
    }
}

pub fn corpus_texts() -> Vec<(Option<String>, String)> {
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

pub fn child_classify() {
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

pub fn child_scan(path: &str) {
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
            serde_json::from_str(CStr::from_ptr(p).to_str().unwrap_or("{}")).unwrap_or_default();
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
pub fn black_hole() -> (u16, Vec<std::net::TcpStream>) {
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
            if let Ok(s) = std::net::TcpStream::connect_timeout(&target, Duration::from_millis(200))
            {
                fillers.push(s);
            }
        }
        (port, fillers)
    }
}

pub type DiagnoseFn = unsafe extern "C" fn(*const c_char) -> *mut c_char;

pub fn child_diagnose(timeout_ms: u64) {
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
    let holed = std::net::TcpStream::connect_timeout(&target, Duration::from_millis(300)).is_err();
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
