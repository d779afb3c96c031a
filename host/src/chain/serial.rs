//! Serial block execution: transactions one after another in block order. The reference that
//! the parallel executor must equal bit for bit.

use std::collections::HashMap;
use std::ops::Range;

use super::block::Block;
use super::hash::F;
use super::outcome::{BlockOutcome, ExecStats};
use super::tx::{execute_tx, Receipt, Slot, StateView};
use crate::vm::{ErrorKind, Trace};

/// The pre-state with the net writes of the transactions executed so far on top.
pub(super) struct Overlay<'b> {
    pub block: &'b Block,
    pub writes: HashMap<Slot, F>,
}

impl Overlay<'_> {
    pub fn get(&self, slot: Slot) -> F {
        match self.writes.get(&slot) {
            Some(v) => *v,
            None => self.block.pre_value(slot),
        }
    }
}

impl StateView for Overlay<'_> {
    fn read(&mut self, slot: Slot) -> Result<F, ErrorKind> {
        Ok(self.get(slot))
    }
}

/// Executes `txs` of the block in order on top of `overlay`, which collects their writes.
pub(super) fn execute_range(overlay: &mut Overlay, txs: Range<usize>, record_traces: bool, receipts: &mut Vec<Receipt>, traces: &mut Vec<Trace>) {
    for i in txs {
        let out = execute_tx(overlay.block, i, overlay, record_traces).expect("the serial view never suspends");
        overlay.writes.extend(out.writes);
        receipts.push(out.receipt);
        traces.extend(out.trace);
    }
}

pub fn execute_serial(block: &Block, record_traces: bool) -> BlockOutcome {
    let mut overlay = Overlay { block, writes: HashMap::new() };
    let mut receipts = Vec::with_capacity(block.txs.len());
    let mut traces = Vec::new();
    execute_range(&mut overlay, 0..block.txs.len(), record_traces, &mut receipts, &mut traces);
    let n = block.txs.len() as u64;
    let stats = ExecStats { executions: n, validations: 0, serial_txs: n };
    BlockOutcome::new(receipts, overlay.writes, traces, stats)
}
