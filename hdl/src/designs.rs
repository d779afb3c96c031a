//! The table of top-level designs. `emit` writes each to `bitstreams/rtl/<name>.v`,
//! `scripts/hdl-check.sh` lints/synthesises each and runs its harness against plonky2 vectors.
//!
//! To add a core: write a `fn verilog_*` (usually `top_verilog::<YourCore>()`), a vector
//! generator that computes the expected outputs with plonky2, and one [Design] line in [DESIGNS].

use crate::field::{GlAdd, GlMul, GlSub, EDGES, NONCANONICAL_EDGES, P};
use crate::harness::{HarnessSpec, Port, Vector};
use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};
use rand::rngs::StdRng;
use rand::Rng;
use rust_hdl::prelude::*;

/// One top-level design: its Verilog and how to test the emitted RTL.
pub struct Design {
    /// File stem in `bitstreams/rtl/` (and the harness's vector/testbench names).
    pub name: &'static str,
    pub summary: &'static str,
    /// The Verilog text as `generate_verilog` emits it (top module `top`).
    pub verilog: fn() -> String,
    /// The plonky2-vector harness; `None` for a design tested otherwise (named in its entry).
    pub harness: Option<HarnessSpec>,
}

/// Every emitted design. Later cores add one line here.
pub const DESIGNS: &[Design] = &[
    Design {
        name: "gl_mul",
        summary: "Goldilocks a*b mod p, 8-cycle pipeline, 16 16x16 tiles",
        verilog: top_verilog::<GlMul>,
        harness: Some(binop_harness(GlMul::LATENCY, mul_vectors)),
    },
    Design {
        name: "gl_add",
        summary: "Goldilocks a+b mod p, 2-cycle pipeline",
        verilog: top_verilog::<GlAdd>,
        harness: Some(binop_harness(GlAdd::LATENCY, add_vectors)),
    },
    Design {
        name: "gl_sub",
        summary: "Goldilocks a-b mod p, 2-cycle pipeline",
        verilog: top_verilog::<GlSub>,
        harness: Some(binop_harness(GlSub::LATENCY, sub_vectors)),
    },
    // NTT core (hdl/src/ntt): block-streaming, so its testbench is ntt::harness::testbench.
    Design {
        name: "ntt_core",
        summary: "Goldilocks NTT 2^1..2^12, DIF, 1 butterfly/cycle, fwd/inv/coset/LDE",
        verilog: top_verilog::<crate::ntt::NttCore>,
        harness: Some(crate::ntt::harness::SPEC),
    },
    Design {
        name: "ntt_butterfly",
        summary: "Goldilocks DIF butterfly (a+b, (a-b)*w), 10-cycle pipeline",
        verilog: top_verilog::<crate::ntt::NttButterfly>,
        harness: Some(HarnessSpec {
            latency: crate::ntt::NttButterfly::LATENCY,
            inputs: &[Port::new("a", 64), Port::new("b", 64), Port::new("w", 64)],
            outputs: &[Port::new("x", 64), Port::new("y", 64)],
            vectors: crate::ntt::harness::butterfly_vectors,
        }),
    },
    // The kernel's AXI4-Lite control slave (hdl/src/kernel): transactions, so its testbench is
    // kernel::harness::testbench.
    Design {
        name: "kernel_control",
        summary: "AXI4-Lite s_axi_control slave, XRT ap_ctrl_hs register map (hdl/src/regmap.rs)",
        verilog: kernel_control_verilog,
        harness: Some(crate::kernel::harness::SPEC),
    },
    Design {
        name: "poseidon_sbox",
        summary: "Poseidon S-box x^7, 24-cycle pipeline, 4 GlMul",
        verilog: poseidon_sbox_verilog,
        harness: Some(HarnessSpec {
            latency: SBox::LATENCY,
            inputs: &[Port::new("x", 64)],
            outputs: &[Port::new("y", 64)],
            vectors: poseidon_sbox_vectors,
        }),
    },
    Design {
        name: "poseidon_mds",
        summary: "Poseidon MDS layer (shift-add) + round 1 constants, 4-cycle pipeline",
        verilog: poseidon_mds_verilog,
        harness: Some(HarnessSpec {
            latency: Mds::LATENCY,
            inputs: &[Port::new("v", 768)],
            outputs: &[Port::new("y", 768)],
            vectors: poseidon_mds_vectors,
        }),
    },
    Design {
        name: "poseidon_partial_round",
        summary: "Poseidon partial round 4 (S-box lane 0, MDS, round 5 constants), 28 cycles",
        verilog: poseidon_partial_round_verilog,
        harness: Some(HarnessSpec {
            latency: PartialRound::LATENCY,
            inputs: POSEIDON_STATE_IN,
            outputs: POSEIDON_STATE_OUT,
            vectors: poseidon_partial_round_vectors,
        }),
    },
    Design {
        name: "poseidon_full_round",
        summary: "Poseidon full round 0 (12 S-boxes, MDS, round 1 constants), 28 cycles",
        verilog: poseidon_full_round_verilog,
        harness: Some(HarnessSpec {
            latency: FullRound::LATENCY,
            inputs: POSEIDON_STATE_IN,
            outputs: POSEIDON_STATE_OUT,
            vectors: poseidon_full_round_vectors,
        }),
    },
    Design {
        name: "poseidon_core",
        summary: "Poseidon-12 permutation (plonky2), 1/cycle, ready/valid, 844-cycle latency",
        verilog: poseidon_core_verilog,
        harness: Some(HarnessSpec {
            latency: PoseidonCore::LATENCY,
            inputs: POSEIDON_STATE_IN,
            outputs: POSEIDON_STATE_OUT,
            vectors: poseidon_core_vectors,
        }),
    },
    // The folded core for small boards: one permutation at a time, a ready/valid handshake
    // with a variable wait, so its testbench is the Rust-HDL one in hdl/tests/poseidon_folded_sim.rs.
    Design {
        name: "poseidon_folded",
        summary: "Poseidon-12 permutation (plonky2) folded on one S-box and one MDS row, ready/valid, 1,711 cycles each",
        verilog: poseidon_folded_verilog,
        harness: None,
    },
    // The Merkle mode layer (hdl/src/poseidon/merkle.rs): items in, digests out, a variable
    // number of outputs per input, so its testbenches are Rust-HDL ones: hdl/tests/merkle_sim.rs
    // (the layer on a modelled core) and the simulator's RTL engine (the hasher on the real
    // core, sim/tests/engines.rs).
    Design {
        name: "merkle_front",
        summary: "Merkle mode layer: leaf sponge (hash_no_pad) and two_to_one items onto a Poseidon core port, states recirculated",
        verilog: merkle_front_verilog,
        harness: None,
    },
    Design {
        name: "merkle_hasher",
        summary: "merkle_front + poseidon_core: Merkle items in, plonky2 digests out, 844-cycle latency",
        verilog: merkle_hasher_verilog,
        harness: None,
    },
    // The serial board's front end (hdl/src/uart): a UART protocol, not a vector stream, so its
    // testbench is the Rust-HDL one in hdl/tests/uart_sim.rs. The Poseidon port is left open.
    Design {
        name: "uart_frontend",
        summary: "serial board front end: UART 8N1 (868 clocks/bit), frame decoder, CRC-32, PING/PERMUTE to a Poseidon port",
        verilog: top_verilog::<crate::uart::UartFrontend>,
        harness: None,
    },
    // The board top: the front end joined to the folded core, only pins as ports. Its testbench
    // is uart::harness (frames over the UART pins), run on a copy emitted with a short bit time.
    Design {
        name: "serial_board",
        summary: "serial board top: uart_frontend + poseidon_folded, pins clk/rst/uart_rx/uart_tx/led, 868 clocks/bit (115200 baud at 100 MHz)",
        verilog: serial_board_verilog,
        harness: None,
    },
];

impl Design {
    /// The exact contents of `bitstreams/rtl/<name>.v`: a header, then the emitted Verilog.
    pub fn rtl_text(&self) -> String {
        format!(
            "// Generated by `cargo run --release -p parallax-hdl --bin emit`; do not edit.\n// {}: {}\n{}",
            self.name,
            self.summary,
            (self.verilog)()
        )
    }
}

/// Looks a design up by name.
pub fn find(name: &str) -> Option<&'static Design> {
    DESIGNS.iter().find(|d| d.name == name)
}

/// One module per distinct register width instead of one per register (37 DFFs).
fn kernel_control_verilog() -> String {
    dedupe_modules(&top_verilog::<crate::kernel::KernelControl>())
}

/// Verilog of a block used as the top level (module `top`).
pub fn top_verilog<T: Block + Default>() -> String {
    let mut uut = T::default();
    uut.connect_all();
    generate_verilog(&uut)
}

const BINOP_INPUTS: &[Port] = &[Port::new("a", 64), Port::new("b", 64)];
const BINOP_OUTPUTS: &[Port] = &[Port::new("y", 64)];

const fn binop_harness(
    latency: usize,
    vectors: fn(&mut StdRng, usize) -> Vec<Vector>,
) -> HarnessSpec {
    HarnessSpec {
        latency,
        inputs: BINOP_INPUTS,
        outputs: BINOP_OUTPUTS,
        vectors,
    }
}

/// Operand pairs: every pair of [EDGES] first, then a mix of uniform and near-edge values.
pub fn operand_pairs(rng: &mut StdRng, count: usize) -> Vec<(u64, u64)> {
    let mut pairs: Vec<(u64, u64)> = EDGES
        .iter()
        .flat_map(|&a| EDGES.iter().map(move |&b| (a, b)))
        .take(count)
        .collect();
    while pairs.len() < count {
        pairs.push((random_operand(rng), random_operand(rng)));
    }
    pairs
}

/// A canonical value: uniform 3/4 of the time, otherwise an edge value plus a small offset.
pub fn random_operand(rng: &mut StdRng) -> u64 {
    if rng.gen_ratio(3, 4) {
        rng.gen_range(0..P)
    } else {
        let base = EDGES[rng.gen_range(0..EDGES.len())];
        base.wrapping_add(rng.gen_range(0..8)).wrapping_sub(4) % P
    }
}

fn binop_vectors(rng: &mut StdRng, count: usize, op: fn(F, F) -> F) -> Vec<Vector> {
    operand_pairs(rng, count)
        .into_iter()
        .map(|(a, b)| {
            let y = op(F::from_canonical_u64(a), F::from_canonical_u64(b)).to_canonical_u64();
            Vector {
                inputs: vec![vec![a], vec![b]],
                outputs: vec![vec![y]],
            }
        })
        .collect()
}

/// The multiplier reduces any 128-bit product, so its vectors also cover non-canonical operands:
/// all pairs of canonical and non-canonical edges, then 1 in 8 random pairs from all of u64.
fn mul_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    let edges: Vec<u64> = EDGES.iter().chain(&NONCANONICAL_EDGES).copied().collect();
    let mut pairs: Vec<(u64, u64)> = edges
        .iter()
        .flat_map(|&a| edges.iter().map(move |&b| (a, b)))
        .take(count)
        .collect();
    while pairs.len() < count {
        pairs.push(if rng.gen_ratio(1, 8) {
            (rng.gen(), rng.gen())
        } else {
            (random_operand(rng), random_operand(rng))
        });
    }
    pairs
        .into_iter()
        .map(|(a, b)| {
            let y = (F::from_noncanonical_u64(a) * F::from_noncanonical_u64(b)).to_canonical_u64();
            Vector {
                inputs: vec![vec![a], vec![b]],
                outputs: vec![vec![y]],
            }
        })
        .collect()
}

fn add_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    binop_vectors(rng, count, |a, b| a + b)
}

fn sub_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    binop_vectors(rng, count, |a, b| a - b)
}

// ---------------------------------------------------------------------------------------------
// Poseidon (hdl/src/poseidon/): the permutation core and the sub-blocks that hdl-check
// synthesises on their own (the whole core is too large for yosys in CI time).

use crate::poseidon::{
    self, FullRound, Mds, PartialRound, PoseidonCore, SBox, ROUNDS, WIDTH as PW,
};
use crate::verilog_dedupe::dedupe_modules;
use plonky2::hash::poseidon::Poseidon;

/// The Poseidon designs; [DESIGNS] lists them.
const POSEIDON_STATE_IN: &[Port] = &[Port::new("state_in", 768)];
const POSEIDON_STATE_OUT: &[Port] = &[Port::new("state_out", 768)];

/// Rust-HDL blocks are built by value; the Poseidon ones (~10^5 signals for the core) overflow
/// a default 2 MiB thread stack (test threads), so they are built on a thread with 1 GiB.
pub(crate) fn on_big_stack(f: impl FnOnce() -> String + Send + 'static) -> String {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .expect("spawning the emitter thread")
        .join()
        .expect("emitting a Poseidon design")
}

fn dedupe_block<T: Block>(mut uut: T) -> String {
    uut.connect_all();
    dedupe_modules(&generate_verilog(&uut))
}

fn poseidon_sbox_verilog() -> String {
    on_big_stack(|| dedupe_block(SBox::default()))
}

fn poseidon_mds_verilog() -> String {
    on_big_stack(|| dedupe_block(Mds::new(POSEIDON_MDS_ROUND)))
}

fn poseidon_folded_verilog() -> String {
    on_big_stack(|| dedupe_block(crate::poseidon::PoseidonFolded::default()))
}

fn poseidon_full_round_verilog() -> String {
    on_big_stack(|| dedupe_block(FullRound::new(POSEIDON_FULL_ROUND)))
}

fn poseidon_partial_round_verilog() -> String {
    on_big_stack(|| dedupe_block(PartialRound::new(POSEIDON_PARTIAL_ROUND)))
}

fn serial_board_verilog() -> String {
    on_big_stack(|| dedupe_block(crate::uart::SerialBoard::default()))
}

/// The board top with another bit time and idle timeout (the RTL test's copy); the same Verilog
/// as `serial_board.v` but for those constants (tests/emitted_rtl.rs checks it).
pub fn serial_board_verilog_with(clocks_per_bit: u16, idle_cycles: u32) -> String {
    on_big_stack(move || {
        dedupe_block(crate::uart::SerialBoard::new(clocks_per_bit, idle_cycles))
    })
}

fn merkle_front_verilog() -> String {
    dedupe_block(crate::poseidon::MerkleFront::default())
}

fn merkle_hasher_verilog() -> String {
    on_big_stack(|| dedupe_block(crate::poseidon::MerkleHasher::default()))
}

fn poseidon_core_verilog() -> String {
    on_big_stack(|| dedupe_block(PoseidonCore::default()))
}

/// The rounds the stand-alone round designs implement (constants of round r + 1 at the end).
const POSEIDON_MDS_ROUND: usize = 1;
const POSEIDON_FULL_ROUND: usize = 0;
const POSEIDON_PARTIAL_ROUND: usize = 4;

/// Random canonical states, after the edge states (all lanes one edge value; lanes cycling
/// through the edges).
fn poseidon_states(rng: &mut StdRng, count: usize) -> Vec<[u64; PW]> {
    let mut v: Vec<[u64; PW]> = EDGES.iter().map(|&e| [e; PW]).collect();
    v.extend((0..EDGES.len()).map(|k| std::array::from_fn(|i| EDGES[(i + k) % EDGES.len()])));
    v.truncate(count);
    while v.len() < count {
        v.push(std::array::from_fn(|_| random_operand(rng)));
    }
    v
}

fn state_vectors(
    rng: &mut StdRng,
    count: usize,
    f: impl Fn(&[u64; PW]) -> [u64; PW],
) -> Vec<Vector> {
    poseidon_states(rng, count)
        .into_iter()
        .map(|s| Vector {
            inputs: vec![s.to_vec()],
            outputs: vec![f(&s).to_vec()],
        })
        .collect()
}

fn to_f(s: &[u64; PW]) -> [F; PW] {
    s.map(F::from_canonical_u64)
}

fn from_f(s: [F; PW]) -> [u64; PW] {
    s.map(|x| x.to_canonical_u64())
}

/// plonky2's naive round `r`'s tail and round r + 1's constant layer: what hardware round r does.
fn plonky2_round(r: usize, s: &[u64; PW]) -> [u64; PW] {
    let mut x = to_f(s);
    if poseidon::is_full_round(r) {
        <F as Poseidon>::sbox_layer(&mut x);
    } else {
        x[0] = <F as Poseidon>::sbox_monomial::<F, 1>(x[0]);
    }
    x = <F as Poseidon>::mds_layer(&x);
    if r + 1 < ROUNDS {
        <F as Poseidon>::constant_layer(&mut x, r + 1);
    }
    from_f(x)
}

fn poseidon_sbox_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    operand_pairs(rng, count)
        .into_iter()
        .map(|(x, _)| {
            let y = <F as Poseidon>::sbox_monomial::<F, 1>(F::from_canonical_u64(x));
            Vector {
                inputs: vec![vec![x]],
                outputs: vec![vec![y.to_canonical_u64()]],
            }
        })
        .collect()
}

fn poseidon_mds_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    state_vectors(rng, count, |s| {
        let mut x = <F as Poseidon>::mds_layer(&to_f(s));
        <F as Poseidon>::constant_layer(&mut x, POSEIDON_MDS_ROUND);
        from_f(x)
    })
}

fn poseidon_full_round_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    state_vectors(rng, count, |s| plonky2_round(POSEIDON_FULL_ROUND, s))
}

fn poseidon_partial_round_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    state_vectors(rng, count, |s| plonky2_round(POSEIDON_PARTIAL_ROUND, s))
}

fn poseidon_core_vectors(rng: &mut StdRng, count: usize) -> Vec<Vector> {
    state_vectors(rng, count, poseidon::plonky2_permutation)
}
