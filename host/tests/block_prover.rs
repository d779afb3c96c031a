//! Block proofs: a generated block proves and verifies; forged storage reads, swapped
//! transactions, altered calldata or roots are rejected; malformed block proof files are errors.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::chain::workload::{self, WorkloadParams, TOKEN};
use parallax::chain::{Block, Transaction};
use parallax::prover::{self, file, BlockProof, CpuCommitter};

/// Six workload transactions plus an overdrawing transfer (fails at its `assert`) and a transfer
/// from the same sender after it (its read must see the earlier successful debit).
fn small_block() -> Block {
    let b = workload::generate(WorkloadParams { txs: 6, accounts: 4, contention: 0.3, seed: 7 }).unwrap();
    let mut txs = b.txs.clone();
    txs.push(Transaction { sender: 1, contract: TOKEN, calldata: vec![2, 5] });
    txs.push(Transaction { sender: 1, contract: TOKEN, calldata: vec![3, 50_000_000] });
    txs.push(Transaction { sender: 1, contract: TOKEN, calldata: vec![3, 7] });
    Block::new(b.contracts.into_values().collect(), b.pre_state, txs).unwrap()
}

fn proof() -> &'static BlockProof {
    static P: std::sync::OnceLock<BlockProof> = std::sync::OnceLock::new();
    P.get_or_init(|| prover::prove_block(&small_block(), &prover::system::NATURAL, &CpuCommitter, &mut TimingTree::default()).unwrap())
}

#[test]
fn workload_block_proves_and_verifies() {
    let p = proof();
    assert!(p.claim.failed.iter().any(|&f| f), "the block has a failed transaction");
    assert_eq!(p.claim.txs.len(), 9);
    prover::verify_block(p).unwrap();
    let out = parallax::chain::execute_serial(&small_block(), false);
    assert_eq!(p.claim.post_root, out.post_root(&small_block()));
    // the file round-trips
    let bytes = file::block_to_bytes(p);
    let back = file::block_from_bytes(&bytes).unwrap();
    assert_eq!(back.claim, p.claim);
    prover::verify_block(&back).unwrap();
}

fn rejected(change: impl Fn(&mut BlockProof)) -> String {
    let mut bad = proof().clone();
    change(&mut bad);
    match prover::verify_block(&bad) {
        Ok(()) => panic!("forged block proof accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn forged_storage_reads_rejected() {
    let (log, failed) = (&proof().claim.storage, &proof().claim.failed);
    // a read of a slot a successful transaction wrote before: the claim contradicts itself
    let after_write = (0..log.len())
        .find(|&k| {
            !log[k].write
                && log[..k].iter().any(|e| {
                    e.write && e.tx < log[k].tx && !failed[e.tx as usize] && (e.address, e.key) == (log[k].address, log[k].key)
                })
        })
        .expect("sender 1 transfers twice");
    let e = rejected(|p| p.claim.storage[after_write].value += F::ONE);
    assert!(e.contains("read"), "{e}");
    // a read of the pre-state: the proof's storage table disagrees with the claim
    let first = log.iter().position(|e| !e.write).unwrap();
    rejected(|p| p.claim.storage[first].value += F::ONE);
}

#[test]
fn swapped_transactions_rejected() {
    let c = &proof().claim;
    let (i, j) = (0..c.txs.len())
        .flat_map(|i| (i + 1..c.txs.len()).map(move |j| (i, j)))
        .find(|&(i, j)| c.txs[i] != c.txs[j])
        .unwrap();
    rejected(|p| p.claim.txs.swap(i, j));
}

#[test]
fn altered_calldata_or_roots_rejected() {
    rejected(|p| p.claim.txs[0].calldata[0] += 1);
    rejected(|p| p.claim.txs[0].sender += 1);
    rejected(|p| p.claim.post_root.elements[0] += F::ONE);
    rejected(|p| p.claim.pre_root.elements[3] += F::ONE);
    rejected(|p| p.claim.failed[0] = !p.claim.failed[0]);
    rejected(|p| p.claim.outputs[0].push(F::ONE));
}

#[test]
fn malformed_block_proof_files_are_errors() {
    let bytes = file::block_to_bytes(proof());
    assert!(matches!(file::from_bytes(&bytes).unwrap_err(), file::FileError::WrongKind { .. }));
    for cut in [0, 8, 13, 40, bytes.len() / 2, bytes.len() - 1] {
        assert!(file::block_from_bytes(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
    let mut bad = bytes.clone();
    bad[12] = 7;
    assert_eq!(file::block_from_bytes(&bad).unwrap_err(), file::FileError::Corrupted("unknown proof kind"));
    let step = bytes.len() / 23;
    for i in (13..bytes.len()).step_by(step) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x5a;
        if let Ok(p) = file::block_from_bytes(&bad) {
            assert!(prover::verify_block(&p).is_err(), "corruption at byte {i} accepted");
        }
    }
}

/// Padded to the aggregation capacity, the proof has the capacity's shape and verifies; the
/// padding rows of a public table are the verifier's own, so other padding is rejected.
#[test]
fn padded_block_proof_verifies_and_its_padding_is_bound() {
    use parallax::prover::aggregate::BLOCK_CAPACITY;
    use parallax::prover::system::{build_statement_traces, prove_statement};
    use parallax::prover::tables::*;
    let block = small_block();
    let p = prover::prove_block(&block, &BLOCK_CAPACITY, &CpuCommitter, &mut TimingTree::default()).unwrap();
    assert_eq!(prover::recursion::degree_bits_of(&p.proofs).unwrap(), BLOCK_CAPACITY);
    prover::verify_block(&p).unwrap();
    assert_eq!(p.claim, proof().claim);

    let outcome = parallax::chain::execute_serial(&block, true);
    let stmt = p.claim.statement();
    let traces: Vec<_> = outcome.traces.iter().collect();
    let (paths, _) = prover::block::slot_proofs(&block, &stmt.slots);
    for (table, column) in [(TXS, prover::io::TX_CONTRACT), (OUTPUT, prover::io::OUT_VAL), (STORAGE, prover::io::ST_KEY)] {
        let mut t = build_statement_traces(&stmt, &traces, &paths, &BLOCK_CAPACITY).unwrap();
        let last = t[table][column].values.len() - 1;
        t[table][column].values[last] += F::ONE;
        let proofs = prove_statement(&stmt, &t, &CpuCommitter, &mut TimingTree::default()).unwrap();
        let forged = BlockProof { claim: p.claim.clone(), proofs };
        assert!(prover::verify_block(&forged).is_err(), "{} table padding forged", NAMES[table]);
    }
}

/// Proves a changed claim with the given pre-state paths and edited traces, as a dishonest prover
/// would, and returns the verifier's verdict.
fn prove_forged(
    claim: prover::BlockClaim,
    paths: &[parallax::chain::MerkleProof],
    edit: impl Fn(&mut prover::system::Traces),
) -> Result<(), prover::VerifyError> {
    let outcome = parallax::chain::execute_serial(&small_block(), true);
    let traces: Vec<_> = outcome.traces.iter().collect();
    let stmt = claim.statement();
    let mut t = prover::system::build_statement_traces(&stmt, &traces, paths, &prover::system::NATURAL).unwrap();
    edit(&mut t);
    let proofs = prover::system::prove_statement(&stmt, &t, &CpuCommitter, &mut TimingTree::default()).unwrap();
    prover::verify_block(&BlockProof { claim, proofs })
}

/// The first slot the block reads before writing it whose pre-state value is not zero: its index
/// among the touched slots, and the log entries of that first read.
fn read_slot() -> (usize, usize) {
    let c = &proof().claim;
    let slots = prover::statement::touched_slots(&c.storage);
    (0..slots.len())
        .find_map(|i| {
            let k = c.storage.iter().position(|e| (e.address, e.key) == slots[i])?;
            (!c.storage[k].write && c.pre_values[i] != F::ZERO).then_some((i, k))
        })
        .expect("a transfer reads its sender's balance first")
}

/// Pre-state values are proven under the pre-state root: a read of a value that is not under it
/// is rejected however the prover builds the state table, and the honest paths are checked.
/// (Update `i`'s path is under the root the updates before it leave, where the slot still holds
/// its pre-state value.)
#[test]
fn pre_state_values_are_proven() {
    use parallax::chain::NodeOpening;
    use parallax::prover::{state, tables::STATE};
    let (honest, _) = prover::block::slot_proofs(&small_block(), &proof().claim.slot_updates());
    assert!(honest.iter().any(|p| matches!(p.terminal, NodeOpening::Empty | NodeOpening::Leaf { .. })));
    let (i, k) = read_slot();
    let mut claim = proof().claim.clone();
    claim.pre_values[i] += F::ONE;
    claim.storage[k].value += F::ONE;
    prover::block::check_block_claim(&claim).expect("the forged claim is consistent with itself");

    // the forged value in the segment, the true leaf at the end of the path
    let e = prove_forged(claim.clone(), &honest, |_| {}).unwrap_err();
    assert!(e.to_string().contains("state table"), "{e}");
    // the forged value in the public slot list only: the state table proves another slot list
    let e = prove_forged(claim.clone(), &honest, |t| {
        let heads: Vec<usize> = (0..t[STATE][0].len()).filter(|&r| t[STATE][state::HEAD].values[r] == F::ONE).collect();
        for r in heads[i]..heads[i] + honest[i].siblings.len() + 2 {
            t[STATE][state::OLD].values[r] -= F::ONE;
        }
    })
    .unwrap_err();
    assert!(e.to_string().contains("cross-table"), "{e}");
    // a path to a leaf holding the forged value: it does not lead to the pre-state root
    let mut paths = honest.clone();
    let NodeOpening::Leaf { value, .. } = &mut paths[i].terminal else { panic!("the slot is present") };
    *value += F::ONE;
    let e = prove_forged(claim.clone(), &paths, |_| {}).unwrap_err();
    assert!(e.to_string().contains("state table"), "{e}");
    // ... or the forged value in the leaf's preimage, under the true leaf hash
    let e = prove_forged(claim.clone(), &honest, |t| {
        let head = (0..t[STATE][0].len()).filter(|&r| t[STATE][state::HEAD].values[r] == F::ONE).nth(i).unwrap();
        t[STATE][state::OR].values[head + honest[i].siblings.len() + 1] += F::ONE;
    })
    .unwrap_err();
    assert!(e.to_string().contains("cross-table"), "{e}");
    // a present slot shown absent (its path cut short at an empty node)
    let mut claim0 = proof().claim.clone();
    claim0.pre_values[i] = F::ZERO;
    claim0.storage[k].value = F::ZERO;
    let mut paths = honest.clone();
    paths[i].terminal = NodeOpening::Empty;
    assert!(prove_forged(claim0, &paths, |_| {}).is_err());
}

/// The key hash's bits in the state table are those of the slot's key hash.
#[test]
fn state_table_bits_are_the_key_hash() {
    use parallax::prover::{state, tables::STATE};
    let (honest, _) = prover::block::slot_proofs(&small_block(), &proof().claim.slot_updates());
    prove_forged(proof().claim.clone(), &honest, |_| {}).expect("the honest table verifies");
    for j in [0, 1, 40] {
        let e = prove_forged(proof().claim.clone(), &honest, |t| {
            let b = &mut t[STATE][state::BITS + j].values[0];
            *b = F::ONE - *b;
        })
        .unwrap_err();
        assert!(e.to_string().contains("state table"), "bit {j}: {e}");
    }
}

/// A dishonest prover's state table for changed slot updates `(address, key, old, new)`: the
/// paths and roots of the changed chain, the claim's post-state root set to where it ends, and
/// the public slot list the verifier derives from the (unchanged) storage log.
fn prove_changed_updates(edit: impl Fn(&mut Vec<(F, F, F, F)>)) -> Result<(), prover::VerifyError> {
    use parallax::prover::tables::SLOTS;
    let block = small_block();
    let mut claim = proof().claim.clone();
    let mut updates = claim.slot_updates();
    edit(&mut updates);
    let (paths, end) = prover::block::slot_proofs(&block, &updates);
    claim.post_root = end;
    let stmt = claim.statement();
    let mut built = stmt.clone();
    built.slots = updates;
    let outcome = parallax::chain::execute_serial(&block, true);
    let traces: Vec<_> = outcome.traces.iter().collect();
    let mut t = prover::system::build_statement_traces(&built, &traces, &paths, &prover::system::NATURAL).unwrap();
    t[SLOTS] = prover::state::slots_public(&stmt.slots, t[SLOTS][0].len()).into_iter().map(plonky2::field::polynomial::PolynomialValues::new).collect();
    let proofs = prover::system::prove_statement(&stmt, &t, &CpuCommitter, &mut TimingTree::default()).unwrap();
    prover::verify_block(&BlockProof { claim, proofs })
}

/// The post-state root is proven: a forged one is rejected, also with the state table's roots
/// edited to lead there; a dropped write, or two transactions' writes to one slot applied in
/// the wrong order, ends at another root, which the public slot list rejects.
#[test]
fn post_state_root_is_proven() {
    use parallax::prover::{state, tables::STATE};
    let (honest, end) = prover::block::slot_proofs(&small_block(), &proof().claim.slot_updates());
    assert_eq!(end, proof().claim.post_root);
    prove_changed_updates(|_| {}).expect("the honest chain verifies");

    let mut claim = proof().claim.clone();
    claim.post_root.elements[1] += F::ONE;
    let e = prove_forged(claim.clone(), &honest, |_| {}).unwrap_err();
    assert!(e.to_string().contains("state table"), "{e}");
    let forged = claim.post_root.elements;
    let e = prove_forged(claim, &honest, |t| {
        let last_head = (0..t[STATE][0].len()).filter(|&r| t[STATE][state::HEAD].values[r] == F::ONE).last().unwrap();
        for r in last_head..t[STATE][0].len() {
            for i in 0..4 {
                t[STATE][state::NROOT + i].values[r] = forged[i];
                let kinds = [state::HEAD, state::PATH, state::T_EMPTY, state::T_SAME, state::T_OTHER];
                if kinds.iter().all(|&k| t[STATE][k].values[r] == F::ZERO) {
                    t[STATE][state::OROOT + i].values[r] = forged[i];
                }
            }
        }
    })
    .unwrap_err();
    assert!(e.to_string().contains("state table"), "{e}");

    // a slot the block writes: its write dropped (the update keeps the old value)
    let c = &proof().claim;
    let updates = c.slot_updates();
    let w = updates.iter().position(|u| u.2 != u.3).expect("the block changes a slot");
    let e = prove_changed_updates(|u| u[w].3 = u[w].2).unwrap_err();
    assert!(e.to_string().contains("cross-table"), "{e}");

    // a slot two successful transactions write: the earlier write applied last
    let written = |i: usize| {
        let (a, k) = (updates[i].0, updates[i].1);
        let mut vals: Vec<F> = c.storage.iter().filter(|e| e.write && !c.failed[e.tx as usize] && (e.address, e.key) == (a, k)).map(|e| e.value).collect();
        vals.dedup();
        vals
    };
    let i = (0..updates.len()).find(|&i| written(i).len() >= 2).expect("sender 1 transfers twice");
    let earlier = written(i)[written(i).len() - 2];
    let e = prove_changed_updates(|u| u[i].3 = earlier).unwrap_err();
    assert!(e.to_string().contains("cross-table"), "{e}");
}

/// Workload blocks at several contention levels (transfers, swaps and counters; hot keys from
/// none to all) prove and verify, and the proven post-state root is the chain model's, from the
/// parallel executor as from serial execution.
#[test]
fn workload_blocks_prove_their_state_transition_at_every_contention() {
    use parallax::chain::execute_parallel;
    for (contention, seed) in [(0.0, 21), (0.5, 22), (1.0, 23)] {
        let b = workload::generate(WorkloadParams { txs: 12, accounts: 16, contention, seed }).unwrap();
        let p = prover::prove_block(&b, &prover::system::NATURAL, &CpuCommitter, &mut TimingTree::default()).unwrap();
        prover::verify_block(&p).unwrap();
        let parallel = execute_parallel(&b, 2, false);
        assert_eq!(p.claim.post_root, parallel.post_root(&b), "contention {contention}");
        assert_eq!(p.claim.post_root, parallax::chain::execute_serial(&b, false).post_root(&b));
        assert_ne!(p.claim.post_root, p.claim.pre_root, "the block changes the state");
    }
}
