#!/usr/bin/env bash
# The whole test suite, on a fresh machine: Rust tests in release (Plonky2 is far too slow in
# debug), the HDL checks, and the main command. Ends with one summary line over all test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== cargo test (release, whole workspace)"
cargo test --release --workspace 2>&1 | tee -a "$log"

# The xrt backend builds against Debian's XRT (libxrt-dev; uuid-dev for xrt::uuid). Installed with
# apt-get when run as root; otherwise skipped, saying so, unless it is already installed.
xrt_ready() { [ -e /usr/include/xrt/xrt/xrt_device.h ] || [ -n "${XILINX_XRT:-}" ] || [ -n "${PARALLAX_XRT_INCLUDE_DIR:-}" ]; }
if ! xrt_ready && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "== installing libxrt-dev with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxrt-dev uuid-dev >/dev/null
fi
if xrt_ready; then
  # The feature's own tests and the ones whose expectations change with it (lib; the CLI's
  # devices, backend and bench tests); the rest of the crate does not depend on the feature and
  # ran above.
  echo "== cargo test --features xrt (the xrt backend without a card)"
  cargo test --release -p parallax --features xrt --lib --test xrt --test driver_layout 2>&1 | tee -a "$log"
  cargo test --release -p parallax --features xrt --test cli -- devices backend bench 2>&1 | tee -a "$log"
  # `flash FILE.xclbin` goes on to XRT after the header checks in this build.
  cargo test --release -p parallax --features xrt --test boards -- cli_ 2>&1 | tee -a "$log"
else
  echo "== skipping the xrt backend's tests: libxrt-dev is not installed and apt-get is unavailable (not root);"
  echo "   install it (sudo apt-get install -y libxrt-dev uuid-dev) to run them"
fi

if [ -x scripts/hdl-check.sh ]; then
  echo "== HDL checks (emitted RTL up to date, lint, synthesis, Verilog testbenches)"
  scripts/hdl-check.sh 2>&1 | tee -a "$log"
fi

echo "== main command"
cargo run --release -q -- demo

# Totals: RTL testbench vectors ("N passed, M failed"), then the test cases of every cargo
# test binary ("test result: ... N passed; M failed") as the closing line.
{ grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" || true; } |
  awk '{p += $1; f += $3} END {printf "rtl-vectors: %d passed, %d failed\n", p, f; exit (f > 0)}'
{ grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$log" || true; } |
  awk '{p += $4; f += $6} END {printf "tests: %d passed, %d failed\n", p, f; exit (f > 0)}'
