//! Resumable chunked upload of a bitstream or configuration image.
//!
//! 1. `UPLOAD_STATUS`: if the board is receiving this very image (same length and CRC-32), go
//!    on from the offset it reports (a resume after an unplug or a killed host); otherwise
//!    `UPLOAD_BEGIN` (length, CRC-32), which starts from 0.
//! 2. `UPLOAD_DATA` chunks at the board's offset; each answer is the board's new offset, which
//!    the next chunk starts from (a lost answer means a resend the board trims).
//! 3. `UPLOAD_COMMIT`: the board checks the whole image's length and CRC-32 and answers them;
//!    only an ACK whose length and CRC equal ours is success. Anything else, including a link
//!    lost before the commit's answer, is an error: a half-written image is never "done".

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use parallax_hdl::boardproto::{cmd, upload_state};

use super::frame::{crc32, MAX_PAYLOAD};
use super::link::{Link, LinkError};

/// The largest chunk: a frame's payload less the 4-byte offset.
pub const MAX_CHUNK: usize = MAX_PAYLOAD - 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadReport {
    pub total: usize,
    pub crc: u32,
    /// Where this session started (> 0: resumed).
    pub resumed_from: usize,
    /// Image bytes sent in this session (resends included).
    pub sent: usize,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("upload interrupted at {received} of {total} bytes: {source} (run the same upload again to resume)")]
    Interrupted { received: usize, total: usize, source: LinkError },
    #[error("the board reports the image as {board_len} bytes with CRC-32 {board_crc:#010x}, expected {len} bytes with {crc:#010x}: not committed")]
    Mismatch { len: usize, crc: u32, board_len: usize, board_crc: u32 },
    #[error("{0}")]
    Refused(LinkError),
    #[error("{0}")]
    Protocol(String),
    #[error("image of {0} bytes: the protocol carries at most 4 GiB - 1")]
    TooLarge(usize),
}

/// The board's `UPLOAD_STATUS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    pub state: u8,
    pub total: u32,
    pub crc: u32,
    pub received: u32,
}

pub fn status<P: Read + Write>(link: &mut Link<P>) -> Result<Status, LinkError> {
    let p = link.request(cmd::UPLOAD_STATUS, &[])?;
    if p.len() != 13 {
        return Err(LinkError::Protocol(format!("upload-status answer of {} bytes, expected 13", p.len())));
    }
    Ok(Status { state: p[0], total: le32(&p[1..]), crc: le32(&p[5..]), received: le32(&p[9..]) })
}

fn le32(p: &[u8]) -> u32 {
    u32::from_le_bytes(p[..4].try_into().expect("4 bytes"))
}

/// Uploads `image` in chunks of at most `chunk` bytes, calling `progress(received, total)`
/// after each acknowledged chunk.
pub fn upload<P: Read + Write>(
    link: &mut Link<P>,
    image: &[u8],
    chunk: usize,
    mut progress: impl FnMut(usize, usize),
) -> Result<UploadReport, UploadError> {
    let t0 = Instant::now();
    let total = u32::try_from(image.len()).map_err(|_| UploadError::TooLarge(image.len()))?;
    let chunk = chunk.clamp(1, MAX_CHUNK);
    let crc = crc32(image);
    let mut received = 0usize;
    let lost = |received: usize| move |source| UploadError::Interrupted { received, total: image.len(), source };

    let st = status(link).map_err(lost(0))?;
    if st.state == upload_state::RECEIVING && st.total == total && st.crc == crc && st.received <= total {
        received = st.received as usize;
    } else {
        let mut p = total.to_le_bytes().to_vec();
        p.extend(crc.to_le_bytes());
        let ack = link.request(cmd::UPLOAD_BEGIN, &p).map_err(lost(0))?;
        if ack.len() != 4 || le32(&ack) != 0 {
            return Err(UploadError::Protocol(format!("upload-begin answered {ack:?}, expected offset 0")));
        }
    }
    let resumed_from = received;
    progress(received, image.len());
    let (mut sent, mut stuck) = (0usize, 0u32);
    while received < image.len() {
        let end = (received + chunk).min(image.len());
        let mut p = (received as u32).to_le_bytes().to_vec();
        p.extend(&image[received..end]);
        let ack = match link.request(cmd::UPLOAD_DATA, &p) {
            Ok(a) => a,
            Err(e @ LinkError::Nak { .. }) => return Err(UploadError::Refused(e)),
            Err(e) => return Err(lost(received)(e)),
        };
        sent += end - received;
        if ack.len() != 4 || le32(&ack) as usize > image.len() {
            return Err(UploadError::Protocol(format!("upload-data answered {ack:?}")));
        }
        let now = le32(&ack) as usize;
        // The board's offset is the truth; guard against one that never moves.
        stuck = if now > received { 0 } else { stuck + 1 };
        if stuck > link.config().retries {
            return Err(UploadError::Protocol(format!("the board's offset stays at {now} of {}", image.len())));
        }
        received = now;
        progress(received, image.len());
    }
    let ack = match link.request(cmd::UPLOAD_COMMIT, &[]) {
        Ok(a) => a,
        Err(e @ LinkError::Nak { .. }) => return Err(UploadError::Refused(e)),
        Err(e) => return Err(lost(received)(e)),
    };
    if ack.len() != 8 {
        return Err(UploadError::Protocol(format!("upload-commit answered {} bytes, expected 8", ack.len())));
    }
    let (board_len, board_crc) = (le32(&ack) as usize, le32(&ack[4..]));
    if board_len != image.len() || board_crc != crc {
        return Err(UploadError::Mismatch { len: image.len(), crc, board_len, board_crc });
    }
    Ok(UploadReport { total: image.len(), crc, resumed_from, sent, elapsed: t0.elapsed() })
}
