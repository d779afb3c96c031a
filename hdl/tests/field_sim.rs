//! Rust-HDL simulations of the Goldilocks units against plonky2. Kept to a few hundred vectors:
//! the Rust-HDL simulator is slow (the emitted Verilog is run with thousands of vectors by
//! scripts/hdl-check.sh).

use parallax_hdl::field::{GlAdd, GlMul, GlSub, EDGES, NONCANONICAL_EDGES, P};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

/// Cycles the testbench holds `reset` high while also driving `in_valid` high: those inputs
/// must never produce an `out_valid`.
const RESET_CYCLES: usize = 3;

/// Every pair of edge values, then uniform random canonical pairs, `n` in all.
fn operands(n: usize, seed: u64) -> Vec<(u64, u64)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut v: Vec<_> = EDGES
        .iter()
        .flat_map(|&a| EDGES.iter().map(move |&b| (a, b)))
        .collect();
    while v.len() < n {
        v.push((rng.gen_range(0..P), rng.gen_range(0..P)));
    }
    v.truncate(n);
    v
}

/// What the testbench saw: for each `out_valid`, the loop iteration and `y`; and for each
/// accepted input, the iteration it was driven in.
#[derive(Default)]
struct Trace {
    issued: Vec<usize>,
    results: Vec<(usize, u64)>,
}

/// Drives `$ty` with `ops` (one-cycle bubble every 7th cycle) and returns the trace.
macro_rules! run_binop {
    ($ty:ty, $ops:expr) => {{
        let ops: Vec<(u64, u64)> = $ops;
        let trace = Arc::new(Mutex::new(Trace::default()));
        let tb_trace = trace.clone();
        // One bubble per 7 cycles: n inputs take n * 7 / 6 cycles, rounded up.
        let cycles = RESET_CYCLES + ops.len() * 7 / 6 + 1 + <$ty>::LATENCY + 8;
        let mut sim = simple_sim!($ty, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let mut next = 0;
            for t in 0..cycles {
                wait_clock_true!(ep, clock, x);
                // Sample right after the rising edge: outputs of the register stage.
                if x.out_valid.val() {
                    tb_trace
                        .lock()
                        .unwrap()
                        .results
                        .push((t, x.y.val().to_u64()));
                }
                // Drive inputs for the next edge.
                x.reset.next = t < RESET_CYCLES;
                x.in_valid.next = false;
                if t < RESET_CYCLES {
                    x.in_valid.next = true; // dropped by reset
                } else if next < ops.len() && t % 7 != 6 {
                    x.in_valid.next = true;
                    x.a.next = ops[next].0.to_bits();
                    x.b.next = ops[next].1.to_bits();
                    tb_trace.lock().unwrap().issued.push(t);
                    next += 1;
                }
                wait_clock_false!(ep, clock, x);
            }
            ep.done(x)
        });
        let mut uut = <$ty>::default();
        uut.connect_all();
        sim.run(Box::new(uut), (cycles as u64 + 4) * 10_000)
            .unwrap();
        let t = std::mem::take(&mut *trace.lock().unwrap());
        t
    }};
}

/// Checks outputs bit-exactly against `reference`, and that each result comes exactly `latency`
/// cycles after its input with no extra or missing valid.
fn check(name: &str, ops: &[(u64, u64)], trace: &Trace, latency: usize, reference: fn(F, F) -> F) {
    assert_eq!(
        trace.issued.len(),
        ops.len(),
        "{name}: not all inputs were driven"
    );
    assert_eq!(
        trace.results.len(),
        ops.len(),
        "{name}: out_valid count != in_valid count"
    );
    for (n, ((&(a, b), &issued), &(seen, y))) in ops
        .iter()
        .zip(&trace.issued)
        .zip(&trace.results)
        .enumerate()
    {
        let want =
            reference(F::from_noncanonical_u64(a), F::from_noncanonical_u64(b)).to_canonical_u64();
        assert_eq!(y, want, "{name} vector {n}: a={a:#x} b={b:#x}");
        assert_eq!(seen - issued, latency, "{name} vector {n}: latency");
    }
}

#[test]
fn gl_add_matches_plonky2() {
    let ops = operands(300, 1);
    let trace = run_binop!(GlAdd, ops.clone());
    check("gl_add", &ops, &trace, GlAdd::LATENCY, |a, b| a + b);
}

#[test]
fn gl_sub_matches_plonky2() {
    let ops = operands(300, 2);
    let trace = run_binop!(GlSub, ops.clone());
    check("gl_sub", &ops, &trace, GlSub::LATENCY, |a, b| a - b);
}

#[test]
fn gl_mul_matches_plonky2() {
    // The multiplier also accepts non-canonical operands (high 32 bits all ones, p, p + 1).
    let mut ops: Vec<(u64, u64)> = NONCANONICAL_EDGES
        .iter()
        .flat_map(|&a| {
            EDGES
                .iter()
                .chain(&NONCANONICAL_EDGES)
                .map(move |&b| (a, b))
        })
        .collect();
    ops.extend(operands(300 - ops.len(), 3));
    let trace = run_binop!(GlMul, ops.clone());
    check("gl_mul", &ops, &trace, GlMul::LATENCY, |a, b| a * b);
}
