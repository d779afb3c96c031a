//! The NTT core: Goldilocks NTTs of 2^1..2^[MAX_LOG_N] points on chip, bit-exact with plonky2's
//! `fft`, `ifft` and the per-column LDE of `PolynomialBatch::from_values`; larger sizes by the
//! four-step schedule ([four_step]). See docs/accelerator.md, "NTT core".
//!
//! - [NttConfig]: the one configuration object of a transform, shared by the RTL ([NttCore]'s
//!   `cfg_*` ports, via [NttConfig::word]), the arithmetic model ([core_model]) and the
//!   four-step schedule.
//! - [core_model]: a bit-model of the core: same memory banking, butterfly order, twiddle ROM and
//!   field-unit models as the RTL.
//! - [reference]: what plonky2 computes for a configuration (the tests' ground truth).

mod beat_fifo;
mod butterfly;
mod case_rom;
mod core;
pub mod four_step;
pub mod harness;

pub use beat_fifo::{BeatFifo, BEAT_FIFO_DEPTH};
pub use butterfly::NttButterfly;
pub use case_rom::CaseRom;
pub use core::NttCore;

use crate::field::{add_model, mul_model, sub_model};
use plonky2::field::fft::{fft, ifft};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::polynomial::{PolynomialCoeffs, PolynomialValues};
use plonky2::field::types::{Field, PrimeField64};
use plonky2::util::reverse_index_bits_in_place;

/// Largest on-chip transform: 2^12 points (two banks of 2^11 x 64 bits).
pub const MAX_LOG_N: usize = 12;
/// Address width of one data bank.
pub const BANK_BITS: usize = MAX_LOG_N - 1;
/// Width of the RTL's `cfg` port ([NttConfig::word]).
pub const CFG_BITS: usize = 11;
/// 64-bit lanes per input/output beat.
pub const LANES: usize = 2;
/// Idle cycles between the last issue of a phase (load, stage) and the first of the next, so that
/// no read overtakes a write-back: an operation issued in cycle t is written at the end of cycle
/// t + 3 + LATENCY (address, BRAM read and operand registers, butterfly), and one issued in t'
/// reads the bank at the end of t' + 1, so t' >= t + 3 + LATENCY, i.e. 2 + LATENCY idle cycles.
pub const DRAIN: usize = 2 + NttButterfly::LATENCY;

/// One transform of the core. `log_n` is the transform size; the input stream carries
/// `n >> log_blowup` elements and the rest is zero (plonky2's `lde` padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NttConfig {
    pub log_n: usize,
    /// Input is the first 2^(log_n - log_blowup) coefficients, zero-padded to 2^log_n.
    pub log_blowup: usize,
    /// plonky2 `ifft` (inverse transform, scaled by 1/n) instead of `fft`.
    pub inverse: bool,
    /// Scale input i by `coset_shift()^i` first (plonky2 `coset_fft`).
    pub coset: bool,
    /// Output in bit-reversed order (`reverse_index_bits` of the natural order), as the LDE leaves.
    pub bitrev_out: bool,
}

impl NttConfig {
    pub const fn forward(log_n: usize) -> Self {
        Self {
            log_n,
            log_blowup: 0,
            inverse: false,
            coset: false,
            bitrev_out: false,
        }
    }
    pub const fn inverse(log_n: usize) -> Self {
        Self {
            log_n,
            log_blowup: 0,
            inverse: true,
            coset: false,
            bitrev_out: false,
        }
    }
    /// The second half of plonky2's LDE of a 2^log_n column at rate 2^rate_bits: coset FFT of the
    /// zero-padded coefficients, bit-reversed (as `from_coeffs` stores the leaves).
    pub const fn lde(log_n: usize, rate_bits: usize) -> Self {
        Self {
            log_n: log_n + rate_bits,
            log_blowup: rate_bits,
            inverse: false,
            coset: true,
            bitrev_out: true,
        }
    }
    pub fn n(&self) -> usize {
        1 << self.log_n
    }
    /// Elements in the input stream.
    pub fn n_in(&self) -> usize {
        1 << (self.log_n - self.log_blowup)
    }
    /// Checks the ranges the core supports (`max_log_n` is [MAX_LOG_N] on chip, more for the
    /// four-step schedule).
    pub fn check(&self, max_log_n: usize) -> Result<(), String> {
        if self.log_n < 1 || self.log_n > max_log_n {
            return Err(format!("log_n {} outside 1..={max_log_n}", self.log_n));
        }
        if self.log_n - self.log_blowup.min(self.log_n) < 1 || self.log_blowup > self.log_n {
            return Err("input must have at least 2 elements (one beat)".into());
        }
        if self.inverse && (self.coset || self.log_blowup != 0) {
            return Err("inverse transforms take neither coset nor blowup".into());
        }
        Ok(())
    }
    /// The `cfg` word of the RTL (see [NttCore]): bits 3:0 log_n, 7:4 log_blowup, 8 inverse,
    /// 9 coset, 10 bitrev_out.
    pub fn word(&self) -> u64 {
        self.log_n as u64
            | (self.log_blowup as u64) << 4
            | (self.inverse as u64) << 8
            | (self.coset as u64) << 9
            | (self.bitrev_out as u64) << 10
    }
    pub fn from_word(w: u64) -> Self {
        Self {
            log_n: (w & 15) as usize,
            log_blowup: (w >> 4 & 15) as usize,
            inverse: w >> 8 & 1 == 1,
            coset: w >> 9 & 1 == 1,
            bitrev_out: w >> 10 & 1 == 1,
        }
    }
    /// Clock cycles of the core from the first input beat accepted to the last output beat
    /// leaving, with `in_valid` and `out_ready` held high (checked against the RTL by the tests).
    pub fn cycles(&self) -> usize {
        let half = self.n() / 2;
        // 1 cycle to register the first beat, one element per cycle through the multiplier, a
        // drain, per stage n/2 butterflies and a drain, then n/2 output beats behind the 3-cycle
        // read pipeline (address, BRAM, FIFO).
        1 + self.n_in() + DRAIN + self.log_n * (half + DRAIN) + half + 3
    }
}

/// ROM of the butterfly twiddles: `w^k` for k < 2^MAX_LOG_N, w = plonky2's
/// `primitive_root_of_unity(MAX_LOG_N)`. A stage of span 2h in an n-point transform uses
/// `w_{2h}^j = w^(j * 2^(MAX_LOG_N + s - log_n))`; the inverse uses index `-k mod 2^MAX_LOG_N`.
pub fn twiddle_rom() -> Vec<u64> {
    F::primitive_root_of_unity(MAX_LOG_N)
        .powers()
        .take(1 << MAX_LOG_N)
        .map(|x| x.to_canonical_u64())
        .collect()
}

/// ROM of the coset powers `coset_shift()^i`, i < 2^MAX_LOG_N.
pub fn coset_rom() -> Vec<u64> {
    F::coset_shift()
        .powers()
        .take(1 << MAX_LOG_N)
        .map(|x| x.to_canonical_u64())
        .collect()
}

/// 1/2^k mod p = p - (p - 1) / 2^k (the RTL computes it this way from `log_n`).
pub fn inverse_2exp(k: usize) -> u64 {
    crate::field::P - ((crate::field::P - 1) >> k)
}

/// Bank of element index `i`: the parity of its bits. The two elements of every butterfly (and
/// of every output beat) differ in exactly one index bit, so they sit in different banks.
pub fn bank_of(i: usize) -> usize {
    (i.count_ones() & 1) as usize
}

/// Reverses the low `bits` bits of `i`.
pub fn reverse_bits(i: usize, bits: usize) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS as usize - bits)
    }
}

/// Bit-model of the core: loads through the butterfly's multiplier, runs the DIF stages in the
/// RTL's order on the two banks, reads out in the configured order. Panics on a bad config.
pub fn core_model(cfg: &NttConfig, input: &[u64]) -> Vec<u64> {
    cfg.check(MAX_LOG_N).expect("NTT config");
    assert_eq!(input.len(), cfg.n_in(), "input length");
    let tw = twiddle_rom();
    let coset = coset_rom();
    let (n, half) = (cfg.n(), cfg.n() / 2);
    let mut bank = [vec![0u64; half.max(1)], vec![0u64; half.max(1)]];
    // Load: element i times its factor (y = (a - 0) * w), into bank_of(i) at i >> 1.
    for (i, &x) in input.iter().enumerate() {
        let w = if cfg.coset {
            coset[i]
        } else if cfg.inverse {
            inverse_2exp(cfg.log_n)
        } else {
            1
        };
        bank[bank_of(i)][i >> 1] = mul_model(sub_model(x, 0), w);
    }
    let read = |bank: &[Vec<u64>; 2], i: usize, stage: usize| {
        if stage == 0 && i >= cfg.n_in() {
            0 // zero padding: stage 0 masks indices past the input
        } else {
            bank[bank_of(i)][i >> 1]
        }
    };
    let mut tw_step = 1 << (MAX_LOG_N - cfg.log_n);
    for s in 0..cfg.log_n {
        let h = n >> (s + 1);
        for j in 0..half {
            let (hi, lo) = (j & !(h - 1), j & (h - 1));
            let (ia, ib) = ((hi << 1) | lo, (hi << 1) | lo | h);
            let k = lo * tw_step;
            let w = tw[if cfg.inverse {
                (tw.len() - k) % tw.len()
            } else {
                k
            }];
            let (a, b) = (read(&bank, ia, s), read(&bank, ib, s));
            bank[bank_of(ia)][ia >> 1] = add_model(a, b);
            bank[bank_of(ib)][ib >> 1] = mul_model(sub_model(a, b), w);
        }
        tw_step <<= 1;
    }
    // After DIF, index i holds output rev(i).
    (0..n)
        .map(|k| {
            let i = if cfg.bitrev_out {
                k
            } else {
                reverse_bits(k, cfg.log_n)
            };
            bank[bank_of(i)][i >> 1]
        })
        .collect()
}

/// What plonky2 computes for `cfg` on `input`: `fft`, `ifft`, or `coset_fft_with_options` of the
/// zero-padded input, optionally `reverse_index_bits`-ed.
pub fn reference(cfg: &NttConfig, input: &[u64]) -> Vec<u64> {
    assert_eq!(input.len(), cfg.n_in(), "input length");
    let mut v: Vec<F> = input.iter().map(|&x| F::from_canonical_u64(x)).collect();
    let mut out = if cfg.inverse {
        ifft(PolynomialValues::new(v)).coeffs
    } else {
        v.resize(cfg.n(), F::ZERO);
        let coeffs = PolynomialCoeffs::new(v);
        if cfg.coset {
            coeffs
                .coset_fft_with_options(F::coset_shift(), Some(cfg.log_blowup), None)
                .values
        } else {
            fft(coeffs).values
        }
    };
    if cfg.bitrev_out {
        reverse_index_bits_in_place(&mut out);
    }
    out.iter().map(|x| x.to_canonical_u64()).collect()
}

/// plonky2's LDE of one column as `PolynomialBatch::from_values` stores it (leaf order):
/// `ifft`, zero-pad by 2^rate_bits, coset FFT, `reverse_index_bits`.
pub fn plonky2_lde_leaves(values: &[u64], rate_bits: usize) -> Vec<u64> {
    let v = PolynomialValues::new(values.iter().map(|&x| F::from_canonical_u64(x)).collect());
    let coeffs = v.ifft().lde(rate_bits);
    let mut out = coeffs
        .coset_fft_with_options(F::coset_shift(), Some(rate_bits), None)
        .values;
    reverse_index_bits_in_place(&mut out);
    out.iter().map(|x| x.to_canonical_u64()).collect()
}

/// Random canonical values with 0 and p - 1 (and 1, p - 2) planted at random positions.
pub fn random_input(rng: &mut impl rand::Rng, len: usize) -> Vec<u64> {
    use crate::field::P;
    let mut v: Vec<u64> = (0..len).map(|_| rng.gen_range(0..P)).collect();
    for edge in [0, P - 1, 1, P - 2] {
        let i = rng.gen_range(0..len);
        v[i] = edge;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn all_configs() -> Vec<NttConfig> {
        let mut v = vec![];
        for log_n in 1..=MAX_LOG_N {
            v.push(NttConfig::forward(log_n));
            v.push(NttConfig::inverse(log_n));
            v.push(NttConfig {
                coset: true,
                ..NttConfig::forward(log_n)
            });
            v.push(NttConfig {
                bitrev_out: true,
                ..NttConfig::forward(log_n)
            });
            for r in 1..log_n.min(4) {
                v.push(NttConfig::lde(log_n - r, r));
            }
        }
        v
    }

    #[test]
    fn model_matches_plonky2_at_every_size_and_mode() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(61);
        for cfg in all_configs() {
            let input = random_input(&mut rng, cfg.n_in());
            assert_eq!(core_model(&cfg, &input), reference(&cfg, &input), "{cfg:?}");
        }
    }

    #[test]
    fn two_jobs_make_plonky2s_lde() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(62);
        for log_n in 1..=9 {
            for rate_bits in 1..=3 {
                let values = random_input(&mut rng, 1 << log_n);
                let coeffs = core_model(&NttConfig::inverse(log_n), &values);
                let lde = core_model(&NttConfig::lde(log_n, rate_bits), &coeffs);
                assert_eq!(
                    lde,
                    plonky2_lde_leaves(&values, rate_bits),
                    "{log_n} {rate_bits}"
                );
            }
        }
    }

    #[test]
    fn config_word_round_trips_and_checks() {
        for cfg in all_configs() {
            assert_eq!(NttConfig::from_word(cfg.word()), cfg);
            cfg.check(MAX_LOG_N).unwrap();
        }
        assert!(NttConfig::forward(0).check(MAX_LOG_N).is_err());
        assert!(NttConfig::forward(13).check(MAX_LOG_N).is_err());
        assert!(NttConfig {
            coset: true,
            ..NttConfig::inverse(3)
        }
        .check(MAX_LOG_N)
        .is_err());
        assert!(NttConfig::lde(0, 2).check(MAX_LOG_N).is_err());
        for k in 0..=32 {
            assert_eq!(inverse_2exp(k), F::inverse_2exp(k).to_canonical_u64());
        }
    }
}
