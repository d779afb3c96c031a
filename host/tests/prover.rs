//! Proofs of execution: honest runs verify; forged traces (built without the executor), forged
//! claims and tampered proofs are rejected by the verifier.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::programs::example;
use parallax::prover::{self, cpu, tables::*, CpuCommitter, ExecutionProof, Traces};
use parallax::vm::{self, assemble, Inputs, Program};

fn f(x: u64) -> F {
    F::from_canonical_u64(x)
}

fn timing() -> TimingTree {
    TimingTree::default()
}

fn asm(src: &str) -> Program {
    assemble("test.asm", src).unwrap()
}

fn inputs(calldata: &[u64]) -> Inputs {
    Inputs { calldata: calldata.iter().map(|&x| f(x)).collect(), ..Inputs::default() }
}

/// Runs, builds the traces, lets `forge` change them, proves and verifies.
fn prove_forged(program: &Program, inputs: &Inputs, forge: impl FnOnce(&mut Traces)) -> Result<(), prover::VerifyError> {
    let (outcome, trace) = vm::execute_traced(program, inputs).unwrap();
    let claim = prover::Claim {
        program: program.instructions.clone(),
        initial_regs: inputs.regs,
        final_regs: outcome.regs,
        calldata: inputs.calldata.clone(),
        outputs: outcome.outputs.clone(),
        storage: trace
            .storage
            .iter()
            .map(|s| prover::StorageEntry { key: s.key, value: s.value, write: s.write })
            .collect(),
    };
    let mut traces = prover::build_traces(&claim, &trace);
    forge(&mut traces);
    let proofs = prover::prove_traces(&claim, &traces, &CpuCommitter, &mut timing()).unwrap();
    prover::verify(&ExecutionProof { claim, proofs })
}

#[test]
fn fib_proves_and_verifies() {
    let p = example("fib").unwrap().assemble().unwrap();
    let proof = prover::prove(&p, &inputs(&[20]), &CpuCommitter, &mut timing()).unwrap();
    assert_eq!(proof.claim.outputs, vec![f(6765)]);
    prover::verify(&proof).unwrap();
}
