//! The trace-commitment seam: the one place that turns trace columns into a committed
//! `PolynomialBatch` (LDE by NTT, then a Poseidon Merkle tree over the rows). It is the prover's
//! dominant cost and what the FPGA accelerator will take over, so everything else reaches it
//! through [`TraceCommitter`] only.

use plonky2::field::polynomial::PolynomialValues;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::util::timing::TimingTree;

use super::{C, D, F};

pub trait TraceCommitter: Sync {
    /// Commits to `trace` (one entry per column, all of one power-of-two length): the low-degree
    /// extension by `2^rate_bits` and a Merkle tree with a cap of `2^cap_height` hashes.
    fn commit(
        &self,
        trace: &[PolynomialValues<F>],
        rate_bits: usize,
        cap_height: usize,
        timing: &mut TimingTree,
    ) -> PolynomialBatch<F, C, D>;
}

/// plonky2's own commitment on the CPU.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuCommitter;

impl TraceCommitter for CpuCommitter {
    fn commit(
        &self,
        trace: &[PolynomialValues<F>],
        rate_bits: usize,
        cap_height: usize,
        timing: &mut TimingTree,
    ) -> PolynomialBatch<F, C, D> {
        PolynomialBatch::from_values(trace.to_vec(), rate_bits, false, cap_height, timing, None)
    }
}
