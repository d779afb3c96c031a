//! The Poseidon permutation of plonky2 (`GoldilocksField`, width 12, 8 full + 22 partial rounds,
//! x^7 S-box) as a fully pipelined core, the Merkle hashing layer around it, and a folded core
//! (one S-box, one MDS row) for small boards ([PoseidonFolded]).
//!
//! The hardware computes the *naive* round structure (plonky2's `poseidon_naive`: every round adds
//! its 12 round constants, applies the S-box to all lanes (full) or lane 0 (partial), then the MDS
//! matrix), not plonky2's "fast partial rounds": the MDS entries are < 64, so the linear layer is
//! shifts and adds with no DSPs (docs/accelerator.md argues the choice). All constants are read
//! from plonky2 (`ALL_ROUND_CONSTANTS`, `Poseidon::MDS_MATRIX_CIRC`, `MDS_MATRIX_DIAG`).
//!
//! Hardware round r (r = 0..29): S-box layer, then MDS, then the round constants of round r + 1
//! (added inside the MDS sum, before its reduction). The constants of round 0 are added by one
//! [crate::field::GlAdd] layer in front of round 0.
//!
//! This module holds the constants and a software bit-model of every block (checked against
//! plonky2 below); the blocks are in the sub-modules.

mod core;
mod delay;
mod folded;
mod full_round;
mod mds;
mod merkle;
mod out_fifo;
mod partial_round;
mod permutation;
mod sbox;

pub use self::core::PoseidonCore;
pub use delay::Delay;
pub use folded::{MdsRow, PoseidonFolded};
pub use full_round::FullRound;
pub use mds::Mds;
pub use merkle::{MerkleFront, MerkleHasher};
pub use out_fifo::OutFifo;
pub use partial_round::PartialRound;
pub use permutation::PoseidonPipe;
pub use sbox::SBox;

use crate::field::{add_model, mul_model, P};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::hash::poseidon::{
    Poseidon, ALL_ROUND_CONSTANTS, HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS, N_ROUNDS, SPONGE_RATE,
    SPONGE_WIDTH,
};

/// State width (field elements).
pub const WIDTH: usize = SPONGE_WIDTH;
/// Sponge rate (elements absorbed per permutation).
pub const RATE: usize = SPONGE_RATE;
/// Rounds, full and partial.
pub const ROUNDS: usize = N_ROUNDS;
/// Digest size (elements).
pub const DIGEST: usize = 4;
/// MDS entries are decomposed into this many bit-planes; every plonky2 entry must be below
/// 2^MDS_BITS (checked when the constants are read).
pub const MDS_BITS: usize = 6;

/// True for the 4 + 4 full rounds, false for the 22 partial rounds in between.
pub const fn is_full_round(r: usize) -> bool {
    r < HALF_N_FULL_ROUNDS || r >= HALF_N_FULL_ROUNDS + N_PARTIAL_ROUNDS
}

/// Round constant of lane `i` in round `r` (plonky2's `ALL_ROUND_CONSTANTS`); zero for r = 30,
/// so the last round's MDS adds nothing.
pub fn round_constant(r: usize, i: usize) -> u64 {
    if r < ROUNDS {
        ALL_ROUND_CONSTANTS[i + WIDTH * r]
    } else {
        0
    }
}

/// `MDS_MATRIX_CIRC[i]` (the circulant's first row) and `MDS_MATRIX_DIAG[i]`, asserted < 2^MDS_BITS.
pub fn mds_circ() -> [u64; WIDTH] {
    small(<F as Poseidon>::MDS_MATRIX_CIRC)
}

pub fn mds_diag() -> [u64; WIDTH] {
    small(<F as Poseidon>::MDS_MATRIX_DIAG)
}

fn small(m: [u64; WIDTH]) -> [u64; WIDTH] {
    assert!(
        m.iter().all(|&c| c < 1 << MDS_BITS),
        "MDS entry >= 2^{MDS_BITS}: widen MDS_BITS"
    );
    m
}

/// Bit-model of the S-box unit: x^7 = (x * x^2) * (x^2)^2 with four multipliers, three deep.
pub fn sbox_model(x: u64) -> u64 {
    let x2 = mul_model(x, x);
    let x3 = mul_model(x, x2);
    let x4 = mul_model(x2, x2);
    mul_model(x3, x4)
}

/// Bit-model of the MDS sums: output r = sum over bit-planes b of 2^b * (sum of the lanes whose
/// coefficient has bit b set) + round constant, exactly (< 2^74; the hardware's widths).
pub fn mds_sums_model(v: &[u64; WIDTH], rc: &[u64; WIDTH]) -> [u128; WIDTH] {
    let (circ, diag) = (mds_circ(), mds_diag());
    std::array::from_fn(|r| {
        let mut total = rc[r] as u128;
        for b in 0..MDS_BITS {
            let mut plane = 0u128; // < 13 * 2^64: 68 bits
            for i in 0..WIDTH {
                if circ[i] >> b & 1 == 1 {
                    plane += v[(i + r) % WIDTH] as u128;
                }
            }
            if diag[r] >> b & 1 == 1 {
                plane += v[r] as u128;
            }
            total += plane << b;
        }
        total
    })
}

/// Bit-model of the MDS reduction of x < 2^74: with x = lo + hi * 2^64 and 2^64 = 2^32 - 1
/// (mod p), t = lo + hi * 2^32 - hi < 2^64 + 2^42 < 2p, then one conditional subtraction.
pub fn mds_reduce_model(x: u128) -> u64 {
    assert!(x < 1 << 74);
    let (lo, hi) = (x as u64 as u128, x >> 64);
    let t = lo + (hi << 32) - hi;
    if t >= P as u128 {
        (t - P as u128) as u64
    } else {
        t as u64
    }
}

/// Bit-model of the MDS block: M * v + rc (canonical).
pub fn mds_model(v: &[u64; WIDTH], rc: &[u64; WIDTH]) -> [u64; WIDTH] {
    mds_sums_model(v, rc).map(mds_reduce_model)
}

/// Bit-model of hardware round r: S-box layer, MDS, plus round r + 1's constants.
pub fn round_model(r: usize, state: &[u64; WIDTH]) -> [u64; WIDTH] {
    let mut s = *state;
    if is_full_round(r) {
        s = s.map(sbox_model);
    } else {
        s[0] = sbox_model(s[0]);
    }
    let rc = std::array::from_fn(|i| round_constant(r + 1, i));
    mds_model(&s, &rc)
}

/// Bit-model of the whole pipeline: round 0's constants, then the 30 hardware rounds.
pub fn permutation_model(input: &[u64; WIDTH]) -> [u64; WIDTH] {
    let mut s: [u64; WIDTH] = std::array::from_fn(|i| add_model(input[i], round_constant(0, i)));
    for r in 0..ROUNDS {
        s = round_model(r, &s);
    }
    s
}

/// Software model of the leaf hash schedule (`PoseidonHash::hash_or_noop`): leaves of at most
/// [DIGEST] elements are the digest (zero-padded); longer ones are absorbed [RATE] elements per
/// permutation, overwriting the rate (a short last chunk leaves the rest of the rate as the
/// previous permutation left it), no padding; the digest is the first 4 lanes.
pub fn leaf_hash_model(leaf: &[u64]) -> [u64; DIGEST] {
    if leaf.len() <= DIGEST {
        return std::array::from_fn(|i| leaf.get(i).copied().unwrap_or(0));
    }
    let mut state = [0u64; WIDTH];
    for chunk in leaf.chunks(RATE) {
        state[..chunk.len()].copy_from_slice(chunk);
        state = permutation_model(&state);
    }
    std::array::from_fn(|i| state[i])
}

/// Software model of the 2-to-1 compression (`PoseidonHash::two_to_one`): state
/// [left, right, 0, 0, 0, 0], one permutation, first 4 lanes.
pub fn two_to_one_model(left: &[u64; DIGEST], right: &[u64; DIGEST]) -> [u64; DIGEST] {
    let mut state = [0u64; WIDTH];
    state[..DIGEST].copy_from_slice(left);
    state[DIGEST..2 * DIGEST].copy_from_slice(right);
    let out = permutation_model(&state);
    std::array::from_fn(|i| out[i])
}

/// The 12 lanes as the cores' 768-bit state port: lane i is bits 64i..64i+64.
pub fn lanes_to_bits(s: &[u64; WIDTH]) -> rust_hdl::prelude::Bits<768> {
    use rust_hdl::prelude::*;
    let mut b = Bits::<768>::default();
    for (i, &x) in s.iter().enumerate() {
        b.set_bits::<64>(64 * i, x.to_bits());
    }
    b
}

/// The inverse of [lanes_to_bits].
pub fn bits_to_lanes(b: rust_hdl::prelude::Bits<768>) -> [u64; WIDTH] {
    std::array::from_fn(|i| b.get_bits::<64>(64 * i).to_u64())
}

/// plonky2's permutation of canonical lanes, as u64s.
pub fn plonky2_permutation(input: &[u64; WIDTH]) -> [u64; WIDTH] {
    use plonky2::field::types::{Field, PrimeField64};
    let out = <F as Poseidon>::poseidon(input.map(F::from_canonical_u64));
    out.map(|x| x.to_canonical_u64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::EDGES;
    use plonky2::field::types::{Field, PrimeField64};
    use plonky2::hash::hash_types::HashOut;
    use plonky2::hash::poseidon::PoseidonHash;
    use plonky2::plonk::config::Hasher;
    use rand::{Rng, SeedableRng};

    fn f(x: u64) -> F {
        F::from_canonical_u64(x)
    }

    /// Edge states (every lane one edge value, and lanes cycling through the edges), then random.
    fn states(n: usize) -> Vec<[u64; WIDTH]> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut v: Vec<[u64; WIDTH]> = EDGES.iter().map(|&e| [e; WIDTH]).collect();
        v.extend((0..EDGES.len()).map(|k| std::array::from_fn(|i| EDGES[(i + k) % EDGES.len()])));
        v.extend((0..n).map(|_| std::array::from_fn(|_| rng.gen_range(0..P))));
        v
    }

    #[test]
    fn round_constants_are_canonical() {
        assert!(ALL_ROUND_CONSTANTS[..WIDTH * ROUNDS].iter().all(|&c| c < P));
        assert_eq!((0..ROUNDS).filter(|&r| is_full_round(r)).count(), 8);
    }

    #[test]
    fn sbox_model_matches_plonky2() {
        for x in EDGES
            .into_iter()
            .chain((0..10_000).map(|i| i * 0x9E37_79B9_7F4A_7C15 % P))
        {
            let want = <F as Poseidon>::sbox_monomial::<F, 1>(f(x)).to_canonical_u64();
            assert_eq!(sbox_model(x), want, "{x:#x}");
        }
    }

    #[test]
    fn mds_model_matches_plonky2() {
        for s in states(2000) {
            let want = <F as Poseidon>::mds_layer(&s.map(f)).map(|x| x.to_canonical_u64());
            assert_eq!(mds_model(&s, &[0; WIDTH]), want);
            let sums = mds_sums_model(&s, &[P - 1; WIDTH]);
            assert!(sums.iter().all(|&x| x < 1 << 74), "MDS sum exceeds 74 bits");
        }
        // The reduction on its extremes.
        for x in [
            0u128,
            (1 << 74) - 1,
            P as u128,
            (1 << 64) - 1,
            1 << 64,
            2 * P as u128,
        ] {
            assert_eq!(
                mds_reduce_model(x),
                F::from_noncanonical_u128(x).to_canonical_u64()
            );
        }
    }

    #[test]
    fn round_model_matches_plonky2_naive_round() {
        for s in states(200) {
            for r in 0..ROUNDS {
                // plonky2's naive round r + 1 starts with constant_layer(r + 1); ours ends with it.
                let mut want = s.map(f);
                if is_full_round(r) {
                    <F as Poseidon>::sbox_layer(&mut want);
                } else {
                    want[0] = <F as Poseidon>::sbox_monomial::<F, 1>(want[0]);
                }
                want = <F as Poseidon>::mds_layer(&want);
                if r + 1 < ROUNDS {
                    <F as Poseidon>::constant_layer(&mut want, r + 1);
                }
                assert_eq!(round_model(r, &s), want.map(|x| x.to_canonical_u64()));
            }
        }
    }

    #[test]
    fn permutation_model_matches_plonky2() {
        for s in states(500) {
            assert_eq!(permutation_model(&s), plonky2_permutation(&s));
        }
    }

    #[test]
    fn sponge_models_match_plonky2() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(12);
        for len in 0..=26 {
            for _ in 0..4 {
                let leaf: Vec<u64> = (0..len).map(|_| rng.gen_range(0..P)).collect();
                let want =
                    PoseidonHash::hash_or_noop(&leaf.iter().map(|&x| f(x)).collect::<Vec<_>>());
                assert_eq!(
                    leaf_hash_model(&leaf),
                    want.elements.map(|x| x.to_canonical_u64()),
                    "leaf of {len}"
                );
            }
        }
        for _ in 0..200 {
            let l: [u64; DIGEST] = std::array::from_fn(|_| rng.gen_range(0..P));
            let r: [u64; DIGEST] = std::array::from_fn(|_| rng.gen_range(0..P));
            let want = PoseidonHash::two_to_one(
                HashOut { elements: l.map(f) },
                HashOut { elements: r.map(f) },
            );
            assert_eq!(
                two_to_one_model(&l, &r),
                want.elements.map(|x| x.to_canonical_u64())
            );
        }
    }
}
