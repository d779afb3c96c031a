//! The simulated card (fast engine) against plonky2's own commitment, bit for bit, and its
//! register/buffer interface and faults.

use std::time::Duration;

use parallax_hdl::regmap;
use parallax_sim::{report, Card, CardConfig, CardError, EngineKind, Fault, Region, F};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, PrimeField64, Sample};
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use plonky2::util::timing::TimingTree;

fn trace(log_n: usize, cols: usize, seed: u64) -> Vec<PolynomialValues<F>> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..cols)
        .map(|_| PolynomialValues::new((0..1 << log_n).map(|_| F::from_canonical_u64(rng.gen_range(0..parallax_sim::P))).collect()))
        .collect()
}

fn plonky2(t: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> PolynomialBatch<F, PoseidonGoldilocksConfig, 2> {
    PolynomialBatch::from_values(t.to_vec(), rate_bits, false, cap_height, &mut TimingTree::default(), None)
}

#[test]
fn lde_and_commit_equals_plonky2_from_values() {
    // On-chip sizes, the four-step schedule (2^13 and up), short leaves (<= 4 columns, not
    // hashed), one-chunk and multi-chunk leaves, caps from 1 entry to the whole leaf layer.
    for (i, &(log_n, cols, rate_bits, cap_height)) in
        [(1, 1, 1, 0), (2, 3, 1, 3), (4, 4, 2, 1), (5, 5, 1, 2), (6, 8, 3, 4), (8, 9, 1, 0), (12, 20, 1, 4), (13, 3, 2, 4), (14, 17, 1, 2)]
            .iter()
            .enumerate()
    {
        let t = trace(log_n, cols, i as u64);
        let want = plonky2(&t, rate_bits, cap_height);
        let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
        let got = card.lde_and_commit(&t, rate_bits, cap_height).unwrap();
        let shape = format!("2^{log_n} x {cols}, rate {rate_bits}, cap {cap_height}");
        assert_eq!(got.coeffs, want.polynomials.iter().map(|p| p.coeffs.clone()).collect::<Vec<_>>(), "coeffs {shape}");
        assert_eq!(got.leaves, want.merkle_tree.leaves, "leaves {shape}");
        assert_eq!(got.digests, want.merkle_tree.digests, "digests {shape}");
        assert_eq!(got.cap, want.merkle_tree.cap.0, "cap {shape}");
        let r = &got.report;
        assert!(r.phase_cycles(report::NTT) > 0 && r.phase_cycles(report::DMA_IN) > 0 && r.phase_cycles(report::DMA_OUT) > 0);
        // Any permutation (leaves over 4 elements, or tree levels under the cap) costs the core's
        // latency; without one only the memory traffic remains.
        let permutes = cols > 4 || cap_height < log_n + rate_bits;
        assert_eq!(permutes, r.phase_cycles(report::HASH) > 844, "{shape}");
        assert_eq!(r.bytes_to_card, 8 * (cols << log_n) as u64);
        let digests = 2 * ((1u64 << (log_n + rate_bits)) - (1 << cap_height));
        assert_eq!(r.bytes_from_card, 8 * ((cols << log_n) + (cols << (log_n + rate_bits))) as u64 + 32 * (digests + (1 << cap_height)));
        assert_eq!(r.total_cycles, r.phases.iter().map(|p| p.cycles).sum::<u64>());
    }
}

#[test]
fn more_cores_take_fewer_cycles_and_give_the_same_result() {
    let t = trace(10, 16, 7);
    let run = |ntt_cores, poseidon_cores| {
        let cfg = CardConfig { ntt_cores, poseidon_cores, ..Default::default() };
        Card::new(cfg, EngineKind::Fast).lde_and_commit(&t, 1, 2).unwrap()
    };
    let (one, many) = (run(1, 1), run(16, 2));
    assert_eq!(one.cap, many.cap);
    let phase = |c: &parallax_sim::Commitment, name| c.report.phase_cycles(name);
    assert_eq!(phase(&one, report::NTT), 16 * phase(&many, report::NTT));
    let (h1, h2) = (phase(&one, report::HASH), phase(&many, report::HASH));
    assert!(h2 < h1 && 2 * h2 > h1, "2 Poseidon cores: {h2} vs {h1}");
}

#[test]
fn a_flipped_bit_reaches_the_result_of_its_region() {
    let t = trace(6, 6, 9);
    let clean = Card::new(CardConfig::default(), EngineKind::Fast).lde_and_commit(&t, 1, 1).unwrap();
    for region in [Region::Values, Region::Coeffs, Region::Lde, Region::Digests] {
        let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
        card.inject(Fault::FlipBit { region, word: 13, bit: 3 });
        let got = card.lde_and_commit(&t, 1, 1).unwrap();
        match region {
            Region::Values => {
                assert_ne!(got.coeffs[0], clean.coeffs[0]);
                assert_eq!(got.coeffs[1], clean.coeffs[1], "column 1 untouched");
            }
            Region::Coeffs => {
                assert_eq!(got.coeffs[0][13].0 ^ clean.coeffs[0][13].0, 8);
                assert_eq!(got.leaves, clean.leaves, "the flip lands after the LDE read the coefficients");
            }
            Region::Lde => {
                assert_eq!(got.leaves[2][1].0 ^ clean.leaves[2][1].0, 8, "word 13 = row 2, column 1");
                assert_ne!(got.cap, clean.cap, "hashing reads the flipped leaf");
            }
            Region::Digests => {
                assert_eq!(got.digests[3].elements[1].0 ^ clean.digests[3].elements[1].0, 8);
                assert_eq!(got.cap, clean.cap);
            }
        }
        let again = card.lde_and_commit(&t, 1, 1).unwrap();
        assert_eq!(again.cap, clean.cap, "a fault is for one command");
    }
}

#[test]
fn a_hung_core_times_out_and_a_reset_card_works_again() {
    let t = trace(4, 5, 1);
    let mut card = Card::new(CardConfig { timeout_cycles: 1_000_000, ..Default::default() }, EngineKind::Fast);
    card.inject(Fault::HangCore);
    assert_eq!(card.lde_and_commit(&t, 1, 0).unwrap_err(), CardError::Timeout { cycles: 1_000_000 });
    assert_eq!(card.read_reg(regmap::CTRL).unwrap() & regmap::CTRL_IDLE, regmap::CTRL_IDLE, "the driver reset the kernel");
    assert!(card.lde_and_commit(&t, 1, 0).is_ok());
}

#[test]
fn dma_errors_and_short_timeouts_are_errors() {
    let t = trace(4, 5, 2);
    let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
    card.inject(Fault::DmaError);
    assert!(matches!(card.lde_and_commit(&t, 1, 0), Err(CardError::Dma(_))));
    assert!(card.lde_and_commit(&t, 1, 0).is_ok(), "buffers were freed, the card is usable");
    let mut card = Card::new(CardConfig { timeout_cycles: 100, ..Default::default() }, EngineKind::Fast);
    assert!(matches!(card.lde_and_commit(&t, 1, 0), Err(CardError::Timeout { .. })));
}

#[test]
fn bad_traces_are_refused_before_anything_runs() {
    let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
    assert!(matches!(card.lde_and_commit(&[], 1, 0), Err(CardError::Unsupported(_))));
    let ragged = vec![PolynomialValues::new(vec![F::ONE; 4]), PolynomialValues::new(vec![F::ONE; 8])];
    assert!(matches!(card.lde_and_commit(&ragged, 1, 0), Err(CardError::Unsupported(_))));
    assert!(matches!(card.lde_and_commit(&trace(3, 2, 0), 1, 5), Err(CardError::Unsupported(_))));
    let tiny = Card::new(CardConfig { memory: parallax_sim::MemoryConfig { capacity: 1024, ..CardConfig::default().memory }, ..Default::default() }, EngineKind::Fast);
    let mut tiny = tiny;
    assert!(matches!(tiny.lde_and_commit(&trace(8, 4, 0), 1, 0), Err(CardError::Device(_))), "out of device memory");
}

/// The kernel's own checks, driven through the registers as a raw XRT user would.
#[test]
fn the_kernel_reports_bad_arguments_in_status() {
    let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
    let buf = card.alloc(64).unwrap();
    let set = |card: &mut Card, args: &[(u32, u32)]| {
        card.reset();
        for &(r, v) in args {
            card.write_reg(r, v).unwrap();
        }
        for r in regmap::BUFFER_ARGS {
            card.write_reg(r, buf.addr as u32).unwrap();
        }
    };
    let base = [(regmap::ARG_COMMAND, 3), (regmap::ARG_LOG_ROWS, 2), (regmap::ARG_COLUMNS, 2), (regmap::ARG_RATE_BITS, 1), (regmap::ARG_CAP_HEIGHT, 0)];
    set(&mut card, &base);
    card.write_reg(regmap::CTRL, regmap::CTRL_START).unwrap();
    assert_eq!(card.read_reg(regmap::CTRL).unwrap(), regmap::CTRL_START, "running until waited for");
    assert!(card.write_reg(regmap::ARG_COLUMNS, 1).is_err(), "arguments are locked while running");
    card.wait(Duration::from_secs(1)).unwrap();
    assert_eq!(card.read_reg(regmap::CTRL).unwrap(), regmap::CTRL_IDLE | regmap::CTRL_DONE | regmap::CTRL_READY);
    assert_eq!(card.read_reg(regmap::CTRL).unwrap(), regmap::CTRL_IDLE, "ap_done clears on read");
    assert!(card.read_reg(regmap::CYCLES).unwrap() > 0);
    for (arg, value, code) in [
        (regmap::ARG_COMMAND, 9, regmap::Error::BadCommand),
        (regmap::ARG_LOG_ROWS, 30, regmap::Error::BadShape),
        (regmap::ARG_COLUMNS, 0, regmap::Error::BadShape),
        (regmap::ARG_CAP_HEIGHT, 4, regmap::Error::BadShape),
        (regmap::ARG_COLUMNS, 20, regmap::Error::BadAddress),
    ] {
        let mut args = base.to_vec();
        args.retain(|a| a.0 != arg);
        args.push((arg, value));
        set(&mut card, &args);
        card.write_reg(regmap::CTRL, regmap::CTRL_START).unwrap();
        assert!(matches!(card.wait(Duration::from_secs(1)), Err(CardError::Device(_))));
        assert_eq!(card.read_reg(regmap::STATUS).unwrap(), code as u32, "{arg:#x} = {value}");
    }
    assert!(card.write_reg(regmap::STATUS, 0).is_err(), "read-only");
    assert!(card.read_reg(regmap::SPACE).is_err() && card.read_reg(3).is_err());
    assert!(card.wait(Duration::from_secs(1)).is_err(), "nothing running");
    let _ = F::rand();
}

/// "LDE these columns" and "Merkle-commit these leaves" as separate commands, through the
/// registers: the LDE alone gives plonky2's coefficients and leaves; committing leaves the host
/// uploads gives plonky2's Merkle tree of them.
#[test]
fn lde_and_commit_also_run_as_separate_commands() {
    let (log_n, cols, rate_bits, cap_height) = (5, 9, 2, 3);
    let t = trace(log_n, cols, 11);
    let want = plonky2(&t, rate_bits, cap_height);
    let (n, big_n) = (1usize << log_n, 1usize << (log_n + rate_bits));
    let mut card = Card::new(CardConfig::default(), EngineKind::Fast);
    let words = |card: &mut Card, w: usize| card.alloc(w).unwrap();
    let (values, coeffs, leaves) = (words(&mut card, cols * n), words(&mut card, cols * n), words(&mut card, cols * big_n));
    let (digests, cap) = (words(&mut card, 4 * 2 * (big_n - (1 << cap_height))), words(&mut card, 4 << cap_height));
    let run = |card: &mut Card, command: regmap::Command| {
        let args = [
            (regmap::ARG_COMMAND, command as u32),
            (regmap::ARG_LOG_ROWS, log_n as u32),
            (regmap::ARG_COLUMNS, cols as u32),
            (regmap::ARG_RATE_BITS, rate_bits as u32),
            (regmap::ARG_CAP_HEIGHT, cap_height as u32),
        ];
        for (r, v) in args {
            card.write_reg(r, v).unwrap();
        }
        for (r, b) in regmap::BUFFER_ARGS.into_iter().zip([values, coeffs, leaves, digests, cap]) {
            card.write_reg(r, b.addr as u32).unwrap();
            card.write_reg(r + 4, (b.addr >> 32) as u32).unwrap();
        }
        card.write_reg(regmap::CTRL, regmap::CTRL_START).unwrap();
        card.wait(Duration::from_secs(1)).unwrap();
        card.take_report()
    };
    let canon = |v: &[F]| v.iter().map(|x| x.to_canonical_u64()).collect::<Vec<_>>();
    card.write(values, 0, &t.iter().flat_map(|c| canon(&c.values)).collect::<Vec<_>>()).unwrap();
    let lde = run(&mut card, regmap::Command::Lde);
    assert_eq!(lde.phase_cycles(report::HASH), 0, "no hashing in an LDE command");
    let got_coeffs = card.read(coeffs, 0, cols * n).unwrap();
    assert_eq!(got_coeffs, want.polynomials.iter().flat_map(|p| canon(&p.coeffs)).collect::<Vec<_>>());
    let got_leaves = card.read(leaves, 0, cols * big_n).unwrap();
    assert_eq!(got_leaves, want.merkle_tree.leaves.iter().flat_map(|l| canon(l)).collect::<Vec<_>>());

    // Other leaves, uploaded by the host, committed alone.
    let other: Vec<Vec<F>> = (0..big_n).map(|_| (0..cols).map(|_| F::rand()).collect()).collect();
    card.write(leaves, 0, &other.iter().flat_map(|l| canon(l)).collect::<Vec<_>>()).unwrap();
    let commit = run(&mut card, regmap::Command::Commit);
    assert_eq!(commit.phase_cycles(report::NTT), 0, "no NTT in a commit command");
    let tree = plonky2::hash::merkle_tree::MerkleTree::<F, plonky2::hash::poseidon::PoseidonHash>::new(other, cap_height);
    let flat = |d: &[parallax_sim::Digest]| d.iter().flat_map(|h| canon(&h.elements)).collect::<Vec<_>>();
    assert_eq!(card.read(digests, 0, digests.words).unwrap(), flat(&tree.digests));
    assert_eq!(card.read(cap, 0, cap.words).unwrap(), flat(&tree.cap.0));
}
