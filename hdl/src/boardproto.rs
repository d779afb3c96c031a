//! The serial board protocol (docs/boards.md), defined once: the board's HDL front end
//! ([crate::uart]), the host driver (`host/src/boards`) and the simulated board all take their
//! constants from here, and the bit-serial CRC model below is what the HDL computes.
//!
//! Frame: `SYNC, cmd, seq, len (u16 LE), payload (len bytes), crc (u32 LE)`, with the CRC-32
//! (ISO-HDLC: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF) over
//! `cmd, seq, len, payload`. A response carries the request's `seq` and [ACK] or [NAK] as `cmd`.

/// First byte of every frame; the receiver hunts for it.
pub const SYNC: u8 = 0xA5;
/// `SYNC, cmd, seq, len_lo, len_hi`.
pub const HEADER: usize = 5;
/// The CRC-32 after the payload.
pub const TRAILER: usize = 4;
/// Longest payload; a header announcing more is dropped (the receiver hunts again).
pub const MAX_PAYLOAD: usize = 1024;

/// Request commands (host -> board).
pub mod cmd {
    /// Empty payload; answered with [super::PingInfo]'s 8 bytes.
    pub const PING: u8 = 0x01;
    /// 12 canonical Goldilocks words (u64 LE, 96 bytes) -> the permuted 12 words.
    pub const PERMUTE: u8 = 0x02;
    /// `leaf_len: u16 LE`, then leaves of `leaf_len` words -> one 4-word digest per leaf
    /// (`PoseidonHash::hash_or_noop`).
    pub const HASH_LEAVES: u8 = 0x03;
    /// `total: u32 LE, image_crc: u32 LE`: start a new upload (drops any previous one).
    pub const UPLOAD_BEGIN: u8 = 0x10;
    /// `offset: u32 LE`, then bytes: appended when `offset` is the received count; answered
    /// with the received count (u32 LE).
    pub const UPLOAD_DATA: u8 = 0x11;
    /// Empty -> `state: u8, total: u32, image_crc: u32, received: u32` (LE).
    pub const UPLOAD_STATUS: u8 = 0x12;
    /// Empty -> verifies length and CRC of the whole image; answered with `total, crc` (u32 LE)
    /// when they match, [super::nak::VERIFY_FAILED] otherwise.
    pub const UPLOAD_COMMIT: u8 = 0x13;
}

/// Response `cmd` bytes.
pub const ACK: u8 = 0x06;
pub const NAK: u8 = 0x15;

/// A NAK's one-byte payload.
pub mod nak {
    /// The frame's CRC did not match (the host resends).
    pub const BAD_CRC: u8 = 1;
    pub const UNKNOWN_COMMAND: u8 = 3;
    /// Wrong payload length or a non-canonical field element.
    pub const BAD_PAYLOAD: u8 = 4;
    /// `UPLOAD_DATA` at an offset beyond what was received.
    pub const OUT_OF_ORDER: u8 = 5;
    /// `UPLOAD_COMMIT` with a short image or a CRC mismatch.
    pub const VERIFY_FAILED: u8 = 6;
    /// An accelerator command before an image is committed (bootloader boards).
    pub const NOT_CONFIGURED: u8 = 7;
    /// `UPLOAD_DATA`/`UPLOAD_COMMIT` without `UPLOAD_BEGIN`, or more bytes than announced.
    pub const NO_UPLOAD: u8 = 8;
}

/// `UPLOAD_STATUS` states.
pub mod upload_state {
    pub const IDLE: u8 = 0;
    pub const RECEIVING: u8 = 1;
    pub const COMMITTED: u8 = 2;
}

/// `PING`'s answer: `magic "PLXB", version, capabilities, max payload (u16 LE)`.
pub const PING_MAGIC: [u8; 4] = *b"PLXB";
pub const VERSION: u8 = 1;
/// Capability bits of the PING answer.
pub mod caps {
    /// The board takes image uploads (a bootloader).
    pub const UPLOAD: u8 = 1;
    pub const PERMUTE: u8 = 2;
    pub const HASH: u8 = 4;
}

/// The 8 bytes of a PING answer.
pub fn ping_payload(caps: u8, max_payload: u16) -> [u8; 8] {
    let m = max_payload.to_le_bytes();
    [PING_MAGIC[0], PING_MAGIC[1], PING_MAGIC[2], PING_MAGIC[3], VERSION, caps, m[0], m[1]]
}

/// PERMUTE's payload: 12 words of 8 bytes.
pub const PERMUTE_BYTES: usize = 96;

/// The reflected CRC-32 polynomial.
pub const CRC_POLY: u32 = 0xEDB8_8320;
pub const CRC_INIT: u32 = 0xFFFF_FFFF;

/// One bit of the CRC register, as the HDL clocks it (LSB of the byte first).
pub fn crc_bit(crc: u32, bit: bool) -> u32 {
    let fb = (crc & 1 == 1) ^ bit;
    (crc >> 1) ^ if fb { CRC_POLY } else { 0 }
}

/// Bit-serial CRC-32 (ISO-HDLC) of `bytes`: the model of the HDL's CRC unit.
pub fn crc32_model(bytes: &[u8]) -> u32 {
    let mut crc = CRC_INIT;
    for &b in bytes {
        for i in 0..8 {
            crc = crc_bit(crc, b >> i & 1 == 1);
        }
    }
    crc ^ CRC_INIT
}

/// A whole frame, built with [crc32_model] (the reference the host codec is tested against).
pub fn frame_model(cmd: u8, seq: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() <= MAX_PAYLOAD);
    let mut f = vec![SYNC, cmd, seq];
    f.extend((payload.len() as u16).to_le_bytes());
    f.extend(payload);
    let crc = crc32_model(&f[1..]);
    f.extend(crc.to_le_bytes());
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_model_has_the_standard_check_value() {
        // The CRC-32/ISO-HDLC catalogue check value of "123456789".
        assert_eq!(crc32_model(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_model(b""), 0);
    }
}
