//! Rust-HDL simulations of the NTT core against plonky2: every size 2^1..2^10 in forward,
//! inverse, coset and LDE (zero-padded coset, bit-reversed) modes, with random input bubbles and
//! output back-pressure, plus cycle counts without stalls against `NttConfig::cycles`. The
//! on-chip maximum (2^11, 2^12) runs on the emitted Verilog under Icarus and Verilator in
//! scripts/hdl-check.sh (`emit --harness ntt_core`): the Rust-HDL simulator manages ~5k cycles/s,
//! Verilator ~1.5M.

use parallax_hdl::ntt::{random_input, reference, NttConfig, NttCore};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Run {
    outputs: Vec<Vec<u64>>,
    /// Per job: cycles from the first accepted beat to the last output beat, inclusive.
    cycles: Vec<usize>,
    last_flags_ok: bool,
}

/// Streams `jobs` through one core; with `stalls`, 1 in 4 cycles has no input offered and 1 in 3
/// has `out_ready` low.
fn run(jobs: Vec<(NttConfig, Vec<u64>)>, seed: u64, stalls: bool) -> Run {
    let budget: usize = jobs.iter().map(|(c, _)| c.cycles() * 6 + 64).sum::<usize>() + 16;
    let result = Arc::new(Mutex::new(Run {
        last_flags_ok: true,
        ..Default::default()
    }));
    let tb_result = result.clone();
    let mut sim = simple_sim!(NttCore, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let (mut job_in, mut elem_in, mut job_out) = (0usize, 0usize, 0usize);
        let mut presenting = false;
        let mut out = vec![];
        let mut started_at = vec![];
        for t in 0..budget {
            wait_clock_false!(ep, clock, x);
            x.reset.next = t < 3;
            // Input: hold a presented beat until it is taken
            if !presenting && t >= 3 && job_in < jobs.len() && (!stalls || rng.gen_ratio(3, 4)) {
                let (cfg, data) = &jobs[job_in];
                x.cfg.next = (cfg.word()).to_bits();
                x.in_lane0.next = data[elem_in].to_bits();
                x.in_lane1.next = data[elem_in + 1].to_bits();
                presenting = true;
            }
            x.in_valid.next = presenting;
            let ready = !stalls || rng.gen_ratio(2, 3);
            x.out_ready.next = ready;
            // in_ready and out_valid come from registers (not from in_valid / out_ready), so
            // they are settled now and decide what the coming edge transfers.
            if presenting && x.in_ready.val() {
                if elem_in == 0 {
                    started_at.push(t);
                }
                presenting = false;
                elem_in += 2;
                if elem_in == jobs[job_in].0.n_in() {
                    (job_in, elem_in) = (job_in + 1, 0);
                }
            }
            if x.out_valid.val() && ready {
                out.push(x.out_lane0.val().to_u64());
                out.push(x.out_lane1.val().to_u64());
                let done = out.len() == jobs[job_out].0.n();
                let mut r = tb_result.lock().unwrap();
                if x.out_last.val() != done {
                    r.last_flags_ok = false;
                }
                if done {
                    r.outputs.push(std::mem::take(&mut out));
                    r.cycles.push(t - started_at[job_out] + 1);
                    job_out += 1;
                }
            }
            wait_clock_true!(ep, clock, x);
            if job_out == jobs.len() {
                break;
            }
        }
        ep.done(x)
    });
    let mut uut = NttCore::default();
    uut.connect_all();
    sim.run(Box::new(uut), (budget as u64 + 8) * 10_000)
        .unwrap();
    let r = std::mem::take(&mut *result.lock().unwrap());
    r
}

fn check(jobs: &[(NttConfig, Vec<u64>)], r: &Run) {
    assert_eq!(r.outputs.len(), jobs.len(), "jobs completed");
    assert!(
        r.last_flags_ok,
        "out_last must mark exactly the final beat of each transform"
    );
    for ((cfg, input), got) in jobs.iter().zip(&r.outputs) {
        assert_eq!(got, &reference(cfg, input), "{cfg:?}");
    }
}

fn jobs_for(sizes: std::ops::RangeInclusive<usize>, seed: u64) -> Vec<(NttConfig, Vec<u64>)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut jobs = vec![];
    for log_n in sizes {
        let mut cfgs = vec![
            NttConfig::forward(log_n),
            NttConfig::inverse(log_n),
            NttConfig {
                coset: true,
                ..NttConfig::forward(log_n)
            },
        ];
        if log_n >= 2 {
            cfgs.push(NttConfig::lde(
                log_n - 1 - (log_n > 3) as usize,
                1 + (log_n > 3) as usize,
            ));
        }
        for cfg in cfgs {
            let input = random_input(&mut rng, cfg.n_in());
            jobs.push((cfg, input));
        }
    }
    jobs
}

#[test]
fn small_sizes_match_plonky2_with_stalls() {
    let jobs = jobs_for(1..=6, 1);
    check(&jobs, &run(jobs.clone(), 11, true));
}

#[test]
fn sizes_7_to_10_match_plonky2_with_stalls() {
    let jobs = jobs_for(7..=10, 2);
    check(&jobs, &run(jobs.clone(), 12, true));
}

#[test]
fn cycle_counts_without_stalls_match_the_formula() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let jobs: Vec<_> = [
        NttConfig::forward(1),
        NttConfig::inverse(5),
        NttConfig::lde(4, 2),
    ]
    .into_iter()
    .map(|c| (c, random_input(&mut rng, c.n_in())))
    .collect();
    let r = run(jobs.clone(), 13, false);
    check(&jobs, &r);
    for ((cfg, _), cycles) in jobs.iter().zip(&r.cycles) {
        assert_eq!(*cycles, cfg.cycles(), "{cfg:?}");
    }
}
