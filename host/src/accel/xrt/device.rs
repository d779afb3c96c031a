//! [XrtDevice]: `parallax_sim::driver::Device` on a real card, through the shim. Buffers are
//! `xrt::bo`s keyed by their device address (what the driver writes into the buffer arguments);
//! register writes become kernel arguments through [ArgLatch].

use std::collections::HashMap;
use std::ffi::CString;
use std::path::Path;
use std::time::Duration;

use parallax_hdl::regmap;
use parallax_sim::driver::Device;
use parallax_sim::{Buffer, CardError};

use super::args::{ArgLatch, Op, FIRST_BUFFER_ARG, NUM_ARGS};
use super::ffi::{self, call, RawBo, RawDevice, ShimError};

fn device_err(e: ShimError) -> CardError {
    CardError::Device(e.message)
}

pub fn cstring(s: &str, what: &str) -> Result<CString, CardError> {
    CString::new(s).map_err(|_| CardError::Device(format!("{what} contains a NUL byte")))
}

/// An opened card with the xclbin loaded and the kernel opened exclusively.
pub struct XrtDevice {
    raw: *mut RawDevice,
    /// The memory bank every buffer goes to (the buffer arguments' bank, checked equal for all).
    group: i32,
    bos: HashMap<u64, (*mut RawBo, usize)>,
    latch: ArgLatch,
}

// SAFETY: the handles are owned by this value and used through `&mut self` only (the
// accelerator keeps it behind a lock); XRT objects may be used from any thread.
unsafe impl Send for XrtDevice {}

impl XrtDevice {
    pub fn open(index: u32, xclbin: &Path, kernel: &str) -> Result<Self, CardError> {
        let path = cstring(&xclbin.to_string_lossy(), "the xclbin path")?;
        let name = cstring(kernel, "the kernel name")?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid C strings and an out-pointer; the shim catches every exception.
        call(|e, n| unsafe { ffi::pxrt_open(index, path.as_ptr(), name.as_ptr(), &mut raw, e, n) }).map_err(device_err)?;
        let mut dev = Self { raw, group: 0, bos: HashMap::new(), latch: ArgLatch::default() };
        let mut groups = vec![];
        for arg in FIRST_BUFFER_ARG..NUM_ARGS {
            let mut g = 0;
            // SAFETY: `dev.raw` is a live device handle.
            call(|e, n| unsafe { ffi::pxrt_arg_group(dev.raw, arg as i32, &mut g, e, n) }).map_err(device_err)?;
            groups.push(g);
        }
        if groups.iter().any(|&g| g != groups[0]) {
            return Err(CardError::Unsupported(format!(
                "the xclbin connects the buffer arguments to memory banks {groups:?}; this backend needs them in one bank (see bitstreams/ connectivity)"
            )));
        }
        dev.group = groups[0];
        Ok(dev)
    }

    fn bo(&self, addr: u64) -> Result<(*mut RawBo, usize), CardError> {
        self.bos.get(&addr).copied().ok_or_else(|| CardError::Device(format!("no buffer at device address {addr:#x}")))
    }

    fn bo_range(&self, buf: Buffer, offset: usize, len: usize) -> Result<*mut RawBo, CardError> {
        let (bo, words) = self.bo(buf.addr)?;
        if offset.checked_add(len).is_none_or(|end| end > words) {
            return Err(CardError::Device(format!("{len} words at offset {offset} overrun a buffer of {words} words")));
        }
        Ok(bo)
    }
}

impl Device for XrtDevice {
    fn alloc(&mut self, words: usize) -> Result<Buffer, CardError> {
        let bytes = (words as u64).checked_mul(8).filter(|&b| b > 0).ok_or_else(|| CardError::Device(format!("cannot allocate {words} words")))?;
        let (mut bo, mut addr) = (std::ptr::null_mut(), 0u64);
        // SAFETY: live device handle, out-pointers.
        call(|e, n| unsafe { ffi::pxrt_bo_alloc(self.raw, bytes, self.group, &mut bo, &mut addr, e, n) }).map_err(device_err)?;
        self.bos.insert(addr, (bo, words));
        Ok(Buffer { addr, words })
    }

    fn free(&mut self, buf: Buffer) {
        if let Some((bo, _)) = self.bos.remove(&buf.addr) {
            // SAFETY: `bo` came from pxrt_bo_alloc and is removed from the map, so freed once.
            unsafe { ffi::pxrt_bo_free(bo) };
        }
    }

    fn write(&mut self, buf: Buffer, offset: usize, data: &[u64]) -> Result<(), CardError> {
        let bo = self.bo_range(buf, offset, data.len())?;
        // SAFETY: `data` is valid for its length in bytes; the range lies inside the bo (checked).
        call(|e, n| unsafe { ffi::pxrt_bo_write(bo, data.as_ptr().cast(), 8 * data.len() as u64, 8 * offset as u64, e, n) })
            .map_err(|e| CardError::Dma(e.message))
    }

    fn read(&mut self, buf: Buffer, offset: usize, len: usize) -> Result<Vec<u64>, CardError> {
        let bo = self.bo_range(buf, offset, len)?;
        let mut out = vec![0u64; len];
        // SAFETY: `out` has room for `len` words; the range lies inside the bo (checked).
        call(|e, n| unsafe { ffi::pxrt_bo_read(bo, out.as_mut_ptr().cast(), 8 * len as u64, 8 * offset as u64, e, n) })
            .map_err(|e| CardError::Dma(e.message))?;
        Ok(out)
    }

    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), CardError> {
        let raw = self.raw;
        // SAFETY (all three): live device handle; `bo` is a live buffer handle from the map.
        match self.latch.write(offset, value)? {
            None => Ok(()),
            Some(Op::Scalar { arg, value }) => call(|e, n| unsafe { ffi::pxrt_set_scalar(raw, arg as i32, value, e, n) }),
            Some(Op::Buffer { arg, addr }) => {
                let (bo, _) = self.bo(addr)?;
                call(|e, n| unsafe { ffi::pxrt_set_buffer(raw, arg as i32, bo, e, n) })
            }
            Some(Op::Start) => call(|e, n| unsafe { ffi::pxrt_start(raw, e, n) }),
        }
        .map_err(device_err)
    }

    fn read_reg(&mut self, offset: u32) -> Result<u32, CardError> {
        let mut v = 0;
        // SAFETY: live device handle, out-pointer.
        call(|e, n| unsafe { ffi::pxrt_read_register(self.raw, offset, &mut v, e, n) }).map_err(device_err)?;
        Ok(v)
    }

    /// `run.wait(timeout)`, then the kernel's STATUS register, as the simulated card reports it.
    fn wait(&mut self, timeout: Duration) -> Result<(), CardError> {
        let ms = timeout.as_millis().clamp(1, u32::MAX as u128) as u32;
        // SAFETY: live device handle.
        match call(|e, n| unsafe { ffi::pxrt_wait(self.raw, ms, e, n) }) {
            Ok(()) => {}
            Err(e) if e.code == ffi::TIMEOUT => return Err(CardError::Device(format!("the kernel did not finish within {ms} ms"))),
            Err(e) => return Err(device_err(e)),
        }
        regmap::check_status(self.read_reg(regmap::STATUS)?).map_err(CardError::Device)
    }

    fn reset(&mut self) {
        self.latch = ArgLatch::default();
        // SAFETY: live device handle.
        if let Err(e) = call(|e, n| unsafe { ffi::pxrt_reset(self.raw, e, n) }) {
            eprintln!("warning: xrt: {}", e.message);
        }
    }
}

impl Drop for XrtDevice {
    fn drop(&mut self) {
        for (_, (bo, _)) in self.bos.drain() {
            // SAFETY: each bo is freed once (drained from the map).
            unsafe { ffi::pxrt_bo_free(bo) };
        }
        // SAFETY: the device handle is closed once, after its buffers.
        unsafe { ffi::pxrt_close(self.raw) };
    }
}
