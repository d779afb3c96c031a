//! The controller's Merkle schedule: which permutations the Poseidon core runs, in which order,
//! and when each may enter the pipeline. Both engines walk the same schedule; the fast engine
//! computes the timing from it, the RTL engine measures it (tests require the two to agree).
//!
//! Items, in issue order:
//! 1. leaf absorption (leaves longer than 4 elements; shorter ones are their own digest, as in
//!    plonky2's `hash_or_noop`): leaves in groups of [GROUP], chunk-major inside a group, so a
//!    leaf's next chunk enters one group-length after its previous one, by which time the
//!    previous chunk's state has come out of the pipeline when the group is at least as long as
//!    the latency. Chunk j overwrites lanes 0..8 of the state (zero for chunk 0) with elements
//!    8j..8j+8 of the leaf (plonky2's `hash_no_pad`: no padding, rate 8). The state between
//!    chunks never leaves the hasher: it waits at the head of the core's output and enters
//!    again with the next chunk, in the very cycle it is there (`MerkleHasher`,
//!    hdl/src/poseidon/merkle.rs); only a leaf's last chunk gives a digest.
//! 2. tree levels 1..=levels: node i of level l compresses nodes 2i and 2i+1 of level l - 1
//!    (state [left, right, 0, 0, 0, 0], plonky2's `two_to_one`), level by level.
//!
//! An item is ready the cycle after the outputs it needs have left the core; the controller
//! offers items strictly in order.

use crate::Digest;

/// Leaves hashed together chunk by chunk: the most states the hasher can keep in its core
/// (1022 of the output FIFO's 1024 slots), which covers the 844-cycle latency, so a full group
/// keeps the pipeline full.
pub const GROUP: usize = parallax_hdl::poseidon::MerkleHasher::MAX_GROUP;
/// Lanes a leaf chunk overwrites (plonky2's sponge rate).
pub const RATE: usize = 8;
/// Elements of a digest.
pub const DIGEST: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub leaves: usize,
    pub leaf_len: usize,
    pub cap_height: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    Absorb { leaf: usize, chunk: usize },
    Compress { level: usize, node: usize },
}

impl Schedule {
    /// Permutations per leaf: none for leaves of at most 4 elements.
    pub fn chunks(&self) -> usize {
        if self.leaf_len <= DIGEST {
            0
        } else {
            self.leaf_len.div_ceil(RATE)
        }
    }
    /// Tree levels computed above the leaf digests (the last one is the cap).
    pub fn levels(&self) -> usize {
        self.leaves.trailing_zeros() as usize - self.cap_height
    }
    /// Whether `item` gives a digest (a leaf's last chunk, a compression) rather than a state
    /// that stays in the hasher for the leaf's next chunk.
    pub fn emits(&self, item: Item) -> bool {
        match item {
            Item::Absorb { chunk, .. } => chunk + 1 == self.chunks(),
            Item::Compress { .. } => true,
        }
    }
    pub fn items(&self) -> usize {
        self.leaves * self.chunks() + (1..=self.levels()).map(|l| self.leaves >> l).sum::<usize>()
    }
    /// Calls `f` on every item in issue order.
    pub fn for_each(&self, mut f: impl FnMut(Item)) {
        for start in (0..self.leaves).step_by(GROUP) {
            let end = (start + GROUP).min(self.leaves);
            for chunk in 0..self.chunks() {
                for leaf in start..end {
                    f(Item::Absorb { leaf, chunk });
                }
            }
        }
        for level in 1..=self.levels() {
            for node in 0..self.leaves >> level {
                f(Item::Compress { level, node });
            }
        }
    }
    /// The elements chunk `chunk` of `leaf` absorbs (plonky2's `hash_no_pad`: rate 8, no padding).
    pub fn chunk(leaf: &[u64], chunk: usize) -> &[u64] {
        &leaf[RATE * chunk..(RATE * (chunk + 1)).min(leaf.len())]
    }
    /// A short leaf's digest: its elements padded with zeros.
    pub fn noop_digest(leaf: &[u64]) -> [u64; DIGEST] {
        let mut d = [0; DIGEST];
        d[..leaf.len()].copy_from_slice(leaf);
        d
    }
}

/// When each item's inputs are available: the cycle from which each needed output can be
/// offered again (the cycle after it left the core). Both engines record outputs here and ask it
/// when an item is ready; the RTL engine asks before the outputs exist, hence [PENDING].
pub struct Timeline {
    schedule: Schedule,
    /// Per leaf: from when its latest state (or its digest) is available.
    leaf_ready: Vec<u64>,
    /// Per level >= 1: from when each node's digest is available.
    level_ready: Vec<Vec<u64>>,
    /// Sum of the cycles in which digests were output (a fingerprint of the whole timing,
    /// compared across engines; recirculated states are not seen outside the hasher).
    pub out_sum: u64,
    pub last_out: u64,
}

/// Not available yet.
pub const PENDING: u64 = u64::MAX;

impl Timeline {
    pub fn new(s: &Schedule) -> Self {
        // A short leaf is its own digest, in memory from the start.
        let leaves = if s.chunks() == 0 { 0 } else { PENDING };
        Self {
            schedule: *s,
            leaf_ready: vec![leaves; s.leaves],
            level_ready: (0..=s.levels()).map(|l| vec![PENDING; s.leaves >> l]).collect(),
            out_sum: 0,
            last_out: 0,
        }
    }
    /// First cycle in which `item` may be offered ([PENDING] while an input is missing).
    pub fn ready(&self, item: Item) -> u64 {
        match item {
            Item::Absorb { chunk: 0, .. } => 0,
            Item::Absorb { leaf, .. } => self.leaf_ready[leaf],
            Item::Compress { level: 1, node } => self.leaf_ready[2 * node].max(self.leaf_ready[2 * node + 1]),
            Item::Compress { level, node } => {
                let below = &self.level_ready[level - 1];
                below[2 * node].max(below[2 * node + 1])
            }
        }
    }
    /// `item` entered the core: what it will produce is pending until [Timeline::record].
    pub fn issue(&mut self, item: Item) {
        match item {
            Item::Absorb { leaf, .. } => self.leaf_ready[leaf] = PENDING,
            Item::Compress { level, node } => self.level_ready[level][node] = PENDING,
        }
    }
    /// `item`'s output is at the core's output head in `cycle`: a state to recirculate enters
    /// again with the next chunk from that very cycle; a digest is taken then and can be
    /// offered again from the next cycle.
    pub fn record(&mut self, item: Item, cycle: u64) {
        if !self.schedule.emits(item) {
            if let Item::Absorb { leaf, .. } = item {
                self.leaf_ready[leaf] = cycle;
            }
            return;
        }
        match item {
            Item::Absorb { leaf, .. } => self.leaf_ready[leaf] = cycle + 1,
            Item::Compress { level, node } => self.level_ready[level][node] = cycle + 1,
        }
        self.out_sum += cycle;
        self.last_out = self.last_out.max(cycle);
    }
}

/// What hashing produced: digests per level (level 0: the leaf digests; the last level: the
/// cap) and the timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleOut {
    pub levels: Vec<Vec<[u64; DIGEST]>>,
    pub timing: PoseidonTiming,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PoseidonTiming {
    /// Cycles from the first offer to the last output taken, inclusive.
    pub cycles: u64,
    /// Sum of the output cycles of all permutations.
    pub out_sum: u64,
    pub permutations: u64,
}

/// Index in plonky2's `MerkleTree::digests` of node `node` of level `level` (0 = leaf digests),
/// for `levels` levels under each of the cap's subtrees: subtree t = node >> (levels - level)
/// occupies `2 (2^levels - 1)` consecutive digests; inside it the pair of siblings with pair
/// index q on level l sits at `2 (q 2^(l+1) + 2^l - 1)` (plonky2's `merkle_tree_prove`).
pub fn digest_index(levels: usize, level: usize, node: usize) -> usize {
    debug_assert!(level < levels);
    let tree_len = 2 * ((1usize << levels) - 1);
    let subtree = node >> (levels - level);
    let local = node & ((1 << (levels - level)) - 1);
    let pair = local >> 1;
    subtree * tree_len + 2 * ((pair << (level + 1)) + (1 << level) - 1) + (local & 1)
}

/// The digests buffer and the cap in plonky2's layout, from per-level digests.
pub fn layout(levels: &[Vec<[u64; DIGEST]>]) -> (Vec<[u64; DIGEST]>, Vec<[u64; DIGEST]>) {
    let m = levels.len() - 1;
    let leaves = levels[0].len();
    let cap = levels[m].clone();
    let mut digests = vec![[0; DIGEST]; 2 * (leaves - cap.len())];
    for (level, nodes) in levels[..m].iter().enumerate() {
        for (node, d) in nodes.iter().enumerate() {
            digests[digest_index(m, level, node)] = *d;
        }
    }
    (digests, cap)
}

pub fn to_digest(d: &[u64; DIGEST]) -> Digest {
    use plonky2::field::types::Field;
    Digest { elements: d.map(crate::F::from_canonical_u64) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::F;
    use plonky2::field::types::{Field, PrimeField64};
    use plonky2::hash::merkle_tree::MerkleTree;
    use plonky2::hash::poseidon::PoseidonHash;
    use plonky2::plonk::config::Hasher;
    use rand::{Rng, SeedableRng};

    #[test]
    fn layout_matches_plonky2_merkle_trees() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        for (log_leaves, leaf_len, cap_height) in [(1, 3, 0), (1, 9, 1), (3, 4, 0), (4, 5, 2), (6, 17, 3), (5, 12, 5), (7, 8, 0)] {
            let leaves: Vec<Vec<u64>> = (0..1usize << log_leaves)
                .map(|_| (0..leaf_len).map(|_| rng.gen_range(0..crate::P)).collect())
                .collect();
            let felts: Vec<Vec<F>> = leaves.iter().map(|l| l.iter().map(|&x| F::from_canonical_u64(x)).collect()).collect();
            let tree = MerkleTree::<F, PoseidonHash>::new(felts, cap_height);
            let s = Schedule { leaves: leaves.len(), leaf_len, cap_height };
            let canon = |h: plonky2::hash::hash_types::HashOut<F>| h.elements.map(|x| x.to_canonical_u64());
            let mut levels = vec![leaves.iter().map(|l| canon(PoseidonHash::hash_or_noop(&l.iter().map(|&x| F::from_canonical_u64(x)).collect::<Vec<_>>()))).collect::<Vec<_>>()];
            for _ in 0..s.levels() {
                let below = levels.last().unwrap();
                let next = below.chunks(2).map(|p| canon(PoseidonHash::two_to_one(to_digest(&p[0]), to_digest(&p[1])))).collect();
                levels.push(next);
            }
            let (digests, cap) = layout(&levels);
            assert_eq!(digests.iter().map(to_digest).collect::<Vec<_>>(), tree.digests, "{log_leaves} {leaf_len} {cap_height}");
            assert_eq!(cap.iter().map(to_digest).collect::<Vec<_>>(), tree.cap.0);
        }
    }

    #[test]
    fn schedule_orders_every_item_once_after_its_dependencies() {
        for s in [
            Schedule { leaves: 8, leaf_len: 3, cap_height: 1 },
            Schedule { leaves: 2048, leaf_len: 20, cap_height: 0 },
        ] {
            let mut seen = std::collections::HashSet::new();
            let mut n = 0;
            s.for_each(|item| {
                match item {
                    Item::Absorb { leaf, chunk } if chunk > 0 => assert!(seen.contains(&Item::Absorb { leaf, chunk: chunk - 1 })),
                    Item::Compress { level, node } if level > 1 => {
                        assert!(seen.contains(&Item::Compress { level: level - 1, node: 2 * node + 1 }))
                    }
                    _ => {}
                }
                assert!(seen.insert(item));
                n += 1;
            });
            assert_eq!(n, s.items());
        }
    }
}
