//! [SimBoard]: the board's side of the protocol in software, for tests and `parallax
//! board-sim`: a bootloader that takes a chunked image upload and verifies it before it
//! reports "committed", then runs accelerator commands (Poseidon through plonky2). It decodes
//! with the same [Decoder] as the host, whose behaviour is the HDL front end's
//! (hdl/src/uart/decoder.rs): hunt for SYNC, drop over-long headers, NAK a bad CRC.
//!
//! Differences from the HDL front end, by design: the HDL is the configured fabric (no upload
//! commands, always "configured", PING and PERMUTE only); this board models the bootloader in
//! front of it, so accelerator commands need a committed image. [Faults] injects what the
//! tests need: corrupted bytes in either direction, silence, a bad storage write, an unplug.

use parallax_hdl::boardproto::{self, caps, cmd, nak, upload_state, PERMUTE_BYTES};
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::hash::poseidon::{Poseidon, PoseidonHash};
use plonky2::plonk::config::Hasher;

use super::frame::{crc32, encode, Decoder, Frame, FrameError, ACK, MAX_PAYLOAD, NAK};
use crate::prover::F;

/// Faults to inject; all off by default.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Flip bits of every n-th byte the board receives (positions n, 2n, ...).
    pub corrupt_rx_every: Option<u64>,
    /// Flip bits of every n-th byte the board sends.
    pub corrupt_tx_every: Option<u64>,
    /// Never answer anything.
    pub silent: bool,
    /// The stored image differs from what was received (a failed write): commit must fail.
    pub bad_storage: bool,
    /// Hang up once this many image bytes are stored (before answering that chunk).
    pub unplug_at: Option<usize>,
}

/// What the board counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BoardStats {
    pub frames: u64,
    pub naks_bad_crc: u64,
    pub dropped_headers: u64,
    pub commands: u64,
}

#[derive(Clone, Debug)]
struct Upload {
    total: u32,
    crc: u32,
    data: Vec<u8>,
    committed: bool,
}

#[derive(Debug, Default)]
pub struct SimBoard {
    dec: Decoder,
    upload: Option<Upload>,
    pub faults: Faults,
    pub stats: BoardStats,
    rx_count: u64,
    tx_count: u64,
    unplug: bool,
}

impl SimBoard {
    pub fn new(faults: Faults) -> Self {
        Self { faults, ..Self::default() }
    }

    /// Takes received bytes; returns the bytes to send back.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![];
        for &b in bytes {
            self.rx_count += 1;
            let b = match self.faults.corrupt_rx_every {
                Some(n) if self.rx_count % n == 0 => b ^ 0x5A,
                _ => b,
            };
            let Some(outcome) = self.dec.push(b) else { continue };
            self.stats.frames += 1;
            let reply = match outcome {
                Ok(f) => self.handle(&f),
                Err(FrameError::BadCrc { seq, .. }) => {
                    self.stats.naks_bad_crc += 1;
                    Some((NAK, seq, vec![nak::BAD_CRC]))
                }
                Err(FrameError::TooLong(_)) => {
                    self.stats.dropped_headers += 1;
                    None
                }
            };
            if self.unplug {
                return out;
            }
            if let (Some((code, seq, payload)), false) = (reply, self.faults.silent) {
                out.extend(encode(code, seq, &payload).expect("board answers fit a frame"));
            }
        }
        if let Some(n) = self.faults.corrupt_tx_every {
            for b in &mut out {
                self.tx_count += 1;
                if self.tx_count % n == 0 {
                    *b ^= 0x5A;
                }
            }
        }
        out
    }

    /// An idle gap on the line: a partial frame is abandoned (the sender timed out).
    pub fn idle(&mut self) {
        self.dec.reset();
    }

    pub fn in_frame(&self) -> bool {
        self.dec.in_frame()
    }

    /// True once an [Faults::unplug_at] fault has fired (the transport should hang up).
    pub fn take_unplug(&mut self) -> bool {
        std::mem::take(&mut self.unplug)
    }

    /// The committed image, if any.
    pub fn committed_image(&self) -> Option<&[u8]> {
        self.upload.as_ref().filter(|u| u.committed).map(|u| &u.data[..])
    }

    /// Image bytes received so far in the current upload.
    pub fn received(&self) -> usize {
        self.upload.as_ref().map_or(0, |u| u.data.len())
    }

    fn handle(&mut self, f: &Frame) -> Option<(u8, u8, Vec<u8>)> {
        self.stats.commands += 1;
        let r = self.execute(f.cmd, &f.payload);
        if self.unplug {
            return None;
        }
        Some(match r {
            Ok(p) => (ACK, f.seq, p),
            Err(code) => (NAK, f.seq, vec![code]),
        })
    }

    fn execute(&mut self, c: u8, p: &[u8]) -> Result<Vec<u8>, u8> {
        match c {
            cmd::PING if p.is_empty() => Ok(boardproto::ping_payload(caps::UPLOAD | caps::PERMUTE | caps::HASH, MAX_PAYLOAD as u16).to_vec()),
            cmd::PERMUTE => {
                self.configured()?;
                if p.len() != PERMUTE_BYTES {
                    return Err(nak::BAD_PAYLOAD);
                }
                let s = words(p)?;
                let out = <F as Poseidon>::poseidon(std::array::from_fn(|i| s[i]));
                Ok(bytes(&out))
            }
            cmd::HASH_LEAVES => {
                self.configured()?;
                let (leaf_len, rest) = match p {
                    [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) as usize, rest),
                    _ => return Err(nak::BAD_PAYLOAD),
                };
                if leaf_len == 0 || rest.len() % (8 * leaf_len) != 0 || rest.len() / (8 * leaf_len) * 32 > MAX_PAYLOAD {
                    return Err(nak::BAD_PAYLOAD);
                }
                let w = words(rest)?;
                Ok(w.chunks(leaf_len).flat_map(|leaf| bytes(&PoseidonHash::hash_or_noop(leaf).elements)).collect())
            }
            cmd::UPLOAD_BEGIN if p.len() == 8 => {
                // A new image replaces the configuration memory: the old one is gone.
                self.upload = Some(Upload { total: u32_at(p, 0), crc: u32_at(p, 4), data: vec![], committed: false });
                Ok(0u32.to_le_bytes().to_vec())
            }
            cmd::UPLOAD_DATA if p.len() >= 4 => {
                let unplug_at = self.faults.unplug_at;
                let u = self.upload.as_mut().filter(|u| !u.committed).ok_or(nak::NO_UPLOAD)?;
                let (offset, data) = (u32_at(p, 0) as usize, &p[4..]);
                let have = u.data.len();
                if offset > have {
                    return Err(nak::OUT_OF_ORDER);
                }
                if offset + data.len() > u.total as usize {
                    return Err(nak::NO_UPLOAD);
                }
                // A resent chunk overlaps what is stored: keep only the new tail.
                if offset + data.len() > have {
                    u.data.extend_from_slice(&data[have - offset..]);
                }
                if unplug_at.is_some_and(|at| u.data.len() >= at) {
                    self.faults.unplug_at = None;
                    self.unplug = true;
                }
                Ok((u.data.len() as u32).to_le_bytes().to_vec())
            }
            cmd::UPLOAD_STATUS if p.is_empty() => {
                let (state, total, crc, got) = match &self.upload {
                    None => (upload_state::IDLE, 0, 0, 0),
                    Some(u) => (if u.committed { upload_state::COMMITTED } else { upload_state::RECEIVING }, u.total, u.crc, u.data.len() as u32),
                };
                let mut out = vec![state];
                for v in [total, crc, got] {
                    out.extend(v.to_le_bytes());
                }
                Ok(out)
            }
            cmd::UPLOAD_COMMIT if p.is_empty() => {
                let bad = self.faults.bad_storage;
                let u = self.upload.as_mut().ok_or(nak::NO_UPLOAD)?;
                if bad && !u.data.is_empty() {
                    let mid = u.data.len() / 2;
                    u.data[mid] ^= 1;
                }
                // The check a real bootloader does after writing: read back, length and CRC.
                if u.data.len() != u.total as usize || crc32(&u.data) != u.crc {
                    return Err(nak::VERIFY_FAILED);
                }
                u.committed = true;
                let mut out = u.total.to_le_bytes().to_vec();
                out.extend(u.crc.to_le_bytes());
                Ok(out)
            }
            cmd::PING | cmd::UPLOAD_BEGIN | cmd::UPLOAD_DATA | cmd::UPLOAD_STATUS | cmd::UPLOAD_COMMIT => Err(nak::BAD_PAYLOAD),
            _ => Err(nak::UNKNOWN_COMMAND),
        }
    }

    fn configured(&self) -> Result<(), u8> {
        self.committed_image().map(|_| ()).ok_or(nak::NOT_CONFIGURED)
    }
}

fn u32_at(p: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(p[at..at + 4].try_into().expect("4 bytes"))
}

/// Little-endian u64 words, each canonical (< p), else BAD_PAYLOAD.
fn words(p: &[u8]) -> Result<Vec<F>, u8> {
    p.chunks_exact(8)
        .map(|c| {
            let v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            if v < F::ORDER {
                Ok(F::from_canonical_u64(v))
            } else {
                Err(nak::BAD_PAYLOAD)
            }
        })
        .collect()
}

fn bytes(w: &[F]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_canonical_u64().to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_hdl::boardproto::frame_model;

    /// Where the simulated board and the HDL front end overlap (hdl/tests/uart_sim.rs checks the
    /// HDL against these same `frame_model` bytes), they answer byte for byte alike.
    #[test]
    fn answers_match_the_hdl_front_end_where_they_overlap() {
        let mut b = SimBoard::default();
        let mut bad = frame_model(cmd::PING, 1, &[]);
        *bad.last_mut().unwrap() ^= 0x10;
        let mut garbage_then_bad = vec![0x00, 0x37];
        garbage_then_bad.extend(&bad);
        assert_eq!(b.feed(&garbage_then_bad), frame_model(NAK, 1, &[nak::BAD_CRC]));
        assert_eq!(b.feed(&frame_model(0x7E, 2, &[])), frame_model(NAK, 2, &[nak::UNKNOWN_COMMAND]));
        assert_eq!(b.feed(&frame_model(cmd::PING, 3, &[1])), frame_model(NAK, 3, &[nak::BAD_PAYLOAD]));
        let mut long = vec![boardproto::SYNC, cmd::PING, 5, 0x01, 0x04];
        long.extend(frame_model(cmd::PING, 6, &[]));
        let ping = boardproto::ping_payload(caps::UPLOAD | caps::PERMUTE | caps::HASH, MAX_PAYLOAD as u16);
        assert_eq!(b.feed(&long), frame_model(ACK, 6, &ping));
        // Configured (as the HDL fabric always is), PERMUTE answers the permutation.
        let img = [7u8; 10];
        let mut begin = 10u32.to_le_bytes().to_vec();
        begin.extend(crc32(&img).to_le_bytes());
        b.feed(&frame_model(cmd::UPLOAD_BEGIN, 7, &begin));
        let mut data = 0u32.to_le_bytes().to_vec();
        data.extend(img);
        b.feed(&frame_model(cmd::UPLOAD_DATA, 8, &data));
        assert_eq!(b.feed(&frame_model(cmd::UPLOAD_COMMIT, 9, &[]))[1], ACK);
        let s: [u64; 12] = std::array::from_fn(|i| i as u64 * 0x1234_5678_9ABC + 1);
        let p: Vec<u8> = s.iter().flat_map(|w| w.to_le_bytes()).collect();
        let want = parallax_hdl::poseidon::permutation_model(&s);
        let w: Vec<u8> = want.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(b.feed(&frame_model(cmd::PERMUTE, 10, &p)), frame_model(ACK, 10, &w));
        let mut q = s;
        q[11] = F::ORDER;
        let p: Vec<u8> = q.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(b.feed(&frame_model(cmd::PERMUTE, 11, &p)), frame_model(NAK, 11, &[nak::BAD_PAYLOAD]));
    }
}
