//! Rust-HDL simulations of the Poseidon sub-blocks (S-box, MDS layer, one partial round)
//! against plonky2, on edge and random inputs. Small counts: the Rust-HDL simulator is slow;
//! the whole core runs as emitted Verilog under Verilator in scripts/hdl-check.sh.

use parallax_hdl::field::{EDGES, NONCANONICAL_EDGES, P};
use parallax_hdl::poseidon::{bits_to_lanes, is_full_round, lanes_to_bits, Mds, PartialRound, SBox, ROUNDS, WIDTH};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::poseidon::Poseidon;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

const RESET_CYCLES: usize = 3;

fn to_f(s: &[u64; WIDTH]) -> [F; WIDTH] {
    s.map(F::from_canonical_u64)
}

fn from_f(s: [F; WIDTH]) -> [u64; WIDTH] {
    s.map(|x| x.to_canonical_u64())
}


/// Edge states (all lanes one edge value, lanes cycling through the edges, the high-half-ones
/// non-canonical values excluded: state lanes are canonical) then random ones.
fn states(n: usize, seed: u64) -> Vec<[u64; WIDTH]> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut v: Vec<[u64; WIDTH]> = EDGES.iter().map(|&e| [e; WIDTH]).collect();
    v.extend((0..EDGES.len()).map(|k| std::array::from_fn(|i| EDGES[(i + k) % EDGES.len()])));
    while v.len() < n {
        v.push(std::array::from_fn(|_| rng.gen_range(0..P)));
    }
    v.truncate(n);
    v
}

#[derive(Default)]
struct Trace<T> {
    issued: Vec<usize>,
    results: Vec<(usize, T)>,
}

/// Drives `$uut` (ports clock/reset/in_valid/`$din`/out_valid/`$dout`) with `$inputs`, a bubble
/// every 5th cycle, inputs also offered during reset (must be dropped). Returns the trace.
macro_rules! run_stream {
    ($ty:ty, $uut:expr, $latency:expr, $din:ident, $dout:ident, $inputs:expr, $to:expr, $from:expr) => {{
        let inputs = $inputs;
        let tb_inputs = inputs.clone();
        let trace = Arc::new(Mutex::new(Trace::default()));
        let tb_trace = trace.clone();
        let cycles = RESET_CYCLES + inputs.len() * 5 / 4 + 2 + $latency + 4;
        let mut sim = simple_sim!($ty, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let mut next = 0;
            for t in 0..cycles {
                wait_clock_true!(ep, clock, x);
                if x.out_valid.val() {
                    tb_trace
                        .lock()
                        .unwrap()
                        .results
                        .push((t, $from(x.$dout.val())));
                }
                x.reset.next = t < RESET_CYCLES;
                x.in_valid.next = t < RESET_CYCLES;
                if t >= RESET_CYCLES && next < tb_inputs.len() && t % 5 != 4 {
                    x.in_valid.next = true;
                    x.$din.next = $to(&tb_inputs[next]);
                    tb_trace.lock().unwrap().issued.push(t);
                    next += 1;
                }
                wait_clock_false!(ep, clock, x);
            }
            ep.done(x)
        });
        let mut uut = $uut;
        uut.connect_all();
        sim.run(Box::new(uut), (cycles as u64 + 4) * 10_000)
            .unwrap();
        let t = std::mem::take(&mut *trace.lock().unwrap());
        (inputs, t)
    }};
}

fn check<I: std::fmt::Debug, T: PartialEq + std::fmt::Debug>(
    name: &str,
    inputs: &[I],
    trace: &Trace<T>,
    latency: usize,
    want: impl Fn(&I) -> T,
) {
    assert_eq!(
        trace.issued.len(),
        inputs.len(),
        "{name}: inputs not all driven"
    );
    assert_eq!(trace.results.len(), inputs.len(), "{name}: out_valid count");
    for (n, ((x, &issued), (seen, y))) in inputs
        .iter()
        .zip(&trace.issued)
        .zip(&trace.results)
        .enumerate()
    {
        assert_eq!(*y, want(x), "{name} vector {n}: input {x:?}");
        assert_eq!(seen - issued, latency, "{name} vector {n}: latency");
    }
}

#[test]
fn sbox_matches_plonky2() {
    // x^7 of every edge (the multiplier also takes non-canonical values), then random.
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let mut xs: Vec<u64> = EDGES.iter().chain(&NONCANONICAL_EDGES).copied().collect();
    xs.extend((0..120).map(|_| rng.gen_range(0..P)));
    let (xs, trace) = run_stream!(
        SBox,
        SBox::default(),
        SBox::LATENCY,
        x,
        y,
        xs,
        |v: &u64| v.to_bits(),
        |b: Bits<64>| b.to_u64()
    );
    check("sbox", &xs, &trace, SBox::LATENCY, |&x| {
        <F as Poseidon>::sbox_monomial::<F, 1>(F::from_noncanonical_u64(x)).to_canonical_u64()
    });
}

#[test]
fn mds_matches_plonky2() {
    let round = 7; // the constants of round 7 follow the MDS
    let (ss, trace) = run_stream!(
        Mds,
        Mds::new(round),
        Mds::LATENCY,
        v,
        y,
        states(60, 22),
        lanes_to_bits,
        bits_to_lanes
    );
    check("mds", &ss, &trace, Mds::LATENCY, |s| {
        let mut x = <F as Poseidon>::mds_layer(&to_f(s));
        <F as Poseidon>::constant_layer(&mut x, round);
        from_f(x)
    });
}

#[test]
fn partial_round_matches_plonky2() {
    let round = 25; // the last partial round: its MDS adds full round 26's constants
    assert!(!is_full_round(round) && round + 1 < ROUNDS);
    let (ss, trace) = run_stream!(
        PartialRound,
        PartialRound::new(round),
        PartialRound::LATENCY,
        state_in,
        state_out,
        states(40, 23),
        lanes_to_bits,
        bits_to_lanes
    );
    check("partial round", &ss, &trace, PartialRound::LATENCY, |s| {
        let mut x = to_f(s);
        x[0] = <F as Poseidon>::sbox_monomial::<F, 1>(x[0]);
        x = <F as Poseidon>::mds_layer(&x);
        <F as Poseidon>::constant_layer(&mut x, round + 1);
        from_f(x)
    });
}
