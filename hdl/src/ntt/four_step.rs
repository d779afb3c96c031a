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

/// Runs `cfg` on `input` (length `cfg.n_in()`) by the four-step schedule with [core_model] as
/// the core; the result equals [super::reference] (plonky2) for the same configuration.
pub fn four_step(cfg: &NttConfig, input: &[u64]) -> Vec<u64> {
    four_step_with(cfg, input, |job, data| core_model(job, data))
}

/// The four-step schedule with `core` running each column and row job (the simulator passes its
/// engines: the RTL or the fast model). Panics on a configuration [FourStepPlan::new] rejects.
pub fn four_step_with(
    cfg: &NttConfig,
    input: &[u64],
    mut core: impl FnMut(&NttConfig, &[u64]) -> Vec<u64>,
) -> Vec<u64> {
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
        let y = core(&col, &column);
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
        let r = core(&row, &z[k1 * n2..(k1 + 1) * n2]);
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

/// A throughput projection of the accelerator for four-step transforms, from the core's cycle
/// formula ([NttConfig::cycles], checked against the RTL) and stated card figures.
#[derive(Clone, Copy, Debug)]
pub struct Projection {
    /// Core clock (Hz).
    pub clock_hz: f64,
    /// NTT cores working on independent column / row jobs.
    pub cores: usize,
    /// Sustained external-memory bandwidth (bytes/s), reads plus writes.
    pub mem_bytes_per_s: f64,
    /// Sustained host link bandwidth (bytes/s) per direction.
    pub pcie_bytes_per_s: f64,
}

impl Projection {
    /// Varium C1100 (XCU55N: 2,880 DSP58 / 2,016 BRAM36 / 960 URAM, 8 GiB HBM2 at 460 GB/s peak,
    /// PCIe Gen3 x16) at 250 MHz, with the DSP budget of the ZPrize 2022 Hardcaml design (2,052):
    /// 108 cores x 16 tiles + 18 controller multipliers (coset / twiddle, one per 6 cores) x 16 =
    /// 2,016 DSPs. HBM at 65% of peak (strided four-step bursts), PCIe at 12 GB/s.
    pub const C1100: Projection = Projection {
        clock_hz: 250e6,
        cores: 108,
        mem_bytes_per_s: 0.65 * 460e9,
        pcie_bytes_per_s: 12e9,
    };
    pub const DSP_PER_CORE: usize = 16;
    pub const CORES_PER_CONTROLLER_MULTIPLIER: usize = 6;

    /// DSP tiles of the configuration (cores plus controller multipliers).
    pub fn dsps(&self) -> usize {
        (self.cores + self.cores.div_ceil(Self::CORES_PER_CONTROLLER_MULTIPLIER))
            * Self::DSP_PER_CORE
    }

    /// Seconds of core work for `columns` independent transforms of `cfg`.
    pub fn compute_s(&self, cfg: NttConfig, columns: usize) -> f64 {
        let plan = FourStepPlan::new(cfg).expect("four-step config");
        (plan.core_cycles(1) * columns) as f64 / self.cores as f64 / self.clock_hz
    }

    /// External-memory bytes of one four-step transform: the input read, the transposed
    /// intermediate written and read back, the output written (8 bytes per element).
    pub fn mem_bytes(cfg: NttConfig) -> f64 {
        8.0 * (cfg.n_in() + 3 * cfg.n()) as f64
    }

    /// Seconds for `columns` transforms of `cfg` resident in card memory: compute and memory
    /// traffic overlap (cores stream jobs while the controller moves the next ones).
    pub fn on_card_s(&self, cfg: NttConfig, columns: usize) -> f64 {
        let mem = Self::mem_bytes(cfg) * columns as f64 / self.mem_bytes_per_s;
        self.compute_s(cfg, columns).max(mem)
    }

    /// Seconds for plonky2's LDE of a trace of `columns` columns of 2^log_n rows: the inverse
    /// transform and the coset LDE transform on card, plus the trace in and the (2^rate_bits times
    /// larger) LDE out over PCIe, not overlapped with compute (conservative).
    pub fn lde_s(&self, log_n: usize, rate_bits: usize, columns: usize) -> f64 {
        let card = self.on_card_s(NttConfig::inverse(log_n), columns)
            + self.on_card_s(NttConfig::lde(log_n, rate_bits), columns);
        let pcie = 8.0 * ((columns << log_n) + (columns << (log_n + rate_bits))) as f64
            / self.pcie_bytes_per_s;
        card + pcie
    }
}

#[cfg(test)]
mod projection_tests {
    use super::*;

    #[test]
    fn projected_2_24_ntt_beats_the_zprize_figure_within_its_dsps() {
        let p = Projection::C1100;
        assert!(p.dsps() <= 2052, "{} DSPs", p.dsps());
        let t = p.on_card_s(NttConfig::forward(24), 1);
        assert!(t < 26.7e-3, "2^24 NTT projected at {:.1} ms", t * 1e3);
    }
}
