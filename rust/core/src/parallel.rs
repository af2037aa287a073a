//! A fork-join team for the elementwise and row loops: `parallel_for(tasks, f)` runs
//! `f(0..tasks)` on the calling thread and a few long-lived workers, each index exactly once.
//!
//! Why not rayon's `install` here: a call from a thread outside the pool queues the job and
//! puts the caller to sleep until a worker wakes it, about 5 µs per call on the machines we
//! measure, a third of a 200k-element add. Here the caller works too, and workers spin for a
//! short while after each job (as OpenMP's do under PyTorch) before they sleep, so a loop of
//! small kernels pays an atomic handshake, not two futex wake-ups.
//!
//! What it must never do: run a task twice or not at all, let a worker run a job's closure
//! after `parallel_for` returned (the closure lives on the caller's stack), or hang: the
//! caller claims tasks itself, so a job completes even if no worker ever shows up (a
//! forked child has none); a busy team (another thread's job, or a nested call) means the
//! caller runs the whole job alone.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long an idle worker spins for the next job before it sleeps.
const SPIN: Duration = Duration::from_micros(100);

/// The job being run: a pointer to the caller's `&dyn Fn(usize)`, valid while the job's tasks
/// are unfinished (see `parallel_for`).
struct Job(*const (dyn Fn(usize) + Sync));

struct Team {
    /// `epoch << 32 | tasks << 16 | next`: the job's number, its task count and the next
    /// unclaimed index, in one word so that a claim checks all three at once.
    state: AtomicU64,
    /// Tasks of the current job finished (by anyone).
    done: AtomicUsize,
    /// Workers asleep or about to sleep (they re-check `state` under `sleep`).
    sleepers: AtomicUsize,
    job: Mutex<Option<Job>>,
    sleep: Mutex<()>,
    wake: Condvar,
    /// Whether a worker's task panicked during the current job.
    panicked: std::sync::atomic::AtomicBool,
}

// SAFETY: the only non-Sync field is the `Job` pointer behind a Mutex; the closure it points
// to is `Sync`, and it is called only while its job is unfinished, when the caller keeps it
// alive (see `parallel_for`).
unsafe impl Sync for Team {}
// SAFETY: as above; the team is a static shared by all threads.
unsafe impl Send for Team {}

const MAX_TASKS: usize = 0xffff;

fn pack(epoch: usize, tasks: usize, next: usize) -> u64 {
    (((epoch as u64) & 0xffff_ffff) << 32) | ((tasks as u64) << 16) | next as u64
}
fn unpack(s: u64) -> (usize, usize, usize) {
    ((s >> 32) as usize, ((s >> 16) & 0xffff) as usize, (s & 0xffff) as usize)
}

static TEAM: Team = Team {
    state: AtomicU64::new(0),
    done: AtomicUsize::new(0),
    sleepers: AtomicUsize::new(0),
    job: Mutex::new(None),
    sleep: Mutex::new(()),
    wake: Condvar::new(),
    panicked: std::sync::atomic::AtomicBool::new(false),
};
/// Held by the thread running a job (one job at a time).
static BUSY: Mutex<()> = Mutex::new(());
/// Workers started so far.
static WORKERS: Mutex<usize> = Mutex::new(0);

/// Claims the next task of the job numbered `epoch`; None when it has no unclaimed task left
/// (or another job has started).
fn claim(epoch: usize) -> Option<usize> {
    let mut s = TEAM.state.load(Ordering::Acquire);
    loop {
        let (e, tasks, next) = unpack(s);
        if e != epoch & 0xffff_ffff || next >= tasks {
            return None;
        }
        match TEAM.state.compare_exchange_weak(s, pack(e, tasks, next + 1), Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Some(next),
            Err(now) => s = now,
        }
    }
}

/// Runs task `i` of the current job and counts it done, whatever happens inside.
fn run_task(i: usize) {
    let f = {
        let job = TEAM.job.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: the caller claimed task `i` of the current job, which therefore is
        // unfinished: `parallel_for` is still waiting and keeps the closure alive, and it
        // replaces `job` only after every task of this job is done.
        unsafe { &*job.as_ref().expect("a job is set while it has tasks").0 }
    };
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i))).is_err() {
        TEAM.panicked.store(true, Ordering::Relaxed);
    }
    TEAM.done.fetch_add(1, Ordering::AcqRel);
}

fn worker() {
    let mut seen = unpack(TEAM.state.load(Ordering::Acquire)).0;
    loop {
        // Wait for a new job: spin a little, then sleep until woken.
        let start = Instant::now();
        let mut spins = 0u32;
        let epoch = loop {
            let e = unpack(TEAM.state.load(Ordering::Acquire)).0;
            if e != seen {
                break e;
            }
            spins += 1;
            if spins % 64 == 0 && start.elapsed() > SPIN {
                let mut g = TEAM.sleep.lock().unwrap_or_else(|e| e.into_inner());
                TEAM.sleepers.fetch_add(1, Ordering::SeqCst);
                while unpack(TEAM.state.load(Ordering::SeqCst)).0 == seen {
                    g = TEAM.wake.wait(g).unwrap_or_else(|e| e.into_inner());
                }
                TEAM.sleepers.fetch_sub(1, Ordering::SeqCst);
                drop(g);
                spins = 0;
            }
            std::hint::spin_loop();
        };
        seen = epoch;
        while let Some(i) = claim(epoch) {
            run_task(i);
        }
    }
}

/// Makes sure `n` workers exist (fewer if the OS refuses threads).
fn ensure_workers(n: usize) {
    let mut have = WORKERS.lock().unwrap_or_else(|e| e.into_inner());
    while *have < n {
        let spawned = std::thread::Builder::new().name(format!("pyrustgrad-loop-{}", *have)).spawn(worker);
        if spawned.is_err() {
            return;
        }
        *have += 1;
    }
}

/// Runs `f(i)` for every `i` in `0..tasks`, each exactly once, spread over the calling thread
/// and up to `threads - 1` workers. Returns when all have finished. A panic inside `f` is
/// re-raised here once every task has ended.
pub fn parallel_for(tasks: usize, threads: usize, f: &(dyn Fn(usize) + Sync)) {
    let busy = if tasks > 1 && threads > 1 && tasks <= MAX_TASKS {
        match BUSY.try_lock() {
            Ok(g) => Some(g),
            // A task's panic re-raised below poisons the lock; the team itself is fine.
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    } else {
        None
    };
    let Some(_busy) = busy else {
        (0..tasks).for_each(f);
        return;
    };
    ensure_workers(threads.min(tasks) - 1);
    // SAFETY (lifetime erasure): the pointer is used only by `run_task` for tasks of this job,
    // and this function returns only after all of them are done (the wait below), so `f`
    // outlives every use.
    let ptr: *const (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), &'static (dyn Fn(usize) + Sync)>(f) };
    *TEAM.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(Job(ptr));
    TEAM.done.store(0, Ordering::Release);
    TEAM.panicked.store(false, Ordering::Relaxed);
    let epoch = (unpack(TEAM.state.load(Ordering::Acquire)).0 + 1) & 0xffff_ffff;
    TEAM.state.store(pack(epoch, tasks, 0), Ordering::SeqCst);
    if TEAM.sleepers.load(Ordering::SeqCst) > 0 {
        let _g = TEAM.sleep.lock().unwrap_or_else(|e| e.into_inner());
        TEAM.wake.notify_all();
    }
    while let Some(i) = claim(epoch) {
        run_task(i);
    }
    // The others' tasks are short; but a worker the OS has preempted may need this core, so
    // after a while of spinning the wait yields.
    let mut spins = 0u32;
    while TEAM.done.load(Ordering::Acquire) < tasks {
        spins = spins.saturating_add(1);
        if spins > 2000 {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    *TEAM.job.lock().unwrap_or_else(|e| e.into_inner()) = None;
    if TEAM.panicked.load(Ordering::Relaxed) {
        panic!("a parallel task panicked");
    }
}

/// Splits `out` into about `tasks` consecutive chunks, each a multiple of `align` elements
/// long (but the last), and runs `f(start, chunk)` on each in parallel (`start` is the
/// chunk's first index).
pub fn for_chunks_mut<U: Send>(out: &mut [U], tasks: usize, align: usize, threads: usize, f: &(dyn Fn(usize, &mut [U]) + Sync)) {
    let n = out.len();
    if n == 0 || tasks <= 1 {
        return f(0, out);
    }
    let align = align.max(1);
    let chunk = n.div_ceil(tasks).div_ceil(align) * align;
    struct Base<U>(*mut U);
    // SAFETY: the pointer is only used to form disjoint chunks of `out` (below), each by one task.
    unsafe impl<U: Send> Sync for Base<U> {}
    let base = Base(out.as_mut_ptr());
    let base = &base;
    parallel_for(n.div_ceil(chunk.max(1)), threads, &|i| {
        let start = i * chunk;
        let len = chunk.min(n - start);
        // SAFETY: task `i` runs once and covers `start..start + len`, within `out` and disjoint
        // from every other task's range; `out` is borrowed mutably for the whole call.
        let part = unsafe { std::slice::from_raw_parts_mut(base.0.add(start), len) };
        f(start, part)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn every_task_runs_exactly_once_under_contention() {
        // Many small jobs back to back, from several threads at once (the team serves one;
        // the others run alone), with workers between spinning and sleeping.
        std::thread::scope(|s| {
            for t in 0..3 {
                s.spawn(move || {
                    for round in 0..2000 {
                        let tasks = 1 + (round + t) % 7;
                        let hits: Vec<AtomicU32> = (0..tasks).map(|_| AtomicU32::new(0)).collect();
                        parallel_for(tasks, 2 + t % 2, &|i| {
                            hits[i].fetch_add(1, Ordering::Relaxed);
                        });
                        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1), "round {round}");
                        if round % 500 == 0 {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                });
            }
        });
    }

    #[test]
    fn chunks_cover_the_slice_aligned() {
        for n in [0usize, 1, 5, 64, 1000, 1001] {
            for tasks in [1usize, 2, 3, 8] {
                for align in [1usize, 7] {
                    let mut v = vec![0u32; n];
                    for_chunks_mut(&mut v, tasks, align, 4, &|start, c: &mut [u32]| {
                        assert!(start % align == 0);
                        for (k, x) in c.iter_mut().enumerate() {
                            *x += (start + k) as u32 + 1;
                        }
                    });
                    assert_eq!(v, (1..=n as u32).collect::<Vec<_>>(), "n {n} tasks {tasks} align {align}");
                }
            }
        }
    }

    #[test]
    fn a_panicking_task_is_reraised_after_all_finish() {
        let ran = AtomicU32::new(0);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parallel_for(4, 2, &|i| {
                ran.fetch_add(1, Ordering::Relaxed);
                if i == 1 {
                    panic!("boom");
                }
            })
        }));
        assert!(r.is_err());
        assert_eq!(ran.load(Ordering::Relaxed), 4);
        // the team still works afterwards
        let hits = AtomicU32::new(0);
        parallel_for(3, 2, &|_| {
            hits.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(hits.load(Ordering::Relaxed), 3);
    }
}
