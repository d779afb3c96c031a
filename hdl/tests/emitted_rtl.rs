//! The committed RTL must be what the code emits (the same check as `emit --check`, so that a
//! plain `cargo test` catches a forgotten `emit`).

use parallax_hdl::designs::DESIGNS;
use std::path::Path;

#[test]
fn committed_rtl_matches_the_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bitstreams/rtl");
    for design in DESIGNS {
        let path = dir.join(format!("{}.v", design.name));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == design.rtl_text(),
            "{} is stale: run `cargo run --release -p parallax-hdl --bin emit`",
            path.display()
        );
    }
}

#[test]
fn design_names_are_unique_file_stems() {
    for (i, d) in DESIGNS.iter().enumerate() {
        assert!(
            d.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{}",
            d.name
        );
        assert!(
            DESIGNS[..i].iter().all(|e| e.name != d.name),
            "duplicate design {}",
            d.name
        );
    }
}

/// The board RTL test (hdl-check, `emit --board-harness`) simulates the board top emitted with
/// a short bit time; it must be `serial_board.v` but for the UART divider and idle constants.
#[test]
fn simulated_board_differs_from_serial_board_only_in_its_timing_constants() {
    use parallax_hdl::uart::harness::{SIM_CLOCKS_PER_BIT, SIM_IDLE_CYCLES};
    let committed = parallax_hdl::designs::find("serial_board")
        .expect("serial_board in DESIGNS")
        .rtl_text();
    let sim = parallax_hdl::designs::serial_board_verilog_with(SIM_CLOCKS_PER_BIT, SIM_IDLE_CYCLES);
    // rtl_text adds two header lines.
    let a: Vec<&str> = committed.lines().skip(2).collect();
    let b: Vec<&str> = sim.lines().collect();
    assert_eq!(a.len(), b.len(), "line counts differ");
    let timing = ["localparam  full =", "localparam  half =", "localparam  c_idle_limit ="];
    let mut changed = 0;
    for (x, y) in a.iter().zip(&b) {
        if x != y {
            assert!(
                timing.iter().any(|t| x.trim_start().starts_with(t.trim_start())),
                "unexpected difference:\n  {x}\n  {y}"
            );
            changed += 1;
        }
    }
    // rx full/half, tx full, decoder idle limit at least.
    assert!(changed >= 3, "only {changed} constants differ");
}
