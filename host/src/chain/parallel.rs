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
//!
//! Block-STM's unit of work is a *batch* of consecutive transactions, run in order by one thread:
//! a transaction here costs a fraction of a microsecond, about what the scheduler, the
//! multi-version memory and validation spend on one task, so a task per transaction cannot beat
//! serial execution. A batch is Block-STM's "transaction": its reads (those not served by its own
//! earlier transactions) are validated, its net writes versioned, and a conflict re-runs it
//! whole. Large batches amortise the bookkeeping; small ones waste less work on a conflict, so
//! the adaptive executor halves the batch after a chunk with many aborts and doubles it after one
//! with few. The workers live for the whole block (a thread pool), not for one chunk.

use std::collections::{BTreeMap, HashMap};
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
    /// Transactions per Block-STM task; when adaptive, the largest batch the executor uses.
    pub batch: usize,
    /// Choose per chunk between Block-STM and serial execution by measured cost, and the batch
    /// size by the abort rate.
    pub adaptive: bool,
}

impl ParallelConfig {
    /// The default: chunks of 4,096 transactions, batches of up to 64, adaptive.
    pub fn new(threads: usize) -> Self {
        ParallelConfig { threads: threads.max(1), chunk: 4096, batch: MAX_BATCH, adaptive: true }
    }

    /// Plain Block-STM over the whole block, a task per transaction, never falling back (what
    /// the equality tests stress).
    pub fn block_stm(threads: usize) -> Self {
        ParallelConfig { threads: threads.max(1), chunk: usize::MAX, batch: 1, adaptive: false }
    }
}

/// The default largest batch: 64 transactions of ~0.3 us amortise a task's bookkeeping.
const MAX_BATCH: usize = 64;
/// The adaptive executor's first batch size.
const FIRST_BATCH: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Parallel = 0,
    Serial = 1,
}

/// What the next chunk runs: its mode, and whether it is a probe (a short chunk in the mode
/// judged slower, to measure that mode again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Choice {
    mode: Mode,
    probe: bool,
}

/// Picks each chunk's mode from the measured cost per transaction of each: the cheaper one, with
/// now and then a probe of the other. Probes are short and grow rarer while they confirm the
/// choice, so that a mode several times slower than the other (Block-STM on cheap transactions,
/// or on two busy cores) costs the block a few percent, not a chunk in every few.
#[derive(Debug)]
struct ModeChooser {
    /// Seconds per transaction of each mode's latest chunk: a probe that finds the other mode
    /// cheaper takes effect at once.
    cost: [Option<f64>; 2],
    /// Full chunks between probes; doubles after each probe that confirms the choice.
    interval: usize,
    until_probe: usize,
}

const FIRST_PROBE_INTERVAL: usize = 8;
const MAX_PROBE_INTERVAL: usize = 256;
/// A probe runs this fraction of a chunk.
const PROBE_FRACTION: usize = 32;

impl Default for ModeChooser {
    fn default() -> Self {
        ModeChooser { cost: [None, None], interval: FIRST_PROBE_INTERVAL, until_probe: 0 }
    }
}

impl ModeChooser {
    fn best(&self) -> Option<Mode> {
        match self.cost {
            [Some(p), Some(s)] => Some(if p <= s { Mode::Parallel } else { Mode::Serial }),
            _ => None,
        }
    }

    fn next(&self) -> Choice {
        match (self.cost, self.best()) {
            // Serial first: it is the cheap one to measure when Block-STM does not pay.
            ([_, None], _) => Choice { mode: Mode::Serial, probe: true },
            ([None, _], _) => Choice { mode: Mode::Parallel, probe: true },
            (_, Some(best)) if self.until_probe > 0 => Choice { mode: best, probe: false },
            (_, Some(Mode::Parallel)) => Choice { mode: Mode::Serial, probe: true },
            (_, _) => Choice { mode: Mode::Parallel, probe: true },
        }
    }

    /// Transactions `choice` should run, for full chunks of `chunk`.
    fn len(choice: Choice, chunk: usize) -> usize {
        if choice.probe {
            (chunk / PROBE_FRACTION).max(1)
        } else {
            chunk
        }
    }

    fn record(&mut self, choice: Choice, txs: usize, secs: f64) {
        let before = self.best();
        self.cost[choice.mode as usize] = Some(secs / txs.max(1) as f64);
        if choice.probe {
            let confirmed = before.is_some() && before == self.best();
            self.interval = if confirmed { (self.interval * 2).min(MAX_PROBE_INTERVAL) } else { FIRST_PROBE_INTERVAL };
            self.until_probe = self.interval;
        } else {
            self.until_probe = self.until_probe.saturating_sub(1);
        }
    }
}

/// Adapts the batch size of parallel chunks to the abort rate of the latest one.
#[derive(Debug)]
struct BatchSizer {
    batch: usize,
    max: usize,
}

impl BatchSizer {
    /// Batch executions beyond one per batch, per batch, above which the batch is halved, and
    /// below which it is doubled.
    const SHRINK_ABOVE: f64 = 0.25;
    const GROW_BELOW: f64 = 0.05;

    fn record(&mut self, batches: u64, batch_executions: u64) {
        let aborts = batch_executions.saturating_sub(batches) as f64 / batches.max(1) as f64;
        if aborts > Self::SHRINK_ABOVE {
            self.batch = (self.batch / 2).max(1);
        } else if aborts < Self::GROW_BELOW {
            self.batch = (self.batch * 2).min(self.max);
        }
    }
}

/// What a batch's next transaction sees: the net writes of the batch's earlier transactions,
/// then the multi-version memory of its chunk below the batch, then the state the earlier chunks
/// left. Records where each read outside the batch came from, for validation.
struct MvView<'a> {
    base: &'a Overlay<'a>,
    mv: &'a MvMemory,
    batch: usize,
    local: &'a BTreeMap<Slot, F>,
    reads: &'a mut Vec<(Slot, ReadOrigin)>,
}

impl StateView for MvView<'_> {
    fn read(&mut self, slot: Slot) -> Result<F, ErrorKind> {
        if let Some(&v) = self.local.get(&slot) {
            return Ok(v);
        }
        match self.mv.read(&slot, self.batch) {
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

/// A transaction's receipt and, when recorded, its trace (boxed: a `Trace` is ~340 bytes
/// inline, and moving those showed in profiles).
type TxResult = (Receipt, Option<Box<Trace>>);

/// One chunk's Block-STM run over batches. Batch `b` holds the chunk's transactions
/// `b * batch .. (b + 1) * batch`, relative to `first`; Block-STM's indices are batches.
struct Chunk<'a> {
    base: &'a Overlay<'a>,
    first: usize,
    txs: usize,
    batch: usize,
    mv: MvMemory,
    scheduler: Scheduler,
    /// The latest incarnation's results of each batch.
    results: Vec<Mutex<Vec<TxResult>>>,
    record_traces: bool,
    /// Batch executions; and executions and validations of transactions (a batch's execution
    /// or validation counts once per transaction it holds).
    batch_executions: AtomicU64,
    executions: AtomicU64,
    validations: AtomicU64,
}

impl Chunk<'_> {
    fn batch_txs(&self, b: usize) -> Range<usize> {
        b * self.batch..((b + 1) * self.batch).min(self.txs)
    }

    fn try_execute(&self, version @ (b, incarnation): Version) -> Option<Task> {
        let txs = self.batch_txs(b);
        self.batch_executions.fetch_add(1, Relaxed);
        self.executions.fetch_add(txs.len() as u64, Relaxed);
        let mut local = BTreeMap::new();
        let mut reads = Vec::new();
        let mut results = Vec::with_capacity(txs.len());
        for tx in txs {
            let mut view = MvView { base: self.base, mv: &self.mv, batch: b, local: &local, reads: &mut reads };
            match execute_tx(self.base.block, self.first + tx, &mut view, self.record_traces) {
                Err(blocker) => {
                    return if self.scheduler.add_dependency(b, blocker) {
                        None
                    } else {
                        Some(Task::Execute(version)) // the blocker finished meanwhile: go again
                    };
                }
                Ok(out) => {
                    local.extend(out.writes);
                    results.push((out.receipt, out.trace.map(Box::new)));
                }
            }
        }
        let wrote_new = self.mv.record(version, reads, &local);
        *self.results[b].lock().unwrap() = results;
        self.scheduler.finish_execution(b, incarnation, wrote_new)
    }

    fn validate(&self, (b, incarnation): Version) -> Option<Task> {
        self.validations.fetch_add(self.batch_txs(b).len() as u64, Relaxed);
        let valid = self.mv.validate_reads(b);
        let aborted = !valid && self.scheduler.try_validation_abort(b, incarnation);
        if aborted {
            self.mv.convert_writes_to_estimates(b);
        }
        self.scheduler.finish_validation(b, aborted)
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

/// What one parallel chunk did, in batches.
struct ChunkRun {
    writes: HashMap<Slot, F>,
    batches: u64,
    batch_executions: u64,
    executions: u64,
    validations: u64,
}

/// The threads that run parallel chunks, alive for the whole block: rayon's global pool when it
/// has the requested number of threads (no spawning per block), else a pool of the block's own.
enum Workers {
    Global,
    Own(rayon::ThreadPool),
}

impl Workers {
    /// `None` when threads cannot be spawned (the block then runs serially: the same results).
    fn new(threads: usize) -> Option<Workers> {
        if threads == rayon::current_num_threads() {
            return Some(Workers::Global);
        }
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok().map(Workers::Own)
    }

    fn broadcast(&self, work: impl Fn() + Sync) {
        match self {
            Workers::Global => rayon::broadcast(|_| work()),
            Workers::Own(pool) => pool.broadcast(|_| work()),
        };
    }
}

/// Runs Block-STM over batches of `batch` transactions of `txs` on top of `base`, on every
/// worker; appends receipts and traces.
fn run_chunk(workers: &Workers, base: &Overlay, txs: Range<usize>, batch: usize, record_traces: bool, receipts: &mut Vec<Receipt>, traces: &mut Vec<Trace>) -> ChunkRun {
    let batches = txs.len().div_ceil(batch);
    let chunk = Chunk {
        base,
        first: txs.start,
        txs: txs.len(),
        batch,
        mv: MvMemory::new(batches),
        scheduler: Scheduler::new(batches),
        results: (0..batches).map(|_| Mutex::new(Vec::new())).collect(),
        record_traces,
        batch_executions: AtomicU64::new(0),
        executions: AtomicU64::new(0),
        validations: AtomicU64::new(0),
    };
    workers.broadcast(|| chunk.work());
    for r in chunk.results {
        for (receipt, trace) in r.into_inner().unwrap() {
            receipts.push(receipt);
            traces.extend(trace.map(|t| *t));
        }
    }
    ChunkRun {
        writes: chunk.mv.snapshot(),
        batches: batches as u64,
        batch_executions: chunk.batch_executions.into_inner(),
        executions: chunk.executions.into_inner(),
        validations: chunk.validations.into_inner(),
    }
}

/// Executes `block` on `threads` threads with the default, adaptive configuration.
pub fn execute_parallel(block: &Block, threads: usize, record_traces: bool) -> BlockOutcome {
    execute_parallel_with(block, ParallelConfig::new(threads), record_traces)
}

/// One block with a fresh executor: it learns the modes' costs within this block only.
pub fn execute_parallel_with(block: &Block, cfg: ParallelConfig, record_traces: bool) -> BlockOutcome {
    ParallelExecutor::new(cfg).execute(block, record_traces)
}

/// A parallel executor for a stream of blocks, as a node runs them: its workers and what it
/// measured of the modes' costs and of the batch size carry from one block to the next, so
/// probing is paid once, not per block.
pub struct ParallelExecutor {
    cfg: ParallelConfig,
    workers: Option<Workers>,
    chooser: ModeChooser,
    sizer: BatchSizer,
}

impl ParallelExecutor {
    pub fn new(cfg: ParallelConfig) -> Self {
        let max = cfg.batch.max(1);
        // Adaptive: start small (a conflict re-runs a whole batch) and grow while few abort.
        let batch = if cfg.adaptive { max.min(FIRST_BATCH) } else { max };
        ParallelExecutor { cfg, workers: Workers::new(cfg.threads), chooser: ModeChooser::default(), sizer: BatchSizer { batch, max } }
    }

    pub fn execute(&mut self, block: &Block, record_traces: bool) -> BlockOutcome {
        let (cfg, n) = (self.cfg, block.txs.len());
        let mut base = Overlay { block, writes: HashMap::new() };
        let mut receipts = Vec::with_capacity(n);
        let mut traces = Vec::new();
        let mut stats = ExecStats::default();
        let mut start = 0;
        while start < n {
            let choice = match (&self.workers, cfg.adaptive) {
                (None, _) => Choice { mode: Mode::Serial, probe: false },
                (Some(_), true) => self.chooser.next(),
                (Some(_), false) => Choice { mode: Mode::Parallel, probe: false },
            };
            let end = start.saturating_add(ModeChooser::len(choice, cfg.chunk.max(1))).min(n);
            let clock = Instant::now();
            match (choice.mode, &self.workers) {
                (Mode::Parallel, Some(workers)) => {
                    let run = run_chunk(workers, &base, start..end, self.sizer.batch, record_traces, &mut receipts, &mut traces);
                    base.writes.extend(run.writes);
                    stats.executions += run.executions;
                    stats.validations += run.validations;
                    if cfg.adaptive {
                        self.sizer.record(run.batches, run.batch_executions);
                    }
                }
                _ => {
                    execute_range(&mut base, start..end, record_traces, &mut receipts, &mut traces);
                    stats.executions += (end - start) as u64;
                    stats.serial_txs += (end - start) as u64;
                }
            }
            self.chooser.record(choice, end - start, clock.elapsed().as_secs_f64());
            start = end;
        }
        BlockOutcome::new(receipts, base.writes, traces, stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the chooser over `chunks` chunks whose cost per transaction `cost` gives; returns the
    /// choices.
    fn drive(c: &mut ModeChooser, chunks: usize, cost: impl Fn(Mode) -> f64) -> Vec<Choice> {
        (0..chunks)
            .map(|_| {
                let choice = c.next();
                c.record(choice, 100, 100.0 * cost(choice.mode));
                choice
            })
            .collect()
    }

    #[test]
    fn chooser_measures_both_modes_then_keeps_the_cheaper_with_ever_rarer_probes() {
        let mut c = ModeChooser::default();
        let serial_cheaper = |m| if m == Mode::Serial { 1.0 } else { 3.0 };
        let first = drive(&mut c, 2, serial_cheaper);
        assert_eq!(first, [Choice { mode: Mode::Serial, probe: true }, Choice { mode: Mode::Parallel, probe: true }]);
        let choices = drive(&mut c, 200, serial_cheaper);
        let probes: Vec<usize> = (0..choices.len()).filter(|&i| choices[i].probe).collect();
        assert!(probes.iter().all(|&i| choices[i].mode == Mode::Parallel));
        assert!(choices.iter().all(|ch| ch.probe || ch.mode == Mode::Serial));
        // Intervals of 8, 16, 32, 64 full chunks: four probes in 200 chunks.
        assert_eq!(probes, [8, 25, 58, 123], "{probes:?}");
        assert_eq!(ModeChooser::len(choices[8], 4096), 4096 / PROBE_FRACTION);
        // Parallel becoming cheaper is noticed at the next probe and then kept.
        let choices = drive(&mut c, 200, |m| if m == Mode::Serial { 1.0 } else { 0.1 });
        let switch = choices.iter().position(|ch| ch.mode == Mode::Parallel).unwrap();
        assert!(choices[switch + 1..].iter().all(|ch| ch.mode == Mode::Parallel || ch.probe), "{choices:?}");
        assert_eq!(c.next().mode, Mode::Parallel);
    }

    #[test]
    fn batch_size_halves_on_aborts_and_doubles_without() {
        let mut s = BatchSizer { batch: 64, max: 64 };
        s.record(100, 140);
        assert_eq!(s.batch, 32);
        s.record(100, 110);
        assert_eq!(s.batch, 32, "between the thresholds it stays");
        s.record(100, 100);
        assert_eq!(s.batch, 64);
        s.record(100, 100);
        assert_eq!(s.batch, 64, "never above the configured batch");
        for _ in 0..10 {
            s.record(10, 30);
        }
        assert_eq!(s.batch, 1);
    }
}
