//! The serial board's front end (docs/boards.md): a UART ([UartRx], [UartTx]; 8N1, clocks per
//! bit a constructor parameter), a bit-serial CRC-32 ([Crc32Serial]) and the frame decoder and
//! command unit ([FrameDecoder]) that answers PING and forwards PERMUTE to the Poseidon core;
//! [UartFrontend] wires them together. Protocol constants come from [crate::boardproto], shared
//! with the host driver and the simulated board.
//!
//! Emitted as `bitstreams/rtl/uart_frontend.v` with the Poseidon port open, and joined to the
//! folded Poseidon core in [SerialBoard] (`bitstreams/rtl/serial_board.v`). Tested in Rust-HDL
//! simulation piece by piece and as the front end with a software core (hdl/tests/uart_sim.rs);
//! the board top's emitted Verilog runs under Verilator against plonky2 ([harness]).

mod board;
mod crc;
pub mod harness;
mod decoder;
mod frontend;
mod rx;
mod tx;

pub use board::SerialBoard;
pub use crc::Crc32Serial;
pub use decoder::{ping_payload, FrameDecoder};
pub use frontend::UartFrontend;
pub use rx::UartRx;
pub use tx::UartTx;
