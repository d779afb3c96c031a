//! The range-check table: proves values below 2^32. Each row splits a value into four 8-bit
//! limbs, which a logUp lookup (`starky::lookup`) finds in a fixed column counting 0..255. The
//! table has one row per distinct requested value (at least 256 rows), so it is sized by need.
//! Other tables send values here by cross-table lookup; `MULT` says how many times a row's value
//! was requested.
//!
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `VAL` | the value, `L0 + 2^8 L1 + 2^16 L2 + 2^24 L3` |
//! | 1..5 | `LIMBS` | the limbs, least significant first |
//! | 5 | `MULT` | requests of `VAL` (the looked-up side's filter) |
//! | 6 | `FIXED` | 0, 1, ..., 255, then repeats 255 |
//! | 7 | `FREQ` | occurrences of `FIXED`'s value among the limbs (on its first row) |

use std::collections::BTreeMap;

use plonky2::field::types::{Field, PrimeField64};
use starky::lookup::{Column, Filter, Lookup};

use super::expr::{impl_stark, Ops};
use super::F;

pub const VAL: usize = 0;
pub const LIMBS: usize = 1;
pub const NUM_LIMBS: usize = 4;
pub const MULT: usize = LIMBS + NUM_LIMBS;
pub const FIXED: usize = MULT + 1;
pub const FREQ: usize = MULT + 2;
pub const NUM_COLUMNS: usize = MULT + 3;

pub const LIMB_BITS: usize = 8;
pub const MIN_ROWS: usize = 1 << LIMB_BITS;

#[derive(Clone, Copy, Debug, Default)]
pub struct RangeStark;

impl RangeStark {
    fn local_lookups(&self) -> Vec<Lookup<F>> {
        vec![Lookup {
            columns: Column::singles(LIMBS..LIMBS + NUM_LIMBS).collect(),
            table_column: Column::single(FIXED),
            frequencies_column: Column::single(FREQ),
            filter_columns: vec![Filter::default(); NUM_LIMBS],
        }]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], _pis: &[T]) {
        // VAL = sum 2^(8k) L_k
        let terms: [(T, F); NUM_LIMBS] =
            core::array::from_fn(|k| (lv[LIMBS + k], F::from_canonical_u64(1 << (LIMB_BITS * k))));
        let e = o.lin(&terms);
        let t = o.sub(lv[VAL], e);
        o.always(t);
        // FIXED runs from 0 ...
        o.first_row(lv[FIXED]);
        // ... in steps of 0 or 1 ...
        let d = o.sub(nv[FIXED], lv[FIXED]);
        let t = o.bit(d);
        o.transition(t);
        // ... to 255
        let top = o.constant(F::from_canonical_u64((1 << LIMB_BITS) - 1));
        let t = o.sub(lv[FIXED], top);
        o.last_row(t);
    }
}

impl_stark!(RangeStark, NUM_COLUMNS, 0);

/// The range table for the requested values (each must be below 2^32; the caller only requests
/// values an honest execution keeps in range), over at least `min_rows` rows.
pub fn generate(values: impl Iterator<Item = F>, min_rows: usize) -> Vec<Vec<F>> {
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    for v in values {
        *counts.entry(v.to_canonical_u64()).or_default() += 1;
    }
    let rows = counts.len().next_power_of_two().max(MIN_ROWS).max(min_rows);
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    let mask = (1u64 << LIMB_BITS) - 1;
    let mut freq = vec![0u64; 1 << LIMB_BITS];
    for (i, (&v, &m)) in counts.iter().enumerate() {
        cols[VAL][i] = F::from_canonical_u64(v);
        // a forged out-of-range value still gets a row (its limbs do not add up to it)
        for k in 0..NUM_LIMBS {
            cols[LIMBS + k][i] = F::from_canonical_u64((v >> (LIMB_BITS * k)) & mask);
        }
        cols[MULT][i] = F::from_canonical_u64(m);
    }
    for i in 0..rows {
        for k in 0..NUM_LIMBS {
            freq[cols[LIMBS + k][i].to_canonical_u64() as usize] += 1;
        }
        cols[FIXED][i] = F::from_canonical_u64((i as u64).min(mask));
    }
    for (x, &f) in freq.iter().enumerate() {
        cols[FREQ][x] = F::from_canonical_u64(f);
    }
    cols
}
