//! Block-STM's collaborative scheduler (arXiv 2203.06871, Algorithms 4-5): threads take the lowest
//! pending execution or validation task; aborted transactions are re-incarnated, and a transaction
//! that read an ESTIMATE sleeps until its blocker finishes.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

use super::mvmemory::Version;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    ReadyToExecute,
    Executing,
    Executed,
    Aborting,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Execute(Version),
    Validate(Version),
}

/// A value on cache lines of its own: the shared counters below, on one line, made every task
/// claim of one thread invalidate the other thread's copy of all of them.
#[repr(align(128))]
#[derive(Default)]
struct Padded<T>(T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

pub struct Scheduler {
    n: usize,
    execution_idx: Padded<AtomicUsize>,
    validation_idx: Padded<AtomicUsize>,
    decrease_cnt: Padded<AtomicUsize>,
    num_active_tasks: Padded<AtomicUsize>,
    done_marker: Padded<AtomicBool>,
    /// Transactions waiting for each transaction to finish executing.
    dependencies: Vec<Mutex<Vec<usize>>>,
    status: Vec<Mutex<(u32, Status)>>,
}

impl Scheduler {
    pub fn new(n: usize) -> Self {
        Scheduler {
            n,
            execution_idx: Padded(AtomicUsize::new(0)),
            validation_idx: Padded(AtomicUsize::new(0)),
            decrease_cnt: Padded(AtomicUsize::new(0)),
            num_active_tasks: Padded(AtomicUsize::new(0)),
            done_marker: Padded(AtomicBool::new(n == 0)),
            dependencies: (0..n).map(|_| Mutex::new(Vec::new())).collect(),
            status: (0..n).map(|_| Mutex::new((0, Status::ReadyToExecute))).collect(),
        }
    }

    pub fn done(&self) -> bool {
        self.done_marker.load(SeqCst)
    }

    fn decrease_execution_idx(&self, target: usize) {
        self.execution_idx.fetch_min(target, SeqCst);
        self.decrease_cnt.fetch_add(1, SeqCst);
    }

    fn decrease_validation_idx(&self, target: usize) {
        self.validation_idx.fetch_min(target, SeqCst);
        self.decrease_cnt.fetch_add(1, SeqCst);
    }

    fn check_done(&self) {
        let observed = self.decrease_cnt.load(SeqCst);
        if self.execution_idx.load(SeqCst).min(self.validation_idx.load(SeqCst)) >= self.n
            && self.num_active_tasks.load(SeqCst) == 0
            && observed == self.decrease_cnt.load(SeqCst)
        {
            self.done_marker.store(true, SeqCst);
        }
    }

    fn try_incarnate(&self, tx: usize) -> Option<Version> {
        if tx < self.n {
            let mut s = self.status[tx].lock().unwrap();
            if s.1 == Status::ReadyToExecute {
                s.1 = Status::Executing;
                return Some((tx, s.0));
            }
        }
        self.num_active_tasks.fetch_sub(1, SeqCst);
        None
    }

    fn next_version_to_execute(&self) -> Option<Version> {
        if self.execution_idx.load(SeqCst) >= self.n {
            self.check_done();
            return None;
        }
        self.num_active_tasks.fetch_add(1, SeqCst);
        let tx = self.execution_idx.fetch_add(1, SeqCst);
        self.try_incarnate(tx)
    }

    fn next_version_to_validate(&self) -> Option<Version> {
        if self.validation_idx.load(SeqCst) >= self.n {
            self.check_done();
            return None;
        }
        self.num_active_tasks.fetch_add(1, SeqCst);
        let tx = self.validation_idx.fetch_add(1, SeqCst);
        if tx < self.n {
            let s = self.status[tx].lock().unwrap();
            if s.1 == Status::Executed {
                return Some((tx, s.0));
            }
        }
        self.num_active_tasks.fetch_sub(1, SeqCst);
        None
    }

    /// The next task, or `None` when there is nothing to do right now (or ever: see [`done`]).
    pub fn next_task(&self) -> Option<Task> {
        if self.validation_idx.load(SeqCst) < self.execution_idx.load(SeqCst) {
            self.next_version_to_validate().map(Task::Validate)
        } else {
            self.next_version_to_execute().map(Task::Execute)
        }
    }

    /// `tx` read an estimate of `blocker`. Returns false if `blocker` has finished meanwhile (then
    /// re-execute `tx` at once); otherwise `tx` sleeps until `blocker` finishes.
    pub fn add_dependency(&self, tx: usize, blocker: usize) -> bool {
        let mut deps = self.dependencies[blocker].lock().unwrap();
        if self.status[blocker].lock().unwrap().1 == Status::Executed {
            return false;
        }
        self.status[tx].lock().unwrap().1 = Status::Aborting;
        deps.push(tx);
        self.num_active_tasks.fetch_sub(1, SeqCst);
        true
    }

    fn set_ready(&self, tx: usize) {
        let mut s = self.status[tx].lock().unwrap();
        *s = (s.0 + 1, Status::ReadyToExecute);
    }

    pub fn finish_execution(&self, tx: usize, incarnation: u32, wrote_new_slot: bool) -> Option<Task> {
        *self.status[tx].lock().unwrap() = (incarnation, Status::Executed);
        let deps = std::mem::take(&mut *self.dependencies[tx].lock().unwrap());
        if let Some(&min) = deps.iter().min() {
            for &d in &deps {
                self.set_ready(d);
            }
            self.decrease_execution_idx(min);
        }
        if self.validation_idx.load(SeqCst) > tx {
            if wrote_new_slot {
                self.decrease_validation_idx(tx);
            } else {
                return Some(Task::Validate((tx, incarnation)));
            }
        }
        self.num_active_tasks.fetch_sub(1, SeqCst);
        None
    }

    /// Claims the abort of `tx`'s incarnation; only one validation failure aborts it.
    pub fn try_validation_abort(&self, tx: usize, incarnation: u32) -> bool {
        let mut s = self.status[tx].lock().unwrap();
        if *s == (incarnation, Status::Executed) {
            s.1 = Status::Aborting;
            true
        } else {
            false
        }
    }

    pub fn finish_validation(&self, tx: usize, aborted: bool) -> Option<Task> {
        if aborted {
            self.set_ready(tx);
            self.decrease_validation_idx(tx + 1);
            if self.execution_idx.load(SeqCst) > tx {
                if let Some(v) = self.try_incarnate(tx) {
                    return Some(Task::Execute(v));
                }
                return None; // try_incarnate released the task
            }
        }
        self.num_active_tasks.fetch_sub(1, SeqCst);
        None
    }
}
