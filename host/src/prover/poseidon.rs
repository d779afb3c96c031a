//! The Poseidon table: one row per permutation, plonky2's `Poseidon` for Goldilocks (width 12,
//! 4 full, 22 partial and 4 full rounds, x^7 S-box, plonky2's round constants and MDS matrix).
//! Other tables look up `(input[0..12], output[0..4])` here: the CPU's `poseidon` instruction
//! (`ctl.rs`), and later the state tree's path hashing.
//!
//! | columns | name | meaning |
//! | --- | --- | --- |
//! | 0..12 | `IN` | the permutation's input |
//! | 12..130 | `X` | the input of each S-box, in round order (12 per full round, 1 per partial round) |
//! | 130..248 | `CUBE` | `X^3` |
//! | 248..260 | `OUT` | the permutation's output |
//! | 260 | `MULT` | how many lookups this row answers (0 on padding rows) |
//!
//! Why this shape: the tables' constraints are of degree 3, so `x^7 = (x^3)^2 · x` needs the cube
//! in a column, and an S-box's input must itself be a column to be cubed. Everything between two
//! S-box layers is affine (round constants, the MDS matrix, the lanes a partial round leaves
//! alone), so the constraints follow the rounds with the lanes as expressions: each S-box input
//! column equals its lane (degree ≤ 3 in the columns), and the lane continues as
//! `CUBE^2 · X`. No per-round state needs a column: 2 columns per S-box (118 of them) plus
//! inputs, outputs and `MULT`, 261 in all. Plonky2's "fast partial rounds" rewrite the same
//! permutation for fewer multiplications on a CPU; here the plain rounds are kept (one way to
//! state the permutation, for the trace and the constraints alike). Collapsing the linear layers
//! between S-boxes into precomputed affine forms (34 terms at most) was tried: 2x fewer native
//! multiplications, but 1.3% fewer recursive-verifier gates only (the forms' distinct constants
//! take a gate each, where the MDS matrix's 13 small ones batch ten to a gate), for more code.

use std::collections::HashMap;

use plonky2::field::types::Field;
use plonky2::hash::poseidon::{Poseidon, ALL_ROUND_CONSTANTS, HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS, SPONGE_WIDTH};

use super::expr::{impl_stark, Ops};
use super::F;

const W: usize = SPONGE_WIDTH;
pub const NUM_SBOXES: usize = 2 * HALF_N_FULL_ROUNDS * W + N_PARTIAL_ROUNDS;

pub const IN: usize = 0;
pub const X: usize = IN + W;
pub const CUBE: usize = X + NUM_SBOXES;
pub const OUT: usize = CUBE + NUM_SBOXES;
pub const MULT: usize = OUT + W;
pub const NUM_COLUMNS: usize = MULT + 1;

/// Words of the output other tables look up (a digest).
pub const DIGEST: usize = 4;

/// The MDS matrix as plonky2 applies it (`mds_row_shf`): row `r` is the circulant row shifted by
/// `r`, plus the diagonal.
fn mds(r: usize, c: usize) -> F {
    let circ = <F as Poseidon>::MDS_MATRIX_CIRC[(c + W - r) % W];
    let diag = if r == c { <F as Poseidon>::MDS_MATRIX_DIAG[r] } else { 0 };
    F::from_canonical_u64(circ + diag)
}

const ROUNDS: usize = 2 * HALF_N_FULL_ROUNDS + N_PARTIAL_ROUNDS;

fn round_constant(round: usize, lane: usize) -> F {
    F::from_noncanonical_u64(ALL_ROUND_CONSTANTS[lane + W * round])
}

/// S-boxes in round `round`: all 12 lanes in a full round, lane 0 in a partial one.
fn sboxes_in(round: usize) -> usize {
    let partial = (HALF_N_FULL_ROUNDS..HALF_N_FULL_ROUNDS + N_PARTIAL_ROUNDS).contains(&round);
    if partial {
        1
    } else {
        W
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct PoseidonStark;

impl PoseidonStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], _nv: &[T], _pis: &[T]) {
        let mut state: Vec<T> = lv[IN..IN + W].to_vec();
        let mut k = 0;
        for round in 0..ROUNDS {
            for (i, lane) in state.iter_mut().enumerate() {
                let c = o.constant(round_constant(round, i));
                *lane = o.add(*lane, c);
            }
            for lane in state.iter_mut().take(sboxes_in(round)) {
                let (x, cube) = (lv[X + k], lv[CUBE + k]);
                let t = o.sub(x, *lane);
                o.always(t);
                let x3 = o.mul3(x, x, x);
                let t = o.sub(cube, x3);
                o.always(t);
                *lane = o.mul3(cube, cube, x);
                k += 1;
            }
            state = (0..W).map(|r| o.lin(&(0..W).map(|c| (state[c], mds(r, c))).collect::<Vec<_>>())).collect();
        }
        for (j, &lane) in state.iter().enumerate() {
            let t = o.sub(lv[OUT + j], lane);
            o.always(t);
        }
    }
}

impl_stark!(PoseidonStark, NUM_COLUMNS, 0);

/// One row's columns (all but `MULT`) for `input`: the rounds of [`PoseidonStark::eval`] on
/// values.
fn row(input: [F; W]) -> Vec<F> {
    let mut state = input;
    let mut xs = Vec::with_capacity(NUM_SBOXES);
    let mut cubes = Vec::with_capacity(NUM_SBOXES);
    for round in 0..ROUNDS {
        for (i, lane) in state.iter_mut().enumerate() {
            *lane += round_constant(round, i);
        }
        for lane in state.iter_mut().take(sboxes_in(round)) {
            let x = *lane;
            let cube = x * x * x;
            xs.push(x);
            cubes.push(cube);
            *lane = cube * cube * x;
        }
        state = core::array::from_fn(|r| (0..W).map(|c| state[c] * mds(r, c)).sum());
    }
    [input.to_vec(), xs, cubes, state.to_vec()].concat()
}

/// The table for these permutation inputs (one lookup each): one row per distinct input, in
/// first-use order, `MULT` counting its lookups; padded with permutations of zero to the
/// smallest table height that holds them (`public::rows_for`), or `min_rows` if larger.
pub fn generate(lookups: &[[F; W]], min_rows: usize) -> Vec<Vec<F>> {
    let mut order: Vec<[F; W]> = Vec::new();
    let mut count: HashMap<[u64; W], usize> = HashMap::new();
    for input in lookups {
        let key = input.map(|x| x.0);
        let slot = count.entry(key).or_insert_with(|| {
            order.push(*input);
            0
        });
        *slot += 1;
    }
    let rows = super::public::rows_for(order.len()).max(min_rows);
    let rows_data: Vec<Vec<F>> = {
        use rayon::prelude::*;
        order.par_iter().map(|&input| row(input)).collect()
    };
    let pad = row([F::ZERO; W]);
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    for i in 0..rows {
        let values = rows_data.get(i).unwrap_or(&pad);
        for (c, &v) in values.iter().enumerate() {
            cols[c][i] = v;
        }
        if let Some(input) = order.get(i) {
            cols[MULT][i] = F::from_canonical_usize(count[&input.map(|x| x.0)]);
        }
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;
    use plonky2::field::types::Sample;

    fn outputs(cols: &[Vec<F>], i: usize) -> [F; W] {
        core::array::from_fn(|j| cols[OUT + j][i])
    }

    /// The table's rows are plonky2's permutation, bit for bit, on random and edge inputs.
    #[test]
    fn rows_equal_plonky2_permutation() {
        let mut inputs: Vec<[F; W]> = (0..20).map(|_| F::rand_array()).collect();
        inputs.push([F::ZERO; W]);
        inputs.push([F::NEG_ONE; W]);
        inputs.push(core::array::from_fn(|i| F::from_canonical_u64((1 << 32) * i as u64 + u32::MAX as u64)));
        let cols = generate(&inputs, 32);
        for (i, input) in inputs.iter().enumerate() {
            assert_eq!(outputs(&cols, i), F::poseidon(*input), "row {i}");
            assert_eq!(cols[MULT][i], F::ONE);
        }
        // padding: the permutation of zero, never looked up
        assert_eq!(outputs(&cols, 31), F::poseidon([F::ZERO; W]));
        assert_eq!(cols[MULT][31], F::ZERO);
    }

    #[test]
    fn repeated_inputs_share_a_row() {
        let a: [F; W] = F::rand_array();
        let b: [F; W] = F::rand_array();
        let cols = generate(&[a, b, a, a], 0);
        assert_eq!(cols[MULT].len(), 32); // the smallest table
        assert_eq!((cols[MULT][0], cols[MULT][1], cols[MULT][2]), (F::from_canonical_u64(3), F::ONE, F::ZERO));
    }
}
