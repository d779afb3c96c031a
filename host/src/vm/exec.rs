//! The executor: one loop, generic over what it records ([`Tracer`]), who answers prophets
//! ([`Oracle`]) and where storage lives ([`Storage`]), so the fast path, the traced path and the
//! parallel executor all run the same semantics.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};

use super::error::{ErrorKind, ExecError};
use super::isa::{Instruction, Opcode, Operand, FP, FP_INIT, NO_REG, NUM_REGS, U32_LIMIT};
use super::memory::Memory;
use super::program::Program;
use super::prophet::{Oracle, Prophet as ProphetKind};
use super::storage::Storage;
use super::trace::Tracer;

/// Default step limit: large enough for real programs, small enough to stop a runaway loop in
/// about a second.
pub const DEFAULT_MAX_STEPS: u64 = 1 << 27;

/// What a program starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    /// Initial registers (`fp` starts at [`FP_INIT`] unless set).
    pub regs: [F; NUM_REGS],
    /// Words readable with `cdload`.
    pub calldata: Vec<F>,
    pub max_steps: u64,
}

impl Default for Inputs {
    fn default() -> Self {
        let mut regs = [F::ZERO; NUM_REGS];
        regs[FP as usize] = F::from_canonical_u64(FP_INIT);
        Inputs { regs, calldata: Vec::new(), max_steps: DEFAULT_MAX_STEPS }
    }
}

/// A successful execution's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Instructions executed, `end` included.
    pub steps: u64,
    /// Registers after `end`.
    pub regs: [F; NUM_REGS],
    /// Words emitted by `out`, in order.
    pub outputs: Vec<F>,
}

/// A structural problem of a program, found before it runs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("instruction {pc} (`{ins}`): {msg}")]
pub struct InvalidProgram {
    pub pc: u32,
    pub ins: String,
    pub msg: &'static str,
}

/// Checks the register fields of every instruction, so the executor can index without checks.
/// The assembler only builds valid programs; this guards programs decoded from elsewhere.
pub fn validate(program: &Program) -> Result<(), InvalidProgram> {
    use Opcode::*;
    for (pc, ins) in program.instructions.iter().enumerate() {
        let bad = |msg| Err(InvalidProgram { pc: pc as u32, ins: ins.to_string(), msg });
        let reg_ok = |r: u8| (r as usize) < NUM_REGS;
        if !reg_ok(ins.dst) {
            return bad("destination register out of range");
        }
        let a_ok = reg_ok(ins.a) || (ins.a == NO_REG && matches!(ins.op, Mload | Mstore));
        if !a_ok {
            return bad("source register out of range");
        }
        if let Operand::Reg(r) = ins.b {
            if !reg_ok(r) {
                return bad("operand register out of range");
            }
        }
        match ins.op {
            Call if ins.aux < 2 => return bad("call frame size must be at least 2"),
            Prophet => match ProphetKind::from_aux(ins.aux) {
                None => return bad("unknown prophet"),
                Some((p, d2)) if p.outputs() == 2 && (!reg_ok(d2) || d2 == ins.dst) => {
                    return bad("a two-output prophet needs two distinct output registers")
                }
                Some((p, _)) if p.inputs() == 2 && !matches!(ins.b, Operand::Reg(_)) => {
                    return bad("prophet inputs must be registers")
                }
                _ => {}
            },
            Call | Ret | End | Add | Sub | Mul | Mov | Eq | Neq | Lt | Gte | And | Or | Xor | Not
            | Range | Assert | Jmp | Cjmp | Mload | Mstore | Sload | Sstore | Cdload | Out | Poseidon => {}
        }
    }
    Ok(())
}

#[inline(always)]
fn u32_of(op: Opcode, v: F) -> Result<u64, ErrorKind> {
    let x = v.to_canonical_u64();
    if x < U32_LIMIT {
        Ok(x)
    } else {
        Err(ErrorKind::NotU32 { op: op.mnemonic(), value: x })
    }
}

#[inline(always)]
fn address(v: F) -> Result<u64, ErrorKind> {
    let x = v.to_canonical_u64();
    if x < U32_LIMIT {
        Ok(x)
    } else {
        Err(ErrorKind::AddressOutOfRange { addr: x })
    }
}

#[inline(always)]
/// The `poseidon` instruction: `PoseidonHash::hash_no_pad(words)`, i.e. the first four words of
/// the permutation of `[words, 0, 0, 0, 0]`, also `two_to_one` of the two halves (so contracts
/// reproduce the state tree's key, leaf and node hashes).
pub fn poseidon_compress(words: [F; 8]) -> [F; 4] {
    use plonky2::hash::poseidon::PoseidonHash;
    use plonky2::plonk::config::Hasher;
    PoseidonHash::hash_no_pad(&words).elements
}

fn flag(b: bool) -> F {
    if b {
        F::ONE
    } else {
        F::ZERO
    }
}

/// Runs `program` to `end`. `memory` is the machine's memory (fresh for a plain run).
pub fn run<T: Tracer, O: Oracle, S: Storage>(
    program: &Program,
    inputs: &Inputs,
    tracer: &mut T,
    oracle: &mut O,
    storage: &mut S,
) -> Result<Outcome, ExecError> {
    validate(program).map_err(|e| ExecError {
        pc: e.pc,
        step: 0,
        kind: ErrorKind::InvalidProgram(e.to_string()),
    })?;
    let mut m = Machine {
        code: &program.instructions,
        // Slots 10..16 stay zero: `NO_REG` (15) reads as 0 without a branch.
        regs: [F::ZERO; 16],
        pc: 0,
        steps: 0,
        memory: Memory::new(),
        outputs: Vec::new(),
    };
    m.regs[..NUM_REGS].copy_from_slice(&inputs.regs);
    let result = m.run(inputs, tracer, oracle, storage);
    result.map_err(|kind| ExecError { pc: m.pc, step: m.steps.saturating_sub(1), kind })
}

struct Machine<'p> {
    code: &'p [Instruction],
    regs: [F; 16],
    pc: u32,
    steps: u64,
    memory: Memory,
    outputs: Vec<F>,
}

impl Machine<'_> {
    #[inline(always)]
    fn jump_target(&self, v: F) -> Result<u32, ErrorKind> {
        let t = v.to_canonical_u64();
        if t < self.code.len() as u64 {
            Ok(t as u32)
        } else {
            Err(ErrorKind::JumpOutOfProgram { target: t, len: self.code.len() })
        }
    }

    fn run<T: Tracer, O: Oracle, S: Storage>(
        &mut self,
        inputs: &Inputs,
        tracer: &mut T,
        oracle: &mut O,
        storage: &mut S,
    ) -> Result<Outcome, ErrorKind> {
        use Opcode::*;
        loop {
            let ins = *self.code.get(self.pc as usize).ok_or(ErrorKind::FellOffEnd)?;
            if self.steps == inputs.max_steps {
                return Err(ErrorKind::StepLimit { limit: inputs.max_steps });
            }
            self.steps += 1;
            tracer.step(self.pc, self.regs[..NUM_REGS].try_into().unwrap());
            let a = self.regs[ins.a as usize];
            let b = match ins.b {
                Operand::Reg(r) => self.regs[r as usize],
                Operand::Imm(v) => v,
            };
            let d = ins.dst as usize;
            let mut next = self.pc + 1;
            match ins.op {
                Add => self.regs[d] = a + b,
                Sub => self.regs[d] = a - b,
                Mul => self.regs[d] = a * b,
                Mov => self.regs[d] = b,
                Eq => self.regs[d] = flag(a == b),
                Neq => self.regs[d] = flag(a != b),
                Lt => self.regs[d] = flag(u32_of(Lt, a)? < u32_of(Lt, b)?),
                Gte => self.regs[d] = flag(u32_of(Gte, a)? >= u32_of(Gte, b)?),
                And => self.regs[d] = F::from_canonical_u64(u32_of(And, a)? & u32_of(And, b)?),
                Or => self.regs[d] = F::from_canonical_u64(u32_of(Or, a)? | u32_of(Or, b)?),
                Xor => self.regs[d] = F::from_canonical_u64(u32_of(Xor, a)? ^ u32_of(Xor, b)?),
                Not => self.regs[d] = F::from_canonical_u64(u32_of(Not, b)? ^ 0xffff_ffff),
                Range => {
                    let x = a.to_canonical_u64();
                    if x >= U32_LIMIT {
                        return Err(ErrorKind::RangeCheck { value: x });
                    }
                }
                Assert => {
                    if a != b {
                        return Err(ErrorKind::AssertFailed {
                            left: super::isa::fmt_felt(a),
                            right: super::isa::fmt_felt(b),
                        });
                    }
                }
                Jmp => next = self.jump_target(b)?,
                Cjmp => match a.to_canonical_u64() {
                    0 => {}
                    1 => next = self.jump_target(b)?,
                    value => return Err(ErrorKind::NotBoolean { value }),
                },
                Call => {
                    let fp = self.regs[FP as usize];
                    let new_fp = fp + F::from_canonical_u32(ins.aux);
                    let (saved_fp, ret_addr) = (address(new_fp - F::TWO)?, address(new_fp - F::ONE)?);
                    let target = self.jump_target(b)?;
                    let ret_pc = F::from_canonical_u32(self.pc + 1);
                    self.memory.write(saved_fp, fp);
                    self.memory.write(ret_addr, ret_pc);
                    tracer.mem(saved_fp as u32, fp, true);
                    tracer.mem(ret_addr as u32, ret_pc, true);
                    self.regs[FP as usize] = new_fp;
                    next = target;
                }
                Ret => {
                    let fp = self.regs[FP as usize];
                    let (saved_fp, ret_addr) = (address(fp - F::TWO)?, address(fp - F::ONE)?);
                    let missing = |_| ErrorKind::RetWithoutCall;
                    let old_fp = self.memory.read(saved_fp).map_err(missing)?;
                    let ret_pc = self.memory.read(ret_addr).map_err(missing)?;
                    tracer.mem(saved_fp as u32, old_fp, false);
                    tracer.mem(ret_addr as u32, ret_pc, false);
                    next = self.jump_target(ret_pc)?;
                    self.regs[FP as usize] = old_fp;
                }
                Mload => {
                    let addr = address(a + b)?;
                    let v = self.memory.read(addr)?;
                    tracer.mem(addr as u32, v, false);
                    self.regs[d] = v;
                }
                Mstore => {
                    let addr = address(a + b)?;
                    let v = self.regs[d];
                    self.memory.write(addr, v);
                    tracer.mem(addr as u32, v, true);
                }
                Sload => {
                    let v = storage.load(b)?;
                    tracer.storage(b, v, false);
                    self.regs[d] = v;
                }
                Sstore => {
                    storage.store(a, b)?;
                    tracer.storage(a, b, true);
                }
                Cdload => {
                    let i = b.to_canonical_u64();
                    let len = inputs.calldata.len();
                    self.regs[d] = *inputs
                        .calldata
                        .get(i as usize)
                        .filter(|_| i < len as u64)
                        .ok_or(ErrorKind::CalldataOutOfRange { index: i, len })?;
                }
                Out => self.outputs.push(b),
                Poseidon => {
                    let digest = poseidon_compress(self.regs[..8].try_into().unwrap());
                    self.regs[..4].copy_from_slice(&digest);
                }
                Prophet => {
                    let (p, d2) = ProphetKind::from_aux(ins.aux).expect("validated");
                    let [x, y] = oracle.answer(p, [a, b], &self.memory)?;
                    self.regs[d] = x;
                    if p.outputs() == 2 {
                        self.regs[d2 as usize] = y;
                    }
                }
                End => {
                    return Ok(Outcome {
                        steps: self.steps,
                        regs: self.regs[..NUM_REGS].try_into().unwrap(),
                        outputs: std::mem::take(&mut self.outputs),
                    });
                }
            }
            self.pc = next;
        }
    }
}
