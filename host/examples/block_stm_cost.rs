//! What Block-STM costs against serial execution on one generated block, with the executor
//! forced into one configuration (no adaptive fallback): the probe behind `docs/parallel.md`,
//! "Performance". Not a benchmark (`benches/benches/block_exec.rs` is); a quick look at a
//! configuration.
//!
//! `cargo run --release -p parallax --example block_stm_cost -- CONTENTION CHUNK BATCH THREADS`
//! e.g. `-- 0 4096 4 1`: contention 0, chunks of 4,096, batches of 4, one thread.

use std::time::Instant;

use parallax::chain::workload::{self, WorkloadParams};
use parallax::chain::{execute_parallel_with, execute_serial, ParallelConfig};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REPS: u32 = 20;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).map_or(default, |s| s.as_str()).to_string();
    let (contention, chunk, batch, threads) = match (arg(0, "0").parse(), arg(1, "4096").parse(), arg(2, "4").parse(), arg(3, "1").parse()) {
        (Ok(c), Ok(k), Ok(b), Ok(t)) => (c, k, b, t),
        _ => {
            eprintln!("usage: block_stm_cost CONTENTION CHUNK BATCH THREADS (numbers)");
            std::process::exit(2);
        }
    };
    let block = match workload::generate(WorkloadParams { txs: 20_000, accounts: 1000, contention, seed: 1 }) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let cfg = ParallelConfig { threads, chunk, batch, adaptive: false };
    let time = |f: &dyn Fn()| {
        let clock = Instant::now();
        for _ in 0..REPS {
            f();
        }
        clock.elapsed().as_secs_f64() / REPS as f64
    };
    let serial = time(&|| drop(execute_serial(&block, false)));
    let forced = time(&|| drop(execute_parallel_with(&block, cfg, false)));
    let stats = execute_parallel_with(&block, cfg, false).stats;
    println!(
        "{} txs: serial {:.2} ms, Block-STM {cfg:?} {:.2} ms = {:.2}x serial's time; {} executions, {} validations",
        block.txs.len(),
        serial * 1e3,
        forced * 1e3,
        forced / serial,
        stats.executions,
        stats.validations
    );
}
