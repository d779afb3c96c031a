//! Persistent contract storage as the VM sees it: word key -> word value, unset keys read as 0
//! (the state tree treats value 0 as an absent leaf). The chain layer supplies the real backends
//! (per-contract state, multi-version storage of the parallel executor).

use std::collections::BTreeMap;

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};

use super::error::ErrorKind;

pub trait Storage {
    fn load(&mut self, key: F) -> Result<F, ErrorKind>;
    fn store(&mut self, key: F, value: F) -> Result<(), ErrorKind>;
}

/// A plain in-memory storage, for running a program on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapStorage(pub BTreeMap<u64, F>);

impl Storage for MapStorage {
    fn load(&mut self, key: F) -> Result<F, ErrorKind> {
        Ok(self.0.get(&key.to_canonical_u64()).copied().unwrap_or(F::ZERO))
    }

    fn store(&mut self, key: F, value: F) -> Result<(), ErrorKind> {
        self.0.insert(key.to_canonical_u64(), value);
        Ok(())
    }
}
