//! What a run cost on the simulated card.

/// Cycles of one phase of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    pub name: &'static str,
    pub cycles: u64,
}

/// Phase names: host-to-card DMA, the NTTs (inverse and coset LDE), Merkle hashing, card-to-host
/// DMA.
pub const DMA_IN: &str = "dma_in";
pub const NTT: &str = "ntt";
pub const HASH: &str = "hash";
pub const DMA_OUT: &str = "dma_out";

/// What one or more commands cost on the simulated card, with the DMA around them.
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
    /// Projected seconds of the PCIe transfers (dma_in + dma_out).
    pub fn transfer_seconds(&self) -> f64 {
        self.phase_seconds(&[DMA_IN, DMA_OUT])
    }
    /// Projected seconds of the kernel's work (ntt + hash).
    pub fn compute_seconds(&self) -> f64 {
        self.phase_seconds(&[NTT, HASH])
    }
    fn phase_seconds(&self, names: &[&str]) -> f64 {
        let cycles: u64 = names.iter().map(|n| self.phase_cycles(n)).sum();
        cycles as f64 / (self.clock_mhz as f64 * 1e6)
    }
    /// Appends a phase that runs after the previous ones.
    pub(crate) fn push(&mut self, name: &'static str, cycles: u64) {
        self.phases.push(Phase { name, cycles });
        self.total_cycles += cycles;
    }
    /// Adds `other` (a later run) to this one.
    pub fn absorb(&mut self, other: &RunReport) {
        for p in &other.phases {
            self.push(p.name, p.cycles);
        }
        self.clock_mhz = other.clock_mhz;
        self.bytes_to_card += other.bytes_to_card;
        self.bytes_from_card += other.bytes_from_card;
        self.device_bytes_read += other.device_bytes_read;
        self.device_bytes_written += other.device_bytes_written;
    }
}
