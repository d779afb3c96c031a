//! Word-addressed read/write memory. Addresses are below 2^32. Reading a word that was never
//! written is an error: every memory cell's first access is a write, which is also what the
//! memory table of the proof can check cheaply (no implicit zero initialisation to prove).

use std::collections::HashMap;

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};

use super::error::ErrorKind;

const PAGE_BITS: u32 = 12;
const PAGE_WORDS: usize = 1 << PAGE_BITS;
/// Marks a never-written word. It is not a canonical field element (p < 2^64 - 1).
const UNWRITTEN: u64 = u64::MAX;

/// Sparse paged memory: 4096-word pages allocated on first write.
#[derive(Clone, Default)]
pub struct Memory {
    pages: HashMap<u32, Box<[u64; PAGE_WORDS]>>,
}

impl Memory {
    pub fn new() -> Self {
        Self::default()
    }

    #[inline]
    fn split(addr: u64) -> (u32, usize) {
        ((addr >> PAGE_BITS) as u32, (addr as usize) & (PAGE_WORDS - 1))
    }

    /// Reads `addr` (must be < 2^32: callers check the bound).
    #[inline]
    pub fn read(&self, addr: u64) -> Result<F, ErrorKind> {
        let (page, off) = Self::split(addr);
        match self.pages.get(&page).map(|p| p[off]) {
            Some(v) if v != UNWRITTEN => Ok(F::from_canonical_u64(v)),
            _ => Err(ErrorKind::UninitializedRead { addr }),
        }
    }

    #[inline]
    pub fn write(&mut self, addr: u64, value: F) {
        let (page, off) = Self::split(addr);
        let page = self.pages.entry(page).or_insert_with(|| Box::new([UNWRITTEN; PAGE_WORDS]));
        page[off] = value.to_canonical_u64();
    }

    /// Number of words ever written.
    pub fn written_words(&self) -> usize {
        self.pages.values().map(|p| p.iter().filter(|&&v| v != UNWRITTEN).count()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_after_write_and_unwritten() {
        let mut m = Memory::new();
        assert_eq!(m.read(5), Err(ErrorKind::UninitializedRead { addr: 5 }));
        m.write(5, F::NEG_ONE);
        m.write((1 << 32) - 1, F::ONE);
        assert_eq!(m.read(5), Ok(F::NEG_ONE));
        assert_eq!(m.read((1 << 32) - 1), Ok(F::ONE));
        assert_eq!(m.read(6), Err(ErrorKind::UninitializedRead { addr: 6 }));
        assert_eq!(m.written_words(), 2);
    }
}
