//! The host driver of the kernel: buffers, arguments, start, wait, read-back. Written against
//! [Device], the operations an XRT card offers (buffer objects with `sync`, register writes or
//! `xrt::run` arguments, `ap_start`, wait with a timeout), so the simulated card and a real one
//! run the same sequence.

use std::time::Duration;

use parallax_hdl::regmap;
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, PrimeField64};

use crate::memory::Buffer;
use crate::merkle::{to_digest, DIGEST};
use crate::{Card, CardError, Digest, F};

/// What the driver needs from a card.
pub trait Device {
    fn alloc(&mut self, words: usize) -> Result<Buffer, CardError>;
    fn free(&mut self, buf: Buffer);
    /// Host -> card (XRT: `bo.write` + `bo.sync(XCL_BO_SYNC_BO_TO_DEVICE)`).
    fn write(&mut self, buf: Buffer, offset: usize, data: &[u64]) -> Result<(), CardError>;
    /// Card -> host (XRT: `bo.sync(XCL_BO_SYNC_BO_FROM_DEVICE)` + `bo.read`).
    fn read(&mut self, buf: Buffer, offset: usize, len: usize) -> Result<Vec<u64>, CardError>;
    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), CardError>;
    fn read_reg(&mut self, offset: u32) -> Result<u32, CardError>;
    /// Blocks until `ap_done`, at most `timeout` (XRT: `run.wait(timeout)`).
    fn wait(&mut self, timeout: Duration) -> Result<(), CardError>;
    /// Brings the kernel back to idle after a timeout or error.
    fn reset(&mut self);
}

impl Device for Card {
    fn alloc(&mut self, words: usize) -> Result<Buffer, CardError> {
        Card::alloc(self, words)
    }
    fn free(&mut self, buf: Buffer) {
        Card::free(self, buf)
    }
    fn write(&mut self, buf: Buffer, offset: usize, data: &[u64]) -> Result<(), CardError> {
        Card::write(self, buf, offset, data)
    }
    fn read(&mut self, buf: Buffer, offset: usize, len: usize) -> Result<Vec<u64>, CardError> {
        Card::read(self, buf, offset, len)
    }
    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), CardError> {
        Card::write_reg(self, offset, value)
    }
    fn read_reg(&mut self, offset: u32) -> Result<u32, CardError> {
        Card::read_reg(self, offset)
    }
    fn wait(&mut self, timeout: Duration) -> Result<(), CardError> {
        Card::wait(self, timeout)
    }
    fn reset(&mut self) {
        Card::reset(self)
    }
}

/// The parts of plonky2's `PolynomialBatch::from_values(values, rate_bits, false, cap_height)`
/// that the card computes.
#[derive(Clone, Debug)]
pub struct Parts {
    pub coeffs: Vec<Vec<F>>,
    pub leaves: Vec<Vec<F>>,
    pub digests: Vec<Digest>,
    pub cap: Vec<Digest>,
}

/// Checks the trace's shape before anything goes to the card.
fn log_rows(columns: &[PolynomialValues<F>]) -> Result<usize, CardError> {
    let n = columns.first().map(|c| c.len()).ok_or_else(|| CardError::Unsupported("a trace with no columns".into()))?;
    if !n.is_power_of_two() || n < 2 || columns.iter().any(|c| c.len() != n) {
        return Err(CardError::Unsupported(format!("columns must all have the same power-of-two length >= 2 (first has {n})")));
    }
    Ok(n.trailing_zeros() as usize)
}

/// Words the card returns must be canonical field elements; anything else is a device fault.
fn felts(words: &[u64], what: &str) -> Result<Vec<F>, CardError> {
    words
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            (w < crate::P)
                .then(|| F::from_canonical_u64(w))
                .ok_or_else(|| CardError::Device(format!("the card returned a non-canonical value {w:#x} in {what}[{i}]")))
        })
        .collect()
}

/// "LDE and commit" on a card: one kernel run; buffers are freed whatever happens.
pub fn lde_and_commit(
    dev: &mut impl Device,
    columns: &[PolynomialValues<F>],
    rate_bits: usize,
    cap_height: usize,
    timeout: Duration,
) -> Result<Parts, CardError> {
    let log_n = log_rows(columns)?;
    let (c, n, big_n) = (columns.len(), 1usize << log_n, 1usize << (log_n + rate_bits));
    if cap_height > log_n + rate_bits {
        return Err(CardError::Unsupported(format!("cap height {cap_height} exceeds the tree height {}", log_n + rate_bits)));
    }
    let sizes = [c * n, c * n, c * big_n, DIGEST * 2 * (big_n - (1 << cap_height)), DIGEST << cap_height];
    let mut bufs = Vec::with_capacity(sizes.len());
    let result = (|| {
        for &words in &sizes {
            bufs.push(dev.alloc(words.max(1))?);
        }
        let values: Vec<u64> = columns.iter().flat_map(|c| c.values.iter().map(|x| x.to_canonical_u64())).collect();
        dev.write(bufs[0], 0, &values)?;
        for (reg, v) in [
            (regmap::ARG_COMMAND, regmap::Command::LdeAndCommit as u32),
            (regmap::ARG_LOG_ROWS, log_n as u32),
            (regmap::ARG_COLUMNS, c as u32),
            (regmap::ARG_RATE_BITS, rate_bits as u32),
            (regmap::ARG_CAP_HEIGHT, cap_height as u32),
        ] {
            dev.write_reg(reg, v)?;
        }
        for (reg, buf) in regmap::BUFFER_ARGS.iter().zip(&bufs) {
            dev.write_reg(*reg, buf.addr as u32)?;
            dev.write_reg(reg + 4, (buf.addr >> 32) as u32)?;
        }
        dev.write_reg(regmap::CTRL, regmap::CTRL_START)?;
        if let Err(e) = dev.wait(timeout) {
            dev.reset();
            return Err(e);
        }
        let coeffs = felts(&dev.read(bufs[1], 0, c * n)?, "coeffs")?;
        let leaves = felts(&dev.read(bufs[2], 0, c * big_n)?, "leaves")?;
        let digest_words = dev.read(bufs[3], 0, sizes[3])?;
        let cap_words = dev.read(bufs[4], 0, sizes[4])?;
        let digests = |w: &[u64], what| -> Result<Vec<Digest>, CardError> {
            felts(w, what)?;
            Ok(w.chunks(DIGEST).map(|d| to_digest(d.try_into().expect("4 words"))).collect())
        };
        Ok(Parts {
            coeffs: coeffs.chunks(n).map(|c| c.to_vec()).collect(),
            leaves: leaves.chunks(c).map(|r| r.to_vec()).collect(),
            digests: digests(&digest_words, "digests")?,
            cap: digests(&cap_words, "cap")?,
        })
    })();
    for b in bufs {
        dev.free(b);
    }
    result
}
