//! The chain model's state commitment: contract storage `(address, key) -> value` over
//! Goldilocks, committed by a Poseidon sparse Merkle tree (design in `docs/state.md`).

pub mod hash;
pub mod proof;
pub mod smt;
pub mod state;

#[cfg(test)]
mod tests;

pub use hash::{leaf_hash, node_hash, Hash, KeyHash, EMPTY_HASH, F, MAX_DEPTH};
pub use proof::{root_after_write, verify, MerkleProof, NodeOpening, ProofError, WriteWitness};
pub use smt::{Smt, TreeStats};
pub use state::{State, StateError, StorageWrite};
