//! The RTL kernel top (`parallax_hdl::kernel::top`, issue 9) run against the card's device
//! memory (`parallax_sim::rtl_kernel`): the LDE command through the AXI4-Lite register map and
//! the AXI4 master ports must give plonky2's `PolynomialBatch::from_values` coefficients and
//! leaves, and bad commands and shapes must end with their status codes.

use parallax_hdl::regmap;
use parallax_sim::rtl_kernel;
use parallax_sim::F;
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use plonky2::util::timing::TimingTree;
use rand::{Rng, SeedableRng};

fn check_lde(log_rows: u32, columns: u32, rate_bits: u32, seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let rows = 1usize << log_rows;
    let cols: Vec<Vec<u64>> = (0..columns).map(|_| (0..rows).map(|_| rng.gen_range(0..parallax_sim::P)).collect()).collect();
    let values: Vec<u64> = cols.concat();
    let got = rtl_kernel::lde(&values, log_rows, columns, rate_bits).expect("the RTL kernel runs");
    assert_eq!(got.status, 0, "status");
    assert!(got.cycles > 0);
    let polys = cols.iter().map(|c| PolynomialValues::new(c.iter().map(|&v| F::from_canonical_u64(v)).collect())).collect();
    let want = PolynomialBatch::<F, PoseidonGoldilocksConfig, 2>::from_values(
        polys, rate_bits as usize, false, 0, &mut TimingTree::default(), None,
    );
    let coeffs: Vec<u64> = want.polynomials.iter().flat_map(|p| p.coeffs.iter().map(|x| x.to_canonical_u64())).collect();
    assert_eq!(got.coeffs, coeffs, "coeffs (2^{log_rows} x {columns}, rate 2^{rate_bits})");
    let leaves: Vec<u64> = want.merkle_tree.leaves.iter().flat_map(|l| l.iter().map(|x| x.to_canonical_u64())).collect();
    assert_eq!(got.leaves, leaves, "leaves (2^{log_rows} x {columns}, rate 2^{rate_bits})");
}

#[test]
fn lde_equals_plonky2_from_values() {
    check_lde(1, 1, 1, 1);
    check_lde(3, 2, 1, 2);
    check_lde(4, 3, 2, 3);
}

#[test]
fn unsupported_commands_and_shapes_report_their_status() {
    // log_rows + rate_bits above the on-chip NTT size: BadShape, nothing written.
    let got = rtl_kernel::lde(&[1, 2, 3, 4], 2, 1, 11).expect("runs");
    assert_eq!(got.status, regmap::Error::BadShape as u32);
    assert!(got.leaves.iter().all(|&x| x == 0));
    // log_rows 0.
    let got = rtl_kernel::lde(&[5], 0, 1, 1).expect("runs");
    assert_eq!(got.status, regmap::Error::BadShape as u32);
}

#[test]
fn commit_is_not_wired_and_answers_bad_command() {
    for cmd in [regmap::Command::Commit as u32, regmap::Command::LdeAndCommit as u32, 0, 9] {
        let got = rtl_kernel::run_command(cmd, &[1, 2, 3, 4], 2, 1, 1, false).expect("runs");
        assert_eq!(got.status, regmap::Error::BadCommand as u32, "command {cmd}");
    }
}

#[test]
fn a_memory_error_ends_with_memory_fault() {
    let got = rtl_kernel::run_command(regmap::Command::Lde as u32, &[1, 2, 3, 4], 2, 1, 1, true).expect("runs");
    assert_eq!(got.status, regmap::Error::MemoryFault as u32);
    assert_eq!(regmap::check_status(got.status).unwrap_err(), "the kernel stopped with error MemoryFault (4)");
}
