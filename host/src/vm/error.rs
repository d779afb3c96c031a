//! Execution errors. Every failure of a program is a value carrying the pc and step where it
//! happened; [`crate::vm::Program::describe_error`] adds the source file and line.

use thiserror::Error;

/// Why execution stopped abnormally.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ErrorKind {
    #[error("assertion failed: {left} != {right}")]
    AssertFailed { left: String, right: String },
    #[error("range check failed: {value} is not below 2^32")]
    RangeCheck { value: u64 },
    #[error("`{op}` needs 32-bit operands, got {value}")]
    NotU32 { op: &'static str, value: u64 },
    #[error("cjmp condition must be 0 or 1, got {value}")]
    NotBoolean { value: u64 },
    #[error("jump to {target} is outside the program (length {len})")]
    JumpOutOfProgram { target: u64, len: usize },
    #[error("execution ran past the last instruction without `end`")]
    FellOffEnd,
    #[error("memory address {addr} is not below 2^32")]
    AddressOutOfRange { addr: u64 },
    #[error("read of memory word {addr}, which was never written")]
    UninitializedRead { addr: u64 },
    #[error("`ret` with no matching `call` (no return address at fp - 1)")]
    RetWithoutCall,
    #[error("prophet `{prophet}` got an input it cannot answer: {value}")]
    ProphetInput { prophet: &'static str, value: u64 },
    #[error("division by zero in a prophet")]
    DivisionByZero,
    #[error("calldata index {index} is out of range (calldata has {len} words)")]
    CalldataOutOfRange { index: u64, len: usize },
    #[error("step limit of {limit} reached")]
    StepLimit { limit: u64 },
    #[error("invalid program: {0}")]
    InvalidProgram(String),
    #[error("storage: {0}")]
    Storage(String),
    /// Raised by a storage backend to abandon this execution (e.g. a read that depends on a
    /// transaction not yet finished in a parallel executor). Not a failure of the program.
    #[error("execution suspended: storage read depends on transaction {tx}")]
    Suspended { tx: usize },
}

/// A failed execution: what went wrong, at which pc, after how many steps.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("at pc {pc} (step {step}): {kind}")]
pub struct ExecError {
    pub pc: u32,
    pub step: u64,
    pub kind: ErrorKind,
}
