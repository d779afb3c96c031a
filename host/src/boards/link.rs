//! [Link]: request/response over any `Read + Write` byte stream (a serial port, a pty, a test
//! pipe). Each request gets a fresh sequence number; the answer must carry it. A lost, garbled
//! or NAKed-for-CRC exchange is resent, at most [LinkConfig::retries] times, which is safe
//! because every command is idempotent on the board (uploads are offset-addressed).
//!
//! Reads must not block forever: the stream's own read timeout (a serial port's `timeout`)
//! should be short; the link keeps its own deadline per attempt and treats `TimedOut` /
//! `WouldBlock` as "nothing yet". Any other read or write error, or end of stream, is
//! [LinkError::Disconnected] (an unplugged USB-UART reads as EIO / hang-up).

use std::io::{self, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use super::frame::{encode, Decoder, FrameError, ACK, NAK};
use parallax_hdl::boardproto::{cmd, nak};

#[derive(Clone, Copy, Debug)]
pub struct LinkConfig {
    /// How long one attempt waits for the answer.
    pub timeout: Duration,
    /// Resends after the first attempt.
    pub retries: u32,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self { timeout: Duration::from_millis(500), retries: 4 }
    }
}

/// Counters of one link, for reports and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    pub requests: u64,
    /// Attempts beyond the first, over all requests.
    pub resends: u64,
    pub naks_bad_crc: u64,
    pub timeouts: u64,
    pub bad_responses: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the board did not answer {} within {waited:?} ({attempts} attempts); is this port a Parallax board, and is the baud rate right?", name(*cmd))]
    Timeout { cmd: u8, attempts: u32, waited: Duration },
    #[error("the board refused {}: {}", name(*cmd), nak_text(*code))]
    Nak { cmd: u8, code: u8 },
    #[error("connection to the board lost: {0}")]
    Disconnected(io::Error),
    #[error("{0}")]
    Protocol(String),
}

/// A command's name in messages.
pub fn name(c: u8) -> String {
    match c {
        cmd::PING => "ping".into(),
        cmd::PERMUTE => "permute".into(),
        cmd::HASH_LEAVES => "hash-leaves".into(),
        cmd::UPLOAD_BEGIN => "upload-begin".into(),
        cmd::UPLOAD_DATA => "upload-data".into(),
        cmd::UPLOAD_STATUS => "upload-status".into(),
        cmd::UPLOAD_COMMIT => "upload-commit".into(),
        c => format!("command {c:#04x}"),
    }
}

pub fn nak_text(code: u8) -> String {
    match code {
        nak::BAD_CRC => "bad CRC".into(),
        nak::UNKNOWN_COMMAND => "unknown command".into(),
        nak::BAD_PAYLOAD => "bad payload (length or a non-canonical field element)".into(),
        nak::OUT_OF_ORDER => "data beyond the received offset".into(),
        nak::VERIFY_FAILED => "the image failed verification (length or CRC-32)".into(),
        nak::NOT_CONFIGURED => "no image committed yet".into(),
        nak::NO_UPLOAD => "no upload in progress".into(),
        c => format!("error code {c}"),
    }
}

pub struct Link<P> {
    port: P,
    seq: u8,
    cfg: LinkConfig,
    pub stats: LinkStats,
}

/// What one attempt came to.
enum Attempt {
    Answer(Vec<u8>),
    Resend,
}

impl<P: Read + Write> Link<P> {
    pub fn new(port: P, cfg: LinkConfig) -> Self {
        Self { port, seq: 0, cfg, stats: LinkStats::default() }
    }

    pub fn config(&self) -> LinkConfig {
        self.cfg
    }

    pub fn into_inner(self) -> P {
        self.port
    }

    /// Sends `cmd` with `payload` and returns the ACK's payload.
    pub fn request(&mut self, cmd: u8, payload: &[u8]) -> Result<Vec<u8>, LinkError> {
        self.seq = self.seq.wrapping_add(1);
        let frame = encode(cmd, self.seq, payload).map_err(|e| LinkError::Protocol(e.to_string()))?;
        self.stats.requests += 1;
        let attempts = self.cfg.retries + 1;
        for attempt in 0..attempts {
            if attempt > 0 {
                self.stats.resends += 1;
            }
            self.port.write_all(&frame).and_then(|()| self.port.flush()).map_err(LinkError::Disconnected)?;
            self.stats.bytes_sent += frame.len() as u64;
            match self.await_answer(cmd)? {
                Attempt::Answer(p) => return Ok(p),
                Attempt::Resend => {}
            }
        }
        Err(LinkError::Timeout { cmd, attempts, waited: self.cfg.timeout * attempts })
    }

    fn await_answer(&mut self, cmd: u8) -> Result<Attempt, LinkError> {
        let deadline = Instant::now() + self.cfg.timeout;
        let mut dec = Decoder::default();
        let mut buf = [0u8; 512];
        while Instant::now() < deadline {
            let n = match self.port.read(&mut buf) {
                Ok(0) => return Err(LinkError::Disconnected(io::Error::new(ErrorKind::UnexpectedEof, "end of stream"))),
                Ok(n) => n,
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => continue,
                Err(e) => return Err(LinkError::Disconnected(e)),
            };
            self.stats.bytes_received += n as u64;
            for &b in &buf[..n] {
                match dec.push(b) {
                    None => {}
                    // A garbled answer: the board did the work (or not); asking again is safe.
                    Some(Err(FrameError::BadCrc { .. } | FrameError::TooLong(_))) => {
                        self.stats.bad_responses += 1;
                        return Ok(Attempt::Resend);
                    }
                    // The board could not read our frame; its seq may be garbled too.
                    Some(Ok(f)) if f.cmd == NAK && f.payload == [nak::BAD_CRC] => {
                        self.stats.naks_bad_crc += 1;
                        return Ok(Attempt::Resend);
                    }
                    // An answer to an earlier attempt of an earlier request: stale.
                    Some(Ok(f)) if f.seq != self.seq => {}
                    Some(Ok(f)) if f.cmd == ACK => return Ok(Attempt::Answer(f.payload)),
                    Some(Ok(f)) if f.cmd == NAK && f.payload.len() == 1 => return Err(LinkError::Nak { cmd, code: f.payload[0] }),
                    Some(Ok(f)) => return Err(LinkError::Protocol(format!("unexpected answer {:#04x} to {}", f.cmd, name(cmd)))),
                }
            }
        }
        self.stats.timeouts += 1;
        Ok(Attempt::Resend)
    }
}
