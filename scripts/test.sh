#!/usr/bin/env bash
# The whole test suite, on a fresh machine: Rust tests in release (Plonky2 is far too slow in
# debug), the HDL checks, and the main command. Ends with one summary line over all test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== cargo test (release, whole workspace)"
cargo test --release --workspace 2>&1 | tee -a "$log"

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
