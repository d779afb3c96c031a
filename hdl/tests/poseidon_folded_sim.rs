//! The folded Poseidon core (`PoseidonFolded`, one S-box, one MDS row) in Rust-HDL against
//! plonky2's permutation: edge-valued and random states, offered back to back with random
//! back-pressure on the output; each output equal to plonky2's, exactly `CYCLES` after its
//! input was taken, held while `out_ready` is low, and no input taken while one is in flight.

use parallax_hdl::field::{EDGES, P};
use parallax_hdl::poseidon::{bits_to_lanes, lanes_to_bits, plonky2_permutation, PoseidonFolded, WIDTH};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

fn settle(u: &mut PoseidonFolded) {
    for _ in 0..10_000 {
        u.update_all();
        if !u.has_changed() {
            return;
        }
    }
    panic!("the logic did not settle");
}

fn edge(u: &mut PoseidonFolded) {
    settle(u);
    u.clock.next = Clock { clk: true };
    settle(u);
    u.clock.next = Clock { clk: false };
    settle(u);
}

fn states(rng: &mut StdRng) -> Vec<[u64; WIDTH]> {
    vec![
        [0; WIDTH],
        [P - 1; WIDTH],
        std::array::from_fn(|i| EDGES[i % EDGES.len()]),
        std::array::from_fn(|_| rng.gen_range(0..P)),
        std::array::from_fn(|_| rng.gen_range(0..P)),
    ]
}

#[test]
fn folded_core_computes_plonky2s_permutation_in_its_cycle_count() {
    std::thread::Builder::new().stack_size(1 << 28).spawn(run).unwrap().join().unwrap();
}

fn run() {
    let mut rng = StdRng::seed_from_u64(5);
    let inputs = states(&mut rng);
    let mut u = Box::<PoseidonFolded>::default();
    u.connect_all();
    u.reset.next = true;
    edge(&mut u);
    edge(&mut u);
    u.reset.next = false;
    let (mut next, mut accepted_at, mut first_valid) = (0usize, None::<usize>, None::<usize>);
    let mut outputs = Vec::new();
    let limit = inputs.len() * (PoseidonFolded::CYCLES + 40) + 100;
    for cycle in 0..limit {
        if next < inputs.len() {
            u.in_valid.next = true;
            u.state_in.next = lanes_to_bits(&inputs[next]);
        } else {
            u.in_valid.next = false;
        }
        u.out_ready.next = rng.gen_ratio(1, 3);
        settle(&mut u);
        if u.out_valid.val() {
            let seen = bits_to_lanes(u.state_out.val());
            match first_valid {
                None => {
                    let at = accepted_at.expect("an output before any input");
                    assert_eq!(cycle - at, PoseidonFolded::CYCLES, "cycles from acceptance to out_valid (input {})", outputs.len());
                    first_valid = Some(cycle);
                    outputs.push(seen);
                }
                Some(_) => assert_eq!(Some(&seen), outputs.last(), "the output changed while out_ready was low"),
            }
            assert!(!u.in_ready.val(), "in_ready while an output waits");
            if u.out_ready.val() {
                first_valid = None;
                accepted_at = None;
            }
        }
        if u.in_ready.val() && u.in_valid.val() {
            assert!(accepted_at.is_none(), "a second input taken while one is in flight");
            accepted_at = Some(cycle);
            next += 1;
        }
        edge(&mut u);
        if outputs.len() == inputs.len() && first_valid.is_none() {
            break;
        }
    }
    assert_eq!(outputs.len(), inputs.len(), "outputs");
    for (i, (x, y)) in inputs.iter().zip(&outputs).enumerate() {
        assert_eq!(*y, plonky2_permutation(x), "permutation of input {i}");
    }
}
