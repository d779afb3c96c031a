//! The Parallax VM: a register machine over the Goldilocks field with prophets.
//! `docs/isa.md` specifies the instruction set, its encoding and the assembly syntax.

pub mod asm;
pub mod error;
pub mod exec;
pub mod isa;
pub mod memory;
pub mod profile;
pub mod program;
pub mod prophet;
pub mod storage;
pub mod trace;

pub use asm::{assemble, AsmError};
pub use error::{ErrorKind, ExecError};
pub use exec::{run, Inputs, Outcome, DEFAULT_MAX_STEPS};
pub use isa::{Instruction, Opcode, Operand, NUM_REGS};
pub use program::Program;
pub use prophet::{Honest, Oracle, Prophet};
pub use storage::{MapStorage, Storage};
pub use trace::{NoTrace, Trace, Tracer};

/// Runs `program` with the honest oracle and a fresh storage, recording nothing.
pub fn execute(program: &Program, inputs: &Inputs) -> Result<Outcome, ExecError> {
    run(program, inputs, &mut NoTrace, &mut Honest, &mut MapStorage::default())
}

/// Runs `program` with the honest oracle and a fresh storage, recording the full trace.
pub fn execute_traced(program: &Program, inputs: &Inputs) -> Result<(Outcome, Trace), ExecError> {
    let mut trace = Trace::default();
    let out = run(program, inputs, &mut trace, &mut Honest, &mut MapStorage::default())?;
    trace.final_regs = out.regs;
    Ok((out, trace))
}
