//! Rust-HDL simulation of the Merkle mode layer (`hdl/src/poseidon/merkle.rs`, `MerkleFront`)
//! against plonky2's `hash_no_pad` and `two_to_one`. The permutation core is played by the test
//! with the real core's interface and timing rules (in_ready = in flight < a credit limit, an
//! accepted state out exactly `latency` cycles later, outputs in order, out_valid from
//! registers), computing plonky2's permutation: the whole-hasher with the real 844-cycle core
//! runs in the simulator's RTL engine (sim/tests/engines.rs), too slow here for many cases.

use parallax_hdl::field::EDGES;
use parallax_hdl::poseidon::{bits_to_lanes, lanes_to_bits, plonky2_permutation, MerkleFront, RATE, WIDTH};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::VecDeque;

const P: u64 = 0xFFFF_FFFF_0000_0001;

fn settle(uut: &mut MerkleFront) {
    for _ in 0..100 {
        uut.update_all();
        if !uut.has_changed() {
            return;
        }
    }
    panic!("the logic did not settle");
}

fn edge(uut: &mut MerkleFront) {
    settle(uut);
    uut.clock.next = Clock { clk: true };
    settle(uut);
    uut.clock.next = Clock { clk: false };
    settle(uut);
}

/// One permutation's worth of input, as the layer takes it.
#[derive(Clone, Copy, Debug)]
struct Item {
    data: [u64; RATE],
    len: usize,
    first: bool,
    last: bool,
}

/// The items of `sponges` (each a list of elements), in groups of `group`, chunk-major.
fn items(sponges: &[Vec<u64>], group: usize) -> Vec<Item> {
    let mut v = vec![];
    for g in sponges.chunks(group) {
        let chunks = g.iter().map(|s| s.len().div_ceil(RATE)).max().unwrap_or(0);
        for j in 0..chunks {
            for s in g.iter().filter(|s| s.len() > RATE * j) {
                let part = &s[RATE * j..s.len().min(RATE * (j + 1))];
                let mut data = [0; RATE];
                data[..part.len()].copy_from_slice(part);
                v.push(Item { data, len: part.len(), first: j == 0, last: s.len() <= RATE * (j + 1) });
            }
        }
    }
    v
}

/// What plonky2 gives: `two_to_one` for a pair of digests (8 elements), else `hash_no_pad`.
fn expected(s: &[u64]) -> [u64; 4] {
    let f = |x: &[u64]| x.iter().map(|&e| F::from_canonical_u64(e)).collect::<Vec<_>>();
    let h = if s.len() == 8 {
        let d = |x: &[u64]| HashOut { elements: f(x).try_into().unwrap() };
        PoseidonHash::two_to_one(d(&s[..4]), d(&s[4..]))
    } else {
        PoseidonHash::hash_no_pad(&f(s))
    };
    h.elements.map(|e| e.to_canonical_u64())
}

struct Run {
    latency: u64,
    /// The core's credit: it takes an input while fewer than this are in it.
    limit: usize,
    /// In 1/256: how often the producer idles and the consumer withholds out_ready.
    bubbles: u32,
    stalls: u32,
}

/// Drives `items` through the layer and the modelled core; returns the digests in output order
/// and the largest number of permutations the core held.
fn run(items: &[Item], r: &Run, rng: &mut StdRng) -> (Vec<[u64; 4]>, usize) {
    let mut u = Box::<MerkleFront>::default();
    u.connect_all();
    u.reset.next = true;
    u.core_in_ready.next = false;
    u.core_out_valid.next = false;
    edge(&mut u);
    edge(&mut u);
    u.reset.next = false;
    // The core: (cycle from which it is visible, permuted state), in order.
    let mut core: VecDeque<(u64, [u64; WIDTH])> = VecDeque::new();
    let (mut next, mut offering, mut out, mut peak) = (0usize, false, vec![], 0usize);
    let want = items.iter().filter(|i| i.last).count();
    let budget = 200 + 20 * items.len() as u64 + 10 * r.latency * (items.len() as u64 + 1);
    for cycle in 0u64.. {
        assert!(cycle < budget, "the layer hangs: {} of {} items in, {} of {want} digests out", next, items.len(), out.len());
        if out.len() == want && next == items.len() {
            break;
        }
        // Producer: once offered, an item is held until taken.
        if !offering && next < items.len() {
            offering = !(r.bubbles > 0 && rng.gen_range(0..256) < r.bubbles);
        }
        u.in_valid.next = offering;
        if offering {
            let it = items[next];
            u.in_data.next = lanes8_to_bits(&it.data);
            u.in_len.next = (it.len as u64).to_bits();
            u.in_first.next = it.first;
            u.in_last.next = it.last;
        }
        u.out_ready.next = !(r.stalls > 0 && rng.gen_range(0..256) < r.stalls);
        // Core outputs: from registers (this cycle's state of the model)
        u.core_in_ready.next = core.len() < r.limit;
        let head = core.front().filter(|(t, _)| *t <= cycle).map(|(_, s)| *s);
        u.core_out_valid.next = head.is_some();
        if let Some(s) = head {
            u.core_state_out.next = lanes_to_bits(&s);
        }
        settle(&mut u);
        let took_in = offering && u.in_ready.val();
        if u.core_out_ready.val() {
            assert!(head.is_some(), "core_out_ready without an output");
        }
        let core_takes_in = u.core_in_valid.val() && core.len() < r.limit;
        assert_eq!(core_takes_in, took_in, "the item and the core's input must be taken together");
        let core_in = bits_to_lanes(u.core_state_in.val());
        let core_gives = head.is_some() && u.core_out_ready.val();
        if u.out_valid.val() && u.out_ready.val() {
            let d = u.out_digest.val();
            out.push(std::array::from_fn(|i| d.get_bits::<64>(64 * i).to_u64()));
            assert!(core_gives, "a digest left without the core's output");
        }
        edge(&mut u);
        if core_gives {
            core.pop_front();
        }
        if took_in {
            core.push_back((cycle + r.latency, plonky2_permutation(&core_in)));
            next += 1;
            offering = false;
        }
        peak = peak.max(core.len());
    }
    (out, peak)
}

fn lanes8_to_bits(d: &[u64; RATE]) -> Bits<512> {
    let mut s = [0u64; WIDTH];
    s[..RATE].copy_from_slice(d);
    lanes_to_bits(&s).get_bits::<512>(0)
}

fn element(rng: &mut StdRng) -> u64 {
    if rng.gen_ratio(1, 4) {
        EDGES[rng.gen_range(0..EDGES.len())]
    } else {
        rng.gen_range(0..P)
    }
}

fn sponges(rng: &mut StdRng, lens: &[usize]) -> Vec<Vec<u64>> {
    lens.iter().map(|&n| (0..n).map(|_| element(rng)).collect()).collect()
}

fn check(sponges: &[Vec<u64>], group: usize, r: &Run, seed: u64) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let its = items(sponges, group);
    let (got, peak) = run(&its, r, &mut rng);
    // Digests leave in the order of the sponges' last chunks.
    let mut order: Vec<usize> = (0..sponges.len()).collect();
    order.sort_by_key(|&k| {
        let (g, i) = (k / group, k % group);
        let last = sponges[k].len().div_ceil(RATE);
        (g, last, i)
    });
    let want: Vec<[u64; 4]> = order.iter().map(|&k| expected(&sponges[k])).collect();
    assert_eq!(got, want);
    peak
}

#[test]
fn node_compressions_match_two_to_one() {
    let mut rng = StdRng::seed_from_u64(1);
    let pairs = sponges(&mut rng, &[8; 40]);
    for (i, r) in [
        Run { latency: 2, limit: 1023, bubbles: 0, stalls: 0 },
        Run { latency: 17, limit: 1023, bubbles: 60, stalls: 100 },
        Run { latency: 9, limit: 3, bubbles: 0, stalls: 200 },
    ]
    .iter()
    .enumerate()
    {
        check(&pairs, 1, r, 10 + i as u64);
    }
}

#[test]
fn sponge_leaves_match_hash_no_pad_with_recirculation() {
    let mut rng = StdRng::seed_from_u64(2);
    // Leaves of 5..=26 elements (1..=4 chunks, partial last chunks), one group.
    let leaves = sponges(&mut rng, &(5..=26).collect::<Vec<_>>());
    for (i, r) in [
        Run { latency: 3, limit: 1023, bubbles: 0, stalls: 0 },
        Run { latency: 40, limit: 1023, bubbles: 80, stalls: 120 },
        Run { latency: 5, limit: 1023, bubbles: 200, stalls: 220 },
    ]
    .iter()
    .enumerate()
    {
        check(&leaves, leaves.len(), r, 20 + i as u64);
    }
}

#[test]
fn groups_of_equal_leaves_then_a_tree_level() {
    // A commit's shape: equal leaves in groups, then the level above them.
    let mut rng = StdRng::seed_from_u64(3);
    let leaves = sponges(&mut rng, &[19; 12]);
    let r = Run { latency: 11, limit: 1023, bubbles: 40, stalls: 60 };
    check(&leaves, 5, &r, 30);
    let nodes = sponges(&mut rng, &[8; 6]);
    let mut both = leaves.clone();
    both.extend(nodes);
    // Leaves and nodes in one stream: groups of 4 (the nodes are one-chunk sponges).
    check(&both, 4, &r, 31);
}

#[test]
fn a_group_may_fill_the_core_but_one_slot() {
    // With a credit of 6, 5 sponges keep 5 states in the core and the next chunk still enters.
    let mut rng = StdRng::seed_from_u64(4);
    let leaves = sponges(&mut rng, &[24; 5]);
    let peak = check(&leaves, 5, &Run { latency: 2, limit: 6, bubbles: 0, stalls: 0 }, 40);
    assert_eq!(peak, 5, "the group should fill the core to its credit minus one");
    // The slot kept free is needed: a group as large as the credit can never go on.
    let its = items(&sponges(&mut rng, &[16; 6]), 6);
    let r = Run { latency: 2, limit: 6, bubbles: 0, stalls: 0 };
    let hung = std::panic::catch_unwind(|| run(&its, &r, &mut StdRng::seed_from_u64(41)));
    assert!(hung.is_err(), "a group of the whole credit should deadlock (MAX_GROUP is SLOTS - 2)");
}
