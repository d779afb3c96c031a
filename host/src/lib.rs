//! Parallax: a register-based zkVM over the Goldilocks field.
pub mod chain;
pub mod vm;
