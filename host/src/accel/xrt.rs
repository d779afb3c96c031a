//! The `xrt` backend: the kernel on a real Alveo card through Xilinx's runtime (XRT 2.13, Debian's
//! `libxrt-dev`), behind `--features xrt`. The same driver as the simulated card
//! (`parallax_sim::driver::lde_and_commit`) runs over [XrtDevice](device::XrtDevice), so the
//! committer's spot checks and CPU fallback apply unchanged. XRT is reached through a C++ shim
//! (host/xrt/shim.cpp) that turns its exceptions into error values; see docs/hardware.md.
//!
//! [args] (the register-write to kernel-argument mapping) is plain Rust and always built, so the
//! driver's layout is tested against the simulator in every build.

pub mod args;
pub mod xclbin;
#[cfg(feature = "xrt")]
mod device;
#[cfg(feature = "xrt")]
mod env;
#[cfg(feature = "xrt")]
mod ffi;

use std::path::Path;

use super::AccelError;

/// The kernel's name in the xclbin (`kernel.xml`, `v++ --link`).
pub const KERNEL_NAME: &str = "parallax_kernel";

/// One XRT device, as `parallax devices` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub index: u32,
    /// The shell (platform) name, e.g. `xilinx_u250_gen3x16_xdma_shell_4_1`.
    pub name: String,
    pub bdf: String,
}

/// What XRT reports on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Built without `--features xrt`.
    NotBuilt,
    /// XRT's driver library is not installed (or not where XRT looks).
    LibrariesMissing(String),
    /// XRT failed while enumerating.
    Failed(String),
    /// The devices (possibly none); a device XRT counts but cannot open carries its error.
    Devices(Vec<Result<DeviceInfo, String>>),
}

/// An xclbin checked on the host: it parses, has [KERNEL_NAME], and its argument offsets are
/// those of the register map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XclbinInfo {
    pub uuid: String,
}

/// Checks that `path` is a readable file before XRT sees it (XRT's own message for a missing file
/// does not name it).
fn readable(path: &Path) -> Result<(), AccelError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(AccelError::Open(format!("xclbin {} is not a file", path.display()))),
        Err(e) => Err(AccelError::Open(format!("cannot read xclbin {}: {e}", path.display()))),
    }
}

#[cfg(not(feature = "xrt"))]
mod imp {
    use super::*;

    pub fn devices() -> Listing {
        Listing::NotBuilt
    }
    pub fn inspect_xclbin(path: &Path) -> Result<XclbinInfo, AccelError> {
        readable(path)?;
        Err(AccelError::Open(super::super::BackendError::XrtNotBuilt.to_string()))
    }
    pub fn load_xclbin(_index: u32, _path: &Path) -> Result<String, String> {
        Err(super::super::BackendError::XrtNotBuilt.to_string())
    }
}

#[cfg(feature = "xrt")]
mod imp {
    use std::ffi::c_char;
    use std::path::PathBuf;
    use std::sync::{Mutex, PoisonError};
    use std::time::Duration;

    use parallax_sim::driver::lde_and_commit;
    use plonky2::field::polynomial::PolynomialValues;

    use super::device::{cstring, XrtDevice};
    use super::ffi::{self, call};
    use super::*;
    use crate::accel::{into_batch, Accelerator, Committed};
    use crate::prover::F;

    fn count() -> Result<u32, String> {
        env::prepare()?;
        let mut n = 0;
        // SAFETY: out-pointer; the shim catches every exception.
        call(|e, l| unsafe { ffi::pxrt_device_count(&mut n, e, l) }).map_err(|e| e.message)?;
        Ok(n)
    }

    /// Opens device `index` to read its name and BDF: the call that aborts the `xrt` crate
    /// without a card, here an `Err`.
    pub fn probe(index: u32) -> Result<DeviceInfo, String> {
        env::prepare()?;
        let (mut name, mut bdf) = ([0 as c_char; 256], [0 as c_char; 64]);
        // SAFETY: buffers with their lengths; the shim NUL-terminates within them.
        call(|e, l| unsafe { ffi::pxrt_device_info(index, name.as_mut_ptr(), name.len(), bdf.as_mut_ptr(), bdf.len(), e, l) })
            .map_err(|e| e.message)?;
        Ok(DeviceInfo { index, name: ffi::text(&name), bdf: ffi::text(&bdf) })
    }

    pub fn devices() -> Listing {
        if let Err(e) = env::prepare() {
            return Listing::LibrariesMissing(e);
        }
        match count() {
            Ok(n) => Listing::Devices((0..n).map(probe).collect()),
            Err(e) => Listing::Failed(e),
        }
    }

    /// Programs device `index` with `path` (checked by the caller); returns the loaded UUID.
    pub fn load_xclbin(index: u32, path: &Path) -> Result<String, String> {
        env::prepare()?;
        let cpath = cstring(&path.to_string_lossy(), "the xclbin path").map_err(|e| e.to_string())?;
        let mut uuid = [0 as c_char; 64];
        // SAFETY: a C string and a buffer with its length; the shim catches every exception.
        call(|e, l| unsafe { ffi::pxrt_load_xclbin(index, cpath.as_ptr(), uuid.as_mut_ptr(), uuid.len(), e, l) }).map_err(|e| e.message)?;
        Ok(ffi::text(&uuid))
    }

    pub fn inspect_xclbin(path: &Path) -> Result<XclbinInfo, AccelError> {
        readable(path)?;
        env::prepare().map_err(AccelError::Open)?;
        let (cpath, kernel) = (cstring(&path.to_string_lossy(), "the xclbin path")?, cstring(KERNEL_NAME, "the kernel name")?);
        let (mut uuid, mut offsets, mut num) = ([0 as c_char; 64], [0u32; 64], 0u32);
        // SAFETY: C strings and buffers with their lengths.
        call(|e, l| unsafe {
            ffi::pxrt_xclbin_inspect(cpath.as_ptr(), kernel.as_ptr(), uuid.as_mut_ptr(), uuid.len(), offsets.as_mut_ptr(), offsets.len() as u32, &mut num, e, l)
        })
        .map_err(|e| AccelError::Open(format!("xclbin {}: {}", path.display(), e.message)))?;
        let offsets = &offsets[..(num as usize).min(offsets.len())];
        args::check_offsets(KERNEL_NAME, offsets).map_err(|e| AccelError::Open(format!("xclbin {}: {e}", path.display())))?;
        Ok(XclbinInfo { uuid: ffi::text(&uuid) })
    }

    /// How long one kernel run may take before the driver gives up (and the CPU takes over).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    /// A card with the Parallax xclbin loaded.
    pub struct XrtAccelerator {
        device: Mutex<XrtDevice>,
        info: DeviceInfo,
        xclbin: XclbinInfo,
        path: PathBuf,
        timeout: Duration,
    }

    impl XrtAccelerator {
        /// Checks the xclbin on the host, then opens device `index` and loads it.
        pub fn open(index: u32, xclbin: &Path) -> Result<Self, AccelError> {
            let checked = inspect_xclbin(xclbin)?;
            let n = count().map_err(AccelError::Open)?;
            if index >= n {
                return Err(AccelError::Open(format!(
                    "no XRT device with index {index}: XRT found {n} device(s) (`parallax devices` lists them; `--backend sim` needs no card)"
                )));
            }
            let info = probe(index).map_err(AccelError::Open)?;
            let device = XrtDevice::open(index, xclbin, KERNEL_NAME)?;
            Ok(Self { device: Mutex::new(device), info, xclbin: checked, path: xclbin.to_path_buf(), timeout: DEFAULT_TIMEOUT })
        }

        pub fn with_timeout(mut self, timeout: Duration) -> Self {
            self.timeout = timeout;
            self
        }

        pub fn describe(&self) -> String {
            format!("device {} ({}, {}), xclbin {} (uuid {})", self.info.index, self.info.name, self.info.bdf, self.path.display(), self.xclbin.uuid)
        }
    }

    impl Accelerator for XrtAccelerator {
        fn name(&self) -> &'static str {
            "xrt"
        }

        fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<Committed, AccelError> {
            // A panic inside the driver leaves the kernel idle or timed out; the next run resets it.
            let mut dev = self.device.lock().unwrap_or_else(PoisonError::into_inner);
            let parts = lde_and_commit(&mut *dev, trace, rate_bits, cap_height, self.timeout)?;
            let degree_log = trace[0].len().trailing_zeros() as usize;
            Ok(Committed { batch: into_batch(parts.coeffs, parts.leaves, parts.digests, parts.cap, degree_log, rate_bits), report: None })
        }
    }
}

pub use imp::*;
