//! What execution records. The executor is generic over a [`Tracer`], so running without a trace
//! ([`NoTrace`]) compiles the recording away, and the same loop feeds the proof's trace tables
//! ([`Trace`]) and the profiler ([`crate::vm::profile::PcCounter`]).
//!
//! Layout of a recorded [`Trace`]: one [`Row`] per executed instruction holding the pc and the
//! registers *before* the instruction (the registers after it are the next row's, or
//! [`Trace::final_regs`] after the last row); memory and storage accesses are separate logs that
//! point back to their row by `step`, since most rows touch neither.

use plonky2::field::goldilocks_field::GoldilocksField as F;

use super::isa::NUM_REGS;

/// Receives the events of an execution, in execution order.
pub trait Tracer {
    /// An instruction is about to execute at `pc` with registers `regs`.
    fn step(&mut self, pc: u32, regs: &[F; NUM_REGS]);
    /// A memory access by the current instruction (up to two: `call`/`ret` touch two words).
    fn mem(&mut self, addr: u32, value: F, write: bool);
    /// A storage access by the current instruction; `value` is the value read or written.
    fn storage(&mut self, key: F, value: F, write: bool);
}

/// Records nothing: the fast path.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn step(&mut self, _: u32, _: &[F; NUM_REGS]) {}
    #[inline(always)]
    fn mem(&mut self, _: u32, _: F, _: bool) {}
    #[inline(always)]
    fn storage(&mut self, _: F, _: F, _: bool) {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub pc: u32,
    pub regs: [F; NUM_REGS],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemAccess {
    /// Index of the row (executed instruction) that made the access.
    pub step: u32,
    pub addr: u32,
    pub value: F,
    pub write: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageAccess {
    pub step: u32,
    pub key: F,
    pub value: F,
    pub write: bool,
}

/// A full execution trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    pub rows: Vec<Row>,
    pub mem: Vec<MemAccess>,
    pub storage: Vec<StorageAccess>,
    /// Registers after the last instruction (`end`) executed.
    pub final_regs: [F; NUM_REGS],
}

impl Trace {
    fn current_step(&self) -> u32 {
        self.rows.len() as u32 - 1
    }
}

impl Tracer for Trace {
    #[inline(always)]
    fn step(&mut self, pc: u32, regs: &[F; NUM_REGS]) {
        self.rows.push(Row { pc, regs: *regs });
    }

    #[inline]
    fn mem(&mut self, addr: u32, value: F, write: bool) {
        let step = self.current_step();
        self.mem.push(MemAccess { step, addr, value, write });
    }

    #[inline]
    fn storage(&mut self, key: F, value: F, write: bool) {
        let step = self.current_step();
        self.storage.push(StorageAccess { step, key, value, write });
    }
}
