//! Semantics of every opcode, field wrap-around at p, 32-bit edges, and every error kind.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, Field64, PrimeField64};

use parallax::vm::isa::{FP, FP_INIT, NO_REG};
use parallax::vm::trace::{MemAccess, StorageAccess};
use parallax::vm::{self, assemble, ErrorKind, Inputs, Instruction, MapStorage, Opcode, Operand, Outcome, Program};

const P: u64 = F::ORDER;

fn f(x: u64) -> F {
    F::from_canonical_u64(x)
}

fn run(src: &str) -> Result<Outcome, vm::ExecError> {
    let p = assemble("t.asm", src).unwrap();
    vm::execute(&p, &Inputs::default())
}

fn outs(src: &str) -> Vec<u64> {
    run(src).unwrap_or_else(|e| panic!("{e}")).outputs.iter().map(|v| v.to_canonical_u64()).collect()
}

fn err(src: &str) -> ErrorKind {
    run(src).unwrap_err().kind
}

#[test]
fn field_arithmetic_wraps_at_p() {
    let pm1 = P - 1;
    assert_eq!(outs(&format!("mov r1, {pm1}\nadd r2, r1, 1\nout r2\nend")), [0]);
    assert_eq!(outs(&format!("mov r1, {pm1}\nadd r2, r1, r1\nout r2\nend")), [P - 2]);
    assert_eq!(outs("mov r1, 0\nsub r2, r1, 1\nout r2\nend"), [pm1]);
    assert_eq!(outs(&format!("mov r1, {pm1}\nmul r2, r1, r1\nout r2\nend")), [1]);
    assert_eq!(outs("mov r1, 0x100000000\nmul r2, r1, r1\nout r2\nend"), [(f(1 << 32) * f(1 << 32)).0]);
    assert_eq!(outs("mov r1, -5\nout r1\nadd r2, r1, 7\nout r2\nend"), [P - 5, 2]);
    assert_eq!(outs("mov r1, 3\nmov r2, r1\nmov r3, 0x1F\nout r2\nout r3\nend"), [3, 31]);
}

#[test]
fn equality() {
    assert_eq!(outs("mov r1, -1\neq r2, r1, -1\nneq r3, r1, -1\neq r4, r1, 0\nneq r5, r1, 0\nout r2\nout r3\nout r4\nout r5\nend"), [1, 0, 0, 1]);
}

#[test]
fn unsigned_compare_on_u32_edges() {
    let max = u32::MAX;
    let src = format!(
        "mov r1, {max}\nlt r2, r1, 0\nlt r3, r0, r1\ngte r4, r1, r1\ngte r5, r0, 1\nlt r6, r1, r1\nout r2\nout r3\nout r4\nout r5\nout r6\nend"
    );
    assert_eq!(outs(&src), [0, 1, 1, 0, 0]);
    assert_eq!(err("mov r1, 0x100000000\nlt r2, r1, 0\nend"), ErrorKind::NotU32 { op: "lt", value: 1 << 32 });
    assert_eq!(err("gte r2, r0, -1\nend"), ErrorKind::NotU32 { op: "gte", value: P - 1 });
}

#[test]
fn bitwise_on_u32() {
    let src = "mov r1, 0xF0F0F0F0\nmov r2, 0xFF00FF00\nand r3, r1, r2\nor r4, r1, r2\nxor r5, r1, r2\nnot r6, r1\nnot r7, 0\nout r3\nout r4\nout r5\nout r6\nout r7\nend";
    assert_eq!(outs(src), [0xF000F000, 0xFFF0FFF0, 0x0FF00FF0, 0x0F0F0F0F, 0xFFFFFFFF]);
    assert_eq!(outs("mov r1, 0xffffffff\nxor r2, r1, r1\nand r3, r1, r1\nnot r4, r1\nout r2\nout r3\nout r4\nend"), [0, 0xffffffff, 0]);
    for op in ["and", "or", "xor"] {
        assert_eq!(err(&format!("mov r1, 0x100000000\n{op} r2, r1, 1\nend")), ErrorKind::NotU32 { op: Box::leak(op.to_string().into_boxed_str()), value: 1 << 32 });
    }
    assert_eq!(err("not r2, -1\nend"), ErrorKind::NotU32 { op: "not", value: P - 1 });
}

#[test]
fn range_check() {
    assert_eq!(outs("mov r1, 0xffffffff\nrange r1\nrange r0\nout r1\nend"), [0xffffffff]);
    assert_eq!(err("mov r1, 0x100000000\nrange r1\nend"), ErrorKind::RangeCheck { value: 1 << 32 });
    assert_eq!(err("mov r1, -1\nrange r1\nend"), ErrorKind::RangeCheck { value: P - 1 });
}

#[test]
fn assert_reports_pc_and_line() {
    let src = "mov r1, 5\n\n  assert r1, 6\nend";
    let p = assemble("prog.asm", src).unwrap();
    let e = vm::execute(&p, &Inputs::default()).unwrap_err();
    assert_eq!((e.pc, e.step), (1, 1));
    assert_eq!(e.kind, ErrorKind::AssertFailed { left: "5".into(), right: "6".into() });
    assert_eq!(p.describe_error(&e), "prog.asm:3: at pc 1 (step 1): assertion failed: 5 != 6");
    assert_eq!(outs("mov r1, -3\nassert r1, -3\nout r1\nend"), [P - 3]);
}

#[test]
fn jumps() {
    assert_eq!(outs("jmp skip\nout 1\nskip: out 2\nend"), [2]);
    assert_eq!(outs("mov r1, 1\ncjmp r1, t\nout 1\nt: cjmp r0, u\nout 2\nu: end"), [2]);
    // Register-indirect jump to pc 3.
    assert_eq!(outs("mov r1, 3\njmp r1\nout 1\nout 2\nend"), [2]);
    assert_eq!(err("mov r1, 2\ncjmp r1, 0\nend"), ErrorKind::NotBoolean { value: 2 });
    assert_eq!(err("mov r1, 7\njmp r1\nend"), ErrorKind::JumpOutOfProgram { target: 7, len: 3 });
    assert_eq!(err("mov r1, 1"), ErrorKind::FellOffEnd);
}

#[test]
fn call_and_ret_through_memory_frames() {
    // Recursive factorial: each frame keeps n at [fp + 0], below saved fp / return address.
    let src = "
        mov r1, 10
        call fact, 2
        out r2
        end
    fact:                   ; r1 = n -> r2 = n!
        mstore [fp], r1
        eq r3, r1, 0
        cjmp r3, base
        sub r1, r1, 1
        call fact, 3        ; our frame: n, then saved fp and return address
        mload r1, [fp]
        mul r2, r2, r1
        ret
    base:
        mov r2, 1
        ret";
    assert_eq!(outs(src), [3628800]);
    let p = assemble("t.asm", src).unwrap();
    let (out, trace) = vm::execute_traced(&p, &Inputs::default()).unwrap();
    assert_eq!(out.regs[FP as usize], f(FP_INIT), "fp restored after the outermost ret");
    // The first call writes the saved fp then the return address at the new frame's base - 2, - 1.
    assert_eq!(
        &trace.mem[..2],
        &[
            MemAccess { step: 1, addr: FP_INIT as u32, value: f(FP_INIT), write: true },
            MemAccess { step: 1, addr: FP_INIT as u32 + 1, value: f(2), write: true },
        ]
    );
    assert_eq!(err("ret"), ErrorKind::RetWithoutCall);
}

#[test]
fn memory() {
    assert_eq!(outs("mov r1, 100\nmov r2, -7\nmstore [r1 + 5], r2\nmload r3, [105]\nmstore [fp - 1], r3\nmload r4, [fp - 1]\nout r4\nend"), [P - 7]);
    assert_eq!(err("mload r1, [12]\nend"), ErrorKind::UninitializedRead { addr: 12 });
    assert_eq!(err("mov r1, 0xffffffff\nmload r2, [r1 + 1]\nend"), ErrorKind::AddressOutOfRange { addr: 1 << 32 });
    assert_eq!(err("mov r1, 0\nmstore [r1 - 1], r1\nend"), ErrorKind::AddressOutOfRange { addr: P - 1 });
}

#[test]
fn storage_calldata_and_outputs() {
    let p = assemble("t.asm", "cdload r1, 0\ncdload r2, 1\nsload r3, r1\nsstore r1, r2\nsload r4, r1\nout r3\nout r4\nend").unwrap();
    let inputs = Inputs { calldata: vec![f(9), f(42)], ..Inputs::default() };
    let mut storage = MapStorage::default();
    let mut trace = vm::Trace::default();
    let out = vm::run(&p, &inputs, &mut trace, &mut vm::Honest, &mut storage).unwrap();
    assert_eq!(out.outputs, vec![F::ZERO, f(42)], "unset storage reads as 0");
    assert_eq!(storage.0.get(&9), Some(&f(42)));
    assert_eq!(
        trace.storage,
        vec![
            StorageAccess { step: 2, key: f(9), value: F::ZERO, write: false },
            StorageAccess { step: 3, key: f(9), value: f(42), write: true },
            StorageAccess { step: 4, key: f(9), value: f(42), write: false },
        ]
    );
    let e = vm::execute(&p, &Inputs { calldata: vec![f(1)], ..Inputs::default() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::CalldataOutOfRange { index: 1, len: 1 });
}

#[test]
fn prophet_errors() {
    assert_eq!(err("mov r1, 5\nprophet divmod r2, r3, r1, r0\nend"), ErrorKind::DivisionByZero);
    assert_eq!(err("prophet inv r2, r0\nend"), ErrorKind::DivisionByZero);
    assert_eq!(err("mov r1, -1\nprophet sqrt r2, r1\nend"), ErrorKind::ProphetInput { prophet: "sqrt", value: P - 1 });
}

#[test]
fn step_limit() {
    let p = assemble("t.asm", "loop: jmp loop").unwrap();
    let e = vm::execute(&p, &Inputs { max_steps: 1000, ..Inputs::default() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::StepLimit { limit: 1000 });
    // Exactly max_steps instructions is fine.
    let p = assemble("t.asm", "mov r1, 1\nend").unwrap();
    assert!(vm::execute(&p, &Inputs { max_steps: 2, ..Inputs::default() }).is_ok());
}

#[test]
fn trace_rows_hold_registers_before_each_instruction() {
    let p = assemble("t.asm", "mov r1, 4\nadd r1, r1, 1\nmstore [0], r1\nend").unwrap();
    let (out, trace) = vm::execute_traced(&p, &Inputs::default()).unwrap();
    let rows: Vec<_> = trace.rows().collect();
    assert_eq!(trace.len() as u64, out.steps);
    assert_eq!(rows.iter().map(|r| r.pc).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(rows[0].regs[1], F::ZERO);
    assert_eq!(rows[1].regs[1], f(4));
    assert_eq!(rows[3].regs[1], f(5));
    assert_eq!(rows[3].regs[9], f(FP_INIT));
    assert_eq!(trace.final_regs, out.regs);
    assert_eq!(trace.mem, vec![MemAccess { step: 2, addr: 0, value: f(5), write: true }]);
    assert_eq!(out, vm::execute(&p, &Inputs::default()).unwrap(), "traced and untraced runs agree");
}

#[test]
fn invalid_decoded_programs_are_rejected_before_running() {
    let bad = |ins: Instruction| {
        let p = Program::from_instructions("bad", vec![ins, Instruction::new(Opcode::End)]);
        matches!(vm::execute(&p, &Inputs::default()).unwrap_err().kind, ErrorKind::InvalidProgram(_))
    };
    let mut i = Instruction::new(Opcode::Add);
    i.dst = 12;
    assert!(bad(i));
    let mut i = Instruction::new(Opcode::Add);
    i.a = NO_REG;
    assert!(bad(i));
    let mut i = Instruction::new(Opcode::Mov);
    i.b = Operand::Reg(10);
    assert!(bad(i));
    let mut i = Instruction::new(Opcode::Prophet);
    i.aux = 77;
    assert!(bad(i));
    let mut i = Instruction::new(Opcode::Call);
    i.aux = 1;
    assert!(bad(i));
}
