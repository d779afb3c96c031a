//! Device memory: buffers of 64-bit words at byte addresses, as the kernel's AXI masters see
//! them. Timing lives in [crate::config::MemoryConfig]; this holds data.

use std::collections::BTreeMap;

use crate::CardError;

/// A buffer in device memory (what an XRT buffer object's `address()` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Buffer {
    /// Byte address on the card.
    pub addr: u64,
    /// Length in 64-bit words.
    pub words: usize,
}

/// Allocations are 4 KiB aligned, as XRT's buffer objects are.
const ALIGN: u64 = 4096;
/// Address 0 is never handed out, so a zero argument is caught as unset.
const BASE: u64 = ALIGN;

pub(crate) struct DeviceMemory {
    capacity: u64,
    used: u64,
    next: u64,
    buffers: BTreeMap<u64, Vec<u64>>,
}

impl DeviceMemory {
    pub fn new(capacity: u64) -> Self {
        Self { capacity, used: 0, next: BASE, buffers: BTreeMap::new() }
    }

    pub fn alloc(&mut self, words: usize) -> Result<Buffer, CardError> {
        let bytes = (words as u64).checked_mul(8).filter(|&b| b > 0);
        let bytes = bytes.ok_or_else(|| CardError::Device(format!("cannot allocate {words} words")))?;
        if self.used + bytes > self.capacity {
            return Err(CardError::Device(format!(
                "out of device memory: {} MiB requested, {} MiB of {} MiB free",
                bytes >> 20,
                (self.capacity - self.used) >> 20,
                self.capacity >> 20
            )));
        }
        let addr = self.next;
        self.next += bytes.div_ceil(ALIGN) * ALIGN;
        self.used += bytes;
        self.buffers.insert(addr, vec![0; words]);
        Ok(Buffer { addr, words })
    }

    pub fn free(&mut self, buf: Buffer) {
        if let Some(v) = self.buffers.remove(&buf.addr) {
            self.used -= v.len() as u64 * 8;
        }
    }

    /// The allocation holding `[addr, addr + 8 * words)` and the word offset of `addr` in it.
    fn locate(&self, addr: u64, words: usize) -> Result<(u64, usize), CardError> {
        let bad = || CardError::Device(format!("{words} words at device address {addr:#x} are not inside one buffer"));
        if addr % 8 != 0 {
            return Err(bad());
        }
        let (&base, data) = self.buffers.range(..=addr).next_back().ok_or_else(bad)?;
        let offset = ((addr - base) / 8) as usize;
        if offset.checked_add(words).is_none_or(|end| end > data.len()) {
            return Err(bad());
        }
        Ok((base, offset))
    }

    /// Checks that a range lies inside one allocation.
    pub fn check(&self, addr: u64, words: usize) -> Result<(), CardError> {
        self.locate(addr, words).map(|_| ())
    }

    pub fn read(&self, addr: u64, words: usize) -> Result<&[u64], CardError> {
        let (base, offset) = self.locate(addr, words)?;
        Ok(&self.buffers[&base][offset..offset + words])
    }

    pub fn write(&mut self, addr: u64, data: &[u64]) -> Result<(), CardError> {
        let (base, offset) = self.locate(addr, data.len())?;
        let buf = self.buffers.get_mut(&base).expect("located");
        buf[offset..offset + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Mutable access without traffic accounting (fault injection).
    pub fn word_mut(&mut self, addr: u64) -> Result<&mut u64, CardError> {
        let (base, offset) = self.locate(addr, 1)?;
        Ok(&mut self.buffers.get_mut(&base).expect("located")[offset])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_aligned_disjoint_and_bounded() {
        let mut m = DeviceMemory::new(1 << 20);
        let a = m.alloc(3).unwrap();
        let b = m.alloc(1000).unwrap();
        assert_eq!(a.addr % ALIGN, 0);
        assert!(b.addr >= a.addr + 24);
        m.write(b.addr + 8, &[7, 8]).unwrap();
        assert_eq!(m.read(b.addr, 3).unwrap(), &[0, 7, 8]);
        assert!(m.read(a.addr, 4).is_err(), "past the end of a");
        assert!(m.read(a.addr + 4, 1).is_err(), "unaligned");
        assert!(m.read(0, 1).is_err(), "address 0 is never allocated");
        assert!(m.alloc(1 << 17).is_err(), "over capacity");
        m.free(b);
        assert!(m.read(b.addr, 1).is_err(), "freed");
        assert!(m.alloc(1 << 16).is_ok(), "freed space is reusable by capacity");
    }
}
