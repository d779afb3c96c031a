//! `parallax devices`: the cards XRT sees, or plainly why there are none, and the serial ports
//! that answer the board protocol's PING. Never fails: every outcome is a message (exit status
//! 0), since "no card" is an answer, not an error.

use std::path::PathBuf;
use std::time::Duration;

use crate::accel::xrt::{self, Listing};
use crate::boards::{self, commands, LinkConfig, LinkError};

/// How long a port has to answer PING (one attempt: a port that is not a board stays silent).
const PROBE: Duration = Duration::from_millis(200);

pub fn devices(serial: &[PathBuf]) -> anyhow::Result<()> {
    let mut out = lines(&xrt::devices());
    let sim = out.pop();
    out.extend(serial_lines(serial));
    out.extend(sim);
    for line in out {
        println!("{line}");
    }
    Ok(())
}

/// Probes the ports `serialport` enumerates and those given: one line per given or answering
/// port, one note for the enumerated ones that did not answer.
fn serial_lines(given: &[PathBuf]) -> Vec<String> {
    let mut out = vec![];
    let found: Vec<PathBuf> = match serialport::available_ports() {
        Ok(p) => p.into_iter().map(|p| PathBuf::from(p.port_name)).filter(|p| !given.contains(p)).collect(),
        Err(e) => {
            out.push(format!("serial: cannot list ports: {e}"));
            vec![]
        }
    };
    let mut quiet = vec![];
    for path in given {
        out.push(format!("serial: {}: {}", path.display(), probe(path).unwrap_or_else(|e| e)));
    }
    for path in &found {
        match probe(path) {
            Ok(line) => out.push(format!("serial: {}: {line}", path.display())),
            Err(_) => quiet.push(path.display().to_string()),
        }
    }
    if !quiet.is_empty() {
        out.push(format!("serial: {} other port(s) did not answer the board protocol: {}", quiet.len(), quiet.join(", ")));
    }
    if given.is_empty() && found.is_empty() {
        out.push("serial: no serial ports found (`--serial PATH` probes a port by name)".into());
    }
    out
}

fn probe(path: &std::path::Path) -> Result<String, String> {
    if !path.exists() {
        return Err("does not exist".into());
    }
    let mut link = boards::open(path, boards::DEFAULT_BAUD, LinkConfig { timeout: PROBE, retries: 0 }).map_err(|e| e.to_string())?;
    match commands::ping(&mut link) {
        Ok(info) => Ok(format!("{} (`parallax flash --serial {} IMAGE`)", info.describe(), path.display())),
        Err(LinkError::Timeout { .. }) => Err(format!("no Parallax board answered within {} ms", PROBE.as_millis())),
        Err(e) => Err(e.to_string()),
    }
}

fn lines(listing: &Listing) -> Vec<String> {
    let mut out = match listing {
        Listing::NotBuilt => vec!["xrt: this build has no XRT support (rebuild with `cargo build --release --features xrt`; see docs/hardware.md)".into()],
        Listing::LibrariesMissing(e) => vec![format!("xrt: {e}")],
        Listing::Failed(e) => vec![format!("xrt: cannot list devices: {e}")],
        Listing::Devices(d) if d.is_empty() => vec!["xrt: no devices found (XRT sees no Alveo card on this machine, or its driver is not loaded)".into()],
        Listing::Devices(d) => d
            .iter()
            .enumerate()
            .map(|(i, d)| match d {
                Ok(d) => format!("xrt: device {}: {} at {} (use `--backend xrt --xclbin FILE`)", d.index, d.name, d.bdf),
                Err(e) => format!("xrt: device {i}: cannot open: {e}"),
            })
            .collect(),
    };
    out.push("sim: the simulated card is always available (`--backend sim`)".into());
    out
}
