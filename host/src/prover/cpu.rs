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
//! | 20..47 | `OPS` | one-hot opcode selectors, in opcode order |
//! | 47..57 | `DST` | one-hot destination register |
//! | 57..67 | `SRC_A` | one-hot `a` register (all zero: no register) |
//! | 67..77 | `SRC_B` | one-hot `b` register (all zero: immediate); for `prophet`, the second output register |
//! | 77 | `TX` | transaction index (0 for a single program) |
//! | 78 | `CONTRACT` | address of the transaction's contract (the ROM key; 0 for a single program) |
//! | 79 | `START` | 1 on a transaction's first row |
//! | 80 | `FAIL` | 1 on a failing `assert` (`a != b`, `AUXV = 1/(a-b)`): the transaction's last row |
//!
//! Segments: the rows of transaction 0, then 1, ... A transaction's last row is *terminal*
//! (`end`, or an `assert` with `FAIL`); the next row either starts the next transaction
//! (`START`: `TX` + 1, pc 0, registers reset to the initial ones) or repeats the terminal row
//! (padding). The transaction table is looked up once per transaction, on its last row.

use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, PrimeField64};

use super::expr::{impl_stark, Ops};
use super::F;
use crate::vm::isa::{Instruction, Opcode, FP, NUM_REGS};
use crate::vm::Trace;

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
pub const TX: usize = SRC_B + NUM_REGS;
pub const CONTRACT: usize = TX + 1;
pub const START: usize = TX + 2;
pub const FAIL: usize = TX + 3;
pub const NUM_COLUMNS: usize = TX + 4;
pub const NUM_OPS: usize = 27;

/// Public inputs: the registers every transaction starts with, those of the last row (after
/// `end`), and a flag: 1 if the final registers are checked.
pub const PI_INIT_REGS: usize = 0;
pub const PI_FINAL_REGS: usize = NUM_REGS;
pub const PI_CHECK_FINAL: usize = 2 * NUM_REGS;
pub const NUM_PUBLIC_INPUTS: usize = 2 * NUM_REGS + 1;

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
        for c in (OPS..OPS + NUM_OPS).chain(DST..SRC_B + NUM_REGS).chain([START, FAIL]) {
            let t = o.bit(lv[c]);
            o.always(t);
        }
        // Exactly one opcode and one destination register.
        let ops = o.sum(&lv[OPS..OPS + NUM_OPS]);
        let one = o.one();
        let t = o.sub(ops, one);
        o.always(t);
        let dsts = o.sum(&lv[DST..DST + NUM_REGS]);
        let t = o.sub(dsts, one);
        o.always(t);
        // At most one `a` register and one `b` register.
        let aany = o.sum(&lv[SRC_A..SRC_A + NUM_REGS]);
        let t = o.bit(aany);
        o.always(t);
        let bany = o.sum(&lv[SRC_B..SRC_B + NUM_REGS]);
        let t = o.bit(bany);
        o.always(t);

        // a = selected register (0 for none).
        let sel = o.dot(&lv[SRC_A..SRC_A + NUM_REGS], &lv[REGS..REGS + NUM_REGS]);
        let t = o.sub(a, sel);
        o.always(t);
        // b = selected register, or the immediate when none is selected.
        let sel = o.dot(&lv[SRC_B..SRC_B + NUM_REGS], &lv[REGS..REGS + NUM_REGS]);
        let is_imm = o.not(bany);
        let imm = o.mul(is_imm, lv[IMM]);
        let bexp = o.add(sel, imm);
        let t = o.sub(b, bexp);
        // (prophet rows reuse SRC_B for the second output; b is unused there)
        let np = o.not(s(Prophet));
        let t = o.mul(np, t);
        o.always(t);
        // value of the dst register, for `mstore`
        let dst_val = o.dot(&lv[DST..DST + NUM_REGS], &lv[REGS..REGS + NUM_REGS]);

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
        // assert: a = b, unless FAIL: then a != b (AUXV = 1/(a - b)) and the transaction ends here
        let fail = lv[FAIL];
        let nfail = o.not(fail);
        let t = o.mul3(s(Assert), nfail, x);
        o.always(t);
        let e = o.sub(xinv, one);
        let t = o.mul(fail, e);
        o.always(t);
        let na = o.not(s(Assert));
        let t = o.mul(fail, na);
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
        let jumps = o.sum(&[s(Jmp), s(Cjmp), s(Call), s(Ret), s(End), fail]);
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
        // A terminal row (end, or a failing assert) is followed by the next transaction's start
        // or by a copy of itself (pc' = pc, terminal again); only a terminal row precedes a start.
        let term = o.add(s(End), fail);
        let nterm = o.add(nv[op(End)], nv[FAIL]);
        let nstart = nv[START];
        let stay = o.not(nstart);
        let e = o.sub(npc, lv[PC]);
        let t = o.mul3(term, stay, e);
        o.transition(t);
        let e = o.not(nterm);
        let t = o.mul3(term, stay, e);
        o.transition(t);
        let e = o.not(term);
        let t = o.mul(nstart, e);
        o.transition(t);
        // The last row is terminal.
        let t = o.not(term);
        o.last_row(t);
        // A transaction starts at pc 0; the first row starts transaction 0; TX counts starts;
        // the contract stays within a transaction (the transaction table binds it at the end).
        let t = o.mul(lv[START], lv[PC]);
        o.always(t);
        let t = o.not(lv[START]);
        o.first_row(t);
        o.first_row(lv[TX]);
        let e = o.sub(nv[TX], lv[TX]);
        let e = o.sub(e, nstart);
        o.transition(e);
        let e = o.sub(nv[CONTRACT], lv[CONTRACT]);
        let t = o.mul(stay, e);
        o.transition(t);

        // --- registers ---
        let wsel: [T; WRITES_DST.len()] = core::array::from_fn(|k| s(WRITES_DST[k]));
        let writes = o.sum(&wsel);
        let call_ret = o.add(s(Call), s(Ret));
        for r in 0..NUM_REGS {
            let (cur, next) = (lv[REGS + r], nv[REGS + r]);
            let wr = o.mul(writes, lv[DST + r]);
            // written: r' = res
            let e = o.sub(next, res);
            let t = o.mul(wr, e);
            o.transition(t);
            // untouched registers keep their value (prophet outputs are free; `poseidon`'s
            // digest in r0..r3 is bound by the lookup into the Poseidon table)
            let pout = o.add(lv[DST + r], lv[SRC_B + r]);
            let pw = o.mul(s(Prophet), pout);
            let mut changed = o.add(wr, pw);
            if r < super::poseidon::DIGEST {
                changed = o.add(changed, s(Poseidon));
            }
            if r == FP as usize {
                changed = o.add(changed, call_ret);
            }
            // (a start follows a terminal row, which changes no register)
            let changed = o.add(changed, nstart);
            let keep = o.not(changed);
            let e = o.sub(next, cur);
            let t = o.mul(keep, e);
            o.transition(t);
            // a transaction starts from the initial registers
            let e = o.sub(next, pis[PI_INIT_REGS + r]);
            let t = o.mul(nstart, e);
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
            let e = o.sub(lv[REGS + r], pis[PI_FINAL_REGS + r]);
            let t = o.mul(pis[PI_CHECK_FINAL], e);
            o.last_row(t);
        }
        // aux is 0 unless call (the ROM binds it; this keeps padding honest too)
        let nc = o.not(s(Call));
        let t = o.mul(nc, lv[AUX]);
        o.always(t);
    }
}

impl_stark!(CpuStark, NUM_COLUMNS, NUM_PUBLIC_INPUTS);

/// One transaction's execution, as the CPU table lays it out.
#[derive(Clone, Copy)]
pub struct Segment<'a> {
    pub program: &'a [Instruction],
    pub contract: F,
    pub trace: &'a Trace,
    /// The last row is a failing `assert`.
    pub failed: bool,
}

/// Builds the CPU trace from the transactions' execution traces, one after another, padded to
/// `rows` (a power of two >= all steps) by repeating the last row.
pub fn generate(segments: &[Segment], rows: usize) -> Vec<PolynomialValues<F>> {
    use Opcode::*;
    let total: usize = segments.iter().map(|s| s.trace.len()).sum();
    assert!(total > 0 && rows >= total && rows.is_power_of_two());
    let mut cols = vec![vec![F::ZERO; rows]; NUM_COLUMNS];
    let (mut outs, mut sidx) = (0u64, 0u64);
    let mut i = 0;
    let nseg = segments.len();
    for (t, seg) in segments.iter().enumerate() {
        let all: Vec<_> = seg.trace.rows().collect();
        let n = all.len();
        assert!(n > 0);
        // the last segment's last row repeats to the end of the table
        let span = if t + 1 == nseg { rows - i } else { n };
        for k in 0..span {
            let row = &all[k.min(n - 1)];
            let ins = seg.program[row.pc as usize];
            let last = k + 1 >= n;
            // a terminal row (end, failing assert) changes no register
            let next_regs = if last { row.regs } else { all[k + 1].regs };
            let next_pc = if last { row.pc } else { all[k + 1].pc };
            let regs = row.regs;
            let fields = super::rom::fields(&ins);
            let c = &mut cols;
            c[CLK][i] = F::from_canonical_usize(i);
            c[PC][i] = F::from_canonical_u32(row.pc);
            c[IMM][i] = fields.imm;
            c[AUX][i] = F::from_canonical_u64(fields.aux);
            c[OUTS][i] = F::from_canonical_u64(outs);
            c[SIDX][i] = F::from_canonical_u64(sidx);
            c[TX][i] = F::from_canonical_usize(t);
            c[CONTRACT][i] = seg.contract;
            c[START][i] = F::from_bool(k == 0);
            c[FAIL][i] = F::from_bool(seg.failed && last);
            for r in 0..NUM_REGS {
                c[REGS + r][i] = regs[r];
            }
            c[op(ins.op)][i] = F::ONE;
            c[DST + fields.dst as usize][i] = F::ONE;
            if (fields.a as usize) < NUM_REGS {
                c[SRC_A + fields.a as usize][i] = F::ONE;
            }
            if (fields.b as usize) < NUM_REGS {
                c[SRC_B + fields.b as usize][i] = F::ONE;
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
            c[A_VAL][i] = a;
            c[B_VAL][i] = b;
            let d = ins.dst as usize;
            let (mut res, mut auxv) = (F::ZERO, F::ZERO);
            if WRITES_DST.contains(&ins.op) {
                res = next_regs[d];
            }
            match ins.op {
                Eq | Neq => auxv = (a - b).try_inverse().unwrap_or(F::ZERO),
                Assert if seg.failed && last => auxv = (a - b).try_inverse().unwrap_or(F::ZERO),
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
            c[RES][i] = res;
            c[AUXV][i] = auxv;
            if k < n {
                if ins.op == Out {
                    outs += 1;
                }
                if matches!(ins.op, Sload | Sstore) {
                    sidx += 1;
                }
            }
            i += 1;
        }
    }
    cols.into_iter().map(PolynomialValues::new).collect()
}
