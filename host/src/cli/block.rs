//! `parallax block gen` and `parallax block exec`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Subcommand;

use crate::chain::workload::{self, WorkloadParams};
use crate::chain::{execute_parallel, execute_serial, Block, BlockOutcome, Hash};

#[derive(Subcommand, Debug)]
pub enum BlockCommand {
    /// Generate a block of token transfers, AMM swaps and counter calls.
    Gen {
        #[arg(long, default_value_t = 1000)]
        txs: usize,
        #[arg(long, default_value_t = 1000)]
        accounts: u64,
        /// Fraction of transactions that touch a few hot keys, 0 to 1.
        #[arg(long, default_value_t = 0.1)]
        contention: f64,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Generate a chain of this many blocks, each on the state the previous one leaves
        /// (block i with seed + i), written as OUTPUT with `-0`, `-1`, ... before the extension.
        #[arg(long, default_value_t = 1)]
        blocks: usize,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Execute a block and print the post-state root, receipts' tally and throughput.
    Exec {
        block: PathBuf,
        /// Worker threads of the parallel executor (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Execute serially, in block order.
        #[arg(long)]
        serial: bool,
    },
}

/// `dir/name.json` -> `dir/name-i.json`.
fn numbered(path: &std::path::Path, i: usize) -> PathBuf {
    let stem = path.file_stem().map_or_else(|| "block".into(), |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(e) => format!("{stem}-{i}.{}", e.to_string_lossy()),
        None => format!("{stem}-{i}"),
    };
    path.with_file_name(name)
}

pub fn root_hex(root: &Hash) -> String {
    root.elements.iter().map(|e| format!("{:016x}", e.0)).collect()
}

pub fn threads_or_all(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

pub fn run(cmd: BlockCommand) -> anyhow::Result<()> {
    match cmd {
        BlockCommand::Gen { txs, accounts, contention, seed, blocks, output } => {
            if !(0.0..=1.0).contains(&contention) {
                bail!("--contention must be between 0 and 1, got {contention}");
            }
            if blocks == 0 {
                bail!("--blocks must be at least 1");
            }
            let params = WorkloadParams { txs, accounts, contention, seed };
            let chain = workload::generate_chain(params, blocks)?;
            for (i, block) in chain.iter().enumerate() {
                let path = if blocks == 1 { output.clone() } else { numbered(&output, i) };
                block.save(&path).with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {} transactions over {} accounts (contention {contention}) to {}", txs, accounts, path.display());
                println!("pre-state root {}", root_hex(&block.pre_state.root()));
            }
        }
        BlockCommand::Exec { block, threads, serial } => {
            let b = Block::load(&block).with_context(|| format!("cannot load block {}", block.display()))?;
            let threads = threads_or_all(threads);
            let start = Instant::now();
            let out = if serial { execute_serial(&b, false) } else { execute_parallel(&b, threads, false) };
            let secs = start.elapsed().as_secs_f64();
            let mode = if serial { "serial".to_string() } else { format!("parallel, {threads} threads") };
            print_outcome(&b, &out, &mode, secs);
            let start = Instant::now();
            let root = out.post_root(&b);
            println!("  post-state root {} (tree update {:.1} ms)", root_hex(&root), start.elapsed().as_secs_f64() * 1e3);
        }
    }
    Ok(())
}

pub fn print_outcome(block: &Block, out: &BlockOutcome, mode: &str, secs: f64) {
    let n = block.txs.len();
    println!("executed {n} transactions ({mode}) in {:.1} ms: {:.0} tx/s", secs * 1e3, n as f64 / secs.max(1e-9));
    println!(
        "  successes {}, failures {}, executions {} (re-executions {}), validations {}, run serially {}",
        out.successes(),
        n - out.successes(),
        out.stats.executions,
        out.stats.re_executions(n),
        out.stats.validations,
        out.stats.serial_txs
    );
}
