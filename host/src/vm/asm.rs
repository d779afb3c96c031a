//! The assembler: `.asm` text to a [`Program`]. Syntax (full reference in `docs/isa.md`):
//!
//! ```text
//! ; comments start with `;`, `#` or `//`
//! loop:                     ; a label names the next instruction's pc
//!     add r1, r1, -1        ; decimal, negative (p - x) and 0x hex immediates
//!     mload r2, [fp - 2]    ; addresses: [reg], [reg + imm], [reg - imm], [imm]
//!     prophet divmod r3, r4, r1, r2
//!     cjmp r5, loop         ; labels are immediates
//! ```
//! Errors carry file, line and column.

use std::collections::BTreeMap;
use std::fmt;

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, Field64};

use super::isa::{Instruction, Opcode, Operand, FP, NO_REG, NUM_REGS};
use super::program::Program;
use super::prophet::Prophet as ProphetKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.msg)
    }
}

impl std::error::Error for AsmError {}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Num(F),
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    col: usize,
}

/// Assembles `source`; `file` names it in error messages.
pub fn assemble(file: &str, source: &str) -> Result<Program, AsmError> {
    let err = |line: usize, col: usize, msg: String| AsmError { file: file.to_string(), line, col, msg };

    // Pass 1: tokenise, strip labels, count instructions.
    let mut labels = BTreeMap::new();
    let mut stmts: Vec<(usize, Vec<Token>)> = Vec::new();
    for (i, text) in source.lines().enumerate() {
        let line = i + 1;
        let mut toks = lex(text).map_err(|(col, msg)| err(line, col, msg))?;
        while let [Token { tok: Tok::Word(name), col }, Token { tok: Tok::Punct(':'), .. }, ..] = toks.as_slice() {
            if !is_ident(name) || parse_reg(name).is_some() || Opcode::from_mnemonic(name).is_some() {
                return Err(err(line, *col, format!("`{name}` cannot be a label name")));
            }
            if labels.insert(name.clone(), stmts.len() as u32).is_some() {
                return Err(err(line, *col, format!("label `{name}` is defined twice")));
            }
            toks.drain(..2);
        }
        if !toks.is_empty() {
            stmts.push((line, toks));
        }
    }

    // Pass 2: parse each statement with labels known.
    let mut instructions = Vec::with_capacity(stmts.len());
    let mut lines = Vec::with_capacity(stmts.len());
    for (line, toks) in &stmts {
        let mut p = Parser { toks, pos: 0, labels: &labels, end_col: line_end(toks) };
        let ins = p.instruction().map_err(|(col, msg)| err(*line, col, msg))?;
        instructions.push(ins);
        lines.push(*line as u32);
    }
    if instructions.is_empty() {
        return Err(err(1, 1, "the program has no instructions".to_string()));
    }
    Ok(Program { name: file.to_string(), instructions, lines, labels })
}

fn line_end(toks: &[Token]) -> usize {
    toks.last().map_or(1, |t| t.col + 1)
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_' || ch == '.')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
}

fn lex(text: &str) -> Result<Vec<Token>, (usize, String)> {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == ';' || c == '#' || (c == '/' && bytes.get(i + 1) == Some(&'/')) {
            break;
        } else if ",[]+-:".contains(c) {
            out.push(Token { tok: Tok::Punct(c), col });
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == '_' || bytes[i] == '.') {
                i += 1;
            }
            let word: String = bytes[start..i].iter().collect();
            let tok = if c.is_ascii_digit() { Tok::Num(parse_number(&word).map_err(|m| (col, m))?) } else { Tok::Word(word) };
            out.push(Token { tok, col });
        } else {
            return Err((col, format!("unexpected character `{c}`")));
        }
    }
    Ok(out)
}

/// Parses a word as written in `--input` and immediates: decimal, `0x` hex, or `-` either (p - x).
pub fn parse_word(text: &str) -> Result<F, String> {
    let t = text.trim();
    match t.strip_prefix('-') {
        Some(rest) => parse_number(rest).map(|v| -v),
        None => parse_number(t),
    }
}

fn parse_number(word: &str) -> Result<F, String> {
    let lower = word.to_ascii_lowercase();
    let parsed = match lower.strip_prefix("0x") {
        Some(hex) => u128::from_str_radix(&hex.replace('_', ""), 16),
        None => lower.replace('_', "").parse::<u128>(),
    };
    match parsed {
        Ok(v) if v < F::ORDER as u128 => Ok(F::from_canonical_u64(v as u64)),
        Ok(_) => Err(format!("immediate `{word}` is not below the field order p = 2^64 - 2^32 + 1")),
        Err(_) => Err(format!("`{word}` is not a number")),
    }
}

/// `r0`..`r9` or `fp` to a register index.
pub fn parse_reg(word: &str) -> Option<u8> {
    let w = word.to_ascii_lowercase();
    if w == "fp" {
        return Some(FP);
    }
    let n: u8 = w.strip_prefix('r')?.parse().ok()?;
    (w.len() <= 3 && (n as usize) < NUM_REGS).then_some(n)
}

type PResult<T> = Result<T, (usize, String)>;

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    labels: &'a BTreeMap<String, u32>,
    end_col: usize,
}

impl Parser<'_> {
    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.col)
    }

    fn next(&mut self) -> Option<&Token> {
        let t = self.toks.get(self.pos);
        self.pos += 1;
        t
    }

    fn peek_punct(&self, c: char) -> bool {
        matches!(self.toks.get(self.pos), Some(Token { tok: Tok::Punct(p), .. }) if *p == c)
    }

    fn expect_punct(&mut self, c: char) -> PResult<()> {
        let col = self.col();
        match self.next() {
            Some(Token { tok: Tok::Punct(p), .. }) if *p == c => Ok(()),
            _ => Err((col, format!("expected `{c}`"))),
        }
    }

    fn comma(&mut self) -> PResult<()> {
        self.expect_punct(',')
    }

    fn word(&mut self, what: &str) -> PResult<(String, usize)> {
        let col = self.col();
        match self.next() {
            Some(Token { tok: Tok::Word(w), col }) => Ok((w.clone(), *col)),
            _ => Err((col, format!("expected {what}"))),
        }
    }

    fn reg(&mut self) -> PResult<u8> {
        let (w, col) = self.word("a register (r0..r9 or fp)")?;
        parse_reg(&w).ok_or((col, format!("`{w}` is not a register (r0..r9 or fp)")))
    }

    /// An immediate: a number, `-number`, or a label.
    fn imm(&mut self) -> PResult<F> {
        let col = self.col();
        let neg = self.peek_punct('-');
        if neg {
            self.pos += 1;
        }
        let labels = self.labels;
        match self.next() {
            Some(Token { tok: Tok::Num(v), .. }) => Ok(if neg { -*v } else { *v }),
            Some(Token { tok: Tok::Word(w), col }) if !neg => match labels.get(w) {
                Some(&pc) => Ok(F::from_canonical_u32(pc)),
                None if parse_reg(w).is_some() => Err((*col, format!("expected an immediate, got register `{w}`"))),
                None => Err((*col, format!("label `{w}` not found"))),
            },
            _ => Err((col, "expected an immediate or a label".to_string())),
        }
    }

    /// A register or an immediate.
    fn operand(&mut self) -> PResult<Operand> {
        if let Some(Token { tok: Tok::Word(w), .. }) = self.toks.get(self.pos) {
            if let Some(r) = parse_reg(w) {
                self.pos += 1;
                return Ok(Operand::Reg(r));
            }
        }
        Ok(Operand::Imm(self.imm()?))
    }

    /// `[reg]`, `[reg + imm]`, `[reg - imm]` or `[imm]`, as (base register, offset).
    fn address(&mut self) -> PResult<(u8, Operand)> {
        self.expect_punct('[')?;
        let base = match self.toks.get(self.pos) {
            Some(Token { tok: Tok::Word(w), .. }) if parse_reg(w).is_some() => Some(self.reg()?),
            _ => None,
        };
        let offset = match base {
            None => self.imm()?,
            Some(_) if self.peek_punct('+') => {
                self.pos += 1;
                self.imm()?
            }
            Some(_) if self.peek_punct('-') => self.imm()?,
            Some(_) => F::ZERO,
        };
        self.expect_punct(']')?;
        Ok((base.unwrap_or(NO_REG), Operand::Imm(offset)))
    }

    fn instruction(&mut self) -> PResult<Instruction> {
        use Opcode::*;
        let (m, col) = self.word("a mnemonic")?;
        let op = Opcode::from_mnemonic(&m.to_ascii_lowercase()).ok_or((col, format!("unknown mnemonic `{m}`")))?;
        let mut ins = Instruction::new(op);
        match op {
            Add | Sub | Mul | Eq | Neq | Lt | Gte | And | Or | Xor => {
                ins.dst = self.reg()?;
                self.comma()?;
                ins.a = self.reg()?;
                self.comma()?;
                ins.b = self.operand()?;
            }
            Mov | Not | Sload | Cdload => {
                ins.dst = self.reg()?;
                self.comma()?;
                ins.b = self.operand()?;
            }
            Range => ins.a = self.reg()?,
            Assert | Sstore | Cjmp => {
                ins.a = self.reg()?;
                self.comma()?;
                ins.b = self.operand()?;
            }
            Jmp | Out => ins.b = self.operand()?,
            Call => {
                ins.b = self.operand()?;
                self.comma()?;
                let col = self.col();
                let frame = self.imm()?.0;
                if !(2..1 << 31).contains(&frame) {
                    return Err((col, format!("call frame size must be in 2..2^31, got {frame}")));
                }
                ins.aux = frame as u32;
            }
            Ret | End | Poseidon => {}
            Mload => {
                ins.dst = self.reg()?;
                self.comma()?;
                (ins.a, ins.b) = self.address()?;
            }
            Mstore => {
                (ins.a, ins.b) = self.address()?;
                self.comma()?;
                ins.dst = self.reg()?;
            }
            Prophet => {
                let (name, col) = self.word("a prophet name")?;
                let p = ProphetKind::from_name(&name).ok_or_else(|| {
                    let known: Vec<_> = ProphetKind::ALL.iter().map(|p| p.name()).collect();
                    (col, format!("unknown prophet `{name}` (known: {})", known.join(", ")))
                })?;
                ins.dst = self.reg()?;
                let mut dst2 = 0;
                if p.outputs() == 2 {
                    self.comma()?;
                    dst2 = self.reg()?;
                }
                self.comma()?;
                ins.a = self.reg()?;
                ins.b = Operand::Reg(0);
                if p.inputs() == 2 {
                    self.comma()?;
                    ins.b = Operand::Reg(self.reg()?);
                }
                ins.aux = p.to_aux(dst2);
            }
        }
        if self.pos < self.toks.len() {
            return Err((self.col(), format!("unexpected extra operand after `{m}`")));
        }
        Ok(ins)
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Instruction {
        assemble("t.asm", &format!("{src}\nend")).unwrap().instructions[0]
    }

    fn fails(src: &str) -> AsmError {
        assemble("t.asm", src).unwrap_err()
    }

    #[test]
    fn operands_and_immediates() {
        let i = one("add r1, r2, -1");
        assert_eq!((i.op, i.dst, i.a, i.b), (Opcode::Add, 1, 2, Operand::Imm(F::NEG_ONE)));
        assert_eq!(one("mov fp, 0x10").b, Operand::Imm(F::from_canonical_u64(16)));
        assert_eq!(one("mov r0, r9").b, Operand::Reg(9));
        let i = one("mload r3, [fp - 2]");
        assert_eq!((i.dst, i.a, i.b), (3, FP, Operand::Imm(-F::TWO)));
        let i = one("mstore [100], r4");
        assert_eq!((i.dst, i.a, i.b), (4, NO_REG, Operand::Imm(F::from_canonical_u64(100))));
        let i = one("prophet divmod r3, r4, r1, r2");
        assert_eq!((i.dst, i.a, i.b, i.aux), (3, 1, Operand::Reg(2), ProphetKind::Divmod.to_aux(4)));
        assert_eq!(one("MOV R1, 18446744069414584320").b, Operand::Imm(F::NEG_ONE));
    }

    #[test]
    fn labels_resolve_forward_and_backward() {
        let p = assemble("t.asm", "top: jmp end_\nmid:\n  cjmp r1, top\nend_: end").unwrap();
        assert_eq!(p.instructions[0].b, Operand::Imm(F::from_canonical_u64(2)));
        assert_eq!(p.instructions[1].b, Operand::Imm(F::ZERO));
        assert_eq!(p.labels["mid"], 1);
        assert_eq!(p.lines, vec![1, 3, 4]);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = fails("end\n  frob r1");
        assert_eq!((e.line, e.col), (2, 3));
        assert!(e.msg.contains("unknown mnemonic"), "{e}");
        let e = fails("add r1, r12, 3");
        assert_eq!((e.line, e.col), (1, 9));
        assert!(e.to_string().starts_with("t.asm:1:9:"), "{e}");
        assert!(fails("jmp nowhere").msg.contains("label `nowhere` not found"));
        assert!(fails("a:\na: end").msg.contains("defined twice"));
        assert!(fails("mov r1, 18446744069414584321").msg.contains("field order"));
        assert!(fails("add r1, r2").msg.contains("expected `,`"));
        assert!(fails("end r1").msg.contains("extra operand"));
        assert!(fails("prophet cbrt r1, r2").msg.contains("unknown prophet"));
        assert!(fails("call f, 1\nf: end").msg.contains("frame size"));
        assert!(fails("mov r1, $").msg.contains("unexpected character"));
        assert!(fails("; only a comment").msg.contains("no instructions"));
    }
}
