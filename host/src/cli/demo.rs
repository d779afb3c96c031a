//! `parallax demo`: the main job on embedded defaults. It runs every example program, then
//! generates a block and executes it serially and in parallel, showing the roots agree. Later
//! stages (proofs, the accelerator) join it as they land.

use std::time::Instant;

use anyhow::{anyhow, ensure};

use super::block::{root_hex, threads_or_all};
use crate::chain::workload::{self, WorkloadParams};
use crate::chain::{execute_parallel, execute_serial};
use crate::programs::EXAMPLES;
use crate::vm::isa::fmt_felt;
use crate::vm::{self, Inputs};

pub fn demo() -> anyhow::Result<()> {
    examples()?;
    block()
}

fn examples() -> anyhow::Result<()> {
    println!("== Example programs on the VM\n");
    println!("{:<9} {:>9} {:>11}  {:<34} outputs", "program", "steps", "time", "what");
    for ex in EXAMPLES {
        let program = ex.assemble()?;
        let inputs = Inputs { calldata: (ex.calldata)(), ..Inputs::default() };
        let start = Instant::now();
        let out = vm::execute(&program, &inputs).map_err(|e| anyhow!("{}", program.describe_error(&e)))?;
        let micros = start.elapsed().as_secs_f64() * 1e6;
        let mut outs: Vec<_> = out.outputs.iter().map(|v| fmt_felt(*v)).collect();
        if outs.len() > 6 {
            let n = outs.len();
            outs.truncate(5);
            outs.push(format!("... ({n} words)"));
        }
        println!("{:<9} {:>9} {:>9.1}us  {:<34} [{}]", ex.name, out.steps, micros, ex.about, outs.join(", "));
    }
    Ok(())
}

fn block() -> anyhow::Result<()> {
    let params = WorkloadParams { txs: 20_000, accounts: 1000, contention: 0.1, seed: 1 };
    println!(
        "\n== A block of {} transactions (transfers, AMM swaps, counter; contention {}), serial vs parallel\n",
        params.txs, params.contention
    );
    let block = workload::generate(params)?;
    let start = Instant::now();
    let serial = execute_serial(&block, false);
    let t_serial = start.elapsed().as_secs_f64();
    let threads = threads_or_all(None);
    let start = Instant::now();
    let parallel = execute_parallel(&block, threads, false);
    let t_parallel = start.elapsed().as_secs_f64();
    super::block::print_outcome(&block, &serial, "serial", t_serial);
    super::block::print_outcome(&block, &parallel, &format!("parallel, {threads} threads"), t_parallel);
    ensure!(parallel.same_result(&serial), "parallel execution diverged from serial execution");
    let start = Instant::now();
    let root = serial.post_root(&block);
    let t_root = start.elapsed().as_secs_f64();
    println!(
        "\nresults equal (receipts, writes, so the post-state root {}); execution speed-up {:.2}x on {threads} threads",
        root_hex(&root),
        t_serial / t_parallel
    );
    println!("state-root update of {} written slots: {:.1} ms", serial.writes.len(), t_root * 1e3);
    Ok(())
}
