//! Block-STM's multi-version memory (Gelashvili et al., arXiv 2203.06871, §4): for every slot, the
//! values written by each transaction's latest incarnation, so that transaction `i` reads the
//! write of the highest transaction below `i`, or the pre-state. A write whose transaction was
//! aborted becomes an ESTIMATE, and reading one makes the reader wait for that transaction.

use std::collections::{BTreeMap, HashMap};

use ahash::RandomState;
use smallvec::SmallVec;
use std::sync::Mutex;

use super::hash::F;
use super::tx::Slot;

/// `(transaction, incarnation)`.
pub type Version = (usize, u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Written { incarnation: u32, value: F },
    Estimate,
}

/// Where a read was served from: what validation compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOrigin {
    Version(Version),
    PreState,
}

pub enum ReadResult {
    Value(F, ReadOrigin),
    NotFound,
    /// The slot's latest writer below the reader was aborted and will write again.
    Dependency(usize),
}

const SHARDS: usize = 64;

/// The writes to one slot, sorted by transaction. A slot usually has a few writers that arrive
/// roughly in block order, so a sorted vector beats a tree here (a BTreeMap's range search was
/// ~9% of a profile).
#[derive(Default)]
struct Cells(SmallVec<[(usize, Cell); 2]>);

impl Cells {
    fn position(&self, tx: usize) -> Result<usize, usize> {
        self.0.binary_search_by_key(&tx, |&(t, _)| t)
    }

    fn insert(&mut self, tx: usize, cell: Cell) {
        match self.position(tx) {
            Ok(i) => self.0[i].1 = cell,
            Err(i) => self.0.insert(i, (tx, cell)),
        }
    }

    fn remove(&mut self, tx: usize) {
        if let Ok(i) = self.position(tx) {
            self.0.remove(i);
        }
    }

    /// The write of the highest transaction below `tx`.
    fn below(&self, tx: usize) -> Option<&(usize, Cell)> {
        // Execution runs roughly in block order, so the newest write is usually the answer.
        match self.0.last() {
            Some(last) if last.0 < tx => return Some(last),
            None => return None,
            _ => {}
        }
        let i = self.position(tx).unwrap_or_else(|i| i);
        i.checked_sub(1).map(|j| &self.0[j])
    }
}

/// One shard on cache lines of its own: neighbouring shards' locks on one line made every read
/// of one contend with the other thread's read of the other.
#[repr(align(128))]
#[derive(Default)]
struct Shard(Mutex<HashMap<Slot, Cells, RandomState>>);

pub struct MvMemory {
    /// Shards of slot -> writes. ahash rather than SipHash: contract code picks storage keys, so
    /// the hash must resist flooding, and SipHash showed in profiles.
    shards: Vec<Shard>,
    /// Slots each transaction's latest incarnation wrote.
    last_written: Vec<Mutex<Vec<Slot>>>,
    /// Reads of each transaction's latest incarnation.
    last_reads: Vec<Mutex<Vec<(Slot, ReadOrigin)>>>,
}

fn shard_of(slot: &Slot) -> usize {
    // Fibonacci hashing of both words: cheap, and spreads consecutive keys.
    (slot.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ slot.1.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)) as usize >> 58 & (SHARDS - 1)
}

impl MvMemory {
    pub fn new(txs: usize) -> Self {
        MvMemory {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            last_written: (0..txs).map(|_| Mutex::new(Vec::new())).collect(),
            last_reads: (0..txs).map(|_| Mutex::new(Vec::new())).collect(),
        }
    }

    fn with_slot<R>(&self, slot: &Slot, f: impl FnOnce(&mut HashMap<Slot, Cells, RandomState>) -> R) -> R {
        f(&mut self.shards[shard_of(slot)].0.lock().unwrap())
    }

    /// Records an incarnation's reads and writes. Returns whether it wrote a slot that its
    /// previous incarnation did not (then higher transactions must be validated again).
    pub fn record(&self, (tx, incarnation): Version, reads: Vec<(Slot, ReadOrigin)>, writes: &BTreeMap<Slot, F>) -> bool {
        *self.last_reads[tx].lock().unwrap() = reads;
        for (slot, &value) in writes {
            self.with_slot(slot, |m| m.entry(*slot).or_default().insert(tx, Cell::Written { incarnation, value }));
        }
        let mut last = self.last_written[tx].lock().unwrap();
        for slot in last.iter().filter(|s| !writes.contains_key(s)) {
            self.with_slot(slot, |m| m.get_mut(slot).map(|cells| cells.remove(tx)));
        }
        let wrote_new = writes.keys().any(|s| !last.contains(s));
        *last = writes.keys().copied().collect();
        wrote_new
    }

    /// Marks an aborted transaction's writes as estimates of its next incarnation's.
    pub fn convert_writes_to_estimates(&self, tx: usize) {
        for slot in self.last_written[tx].lock().unwrap().iter() {
            self.with_slot(slot, |m| m.get_mut(slot).map(|cells| cells.insert(tx, Cell::Estimate)));
        }
    }

    /// The value transaction `tx` reads at `slot`.
    pub fn read(&self, slot: &Slot, tx: usize) -> ReadResult {
        self.with_slot(slot, |m| match m.get(slot).and_then(|cells| cells.below(tx)) {
            None => ReadResult::NotFound,
            Some(&(writer, Cell::Estimate)) => ReadResult::Dependency(writer),
            Some(&(writer, Cell::Written { incarnation, value })) => ReadResult::Value(value, ReadOrigin::Version((writer, incarnation))),
        })
    }

    /// Whether every read of `tx`'s latest incarnation would still see the same write.
    pub fn validate_reads(&self, tx: usize) -> bool {
        self.last_reads[tx].lock().unwrap().iter().all(|(slot, origin)| match (self.read(slot, tx), origin) {
            (ReadResult::Value(_, now), was) => now == *was,
            (ReadResult::NotFound, ReadOrigin::PreState) => true,
            _ => false,
        })
    }

    /// The final value of every written slot (the highest writer's), once execution is done.
    pub fn snapshot(&self) -> HashMap<Slot, F> {
        let mut out = HashMap::new();
        for shard in &self.shards {
            for (slot, cells) in shard.0.lock().unwrap().iter() {
                match cells.0.last().map(|(_, c)| c) {
                    Some(Cell::Written { value, .. }) => {
                        out.insert(*slot, *value);
                    }
                    Some(Cell::Estimate) => unreachable!("no estimate survives a finished block"),
                    None => {}
                }
            }
        }
        out
    }
}
