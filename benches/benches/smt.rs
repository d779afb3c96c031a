//! State-tree root update: batches of 1,000 and 10,000 random writes (half updates of existing
//! keys, half new keys) into a tree of 100,000 keys, on 1 thread and on all threads; and one
//! Poseidon permutation for scale.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use parallax::chain::{KeyHash, Smt, F};
use plonky2::field::types::Field;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const BASE_KEYS: usize = 100_000;

fn random_slot(rng: &mut StdRng) -> KeyHash {
    KeyHash::of(
        F::from_canonical_u64(rng.gen_range(0..1000)),
        F::from_noncanonical_u64(rng.gen()),
    )
}

fn bench_update(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(42);
    let base: Vec<(KeyHash, F)> = (0..BASE_KEYS)
        .map(|i| (random_slot(&mut rng), F::from_canonical_u64(i as u64 + 1)))
        .collect();
    let t0 = std::time::Instant::now();
    let tree = Smt::from_entries(&base);
    eprintln!(
        "build from scratch ({} threads): {:.2?}",
        rayon::current_num_threads(),
        t0.elapsed()
    );
    let s = tree.stats();
    eprintln!(
        "tree: {} leaves, {} internal, mean leaf depth {:.2}, max {}, node heap {:.0} B/leaf",
        s.leaves,
        s.internal,
        s.total_leaf_depth as f64 / s.leaves as f64,
        s.max_leaf_depth,
        s.heap_bytes as f64 / s.leaves as f64
    );
    let all = rayon::current_num_threads();
    let pools = [1, all].map(|n| {
        (
            n,
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap(),
        )
    });

    let mut group = c.benchmark_group("smt_update_100k");
    group.sample_size(10);
    for batch_len in [1_000usize, 10_000] {
        let batch: Vec<(KeyHash, F)> = (0..batch_len)
            .map(|i| {
                let key = if i % 2 == 0 {
                    base[rng.gen_range(0..BASE_KEYS)].0
                } else {
                    random_slot(&mut rng)
                };
                (key, F::from_canonical_u64(rng.gen_range(1..1 << 40)))
            })
            .collect();
        let hashes = tree.clone().update(&batch);
        eprintln!(
            "batch {batch_len}: {hashes} Poseidon permutations, {:.1} per write",
            hashes as f64 / batch_len as f64
        );
        group.throughput(Throughput::Elements(batch_len as u64));
        for (threads, pool) in &pools {
            group.bench_with_input(
                BenchmarkId::new(format!("{threads}_threads"), batch_len),
                &batch,
                |b, batch| {
                    b.iter_batched(
                        || tree.clone(),
                        |mut t| {
                            pool.install(|| t.update(batch));
                            t // dropped outside the timing
                        },
                        BatchSize::LargeInput,
                    )
                },
            );
        }
    }
    group.finish();
}

/// One Poseidon permutation (`two_to_one`), the unit the update cost is made of.
fn bench_poseidon(c: &mut Criterion) {
    let a = parallax::chain::leaf_hash(&KeyHash::of(F::ONE, F::TWO), F::ONE);
    c.bench_function("poseidon_two_to_one", |b| {
        b.iter(|| parallax::chain::node_hash(std::hint::black_box(a), std::hint::black_box(a)))
    });
}

criterion_group!(benches, bench_poseidon, bench_update);
criterion_main!(benches);
