//! Block proofs: one proof of all the transactions of a block, over the same tables as a single
//! execution (`cpu.rs` documents the segments). What a block proof guarantees and what its
//! verifier must trust is in `docs/proving.md` ("Block proofs").

use std::collections::HashMap;

use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::timed;
use plonky2::util::timing::TimingTree;
use starky::proof::StarkProof;

use super::commit::TraceCommitter;
use super::statement::{touched_slots, BlockClaim, LogEntry};
use super::system::{build_statement_traces, prove_statement, verify_statement, Bits, ProveError, VerifyError};
use super::{C, D, F};
use crate::chain::{execute_serial, Block, BlockOutcome, KeyHash, MerkleProof, Status};
use crate::vm::{self, Opcode, Operand, Program, Trace};

/// A proof of a block's execution: the claim and one Starky proof per table (in `tables` order).
#[derive(Clone, Debug)]
pub struct BlockProof {
    pub claim: BlockClaim,
    pub proofs: Vec<StarkProof<F, C, D>>,
}

/// The claim of `block` executed with `outcome` (serial execution with traces). Fails if a
/// transaction failed in a way the proof cannot show (anything but a failing `assert`).
pub fn block_claim(block: &Block, outcome: &BlockOutcome) -> Result<BlockClaim, ProveError> {
    if block.txs.is_empty() {
        return Err(ProveError::Unprovable("the block has no transactions".into()));
    }
    if outcome.traces.len() != block.txs.len() {
        return Err(ProveError::Unprovable("the outcome carries no traces".into()));
    }
    let mut failed = Vec::with_capacity(block.txs.len());
    let mut outputs = Vec::with_capacity(block.txs.len());
    let mut storage = Vec::new();
    for (i, (tx, trace)) in block.txs.iter().zip(&outcome.traces).enumerate() {
        let program = &block.contracts[&tx.contract].program;
        let fail = matches!(outcome.receipts[i].status, Status::Failed(_));
        let mut outs = Vec::new();
        let mut last = None;
        for row in trace.rows() {
            let ins = program.instructions[row.pc as usize];
            if ins.op == Opcode::Out {
                outs.push(match ins.b {
                    Operand::Reg(r) => row.regs[r as usize],
                    Operand::Imm(v) => v,
                });
            }
            last = Some((ins, row));
        }
        if fail {
            let ok = matches!(last, Some((ins, row)) if ins.op == Opcode::Assert && {
                let b = match ins.b { Operand::Reg(r) => row.regs[r as usize], Operand::Imm(v) => v };
                row.regs[ins.a as usize] != b
            });
            if !ok {
                let Status::Failed(why) = &outcome.receipts[i].status else { unreachable!() };
                return Err(ProveError::Unprovable(format!(
                    "transaction {i} failed with `{why}`; only failures at an `assert` can be proven yet"
                )));
            }
        }
        for s in &trace.storage {
            storage.push(LogEntry { tx: i as u32, address: F::from_canonical_u64(tx.contract), key: s.key, value: s.value, write: s.write });
        }
        failed.push(fail);
        outputs.push(outs);
    }
    let pre_values = touched_slots(&storage).into_iter().map(|(a, k)| block.pre_state.get(a, k)).collect();
    Ok(BlockClaim {
        contracts: block.contracts.values().map(|c| (c.address, c.program.instructions.clone())).collect(),
        txs: block.txs.clone(),
        failed,
        outputs,
        storage,
        pre_values,
        pre_root: block.pre_state.root(),
        post_root: outcome.post_root(block),
    })
}

/// Executes `block` serially with traces and proves it, each table `t` padded to at least
/// `1 << min_bits[t]` rows (`system::NATURAL` for no padding).
pub fn prove_block(
    block: &Block,
    min_bits: &Bits,
    committer: &dyn TraceCommitter,
    timing: &mut TimingTree,
) -> Result<BlockProof, ProveError> {
    let outcome = timed!(timing, "execute block", execute_serial(block, true));
    let claim = timed!(timing, "block claim and roots", block_claim(block, &outcome)?);
    let traces: Vec<&Trace> = outcome.traces.iter().collect();
    let stmt = claim.statement();
    let (paths, end) = timed!(timing, "state update paths", slot_proofs(block, &stmt.slots));
    if end != claim.post_root {
        return Err(ProveError::Unprovable("the slot updates do not end at the block's post-state root".into()));
    }
    let tables = timed!(timing, "generate traces", build_statement_traces(&stmt, &traces, &paths, min_bits)?);
    let proofs = prove_statement(&stmt, &tables, committer, timing)?;
    Ok(BlockProof { claim, proofs })
}

/// The Merkle proofs the state table's chain of `updates` `(address, key, old, new)` needs (a
/// statement's `slots`, [`BlockClaim::slot_updates`]): per update, the proof of its old value
/// under the root the updates before it leave, starting from the block's pre-state; and the
/// root the chain ends at.
pub fn slot_proofs(block: &Block, updates: &[(F, F, F, F)]) -> (Vec<MerkleProof>, HashOut<F>) {
    let mut tree = block.pre_state.tree().clone();
    let proofs = updates.iter().map(|&(a, k, _, new)| tree.write_with_witness(KeyHash::of(a, k), new).proof).collect();
    (proofs, tree.root())
}

/// Checks the claim's shape and that its storage log is consistent with itself and with the
/// claimed pre-state values: a read returns the value of the last earlier write to the slot by
/// the same transaction, else by an earlier successful transaction, else the slot's pre-state
/// value (which the state table proves under the pre-state root).
pub fn check_block_claim(c: &BlockClaim) -> Result<(), VerifyError> {
    let bad = |m: String| Err(VerifyError::Claim(m));
    let n = c.txs.len();
    if n == 0 {
        return bad("the block has no transactions".into());
    }
    if c.failed.len() != n || c.outputs.len() != n {
        return bad("one status and one output list per transaction expected".into());
    }
    let mut code: HashMap<u64, ()> = HashMap::new();
    for (i, (a, program)) in c.contracts.iter().enumerate() {
        if i > 0 && c.contracts[i - 1].0 >= *a {
            return bad("contracts must be sorted by address, without repeats".into());
        }
        if *a >= F::ORDER {
            return bad(format!("contract address {a} is not canonical"));
        }
        let p = Program::from_instructions("claim", program.clone());
        vm::exec::validate(&p).map_err(|e| VerifyError::Claim(format!("contract {a}: {e}")))?;
        if p.is_empty() {
            return bad(format!("contract {a} is empty"));
        }
        code.insert(*a, ());
    }
    for (i, t) in c.txs.iter().enumerate() {
        if !code.contains_key(&t.contract) {
            return bad(format!("transaction {i} calls {}, where no contract is deployed", t.contract));
        }
        if std::iter::once(&t.sender).chain(&t.calldata).any(|&w| w >= F::ORDER) {
            return bad(format!("transaction {i} has a non-canonical word"));
        }
    }
    // committed: writes of finished successful transactions; pending: the current transaction's
    let mut committed: HashMap<(u64, u64), F> = HashMap::new();
    let mut pending: HashMap<(u64, u64), F> = HashMap::new();
    let slots = touched_slots(&c.storage);
    if c.pre_values.len() != slots.len() {
        return bad(format!("{} pre-state values for {} touched slots", c.pre_values.len(), slots.len()));
    }
    let pre: HashMap<(u64, u64), F> =
        slots.iter().zip(&c.pre_values).map(|(&(a, k), &v)| ((a.to_canonical_u64(), k.to_canonical_u64()), v)).collect();
    let mut cur = 0u32;
    for (k, e) in c.storage.iter().enumerate() {
        if e.tx < cur || e.tx as usize >= n {
            return bad(format!("storage access {k}: transaction index out of order"));
        }
        if e.address != F::from_noncanonical_u64(c.txs[e.tx as usize].contract) {
            return bad(format!("storage access {k}: not the transaction's contract"));
        }
        while cur < e.tx {
            if !c.failed[cur as usize] {
                committed.extend(pending.drain());
            }
            pending.clear();
            cur += 1;
        }
        let slot = (e.address.to_canonical_u64(), e.key.to_canonical_u64());
        if e.write {
            pending.insert(slot, e.value);
        } else if let Some(&v) = pending.get(&slot).or_else(|| committed.get(&slot)) {
            if v != e.value {
                return bad(format!("storage access {k}: read of {} returns {}, not the value written before", e.key, e.value));
            }
        } else if pre[&slot] != e.value {
            return bad(format!("storage access {k}: read of {} returns {}, not its pre-state value", e.key, e.value));
        }
    }
    Ok(())
}

/// Verifies a block proof against its claim (the pre-state values are proven under the
/// pre-state root; the post-state root is carried, not checked).
pub fn verify_block(proof: &BlockProof) -> Result<(), VerifyError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_block_claim(&proof.claim)?;
        verify_statement(&proof.claim.statement(), &proof.proofs)
    })) {
        Ok(r) => r,
        Err(_) => Err(VerifyError::Shape { table: "any", msg: "the verifier rejected the proof's structure".into() }),
    }
}
