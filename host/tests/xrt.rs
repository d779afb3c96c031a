//! The `xrt` backend on a machine without a card (`--features xrt`): every failure is a clear
//! `Err` or message, and the process survives the device open that aborts the `xrt` crate.
//! What needs a card (a kernel run) is not tested here; see docs/hardware.md.
#![cfg(feature = "xrt")]

use std::path::Path;
use std::process::Command;

use parallax::accel::xrt::{self, Listing};
use parallax::accel::{Backend, XrtAccelerator};

fn parallax(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax")).args(args).envs(env.iter().copied()).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("parallax-xrt-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// True when this machine has an Alveo card; the no-card tests then do not apply.
fn has_card() -> bool {
    matches!(xrt::devices(), Listing::Devices(d) if !d.is_empty())
}

/// Opening device 0 (what aborts the `xrt` crate) in a child test process, so that an abort
/// would show as a failed child rather than kill this test binary.
#[test]
fn opening_a_missing_device_is_an_error_and_the_process_survives() {
    if std::env::var_os("PARALLAX_XRT_CHILD").is_some() {
        let e = xrt::probe(0).expect_err("device 0 opened on a machine without a card");
        println!("probe error: {e}");
        assert!(e.contains("device") || e.contains("XRT"), "{e}");
        return;
    }
    if has_card() {
        eprintln!("skipped: an XRT device is present");
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "opening_a_missing_device_is_an_error_and_the_process_survives", "--nocapture", "--test-threads", "1"])
        .env("PARALLAX_XRT_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child: {:?}\n{stdout}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("probe error: "), "{stdout}");
}

#[test]
fn missing_and_garbage_xclbins_are_clear_errors() {
    let e = XrtAccelerator::open(0, Path::new("missing.xclbin")).err().unwrap().to_string();
    assert!(e.contains("cannot read xclbin missing.xclbin"), "{e}");
    let dir = scratch("garbage");
    let garbage = dir.join("garbage.xclbin");
    std::fs::write(&garbage, b"not an xclbin at all\n").unwrap();
    let e = XrtAccelerator::open(0, &garbage).err().unwrap().to_string();
    assert!(e.contains("garbage.xclbin") && e.contains("Invalid xclbin"), "{e}");
    let e = xrt::inspect_xclbin(&dir).err().unwrap().to_string();
    assert!(e.contains("is not a file"), "{e}");
    let e = Backend::Xrt.open().err().unwrap().to_string();
    assert!(e.contains("--backend xrt needs --xclbin FILE"), "{e}");
    std::fs::remove_dir_all(dir).ok();
}

/// A minimal xclbin (XRT's `axlf` container, include/xrt/xclbin.h) holding only the kernel
/// metadata section (EMBEDDED_METADATA) for a kernel `name` with the register map's ten arguments.
/// Debian's `xclbinutil` wrapper lacks its binary, so the test writes the container itself.
fn metadata_xclbin(name: &str) -> Vec<u8> {
    use parallax::accel::xrt::args::{ARG_OFFSETS, FIRST_BUFFER_ARG};
    let names = ["command", "log_rows", "columns", "rate_bits", "cap_height", "values", "coeffs", "leaves", "digests", "cap"];
    let args: String = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (q, port, size, ty) = if i < FIRST_BUFFER_ARG { (0, "S_AXI_CONTROL", 4, "unsigned int") } else { (1, "M_AXI_GMEM", 8, "void*") };
            format!(r#"<arg name="{n}" addressQualifier="{q}" id="{i}" port="{port}" size="{size:#x}" offset="{:#x}" hostOffset="0x0" hostSize="{size:#x}" type="{ty}"/>"#, ARG_OFFSETS[i])
        })
        .collect();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><project name="parallax"><platform vendor="xilinx" boardid="test" name="test"><device name="fpga0"><core name="OCL_REGION_0" target="bitstream" type="clc_region" numComputeUnits="1"><kernel name="{name}" language="c" hwControlProtocol="ap_ctrl_hs"><port name="S_AXI_CONTROL" mode="slave" range="0x1000" dataWidth="32" portType="addressable" base="0x0"/><port name="M_AXI_GMEM" mode="master" range="0xFFFFFFFFFFFFFFFF" dataWidth="512" portType="addressable" base="0x0"/>{args}<instance name="{name}_1"><addrRemap base="0x1800000" range="0x10000" port="S_AXI_CONTROL"/></instance></kernel></core></device></platform></project>"#
    );
    // struct axlf: magic, signature length, key block, unique id, then axlf_header at 304 and
    // one axlf_section_header at 456; 496 bytes in all, the section's data after it.
    let (header, section, data_at) = (304, 456, 496);
    let mut b = vec![0u8; data_at];
    b[..8].copy_from_slice(b"xclbin2\0");
    b[8..12].copy_from_slice(&(-1i32).to_le_bytes());
    let total = (data_at + xml.len()) as u64;
    b[header..header + 8].copy_from_slice(&total.to_le_bytes()); // m_length
    b[header + 26] = 2; // m_versionMajor
    b[header + 48..header + 52].copy_from_slice(b"test"); // m_platformVBNV
    b[header + 112..header + 128].copy_from_slice(&[7; 16]); // uuid
    b[header + 144..header + 148].copy_from_slice(&1u32.to_le_bytes()); // m_numSections
    b[section..section + 4].copy_from_slice(&2u32.to_le_bytes()); // EMBEDDED_METADATA
    b[section + 4..section + 20].copy_from_slice(b"EMBEDDED_METADAT");
    b[section + 24..section + 32].copy_from_slice(&(data_at as u64).to_le_bytes());
    b[section + 32..section + 40].copy_from_slice(&(xml.len() as u64).to_le_bytes());
    b.extend_from_slice(xml.as_bytes());
    b
}

#[test]
fn an_xclbin_is_checked_on_the_host_before_any_device() {
    let dir = scratch("meta");
    let (good, other) = (dir.join("good.xclbin"), dir.join("other.xclbin"));
    std::fs::write(&good, metadata_xclbin(xrt::KERNEL_NAME)).unwrap();
    std::fs::write(&other, metadata_xclbin("vadd")).unwrap();
    let info = xrt::inspect_xclbin(&good).unwrap();
    assert_eq!(info.uuid, "07070707-0707-0707-0707-070707070707");
    let e = xrt::inspect_xclbin(&other).err().unwrap().to_string();
    assert!(e.contains("has no kernel 'parallax_kernel' (it has: vadd)"), "{e}");
    if !has_card() {
        // The xclbin passes; the missing card is the error, with the way out.
        let e = XrtAccelerator::open(0, &good).err().unwrap().to_string();
        assert!(e.contains("no XRT device with index 0: XRT found 0 device(s)") && e.contains("--backend sim"), "{e}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn devices_reports_no_devices_and_the_simulator() {
    let (ok, out, err) = parallax(&["devices"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("sim: the simulated card is always available (`--backend sim`)"), "{out}");
    if !has_card() {
        assert!(out.contains("xrt: no devices found"), "{out}");
    }
    // Without XRT's driver library where we look: said plainly, still exit 0.
    let (ok, out, err) = parallax(&["devices"], &[("PARALLAX_XRT_LIB_DIR", "/nonexistent"), ("XILINX_XRT", "/nonexistent")]);
    assert!(ok, "{err}");
    assert!(out.contains("the XRT libraries are missing") && out.contains("libxrt_core.so.2"), "{out}");
    assert!(!err.contains("panicked") && !out.contains("panicked"));
}

#[test]
fn prove_on_xrt_without_a_card_fails_clearly() {
    let prog = format!("{}/programs/fib.asm", env!("CARGO_MANIFEST_DIR"));
    let (ok, _, err) = parallax(&["prove", &prog, "-o", "/dev/null", "--backend", "xrt", "--xclbin", "missing.xclbin"], &[]);
    assert!(!ok && err.contains("cannot open the xrt backend") && err.contains("cannot read xclbin missing.xclbin"), "{err}");
    let (ok, _, err) = parallax(&["prove", &prog, "-o", "/dev/null", "--backend", "xrt"], &[]);
    assert!(!ok && err.contains("needs --xclbin FILE"), "{err}");
    let (ok, _, err) = parallax(&["prove", &prog, "-o", "/dev/null", "--backend", "sim", "--xclbin", "k.xclbin"], &[]);
    assert!(!ok && err.contains("--xclbin applies to --backend xrt"), "{err}");
    assert!(!err.contains("panicked"));
}
