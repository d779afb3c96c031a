//! The fast engine against the RTL (the Rust-HDL cores clocked cycle by cycle): the same
//! requests must give the same outputs and the same cycle counts. The fast engine is trusted
//! for large workloads only because of these tests. The Poseidon core simulates at ~15
//! cycles/s in Rust-HDL, so its workloads here are the smallest that exercise each schedule
//! step (one latency-bound round is ~850 cycles).

use parallax_hdl::ntt::{random_input, NttConfig};
use parallax_sim::engine::{fast::Fast, rtl::Rtl, Engine};
use parallax_sim::merkle::Schedule;
use rand::SeedableRng;

#[test]
fn ntt_jobs_match_in_outputs_and_cycles() {
    let rtl = Rtl::new(None).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    // Back to back on one core, as the controller runs a column's jobs and then the next column's.
    for cfg in [
        NttConfig::inverse(3),
        NttConfig::lde(3, 1),
        NttConfig::forward(1),
        NttConfig::inverse(6),
        NttConfig::lde(6, 2),
        NttConfig { coset: true, ..NttConfig::forward(5) },
        NttConfig::lde(2, 3),
    ] {
        let input = random_input(&mut rng, cfg.n_in());
        let (want, want_cycles) = Fast.ntt(&cfg, &input).unwrap();
        let (got, got_cycles) = rtl.ntt(&cfg, &input).unwrap();
        assert_eq!(got, want, "{cfg:?}");
        assert_eq!(got_cycles, want_cycles, "{cfg:?}");
    }
}

#[test]
fn four_step_transforms_match_in_outputs_and_cycles() {
    // Above 2^12 points the RTL engine runs the four-step schedule's 64 column and 128 row jobs
    // on the core; the fast engine one plonky2 transform and the plan's cycle count.
    let rtl = Rtl::new(None).unwrap();
    let cfg = NttConfig::lde(12, 1);
    let input = random_input(&mut rand::rngs::StdRng::seed_from_u64(4), cfg.n_in());
    let (want, want_stages) = Fast.transform(&cfg, &input).unwrap();
    let (got, got_stages) = rtl.transform(&cfg, &input).unwrap();
    assert_eq!(got, want);
    assert_eq!(got_stages, want_stages);
    assert_eq!(got_stages.iter().map(|s| s.jobs).collect::<Vec<_>>(), [64, 128]);
}

fn leaves(s: &Schedule, seed: u64) -> Vec<u64> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    random_input(&mut rng, s.leaves * s.leaf_len)
}

#[test]
fn merkle_schedules_match_in_digests_and_timing() {
    let rtl = Rtl::new(None).unwrap();
    // Two-chunk sponge leaves (the state recirculates) and one tree level above them.
    let s = Schedule { leaves: 2, leaf_len: 11, cap_height: 0 };
    let l = leaves(&s, 2);
    let want = Fast.merkle(&s, &l, 1).unwrap();
    let got = rtl.merkle(&s, &l, 1).unwrap();
    assert_eq!(got.levels, want.levels);
    assert_eq!(got.timing, want.timing);
}

fn small_trace(log_n: usize, cols: usize) -> Vec<plonky2::field::polynomial::PolynomialValues<parallax_sim::F>> {
    use plonky2::field::types::Field;
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    (0..cols)
        .map(|_| {
            let v = random_input(&mut rng, 1 << log_n);
            plonky2::field::polynomial::PolynomialValues::new(v.into_iter().map(parallax_sim::F::from_canonical_u64).collect())
        })
        .collect()
}

#[test]
fn a_whole_command_matches_across_engines_and_plonky2() {
    use parallax_sim::{Card, CardConfig, EngineKind};
    // 4 rows x 2 columns at rate 1: 8 short leaves, one tree level under a cap of 4.
    let t = small_trace(2, 2);
    let cfg = CardConfig { ntt_cores: 2, ..Default::default() };
    let fast = Card::new(cfg.clone(), EngineKind::Fast).lde_and_commit(&t, 1, 2).unwrap();
    let rtl = Card::new(cfg, EngineKind::Rtl).lde_and_commit(&t, 1, 2).unwrap();
    let want = plonky2::fri::oracle::PolynomialBatch::<_, plonky2::plonk::config::PoseidonGoldilocksConfig, 2>::from_values(
        t,
        1,
        false,
        2,
        &mut plonky2::util::timing::TimingTree::default(),
        None,
    );
    assert_eq!(rtl.leaves, want.merkle_tree.leaves);
    assert_eq!(rtl.digests, want.merkle_tree.digests);
    assert_eq!(rtl.cap, want.merkle_tree.cap.0);
    assert_eq!(rtl.coeffs, fast.coeffs);
    assert_eq!(rtl.report, fast.report, "every phase's cycles and bytes");
}

#[test]
fn the_rtl_engine_writes_a_waveform() {
    use parallax_hdl::regmap;
    use parallax_sim::{Card, CardConfig, EngineKind};
    let dir = std::env::temp_dir().join(format!("parallax-vcd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut card = Card::new(CardConfig::default(), EngineKind::Rtl);
    card.set_vcd_dir(dir.clone());
    let (values, coeffs, leaves) = (card.alloc(8).unwrap(), card.alloc(8).unwrap(), card.alloc(16).unwrap());
    card.write(values, 0, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    for (r, v) in [(regmap::ARG_COMMAND, regmap::Command::Lde as u32), (regmap::ARG_LOG_ROWS, 3), (regmap::ARG_COLUMNS, 1), (regmap::ARG_RATE_BITS, 1)] {
        card.write_reg(r, v).unwrap();
    }
    for (r, b) in [(regmap::ARG_VALUES, values), (regmap::ARG_COEFFS, coeffs), (regmap::ARG_LEAVES, leaves)] {
        card.write_reg(r, b.addr as u32).unwrap();
        card.write_reg(r + 4, (b.addr >> 32) as u32).unwrap();
    }
    card.write_reg(regmap::CTRL, regmap::CTRL_START).unwrap();
    card.wait(std::time::Duration::from_secs(1)).unwrap();
    drop(card); // stops the RTL worker, which completes the waveform
    let vcd = std::fs::read_to_string(dir.join("ntt_core.vcd")).unwrap();
    assert!(vcd.contains("$enddefinitions") && vcd.contains("in_valid") && vcd.contains("out_lane0"), "{}", &vcd[..vcd.len().min(400)]);
    let timestamps = vcd.lines().filter(|l| l.starts_with('#')).count();
    assert!(timestamps > 2 * (NttConfig::inverse(3).cycles() + NttConfig::lde(3, 1).cycles()), "{timestamps} timestamps");
    std::fs::remove_dir_all(dir).ok();
}
