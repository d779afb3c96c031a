//! The bitwise table: one row per `and`/`or`/`xor`, with both operands decomposed into 32 bits
//! (which also proves them below 2^32) and the result recomputed from the bits. The CPU looks up
//! `(op, a, b, res)` here.
//!
//! | columns | name | meaning |
//! | --- | --- | --- |
//! | 0, 1, 2 | `S_AND`, `S_OR`, `S_XOR` | one-hot operation (all 0 on padding) |
//! | 3 | `RES` | result |
//! | 4..36 | `A_BITS` | bits of `a`, least significant first |
//! | 36..68 | `B_BITS` | bits of `b` |

use plonky2::field::types::{Field, PrimeField64};

use super::expr::{impl_stark, Ops};
use super::F;
use crate::vm::Opcode;

pub const S_AND: usize = 0;
pub const S_OR: usize = 1;
pub const S_XOR: usize = 2;
pub const RES: usize = 3;
pub const A_BITS: usize = 4;
pub const B_BITS: usize = A_BITS + 32;
pub const NUM_COLUMNS: usize = B_BITS + 32;

#[derive(Clone, Copy, Debug, Default)]
pub struct BitwiseStark;

impl BitwiseStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], _nv: &[T], _pis: &[T]) {
        // selectors and bits are bits; at most one operation
        for c in (S_AND..=S_XOR).chain(A_BITS..NUM_COLUMNS) {
            let t = o.bit(lv[c]);
            o.always(t);
        }
        let ops = o.sum(&[lv[S_AND], lv[S_OR], lv[S_XOR]]);
        let t = o.bit(ops);
        o.always(t);
        // res = (or + xor)(a + b) + (and - or - 2 xor) * sum 2^i a_i b_i
        let pow = |i: usize| F::from_canonical_u64(1 << i);
        let a = o.lin(&(0..32).map(|i| (lv[A_BITS + i], pow(i))).collect::<Vec<_>>());
        let b = o.lin(&(0..32).map(|i| (lv[B_BITS + i], pow(i))).collect::<Vec<_>>());
        let mut terms = Vec::with_capacity(32);
        for i in 0..32 {
            let ab = o.mul(lv[A_BITS + i], lv[B_BITS + i]);
            terms.push((ab, pow(i)));
        }
        let ab = o.lin(&terms);
        let s1 = o.add(lv[S_OR], lv[S_XOR]);
        let apb = o.add(a, b);
        let p = o.mul(s1, apb);
        let two = o.int(2);
        let x2 = o.mul(two, lv[S_XOR]);
        let s2 = o.sub(lv[S_AND], lv[S_OR]);
        let s2 = o.sub(s2, x2);
        let q = o.mul(s2, ab);
        let e = o.add(p, q);
        let t = o.sub(lv[RES], e);
        o.always(t);
    }
}

impl_stark!(BitwiseStark, NUM_COLUMNS, 0);

/// One row per `(op, a, b, res)`; `rows` is a power of two at least the count.
pub fn generate(ops: &[(Opcode, F, F, F)], rows: usize) -> Vec<Vec<F>> {
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    for (i, &(op, a, b, res)) in ops.iter().enumerate() {
        let sel = match op {
            Opcode::And => S_AND,
            Opcode::Or => S_OR,
            _ => S_XOR,
        };
        cols[sel][i] = F::ONE;
        cols[RES][i] = res;
        let (a, b) = (a.to_canonical_u64(), b.to_canonical_u64());
        for k in 0..32 {
            cols[A_BITS + k][i] = F::from_canonical_u64((a >> k) & 1);
            cols[B_BITS + k][i] = F::from_canonical_u64((b >> k) & 1);
        }
    }
    cols
}
