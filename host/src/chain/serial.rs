//! Serial block execution: transactions one after another in block order. The reference that
//! the parallel executor must equal bit for bit.

use std::collections::HashMap;

use super::block::Block;
use super::hash::F;
use super::outcome::{BlockOutcome, ExecStats};
use super::tx::{execute_tx, Slot, StateView};
use crate::vm::ErrorKind;

/// The pre-state with the writes of the transactions executed so far on top.
struct Overlay<'b> {
    block: &'b Block,
    writes: HashMap<Slot, F>,
}

impl StateView for Overlay<'_> {
    fn read(&mut self, slot: Slot) -> Result<F, ErrorKind> {
        Ok(match self.writes.get(&slot) {
            Some(v) => *v,
            None => self.block.pre_value(slot),
        })
    }
}

pub fn execute_serial(block: &Block, record_traces: bool) -> BlockOutcome {
    let mut overlay = Overlay { block, writes: HashMap::new() };
    let mut receipts = Vec::with_capacity(block.txs.len());
    let mut traces = Vec::new();
    for i in 0..block.txs.len() {
        let out = execute_tx(block, i, &mut overlay, record_traces).expect("the serial view never suspends");
        overlay.writes.extend(out.writes);
        receipts.push(out.receipt);
        traces.extend(out.trace);
    }
    let n = block.txs.len() as u64;
    let stats = ExecStats { executions: n, validations: 0 };
    BlockOutcome::new(receipts, overlay.writes, traces, stats)
}
