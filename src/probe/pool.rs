//! Process-wide pools for the probe calls that cannot be cancelled: a name
//! lookup (`getaddrinfo`) and the OS probes (registry, service manager,
//! files), which may block far past any deadline.
//!
//! The caller waits for a job until its deadline and then gives it up
//! ("abandoned"); the job keeps its thread until it returns. So that
//! repeated calls against a resolver or a service manager that never
//! answers do not leave one thread behind each time:
//! - each pool has at most `cap` threads for the whole process; a thread
//!   that finishes a job takes the next one, and one idle for
//!   [`IDLE_EXIT`] ends;
//! - a job has a key (`host:port`, the OS fact's id): a call that needs a
//!   key already queued or running waits for that run instead of starting
//!   another one, so a probe that never returns holds one thread, not one
//!   per call;
//! - a queued job that nobody waits for any more is dropped unrun.
//!
//! The reason a caller gets when it gives up says which probe it was and
//! why: not started (every thread busy with probes that have not
//! returned), or started and not answered (by this call, or by an earlier
//! one that this call joined).

use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::cancel::{Cancel, POLL};

/// What [`Ticket::wait_or_cancel`] gives when its token was cancelled.
pub const CANCELLED: &str = "cancelled";

/// A pool thread with nothing to do for this long ends.
pub const IDLE_EXIT: Duration = Duration::from_secs(30);

/// One run of a job, shared by every caller waiting for it.
struct Slot<T> {
    state: Mutex<SlotState<T>>,
    done: Condvar,
}

struct SlotState<T> {
    queued: Instant,
    started: Option<Instant>,
    result: Option<Result<T, String>>,
}

type Job<T> = Box<dyn FnOnce() -> T + Send + 'static>;

struct Task<T> {
    key: String,
    slot: Arc<Slot<T>>,
    job: Job<T>,
}

struct Inner<T> {
    queue: VecDeque<Task<T>>,
    threads: usize,
    idle: usize,
    /// Runs queued or under way, by key.
    runs: HashMap<String, Weak<Slot<T>>>,
}

/// A bounded pool (see the module documentation).
pub struct Pool<T> {
    /// Thread name, and what the threads do in a reason ("resolver").
    name: &'static str,
    what: &'static str,
    cap: usize,
    inner: Mutex<Inner<T>>,
    wake: Condvar,
}

/// A caller's claim on a run: wait for it with [`Ticket::wait`].
pub struct Ticket<T> {
    slot: Arc<Slot<T>>,
    key: String,
    joined: bool,
    cap: usize,
    what: &'static str,
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    // A panic never happens under these locks (jobs run outside them), but
    // a poisoned lock must not take the pool down.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<T: Clone + Send + 'static> Pool<T> {
    pub fn new(name: &'static str, what: &'static str, cap: usize) -> Pool<T> {
        Pool {
            name,
            what,
            cap,
            inner: Mutex::new(Inner {
                queue: VecDeque::new(),
                threads: 0,
                idle: 0,
                runs: HashMap::new(),
            }),
            wake: Condvar::new(),
        }
    }

    /// Threads the pool has now (busy, stuck or idle), for the tests.
    pub fn threads(&self) -> usize {
        lock(&self.inner).threads
    }

    /// Queues `job` under `key`, or joins the run of `key` already queued or
    /// under way. Err when no thread can be started at all.
    pub fn submit<F>(&'static self, key: &str, job: F) -> Result<Ticket<T>, String>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let mut g = lock(&self.inner);
        // Queued runs nobody waits for any more: dropped unrun.
        let mut dropped = Vec::new();
        g.queue.retain(|t| {
            let wanted = Arc::strong_count(&t.slot) > 1;
            if !wanted {
                dropped.push(t.key.clone());
            }
            wanted
        });
        g.runs.retain(|_, w| w.strong_count() > 0);
        if let Some(slot) = g.runs.get(key).and_then(Weak::upgrade) {
            return Ok(Ticket {
                slot,
                key: key.to_string(),
                joined: true,
                cap: self.cap,
                what: self.what,
            });
        }
        let slot = Arc::new(Slot {
            state: Mutex::new(SlotState {
                queued: Instant::now(),
                started: None,
                result: None,
            }),
            done: Condvar::new(),
        });
        g.runs.insert(key.to_string(), Arc::downgrade(&slot));
        g.queue.push_back(Task {
            key: key.to_string(),
            slot: slot.clone(),
            job: Box::new(job),
        });
        if g.queue.len() > g.idle && g.threads < self.cap {
            let spawned = std::thread::Builder::new()
                .name(self.name.to_string())
                .spawn(move || self.work());
            match spawned {
                Ok(_) => g.threads += 1,
                Err(e) if g.threads == 0 => {
                    g.queue.pop_back();
                    g.runs.remove(key);
                    return Err(format!("cannot start a {} thread: {}", self.what, e));
                }
                // The threads there are will take it.
                Err(_) => self.wake.notify_one(),
            }
        } else {
            self.wake.notify_one();
        }
        Ok(Ticket {
            slot,
            key: key.to_string(),
            joined: false,
            cap: self.cap,
            what: self.what,
        })
    }

    fn work(&'static self) {
        let mut g = lock(&self.inner);
        loop {
            let task = match g.queue.pop_front() {
                Some(t) => t,
                None => {
                    g.idle += 1;
                    let (ng, waited) = self
                        .wake
                        .wait_timeout(g, IDLE_EXIT)
                        .unwrap_or_else(|e| e.into_inner());
                    g = ng;
                    g.idle -= 1;
                    if waited.timed_out() && g.queue.is_empty() {
                        g.threads -= 1;
                        return;
                    }
                    continue;
                }
            };
            if Arc::strong_count(&task.slot) <= 1 {
                // Nobody waits for it any more.
                forget_run(&mut g.runs, &task.key, &task.slot);
                continue;
            }
            lock(&task.slot.state).started = Some(Instant::now());
            drop(g);
            let Task { key, slot, job } = task;
            let result = catch_unwind(AssertUnwindSafe(job)).map_err(|_| {
                format!(
                    "the {} failed unexpectedly (a panic in the probe)",
                    self.what
                )
            });
            // The next caller of this key starts a new run.
            g = lock(&self.inner);
            forget_run(&mut g.runs, &key, &slot);
            drop(g);
            lock(&slot.state).result = Some(result);
            slot.done.notify_all();
            drop(slot);
            g = lock(&self.inner);
        }
    }
}

fn forget_run<T>(runs: &mut HashMap<String, Weak<Slot<T>>>, key: &str, slot: &Arc<Slot<T>>) {
    if let Some(w) = runs.get(key) {
        if std::ptr::eq(w.as_ptr(), Arc::as_ptr(slot)) {
            runs.remove(key);
        }
    }
}

impl<T: Clone> Ticket<T> {
    /// Waits for the run until `deadline`; Err says why it was given up
    /// ("abandoned: …").
    pub fn wait(self, deadline: Instant) -> Result<T, String> {
        self.wait_until(deadline, None)
    }

    /// `wait` that also gives up, with Err([`CANCELLED`]), within a
    /// [`POLL`] slice of `cancel` being cancelled (`csod_cancel`); the run
    /// goes on for the callers that still wait for it.
    pub fn wait_or_cancel(self, deadline: Instant, cancel: &Cancel) -> Result<T, String> {
        self.wait_until(deadline, Some(cancel))
    }

    fn wait_until(self, deadline: Instant, cancel: Option<&Cancel>) -> Result<T, String> {
        let mut st = lock(&self.slot.state);
        loop {
            if let Some(r) = &st.result {
                return r.clone();
            }
            if cancel.map(Cancel::is_cancelled).unwrap_or(false) {
                return Err(CANCELLED.to_string());
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let mut slice = deadline - now;
            if cancel.is_some() {
                slice = slice.min(POLL);
            }
            st = self
                .slot
                .done
                .wait_timeout(st, slice)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Err(match st.started {
            None => format!(
                "abandoned: the {} {} was not started, all {} {} threads are held by probes that have not returned",
                self.what, self.key, self.cap, self.what
            ),
            Some(_) if self.joined => format!(
                "abandoned: the {} {}, started {} ms ago by an earlier call, has not returned",
                self.what,
                self.key,
                st.queued.elapsed().as_millis()
            ),
            Some(_) => format!("abandoned: the {} {} has not returned", self.what, self.key),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static GATE: Mutex<bool> = Mutex::new(false);
    static OPENED: Condvar = Condvar::new();

    fn blocked() -> u32 {
        let mut open = lock(&GATE);
        while !*open {
            open = OPENED.wait(open).unwrap_or_else(|e| e.into_inner());
        }
        1
    }

    #[test]
    fn stuck_jobs_hold_a_bounded_number_of_threads_and_say_why() {
        static POOL: once_cell::sync::Lazy<Pool<u32>> =
            once_cell::sync::Lazy::new(|| Pool::new("csod-test-pool", "test probe", 3));
        static RAN: AtomicUsize = AtomicUsize::new(0);
        let soon = || Instant::now() + Duration::from_millis(50);
        // The same key, called again and again: one run, one thread.
        for i in 0..20 {
            let t = POOL.submit("same", blocked).unwrap();
            let e = t.wait(soon()).unwrap_err();
            if i == 0 {
                assert_eq!(e, "abandoned: the test probe same has not returned");
            } else {
                assert!(e.contains("by an earlier call"), "{}", e);
            }
        }
        assert_eq!(POOL.threads(), 1);
        // Distinct keys: at most `cap` threads; the rest are not started.
        let mut reasons = Vec::new();
        for i in 0..20 {
            let t = POOL.submit(&format!("k{}", i), blocked).unwrap();
            reasons.push(t.wait(soon()).unwrap_err());
        }
        assert_eq!(POOL.threads(), 3);
        assert!(
            reasons
                .last()
                .unwrap()
                .contains("was not started, all 3 test probe threads are held"),
            "{:?}",
            reasons
        );
        // Released: the threads come back and serve new jobs; the queued
        // jobs nobody waits for are dropped unrun.
        *lock(&GATE) = true;
        OPENED.notify_all();
        let t = POOL.submit("after", || {
            RAN.fetch_add(1, Ordering::SeqCst);
            7
        });
        assert_eq!(
            t.unwrap().wait(Instant::now() + Duration::from_secs(10)),
            Ok(7)
        );
        assert_eq!(RAN.load(Ordering::SeqCst), 1);
        assert!(POOL.threads() <= 3);
        // A panicking job is a reason, not a dead pool.
        let t = POOL.submit("panics", || -> u32 { panic!("boom") }).unwrap();
        let e = t
            .wait(Instant::now() + Duration::from_secs(10))
            .unwrap_err();
        assert!(e.contains("failed unexpectedly"), "{}", e);
        let t = POOL.submit("again", || 8).unwrap();
        assert_eq!(t.wait(Instant::now() + Duration::from_secs(10)), Ok(8));
    }
}
