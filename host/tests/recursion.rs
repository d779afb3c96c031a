//! Recursive verification of execution proofs: a valid proof gives a Plonky2 proof that Plonky2's
//! verifier accepts, whose public inputs are the statement; tampered proofs or claims give none.
//! One circuit (one shape) is built for the whole file, so the tests run one after another.

use std::sync::Mutex;


use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::prover::recursion::{self, RecursionError};
use parallax::prover::{self, tables::*, CpuCommitter, ExecutionProof};
use parallax::chain::workload::{self, WorkloadParams, TOKEN};
use parallax::chain::{Block, Transaction};
use parallax::vm::{assemble, Inputs};

type F = prover::F;

static SERIAL: Mutex<()> = Mutex::new(());

/// Uses every opcode (and so every decoding rule of the ROM in circuit), calldata, outputs and
/// storage.
const ALL_OPCODES: &str = "
    cdload r1, 0
    cdload r2, 1
    add r3, r1, r2
    sub r3, r3, 1
    mul r3, r3, r2
    mov r4, r3
    eq r5, r4, r3
    neq r5, r4, 7
    lt r5, r1, r2
    gte r5, r1, r2
    and r6, r1, 0xff
    or r6, r6, r2
    xor r6, r6, r1
    not r7, r6
    range r7
    assert r4, r3
    mstore [fp + 0], r6
    mload r8, [fp]
    mstore [100], r8
    mload r8, [100]
    sstore r1, r8
    sload r0, r1
    sload r0, 12345
    prophet divmod r2, r3, r1, r2
    prophet sqrt r4, r1
    call f, 3
    out r6
    eq r5, r1, 0
    cjmp r5, skip
    out r0
skip:
    end
f:
    mov r6, 99
    mstore [fp], r6
    ret
";

fn proof(calldata: &[u64]) -> ExecutionProof {
    let p = assemble("t.asm", ALL_OPCODES).unwrap();
    let inputs = Inputs { calldata: calldata.iter().map(|&x| F::from_canonical_u64(x)).collect(), ..Inputs::default() };
    let proof = prover::prove(&p, &inputs, &CpuCommitter, &mut TimingTree::default()).unwrap();
    prover::verify(&proof).unwrap();
    proof
}

/// The recursive proof of `p` fails: the claim is rejected, witness generation fails or the
/// proof does not verify against the claim.
#[track_caller]
fn assert_rejected(p: &ExecutionProof) {
    let stmt = p.claim.statement();
    let shape = recursion::shape_of(&stmt, &p.proofs).unwrap();
    match recursion::prove_execution(p) {
        Err(RecursionError::Prove(_)) | Err(RecursionError::Claim(_)) => {}
        Err(e) => panic!("rejected before proving: {e}"),
        Ok((_, outer)) => assert!(recursion::verify_execution(&p.claim, shape, &outer).is_err(), "tampered proof verified recursively"),
    }
}

#[test]
fn valid_proof_verifies_recursively() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let p = proof(&[1000, 37]);
    let stmt = p.claim.statement();
    let shape = recursion::shape_of(&stmt, &p.proofs).unwrap();
    let t = std::time::Instant::now();
    let circuit = recursion::circuit_for(shape);
    let built = t.elapsed();
    let t = std::time::Instant::now();
    let (circuit2, outer) = recursion::prove_execution(&p).unwrap();
    let proved = t.elapsed();
    assert!(std::sync::Arc::ptr_eq(&circuit, &circuit2));
    let t = std::time::Instant::now();
    recursion::verify_execution(&p.claim, shape, &outer).unwrap();
    eprintln!(
        "circuit built in {built:?}, wrapped in {proved:?}, verified in {:?}; proof {} bytes",
        t.elapsed(),
        outer.to_bytes().len()
    );
    assert_eq!(outer.public_inputs[..recursion::CLAIM_TRANSCRIPT], recursion::statement_of(&p.claim)[..]);
    assert_eq!(outer.public_inputs, recursion::expected_public_inputs(&stmt, &shape));
    eprintln!(
        "shape {:?}: degree bits {}, {} gates",
        circuit.shape,
        circuit.data.common.degree_bits(),
        circuit.data.common.degree()
    );
    // Changed public inputs do not verify.
    let mut forged = outer.clone();
    forged.public_inputs[16] += F::ONE;
    assert!(circuit.verify(&forged).is_err());
    // The proof is not a proof of another claim of the same shape.
    let mut other = p.claim.clone();
    other.outputs[0] += F::ONE;
    assert!(recursion::verify_execution(&other, shape, &outer).is_err());
}

#[test]
fn tampered_proofs_are_rejected() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let p = proof(&[1000, 37]);
    // Another output than the run produced.
    let mut q = p.clone();
    q.claim.outputs[0] += F::ONE;
    assert!(prover::verify(&q).is_err());
    assert_rejected(&q);
    // Another instruction (same length, so the same shape).
    let mut q = p.clone();
    q.claim.program[2] = q.claim.program[3];
    assert_rejected(&q);
    // Another initial register.
    let mut q = p.clone();
    q.claim.initial_regs[3] = F::ONE;
    assert_rejected(&q);
    // A flipped opening of the CPU table.
    let mut q = p.clone();
    q.proofs[CPU].openings.local_values[0] += <prover::F as plonky2::field::extension::Extendable<2>>::Extension::ONE;
    assert_rejected(&q);
    // A storage entry read as a write.
    let mut q = p;
    q.claim.storage[1].write = !q.claim.storage[1].write;
    assert_rejected(&q);
}

/// A block with a failing transaction verifies recursively; its recursive proof exposes the
/// pre-state root, post-state root and block hash; tampered block claims are rejected.
#[test]
fn block_proof_verifies_recursively() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let b = workload::generate(WorkloadParams { txs: 3, accounts: 4, contention: 0.3, seed: 7 }).unwrap();
    let mut txs = b.txs.clone();
    txs.push(Transaction { sender: 1, contract: TOKEN, calldata: vec![3, 50_000_000] });
    let block = Block::new(b.contracts.into_values().collect(), b.pre_state, txs).unwrap();
    let p = prover::prove_block(&block, &prover::system::NATURAL, &CpuCommitter, &mut TimingTree::default()).unwrap();
    prover::verify_block(&p).unwrap();
    assert!(p.claim.failed.iter().any(|&f| f));
    let stmt = p.claim.statement();
    let shape = recursion::shape_of(&stmt, &p.proofs).unwrap();
    let t = std::time::Instant::now();
    let (_, outer) = recursion::prove_block(&p).unwrap();
    eprintln!("block wrapped in {:?} (shape {:?})", t.elapsed(), shape);
    recursion::verify_block(&p.claim, shape, &outer).unwrap();
    let pi = &outer.public_inputs;
    assert_eq!(pi[recursion::PRE_ROOT..][..4], p.claim.pre_root.elements);
    assert_eq!(pi[recursion::POST_ROOT..][..4], p.claim.post_root.elements);
    assert_eq!(pi[recursion::BLOCK_HASH..][..4], prover::statement::block_hash(&p.claim.txs).elements);
    assert_eq!(pi[..recursion::BLOCK_TRANSCRIPT], recursion::block_statement_of(&p.claim)[..]);
    // Another post-state root: the recursive proof is not a proof of it.
    let mut c = p.claim.clone();
    c.post_root.elements[0] += F::ONE;
    assert!(recursion::verify_block(&c, shape, &outer).is_err());
    // Another value written to storage (or another output): no recursive proof.
    let mut q = p.clone();
    if let Some(i) = q.claim.storage.iter().rposition(|e| e.write) {
        q.claim.storage[i].value += F::ONE;
    } else {
        let i = q.claim.outputs.iter().position(|o| !o.is_empty()).expect("a write or an output");
        q.claim.outputs[i][0] += F::ONE;
    }
    assert!(prover::verify_block(&q).is_err());
    match recursion::prove_block(&q) {
        Err(RecursionError::Prove(_)) | Err(RecursionError::Claim(_)) => {}
        Err(e) => panic!("rejected before proving: {e}"),
        Ok((_, outer)) => assert!(recursion::verify_block(&q.claim, shape, &outer).is_err()),
    }
}
