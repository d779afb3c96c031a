//! The accelerator kernel's control interface: one definition for the kernel top (RTL), the
//! simulator (`parallax-sim`) and the host drivers. XRT's `ap_ctrl_hs` convention: a control
//! register at 0x00, interrupt registers at 0x04..0x0C, kernel arguments from 0x10 in 8-byte
//! slots (64-bit buffer addresses as two 32-bit words, low first). See docs/accelerator.md,
//! "Card: register map".

/// `ap_ctrl_hs` control: bit 0 `ap_start` (write 1 to start; reads 1 until the kernel takes it),
/// bit 1 `ap_done` (cleared on read), bit 2 `ap_idle`, bit 3 `ap_ready`.
pub const CTRL: u32 = 0x00;
pub const CTRL_START: u32 = 1 << 0;
pub const CTRL_DONE: u32 = 1 << 1;
pub const CTRL_IDLE: u32 = 1 << 2;
pub const CTRL_READY: u32 = 1 << 3;
/// Global interrupt enable (bit 0).
pub const GIE: u32 = 0x04;
/// Interrupt enable: bit 0 done, bit 1 ready.
pub const IER: u32 = 0x08;
/// Interrupt status (toggle on write): bit 0 done, bit 1 ready.
pub const ISR: u32 = 0x0C;

/// Argument 0: the command ([Command]).
pub const ARG_COMMAND: u32 = 0x10;
/// Argument 1: log2 of the rows of the trace (the columns' length before extension).
pub const ARG_LOG_ROWS: u32 = 0x18;
/// Argument 2: number of columns.
pub const ARG_COLUMNS: u32 = 0x20;
/// Argument 3: log2 of the blowup (plonky2's `rate_bits`).
pub const ARG_RATE_BITS: u32 = 0x28;
/// Argument 4: log2 of the Merkle cap's length.
pub const ARG_CAP_HEIGHT: u32 = 0x30;
/// Argument 5 (64-bit): the trace values, column-major, `columns << log_rows` words.
pub const ARG_VALUES: u32 = 0x38;
/// Argument 6 (64-bit): the coefficients (output of the inverse NTT), column-major.
pub const ARG_COEFFS: u32 = 0x40;
/// Argument 7 (64-bit): the LDE as Merkle leaves: row-major, rows in bit-reversed order,
/// `columns << (log_rows + rate_bits)` words (plonky2's `MerkleTree::leaves`, flattened).
pub const ARG_LEAVES: u32 = 0x48;
/// Argument 8 (64-bit): the Merkle digests in `MerkleTree::digests` layout, 4 words each.
pub const ARG_DIGESTS: u32 = 0x50;
/// Argument 9 (64-bit): the Merkle cap, 4 words per entry.
pub const ARG_CAP: u32 = 0x58;
/// Read-only: the error code of the last command ([Error]), 0 if it succeeded.
pub const STATUS: u32 = 0x60;
/// Read-only (64-bit): kernel clock cycles of the last command.
pub const CYCLES: u32 = 0x68;
/// End of the register space (bytes).
pub const SPACE: u32 = 0x70;

/// Word-aligned 64-bit arguments, in argument order (what `kernel.xml` lists as `global`).
pub const BUFFER_ARGS: [u32; 5] = [ARG_VALUES, ARG_COEFFS, ARG_LEAVES, ARG_DIGESTS, ARG_CAP];

/// One kernel argument: its register and whether it is a buffer (a 64-bit device address,
/// two words) or a 32-bit scalar. The index in [ARGS] is the argument id (`xrt::run::set_arg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: &'static str,
    pub offset: u32,
    pub buffer: bool,
}

impl Arg {
    /// Bytes of the argument in the register file (and on the host side).
    pub const fn size(&self) -> u32 {
        if self.buffer {
            8
        } else {
            4
        }
    }
}

const fn scalar(name: &'static str, offset: u32) -> Arg {
    Arg { name, offset, buffer: false }
}
const fn buffer(name: &'static str, offset: u32) -> Arg {
    Arg { name, offset, buffer: true }
}

/// Every kernel argument in id order: what `bitstreams/vitis/kernel.xml` lists, the control
/// slave decodes and the host sets.
pub const ARGS: [Arg; 10] = [
    scalar("command", ARG_COMMAND),
    scalar("log_rows", ARG_LOG_ROWS),
    scalar("columns", ARG_COLUMNS),
    scalar("rate_bits", ARG_RATE_BITS),
    scalar("cap_height", ARG_CAP_HEIGHT),
    buffer("values", ARG_VALUES),
    buffer("coeffs", ARG_COEFFS),
    buffer("leaves", ARG_LEAVES),
    buffer("digests", ARG_DIGESTS),
    buffer("cap", ARG_CAP),
];

/// What the kernel does when started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Command {
    /// values -> coeffs (inverse NTT) -> leaves (coset LDE, bit-reversed rows).
    Lde = 1,
    /// leaves -> digests, cap (Poseidon leaf hashes and two-to-one compressions).
    Commit = 2,
    /// Both, keeping the extended columns on the card between them.
    LdeAndCommit = 3,
}

impl Command {
    pub fn from_u32(v: u32) -> Option<Self> {
        match v {
            1 => Some(Self::Lde),
            2 => Some(Self::Commit),
            3 => Some(Self::LdeAndCommit),
            _ => None,
        }
    }
    pub fn lde(self) -> bool {
        matches!(self, Self::Lde | Self::LdeAndCommit)
    }
    pub fn commit(self) -> bool {
        matches!(self, Self::Commit | Self::LdeAndCommit)
    }
}

/// Error codes in [STATUS].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Error {
    None = 0,
    /// [ARG_COMMAND] holds no [Command].
    BadCommand = 1,
    /// Sizes outside what the kernel supports (rows, columns, rate, cap height).
    BadShape = 2,
    /// A buffer argument is unaligned or its range leaves device memory.
    BadAddress = 3,
    /// The memory interface reported an error (AXI SLVERR/DECERR).
    MemoryFault = 4,
}

impl Error {
    pub fn from_u32(v: u32) -> Option<Self> {
        match v {
            0 => Some(Self::None),
            1 => Some(Self::BadCommand),
            2 => Some(Self::BadShape),
            3 => Some(Self::BadAddress),
            4 => Some(Self::MemoryFault),
            _ => None,
        }
    }
}

/// What a [STATUS] value read after `ap_done` means for the host: `Ok` for 0, else the message
/// every driver reports.
pub fn check_status(v: u32) -> Result<(), String> {
    match Error::from_u32(v) {
        Some(Error::None) => Ok(()),
        Some(e) => Err(format!("the kernel stopped with error {e:?} ({v})")),
        None => Err(format!("the kernel reported an unknown status {v:#x}")),
    }
}

/// Largest trace the kernel takes: 2^(log_rows + rate_bits) <= 2^MAX_LOG_LDE (the four-step
/// schedule's limit) and at most MAX_COLUMNS columns.
pub const MAX_LOG_LDE: usize = crate::ntt::four_step::MAX_FOUR_STEP_LOG_N;
pub const MAX_COLUMNS: usize = 1 << 12;
