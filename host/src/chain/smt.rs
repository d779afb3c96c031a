//! The sparse Merkle tree over key hashes, compacted at the leaves.
//!
//! A subtree holding no leaf is empty (hash [`EMPTY_HASH`]); a subtree holding exactly one leaf
//! is stored as that leaf, at its top (as in Diem's Jellyfish Merkle tree, but binary: a
//! 16-ary node would cost 8 Poseidon permutations instead of 4 binary levels' 4); a subtree
//! holding two or more leaves is an internal node hashing its two children. The root is thus a
//! function of the key/value set alone, and a path is about `log2(n) + 1.3` levels deep instead
//! of a fixed 256 (see `docs/state.md`).
//!
//! Nodes live in an owned pointer tree: a batch update walks only the paths of the written keys,
//! and disjoint subtrees are updated in parallel through `rayon::join` on disjoint `&mut`
//! borrows, with no locks and no merge step. Serial and parallel updates run the same code and
//! give identical trees.

use rayon::prelude::*;

use super::hash::{hash_with_sibling, leaf_hash, node_hash, Hash, KeyHash, EMPTY_HASH, F};
use super::proof::{MerkleProof, NodeOpening, WriteWitness};
use plonky2::field::types::Field;

/// Below this many writes on each side, a split is not worth a rayon task (a task costs about
/// as much as one Poseidon permutation).
const PAR_MIN_WRITES: usize = 8;

/// A subtree. Leaves sit inline in their parent's child array.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Node {
    #[default]
    Empty,
    Leaf {
        key: KeyHash,
        value: F,
        hash: Hash,
    },
    Internal {
        children: Box<[Node; 2]>,
        hash: Hash,
    },
}

impl Node {
    pub fn hash(&self) -> Hash {
        match self {
            Node::Empty => EMPTY_HASH,
            Node::Leaf { hash, .. } | Node::Internal { hash, .. } => *hash,
        }
    }

    fn leaf(key: KeyHash, value: F) -> Node {
        Node::Leaf {
            key,
            value,
            hash: leaf_hash(&key, value),
        }
    }

    /// Whether a subtree with these children must collapse (fewer than two leaves).
    fn collapses(l: &Node, r: &Node) -> bool {
        matches!(
            (l, r),
            (Node::Empty, Node::Empty | Node::Leaf { .. }) | (Node::Leaf { .. }, Node::Empty)
        )
    }

    /// The canonical node over two children: a subtree with fewer than two leaves collapses
    /// into its leaf (whose hash does not depend on the depth) or into `Empty`.
    fn join(left: Node, right: Node) -> Node {
        if Self::collapses(&left, &right) {
            return if matches!(left, Node::Empty) {
                right
            } else {
                left
            };
        }
        let hash = node_hash(left.hash(), right.hash());
        Node::Internal {
            children: Box::new([left, right]),
            hash,
        }
    }

    /// What a proof reveals about this node.
    fn opening(&self) -> NodeOpening {
        match self {
            Node::Empty => NodeOpening::Empty,
            Node::Leaf { key, value, .. } => NodeOpening::Leaf {
                key: *key,
                value: *value,
            },
            Node::Internal { children, .. } => NodeOpening::Internal {
                left: children[0].hash(),
                right: children[1].hash(),
            },
        }
    }
}

/// One write of a batch after sorting: keys in path order, zero meaning delete.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: KeyHash,
    value: F,
    /// The leaf hash when already known (an existing leaf pushed down by a split).
    leaf_hash: Option<Hash>,
}

/// Shape statistics, for the memory and hash-count figures in `docs/state.md`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeStats {
    pub leaves: usize,
    pub internal: usize,
    /// Empty children of internal nodes (where two keys share a longer prefix).
    pub empty: usize,
    pub max_leaf_depth: usize,
    /// Sum of leaf depths; `/ leaves` = mean number of siblings in a proof.
    pub total_leaf_depth: usize,
    /// Heap bytes of the node structure (child arrays), excluding the root.
    pub heap_bytes: usize,
}

/// The state tree. The root of the empty tree is [`EMPTY_HASH`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Smt {
    root: Node,
}

impl Smt {
    pub fn new() -> Self {
        Self::default()
    }

    /// Tree of the given entries (later duplicates win, zero values are absent), built in
    /// parallel.
    pub fn from_entries(entries: &[(KeyHash, F)]) -> Self {
        let mut t = Self::new();
        t.update(entries);
        t
    }

    pub fn root(&self) -> Hash {
        self.root.hash()
    }

    pub fn root_node(&self) -> &Node {
        &self.root
    }

    /// Value at `key`; zero when absent.
    pub fn get(&self, key: &KeyHash) -> F {
        let mut node = &self.root;
        let mut depth = 0;
        loop {
            match node {
                Node::Empty => return F::ZERO,
                Node::Leaf { key: k, value, .. } => return if k == key { *value } else { F::ZERO },
                Node::Internal { children, .. } => {
                    node = &children[key.bit(depth) as usize];
                    depth += 1;
                }
            }
        }
    }

    /// Applies a batch of writes (later duplicates of a key win; zero deletes), rehashing each
    /// changed path once, with disjoint subtrees in parallel on the current rayon pool.
    /// Returns the number of Poseidon permutations spent.
    pub fn update(&mut self, writes: &[(KeyHash, F)]) -> usize {
        self.update_with(writes, true)
    }

    /// [`Smt::update`] on the calling thread only.
    pub fn update_serial(&mut self, writes: &[(KeyHash, F)]) -> usize {
        self.update_with(writes, false)
    }

    fn update_with(&mut self, writes: &[(KeyHash, F)], par: bool) -> usize {
        let entries = sort_dedup(writes, par);
        update_node(&mut self.root, 0, &entries, par)
    }

    /// Proof of the value at `key` (membership if present, non-membership otherwise).
    pub fn prove(&self, key: &KeyHash) -> MerkleProof {
        let mut siblings = Vec::new();
        let mut node = &self.root;
        let mut sibling_node = None;
        while let Node::Internal { children, .. } = node {
            let b = key.bit(siblings.len()) as usize;
            siblings.push(children[1 - b].hash());
            sibling_node = Some(&children[1 - b]);
            node = &children[b];
        }
        MerkleProof {
            siblings,
            terminal: node.opening(),
            terminal_sibling: sibling_node.map(Node::opening),
        }
    }

    /// Writes one key and returns the witness a STARK checks for it: the old value's proof
    /// under the old root and the new root.
    pub fn write_with_witness(&mut self, key: KeyHash, value: F) -> WriteWitness {
        let old_root = self.root();
        let proof = self.prove(&key);
        let old_value = self.get(&key);
        self.update_serial(&[(key, value)]);
        WriteWitness {
            key,
            old_value,
            new_value: value,
            old_root,
            new_root: self.root(),
            proof,
        }
    }

    pub fn stats(&self) -> TreeStats {
        let mut s = TreeStats::default();
        stats_rec(&self.root, 0, &mut s);
        s
    }

    /// All `(key, value)` pairs in path order.
    pub fn entries(&self) -> Vec<(KeyHash, F)> {
        let mut out = Vec::new();
        collect(&self.root, &mut out);
        out
    }
}

/// Sorts writes into path order; of several writes to one key only the last is kept (the sort
/// is stable, so input order survives among equal keys).
fn sort_dedup(writes: &[(KeyHash, F)], par: bool) -> Vec<Entry> {
    let mut v: Vec<(usize, Entry)> = writes
        .iter()
        .enumerate()
        .map(|(i, &(key, value))| {
            (
                i,
                Entry {
                    key,
                    value,
                    leaf_hash: None,
                },
            )
        })
        .collect();
    let cmp = |a: &(usize, Entry), b: &(usize, Entry)| {
        a.1.key
            .path_order()
            .cmp(&b.1.key.path_order())
            .then(a.0.cmp(&b.0))
    };
    if par {
        v.par_sort_unstable_by(cmp);
    } else {
        v.sort_unstable_by(cmp);
    }
    let mut out: Vec<Entry> = Vec::with_capacity(v.len());
    for (_, e) in v {
        match out.last_mut() {
            Some(last) if last.key == e.key => *last = e,
            _ => out.push(e),
        }
    }
    out
}

/// Index of the first entry whose path goes right at `depth` (entries are in path order).
#[inline]
fn split_at_bit(entries: &[Entry], depth: usize) -> usize {
    entries.partition_point(|e| !e.key.bit(depth))
}

fn both<A: Send, B: Send>(
    par: bool,
    big: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if par && big {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// Applies sorted, deduplicated `writes` (all under this node's path prefix) to `node`;
/// returns the permutations spent.
fn update_node(node: &mut Node, depth: usize, writes: &[Entry], par: bool) -> usize {
    if writes.is_empty() {
        return 0;
    }
    match node {
        Node::Internal { children, hash } => {
            let (lw, rw) = writes.split_at(split_at_bit(writes, depth));
            let [l, r] = &mut **children;
            let big = lw.len().min(rw.len()) >= PAR_MIN_WRITES;
            let (hl, hr) = both(
                par,
                big,
                || update_node(l, depth + 1, lw, par),
                || update_node(r, depth + 1, rw, par),
            );
            if Node::collapses(l, r) {
                let [l, r] = *std::mem::take(children);
                *node = Node::join(l, r);
                hl + hr
            } else {
                // The common case: rehash in place, keeping the allocation.
                *hash = node_hash(l.hash(), r.hash());
                hl + hr + 1
            }
        }
        Node::Leaf { key, value, hash } => {
            // The subtree now holds the old leaf (unless overwritten) plus the writes: rebuild it.
            let mut merged = writes.to_vec();
            if let Err(i) = writes.binary_search_by(|e| e.key.path_order().cmp(&key.path_order())) {
                merged.insert(
                    i,
                    Entry {
                        key: *key,
                        value: *value,
                        leaf_hash: Some(*hash),
                    },
                );
            }
            let (n, h) = build(depth, &merged, par);
            *node = n;
            h
        }
        Node::Empty => {
            let (n, h) = build(depth, writes, par);
            *node = n;
            h
        }
    }
}

/// The canonical subtree at `depth` over sorted, distinct entries (zero values dropped), with
/// the permutations spent.
fn build(depth: usize, entries: &[Entry], par: bool) -> (Node, usize) {
    let mut live = entries.iter().filter(|e| e.value != F::ZERO);
    match (live.next(), live.next()) {
        (None, _) => return (Node::Empty, 0),
        (Some(e), None) => {
            return match e.leaf_hash {
                Some(hash) => (
                    Node::Leaf {
                        key: e.key,
                        value: e.value,
                        hash,
                    },
                    0,
                ),
                None => (Node::leaf(e.key, e.value), 1),
            }
        }
        _ => {}
    }
    // Distinct keys differ at some depth < MAX_DEPTH, so this recursion ends before running out
    // of path bits.
    let (le, re) = entries.split_at(split_at_bit(entries, depth));
    let big = le.len().min(re.len()) >= PAR_MIN_WRITES;
    let ((l, hl), (r, hr)) = both(
        par,
        big,
        || build(depth + 1, le, par),
        || build(depth + 1, re, par),
    );
    (Node::join(l, r), hl + hr + 1)
}

fn stats_rec(node: &Node, depth: usize, s: &mut TreeStats) {
    match node {
        Node::Empty => {}
        Node::Leaf { .. } => {
            s.leaves += 1;
            s.max_leaf_depth = s.max_leaf_depth.max(depth);
            s.total_leaf_depth += depth;
        }
        Node::Internal { children, .. } => {
            s.internal += 1;
            s.heap_bytes += std::mem::size_of::<[Node; 2]>();
            for c in children.iter() {
                if matches!(c, Node::Empty) {
                    s.empty += 1;
                }
                stats_rec(c, depth + 1, s);
            }
        }
    }
}

fn collect(node: &Node, out: &mut Vec<(KeyHash, F)>) {
    match node {
        Node::Empty => {}
        Node::Leaf { key, value, .. } => out.push((*key, *value)),
        Node::Internal { children, .. } => children.iter().for_each(|c| collect(c, out)),
    }
}

/// Recomputes a root from a leaf-to-be at the end of a path (used by tests and by
/// [`MerkleProof`]); `siblings[i]` is the sibling at depth `i + 1`.
pub(crate) fn fold_path(key: &KeyHash, mut h: Hash, siblings: &[Hash]) -> Hash {
    for (i, s) in siblings.iter().enumerate().rev() {
        h = hash_with_sibling(h, *s, key.bit(i));
    }
    h
}
