//! The result of executing a block, the same type for the serial and the parallel executor so
//! that tests compare them. The post-state (and its root) is derived from the net writes in a
//! separate step, [`BlockOutcome::post_state`], so that execution and the root update are
//! measured apart: the root update is the same work whichever executor ran.

use std::collections::HashMap;

use plonky2::field::types::Field;

use super::block::Block;
use super::hash::{Hash, F};
use super::state::{State, StorageWrite};
use super::tx::{Receipt, Slot};
use crate::vm::Trace;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecStats {
    /// Transaction executions, re-executions included.
    pub executions: u64,
    pub validations: u64,
    /// Transactions executed serially (by the serial executor, or by the parallel executor's
    /// fallback on chunks where parallel execution did not pay).
    pub serial_txs: u64,
}

impl ExecStats {
    /// Executions beyond one per transaction.
    pub fn re_executions(&self, txs: usize) -> u64 {
        self.executions.saturating_sub(txs as u64)
    }
}

#[derive(Clone, Debug)]
pub struct BlockOutcome {
    pub receipts: Vec<Receipt>,
    /// The block's net writes, sorted by slot (a slot written back to its old value is included).
    pub writes: Vec<StorageWrite>,
    /// Per transaction, when traces were recorded.
    pub traces: Vec<Trace>,
    pub stats: ExecStats,
}

impl BlockOutcome {
    pub(crate) fn new(receipts: Vec<Receipt>, writes: HashMap<Slot, F>, traces: Vec<Trace>, stats: ExecStats) -> Self {
        let mut writes: Vec<StorageWrite> = writes
            .into_iter()
            .map(|((a, k), value)| StorageWrite { address: F::from_canonical_u64(a), key: F::from_canonical_u64(k), value })
            .collect();
        writes.sort_unstable_by_key(|w| (w.address.0, w.key.0));
        BlockOutcome { receipts, writes, traces, stats }
    }

    /// The block's pre-state with its net writes applied; the tree update is incremental and
    /// parallel (rayon).
    pub fn post_state(&self, block: &Block) -> State {
        let mut state = block.pre_state.clone();
        state.apply_writes(&self.writes);
        state
    }

    pub fn post_root(&self, block: &Block) -> Hash {
        self.post_state(block).root()
    }

    pub fn successes(&self) -> usize {
        self.receipts.iter().filter(|r| r.succeeded()).count()
    }

    /// Everything but the statistics: what serial and parallel execution must agree on. Equal
    /// net writes on the same pre-state give equal post-state roots.
    pub fn same_result(&self, other: &BlockOutcome) -> bool {
        self.receipts == other.receipts && self.writes == other.writes && self.traces == other.traces
    }
}
