//! The ROM table: one row per instruction of the program, public (the verifier decodes the
//! program itself), looked up by every CPU row as `(pc, code, imm, aux)`.
//!
//! | column | name | meaning |
//! | --- | --- | --- |
//! | 0 | `PC` | row index (`pc`) |
//! | 1 | `CODE` | `op + 32 dst + 512 a + 8192 b` (below 2^17); padding rows: `p - 1` |
//! | 2 | `IMM` | the immediate (0 when `b` is a register) |
//! | 3 | `AUX` | frame size of `call`, else 0 |
//! | 4 | `MULT` | how many CPU rows executed it (private; the lookup's filter) |
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

pub const PC: usize = 0;
pub const CODE: usize = 1;
pub const IMM: usize = 2;
pub const AUX: usize = 3;
pub const MULT: usize = 4;
pub const NUM_COLUMNS: usize = 5;
pub const NUM_PUBLIC: usize = 4;

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

/// The public columns (`PC`, `CODE`, `IMM`, `AUX`) over `rows` rows.
pub fn public_columns(program: &[Instruction], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<Vec<F>> = program
        .iter()
        .enumerate()
        .map(|(pc, ins)| {
            let f = fields(ins);
            vec![F::from_canonical_usize(pc), code(&f), f.imm, F::from_canonical_u64(f.aux)]
        })
        .collect();
    super::public::table(&data, NUM_PUBLIC, |i| vec![F::from_canonical_usize(i), F::NEG_ONE, F::ZERO, F::ZERO], rows)
}

/// The full ROM trace: public columns plus the execution count of each pc.
pub fn generate(program: &[Instruction], pcs: impl Iterator<Item = u32>, rows: usize) -> Vec<Vec<F>> {
    let mut cols = public_columns(program, rows);
    let mut mult = vec![F::ZERO; rows];
    for pc in pcs {
        mult[pc as usize] += F::ONE;
    }
    cols.push(mult);
    cols
}
