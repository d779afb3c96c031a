//! `parallax prove` and `parallax verify`.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use plonky2::util::timing::TimingTree;

use super::run::{load_program, parse_inputs};
use crate::chain::Block;
use crate::accel::{AccelCommitter, Backend};
use crate::prover::{self, file};
use crate::vm::isa::fmt_felt;
use crate::vm::Program;

fn hex(h: plonky2::hash::hash_types::HashOut<crate::prover::F>) -> String {
    h.elements.iter().map(|e| format!("{:016x}", e.0)).collect()
}

/// Where commitments run: `--backend` and, for `xrt`, `--xclbin`.
#[derive(Clone, Copy, Debug)]
pub struct Device<'a> {
    pub backend: Backend,
    pub xclbin: Option<&'a Path>,
}

impl Device<'_> {
    pub fn committer(self) -> anyhow::Result<AccelCommitter> {
        let device = self.backend.open_with(self.xclbin).with_context(|| format!("cannot open the {} backend", self.backend))?;
        Ok(AccelCommitter::new(device))
    }
}

/// `parallax prove BLOCK.json -o x.proof`: executes the block and proves all its transactions.
pub fn prove_block(path: &Path, out: &Path, device: Device, timings: bool) -> anyhow::Result<()> {
    let backend = device.backend;
    let block = Block::load(path).with_context(|| format!("cannot load block {}", path.display()))?;
    let committer = device.committer()?;
    let start = Instant::now();
    let mut timing = TimingTree::new("prove block", log::Level::Debug);
    // Padded to the aggregation capacity, so `parallax aggregate` takes the proof.
    let proof = prover::prove_block(&block, &prover::aggregate::BLOCK_CAPACITY, &committer, &mut timing)?;
    let secs = start.elapsed().as_secs_f64();
    let bytes = file::block_to_bytes(&proof);
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let bits = prover::recursion::degree_bits_of(&proof.proofs)?;
    print_block(&proof);
    println!(
        "proved {} transactions (2^{} CPU rows) in {secs:.2} s; {} bytes written to {}",
        proof.claim.txs.len(),
        bits[prover::tables::CPU],
        bytes.len(),
        out.display()
    );
    if bits != prover::aggregate::BLOCK_CAPACITY {
        println!(
            "note: the block exceeds the aggregation capacity (tables' degree bits {bits:?} > {:?}): the proof verifies but cannot be aggregated; split the block",
            prover::aggregate::BLOCK_CAPACITY
        );
    }
    report(&committer, backend, &timing, timings);
    Ok(())
}

/// After a proof: the accelerator's summary (or full report with `--timings`) and the time split.
fn report(committer: &AccelCommitter, backend: Backend, timing: &TimingTree, timings: bool) {
    if timings {
        print_timing(timing);
        if backend != Backend::Cpu {
            super::accel::print_report(committer);
        }
    } else if backend != Backend::Cpu {
        println!("{}", super::accel::summary(committer));
    }
}

pub fn print_block(proof: &prover::BlockProof) {
    let c = &proof.claim;
    let pis = c.public_inputs();
    println!("block hash {}", hex(pis.block_hash));
    println!("pre-state root {} (proven: every touched slot's pre-state value is under it)", hex(c.pre_root));
    println!("post-state root {} (proven: the pre-state tree with the block's writes applied)", hex(c.post_root));
    println!(
        "transactions: {} ({} failed at an assert); storage accesses: {} (log hash {})",
        c.txs.len(),
        c.failed.iter().filter(|&&f| f).count(),
        c.storage.len(),
        hex(pis.storage_hash)
    );
}

pub fn print_timing(timing: &TimingTree) {
    static LOGGER: StderrLogger = StderrLogger;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
    timing.print();
}

pub fn prove(path: &Path, input_args: &[String], out: &Path, max_steps: u64, device: Device, timings: bool) -> anyhow::Result<()> {
    if path.extension().is_some_and(|e| e == "json") {
        return prove_block(path, out, device, timings);
    }
    let backend = device.backend;
    let program = load_program(path)?;
    let inputs = parse_inputs(input_args, max_steps)?;
    let committer = device.committer()?;
    let start = Instant::now();
    let mut timing = TimingTree::new("prove", log::Level::Debug);
    let proof = prover::prove(&program, &inputs, &committer, &mut timing).map_err(|e| match e {
        prover::ProveError::Execution(e) => anyhow!("{}", program.describe_error(&e)),
        e => anyhow!("{e}"),
    })?;
    let secs = start.elapsed().as_secs_f64();
    let bytes = file::to_bytes(&proof);
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let cycles = proof.proofs[0].recover_degree_bits(&prover::stark_config());
    println!("outputs: [{}]", proof.claim.outputs.iter().map(|v| fmt_felt(*v)).collect::<Vec<_>>().join(", "));
    println!("program hash {}", hex(proof.claim.public_inputs().program_hash));
    println!("proved 2^{cycles} CPU rows in {secs:.2} s; {} bytes written to {}", bytes.len(), out.display());
    report(&committer, backend, &timing, timings);
    Ok(())
}

pub fn verify(path: &Path, program: Option<&Path>, blocks: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let any = file::read_any(&bytes).with_context(|| format!("{}", path.display()))?;
    if !blocks.is_empty() && !matches!(any, file::AnyProof::Chain(_)) {
        bail!("--blocks applies to chain proofs; {} is not one", path.display());
    }
    let proof = match any {
        file::AnyProof::Chain(f) => {
            if program.is_some() {
                bail!("--program applies to execution proofs; {} is a chain proof", path.display());
            }
            return super::chain::verify(path, f, blocks);
        }
        file::AnyProof::Execution(p) => p,
        file::AnyProof::Block(p) => {
            if program.is_some() {
                bail!("--program applies to execution proofs; {} is a block proof", path.display());
            }
            let start = Instant::now();
            prover::verify_block(&p).with_context(|| format!("{}: block proof rejected", path.display()))?;
            println!("block proof verified in {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
            print_block(&p);
            return Ok(());
        }
    };
    let pis = proof.claim.public_inputs();
    if let Some(p) = program {
        let expected: Program = load_program(p)?;
        if expected.hash() != pis.program_hash {
            bail!("the proof is for another program (hash {}, {} has {})", hex(pis.program_hash), p.display(), hex(expected.hash()));
        }
    }
    let start = Instant::now();
    prover::verify(&proof).with_context(|| format!("{}: proof rejected", path.display()))?;
    println!("proof verified in {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    println!("program hash {}", hex(pis.program_hash));
    println!("outputs: [{}]", proof.claim.outputs.iter().map(|v| fmt_felt(*v)).collect::<Vec<_>>().join(", "));
    println!("storage accesses: {} (log hash {})", proof.claim.storage.len(), hex(pis.storage_hash));
    Ok(())
}

/// Prints `log` records (the prover's `TimingTree`) to stderr.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::Level::Debug
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            eprintln!("{}", r.args());
        }
    }
    fn flush(&self) {}
}
