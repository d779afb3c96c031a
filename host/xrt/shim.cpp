// C ABI over XRT's C++ API (Debian's libxrt 2.13), for host/src/accel/xrt.rs.
//
// Why a shim: XRT reports every failure (no card, no driver library, a bad xclbin, a wrong
// memory bank) by throwing C++ exceptions. An exception that unwinds into Rust aborts the process
// ("Rust cannot catch foreign exceptions"), which is what the `xrt` crate 0.3 does on a machine
// without a card. Every entry point here catches everything and returns a status code plus a
// message, so the Rust side only ever sees values.
//
// Register access: the kernel is `ap_ctrl_hs`, so we drive it with `xrt::kernel` + `xrt::run`
// (set_arg, start, wait(timeout), abort) rather than `xrt::ip` register pokes: XRT's scheduler
// then owns ap_start/ap_done and interrupts, `run.wait` gives a real timeout, and `set_arg` with
// an `xrt::bo` checks that each buffer sits in the memory bank the xclbin connects to that
// argument. `xrt::ip` is meant for user-managed IP (and is still experimental in 2.13). The
// kernel is opened for exclusive access so that `read_register` (STATUS, CYCLES) is allowed.
// The Rust side maps the Device trait's register writes (offsets from hdl/src/regmap.rs) onto
// argument indices, checked against the xclbin's own argument offsets at open.

#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "experimental/xrt_system.h"
#include "experimental/xrt_xclbin.h"
#include "xrt/xrt_bo.h"
#include "xrt/xrt_device.h"
#include "xrt/xrt_kernel.h"

namespace {

constexpr int PXRT_OK = 0;
constexpr int PXRT_ERROR = 1;
constexpr int PXRT_TIMEOUT = 2;

struct Err {
  char* buf;
  size_t len;
  int set(const std::string& msg) const {
    if (buf && len) {
      size_t n = msg.size() < len - 1 ? msg.size() : len - 1;
      std::memcpy(buf, msg.data(), n);
      buf[n] = 0;
    }
    return PXRT_ERROR;
  }
};

void copy_out(const std::string& s, char* buf, size_t len) { Err{buf, len}.set(s); }

// Runs `f`, turning any exception into PXRT_ERROR and a message.
template <typename F> int guard(Err err, const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return err.set(std::string(what) + ": " + e.what());
  } catch (...) {
    return err.set(std::string(what) + ": unknown C++ exception");
  }
}

}  // namespace

struct pxrt_device {
  xrt::device device;
  xrt::uuid uuid;
  xrt::kernel kernel;
  xrt::run run;
};

struct pxrt_bo {
  xrt::bo bo;
};

extern "C" {

int pxrt_device_count(uint32_t* count, char* err, size_t err_len) {
  return guard({err, err_len}, "enumerating XRT devices", [&] {
    *count = xrt::system::enumerate_devices();
    return PXRT_OK;
  });
}

// Name (shell/platform) and PCIe BDF of device `index`; opening it is how XRT tells them.
int pxrt_device_info(uint32_t index, char* name, size_t name_len, char* bdf, size_t bdf_len, char* err, size_t err_len) {
  return guard({err, err_len}, "reading XRT device info", [&] {
    xrt::device d(index);
    copy_out(d.get_info<xrt::info::device::name>(), name, name_len);
    copy_out(d.get_info<xrt::info::device::bdf>(), bdf, bdf_len);
    return PXRT_OK;
  });
}

// Parses an xclbin without a device: its UUID, and whether it has `kernel_name`; fills
// `offsets[i]` (up to `max_args`) with the byte offset of argument i and `*num_args`.
int pxrt_xclbin_inspect(const char* path, const char* kernel_name, char* uuid, size_t uuid_len, uint32_t* offsets,
                        uint32_t max_args, uint32_t* num_args, char* err, size_t err_len) {
  Err e{err, err_len};
  return guard(e, "reading the xclbin", [&] {
    xrt::xclbin x{std::string(path)};
    copy_out(x.get_uuid().to_string(), uuid, uuid_len);
    for (const auto& k : x.get_kernels()) {
      if (k.get_name() != kernel_name) continue;
      auto args = k.get_args();
      *num_args = static_cast<uint32_t>(args.size());
      for (size_t i = 0; i < args.size() && i < max_args; i++) offsets[i] = static_cast<uint32_t>(args[i].get_offset());
      return PXRT_OK;
    }
    std::string names;
    for (const auto& k : x.get_kernels()) names += (names.empty() ? "" : ", ") + k.get_name();
    return e.set(std::string("the xclbin has no kernel '") + kernel_name + "' (it has: " + (names.empty() ? "none" : names) + ")");
  });
}

// Programs device `index` with the xclbin at `path` (`parallax flash`); writes the loaded UUID.
int pxrt_load_xclbin(uint32_t index, const char* path, char* uuid, size_t uuid_len, char* err, size_t err_len) {
  return guard({err, err_len}, "programming the XRT device", [&] {
    xrt::device d(index);
    copy_out(d.load_xclbin(std::string(path)).to_string(), uuid, uuid_len);
    return PXRT_OK;
  });
}

// Opens device `index`, loads the xclbin at `path` and opens `kernel_name` exclusively.
int pxrt_open(uint32_t index, const char* path, const char* kernel_name, pxrt_device** out, char* err, size_t err_len) {
  return guard({err, err_len}, "opening the XRT device", [&] {
    auto d = std::make_unique<pxrt_device>();
    d->device = xrt::device(index);
    d->uuid = d->device.load_xclbin(std::string(path));
    d->kernel = xrt::kernel(d->device, d->uuid, kernel_name, xrt::kernel::cu_access_mode::exclusive);
    d->run = xrt::run(d->kernel);
    *out = d.release();
    return PXRT_OK;
  });
}

void pxrt_close(pxrt_device* d) {
  try {
    delete d;
  } catch (...) {
  }
}

// The memory bank (group) the xclbin connects argument `arg` to.
int pxrt_arg_group(pxrt_device* d, int32_t arg, int32_t* group, char* err, size_t err_len) {
  return guard({err, err_len}, "reading the argument's memory bank", [&] {
    *group = d->kernel.group_id(arg);
    return PXRT_OK;
  });
}

int pxrt_bo_alloc(pxrt_device* d, uint64_t bytes, int32_t group, pxrt_bo** out, uint64_t* addr, char* err, size_t err_len) {
  return guard({err, err_len}, "allocating a device buffer", [&] {
    auto b = std::make_unique<pxrt_bo>();
    b->bo = xrt::bo(d->device, bytes, xrt::bo::flags::normal, static_cast<xrt::memory_group>(group));
    *addr = b->bo.address();
    *out = b.release();
    return PXRT_OK;
  });
}

void pxrt_bo_free(pxrt_bo* b) {
  try {
    delete b;
  } catch (...) {
  }
}

// Host -> card: copy into the buffer's host side, then sync that range to the device.
int pxrt_bo_write(pxrt_bo* b, const void* data, uint64_t bytes, uint64_t offset, char* err, size_t err_len) {
  return guard({err, err_len}, "DMA to the card", [&] {
    b->bo.write(data, bytes, offset);
    b->bo.sync(XCL_BO_SYNC_BO_TO_DEVICE, bytes, offset);
    return PXRT_OK;
  });
}

// Card -> host: sync the range from the device, then copy it out.
int pxrt_bo_read(pxrt_bo* b, void* data, uint64_t bytes, uint64_t offset, char* err, size_t err_len) {
  return guard({err, err_len}, "DMA from the card", [&] {
    b->bo.sync(XCL_BO_SYNC_BO_FROM_DEVICE, bytes, offset);
    b->bo.read(data, bytes, offset);
    return PXRT_OK;
  });
}

int pxrt_set_scalar(pxrt_device* d, int32_t arg, uint32_t value, char* err, size_t err_len) {
  return guard({err, err_len}, "setting a kernel argument", [&] {
    d->run.set_arg(arg, value);
    return PXRT_OK;
  });
}

int pxrt_set_buffer(pxrt_device* d, int32_t arg, pxrt_bo* b, char* err, size_t err_len) {
  return guard({err, err_len}, "setting a buffer argument", [&] {
    d->run.set_arg(arg, b->bo);
    return PXRT_OK;
  });
}

int pxrt_start(pxrt_device* d, char* err, size_t err_len) {
  return guard({err, err_len}, "starting the kernel", [&] {
    d->run.start();
    return PXRT_OK;
  });
}

// Waits at most `timeout_ms` (>= 1: XRT reads 0 as "forever"). PXRT_TIMEOUT if still running.
int pxrt_wait(pxrt_device* d, uint32_t timeout_ms, char* err, size_t err_len) {
  Err e{err, err_len};
  return guard(e, "waiting for the kernel", [&] {
    auto state = d->run.wait(std::chrono::milliseconds(timeout_ms ? timeout_ms : 1));
    if (state == ERT_CMD_STATE_COMPLETED) return PXRT_OK;
    if (state == ERT_CMD_STATE_TIMEOUT) return e.set("the kernel did not finish in time"), PXRT_TIMEOUT;
    return e.set("the run ended in ERT state " + std::to_string(static_cast<int>(state)));
  });
}

int pxrt_read_register(pxrt_device* d, uint32_t offset, uint32_t* value, char* err, size_t err_len) {
  return guard({err, err_len}, "reading a kernel register", [&] {
    *value = d->kernel.read_register(offset);
    return PXRT_OK;
  });
}

// Aborts a run in flight and starts over with a fresh run object (arguments cleared).
int pxrt_reset(pxrt_device* d, char* err, size_t err_len) {
  return guard({err, err_len}, "resetting the kernel", [&] {
    auto state = d->run.state();
    if (state == ERT_CMD_STATE_QUEUED || state == ERT_CMD_STATE_SUBMITTED || state == ERT_CMD_STATE_RUNNING) d->run.abort();
    d->run = xrt::run(d->kernel);
    return PXRT_OK;
  });
}

}  // extern "C"
