//! VM throughput: instructions per second on a long loop of field arithmetic and branches,
//! without a trace (the executor's fast path) and with the full trace recorded.
//!
//! `cargo bench -p parallax-benches --bench vm`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Field;

use parallax::vm::{self, assemble, Inputs};

const LOOP: &str = "
    cdload r1, 0
loop:
    add r2, r2, r1
    mul r3, r3, r2
    mov r5, r3
    sub r1, r1, 1
    neq r4, r1, 0
    cjmp r4, loop
    out r3
    end";

fn bench_vm(c: &mut Criterion) {
    let program = assemble("loop.asm", LOOP).unwrap();
    let inputs = Inputs { calldata: vec![F::from_canonical_u64(1_000_000)], ..Inputs::default() };
    let steps = vm::execute(&program, &inputs).unwrap().steps;
    let mut g = c.benchmark_group("vm");
    g.throughput(Throughput::Elements(steps));
    g.sample_size(10);
    g.bench_function("execute_no_trace", |b| b.iter(|| vm::execute(&program, &inputs).unwrap()));
    g.bench_function("execute_traced", |b| b.iter(|| vm::execute_traced(&program, &inputs).unwrap()));
    g.finish();
}

criterion_group!(benches, bench_vm);
criterion_main!(benches);
