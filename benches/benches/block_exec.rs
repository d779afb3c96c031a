//! Block execution throughput: serial against parallel execution on all cores, at contention 0,
//! 0.1, 0.5 and 1.0, in one run: the adaptive executor fresh for each block (`parallel`) and kept
//! across blocks as a node keeps it (`parallel_kept`); Block-STM forced on every chunk, a task per
//! transaction (`blockstm_tx`) and over batches of 4 (`blockstm_b4`); and the post-state root
//! update that follows any of them (the same work for all).
//!
//! `cargo bench -p parallax-benches --bench block_exec`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use parallax::chain::workload::{self, WorkloadParams};
use parallax::chain::{execute_parallel, execute_parallel_with, execute_serial, ParallelConfig, ParallelExecutor};

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
        let mut kept = ParallelExecutor::new(ParallelConfig::new(threads));
        g.bench_with_input(BenchmarkId::new(format!("parallel_kept_{threads}t"), contention), &block, |b, block| {
            b.iter(|| kept.execute(block, false))
        });
        for (name, cfg) in [
            ("blockstm_tx", ParallelConfig::block_stm(threads)),
            ("blockstm_b4", ParallelConfig { batch: 4, adaptive: false, ..ParallelConfig::new(threads) }),
        ] {
            g.bench_with_input(BenchmarkId::new(format!("{name}_{threads}t"), contention), &block, |b, block| {
                b.iter(|| execute_parallel_with(block, cfg, false))
            });
        }
        let out = execute_serial(&block, false);
        g.bench_with_input(BenchmarkId::new("root_update", contention), &block, |b, block| b.iter(|| out.post_root(block)));
    }
    g.finish();
}

criterion_group!(benches, bench_blocks);
criterion_main!(benches);
