//! The accelerator backends: proofs with their trace commitments on the simulated card are
//! byte-identical to the CPU's and verify; a fault injected into the card (a flipped bit in each
//! memory region, a hung core, a DMA error) or a lying device makes the committer fall back to the
//! CPU, and the proof stays byte-identical.

use std::sync::OnceLock;

use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::accel::{
    AccelCommitter, AccelError, Accelerator, Backend, CardConfig, Committed, CpuAccelerator, EngineKind, Fault, Region,
    SimAccelerator, SpotCheck,
};
use parallax::chain::workload::{self, WorkloadParams};
use parallax::prover::{self, file, CpuCommitter, TraceCommitter, F};
use parallax::vm::{assemble, Inputs, Program};

/// Commitments in a proof: one per table.
const TABLES: u64 = prover::tables::NUM_TABLES as u64;

fn fib() -> (Program, Inputs) {
    let path = format!("{}/programs/fib.asm", env!("CARGO_MANIFEST_DIR"));
    let program = assemble(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
    (program, Inputs { calldata: vec![F::from_canonical_u64(10)], ..Inputs::default() })
}

/// Runs `f` on one thread. plonky2's proof-of-work search (`find_any` over a parallel range)
/// returns whichever witness a thread finds first, so only single-threaded proofs are
/// reproducible byte for byte; everything else in a proof is a function of the commitments.
fn one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(f)
}

fn program_proof(committer: &dyn TraceCommitter) -> Vec<u8> {
    let (program, inputs) = fib();
    one_thread(|| file::to_bytes(&prover::prove(&program, &inputs, committer, &mut TimingTree::default()).unwrap()))
}

/// The reference: plonky2's commitments on the CPU.
fn cpu_program_proof() -> &'static [u8] {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| program_proof(&CpuCommitter))
}

fn committer(device: impl Accelerator + 'static, check: SpotCheck) -> AccelCommitter {
    AccelCommitter::new(Box::new(device)).with_check(check)
}

#[test]
fn program_proofs_are_identical_on_every_backend() {
    for backend in [Backend::Cpu, Backend::Sim] {
        let c = AccelCommitter::new(backend.open().unwrap());
        let bytes = program_proof(&c);
        assert!(bytes == cpu_program_proof(), "the {backend} backend's proof differs from plonky2's");
        assert_eq!((c.stats().commitments, c.stats().fallbacks), (TABLES, 0), "{backend}");
        prover::verify(&file::from_bytes(&bytes).unwrap()).unwrap();
    }
}

#[test]
fn block_proofs_are_identical_on_cpu_and_sim() {
    let block = workload::generate(WorkloadParams { txs: 6, accounts: 4, contention: 0.3, seed: 7 }).unwrap();
    let prove = |c: &dyn TraceCommitter| one_thread(|| file::block_to_bytes(&prover::prove_block(&block, &prover::system::NATURAL, c, &mut TimingTree::default()).unwrap()));
    let cpu = prove(&CpuCommitter);
    let sim = AccelCommitter::new(Backend::Sim.open().unwrap());
    let bytes = prove(&sim);
    assert!(bytes == cpu, "the sim backend's block proof differs from plonky2's");
    assert_eq!((sim.stats().commitments, sim.stats().fallbacks), (TABLES, 0));
    prover::verify_block(&file::block_from_bytes(&bytes).unwrap()).unwrap();
}

/// Proves with `fault` armed on the card and checks the fallback: exactly the faulted commitment
/// is redone on the CPU and the proof is unchanged.
/// With the default checks: the arithmetic is checked whole, so any wrong trace value,
/// coefficient or LDE word is caught; a digest only on a sampled path, so the digest case checks
/// every path.
fn falls_back(fault: Fault) {
    let check = match fault {
        Fault::FlipBit { region: Region::Digests, .. } => SpotCheck::EXHAUSTIVE,
        _ => SpotCheck::default(),
    };
    // A hung core must time out, quickly: far above what these small tables take.
    let card = SimAccelerator::new(CardConfig { timeout_cycles: 1 << 24, ..CardConfig::default() }, EngineKind::Fast);
    card.inject(fault);
    let c = committer(card, check);
    let bytes = program_proof(&c);
    assert_eq!(c.stats().fallbacks, 1, "{fault:?} did not make the committer fall back");
    assert_eq!(c.stats().commitments, TABLES);
    assert!(bytes == cpu_program_proof(), "the proof after {fault:?} differs");
}

#[test]
fn a_flipped_trace_value_falls_back() {
    falls_back(Fault::FlipBit { region: Region::Values, word: 5, bit: 3 });
}

#[test]
fn a_flipped_coefficient_falls_back() {
    falls_back(Fault::FlipBit { region: Region::Coeffs, word: 5, bit: 3 });
}

#[test]
fn a_flipped_lde_word_falls_back() {
    falls_back(Fault::FlipBit { region: Region::Lde, word: 5, bit: 3 });
}

#[test]
fn a_flipped_digest_falls_back() {
    falls_back(Fault::FlipBit { region: Region::Digests, word: 5, bit: 3 });
}

#[test]
fn a_hung_core_falls_back() {
    falls_back(Fault::HangCore);
}

#[test]
fn a_dma_error_falls_back() {
    falls_back(Fault::DmaError);
}

/// A device that returns plonky2's result with one LDE word changed, or fails, or panics.
enum Faulty {
    Lies,
    Fails,
    Panics,
}

impl Accelerator for Faulty {
    fn name(&self) -> &'static str {
        "faulty"
    }

    fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<Committed, AccelError> {
        match self {
            Self::Lies => {
                let mut c = CpuAccelerator.commit(trace, rate_bits, cap_height)?;
                let leaves = &mut c.batch.merkle_tree.leaves;
                let n = leaves.len();
                leaves[n / 3][0] += F::ONE;
                Ok(c)
            }
            Self::Fails => Err(AccelError::Timeout { cycles: 1000 }),
            Self::Panics => panic!("driver bug"),
        }
    }
}

#[test]
fn a_lying_failing_or_panicking_device_costs_no_proof() {
    for device in [Faulty::Lies, Faulty::Fails, Faulty::Panics] {
        let c = committer(device, SpotCheck::default());
        assert!(program_proof(&c) == cpu_program_proof());
        assert_eq!((c.stats().commitments, c.stats().fallbacks), (TABLES, TABLES));
    }
}

#[test]
fn the_host_reference_sees_no_difference_on_an_honest_card() {
    let c = AccelCommitter::new(Backend::Sim.open().unwrap()).with_host_reference();
    assert!(program_proof(&c) == cpu_program_proof());
    let s = c.stats();
    assert_eq!((s.commitments, s.fallbacks, s.unnoticed), (TABLES, 0, 0));
    assert!(s.host_seconds > 0.0);
}
