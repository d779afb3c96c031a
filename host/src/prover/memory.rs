//! The memory table: every memory access, sorted by transaction, address, then timestamp
//! (`ts = 2 * clk + slot`, `clk` the CPU row; `call`/`ret` use slots 0 and 1). Each transaction has
//! its own memory: the transaction index is part of the key. Linked to the CPU's accesses by
//! cross-table lookup (a multiset equality over `(tx, addr, ts, value, write)`).
//!
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `TX` | transaction |
//! | 1 | `ADDR` | address, range-checked below 2^32 on access rows |
//! | 2 | `TS` | timestamp |
//! | 3 | `VAL` | value read or written |
//! | 4 | `WRITE` | 1 for a write (padding rows: 1) |
//! | 5 | `REAL` | 1 on access rows, 0 on padding (which comes last) |
//! | 6 | `CHANGE` | 1 if the next row has another `(tx, addr)` |
//! | 7 | `NEW_TX` | 1 if the next row has another transaction (implies `CHANGE`) |
//! | 8 | `DIFF` | `NEW_TX ? tx' - tx - 1 : CHANGE ? addr' - addr - 1 : ts' - ts - 1`, range-checked below 2^32 |
//! | 9 | `NEXT_REAL` | `REAL` of the next row (0 on the last row): the range check's filter |
//!
//! Why it is sound: the range check of `DIFF` makes transactions increase where `NEW_TX = 1`,
//! addresses strictly increase within a transaction where `CHANGE = 1`, and timestamps strictly
//! increase where `CHANGE = 0` (and the key stays), so each `(tx, addr)`'s accesses are one run
//! in time order. Each run starts with a write (first row; after a change) and a read repeats the
//! value before it. Every access's address is below 2^32, as the VM requires (`AddressOutOfRange`).

use plonky2::field::types::Field;

use super::expr::{impl_stark, Ops};
use super::F;

pub const TX: usize = 0;
pub const ADDR: usize = 1;
pub const TS: usize = 2;
pub const VAL: usize = 3;
pub const WRITE: usize = 4;
pub const REAL: usize = 5;
pub const CHANGE: usize = 6;
pub const NEW_TX: usize = 7;
pub const DIFF: usize = 8;
pub const NEXT_REAL: usize = 9;
pub const NUM_COLUMNS: usize = 10;

/// One memory access: transaction, address, timestamp, value, write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub tx: u32,
    pub addr: u64,
    pub ts: u64,
    pub value: F,
    pub write: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryStark;

impl MemoryStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], _pis: &[T]) {
        for c in [REAL, WRITE, CHANGE, NEW_TX] {
            let t = o.bit(lv[c]);
            o.always(t);
        }
        // NEW_TX implies CHANGE
        let nc = o.not(lv[CHANGE]);
        let t = o.mul(lv[NEW_TX], nc);
        o.always(t);
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
        // same transaction unless NEW_TX; same address unless CHANGE
        let same_tx = o.not(lv[NEW_TX]);
        let dtx = o.sub(nv[TX], lv[TX]);
        let t = o.mul(same_tx, dtx);
        o.transition(t);
        let same = nc;
        let da = o.sub(nv[ADDR], lv[ADDR]);
        let t = o.mul(same, da);
        o.transition(t);
        // a new key starts with a write
        let nw = o.not(nv[WRITE]);
        let t = o.mul(lv[CHANGE], nw);
        o.transition(t);
        // a read returns the value before it
        let dv = o.sub(nv[VAL], lv[VAL]);
        let t = o.mul3(same, nw, dv);
        o.transition(t);
        // DIFF
        let one = o.one();
        let dtx1 = o.sub(dtx, one);
        let da1 = o.sub(da, one);
        let dt = o.sub(nv[TS], lv[TS]);
        let dt1 = o.sub(dt, one);
        let addr_change = o.sub(lv[CHANGE], lv[NEW_TX]);
        let p = o.mul(lv[NEW_TX], dtx1);
        let q = o.mul(addr_change, da1);
        let r = o.mul(same, dt1);
        let e = o.sum(&[p, q, r]);
        let t = o.sub(lv[DIFF], e);
        o.transition(t);
    }
}

impl_stark!(MemoryStark, NUM_COLUMNS, 0);

/// The sorted memory trace over `rows` rows, and the `DIFF` values that need a range check.
pub fn generate(mut acc: Vec<Access>, rows: usize) -> (Vec<Vec<F>>, Vec<F>) {
    acc.sort_unstable_by_key(|a| (a.tx, a.addr, a.ts));
    let n = acc.len();
    assert!(rows >= n.max(1));
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    let mut checks = Vec::with_capacity(n);
    let (mut tx, mut addr, mut ts) = (0u32, 0u64, 0u64);
    for i in 0..rows {
        if i < n {
            let a = acc[i];
            (tx, addr, ts) = (a.tx, a.addr, a.ts);
            cols[VAL][i] = a.value;
            cols[WRITE][i] = F::from_bool(a.write);
            cols[REAL][i] = F::ONE;
        } else {
            // padding: same key, one tick later, writes
            ts += 1;
            cols[WRITE][i] = F::ONE;
        }
        cols[TX][i] = F::from_canonical_u32(tx);
        cols[ADDR][i] = F::from_canonical_u64(addr);
        cols[TS][i] = F::from_canonical_u64(ts);
    }
    for i in 0..rows - 1 {
        let new_tx = cols[TX][i] != cols[TX][i + 1];
        let change = new_tx || cols[ADDR][i] != cols[ADDR][i + 1];
        cols[CHANGE][i] = F::from_bool(change);
        cols[NEW_TX][i] = F::from_bool(new_tx);
        let c = if new_tx { TX } else if change { ADDR } else { TS };
        cols[DIFF][i] = cols[c][i + 1] - cols[c][i] - F::ONE;
        cols[NEXT_REAL][i] = cols[REAL][i + 1];
        if i + 1 < n {
            checks.push(cols[DIFF][i]);
        }
    }
    (cols, checks)
}
