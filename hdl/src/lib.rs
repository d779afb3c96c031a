//! Rust-HDL designs of the Parallax accelerator and their Verilog emission into `bitstreams/rtl/`.
//!
//! - [field]: Goldilocks add/sub/mul pipelines (the building blocks of the Poseidon and NTT cores).
//! - [designs]: the table of top-level designs that `emit` writes and `scripts/hdl-check.sh` checks.
//! - [harness]: the vector-file + Verilog-testbench generator that runs emitted RTL against plonky2.
//! - [ntt]: the NTT core (on-chip 2^1..2^12), its bit-model and the four-step schedule.
//! - [kernel]: the kernel's top-level blocks (the AXI4-Lite control slave).
//! - [regmap]: the kernel's register map; [vitis]: the Vitis build files rendered from it.

pub mod boardproto;
pub mod designs;
pub mod field;
pub mod harness;
pub mod kernel;
pub mod ntt;
pub mod poseidon;
pub mod regmap;
pub mod uart;
pub mod verilog_dedupe;
pub mod vitis;
