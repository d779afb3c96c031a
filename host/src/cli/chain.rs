//! `parallax prove-chain`, `parallax aggregate` and the chain-proof side of `parallax verify`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};

use super::block::root_hex;
use super::prove::Device;
use crate::chain::{execute_serial, Block, Hash};
use crate::prover::aggregate::{self, circuits, ChainProof, ChainSummary, ChainTimes, Tree};
use crate::prover::file::{self, AnyProof};
use crate::prover::BlockClaim;

fn hash_hex(elements: [crate::prover::F; 4]) -> String {
    root_hex(&Hash { elements })
}

fn load_blocks(paths: &[PathBuf]) -> anyhow::Result<Vec<Block>> {
    paths.iter().map(|p| Block::load(p).with_context(|| format!("cannot load block {}", p.display()))).collect()
}

fn write_chain(chain: &ChainProof, out: &Path) -> anyhow::Result<usize> {
    let bytes = chain.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(bytes.len())
}

pub fn print_summary(s: &ChainSummary) {
    println!("blocks: {}", s.blocks);
    println!("first pre-state root {} (proven: the first block's state transition starts there)", hash_hex(s.pre_root));
    println!("last post-state root {} (proven: each block's transition ends where the next starts)", hash_hex(s.post_root));
    println!("blocks' digest {}", hash_hex(s.digest));
}

/// Prints the stage times of a chain proof.
pub fn print_times(t: &ChainTimes, txs: usize) {
    let sum = |v: &[f64]| v.iter().fold(0.0, |a, b| a + b);
    let blocks = t.blocks.len();
    println!(
        "circuits {:.1} s (once per process); {blocks} blocks: execute + Starky proof {:.1} s, statement + leaf wrap {:.1} s \
         (CPU time summed over blocks); {} aggregation nodes {:.1} s summed ({:.1} s each on average)",
        t.circuits,
        sum(&t.blocks),
        sum(&t.leaves),
        t.nodes.len(),
        sum(&t.nodes),
        sum(&t.nodes) / t.nodes.len().max(1) as f64
    );
    let proving = t.total - t.circuits;
    println!(
        "end to end {:.1} s after the circuits: {:.3} blocks/s, {:.1} tx/s",
        proving,
        blocks as f64 / proving.max(1e-9),
        txs as f64 / proving.max(1e-9)
    );
}

/// `parallax prove-chain BLOCKS... -o chain.proof`
pub fn prove_chain(paths: &[PathBuf], out: &Path, device: Device) -> anyhow::Result<()> {
    let blocks = load_blocks(paths)?;
    let committer = device.committer()?;
    println!("proving {} blocks (building the aggregation circuits first, once per process)...", blocks.len());
    let (chain, _, times) = aggregate::prove_chain(&blocks, &committer, aggregate::Schedule::Parallel)?;
    let start = Instant::now();
    let summary = circuits().verify(&chain)?;
    let verify_ms = start.elapsed().as_secs_f64() * 1e3;
    let size = write_chain(&chain, out)?;
    print_summary(&summary);
    print_times(&times, blocks.iter().map(|b| b.txs.len()).sum());
    println!("chain proof: {size} bytes written to {}; verified in {verify_ms:.1} ms", out.display());
    Ok(())
}

/// A child of `parallax aggregate`: a block proof (wrapped into a leaf here) or a chain proof.
fn load_child(path: &Path) -> anyhow::Result<ChainProof> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    match file::read_any(&bytes).with_context(|| format!("{}", path.display()))? {
        AnyProof::Chain(f) => Ok(aggregate::decode(f).with_context(|| format!("{}", path.display()))?),
        AnyProof::Block(p) => {
            crate::prover::verify_block(&p).with_context(|| format!("{}: block proof rejected", path.display()))?;
            Ok(circuits().prove_leaf(&p).with_context(|| format!("{}", path.display()))?)
        }
        AnyProof::Execution(_) => bail!("{} is an execution proof; aggregate takes block or chain proofs", path.display()),
    }
}

/// `parallax aggregate A.proof B.proof -o AB.proof`: the chain A then B.
pub fn aggregate(left: &Path, right: &Path, out: &Path) -> anyhow::Result<()> {
    let (l, r) = (load_child(left)?, load_child(right)?);
    let start = Instant::now();
    let chain = circuits().aggregate(&l, &r)?;
    let secs = start.elapsed().as_secs_f64();
    let summary = circuits().verify(&chain)?;
    let size = write_chain(&chain, out)?;
    print_summary(&summary);
    println!("aggregated in {secs:.2} s; {size} bytes written to {}", out.display());
    Ok(())
}

/// The claims of `blocks`, executed serially (what the chain proof's digest commits to).
fn claims_of(blocks: &[Block]) -> anyhow::Result<Vec<BlockClaim>> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, b)| crate::prover::block::block_claim(b, &execute_serial(b, true)).with_context(|| format!("block {i}")))
        .collect()
}

/// `parallax verify chain.proof [--blocks ...]`.
pub fn verify(path: &Path, f: file::ChainFile, blocks: &[PathBuf]) -> anyhow::Result<()> {
    let tree_blocks = f.tree.blocks();
    let chain = aggregate::decode(f).with_context(|| format!("{}", path.display()))?;
    let start = Instant::now();
    let summary = circuits().verify(&chain).with_context(|| format!("{}: chain proof rejected", path.display()))?;
    println!("chain proof verified in {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    print_summary(&summary);
    if blocks.is_empty() {
        println!("(give the blocks with --blocks to check that the proof covers them)");
    } else {
        let claims = claims_of(&load_blocks(blocks)?)?;
        aggregate::verify_blocks(&chain, &claims).with_context(|| format!("{}", path.display()))?;
        println!("the proof covers the {tree_blocks} given blocks, in order");
    }
    if chain.tree != Tree::Leaf {
        println!("aggregation tree depth {}", depth(&chain.tree));
    }
    Ok(())
}

fn depth(t: &Tree) -> usize {
    match t {
        Tree::Leaf => 0,
        Tree::Node(l, r) => 1 + depth(l).max(depth(r)),
    }
}

/// `parallax bench-chain`: the whole pipeline (execute, prove, aggregate) for chains of each
/// length in `counts`, blocks proven at once against one after another, in one run.
pub fn bench(counts: &[usize], txs: usize) -> anyhow::Result<()> {
    use crate::chain::workload::{self, WorkloadParams};
    use crate::prover::{aggregate::Schedule, CpuCommitter};
    if counts.is_empty() || counts.iter().any(|&n| n == 0 || n > 64) {
        bail!("--blocks takes chain lengths between 1 and 64");
    }
    if txs == 0 {
        bail!("--txs must be at least 1");
    }
    let start = Instant::now();
    let c = circuits();
    println!(
        "circuits built in {:.1} s (statement 2^{} rows, leaf and node 2^{} rows); blocks of {txs} transactions, CPU commitments",
        start.elapsed().as_secs_f64(),
        c.statement.data.common.degree_bits(),
        c.degree_bits()
    );
    println!(
        "{:>6} {:>11} {:>11} {:>9} {:>9} {:>9} {:>10} {:>9} {:>10}",
        "blocks", "parallel s", "one-by-one", "ratio", "blocks/s", "tx/s", "aggregate", "node s", "verify ms"
    );
    for &n in counts {
        let blocks = workload::generate_chain(WorkloadParams { txs, accounts: 64, contention: 0.2, seed: 9 }, n)?;
        let (chain, _, par) = aggregate::prove_chain(&blocks, &CpuCommitter, Schedule::Parallel)?;
        let (_, _, seq) = aggregate::prove_chain(&blocks, &CpuCommitter, Schedule::Sequential)?;
        let t = Instant::now();
        c.verify(&chain)?;
        let verify_ms = t.elapsed().as_secs_f64() * 1e3;
        let nodes: f64 = seq.nodes.iter().fold(0.0, |a, b| a + b);
        let (share, node) = match seq.nodes.len() {
            0 => ("-".to_string(), "-".to_string()),
            k => (format!("{:.1}%", 100.0 * nodes / seq.total), format!("{:.2}", nodes / k as f64)),
        };
        println!(
            "{n:>6} {:>11.1} {:>11.1} {:>8.2}x {:>9.3} {:>9.1} {share:>10} {node:>9} {verify_ms:>10.1}",
            par.total,
            seq.total,
            seq.total / par.total,
            n as f64 / par.total,
            (n * txs) as f64 / par.total,
        );
        if n == *counts.last().unwrap_or(&n) {
            println!("final proof: {} bytes (plonky2 proof {} bytes)", chain.to_bytes().len(), chain.proof.to_bytes().len());
        }
    }
    println!("(aggregate: the nodes' share of the one-by-one run; node s: one node's proof, one by one)");
    Ok(())
}
