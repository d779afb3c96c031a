//! The public I/O tables: transactions, calldata, outputs and the storage-access log, each looked
//! up by the CPU (see `public.rs` for how the verifier binds their columns to its own data). A
//! single program's proof is one transaction (index 0) of contract 0.
//!
//! Transactions (each looked up exactly once, by its last CPU row):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `TX_IDX` | transaction index |
//! | 1 | `TX_CONTRACT` | the called contract's address |
//! | 2 | `TX_FAIL` | 1 if it fails (its last row is a failing `assert`) |
//! | 3 | `TX_REAL` | 1 on data rows |
//!
//! Calldata (read any number of times, so the multiplicity is private):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `CD_TX` | transaction index |
//! | 1 | `CD_IDX` | index in the transaction's calldata |
//! | 2 | `CD_VAL` | word |
//! | 3 | `CD_REAL` | 1 on data rows, 0 on padding (the CPU looks up `(tx, b, res, 1)`, so padding cannot be read) |
//! | 4 | `CD_MULT` | reads of the word (private) |
//!
//! Outputs (each produced exactly once, in order: the filter is public):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `OUT_IDX` | index in the block, matched with the CPU's `OUTS` counter |
//! | 1 | `OUT_TX` | transaction that emitted it |
//! | 2 | `OUT_VAL` | word |
//! | 3 | `OUT_REAL` | 1 on data rows |
//!
//! Storage log (each access exactly once, in execution order):
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `ST_IDX` | index, matched with the CPU's `SIDX` counter |
//! | 1 | `ST_TX` | transaction |
//! | 2 | `ST_ADDR` | contract address (0 for a single program) |
//! | 3 | `ST_KEY` | key |
//! | 4 | `ST_VAL` | value read or written |
//! | 5 | `ST_WRITE` | 1 for `sstore` |
//! | 6 | `ST_REAL` | 1 on data rows |

use plonky2::field::types::Field;

use super::public::table;
use super::statement::{LogEntry, TxInfo};
use super::F;

pub const TX_IDX: usize = 0;
pub const TX_CONTRACT: usize = 1;
pub const TX_FAIL: usize = 2;
pub const TX_REAL: usize = 3;
pub const TX_COLUMNS: usize = 4;

pub const CD_TX: usize = 0;
pub const CD_IDX: usize = 1;
pub const CD_VAL: usize = 2;
pub const CD_REAL: usize = 3;
pub const CD_MULT: usize = 4;
pub const CD_COLUMNS: usize = 5;
pub const CD_PUBLIC: usize = 4;

pub const OUT_IDX: usize = 0;
pub const OUT_TX: usize = 1;
pub const OUT_VAL: usize = 2;
pub const OUT_REAL: usize = 3;
pub const OUT_COLUMNS: usize = 4;

pub const ST_IDX: usize = 0;
pub const ST_TX: usize = 1;
pub const ST_ADDR: usize = 2;
pub const ST_KEY: usize = 3;
pub const ST_VAL: usize = 4;
pub const ST_WRITE: usize = 5;
pub const ST_REAL: usize = 6;
pub const ST_COLUMNS: usize = 7;

/// One storage access of a single program's claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageEntry {
    pub key: F,
    pub value: F,
    pub write: bool,
}

fn idx(i: usize) -> F {
    F::from_canonical_usize(i)
}

// Each `*_public` function lays its data out over `rows` rows (at least `rows_for` of its length;
// more when a prover pads the table to a block capacity).

pub fn txs_public(txs: &[TxInfo], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<_> = txs.iter().enumerate().map(|(i, t)| vec![idx(i), t.contract, F::from_bool(t.failed), F::ONE]).collect();
    table(&data, TX_COLUMNS, |i| vec![idx(i), F::ZERO, F::ZERO, F::ZERO], rows)
}

fn calldata_rows(txs: &[TxInfo]) -> Vec<Vec<F>> {
    txs.iter()
        .enumerate()
        .flat_map(|(t, tx)| tx.calldata.iter().enumerate().map(move |(i, &v)| vec![idx(t), idx(i), v, F::ONE]))
        .collect()
}

/// Calldata words of all transactions.
pub fn calldata_len(txs: &[TxInfo]) -> usize {
    txs.iter().map(|t| t.calldata.len()).sum()
}

pub fn calldata_public(txs: &[TxInfo], rows: usize) -> Vec<Vec<F>> {
    table(&calldata_rows(txs), CD_PUBLIC, |i| vec![F::ZERO, idx(i), F::ZERO, F::ZERO], rows)
}

/// The calldata trace; `reads` are `(tx, index)` of every `cdload`.
pub fn calldata_generate(txs: &[TxInfo], reads: impl Iterator<Item = (usize, usize)>, rows: usize) -> Vec<Vec<F>> {
    let mut cols = calldata_public(txs, rows);
    let mut base = Vec::with_capacity(txs.len());
    let mut acc = 0;
    for t in txs {
        base.push(acc);
        acc += t.calldata.len();
    }
    let mut mult = vec![F::ZERO; cols[0].len()];
    for (t, i) in reads {
        mult[base[t] + i] += F::ONE;
    }
    cols.push(mult);
    cols
}

pub fn outputs_public(outputs: &[(u32, F)], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<_> =
        outputs.iter().enumerate().map(|(i, &(t, v))| vec![idx(i), F::from_canonical_u32(t), v, F::ONE]).collect();
    table(&data, OUT_COLUMNS, |i| vec![idx(i), F::ZERO, F::ZERO, F::ZERO], rows)
}

pub fn storage_public(log: &[LogEntry], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<_> = log
        .iter()
        .enumerate()
        .map(|(i, e)| vec![idx(i), F::from_canonical_u32(e.tx), e.address, e.key, e.value, F::from_bool(e.write), F::ONE])
        .collect();
    table(&data, ST_COLUMNS, |i| vec![idx(i), F::ZERO, F::ZERO, F::ZERO, F::ZERO, F::ZERO, F::ZERO], rows)
}
