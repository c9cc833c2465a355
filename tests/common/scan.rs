//! What the scan suites share (tests/scan.rs, tests/scan_chunking.rs, each with
//! `#[path = "common/scan.rs"] mod scan;` next to `mod common;`): transcripts
//! generated with PowerShell-like noise and planted errors, their encodings,
//! the scan calls through the C ABI and the check of a result against what
//! was planted.
#![allow(dead_code)]

#[path = "console.rs"]
mod console;

use crate::common;
use crate::common::Rng;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use csod::ffi::*;

pub struct Sample {
    pub expect: Option<String>,
    pub text: String,
    pub language: String,
}

pub fn samples() -> Vec<Sample> {
    common::corpus_samples()
        .into_iter()
        .filter_map(|(language, s)| {
            s["text"].as_str().map(|text| Sample {
                expect: s["expect"].as_str().map(String::from),
                text: text.to_string(),
                language,
            })
        })
        .collect()
}

pub const NOISE: &[&str] = &[
    "PS C:\\Users\\admin> Get-Service WinRM",
    "",
    "Status   Name               DisplayName",
    "------   ----               -----------",
    "Running  WinRM              Windows Remote Management (WS-Manag...",
    "VERBOSE: Performing the operation \"Set-CsUser\" on target \"kenmyer@litwareinc.com\".",
    "WARNING: The names of some imported commands from the module 'tmp_x1yz.abc' include unapproved verbs that might make them less discoverable.",
    "Processing user 1843 of 12000: adele.vance@contoso.com (policy disabled for this user, skipping)",
    "Logon script finished; 3 modules loaded, execution of scheduled tasks continues.",
    "Id     Name            PSJobTypeName   State         HasMoreData     Location",
    "3      Session3        RemoteJob       Completed     True            admin1a.online.lync.com",
    "The operation completed successfully.",
    "Transcript started, output file is C:\\Logs\\run-2024-05-01.txt",
    "Identity : sip:ken.myer@contoso.com   Enabled : True   LineURI : tel:+14255550100",
    "PS C:\\Users\\admin> $sessions = Get-PSSession; $sessions.Count",
    "2",
    "The tenant has 20 licensed users with remote PowerShell access enabled; maximum reached on Monday.",
    "Error count: 0. UnauthorizedAccessCount: 0. The quick brown fox.",
    "Le module a été chargé. L'utilisateur dispose d'une licence; la stratégie est désactivée pour ce test.",
    "Name                           Value\n----                           -----\nPSVersion                      5.1.19041.4648",
    "    Directory: C:\\Program Files\\Common Files\\Skype for Business Online\\Modules",
];

pub const HEADER: &str = "**********************\nWindows PowerShell transcript start\nStart time: 20240501093000\nUsername: CONTOSO\\admin\nRunAs User: CONTOSO\\admin\nMachine: ADMIN01 (Microsoft Windows NT 10.0.19045.0)\nHost Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\nProcess ID: 4242\nPSVersion: 5.1.19045.4291\n**********************";

pub use console::wrap;

pub fn with_tail(text: &str) -> String {
    if text.contains("FullyQualifiedErrorId") {
        return text.to_string();
    }
    let cmd = text.split(" : ").next().unwrap_or("Invoke-Thing").trim();
    let cmd = if cmd.len() < 40 && !cmd.contains(' ') {
        cmd
    } else {
        "Invoke-Thing"
    };
    format!(
        "{}\nAt C:\\Scripts\\nightly.ps1:12 char:5\n+     {} -Verbose\n+     ~~~~~~~~~~~~~~\n    + CategoryInfo          : NotSpecified: (:) [{}], Exception\n    + FullyQualifiedErrorId : Csod.TestError,Microsoft.PowerShell.Commands.WriteErrorCommand",
        text, cmd, cmd
    )
}

pub struct Planted {
    pub line: u64,
    /// Offset in characters of the error's first line in the text (LF).
    pub text_pos: usize,
    pub id: String,
}

/// Builds a transcript (LF line ends) and the errors planted in it.
pub fn transcript(rng: &mut Rng, samples: &[Sample], errors: usize) -> (String, Vec<Planted>) {
    let mut text = String::from(HEADER);
    text.push('\n');
    let mut planted = Vec::new();
    let mut order: Vec<usize> = (0..samples.len()).collect();
    for i in 0..errors {
        for _ in 0..(1 + rng.below(6)) {
            let noise = NOISE[rng.below(NOISE.len())];
            text.push_str(noise);
            text.push('\n');
        }
        if i % samples.len() == 0 {
            // Shuffle so that every sample appears, in a different order.
            for k in (1..order.len()).rev() {
                order.swap(k, rng.below(k + 1));
            }
        }
        let s = &samples[order[i % samples.len()]];
        let mut err = s.text.clone();
        if rng.below(2) == 0 {
            err = with_tail(&err);
        }
        // Samples with several lines are console renderings already.
        if rng.below(2) == 0 && !s.text.contains('\n') {
            err = wrap(&err, 60 + rng.below(100));
        }
        // An error without a `Verb-Noun : ` head is found after a prompt or
        // a blank line, as PowerShell prints it after a command; after other
        // output a wrapped one is reported where its message is recognised
        // (see src/scan.rs), which this test does not plant.
        let headless = !csod::scan::is_error_head(s.text.lines().next().unwrap_or(""));
        if headless && !text.ends_with("\n\n") && rng.below(2) == 0 {
            text.push('\n');
        } else if headless || rng.below(3) == 0 {
            text.push_str("PS C:\\Users\\admin> .\\nightly.ps1\n");
        }
        let line = text.matches('\n').count() as u64 + 1;
        if let Some(id) = &s.expect {
            planted.push(Planted {
                line,
                text_pos: text.len(),
                id: id.clone(),
            });
        }
        text.push_str(&err);
        text.push('\n');
        if rng.below(2) == 0 {
            text.push('\n');
        }
    }
    text.push_str("**********************\nWindows PowerShell transcript end\nEnd time: 20240501094500\n**********************\n");
    (text, planted)
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Enc {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

pub fn encode(text: &str, enc: Enc) -> Vec<u8> {
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Enc::Utf16Le => {
            let mut v = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                v.extend_from_slice(&u.to_le_bytes());
            }
            v
        }
        Enc::Utf16Be => {
            let mut v = vec![0xFE, 0xFF];
            for u in text.encode_utf16() {
                v.extend_from_slice(&u.to_be_bytes());
            }
            v
        }
    }
}

/// Byte offset in the encoded input of text position `pos`.
pub fn offset_of(text: &str, pos: usize, enc: Enc) -> u64 {
    let prefix = &text[..pos];
    match enc {
        Enc::Utf8 => pos as u64,
        Enc::Utf8Bom => 3 + pos as u64,
        Enc::Utf16Le | Enc::Utf16Be => 2 + 2 * prefix.encode_utf16().count() as u64,
    }
}

pub fn take_json(p: *mut c_char) -> Value {
    unsafe {
        assert!(
            !p.is_null(),
            "NULL: {}",
            CStr::from_ptr(csod_last_error()).to_string_lossy()
        );
        let v = serde_json::from_str(CStr::from_ptr(p).to_str().unwrap()).unwrap();
        csod_string_free(p);
        v
    }
}

pub fn scan_whole(data: &[u8], options: Option<&str>) -> Value {
    let o = options.map(|o| CString::new(o).unwrap());
    let p = unsafe {
        csod_scan(
            data.as_ptr(),
            data.len(),
            o.as_ref().map(|o| o.as_ptr()).unwrap_or(std::ptr::null()),
        )
    };
    take_json(p)
}

pub fn scan_chunked(data: &[u8], rng: &mut Rng, max_chunk: usize) -> Value {
    unsafe {
        let s = csod_scanner_new(std::ptr::null());
        assert!(!s.is_null());
        let mut at = 0;
        while at < data.len() {
            let n = (1 + rng.below(max_chunk)).min(data.len() - at);
            assert_eq!(csod_scanner_feed(s, data[at..].as_ptr(), n), 0);
            at += n;
        }
        let v = take_json(csod_scanner_finish(s));
        csod_scanner_free(s);
        v
    }
}

pub fn hits_of(v: &Value) -> BTreeSet<(u64, u64, String)> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["line"].as_u64().unwrap(),
                h["offset"].as_u64().unwrap(),
                h["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn check(label: &str, v: &Value, text: &str, planted: &[Planted], enc: Enc, data_len: usize) {
    let want: BTreeSet<(u64, u64, String)> = planted
        .iter()
        .map(|p| (p.line, offset_of(text, p.text_pos, enc), p.id.clone()))
        .collect();
    let got = hits_of(v);
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    if !missing.is_empty() || !extra.is_empty() {
        let lines: Vec<&str> = text.split('\n').collect();
        let show = |l: u64| {
            let i = l as usize - 1;
            lines[i.saturating_sub(2)..(i + 4).min(lines.len())].join("\n")
        };
        let mut msg = format!(
            "{}: {} missing, {} extra\n",
            label,
            missing.len(),
            extra.len()
        );
        for m in missing.iter().take(5) {
            msg.push_str(&format!("MISSING {:?}:\n{}\n---\n", m, show(m.0)));
        }
        for m in extra.iter().take(5) {
            msg.push_str(&format!("EXTRA {:?}:\n{}\n---\n", m, show(m.0)));
        }
        panic!("{}", msg);
    }
    assert_eq!(v["schema"], 1);
    assert_eq!(v["bytes"].as_u64().unwrap(), data_len as u64, "{}", label);
    let lines = text.matches('\n').count() as u64;
    assert_eq!(v["lines"].as_u64().unwrap(), lines, "{}", label);
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for p in planted {
        *counts.entry(p.id.clone()).or_insert(0) += 1;
    }
    let got_counts: BTreeMap<String, u64> = v["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect();
    assert_eq!(got_counts, counts, "{}", label);
    assert_eq!(v["truncated"], false);
}
