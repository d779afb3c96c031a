//! Proofs of execution: honest runs verify; forged traces (built without the executor), forged
//! claims and tampered proofs are rejected by the verifier.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::programs::example;
use parallax::prover::{self, cpu, tables::*, CpuCommitter, ExecutionProof, Traces};
use parallax::vm::{self, assemble, Inputs, Program};

fn f(x: u64) -> F {
    F::from_canonical_u64(x)
}

fn timing() -> TimingTree {
    TimingTree::default()
}

fn asm(src: &str) -> Program {
    assemble("test.asm", src).unwrap()
}

fn inputs(calldata: &[u64]) -> Inputs {
    Inputs { calldata: calldata.iter().map(|&x| f(x)).collect(), ..Inputs::default() }
}

/// Runs, builds the traces, lets `forge` change them (and the claim), proves and verifies.
fn prove_forged(
    program: &Program,
    inputs: &Inputs,
    forge: impl FnOnce(&mut prover::Claim, &mut Traces),
) -> Result<(), prover::VerifyError> {
    let (outcome, trace) = vm::execute_traced(program, inputs).unwrap();
    let claim = prover::Claim {
        program: program.instructions.clone(),
        initial_regs: inputs.regs,
        final_regs: outcome.regs,
        calldata: inputs.calldata.clone(),
        outputs: outcome.outputs.clone(),
        storage: trace
            .storage
            .iter()
            .map(|s| prover::StorageEntry { key: s.key, value: s.value, write: s.write })
            .collect(),
    };
    let mut claim = claim;
    let mut traces = prover::build_traces(&claim, &trace);
    forge(&mut claim, &mut traces);
    let proofs = prover::prove_traces(&claim, &traces, &CpuCommitter, &mut timing()).unwrap();
    let r = prover::verify(&ExecutionProof { claim, proofs });
    if let Err(e) = &r {
        eprintln!("REJECTED: {e}");
    }
    r
}

#[test]
fn fib_proves_and_verifies() {
    let p = example("fib").unwrap().assemble().unwrap();
    let proof = prover::prove(&p, &inputs(&[20]), &CpuCommitter, &mut timing()).unwrap();
    assert_eq!(proof.claim.outputs, vec![f(6765)]);
    prover::verify(&proof).unwrap();
}

/// The verifier rejected, at the check named by `by` (a table, or "cross-table").
#[track_caller]
fn assert_rejected(r: Result<(), prover::VerifyError>, by: &str) {
    match r {
        Ok(()) => panic!("forged proof accepted"),
        Err(e) => assert!(e.to_string().contains(by), "rejected, but not by {by}: {e}"),
    }
}

fn get(t: &Traces, table: usize, col: usize, row: usize) -> F {
    t[table][col].values[row]
}

fn set(t: &mut Traces, table: usize, col: usize, row: usize, v: F) {
    t[table][col].values[row] = v;
}

/// Adds `d` to a column from `row` on.
fn shift_from(t: &mut Traces, table: usize, col: usize, row: usize, d: F) {
    for v in &mut t[table][col].values[row..] {
        *v += d;
    }
}

/// Moves one execution of the instruction at `from` to `to` in the ROM's multiplicities.
fn move_rom_count(t: &mut Traces, from: u64, to: u64, count: u64) {
    let m = prover::rom::MULT;
    let c = f(count);
    t[ROM][m].values[from as usize] -= c;
    t[ROM][m].values[to as usize] += c;
}

fn reg(r: usize) -> usize {
    cpu::REGS + r
}

fn rows(t: &Traces) -> usize {
    t[CPU][0].len()
}

#[test]
fn all_opcodes_prove_and_verify() {
    let src = "
        cdload r1, 0
        cdload r2, 1
        add r3, r1, r2
        sub r3, r3, 1
        mul r3, r3, r2
        mov r4, r3
        eq r5, r4, r3
        neq r5, r4, 7
        lt r5, r1, r2
        gte r5, r1, r2
        and r6, r1, 0xff
        or r6, r6, r2
        xor r6, r6, r1
        not r7, r6
        range r7
        assert r4, r3
        mstore [fp + 0], r6
        mload r8, [fp]
        mstore [100], r8
        mload r8, [100]
        sstore r1, r8
        sload r0, r1
        sload r0, 12345
        prophet divmod r2, r3, r1, r2
        prophet sqrt r4, r1
        poseidon
        call f, 3
        out r6
        eq r5, r1, 0
        cjmp r5, skip
        out r0
    skip:
        end
    f:
        mov r6, 99
        mstore [fp], r6
        ret
    ";
    let p = asm(src);
    let proof = prover::prove(&p, &inputs(&[1000, 37]), &CpuCommitter, &mut timing()).unwrap();
    assert_eq!(proof.claim.outputs.len(), 2);
    assert_eq!(proof.claim.storage.len(), 3);
    prover::verify(&proof).unwrap();
}

#[test]
fn examples_prove_and_verify() {
    for (name, cd) in [("sqrt", vec![4_000_000_000]), ("divmod", vec![4_000_000_007, 97]), ("pow", vec![7, 1000]), ("inverse", vec![12345]), ("split", vec![u64::MAX - (1 << 32) + 1]), ("sort", vec![6, 5, 3, 9, 1, 5, 0])] {
        let p = example(name).unwrap().assemble().unwrap();
        let proof = prover::prove(&p, &inputs(&cd), &CpuCommitter, &mut timing()).unwrap();
        prover::verify(&proof).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn merkle_example_proves_and_verifies() {
    let ex = example("merkle").unwrap();
    let p = ex.assemble().unwrap();
    let cd = (ex.calldata)();
    let proof = prover::prove(&p, &Inputs { calldata: cd, ..Inputs::default() }, &CpuCommitter, &mut timing()).unwrap();
    assert_eq!(proof.claim.outputs.len(), 4);
    prover::verify(&proof).unwrap();
}

/// The claim a proof is checked against is part of what it proves.
#[test]
fn valid_proof_rejected_for_other_claims() {
    let p = example("fib").unwrap().assemble().unwrap();
    let proof = prover::prove(&p, &inputs(&[10]), &CpuCommitter, &mut timing()).unwrap();
    prover::verify(&proof).unwrap();
    let reject = |change: &dyn Fn(&mut prover::Claim)| {
        let mut bad = proof.clone();
        change(&mut bad.claim);
        assert!(prover::verify(&bad).is_err());
    };
    // another program (one immediate changed: another program hash)
    reject(&|c| c.program[2].b = vm::Operand::Imm(f(2)));
    reject(&|c| c.outputs[0] += F::ONE);
    reject(&|c| c.outputs.push(F::ONE));
    reject(&|c| c.calldata[0] = f(11));
    reject(&|c| c.initial_regs[0] = F::ONE);
    reject(&|c| c.final_regs[5] += F::ONE);
    reject(&|c| c.storage.push(prover::StorageEntry { key: F::ONE, value: F::ONE, write: true }));
}

#[test]
fn honest_forge_helper_verifies() {
    // The forging harness itself accepts an untouched trace.
    let p = asm("cdload r1, 0\n add r2, r1, 5\n out r2\n end");
    prove_forged(&p, &inputs(&[3]), |_, _| {}).unwrap();
}

#[test]
fn forged_add_result_rejected() {
    // add r2, r1, 5 claims 9 instead of 8; everything downstream is consistent with the lie
    let p = asm("cdload r1, 0\n add r2, r1, 5\n out r2\n end");
    let r = prove_forged(&p, &inputs(&[3]), |claim, t| {
        set(t, CPU, cpu::RES, 1, f(9));
        shift_from(t, CPU, reg(2), 2, F::ONE);
        set(t, CPU, cpu::B_VAL, 2, f(9));
        claim.outputs[0] = f(9);
        claim.final_regs[2] = f(9);
        set(t, OUTPUT, prover::io::OUT_VAL, 0, f(9));
    });
    assert_rejected(r, "cpu table");
}

#[test]
fn forged_jump_target_rejected() {
    // jmp 3 taken to pc 1 instead (same instructions there, so only the jump constraint breaks)
    let p = asm("jmp 3\n out 7\n end\n out 7\n end");
    let r = prove_forged(&p, &inputs(&[]), |_, t| {
        let n = rows(t) as u64;
        set(t, CPU, cpu::PC, 1, f(1));
        for i in 2..n as usize {
            set(t, CPU, cpu::PC, i, f(2));
        }
        move_rom_count(t, 3, 1, 1);
        move_rom_count(t, 4, 2, n - 2);
    });
    assert_rejected(r, "cpu table");
}

#[test]
fn skipped_instruction_rejected() {
    // mov; add r1, r1, 0; out; end with the add row removed
    let p = asm("mov r1, 5\n add r1, r1, 0\n out r1\n end");
    let r = prove_forged(&p, &inputs(&[]), |_, t| {
        let n = rows(t);
        for col in 0..cpu::NUM_COLUMNS {
            let v = &mut t[CPU][col].values;
            v.remove(1);
            let last = *v.last().unwrap();
            v.push(last);
        }
        for i in 0..n {
            set(t, CPU, cpu::CLK, i, f(i as u64));
        }
        move_rom_count(t, 1, 3, 1);
    });
    assert_rejected(r, "cpu table");
}

#[test]
fn memory_read_of_unwritten_value_rejected() {
    // mload returns 8 where 7 was stored
    let p = asm("mov r1, 7\n mstore [100], r1\n mload r2, [100]\n out r2\n end");
    let r = prove_forged(&p, &inputs(&[]), |claim, t| {
        set(t, CPU, cpu::RES, 2, f(8));
        shift_from(t, CPU, reg(2), 3, F::ONE);
        set(t, CPU, cpu::B_VAL, 3, f(8));
        claim.outputs[0] = f(8);
        claim.final_regs[2] = f(8);
        set(t, OUTPUT, prover::io::OUT_VAL, 0, f(8));
        // the memory table's read row (address 100: write at row 0, read at row 1)
        assert_eq!(get(t, MEMORY, prover::memory::ADDR, 1), f(100));
        set(t, MEMORY, prover::memory::VAL, 1, f(8));
    });
    assert_rejected(r, "memory table");
}

#[test]
fn memory_read_before_any_write_rejected() {
    // the store turned into a read: the address's first access is then a read
    let p = asm("mov r1, 7\n mstore [100], r1\n end");
    let r = prove_forged(&p, &inputs(&[]), |_, t| {
        use parallax::vm::Opcode;
        set(t, CPU, cpu::op(Opcode::Mstore), 1, F::ZERO);
        set(t, CPU, cpu::op(Opcode::Mload), 1, F::ONE);
        set(t, MEMORY, prover::memory::WRITE, 0, F::ZERO);
    });
    assert_rejected(r, "memory table");
}

#[test]
fn prophet_lie_caught_by_program_check_rejected() {
    // inv answers x + 1; mul then gives r1 * (x + 1) and the assert against 1 must fail
    let p = asm("cdload r1, 0\n prophet inv r2, r1\n mul r3, r1, r2\n assert r3, 1\n out r2\n end");
    let r = prove_forged(&p, &inputs(&[12345]), |claim, t| {
        let x = get(t, CPU, reg(2), 2);
        let lie = x + F::ONE;
        let prod = f(12345) * lie;
        shift_from(t, CPU, reg(2), 2, F::ONE);
        set(t, CPU, cpu::B_VAL, 2, lie);
        set(t, CPU, cpu::RES, 2, prod);
        shift_from(t, CPU, reg(3), 3, prod - F::ONE);
        set(t, CPU, cpu::A_VAL, 3, prod);
        set(t, CPU, cpu::B_VAL, 4, lie);
        claim.outputs[0] = lie;
        claim.final_regs[2] = lie;
        claim.final_regs[3] = prod;
        set(t, OUTPUT, prover::io::OUT_VAL, 0, lie);
    });
    assert_rejected(r, "cpu table");
}

#[test]
fn range_check_of_2_pow_32_rejected() {
    let p = asm("range r1\n end");
    let big = f(1 << 32);
    let r = prove_forged(&p, &Inputs { regs: { let mut r = Inputs::default().regs; r[1] = f(5); r }, ..inputs(&[]) }, |claim, t| {
        for i in 0..rows(t) {
            set(t, CPU, reg(1), i, big);
        }
        set(t, CPU, cpu::A_VAL, 0, big);
        claim.initial_regs[1] = big;
        claim.final_regs[1] = big;
        t[RANGE] = prover::range::generate([big].into_iter(), 0).into_iter().map(PolynomialValues::new).collect();
    });
    assert_rejected(r, "range table");
}

#[test]
fn forged_bitwise_result_rejected() {
    let p = asm("cdload r1, 0\n cdload r2, 1\n and r3, r1, r2\n out r3\n end");
    let r = prove_forged(&p, &inputs(&[12, 10]), |claim, t| {
        // 12 & 10 = 8; claim 9
        set(t, CPU, cpu::RES, 2, f(9));
        shift_from(t, CPU, reg(3), 3, F::ONE);
        set(t, CPU, cpu::B_VAL, 3, f(9));
        set(t, BITWISE, prover::bitwise::RES, 0, f(9));
        claim.outputs[0] = f(9);
        claim.final_regs[3] = f(9);
        set(t, OUTPUT, prover::io::OUT_VAL, 0, f(9));
    });
    assert_rejected(r, "bitwise table");
}

#[test]
fn forged_lt_result_rejected() {
    let p = asm("cdload r1, 0\n cdload r2, 1\n lt r3, r1, r2\n out r3\n end");
    let r = prove_forged(&p, &inputs(&[3, 5]), |claim, t| {
        // 3 < 5 claimed false: the difference a - b = p - 2 must then pass the range check
        set(t, CPU, cpu::RES, 2, F::ZERO);
        shift_from(t, CPU, reg(3), 3, F::NEG_ONE);
        set(t, CPU, cpu::B_VAL, 3, F::ZERO);
        let diff = f(3) - f(5);
        set(t, CPU, cpu::AUXV, 2, diff);
        claim.outputs[0] = F::ZERO;
        claim.final_regs[3] = F::ZERO;
        set(t, OUTPUT, prover::io::OUT_VAL, 0, F::ZERO);
        t[RANGE] = prover::range::generate([f(3), f(5), diff].into_iter(), 0).into_iter().map(PolynomialValues::new).collect();
    });
    assert_rejected(r, "range table");
}

#[test]
fn forged_call_return_address_rejected() {
    // call saves pc + 2 instead of pc + 1 (both hold `end`), and ret goes there
    let p = asm("call f, 2\n end\n end\n f: ret");
    let r = prove_forged(&p, &inputs(&[]), |_, t| {
        let n = rows(t);
        set(t, CPU, cpu::AUXV, 0, f(2));
        set(t, CPU, cpu::AUXV, 1, f(2));
        for i in 2..n {
            set(t, CPU, cpu::PC, i, f(2));
        }
        move_rom_count(t, 1, 2, n as u64 - 2);
        for i in 0..4 {
            if get(t, MEMORY, prover::memory::VAL, i) == F::ONE && get(t, MEMORY, prover::memory::REAL, i) == F::ONE {
                set(t, MEMORY, prover::memory::VAL, i, f(2));
            }
        }
    });
    assert_rejected(r, "cpu table");
}

#[test]
fn forged_ret_target_rejected() {
    // ret reads return address 1 but continues at 2
    let p = asm("call f, 2\n end\n end\n f: ret");
    let r = prove_forged(&p, &inputs(&[]), |_, t| {
        let n = rows(t);
        for i in 2..n {
            set(t, CPU, cpu::PC, i, f(2));
        }
        move_rom_count(t, 1, 2, n as u64 - 2);
    });
    assert_rejected(r, "cpu table");
}

#[test]
fn forged_storage_read_rejected() {
    let p = asm("mov r1, 5\n mov r2, 6\n sstore r1, r2\n sload r3, r1\n out r3\n end");
    let r = prove_forged(&p, &inputs(&[]), |claim, t| {
        // the trace reads 7 where the claimed log says 6
        set(t, CPU, cpu::RES, 3, f(7));
        shift_from(t, CPU, reg(3), 4, F::ONE);
        set(t, CPU, cpu::B_VAL, 4, f(7));
        claim.outputs[0] = f(7);
        claim.final_regs[3] = f(7);
        set(t, OUTPUT, prover::io::OUT_VAL, 0, f(7));
    });
    assert_rejected(r, "cross-table");
}

#[test]
fn proof_file_round_trip_and_malformed_files() {
    use parallax::prover::file::{self, FileError};
    let p = example("fib").unwrap().assemble().unwrap();
    let proof = prover::prove(&p, &inputs(&[5]), &CpuCommitter, &mut timing()).unwrap();
    let bytes = file::to_bytes(&proof);
    let back = file::from_bytes(&bytes).unwrap();
    assert_eq!(back.claim, proof.claim);
    prover::verify(&back).unwrap();

    assert_eq!(file::from_bytes(b"NOTAPROOF....").unwrap_err(), FileError::BadMagic);
    let mut v2 = bytes.clone();
    v2[8] = 9;
    assert_eq!(file::from_bytes(&v2).unwrap_err(), FileError::Version { found: 9 });
    assert!(matches!(file::block_from_bytes(&bytes).unwrap_err(), FileError::WrongKind { .. }));
    for cut in [0, 8, 12, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(file::from_bytes(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
    // Flipped bytes all over the file: a parse error or a rejected proof, never a panic or a pass.
    let step = bytes.len() / 97;
    for i in (12..bytes.len()).step_by(step) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x5a;
        if let Ok(p) = file::from_bytes(&bad) {
            assert!(prover::verify(&p).is_err(), "corruption at byte {i} accepted");
        }
    }
}

mod tables_pass_stark_testing {
    use parallax::prover::{bitwise::BitwiseStark, cpu::CpuStark, memory::MemoryStark, public::PublicStark, range::RangeStark, C, D, F};
    use starky::stark_testing::{test_stark_circuit_constraints, test_stark_low_degree};

    macro_rules! check {
        ($name:ident, $stark:expr) => {
            #[test]
            fn $name() {
                test_stark_low_degree::<F, _, D>($stark).unwrap();
                test_stark_circuit_constraints::<F, C, _, D>($stark).unwrap();
            }
        };
    }
    check!(cpu, CpuStark);
    check!(memory, MemoryStark);
    check!(range, RangeStark);
    check!(bitwise, BitwiseStark);
    check!(poseidon, parallax::prover::poseidon::PoseidonStark);
    check!(state, parallax::prover::state::StateStark);
    check!(public, PublicStark::<5>);
    check!(public7, PublicStark::<7>);
}

/// Pins the column layouts (docs/proving.md lists them): a change here must update the docs.
#[test]
fn column_layout_snapshot() {
    use parallax::prover::{bitwise, io, memory, poseidon, range, rom};
    let widths = [
        cpu::NUM_COLUMNS,
        rom::NUM_COLUMNS,
        io::CD_COLUMNS,
        io::OUT_COLUMNS,
        io::ST_COLUMNS,
        memory::NUM_COLUMNS,
        range::NUM_COLUMNS,
        bitwise::NUM_COLUMNS,
        poseidon::NUM_COLUMNS,
    ];
    assert_eq!(widths, [81, 6, 5, 4, 7, 10, 8, 68, 261]);
    assert_eq!((cpu::TX, cpu::CONTRACT, cpu::START, cpu::FAIL), (77, 78, 79, 80));
    assert_eq!((cpu::REGS, cpu::OPS, cpu::DST, cpu::SRC_A, cpu::SRC_B), (10, 20, 47, 57, 67));
    assert_eq!((poseidon::X, poseidon::CUBE, poseidon::OUT, poseidon::MULT), (12, 130, 248, 260));
    use parallax::prover::state;
    assert_eq!((state::NUM_COLUMNS, state::SLOT_COLUMNS, state::NUM_PIS), (211, 5, 8));
    assert_eq!((state::BITS, state::K2, state::OL, state::S, state::DINV), (29, 101, 171, 195, 204));
}

#[test]
fn memory_address_of_2_pow_32_rejected() {
    // mstore/mload at r3 = 2^32 + 100: the VM fails with AddressOutOfRange; the forged trace
    // keeps everything else consistent, so only the address range check can catch it
    let p = asm("cdload r3, 0\n mov r1, 7\n mstore [r3], r1\n mload r2, [r3]\n end");
    let big = f((1 << 32) + 100);
    let r = prove_forged(&p, &inputs(&[100]), |claim, t| {
        claim.calldata[0] = big;
        claim.final_regs[3] = big;
        set(t, CALLDATA, prover::io::CD_VAL, 0, big);
        set(t, CPU, cpu::RES, 0, big);
        for i in 1..rows(t) {
            set(t, CPU, reg(3), i, big);
        }
        set(t, CPU, cpu::A_VAL, 2, big);
        set(t, CPU, cpu::A_VAL, 3, big);
        for i in 0..t[MEMORY][0].len() {
            set(t, MEMORY, prover::memory::ADDR, i, big);
        }
        let diff = get(t, MEMORY, prover::memory::DIFF, 0);
        t[RANGE] = prover::range::generate([diff, big, big].into_iter(), 0).into_iter().map(PolynomialValues::new).collect();
    });
    assert_rejected(r, "range table");
}

#[test]
fn forged_failure_of_a_passing_assert_rejected() {
    // assert r1, 5 holds (r1 = 5), but the trace stops there claiming the transaction failed
    let p = asm("mov r1, 5\n assert r1, 5\n end");
    let (outcome, trace) = vm::execute_traced(&p, &inputs(&[])).unwrap();
    let claim = prover::Claim {
        program: p.instructions.clone(),
        initial_regs: Inputs::default().regs,
        final_regs: outcome.regs,
        calldata: vec![],
        outputs: vec![],
        storage: vec![],
    };
    let mut stmt = claim.statement();
    let mut t = prover::build_traces(&claim, &trace);
    stmt.txs[0].failed = true;
    set(&mut t, TXS, prover::io::TX_FAIL, 0, F::ONE);
    let n = rows(&t);
    for i in 1..n {
        for c in 0..cpu::NUM_COLUMNS {
            if c != cpu::CLK {
                let v = get(&t, CPU, c, 1);
                set(&mut t, CPU, c, i, v);
            }
        }
        set(&mut t, CPU, cpu::FAIL, i, F::ONE);
        set(&mut t, CPU, cpu::AUXV, i, F::ONE);
    }
    move_rom_count(&mut t, 2, 1, n as u64 - 2);
    let proofs = prover::system::prove_statement(&stmt, &t, &CpuCommitter, &mut timing()).unwrap();
    assert_rejected(prover::system::verify_statement(&stmt, &proofs), "cpu table");
}

mod poseidon_forgeries {
    //! `poseidon` on CPU row 2 (`cdload r0; cdload r1; poseidon; end`), its permutation in row 0
    //! of the Poseidon table. Each forgery claims another digest in r0, consistently downstream.
    use super::*;
    use parallax::prover::poseidon;

    const SRC: &str = "cdload r0, 0\ncdload r1, 1\nposeidon\nend";

    /// The digest's first word becomes `v` in the CPU rows after the instruction and the claim.
    fn forge_cpu(claim: &mut prover::Claim, t: &mut Traces, v: F) {
        let d = v - get(t, CPU, reg(0), 3);
        shift_from(t, CPU, reg(0), 3, d);
        shift_from(t, CPU, cpu::A_VAL, 3, d); // `end` reads r0 as its (unused) `a`
        claim.final_regs[0] = v;
    }

    fn run(forge: impl FnOnce(&mut prover::Claim, &mut Traces)) -> Result<(), prover::VerifyError> {
        prove_forged(&asm(SRC), &inputs(&[5, 6]), forge)
    }

    #[test]
    fn honest_run_verifies_and_uses_one_row() {
        run(|_, t| assert_eq!(get(t, POSEIDON, poseidon::MULT, 0), F::ONE)).unwrap();
    }

    #[test]
    fn digest_not_in_the_table_rejected() {
        assert_rejected(run(|c, t| forge_cpu(c, t, f(42))), "cross-table");
    }

    #[test]
    fn forged_output_column_rejected() {
        assert_rejected(
            run(|c, t| {
                forge_cpu(c, t, f(42));
                set(t, POSEIDON, poseidon::OUT, 0, f(42));
            }),
            "poseidon table",
        );
    }

    #[test]
    fn forged_sbox_input_rejected() {
        // the first partial round's S-box input: its affine form no longer holds
        let k = 4 * 12;
        assert_rejected(run(|_, t| shift_from(t, POSEIDON, poseidon::X + k, 0, F::ONE)), "poseidon table");
    }

    #[test]
    fn forged_cube_rejected() {
        assert_rejected(run(|_, t| shift_from(t, POSEIDON, poseidon::CUBE + 100, 0, F::ONE)), "poseidon table");
    }

    /// Only r0..r3 are free on a `poseidon` row: r4..r9 keep their values.
    #[test]
    fn changed_register_outside_the_digest_rejected() {
        let r = run(|c, t| {
            shift_from(t, CPU, reg(4), 3, f(7));
            c.final_regs[4] = f(7);
        });
        assert_rejected(r, "cpu table");
    }

    /// A valid row of another permutation (non-zero capacity) whose digest the CPU claims: the
    /// lookup pins the capacity words to zero.
    #[test]
    fn permutation_with_nonzero_capacity_rejected() {
        let r = run(|c, t| {
            let mut input = [F::ZERO; 12];
            input[0] = f(5);
            input[1] = f(6);
            input[11] = F::ONE;
            let cols = poseidon::generate(&[input], 32);
            for (col, values) in cols.iter().enumerate() {
                set(t, POSEIDON, col, 0, values[0]);
            }
            forge_cpu(c, t, cols[poseidon::OUT][0]);
            for r in 1..4 {
                let d = cols[poseidon::OUT + r][0] - get(t, CPU, reg(r), 3);
                shift_from(t, CPU, reg(r), 3, d);
                c.final_regs[r] = cols[poseidon::OUT + r][0];
            }
        });
        assert_rejected(r, "cross-table");
    }
}
