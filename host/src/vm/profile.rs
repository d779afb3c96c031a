//! Cycle profiles: how many rows each opcode and each labelled code region costs. Every executed
//! instruction is one row of the CPU trace, so this is what a program pays to be proven.

use std::collections::BTreeMap;

use plonky2::field::goldilocks_field::GoldilocksField as F;

use super::isa::{Opcode, NUM_REGS};
use super::program::Program;
use super::trace::Tracer;

/// Counts executions per pc; also counts memory and storage accesses (rows of other tables).
#[derive(Clone, Debug, Default)]
pub struct PcCounter {
    pub per_pc: Vec<u64>,
    pub mem_accesses: u64,
    pub storage_accesses: u64,
}

impl PcCounter {
    pub fn new(program: &Program) -> Self {
        PcCounter { per_pc: vec![0; program.len()], ..Default::default() }
    }
}

impl Tracer for PcCounter {
    #[inline]
    fn step(&mut self, pc: u32, _: &[F; NUM_REGS]) {
        self.per_pc[pc as usize] += 1;
    }
    #[inline]
    fn mem(&mut self, _: u32, _: F, _: bool) {
        self.mem_accesses += 1;
    }
    #[inline]
    fn storage(&mut self, _: F, _: F, _: bool) {
        self.storage_accesses += 1;
    }
}

/// A profile: rows per opcode and per label, most expensive first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub total: u64,
    pub per_opcode: Vec<(Opcode, u64)>,
    /// `(label, rows)`; code before the first label is under `<entry>`.
    pub per_label: Vec<(String, u64)>,
    pub mem_accesses: u64,
    pub storage_accesses: u64,
}

impl Profile {
    pub fn from_counts(program: &Program, counts: &PcCounter) -> Profile {
        let mut ops: BTreeMap<Opcode, u64> = BTreeMap::new();
        let mut labels: BTreeMap<String, u64> = BTreeMap::new();
        for (pc, &n) in counts.per_pc.iter().enumerate().filter(|(_, &n)| n > 0) {
            *ops.entry(program.instructions[pc].op).or_default() += n;
            let label = program.label_at(pc as u32).unwrap_or("<entry>");
            *labels.entry(label.to_string()).or_default() += n;
        }
        let mut per_opcode: Vec<_> = ops.into_iter().collect();
        per_opcode.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut per_label: Vec<_> = labels.into_iter().collect();
        per_label.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        Profile {
            total: counts.per_pc.iter().sum(),
            per_opcode,
            per_label,
            mem_accesses: counts.mem_accesses,
            storage_accesses: counts.storage_accesses,
        }
    }

    /// A plain-text report with percentages.
    pub fn render(&self) -> String {
        let pct = |n: u64| 100.0 * n as f64 / self.total.max(1) as f64;
        let mut s = format!("{:<16} {:>12} {:>7}\n", "opcode", "rows", "%");
        for (op, n) in &self.per_opcode {
            s += &format!("{:<16} {:>12} {:>6.1}%\n", op.mnemonic(), n, pct(*n));
        }
        s += &format!("\n{:<16} {:>12} {:>7}\n", "label", "rows", "%");
        for (label, n) in &self.per_label {
            s += &format!("{:<16} {:>12} {:>6.1}%\n", label, n, pct(*n));
        }
        s += &format!(
            "\ncpu rows {}, memory accesses {}, storage accesses {}\n",
            self.total, self.mem_accesses, self.storage_accesses
        );
        s
    }
}
