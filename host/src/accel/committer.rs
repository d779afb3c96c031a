//! [`AccelCommitter`]: the prover's [`TraceCommitter`] on an accelerator, checked and with the CPU
//! as the fallback, so a faulty device costs time but never a proof.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use plonky2::field::polynomial::PolynomialValues;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::timed;
use plonky2::util::timing::TimingTree;

use super::{AccelError, Accelerator, RunReport, SpotCheck};
use crate::prover::{CpuCommitter, TraceCommitter, C, D, F};

/// What the commitments through one [`AccelCommitter`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccelStats {
    pub commitments: u64,
    /// Commitments redone on the CPU after a device error or a failed spot check.
    pub fallbacks: u64,
    /// With [`AccelCommitter::with_host_reference`]: device results that passed the spot checks but
    /// differ from plonky2's (then the CPU result is used too). Zero unless the checks missed a fault.
    pub unnoticed: u64,
    /// The devices' reports summed (phases merged by name), including those of failed commitments.
    pub report: RunReport,
    /// Projected seconds at the card clock (Σ of the reports' `seconds()`).
    pub projected_seconds: f64,
    /// Wall time of the device calls: for `sim`, the simulator's own time.
    pub device_seconds: f64,
    /// Wall time of the spot checks.
    pub check_seconds: f64,
    /// Wall time of the CPU commitments: fallbacks, and references if measured.
    pub host_seconds: f64,
}

impl AccelStats {
    fn add(&mut self, r: &RunReport) {
        let sum = &mut self.report;
        for p in &r.phases {
            match sum.phases.iter_mut().find(|q| q.name == p.name) {
                Some(q) => q.cycles += p.cycles,
                None => sum.phases.push(p.clone()),
            }
        }
        sum.total_cycles += r.total_cycles;
        sum.clock_mhz = r.clock_mhz;
        sum.bytes_to_card += r.bytes_to_card;
        sum.bytes_from_card += r.bytes_from_card;
        sum.device_bytes_read += r.device_bytes_read;
        sum.device_bytes_written += r.device_bytes_written;
        if r.clock_mhz > 0 {
            self.projected_seconds += r.seconds();
        }
    }
}

pub struct AccelCommitter {
    device: Box<dyn Accelerator>,
    check: SpotCheck,
    host_reference: bool,
    stats: Mutex<AccelStats>,
}

impl AccelCommitter {
    pub fn new(device: Box<dyn Accelerator>) -> Self {
        Self { device, check: SpotCheck::default(), host_reference: false, stats: Mutex::default() }
    }

    pub fn with_check(mut self, check: SpotCheck) -> Self {
        self.check = check;
        self
    }

    /// Also commits on the CPU, timing it (the host time a demo compares with) and comparing the
    /// whole result. Costs a CPU commitment each time: for demos and tests.
    pub fn with_host_reference(mut self) -> Self {
        self.host_reference = true;
        self
    }

    pub fn device(&self) -> &dyn Accelerator {
        &*self.device
    }

    pub fn stats(&self) -> AccelStats {
        self.stats_mut().clone()
    }

    fn stats_mut(&self) -> std::sync::MutexGuard<'_, AccelStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The device's batch if it ran and passed the checks.
    fn on_device(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<PolynomialBatch<F, C, D>, AccelError> {
        let start = Instant::now();
        // A panicking device driver (or simulator) is one more device error.
        let run = panic::catch_unwind(AssertUnwindSafe(|| self.device.commit(trace, rate_bits, cap_height)));
        let device_seconds = start.elapsed().as_secs_f64();
        let committed = {
            let mut stats = self.stats_mut();
            stats.device_seconds += device_seconds;
            let committed = run.map_err(|p| AccelError::Device(format!("the {} backend panicked: {}", self.device.name(), panic_message(&p))))??;
            if let Some(r) = &committed.report {
                stats.add(r);
            }
            committed
        };
        let start = Instant::now();
        let checked = self.check.check(trace, &committed.batch, rate_bits, cap_height);
        self.stats_mut().check_seconds += start.elapsed().as_secs_f64();
        checked?;
        Ok(committed.batch)
    }

    fn on_cpu(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize, timing: &mut TimingTree) -> PolynomialBatch<F, C, D> {
        let start = Instant::now();
        let batch = CpuCommitter.commit(trace, rate_bits, cap_height, timing);
        self.stats_mut().host_seconds += start.elapsed().as_secs_f64();
        batch
    }

    fn warn(&self, reason: &dyn std::fmt::Display) {
        eprintln!("warning: accelerator ({}): {reason}; falling back to the CPU for this commitment", self.device.name());
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown panic".into())
}

impl TraceCommitter for AccelCommitter {
    fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize, timing: &mut TimingTree) -> PolynomialBatch<F, C, D> {
        self.stats_mut().commitments += 1;
        let device = timed!(timing, &format!("commit on the {} backend", self.device.name()), self.on_device(trace, rate_bits, cap_height));
        match device {
            Ok(batch) if self.host_reference => {
                let reference = self.on_cpu(trace, rate_bits, cap_height, timing);
                if batch_eq(&batch, &reference) {
                    batch
                } else {
                    self.stats_mut().unnoticed += 1;
                    self.warn(&"the result passed the spot checks but differs from plonky2's");
                    reference
                }
            }
            Ok(batch) => batch,
            Err(e) => {
                self.stats_mut().fallbacks += 1;
                self.warn(&e);
                self.on_cpu(trace, rate_bits, cap_height, timing)
            }
        }
    }
}

/// `PolynomialBatch` has no `PartialEq`.
fn batch_eq(a: &PolynomialBatch<F, C, D>, b: &PolynomialBatch<F, C, D>) -> bool {
    a.polynomials == b.polynomials
        && a.merkle_tree == b.merkle_tree
        && (a.degree_log, a.rate_bits, a.blinding) == (b.degree_log, b.rate_bits, b.blinding)
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::Sample;

    use super::*;
    use crate::accel::{Committed, CpuAccelerator};
    use parallax_sim::Phase;

    /// plonky2's result with a made-up report of 1000 cycles.
    struct Reporting;

    impl Accelerator for Reporting {
        fn name(&self) -> &'static str {
            "reporting"
        }
        fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<Committed, AccelError> {
            let phases = [("dma_in", 300), ("ntt", 400), ("hash", 500), ("dma_out", 100)];
            let report = RunReport {
                phases: phases.iter().map(|&(name, cycles)| Phase { name, cycles }).collect(),
                total_cycles: 1000,
                clock_mhz: 250,
                bytes_to_card: 10,
                ..RunReport::default()
            };
            Ok(Committed { report: Some(report), ..CpuAccelerator.commit(trace, rate_bits, cap_height)? })
        }
    }

    #[test]
    fn reports_are_summed_by_phase() {
        let c = AccelCommitter::new(Box::new(Reporting));
        let trace = vec![PolynomialValues::new(F::rand_vec(16)); 2];
        for _ in 0..3 {
            c.commit(&trace, 1, 2, &mut TimingTree::default());
        }
        let s = c.stats();
        assert_eq!((s.commitments, s.fallbacks), (3, 0));
        assert_eq!(s.report.phase_cycles("ntt"), 1200);
        assert_eq!(s.report.phases.len(), 4);
        assert_eq!((s.report.total_cycles, s.report.bytes_to_card), (3000, 30));
        assert!((s.projected_seconds - 3000.0 / 250e6).abs() < 1e-12);
    }
}
