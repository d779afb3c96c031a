//! Writes every design of `parallax_hdl::designs::DESIGNS` to `bitstreams/rtl/<name>.v` and the
//! Vitis flow (`parallax_hdl::vitis::files`) to `bitstreams/vitis/`.
//!
//! ```text
//! emit [--rtl-dir DIR] [--vitis-dir DIR]
//!                                  write all designs and the Vitis files
//! emit --check [--rtl-dir DIR] [--vitis-dir DIR]
//!                                  exit 1 naming files that differ from what the code emits
//! emit --list                      print design names, one per line
//! emit --kernel-harness --dir DIR [--seed S]
//!                                  write DIR/parallax_kernel_tb.v and its memory images (the
//!                                  kernel top's LDE against plonky2)
//! emit --harness NAME --dir DIR [--count N] [--seed S]
//!                                  write DIR/NAME.hex (plonky2 vectors) and DIR/NAME_tb.v
//! emit --board-harness --dir DIR [--count N] [--seed S]
//!                                  write DIR/serial_board_sim.v (the board top at a short bit
//!                                  time), DIR/serial_board.hex (frames, N random PERMUTEs) and
//!                                  DIR/serial_board_tb.v; prints "E exchanges"
//! ```

use anyhow::{anyhow, bail, Context, Result};
use parallax_hdl::designs::{self, DESIGNS};
use parallax_hdl::harness;
use parallax_hdl::vitis;
use rand::SeedableRng;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `<workspace root>/bitstreams/<sub>`; the workspace root is the parent of this crate.
fn bitstreams_dir(sub: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("bitstreams").join(sub)
}

struct Args {
    mode: Mode,
    rtl_dir: PathBuf,
    vitis_dir: PathBuf,
    harness_dir: Option<PathBuf>,
    count: Option<usize>,
    seed: u64,
}

enum Mode {
    Write,
    Check,
    List,
    Harness(String),
    KernelHarness,
    BoardHarness,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        mode: Mode::Write,
        rtl_dir: bitstreams_dir("rtl"),
        vitis_dir: bitstreams_dir("vitis"),
        harness_dir: None,
        count: None,
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().ok_or_else(|| anyhow!("{flag} needs a value"));
        match arg.as_str() {
            "--check" => args.mode = Mode::Check,
            "--list" => args.mode = Mode::List,
            "--harness" => args.mode = Mode::Harness(value("--harness")?),
            "--kernel-harness" => args.mode = Mode::KernelHarness,
            "--board-harness" => args.mode = Mode::BoardHarness,
            "--rtl-dir" => args.rtl_dir = value("--rtl-dir")?.into(),
            "--vitis-dir" => args.vitis_dir = value("--vitis-dir")?.into(),
            "--dir" => args.harness_dir = Some(value("--dir")?.into()),
            "--count" => {
                let v = value("--count")?;
                args.count = Some(
                    v.parse()
                        .with_context(|| format!("--count {v}: not a number"))?,
                );
            }
            "--seed" => {
                let v = value("--seed")?;
                args.seed = v
                    .parse()
                    .with_context(|| format!("--seed {v}: not a number"))?;
            }
            "-h" | "--help" => {
                println!("usage: emit [--check] [--rtl-dir DIR] [--vitis-dir DIR] | --list | --harness NAME --dir DIR [--count N] [--seed S] | --kernel-harness --dir DIR [--seed S] | --board-harness --dir DIR [--count N] [--seed S]");
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}` (try --help)"),
        }
    }
    Ok(args)
}

fn write_vitis(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in vitis::files() {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// The Vitis files that are missing or differ from what the code renders.
fn stale_vitis(dir: &Path) -> Vec<String> {
    let mut stale = vec![];
    for (name, text) in vitis::files() {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(t) if t == text => {}
            Ok(_) => stale.push(format!("{} (differs from the code)", path.display())),
            Err(e) => stale.push(format!("{} ({e})", path.display())),
        }
    }
    stale
}

fn write_all(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for design in DESIGNS {
        let path = dir.join(format!("{}.v", design.name));
        std::fs::write(&path, design.rtl_text())
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Returns the files that are missing, differ, or are in the directory but not in the table.
fn stale_files(dir: &Path) -> Result<Vec<String>> {
    let mut stale = vec![];
    for design in DESIGNS {
        let path = dir.join(format!("{}.v", design.name));
        match std::fs::read_to_string(&path) {
            Ok(text) if text == design.rtl_text() => {}
            Ok(_) => stale.push(format!("{} (differs from the code)", path.display())),
            Err(e) => stale.push(format!("{} ({e})", path.display())),
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".v") {
                if designs::find(stem).is_none() {
                    stale.push(format!(
                        "{} (no design of that name)",
                        entry.path().display()
                    ));
                }
            }
        }
    }
    Ok(stale)
}

fn write_harness(name: &str, dir: &Path, count: usize, seed: u64) -> Result<()> {
    let design = designs::find(name).ok_or_else(|| {
        let names: Vec<_> = DESIGNS.iter().map(|d| d.name).collect();
        anyhow!("no design `{name}` (known: {})", names.join(", "))
    })?;
    if count == 0 {
        bail!("--count must be at least 1");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let spec = design.harness.as_ref().ok_or_else(|| {
        anyhow!("design `{name}` has no vector harness (the UART front end is tested in hdl/tests/uart_sim.rs)")
    })?;
    let vectors = (spec.vectors)(&mut rand::rngs::StdRng::seed_from_u64(seed), count);
    let hex_path = dir.join(format!("{name}.hex"));
    let tb_path = dir.join(format!("{name}_tb.v"));
    std::fs::write(&hex_path, harness::vector_file(spec, &vectors)?)
        .with_context(|| format!("writing {}", hex_path.display()))?;
    let hex_str = hex_path
        .to_str()
        .ok_or_else(|| anyhow!("non-UTF-8 path {}", hex_path.display()))?;
    // Block-streaming cores bring their own testbench (same vector format and summary line); a
    // top with `in_ready` and `out_ready` is a ready/valid core and gets the back-pressure one.
    let rtl = (design.verilog)();
    let ready_valid = rtl
        .lines()
        .find(|l| l.starts_with("module top("))
        .is_some_and(|l| l.contains("in_ready") && l.contains("out_ready"));
    let tb = if name == "ntt_core" {
        parallax_hdl::ntt::harness::testbench(vectors.len(), hex_str)
    } else if name == "kernel_control" {
        parallax_hdl::kernel::harness::testbench(vectors.len(), hex_str)
    } else if ready_valid {
        harness::stream_testbench(spec, vectors.len(), hex_str)
    } else {
        harness::testbench(spec, vectors.len(), hex_str)
    };
    std::fs::write(&tb_path, tb).with_context(|| format!("writing {}", tb_path.display()))?;
    println!(
        "wrote {} ({} vectors) and {}",
        hex_path.display(),
        vectors.len(),
        tb_path.display()
    );
    Ok(())
}

/// Writes `text` unless the file already holds it: an unchanged file keeps its date, so
/// Verilator (`--skip-identical`) and make reuse an earlier build of the board.
fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn write_board_harness(dir: &Path, count: usize, seed: u64) -> Result<()> {
    use parallax_hdl::uart::harness as board;
    if count > board::MAX_RANDOM {
        bail!("--count {count}: at most {} random PERMUTE frames (sequence numbers 5..)", board::MAX_RANDOM);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let exchanges = board::exchanges(&mut rand::rngs::StdRng::seed_from_u64(seed), count);
    let hex_path = dir.join("serial_board.hex");
    let hex_str = hex_path
        .to_str()
        .ok_or_else(|| anyhow!("non-UTF-8 path {}", hex_path.display()))?;
    write_if_changed(&hex_path, &board::vector_file(&exchanges)?)?;
    let tb = board::testbench(
        board::SIM_CLOCKS_PER_BIT,
        board::vector_words(&exchanges),
        hex_str,
    );
    write_if_changed(&dir.join("serial_board_tb.v"), &tb)?;
    let rtl = designs::serial_board_verilog_with(board::SIM_CLOCKS_PER_BIT, board::SIM_IDLE_CYCLES);
    write_if_changed(&dir.join("serial_board_sim.v"), &rtl)?;
    println!("{} exchanges", exchanges.len());
    Ok(())
}

fn write_kernel_harness(dir: &Path, seed: u64) -> Result<()> {
    use parallax_hdl::kernel::top_harness;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (init, want, words) = top_harness::images(&mut rand::rngs::StdRng::seed_from_u64(seed));
    let (init_path, want_path) = (dir.join("mem_init.hex"), dir.join("mem_want.hex"));
    std::fs::write(&init_path, init).with_context(|| format!("writing {}", init_path.display()))?;
    std::fs::write(&want_path, want).with_context(|| format!("writing {}", want_path.display()))?;
    let s = |p: &Path| p.to_str().map(String::from).ok_or_else(|| anyhow!("non-UTF-8 path {}", p.display()));
    let tb_path = dir.join("parallax_kernel_tb.v");
    std::fs::write(&tb_path, top_harness::testbench(words, &s(&init_path)?, &s(&want_path)?))
        .with_context(|| format!("writing {}", tb_path.display()))?;
    println!("wrote {}", tb_path.display());
    Ok(())
}

fn run() -> Result<ExitCode> {
    let args = parse_args()?;
    match args.mode {
        Mode::Write => {
            write_all(&args.rtl_dir)?;
            write_vitis(&args.vitis_dir)?;
        }
        Mode::List => DESIGNS.iter().for_each(|d| println!("{}", d.name)),
        Mode::Check => {
            let mut stale = stale_files(&args.rtl_dir)?;
            stale.extend(stale_vitis(&args.vitis_dir));
            if !stale.is_empty() {
                eprintln!("RTL or Vitis files out of date; run `cargo run --release -p parallax-hdl --bin emit`:");
                stale.iter().for_each(|s| eprintln!("  {s}"));
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "{} designs up to date in {}, {} Vitis files in {}",
                DESIGNS.len(),
                args.rtl_dir.display(),
                vitis::files().len(),
                args.vitis_dir.display()
            );
        }
        Mode::BoardHarness => {
            let dir = args
                .harness_dir
                .ok_or_else(|| anyhow!("--board-harness needs --dir DIR"))?;
            write_board_harness(&dir, args.count.unwrap_or(3), args.seed)?;
        }
        Mode::KernelHarness => {
            let dir = args
                .harness_dir
                .ok_or_else(|| anyhow!("--kernel-harness needs --dir DIR"))?;
            write_kernel_harness(&dir, args.seed)?;
        }
        Mode::Harness(name) => {
            let dir = args
                .harness_dir
                .ok_or_else(|| anyhow!("--harness needs --dir DIR"))?;
            write_harness(&name, &dir, args.count.unwrap_or(4096), args.seed)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
