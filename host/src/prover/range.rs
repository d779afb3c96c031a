//! The range-check table: proves values below 2^32. Each row splits a value into two 16-bit
//! limbs, which a logUp lookup (`starky::lookup`) finds in a fixed column counting 0..2^16-1.
//! Other tables send values here by cross-table lookup; `MULT` says how many times a row's value
//! was requested.
//!
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `VAL` | the value, `LO + 2^16 HI` |
//! | 1 | `LO` | low limb |
//! | 2 | `HI` | high limb |
//! | 3 | `MULT` | requests of `VAL` (the looked-up side's filter) |
//! | 4 | `FIXED` | 0, 1, ..., 2^16 - 1, then repeats 2^16 - 1 |
//! | 5 | `FREQ` | occurrences of `FIXED`'s value among the limbs |

use std::collections::BTreeMap;

use plonky2::field::types::{Field, PrimeField64};
use starky::lookup::{Column, Filter, Lookup};

use super::expr::{impl_stark, Ops};
use super::F;

pub const VAL: usize = 0;
pub const LO: usize = 1;
pub const HI: usize = 2;
pub const MULT: usize = 3;
pub const FIXED: usize = 4;
pub const FREQ: usize = 5;
pub const NUM_COLUMNS: usize = 6;

pub const LIMB_BITS: usize = 16;
pub const MIN_ROWS: usize = 1 << LIMB_BITS;

#[derive(Clone, Copy, Debug, Default)]
pub struct RangeStark;

impl RangeStark {
    fn local_lookups(&self) -> Vec<Lookup<F>> {
        vec![Lookup {
            columns: Column::singles([LO, HI]).collect(),
            table_column: Column::single(FIXED),
            frequencies_column: Column::single(FREQ),
            filter_columns: vec![Filter::default(), Filter::default()],
        }]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], _pis: &[T]) {
        // VAL = LO + 2^16 HI
        let hi = o.lin(&[(lv[HI], F::from_canonical_u64(1 << LIMB_BITS))]);
        let e = o.add(lv[LO], hi);
        let t = o.sub(lv[VAL], e);
        o.always(t);
        // FIXED runs from 0 ...
        o.first_row(lv[FIXED]);
        // ... in steps of 0 or 1 ...
        let d = o.sub(nv[FIXED], lv[FIXED]);
        let t = o.bit(d);
        o.transition(t);
        // ... to 2^16 - 1
        let top = o.constant(F::from_canonical_u64((1 << LIMB_BITS) - 1));
        let t = o.sub(lv[FIXED], top);
        o.last_row(t);
    }
}

impl_stark!(RangeStark, NUM_COLUMNS, 0);

/// The range table for the requested values (each must be below 2^32; the caller only requests
/// values an honest execution keeps in range).
pub fn generate(values: impl Iterator<Item = F>) -> Vec<Vec<F>> {
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    for v in values {
        *counts.entry(v.to_canonical_u64()).or_default() += 1;
    }
    let rows = counts.len().next_power_of_two().max(MIN_ROWS);
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    let mask = (1u64 << LIMB_BITS) - 1;
    let mut freq = vec![0u64; 1 << LIMB_BITS];
    for (i, (&v, &m)) in counts.iter().enumerate() {
        cols[VAL][i] = F::from_canonical_u64(v);
        cols[LO][i] = F::from_canonical_u64(v & mask);
        // a forged out-of-range value still gets a row (its limb fails the lookup)
        cols[HI][i] = F::from_canonical_u64((v >> LIMB_BITS) & mask);
        cols[MULT][i] = F::from_canonical_u64(m);
    }
    for i in 0..rows {
        let lo = cols[LO][i].to_canonical_u64() as usize;
        let hi = cols[HI][i].to_canonical_u64() as usize;
        freq[lo] += 1;
        freq[hi] += 1;
        cols[FIXED][i] = F::from_canonical_u64((i as u64).min(mask));
    }
    for (x, &f) in freq.iter().enumerate() {
        cols[FREQ][x] = F::from_canonical_u64(f);
    }
    cols
}
