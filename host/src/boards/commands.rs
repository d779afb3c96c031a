//! Accelerator commands over a [Link]: `PING`, `PERMUTE` (one Poseidon-12 permutation) and
//! `HASH_LEAVES` (`PoseidonHash::hash_or_noop` per leaf, batched into frames), with inputs
//! checked canonical on the host so that the board's BAD_PAYLOAD means a transport problem.

use std::io::{Read, Write};

use parallax_hdl::boardproto::{self, cmd, PERMUTE_BYTES, PING_MAGIC};

use super::frame::MAX_PAYLOAD;
use super::link::{Link, LinkError};

const ORDER: u64 = 0xFFFF_FFFF_0000_0001;

/// A board's PING answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    pub version: u8,
    pub caps: u8,
    pub max_payload: u16,
}

impl BoardInfo {
    pub fn describe(&self) -> String {
        let mut c = vec![];
        for (bit, name) in [(boardproto::caps::UPLOAD, "upload"), (boardproto::caps::PERMUTE, "permute"), (boardproto::caps::HASH, "hash")] {
            if self.caps & bit != 0 {
                c.push(name);
            }
        }
        format!("Parallax board, protocol v{}, commands: {}, frames up to {} bytes", self.version, c.join(" "), self.max_payload)
    }
}

pub fn ping<P: Read + Write>(link: &mut Link<P>) -> Result<BoardInfo, LinkError> {
    let p = link.request(cmd::PING, &[])?;
    if p.len() != 8 || p[..4] != PING_MAGIC {
        return Err(LinkError::Protocol(format!("the device answered PING with {p:02x?}, not a Parallax board")));
    }
    Ok(BoardInfo { version: p[4], caps: p[5], max_payload: u16::from_le_bytes([p[6], p[7]]) })
}

fn canonical(words: &[u64]) -> Result<(), LinkError> {
    match words.iter().find(|&&w| w >= ORDER) {
        Some(w) => Err(LinkError::Protocol(format!("{w:#x} is not a canonical Goldilocks element"))),
        None => Ok(()),
    }
}

fn le_words(p: &[u8]) -> Vec<u64> {
    p.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()
}

/// One Poseidon permutation of a 12-word state on the board.
pub fn permute<P: Read + Write>(link: &mut Link<P>, state: &[u64; 12]) -> Result<[u64; 12], LinkError> {
    canonical(state)?;
    let p: Vec<u8> = state.iter().flat_map(|w| w.to_le_bytes()).collect();
    let r = link.request(cmd::PERMUTE, &p)?;
    if r.len() != PERMUTE_BYTES {
        return Err(LinkError::Protocol(format!("permute answered {} bytes, expected {PERMUTE_BYTES}", r.len())));
    }
    let w = le_words(&r);
    Ok(std::array::from_fn(|i| w[i]))
}

/// Leaves per frame: bounded by the request (2 + 8 * len each) and the answer (32 each).
pub fn leaves_per_frame(leaf_len: usize) -> usize {
    ((MAX_PAYLOAD - 2) / (8 * leaf_len)).min(MAX_PAYLOAD / 32)
}

/// `hash_or_noop` of each leaf (all of one length, 1..=127 words) on the board.
pub fn hash_leaves<P: Read + Write>(link: &mut Link<P>, leaves: &[Vec<u64>]) -> Result<Vec<[u64; 4]>, LinkError> {
    let Some(first) = leaves.first() else { return Ok(vec![]) };
    let len = first.len();
    if len == 0 || leaves_per_frame(len) == 0 || leaves.iter().any(|l| l.len() != len) {
        return Err(LinkError::Protocol(format!("leaves must all have one length of 1..={} words", (MAX_PAYLOAD - 2) / 8)));
    }
    let mut out = Vec::with_capacity(leaves.len());
    for batch in leaves.chunks(leaves_per_frame(len)) {
        let mut p = (len as u16).to_le_bytes().to_vec();
        for leaf in batch {
            canonical(leaf)?;
            p.extend(leaf.iter().flat_map(|w| w.to_le_bytes()));
        }
        let r = link.request(cmd::HASH_LEAVES, &p)?;
        if r.len() != 32 * batch.len() {
            return Err(LinkError::Protocol(format!("hash-leaves answered {} bytes for {} leaves", r.len(), batch.len())));
        }
        out.extend(le_words(&r).chunks(4).map(|d| [d[0], d[1], d[2], d[3]]));
    }
    Ok(out)
}
