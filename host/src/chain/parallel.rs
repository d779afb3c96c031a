//! Parallel block execution in the Block-STM style: optimistic execution over multi-version
//! memory, read-set validation, re-execution on conflict, a collaborative scheduler. The outcome
//! (receipts, writes, post-state root, traces) equals serial execution in block order.
//!
//! The block runs in chunks: Block-STM within a chunk, each chunk on top of the exact state the
//! earlier chunks left, so results stay those of serial execution. Chunks keep the multi-version
//! memory small (its cache misses dominate profiles), and let the executor adapt: it measures the
//! cost per transaction of parallel and serial chunks and runs each chunk the cheaper way,
//! probing the other way now and then. Under high contention, or on a machine whose cores are
//! busy, Block-STM's bookkeeping can cost more than it saves; then the block runs (nearly)
//! serially instead of slower than serial. Either way, the results are serial execution's.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Instant;

use super::block::Block;
use super::hash::F;
use super::mvmemory::{MvMemory, ReadOrigin, ReadResult, Version};
use super::outcome::{BlockOutcome, ExecStats};
use super::scheduler::{Scheduler, Task};
use super::serial::{execute_range, Overlay};
use super::tx::{execute_tx, Receipt, Slot, StateView};
use crate::vm::{ErrorKind, Trace};

/// How the parallel executor runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParallelConfig {
    pub threads: usize,
    /// Transactions per chunk.
    pub chunk: usize,
    /// Choose per chunk between Block-STM and serial execution by measured cost.
    pub adaptive: bool,
}

impl ParallelConfig {
    /// The default: chunks of 512 transactions, adaptive.
    pub fn new(threads: usize) -> Self {
        ParallelConfig { threads: threads.max(1), chunk: 512, adaptive: true }
    }

    /// Plain Block-STM over the whole block, never falling back (what the equality tests stress).
    pub fn block_stm(threads: usize) -> Self {
        ParallelConfig { threads: threads.max(1), chunk: usize::MAX, adaptive: false }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Parallel = 0,
    Serial = 1,
}

/// Picks each chunk's mode from the measured cost per transaction of each: the cheaper one,
/// except every `PROBE_EVERY`-th chunk, which refreshes the other's estimate.
#[derive(Debug, Default)]
struct ModeChooser {
    /// Seconds per transaction of each mode's latest chunk: a probe that finds the other mode
    /// cheaper must take effect at once, not after several probes, 16 chunks apart.
    cost: [Option<f64>; 2],
    chunks: usize,
}

/// One chunk in this many runs the mode currently judged slower, to notice a change.
const PROBE_EVERY: usize = 16;

impl ModeChooser {
    fn next(&self) -> Mode {
        match self.cost {
            [None, _] => Mode::Parallel,
            [Some(_), None] => Mode::Serial,
            [Some(p), Some(s)] => {
                let (best, other) = if p <= s { (Mode::Parallel, Mode::Serial) } else { (Mode::Serial, Mode::Parallel) };
                if self.chunks % PROBE_EVERY == PROBE_EVERY - 1 {
                    other
                } else {
                    best
                }
            }
        }
    }

    fn record(&mut self, mode: Mode, txs: usize, secs: f64) {
        self.cost[mode as usize] = Some(secs / txs.max(1) as f64);
        self.chunks += 1;
    }
}

/// What transaction `tx` sees: the multi-version memory of its chunk below it, then the state the
/// earlier chunks left. Records where each read came from, for validation.
struct MvView<'a> {
    base: &'a Overlay<'a>,
    mv: &'a MvMemory,
    /// Index within the chunk.
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
                Ok(self.base.get(slot))
            }
            ReadResult::Dependency(blocker) => Err(ErrorKind::Suspended { tx: blocker }),
        }
    }
}

/// One chunk's Block-STM run. Transaction indices inside are relative to `first`.
struct Chunk<'a> {
    base: &'a Overlay<'a>,
    first: usize,
    mv: MvMemory,
    scheduler: Scheduler,
    /// The latest incarnation's receipt and trace of each transaction (boxed: a `Trace` is
    /// ~340 bytes inline, and zeroing that for every transaction up front showed in profiles).
    results: Vec<Mutex<Option<(Receipt, Option<Box<Trace>>)>>>,
    record_traces: bool,
    executions: AtomicU64,
    validations: AtomicU64,
}

impl Chunk<'_> {
    fn try_execute(&self, version @ (tx, incarnation): Version) -> Option<Task> {
        self.executions.fetch_add(1, Relaxed);
        let mut view = MvView { base: self.base, mv: &self.mv, tx, reads: Vec::new() };
        match execute_tx(self.base.block, self.first + tx, &mut view, self.record_traces) {
            Err(blocker) => {
                if self.scheduler.add_dependency(tx, blocker) {
                    None
                } else {
                    Some(Task::Execute(version)) // the blocker finished meanwhile: go again
                }
            }
            Ok(out) => {
                let writes = &out.writes;
                let wrote_new = self.mv.record(version, view.reads, writes);
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

/// Runs Block-STM on `txs` over `base`; appends receipts and traces; returns the chunk's net
/// writes and its (executions, validations).
fn run_chunk(base: &Overlay, txs: Range<usize>, threads: usize, record_traces: bool, receipts: &mut Vec<Receipt>, traces: &mut Vec<Trace>) -> (HashMap<Slot, F>, u64, u64) {
    let n = txs.len();
    let chunk = Chunk {
        base,
        first: txs.start,
        mv: MvMemory::new(n),
        scheduler: Scheduler::new(n),
        results: (0..n).map(|_| Mutex::new(None)).collect(),
        record_traces,
        executions: AtomicU64::new(0),
        validations: AtomicU64::new(0),
    };
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| chunk.work());
        }
    });
    for r in chunk.results {
        let (receipt, trace) = r.into_inner().unwrap().expect("every transaction executed");
        receipts.push(receipt);
        traces.extend(trace.map(|t| *t));
    }
    (chunk.mv.snapshot(), chunk.executions.into_inner(), chunk.validations.into_inner())
}

/// Executes `block` on `threads` threads with the default, adaptive configuration.
pub fn execute_parallel(block: &Block, threads: usize, record_traces: bool) -> BlockOutcome {
    execute_parallel_with(block, ParallelConfig::new(threads), record_traces)
}

pub fn execute_parallel_with(block: &Block, cfg: ParallelConfig, record_traces: bool) -> BlockOutcome {
    let n = block.txs.len();
    let mut base = Overlay { block, writes: HashMap::new() };
    let mut receipts = Vec::with_capacity(n);
    let mut traces = Vec::new();
    let mut stats = ExecStats::default();
    let mut chooser = ModeChooser::default();
    let mut start = 0;
    while start < n {
        let end = start.saturating_add(cfg.chunk.max(1)).min(n);
        let mode = if cfg.adaptive { chooser.next() } else { Mode::Parallel };
        let clock = Instant::now();
        match mode {
            Mode::Serial => {
                execute_range(&mut base, start..end, record_traces, &mut receipts, &mut traces);
                stats.executions += (end - start) as u64;
                stats.serial_txs += (end - start) as u64;
            }
            Mode::Parallel => {
                let (writes, executions, validations) =
                    run_chunk(&base, start..end, cfg.threads, record_traces, &mut receipts, &mut traces);
                base.writes.extend(writes);
                stats.executions += executions;
                stats.validations += validations;
            }
        }
        chooser.record(mode, end - start, clock.elapsed().as_secs_f64());
        start = end;
    }
    BlockOutcome::new(receipts, base.writes, traces, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooser_measures_both_modes_then_keeps_the_cheaper_and_probes() {
        let mut c = ModeChooser::default();
        assert_eq!(c.next(), Mode::Parallel);
        c.record(Mode::Parallel, 100, 3.0);
        assert_eq!(c.next(), Mode::Serial);
        c.record(Mode::Serial, 100, 1.0);
        let mut modes = Vec::new();
        for _ in 0..2 * PROBE_EVERY {
            let m = c.next();
            modes.push(m);
            c.record(m, 100, if m == Mode::Serial { 1.0 } else { 3.0 });
        }
        let probes = modes.iter().filter(|&&m| m == Mode::Parallel).count();
        assert_eq!(probes, 2, "one parallel probe per {PROBE_EVERY} chunks: {modes:?}");
        // Parallel becoming cheaper is noticed at the next probe and then kept.
        for _ in 0..PROBE_EVERY {
            let m = c.next();
            c.record(m, 100, if m == Mode::Serial { 1.0 } else { 0.1 });
        }
        assert_eq!(c.next(), Mode::Parallel);
    }
}
