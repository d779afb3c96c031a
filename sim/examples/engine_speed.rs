//! Simulated cycles per second of each engine (docs/benchmarks.md, "Card simulator"):
//! `cargo run --release -p parallax-sim --example engine_speed [LOG_ROWS]`.
//! RTL: NTT jobs on the Rust-HDL NTT core, one tree level on the Rust-HDL Poseidon core. Fast:
//! the timing model alone, and a whole "LDE and commit" of 2^LOG_ROWS x 64 (timing and data).

use std::time::Instant;

use parallax_hdl::ntt::{random_input, NttConfig};
use parallax_sim::engine::fast::merkle_timing;
use parallax_sim::engine::{rtl::Rtl, Engine};
use parallax_sim::merkle::Schedule;
use parallax_sim::{Card, CardConfig, EngineKind, F};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Field;
use rand::SeedableRng;

fn main() {
    let log_rows: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(16);
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let rtl = Rtl::new(None).expect("RTL engine");

    let (mut cycles, t) = (0, Instant::now());
    for cfg in [NttConfig::inverse(8), NttConfig::lde(8, 1), NttConfig::inverse(9), NttConfig::lde(9, 1)] {
        cycles += rtl.ntt(&cfg, &random_input(&mut rng, cfg.n_in())).expect("NTT").1;
    }
    let s = t.elapsed().as_secs_f64();
    println!("rtl  NTT core      {cycles:>12} cycles in {s:>7.2} s: {:>12.0} cycles/s", cycles as f64 / s);

    let sched = Schedule { leaves: 4, leaf_len: 2, cap_height: 0 };
    let t = Instant::now();
    let out = rtl.merkle(&sched, &random_input(&mut rng, 8), 1).expect("Merkle");
    let s = t.elapsed().as_secs_f64();
    println!("rtl  Poseidon core {:>12} cycles in {s:>7.2} s: {:>12.0} cycles/s", out.timing.cycles, out.timing.cycles as f64 / s);

    let cols = 64;
    let sched = Schedule { leaves: 1 << (log_rows + 1), leaf_len: cols, cap_height: 4 };
    let t = Instant::now();
    let timing = merkle_timing(&sched, 1);
    let s = t.elapsed().as_secs_f64();
    println!("fast Merkle timing {:>12} cycles in {s:>7.2} s: {:>12.0} cycles/s (2^{} leaves x {cols}, timing only)", timing.cycles, timing.cycles as f64 / s, log_rows + 1);

    let trace: Vec<_> = (0..cols)
        .map(|_| PolynomialValues::new(random_input(&mut rng, 1 << log_rows).into_iter().map(F::from_canonical_u64).collect()))
        .collect();
    let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
    let t = Instant::now();
    let c = card.lde_and_commit(&trace, 1, 4).expect("commit");
    let s = t.elapsed().as_secs_f64();
    println!(
        "fast card         {:>12} cycles in {s:>7.2} s: {:>12.0} cycles/s (2^{log_rows} x {cols}, rate 1: timing and data)",
        c.report.total_cycles,
        c.report.total_cycles as f64 / s
    );
}
