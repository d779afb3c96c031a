//! An assembled program: instructions plus the source map and labels kept for error messages,
//! profiles and disassembly.

use std::collections::BTreeMap;

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::field::types::Field;
use plonky2::plonk::config::Hasher;

use super::error::ExecError;
use super::isa::Instruction;

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// Name shown in messages (the source file's path for assembled files).
    pub name: String,
    pub instructions: Vec<Instruction>,
    /// 1-based source line of each instruction (0 when built in code).
    pub lines: Vec<u32>,
    /// Label name -> pc.
    pub labels: BTreeMap<String, u32>,
}

impl Program {
    /// A program built in code, with no source map.
    pub fn from_instructions(name: &str, instructions: Vec<Instruction>) -> Self {
        let lines = vec![0; instructions.len()];
        Program { name: name.to_string(), instructions, lines, labels: BTreeMap::new() }
    }

    pub fn len(&self) -> usize {
        self.instructions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instructions.is_empty()
    }

    /// The program ROM: two words per instruction (see [`Instruction::encode`]).
    pub fn encode(&self) -> Vec<F> {
        self.instructions.iter().flat_map(|i| i.encode()).collect()
    }

    /// Poseidon hash (plonky2's `PoseidonHash::hash_no_pad`) of the length followed by the ROM:
    /// the identity of the program that a proof binds to.
    pub fn hash(&self) -> HashOut<F> {
        let mut words = vec![F::from_canonical_usize(self.len())];
        words.extend(self.encode());
        PoseidonHash::hash_no_pad(&words)
    }

    /// The label whose code region contains `pc` (the nearest label at or before it).
    pub fn label_at(&self, pc: u32) -> Option<&str> {
        self.labels
            .iter()
            .filter(|(_, &at)| at <= pc)
            .max_by_key(|(_, &at)| at)
            .map(|(name, _)| name.as_str())
    }

    /// `file:line` of the instruction at `pc`, when known.
    pub fn location(&self, pc: u32) -> Option<String> {
        match self.lines.get(pc as usize) {
            Some(&line) if line > 0 => Some(format!("{}:{line}", self.name)),
            _ => None,
        }
    }

    /// A one-line description of an execution error with its source location.
    pub fn describe_error(&self, e: &ExecError) -> String {
        match self.location(e.pc) {
            Some(loc) => format!("{loc}: {e}"),
            None => format!("{}: {e}", self.name),
        }
    }
}

