//! The C ABI of host/xrt/shim.cpp. Every function catches XRT's C++ exceptions and returns a
//! status with a message, so nothing unwinds into Rust.

use std::ffi::{c_char, c_void, CStr};

#[repr(C)]
pub struct RawDevice {
    _private: [u8; 0],
}
#[repr(C)]
pub struct RawBo {
    _private: [u8; 0],
}

pub const OK: i32 = 0;
pub const TIMEOUT: i32 = 2;

extern "C" {
    pub fn pxrt_device_count(count: *mut u32, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_device_info(index: u32, name: *mut c_char, name_len: usize, bdf: *mut c_char, bdf_len: usize, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_xclbin_inspect(
        path: *const c_char,
        kernel: *const c_char,
        uuid: *mut c_char,
        uuid_len: usize,
        offsets: *mut u32,
        max_args: u32,
        num_args: *mut u32,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
    pub fn pxrt_load_xclbin(index: u32, path: *const c_char, uuid: *mut c_char, uuid_len: usize, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_open(index: u32, path: *const c_char, kernel: *const c_char, out: *mut *mut RawDevice, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_close(d: *mut RawDevice);
    pub fn pxrt_arg_group(d: *mut RawDevice, arg: i32, group: *mut i32, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_bo_alloc(d: *mut RawDevice, bytes: u64, group: i32, out: *mut *mut RawBo, addr: *mut u64, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_bo_free(b: *mut RawBo);
    pub fn pxrt_bo_write(b: *mut RawBo, data: *const c_void, bytes: u64, offset: u64, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_bo_read(b: *mut RawBo, data: *mut c_void, bytes: u64, offset: u64, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_set_scalar(d: *mut RawDevice, arg: i32, value: u32, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_set_buffer(d: *mut RawDevice, arg: i32, b: *mut RawBo, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_start(d: *mut RawDevice, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_wait(d: *mut RawDevice, timeout_ms: u32, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_read_register(d: *mut RawDevice, offset: u32, value: *mut u32, err: *mut c_char, err_len: usize) -> i32;
    pub fn pxrt_reset(d: *mut RawDevice, err: *mut c_char, err_len: usize) -> i32;
}

/// A failed shim call: its status and XRT's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShimError {
    pub code: i32,
    pub message: String,
}

/// Calls `f` with an error buffer; a non-zero status becomes a [ShimError].
pub fn call(f: impl FnOnce(*mut c_char, usize) -> i32) -> Result<(), ShimError> {
    let mut buf = [0 as c_char; 1024];
    let code = f(buf.as_mut_ptr(), buf.len());
    if code == OK {
        return Ok(());
    }
    Err(ShimError { code, message: text(&buf) })
}

/// A NUL-terminated string the shim wrote into `buf` (empty if it wrote none).
pub fn text(buf: &[c_char]) -> String {
    if !buf.contains(&0) {
        return String::new();
    }
    // SAFETY: `buf` holds a NUL within its length (checked above).
    unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned()
}
