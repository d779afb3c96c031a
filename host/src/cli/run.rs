//! `parallax run` and `parallax asm`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use plonky2::field::goldilocks_field::GoldilocksField as F;

use crate::vm::asm::{parse_reg, parse_word};
use crate::vm::isa::{fmt_felt, reg_name};
use crate::vm::profile::{PcCounter, Profile};
use crate::vm::{self, assemble, Honest, Inputs, MapStorage, Program, Trace, NUM_REGS};

pub fn load_program(path: &Path) -> anyhow::Result<Program> {
    let source =
        std::fs::read_to_string(path).with_context(|| format!("cannot read program {}", path.display()))?;
    Ok(assemble(&path.display().to_string(), &source)?)
}

/// Parses `--input` values into the initial state.
pub fn parse_inputs(args: &[String], max_steps: u64) -> anyhow::Result<Inputs> {
    let mut inputs = Inputs { max_steps, ..Inputs::default() };
    for arg in args {
        let (key, value) = arg.split_once('=').ok_or_else(|| anyhow!("--input `{arg}` is not KEY=VALUE"))?;
        let word = |s: &str| parse_word(s).map_err(|e| anyhow!("--input `{arg}`: {e}"));
        if key == "calldata" {
            inputs.calldata =
                value.split(',').filter(|s| !s.trim().is_empty()).map(word).collect::<Result<_, _>>()?;
        } else if let Some(r) = parse_reg(key) {
            inputs.regs[r as usize] = word(value)?;
        } else {
            bail!("--input `{arg}`: unknown key `{key}` (use r0..r9, fp or calldata)");
        }
    }
    Ok(inputs)
}

fn fmt_regs(regs: &[F; NUM_REGS]) -> String {
    regs.iter().enumerate().map(|(i, v)| format!("{}={}", reg_name(i as u8), fmt_felt(*v))).collect::<Vec<_>>().join(" ")
}

pub fn run(
    path: &Path,
    input_args: &[String],
    trace_path: Option<&Path>,
    max_steps: u64,
    profile: bool,
) -> anyhow::Result<()> {
    let program = load_program(path)?;
    let inputs = parse_inputs(input_args, max_steps)?;
    let fail = |e: vm::ExecError| anyhow!("{}", program.describe_error(&e));
    let start = Instant::now();
    let (outcome, extra) = if let Some(tp) = trace_path {
        let (outcome, trace) = vm::execute_traced(&program, &inputs).map_err(fail)?;
        write_trace_csv(tp, &program, &trace)?;
        (outcome, format!("trace: {} rows written to {}\n", trace.len(), tp.display()))
    } else if profile {
        let mut counter = PcCounter::new(&program);
        let outcome = vm::run(&program, &inputs, &mut counter, &mut Honest, &mut MapStorage::default()).map_err(fail)?;
        (outcome, Profile::from_counts(&program, &counter).render())
    } else {
        (vm::execute(&program, &inputs).map_err(fail)?, String::new())
    };
    let secs = start.elapsed().as_secs_f64();
    let outs: Vec<_> = outcome.outputs.iter().map(|v| fmt_felt(*v)).collect();
    println!("outputs: [{}]", outs.join(", "));
    println!("registers: {}", fmt_regs(&outcome.regs));
    println!(
        "steps: {}  time: {:.3} ms  ({:.1} M steps/s)",
        outcome.steps,
        secs * 1e3,
        outcome.steps as f64 / secs.max(1e-9) / 1e6
    );
    print!("{extra}");
    Ok(())
}

/// CSV: `step,pc,instruction,r0..r9,accesses`, accesses as `mw@addr=v` / `mr@...` / `sw@key=v` / `sr@...`.
fn write_trace_csv(path: &Path, program: &Program, trace: &Trace) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let regs: Vec<_> = (0..NUM_REGS as u8).map(reg_name).collect();
    writeln!(w, "step,pc,instruction,{},accesses", regs.join(","))?;
    let (mut m, mut s) = (trace.mem.iter().peekable(), trace.storage.iter().peekable());
    for (step, row) in trace.rows().enumerate() {
        let mut acc = String::new();
        while let Some(a) = m.next_if(|a| a.step as usize == step) {
            let _ = write!(acc, "{}m{}@{}={}", if acc.is_empty() { "" } else { ";" }, if a.write { 'w' } else { 'r' }, a.addr, fmt_felt(a.value));
        }
        while let Some(a) = s.next_if(|a| a.step as usize == step) {
            let _ = write!(acc, "{}s{}@{}={}", if acc.is_empty() { "" } else { ";" }, if a.write { 'w' } else { 'r' }, fmt_felt(a.key), fmt_felt(a.value));
        }
        let vals: Vec<_> = row.regs.iter().map(|v| fmt_felt(*v)).collect();
        writeln!(w, "{step},{},\"{}\",{},{acc}", row.pc, program.instructions[row.pc as usize], vals.join(","))?;
    }
    w.flush()?;
    Ok(())
}

pub fn asm(path: &Path) -> anyhow::Result<()> {
    let program = load_program(path)?;
    println!("{:>5}  {:<18} {:<20}  instruction", "pc", "word0", "word1 (imm)");
    for (pc, ins) in program.instructions.iter().enumerate() {
        for (name, &at) in &program.labels {
            if at as usize == pc {
                println!("{name}:");
            }
        }
        let [w0, w1] = ins.encode();
        println!("{pc:>5}  {:#018x} {:<20}  {ins}", w0.0, fmt_felt(w1));
    }
    let h = program.hash();
    let hash: Vec<_> = h.elements.iter().map(|e| format!("{:016x}", e.0)).collect();
    println!("{} instructions, program hash {}", program.len(), hash.join(""));
    Ok(())
}
