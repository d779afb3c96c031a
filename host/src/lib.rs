//! Parallax: a register-based zkVM over the Goldilocks field.
pub mod accel;
pub mod boards;
pub mod chain;
pub mod cli;
pub mod programs;
pub mod prover;
pub mod vm;
