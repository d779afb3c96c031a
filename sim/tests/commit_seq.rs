//! The RTL Commit sequencer (`parallax_hdl::kernel::commit_seq`) against the simulator's Merkle
//! schedule and plonky2's `MerkleTree`: its item and destination streams, under random stalls,
//! drive a software hasher (plonky2's Poseidon permutation, states kept in FIFO order as the
//! hardware hasher keeps them) over a word memory; the digests buffer and cap it leaves must be
//! plonky2's, and every item must read words already written (the level barrier).

use parallax_hdl::kernel::commit_seq::CommitSequencer;
use parallax_sim::merkle::{digest_index, Item, Schedule};
use parallax_sim::F;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::merkle_tree::MerkleTree;
use plonky2::hash::poseidon::{Poseidon, PoseidonHash};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::{HashMap, VecDeque};

const LEAVES: u64 = 0x1000_0000;
const DIGESTS: u64 = 0x2000_0000;
const CAP: u64 = 0x3000_0000;

fn settle(u: &mut CommitSequencer) {
    for _ in 0..100 {
        u.update_all();
        if !u.has_changed() {
            return;
        }
    }
    panic!("the logic did not settle");
}

fn edge(u: &mut CommitSequencer) {
    settle(u);
    u.clock.next = Clock { clk: true };
    settle(u);
    u.clock.next = Clock { clk: false };
    settle(u);
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct ItemReq {
    addr: u64,
    words: u64,
    first: bool,
    last: bool,
    leaf: bool,
}

/// The items and destinations the schedule says, in order.
fn expected(s: &Schedule) -> (Vec<ItemReq>, Vec<u64>) {
    let h = s.levels();
    let cols = s.leaf_len as u64;
    let mut items = vec![];
    if s.chunks() == 0 {
        for leaf in 0..s.leaves as u64 {
            items.push(ItemReq { addr: LEAVES + 8 * leaf * cols, words: cols, first: true, last: true, leaf: true });
        }
    }
    s.for_each(|item| {
        items.push(match item {
            Item::Absorb { leaf, chunk } => ItemReq {
                addr: LEAVES + 8 * (leaf as u64 * cols + 8 * chunk as u64),
                words: (cols - 8 * chunk as u64).min(8),
                first: chunk == 0,
                last: chunk + 1 == s.chunks(),
                leaf: true,
            },
            Item::Compress { level, node } => ItemReq {
                addr: DIGESTS + 32 * digest_index(h, level - 1, 2 * node) as u64,
                words: 8,
                first: true,
                last: true,
                leaf: false,
            },
        })
    });
    let mut dests = vec![];
    for level in 0..=h {
        for node in 0..s.leaves >> level {
            dests.push(if level == h { CAP + 32 * node as u64 } else { DIGESTS + 32 * digest_index(h, level, node) as u64 });
        }
    }
    (items, dests)
}

/// Runs one commit with stalls (in 1/256) on items, destinations and write latency.
fn check(log_lde: u32, columns: usize, cap_height: u32, stall: u32, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = 1usize << log_lde;
    let leaves: Vec<Vec<u64>> = (0..n).map(|_| (0..columns).map(|_| rng.gen_range(0..parallax_sim::P)).collect()).collect();
    let mut mem: HashMap<u64, u64> = HashMap::new();
    for (r, leaf) in leaves.iter().enumerate() {
        for (c, &x) in leaf.iter().enumerate() {
            mem.insert(LEAVES + 8 * (r * columns + c) as u64, x);
        }
    }
    let s = Schedule { leaves: n, leaf_len: columns, cap_height: cap_height as usize };
    let (want_items, want_dests) = expected(&s);

    let mut u = Box::<CommitSequencer>::default();
    u.connect_all();
    u.reset.next = true;
    edge(&mut u);
    u.reset.next = false;
    u.start.next = true;
    u.leaves.next = LEAVES.to_bits();
    u.digests.next = DIGESTS.to_bits();
    u.cap.next = CAP.to_bits();
    u.log_lde.next = (log_lde as u64).to_bits();
    u.cap_height.next = (cap_height as u64).to_bits();
    u.columns.next = (columns as u64).to_bits();
    u.mem_idle.next = true;
    edge(&mut u);
    u.start.next = false;
    assert_eq!(u.noop.val(), columns <= 4);

    let (mut items, mut dests) = (vec![], vec![]);
    // The software hasher: states between chunks (FIFO), digests waiting for a destination,
    // and digest writes in flight (address, digest, cycles to go).
    let mut states: VecDeque<[F; 12]> = VecDeque::new();
    let mut out: VecDeque<[u64; 4]> = VecDeque::new();
    let mut writes: VecDeque<(u64, [u64; 4], u32)> = VecDeque::new();
    let stalled = |rng: &mut StdRng| stall > 0 && rng.gen_range(0..256) < stall;
    for cycle in 0.. {
        assert!(cycle < 50 * want_items.len() + 1000, "the sequencer hangs");
        u.mem_idle.next = writes.is_empty();
        u.item_ready.next = !stalled(&mut rng);
        u.dest_ready.next = !out.is_empty() && !stalled(&mut rng);
        settle(&mut u);
        if !u.busy.val() {
            break;
        }
        if u.item_valid.val() && u.item_ready.val() {
            let req = ItemReq {
                addr: u.item_addr.val().to_u64(),
                words: u.item_words.val().to_u64(),
                first: u.item_first.val(),
                last: u.item_last.val(),
                leaf: u.item_leaf.val(),
            };
            let elems: Vec<u64> = (0..req.words)
                .map(|w| *mem.get(&(req.addr + 8 * w)).unwrap_or_else(|| panic!("item {} reads {:#x} before it is written", items.len(), req.addr + 8 * w)))
                .collect();
            if u.noop.val() && req.leaf {
                let mut d = [0; 4];
                d[..elems.len()].copy_from_slice(&elems);
                out.push_back(d);
            } else {
                let mut state = if req.first { [F::ZERO; 12] } else { states.pop_front().expect("a state to continue") };
                for (lane, &x) in elems.iter().enumerate() {
                    state[lane] = F::from_canonical_u64(x);
                }
                let state = <F as Poseidon>::poseidon(state);
                if req.last {
                    out.push_back(std::array::from_fn(|i| state[i].to_canonical_u64()));
                } else {
                    states.push_back(state);
                }
            }
            items.push(req);
        }
        if u.dest_valid.val() && u.dest_ready.val() {
            let addr = u.dest_addr.val().to_u64();
            assert_eq!(u.dest_cap.val(), addr >= CAP, "dest_cap for {addr:#x}");
            dests.push(addr);
            writes.push_back((addr, out.pop_front().unwrap(), rng.gen_range(1..6)));
        }
        edge(&mut u);
        if let Some(w) = writes.front_mut() {
            w.2 -= 1;
            if w.2 == 0 {
                let (addr, d, _) = writes.pop_front().unwrap();
                for (i, x) in d.into_iter().enumerate() {
                    mem.insert(addr + 8 * i as u64, x);
                }
            }
        }
    }
    assert!(writes.is_empty(), "done with a write outstanding");
    assert_eq!(items, want_items, "items");
    assert_eq!(dests, want_dests, "destinations");

    let felts: Vec<Vec<F>> = leaves.iter().map(|l| l.iter().map(|&x| F::from_canonical_u64(x)).collect()).collect();
    let tree = MerkleTree::<F, PoseidonHash>::new(felts, cap_height as usize);
    let read = |addr: u64| -> Vec<F> { (0..4).map(|i| F::from_canonical_u64(mem[&(addr + 8 * i)])).collect() };
    for (i, d) in tree.digests.iter().enumerate() {
        assert_eq!(read(DIGESTS + 32 * i as u64), d.elements, "digest {i}");
    }
    for (i, d) in tree.cap.0.iter().enumerate() {
        assert_eq!(read(CAP + 32 * i as u64), d.elements, "cap {i}");
    }
}

#[test]
fn hashed_leaves_give_plonky2_trees() {
    for (log_lde, columns, cap_height, seed) in [(1, 5, 0, 1), (3, 8, 1, 2), (4, 9, 0, 3), (4, 17, 2, 4), (5, 12, 5, 5)] {
        check(log_lde, columns, cap_height, 0, seed);
        check(log_lde, columns, cap_height, 96, seed);
    }
}

#[test]
fn short_leaves_are_their_own_digests() {
    for (log_lde, columns, cap_height, seed) in [(1, 1, 0, 6), (3, 4, 1, 7), (4, 3, 4, 8)] {
        check(log_lde, columns, cap_height, 64, seed);
    }
}

/// More leaves than one chunk-major group holds: groups restart the chunk walk.
#[test]
fn groups_beyond_the_hasher_capacity() {
    check(11, 9, 3, 32, 9);
}
