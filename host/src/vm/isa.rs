//! The instruction set: opcodes, operands, and the two-word encoding each instruction has in a
//! program's ROM (and later in the proof's program table). `docs/isa.md` is the user-facing spec.

use std::fmt;

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, Field64, PrimeField64};

/// Number of architectural registers, `r0`..`r9`. `r9` is the frame pointer, also written `fp`.
pub const NUM_REGS: usize = 10;
/// Index of the frame pointer register.
pub const FP: u8 = 9;
/// Register field value meaning "no register": reads as 0 (absolute addressing in `mload`/`mstore`).
pub const NO_REG: u8 = 15;
/// Initial frame pointer. Addresses below it are free for program data; frames grow upward.
pub const FP_INIT: u64 = 1 << 30;
/// Memory addresses and all u32 operands must be below this bound.
pub const U32_LIMIT: u64 = 1 << 32;

/// Opcodes. The discriminant is the opcode number in the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Opcode {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Mov = 3,
    Eq = 4,
    Neq = 5,
    Lt = 6,
    Gte = 7,
    And = 8,
    Or = 9,
    Xor = 10,
    Not = 11,
    Range = 12,
    Assert = 13,
    Jmp = 14,
    Cjmp = 15,
    Call = 16,
    Ret = 17,
    Mload = 18,
    Mstore = 19,
    Sload = 20,
    Sstore = 21,
    Cdload = 22,
    Out = 23,
    Prophet = 24,
    End = 25,
    Poseidon = 26,
}

impl Opcode {
    pub const ALL: [Opcode; 27] = [
        Opcode::Add,
        Opcode::Sub,
        Opcode::Mul,
        Opcode::Mov,
        Opcode::Eq,
        Opcode::Neq,
        Opcode::Lt,
        Opcode::Gte,
        Opcode::And,
        Opcode::Or,
        Opcode::Xor,
        Opcode::Not,
        Opcode::Range,
        Opcode::Assert,
        Opcode::Jmp,
        Opcode::Cjmp,
        Opcode::Call,
        Opcode::Ret,
        Opcode::Mload,
        Opcode::Mstore,
        Opcode::Sload,
        Opcode::Sstore,
        Opcode::Cdload,
        Opcode::Out,
        Opcode::Prophet,
        Opcode::End,
        Opcode::Poseidon,
    ];

    pub fn mnemonic(self) -> &'static str {
        match self {
            Opcode::Add => "add",
            Opcode::Sub => "sub",
            Opcode::Mul => "mul",
            Opcode::Mov => "mov",
            Opcode::Eq => "eq",
            Opcode::Neq => "neq",
            Opcode::Lt => "lt",
            Opcode::Gte => "gte",
            Opcode::And => "and",
            Opcode::Or => "or",
            Opcode::Xor => "xor",
            Opcode::Not => "not",
            Opcode::Range => "range",
            Opcode::Assert => "assert",
            Opcode::Jmp => "jmp",
            Opcode::Cjmp => "cjmp",
            Opcode::Call => "call",
            Opcode::Ret => "ret",
            Opcode::Mload => "mload",
            Opcode::Mstore => "mstore",
            Opcode::Sload => "sload",
            Opcode::Sstore => "sstore",
            Opcode::Cdload => "cdload",
            Opcode::Out => "out",
            Opcode::Prophet => "prophet",
            Opcode::End => "end",
            Opcode::Poseidon => "poseidon",
        }
    }

    pub fn from_mnemonic(s: &str) -> Option<Opcode> {
        Opcode::ALL.iter().copied().find(|op| op.mnemonic() == s)
    }

    pub fn from_u8(n: u8) -> Option<Opcode> {
        Opcode::ALL.get(n as usize).copied()
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mnemonic())
    }
}

/// The `b` operand: a register or an immediate field element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Reg(u8),
    Imm(F),
}

/// One decoded instruction. Field use per opcode is listed in `docs/isa.md`:
/// `dst` is the written register (the stored register for `mstore`), `a` the first source
/// register (or base address register), `b` the second source (register or immediate), `aux` the
/// frame size of `call`, or the prophet id and second output register of `prophet`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub op: Opcode,
    pub dst: u8,
    pub a: u8,
    pub b: Operand,
    pub aux: u32,
}

impl Instruction {
    pub fn new(op: Opcode) -> Self {
        Instruction { op, dst: 0, a: 0, b: Operand::Imm(F::ZERO), aux: 0 }
    }

    /// Encodes the instruction as two field elements:
    /// `word0 = op | dst << 8 | a << 12 | b_reg << 16 | b_is_imm << 20 | aux << 32` and
    /// `word1 = imm` (0 when `b` is a register). `aux < 2^31`, so `word0 < p`.
    pub fn encode(&self) -> [F; 2] {
        let (b_reg, b_imm, imm) = match self.b {
            Operand::Reg(r) => (r as u64, 0u64, F::ZERO),
            Operand::Imm(v) => (0, 1, v),
        };
        let w0 = self.op as u64
            | (self.dst as u64) << 8
            | (self.a as u64) << 12
            | b_reg << 16
            | b_imm << 20
            | (self.aux as u64) << 32;
        [F::from_canonical_u64(w0), imm]
    }

    /// Inverse of [`Instruction::encode`]; `None` for words that no instruction encodes to.
    pub fn decode(words: [F; 2]) -> Option<Instruction> {
        let w0 = words[0].to_canonical_u64();
        let op = Opcode::from_u8((w0 & 0xff) as u8)?;
        let dst = ((w0 >> 8) & 0xf) as u8;
        let a = ((w0 >> 12) & 0xf) as u8;
        let b_reg = ((w0 >> 16) & 0xf) as u8;
        let b_is_imm = (w0 >> 20) & 0xf;
        let aux = w0 >> 32;
        if (w0 >> 21) & 0x7ff != 0 || b_is_imm > 1 || aux >= 1 << 31 {
            return None;
        }
        let b = if b_is_imm == 1 {
            Operand::Imm(words[1])
        } else {
            if words[1] != F::ZERO {
                return None;
            }
            Operand::Reg(b_reg)
        };
        let ins = Instruction { op, dst, a, b, aux: aux as u32 };
        (ins.encode() == words).then_some(ins)
    }
}

/// Formats a field element as a signed integer when it is closer to p than to 0 (e.g. `-1`).
pub fn fmt_felt(v: F) -> String {
    let x = v.to_canonical_u64();
    if x > F::ORDER - (1 << 32) {
        format!("-{}", F::ORDER - x)
    } else {
        x.to_string()
    }
}

pub fn reg_name(r: u8) -> String {
    match r {
        FP => "fp".to_string(),
        NO_REG => "_".to_string(),
        r => format!("r{r}"),
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Operand::Reg(r) => f.write_str(&reg_name(r)),
            Operand::Imm(v) => f.write_str(&fmt_felt(v)),
        }
    }
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Opcode::*;
        let (d, a, b) = (reg_name(self.dst), reg_name(self.a), self.b);
        let addr = || match (self.a, self.b) {
            (NO_REG, b) => format!("[{b}]"),
            (_, Operand::Imm(v)) if v == F::ZERO => format!("[{a}]"),
            (_, b) => format!("[{a} + {b}]"),
        };
        match self.op {
            Add | Sub | Mul | Eq | Neq | Lt | Gte | And | Or | Xor => {
                write!(f, "{} {d}, {a}, {b}", self.op)
            }
            Mov | Not | Sload | Cdload => write!(f, "{} {d}, {b}", self.op),
            Range => write!(f, "range {a}"),
            Assert | Sstore | Cjmp => write!(f, "{} {a}, {b}", self.op),
            Jmp | Out => write!(f, "{} {b}", self.op),
            Call => write!(f, "call {b}, {}", self.aux),
            Ret | End | Poseidon => write!(f, "{}", self.op),
            Mload => write!(f, "mload {d}, {}", addr()),
            Mstore => write!(f, "mstore {}, {d}", addr()),
            Prophet => match crate::vm::prophet::Prophet::from_aux(self.aux) {
                Some((p, d2)) => {
                    let mut s = format!("prophet {} {d}", p.name());
                    if p.outputs() == 2 {
                        s += &format!(", {}", reg_name(d2));
                    }
                    s += &format!(", {a}");
                    if p.inputs() == 2 {
                        s += &format!(", {b}");
                    }
                    f.write_str(&s)
                }
                None => write!(f, "prophet <invalid {}>", self.aux),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let ins = Instruction {
            op: Opcode::Call,
            dst: 3,
            a: NO_REG,
            b: Operand::Imm(F::NEG_ONE),
            aux: (1 << 31) - 1,
        };
        assert_eq!(Instruction::decode(ins.encode()), Some(ins));
        let ins = Instruction { op: Opcode::Add, dst: 1, a: 2, b: Operand::Reg(9), aux: 0 };
        assert_eq!(Instruction::decode(ins.encode()), Some(ins));
        // An unknown opcode and a register operand with a non-zero immediate are not instructions.
        assert_eq!(Instruction::decode([F::from_canonical_u64(200), F::ZERO]), None);
        assert_eq!(Instruction::decode([F::from_canonical_u64(0), F::ONE]), None);
    }

    #[test]
    fn mnemonics_round_trip() {
        for op in Opcode::ALL {
            assert_eq!(Opcode::from_mnemonic(op.mnemonic()), Some(op));
            assert_eq!(Opcode::from_u8(op as u8), Some(op));
        }
    }
}
