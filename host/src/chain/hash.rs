//! Hashing primitives of the state tree: key hash, leaf hash, node hash and the path bits.
//!
//! Every hash here is exactly one call of plonky2's Poseidon permutation through the `Hasher`
//! API, so a Poseidon table in a STARK reproduces them bit for bit. Sponge states (12 elements,
//! rate 8, capacity 4, all initialised to zero):
//!
//! | hash        | state before the permutation                          | output        |
//! |-------------|-------------------------------------------------------|---------------|
//! | key hash    | `[address, key, 0, 0, 0, 0, 0, 0 \| 1, 0, 0, 0]`       | state\[0..4\] |
//! | leaf hash   | `[kh0, kh1, kh2, kh3, value, 1, 0, 0 \| 0, 0, 0, 0]`   | state\[0..4\] |
//! | node hash   | `[l0, l1, l2, l3, r0, r1, r2, r3 \| 0, 0, 0, 0]`       | state\[0..4\] |
//!
//! The empty subtree hashes to `[0, 0, 0, 0]` at every depth.
//!
//! The key hash alone sets a capacity element ([`KEY_DOMAIN`]): with a zero capacity its preimage
//! `[address, key, 0, 0 | 0, 0, 0, 0]` would read as a node preimage `(left, EMPTY)`, and since a
//! leaf preimage starts with the key hash, a prover could "open" a leaf as an internal node, then
//! the key hash as a node with an empty right child, and show a present key absent (for key hashes
//! whose path bits at the leaf's depth are `0, 1`). Node preimages have a zero capacity, so no key
//! hash can be opened as a node.

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::{Poseidon, PoseidonHash};
use plonky2::plonk::config::Hasher;
use serde::{Deserialize, Serialize};

/// The base field of the VM and of the state.
pub type F = GoldilocksField;
/// A node hash: 4 Goldilocks elements (~256 bits).
pub type Hash = HashOut<F>;

/// Hash of the empty subtree, at any depth.
pub const EMPTY_HASH: Hash = HashOut::ZERO;

/// Domain tag placed after the value in a leaf. A leaf preimage then reads as a node preimage
/// `(kh, [value, 1, 0, 0])`; mistaking one for the other needs a Poseidon output with three
/// prescribed elements (~2^192 work), and the empty hash has `0` where the tag has `1`.
pub const LEAF_TAG: F = F::ONE;

/// Capacity element 0 of the key hash's permutation (node and leaf hashes have it 0).
pub const KEY_DOMAIN: F = F::ONE;

/// The permutation input of the key hash of `(address, key)`.
pub fn key_hash_input(address: F, key: F) -> [F; 12] {
    let mut s = [F::ZERO; 12];
    (s[0], s[1], s[8]) = (address, key, KEY_DOMAIN);
    s
}

/// Number of path bits in a key hash: 4 elements x 64 bits. Distinct key hashes differ within
/// these bits, so no path is ever longer.
pub const MAX_DEPTH: usize = 256;

/// The tree key of one storage slot: `Poseidon(address, key)`, kept as canonical `u64`s.
///
/// The path to the slot's leaf is read from its bits, least significant bit of element 0 first
/// (bit `i` = bit `i % 64` of element `i / 64`), which is what a bit decomposition in a STARK
/// produces directly. Bit 0 picks the root's child.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyHash(pub [u64; 4]);

impl KeyHash {
    /// Tree key of `(address, key)`: the first 4 words of the permutation of
    /// [`key_hash_input`]. Always hashed (never the identity, as `hash_or_noop` is for short
    /// inputs), so nobody chooses tree paths.
    pub fn of(address: F, key: F) -> Self {
        let out = <F as Poseidon>::poseidon(key_hash_input(address, key));
        Self(core::array::from_fn(|i| out[i].to_canonical_u64()))
    }

    pub fn from_hash(h: Hash) -> Self {
        Self(h.elements.map(|e| e.to_canonical_u64()))
    }

    pub fn to_hash(self) -> Hash {
        HashOut {
            elements: self.0.map(F::from_canonical_u64),
        }
    }

    /// Path bit at depth `i` (`i < MAX_DEPTH`): `false` = left child, `true` = right child.
    #[inline]
    pub fn bit(&self, i: usize) -> bool {
        (self.0[i / 64] >> (i % 64)) & 1 == 1
    }

    /// A sort key under which keys sharing a path prefix are contiguous and, within a subtree
    /// at depth `d`, the left (bit `d` = 0) keys come first.
    #[inline]
    pub fn path_order(&self) -> [u64; 4] {
        self.0.map(u64::reverse_bits)
    }

    /// First depth `>= from` at which the paths of `self` and `other` part, if any.
    pub fn first_difference(&self, other: &KeyHash, from: usize) -> Option<usize> {
        (from..MAX_DEPTH).find(|&i| self.bit(i) != other.bit(i))
    }

    /// Whether the first `depth` path bits of `self` and `other` agree.
    pub fn shares_prefix(&self, other: &KeyHash, depth: usize) -> bool {
        depth <= MAX_DEPTH && (0..depth).all(|i| self.bit(i) == other.bit(i))
    }
}

/// Leaf hash: binds the full key hash and the (non-zero) value; independent of the depth, so a
/// leaf keeps its hash when a delete moves it up the tree.
pub fn leaf_hash(key: &KeyHash, value: F) -> Hash {
    let k = key.to_hash().elements;
    PoseidonHash::hash_no_pad(&[k[0], k[1], k[2], k[3], value, LEAF_TAG])
}

/// Hash of an internal node from its children's hashes.
#[inline]
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    PoseidonHash::two_to_one(left, right)
}

/// Parent hash of `child` and `sibling`, with `child` on the side given by `bit`.
#[inline]
pub fn hash_with_sibling(child: Hash, sibling: Hash, bit: bool) -> Hash {
    if bit {
        node_hash(sibling, child)
    } else {
        node_hash(child, sibling)
    }
}
