//! The four-step schedule for transforms above the on-chip maximum (2^13..2^24): a Rust model
//! of the controller that drives [core_model] jobs in the order the hardware runs them, with the
//! same [NttConfig] for the whole transform and for each core job.
//!
//! With N = N1 * N2, input index i = N2*i1 + i2 and output index k = k1 + N1*k2:
//!
//! X[k1 + N1*k2] = sum_i2 w_N2^(i2*k2) * [ w_N^(i2*k1) * sum_i1 x[N2*i1 + i2] * w_N1^(i1*k1) ]
//!
//! 1. (controller) coset: x[i] *= g^i, streaming from external memory;
//! 2. column jobs: for each i2, the core transforms the strided column x[N2*i1 + i2] (N1 points,
//!    zero-padded like the whole input: blowup r means the first N1 >> r rows);
//! 3. (controller) twiddles: Y[i2][k1] *= w_N^(+-i2*k1), written back transposed (row k1);
//! 4. row jobs: for each k1, the core transforms row k1 (N2 points) into X[k1 + N1*k2];
//! 5. (controller) the results go to external memory at k (or at rev(k) for bit-reversed output).
//!
//! The core's own scaling covers the inverse (1/N1 per column job times 1/N2 per row job = 1/N);
//! the controller's streaming multiplier (one Goldilocks multiplier per lane between external
//! memory and the core) does the coset powers and the twiddles, modelled with [mul_model].

use super::{core_model, reverse_bits, NttConfig, MAX_LOG_N};
use crate::field::mul_model;
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};

/// Largest transform of the schedule: two on-chip passes.
pub const MAX_FOUR_STEP_LOG_N: usize = 2 * MAX_LOG_N;

/// How a transform is split into core jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FourStepPlan {
    pub cfg: NttConfig,
    /// Column transforms have 2^log_n1 points (there are 2^log_n2 of them).
    pub log_n1: usize,
    /// Row transforms have 2^log_n2 points (there are 2^log_n1 of them).
    pub log_n2: usize,
}

impl FourStepPlan {
    /// Splits `cfg.log_n` as evenly as possible, the larger half to the columns (so that the
    /// zero-padding of the LDE, which shrinks the columns' input, still leaves >= 2 rows).
    pub fn new(cfg: NttConfig) -> Result<Self, String> {
        cfg.check(MAX_FOUR_STEP_LOG_N)?;
        let log_n1 = cfg.log_n.div_ceil(2);
        let plan = Self {
            cfg,
            log_n1,
            log_n2: cfg.log_n - log_n1,
        };
        if plan.log_n2 < 1 {
            return Err("four-step needs log_n >= 2".into());
        }
        plan.column_job().check(MAX_LOG_N)?;
        plan.row_job().check(MAX_LOG_N)?;
        Ok(plan)
    }
    /// The core configuration of every column job.
    pub fn column_job(&self) -> NttConfig {
        NttConfig {
            log_n: self.log_n1,
            log_blowup: self.cfg.log_blowup,
            inverse: self.cfg.inverse,
            coset: false,
            bitrev_out: false,
        }
    }
    /// The core configuration of every row job.
    pub fn row_job(&self) -> NttConfig {
        NttConfig {
            log_n: self.log_n2,
            log_blowup: 0,
            inverse: self.cfg.inverse,
            coset: false,
            bitrev_out: false,
        }
    }
    /// Core cycles of the whole schedule on `cores` cores, if the controller keeps every core fed
    /// (jobs are independent, so they divide evenly); external memory traffic is separate.
    pub fn core_cycles(&self, cores: usize) -> usize {
        let cols = (1 << self.log_n2) * self.column_job().cycles();
        let rows = (1 << self.log_n1) * self.row_job().cycles();
        (cols + rows).div_ceil(cores)
    }
}

/// Runs `cfg` on `input` (length `cfg.n_in()`) by the four-step schedule; the result equals
/// [super::reference] (plonky2) for the same configuration.
pub fn four_step(cfg: &NttConfig, input: &[u64]) -> Vec<u64> {
    let plan = FourStepPlan::new(*cfg).expect("four-step config");
    assert_eq!(input.len(), cfg.n_in(), "input length");
    let (n1, n2) = (1usize << plan.log_n1, 1usize << plan.log_n2);
    let col = plan.column_job();
    let row = plan.row_job();

    // 1. Coset powers g^i, by the controller's multiplier.
    let mut x = input.to_vec();
    if cfg.coset {
        let g = F::coset_shift().to_canonical_u64();
        let mut pow = 1u64;
        for v in x.iter_mut() {
            *v = mul_model(*v, pow);
            pow = mul_model(pow, g);
        }
    }
    // 2-3. Column jobs, twiddles, transposed write-back: z[k1 * n2 + i2].
    let root = F::primitive_root_of_unity(cfg.log_n);
    let root = if cfg.inverse { root.inverse() } else { root }.to_canonical_u64();
    let mut z = vec![0u64; n1 * n2];
    let mut step = 1u64; // root^i2
    for i2 in 0..n2 {
        let column: Vec<u64> = (0..col.n_in()).map(|i1| x[n2 * i1 + i2]).collect();
        let y = core_model(&col, &column);
        let mut tw = 1u64; // root^(i2 * k1)
        for (k1, v) in y.into_iter().enumerate() {
            z[k1 * n2 + i2] = mul_model(v, tw);
            tw = mul_model(tw, step);
        }
        step = mul_model(step, root);
    }
    // 4-5. Row jobs; X[k1 + n1 * k2] to its (possibly bit-reversed) place.
    let mut out = vec![0u64; n1 * n2];
    for k1 in 0..n1 {
        let r = core_model(&row, &z[k1 * n2..(k1 + 1) * n2]);
        for (k2, v) in r.into_iter().enumerate() {
            let k = k1 + n1 * k2;
            let at = if cfg.bitrev_out {
                reverse_bits(k, cfg.log_n)
            } else {
                k
            };
            out[at] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ntt::{plonky2_lde_leaves, random_input, reference};
    use rand::SeedableRng;

    #[test]
    fn four_step_matches_plonky2_on_small_splits() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(81);
        for log_n in 2..=9 {
            for cfg in [
                NttConfig::forward(log_n),
                NttConfig::inverse(log_n),
                NttConfig {
                    coset: true,
                    bitrev_out: true,
                    ..NttConfig::forward(log_n)
                },
            ] {
                let input = random_input(&mut rng, cfg.n_in());
                assert_eq!(four_step(&cfg, &input), reference(&cfg, &input), "{cfg:?}");
            }
        }
    }

    #[test]
    fn four_step_matches_plonky2_at_2_14_and_2_16() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(82);
        for cfg in [
            NttConfig::forward(14),
            NttConfig::inverse(14),
            NttConfig {
                coset: true,
                ..NttConfig::forward(14)
            },
            NttConfig::forward(16),
            NttConfig::inverse(16),
        ] {
            let input = random_input(&mut rng, cfg.n_in());
            assert_eq!(four_step(&cfg, &input), reference(&cfg, &input), "{cfg:?}");
        }
    }

    #[test]
    fn four_step_lde_of_a_2_14_column_matches_plonky2_leaves() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(83);
        for rate_bits in [1, 3] {
            let values = random_input(&mut rng, 1 << 14);
            let coeffs = four_step(&NttConfig::inverse(14), &values);
            let lde = four_step(&NttConfig::lde(14, rate_bits), &coeffs);
            assert_eq!(
                lde,
                plonky2_lde_leaves(&values, rate_bits),
                "rate_bits {rate_bits}"
            );
        }
    }

    #[test]
    fn plans_cover_2_13_to_2_24() {
        for log_n in 13..=MAX_FOUR_STEP_LOG_N {
            let p = FourStepPlan::new(NttConfig::forward(log_n)).unwrap();
            assert!(p.log_n1 <= MAX_LOG_N && p.log_n2 <= MAX_LOG_N);
            FourStepPlan::new(NttConfig::lde(log_n - 3, 3)).unwrap();
        }
        assert!(FourStepPlan::new(NttConfig::forward(25)).is_err());
    }
}
