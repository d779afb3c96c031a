//! The `parallax` command line.

mod accel;
mod bench;
mod block;
mod chain;
mod demo;
mod devices;
mod flash;
mod plot;
pub(crate) mod prove;
mod run;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::accel::Backend;

#[derive(Parser, Debug)]
#[command(name = "parallax", version, about = "Parallax zkVM: run, prove and accelerate Goldilocks register-VM programs")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program and print its outputs, registers, step count and time.
    Run {
        /// The `.asm` file.
        program: PathBuf,
        /// Initial values: `r0`..`r9`/`fp`=WORD, or `calldata`=WORD,WORD,... (decimal, 0x hex, -x).
        #[arg(long = "input", value_name = "KEY=VALUE")]
        inputs: Vec<String>,
        /// Write the execution trace as CSV (one row per executed instruction) to this file.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Stop with an error after this many instructions.
        #[arg(long, default_value_t = crate::vm::DEFAULT_MAX_STEPS)]
        max_steps: u64,
        /// Print the rows spent per opcode and per label.
        #[arg(long)]
        profile: bool,
    },
    /// Assemble a program and print its encoding.
    Asm {
        program: PathBuf,
    },
    /// Generate and execute blocks of transactions.
    Block {
        #[command(subcommand)]
        command: block::BlockCommand,
    },
    /// Run a program (or execute a block, given a `.json` block file) and prove it; writes a
    /// proof file.
    Prove {
        /// The `.asm` file, or a block `.json` file (`parallax block gen`).
        program: PathBuf,
        /// Initial values, as for `run`.
        #[arg(long = "input", value_name = "KEY=VALUE")]
        inputs: Vec<String>,
        /// Where to write the proof.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[arg(long, default_value_t = crate::vm::DEFAULT_MAX_STEPS)]
        max_steps: u64,
        /// Where the trace commitments run: `cpu` (plonky2), `sim` (the simulated accelerator card)
        /// or `xrt` (an Alveo card, `--features xrt` builds); accelerators are spot-checked, with the
        /// CPU as the fallback.
        #[arg(long, default_value_t = Backend::Cpu)]
        backend: Backend,
        /// The Parallax kernel's bitstream for `--backend xrt` (see docs/hardware.md).
        #[arg(long, value_name = "FILE")]
        xclbin: Option<PathBuf>,
        /// Print the prover's time split (and the accelerator's report).
        #[arg(long)]
        timings: bool,
    },
    /// Verify a proof file (execution, block or chain proof); prints what it proves.
    Verify {
        proof: PathBuf,
        /// Also check that the proof is for this program.
        #[arg(long, value_name = "FILE")]
        program: Option<PathBuf>,
        /// For a chain proof: also check that it covers these block files, in order.
        #[arg(long, value_name = "BLOCK.json", num_args = 1..)]
        blocks: Vec<PathBuf>,
    },
    /// Prove a chain of blocks (each block's pre-state is the previous one's post-state) in
    /// parallel and aggregate the proofs into one chain proof.
    ProveChain {
        /// Block `.json` files, in chain order.
        #[arg(required = true)]
        blocks: Vec<PathBuf>,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[arg(long, default_value_t = Backend::Cpu)]
        backend: Backend,
        #[arg(long, value_name = "FILE")]
        xclbin: Option<PathBuf>,
    },
    /// Time the whole pipeline (execute, prove, aggregate) on chains of 1, 2, 4, 8 blocks:
    /// blocks proven at once against one after another.
    BenchChain {
        /// Chain lengths, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [1, 2, 4, 8])]
        blocks: Vec<usize>,
        /// Transactions per block.
        #[arg(long, default_value_t = 32)]
        txs: usize,
    },
    /// Aggregate two proofs (block proofs from `prove`, or chain proofs) into one chain proof:
    /// LEFT's post-state root must be RIGHT's pre-state root.
    Aggregate {
        left: PathBuf,
        right: PathBuf,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Run the main job on embedded defaults (no files, no hardware).
    Demo,
    /// List the accelerator cards XRT sees (and say why there are none), and the serial ports
    /// that answer the board protocol (docs/boards.md).
    Devices {
        /// Also probe this serial port (repeatable), e.g. /dev/ttyUSB0.
        #[arg(long, value_name = "PATH")]
        serial: Vec<PathBuf>,
    },
    /// Program a device: an XRT card with an `.xclbin` (checked first: header, card, platform),
    /// or with `--serial PATH` a development board on a USB-UART with an image (chunked,
    /// resumable, verified by the board before it is reported committed).
    Flash {
        /// The `.xclbin` (XRT) or the board's bitstream/configuration image (`--serial`).
        image: PathBuf,
        /// The board's serial port, e.g. /dev/ttyUSB0.
        #[arg(long, value_name = "PATH")]
        serial: Option<PathBuf>,
        #[arg(long, default_value_t = crate::boards::DEFAULT_BAUD)]
        baud: u32,
        /// XRT device index.
        #[arg(long, default_value_t = 0)]
        device: u32,
        /// Upload chunk size in bytes (at most 1020).
        #[arg(long, default_value_t = crate::boards::upload::MAX_CHUNK)]
        chunk: usize,
        /// How long the board has to answer each frame before it is resent (4 resends).
        #[arg(long, default_value_t = 500)]
        timeout_ms: u64,
        /// Program even if the xclbin's platform name differs from the card's (XRT still checks).
        #[arg(long)]
        skip_platform_check: bool,
    },
    /// Serve a simulated board (docs/boards.md) on a pseudo-terminal until killed, or for SECS
    /// seconds; prints the port's path.
    BoardSim {
        #[arg(long, value_name = "SECS")]
        seconds: Option<u64>,
    },
    /// Time trace commitments (2^k rows x COLS, rate 1/2) on this host's CPU against the simulated
    /// accelerator's projected time.
    Bench {
        /// `sim` (the simulated card's projection) or `xrt` (a card, timed; without one, the
        /// simulator's projection, saying so, in any build).
        #[arg(long, default_value = "sim", value_parser = bench::parse_backend)]
        backend: Backend,
        /// The Parallax kernel's bitstream for `--backend xrt`.
        #[arg(long, value_name = "FILE")]
        xclbin: Option<PathBuf>,
        #[arg(long, default_value_t = 14)]
        min_log_rows: usize,
        #[arg(long, default_value_t = 18)]
        max_log_rows: usize,
        #[arg(long, default_value_t = 64)]
        cols: usize,
        /// Also draw host vs projected times (log scale) into this SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
}

/// Parses `args` and runs the command; errors come back as values for `main` to print.
pub fn main_with(args: impl IntoIterator<Item = std::ffi::OsString>) -> anyhow::Result<()> {
    // clap's own errors (and --help) print themselves and exit with clap's status code.
    let cli = Cli::try_parse_from(args).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Run { program, inputs, trace, max_steps, profile } => {
            run::run(&program, &inputs, trace.as_deref(), max_steps, profile)
        }
        Command::Asm { program } => run::asm(&program),
        Command::Block { command } => block::run(command),
        Command::Prove { program, inputs, output, max_steps, backend, xclbin, timings } => {
            let device = prove::Device { backend, xclbin: xclbin.as_deref() };
            prove::prove(&program, &inputs, &output, max_steps, device, timings)
        }
        Command::Verify { proof, program, blocks } => prove::verify(&proof, program.as_deref(), &blocks),
        Command::ProveChain { blocks, output, backend, xclbin } => {
            chain::prove_chain(&blocks, &output, prove::Device { backend, xclbin: xclbin.as_deref() })
        }
        Command::Aggregate { left, right, output } => chain::aggregate(&left, &right, &output),
        Command::BenchChain { blocks, txs } => chain::bench(&blocks, txs),
        Command::Demo => demo::demo(),
        Command::Devices { serial } => devices::devices(&serial),
        Command::Flash { image, serial, baud, device, chunk, timeout_ms, skip_platform_check } => {
            flash::flash(&flash::FlashArgs { image, serial, baud, device, chunk, timeout_ms, skip_platform_check })
        }
        Command::BoardSim { seconds } => flash::board_sim(seconds),
        Command::Bench { backend, xclbin, min_log_rows, max_log_rows, cols, plot } => {
            bench::bench(backend, xclbin.as_deref(), min_log_rows, max_log_rows, cols, plot.as_deref())
        }
    }
}
