//! Parallel block execution in the Block-STM style: optimistic execution over multi-version
//! memory, read-set validation, re-execution on conflict, a collaborative scheduler. The outcome
//! (receipts, writes, post-state root, traces) equals serial execution in block order.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use super::block::Block;
use super::hash::F;
use super::mvmemory::{MvMemory, ReadOrigin, ReadResult, Version};
use super::outcome::{BlockOutcome, ExecStats};
use super::scheduler::{Scheduler, Task};
use super::tx::{execute_tx, Receipt, Slot, StateView};
use crate::vm::{ErrorKind, Trace};

/// What transaction `tx` sees: the multi-version memory below it, then the pre-state. Records
/// where each read came from, for validation.
struct MvView<'a> {
    block: &'a Block,
    mv: &'a MvMemory,
    tx: usize,
    reads: Vec<(Slot, ReadOrigin)>,
}

impl StateView for MvView<'_> {
    fn read(&mut self, slot: Slot) -> Result<F, ErrorKind> {
        match self.mv.read(&slot, self.tx) {
            ReadResult::Value(v, origin) => {
                self.reads.push((slot, origin));
                Ok(v)
            }
            ReadResult::NotFound => {
                self.reads.push((slot, ReadOrigin::PreState));
                Ok(self.block.pre_value(slot))
            }
            ReadResult::Dependency(blocker) => Err(ErrorKind::Suspended { tx: blocker }),
        }
    }
}

struct Shared<'a> {
    block: &'a Block,
    mv: MvMemory,
    scheduler: Scheduler,
    /// The latest incarnation's receipt and trace of each transaction (boxed: a `Trace` is
    /// ~340 bytes inline, and zeroing that for every transaction up front showed in profiles).
    results: Vec<Mutex<Option<(Receipt, Option<Box<Trace>>)>>>,
    record_traces: bool,
    executions: AtomicU64,
    validations: AtomicU64,
}

impl Shared<'_> {
    fn try_execute(&self, version @ (tx, incarnation): Version) -> Option<Task> {
        self.executions.fetch_add(1, Relaxed);
        let mut view = MvView { block: self.block, mv: &self.mv, tx, reads: Vec::new() };
        match execute_tx(self.block, tx, &mut view, self.record_traces) {
            Err(blocker) => {
                if self.scheduler.add_dependency(tx, blocker) {
                    None
                } else {
                    Some(Task::Execute(version)) // the blocker finished meanwhile: go again
                }
            }
            Ok(out) => {
                let wrote_new = self.mv.record(version, view.reads, &out.writes);
                *self.results[tx].lock().unwrap() = Some((out.receipt, out.trace.map(Box::new)));
                self.scheduler.finish_execution(tx, incarnation, wrote_new)
            }
        }
    }

    fn validate(&self, (tx, incarnation): Version) -> Option<Task> {
        self.validations.fetch_add(1, Relaxed);
        let valid = self.mv.validate_reads(tx);
        let aborted = !valid && self.scheduler.try_validation_abort(tx, incarnation);
        if aborted {
            self.mv.convert_writes_to_estimates(tx);
        }
        self.scheduler.finish_validation(tx, aborted)
    }

    fn work(&self) {
        let mut task = None;
        while !self.scheduler.done() {
            task = match task {
                Some(Task::Execute(v)) => self.try_execute(v),
                Some(Task::Validate(v)) => self.validate(v),
                None => {
                    let next = self.scheduler.next_task();
                    if next.is_none() {
                        std::thread::yield_now();
                    }
                    next
                }
            };
        }
    }
}

/// Executes `block` on `threads` threads (at least one).
pub fn execute_parallel(block: &Block, threads: usize, record_traces: bool) -> BlockOutcome {
    let n = block.txs.len();
    let shared = Shared {
        block,
        mv: MvMemory::new(n),
        scheduler: Scheduler::new(n),
        results: (0..n).map(|_| Mutex::new(None)).collect(),
        record_traces,
        executions: AtomicU64::new(0),
        validations: AtomicU64::new(0),
    };
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| shared.work());
        }
    });
    let mut receipts = Vec::with_capacity(n);
    let mut traces = Vec::new();
    for r in shared.results {
        let (receipt, trace) = r.into_inner().unwrap().expect("every transaction executed");
        receipts.push(receipt);
        traces.extend(trace.map(|t| *t));
    }
    let stats = ExecStats { executions: shared.executions.into_inner(), validations: shared.validations.into_inner() };
    BlockOutcome::new(receipts, shared.mv.snapshot(), traces, stats)
}
