//! `parallax devices`: the cards XRT sees, or plainly why there are none. Never fails: every
//! outcome is a message (exit status 0), since "no card" is an answer, not an error.

use crate::accel::xrt::{self, Listing};

pub fn devices() -> anyhow::Result<()> {
    for line in lines(&xrt::devices()) {
        println!("{line}");
    }
    Ok(())
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
