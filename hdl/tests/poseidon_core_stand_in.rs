//! The Poseidon core's simulation stand-in (`PoseidonCore::stand_in`) against the real
//! 842-stage pipeline in Rust-HDL: fed the same inputs under the same back-pressure, the two
//! must show the same ports in every cycle (in_ready, out_valid, the output state), so that
//! kernel simulations using the stand-in see the core's exact timing. The stand-in computes
//! plonky2's permutation, so this is also the real core's Rust-HDL test against plonky2 (random
//! and edge-valued lanes, random back-pressure: no output lost, duplicated or reordered).

use parallax_hdl::field::EDGES;
use parallax_hdl::poseidon::{lanes_to_bits, PoseidonCore, WIDTH};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

fn settle(u: &mut PoseidonCore) {
    for _ in 0..10_000 {
        u.update_all();
        if !u.has_changed() {
            return;
        }
    }
    panic!("the logic did not settle");
}

fn edge(u: &mut PoseidonCore) {
    settle(u);
    u.clock.next = Clock { clk: true };
    settle(u);
    u.clock.next = Clock { clk: false };
    settle(u);
}

/// Rust-HDL evaluates the 842-stage pipeline recursively: a big stack, as the simulator's RTL
/// engine gives it.
#[test]
fn the_stand_in_shows_the_real_cores_ports_every_cycle() {
    std::thread::Builder::new().stack_size(1 << 30).spawn(compare).unwrap().join().unwrap();
}

fn compare() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut real = Box::<PoseidonCore>::default();
    let mut model = Box::<PoseidonCore>::default();
    model.stand_in();
    for u in [&mut real, &mut model] {
        u.connect_all();
        u.reset.next = true;
        edge(u);
        edge(u);
        u.reset.next = false;
    }
    let (mut accepted, mut taken) = (0, 0);
    // A burst of inputs, then the outputs under random back-pressure.
    let cycles = PoseidonCore::LATENCY + 40;
    for cycle in 0..cycles {
        // Random lanes, a quarter of them field edge values (0, 1, p - 1, 2^32, ...).
        let state: [u64; WIDTH] = std::array::from_fn(|_| {
            if rng.gen_ratio(1, 4) {
                EDGES[rng.gen_range(0..EDGES.len())]
            } else {
                rng.gen_range(0..parallax_hdl::field::P)
            }
        });
        let valid = cycle < 24 && rng.gen_ratio(3, 4);
        let ready = rng.gen_ratio(1, 2);
        for u in [&mut real, &mut model] {
            u.in_valid.next = valid;
            u.state_in.next = lanes_to_bits(&state);
            u.out_ready.next = ready;
            settle(u);
        }
        assert_eq!(model.in_ready.val(), real.in_ready.val(), "in_ready, cycle {cycle}");
        assert_eq!(model.out_valid.val(), real.out_valid.val(), "out_valid, cycle {cycle}");
        if real.out_valid.val() {
            assert_eq!(model.state_out.val(), real.state_out.val(), "state_out, cycle {cycle}");
            taken += ready as usize;
        }
        accepted += (valid && real.in_ready.val()) as usize;
        edge(&mut real);
        edge(&mut model);
    }
    assert!(accepted > 10 && taken > 5, "{accepted} accepted, {taken} taken: the run must exercise the outputs");
}
