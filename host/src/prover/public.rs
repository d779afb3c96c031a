//! Public tables: data the verifier holds itself (the program ROM, calldata, outputs, the storage
//! access log), committed as small traces that the CPU looks into by cross-table lookup. The
//! verifier binds each public column to its own copy of the data: after all trace caps are
//! observed it draws the out-of-domain point ζ, and checks that the proof's opening of the column
//! at ζ equals the data's interpolating polynomial at ζ (barycentric formula, O(n)). A committed
//! column that differs from the data anywhere passes with probability at most n / |F_ext| ≈ n/2^128
//! (Schwartz–Zippel), and FRI holds the opening to the committed polynomial.
//!
//! A public table has no constraints of its own. Its columns are `PUB` public columns, then
//! (if `COLS > PUB`) one private multiplicity column that serves as the looked-up side's filter.

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Field;

use super::expr::{impl_stark, Ops};
use super::F;

type FE = <F as Extendable<2>>::Extension;

fn ext(x: F) -> FE {
    <FE as FieldExtension<2>>::from_basefield(x)
}

#[derive(Clone, Copy, Debug, Default)]
pub struct PublicStark<const COLS: usize>;

impl<const COLS: usize> PublicStark<COLS> {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, _o: &mut O, _lv: &[T], _nv: &[T], _pis: &[T]) {}
}

impl_stark!(PublicStark<3>, 3, 0);
impl_stark!(PublicStark<4>, 4, 0);
impl_stark!(PublicStark<5>, 5, 0);
impl_stark!(PublicStark<6>, 6, 0);
impl_stark!(PublicStark<7>, 7, 0);

/// Rows of a public table holding `len` entries: a power of two, at least [`super::MIN_ROWS`].
pub fn rows_for(len: usize) -> usize {
    len.next_power_of_two().max(super::MIN_ROWS)
}

/// Value at `zeta` of the polynomial that takes `values[i]` at `g^i` (`g` generating the subgroup of
/// size `values.len()`, a power of two): `(ζ^n - 1)/n * Σ v_i g^i / (ζ - g^i)`.
pub fn eval_at(values: &[F], zeta: FE) -> FE {
    let n = values.len();
    let g = F::primitive_root_of_unity(n.trailing_zeros() as usize);
    let points: Vec<F> = g.powers().take(n).collect();
    let denoms: Vec<FE> = points.iter().map(|&x| zeta - ext(x)).collect();
    if denoms.iter().any(|d| *d == FE::ZERO) {
        // ζ on the subgroup (never drawn in practice): the value is the data itself
        let i = denoms.iter().position(|d| *d == FE::ZERO).unwrap();
        return ext(values[i]);
    }
    let inv = FE::batch_multiplicative_inverse(&denoms);
    let sum: FE = values
        .iter()
        .zip(points.iter().zip(inv))
        .map(|(&v, (&x, d))| d * ext(v * x))
        .sum();
    let zn = zeta.exp_u64(n as u64) - FE::ONE;
    sum * zn * ext(F::from_canonical_usize(n).inverse())
}

/// Columns from rows of public values, padded with `pad` rows, plus an optional multiplicity column.
pub fn table(rows: &[Vec<F>], width: usize, pad: impl Fn(usize) -> Vec<F>, n: usize) -> Vec<Vec<F>> {
    let mut cols = vec![Vec::with_capacity(n); width];
    for i in 0..n {
        let row = if i < rows.len() { rows[i].clone() } else { pad(i) };
        for (c, v) in row.into_iter().enumerate() {
            cols[c].push(v);
        }
    }
    cols
}

pub fn to_polys(cols: Vec<Vec<F>>) -> Vec<PolynomialValues<F>> {
    cols.into_iter().map(PolynomialValues::new).collect()
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::Sample;

    use super::*;

    #[test]
    fn barycentric_matches_interpolation() {
        let values = F::rand_vec(16);
        let zeta = FE::rand();
        let coeffs = PolynomialValues::new(values.clone()).ifft();
        let expect: FE = coeffs.coeffs.iter().rev().fold(FE::ZERO, |acc, &c| acc * zeta + ext(c));
        assert_eq!(eval_at(&values, zeta), expect);
    }
}
