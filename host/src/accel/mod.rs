//! Accelerator backends for the trace commitment (LDE by NTT, then the Poseidon Merkle tree): the
//! prover's dominant cost, taken over by the FPGA card.
//!
//! One interface, [`Accelerator`], with a backend per place the work can run ([`Backend`]):
//! - `cpu` ([`CpuAccelerator`]): plonky2's `PolynomialBatch::from_values` itself, the reference;
//! - `sim` ([`SimAccelerator`]): the cycle-accurate card simulator of `parallax-sim`, which also
//!   reports what the run cost on the card ([`parallax_sim::RunReport`]);
//! - `xrt` ([`xrt`], `--features xrt`): a real Alveo card through Xilinx's runtime, running the
//!   simulator's driver (`parallax_sim::driver`) over XRT buffer objects and kernel arguments.
//!
//! The prover never calls a backend directly: it goes through [`AccelCommitter`], the
//! [`TraceCommitter`](crate::prover::TraceCommitter) that spot-checks every device result on the CPU
//! ([`check`]) and falls back to plonky2 on an error or a mismatch, so a faulty card costs time, never
//! a proof.
//!
//! ## How XRT maps onto this interface
//! One [`Accelerator::commit`] call is one kernel run:
//! - the card's buffers (trace values in, coefficients, LDE leaves, digests, cap) are XRT buffer
//!   objects (`xrt::bo`), allocated once per size in the device memory banks the bitstream connects
//!   to the kernel, and kept by the backend between calls (so `commit` takes `&self`: interior
//!   mutability behind a lock, as [`SimAccelerator`] does with its card);
//! - the trace is written into the input buffer and synced host-to-device (`bo.sync(TO_DEVICE)`,
//!   the card's "dma_in" phase);
//! - the kernel's arguments are the buffers' device addresses, sizes, `rate_bits` and
//!   `cap_height` (the card's control registers); `xrt::run::start` then `run.wait(timeout)` is
//!   the card's start/done handshake, a timed-out wait is [`AccelError::Timeout`] and an error state
//!   is [`AccelError::Device`];
//! - the results are synced device-to-host ("dma_out") and assembled into a `PolynomialBatch`,
//!   exactly as [`SimAccelerator`] assembles the simulator's [`parallax_sim::Commitment`]; a failed
//!   sync is [`AccelError::Dma`]. A real card has no simulated report: `report` is `None` (or the
//!   kernel's measured time).
//!
//! As built ([`xrt`], docs/hardware.md): buffers are allocated per command by the shared driver,
//! and register writes at `regmap` offsets become `xrt::run` arguments ([`xrt::args`]).

mod check;
mod committer;
mod cpu;
mod sim;
pub mod xrt;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::polynomial::PolynomialCoeffs;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::hash::merkle_tree::{MerkleCap, MerkleTree};

use crate::prover::{C, D, F};

pub use check::{Mismatch, SpotCheck};
pub use committer::{AccelCommitter, AccelStats};
pub use cpu::CpuAccelerator;
pub use parallax_sim::{CardConfig, EngineKind, Fault, Region, RunReport};
pub use sim::SimAccelerator;
#[cfg(feature = "xrt")]
pub use xrt::XrtAccelerator;

/// A device that commits to a trace: the LDE of every column by `2^rate_bits` and a Merkle tree of
/// the extended rows with a cap of `2^cap_height` hashes, returned as plonky2's `PolynomialBatch`
/// (identical to `PolynomialBatch::from_values(trace, rate_bits, false, cap_height, ..)` when the
/// device works).
pub trait Accelerator: Send + Sync {
    /// The backend's name, as given to `--backend`.
    fn name(&self) -> &'static str;

    fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<Committed, AccelError>;
}

/// A device's commitment and, for a simulated card, what it cost there.
pub struct Committed {
    pub batch: PolynomialBatch<F, C, D>,
    pub report: Option<RunReport>,
}

/// A card's results (coefficients, leaves, digests, cap) as plonky2's `PolynomialBatch`.
pub(crate) fn into_batch(
    coeffs: Vec<Vec<F>>,
    leaves: Vec<Vec<F>>,
    digests: Vec<parallax_sim::Digest>,
    cap: Vec<parallax_sim::Digest>,
    degree_log: usize,
    rate_bits: usize,
) -> PolynomialBatch<F, C, D> {
    PolynomialBatch {
        polynomials: coeffs.into_iter().map(PolynomialCoeffs::new).collect(),
        merkle_tree: MerkleTree { leaves, digests, cap: MerkleCap(cap) },
        degree_log,
        rate_bits,
        blinding: false,
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AccelError {
    #[error("device error: {0}")]
    Device(String),
    #[error("timed out after {cycles} cycles")]
    Timeout { cycles: u64 },
    #[error("DMA error: {0}")]
    Dma(String),
    #[error("the device does not support this command: {0}")]
    Unsupported(String),
    /// The backend cannot be opened: a missing card, library or bitstream, a wrong option.
    #[error("{0}")]
    Open(String),
    #[error("spot check failed: {0}")]
    Mismatch(#[from] Mismatch),
}

impl From<parallax_sim::CardError> for AccelError {
    fn from(e: parallax_sim::CardError) -> Self {
        use parallax_sim::CardError;
        match e {
            CardError::Timeout { cycles } => Self::Timeout { cycles },
            CardError::Dma(m) => Self::Dma(m),
            CardError::Device(m) => Self::Device(m),
            CardError::Unsupported(m) => Self::Unsupported(m),
        }
    }
}

/// Where trace commitments run (`--backend`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    #[default]
    Cpu,
    Sim,
    /// A real card (`--features xrt`; needs an xclbin: [`Backend::open_with`]).
    Xrt,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Sim => "sim",
            Self::Xrt => "xrt",
        }
    }

    /// Opens the backend's device (a real card can be missing or busy, hence the `Result`).
    pub fn open(self) -> Result<Box<dyn Accelerator>, AccelError> {
        self.open_with(None)
    }

    /// As [`Backend::open`]; `xclbin` is the bitstream for `xrt` (required there, refused
    /// elsewhere). `xrt` opens XRT device 0.
    pub fn open_with(self, xclbin: Option<&Path>) -> Result<Box<dyn Accelerator>, AccelError> {
        if let (Some(_), Self::Cpu | Self::Sim) = (xclbin, self) {
            return Err(AccelError::Open(format!("--xclbin applies to --backend xrt, not {self}")));
        }
        Ok(match self {
            Self::Cpu => Box::new(CpuAccelerator),
            Self::Sim => Box::new(SimAccelerator::new(CardConfig::default(), EngineKind::Fast)),
            Self::Xrt => open_xrt(xclbin)?,
        })
    }
}

#[cfg(feature = "xrt")]
fn open_xrt(xclbin: Option<&Path>) -> Result<Box<dyn Accelerator>, AccelError> {
    let path = xclbin.ok_or_else(|| AccelError::Open("--backend xrt needs --xclbin FILE (the Parallax kernel's bitstream for your card)".into()))?;
    let acc = XrtAccelerator::open(0, path)?;
    eprintln!("xrt: {}", acc.describe());
    Ok(Box::new(acc))
}

#[cfg(not(feature = "xrt"))]
fn open_xrt(_: Option<&Path>) -> Result<Box<dyn Accelerator>, AccelError> {
    Err(AccelError::Open(BackendError::XrtNotBuilt.to_string()))
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum BackendError {
    #[error("this build has no XRT support: the xrt backend needs a build with --features xrt (see docs/hardware.md)")]
    XrtNotBuilt,
    #[error("unknown backend `{0}` (expected cpu, sim or xrt)")]
    Unknown(String),
}

impl FromStr for Backend {
    type Err = BackendError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "sim" => Ok(Self::Sim),
            "xrt" if cfg!(feature = "xrt") => Ok(Self::Xrt),
            "xrt" => Err(BackendError::XrtNotBuilt),
            _ => Err(BackendError::Unknown(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_parse() {
        assert_eq!("cpu".parse::<Backend>(), Ok(Backend::Cpu));
        assert_eq!("sim".parse::<Backend>(), Ok(Backend::Sim));
        match "xrt".parse::<Backend>() {
            Ok(b) => assert!(cfg!(feature = "xrt") && b == Backend::Xrt),
            Err(e) => assert!(!cfg!(feature = "xrt") && e.to_string().contains("needs a build with --features xrt")),
        }
        assert_eq!("gpu".parse::<Backend>().unwrap_err().to_string(), "unknown backend `gpu` (expected cpu, sim or xrt)");
        let e = Backend::Xrt.open().err().unwrap().to_string();
        assert!(e.contains(if cfg!(feature = "xrt") { "needs --xclbin FILE" } else { "--features xrt" }), "{e}");
        assert!(Backend::Sim.open_with(Some(Path::new("k.xclbin"))).err().unwrap().to_string().contains("applies to --backend xrt"));
        for b in [Backend::Cpu, Backend::Sim] {
            assert_eq!(b.open().unwrap().name(), b.name());
        }
    }
}
