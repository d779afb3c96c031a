//! The `parallax` command line.

mod block;
mod demo;
pub(crate) mod prove;
mod run;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
        /// Print the prover's time split.
        #[arg(long)]
        timings: bool,
    },
    /// Verify a proof file; prints the program hash and outputs it proves.
    Verify {
        proof: PathBuf,
        /// Also check that the proof is for this program.
        #[arg(long, value_name = "FILE")]
        program: Option<PathBuf>,
    },
    /// Run the main job on embedded defaults (no files, no hardware).
    Demo,
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
        Command::Prove { program, inputs, output, max_steps, timings } => {
            prove::prove(&program, &inputs, &output, max_steps, timings)
        }
        Command::Verify { proof, program } => prove::verify(&proof, program.as_deref()),
        Command::Demo => demo::demo(),
    }
}
