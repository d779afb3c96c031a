//! What the CLI prints about accelerated commitments: one summary line, and with `--timings` the
//! card's report (cycles per phase, projected time, traffic).

use crate::accel::{AccelCommitter, AccelStats, RunReport};

/// Phases the card reports, grouped as the benchmarks show them.
pub const TRANSFER_PHASES: [&str; 2] = ["dma_in", "dma_out"];
pub const COMPUTE_PHASES: [&str; 2] = ["ntt", "hash"];

pub fn cycles_of(r: &RunReport, phases: &[&str]) -> u64 {
    phases.iter().map(|p| r.phase_cycles(p)).sum()
}

/// Seconds of `cycles` at the report's clock (0 without one).
pub fn seconds_at(r: &RunReport, cycles: u64) -> f64 {
    if r.clock_mhz == 0 {
        0.0
    } else {
        cycles as f64 / (r.clock_mhz as f64 * 1e6)
    }
}

pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// `accelerator (sim): 12 commitments, 0 fallbacks, projected 3.2 ms at 250 MHz`
pub fn summary(c: &AccelCommitter) -> String {
    let s = c.stats();
    let mut line = format!("accelerator ({}): {} commitments, {} fallbacks to the CPU", c.device().name(), s.commitments, s.fallbacks);
    if s.report.total_cycles > 0 {
        line += &format!(", projected {:.2} ms at {} MHz", s.projected_seconds * 1e3, s.report.clock_mhz);
    } else if c.device().name() != "cpu" {
        line += ", no cycles reported";
    }
    line
}

/// The `--timings` report of the commitments through `c`.
pub fn print_report(c: &AccelCommitter) {
    let s: AccelStats = c.stats();
    let r = &s.report;
    println!("{}", summary(c));
    println!("  spot checks {:.1} ms, device calls {:.3} s (wall), CPU commitments {:.3} s", s.check_seconds * 1e3, s.device_seconds, s.host_seconds);
    if r.phases.is_empty() && r.total_cycles == 0 {
        println!("  (the {} backend reported no cycles)", c.device().name());
        return;
    }
    println!("  {:<18} {:>14} {:>12}", "phase", "cycles", "ms");
    for p in &r.phases {
        println!("  {:<18} {:>14} {:>12.3}", p.name, p.cycles, seconds_at(r, p.cycles) * 1e3);
    }
    println!("  {:<18} {:>14} {:>12.3}", "end to end", r.total_cycles, s.projected_seconds * 1e3);
    let (compute, transfer) = (cycles_of(r, &COMPUTE_PHASES), cycles_of(r, &TRANSFER_PHASES));
    println!("  compute (ntt + hash) {:.3} ms, transfer (dma in + out) {:.3} ms", seconds_at(r, compute) * 1e3, seconds_at(r, transfer) * 1e3);
    println!(
        "  PCIe: {:.1} MB to the card, {:.1} MB back; device memory: {:.1} MB read, {:.1} MB written",
        mb(r.bytes_to_card),
        mb(r.bytes_from_card),
        mb(r.device_bytes_read),
        mb(r.device_bytes_written)
    );
    if s.device_seconds > 0.0 && r.total_cycles > 0 {
        println!("  simulator: {:.2} M simulated cycles per second", r.total_cycles as f64 / s.device_seconds / 1e6);
    }
}
