//! Spot checks of a device's commitment against the trace it was given: the host never trusts the
//! card. Cheap by design (O(k·n) field operations and O(k·log n) hashes for `k` samples of an
//! `n`-row trace, against the O(n·cols·log n) NTTs and O(n·cols) hashing of the commitment itself).
//!
//! Checks, in order:
//! - (a) shapes: column count and lengths, leaf count and width, `digests.len() = 2 (leaves -
//!   2^cap_height)`, cap length, degree, rate, no blinding;
//! - (b) coefficients vs trace, for `k` random columns: each column's coefficients evaluated
//!   (Horner) at a random row's point `ω^row` give the trace value there, and a random combination
//!   of the sampled columns' coefficients, evaluated at a random point ζ of the quadratic extension,
//!   gives the same combination of the trace's barycentric interpolants at ζ. The second test
//!   catches *any* wrong word of a sampled column (except with probability ~1/p), including a
//!   flipped trace value, which changes the polynomial by a multiple of the Lagrange basis `L_row`
//!   and so goes unseen at every other row;
//! - (c) LDE vs coefficients, for `k` random (leaf, column) words: the value equals the coefficients
//!   evaluated at the leaf's coset point `shift · ω_lde^rev(leaf)` (leaves are in bit-reversed order);
//! - (e) every cap entry is recomputed from its two children digests (or from its leaf when the
//!   tree is all cap);
//! - (d) Merkle paths, for `k` random leaves: the leaf hash is recomputed and every digest on its
//!   path is checked, both the node's own digest (stored beside its sibling) and the hash of the
//!   two children up to the cap entry; plonky2's `verify_merkle_proof_to_cap` checks the same path.
//!
//! What `k` samples catch: a single wrong word (a flipped bit) in a class of `m` words is caught
//! with probability about `k/m` per check: `k/cols` for coefficients and trace values (a sampled
//! column is checked whole), `k/(leaves·cols)` for LDE words, and for a digest the fraction of
//! leaves below it (`k·2^h/leaves` for a node of height `h`). That is why (d) checks every level on
//! a sampled path rather than one random digest, and (e) the whole top level. What it cannot catch
//! for certain: a fault confined to unsampled words, in particular one wrong LDE word or one wrong
//! low digest in a large tree (caught with small probability); the proof then fails to verify
//! rather than verifying wrongly, because every opening is checked against the cap.
//! [`SpotCheck::EXHAUSTIVE`] checks every word and path (O(n²) work: for tests only).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, Sample};
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::merkle_proofs::verify_merkle_proof_to_cap;
use plonky2::plonk::config::{GenericConfig, Hasher};
use rand::rngs::StdRng;
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::prover::{C, D, F};

type FE = <F as Extendable<D>>::Extension;
type H = <C as GenericConfig<D>>::Hasher;

fn ext(x: F) -> FE {
    <FE as FieldExtension<D>>::from_basefield(x)
}

fn scale(x: FE, c: F) -> FE {
    <FE as FieldExtension<D>>::scalar_mul(&x, c)
}

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
        let k = self.samples;
        coefficients(trace, batch, k, rng)?;
        lde(batch, k, rng)?;
        cap(batch)?;
        paths(batch, k, rng)
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

fn eval_ext(coeffs: &[F], x: FE) -> FE {
    coeffs.iter().rev().fold(FE::ZERO, |acc, &c| acc * x + ext(c))
}

/// Barycentric weights `w_i` with `Σ v_i w_i` = the interpolant of `v` (on the subgroup of size n)
/// at ζ: `w_i = (ζ^n - 1)/n · g^i / (ζ - g^i)`. None when ζ is on the subgroup.
fn barycentric_weights(n: usize, zeta: FE) -> Option<Vec<FE>> {
    let g = F::primitive_root_of_unity(n.trailing_zeros() as usize);
    let points: Vec<F> = g.powers().take(n).collect();
    let denoms: Vec<FE> = points.par_iter().map(|&x| zeta - ext(x)).collect();
    if denoms.contains(&FE::ZERO) {
        return None;
    }
    let factor = (zeta.exp_u64(n as u64) - FE::ONE) * ext(F::from_canonical_usize(n).inverse());
    // Batch inversion is sequential within a batch: one batch per chunk, in parallel.
    let inv: Vec<FE> = denoms.par_chunks(1 << 12).flat_map_iter(FE::batch_multiplicative_inverse).collect();
    Some(inv.into_par_iter().zip(points).map(|(d, x)| d * ext(x) * factor).collect())
}

/// (b)
fn coefficients(trace: &[PolynomialValues<F>], batch: &PolynomialBatch<F, C, D>, k: usize, rng: &mut impl Rng) -> Result<(), Mismatch> {
    let n = trace[0].len();
    let g = F::primitive_root_of_unity(n.trailing_zeros() as usize);
    let cols = sample(rng, trace.len(), k);
    let rows: Vec<usize> = cols.iter().map(|_| rng.gen_range(0..n)).collect();
    cols.par_iter().zip(&rows).try_for_each(|(&c, &row)| {
        let got = eval(&batch.polynomials[c].coeffs, g.exp_u64(row as u64));
        if got != trace[c].values[row] {
            return fail(CheckKind::Coefficients, format!("column {c} evaluates to {got} at row {row}, where the trace has {}", trace[c].values[row]));
        }
        Ok(())
    })?;
    // The whole sampled columns, at once: a random combination of them (weights r) against the
    // same combination of the trace, at a random ζ. A wrong word in any sampled column makes the
    // combined difference a nonzero polynomial of degree < n, except with probability 1/p, which
    // then vanishes at ζ with probability < n/p².
    let zeta = FE::sample(rng);
    let Some(weights) = barycentric_weights(n, zeta) else { return Ok(()) };
    let r: Vec<F> = cols.iter().map(|_| F::sample(rng)).collect();
    let coeffs: Vec<&[F]> = cols.iter().map(|&c| &batch.polynomials[c].coeffs[..]).collect();
    let values: Vec<&[F]> = cols.iter().map(|&c| &trace[c].values[..]).collect();
    let interpolant = |v: &[F]| -> FE { v.par_iter().zip(&weights).map(|(&v, w)| scale(*w, v)).sum() };
    if eval_ext(&combine(&coeffs, &r), zeta) == interpolant(&combine(&values, &r)) {
        return Ok(());
    }
    // Which column: the same test one column at a time (only on a failure).
    let c = (0..cols.len()).find(|&j| eval_ext(coeffs[j], zeta) != interpolant(values[j])).map_or(usize::MAX, |j| cols[j]);
    fail(CheckKind::Coefficients, format!("column {c} is not the trace's interpolant (checked at a random point)"))
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

/// (c)
fn lde(batch: &PolynomialBatch<F, C, D>, k: usize, rng: &mut impl Rng) -> Result<(), Mismatch> {
    let leaves = &batch.merkle_tree.leaves;
    let (cols, log_lde) = (batch.polynomials.len(), leaves.len().trailing_zeros() as usize);
    sample(rng, leaves.len() * cols, k).into_par_iter().try_for_each(|word| {
        let (i, c) = (word / cols, word % cols);
        let expected = eval(&batch.polynomials[c].coeffs, leaf_point(i, log_lde));
        if leaves[i][c] != expected {
            return fail(CheckKind::Lde, format!("leaf {i} column {c} is {}, the coefficients give {expected}", leaves[i][c]));
        }
        Ok(())
    })
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
    fn barycentric_weights_interpolate() {
        let t = trace(3, 1);
        let coeffs = t[0].clone().ifft();
        let zeta = FE::sample(&mut StdRng::seed_from_u64(1));
        let w = barycentric_weights(8, zeta).unwrap();
        let v: FE = t[0].values.iter().zip(&w).map(|(&v, w)| scale(*w, v)).sum();
        assert_eq!(v, eval_ext(&coeffs.coeffs, zeta));
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
        assert!(m.detail.contains("column 0 "), "{m}");
    }

    #[test]
    fn a_sampled_column_is_checked_whole() {
        // One trace value wrong at row 3 of a one-column trace: the row test sees it only at
        // row 3, the random-point test always.
        let t = trace(6, 1);
        let mut bad = t.clone();
        bad[0].values[3] += F::ONE;
        let b = commit(&bad, CAP);
        for seed in 0..8 {
            let m = SpotCheck { samples: 1 }.check_with(&t, &b, RATE, CAP, &mut StdRng::seed_from_u64(seed));
            assert_eq!(m.unwrap_err().kind, CheckKind::Coefficients);
        }
    }
}
