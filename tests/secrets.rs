//! Secrets: the library never asks for, stores or prints a credential. It
//! has no function that takes one, keeps nothing between calls but the
//! thread's last error, and writes nothing to disk or network. What it
//! returns is catalog text plus the fields it cuts from the error (user,
//! host, PowerShell versions, module path) and the language-free evidence
//! (FullyQualifiedErrorId, codes, exception type, a catalog command name).
//!
//! This test puts generated password-like strings where a copied error or a
//! caught ErrorRecord can carry them (the script line of the error view, a
//! line after the message, extra record keys, the record's command) into
//! every sample of the corpus, and checks that no output echoes them while
//! the classification stays the same.

use std::ffi::{CStr, CString};

use csod::ffi::*;

mod common;
use common::Rng;

/// A password-like string from the generator.
fn password(gen: &mut Rng) -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%&*-_=+?@";
    let len = 10 + gen.below(10);
    (0..len)
        .map(|_| CHARS[gen.below(CHARS.len())] as char)
        .collect()
}

fn samples() -> Vec<(String, String)> {
    common::corpus_samples()
        .into_iter()
        .filter_map(|(_, s)| match (s["expect"].as_str(), s["text"].as_str()) {
            (Some(id), Some(t)) => Some((id.to_string(), t.to_string())),
            _ => None,
        })
        .collect()
}

fn classify(text: &str) -> String {
    let c = CString::new(text).unwrap();
    unsafe {
        let p = csod_classify(c.as_ptr(), std::ptr::null());
        assert!(!p.is_null(), "{:?}", CStr::from_ptr(csod_last_error()));
        let s = CStr::from_ptr(p).to_str().unwrap().to_string();
        csod_string_free(p);
        s
    }
}

fn classify_w(text: &str) -> String {
    let w: Vec<u16> = text.encode_utf16().chain(Some(0)).collect();
    unsafe {
        let p = csod_classify_w(w.as_ptr(), std::ptr::null());
        assert!(!p.is_null());
        let mut n = 0;
        while *p.add(n) != 0 {
            n += 1;
        }
        let s = String::from_utf16(std::slice::from_raw_parts(p, n)).unwrap();
        csod_wstring_free(p);
        s
    }
}

fn classify_record(record: &serde_json::Value) -> String {
    let c = CString::new(record.to_string()).unwrap();
    unsafe {
        let p = csod_classify_record(c.as_ptr(), std::ptr::null());
        assert!(!p.is_null(), "{:?}", CStr::from_ptr(csod_last_error()));
        let s = CStr::from_ptr(p).to_str().unwrap().to_string();
        csod_string_free(p);
        s
    }
}

fn first_id(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["matches"][0]["id"].as_str().map(|s| s.to_string())
}

#[test]
fn no_output_echoes_a_password() {
    let mut gen = Rng(0x5EC2E7_C0FFEE);
    let mut cases = 0;
    for (id, text) in samples() {
        let plain = first_id(&classify(&text));
        assert_eq!(plain.as_deref(), Some(id.as_str()), "corpus sample changed");
        for _ in 0..3 {
            let pw = password(&mut gen);
            // Where a secret rides along with an error.
            let texts = [
                // The error view's script line (what the admin typed).
                format!(
                    "{}\nAt line:1 char:1\n+ $cred = New-Object System.Management.Automation.PSCredential('admin@contoso.com', (ConvertTo-SecureString '{}' -AsPlainText -Force))\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : OpenError: (:) [New-PSSession], PSRemotingTransportException",
                    text, pw
                ),
                // Lines copied after the message.
                format!("{}\nPassword: {}", text, pw),
                format!("{}\n$password = \"{}\"", text, pw),
                format!("{}\nNew-CsOnlineSession -Credential $c  # pw={}", text, pw),
            ];
            for t in &texts {
                for out in [classify(t), classify_w(t)] {
                    assert!(
                        !out.contains(&pw),
                        "the output of {} echoes the password {:?}:\n{}",
                        id,
                        pw,
                        out
                    );
                    cases += 1;
                }
            }
            let records = [
                serde_json::json!({"message": text, "password": pw}),
                serde_json::json!({"message": text, "credential": {"user": "a@b.com", "password": pw}}),
                serde_json::json!({"message": text, "target_object": pw, "command": pw}),
                serde_json::json!({"message": text, "category": pw}),
            ];
            for r in &records {
                let out = classify_record(r);
                assert!(
                    !out.contains(&pw),
                    "the output of record {} echoes the password {:?}:\n{}",
                    id,
                    pw,
                    out
                );
                assert_eq!(first_id(&out).as_deref(), Some(id.as_str()), "{}", r);
                cases += 1;
            }
        }
    }
    println!("no_output_echoes_a_password: {} cases", cases);
    assert!(cases > 500);
}

#[test]
fn last_error_does_not_quote_a_secret_value() {
    // A secret in a wrong-typed field is named by its key and type, not echoed.
    let pw = password(&mut Rng(42));
    let doc = serde_json::json!({"message": "x", "password": pw, "hresult": [pw]}).to_string();
    let c = CString::new(doc).unwrap();
    unsafe {
        let p = csod_classify_record(c.as_ptr(), std::ptr::null());
        assert!(p.is_null());
        let e = CStr::from_ptr(csod_last_error()).to_str().unwrap();
        assert!(
            e.contains("\"hresult\" must be a number, not an array"),
            "{}",
            e
        );
        assert!(!e.contains(&pw), "{}", e);
    }
}

#[test]
fn diagnose_does_not_echo_a_password_from_the_error() {
    let mut gen = Rng(7);
    let mut cases = 0;
    for (id, text) in samples().into_iter().step_by(3) {
        let pw = password(&mut gen);
        let request = serde_json::json!({
            "endpoints": [], "timeout_ms": 100, "password": pw,
            "error": {"message": format!("{}\nPassword: {}", text, pw), "password": pw},
        });
        let c = CString::new(request.to_string()).unwrap();
        unsafe {
            let p = csod::ffi::csod_diagnose(c.as_ptr());
            assert!(!p.is_null(), "{:?}", CStr::from_ptr(csod_last_error()));
            let out = CStr::from_ptr(p).to_str().unwrap().to_string();
            csod_string_free(p);
            assert!(!out.contains(&pw), "diagnose of {} echoes {:?}", id, pw);
            assert!(out.contains(&format!("\"id\":\"{}\"", id)), "{}", id);
        }
        cases += 1;
    }
    println!(
        "diagnose_does_not_echo_a_password_from_the_error: {} cases",
        cases
    );
}
