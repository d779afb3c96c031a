//! plonky2's Poseidon permutation (GoldilocksField, width 12) on the CPU: the software
//! baseline for the FPGA Poseidon core (docs/benchmarks.md, "Poseidon core"). One permutation,
//! a batch of 1,024 independent permutations on 1 thread, and the same batch split over all
//! threads (permutations per second per core and for the host).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Sample;
use plonky2::hash::poseidon::Poseidon;
use rayon::prelude::*;

const BATCH: usize = 1024;

fn states(n: usize) -> Vec<[F; 12]> {
    (0..n).map(|_| F::rand_array()).collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("poseidon_permutation");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one", |b| {
        let s = F::rand_array();
        b.iter(|| <F as Poseidon>::poseidon(std::hint::black_box(s)))
    });
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("batch_1024_1_thread", |b| {
        b.iter_batched(
            || states(BATCH),
            |v| {
                v.into_iter()
                    .map(<F as Poseidon>::poseidon)
                    .collect::<Vec<_>>()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("batch_1024_all_threads", |b| {
        b.iter_batched(
            || states(BATCH),
            |v| {
                v.into_par_iter()
                    .map(<F as Poseidon>::poseidon)
                    .collect::<Vec<_>>()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
