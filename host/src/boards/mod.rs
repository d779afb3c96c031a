//! Development boards attached over a USB-UART: the framed serial protocol of docs/boards.md.
//!
//! - [frame]: the codec (SYNC, cmd, seq, len, payload, CRC-32), constants from
//!   `parallax_hdl::boardproto` (shared with the board's HDL front end, hdl/src/uart).
//! - [link]: request/ACK/NAK with resend on a bad CRC or timeout, over any `Read + Write`.
//! - [upload]: resumable chunked image upload, verified by the board before "committed".
//! - [commands]: PING, PERMUTE, HASH_LEAVES.
//! - [sim], [pty]: the board in software, on a pseudo-terminal, for tests and `board-sim`.

pub mod commands;
pub mod frame;
pub mod link;
pub mod pty;
pub mod sim;
pub mod upload;

use std::path::Path;
use std::time::Duration;

pub use link::{Link, LinkConfig, LinkError};

/// The default baud rate of `--serial` (a common USB-UART rate; ignored by a pty).
pub const DEFAULT_BAUD: u32 = 115_200;

/// A serial port's read timeout: short, since [Link] keeps the per-request deadline.
const PORT_POLL: Duration = Duration::from_millis(10);

/// Opens `path` as a serial port (8N1, no flow control) under a [Link].
pub fn open(path: &Path, baud: u32, cfg: LinkConfig) -> Result<Link<serialport::TTYPort>, LinkError> {
    let name = path.to_string_lossy();
    if !path.exists() {
        return Err(LinkError::Protocol(format!("serial port {name} does not exist")));
    }
    let port = serialport::new(name.clone(), baud)
        .timeout(PORT_POLL)
        .data_bits(serialport::DataBits::Eight)
        .parity(serialport::Parity::None)
        .stop_bits(serialport::StopBits::One)
        .flow_control(serialport::FlowControl::None)
        .open_native()
        .map_err(|e| LinkError::Protocol(format!("cannot open serial port {name}: {e}")))?;
    Ok(Link::new(port, cfg))
}
