#!/usr/bin/env bash
# The whole test suite, on a fresh machine: Rust tests in release (Plonky2 is far too slow in
# debug), then the HDL checks when their script is present.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (release, whole workspace)"
cargo test --release --workspace

if [ -x scripts/hdl-check.sh ]; then
  echo "== HDL checks (emitted RTL up to date, lint, synthesis, Verilog testbenches)"
  scripts/hdl-check.sh
fi

echo "== main command"
cargo run --release -q -- demo
