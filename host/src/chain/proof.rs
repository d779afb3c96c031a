//! Merkle proofs of the state tree and the root transition of one write.
//!
//! A proof for key `k` lists the siblings along `k`'s path down to the node where the path
//! ends — an empty subtree, `k`'s own leaf, or another key's leaf sharing the prefix — and opens
//! that node and its sibling. [`root_after_write`] is the computation a STARK repeats for every
//! touched key: check the old value's proof under the old root, then derive the new root,
//! including the split of a compacted leaf on insert and the collapse on delete.

use plonky2::field::types::Field;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::hash::{
    hash_with_sibling, leaf_hash, node_hash, Hash, KeyHash, EMPTY_HASH, F, MAX_DEPTH,
};
use super::smt::fold_path;

/// What a proof reveals about one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeOpening {
    Empty,
    /// A leaf; its value is never zero.
    Leaf {
        key: KeyHash,
        value: F,
    },
    /// An internal node, by its children's hashes.
    Internal {
        left: Hash,
        right: Hash,
    },
}

impl NodeOpening {
    pub fn hash(&self) -> Hash {
        match self {
            NodeOpening::Empty => EMPTY_HASH,
            NodeOpening::Leaf { key, value } => leaf_hash(key, *value),
            NodeOpening::Internal { left, right } => node_hash(*left, *right),
        }
    }
}

/// Proof of the value (possibly zero = absent) at one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleProof {
    /// `siblings[i]` is the sibling of the path node at depth `i + 1`, root side first.
    pub siblings: Vec<Hash>,
    /// The node at depth `siblings.len()` where the key's path ends: `Empty` or a `Leaf`.
    pub terminal: NodeOpening,
    /// Opening of the last sibling (present iff `siblings` is non-empty). It tells a delete
    /// whether the remaining sibling is a lone leaf that must move up (1 extra hash to check).
    pub terminal_sibling: Option<NodeOpening>,
}

/// Why a proof was rejected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProofError {
    #[error("proof has {0} siblings, more than the {MAX_DEPTH} path bits")]
    TooDeep(usize),
    #[error("proof ends in an internal node")]
    TerminalInternal,
    #[error("terminal leaf has value zero")]
    ZeroLeaf,
    #[error("terminal leaf's key is not on the proven key's path")]
    KeyOffPath,
    #[error("terminal sibling opening is missing or does not match its hash")]
    BadSiblingOpening,
    #[error("terminal and its sibling cannot be neighbours in a compacted tree")]
    NonCanonical,
    #[error("proof shows value {proven}, claimed {claimed}")]
    WrongValue { proven: F, claimed: F },
    #[error("proof does not lead to the given root")]
    RootMismatch,
}

impl MerkleProof {
    /// Checks the proof against `root` for `key` and returns the proven value (zero = absent).
    pub fn verify_value(&self, root: Hash, key: &KeyHash) -> Result<F, ProofError> {
        let depth = self.siblings.len();
        if depth > MAX_DEPTH {
            return Err(ProofError::TooDeep(depth));
        }
        let value = match self.terminal {
            NodeOpening::Internal { .. } => return Err(ProofError::TerminalInternal),
            NodeOpening::Empty => F::ZERO,
            NodeOpening::Leaf { value, .. } if value == F::ZERO => {
                return Err(ProofError::ZeroLeaf)
            }
            NodeOpening::Leaf { key: k, value } => {
                if !k.shares_prefix(key, depth) {
                    return Err(ProofError::KeyOffPath);
                }
                if k == *key {
                    value
                } else {
                    F::ZERO
                }
            }
        };
        match (depth, &self.terminal_sibling) {
            (0, None) => {}
            (_, Some(s)) if depth > 0 && s.hash() == self.siblings[depth - 1] => {
                // A parent of fewer than two leaves would have been compacted away.
                let leaves = |o: &NodeOpening| match o {
                    NodeOpening::Empty => 0,
                    NodeOpening::Leaf { .. } => 1,
                    NodeOpening::Internal { .. } => 2,
                };
                if leaves(&self.terminal) + leaves(s) < 2 {
                    return Err(ProofError::NonCanonical);
                }
            }
            _ => return Err(ProofError::BadSiblingOpening),
        }
        if fold_path(key, self.terminal.hash(), &self.siblings) != root {
            return Err(ProofError::RootMismatch);
        }
        Ok(value)
    }

    /// Checks that the proof shows `value` (zero = absent) at `key` under `root`.
    pub fn verify(&self, root: Hash, key: &KeyHash, value: F) -> Result<(), ProofError> {
        let proven = self.verify_value(root, key)?;
        if proven != value {
            return Err(ProofError::WrongValue {
                proven,
                claimed: value,
            });
        }
        Ok(())
    }
}

/// `verify(root, key, value, proof)`: whether `proof` shows `value` at `key` under `root`.
pub fn verify(root: Hash, key: &KeyHash, value: F, proof: &MerkleProof) -> bool {
    proof.verify(root, key, value).is_ok()
}

/// Shape of a subtree as far as compaction cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Empty,
    Leaf,
    Internal,
}

fn kind_of(o: &NodeOpening) -> Kind {
    match o {
        NodeOpening::Empty => Kind::Empty,
        NodeOpening::Leaf { .. } => Kind::Leaf,
        NodeOpening::Internal { .. } => Kind::Internal,
    }
}

/// The root after writing `new_value` at `key`, given a proof of the old value under
/// `old_root`. The proof is verified first; a bad proof is an error, never a root.
///
/// Hashes: `siblings.len()` for the check plus at most `siblings.len()` for the new path (fewer
/// when a delete collapses), `+1` per level of a leaf split, `+1` for the sibling opening.
pub fn root_after_write(
    old_root: Hash,
    key: &KeyHash,
    new_value: F,
    proof: &MerkleProof,
) -> Result<Hash, ProofError> {
    proof.verify_value(old_root, key)?;
    let depth = proof.siblings.len();
    // The new subtree at the terminal's position.
    let (mut kind, mut h) = match proof.terminal {
        _ if new_value == F::ZERO => match proof.terminal {
            NodeOpening::Leaf { key: k, .. } if k == *key => (Kind::Empty, EMPTY_HASH),
            _ => return Ok(old_root), // deleting an absent key changes nothing
        },
        NodeOpening::Leaf { key: k, value } if k != *key => {
            // Split: the two leaves hang below their first differing bit, with empty
            // siblings on the shared stretch in between.
            let j = k
                .first_difference(key, depth)
                .ok_or(ProofError::KeyOffPath)?;
            let mut h =
                hash_with_sibling(leaf_hash(key, new_value), leaf_hash(&k, value), key.bit(j));
            for i in (depth..j).rev() {
                h = hash_with_sibling(h, EMPTY_HASH, key.bit(i));
            }
            (Kind::Internal, h)
        }
        _ => (Kind::Leaf, leaf_hash(key, new_value)),
    };
    for i in (0..depth).rev() {
        let s = proof.siblings[i];
        let s_kind = if i + 1 == depth {
            kind_of(
                proof
                    .terminal_sibling
                    .as_ref()
                    .ok_or(ProofError::BadSiblingOpening)?,
            )
        } else if s == EMPTY_HASH {
            Kind::Empty
        } else {
            // Above the terminal only emptiness matters: the running subtree is non-empty
            // there (a canonical parent of the terminal holds two leaves).
            Kind::Internal
        };
        (kind, h) = match (kind, s_kind) {
            (Kind::Empty, Kind::Empty) => return Err(ProofError::NonCanonical),
            (Kind::Empty, Kind::Leaf) => (Kind::Leaf, s),
            (Kind::Leaf, Kind::Empty) => (Kind::Leaf, h),
            _ => (Kind::Internal, hash_with_sibling(h, s, key.bit(i))),
        };
    }
    Ok(h)
}

/// One write with everything a STARK needs to check it: the proof of `old_value` under
/// `old_root`, and the claimed `new_root`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteWitness {
    pub key: KeyHash,
    pub old_value: F,
    pub new_value: F,
    pub old_root: Hash,
    pub new_root: Hash,
    pub proof: MerkleProof,
}

impl WriteWitness {
    /// Re-checks the witness exactly as the STARK will.
    pub fn check(&self) -> Result<(), ProofError> {
        self.proof
            .verify(self.old_root, &self.key, self.old_value)?;
        if root_after_write(self.old_root, &self.key, self.new_value, &self.proof)? != self.new_root
        {
            return Err(ProofError::RootMismatch);
        }
        Ok(())
    }
}
