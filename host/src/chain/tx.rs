//! Transactions and receipts, and the execution of one transaction against a view of the state.
//! Serial and parallel block execution both run transactions through [`execute_tx`], so they
//! share one semantics; they differ only in the [`StateView`] they pass.

use std::collections::BTreeMap;

use plonky2::field::types::{Field, PrimeField64};

use super::block::Block;
use super::hash::F;
use crate::vm::{self, ErrorKind, Honest, Inputs, NoTrace, Storage, Trace};

/// A storage slot: `(contract address, key)`, canonical.
pub type Slot = (u64, u64);

/// Step limit of one transaction: a runaway contract fails instead of stalling the block.
pub const TX_MAX_STEPS: u64 = 1 << 20;

/// A call of a contract. The VM sees `calldata = [sender, calldata...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub sender: u64,
    pub contract: u64,
    pub calldata: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Success,
    /// The transaction failed (assert, range check, step limit, ...); its writes are discarded.
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub status: Status,
    pub steps: u64,
    pub outputs: Vec<F>,
}

impl Receipt {
    pub fn succeeded(&self) -> bool {
        self.status == Status::Success
    }
}

/// What executing one transaction produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxOutput {
    pub receipt: Receipt,
    /// Net writes (last value per slot); empty when the transaction failed.
    pub writes: BTreeMap<Slot, F>,
    pub trace: Option<Trace>,
}

/// Reads the state as transaction `tx` of a block should see it. A parallel executor may answer
/// [`ErrorKind::Suspended`] to abandon the execution.
pub trait StateView {
    fn read(&mut self, slot: Slot) -> Result<F, ErrorKind>;
}

/// The VM's storage during one transaction: its own writes over the view.
struct TxStorage<'v, V: StateView> {
    contract: u64,
    view: &'v mut V,
    writes: BTreeMap<Slot, F>,
}

impl<V: StateView> Storage for TxStorage<'_, V> {
    fn load(&mut self, key: F) -> Result<F, ErrorKind> {
        let slot = (self.contract, key.to_canonical_u64());
        match self.writes.get(&slot) {
            Some(v) => Ok(*v),
            None => self.view.read(slot),
        }
    }

    fn store(&mut self, key: F, value: F) -> Result<(), ErrorKind> {
        self.writes.insert((self.contract, key.to_canonical_u64()), value);
        Ok(())
    }
}

/// Executes transaction `index` of `block` against `view`. `Err(tx)` means the view suspended
/// the execution on a dependency on transaction `tx`; every other outcome is a receipt.
pub fn execute_tx<V: StateView>(block: &Block, index: usize, view: &mut V, record_trace: bool) -> Result<TxOutput, usize> {
    let tx = &block.txs[index];
    let contract = &block.contracts[&tx.contract];
    let mut calldata = vec![F::from_canonical_u64(tx.sender)];
    calldata.extend(tx.calldata.iter().map(|&w| F::from_canonical_u64(w)));
    let inputs = Inputs { calldata, max_steps: TX_MAX_STEPS, ..Inputs::default() };
    let mut storage = TxStorage { contract: tx.contract, view, writes: BTreeMap::new() };
    let mut trace = Trace::default();
    let result = if record_trace {
        vm::run(&contract.program, &inputs, &mut trace, &mut Honest, &mut storage)
    } else {
        vm::run(&contract.program, &inputs, &mut NoTrace, &mut Honest, &mut storage)
    };
    let (receipt, writes) = match result {
        Ok(out) => {
            trace.final_regs = out.regs;
            (Receipt { status: Status::Success, steps: out.steps, outputs: out.outputs }, storage.writes)
        }
        Err(e) => match e.kind {
            ErrorKind::Suspended { tx } => return Err(tx),
            _ => {
                let status = Status::Failed(contract.program.describe_error(&e));
                (Receipt { status, steps: e.step + 1, outputs: Vec::new() }, BTreeMap::new())
            }
        },
    };
    Ok(TxOutput { receipt, writes, trace: record_trace.then_some(trace) })
}

