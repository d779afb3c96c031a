//! Cycle-accurate simulator of the Parallax accelerator card (see docs/accelerator.md, "Card").
//!
//! The host sees one [Card]: registers in XRT's `ap_ctrl_hs` layout
//! (`parallax_hdl::regmap`), buffers in device memory, DMA over a PCIe model, and a kernel whose
//! controller ([controller]) sequences "LDE these columns", "Merkle-commit these leaves" and
//! "LDE and commit" over the NTT and Poseidon cores. The cores run on one of two engines
//! ([engine]): the Rust-HDL RTL clocked cycle by cycle, or a fast cycle model that tests hold
//! equal to it. Results are bit-identical to plonky2's `PolynomialBatch::from_values`; a
//! [RunReport] gives the simulated cycles per phase and the traffic.
//!
//! PUBLIC API CONTRACT (the host's `sim` backend is written against it): the items below keep
//! their names and signatures; new items may be added.

pub mod card;
pub mod config;
mod controller;
pub mod driver;
pub mod engine;
mod memory;
pub mod merkle;
pub mod report;
pub mod rtl_kernel;

use std::time::Duration;

use plonky2::field::polynomial::PolynomialValues;

pub use card::Card;
pub use config::{CardConfig, MemoryConfig, PcieConfig};
pub use memory::Buffer;
pub use plonky2::field::goldilocks_field::GoldilocksField as F;
pub use report::{Phase, RunReport};
pub type Digest = plonky2::hash::hash_types::HashOut<F>;

/// The Goldilocks prime.
pub const P: u64 = parallax_hdl::field::P;

/// Which engine runs the cores: the RTL clocked cycle by cycle, or the fast cycle model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Fast,
    Rtl,
}

/// Region of device memory a [Fault::FlipBit] lands in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// The trace columns as uploaded.
    Values,
    /// The coefficients.
    Coeffs,
    /// The extended columns (LDE leaves).
    Lde,
    /// The Merkle digests.
    Digests,
}

/// Faults the simulator can inject into the next command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Flip bit `bit` of word `word` (index into the region, row-major) after it is written.
    FlipBit { region: Region, word: usize, bit: u32 },
    /// A core stops accepting input: the command never completes.
    HangCore,
    /// The DMA engine reports an error.
    DmaError,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CardError {
    #[error("accelerator timed out after {cycles} cycles")]
    Timeout { cycles: u64 },
    #[error("DMA error: {0}")]
    Dma(String),
    #[error("device error: {0}")]
    Device(String),
    #[error("unsupported command: {0}")]
    Unsupported(String),
}

/// Result of "LDE and commit": the parts of plonky2's `PolynomialBatch` (coefficients; LDE leaves
/// row-major in bit-reversed row order; digests in `MerkleTree::digests` layout; cap).
#[derive(Clone, Debug)]
pub struct Commitment {
    pub coeffs: Vec<Vec<F>>,
    pub leaves: Vec<Vec<F>>,
    pub digests: Vec<Digest>,
    pub cap: Vec<Digest>,
    pub report: RunReport,
}

impl Card {
    /// "LDE and commit": columns of 2^k values each, extended by 2^rate_bits, Merkle tree with
    /// a cap of 2^cap_height; run by [driver::lde_and_commit], waiting at most the
    /// configuration's `timeout_cycles`. The report covers the transfers and the kernel run.
    pub fn lde_and_commit(
        &mut self,
        columns: &[PolynomialValues<F>],
        rate_bits: usize,
        cap_height: usize,
    ) -> Result<Commitment, CardError> {
        let timeout = Duration::from_secs_f64(self.config().cycles_to_seconds(self.config().timeout_cycles));
        self.take_report();
        let parts = driver::lde_and_commit(self, columns, rate_bits, cap_height, timeout);
        let report = self.take_report();
        let parts = parts?;
        Ok(Commitment { coeffs: parts.coeffs, leaves: parts.leaves, digests: parts.digests, cap: parts.cap, report })
    }
}
