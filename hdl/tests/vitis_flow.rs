//! The Vitis flow in `bitstreams/vitis/` (hdl/src/vitis.rs) without Vitis: the checked-in files
//! are what the generator renders from hdl/src/regmap.rs now, `kernel.xml` parses and agrees
//! with the register map, and every master port has exactly one `sp=` line per platform.

use parallax_hdl::regmap::{self, ARGS, BUFFER_ARGS};
use parallax_hdl::vitis::{self, PLATFORMS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn vitis_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bitstreams/vitis")
}

fn parse_hex(s: &str) -> u64 {
    let digits = s.strip_prefix("0x").unwrap_or_else(|| panic!("{s}: not 0x-prefixed"));
    u64::from_str_radix(digits, 16).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn checked_in_files_match_the_generator() {
    let dir = vitis_dir();
    for (name, text) in vitis::files() {
        let path = dir.join(&name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} is stale: run `cargo run --release -p parallax-hdl --bin emit`",
            path.display()
        );
    }
    // Nothing in the folder that the generator does not write (a renamed platform's old .cfg).
    let known: BTreeSet<String> = vitis::files().into_iter().map(|(n, _)| n).collect();
    for entry in std::fs::read_dir(&dir).expect("bitstreams/vitis exists") {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_file() {
            assert!(known.contains(&name), "{name} in bitstreams/vitis is not generated");
        }
    }
}

#[test]
fn kernel_xml_agrees_with_the_register_map() {
    let text = std::fs::read_to_string(vitis_dir().join("kernel.xml")).expect("kernel.xml");
    let doc = roxmltree::Document::parse(&text).expect("kernel.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "root");
    let kernels: Vec<_> = root.children().filter(|n| n.has_tag_name("kernel")).collect();
    assert_eq!(kernels.len(), 1);
    let kernel = kernels[0];
    assert_eq!(kernel.attribute("name"), Some(vitis::KERNEL_NAME));
    assert_eq!(kernel.attribute("hwControlProtocol"), Some("ap_ctrl_hs"));

    let ports: Vec<_> = kernel
        .descendants()
        .filter(|n| n.has_tag_name("port"))
        .collect();
    let slave: Vec<_> = ports
        .iter()
        .filter(|p| p.attribute("mode") == Some("slave"))
        .collect();
    assert_eq!(slave.len(), 1, "one AXI4-Lite slave");
    assert_eq!(slave[0].attribute("name"), Some("s_axi_control"));
    assert_eq!(parse_hex(slave[0].attribute("range").unwrap()), regmap::SPACE as u64);
    assert_eq!(slave[0].attribute("dataWidth"), Some("32"));
    let masters: Vec<&str> = ports
        .iter()
        .filter(|p| p.attribute("mode") == Some("master"))
        .map(|p| p.attribute("name").unwrap())
        .collect();
    assert_eq!(masters.len(), BUFFER_ARGS.len(), "one master port per buffer");

    let args: Vec<_> = kernel
        .descendants()
        .filter(|n| n.has_tag_name("arg"))
        .collect();
    assert_eq!(args.len(), ARGS.len());
    let mut buffers_seen = vec![];
    for (xml, arg) in args.iter().zip(ARGS.iter()) {
        let id: usize = xml.attribute("id").unwrap().parse().unwrap();
        let expected_id = ARGS.iter().position(|a| a == arg).unwrap();
        assert_eq!(id, expected_id, "{}", arg.name);
        assert_eq!(xml.attribute("name"), Some(arg.name));
        assert_eq!(parse_hex(xml.attribute("offset").unwrap()), arg.offset as u64, "{}", arg.name);
        let size = parse_hex(xml.attribute("size").unwrap());
        let host_size = parse_hex(xml.attribute("hostSize").unwrap());
        let port = xml.attribute("port").unwrap();
        match xml.attribute("addressQualifier") {
            Some("0") => {
                assert!(!arg.buffer, "{} is a buffer", arg.name);
                assert_eq!((size, host_size), (4, 4), "{}", arg.name);
                assert_eq!(port, "s_axi_control", "{}", arg.name);
            }
            Some("1") => {
                assert!(arg.buffer, "{} is a scalar", arg.name);
                assert_eq!((size, host_size), (8, 8), "{}", arg.name);
                assert!(masters.contains(&port), "{}: port {port} is not a master", arg.name);
                buffers_seen.push(arg.offset);
            }
            q => panic!("{}: addressQualifier {q:?}", arg.name),
        }
        // Arguments sit in the argument window, before the read-only results.
        assert!(arg.offset >= regmap::ARG_COMMAND && arg.offset + size as u32 <= regmap::STATUS);
    }
    assert_eq!(buffers_seen, BUFFER_ARGS.to_vec(), "the buffers, in argument order");
    // Every master port carries exactly one buffer.
    let used: BTreeSet<&str> = args
        .iter()
        .filter(|a| a.attribute("addressQualifier") == Some("1"))
        .map(|a| a.attribute("port").unwrap())
        .collect();
    assert_eq!(used.len(), masters.len());
    // Offsets do not overlap.
    let mut spans: Vec<(u32, u32)> = ARGS.iter().map(|a| (a.offset, a.offset + a.size())).collect();
    spans.sort();
    assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "{spans:?}");
}

#[test]
fn every_master_port_has_one_sp_line_per_platform() {
    let text = std::fs::read_to_string(vitis_dir().join("kernel.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let masters: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("port") && n.attribute("mode") == Some("master"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert!(!masters.is_empty());
    for p in PLATFORMS {
        let cfg = std::fs::read_to_string(vitis_dir().join(format!("{}.cfg", p.key))).unwrap();
        let mut section = "";
        let mut sp = vec![];
        let mut clock = vec![];
        for line in cfg.lines().map(str::trim) {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if line.starts_with('[') {
                section = line;
                continue;
            }
            match (section, line.split_once('=')) {
                ("[connectivity]", Some(("sp", v))) => sp.push(v.to_string()),
                ("[clock]", Some(("freqHz", v))) => clock.push(v.to_string()),
                _ => {}
            }
        }
        for m in &masters {
            let lines: Vec<_> = sp
                .iter()
                .filter(|v| v.split_once(':').map(|(port, _)| port) == Some(&format!("{}.{m}", vitis::CU_NAME)))
                .collect();
            assert_eq!(lines.len(), 1, "{}: sp= lines for {m}: {lines:?}", p.key);
        }
        assert_eq!(sp.len(), masters.len(), "{}: an sp= line for a port that does not exist", p.key);
        // One memory for all: the host's XRT backend refuses buffer arguments in different banks.
        let banks: BTreeSet<&str> = sp.iter().map(|v| v.split_once(':').unwrap().1).collect();
        assert_eq!(banks.len(), 1, "{}: {banks:?}", p.key);
        assert_eq!(clock, vec![format!("250000000:{}.ap_clk", vitis::CU_NAME)], "{}", p.key);
        assert!(cfg.contains(&format!("platform={}\n", p.name)), "{}", p.key);
    }
}

/// The kernel top's Verilog has every port `kernel.xml` declares, at its width, and the clock,
/// reset and interrupt Vitis expects.
#[test]
fn kernel_rtl_has_the_ports_kernel_xml_declares() {
    let rtl = std::fs::read_to_string(vitis_dir().join("parallax_kernel.v")).unwrap();
    let header = rtl.lines().find(|l| l.starts_with("module parallax_kernel(")).expect("module parallax_kernel");
    let ports: BTreeSet<&str> = header
        .trim_start_matches("module parallax_kernel(")
        .trim_end_matches(");")
        .split(',')
        .collect();
    // Declared width of a port: `input wire  [63:0] name;` -> 64, `... name;` -> 1.
    let width = |name: &str| -> usize {
        let decl = rtl
            .lines()
            .map(str::trim)
            .find(|l| (l.starts_with("input") || l.starts_with("output")) && l.ends_with(&format!(" {name};")))
            .unwrap_or_else(|| panic!("no declaration of {name}"));
        match decl.split_once('[') {
            Some((_, r)) => r.split(':').next().unwrap().parse::<usize>().unwrap() + 1,
            None => 1,
        }
    };
    for p in ["ap_clk", "ap_rst_n", "interrupt"] {
        assert!(ports.contains(p), "{p}");
    }
    let text = std::fs::read_to_string(vitis_dir().join("kernel.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    for port in doc.descendants().filter(|n| n.has_tag_name("port")) {
        let name = port.attribute("name").unwrap();
        let data_width: usize = port.attribute("dataWidth").unwrap().parse().unwrap();
        if port.attribute("mode") == Some("slave") {
            for ch in ["awvalid", "awready", "awaddr", "wvalid", "wready", "wdata", "wstrb", "bvalid", "bready", "bresp", "arvalid", "arready", "araddr", "rvalid", "rready", "rdata", "rresp"] {
                assert!(ports.contains(format!("{name}_{ch}").as_str()), "{name}_{ch}");
            }
            assert_eq!(width(&format!("{name}_wdata")), data_width);
            assert_eq!(1usize << width(&format!("{name}_awaddr")), 1 << vitis::CONTROL_ADDR_BITS);
        } else {
            // A master has a complete write or read side (or both), at the declared width.
            let write = ["awaddr", "awlen", "awvalid", "awready", "wdata", "wstrb", "wlast", "wvalid", "wready", "bresp", "bvalid", "bready"];
            let read = ["araddr", "arlen", "arvalid", "arready", "rdata", "rresp", "rlast", "rvalid", "rready"];
            let has = |chs: &[&str]| chs.iter().all(|c| ports.contains(format!("{name}_{c}").as_str()));
            assert!(has(&write) || has(&read), "{name} has neither a full write nor a full read side");
            if has(&write) {
                assert_eq!(width(&format!("{name}_wdata")), data_width, "{name}");
                assert_eq!(width(&format!("{name}_awaddr")), 64, "{name}: 64-bit addresses");
            }
            if has(&read) {
                assert_eq!(width(&format!("{name}_rdata")), data_width, "{name}");
                assert_eq!(width(&format!("{name}_araddr")), 64, "{name}: 64-bit addresses");
            }
        }
    }
}

#[test]
fn kernel_name_is_the_one_the_host_opens() {
    let host = Path::new(env!("CARGO_MANIFEST_DIR")).join("../host/src/accel/xrt.rs");
    let text = std::fs::read_to_string(&host).expect("host/src/accel/xrt.rs");
    let line = format!("pub const KERNEL_NAME: &str = \"{}\";", vitis::KERNEL_NAME);
    assert!(text.contains(&line), "{} does not define {line}", host.display());
}

#[test]
fn makefile_has_the_documented_targets() {
    let mk = std::fs::read_to_string(vitis_dir().join("Makefile")).unwrap();
    for target in ["xo:", "xclbin:", "clean:"] {
        assert!(mk.lines().any(|l| l.starts_with(target)), "no `{target}` rule");
    }
    // The flow is: the emitter, Vivado in batch mode on package_xo.tcl, then v++ --link.
    assert!(mk.contains("--bin emit"));
    assert!(mk.contains("vivado -mode batch") && mk.contains("package_xo.tcl"));
    assert!(mk.contains("v++ --link --target $(TARGET)"));
    for p in PLATFORMS {
        assert!(mk.contains(&format!("CFG_{} := $(HERE)/{}.cfg", p.key, p.key)));
    }
}
