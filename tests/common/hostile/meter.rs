//! The hostile suites' allocation meter: the global allocator of each test
//! binary that includes tests/common/hostile/.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};
// ---- a per-thread allocation meter -------------------------------------------
//
// The library allocates through the test binary's global allocator, so this
// counts what a call costs: bytes live on this thread now, and the peak.

struct Meter;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|l| {
        let now = l.get() + delta;
        l.set(now);
        let _ = PEAK.try_with(|p| {
            if now > p.get() {
                p.set(now)
            }
        });
    });
}

unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        track(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        track(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        track(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Meter = Meter;

/// Runs `f` and returns its value, the time it took and the most memory it
/// held at once on this thread beyond what was live before.
/// One measured call at a time in a test binary: the library's regex
/// caches are pooled per process, and a call made while another thread holds
/// the pooled cache builds its own (megabytes), which would count here.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = LIVE.with(|l| l.get());
    PEAK.with(|p| p.set(base));
    let t = Instant::now();
    let v = f();
    let took = t.elapsed();
    let peak = PEAK.with(|p| p.get()) - base;
    (v, took, peak.max(0) as usize)
}

pub const MIB: usize = 1 << 20;
