//! Board manifests (`bitstreams/boards/<board>/board.toml` + its xdc) against the emitted board
//! top: what can be checked without the vendor tools.

use parallax_hdl::uart::UartFrontend;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `key = value` lines of a flat TOML file (strings unquoted); comments and blanks skipped.
fn manifest(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("not `key = value`: {l}"));
            (k.trim().to_string(), v.trim().trim_matches('"').to_string())
        })
        .collect()
}

fn get<'a>(m: &'a [(String, String)], key: &str) -> &'a str {
    m.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("board.toml lacks `{key}`"))
}

/// The port names of `module <top>(...)` in a Verilog file.
fn verilog_ports(rtl: &str, top: &str) -> BTreeSet<String> {
    let head = format!("module {top}(");
    let line = rtl
        .lines()
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("no `{head}` line"));
    line[head.len()..]
        .trim_end_matches(");")
        .split(',')
        .map(|p| p.trim().to_string())
        .collect()
}

/// The names in every `get_ports { ... }` of an xdc.
fn xdc_ports(xdc: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for l in xdc.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let mut rest = l;
        while let Some(i) = rest.find("get_ports {") {
            let tail = &rest[i + "get_ports {".len()..];
            let end = tail.find('}').expect("get_ports { without }");
            out.extend(tail[..end].split_whitespace().map(String::from));
            rest = &tail[end..];
        }
    }
    out
}

/// Each port with a PACKAGE_PIN, in order.
fn xdc_pins(xdc: &str) -> Vec<(String, String)> {
    xdc.lines()
        .filter(|l| l.contains("PACKAGE_PIN"))
        .map(|l| {
            let pin = l.split("PACKAGE_PIN").nth(1).unwrap().split_whitespace().next().unwrap();
            let port: Vec<String> = xdc_ports(l).into_iter().collect();
            assert_eq!(port.len(), 1, "one port per PACKAGE_PIN line: {l}");
            (port[0].clone(), pin.to_string())
        })
        .collect()
}

#[test]
fn arty_manifest_matches_the_serial_board_rtl() {
    let dir = root().join("bitstreams/boards/arty-a7-35t");
    let m = manifest(&read(&dir.join("board.toml")));
    let rtl = read(&root().join(get(&m, "rtl")));
    let xdc = read(&dir.join(get(&m, "constraints")));
    let ports = verilog_ports(&rtl, get(&m, "top"));
    let listed: BTreeSet<String> = get(&m, "ports").split_whitespace().map(String::from).collect();
    assert_eq!(ports, listed, "board.toml ports vs module top");
    assert_eq!(xdc_ports(&xdc), ports, "xdc ports vs module top");
    // Every port has exactly one pin, and no pin is used twice.
    let pins = xdc_pins(&xdc);
    let placed: BTreeSet<String> = pins.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(placed, ports);
    assert_eq!(pins.len(), ports.len());
    let distinct: BTreeSet<&String> = pins.iter().map(|(_, pin)| pin).collect();
    assert_eq!(distinct.len(), pins.len(), "a pin used twice");
}

#[test]
fn arty_clock_and_divider_agree() {
    let dir = root().join("bitstreams/boards/arty-a7-35t");
    let m = manifest(&read(&dir.join("board.toml")));
    let clock_hz: u64 = get(&m, "clock_hz").parse().unwrap();
    let baud: u64 = get(&m, "baud").parse().unwrap();
    let cpb: u64 = get(&m, "clocks_per_bit").parse().unwrap();
    assert_eq!(cpb, (clock_hz + baud / 2) / baud);
    assert_eq!(cpb, UartFrontend::DEFAULT_CLOCKS_PER_BIT as u64);
    // The bit rate is within 1% of the nominal one (a UART tolerates ~2% per side).
    let err = (clock_hz as f64 / cpb as f64 - baud as f64).abs() / baud as f64;
    assert!(err < 0.01, "{err}");
    // create_clock -period is in ns.
    let xdc = read(&dir.join(get(&m, "constraints")));
    let period: f64 = xdc
        .lines()
        .find(|l| l.starts_with("create_clock"))
        .and_then(|l| l.split("-period").nth(1))
        .and_then(|t| t.split_whitespace().next())
        .expect("a create_clock -period")
        .parse()
        .unwrap();
    assert!((period - 1e9 / clock_hz as f64).abs() < 1e-6, "period {period} ns");
    // The RTL's divider is the manifest's: the UART's `full` constant is clocks_per_bit - 1.
    let rtl = read(&root().join(get(&m, "rtl")));
    let full = format!("localparam  full = 16'h{:x};", cpb - 1);
    assert_eq!(rtl.matches(&full).count(), 2, "rx and tx dividers ({full})");
}

#[test]
fn port_parsers_read_what_they_should() {
    assert_eq!(
        verilog_ports("module top(a,b, c);\n", "top"),
        ["a", "b", "c"].map(String::from).into()
    );
    let x = "set_property -dict { PACKAGE_PIN E3 } [get_ports { clk }]\n# [get_ports { gone }]\nset_false_path -to [get_ports { a b }]";
    assert_eq!(xdc_ports(x), ["a", "b", "clk"].map(String::from).into());
    assert_eq!(xdc_pins(x), vec![("clk".to_string(), "E3".to_string())]);
}
