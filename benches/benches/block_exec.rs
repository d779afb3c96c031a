//! Block execution throughput: serial against Block-STM parallel execution on all cores, at
//! contention 0, 0.1, 0.5 and 1.0, in one run; and the post-state root update that follows
//! either (the same work for both).
//!
//! `cargo bench -p parallax-benches --bench block_exec`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use parallax::chain::workload::{self, WorkloadParams};
use parallax::chain::{execute_parallel, execute_serial};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_blocks(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut g = c.benchmark_group("block_exec");
    g.sample_size(10);
    for contention in [0.0, 0.1, 0.5, 1.0] {
        let threads = if std::env::var_os("PARALLAX_BENCH_ONE_THREAD").is_some() { 1 } else { threads };
        let block = workload::generate(WorkloadParams { txs: 20_000, accounts: 1000, contention, seed: 1 }).unwrap();
        g.throughput(Throughput::Elements(block.txs.len() as u64));
        g.bench_with_input(BenchmarkId::new("serial", contention), &block, |b, block| b.iter(|| execute_serial(block, false)));
        g.bench_with_input(BenchmarkId::new(format!("parallel_{threads}t"), contention), &block, |b, block| {
            b.iter(|| execute_parallel(block, threads, false))
        });
        let out = execute_serial(&block, false);
        g.bench_with_input(BenchmarkId::new("root_update", contention), &block, |b, block| b.iter(|| out.post_root(block)));
    }
    g.finish();
}

criterion_group!(benches, bench_blocks);
criterion_main!(benches);
