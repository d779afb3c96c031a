//! The cross-table lookups that link the tables. Each is a multiset equality: the rows a table
//! sends (columns combined under a filter) equal the rows the looked-up table holds, counted by
//! its filter (a multiplicity, or a public 0/1 column).

use plonky2::field::types::Field;
use starky::cross_table_lookup::{CrossTableLookup, TableWithColumns};
use starky::lookup::{Column, Filter};

use super::tables::*;
use super::{bitwise, cpu, io, memory, poseidon, range, rom, state, F};
use crate::vm::isa::{Opcode, FP, NO_REG, NUM_REGS};

fn f(x: i64) -> F {
    F::from_noncanonical_i64(x)
}

/// Filter: the sum of some CPU opcode selectors.
fn cpu_ops(ops: &[Opcode]) -> Filter<F> {
    Filter::new_simple(Column::linear_combination(ops.iter().map(|&o| (cpu::op(o), F::ONE))))
}

fn col(c: usize) -> Column<F> {
    Column::single(c)
}

fn konst(x: i64) -> Column<F> {
    Column::constant(f(x))
}

/// `op + 32 dst + 512 a + 8192 b` from the CPU's one-hot selectors (15 for no register).
fn cpu_code() -> Column<F> {
    let mut terms = Vec::new();
    for k in 0..cpu::NUM_OPS {
        terms.push((cpu::OPS + k, f(k as i64)));
    }
    let none = NO_REG as i64;
    for r in 0..NUM_REGS {
        terms.push((cpu::DST + r, f(rom::CODE_DST as i64 * r as i64)));
        terms.push((cpu::SRC_A + r, f(rom::CODE_A as i64 * (r as i64 - none))));
        terms.push((cpu::SRC_B + r, f(rom::CODE_B as i64 * (r as i64 - none))));
    }
    Column::linear_combination_with_constant(terms, f((rom::CODE_A + rom::CODE_B) as i64 * none))
}

fn reg(r: u8) -> usize {
    cpu::REGS + r as usize
}

pub fn all_ctls() -> Vec<CrossTableLookup<F>> {
    use Opcode::*;
    let every_row = Filter::default;
    let mut ctls = Vec::new();

    // The instruction at pc.
    ctls.push(CrossTableLookup::new(
        vec![TableWithColumns::new(
            CPU,
            vec![col(cpu::CONTRACT), col(cpu::PC), cpu_code(), col(cpu::IMM), col(cpu::AUX)],
            every_row(),
        )],
        TableWithColumns::new(
            ROM,
            Column::singles([rom::CONTRACT, rom::PC, rom::CODE, rom::IMM, rom::AUX]).collect(),
            Filter::new_simple(col(rom::MULT)),
        ),
    ));

    // Each transaction's last row (terminal, followed by a start; the last table row wraps to
    // row 0, a start): (tx, contract, failed).
    ctls.push(CrossTableLookup::new(
        vec![TableWithColumns::new(
            CPU,
            vec![col(cpu::TX), col(cpu::CONTRACT), col(cpu::FAIL)],
            Filter::new(
                vec![(
                    Column::linear_combination([(cpu::op(End), F::ONE), (cpu::FAIL, F::ONE)]),
                    Column::single_next_row(cpu::START),
                )],
                vec![],
            ),
        )],
        TableWithColumns::new(
            TXS,
            Column::singles([io::TX_IDX, io::TX_CONTRACT, io::TX_FAIL]).collect(),
            Filter::new_simple(col(io::TX_REAL)),
        ),
    ));

    // cdload: res = calldata of this transaction at b
    ctls.push(CrossTableLookup::new(
        vec![TableWithColumns::new(
            CPU,
            vec![col(cpu::TX), col(cpu::B_VAL), col(cpu::RES), konst(1)],
            cpu_ops(&[Cdload]),
        )],
        TableWithColumns::new(
            CALLDATA,
            Column::singles([io::CD_TX, io::CD_IDX, io::CD_VAL, io::CD_REAL]).collect(),
            Filter::new_simple(col(io::CD_MULT)),
        ),
    ));

    // out b: the OUTS-th output is b
    ctls.push(CrossTableLookup::new(
        vec![TableWithColumns::new(CPU, vec![col(cpu::OUTS), col(cpu::TX), col(cpu::B_VAL)], cpu_ops(&[Out]))],
        TableWithColumns::new(
            OUTPUT,
            Column::singles([io::OUT_IDX, io::OUT_TX, io::OUT_VAL]).collect(),
            Filter::new_simple(col(io::OUT_REAL)),
        ),
    ));

    // sload d, b: entry SIDX is (b, res, read); sstore a, b: entry SIDX is (a, b, write)
    ctls.push(CrossTableLookup::new(
        vec![
            TableWithColumns::new(
                CPU,
                vec![col(cpu::SIDX), col(cpu::TX), col(cpu::CONTRACT), col(cpu::B_VAL), col(cpu::RES), konst(0)],
                cpu_ops(&[Sload]),
            ),
            TableWithColumns::new(
                CPU,
                vec![col(cpu::SIDX), col(cpu::TX), col(cpu::CONTRACT), col(cpu::A_VAL), col(cpu::B_VAL), konst(1)],
                cpu_ops(&[Sstore]),
            ),
        ],
        TableWithColumns::new(
            STORAGE,
            Column::singles([io::ST_IDX, io::ST_TX, io::ST_ADDR, io::ST_KEY, io::ST_VAL, io::ST_WRITE]).collect(),
            Filter::new_simple(col(io::ST_REAL)),
        ),
    ));

    // Memory accesses (tx, addr, ts, value, write).
    let two_clk = |slot: i64| Column::linear_combination_with_constant([(cpu::CLK, f(2))], f(slot));
    let fp_plus_aux = |k: i64| {
        Column::linear_combination_with_constant([(reg(FP), F::ONE), (cpu::AUX, F::ONE)], f(k))
    };
    ctls.push(CrossTableLookup::new(
        vec![
            // mload/mstore at a + b
            TableWithColumns::new(
                CPU,
                vec![
                    col(cpu::TX),
                    Column::linear_combination([(cpu::A_VAL, F::ONE), (cpu::B_VAL, F::ONE)]),
                    two_clk(0),
                    col(cpu::RES),
                    col(cpu::op(Mstore)),
                ],
                cpu_ops(&[Mload, Mstore]),
            ),
            // call writes, ret reads, the saved fp at fp + N - 2 (N = 0 for ret) ...
            TableWithColumns::new(
                CPU,
                vec![col(cpu::TX), fp_plus_aux(-2), two_clk(0), col(cpu::RES), col(cpu::op(Call))],
                cpu_ops(&[Call, Ret]),
            ),
            // ... and the return pc at fp + N - 1
            TableWithColumns::new(
                CPU,
                vec![col(cpu::TX), fp_plus_aux(-1), two_clk(1), col(cpu::AUXV), col(cpu::op(Call))],
                cpu_ops(&[Call, Ret]),
            ),
        ],
        TableWithColumns::new(
            MEMORY,
            Column::singles([memory::TX, memory::ADDR, memory::TS, memory::VAL, memory::WRITE]).collect(),
            Filter::new_simple(col(memory::REAL)),
        ),
    ));

    // Range checks below 2^32.
    ctls.push(CrossTableLookup::new(
        vec![
            TableWithColumns::new(CPU, vec![col(cpu::A_VAL)], cpu_ops(&[Lt, Gte, Range])),
            TableWithColumns::new(CPU, vec![col(cpu::B_VAL)], cpu_ops(&[Lt, Gte, Not])),
            TableWithColumns::new(CPU, vec![col(cpu::AUXV)], cpu_ops(&[Lt, Gte])),
            TableWithColumns::new(MEMORY, vec![col(memory::DIFF)], Filter::new_simple(col(memory::NEXT_REAL))),
            // every accessed address is below 2^32
            TableWithColumns::new(MEMORY, vec![col(memory::ADDR)], Filter::new_simple(col(memory::REAL))),
        ],
        TableWithColumns::new(RANGE, vec![col(range::VAL)], Filter::new_simple(col(range::MULT))),
    ));

    // and/or/xor: (op, a, b, res)
    let pow2 = |base: usize| Column::linear_combination((0..32).map(|i| (base + i, F::from_canonical_u64(1 << i))));
    ctls.push(CrossTableLookup::new(
        vec![TableWithColumns::new(
            CPU,
            vec![
                Column::linear_combination([
                    (cpu::op(And), f(And as i64)),
                    (cpu::op(Or), f(Or as i64)),
                    (cpu::op(Xor), f(Xor as i64)),
                ]),
                col(cpu::A_VAL),
                col(cpu::B_VAL),
                col(cpu::RES),
            ],
            cpu_ops(&[And, Or, Xor]),
        )],
        TableWithColumns::new(
            BITWISE,
            vec![
                Column::linear_combination([
                    (bitwise::S_AND, f(And as i64)),
                    (bitwise::S_OR, f(Or as i64)),
                    (bitwise::S_XOR, f(Xor as i64)),
                ]),
                pow2(bitwise::A_BITS),
                pow2(bitwise::B_BITS),
                col(bitwise::RES),
            ],
            Filter::new_simple(Column::linear_combination([
                (bitwise::S_AND, F::ONE),
                (bitwise::S_OR, F::ONE),
                (bitwise::S_XOR, F::ONE),
            ])),
        ),
    ));

    // poseidon: r0..r3 after the row = the permutation of [r0..r7, 0, 0, 0, 0], first 4 words
    let mut looking: Vec<Column<F>> = (0..8).map(|r| col(reg(r))).collect();
    looking.extend((8..12).map(|_| konst(0)));
    looking.extend((0..poseidon::DIGEST as u8).map(|r| Column::single_next_row(reg(r))));
    // the state table's key hashes `[ADDR, KEY, 0.. | 1, 0, 0, 0]`; its old and new sides' node
    // and leaf hashes `[L, R | 0..]`; and a delete's opened last sibling `[NL, NR | 0..] -> S`
    let mut key_hash: Vec<Column<F>> = vec![col(state::ADDR), col(state::KEY)];
    key_hash.extend((2..12).map(|i| konst(i64::from(i == 8))));
    key_hash.extend((0..4).map(|i| col(state::KH + i)));
    let pair = |l: usize, out: usize| -> Vec<Column<F>> {
        let mut v: Vec<Column<F>> = (0..8).map(|i| col(l + i)).collect();
        v.extend((8..12).map(|_| konst(0)));
        v.extend((0..4).map(|i| col(out + i)));
        v
    };
    let lin = |terms: &[(usize, i64)]| Filter::new_simple(Column::linear_combination(terms.iter().map(|&(c, k)| (c, f(k)))));
    let old_side = lin(&[(state::PATH, 1), (state::O_OFF, -1), (state::T_SAME, 1), (state::T_OTHER, 1)]);
    let new_side = lin(&[(state::PATH, 1), (state::N_OFF, -1), (state::N_LEAF, 1)]);
    let opening = lin(&[(state::N_EMPTY, 1), (state::N_MOVED, 1)]);
    ctls.push(CrossTableLookup::new(
        vec![
            TableWithColumns::new(CPU, looking, cpu_ops(&[Poseidon])),
            TableWithColumns::new(STATE, key_hash, Filter::new_simple(col(state::HEAD))),
            TableWithColumns::new(STATE, pair(state::OL, state::OH), old_side),
            TableWithColumns::new(STATE, pair(state::NL, state::NH), new_side),
            TableWithColumns::new(STATE, pair(state::NL, state::S), opening),
        ],
        TableWithColumns::new(
            POSEIDON,
            Column::singles((poseidon::IN..poseidon::IN + 12).chain(poseidon::OUT..poseidon::OUT + poseidon::DIGEST)).collect(),
            Filter::new_simple(col(poseidon::MULT)),
        ),
    ));

    // every slot of the public list is updated once: (address, key, pre-state value, new value)
    ctls.push(CrossTableLookup::new(
        vec![TableWithColumns::new(SLOTS, Column::singles(0..4).collect(), Filter::new_simple(col(4)))],
        TableWithColumns::new(
            STATE,
            Column::singles([state::ADDR, state::KEY, state::OLD, state::NEW]).collect(),
            Filter::new_simple(col(state::HEAD)),
        ),
    ));
    ctls
}
