//! Cycle-accurate simulator of the Parallax accelerator card (see `docs/accelerator.md`).
//!
//! The host sees one [Card]: it sends commands ("LDE these columns", "Merkle-commit these
//! leaves", "LDE and commit") and gets results bit-identical to plonky2's
//! `PolynomialBatch::from_values`, plus a [RunReport] of simulated cycles per phase.
//!
//! PUBLIC API CONTRACT (the host's `sim` backend is written against it): the items below keep
//! their names and signatures; new items may be added.

use plonky2::field::polynomial::PolynomialValues;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use plonky2::util::timing::TimingTree;

pub use plonky2::field::goldilocks_field::GoldilocksField as F;
pub type Digest = plonky2::hash::hash_types::HashOut<F>;

/// PCIe link between host and card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PcieConfig {
    /// Generation (3, 4 or 5).
    pub gen: u8,
    /// Lanes (1..=16).
    pub lanes: u8,
}

/// Device memory (HBM or DDR).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryConfig {
    pub banks: usize,
    /// Bytes per kernel clock cycle per bank.
    pub bytes_per_cycle: usize,
    /// Read latency in kernel clock cycles.
    pub latency_cycles: u64,
    /// Capacity in bytes (all banks).
    pub capacity: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardConfig {
    pub clock_mhz: u32,
    pub pcie: PcieConfig,
    pub memory: MemoryConfig,
    pub ntt_cores: usize,
    pub poseidon_cores: usize,
    /// A command that has not finished after this many cycles fails with [CardError::Timeout].
    pub timeout_cycles: u64,
}

impl Default for CardConfig {
    fn default() -> Self {
        Self {
            clock_mhz: 250,
            pcie: PcieConfig { gen: 3, lanes: 16 },
            memory: MemoryConfig { banks: 32, bytes_per_cycle: 32, latency_cycles: 100, capacity: 16 << 30 },
            ntt_cores: 1,
            poseidon_cores: 1,
            timeout_cycles: u64::MAX,
        }
    }
}

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

/// Cycles of one phase of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    pub name: &'static str,
    pub cycles: u64,
}

/// What a command cost on the simulated card.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunReport {
    /// In order: e.g. "dma_in", "ntt", "hash", "dma_out".
    pub phases: Vec<Phase>,
    /// End-to-end cycles (phases may overlap, so this can be less than their sum).
    pub total_cycles: u64,
    pub clock_mhz: u32,
    pub bytes_to_card: u64,
    pub bytes_from_card: u64,
    pub device_bytes_read: u64,
    pub device_bytes_written: u64,
}

impl RunReport {
    /// Projected wall time at the card's clock, in seconds.
    pub fn seconds(&self) -> f64 {
        self.total_cycles as f64 / (self.clock_mhz as f64 * 1e6)
    }
    pub fn phase_cycles(&self, name: &str) -> u64 {
        self.phases.iter().filter(|p| p.name == name).map(|p| p.cycles).sum()
    }
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

/// The card as the host sees it.
pub struct Card {
    config: CardConfig,
    engine: EngineKind,
    faults: Vec<Fault>,
}

impl Card {
    pub fn new(config: CardConfig, engine: EngineKind) -> Self {
        Self { config, engine, faults: vec![] }
    }
    pub fn config(&self) -> &CardConfig {
        &self.config
    }
    pub fn engine(&self) -> EngineKind {
        self.engine
    }
    /// Arms a fault for the next command.
    pub fn inject(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    /// "LDE and commit": columns of 2^k values each, extended by 2^rate_bits, Merkle tree with
    /// a cap of 2^cap_height. PLACEHOLDER body (plonky2 on the CPU) until the card model lands.
    pub fn lde_and_commit(
        &mut self,
        columns: &[PolynomialValues<F>],
        rate_bits: usize,
        cap_height: usize,
    ) -> Result<Commitment, CardError> {
        let batch = PolynomialBatch::<F, PoseidonGoldilocksConfig, 2>::from_values(
            columns.to_vec(),
            rate_bits,
            false,
            cap_height,
            &mut TimingTree::default(),
            None,
        );
        Ok(Commitment {
            coeffs: batch.polynomials.into_iter().map(|p| p.coeffs).collect(),
            leaves: batch.merkle_tree.leaves,
            digests: batch.merkle_tree.digests,
            cap: batch.merkle_tree.cap.0,
            report: RunReport { clock_mhz: self.config.clock_mhz, ..Default::default() },
        })
    }
}
