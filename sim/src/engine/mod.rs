//! The two engines behind the card: the cores' RTL clocked cycle by cycle ([rtl]) and a fast
//! cycle model ([fast]). The controller talks to the cores only through [Engine], at the level
//! of an NTT job or a Merkle schedule, so that both engines see exactly the same requests; the
//! fast engine is trusted only because tests run the same commands through both and require
//! equal outputs and equal cycle counts.

pub mod fast;
pub mod rtl;

use parallax_hdl::ntt::four_step::{four_step_with, FourStepPlan};
use parallax_hdl::ntt::{NttConfig, MAX_LOG_N};

use crate::merkle::{MerkleOut, Schedule};
use crate::CardError;

/// Independent, identical NTT jobs: `jobs` of `cycles` each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    pub jobs: u64,
    pub cycles: u64,
}

pub trait Engine: Send + Sync {
    /// Runs one transform on an NTT core: its output and the cycles from the cycle its first
    /// beat is offered to the cycle its last beat is taken, inclusive. The controller offers
    /// beats whenever it has one and always takes output (`out_ready` high).
    fn ntt(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, u64), CardError>;
    /// A whole transform: one job up to 2^12 points, else the four-step schedule's column jobs
    /// then its row jobs. Returns the output and, per stage, the number of jobs and the cycles of
    /// one (a stage's jobs are independent and identical, so the controller deals them over the
    /// cores). An engine may compute the same result and cycles faster.
    fn transform(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, Vec<Stage>), CardError> {
        if cfg.log_n <= MAX_LOG_N {
            let (out, cycles) = self.ntt(cfg, input)?;
            return Ok((out, vec![Stage { jobs: 1, cycles }]));
        }
        let (mut job_cycles, mut failed) = (vec![], None);
        let out = four_step_with(cfg, input, |job, data| match self.ntt(job, data) {
            Ok((out, c)) => {
                job_cycles.push(c);
                out
            }
            Err(e) => {
                failed.get_or_insert(e);
                vec![0; job.n()]
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let plan = FourStepPlan::new(*cfg).map_err(CardError::Unsupported)?;
        let (columns, rows) = job_cycles.split_at(1 << plan.log_n2);
        // A stage's jobs share one configuration, so one cycle count (the RTL tests hold them
        // equal); the maximum keeps the model conservative if they ever were not.
        let stage = |c: &[u64]| Stage { jobs: c.len() as u64, cycles: c.iter().copied().max().unwrap_or(0) };
        Ok((out, vec![stage(columns), stage(rows)]))
    }
    /// Runs the Merkle schedule on `leaves` (row-major, `s.leaf_len` words each) on the
    /// Poseidon core(s): digests per level and the timing.
    fn merkle(&self, s: &Schedule, leaves: &[u64], cores: usize) -> Result<MerkleOut, CardError>;
}

/// Cycles from an input's acceptance to its output being taken, with `out_ready` high: the
/// core's 844-cycle latency (pipeline plus FIFO), measured on the RTL by
/// `tests/engines.rs`.
pub const POSEIDON_ACCEPT_TO_TAKE: u64 = parallax_hdl::poseidon::PoseidonCore::LATENCY as u64;
