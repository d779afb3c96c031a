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

pub mod block;
pub mod mvmemory;
pub mod outcome;
pub mod parallel;
pub mod scheduler;
pub mod serial;
pub mod tx;
pub mod workload;

pub use block::{Block, BlockError, Contract};
pub use outcome::{BlockOutcome, ExecStats};
pub use parallel::{execute_parallel, execute_parallel_with, ParallelConfig, ParallelExecutor};
pub use serial::execute_serial;
pub use tx::{Receipt, Slot, Status, Transaction};
