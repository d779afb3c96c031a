//! Kernel cycles of one LdeAndCommit on the RTL kernel top against the card model with the
//! same cores (one NTT core, one Poseidon core), side by side (docs/benchmarks.md, "RTL kernel
//! top"): `cargo run --release -p parallax-sim --example rtl_kernel_cycles`.
//! The RTL runs with the Poseidon core's stand-in, which keeps its exact port timing
//! (`hdl/tests/poseidon_core_stand_in.rs`).

use parallax_hdl::regmap::Command;
use parallax_sim::report::{HASH, NTT};
use parallax_sim::rtl_kernel::{self, Request};
use parallax_sim::{driver, Card, CardConfig, EngineKind, F};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Field;
use rand::{Rng, SeedableRng};
use std::time::Duration;

fn main() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    println!("{:>28} {:>12} {:>12} {:>7} {:>12} {:>12}", "shape", "rtl cycles", "model", "ratio", "model ntt", "model hash");
    for (log_rows, columns, rate_bits, cap_height) in [(3, 5, 1, 1), (4, 8, 1, 0), (5, 12, 2, 2), (6, 16, 1, 2), (9, 8, 1, 0)] {
        let values: Vec<u64> = (0..columns << log_rows).map(|_| rng.gen_range(0..parallax_sim::P)).collect();
        let req = Request { command: Command::LdeAndCommit as u32, cap_height, ..Request::lde(&values, log_rows, columns, rate_bits) };
        let rtl = rtl_kernel::run(&req).expect("the RTL kernel runs");
        assert_eq!(rtl.status, 0);

        let cfg = CardConfig { ntt_cores: 1, poseidon_cores: 1, ..CardConfig::default() };
        let mut card = Card::new(cfg, EngineKind::Fast);
        let trace: Vec<PolynomialValues<F>> = values
            .chunks(1 << log_rows)
            .map(|c| PolynomialValues::new(c.iter().map(|&v| F::from_canonical_u64(v)).collect()))
            .collect();
        driver::lde_and_commit(&mut card, &trace, rate_bits as usize, cap_height as usize, Duration::from_secs(10)).expect("the model runs");
        let report = card.take_report();
        let phase = |name: &str| report.phases.iter().filter(|p| p.name == name).map(|p| p.cycles).sum::<u64>();
        let model = phase(NTT) + phase(HASH);
        let shape = format!("2^{log_rows} x {columns}, rate {rate_bits}, cap {cap_height}");
        println!(
            "{shape:>28} {:>12} {model:>12} {:>7.2} {:>12} {:>12}",
            rtl.cycles,
            rtl.cycles as f64 / model as f64,
            phase(NTT),
            phase(HASH)
        );
    }
}
