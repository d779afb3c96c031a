//! The frame codec of the serial board protocol (layout in docs/boards.md; constants in
//! `parallax_hdl::boardproto`, shared with the board's HDL). [encode] builds a frame; [Decoder]
//! takes bytes one at a time, hunts for [SYNC] and yields whole frames or the reason one was
//! dropped, exactly as the board's decoder does (so host and board agree on what a frame is).

pub use parallax_hdl::boardproto::{ACK, HEADER, MAX_PAYLOAD, NAK, SYNC, TRAILER};

/// CRC-32/ISO-HDLC, the algorithm of `boardproto::crc32_model` (checked equal in the tests).
pub const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

pub fn crc32(bytes: &[u8]) -> u32 {
    CRC.checksum(bytes)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub cmd: u8,
    pub seq: u8,
    pub payload: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("payload of {0} bytes exceeds the protocol's {MAX_PAYLOAD}")]
    TooLong(usize),
    #[error("frame (cmd {cmd:#04x}, seq {seq}) failed its CRC check")]
    BadCrc { cmd: u8, seq: u8 },
}

/// The bytes of one frame.
pub fn encode(cmd: u8, seq: u8, payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(FrameError::TooLong(payload.len()));
    }
    let mut f = Vec::with_capacity(HEADER + payload.len() + TRAILER);
    f.extend([SYNC, cmd, seq]);
    f.extend((payload.len() as u16).to_le_bytes());
    f.extend(payload);
    let crc = crc32(&f[1..]);
    f.extend(crc.to_le_bytes());
    Ok(f)
}

/// Incremental decoder. Bytes before a [SYNC] are skipped; a header announcing more than
/// [MAX_PAYLOAD] drops the frame (hunting again from the next byte); a CRC mismatch yields
/// [FrameError::BadCrc] with the header as received (the board NAKs it).
#[derive(Default, Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Bytes skipped while hunting for SYNC, since creation.
    pub skipped: usize,
}

impl Decoder {
    pub fn push(&mut self, byte: u8) -> Option<Result<Frame, FrameError>> {
        if self.buf.is_empty() && byte != SYNC {
            self.skipped += 1;
            return None;
        }
        self.buf.push(byte);
        if self.buf.len() < HEADER {
            return None;
        }
        let len = u16::from_le_bytes([self.buf[3], self.buf[4]]) as usize;
        if len > MAX_PAYLOAD {
            self.buf.clear();
            return Some(Err(FrameError::TooLong(len)));
        }
        if self.buf.len() < HEADER + len + TRAILER {
            return None;
        }
        let f = std::mem::take(&mut self.buf);
        let (body, crc) = f.split_at(HEADER + len);
        let (cmd, seq) = (f[1], f[2]);
        if crc32(&body[1..]).to_le_bytes() != crc {
            return Some(Err(FrameError::BadCrc { cmd, seq }));
        }
        Some(Ok(Frame { cmd, seq, payload: body[HEADER..].to_vec() }))
    }

    /// Drops a partial frame (after an idle gap: the sender gave up on it).
    pub fn reset(&mut self) {
        self.buf.clear();
    }

    pub fn in_frame(&self) -> bool {
        !self.buf.is_empty()
    }
}

/// Every complete outcome in `bytes`, in order.
pub fn decode_all(bytes: &[u8]) -> Vec<Result<Frame, FrameError>> {
    let mut d = Decoder::default();
    bytes.iter().filter_map(|&b| d.push(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parallax_hdl::boardproto;
    use proptest::prelude::*;

    #[test]
    fn codec_matches_the_boards_bit_serial_model() {
        for len in [0, 1, 7, 96, MAX_PAYLOAD] {
            let p: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(encode(0x02, 9, &p).unwrap(), boardproto::frame_model(0x02, 9, &p), "len {len}");
        }
        assert_eq!(crc32(b"123456789"), boardproto::crc32_model(b"123456789"));
    }

    #[test]
    fn garbage_before_sync_is_skipped_and_long_headers_dropped() {
        let mut bytes = vec![0x00, 0xFF, 0x13];
        bytes.extend(encode(1, 2, b"abc").unwrap());
        // A header announcing MAX_PAYLOAD + 1 bytes, then a good frame.
        bytes.extend([SYNC, 1, 3, 0x01, 0x04]);
        bytes.extend(encode(1, 4, b"").unwrap());
        let out = decode_all(&bytes);
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(out[0], Ok(Frame { cmd: 1, seq: 2, payload: b"abc".to_vec() }));
        assert_eq!(out[1], Err(FrameError::TooLong(MAX_PAYLOAD + 1)));
        assert_eq!(out[2], Ok(Frame { cmd: 1, seq: 4, payload: vec![] }));
        assert!(encode(1, 0, &[0; MAX_PAYLOAD + 1]).is_err());
    }

    proptest! {
        #[test]
        fn round_trip(cmd: u8, seq: u8, payload in proptest::collection::vec(any::<u8>(), 0..300)) {
            let f = encode(cmd, seq, &payload).unwrap();
            prop_assert_eq!(decode_all(&f), vec![Ok(Frame { cmd, seq, payload })]);
        }

        /// Any change to one byte of a frame is caught: it never decodes as a (different or
        /// equal) valid frame. CRC-32 detects every error burst up to 32 bits; a corrupted SYNC
        /// or length loses the frame instead.
        #[test]
        fn single_byte_corruption_is_detected(
            cmd: u8, seq: u8, payload in proptest::collection::vec(any::<u8>(), 0..200),
            pos: prop::sample::Index, flip in 1u8..=255,
        ) {
            let mut f = encode(cmd, seq, &payload).unwrap();
            let i = pos.index(f.len());
            f[i] ^= flip;
            let out = decode_all(&f);
            prop_assert!(out.iter().all(|r| r.is_err()), "corrupted byte {} decoded as {:?}", i, out);
        }
    }
}
