//! The public I/O tables: calldata, outputs and the storage-access log, each looked up by the
//! CPU (see `public.rs` for how the verifier binds their columns to its own data).
//!
//! Calldata (read any number of times, so the multiplicity is private):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `CD_IDX` | index |
//! | 1 | `CD_VAL` | word |
//! | 2 | `CD_REAL` | 1 on data rows, 0 on padding (the CPU looks up `(b, res, 1)`, so padding cannot be read) |
//! | 3 | `CD_MULT` | reads of the word (private) |
//!
//! Outputs (each produced exactly once, in order: the filter is public):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `OUT_IDX` | index, matched with the CPU's `OUTS` counter |
//! | 1 | `OUT_VAL` | word |
//! | 2 | `OUT_REAL` | 1 on data rows |
//!
//! Storage log (each access exactly once, in execution order):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `ST_IDX` | index, matched with the CPU's `SIDX` counter |
//! | 1 | `ST_KEY` | key |
//! | 2 | `ST_VAL` | value read or written |
//! | 3 | `ST_WRITE` | 1 for `sstore` |
//! | 4 | `ST_REAL` | 1 on data rows |

use plonky2::field::types::Field;

use super::public::{rows_for, table};
use super::F;

pub const CD_IDX: usize = 0;
pub const CD_VAL: usize = 1;
pub const CD_REAL: usize = 2;
pub const CD_MULT: usize = 3;
pub const CD_COLUMNS: usize = 4;
pub const CD_PUBLIC: usize = 3;

pub const OUT_IDX: usize = 0;
pub const OUT_VAL: usize = 1;
pub const OUT_REAL: usize = 2;
pub const OUT_COLUMNS: usize = 3;

pub const ST_IDX: usize = 0;
pub const ST_KEY: usize = 1;
pub const ST_VAL: usize = 2;
pub const ST_WRITE: usize = 3;
pub const ST_REAL: usize = 4;
pub const ST_COLUMNS: usize = 5;

/// One storage access as the public inputs commit to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageEntry {
    pub key: F,
    pub value: F,
    pub write: bool,
}

fn idx(i: usize) -> F {
    F::from_canonical_usize(i)
}

pub fn calldata_public(calldata: &[F]) -> Vec<Vec<F>> {
    let rows: Vec<_> = calldata.iter().enumerate().map(|(i, &v)| vec![idx(i), v, F::ONE]).collect();
    table(&rows, CD_PUBLIC, |i| vec![idx(i), F::ZERO, F::ZERO], rows_for(calldata.len()))
}

pub fn calldata_generate(calldata: &[F], reads: impl Iterator<Item = usize>) -> Vec<Vec<F>> {
    let mut cols = calldata_public(calldata);
    let mut mult = vec![F::ZERO; cols[0].len()];
    for i in reads {
        mult[i] += F::ONE;
    }
    cols.push(mult);
    cols
}

pub fn outputs_public(outputs: &[F]) -> Vec<Vec<F>> {
    let rows: Vec<_> = outputs.iter().enumerate().map(|(i, &v)| vec![idx(i), v, F::ONE]).collect();
    table(&rows, OUT_COLUMNS, |i| vec![idx(i), F::ZERO, F::ZERO], rows_for(outputs.len()))
}

pub fn storage_public(log: &[StorageEntry]) -> Vec<Vec<F>> {
    let rows: Vec<_> = log
        .iter()
        .enumerate()
        .map(|(i, e)| vec![idx(i), e.key, e.value, F::from_bool(e.write), F::ONE])
        .collect();
    table(&rows, ST_COLUMNS, |i| vec![idx(i), F::ZERO, F::ZERO, F::ZERO, F::ZERO], rows_for(log.len()))
}
