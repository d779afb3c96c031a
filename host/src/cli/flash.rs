//! `parallax flash`: program an XRT card with an `.xclbin`, or (`--serial PATH`) upload an
//! image to a development board over its USB-UART (host/src/boards, docs/boards.md).
//!
//! Both paths check what they can before touching hardware: the file exists and parses (an
//! xclbin's header, read in Rust), the card or board answers, the platform matches; progress goes
//! to stderr, the result to stdout, every failure is an error naming what failed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};

use crate::accel::xrt::{self, xclbin, Listing};
use crate::boards::{self, commands, upload, LinkConfig};

pub struct FlashArgs {
    pub image: PathBuf,
    pub serial: Option<PathBuf>,
    pub baud: u32,
    pub device: u32,
    pub chunk: usize,
    pub timeout_ms: u64,
    pub skip_platform_check: bool,
}

pub fn flash(a: &FlashArgs) -> anyhow::Result<()> {
    match &a.serial {
        Some(port) => serial(a, port),
        None => card(a),
    }
}

fn serial(a: &FlashArgs, port: &Path) -> anyhow::Result<()> {
    let image = std::fs::read(&a.image).with_context(|| format!("cannot read image {}", a.image.display()))?;
    if image.is_empty() {
        bail!("image {} is empty", a.image.display());
    }
    let cfg = LinkConfig { timeout: Duration::from_millis(a.timeout_ms.max(1)), ..LinkConfig::default() };
    let mut link = boards::open(port, a.baud, cfg)?;
    let info = commands::ping(&mut link).with_context(|| format!("{}", port.display()))?;
    if info.caps & parallax_hdl::boardproto::caps::UPLOAD == 0 {
        bail!("{}: {} does not take image uploads", port.display(), info.describe());
    }
    println!("board: {}: {}", port.display(), info.describe());
    let mut shown = usize::MAX;
    let r = upload::upload(&mut link, &image, a.chunk, |got, total| {
        // About 20 progress lines, and always the last.
        let step = (total / 20).max(1);
        if got / step != shown || got == total {
            shown = got / step;
            eprintln!("flash: {got}/{total} bytes ({:.0}%)", 100.0 * got as f64 / total as f64);
        }
    })
    .with_context(|| format!("flashing {} over {}", a.image.display(), port.display()))?;
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    let resumed = if r.resumed_from > 0 { format!(", resumed from byte {}", r.resumed_from) } else { String::new() };
    println!(
        "committed: {} bytes, CRC-32 {:#010x}, verified by the board; {} bytes sent in {:.3} s ({:.0} bytes/s, {} resends){resumed}",
        r.total, r.crc, r.sent, secs, r.sent as f64 / secs, link.stats.resends
    );
    Ok(())
}

fn card(a: &FlashArgs) -> anyhow::Result<()> {
    let h = xclbin::read(&a.image).map_err(anyhow::Error::msg)?;
    println!("xclbin: {}: uuid {}, platform {}, {} sections, {} bytes", a.image.display(), h.uuid, h.platform, h.sections.len(), h.length);
    let devices = match xrt::devices() {
        Listing::NotBuilt => bail!(
            "this build has no XRT support: programming a card needs `cargo build --release --features xrt` (the xclbin itself is well-formed; for a board on a USB-UART use --serial PATH)"
        ),
        Listing::LibrariesMissing(e) => bail!("xrt: {e}"),
        Listing::Failed(e) => bail!("xrt: cannot list devices: {e}"),
        Listing::Devices(d) => d,
    };
    let Some(dev) = devices.get(a.device as usize) else {
        bail!("no XRT device with index {}: XRT found {} device(s) (`parallax devices` lists them)", a.device, devices.len());
    };
    let dev = dev.as_ref().map_err(|e| anyhow::anyhow!("xrt: device {}: cannot open: {e}", a.device))?;
    if !xclbin::platform_matches(&dev.name, &h.platform) {
        if !a.skip_platform_check {
            bail!(
                "the xclbin is for platform {}, device {} is {} ({}): not programmed (--skip-platform-check leaves the check to XRT)",
                h.platform, dev.index, dev.name, dev.bdf
            );
        }
        eprintln!("flash: warning: platform {} differs from the device's {}; XRT decides", h.platform, dev.name);
    }
    eprintln!("flash: programming device {} ({}, {}) ...", dev.index, dev.name, dev.bdf);
    let uuid = xrt::load_xclbin(dev.index, &a.image).map_err(|e| anyhow::anyhow!("xrt: device {}: {e}", dev.index))?;
    if !uuid.eq_ignore_ascii_case(&h.uuid) {
        bail!("device {} reports xclbin uuid {uuid} after programming, expected {}", dev.index, h.uuid);
    }
    println!("programmed: device {} ({}) runs xclbin {uuid}", dev.index, dev.bdf);
    Ok(())
}

/// `parallax board-sim`: a [boards::sim::SimBoard] on a pty, for trying `flash --serial` and
/// `devices --serial` without a board.
pub fn board_sim(seconds: Option<u64>) -> anyhow::Result<()> {
    use std::sync::{Arc, Mutex};
    let board = Arc::new(Mutex::new(boards::sim::SimBoard::default()));
    let pty = boards::pty::PtyBoard::spawn(board.clone()).context("cannot open a pseudo-terminal")?;
    println!("board-sim: serving a simulated board on {}", pty.path().display());
    let t0 = std::time::Instant::now();
    while seconds.is_none_or(|s| t0.elapsed() < Duration::from_secs(s)) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let b = board.lock().unwrap_or_else(|e| e.into_inner());
    println!("board-sim: {} frames, {} NAKed for CRC, image committed: {}", b.stats.frames, b.stats.naks_bad_crc, b.committed_image().map_or("none".into(), |i| format!("{} bytes", i.len())));
    Ok(())
}
