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

/// One executed instruction: its pc and the registers before it.
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

/// A full execution trace, stored compactly: per row the pc and a bitmask of the registers that
/// changed since the previous row, with only the changed values kept (most instructions write one
/// register, so a row costs ~16 bytes instead of 88). [`Trace::rows`] rebuilds full rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// `(pc, changed-register mask)` per row.
    steps: Vec<(u32, u16)>,
    /// The changed registers' values, row after row, in register order within a row.
    values: Vec<F>,
    /// Registers of the first row.
    initial_regs: [F; NUM_REGS],
    /// Registers of the latest row (the recorder's running state).
    last_regs: [F; NUM_REGS],
    pub mem: Vec<MemAccess>,
    pub storage: Vec<StorageAccess>,
    /// Registers after the last instruction (`end`) executed.
    pub final_regs: [F; NUM_REGS],
}

impl Trace {
    /// Number of rows (executed instructions).
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The rows in execution order.
    pub fn rows(&self) -> impl Iterator<Item = Row> + '_ {
        let mut regs = self.initial_regs;
        let mut values = self.values.iter();
        self.steps.iter().map(move |&(pc, mask)| {
            let mut m = mask;
            while m != 0 {
                let r = m.trailing_zeros() as usize;
                regs[r] = *values.next().expect("one value per mask bit");
                m &= m - 1;
            }
            Row { pc, regs }
        })
    }

    fn current_step(&self) -> u32 {
        self.steps.len() as u32 - 1
    }
}

impl Tracer for Trace {
    #[inline(always)]
    fn step(&mut self, pc: u32, regs: &[F; NUM_REGS]) {
        if self.steps.is_empty() {
            self.initial_regs = *regs;
            self.last_regs = *regs;
        }
        let mut mask = 0u16;
        for r in 0..NUM_REGS {
            if regs[r] != self.last_regs[r] {
                mask |= 1 << r;
                self.values.push(regs[r]);
            }
        }
        self.last_regs = *regs;
        self.steps.push((pc, mask));
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
