//! The table of top-level designs. `emit` writes each to `bitstreams/rtl/<name>.v`,
//! `scripts/hdl-check.sh` lints/synthesises each and runs its harness against plonky2 vectors.
//!
//! To add a core: write a `fn verilog_*` (usually `top_verilog::<YourCore>()`), a vector
//! generator that computes the expected outputs with plonky2, and one [Design] line in [DESIGNS].

use crate::field::{GlAdd, GlMul, GlSub, EDGES, NONCANONICAL_EDGES, P};
use crate::harness::{HarnessSpec, Port, Vector};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use rand::rngs::StdRng;
use rand::Rng;
use rust_hdl::prelude::*;

/// One top-level design: its Verilog and how to test the emitted RTL.
pub struct Design {
    /// File stem in `bitstreams/rtl/` (and the harness's vector/testbench names).
    pub name: &'static str,
    pub summary: &'static str,
    /// The Verilog text as `generate_verilog` emits it (top module `top`).
    pub verilog: fn() -> String,
    pub harness: HarnessSpec,
}

/// Every emitted design. Later cores add one line here.
pub const DESIGNS: &[Design] = &[
    Design {
        name: "gl_mul",
        summary: "Goldilocks a*b mod p, 8-cycle pipeline, 16 16x16 tiles",
        verilog: top_verilog::<GlMul>,
        harness: binop_harness(GlMul::LATENCY, mul_vectors),
    },
    Design {
        name: "gl_add",
        summary: "Goldilocks a+b mod p, 2-cycle pipeline",
        verilog: top_verilog::<GlAdd>,
        harness: binop_harness(GlAdd::LATENCY, add_vectors),
    },
    Design {
        name: "gl_sub",
        summary: "Goldilocks a-b mod p, 2-cycle pipeline",
        verilog: top_verilog::<GlSub>,
        harness: binop_harness(GlSub::LATENCY, sub_vectors),
    },
];

/// Looks a design up by name.
pub fn find(name: &str) -> Option<&'static Design> {
    DESIGNS.iter().find(|d| d.name == name)
}

/// Verilog of a block used as the top level (module `top`).
pub fn top_verilog<T: Block + Default>() -> String {
    let mut uut = T::default();
    uut.connect_all();
    generate_verilog(&uut)
}

const BINOP_INPUTS: &[Port] = &[Port::new("a", 64), Port::new("b", 64)];
const BINOP_OUTPUTS: &[Port] = &[Port::new("y", 64)];

const fn binop_harness(latency: usize, vectors: fn(&mut StdRng, usize) -> Vec<Vector>) -> HarnessSpec {
    HarnessSpec { latency, inputs: BINOP_INPUTS, outputs: BINOP_OUTPUTS, vectors }
}

/// Operand pairs: every pair of [EDGES] first, then a mix of uniform and near-edge values.
pub fn operand_pairs(rng: &mut StdRng, count: usize) -> Vec<(u64, u64)> {
    let mut pairs: Vec<(u64, u64)> =
        EDGES.iter().flat_map(|&a| EDGES.iter().map(move |&b| (a, b))).take(count).collect();
    while pairs.len() < count {
        pairs.push((random_operand(rng), random_operand(rng)));
    }
    pairs
}

/// A canonical value: uniform 3/4 of the time, otherwise an edge value plus a small offset.
pub fn random_operand(rng: &mut StdRng) -> u64 {
    if rng.gen_ratio(3, 4) {
        rng.gen_range(0..P)
    } else {
        let base = EDGES[rng.gen_range(0..EDGES.len())];
        base.wrapping_add(rng.gen_range(0..8)).wrapping_sub(4) % P
    }
}

fn binop_vectors(rng: &mut StdRng, count: usize, op: fn(F, F) -> F) -> Vec<Vector> {
    operand_pairs(rng, count)
        .into_iter()
        .map(|(a, b)| {
            let y = op(F::from_canonical_u64(a), F::from_canonical_u64(b)).to_canonical_u64();
            Vector { inputs: vec![vec![a], vec![b]], outputs: vec![vec![y]] }
        })
        .collect()
}

/// The multiplier reduces any 128-bit product, so its vectors also cover non-canonical operands:
/// all pairs of canonical and non-canonical edges, then 1 in 8 random pairs from all of u64.
fn mul_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    let edges: Vec<u64> = EDGES.iter().chain(&NONCANONICAL_EDGES).copied().collect();
    let mut pairs: Vec<(u64, u64)> =
        edges.iter().flat_map(|&a| edges.iter().map(move |&b| (a, b))).take(count).collect();
    while pairs.len() < count {
        pairs.push(if rng.gen_ratio(1, 8) {
            (rng.gen(), rng.gen())
        } else {
            (random_operand(rng), random_operand(rng))
        });
    }
    pairs
        .into_iter()
        .map(|(a, b)| {
            let y = (F::from_noncanonical_u64(a) * F::from_noncanonical_u64(b)).to_canonical_u64();
            Vector { inputs: vec![vec![a], vec![b]], outputs: vec![vec![y]] }
        })
        .collect()
}

fn add_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    binop_vectors(rng, count, |a, b| a + b)
}

fn sub_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    binop_vectors(rng, count, |a, b| a - b)
}
