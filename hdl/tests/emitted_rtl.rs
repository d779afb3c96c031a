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
