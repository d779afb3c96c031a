//! The two engines behind the card: the cores' RTL clocked cycle by cycle ([rtl]) and a fast
//! cycle model ([fast]). The controller talks to the cores only through [Engine], at the level
//! of an NTT job or a Merkle schedule, so that both engines see exactly the same requests; the
//! fast engine is trusted only because tests run the same commands through both and require
//! equal outputs and equal cycle counts.

pub mod fast;
pub mod rtl;

use parallax_hdl::ntt::four_step::four_step_with;
use parallax_hdl::ntt::{NttConfig, MAX_LOG_N};

use crate::merkle::{MerkleOut, Schedule};
use crate::CardError;

pub trait Engine: Send + Sync {
    /// Runs one transform on an NTT core: its output and the cycles from the cycle its first
    /// beat is offered to the cycle its last beat is taken, inclusive. The controller offers
    /// beats whenever it has one and always takes output (`out_ready` high).
    fn ntt(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, u64), CardError>;
    /// A whole transform on one core: one job up to 2^12 points, else the four-step schedule's
    /// column and row jobs back to back (the cycles are their sum). An engine may compute the
    /// same result and cycle count faster.
    fn transform(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, u64), CardError> {
        if cfg.log_n <= MAX_LOG_N {
            return self.ntt(cfg, input);
        }
        let (mut cycles, mut failed) = (0, None);
        let out = four_step_with(cfg, input, |job, data| match self.ntt(job, data) {
            Ok((out, c)) => {
                cycles += c;
                out
            }
            Err(e) => {
                failed.get_or_insert(e);
                vec![0; job.n()]
            }
        });
        failed.map_or(Ok((out, cycles)), Err)
    }
    /// Runs the Merkle schedule on `leaves` (row-major, `s.leaf_len` words each) on the
    /// Poseidon core(s): digests per level and the timing.
    fn merkle(&self, s: &Schedule, leaves: &[u64], cores: usize) -> Result<MerkleOut, CardError>;
}

/// Cycles from an input's acceptance to its output being taken, with `out_ready` high: the
/// core's 844-cycle latency (pipeline plus FIFO), measured on the RTL by
/// `tests/engines.rs`.
pub const POSEIDON_ACCEPT_TO_TAKE: u64 = parallax_hdl::poseidon::PoseidonCore::LATENCY as u64;
