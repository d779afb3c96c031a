//! The ROM table: one row per instruction of every contract (a single program is contract 0),
//! public (the verifier decodes the programs itself), looked up by every CPU row as
//! `(contract, pc, code, imm, aux)`.
//!
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `CONTRACT` | the contract's address |
//! | 1 | `PC` | the instruction's pc in its contract |
//! | 2 | `CODE` | `op + 32 dst + 512 a + 8192 b` (below 2^17); padding rows: `p - 1` |
//! | 3 | `IMM` | the immediate (0 when `b` is a register) |
//! | 4 | `AUX` | frame size of `call`, else 0 |
//! | 5 | `MULT` | how many CPU rows executed it (private; the lookup's filter) |
//!
//! Register fields use 15 for "none": `a` of an absolute address, `b` of an immediate. For
//! `prophet`, the `b` field holds the second output register (15 for one-output prophets): the
//! prophet's inputs do not matter to the proof, its outputs' registers do. A padding row's code
//! `p - 1` is no linear combination of one-hot CPU selectors (those stay below 2^17), so the CPU
//! cannot execute padding. Decoding the program on the verifier's side, rather than proving the
//! decoding of `word0`, leaves no room for a second reading of an instruction word.

use plonky2::field::types::Field;

use crate::vm::isa::{Instruction, Opcode, Operand, NO_REG};
use crate::vm::prophet::Prophet;

use super::F;

pub const CONTRACT: usize = 0;
pub const PC: usize = 1;
pub const CODE: usize = 2;
pub const IMM: usize = 3;
pub const AUX: usize = 4;
pub const MULT: usize = 5;
pub const NUM_COLUMNS: usize = 6;
pub const NUM_PUBLIC: usize = 5;

/// Multipliers of the fields in `CODE`.
pub const CODE_DST: u64 = 32;
pub const CODE_A: u64 = 512;
pub const CODE_B: u64 = 8192;

/// An instruction's fields as the proof sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    pub op: u8,
    pub dst: u8,
    pub a: u8,
    pub b: u8,
    pub imm: F,
    pub aux: u64,
}

pub fn fields(ins: &Instruction) -> Fields {
    let (b, imm) = match ins.b {
        Operand::Reg(r) => (r, F::ZERO),
        Operand::Imm(v) => (NO_REG, v),
    };
    let b = if ins.op == Opcode::Prophet {
        match Prophet::from_aux(ins.aux) {
            Some((p, d2)) if p.outputs() == 2 => d2,
            _ => NO_REG,
        }
    } else {
        b
    };
    let aux = if ins.op == Opcode::Call { ins.aux as u64 } else { 0 };
    Fields { op: ins.op as u8, dst: ins.dst, a: ins.a, b, imm, aux }
}

pub fn code(f: &Fields) -> F {
    F::from_canonical_u64(f.op as u64 + CODE_DST * f.dst as u64 + CODE_A * f.a as u64 + CODE_B * f.b as u64)
}

/// Number of ROM entries of the contracts.
pub fn len(roms: &[(F, Vec<Instruction>)]) -> usize {
    roms.iter().map(|(_, p)| p.len()).sum()
}

/// The public columns (`CONTRACT`, `PC`, `CODE`, `IMM`, `AUX`) over `rows` rows: the contracts'
/// code one after another.
pub fn public_columns(roms: &[(F, Vec<Instruction>)], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<Vec<F>> = roms
        .iter()
        .flat_map(|(contract, program)| {
            program.iter().enumerate().map(move |(pc, ins)| {
                let f = fields(ins);
                vec![*contract, F::from_canonical_usize(pc), code(&f), f.imm, F::from_canonical_u64(f.aux)]
            })
        })
        .collect();
    super::public::table(&data, NUM_PUBLIC, |i| vec![F::ZERO, F::from_canonical_usize(i), F::NEG_ONE, F::ZERO, F::ZERO], rows)
}

/// The full ROM trace: public columns plus the execution count of each row (`rows_executed`
/// gives the ROM row of every CPU row).
pub fn generate(roms: &[(F, Vec<Instruction>)], rows_executed: impl Iterator<Item = usize>, rows: usize) -> Vec<Vec<F>> {
    let mut cols = public_columns(roms, rows);
    let mut mult = vec![F::ZERO; rows];
    for r in rows_executed {
        mult[r] += F::ONE;
    }
    cols.push(mult);
    cols
}
