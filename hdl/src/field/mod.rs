//! Goldilocks field units (p = 2^64 - 2^32 + 1) for the Parallax accelerator.
//!
//! Every unit is a fixed-latency, always-advancing pipeline with the same handshake:
//!
//! | port        | dir | width | meaning                                                      |
//! |-------------|-----|-------|--------------------------------------------------------------|
//! | `clock`     | in  | 1     | all registers update on its rising edge                      |
//! | `reset`     | in  | 1     | synchronous, active high; clears the valid pipeline only     |
//! | `in_valid`  | in  | 1     | `a`/`b` carry an operand pair this cycle                     |
//! | `a`, `b`    | in  | 64    | operands, must be canonical (< p)                            |
//! | `out_valid` | out | 1     | `y` carries a result; equals `in_valid` delayed by `LATENCY` |
//! | `y`         | out | 64    | canonical result (< p)                                       |
//!
//! There is no back-pressure: a new pair may enter every cycle and its result leaves exactly
//! `LATENCY` cycles later. Data registers are not reset (they need not be: `y` is only meaningful
//! while `out_valid` is high), which keeps reset fan-out to the few valid flops.
//!
//! Each unit has a software bit-model (`*_model`) that follows the same decomposition as the
//! hardware; tests compare both the model and the simulated hardware to plonky2.

mod add;
mod mul;
mod sub;
mod valid_pipe;

pub use add::GlAdd;
pub use mul::GlMul;
pub use sub::GlSub;
pub use valid_pipe::ValidPipe;

/// The Goldilocks prime.
pub const P: u64 = 0xFFFF_FFFF_0000_0001;
/// 2^64 mod p = 2^32 - 1 (also 2^64 - p): the "epsilon" that folds carries out of bit 63.
pub const EPSILON: u64 = 0xFFFF_FFFF;

/// Canonical operands at the carry/borrow/reduction boundaries; tests and harness vectors use
/// every pair of them. p - 1 = 0xFFFFFFFF_00000000 is the only canonical value whose high 32 bits
/// are all ones; [NONCANONICAL_EDGES] covers the rest for the multiplier.
pub const EDGES: [u64; 10] = [
    0,
    1,
    2,
    P - 1,
    P - 2,
    1 << 32,
    (1 << 32) - 1,
    (1 << 32) + 1,
    0xFFFF_FFFE_FFFF_FFFF, // largest value whose high half is not all ones
    1 << 63,
];

/// Non-canonical 64-bit values. [GlMul] reduces any 128-bit product, so it accepts these too
/// (the adder and subtractor do not).
pub const NONCANONICAL_EDGES: [u64; 4] = [P, P + 1, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF];

/// Bit-model of [GlAdd]: stage 1 forms the 65-bit sum s; stage 2 forms u = s + (2^32 - 1),
/// whose bit 64 is set exactly when s >= p (then u mod 2^64 = s - p).
pub fn add_model(a: u64, b: u64) -> u64 {
    let s = a as u128 + b as u128; // < 2p < 2^65
    let u = s + EPSILON as u128; // < 2^65 because s <= 2p - 2
    if u >> 64 != 0 {
        u as u64
    } else {
        s as u64
    }
}

/// Bit-model of [GlSub]: stage 1 forms a - b mod 2^65 (bit 64 = borrow); stage 2 adds p back
/// when it borrowed, which mod 2^64 is subtracting 2^32 - 1.
pub fn sub_model(a: u64, b: u64) -> u64 {
    let d = (a as u128).wrapping_sub(b as u128) & ((1 << 65) - 1);
    let low = d as u64;
    if d >> 64 != 0 {
        low.wrapping_sub(EPSILON)
    } else {
        low
    }
}

/// The 16x16 tile products of a 64x64 multiply: `tiles[4 * i + j] = a_i * b_j`, where a_i is
/// bits 16i..16i+16 of `a`. This is stage 1 of [GlMul].
pub fn mul_tiles(a: u64, b: u64) -> [u32; 16] {
    let mut t = [0u32; 16];
    for i in 0..4 {
        for j in 0..4 {
            t[4 * i + j] = ((a >> (16 * i)) & 0xFFFF) as u32 * ((b >> (16 * j)) & 0xFFFF) as u32;
        }
    }
    t
}

/// Stages 2-4 of [GlMul]: column sums `c[k] = sum over i+j=k of a_i*b_j`, the pairs
/// `e = [c0 + c1<<16, c2 + c3<<16, c4 + c5<<16, c6]` and the halves `f = [e0 + e1<<32, e2 + e3<<32]`.
/// Every term is non-negative, so the all-ones inputs maximise each value; a test checks the
/// register widths chosen in `mul.rs` against that maximum.
pub fn mul_intermediates(a: u64, b: u64) -> ([u128; 7], [u128; 4], [u128; 2]) {
    let t = mul_tiles(a, b).map(|x| x as u128);
    let c = [
        t[0],
        t[1] + t[4],
        t[2] + t[5] + t[8],
        t[3] + t[6] + t[9] + t[12],
        t[7] + t[10] + t[13],
        t[11] + t[14],
        t[15],
    ];
    let e = [
        c[0] + (c[1] << 16),
        c[2] + (c[3] << 16),
        c[4] + (c[5] << 16),
        c[6],
    ];
    let f = [e[0] + (e[1] << 32), e[2] + (e[3] << 32)];
    (c, e, f)
}

/// Bit-model of the product half of [GlMul] (stages 1-5): the exact 128-bit product f0 + f1<<64.
pub fn mul_product_model(a: u64, b: u64) -> u128 {
    let (_, _, f) = mul_intermediates(a, b);
    f[0].wrapping_add(f[1] << 64)
}

/// Bit-model of the reduction half of [GlMul] (stages 6-8); correct for any 128-bit `x`.
///
/// With x = lo + hl*2^64 + hh*2^96 (lo 64 bits, hl and hh 32 bits), 2^64 = 2^32 - 1 and
/// 2^96 = -1 (mod p) give x = lo + hl*2^32 - hl - hh = D (mod p), where
/// -(2^32 - 1) <= D <= 2^65 - 2^33 < 2p. So D needs one of {+p, 0, -p} to become canonical.
pub fn reduce128_model(x: u128) -> u64 {
    let (lo, hl, hh) = (
        x as u64 as i128,
        (x >> 64) as u32 as i128,
        (x >> 96) as i128,
    );
    let a = lo + (hl << 32); // stage 6, 65 bits
    let b = hl + hh; // stage 6, 33 bits
    let d = a - b; // stage 7, 66-bit two's complement in hardware
    let y = if d < 0 {
        d + P as i128
    } else if d >= P as i128 {
        d - P as i128
    } else {
        d
    }; // stage 8
    y as u64
}

/// Bit-model of [GlMul]: `a * b mod p`.
pub fn mul_model(a: u64, b: u64) -> u64 {
    reduce128_model(mul_product_model(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::goldilocks_field::GoldilocksField as F;
    use plonky2::field::types::{Field, Field64, PrimeField64};
    use rand::{Rng, SeedableRng};

    fn canon(x: u64) -> F {
        F::from_canonical_u64(x)
    }

    fn pairs(n: usize) -> Vec<(u64, u64)> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut v: Vec<_> = EDGES
            .iter()
            .flat_map(|&a| EDGES.iter().map(move |&b| (a, b)))
            .collect();
        v.extend((0..n).map(|_| (rng.gen_range(0..P), rng.gen_range(0..P))));
        v
    }

    #[test]
    fn constants_match_plonky2() {
        assert_eq!(P, F::ORDER);
        assert_eq!(EDGES.iter().filter(|&&e| e >= P).count(), 0);
    }

    #[test]
    fn add_model_matches_plonky2() {
        for (a, b) in pairs(200_000) {
            assert_eq!(
                add_model(a, b),
                (canon(a) + canon(b)).to_canonical_u64(),
                "{a:#x}+{b:#x}"
            );
        }
    }

    #[test]
    fn sub_model_matches_plonky2() {
        for (a, b) in pairs(200_000) {
            assert_eq!(
                sub_model(a, b),
                (canon(a) - canon(b)).to_canonical_u64(),
                "{a:#x}-{b:#x}"
            );
        }
    }

    #[test]
    fn mul_model_matches_plonky2() {
        for (a, b) in pairs(200_000) {
            assert_eq!(mul_product_model(a, b), a as u128 * b as u128);
            assert_eq!(
                mul_model(a, b),
                (canon(a) * canon(b)).to_canonical_u64(),
                "{a:#x}*{b:#x}"
            );
        }
    }

    #[test]
    fn mul_model_accepts_noncanonical_inputs() {
        let all: Vec<u64> = EDGES.iter().chain(&NONCANONICAL_EDGES).copied().collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(8);
        let random = (0..10_000).map(|_| (rng.gen::<u64>(), rng.gen::<u64>()));
        for (a, b) in all
            .iter()
            .flat_map(|&a| all.iter().map(move |&b| (a, b)))
            .chain(random)
        {
            let want =
                (F::from_noncanonical_u64(a) * F::from_noncanonical_u64(b)).to_canonical_u64();
            assert_eq!(mul_model(a, b), want, "{a:#x}*{b:#x}");
        }
    }

    #[test]
    fn mul_register_widths_hold_the_largest_values() {
        let bits = |x: u128| 128 - x.leading_zeros();
        let (c, e, f) = mul_intermediates(u64::MAX, u64::MAX);
        // Widths of c0..c6, e01/e23/e45/e6, f0/f1 in mul.rs.
        for (x, w) in c.iter().zip([32, 33, 34, 34, 34, 33, 32]) {
            assert!(bits(*x) <= w, "column {x:#x} exceeds {w} bits");
        }
        for (x, w) in e.iter().zip([49, 50, 49, 32]) {
            assert!(bits(*x) <= w, "pair {x:#x} exceeds {w} bits");
        }
        for (x, w) in f.iter().zip([83, 64]) {
            assert!(bits(*x) <= w, "half {x:#x} exceeds {w} bits");
        }
    }

    #[test]
    fn reduce128_model_matches_plonky2_on_any_u128() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(9);
        let edges = [
            0u128,
            1,
            u128::MAX,
            u64::MAX as u128,
            (u64::MAX as u128) << 64,
            1 << 96,
            (1 << 96) - 1,
        ];
        for x in edges
            .into_iter()
            .chain((0..100_000).map(|_| rng.gen::<u128>()))
        {
            assert_eq!(
                reduce128_model(x),
                F::from_noncanonical_u128(x).to_canonical_u64(),
                "{x:#x}"
            );
        }
    }
}
