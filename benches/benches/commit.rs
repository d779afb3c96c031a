//! Trace commitments of 2^14 x 64 columns (rate 1/2, cap height 4) three ways, side by side:
//! plonky2's `PolynomialBatch::from_values` on the host, the simulated card's fast engine (the
//! simulator's own speed; its projected card time is printed once, from the simulated cycles),
//! and the host's checks of the card's result. `parallax bench` covers 2^14..2^20 with the
//! projection (docs/benchmarks.md).

use criterion::{criterion_group, criterion_main, Criterion};
use parallax::accel::{Accelerator, SimAccelerator, SpotCheck};
use parallax::prover::F;
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Sample;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::util::timing::TimingTree;

const LOG_N: usize = 14;
const COLUMNS: usize = 64;
const RATE_BITS: usize = 1;
const CAP: usize = 4;

fn bench_commit(c: &mut Criterion) {
    let trace: Vec<PolynomialValues<F>> = (0..COLUMNS).map(|_| PolynomialValues::new(F::rand_vec(1 << LOG_N))).collect();
    let card = SimAccelerator::default();
    let committed = card.commit(&trace, RATE_BITS, CAP).expect("simulated card");
    if let Some(r) = &committed.report {
        println!("projected on the card: {:.2} ms ({} cycles at {} MHz)", r.seconds() * 1e3, r.total_cycles, r.clock_mhz);
    }
    let mut g = c.benchmark_group("commit_2^14x64");
    g.sample_size(10);
    g.bench_function("host_from_values", |b| {
        b.iter(|| PolynomialBatch::<F, parallax::prover::C, 2>::from_values(trace.clone(), RATE_BITS, false, CAP, &mut TimingTree::default(), None))
    });
    g.bench_function("sim_fast_engine", |b| b.iter(|| card.commit(&trace, RATE_BITS, CAP).expect("simulated card")));
    g.bench_function("host_checks", |b| {
        b.iter(|| SpotCheck::default().check(&trace, &committed.batch, RATE_BITS, CAP).expect("honest card"))
    });
    g.finish();
}

criterion_group!(benches, bench_commit);
criterion_main!(benches);
