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
    for (table, column) in [(TXS, prover::io::TX_CONTRACT), (OUTPUT, prover::io::OUT_VAL), (STORAGE, prover::io::ST_KEY)] {
        let mut t = build_statement_traces(&stmt, &traces, &BLOCK_CAPACITY);
        let last = t[table][column].values.len() - 1;
        t[table][column].values[last] += F::ONE;
        let proofs = prove_statement(&stmt, &t, &CpuCommitter, &mut TimingTree::default()).unwrap();
        let forged = BlockProof { claim: p.claim.clone(), proofs };
        assert!(prover::verify_block(&forged).is_err(), "{} table padding forged", NAMES[table]);
    }
}
