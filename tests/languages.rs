//! Output languages through the C ABI: every language of
//! `src/catalog/texts/` (a new file is checked here with no change) gives
//! the whole catalog and a whole health check,
//! with no English left but commands, names and the evidence (records of
//! what was read, the same in every language).

mod common;
use serde_json::{json, Value};
use std::ffi::{CStr, CString};
use std::net::TcpListener;

use csod::ffi::{csod_catalog, csod_last_error, csod_string_free};

fn catalog(language: &str) -> Value {
    let l = CString::new(language).unwrap();
    let out = unsafe { csod_catalog(l.as_ptr()) };
    assert!(!out.is_null(), "{}: {:?}", language, unsafe {
        CStr::from_ptr(csod_last_error())
    });
    let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { csod_string_free(out) };
    serde_json::from_str(&s).unwrap()
}

/// Words only English sentences use (none is a German, French, Spanish or
/// Italian word, or a word of a command the texts quote).
const ENGLISH: &[&str] = &[
    "the", "is", "are", "not", "and", "of", "with", "this", "that", "cannot", "could", "be", "it",
    "its", "which", "when", "if", "only", "has", "have", "you", "your", "here", "then", "again",
    "to", "for", "from", "or", "by", "can", "should", "needs",
];

/// The output languages (`csod_catalog`'s list: the text files), English
/// first; every other one is checked whole.
fn output_languages() -> Vec<String> {
    catalog("en")["output_languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

/// Names that hold English words and stay as they are.
const NAMES: &[&str] = &[
    "Microsoft Online Services Sign-In Assistant for IT Professionals RTW",
    "Skype for Business Online, Windows PowerShell Module",
    "Skype for Business",
];

/// The English words of a text, once the names it quotes and what it
/// quotes as is (commands, paths, URLs: words joined by '-', '.', '\\',
/// '/', '$', '=' or '_') are left out.
fn english_words(text: &str) -> Vec<String> {
    let mut text = text.to_string();
    for n in NAMES {
        text = text.replace(n, " ");
    }
    text.split(|c: char| c.is_whitespace() || "()[]{},;:!?\"'«»„“”「」。、".contains(c))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.contains(['-', '.', '\\', '/', '$', '=', '_', '@', '*']))
        .map(|w| w.to_lowercase())
        .filter(|w| ENGLISH.contains(&w.as_str()))
        .collect()
}

fn assert_translated(lang: &str, what: &str, text: &str, english: &str) {
    assert!(!text.trim().is_empty(), "{} {}: empty", lang, what);
    assert_ne!(text, english, "{} {}: still English", lang, what);
    let words = english_words(text);
    assert!(
        words.is_empty(),
        "{} {}: English words {:?} in {:?}",
        lang,
        what,
        words,
        text
    );
}

#[test]
fn the_english_check_finds_english() {
    assert_eq!(
        english_words("The service is stopped: run Start-Service -Name msoidsvc, then try again."),
        vec!["the", "is", "then", "again"]
    );
    assert!(english_words("Führen Sie winrm set winrm/config/client/auth aus.").is_empty());
    assert!(english_words("netsh winhttp import proxy source=ie を実行します。").is_empty());
    assert!(english_words("Skype for Business Online コネクタ").is_empty());
}

#[test]
fn every_output_language_has_the_whole_catalog() {
    let en = catalog("en");
    let languages = output_languages();
    assert_eq!(languages[0], "en");
    for shipped in ["de", "fr", "ja"] {
        assert!(languages.iter().any(|l| l == shipped), "{:?}", languages);
    }
    let problems = en["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 37);
    // Every other output language, and culture names for the shipped ones.
    let mut requests: Vec<(String, String)> = languages[1..]
        .iter()
        .map(|l| (l.clone(), l.clone()))
        .collect();
    for (culture, lang) in [
        ("de-DE", "de"),
        ("de_AT", "de"),
        ("ja-JP", "ja"),
        ("JA", "ja"),
        ("fr-CA", "fr"),
    ] {
        requests.push((culture.to_string(), lang.to_string()));
    }
    for (request, lang) in &requests {
        let (request, lang) = (request.as_str(), lang.as_str());
        let doc = catalog(request);
        assert_eq!(doc["language"], lang, "{}", request);
        let got = doc["problems"].as_array().unwrap();
        assert_eq!(got.len(), problems.len(), "{}", lang);
        for (p, e) in got.iter().zip(problems) {
            let id = p["id"].as_str().unwrap();
            assert_eq!(p["id"], e["id"]);
            // Commands, links and signals are the same in every language.
            assert_eq!(p["fix"], e["fix"], "{} {}", lang, id);
            assert_eq!(p["doc"], e["doc"], "{} {}", lang, id);
            assert_eq!(p["signals"], e["signals"], "{} {}", lang, id);
            for field in ["title", "cause"] {
                assert_translated(
                    lang,
                    &format!("{}.{}", id, field),
                    p[field].as_str().unwrap(),
                    e[field].as_str().unwrap(),
                );
            }
            let steps = p["resolution"].as_array().unwrap();
            let en_steps = e["resolution"].as_array().unwrap();
            assert_eq!(steps.len(), en_steps.len(), "{} {}", lang, id);
            for (i, (s, x)) in steps.iter().zip(en_steps).enumerate() {
                assert_translated(
                    lang,
                    &format!("{}.resolution.{}", id, i + 1),
                    s.as_str().unwrap(),
                    x.as_str().unwrap(),
                );
            }
        }
        // The quotas come from facts.json, the same number in every language.
        let title = |d: &Value, id: &str| {
            d["problems"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == id)
                .unwrap()["title"]
                .as_str()
                .unwrap()
                .to_string()
        };
        assert!(title(&doc, "shells_per_user").contains('3'), "{}", lang);
        assert!(title(&doc, "shells_per_tenant").contains("20"), "{}", lang);
        assert!(title(&doc, "session_expired").contains("60"), "{}", lang);
    }
}

/// A port that refuses: bind a listener, note its port, drop it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A Windows host in a bad way: every check that can fail does, so every
/// finding says something.
fn broken_host(language: &str, port: u16) -> Value {
    let s = |n: &str, age: f64| json!({"name": n, "computer_name": "admin1a.online.lync.com", "state": "Opened", "availability": "Available", "age_minutes": age});
    json!({
        "language": language,
        "timeout_ms": 1000,
        "endpoints": [{"name": "closed", "host": "127.0.0.1", "port": port}],
        "host": {
            "os": "Windows", "edition": "Desktop", "version": "2.0",
            "execution_policy": {"MachinePolicy": "AllSigned", "LocalMachine": "RemoteSigned"},
            "sessions": [s("a", 5.0), s("b", 55.0), s("c", 75.0)],
            "modules": [{"name": "SkypeOnlineConnector", "version": "7.0.0.0", "loaded": true}],
            "wsman_client": true
        },
        "error": {"message": "New-PSSession : [admin1a.online.lync.com] Connecting to remote server admin1a.online.lync.com failed with the following error message : The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user."}
    })
}

#[test]
fn a_health_check_reads_whole_in_every_output_language() {
    let port = closed_port();
    let en = common::diagnose(&broken_host("en", port));
    let en_finding = |id: &str| common::finding(&en, id).clone();
    for lang in &output_languages()[1..] {
        let lang = lang.as_str();
        let doc = common::diagnose(&broken_host(lang, port));
        assert_eq!(doc["language"], lang);
        let findings = doc["findings"].as_array().unwrap();
        assert_eq!(findings.len(), en["findings"].as_array().unwrap().len());
        for f in findings {
            let id = f["id"].as_str().unwrap();
            let e = en_finding(id);
            // Same verdict and evidence, other words.
            assert_eq!(f["status"], e["status"], "{} {}", lang, id);
            assert_eq!(f["problem"], e["problem"], "{} {}", lang, id);
            assert_eq!(f["evidence"], e["evidence"], "{} {}", lang, id);
            assert_eq!(f["fix"], e["fix"], "{} {}", lang, id);
            assert_translated(
                lang,
                &format!("{} summary", id),
                f["summary"].as_str().unwrap(),
                e["summary"].as_str().unwrap(),
            );
            if let Some(steps) = f["resolution"].as_array() {
                let en_steps = e["resolution"].as_array().unwrap();
                assert_eq!(steps.len(), en_steps.len(), "{} {}", lang, id);
                for (s, x) in steps.iter().zip(en_steps) {
                    assert_translated(
                        lang,
                        &format!("{} step", id),
                        s.as_str().unwrap(),
                        x.as_str().unwrap(),
                    );
                }
            }
        }
        // The error's match and the finding that explains it.
        let m = &doc["matches"][0];
        assert_eq!(m["id"], "shells_per_user");
        assert_translated(
            lang,
            "match title",
            m["title"].as_str().unwrap(),
            en["matches"][0]["title"].as_str().unwrap(),
        );
        let first = &findings[0];
        assert_eq!(first["id"], "sessions.count");
        assert_eq!(first["explains"], json!(["shells_per_user"]));
    }
}

#[test]
fn the_ui_culture_picks_german_and_japanese() {
    for (culture, lang) in [("de-DE", "de"), ("de-CH", "de"), ("ja-JP", "ja")] {
        let mut r = broken_host("en", closed_port());
        r.as_object_mut().unwrap().remove("language");
        r["host"]["ui_culture"] = json!(culture);
        let doc = common::diagnose(&r);
        assert_eq!(doc["language"], lang, "{}", culture);
        let f = common::finding(&doc, "powershell.version");
        assert!(f["summary"].as_str().unwrap().starts_with("PowerShell 2.0"));
        assert!(english_words(f["summary"].as_str().unwrap()).is_empty());
    }
}
