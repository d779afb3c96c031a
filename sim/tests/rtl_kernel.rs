//! The RTL kernel top (`parallax_hdl::kernel::top`, issue 9) run against the card's device
//! memory (`parallax_sim::rtl_kernel`), through the AXI4-Lite register map and the AXI4 master
//! ports: Lde must give plonky2's `PolynomialBatch::from_values` coefficients and leaves, Commit
//! its `MerkleTree` digests and cap, LdeAndCommit both; bad commands, shapes and addresses end
//! with their status codes; the host driver runs on it as on the card model. The Poseidon pipeline is its port model except where a test says
//! otherwise (Rust-HDL runs the real one at ~10 cycles/s).

use parallax_hdl::regmap::{self, Command, Error};
use parallax_sim::rtl_kernel::{self, PoseidonCore, Request, RtlCard};
use parallax_sim::{driver, Card, CardConfig, CardError, EngineKind, F};
use std::time::Duration;
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::hash::merkle_tree::MerkleTree;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use plonky2::util::timing::TimingTree;
use rand::{Rng, SeedableRng};

fn random(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen_range(0..parallax_sim::P)).collect()
}

fn canon<'a>(xs: impl IntoIterator<Item = &'a F>) -> Vec<u64> {
    xs.into_iter().map(|x| x.to_canonical_u64()).collect()
}

fn digests_words(tree: &MerkleTree<F, PoseidonHash>) -> (Vec<u64>, Vec<u64>) {
    let digests = tree.digests.iter().flat_map(|d| canon(&d.elements)).collect();
    let cap = tree.cap.0.iter().flat_map(|d| canon(&d.elements)).collect();
    (digests, cap)
}

/// The columns of `values` (column-major, 2^log_rows each).
fn trace(values: &[u64], log_rows: u32) -> Vec<PolynomialValues<F>> {
    values.chunks(1 << log_rows).map(|c| PolynomialValues::new(c.iter().map(|&v| F::from_canonical_u64(v)).collect())).collect()
}

/// plonky2's LDE of `values` (column-major) and its tree.
fn from_values(values: &[u64], log_rows: u32, rate_bits: u32, cap_height: u32) -> PolynomialBatch<F, PoseidonGoldilocksConfig, 2> {
    PolynomialBatch::from_values(trace(values, log_rows), rate_bits as usize, false, cap_height as usize, &mut TimingTree::default(), None)
}

fn check_lde(log_rows: u32, columns: u32, rate_bits: u32, seed: u64) {
    let values = random((columns as usize) << log_rows, seed);
    let got = rtl_kernel::lde(&values, log_rows, columns, rate_bits).expect("the RTL kernel runs");
    assert_eq!(got.status, 0, "status");
    assert!(got.cycles > 0);
    let want = from_values(&values, log_rows, rate_bits, 0);
    let coeffs: Vec<u64> = want.polynomials.iter().flat_map(|p| canon(&p.coeffs)).collect();
    assert_eq!(got.coeffs, coeffs, "coeffs (2^{log_rows} x {columns}, rate 2^{rate_bits})");
    let leaves: Vec<u64> = want.merkle_tree.leaves.iter().flat_map(|l| canon(l)).collect();
    assert_eq!(got.leaves, leaves, "leaves (2^{log_rows} x {columns}, rate 2^{rate_bits})");
}

fn check_commit(log_lde: u32, columns: u32, cap_height: u32, core: PoseidonCore, seed: u64) {
    let leaves = random((columns as usize) << log_lde, seed);
    let req = Request { core, ..Request::commit(&leaves, log_lde, columns, cap_height) };
    let got = rtl_kernel::run(&req).expect("the RTL kernel runs");
    assert_eq!(got.status, 0, "status");
    let rows = leaves.chunks(columns as usize).map(|r| r.iter().map(|&x| F::from_canonical_u64(x)).collect()).collect();
    let tree = MerkleTree::<F, PoseidonHash>::new(rows, cap_height as usize);
    let (digests, cap) = digests_words(&tree);
    let shape = format!("2^{log_lde} leaves of {columns}, cap height {cap_height}");
    assert_eq!(got.digests[..digests.len()], digests[..], "digests ({shape})");
    assert_eq!(got.cap, cap, "cap ({shape})");
    assert_eq!(got.leaves, leaves, "Commit leaves the leaves as they were");
}

#[test]
fn lde_equals_plonky2_from_values() {
    check_lde(1, 1, 1, 1);
    check_lde(3, 2, 1, 2);
    check_lde(4, 3, 2, 3);
}

#[test]
fn commit_equals_plonky2_merkle_trees() {
    // One and two chunks per leaf, a cap of one and of several entries, all levels cap.
    check_commit(1, 5, 0, PoseidonCore::StandIn, 4);
    check_commit(3, 8, 1, PoseidonCore::StandIn, 5);
    check_commit(3, 17, 0, PoseidonCore::StandIn, 6);
    check_commit(4, 12, 2, PoseidonCore::StandIn, 7);
    check_commit(2, 9, 2, PoseidonCore::StandIn, 8);
}

#[test]
fn commit_of_short_leaves_hashes_only_the_levels() {
    // Leaves of at most 4 elements are their own digests (plonky2's hash_or_noop).
    check_commit(3, 3, 1, PoseidonCore::StandIn, 9);
    check_commit(2, 4, 0, PoseidonCore::StandIn, 10);
}

/// The whole kernel RTL, the 842-stage pipeline included, on the smallest commit.
#[test]
fn commit_with_the_real_poseidon_core() {
    check_commit(1, 5, 1, PoseidonCore::Rtl, 11);
}

#[test]
fn lde_and_commit_equals_plonky2_from_values() {
    for (log_rows, columns, rate_bits, cap_height, seed) in [(2, 5, 1, 1, 12), (3, 2, 2, 0, 13)] {
        let values = random((columns as usize) << log_rows, seed);
        let req = Request { command: Command::LdeAndCommit as u32, cap_height, ..Request::lde(&values, log_rows, columns, rate_bits) };
        let got = rtl_kernel::run(&req).expect("the RTL kernel runs");
        assert_eq!(got.status, 0, "status");
        let want = from_values(&values, log_rows, rate_bits, cap_height);
        let leaves: Vec<u64> = want.merkle_tree.leaves.iter().flat_map(|l| canon(l)).collect();
        assert_eq!(got.leaves, leaves, "leaves");
        let (digests, cap) = digests_words(&want.merkle_tree);
        assert_eq!(got.digests[..digests.len()], digests[..], "digests");
        assert_eq!(got.cap, cap, "cap");
    }
}

#[test]
fn unsupported_commands_and_shapes_report_their_status() {
    // log_rows + rate_bits above the on-chip NTT size: BadShape, nothing written.
    let got = rtl_kernel::lde(&[1, 2, 3, 4], 2, 1, 11).expect("runs");
    assert_eq!(got.status, Error::BadShape as u32);
    assert!(got.leaves.iter().all(|&x| x == 0));
    // log_rows 0.
    let got = rtl_kernel::lde(&[5], 0, 1, 1).expect("runs");
    assert_eq!(got.status, Error::BadShape as u32);
    // A cap above the tree.
    let got = rtl_kernel::run(&Request::commit(&[1, 2, 3, 4], 2, 1, 3)).expect("runs");
    assert_eq!(got.status, Error::BadShape as u32);
    assert!(got.cap.iter().all(|&x| x == 0));
    for cmd in [0, 4, 9] {
        let got = rtl_kernel::run(&Request { command: cmd, ..Request::lde(&[1, 2, 3, 4], 2, 1, 1) }).expect("runs");
        assert_eq!(got.status, Error::BadCommand as u32, "command {cmd}");
    }
}

#[test]
fn a_memory_error_ends_with_memory_fault() {
    let values = [1, 2, 3, 4];
    let lde = Request { misplaced: Some(0), ..Request::lde(&values, 2, 1, 1) };
    // Commit reading its leaves, writing digests, writing the cap.
    let leaves = random(5 << 2, 14);
    let commits = [2, 3, 4].map(|buf| Request { misplaced: Some(buf), ..Request::commit(&leaves, 2, 5, 1) });
    for req in std::iter::once(lde).chain(commits) {
        let got = rtl_kernel::run(&req).expect("runs");
        assert_eq!(got.status, Error::MemoryFault as u32, "buffer {:?} misplaced", req.misplaced);
    }
    assert_eq!(regmap::check_status(Error::MemoryFault as u32).unwrap_err(), "the kernel stopped with error MemoryFault (4)");
}

/// The host driver's sequence (`driver::lde_and_commit`: buffers, arguments, `ap_start`, wait,
/// read-back) on the RTL kernel gives plonky2's `from_values`, and what it gives on the card
/// model; a timeout resets the kernel and the next command runs.
#[test]
fn the_host_driver_runs_on_the_rtl_kernel() {
    let (log_rows, columns, rate_bits, cap_height) = (3, 5, 1, 1);
    let values = random((columns as usize) << log_rows, 15);
    let trace = trace(&values, log_rows as u32);
    let mut rtl = RtlCard::new(1 << 30, 250, PoseidonCore::StandIn).expect("the RTL card starts");
    let got = driver::lde_and_commit(&mut rtl, &trace, rate_bits, cap_height, Duration::from_secs(1)).expect("runs");
    let want = from_values(&values, log_rows as u32, rate_bits as u32, cap_height as u32);
    assert_eq!(got.coeffs, want.polynomials.iter().map(|p| p.coeffs.clone()).collect::<Vec<_>>());
    assert_eq!(got.leaves, want.merkle_tree.leaves);
    assert_eq!(got.digests, want.merkle_tree.digests);
    assert_eq!(got.cap, want.merkle_tree.cap.0);
    let mut model = Card::new(CardConfig::default(), EngineKind::Fast);
    let on_model = driver::lde_and_commit(&mut model, &trace, rate_bits, cap_height, Duration::from_secs(1)).expect("runs");
    assert_eq!((&got.digests, &got.cap), (&on_model.digests, &on_model.cap));

    let err = driver::lde_and_commit(&mut rtl, &trace, rate_bits, cap_height, Duration::from_nanos(40)).unwrap_err();
    assert!(matches!(err, CardError::Timeout { .. }), "{err:?}");
    let again = driver::lde_and_commit(&mut rtl, &trace, rate_bits, cap_height, Duration::from_secs(1)).expect("runs after the reset");
    assert_eq!(again.cap, got.cap);
}
