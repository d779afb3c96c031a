//! Proofs of VM execution: Starky tables linked by cross-table lookups, proved over
//! Goldilocks with Poseidon (`PoseidonGoldilocksConfig`). `docs/proving.md` describes the design,
//! the tables' columns, the parameters and the sizes.
//!
//! - [`prove`] runs a program and proves the run; [`prove_traces`] proves given traces (the
//!   soundness tests hand it forged ones); [`verify`] checks an [`ExecutionProof`].
//! - [`prove_block`] executes a block and proves all its transactions in one proof
//!   ([`BlockProof`]); [`verify_block`] checks it (`block.rs`).
//! - Tables: `cpu`, `rom`, `io` (calldata, outputs, storage log), `memory`, `range`, `bitwise`,
//!   `poseidon`, `state` (pre-state values of touched slots) and its public slot list;
//!   their links in `ctl`; the public-data binding in `public`; the commitment seam in `commit`.

pub mod bitwise;
pub mod aggregate;
pub mod block;
pub mod commit;
pub mod cpu;
pub mod ctl;
pub mod expr;
pub mod file;
pub mod io;
pub mod memory;
pub mod poseidon;
pub mod public;
pub mod range;
pub mod recursion;
pub mod rom;
pub mod state;
pub mod statement;
pub mod system;

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::plonk::config::PoseidonGoldilocksConfig;

pub use commit::{CpuCommitter, TraceCommitter};
pub use io::StorageEntry;
pub use block::{prove_block, verify_block, BlockProof};
pub use statement::{BlockClaim, BlockPublicInputs, Claim, LogEntry, PublicInputs, Statement};
pub use system::{build_traces, prove, prove_traces, stark_config, verify, ExecutionProof, ProveError, Traces, VerifyError};

pub type F = GoldilocksField;
pub type C = PoseidonGoldilocksConfig;
pub const D: usize = 2;

/// Smallest table height (keeps FRI's shape valid for tiny tables).
pub const MIN_ROWS: usize = 32;

/// Table indices in the cross-table lookups and in a proof.
pub mod tables {
    pub const CPU: usize = 0;
    pub const ROM: usize = 1;
    pub const CALLDATA: usize = 2;
    pub const OUTPUT: usize = 3;
    pub const STORAGE: usize = 4;
    pub const MEMORY: usize = 5;
    pub const RANGE: usize = 6;
    pub const BITWISE: usize = 7;
    pub const TXS: usize = 8;
    pub const POSEIDON: usize = 9;
    pub const STATE: usize = 10;
    pub const SLOTS: usize = 11;
    pub const NUM_TABLES: usize = 12;
    pub const NAMES: [&str; NUM_TABLES] = [
        "cpu", "rom", "calldata", "output", "storage", "memory", "range", "bitwise", "transactions", "poseidon", "state",
        "slots",
    ];
}
