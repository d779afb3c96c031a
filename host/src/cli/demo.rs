//! `parallax demo`: the main job on embedded defaults. It runs every example program, then
//! generates a block and executes it serially and in parallel, showing the roots agree, and proves
//! a block with its trace commitments on the simulated accelerator card, verified by the unmodified
//! verifier.

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
    block()?;
    block_proof()?;
    chain_proof()
}

/// Proves a chain of blocks in parallel and aggregates the block proofs into one chain proof.
fn chain_proof() -> anyhow::Result<()> {
    use crate::prover::{aggregate, CpuCommitter};
    let (n, params) = (3, WorkloadParams { txs: 32, accounts: 16, contention: 0.2, seed: 5 });
    println!(
        "\n== A chain of {n} blocks of {} transactions, proven in parallel and aggregated into one proof (Plonky2 recursion)\n",
        params.txs
    );
    let blocks = workload::generate_chain(params, n)?;
    let (chain, claims, times) = aggregate::prove_chain(&blocks, &CpuCommitter, aggregate::Schedule::Parallel)?;
    let t0 = Instant::now();
    let summary = aggregate::circuits().verify(&chain)?;
    let t_verify = t0.elapsed().as_secs_f64();
    aggregate::verify_blocks(&chain, &claims)?;
    super::chain::print_summary(&summary);
    super::chain::print_times(&times, n * params.txs);
    println!(
        "chain proof {} KB, verified in {:.1} ms; it commits to the {n} blocks' statements (checked against the blocks)",
        chain.to_bytes().len() / 1024,
        t_verify * 1e3
    );
    Ok(())
}

/// Proves a small block (the proof covers every transaction) with the trace commitments on the
/// simulated card, and verifies it, with the time split.
fn block_proof() -> anyhow::Result<()> {
    use plonky2::util::timing::TimingTree;

    use crate::accel::{AccelCommitter, Backend};
    use crate::prover::{self, system, CpuCommitter, TraceCommitter};
    let params = WorkloadParams { txs: 64, accounts: 16, contention: 0.2, seed: 3 };
    println!("\n== A proof of a block of {} transactions (one proof for all of them; trace commitments on the simulated accelerator card)\n", params.txs);
    let block = workload::generate(params)?;
    let mut timing = TimingTree::default();
    let t0 = Instant::now();
    // Executed by the parallel executor, whose traces are serial execution's (chain tests).
    let outcome = execute_parallel(&block, threads_or_all(None), true);
    let claim = prover::block::block_claim(&block, &outcome)?;
    let t_exec = t0.elapsed().as_secs_f64();
    let stmt = claim.statement();
    let t0 = Instant::now();
    let traces: Vec<_> = outcome.traces.iter().collect();
    let (paths, _) = prover::block::slot_proofs(&block, &stmt.slots);
    let tables = system::build_statement_traces(&stmt, &traces, &paths, &system::NATURAL)?;
    let t_gen = t0.elapsed().as_secs_f64();
    let committer = AccelCommitter::new(Backend::Sim.open()?);
    let t0 = Instant::now();
    let proofs = system::prove_statement(&stmt, &tables, &committer, &mut timing)?;
    let t_prove = t0.elapsed().as_secs_f64();
    // The same commitments on this host's CPU, for the comparison.
    let config = prover::stark_config();
    let t0 = Instant::now();
    for t in &tables {
        CpuCommitter.commit(t, config.fri_config.rate_bits, config.fri_config.cap_height, &mut TimingTree::default());
    }
    let t_host = t0.elapsed().as_secs_f64();
    let proof = prover::BlockProof { claim, proofs };
    let t0 = Instant::now();
    prover::verify_block(&proof)?;
    let t_verify = t0.elapsed().as_secs_f64();
    let rows = tables[0][0].len();
    let steps: usize = outcome.traces.iter().map(|t| t.len()).sum();
    super::prove::print_block(&proof);
    println!(
        "{steps} VM steps in {rows} CPU rows; execution + claim (roots) {:.0} ms, trace generation {:.0} ms, \
         proving (LDE, Merkle, quotients, FRI) {:.2} s, verification {:.0} ms; proof {} KB",
        t_exec * 1e3,
        t_gen * 1e3,
        t_prove,
        t_verify * 1e3,
        crate::prover::file::block_to_bytes(&proof).len() / 1024
    );
    let stats = committer.stats();
    let host = format!("{:.0} ms on this host's CPU", t_host * 1e3);
    let card = if stats.report.total_cycles > 0 {
        format!(
            "projected {:.2} ms on the card at {} MHz against {host} ({:.1}x)",
            stats.projected_seconds * 1e3,
            stats.report.clock_mhz,
            t_host / stats.projected_seconds
        )
    } else {
        format!("no simulated cycles reported (the card model is not in place); {host}")
    };
    println!(
        "trace commitments: {} on the simulated card ({} fallbacks to the CPU, spot checks {:.1} ms, simulator wall time {:.2} s): {card}",
        stats.commitments,
        stats.fallbacks,
        stats.check_seconds * 1e3,
        stats.device_seconds
    );
    println!("the proof verifies with the unmodified verifier");
    println!("(the proof covers the state transition too: the post-state root is the pre-state tree with the block's writes applied)");
    Ok(())
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
