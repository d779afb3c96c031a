//! The kernel's top-level blocks, as XRT sees them (docs/accelerator.md, "Card: the control
//! slave (RTL)").
//!
//! - [control]: the AXI4-Lite `s_axi_control` slave with XRT's `ap_ctrl_hs` register map.
//! - [model]: its transaction-level twin; [harness]: the emitted RTL run against the model.
//! - [axi_read], [axi_write]: AXI4 master engines, bursts of a buffer into a word stream and a
//!   word stream (contiguous or strided) back to memory.
//! - [commit_seq]: the Commit command's address generator (Merkle items and digest
//!   destinations in plonky2's layout).
//! - [top]: `ParallaxKernel`, control + engines + NTT core + Merkle hasher running Lde, Commit
//!   and LdeAndCommit.

pub mod axi_read;
pub mod axi_write;
pub mod commit_seq;
pub mod control;
pub mod harness;
pub mod model;
pub mod top;
pub mod top_harness;

pub use control::KernelControl;
