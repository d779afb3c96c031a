//! plonky2's low-degree extension of a 2^18 x 64-column trace (rate_bits 1) on this machine,
//! beside the NTT accelerator's projection for the same work (`parallax_hdl::ntt::four_step::
//! Projection::C1100`, see docs/benchmarks.md "NTT core"). The measured work is what
//! `PolynomialBatch::from_values` does before hashing: `ifft` of every column, zero-padding and
//! the coset FFT (`lde_values`), with a precomputed root table as plonky2's provers use.

use criterion::{criterion_group, criterion_main, Criterion};
use parallax_hdl::ntt::four_step::Projection;
use parallax_hdl::ntt::NttConfig;
use plonky2::field::fft::fft_root_table;
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, Sample};
use rayon::prelude::*;

const LOG_N: usize = 18;
const COLUMNS: usize = 64;
const RATE_BITS: usize = 1;

fn plonky2_lde(trace: &[PolynomialValues<F>], table: &[Vec<F>]) -> Vec<Vec<F>> {
    trace
        .par_iter()
        .map(|v| {
            v.clone()
                .ifft()
                .lde(RATE_BITS)
                .coset_fft_with_options(F::coset_shift(), Some(RATE_BITS), Some(&table.to_vec()))
                .values
        })
        .collect()
}

fn bench_lde(c: &mut Criterion) {
    let trace: Vec<PolynomialValues<F>> = (0..COLUMNS)
        .map(|_| PolynomialValues::new(F::rand_vec(1 << LOG_N)))
        .collect();
    let table = fft_root_table::<F>(1 << (LOG_N + RATE_BITS));

    let t0 = std::time::Instant::now();
    let reps = 3;
    for _ in 0..reps {
        std::hint::black_box(plonky2_lde(&trace, &table));
    }
    let cpu = t0.elapsed().as_secs_f64() / reps as f64;
    let p = Projection::C1100;
    let fpga = p.lde_s(LOG_N, RATE_BITS, COLUMNS);
    let card = p.on_card_s(NttConfig::inverse(LOG_N), COLUMNS)
        + p.on_card_s(NttConfig::lde(LOG_N, RATE_BITS), COLUMNS);
    eprintln!(
        "plonky2 LDE 2^{LOG_N} x {COLUMNS} (rate_bits {RATE_BITS}) on {} threads: {:.1} ms",
        rayon::current_num_threads(),
        cpu * 1e3
    );
    eprintln!(
        "projected accelerator ({} cores, {} DSPs, {:.0} MHz): {:.2} ms on card + PCIe = {:.1} ms, {:.0}x",
        p.cores,
        p.dsps(),
        p.clock_hz / 1e6,
        card * 1e3,
        fpga * 1e3,
        cpu / fpga
    );
    eprintln!(
        "projected 2^24 NTT: {:.2} ms (compute {:.2} ms, memory {:.2} ms)",
        p.on_card_s(NttConfig::forward(24), 1) * 1e3,
        p.compute_s(NttConfig::forward(24), 1) * 1e3,
        Projection::mem_bytes(NttConfig::forward(24)) / p.mem_bytes_per_s * 1e3
    );

    let mut g = c.benchmark_group("lde");
    g.sample_size(10);
    g.bench_function("plonky2_2^18x64_rate1", |b| {
        b.iter(|| plonky2_lde(&trace, &table))
    });
    g.finish();
}

criterion_group!(benches, bench_lde);
criterion_main!(benches);
