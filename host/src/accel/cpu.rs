//! The `cpu` backend: plonky2's own commitment, the reference every other backend must equal.

use plonky2::field::polynomial::PolynomialValues;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::util::timing::TimingTree;

use super::{AccelError, Accelerator, Committed};
use crate::prover::F;

#[derive(Clone, Copy, Debug, Default)]
pub struct CpuAccelerator;

impl Accelerator for CpuAccelerator {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<Committed, AccelError> {
        let batch = PolynomialBatch::from_values(trace.to_vec(), rate_bits, false, cap_height, &mut TimingTree::default(), None);
        Ok(Committed { batch, report: None })
    }
}
