//! With `--features xrt`: compiles the C++ shim over XRT (host/xrt/shim.cpp) and links
//! `xrt_coreutil`. Without it: nothing, so the default build needs neither XRT nor a C++ compiler.
//!
//! Where XRT lives: `PARALLAX_XRT_INCLUDE_DIR` / `PARALLAX_XRT_LIB_DIR` if set, else
//! `$XILINX_XRT/{include,lib}` (Xilinx's packages, /opt/xilinx/xrt), else Debian's layout
//! (/usr/include/xrt, /usr/lib/<arch>-linux-gnu).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "xrt")]
    xrt::build();
}

#[cfg(feature = "xrt")]
mod xrt {
    use std::env;
    use std::path::{Path, PathBuf};

    fn first(var: &str, candidates: Vec<PathBuf>, marker: &str) -> PathBuf {
        println!("cargo:rerun-if-env-changed={var}");
        if let Some(dir) = env::var_os(var) {
            let dir = PathBuf::from(dir);
            if !dir.join(marker).exists() {
                panic!("{var}={} has no {marker}", dir.display());
            }
            return dir;
        }
        let tried: Vec<String> = candidates.iter().map(|d| d.display().to_string()).collect();
        candidates.into_iter().find(|d| d.join(marker).exists()).unwrap_or_else(|| {
            panic!(
                "--features xrt: cannot find XRT's {marker} in {} (install libxrt-dev, or set {var})",
                tried.join(", ")
            )
        })
    }

    pub fn build() {
        println!("cargo:rerun-if-changed=xrt/shim.cpp");
        println!("cargo:rerun-if-env-changed=XILINX_XRT");
        let xilinx = env::var_os("XILINX_XRT").map(PathBuf::from);
        let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| "x86_64".into());
        let mut includes: Vec<PathBuf> = xilinx.iter().map(|x| x.join("include")).collect();
        includes.extend(["/usr/include/xrt", "/opt/xilinx/xrt/include"].map(PathBuf::from));
        let mut libs: Vec<PathBuf> = xilinx.iter().map(|x| x.join("lib")).collect();
        libs.extend([format!("/usr/lib/{arch}-linux-gnu"), "/opt/xilinx/xrt/lib".into(), "/usr/lib".into()].map(PathBuf::from));
        let include = first("PARALLAX_XRT_INCLUDE_DIR", includes, "xrt/xrt_device.h");
        let lib = first("PARALLAX_XRT_LIB_DIR", libs, "libxrt_coreutil.so");

        cc::Build::new().cpp(true).std("c++17").file("xrt/shim.cpp").include(&include).warnings(true).compile("parallax_xrt_shim");
        println!("cargo:rustc-link-search=native={}", lib.display());
        println!("cargo:rustc-link-lib=dylib=xrt_coreutil");
        // XRT's `xrt::uuid` is inline code over libuuid (uuid-dev, pulled in by libxrt-dev).
        println!("cargo:rustc-link-lib=dylib=uuid");
        // Outside the loader's default paths (e.g. /opt/xilinx/xrt/lib), find it at run time too.
        if !is_system(&lib) {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
        }
        // The run-time side (accel/xrt/env.rs) looks for XRT's driver library next to it.
        println!("cargo:rustc-env=PARALLAX_XRT_BUILD_LIB_DIR={}", lib.display());
    }

    fn is_system(dir: &Path) -> bool {
        ["/usr/lib", "/lib", "/usr/lib64"].iter().any(|s| dir == Path::new(s)) || dir.parent() == Some(Path::new("/usr/lib"))
    }
}
