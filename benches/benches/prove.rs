//! Proving throughput: a loop of arithmetic, memory, comparisons and bitwise ops proved at 2^14
//! and 2^16 CPU rows (VM steps per second of proving). After the timed runs it prints one
//! `TimingTree` split (trace generation, commitments = LDE + Merkle, per-table proving =
//! quotients + FRI) and the process's peak memory (VmHWM).
//!
//! `cargo bench -p parallax-benches --bench prove`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::prover::{self, CpuCommitter};
use parallax::vm::{self, assemble, Inputs};

/// 10 instructions per iteration.
const LOOP: &str = "
    cdload r1, 0
loop:
    add r2, r2, r1
    mul r3, r3, r2
    mstore [100], r3
    mload r5, [100]
    lt r6, r1, 1000
    and r7, r1, 255
    sub r1, r1, 1
    neq r4, r1, 0
    cjmp r4, loop
    out r3
    end";

fn peak_memory_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn bench_prove(c: &mut Criterion) {
    let program = assemble("loop.asm", LOOP).unwrap();
    let mut g = c.benchmark_group("prove");
    g.sample_size(10);
    for bits in [14u32, 16] {
        // fill ~95% of 2^bits rows
        let iters = ((1u64 << bits) * 95 / 100) / 10;
        let inputs = Inputs { calldata: vec![F::from_canonical_u64(iters)], ..Inputs::default() };
        let steps = vm::execute(&program, &inputs).unwrap().steps;
        g.throughput(Throughput::Elements(steps));
        g.bench_function(format!("2^{bits}"), |b| {
            b.iter(|| prover::prove(&program, &inputs, &CpuCommitter, &mut TimingTree::default()).unwrap())
        });
        let mut timing = TimingTree::new(&format!("prove 2^{bits}"), log::Level::Info);
        prover::prove(&program, &inputs, &CpuCommitter, &mut timing).unwrap();
        print_timing(&timing);
        println!("peak memory (VmHWM) after 2^{bits}: {} MB", peak_memory_kb() / 1024);
    }
    g.finish();
}

fn print_timing(timing: &TimingTree) {
    struct Stdout;
    impl log::Log for Stdout {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, r: &log::Record) {
            println!("{}", r.args());
        }
        fn flush(&self) {}
    }
    static L: Stdout = Stdout;
    if log::set_logger(&L).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    timing.print();
}

criterion_group!(benches, bench_prove);
criterion_main!(benches);
