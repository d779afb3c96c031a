//! Checks of a device's commitment against the trace it was given: the host never trusts the card.
//! The arithmetic is checked whole, the hashing by samples:
//!
//! - (a) shapes: column count and lengths, leaf count and width, `digests.len() = 2 (leaves -
//!   2^cap_height)`, cap length, degree, rate, no blinding;
//! - (b, c) every coefficient and every LDE word, at once ([linear]): with random weights r, the
//!   combined coefficients `P = Σ r_j coeffs_j` must FFT into the combined trace `Σ r_j values_j`
//!   and coset-extend into the combined leaves `Σ r_j leaf_i[j]`. A wrong word anywhere (a flipped
//!   trace value the card then computed on consistently included) survives only with probability
//!   1/p. Cost: one pass over trace, coefficients and leaves plus one FFT and one coset FFT of a
//!   single column, against the commitment's transforms of every column;
//! - (e) every cap entry is recomputed from its two children digests (or from its leaf when the
//!   tree is all cap);
//! - (d) Merkle paths, for `k` random leaves: the leaf hash is recomputed and every digest on its
//!   path is checked, both the node's own digest (stored beside its sibling) and the hash of the
//!   two children up to the cap entry.
//!
//! What the samples catch: checking every digest means redoing the hashing the card was there to
//! do, so a single wrong digest of height h is caught with probability about `k 2^h / leaves` (the
//! fraction of sampled leaves below it); hence (d) checks every level on a sampled path and (e)
//! the whole top level. A wrong low digest in a large tree can pass; the proof then fails to verify
//! (every opening is checked against the cap) rather than verifying wrongly.
//! [`SpotCheck::EXHAUSTIVE`] checks every path (for tests).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use plonky2::field::polynomial::{PolynomialCoeffs, PolynomialValues};
use plonky2::field::types::{Field, Sample};
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::util::reverse_index_bits_in_place;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::merkle_proofs::verify_merkle_proof_to_cap;
use plonky2::plonk::config::{GenericConfig, Hasher};
use rand::rngs::StdRng;
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::prover::{C, D, F};

type H = <C as GenericConfig<D>>::Hasher;

/// Which check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckKind {
    Shape,
    Coefficients,
    Lde,
    MerklePath,
    Cap,
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Shape => "shape",
            Self::Coefficients => "coefficients",
            Self::Lde => "LDE",
            Self::MerklePath => "Merkle path",
            Self::Cap => "Merkle cap",
        })
    }
}

/// A spot check that failed, with what mismatched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {detail}")]
pub struct Mismatch {
    pub kind: CheckKind,
    pub detail: String,
}

fn fail<T>(kind: CheckKind, detail: String) -> Result<T, Mismatch> {
    Err(Mismatch { kind, detail })
}

/// `samples` (k) per check class; see the module docs for what that catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpotCheck {
    pub samples: usize,
}

impl Default for SpotCheck {
    fn default() -> Self {
        Self { samples: 16 }
    }
}

impl SpotCheck {
    /// Every column, word and path: for tests of the fallback path, which must not depend on luck.
    pub const EXHAUSTIVE: Self = Self { samples: usize::MAX };

    /// Checks `batch` against `trace` with samples the device cannot predict.
    pub fn check(
        &self,
        trace: &[PolynomialValues<F>],
        batch: &PolynomialBatch<F, C, D>,
        rate_bits: usize,
        cap_height: usize,
    ) -> Result<(), Mismatch> {
        self.check_with(trace, batch, rate_bits, cap_height, &mut unpredictable_rng())
    }

    pub fn check_with(
        &self,
        trace: &[PolynomialValues<F>],
        batch: &PolynomialBatch<F, C, D>,
        rate_bits: usize,
        cap_height: usize,
        rng: &mut impl Rng,
    ) -> Result<(), Mismatch> {
        shapes(trace, batch, rate_bits, cap_height)?;
        linear(trace, batch, rate_bits, rng)?;
        cap(batch)?;
        paths(batch, self.samples, rng)
    }
}

/// Seeded from the clock and a counter, so neither a replayed nor a concurrent check repeats samples.
fn unpredictable_rng() -> StdRng {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    StdRng::seed_from_u64(nanos ^ count.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// `min(k, len)` distinct indices below `len`.
fn sample(rng: &mut impl Rng, len: usize, k: usize) -> Vec<usize> {
    index::sample(rng, len, k.min(len)).into_vec()
}

/// (a): everything the other checks index into.
fn shapes(trace: &[PolynomialValues<F>], batch: &PolynomialBatch<F, C, D>, rate_bits: usize, cap_height: usize) -> Result<(), Mismatch> {
    use CheckKind::Shape;
    let n = trace.first().map_or(0, |c| c.len());
    let cols = trace.len();
    let tree = &batch.merkle_tree;
    let leaves = n << rate_bits;
    if batch.polynomials.len() != cols {
        return fail(Shape, format!("{} coefficient columns for {cols} trace columns", batch.polynomials.len()));
    }
    if let Some((c, p)) = batch.polynomials.iter().enumerate().find(|(_, p)| p.len() != n) {
        return fail(Shape, format!("column {c} has {} coefficients, not {n}", p.len()));
    }
    if batch.degree_log != n.trailing_zeros() as usize || batch.rate_bits != rate_bits || batch.blinding {
        let (d, r, b) = (batch.degree_log, batch.rate_bits, batch.blinding);
        return fail(Shape, format!("degree 2^{d}, rate bits {r}, blinding {b} (expected 2^{}, {rate_bits}, false)", n.trailing_zeros()));
    }
    if tree.leaves.len() != leaves {
        return fail(Shape, format!("{} leaves, not {leaves}", tree.leaves.len()));
    }
    if let Some((i, l)) = tree.leaves.iter().enumerate().find(|(_, l)| l.len() != cols) {
        return fail(Shape, format!("leaf {i} has {} values, not {cols}", l.len()));
    }
    if tree.cap.0.len() != 1 << cap_height || leaves < 1 << cap_height {
        return fail(Shape, format!("cap of {} entries, not 2^{cap_height} (for {leaves} leaves)", tree.cap.0.len()));
    }
    let digests = 2 * (leaves - (1 << cap_height));
    if tree.digests.len() != digests {
        return fail(Shape, format!("{} digests, not {digests}", tree.digests.len()));
    }
    Ok(())
}

/// Horner: `Σ coeffs[j] x^j`.
fn eval(coeffs: &[F], x: F) -> F {
    coeffs.iter().rev().fold(F::ZERO, |acc, &c| acc * x + c)
}


/// `Σ_j r_j columns_j`, word by word.
fn combine(columns: &[&[F]], r: &[F]) -> Vec<F> {
    let n = columns.first().map_or(0, |c| c.len());
    (0..n).into_par_iter().map(|i| columns.iter().zip(r).map(|(c, &r)| r * c[i]).sum()).collect()
}

/// `i` with its low `bits` bits reversed.
fn reverse_bits(i: usize, bits: usize) -> usize {
    if bits == 0 {
        0
    } else {
        i.reverse_bits() >> (usize::BITS as usize - bits)
    }
}

/// The point leaf `i` of an LDE of `2^log_lde` rows is evaluated at.
pub(crate) fn leaf_point(i: usize, log_lde: usize) -> F {
    F::coset_shift() * F::primitive_root_of_unity(log_lde).exp_u64(reverse_bits(i, log_lde) as u64)
}

/// (b) and (c), on every word at once: with random weights r, the combined coefficients
/// P = Σ r_j coeffs_j must transform (one FFT) into the combined trace Σ r_j values_j, and extend
/// (one coset FFT, leaves in bit-reversed order) into the combined leaves Σ r_j leaf_i[j]. A wrong
/// word anywhere makes a combined difference nonzero except with probability 1/p. Cost: one pass
/// over the trace, coefficients and leaves plus two single-column transforms, against the
/// commitment's transforms of every column and its hashing.
fn linear(trace: &[PolynomialValues<F>], batch: &PolynomialBatch<F, C, D>, rate_bits: usize, rng: &mut impl Rng) -> Result<(), Mismatch> {
    let r: Vec<F> = trace.iter().map(|_| F::sample(rng)).collect();
    let coeffs: Vec<&[F]> = batch.polynomials.iter().map(|p| &p.coeffs[..]).collect();
    let values: Vec<&[F]> = trace.iter().map(|c| &c.values[..]).collect();
    let p = PolynomialCoeffs::new(combine(&coeffs, &r));
    if p.clone().fft().values != combine(&values, &r) {
        // Which column (only on a failure): the same test one column at a time.
        let c = (0..trace.len()).find(|&j| batch.polynomials[j].clone().fft().values != trace[j].values);
        let c = c.map_or("a combination of columns".into(), |c| format!("column {c}"));
        return fail(CheckKind::Coefficients, format!("{c}: the coefficients are not the trace's interpolant"));
    }
    let mut extended = p.lde(rate_bits).coset_fft(F::coset_shift()).values;
    reverse_index_bits_in_place(&mut extended);
    let leaves = &batch.merkle_tree.leaves;
    let log_lde = leaves.len().trailing_zeros() as usize;
    let bad = leaves.par_iter().zip(&extended).position_any(|(leaf, &e)| leaf.iter().zip(&r).map(|(&v, &r)| r * v).sum::<F>() != e);
    if let Some(i) = bad {
        let x = leaf_point(i, log_lde);
        let c = (0..coeffs.len()).find(|&j| eval(coeffs[j], x) != leaves[i][j]).map_or(usize::MAX, |j| j);
        return fail(CheckKind::Lde, format!("leaf {i} column {c} is not the coefficients' value at its point"));
    }
    Ok(())
}

/// (d): `digests` holds, per cap entry, a subtree laid out as in `MerkleTree::digests`; within it,
/// the pair of siblings at height `h` above leaf-pair `p` sits at `2 (p 2^(h+1) + 2^h - 1)`.
fn paths(batch: &PolynomialBatch<F, C, D>, k: usize, rng: &mut impl Rng) -> Result<(), Mismatch> {
    let tree = &batch.merkle_tree;
    let (leaves, cap) = (tree.leaves.len(), &tree.cap.0);
    let layers = (leaves / cap.len()).trailing_zeros() as usize;
    let subtree_len = tree.digests.len() / cap.len();
    sample(rng, leaves, k).into_par_iter().try_for_each(|i| {
        let subtree = &tree.digests[subtree_len * (i >> layers)..][..subtree_len];
        let mut node = H::hash_or_noop(&tree.leaves[i]);
        let mut pair = i & ((1 << layers) - 1);
        for h in 0..layers {
            let side = pair & 1;
            pair >>= 1;
            let at = 2 * ((pair << (h + 1)) + (1 << h) - 1);
            if subtree[at + side] != node {
                let what = if h == 0 {
                    format!("the stored hash of leaf {i} is not its hash")
                } else {
                    format!("the digest {h} levels above leaf {i} is not the hash of its children")
                };
                return fail(CheckKind::MerklePath, what);
            }
            node = H::two_to_one(subtree[at], subtree[at + 1]);
        }
        if node != cap[i >> layers] {
            return fail(CheckKind::MerklePath, format!("the path of leaf {i} does not reach cap entry {}", i >> layers));
        }
        // The verifier's own check of the same path.
        if verify_merkle_proof_to_cap::<F, H>(tree.leaves[i].clone(), i, &tree.cap, &tree.prove(i)).is_err() {
            return fail(CheckKind::MerklePath, format!("plonky2 rejects the path of leaf {i}"));
        }
        Ok(())
    })
}

/// (e): cap entry `t` is the hash of the two middle digests of subtree `t` (its children).
fn cap(batch: &PolynomialBatch<F, C, D>) -> Result<(), Mismatch> {
    let tree = &batch.merkle_tree;
    let cap = &tree.cap.0;
    let subtree_len = tree.digests.len() / cap.len();
    for (t, &entry) in cap.iter().enumerate() {
        let expected: HashOut<F> = if subtree_len == 0 {
            H::hash_or_noop(&tree.leaves[t])
        } else {
            let s = &tree.digests[subtree_len * t..][..subtree_len];
            H::two_to_one(s[subtree_len / 2 - 1], s[subtree_len / 2])
        };
        if entry != expected {
            return fail(CheckKind::Cap, format!("cap entry {t} is not the hash of its children"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use plonky2::util::timing::TimingTree;

    use super::*;

    const RATE: usize = 1;
    const CAP: usize = 2;

    fn trace(log_n: usize, cols: usize) -> Vec<PolynomialValues<F>> {
        let mut rng = StdRng::seed_from_u64(5);
        (0..cols).map(|_| PolynomialValues::new((0..1 << log_n).map(|_| F::sample(&mut rng)).collect())).collect()
    }

    fn commit(trace: &[PolynomialValues<F>], cap_height: usize) -> PolynomialBatch<F, C, D> {
        PolynomialBatch::from_values(trace.to_vec(), RATE, false, cap_height, &mut TimingTree::default(), None)
    }

    /// `PolynomialBatch` is not `Clone`.
    fn copy(b: &PolynomialBatch<F, C, D>) -> PolynomialBatch<F, C, D> {
        PolynomialBatch { polynomials: b.polynomials.clone(), merkle_tree: b.merkle_tree.clone(), ..*b }
    }

    fn kind(trace: &[PolynomialValues<F>], batch: &PolynomialBatch<F, C, D>, cap_height: usize) -> Option<CheckKind> {
        SpotCheck::EXHAUSTIVE.check(trace, batch, RATE, cap_height).err().map(|m| m.kind)
    }

    #[test]
    fn leaf_points_match_plonky2() {
        let t = trace(4, 3);
        let b = commit(&t, CAP);
        for (i, leaf) in b.merkle_tree.leaves.iter().enumerate() {
            for (c, p) in b.polynomials.iter().enumerate() {
                assert_eq!(leaf[c], p.eval(leaf_point(i, 5)), "leaf {i} column {c}");
            }
        }
    }

    #[test]
    fn an_honest_batch_passes_every_check() {
        for cap_height in [0, CAP, 5] {
            let t = trace(4, 3);
            assert_eq!(SpotCheck::EXHAUSTIVE.check(&t, &commit(&t, cap_height), RATE, cap_height), Ok(()));
            assert_eq!(SpotCheck::default().check(&t, &commit(&t, cap_height), RATE, cap_height), Ok(()));
        }
    }

    #[test]
    fn each_check_catches_a_corrupted_word() {
        let t = trace(4, 3);
        let good = commit(&t, CAP);
        let corrupt = |f: &dyn Fn(&mut PolynomialBatch<F, C, D>)| {
            let mut b = copy(&good);
            f(&mut b);
            kind(&t, &b, CAP)
        };
        assert_eq!(corrupt(&|b| b.polynomials[1].coeffs[7] += F::ONE), Some(CheckKind::Coefficients));
        assert_eq!(corrupt(&|b| b.merkle_tree.leaves[9][2] += F::ONE), Some(CheckKind::Lde));
        assert_eq!(corrupt(&|b| b.merkle_tree.digests[5].elements[0] += F::ONE), Some(CheckKind::MerklePath));
        assert_eq!(corrupt(&|b| b.merkle_tree.cap.0[3].elements[1] += F::ONE), Some(CheckKind::Cap));
        assert_eq!(corrupt(&|b| {
            b.merkle_tree.digests.pop();
        }), Some(CheckKind::Shape));
        assert_eq!(corrupt(&|b| b.polynomials.truncate(2)), Some(CheckKind::Shape));
        // A wrong trace value the card then computed on consistently: only (b) can see it.
        let mut bad = t.clone();
        bad[0].values[3] += F::ONE;
        let m = SpotCheck::EXHAUSTIVE.check(&t, &commit(&bad, CAP), RATE, CAP).unwrap_err();
        assert_eq!(m.kind, CheckKind::Coefficients);
        assert!(m.detail.contains("column 0:"), "{m}");
    }

    #[test]
    fn every_wrong_trace_coefficient_or_lde_word_is_caught_with_one_sample() {
        // The linear checks cover every word whatever the sample count; one sample here.
        let t = trace(5, 5);
        let good = commit(&t, CAP);
        let one = SpotCheck { samples: 1 };
        for (seed, word) in (0..40u64).zip((0..).step_by(7)) {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut b = copy(&good);
            b.polynomials[word % 5].coeffs[word / 5 % 32] += F::ONE;
            assert_eq!(one.check_with(&t, &b, RATE, CAP, &mut rng).unwrap_err().kind, CheckKind::Coefficients, "coefficient {word}");
            let mut b = copy(&good);
            b.merkle_tree.leaves[word / 5 % 64][word % 5] += F::ONE;
            assert_eq!(one.check_with(&t, &b, RATE, CAP, &mut rng).unwrap_err().kind, CheckKind::Lde, "leaf word {word}");
            let mut bad = t.clone();
            bad[word % 5].values[word / 5 % 32] += F::ONE;
            assert_eq!(one.check_with(&t, &commit(&bad, CAP), RATE, CAP, &mut rng).unwrap_err().kind, CheckKind::Coefficients, "value {word}");
        }
    }
}
