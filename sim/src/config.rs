//! The card's configuration: clock, host link, device memory, core counts. One `CardConfig`
//! drives the controller, both engines and the projections printed by `parallax bench`.

/// PCIe link between host and card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PcieConfig {
    /// Generation (1 to 5).
    pub gen: u8,
    /// Lanes (1, 2, 4, 8 or 16).
    pub lanes: u8,
}

/// Fraction of the link's raw bit rate that a DMA engine sustains: 128b/130b coding (Gen3+),
/// then TLP framing with 256-byte payloads (24 bytes of header, sequence number, LCRC and framing
/// per TLP: 256/280) and flow-control/ack DLLPs (~5%). Gen3 x16 gives ~13.7 GB/s, in line with
/// the 12-13 GB/s that XDMA-based Alveo shells report for large transfers.
const TLP_EFFICIENCY: f64 = 256.0 / 280.0 * 0.95;
/// Fixed cost of one DMA transfer (descriptor fetch, doorbell, completion interrupt), seconds.
pub const DMA_SETUP_S: f64 = 2e-6;

impl PcieConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=5).contains(&self.gen) {
            return Err(format!("PCIe generation {} is not 1 to 5", self.gen));
        }
        if ![1, 2, 4, 8, 16].contains(&self.lanes) {
            return Err(format!("PCIe lane count {} is not 1, 2, 4, 8 or 16", self.lanes));
        }
        Ok(())
    }
    /// Sustained one-way DMA bandwidth, bytes per second.
    pub fn bytes_per_second(&self) -> f64 {
        let (gt_per_s, coding) = match self.gen {
            1 => (2.5e9, 8.0 / 10.0),
            2 => (5e9, 8.0 / 10.0),
            3 => (8e9, 128.0 / 130.0),
            4 => (16e9, 128.0 / 130.0),
            _ => (32e9, 128.0 / 130.0),
        };
        gt_per_s * self.lanes as f64 * coding / 8.0 * TLP_EFFICIENCY
    }
}

/// Device memory (HBM pseudo-channels or DDR banks). The controller stripes every buffer over
/// all banks, so a stream of B bytes takes `latency + B / (banks * bytes_per_cycle)` cycles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryConfig {
    pub banks: usize,
    /// Bytes per kernel clock cycle per bank (the AXI port width: 32 for 256-bit ports).
    pub bytes_per_cycle: usize,
    /// Read latency in kernel clock cycles.
    pub latency_cycles: u64,
    /// Capacity in bytes (all banks).
    pub capacity: u64,
}

impl MemoryConfig {
    /// Cycles to stream `bytes` through the memory interface.
    pub fn stream_cycles(&self, bytes: u64) -> u64 {
        self.latency_cycles + bytes.div_ceil((self.banks * self.bytes_per_cycle) as u64)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardConfig {
    pub clock_mhz: u32,
    pub pcie: PcieConfig,
    pub memory: MemoryConfig,
    pub ntt_cores: usize,
    pub poseidon_cores: usize,
    /// `Card::lde_and_commit` waits at most this many kernel cycles for a command.
    pub timeout_cycles: u64,
}

impl Default for CardConfig {
    /// An Alveo U250-class card: 250 MHz kernel clock, PCIe Gen3 x16, 64 GiB of DDR4 in 4
    /// channels with 512-bit ports (64 GB/s of the 77 GB/s peak), 100-cycle read latency; one
    /// II = 1 Poseidon core (6,136 DSP48E2, ~1.13 M LUT) and 64 NTT cores (1,024 DSP48E2, 1,472
    /// BRAM36, ~120 k LUT): 58% of the U250's DSPs, 56% of its BRAM, ~72% of its LUTs
    /// (docs/accelerator.md, resources). 64 NTT cores give one core per column of a 64-column
    /// trace.
    fn default() -> Self {
        Self {
            clock_mhz: 250,
            pcie: PcieConfig { gen: 3, lanes: 16 },
            memory: MemoryConfig { banks: 4, bytes_per_cycle: 64, latency_cycles: 100, capacity: 64 << 30 },
            ntt_cores: 64,
            poseidon_cores: 1,
            timeout_cycles: 60 * 250_000_000,
        }
    }
}

impl CardConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.pcie.validate()?;
        if self.clock_mhz == 0 || self.ntt_cores == 0 || self.poseidon_cores == 0 {
            return Err("clock, NTT cores and Poseidon cores must be non-zero".into());
        }
        if self.memory.banks == 0 || self.memory.bytes_per_cycle == 0 || self.memory.capacity == 0 {
            return Err("device memory needs banks, a port width and a capacity".into());
        }
        Ok(())
    }
    /// Kernel cycles that a PCIe transfer of `bytes` takes (setup plus streaming).
    pub fn dma_cycles(&self, bytes: u64) -> u64 {
        let s = DMA_SETUP_S + bytes as f64 / self.pcie.bytes_per_second();
        (s * self.clock_mhz as f64 * 1e6).ceil() as u64
    }
    pub fn cycles_to_seconds(&self, cycles: u64) -> f64 {
        cycles as f64 / (self.clock_mhz as f64 * 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen3_x16_sustains_about_13_gb_per_s() {
        let bw = PcieConfig { gen: 3, lanes: 16 }.bytes_per_second();
        assert!((13.0e9..14.0e9).contains(&bw), "{bw}");
        let gen4 = PcieConfig { gen: 4, lanes: 16 }.bytes_per_second();
        assert!((gen4 / bw - 2.0).abs() < 1e-9);
    }

    #[test]
    fn bad_links_are_rejected() {
        assert!(PcieConfig { gen: 6, lanes: 16 }.validate().is_err());
        assert!(PcieConfig { gen: 3, lanes: 3 }.validate().is_err());
        assert!(CardConfig { ntt_cores: 0, ..Default::default() }.validate().is_err());
    }
}
