//! `parallax bench`: trace commitments (2^k rows x cols, rate 1, cap height 4) timed on this host's
//! CPU against the simulated card's projected time, side by side.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Sample;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::util::timing::TimingTree;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::accel::{cycles_of, seconds_at, COMPUTE_PHASES, TRANSFER_PHASES};
use crate::accel::{Accelerator, Backend, SimAccelerator, SpotCheck};
use crate::prover::{C, D, F};

const RATE_BITS: usize = 1;
const CAP_HEIGHT: usize = 4;
/// Bench sizes: enough leaves for the cap, and a trace this machine can hold several copies of.
const LOG_ROWS: std::ops::RangeInclusive<usize> = 4..=24;
const MAX_COLS: usize = 1024;
const MAX_LOG_WORDS: u32 = 26;

/// One size's measurements.
pub struct Row {
    pub log_rows: usize,
    pub host: f64,
    pub card: f64,
    pub compute: f64,
    pub transfer: f64,
    pub sim_wall: f64,
    pub cycles: u64,
    /// The host's spot checks of the card's result (default samples).
    pub check: f64,
    pub identical: bool,
    pub rejected: Option<String>,
}

pub fn validate(backend: Backend, min: usize, max: usize, cols: usize) -> anyhow::Result<()> {
    if backend == Backend::Cpu {
        bail!("bench compares the host with a card: use --backend sim (the simulated card, the default) or --backend xrt");
    }
    if !LOG_ROWS.contains(&min) || !LOG_ROWS.contains(&max) {
        bail!("--min-log-rows and --max-log-rows must be between {} and {}, got {min} and {max}", LOG_ROWS.start(), LOG_ROWS.end());
    }
    if min > max {
        bail!("--min-log-rows ({min}) is larger than --max-log-rows ({max})");
    }
    if cols == 0 || cols > MAX_COLS {
        bail!("--cols must be between 1 and {MAX_COLS}, got {cols}");
    }
    if ((cols as u64) << max) > 1 << MAX_LOG_WORDS {
        bail!("2^{max} rows x {cols} columns is too large to bench here (at most 2^{MAX_LOG_WORDS} trace words)");
    }
    Ok(())
}

/// `--backend` of `bench`: as for `prove`, except that `xrt` is accepted in a build without XRT
/// (which then has no card to time, and says so).
pub fn parse_backend(s: &str) -> Result<Backend, String> {
    match s {
        "xrt" => Ok(Backend::Xrt),
        _ => s.parse::<Backend>().map_err(|e| e.to_string()),
    }
}

/// Whether XRT sees a card, or why not.
fn xrt_card() -> Result<(), String> {
    use crate::accel::xrt::{self, Listing};
    match xrt::devices() {
        Listing::NotBuilt => Err("this build has no XRT support (`--features xrt`)".into()),
        Listing::LibrariesMissing(e) | Listing::Failed(e) => Err(e),
        Listing::Devices(d) if d.iter().any(|d| d.is_ok()) => Ok(()),
        Listing::Devices(_) => Err("XRT sees no usable Alveo card on this machine".into()),
    }
}

pub fn bench(backend: Backend, xclbin: Option<&Path>, min: usize, max: usize, cols: usize, plot: Option<&Path>) -> anyhow::Result<()> {
    validate(backend, min, max, cols)?;
    if let Some(path) = plot {
        // Fail before the measurements, not after.
        std::fs::File::create(path).with_context(|| format!("cannot write the plot {}", path.display()))?;
    }
    let sim = SimAccelerator::default();
    let config = sim.config();
    let real = match backend {
        Backend::Xrt => match xrt_card() {
            Ok(()) => {
                let xclbin = xclbin.ok_or_else(|| anyhow!("--backend xrt needs --xclbin FILE (the Parallax kernel's bitstream)"))?;
                Some(Backend::Xrt.open_with(Some(xclbin)).context("cannot open the xrt backend")?)
            }
            Err(why) => {
                println!("xrt: no card to time ({why}); printing the simulated card's projection instead");
                None
            }
        },
        _ => None,
    };
    let card: &dyn Accelerator = real.as_deref().unwrap_or(&sim);
    if real.is_some() {
        println!(
            "trace commitments of 2^k rows x {cols} columns, rate 1/2, cap height {CAP_HEIGHT}: host CPU ({} threads) vs the card \
             through XRT (card time: wall clock of the whole commitment, transfers included)",
            rayon::current_num_threads()
        );
    } else {
        println!(
            "trace commitments of 2^k rows x {cols} columns, rate 1/2, cap height {CAP_HEIGHT}: host CPU ({} threads) vs the simulated card \
             ({} MHz, PCIe Gen{} x{}, {} NTT and {} Poseidon cores)",
            rayon::current_num_threads(),
            config.clock_mhz,
            config.pcie.gen,
            config.pcie.lanes,
            config.ntt_cores,
            config.poseidon_cores
        );
    }
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9} {:>10} {:>12} {:>9}",
        "rows", "host s", "card s", "compute s", "transfer s", "speed-up", "check s", "sim wall s", "sim Mcyc/s", "identical"
    );
    let mut rows = vec![];
    for (i, log_rows) in (min..=max).enumerate() {
        eprintln!("bench [{}/{}]: 2^{log_rows} rows x {cols} columns ...", i + 1, max - min + 1);
        let row = measure(card, log_rows, cols)?;
        let speedup = if row.card > 0.0 { format!("{:.1}x", row.host / row.card) } else { "-".into() };
        let mcps = if row.sim_wall > 0.0 { row.cycles as f64 / row.sim_wall / 1e6 } else { 0.0 };
        println!(
            "{:>6} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>9} {:>9.4} {:>10.3} {:>12.2} {:>9}",
            format!("2^{log_rows}"),
            row.host,
            row.card,
            row.compute,
            row.transfer,
            speedup,
            row.check,
            row.sim_wall,
            mcps,
            if row.identical { "yes" } else { "NO" }
        );
        rows.push(row);
    }
    if rows.iter().all(|r| r.cycles == 0) {
        println!("(the simulator reported no cycles: the card model is not in place)");
    }
    if let Some(path) = plot {
        super::plot::draw(path, cols, &rows).with_context(|| format!("cannot write the plot {}", path.display()))?;
        println!("plot written to {}", path.display());
    }
    if let Some(r) = rows.iter().find(|r| !r.identical) {
        bail!("the simulated card's commitment of 2^{} rows differs from plonky2's", r.log_rows);
    }
    if let Some(r) = rows.iter().find(|r| r.rejected.is_some()) {
        bail!("the spot checks rejected the card's (identical) commitment of 2^{} rows: {}", r.log_rows, r.rejected.as_ref().unwrap());
    }
    Ok(())
}

/// One size on `card`: its time is the simulator's projection when it reports cycles, else the
/// wall clock (a real card).
fn measure(card: &dyn Accelerator, log_rows: usize, cols: usize) -> anyhow::Result<Row> {
    let mut rng = StdRng::seed_from_u64(log_rows as u64);
    let trace: Vec<PolynomialValues<F>> = (0..cols).map(|_| PolynomialValues::new((0..1 << log_rows).map(|_| F::sample(&mut rng)).collect())).collect();
    let start = Instant::now();
    let host = PolynomialBatch::<F, C, D>::from_values(trace.clone(), RATE_BITS, false, CAP_HEIGHT, &mut TimingTree::default(), None);
    let host_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let got = card.commit(&trace, RATE_BITS, CAP_HEIGHT).map_err(|e| anyhow!("the {} backend failed at 2^{log_rows} rows: {e}", card.name()))?;
    let sim_wall = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let rejected = SpotCheck::default().check(&trace, &got.batch, RATE_BITS, CAP_HEIGHT).err().map(|m| m.to_string());
    let check = start.elapsed().as_secs_f64();
    let projected = got.report.is_some();
    let r = got.report.unwrap_or_default();
    Ok(Row {
        log_rows,
        host: host_s,
        card: if projected { seconds_at(&r, r.total_cycles) } else { sim_wall },
        compute: seconds_at(&r, cycles_of(&r, &COMPUTE_PHASES)),
        transfer: seconds_at(&r, cycles_of(&r, &TRANSFER_PHASES)),
        sim_wall,
        cycles: r.total_cycles,
        check,
        rejected,
        identical: got.batch.polynomials == host.polynomials && got.batch.merkle_tree == host.merkle_tree,
    })
}
