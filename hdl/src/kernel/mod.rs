//! The kernel's top-level blocks, as XRT sees them (docs/accelerator.md, "Card: the control
//! slave (RTL)").
//!
//! - [control]: the AXI4-Lite `s_axi_control` slave with XRT's `ap_ctrl_hs` register map.
//! - [model]: its transaction-level twin; [harness]: the emitted RTL run against the model.

pub mod control;
pub mod harness;
pub mod model;

pub use control::KernelControl;
