//! Contract storage: the plain `(address, key) -> value` map next to the tree committing to it,
//! and the JSON state file.
//!
//! File format (see `docs/state.md`):
//! `{"entries": [{"address": 1, "key": 2, "value": 3}, ...], "root": [r0, r1, r2, r3]}` with
//! canonical Goldilocks integers (`< 2^64 - 2^32 + 1`); `root` is optional and, when present,
//! must equal the root recomputed from the entries.

use std::collections::HashMap;
use std::path::Path;

use plonky2::field::types::{Field, Field64, PrimeField64};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::hash::{Hash, KeyHash, F};
use super::proof::MerkleProof;
use super::smt::Smt;

/// One storage write; `value == 0` deletes the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageWrite {
    pub address: F,
    pub key: F,
    pub value: F,
}

/// Contract storage and its commitment.
#[derive(Clone, Debug, Default)]
pub struct State {
    tree: Smt,
    /// Canonical `(address, key)` -> non-zero value; mirrors the tree's leaves for O(1) reads.
    values: HashMap<(u64, u64), F>,
}

/// Errors reading or checking a state file.
#[derive(Debug, Error)]
pub enum StateError {
    #[error("state file I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("state file is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "{what} = {value} is not a canonical Goldilocks element (must be < {})",
        F::ORDER
    )]
    NonCanonical { what: String, value: u64 },
    #[error("entry {index} repeats address {address}, key {key}")]
    DuplicateEntry {
        index: usize,
        address: u64,
        key: u64,
    },
    #[error(
        "stored root {stored:?} does not match the root {computed:?} recomputed from the entries"
    )]
    RootMismatch {
        stored: [u64; 4],
        computed: [u64; 4],
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    entries: Vec<FileEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    root: Option<[u64; 4]>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    address: u64,
    key: u64,
    value: u64,
}

fn canonical(what: impl FnOnce() -> String, value: u64) -> Result<F, StateError> {
    if value < F::ORDER {
        Ok(F::from_canonical_u64(value))
    } else {
        Err(StateError::NonCanonical {
            what: what(),
            value,
        })
    }
}

fn root_words(h: Hash) -> [u64; 4] {
    h.elements.map(|e| e.to_canonical_u64())
}

impl State {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    pub fn tree(&self) -> &Smt {
        &self.tree
    }

    /// Number of non-zero slots.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Value of a slot; zero when never written or deleted.
    pub fn get(&self, address: F, key: F) -> F {
        self.values
            .get(&(address.to_canonical_u64(), key.to_canonical_u64()))
            .copied()
            .unwrap_or(F::ZERO)
    }

    /// Proof of a slot's value under [`State::root`].
    pub fn prove(&self, address: F, key: F) -> MerkleProof {
        self.tree.prove(&KeyHash::of(address, key))
    }

    /// Applies a batch of writes in order (a later write to the same slot wins) and updates
    /// the root incrementally, in parallel on the current rayon pool.
    pub fn apply_writes(&mut self, writes: &[StorageWrite]) {
        let tree_writes: Vec<(KeyHash, F)> = writes
            .par_iter()
            .map(|w| (KeyHash::of(w.address, w.key), w.value))
            .collect();
        for w in writes {
            let slot = (w.address.to_canonical_u64(), w.key.to_canonical_u64());
            if w.value == F::ZERO {
                self.values.remove(&slot);
            } else {
                self.values.insert(slot, w.value);
            }
        }
        self.tree.update(&tree_writes);
    }

    /// All non-zero slots, sorted by `(address, key)`.
    pub fn entries(&self) -> Vec<StorageWrite> {
        let mut slots: Vec<_> = self.values.iter().map(|(&(a, k), &v)| (a, k, v)).collect();
        slots.sort_unstable_by_key(|&(a, k, _)| (a, k));
        slots
            .into_iter()
            .map(|(a, k, value)| StorageWrite {
                address: F::from_canonical_u64(a),
                key: F::from_canonical_u64(k),
                value,
            })
            .collect()
    }

    /// The state file, entries sorted, with the root.
    pub fn to_json(&self) -> String {
        let file = StateFile {
            entries: self
                .entries()
                .into_iter()
                .map(|w| FileEntry {
                    address: w.address.to_canonical_u64(),
                    key: w.key.to_canonical_u64(),
                    value: w.value.to_canonical_u64(),
                })
                .collect(),
            root: Some(root_words(self.root())),
        };
        serde_json::to_string_pretty(&file).expect("a state file always serialises")
    }

    /// Parses a state file, recomputes the root and checks it against the stored one if any.
    /// Entries with value 0 are accepted and mean "absent".
    pub fn from_json(text: &str) -> Result<Self, StateError> {
        let file: StateFile = serde_json::from_str(text)?;
        let mut seen = HashMap::with_capacity(file.entries.len());
        let mut writes = Vec::with_capacity(file.entries.len());
        for (index, e) in file.entries.iter().enumerate() {
            let address = canonical(|| format!("entries[{index}].address"), e.address)?;
            let key = canonical(|| format!("entries[{index}].key"), e.key)?;
            let value = canonical(|| format!("entries[{index}].value"), e.value)?;
            if seen.insert((e.address, e.key), index).is_some() {
                return Err(StateError::DuplicateEntry {
                    index,
                    address: e.address,
                    key: e.key,
                });
            }
            writes.push(StorageWrite {
                address,
                key,
                value,
            });
        }
        let mut state = State::new();
        state.apply_writes(&writes);
        if let Some(stored) = file.root {
            for (i, &w) in stored.iter().enumerate() {
                canonical(|| format!("root[{i}]"), w)?;
            }
            let computed = root_words(state.root());
            if stored != computed {
                return Err(StateError::RootMismatch { stored, computed });
            }
        }
        Ok(state)
    }

    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        Ok(std::fs::write(path, self.to_json())?)
    }

    pub fn load(path: &Path) -> Result<Self, StateError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }
}
