//! Where XRT 2.13 finds its driver library. `libxrt_coreutil` loads `libxrt_core.so.2` from
//! `$XILINX_XRT/lib` and throws "XILINX_XRT not set" without it; Debian installs the libraries in
//! /usr/lib/<arch>-linux-gnu, so `XILINX_XRT=/usr` fails too ("No such library
//! '/usr/lib/libxrt_core.so.2'"). Before the first XRT call we point `XILINX_XRT` at a folder
//! whose `lib` holds the library (a link farm in the temp dir for Debian's layout), and say plainly
//! when it is nowhere.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const CORE_LIB: &str = "libxrt_core.so.2";

/// Sets `XILINX_XRT` once per process if needed; `Err` says the XRT libraries are missing.
pub fn prepare() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(find_and_set).clone()
}

fn find_and_set() -> Result<(), String> {
    let current = std::env::var_os("XILINX_XRT").map(PathBuf::from);
    if current.as_ref().is_some_and(|x| x.join("lib").join(CORE_LIB).exists()) {
        return Ok(());
    }
    // An explicit PARALLAX_XRT_LIB_DIR is the only place looked at (it overrides the search).
    let dirs: Vec<PathBuf> = match std::env::var_os("PARALLAX_XRT_LIB_DIR") {
        Some(d) => vec![PathBuf::from(d)],
        None => option_env!("PARALLAX_XRT_BUILD_LIB_DIR")
            .into_iter()
            .chain(["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/opt/xilinx/xrt/lib"])
            .map(PathBuf::from)
            .collect(),
    };
    let Some(lib) = dirs.iter().find(|d| d.join(CORE_LIB).exists()) else {
        let tried: Vec<_> = dirs.iter().map(|d| d.display().to_string()).collect();
        let set = current.map_or(String::new(), |x| format!("XILINX_XRT={} has no lib/{CORE_LIB}; ", x.display()));
        return Err(format!(
            "the XRT libraries are missing: {set}no {CORE_LIB} in {} (install libxrt2 / libxrt-dev, or set XILINX_XRT)",
            tried.join(", ")
        ));
    };
    let root = if lib.ends_with("lib") { lib.parent().unwrap_or(Path::new("/")).to_path_buf() } else { link_farm(lib)? };
    // Set before any XRT call and before the prover's threads start reading the environment.
    std::env::set_var("XILINX_XRT", &root);
    Ok(())
}

/// `$TMPDIR/parallax-xrt-<uid>/lib` -> `lib`, for a library folder not named `lib`.
fn link_farm(lib: &Path) -> Result<PathBuf, String> {
    // SAFETY: getuid has no preconditions.
    let root = std::env::temp_dir().join(format!("parallax-xrt-{}", unsafe { libc::getuid() }));
    let link = root.join("lib");
    if std::fs::read_link(&link).ok().as_deref() != Some(lib) {
        std::fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(lib, &link).map_err(|e| format!("cannot link {} to {}: {e}", link.display(), lib.display()))?;
    }
    Ok(root)
}
