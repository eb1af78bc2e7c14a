//! Builds ahead of the solver: the likely sdists whose metadata only a build tells, found by
//! the index source's prefetch ([`unilock_registries::source::BuildAhead`]), are built by a
//! few background workers while the solver works on the rest, and the dependencies their
//! built metadata names are prefetched in turn.
//!
//! The [`Pool`] owns the queue the index source's hook feeds and the workers, started as
//! builds arrive (a run that builds nothing ahead starts no thread). The builds themselves
//! belong to the source's `Builder` (one slot per sdist), so a build the solver asks for while
//! it is in flight is waited for, never run twice, and a build already in the cache
//! (`built-metadata-v1`) is not run at all. A background build that fails is kept in its slot
//! and is an error only if the solver asks for that file (then with the message of a build the
//! solver ran itself). When the pool is dropped (the resolution is over), queued builds are
//! dropped, running backends are stopped and the workers are joined, so no build outlives the
//! run.
//!
//! At most [`concurrent_builds`] builds run at once: `UNILOCK_CONCURRENT_BUILDS`, else the
//! available cores, at most [`MAX_DEFAULT_BUILDS`]; `0` turns background builds off. The
//! builds the solver itself asks for are not queued behind them.

use crate::source::Builder;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use unilock_model::index::Metadata;
use unilock_registries::source::Ahead;

/// The background builds at most when `UNILOCK_CONCURRENT_BUILDS` is not set (and fewer on
/// a machine with fewer cores): each build runs a Python process and unpacks its build
/// requirements.
pub const MAX_DEFAULT_BUILDS: usize = 4;

/// How many builds run in the background at most: `UNILOCK_CONCURRENT_BUILDS` when it is a
/// number (`0`: none), else the available cores, at most [`MAX_DEFAULT_BUILDS`].
pub fn concurrent_builds(var: &dyn Fn(&str) -> Option<String>) -> usize {
    var("UNILOCK_CONCURRENT_BUILDS")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(MAX_DEFAULT_BUILDS)
        })
}

/// The sdists waiting for a worker, and the workers.
struct Queue {
    state: Mutex<State>,
    ready: Condvar,
    /// The most workers.
    most: usize,
}

#[derive(Default)]
struct State {
    jobs: VecDeque<Ahead>,
    closed: bool,
    /// Workers waiting for a job.
    idle: usize,
    workers: Vec<JoinHandle<()>>,
}

impl Queue {
    /// Queues `job`, starting a worker for it when none is idle and fewer than the most run:
    /// a run that builds nothing ahead starts no thread.
    fn push(self: &Arc<Self>, builder: &std::sync::Weak<Builder>, job: Ahead) {
        let mut state = lock(&self.state);
        if state.closed {
            return;
        }
        state.jobs.push_back(job);
        if state.idle == 0
            && state.workers.len() < self.most
            && let Some(builder) = builder.upgrade()
        {
            let queue = self.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("build-ahead-{}", state.workers.len()))
                .spawn(move || {
                    while let Some(job) = queue.next() {
                        build_ahead(&builder, job);
                    }
                });
            // A worker the system refuses costs speed only: the solver builds what it needs.
            if let Ok(handle) = spawned {
                state.workers.push(handle);
            }
        }
        self.ready.notify_one();
    }

    /// The next job, waiting for one; `None` once the queue is closed.
    fn next(&self) -> Option<Ahead> {
        let mut state = lock(&self.state);
        loop {
            if state.closed {
                return None;
            }
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            state.idle += 1;
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.idle -= 1;
        }
    }

    /// Drops the queued jobs, wakes the workers to end and hands them over.
    fn close(&self) -> Vec<JoinHandle<()>> {
        let mut state = lock(&self.state);
        state.closed = true;
        state.jobs.clear();
        self.ready.notify_all();
        std::mem::take(&mut state.workers)
    }
}

/// The background builds of one run: at most `most` workers, started as builds arrive.
pub struct Pool {
    builder: Arc<Builder>,
    queue: Arc<Queue>,
}

impl Pool {
    /// Builds what the prefetch of `builder`'s source hands over, on at most `most` workers.
    pub(crate) fn start(builder: &Arc<Builder>, most: usize) -> Pool {
        let queue = Arc::new(Queue {
            state: Mutex::default(),
            ready: Condvar::new(),
            most,
        });
        // The hook lives in the index source, which the builder holds: it holds the builder
        // weakly, so nothing owns itself.
        let (hook, weak) = (queue.clone(), Arc::downgrade(builder));
        builder
            .source()
            .build_ahead(Some(Arc::new(move |job: Ahead| hook.push(&weak, job))));
        Pool {
            builder: builder.clone(),
            queue,
        }
    }
}

/// The one build of `job`'s sdist (unless the solver or another worker has it already),
/// then the prefetch of the dependencies it names.
fn build_ahead(builder: &Builder, job: Ahead) {
    if builder.stop.load(Ordering::Relaxed) {
        return;
    }
    let slot = builder.file_slot(&job.file.url);
    let done = match slot.get() {
        Some(done) => done.clone(),
        None => builder.built_file(&job.project, &job.file),
    };
    if let Ok(Metadata::Known(metadata)) = done {
        job.then.dependencies(&metadata);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.builder.source().build_ahead(None);
        self.builder.stop.store(true, Ordering::Relaxed);
        for worker in self.queue.close() {
            let _ = worker.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_of_background_builds_comes_from_the_variable_else_the_cores() {
        let set = |v: &'static str| {
            move |name: &str| (name == "UNILOCK_CONCURRENT_BUILDS").then(|| v.to_string())
        };
        assert_eq!(concurrent_builds(&set("3")), 3);
        assert_eq!(concurrent_builds(&set("0")), 0);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(concurrent_builds(&|_| None), cores.min(MAX_DEFAULT_BUILDS));
        assert_eq!(
            concurrent_builds(&set("many")),
            cores.min(MAX_DEFAULT_BUILDS)
        );
    }
}
