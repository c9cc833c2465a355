//! Concurrency: 8 threads × 10 000 mixed calls give the same answers as one
//! thread; the last error is per thread; memory does not grow from one round
//! of threads to the next.

mod common;
use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

use csod::ffi::*;

/// Counts the bytes live in the whole process.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n as isize - l.size() as isize, Ordering::Relaxed);
        System.realloc(p, l, n)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const THREADS: usize = 8;
const CALLS: usize = 10_000;

unsafe fn take8(p: *mut c_char) -> String {
    if p.is_null() {
        format!(
            "ERR {}",
            CStr::from_ptr(csod_last_error()).to_string_lossy()
        )
    } else {
        let s = CStr::from_ptr(p).to_string_lossy().into_owned();
        csod_string_free(p);
        s
    }
}

unsafe fn take16(p: *mut u16) -> String {
    if p.is_null() {
        format!(
            "ERR {}",
            CStr::from_ptr(csod_last_error()).to_string_lossy()
        )
    } else {
        let mut n = 0;
        while *p.add(n) != 0 {
            n += 1;
        }
        let s = String::from_utf16_lossy(std::slice::from_raw_parts(p, n));
        csod_wstring_free(p);
        s
    }
}

/// One call: which export, what input. Inputs are owned so threads can share them.
#[derive(Clone)]
enum Call {
    Text(CString, Option<CString>),
    TextN(Vec<u8>, Option<CString>),
    TextW(Vec<u16>, Option<Vec<u16>>),
    Record(CString, Option<CString>),
    RecordW(Vec<u16>),
    Catalog(Option<CString>),
    CatalogW(Option<Vec<u16>>),
    NullText,
}

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

impl Call {
    fn run(&self) -> String {
        let opt = |l: &Option<CString>| l.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
        let optw =
            |l: &Option<Vec<u16>>| l.as_ref().map(|c| c.as_ptr()).unwrap_or(std::ptr::null());
        unsafe {
            match self {
                Call::Text(t, l) => take8(csod_classify(t.as_ptr(), opt(l))),
                Call::TextN(t, l) => take8(csod_classify_n(t.as_ptr(), t.len(), opt(l))),
                Call::TextW(t, l) => take16(csod_classify_w(t.as_ptr(), optw(l))),
                Call::Record(r, l) => take8(csod_classify_record(r.as_ptr(), opt(l))),
                Call::RecordW(r) => take16(csod_classify_record_w(r.as_ptr(), std::ptr::null())),
                Call::Catalog(l) => take8(csod_catalog(opt(l))),
                Call::CatalogW(l) => take16(csod_catalog_w(optw(l))),
                Call::NullText => take8(csod_classify(std::ptr::null(), std::ptr::null())),
            }
        }
    }
}

/// Every corpus sample through every form, plus bad input and catalogs.
fn calls() -> Vec<Call> {
    let mut texts: Vec<String> = Vec::new();
    let mut records: Vec<String> = Vec::new();
    for (_, s) in common::corpus_samples() {
        if let Some(t) = s["text"].as_str() {
            texts.push(t.to_string());
        }
        if let Some(r) = s.get("record") {
            records.push(r.to_string());
        }
    }
    let fr = || Some(CString::new("fr").unwrap());
    let mut v = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let lang = if i % 2 == 0 { None } else { fr() };
        v.push(Call::Text(CString::new(t.as_str()).unwrap(), lang.clone()));
        v.push(Call::TextN(t.as_bytes().to_vec(), lang));
        v.push(Call::TextW(
            w(t),
            if i % 3 == 0 { Some(w("fr-FR")) } else { None },
        ));
        let rec = serde_json::json!({ "message": t }).to_string();
        v.push(Call::Record(CString::new(rec.as_str()).unwrap(), fr()));
        v.push(Call::RecordW(w(&rec)));
    }
    for r in &records {
        v.push(Call::Record(CString::new(r.as_str()).unwrap(), None));
        v.push(Call::RecordW(w(r)));
    }
    // Bad input: each thread's failures must carry its own message.
    v.push(Call::NullText);
    v.push(Call::Text(CString::new("").unwrap(), None));
    v.push(Call::Text(
        CString::new("x").unwrap(),
        Some(CString::new("xx").unwrap()),
    ));
    v.push(Call::TextN(b"bad \xff utf8".to_vec(), None));
    v.push(Call::TextW(vec![0xD800, 0], None));
    v.push(Call::Record(CString::new("{\"message\":").unwrap(), None));
    v.push(Call::Record(CString::new("{\"message\":1}").unwrap(), None));
    v.push(Call::RecordW(w("[]")));
    v.push(Call::Catalog(None));
    v.push(Call::Catalog(fr()));
    v.push(Call::Catalog(Some(CString::new("klingon").unwrap())));
    v.push(Call::CatalogW(Some(w("fr-CA"))));
    v
}

#[test]
fn eight_threads_agree_with_one() {
    let calls = Arc::new(calls());
    let n = calls.len();
    // One thread: the answers.
    let t0 = Instant::now();
    let expected: Arc<Vec<String>> = Arc::new(calls.iter().map(|c| c.run()).collect());
    let single = t0.elapsed();
    let live_single = LIVE.load(Ordering::Relaxed);
    assert!(expected.iter().any(|e| e.starts_with("ERR ")));
    assert!(expected.iter().any(|e| e.contains("\"id\":")));

    let round = |threads: usize, per_thread: usize| {
        let start = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let calls = Arc::clone(&calls);
                let expected = Arc::clone(&expected);
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    let mut mismatches = 0;
                    for i in 0..per_thread {
                        // Each thread walks the calls in its own order.
                        let k = (i * (2 * t + 1) + t * 7919) % n;
                        let got = calls[k].run();
                        if got != expected[k] {
                            mismatches += 1;
                            if mismatches < 3 {
                                eprintln!(
                                    "thread {} call {}: {} != {}",
                                    t,
                                    k,
                                    &got[..got.len().min(200)],
                                    &expected[k][..expected[k].len().min(200)]
                                );
                            }
                        }
                    }
                    mismatches
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no thread panicked"))
            .sum::<usize>()
    };

    let t1 = Instant::now();
    let mismatches = round(THREADS, CALLS);
    let took = t1.elapsed();
    let live_after_first = LIVE.load(Ordering::Relaxed);
    assert_eq!(
        mismatches, 0,
        "{} answers differ from the single thread's",
        mismatches
    );
    // A second round of fresh threads: per-thread caches are reused, not added.
    let mismatches = round(THREADS, 1_000);
    let live_after_second = LIVE.load(Ordering::Relaxed);
    assert_eq!(mismatches, 0);
    let growth = live_after_second - live_after_first;
    println!(
        "{} distinct calls; one thread {:?}; {} threads x {} calls in {:?}; live memory after one thread {:.1} MiB, after round 1 {:.1} MiB, growth in round 2 {} bytes",
        n,
        single,
        THREADS,
        CALLS,
        took,
        live_single as f64 / (1 << 20) as f64,
        live_after_first as f64 / (1 << 20) as f64,
        growth
    );
    // Lazy DFA caches may still fill a little (bounded by their size limit);
    // a leak per call would show as megabytes here (8 000 calls).
    assert!(growth < (8 << 20), "memory grew by {} bytes", growth);
}

#[test]
fn last_error_is_per_thread() {
    const ROUNDS: usize = 2_000;
    let barrier = Arc::new(Barrier::new(3));
    let spawn = |kind: usize| {
        let barrier = Arc::clone(&barrier);
        std::thread::spawn(move || unsafe {
            let ok = CString::new(
                "The maximum number of concurrent shells for this user has been exceeded.",
            )
            .unwrap();
            let xx = CString::new("xx").unwrap();
            for _ in 0..ROUNDS {
                barrier.wait();
                match kind {
                    0 => {
                        let p = csod_classify(std::ptr::null(), std::ptr::null());
                        assert!(p.is_null());
                    }
                    1 => {
                        let p = csod_classify(ok.as_ptr(), std::ptr::null());
                        assert!(!p.is_null());
                        csod_string_free(p);
                    }
                    _ => {
                        let p = csod_catalog(xx.as_ptr());
                        assert!(p.is_null());
                    }
                }
                // Every thread has made its call before any reads its error.
                barrier.wait();
                let e = CStr::from_ptr(csod_last_error())
                    .to_str()
                    .unwrap()
                    .to_string();
                match kind {
                    0 => assert_eq!(e, "text is NULL"),
                    1 => assert_eq!(e, "", "another thread's failure leaked in"),
                    _ => assert!(e.starts_with("unknown output language \"xx\""), "{}", e),
                }
            }
        })
    };
    let hs: Vec<_> = (0..3).map(spawn).collect();
    for h in hs {
        h.join().expect("last error is per thread");
    }
    println!("last_error_is_per_thread: 3 threads x {} rounds", ROUNDS);
}
