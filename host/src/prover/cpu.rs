//! The CPU table: one row per executed instruction, then copies of the final `end` row up to a
//! power of two. It constrains each opcode's result, the pc flow and every register's update;
//! what it cannot check alone it sends to other tables by cross-table lookup (`ctl.rs`): the
//! instruction at `pc` (ROM), memory accesses, range checks, bitwise results, calldata, outputs
//! and storage accesses.
//!
//! | columns | name | meaning |
//! | --- | --- | --- |
//! | 0 | `CLK` | step number (row index) |
//! | 1 | `PC` | pc of the instruction |
//! | 2 | `IMM` | the immediate (ROM word1; 0 when `b` is a register) |
//! | 3 | `AUX` | frame size `N` of `call`, else 0 (from the ROM) |
//! | 4 | `A_VAL` | value of operand `a` (0 for no register) |
//! | 5 | `B_VAL` | value of operand `b` (register or immediate) |
//! | 6 | `RES` | value written to `dst`; `mstore`: the stored value; `call`: old fp; `ret`: restored fp |
//! | 7 | `AUXV` | helper: `1/(a-b)` (`eq`/`neq`), the range-checked difference (`lt`/`gte`), the return pc (`call`/`ret`) |
//! | 8 | `OUTS` | number of `out` executed before this row |
//! | 9 | `SIDX` | number of storage accesses before this row |
//! | 10..20 | `REGS` | registers r0..r9 before the instruction |
//! | 20..46 | `OPS` | one-hot opcode selectors, in opcode order |
//! | 46..56 | `DST` | one-hot destination register |
//! | 56..66 | `SRC_A` | one-hot `a` register (all zero: no register) |
//! | 66..76 | `SRC_B` | one-hot `b` register (all zero: immediate); for `prophet`, the second output register |

use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, PrimeField64};

use super::expr::{impl_stark, Ops};
use super::F;
use crate::vm::isa::{Opcode, FP, NUM_REGS};
use crate::vm::{Program, Trace};

pub const CLK: usize = 0;
pub const PC: usize = 1;
pub const IMM: usize = 2;
pub const AUX: usize = 3;
pub const A_VAL: usize = 4;
pub const B_VAL: usize = 5;
pub const RES: usize = 6;
pub const AUXV: usize = 7;
pub const OUTS: usize = 8;
pub const SIDX: usize = 9;
pub const REGS: usize = 10;
pub const OPS: usize = REGS + NUM_REGS;
pub const DST: usize = OPS + NUM_OPS;
pub const SRC_A: usize = DST + NUM_REGS;
pub const SRC_B: usize = SRC_A + NUM_REGS;
pub const NUM_COLUMNS: usize = SRC_B + NUM_REGS;
pub const NUM_OPS: usize = 26;

/// Public inputs: the registers of the first row, then those of the last row (after `end`).
pub const PI_INIT_REGS: usize = 0;
pub const PI_FINAL_REGS: usize = NUM_REGS;
pub const NUM_PUBLIC_INPUTS: usize = 2 * NUM_REGS;

pub const fn op(o: Opcode) -> usize {
    OPS + o as usize
}

/// Opcodes whose result `RES` goes to `dst`.
pub const WRITES_DST: [Opcode; 15] = {
    use Opcode::*;
    [Add, Sub, Mul, Mov, Eq, Neq, Lt, Gte, And, Or, Xor, Not, Mload, Sload, Cdload]
};

#[derive(Clone, Copy, Debug, Default)]
pub struct CpuStark;

impl CpuStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], pis: &[T]) {
        use Opcode::*;
        let s = |x: Opcode| lv[op(x)];
        let (a, b, res, auxv) = (lv[A_VAL], lv[B_VAL], lv[RES], lv[AUXV]);

        // Every selector is a bit.
        for c in (OPS..OPS + NUM_OPS).chain(DST..NUM_COLUMNS) {
            let t = o.bit(lv[c]);
            o.always(t);
        }
        // Exactly one opcode and one destination register.
        for group in [OPS..OPS + NUM_OPS, DST..DST + NUM_REGS] {
            let cols: Vec<T> = group.map(|c| lv[c]).collect();
            let sum = o.sum(&cols);
            let one = o.one();
            let t = o.sub(sum, one);
            o.always(t);
        }
        // At most one `a` register and one `b` register.
        for group in [SRC_A..SRC_A + NUM_REGS, SRC_B..SRC_B + NUM_REGS] {
            let cols: Vec<T> = group.map(|c| lv[c]).collect();
            let sum = o.sum(&cols);
            let t = o.bit(sum);
            o.always(t);
        }

        // a = selected register (0 for none).
        let mut acc = Vec::new();
        for r in 0..NUM_REGS {
            acc.push(o.mul(lv[SRC_A + r], lv[REGS + r]));
        }
        let sel = o.sum(&acc);
        let t = o.sub(a, sel);
        o.always(t);
        // b = selected register, or the immediate when none is selected.
        let mut acc = Vec::new();
        for r in 0..NUM_REGS {
            acc.push(o.mul(lv[SRC_B + r], lv[REGS + r]));
        }
        let sel = o.sum(&acc);
        let bsel: Vec<T> = (0..NUM_REGS).map(|r| lv[SRC_B + r]).collect();
        let bany = o.sum(&bsel);
        let is_imm = o.not(bany);
        let imm = o.mul(is_imm, lv[IMM]);
        let bexp = o.add(sel, imm);
        let t = o.sub(b, bexp);
        // (prophet rows reuse SRC_B for the second output; b is unused there)
        let np = o.not(s(Prophet));
        let t = o.mul(np, t);
        o.always(t);
        // value of the dst register, for `mstore`
        let mut acc = Vec::new();
        for r in 0..NUM_REGS {
            acc.push(o.mul(lv[DST + r], lv[REGS + r]));
        }
        let dst_val = o.sum(&acc);

        // --- results ---
        // add: res = a + b
        let e = o.add(a, b);
        let e = o.sub(res, e);
        let t = o.mul(s(Add), e);
        o.always(t);
        // sub: res = a - b
        let e = o.sub(a, b);
        let e = o.sub(res, e);
        let t = o.mul(s(Sub), e);
        o.always(t);
        // mul: res = a * b
        let e = o.mul(a, b);
        let e = o.sub(res, e);
        let t = o.mul(s(Mul), e);
        o.always(t);
        // mov: res = b
        let e = o.sub(res, b);
        let t = o.mul(s(Mov), e);
        o.always(t);
        let x = o.sub(a, b);
        let xinv = o.mul(x, auxv);
        // eq: res = 1 - x * inv and x * res = 0 (x = a - b)
        let e = o.add(res, xinv);
        let one = o.one();
        let e = o.sub(e, one);
        let t = o.mul(s(Eq), e);
        o.always(t);
        let t = o.mul3(s(Eq), x, res);
        o.always(t);
        // neq: res = x * inv and x * (1 - res) = 0
        let e = o.sub(res, xinv);
        let t = o.mul(s(Neq), e);
        o.always(t);
        let nres = o.not(res);
        let t = o.mul3(s(Neq), x, nres);
        o.always(t);
        // lt/gte: res is a bit; auxv = (a < b) ? b - a - 1 : a - b, range-checked with a and b
        let cmp = o.add(s(Lt), s(Gte));
        let rb = o.bit(res);
        let t = o.mul(cmp, rb);
        o.always(t);
        let bma = o.sub(b, a);
        let bma1 = o.sub(bma, one);
        let amb = o.sub(a, b);
        for (sel, lt_flag) in [(s(Lt), res), (s(Gte), nres)] {
            let ge_flag = o.not(lt_flag);
            let p = o.mul(lt_flag, bma1);
            let q = o.mul(ge_flag, amb);
            let e = o.add(p, q);
            let e = o.sub(auxv, e);
            let t = o.mul(sel, e);
            o.always(t);
        }
        // not: res = 2^32 - 1 - b (b range-checked)
        let m = o.constant(F::from_canonical_u64(0xffff_ffff));
        let e = o.sub(m, b);
        let e = o.sub(res, e);
        let t = o.mul(s(Not), e);
        o.always(t);
        // assert: a = b
        let t = o.mul(s(Assert), x);
        o.always(t);
        // cjmp: a is a bit
        let ab = o.bit(a);
        let t = o.mul(s(Cjmp), ab);
        o.always(t);
        // mstore: res = value of dst
        let e = o.sub(res, dst_val);
        let t = o.mul(s(Mstore), e);
        o.always(t);
        // call: res = fp (saved at fp+N-2), auxv = pc + 1 (saved at fp+N-1)
        let fp = lv[REGS + FP as usize];
        let e = o.sub(res, fp);
        let t = o.mul(s(Call), e);
        o.always(t);
        let pc1 = o.add(lv[PC], one);
        let e = o.sub(auxv, pc1);
        let t = o.mul(s(Call), e);
        o.always(t);

        // --- pc flow ---
        let npc = nv[PC];
        // sequential ops: pc' = pc + 1
        let jumps = o.sum(&[s(Jmp), s(Cjmp), s(Call), s(Ret), s(End)]);
        let seq = o.not(jumps);
        let e = o.sub(npc, pc1);
        let t = o.mul(seq, e);
        o.transition(t);
        // jmp, call: pc' = b
        let e = o.sub(npc, b);
        let jc = o.add(s(Jmp), s(Call));
        let t = o.mul(jc, e);
        o.transition(t);
        // cjmp: pc' = a ? b : pc + 1
        let na = o.not(a);
        let taken = o.mul(a, b);
        let not_taken = o.mul(na, pc1);
        let e = o.sub(npc, taken);
        let e = o.sub(e, not_taken);
        let t = o.mul(s(Cjmp), e);
        o.transition(t);
        // ret: pc' = auxv (read from fp-1)
        let e = o.sub(npc, auxv);
        let t = o.mul(s(Ret), e);
        o.transition(t);
        // end: pc' = pc and the next row is `end` too (padding repeats it)
        let e = o.sub(npc, lv[PC]);
        let t = o.mul(s(End), e);
        o.transition(t);
        let ne = o.not(nv[op(End)]);
        let t = o.mul(s(End), ne);
        o.transition(t);
        // The last row is `end`.
        let t = o.not(s(End));
        o.last_row(t);

        // --- registers ---
        let wsel: Vec<T> = WRITES_DST.iter().map(|&x| s(x)).collect();
        let writes = o.sum(&wsel);
        let call_ret = o.add(s(Call), s(Ret));
        for r in 0..NUM_REGS {
            let (cur, next) = (lv[REGS + r], nv[REGS + r]);
            let wr = o.mul(writes, lv[DST + r]);
            // written: r' = res
            let e = o.sub(next, res);
            let t = o.mul(wr, e);
            o.transition(t);
            // untouched registers keep their value (prophet outputs are free)
            let pout = o.add(lv[DST + r], lv[SRC_B + r]);
            let pw = o.mul(s(Prophet), pout);
            let mut changed = o.add(wr, pw);
            if r == FP as usize {
                changed = o.add(changed, call_ret);
            }
            let keep = o.not(changed);
            let e = o.sub(next, cur);
            let t = o.mul(keep, e);
            o.transition(t);
        }
        // call: fp' = fp + N; ret: fp' = res (read from fp-2)
        let nfp = nv[REGS + FP as usize];
        let e = o.add(fp, lv[AUX]);
        let e = o.sub(nfp, e);
        let t = o.mul(s(Call), e);
        o.transition(t);
        let e = o.sub(nfp, res);
        let t = o.mul(s(Ret), e);
        o.transition(t);

        // --- counters ---
        // clk' = clk + 1, clk starts at 0
        let e = o.sub(nv[CLK], lv[CLK]);
        let e = o.sub(e, one);
        o.transition(e);
        o.first_row(lv[CLK]);
        // pc starts at 0
        o.first_row(lv[PC]);
        // outs' = outs + [out]; sidx' = sidx + [sload or sstore]; both start at 0
        let e = o.sub(nv[OUTS], lv[OUTS]);
        let e = o.sub(e, s(Out));
        o.transition(e);
        o.first_row(lv[OUTS]);
        let st = o.add(s(Sload), s(Sstore));
        let e = o.sub(nv[SIDX], lv[SIDX]);
        let e = o.sub(e, st);
        o.transition(e);
        o.first_row(lv[SIDX]);
        // registers: initial and final values are public
        for r in 0..NUM_REGS {
            let t = o.sub(lv[REGS + r], pis[PI_INIT_REGS + r]);
            o.first_row(t);
            let t = o.sub(lv[REGS + r], pis[PI_FINAL_REGS + r]);
            o.last_row(t);
        }
        // aux is 0 unless call (the ROM binds it; this keeps padding honest too)
        let nc = o.not(s(Call));
        let t = o.mul(nc, lv[AUX]);
        o.always(t);
    }
}

impl_stark!(CpuStark, NUM_COLUMNS, NUM_PUBLIC_INPUTS);

/// Builds the CPU trace from an execution trace, padded to `rows` (a power of two >= steps).
pub fn generate(program: &Program, trace: &Trace, rows: usize) -> Vec<PolynomialValues<F>> {
    use Opcode::*;
    let all: Vec<_> = trace.rows().collect();
    let n = all.len();
    assert!(n > 0 && rows >= n && rows.is_power_of_two());
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    let (mut outs, mut sidx) = (0u64, 0u64);
    for i in 0..rows {
        let row = &all[i.min(n - 1)];
        let ins = program.instructions[row.pc as usize];
        let next_regs = if i + 1 < n { all[i + 1].regs } else { trace.final_regs };
        let next_pc = if i + 1 < n { all[i + 1].pc } else { row.pc };
        let regs = if i < n { row.regs } else { trace.final_regs };
        let fields = super::rom::fields(&ins);
        let set = |cols: &mut Vec<Vec<F>>, c: usize, v: F| cols[c][i] = v;
        set(&mut cols, CLK, F::from_canonical_usize(i));
        set(&mut cols, PC, F::from_canonical_u32(row.pc));
        set(&mut cols, IMM, fields.imm);
        set(&mut cols, AUX, F::from_canonical_u64(fields.aux));
        set(&mut cols, OUTS, F::from_canonical_u64(outs));
        set(&mut cols, SIDX, F::from_canonical_u64(sidx));
        for r in 0..NUM_REGS {
            set(&mut cols, REGS + r, regs[r]);
        }
        set(&mut cols, op(ins.op), F::ONE);
        set(&mut cols, DST + fields.dst as usize, F::ONE);
        if (fields.a as usize) < NUM_REGS {
            set(&mut cols, SRC_A + fields.a as usize, F::ONE);
        }
        if (fields.b as usize) < NUM_REGS {
            set(&mut cols, SRC_B + fields.b as usize, F::ONE);
        }
        let a = if (ins.a as usize) < NUM_REGS { regs[ins.a as usize] } else { F::ZERO };
        let b = match ins.b {
            _ if ins.op == Prophet => {
                // b is unused on prophet rows; keep the column equal to what the selectors give
                if (fields.b as usize) < NUM_REGS { regs[fields.b as usize] } else { fields.imm }
            }
            crate::vm::Operand::Reg(r) => regs[r as usize],
            crate::vm::Operand::Imm(v) => v,
        };
        set(&mut cols, A_VAL, a);
        set(&mut cols, B_VAL, b);
        let d = ins.dst as usize;
        let (mut res, mut auxv) = (F::ZERO, F::ZERO);
        if WRITES_DST.contains(&ins.op) {
            res = next_regs[d];
        }
        match ins.op {
            Eq | Neq => auxv = (a - b).try_inverse().unwrap_or(F::ZERO),
            Lt | Gte => {
                let is_lt = a.to_canonical_u64() < b.to_canonical_u64();
                auxv = if is_lt { b - a - F::ONE } else { a - b };
            }
            Mstore => res = regs[d],
            Call => {
                res = regs[FP as usize];
                auxv = F::from_canonical_u32(row.pc + 1);
            }
            Ret => {
                res = next_regs[FP as usize];
                auxv = F::from_canonical_u32(next_pc);
            }
            _ => {}
        }
        set(&mut cols, RES, res);
        set(&mut cols, AUXV, auxv);
        if i < n {
            if ins.op == Out {
                outs += 1;
            }
            if matches!(ins.op, Sload | Sstore) {
                sidx += 1;
            }
        }
    }
    cols.into_iter().map(PolynomialValues::new).collect()
}
