//! The fast engine: the cores' timing from their cycle formulas, their outputs from plonky2's
//! kernels (bit-identical to the RTL: hdl's tests, and `tests/engines.rs` here). Columns and
//! tree levels run in parallel on the host's cores.

use parallax_hdl::ntt::four_step::FourStepPlan;
use parallax_hdl::ntt::{reference, NttConfig, MAX_LOG_N};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use rayon::prelude::*;

use super::{Engine, Stage, POSEIDON_ACCEPT_TO_TAKE};
use crate::merkle::{to_digest, Item, MerkleOut, PoseidonTiming, Schedule, Timeline, DIGEST};
use crate::{CardError, F};

#[derive(Clone, Copy, Debug, Default)]
pub struct Fast;

/// The stages of a transform on the cores (see `Engine::transform`): one job up to the on-chip
/// size, else the four-step plan's column jobs and row jobs, each job offered back to back after
/// the previous one on its core.
pub fn ntt_stages(cfg: &NttConfig) -> Result<Vec<Stage>, CardError> {
    if cfg.log_n <= MAX_LOG_N {
        cfg.check(MAX_LOG_N).map_err(CardError::Unsupported)?;
        return Ok(vec![Stage { jobs: 1, cycles: cfg.cycles() as u64 }]);
    }
    let plan = FourStepPlan::new(*cfg).map_err(CardError::Unsupported)?;
    Ok(vec![
        Stage { jobs: 1 << plan.log_n2, cycles: plan.column_job().cycles() as u64 },
        Stage { jobs: 1 << plan.log_n1, cycles: plan.row_job().cycles() as u64 },
    ])
}

/// The Poseidon timing of a schedule on `cores` hashers: a leaf's chunks go to hasher
/// `leaf % cores` (its state stays in that core), compressions round robin. Each item is
/// accepted at the first cycle after its hasher's previous acceptance at which its inputs are
/// ready, and its output is at the core's head [POSEIDON_ACCEPT_TO_TAKE] cycles later.
pub fn merkle_timing(s: &Schedule, cores: usize) -> PoseidonTiming {
    let mut timeline = Timeline::new(s);
    let mut next_free = vec![0u64; cores];
    let (mut i, mut dealt) = (0usize, 0usize);
    s.for_each(|item| {
        let core = match item {
            Item::Absorb { leaf, .. } => leaf % cores,
            Item::Compress { .. } => {
                dealt += 1;
                (dealt - 1) % cores
            }
        };
        let accept = next_free[core].max(timeline.ready(item));
        next_free[core] = accept + 1;
        timeline.issue(item);
        timeline.record(item, accept + POSEIDON_ACCEPT_TO_TAKE);
        i += 1;
    });
    PoseidonTiming {
        cycles: if i == 0 { 0 } else { timeline.last_out + 1 },
        out_sum: timeline.out_sum,
        permutations: i as u64,
    }
}

fn canon(h: crate::Digest) -> [u64; DIGEST] {
    h.elements.map(|x| x.to_canonical_u64())
}

impl Engine for Fast {
    fn ntt(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, u64), CardError> {
        cfg.check(MAX_LOG_N).map_err(CardError::Unsupported)?;
        Ok((reference(cfg, input), cfg.cycles() as u64))
    }
    /// The four-step schedule's result is plonky2's transform (hdl's tests), so one plonky2
    /// transform stands for all its jobs.
    fn transform(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, Vec<Stage>), CardError> {
        let stages = ntt_stages(cfg)?;
        Ok((reference(cfg, input), stages))
    }

    fn merkle(&self, s: &Schedule, leaves: &[u64], cores: usize) -> Result<MerkleOut, CardError> {
        let leaf0: Vec<[u64; DIGEST]> = leaves
            .par_chunks(s.leaf_len)
            .map(|leaf| {
                if s.chunks() == 0 {
                    Schedule::noop_digest(leaf)
                } else {
                    let felts: Vec<F> = leaf.iter().map(|&x| F::from_canonical_u64(x)).collect();
                    canon(PoseidonHash::hash_no_pad(&felts))
                }
            })
            .collect();
        let mut levels = vec![leaf0];
        for _ in 0..s.levels() {
            let below = levels.last().expect("level 0");
            let next = below
                .par_chunks(2)
                .map(|p| canon(PoseidonHash::two_to_one(to_digest(&p[0]), to_digest(&p[1]))))
                .collect();
            levels.push(next);
        }
        Ok(MerkleOut { levels, timing: merkle_timing(s, cores) })
    }
}

/// Items of a schedule, for engines that walk it one by one.
pub fn items(s: &Schedule) -> Vec<Item> {
    let mut v = Vec::with_capacity(s.items());
    s.for_each(|i| v.push(i));
    v
}
