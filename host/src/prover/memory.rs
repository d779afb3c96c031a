//! The memory table: every memory access, sorted by address then timestamp
//! (`ts = 2 * step + slot`; `call`/`ret` use slots 0 and 1). Linked to the CPU's accesses by
//! cross-table lookup (a multiset equality over `(addr, ts, value, write)`).
//!
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `ADDR` | address |
//! | 1 | `TS` | timestamp |
//! | 2 | `VAL` | value read or written |
//! | 3 | `WRITE` | 1 for a write (padding rows: 1) |
//! | 4 | `REAL` | 1 on access rows, 0 on padding (which comes last) |
//! | 5 | `CHANGE` | 1 if the next row has another address |
//! | 6 | `DIFF` | `CHANGE ? addr' - addr - 1 : ts' - ts - 1`, range-checked below 2^32 |
//! | 7 | `NEXT_REAL` | `REAL` of the next row (0 on the last row): the range check's filter |
//!
//! Why it is sound: the range check of `DIFF` makes addresses strictly increase where `CHANGE = 1`
//! and timestamps strictly increase where it is 0 (and the address stays), so each address's
//! accesses are one run in time order. (Addresses grow by at most 2^32 a row, so with fewer than
//! 2^31 rows they never wrap around p.) Each run starts with a write (first row; after a change)
//! and a read repeats the value before it.

use plonky2::field::types::Field;

use super::expr::{impl_stark, Ops};
use super::F;
use crate::vm::trace::MemAccess;

pub const ADDR: usize = 0;
pub const TS: usize = 1;
pub const VAL: usize = 2;
pub const WRITE: usize = 3;
pub const REAL: usize = 4;
pub const CHANGE: usize = 5;
pub const DIFF: usize = 6;
pub const NEXT_REAL: usize = 7;
pub const NUM_COLUMNS: usize = 8;

#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryStark;

impl MemoryStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], _pis: &[T]) {
        // REAL, WRITE, CHANGE are bits
        for c in [REAL, WRITE, CHANGE] {
            let t = o.bit(lv[c]);
            o.always(t);
        }
        // padding stays padding: REAL' <= REAL
        let nr = o.not(lv[REAL]);
        let t = o.mul(nr, nv[REAL]);
        o.transition(t);
        // NEXT_REAL = REAL' (0 on the last row)
        let t = o.sub(lv[NEXT_REAL], nv[REAL]);
        o.transition(t);
        o.last_row(lv[NEXT_REAL]);
        // the first access is a write
        let t = o.not(lv[WRITE]);
        o.first_row(t);
        // same address unless CHANGE
        let same = o.not(lv[CHANGE]);
        let da = o.sub(nv[ADDR], lv[ADDR]);
        let t = o.mul(same, da);
        o.transition(t);
        // a new address starts with a write
        let nw = o.not(nv[WRITE]);
        let t = o.mul(lv[CHANGE], nw);
        o.transition(t);
        // a read returns the value before it
        let dv = o.sub(nv[VAL], lv[VAL]);
        let t = o.mul3(same, nw, dv);
        o.transition(t);
        // DIFF = CHANGE ? addr' - addr - 1 : ts' - ts - 1
        let one = o.one();
        let da1 = o.sub(da, one);
        let dt = o.sub(nv[TS], lv[TS]);
        let dt1 = o.sub(dt, one);
        let p = o.mul(lv[CHANGE], da1);
        let q = o.mul(same, dt1);
        let e = o.add(p, q);
        let t = o.sub(lv[DIFF], e);
        o.transition(t);
    }
}

impl_stark!(MemoryStark, NUM_COLUMNS, 0);

/// The sorted memory trace over `rows` rows, and the `DIFF` values that need a range check.
pub fn generate(accesses: &[MemAccess], rows: usize) -> (Vec<Vec<F>>, Vec<F>) {
    let mut acc: Vec<(u64, u64, F, bool)> = Vec::with_capacity(accesses.len());
    let mut last_step = u32::MAX;
    let mut slot = 0;
    for m in accesses {
        slot = if m.step == last_step { slot + 1 } else { 0 };
        last_step = m.step;
        acc.push((m.addr as u64, 2 * m.step as u64 + slot, m.value, m.write));
    }
    acc.sort_by_key(|&(a, t, _, _)| (a, t));
    let n = acc.len();
    assert!(rows >= n.max(1));
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    let mut checks = Vec::with_capacity(n);
    let (mut addr, mut ts) = (0u64, 0u64);
    for i in 0..rows {
        if i < n {
            let (a, t, v, w) = acc[i];
            (addr, ts) = (a, t);
            cols[VAL][i] = v;
            cols[WRITE][i] = F::from_bool(w);
            cols[REAL][i] = F::ONE;
        } else {
            // padding: same address, one tick later, writes
            ts += 1;
            cols[WRITE][i] = F::ONE;
        }
        cols[ADDR][i] = F::from_canonical_u64(addr);
        cols[TS][i] = F::from_canonical_u64(ts);
    }
    for i in 0..rows - 1 {
        let (a, a2) = (cols[ADDR][i], cols[ADDR][i + 1]);
        let change = a != a2;
        cols[CHANGE][i] = F::from_bool(change);
        cols[DIFF][i] =
            if change { a2 - a - F::ONE } else { cols[TS][i + 1] - cols[TS][i] - F::ONE };
        cols[NEXT_REAL][i] = cols[REAL][i + 1];
        if i + 1 < n {
            checks.push(cols[DIFF][i]);
        }
    }
    (cols, checks)
}
