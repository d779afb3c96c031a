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
