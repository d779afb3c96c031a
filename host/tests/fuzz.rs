//! Property tests: random assembly text and random instruction sequences never panic the
//! assembler or the executor; every failure is an error value; tracing changes nothing.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Field;
use proptest::prelude::*;

use parallax::vm::isa::NO_REG;
use parallax::vm::{self, assemble, Inputs, Instruction, Opcode, Operand, Program, Prophet};

const TOKENS: &[&str] = &[
    "add", "sub", "mul", "mov", "eq", "neq", "lt", "gte", "and", "or", "xor", "not", "range", "assert",
    "jmp", "cjmp", "call", "ret", "mload", "mstore", "sload", "sstore", "cdload", "out", "prophet", "end",
    "divmod", "sqrt", "inv", "split", "argsort", "r0", "r1", "r5", "r9", "r10", "fp", "l0", "l1", "0",
    "1", "-1", "0xffffffff", "0x100000000", "18446744069414584321", ",", ",", ",", "[", "]", "+", "-",
    ":", ";", "l0:", "l1:", "\n", "\n", "\n", "$", "//",
];

fn small_inputs() -> Inputs {
    Inputs { calldata: vec![F::from_canonical_u64(3), F::from_canonical_u64(1 << 32)], max_steps: 2000, ..Inputs::default() }
}

fn arb_operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        (0u8..10).prop_map(Operand::Reg),
        prop_oneof![Just(0u64), Just(1), Just(2), Just(0xffff_ffff), Just(1 << 32), Just(u64::MAX - 0xffff_ffff), 0u64..64]
            .prop_map(|v| Operand::Imm(F::from_noncanonical_u64(v))),
    ]
}

fn arb_instruction(len: usize) -> impl Strategy<Value = Instruction> {
    (0..Opcode::ALL.len(), 0u8..10, 0u8..10, arb_operand(), 0..Prophet::ALL.len(), 0u8..10, 2u32..6, 0..len as u64 + 2)
        .prop_map(move |(op, dst, a, b, p, d2, frame, target)| {
            let op = Opcode::ALL[op];
            let mut ins = Instruction { op, dst, a, b, aux: 0 };
            match op {
                Opcode::Call => {
                    ins.aux = frame;
                    ins.b = Operand::Imm(F::from_canonical_u64(target));
                }
                Opcode::Jmp | Opcode::Cjmp => ins.b = Operand::Imm(F::from_canonical_u64(target)),
                Opcode::Mload | Opcode::Mstore if a == 9 => ins.a = NO_REG,
                Opcode::Prophet => {
                    let p = Prophet::ALL[p];
                    let d2 = if d2 == dst { (dst + 1) % 10 } else { d2 };
                    ins.aux = p.to_aux(d2);
                    ins.b = Operand::Reg(b_reg(b));
                }
                _ => {}
            }
            ins
        })
}

/// The instruction as the assembler writes it: fields an opcode does not use are zero.
fn as_written(mut ins: Instruction) -> Instruction {
    use Opcode::*;
    let zero = Operand::Imm(F::ZERO);
    match ins.op {
        Mov | Not | Sload | Cdload => ins.a = 0,
        Range => (ins.dst, ins.b) = (0, zero),
        Assert | Sstore | Cjmp => ins.dst = 0,
        Jmp | Out | Call => (ins.dst, ins.a) = (0, 0),
        Ret | End | Poseidon => (ins.dst, ins.a, ins.b) = (0, 0, zero),
        Mload | Mstore => ins.b = Operand::Imm(F::from_canonical_u64(b_reg(ins.b) as u64)),
        Prophet => {
            if vm::Prophet::from_aux(ins.aux).unwrap().0.inputs() == 1 {
                ins.b = Operand::Reg(0);
            }
            if vm::Prophet::from_aux(ins.aux).unwrap().0.outputs() == 1 {
                ins.aux &= 0xff;
            }
        }
        Add | Sub | Mul | Eq | Neq | Lt | Gte | And | Or | Xor => {}
    }
    ins
}

fn b_reg(b: Operand) -> u8 {
    match b {
        Operand::Reg(r) => r,
        Operand::Imm(_) => 1,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn assembler_and_executor_never_panic_on_text(toks in prop::collection::vec(prop::sample::select(TOKENS), 0..60)) {
        let src = toks.join(" ");
        if let Ok(p) = assemble("fuzz.asm", &src) {
            let _ = vm::execute(&p, &small_inputs());
        }
    }

    #[test]
    fn executor_never_panics_and_tracing_agrees(code in (1usize..24).prop_flat_map(|n| prop::collection::vec(arb_instruction(n), n))) {
        let p = Program::from_instructions("fuzz", code);
        let plain = vm::execute(&p, &small_inputs());
        let traced = vm::execute_traced(&p, &small_inputs());
        match (&plain, &traced) {
            (Ok(a), Ok((b, trace))) => {
                prop_assert_eq!(a, b);
                prop_assert_eq!(trace.len() as u64, a.steps);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "traced and plain runs disagree: {:?} vs {:?}", plain, traced.map(|t| t.0)),
        }
    }

    #[test]
    fn encoding_round_trips(ins in arb_instruction(100)) {
        prop_assert_eq!(Instruction::decode(ins.encode()), Some(ins));
    }

    #[test]
    fn disassembly_reassembles(code in (1usize..16).prop_flat_map(|n| prop::collection::vec(arb_instruction(n).prop_map(as_written), n))) {
        // Printing a program and assembling the text gives back the same instructions.
        let text: Vec<String> = code.iter().map(|i| i.to_string()).collect();
        let p = assemble("dis.asm", &text.join("\n")).map_err(|e| TestCaseError::fail(format!("{e}\n{}", text.join("\n"))))?;
        prop_assert_eq!(p.instructions, code);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// The compact trace rebuilds exactly the register file a step-by-step snapshot sees.
    #[test]
    fn compact_trace_rebuilds_every_row(code in (1usize..24).prop_flat_map(|n| prop::collection::vec(arb_instruction(n), n))) {
        #[derive(Default)]
        struct Snapshots(Vec<vm::trace::Row>);
        impl vm::Tracer for Snapshots {
            fn step(&mut self, pc: u32, regs: &[F; vm::NUM_REGS]) { self.0.push(vm::trace::Row { pc, regs: *regs }); }
            fn mem(&mut self, _: u32, _: F, _: bool) {}
            fn storage(&mut self, _: F, _: F, _: bool) {}
        }
        let p = Program::from_instructions("fuzz", code);
        let mut snaps = Snapshots::default();
        let mut trace = vm::Trace::default();
        let _ = vm::run(&p, &small_inputs(), &mut snaps, &mut vm::Honest, &mut vm::MapStorage::default());
        let _ = vm::run(&p, &small_inputs(), &mut trace, &mut vm::Honest, &mut vm::MapStorage::default());
        prop_assert_eq!(trace.rows().collect::<Vec<_>>(), snaps.0);
    }
}
