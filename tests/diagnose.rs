//! csod_diagnose through the C ABI: request parsing, network probes against
//! listeners on 127.0.0.1 (reachable, refused, black-holed) with the timing
//! bound, and host facts driving each rule.

mod common;
use common::finding;
use serde_json::{json, Value};
use std::ffi::CStr;
use std::net::{TcpListener, TcpStream};
use std::os::unix::io::AsRawFd;
use std::time::{Duration, Instant};

use csod::ffi::{
    csod_cancel, csod_cancel_free, csod_cancel_new, csod_diagnose, csod_diagnose_cancellable,
    csod_diagnose_cancellable_w, csod_diagnose_w, csod_last_error, csod_last_error_w,
    csod_string_free, csod_wstring_free, CsodCancel,
};

fn diagnose(request: Value) -> Value {
    common::diagnose(&request)
}

fn status(doc: &Value, id: &str) -> String {
    finding(doc, id)["status"].as_str().unwrap().to_string()
}

/// A request with no network work (one reachable listener) and these host facts.
fn with_host(host: Value) -> Value {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::mem::forget(l);
    json!({"timeout_ms": 1000, "endpoints": [{"name": "local", "host": "127.0.0.1", "port": port}], "host": host})
}

/// A port that refuses: bind a listener, note its port, drop it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A listener whose accept queue is full: new SYNs are dropped, so connects
/// time out. Returns the listener and the clients that fill its queue.
fn black_hole() -> (TcpListener, Vec<TcpStream>, u16) {
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

#[test]
fn reachable_refused_and_black_holed() {
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    let closed = closed_port();
    let (_bh, _fill, bh_port) = black_hole();
    let doc = diagnose(json!({
        "timeout_ms": 1500,
        "endpoints": [
            {"name": "open", "host": "127.0.0.1", "port": open_port},
            {"name": "closed", "host": "127.0.0.1", "port": closed},
            {"name": "hole", "host": "127.0.0.1", "port": bh_port},
            {"name": "byname", "host": "localhost", "port": open_port},
        ]
    }));
    assert_eq!(doc["schema"], 1);
    let fact = |id: &str| {
        doc["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(fact("network.open")["value"]["tcp"], "reachable");
    assert_eq!(fact("network.closed")["value"]["tcp"], "refused");
    assert_eq!(fact("network.hole")["value"]["tcp"], "timeout");
    assert_eq!(fact("network.hole")["value"]["port"], bh_port);
    assert_eq!(status(&doc, "network.open"), "ok");
    assert_eq!(status(&doc, "network.closed"), "problem");
    assert_eq!(status(&doc, "network.hole"), "problem");
    // Named endpoints replace the defaults, and the report names host and port.
    assert_eq!(doc["endpoints"].as_array().unwrap().len(), 4);
    assert!(finding(&doc, "network.closed")["summary"]
        .as_str()
        .unwrap()
        .contains(&format!("127.0.0.1:{}", closed)));
    // "localhost" resolves (through the resolver thread) and is reachable
    // unless it only resolves to ::1 here.
    let by = fact("network.byname");
    assert_eq!(by["value"]["dns"], "ok", "{}", by);
}

#[test]
fn four_black_holed_endpoints_cost_one_timeout() {
    let (_bh, _fill, port) = black_hole();
    let (_bh2, _fill2, port2) = black_hole();
    let eps: Vec<Value> = (0..4)
        .map(|i| json!({"name": format!("hole{}", i), "host": "127.0.0.1", "port": if i % 2 == 0 { port } else { port2 }}))
        .collect();
    let t = Instant::now();
    let doc = diagnose(json!({"timeout_ms": 2000, "endpoints": eps}));
    let wall = t.elapsed();
    eprintln!(
        "4 black-holed endpoints, timeout_ms 2000: wall {:?}, elapsed_ms {}",
        wall, doc["elapsed_ms"]
    );
    assert!(wall < Duration::from_secs(3), "took {:?}", wall);
    assert!(wall >= Duration::from_millis(1900), "took only {:?}", wall);
    for i in 0..4 {
        let id = format!("network.hole{}", i);
        assert_eq!(status(&doc, &id), "problem");
        let f = doc["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id.as_str())
            .unwrap();
        assert_eq!(f["value"]["tcp"], "timeout");
    }
    assert_eq!(doc["timeout_ms"], 2000);
}

/// A token pointer that may cross to another thread (the token is made for
/// exactly that: `csod_cancel` from any thread).
#[derive(Clone, Copy)]
struct Token(*mut CsodCancel);
unsafe impl Send for Token {}

/// Runs `csod_diagnose_cancellable` (or its UTF-16 form) on another thread
/// with a black-holed endpoint and a 20 s timeout, cancels it after
/// `after`, and returns how long the call took once cancelled, and its
/// outcome (the result, or the last error of that thread).
fn cancel_black_holed(wide: bool, after: Duration) -> (Duration, Result<String, String>) {
    let (_bh, _fill, port) = black_hole();
    let req = json!({"timeout_ms": 20000, "endpoints": [
        {"name": "hole", "host": "127.0.0.1", "port": port},
        {"name": "hole6", "host": "::1", "port": port}]})
    .to_string();
    let token = Token(csod_cancel_new());
    assert!(!token.0.is_null());
    let call = std::thread::spawn(move || {
        let t = token;
        let out = unsafe {
            if wide {
                let w: Vec<u16> = req.encode_utf16().chain(Some(0)).collect();
                let p = csod_diagnose_cancellable_w(w.as_ptr(), t.0);
                if p.is_null() {
                    let e = csod_last_error_w();
                    let n = (0..).take_while(|&i| *e.add(i) != 0).count();
                    let text = String::from_utf16_lossy(std::slice::from_raw_parts(e, n));
                    csod_wstring_free(e);
                    Err(text)
                } else {
                    let n = (0..).take_while(|&i| *p.add(i) != 0).count();
                    let text = String::from_utf16_lossy(std::slice::from_raw_parts(p, n));
                    csod_wstring_free(p);
                    Ok(text)
                }
            } else {
                let c = std::ffi::CString::new(req).unwrap();
                let p = csod_diagnose_cancellable(c.as_ptr(), t.0);
                if p.is_null() {
                    Err(CStr::from_ptr(csod_last_error())
                        .to_string_lossy()
                        .into_owned())
                } else {
                    let text = CStr::from_ptr(p).to_string_lossy().into_owned();
                    csod_string_free(p);
                    Ok(text)
                }
            }
        };
        (Instant::now(), out)
    });
    std::thread::sleep(after);
    let cancelled_at = Instant::now();
    unsafe { csod_cancel(token.0) };
    // A second cancel, as a second Ctrl-C would, is harmless.
    unsafe { csod_cancel(token.0) };
    let (returned_at, out) = call.join().unwrap();
    unsafe { csod_cancel_free(token.0) };
    assert!(
        returned_at >= cancelled_at,
        "the call returned {:?} before the cancel: {:?}",
        cancelled_at - returned_at,
        out
    );
    (returned_at - cancelled_at, out)
}

#[test]
fn cancel_stops_a_black_holed_diagnose_at_once() {
    for wide in [false, true] {
        let (latency, out) = cancel_black_holed(wide, Duration::from_millis(400));
        eprintln!(
            "csod_diagnose_cancellable{}: returned {:?} after csod_cancel (timeout 20 s)",
            if wide { "_w" } else { "" },
            latency
        );
        let err = out.expect_err("a cancelled diagnose returns NULL");
        assert!(err.starts_with("cancelled"), "{}", err);
        // A hang guard (the timeout is 20 s); scripts/bench measures it.
        assert!(latency < Duration::from_secs(3), "took {:?}", latency);
    }
}

#[test]
fn a_cancelled_token_returns_at_once_and_null_is_not_cancellable() {
    let token = csod_cancel_new();
    unsafe { csod_cancel(token) };
    let req = std::ffi::CString::new(r#"{"endpoints":[],"timeout_ms":100}"#).unwrap();
    let out = unsafe { csod_diagnose_cancellable(req.as_ptr(), token) };
    assert!(out.is_null());
    let e = unsafe { CStr::from_ptr(csod_last_error()) }.to_string_lossy();
    assert!(e.starts_with("cancelled"), "{}", e);
    assert_eq!(
        csod::ffi::csod_last_error_code(),
        csod::ffi::CSOD_ERROR_CANCELLED
    );
    unsafe { csod_cancel_free(token) };
    // NULL token: an ordinary diagnose; NULL and double-free-safe calls.
    let out = unsafe { csod_diagnose_cancellable(req.as_ptr(), std::ptr::null()) };
    assert!(!out.is_null());
    let doc: Value =
        serde_json::from_str(&unsafe { CStr::from_ptr(out) }.to_string_lossy()).unwrap();
    assert_eq!(doc["schema"], 1);
    unsafe {
        csod_string_free(out);
        csod_cancel(std::ptr::null());
        csod_cancel_free(std::ptr::null_mut());
    }
    // A token not cancelled changes nothing: the same report as csod_diagnose.
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let r = json!({"timeout_ms": 1000, "endpoints": [{"name": "open", "host": "127.0.0.1", "port": open.local_addr().unwrap().port()}]}).to_string();
    let c = std::ffi::CString::new(r).unwrap();
    let token = csod_cancel_new();
    let out = unsafe { csod_diagnose_cancellable(c.as_ptr(), token) };
    assert!(!out.is_null());
    let doc: Value =
        serde_json::from_str(&unsafe { CStr::from_ptr(out) }.to_string_lossy()).unwrap();
    unsafe {
        csod_string_free(out);
        csod_cancel_free(token);
    }
    assert_eq!(status(&doc, "network.open"), "ok");
}

#[test]
fn a_long_error_text_is_reported_truncated() {
    let long = format!(
        "{} {}",
        "The maximum number of concurrent shells for this user has been exceeded.",
        "x".repeat(csod::normalize::MAX_ANALYSED_BYTES + 10)
    );
    let doc = diagnose(json!({"endpoints": [], "timeout_ms": 100, "error": {"message": long}}));
    assert_eq!(doc["truncated"], true);
    let doc = diagnose(json!({"endpoints": [], "timeout_ms": 100, "error": {"message": "short"}}));
    assert!(doc.get("truncated").is_none(), "{}", doc);
}

#[test]
fn bad_requests_give_null_and_a_clear_error() {
    let null = unsafe { csod_diagnose(std::ptr::null()) };
    assert!(null.is_null());
    let e = unsafe { CStr::from_ptr(csod_last_error()) }
        .to_string_lossy()
        .into_owned();
    assert!(e.contains("NULL"), "{}", e);
    for (req, words) in [
        ("not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (r#"{"timeout_ms":-1}"#, "timeout_ms"),
        (r#"{"timeout_ms":"5"}"#, "timeout_ms must be a number"),
        (r#"{"endpoints":{}}"#, "endpoints must be an array"),
        (
            r#"{"endpoints":[{"port":443}]}"#,
            "endpoints[0].host is required",
        ),
        (r#"{"endpoints":[{"host":"a b"}]}"#, "not a host name"),
        (r#"{"endpoints":[{"host":"x","port":70000}]}"#, "1 to 65535"),
        (r#"{"endpoints":[{"host":"x","port":1.5}]}"#, "1 to 65535"),
        (r#"{"endpoints":[{"host":"x"},{"host":"x"}]}"#, "used twice"),
        (r#"{"endpoints":[{"host":"x","name":"a b"}]}"#, "name"),
        (r#"{"language":"xx"}"#, "unknown output language"),
        (r#"{"language":5}"#, "language must be a string"),
        (r#"{"host":[]}"#, "host must be an object"),
        (r#"{"host":{"version":5}}"#, "host.version must be a string"),
        (
            r#"{"host":{"sessions":[{"age_minutes":"old"}]}}"#,
            "host.sessions[0].age_minutes",
        ),
        (
            r#"{"host":{"execution_policy":{"LocalMachine":1}}}"#,
            "host.execution_policy.LocalMachine",
        ),
        (
            r#"{"host":{"wsman_client":"yes"}}"#,
            "host.wsman_client must be a boolean",
        ),
        (
            r#"{"host":{"modules":[{"loaded":1}]}}"#,
            "host.modules[0].loaded",
        ),
        (r#"{"error_host":"yes"}"#, "error_host must be a boolean"),
        (r#"{"error":"text"}"#, "error must be an object"),
        (r#"{"error":{}}"#, "request: error: record needs"),
    ] {
        let err = common::diagnose_call(req)
            .err()
            .unwrap_or_else(|| panic!("{} accepted", req));
        assert!(err.contains(words), "{}: {:?} lacks {:?}", req, err, words);
    }
}

#[test]
fn timeouts_are_clamped_and_unknown_keys_ignored() {
    let mut r = with_host(json!({}));
    r["timeout_ms"] = json!(0);
    r["future_key"] = json!({"anything": true});
    assert_eq!(diagnose(r.clone())["timeout_ms"], 100);
    r["timeout_ms"] = json!(1e12);
    assert_eq!(diagnose(r)["timeout_ms"], 30000);
}

#[test]
fn utf16_entry_point_in_french() {
    let mut r = with_host(json!({"os": "Windows", "edition": "Desktop", "version": "2.0"}));
    r["language"] = json!("fr");
    let w: Vec<u16> = r.to_string().encode_utf16().chain(Some(0)).collect();
    let out = unsafe { csod_diagnose_w(w.as_ptr()) };
    assert!(!out.is_null());
    let s = unsafe { widestring::U16CStr::from_ptr_str(out) }
        .to_string()
        .unwrap();
    unsafe { csod_wstring_free(out) };
    let doc: Value = serde_json::from_str(&s).unwrap();
    assert_eq!(doc["language"], "fr");
    let f = finding(&doc, "powershell.version");
    assert_eq!(f["status"], "problem");
    assert!(
        f["summary"].as_str().unwrap().contains("trop ancien"),
        "{}",
        f
    );
    assert!(unsafe { csod_diagnose_w(std::ptr::null()) }.is_null());
}

#[test]
fn ui_culture_picks_the_language() {
    let doc = diagnose(with_host(json!({"ui_culture": "fr-CA"})));
    assert_eq!(doc["language"], "fr");
    // A culture without output texts (Korean is a message language only):
    // English. German has its texts since issue 11 (tests/languages.rs).
    let doc = diagnose(with_host(json!({"ui_culture": "ko-KR"})));
    assert_eq!(doc["language"], "en");
}

fn windows_desktop(policy: Value) -> Value {
    with_host(
        json!({"os": "Windows", "edition": "Desktop", "version": "5.1.19041.4648", "execution_policy": policy}),
    )
}

#[test]
fn execution_policy_rules() {
    let doc = diagnose(windows_desktop(json!({"LocalMachine": "Restricted"})));
    let f = finding(&doc, "execution_policy.windows_powershell");
    assert_eq!(f["status"], "problem");
    assert_eq!(f["problem"], "execution_policy");
    assert!(f["fix"].as_str().unwrap().contains("RemoteSigned"));
    let doc = diagnose(windows_desktop(json!({"LocalMachine": "RemoteSigned"})));
    assert_eq!(status(&doc, "execution_policy.windows_powershell"), "ok");
    // CurrentUser beats LocalMachine.
    let doc = diagnose(windows_desktop(
        json!({"CurrentUser": "RemoteSigned", "LocalMachine": "Restricted"}),
    ));
    assert_eq!(status(&doc, "execution_policy.windows_powershell"), "ok");
    // Group Policy beats both, and no local fix is offered.
    let doc = diagnose(windows_desktop(
        json!({"MachinePolicy": "AllSigned", "UserPolicy": "Undefined", "Process": "Undefined", "CurrentUser": "RemoteSigned", "LocalMachine": "RemoteSigned"}),
    ));
    let f = finding(&doc, "execution_policy.windows_powershell");
    assert_eq!(f["status"], "problem");
    assert!(f["evidence"].to_string().contains("MachinePolicy"), "{}", f);
    assert!(f["fix"].is_null());
    assert!(f["resolution"][0]
        .as_str()
        .unwrap()
        .contains("Group Policy"));
    // Every scope Undefined: Restricted.
    let doc = diagnose(windows_desktop(json!({"Process": "Undefined"})));
    assert_eq!(
        status(&doc, "execution_policy.windows_powershell"),
        "problem"
    );
    // The host's effective policy is the authority.
    let mut r = windows_desktop(json!({"LocalMachine": "Restricted"}));
    r["host"]["effective_execution_policy"] = json!("Bypass");
    assert_eq!(
        status(&diagnose(r), "execution_policy.windows_powershell"),
        "ok"
    );
    // A Core host's list describes PowerShell 7.
    let mut r = windows_desktop(json!({"LocalMachine": "AllSigned"}));
    r["host"]["edition"] = json!("Core");
    r["host"]["version"] = json!("7.4.6");
    let doc = diagnose(r);
    assert_eq!(status(&doc, "execution_policy.powershell7"), "problem");
}

#[test]
fn powershell_version_rules() {
    let doc = diagnose(with_host(json!({"version": "2.0"})));
    let f = finding(&doc, "powershell.version");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("powershell_version"))
    );
    assert_eq!(
        status(
            &diagnose(with_host(json!({"version": "5.1.1"}))),
            "powershell.version"
        ),
        "ok"
    );
    assert_eq!(
        status(
            &diagnose(with_host(json!({"version": "7.4.6"}))),
            "powershell.version"
        ),
        "ok"
    );
}

fn sessions(list: Value) -> Value {
    with_host(json!({"os": "Windows", "sessions": list}))
}

#[test]
fn session_rules() {
    let s = |n: &str, age: Value| json!({"name": n, "computer_name": "admin1a.online.lync.com", "state": "Opened", "availability": "Available", "age_minutes": age});
    let doc = diagnose(sessions(json!([
        s("S1", json!(5)),
        s("S2", json!(10)),
        s("S3", Value::Null)
    ])));
    let f = finding(&doc, "sessions.count");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("shells_per_user"))
    );
    assert_eq!(f["evidence"].as_array().unwrap().len(), 3);
    assert_eq!(status(&doc, "sessions.age"), "ok");
    let doc = diagnose(sessions(
        json!([s("S1", json!(61.5)), {"name": "other", "computer_name": "server.contoso.com", "state": "Opened"}]),
    ));
    assert_eq!(status(&doc, "sessions.count"), "ok");
    let f = finding(&doc, "sessions.age");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("session_expired"))
    );
    assert_eq!(
        status(
            &diagnose(sessions(json!([s("S1", json!(60))]))),
            "sessions.age"
        ),
        "problem"
    );
    assert_eq!(
        status(
            &diagnose(sessions(json!([s("S1", json!(55))]))),
            "sessions.age"
        ),
        "warning"
    );
    assert_eq!(
        status(
            &diagnose(sessions(json!([s("S1", Value::Null)]))),
            "sessions.age"
        ),
        "unknown"
    );
    assert_eq!(
        status(&diagnose(sessions(json!([]))), "sessions.age"),
        "not_applicable"
    );
    assert_eq!(
        status(&diagnose(with_host(json!({}))), "sessions.count"),
        "unknown"
    );
}

#[test]
fn connector_rules() {
    let doc = diagnose(with_host(
        json!({"modules": [{"name": "SkypeOnlineConnector", "version": "7.0.0.0", "path": "C:\\Program Files\\Common Files\\Skype for Business Online\\Modules\\SkypeOnlineConnector", "loaded": true}]}),
    ));
    let f = finding(&doc, "connector.installed");
    assert_eq!(
        (f["status"].as_str(), f["problem"].as_str()),
        (Some("problem"), Some("connector_retired"))
    );
    assert!(f["evidence"][0]
        .as_str()
        .unwrap()
        .contains("7.0.0.0 (loaded)"));
    let doc = diagnose(with_host(
        json!({"modules": [{"name": "MicrosoftTeams", "version": "6.6.0"}]}),
    ));
    assert_eq!(status(&doc, "connector.installed"), "ok");
}

#[test]
fn wsman_client_rule_outside_windows() {
    let doc = diagnose(with_host(
        json!({"os": "Linux", "edition": "Core", "version": "7.4.6", "wsman_client": false}),
    ));
    assert_eq!(status(&doc, "wsman.client"), "warning");
    assert_eq!(status(&doc, "winrm.basic_auth"), "not_applicable");
    assert_eq!(
        status(&doc, "execution_policy.windows_powershell"),
        "not_applicable"
    );
    let doc = diagnose(with_host(json!({"os": "Linux", "wsman_client": true})));
    assert_eq!(status(&doc, "wsman.client"), "ok");
}

#[test]
fn error_matches_order_the_findings() {
    let s = |n: &str| json!({"name": n, "computer_name": "admin1a.online.lync.com", "state": "Opened", "age_minutes": 3});
    let mut r = sessions(json!([s("S1"), s("S2")]));
    r["error"] = json!({"message": "Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user.", "fully_qualified_error_id": "-2144108123,PSSessionOpenFailed"});
    let doc = diagnose(r);
    assert_eq!(doc["matches"][0]["id"], "shells_per_user");
    let first = &doc["findings"][0];
    assert_eq!(first["id"], "sessions.count", "{:#}", doc["findings"]);
    assert_eq!(first["status"], "problem");
    assert!(first["summary"]
        .as_str()
        .unwrap()
        .contains("remove them first"));
    assert!(first["fix"].as_str().unwrap().contains("Remove-PSSession"));
    assert_eq!(first["explains"][0], "shells_per_user");
    // Without an error there are no matches.
    let doc = diagnose(sessions(json!([s("S1"), s("S2")])));
    assert!(doc.get("matches").is_none());
    assert_eq!(status(&doc, "sessions.count"), "ok");
}

#[test]
fn facts_say_why_windows_probes_do_not_apply_here() {
    let doc = diagnose(with_host(json!({})));
    let facts = doc["facts"].as_array().unwrap();
    let f = facts
        .iter()
        .find(|f| f["id"] == "service.msoidsvc")
        .unwrap();
    assert_eq!(f["state"], "not_applicable");
    assert!(f["reason"].as_str().unwrap().contains("Windows only"));
    assert_eq!(
        status(&doc, "sign_in_assistant.installed"),
        "not_applicable"
    );
    // Every finding has the documented shape.
    for f in doc["findings"].as_array().unwrap() {
        for k in [
            "id",
            "problem",
            "status",
            "summary",
            "evidence",
            "resolution",
            "fix",
        ] {
            assert!(f.get(k).is_some(), "{} lacks {}", f, k);
        }
    }
}

#[test]
fn execution_policy_is_not_applicable_outside_windows_and_desktop_by_default() {
    // A list without edition or version describes Windows PowerShell.
    let doc = diagnose(with_host(
        json!({"os": "Windows", "execution_policy": {"LocalMachine": "AllSigned"}}),
    ));
    assert_eq!(
        status(&doc, "execution_policy.windows_powershell"),
        "problem"
    );
    // On Linux, policies are not enforced whatever the list says.
    let doc = diagnose(with_host(
        json!({"os": "Linux", "edition": "Core", "version": "7.4.6",
        "execution_policy": {"LocalMachine": "Restricted"}}),
    ));
    assert_eq!(
        status(&doc, "execution_policy.powershell7"),
        "not_applicable"
    );
}

/// After a WinRM client failure naming a host, the report tries a TCP
/// handshake to that host's WinRM port (the port of a URI of the error
/// naming it) and nothing else new; after a connector error naming a
/// service host, no handshake is added.
#[test]
fn the_host_of_a_winrm_error_is_tried_on_its_port() {
    let closed = closed_port();
    let request = |error_host: bool| {
        json!({
            "timeout_ms": 1000,
            "endpoints": [],
            "error_host": error_host,
            "error": {
                "message": format!("New-PSSession : [127.0.0.1] Connecting to remote server 127.0.0.1 failed with the following error message : The client cannot connect to the destination specified in the request. Verify that the service on the destination is running and is accepting requests. Consult the logs and documentation for the WS-Management service running on the destination, most commonly IIS or WinRM. If the destination is the WinRM service, run the following command on the destination to analyze and configure the WinRM service: \"winrm quickconfig\". (http://127.0.0.1:{}/wsman)", closed),
                "fully_qualified_error_id": "CannotConnect,PSSessionOpenFailed"
            }
        })
    };
    let doc = diagnose(request(true));
    assert_eq!(
        doc["matches"][0]["id"], "winrm_cannot_connect",
        "{}",
        doc["matches"]
    );
    let fact = common::fact(&doc, "winrm.target");
    assert_eq!(fact["value"]["port"], closed);
    assert_eq!(fact["value"]["tcp"], "refused");
    assert!(
        fact["source"]
            .as_str()
            .unwrap()
            .contains("the host named in the error"),
        "{}",
        fact
    );
    let first = &doc["findings"][0];
    assert_eq!(first["id"], "winrm.target", "{}", doc["findings"]);
    assert_eq!(first["status"], "problem");
    assert_eq!(first["explains"], json!(["winrm_cannot_connect"]));
    assert_eq!(
        first["fix"],
        format!("Test-NetConnection 127.0.0.1 -Port {}", closed)
    );
    // Outside Windows the client configuration checks do not apply.
    for id in ["winrm.trusted_hosts", "winrm.auth", "winrm.credssp"] {
        assert_eq!(status(&doc, id), "not_applicable", "{}", id);
    }
    // A request that lists its endpoints has them contacted alone: the
    // host is named, not contacted (unless error_host says so).
    let doc = diagnose(request(false));
    let fact = common::fact(&doc, "winrm.target");
    assert_eq!(fact["state"], "not_applicable");
    assert_eq!(fact["value"]["host"], "127.0.0.1");
    assert!(fact["value"].get("tcp").is_none(), "{}", fact);
    assert_eq!(status(&doc, "winrm.target"), "not_applicable");

    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = open.local_addr().unwrap().port();
    let doc = diagnose(json!({
        "timeout_ms": 1000,
        "endpoints": [],
        "error_host": true,
        "error": {"message": format!("[127.0.0.1] Connecting to remote server 127.0.0.1 failed with the following error message : The WinRM client cannot process the request. If the authentication scheme is different from Kerberos, or if the client computer is not joined to a domain, then HTTPS transport must be used or the destination machine must be added to the TrustedHosts configuration setting. Use winrm.cmd to configure TrustedHosts. (http://127.0.0.1:{}/wsman)", port)}
    }));
    assert_eq!(
        doc["matches"][0]["id"], "trustedhosts_required",
        "{}",
        doc["matches"]
    );
    assert_eq!(status(&doc, "winrm.target"), "ok");

    // A connector error naming the service's host: no new host contacted.
    let doc = diagnose(json!({
        "timeout_ms": 1000,
        "endpoints": [],
        "error_host": true,
        "error": {"message": "New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user."}
    }));
    assert_eq!(doc["matches"][0]["id"], "shells_per_user");
    assert!(
        doc["facts"].as_array().unwrap().iter().all(
            |f| f["id"] != "winrm.target" && !f["id"].as_str().unwrap().starts_with("network.")
        ),
        "{}",
        doc["facts"]
    );
}
