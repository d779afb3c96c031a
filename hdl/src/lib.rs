//! Rust-HDL designs of the Parallax accelerator and their Verilog emission into `bitstreams/rtl/`.
