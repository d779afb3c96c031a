//! `ParallaxKernel`: the kernel top for on-chip sizes: the control slave ([KernelControl]),
//! one [NttCore], one [MerkleHasher] with the [CommitSequencer] that walks its schedule, and
//! the AXI4 engines of the five master ports. With n = 2^log_rows:
//!
//! - Lde, per column c: `values[c n ..]` (`m_axi_gmem0`) -> inverse NTT -> `coeffs[c n ..]`
//!   (`m_axi_gmem1`); once those writes are answered, `coeffs[c n ..]` back -> coset LDE with
//!   bit-reversed output -> `leaves[r columns + c]` for r = 0 .. n 2^rate_bits (`m_axi_gmem2`,
//!   strided single-beat writes): plonky2's `from_values` LDE in `MerkleTree::leaves` order.
//! - Commit: the sequencer's items, each read in one job (leaves on `m_axi_gmem2`, digests of
//!   the level below on `m_axi_gmem3`) and offered to the hasher (leaves of at most 4 elements
//!   are their own digest and skip it); each digest written in one 4-word job to its place in
//!   plonky2's `MerkleTree::digests` (`m_axi_gmem3`) or cap (`m_axi_gmem4`).
//! - LdeAndCommit: Lde, then Commit.
//!
//! Then `done` with the status and the cycles from start to done. Scope, for now: log_rows +
//! rate_bits <= 12 (no four-step schedule), no address range check (`BadAddress` is never
//! reported), one column and one Commit item at a time. A memory error on any transfer ends the
//! command with `MemoryFault` once its transfers are done.

use super::axi_read::AxiReadEngine;
use super::axi_write::AxiWriteEngine;
use super::commit_seq::CommitSequencer;
use super::control::KernelControl;
use crate::ntt::{NttCore, CFG_BITS, MAX_LOG_N};
use crate::poseidon::MerkleHasher;
use crate::regmap;
use crate::vitis::CONTROL_ADDR_BITS;
use rust_hdl::prelude::*;

const ADDR_BITS: usize = CONTROL_ADDR_BITS as usize;

// Sequencer states (`states[i]`): 0 idle, 1 start the inverse job (values -> coeffs), 2 wait
// for it, 3 start the LDE job (coeffs -> leaves), 4 wait for it, 5 report done, 6 start the
// commit (leaves -> digests, cap), 7 wait for it.

#[derive(LogicBlock)]
pub struct ParallaxKernel {
    // Clocking
    pub ap_clk: Signal<In, Clock>,
    pub ap_rst_n: Signal<In, Bit>,
    // s_axi_control (see KernelControl)
    pub s_axi_control_awvalid: Signal<In, Bit>,
    pub s_axi_control_awready: Signal<Out, Bit>,
    pub s_axi_control_awaddr: Signal<In, Bits<ADDR_BITS>>,
    pub s_axi_control_wvalid: Signal<In, Bit>,
    pub s_axi_control_wready: Signal<Out, Bit>,
    pub s_axi_control_wdata: Signal<In, Bits<32>>,
    pub s_axi_control_wstrb: Signal<In, Bits<4>>,
    pub s_axi_control_bvalid: Signal<Out, Bit>,
    pub s_axi_control_bready: Signal<In, Bit>,
    pub s_axi_control_bresp: Signal<Out, Bits<2>>,
    pub s_axi_control_arvalid: Signal<In, Bit>,
    pub s_axi_control_arready: Signal<Out, Bit>,
    pub s_axi_control_araddr: Signal<In, Bits<ADDR_BITS>>,
    pub s_axi_control_rvalid: Signal<Out, Bit>,
    pub s_axi_control_rready: Signal<In, Bit>,
    pub s_axi_control_rdata: Signal<Out, Bits<32>>,
    pub s_axi_control_rresp: Signal<Out, Bits<2>>,
    pub interrupt: Signal<Out, Bit>,
    // m_axi_gmem0 (values): read only
    pub m_axi_gmem0_araddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem0_arlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem0_arsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem0_arburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem0_arvalid: Signal<Out, Bit>,
    pub m_axi_gmem0_arready: Signal<In, Bit>,
    pub m_axi_gmem0_rdata: Signal<In, Bits<64>>,
    pub m_axi_gmem0_rresp: Signal<In, Bits<2>>,
    pub m_axi_gmem0_rlast: Signal<In, Bit>,
    pub m_axi_gmem0_rvalid: Signal<In, Bit>,
    pub m_axi_gmem0_rready: Signal<Out, Bit>,
    // m_axi_gmem1 (coeffs): written, then read back
    pub m_axi_gmem1_araddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem1_arlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem1_arsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem1_arburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem1_arvalid: Signal<Out, Bit>,
    pub m_axi_gmem1_arready: Signal<In, Bit>,
    pub m_axi_gmem1_rdata: Signal<In, Bits<64>>,
    pub m_axi_gmem1_rresp: Signal<In, Bits<2>>,
    pub m_axi_gmem1_rlast: Signal<In, Bit>,
    pub m_axi_gmem1_rvalid: Signal<In, Bit>,
    pub m_axi_gmem1_rready: Signal<Out, Bit>,
    pub m_axi_gmem1_awaddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem1_awlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem1_awsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem1_awburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem1_awvalid: Signal<Out, Bit>,
    pub m_axi_gmem1_awready: Signal<In, Bit>,
    pub m_axi_gmem1_wdata: Signal<Out, Bits<64>>,
    pub m_axi_gmem1_wstrb: Signal<Out, Bits<8>>,
    pub m_axi_gmem1_wlast: Signal<Out, Bit>,
    pub m_axi_gmem1_wvalid: Signal<Out, Bit>,
    pub m_axi_gmem1_wready: Signal<In, Bit>,
    pub m_axi_gmem1_bresp: Signal<In, Bits<2>>,
    pub m_axi_gmem1_bvalid: Signal<In, Bit>,
    pub m_axi_gmem1_bready: Signal<Out, Bit>,
    // m_axi_gmem2 (leaves): written by Lde, read by Commit
    pub m_axi_gmem2_araddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem2_arlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem2_arsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem2_arburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem2_arvalid: Signal<Out, Bit>,
    pub m_axi_gmem2_arready: Signal<In, Bit>,
    pub m_axi_gmem2_rdata: Signal<In, Bits<64>>,
    pub m_axi_gmem2_rresp: Signal<In, Bits<2>>,
    pub m_axi_gmem2_rlast: Signal<In, Bit>,
    pub m_axi_gmem2_rvalid: Signal<In, Bit>,
    pub m_axi_gmem2_rready: Signal<Out, Bit>,
    pub m_axi_gmem2_awaddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem2_awlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem2_awsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem2_awburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem2_awvalid: Signal<Out, Bit>,
    pub m_axi_gmem2_awready: Signal<In, Bit>,
    pub m_axi_gmem2_wdata: Signal<Out, Bits<64>>,
    pub m_axi_gmem2_wstrb: Signal<Out, Bits<8>>,
    pub m_axi_gmem2_wlast: Signal<Out, Bit>,
    pub m_axi_gmem2_wvalid: Signal<Out, Bit>,
    pub m_axi_gmem2_wready: Signal<In, Bit>,
    pub m_axi_gmem2_bresp: Signal<In, Bits<2>>,
    pub m_axi_gmem2_bvalid: Signal<In, Bit>,
    pub m_axi_gmem2_bready: Signal<Out, Bit>,
    // m_axi_gmem3 (digests): written by Commit, lower levels read back; m_axi_gmem4 (cap): written
    pub m_axi_gmem3_araddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem3_arlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem3_arsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem3_arburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem3_arvalid: Signal<Out, Bit>,
    pub m_axi_gmem3_arready: Signal<In, Bit>,
    pub m_axi_gmem3_rdata: Signal<In, Bits<64>>,
    pub m_axi_gmem3_rresp: Signal<In, Bits<2>>,
    pub m_axi_gmem3_rlast: Signal<In, Bit>,
    pub m_axi_gmem3_rvalid: Signal<In, Bit>,
    pub m_axi_gmem3_rready: Signal<Out, Bit>,
    pub m_axi_gmem3_awaddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem3_awlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem3_awsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem3_awburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem3_awvalid: Signal<Out, Bit>,
    pub m_axi_gmem3_awready: Signal<In, Bit>,
    pub m_axi_gmem3_wdata: Signal<Out, Bits<64>>,
    pub m_axi_gmem3_wstrb: Signal<Out, Bits<8>>,
    pub m_axi_gmem3_wlast: Signal<Out, Bit>,
    pub m_axi_gmem3_wvalid: Signal<Out, Bit>,
    pub m_axi_gmem3_wready: Signal<In, Bit>,
    pub m_axi_gmem3_bresp: Signal<In, Bits<2>>,
    pub m_axi_gmem3_bvalid: Signal<In, Bit>,
    pub m_axi_gmem3_bready: Signal<Out, Bit>,
    pub m_axi_gmem4_awaddr: Signal<Out, Bits<64>>,
    pub m_axi_gmem4_awlen: Signal<Out, Bits<8>>,
    pub m_axi_gmem4_awsize: Signal<Out, Bits<3>>,
    pub m_axi_gmem4_awburst: Signal<Out, Bits<2>>,
    pub m_axi_gmem4_awvalid: Signal<Out, Bit>,
    pub m_axi_gmem4_awready: Signal<In, Bit>,
    pub m_axi_gmem4_wdata: Signal<Out, Bits<64>>,
    pub m_axi_gmem4_wstrb: Signal<Out, Bits<8>>,
    pub m_axi_gmem4_wlast: Signal<Out, Bit>,
    pub m_axi_gmem4_wvalid: Signal<Out, Bit>,
    pub m_axi_gmem4_wready: Signal<In, Bit>,
    pub m_axi_gmem4_bresp: Signal<In, Bits<2>>,
    pub m_axi_gmem4_bvalid: Signal<In, Bit>,
    pub m_axi_gmem4_bready: Signal<Out, Bit>,
    // Blocks
    control: KernelControl,
    values_rd: AxiReadEngine,
    coeffs_rd: AxiReadEngine,
    coeffs_wr: AxiWriteEngine,
    leaves_wr: AxiWriteEngine,
    ntt: NttCore,
    commit: CommitSequencer,
    leaves_rd: AxiReadEngine,
    digests_rd: AxiReadEngine,
    digests_wr: AxiWriteEngine,
    cap_wr: AxiWriteEngine,
    hasher: MerkleHasher,
    // Sequencer
    reset: Signal<Local, Bit>,
    state: DFF<Bits<3>>,
    lde_phase: DFF<Bit>,
    col: DFF<Bits<32>>,
    n: DFF<Bits<32>>,
    col_off: DFF<Bits<64>>,
    leaf_off: DFF<Bits<64>>,
    cfg: DFF<Bits<CFG_BITS>>,
    mem_err: DFF<Bit>,
    status: DFF<Bits<32>>,
    cycles: DFF<Bits<64>>,
    then_commit: DFF<Bit>,
    commit_err: DFF<Bit>,
    // Shape check
    log_lde: Signal<Local, Bits<32>>,
    shape_ok: Signal<Local, Bit>,
    inv_cfg: Signal<Local, Bits<CFG_BITS>>,
    lde_cfg: Signal<Local, Bits<CFG_BITS>>,
    // Stream adapters: reader words -> NTT beats, NTT beats -> writer words
    src_valid: Signal<Local, Bit>,
    src_data: Signal<Local, Bits<64>>,
    take: Signal<Local, Bit>,
    have0: DFF<Bit>,
    word0: DFF<Bits<64>>,
    pending: DFF<Bits<2>>,
    out0: DFF<Bits<64>>,
    out1: DFF<Bits<64>>,
    sink_ready: Signal<Local, Bit>,
    // Commit: one item read at a time into `item_buf`, then offered; one digest at a time in `dig`
    item_st: DFF<Bits<2>>,
    it_words: DFF<Bits<4>>,
    it_count: DFF<Bits<4>>,
    it_first: DFF<Bit>,
    it_last: DFF<Bit>,
    it_leaf: DFF<Bit>,
    item_buf: DFF<Bits<512>>,
    wr_st: DFF<Bits<2>>,
    wr_cnt: DFF<Bits<3>>,
    wr_cap: DFF<Bit>,
    dig: DFF<Bits<256>>,
    item_free: Signal<Local, Bit>,
    item_take: Signal<Local, Bit>,
    short_item: Signal<Local, Bit>,
    rd_valid: Signal<Local, Bit>,
    rd_data: Signal<Local, Bits<64>>,
    rd_beat: Signal<Local, Bit>,
    buf_shift: Signal<Local, Bits<10>>,
    dest_take: Signal<Local, Bit>,
    wr_ready: Signal<Local, Bit>,
    wr_busy: Signal<Local, Bit>,
    commit_errs: Signal<Local, Bit>,
    // Constants
    states: [Constant<Bits<3>>; 8],
    one32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    max_log_n: Constant<Bits<32>>,
    max_columns: Constant<Bits<32>>,
    cmd_lde: Constant<Bits<32>>,
    cmd_commit: Constant<Bits<32>>,
    cmd_both: Constant<Bits<32>>,
    four32: Constant<Bits<32>>,
    one4: Constant<Bits<4>>,
    four3: Constant<Bits<3>>,
    one3: Constant<Bits<3>>,
    zero512: Constant<Bits<512>>,
    err_command: Constant<Bits<32>>,
    err_shape: Constant<Bits<32>>,
    err_memory: Constant<Bits<32>>,
    inverse_bit: Constant<Bits<CFG_BITS>>,
    coset_bitrev: Constant<Bits<CFG_BITS>>,
    leaf_step: Constant<Bits<64>>,
    zero64: Constant<Bits<64>>,
    one64: Constant<Bits<64>>,
    zero2: Constant<Bits<2>>,
    zero3: Constant<Bits<3>>,
    zero4: Constant<Bits<4>>,
    one2: Constant<Bits<2>>,
    two2: Constant<Bits<2>>,
}

fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.to_bits())
}

impl Default for ParallaxKernel {
    fn default() -> Self {
        Self {
            ap_clk: Default::default(),
            ap_rst_n: Default::default(),
            s_axi_control_awvalid: Default::default(),
            s_axi_control_awready: Default::default(),
            s_axi_control_awaddr: Default::default(),
            s_axi_control_wvalid: Default::default(),
            s_axi_control_wready: Default::default(),
            s_axi_control_wdata: Default::default(),
            s_axi_control_wstrb: Default::default(),
            s_axi_control_bvalid: Default::default(),
            s_axi_control_bready: Default::default(),
            s_axi_control_bresp: Default::default(),
            s_axi_control_arvalid: Default::default(),
            s_axi_control_arready: Default::default(),
            s_axi_control_araddr: Default::default(),
            s_axi_control_rvalid: Default::default(),
            s_axi_control_rready: Default::default(),
            s_axi_control_rdata: Default::default(),
            s_axi_control_rresp: Default::default(),
            interrupt: Default::default(),
            m_axi_gmem0_araddr: Default::default(),
            m_axi_gmem0_arlen: Default::default(),
            m_axi_gmem0_arsize: Default::default(),
            m_axi_gmem0_arburst: Default::default(),
            m_axi_gmem0_arvalid: Default::default(),
            m_axi_gmem0_arready: Default::default(),
            m_axi_gmem0_rdata: Default::default(),
            m_axi_gmem0_rresp: Default::default(),
            m_axi_gmem0_rlast: Default::default(),
            m_axi_gmem0_rvalid: Default::default(),
            m_axi_gmem0_rready: Default::default(),
            m_axi_gmem1_araddr: Default::default(),
            m_axi_gmem1_arlen: Default::default(),
            m_axi_gmem1_arsize: Default::default(),
            m_axi_gmem1_arburst: Default::default(),
            m_axi_gmem1_arvalid: Default::default(),
            m_axi_gmem1_arready: Default::default(),
            m_axi_gmem1_rdata: Default::default(),
            m_axi_gmem1_rresp: Default::default(),
            m_axi_gmem1_rlast: Default::default(),
            m_axi_gmem1_rvalid: Default::default(),
            m_axi_gmem1_rready: Default::default(),
            m_axi_gmem1_awaddr: Default::default(),
            m_axi_gmem1_awlen: Default::default(),
            m_axi_gmem1_awsize: Default::default(),
            m_axi_gmem1_awburst: Default::default(),
            m_axi_gmem1_awvalid: Default::default(),
            m_axi_gmem1_awready: Default::default(),
            m_axi_gmem1_wdata: Default::default(),
            m_axi_gmem1_wstrb: Default::default(),
            m_axi_gmem1_wlast: Default::default(),
            m_axi_gmem1_wvalid: Default::default(),
            m_axi_gmem1_wready: Default::default(),
            m_axi_gmem1_bresp: Default::default(),
            m_axi_gmem1_bvalid: Default::default(),
            m_axi_gmem1_bready: Default::default(),
            m_axi_gmem2_araddr: Default::default(),
            m_axi_gmem2_arlen: Default::default(),
            m_axi_gmem2_arsize: Default::default(),
            m_axi_gmem2_arburst: Default::default(),
            m_axi_gmem2_arvalid: Default::default(),
            m_axi_gmem2_arready: Default::default(),
            m_axi_gmem2_rdata: Default::default(),
            m_axi_gmem2_rresp: Default::default(),
            m_axi_gmem2_rlast: Default::default(),
            m_axi_gmem2_rvalid: Default::default(),
            m_axi_gmem2_rready: Default::default(),
            m_axi_gmem2_awaddr: Default::default(),
            m_axi_gmem2_awlen: Default::default(),
            m_axi_gmem2_awsize: Default::default(),
            m_axi_gmem2_awburst: Default::default(),
            m_axi_gmem2_awvalid: Default::default(),
            m_axi_gmem2_awready: Default::default(),
            m_axi_gmem2_wdata: Default::default(),
            m_axi_gmem2_wstrb: Default::default(),
            m_axi_gmem2_wlast: Default::default(),
            m_axi_gmem2_wvalid: Default::default(),
            m_axi_gmem2_wready: Default::default(),
            m_axi_gmem2_bresp: Default::default(),
            m_axi_gmem2_bvalid: Default::default(),
            m_axi_gmem2_bready: Default::default(),
            m_axi_gmem3_araddr: Default::default(),
            m_axi_gmem3_arlen: Default::default(),
            m_axi_gmem3_arsize: Default::default(),
            m_axi_gmem3_arburst: Default::default(),
            m_axi_gmem3_arvalid: Default::default(),
            m_axi_gmem3_arready: Default::default(),
            m_axi_gmem3_rdata: Default::default(),
            m_axi_gmem3_rresp: Default::default(),
            m_axi_gmem3_rlast: Default::default(),
            m_axi_gmem3_rvalid: Default::default(),
            m_axi_gmem3_rready: Default::default(),
            m_axi_gmem3_awaddr: Default::default(),
            m_axi_gmem3_awlen: Default::default(),
            m_axi_gmem3_awsize: Default::default(),
            m_axi_gmem3_awburst: Default::default(),
            m_axi_gmem3_awvalid: Default::default(),
            m_axi_gmem3_awready: Default::default(),
            m_axi_gmem3_wdata: Default::default(),
            m_axi_gmem3_wstrb: Default::default(),
            m_axi_gmem3_wlast: Default::default(),
            m_axi_gmem3_wvalid: Default::default(),
            m_axi_gmem3_wready: Default::default(),
            m_axi_gmem3_bresp: Default::default(),
            m_axi_gmem3_bvalid: Default::default(),
            m_axi_gmem3_bready: Default::default(),
            m_axi_gmem4_awaddr: Default::default(),
            m_axi_gmem4_awlen: Default::default(),
            m_axi_gmem4_awsize: Default::default(),
            m_axi_gmem4_awburst: Default::default(),
            m_axi_gmem4_awvalid: Default::default(),
            m_axi_gmem4_awready: Default::default(),
            m_axi_gmem4_wdata: Default::default(),
            m_axi_gmem4_wstrb: Default::default(),
            m_axi_gmem4_wlast: Default::default(),
            m_axi_gmem4_wvalid: Default::default(),
            m_axi_gmem4_wready: Default::default(),
            m_axi_gmem4_bresp: Default::default(),
            m_axi_gmem4_bvalid: Default::default(),
            m_axi_gmem4_bready: Default::default(),
            control: Default::default(),
            values_rd: Default::default(),
            coeffs_rd: Default::default(),
            coeffs_wr: Default::default(),
            leaves_wr: Default::default(),
            ntt: Default::default(),
            commit: Default::default(),
            leaves_rd: Default::default(),
            digests_rd: Default::default(),
            digests_wr: Default::default(),
            cap_wr: Default::default(),
            hasher: Default::default(),
            reset: Default::default(),
            state: Default::default(),
            lde_phase: Default::default(),
            col: Default::default(),
            n: Default::default(),
            col_off: Default::default(),
            leaf_off: Default::default(),
            cfg: Default::default(),
            mem_err: Default::default(),
            status: Default::default(),
            cycles: Default::default(),
            then_commit: Default::default(),
            commit_err: Default::default(),
            log_lde: Default::default(),
            shape_ok: Default::default(),
            inv_cfg: Default::default(),
            lde_cfg: Default::default(),
            src_valid: Default::default(),
            src_data: Default::default(),
            take: Default::default(),
            have0: Default::default(),
            word0: Default::default(),
            pending: Default::default(),
            out0: Default::default(),
            out1: Default::default(),
            sink_ready: Default::default(),
            item_st: Default::default(),
            it_words: Default::default(),
            it_count: Default::default(),
            it_first: Default::default(),
            it_last: Default::default(),
            it_leaf: Default::default(),
            item_buf: Default::default(),
            wr_st: Default::default(),
            wr_cnt: Default::default(),
            wr_cap: Default::default(),
            dig: Default::default(),
            item_free: Default::default(),
            item_take: Default::default(),
            short_item: Default::default(),
            rd_valid: Default::default(),
            rd_data: Default::default(),
            rd_beat: Default::default(),
            buf_shift: Default::default(),
            dest_take: Default::default(),
            wr_ready: Default::default(),
            wr_busy: Default::default(),
            commit_errs: Default::default(),
            states: std::array::from_fn(|i| k(i as u64)),
            one32: k(1),
            zero32: k(0),
            max_log_n: k(MAX_LOG_N as u64),
            max_columns: k(regmap::MAX_COLUMNS as u64),
            cmd_lde: k(regmap::Command::Lde as u64),
            cmd_commit: k(regmap::Command::Commit as u64),
            cmd_both: k(regmap::Command::LdeAndCommit as u64),
            four32: k(4),
            one4: k(1),
            four3: k(4),
            one3: k(1),
            zero512: Constant::new(Bits::<512>::default()),
            err_command: k(regmap::Error::BadCommand as u64),
            err_shape: k(regmap::Error::BadShape as u64),
            err_memory: k(regmap::Error::MemoryFault as u64),
            inverse_bit: k(1 << 8),
            coset_bitrev: k((1 << 9) | (1 << 10)),
            leaf_step: k(8),
            zero64: k(0),
            one64: k(1),
            zero2: k(0),
            zero3: k(0),
            zero4: k(0),
            one2: k(1),
            two2: k(2),
        }
    }
}

impl ParallaxKernel {
    /// Simulate the Poseidon permutation core by its port model
    /// ([crate::poseidon::PoseidonCore::stand_in]); the rest stays the RTL.
    pub fn stand_in_poseidon_core(&mut self) {
        self.hasher.stand_in_core();
    }
}

impl Logic for ParallaxKernel {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, ap_clk, state, lde_phase, col, n, col_off, leaf_off, cfg, mem_err, status, cycles,
            have0, word0, pending, out0, out1, then_commit, commit_err, item_st, it_words, it_count, it_first,
            it_last, it_leaf, item_buf, wr_st, wr_cnt, wr_cap, dig
        );
        self.reset.next = !self.ap_rst_n.val();
        clock!(self, ap_clk, values_rd, coeffs_rd, coeffs_wr, leaves_wr, commit, leaves_rd, digests_rd, digests_wr, cap_wr, hasher);
        self.control.ap_clk.next = self.ap_clk.val();
        self.ntt.clock.next = self.ap_clk.val();
        self.control.ap_rst_n.next = self.ap_rst_n.val();
        self.ntt.reset.next = self.reset.val();
        self.values_rd.reset.next = self.reset.val();
        self.coeffs_rd.reset.next = self.reset.val();
        self.coeffs_wr.reset.next = self.reset.val();
        self.leaves_wr.reset.next = self.reset.val();
        self.commit.reset.next = self.reset.val();
        self.leaves_rd.reset.next = self.reset.val();
        self.digests_rd.reset.next = self.reset.val();
        self.digests_wr.reset.next = self.reset.val();
        self.cap_wr.reset.next = self.reset.val();
        self.hasher.reset.next = self.reset.val();

        // s_axi_control straight through.
        self.control.s_axi_control_awvalid.next = self.s_axi_control_awvalid.val();
        self.s_axi_control_awready.next = self.control.s_axi_control_awready.val();
        self.control.s_axi_control_awaddr.next = self.s_axi_control_awaddr.val();
        self.control.s_axi_control_wvalid.next = self.s_axi_control_wvalid.val();
        self.s_axi_control_wready.next = self.control.s_axi_control_wready.val();
        self.control.s_axi_control_wdata.next = self.s_axi_control_wdata.val();
        self.control.s_axi_control_wstrb.next = self.s_axi_control_wstrb.val();
        self.s_axi_control_bvalid.next = self.control.s_axi_control_bvalid.val();
        self.control.s_axi_control_bready.next = self.s_axi_control_bready.val();
        self.s_axi_control_bresp.next = self.control.s_axi_control_bresp.val();
        self.control.s_axi_control_arvalid.next = self.s_axi_control_arvalid.val();
        self.s_axi_control_arready.next = self.control.s_axi_control_arready.val();
        self.control.s_axi_control_araddr.next = self.s_axi_control_araddr.val();
        self.s_axi_control_rvalid.next = self.control.s_axi_control_rvalid.val();
        self.control.s_axi_control_rready.next = self.s_axi_control_rready.val();
        self.s_axi_control_rdata.next = self.control.s_axi_control_rdata.val();
        self.s_axi_control_rresp.next = self.control.s_axi_control_rresp.val();
        self.interrupt.next = self.control.interrupt.val();

        // m_axi_gmem0: the values reader.
        self.m_axi_gmem0_araddr.next = self.values_rd.araddr.val();
        self.m_axi_gmem0_arlen.next = self.values_rd.arlen.val();
        self.m_axi_gmem0_arsize.next = self.values_rd.arsize.val();
        self.m_axi_gmem0_arburst.next = self.values_rd.arburst.val();
        self.m_axi_gmem0_arvalid.next = self.values_rd.arvalid.val();
        self.values_rd.arready.next = self.m_axi_gmem0_arready.val();
        self.values_rd.rdata.next = self.m_axi_gmem0_rdata.val();
        self.values_rd.rresp.next = self.m_axi_gmem0_rresp.val();
        self.values_rd.rlast.next = self.m_axi_gmem0_rlast.val();
        self.values_rd.rvalid.next = self.m_axi_gmem0_rvalid.val();
        self.m_axi_gmem0_rready.next = self.values_rd.rready.val();
        // m_axi_gmem1: the coefficients writer and reader.
        self.m_axi_gmem1_araddr.next = self.coeffs_rd.araddr.val();
        self.m_axi_gmem1_arlen.next = self.coeffs_rd.arlen.val();
        self.m_axi_gmem1_arsize.next = self.coeffs_rd.arsize.val();
        self.m_axi_gmem1_arburst.next = self.coeffs_rd.arburst.val();
        self.m_axi_gmem1_arvalid.next = self.coeffs_rd.arvalid.val();
        self.coeffs_rd.arready.next = self.m_axi_gmem1_arready.val();
        self.coeffs_rd.rdata.next = self.m_axi_gmem1_rdata.val();
        self.coeffs_rd.rresp.next = self.m_axi_gmem1_rresp.val();
        self.coeffs_rd.rlast.next = self.m_axi_gmem1_rlast.val();
        self.coeffs_rd.rvalid.next = self.m_axi_gmem1_rvalid.val();
        self.m_axi_gmem1_rready.next = self.coeffs_rd.rready.val();
        self.m_axi_gmem1_awaddr.next = self.coeffs_wr.awaddr.val();
        self.m_axi_gmem1_awlen.next = self.coeffs_wr.awlen.val();
        self.m_axi_gmem1_awsize.next = self.coeffs_wr.awsize.val();
        self.m_axi_gmem1_awburst.next = self.coeffs_wr.awburst.val();
        self.m_axi_gmem1_awvalid.next = self.coeffs_wr.awvalid.val();
        self.coeffs_wr.awready.next = self.m_axi_gmem1_awready.val();
        self.m_axi_gmem1_wdata.next = self.coeffs_wr.wdata.val();
        self.m_axi_gmem1_wstrb.next = self.coeffs_wr.wstrb.val();
        self.m_axi_gmem1_wlast.next = self.coeffs_wr.wlast.val();
        self.m_axi_gmem1_wvalid.next = self.coeffs_wr.wvalid.val();
        self.coeffs_wr.wready.next = self.m_axi_gmem1_wready.val();
        self.coeffs_wr.bresp.next = self.m_axi_gmem1_bresp.val();
        self.coeffs_wr.bvalid.next = self.m_axi_gmem1_bvalid.val();
        self.m_axi_gmem1_bready.next = self.coeffs_wr.bready.val();
        // m_axi_gmem2: the leaves writer (Lde) and reader (Commit).
        self.m_axi_gmem2_awaddr.next = self.leaves_wr.awaddr.val();
        self.m_axi_gmem2_awlen.next = self.leaves_wr.awlen.val();
        self.m_axi_gmem2_awsize.next = self.leaves_wr.awsize.val();
        self.m_axi_gmem2_awburst.next = self.leaves_wr.awburst.val();
        self.m_axi_gmem2_awvalid.next = self.leaves_wr.awvalid.val();
        self.leaves_wr.awready.next = self.m_axi_gmem2_awready.val();
        self.m_axi_gmem2_wdata.next = self.leaves_wr.wdata.val();
        self.m_axi_gmem2_wstrb.next = self.leaves_wr.wstrb.val();
        self.m_axi_gmem2_wlast.next = self.leaves_wr.wlast.val();
        self.m_axi_gmem2_wvalid.next = self.leaves_wr.wvalid.val();
        self.leaves_wr.wready.next = self.m_axi_gmem2_wready.val();
        self.leaves_wr.bresp.next = self.m_axi_gmem2_bresp.val();
        self.leaves_wr.bvalid.next = self.m_axi_gmem2_bvalid.val();
        self.m_axi_gmem2_bready.next = self.leaves_wr.bready.val();
        self.m_axi_gmem2_araddr.next = self.leaves_rd.araddr.val();
        self.m_axi_gmem2_arlen.next = self.leaves_rd.arlen.val();
        self.m_axi_gmem2_arsize.next = self.leaves_rd.arsize.val();
        self.m_axi_gmem2_arburst.next = self.leaves_rd.arburst.val();
        self.m_axi_gmem2_arvalid.next = self.leaves_rd.arvalid.val();
        self.leaves_rd.arready.next = self.m_axi_gmem2_arready.val();
        self.leaves_rd.rdata.next = self.m_axi_gmem2_rdata.val();
        self.leaves_rd.rresp.next = self.m_axi_gmem2_rresp.val();
        self.leaves_rd.rlast.next = self.m_axi_gmem2_rlast.val();
        self.leaves_rd.rvalid.next = self.m_axi_gmem2_rvalid.val();
        self.m_axi_gmem2_rready.next = self.leaves_rd.rready.val();
        // m_axi_gmem3: the digests writer and reader; m_axi_gmem4: the cap writer.
        self.m_axi_gmem3_awaddr.next = self.digests_wr.awaddr.val();
        self.m_axi_gmem3_awlen.next = self.digests_wr.awlen.val();
        self.m_axi_gmem3_awsize.next = self.digests_wr.awsize.val();
        self.m_axi_gmem3_awburst.next = self.digests_wr.awburst.val();
        self.m_axi_gmem3_awvalid.next = self.digests_wr.awvalid.val();
        self.digests_wr.awready.next = self.m_axi_gmem3_awready.val();
        self.m_axi_gmem3_wdata.next = self.digests_wr.wdata.val();
        self.m_axi_gmem3_wstrb.next = self.digests_wr.wstrb.val();
        self.m_axi_gmem3_wlast.next = self.digests_wr.wlast.val();
        self.m_axi_gmem3_wvalid.next = self.digests_wr.wvalid.val();
        self.digests_wr.wready.next = self.m_axi_gmem3_wready.val();
        self.digests_wr.bresp.next = self.m_axi_gmem3_bresp.val();
        self.digests_wr.bvalid.next = self.m_axi_gmem3_bvalid.val();
        self.m_axi_gmem3_bready.next = self.digests_wr.bready.val();
        self.m_axi_gmem3_araddr.next = self.digests_rd.araddr.val();
        self.m_axi_gmem3_arlen.next = self.digests_rd.arlen.val();
        self.m_axi_gmem3_arsize.next = self.digests_rd.arsize.val();
        self.m_axi_gmem3_arburst.next = self.digests_rd.arburst.val();
        self.m_axi_gmem3_arvalid.next = self.digests_rd.arvalid.val();
        self.digests_rd.arready.next = self.m_axi_gmem3_arready.val();
        self.digests_rd.rdata.next = self.m_axi_gmem3_rdata.val();
        self.digests_rd.rresp.next = self.m_axi_gmem3_rresp.val();
        self.digests_rd.rlast.next = self.m_axi_gmem3_rlast.val();
        self.digests_rd.rvalid.next = self.m_axi_gmem3_rvalid.val();
        self.m_axi_gmem3_rready.next = self.digests_rd.rready.val();
        self.m_axi_gmem4_awaddr.next = self.cap_wr.awaddr.val();
        self.m_axi_gmem4_awlen.next = self.cap_wr.awlen.val();
        self.m_axi_gmem4_awsize.next = self.cap_wr.awsize.val();
        self.m_axi_gmem4_awburst.next = self.cap_wr.awburst.val();
        self.m_axi_gmem4_awvalid.next = self.cap_wr.awvalid.val();
        self.cap_wr.awready.next = self.m_axi_gmem4_awready.val();
        self.m_axi_gmem4_wdata.next = self.cap_wr.wdata.val();
        self.m_axi_gmem4_wstrb.next = self.cap_wr.wstrb.val();
        self.m_axi_gmem4_wlast.next = self.cap_wr.wlast.val();
        self.m_axi_gmem4_wvalid.next = self.cap_wr.wvalid.val();
        self.cap_wr.wready.next = self.m_axi_gmem4_wready.val();
        self.cap_wr.bresp.next = self.m_axi_gmem4_bresp.val();
        self.cap_wr.bvalid.next = self.m_axi_gmem4_bvalid.val();
        self.m_axi_gmem4_bready.next = self.cap_wr.bready.val();

        // The shape this top runs: Lde, 1 <= log_rows, log_rows + rate_bits <= MAX_LOG_N,
        // 1 <= columns <= MAX_COLUMNS, cap_height <= log_rows + rate_bits (as the simulator).
        self.log_lde.next = self.control.log_rows.val() + self.control.rate_bits.val();
        self.shape_ok.next = (self.control.log_rows.val() >= self.one32.val())
            & (self.control.log_rows.val() <= self.max_log_n.val())
            & (self.control.rate_bits.val() <= self.max_log_n.val())
            & (self.log_lde.val() <= self.max_log_n.val())
            & (self.control.columns.val() >= self.one32.val())
            & (self.control.columns.val() <= self.max_columns.val())
            & (self.control.cap_height.val() <= self.log_lde.val());
        // NttConfig words: inverse(log_rows) and lde(log_rows, rate_bits).
        self.inv_cfg.next = bit_cast::<CFG_BITS, 4>(self.control.log_rows.val().get_bits::<4>(0))
            | self.inverse_bit.val();
        self.lde_cfg.next = bit_cast::<CFG_BITS, 4>(self.log_lde.val().get_bits::<4>(0))
            | (bit_cast::<CFG_BITS, 4>(self.control.rate_bits.val().get_bits::<4>(0)) << 4)
            | self.coset_bitrev.val();
        self.ntt.cfg.next = self.cfg.q.val();

        // Engine commands: pulses in the START states.
        self.values_rd.start.next = self.state.q.val() == self.states[1].val();
        self.values_rd.base.next = self.control.values.val() + self.col_off.q.val();
        self.values_rd.words.next = self.n.q.val();
        self.coeffs_wr.start.next = self.state.q.val() == self.states[1].val();
        self.coeffs_wr.base.next = self.control.coeffs.val() + self.col_off.q.val();
        self.coeffs_wr.words.next = self.n.q.val();
        self.coeffs_wr.stride.next = self.one32.val();
        self.coeffs_rd.start.next = self.state.q.val() == self.states[3].val();
        self.coeffs_rd.base.next = self.control.coeffs.val() + self.col_off.q.val();
        self.coeffs_rd.words.next = self.n.q.val();
        self.leaves_wr.start.next = self.state.q.val() == self.states[3].val();
        self.leaves_wr.base.next = self.control.leaves.val() + self.leaf_off.q.val();
        self.leaves_wr.words.next = self.n.q.val() << self.control.rate_bits.val();
        self.leaves_wr.stride.next = self.control.columns.val();

        // Reader words -> NTT beats: hold the even word, send it with the odd one.
        self.src_valid.next = self.values_rd.out_valid.val();
        self.src_data.next = self.values_rd.out_data.val();
        if self.lde_phase.q.val() {
            self.src_valid.next = self.coeffs_rd.out_valid.val();
            self.src_data.next = self.coeffs_rd.out_data.val();
        }
        self.take.next = !self.have0.q.val() | self.ntt.in_ready.val();
        self.values_rd.out_ready.next = self.take.val() & !self.lde_phase.q.val();
        self.coeffs_rd.out_ready.next = self.take.val() & self.lde_phase.q.val();
        self.ntt.in_valid.next = self.have0.q.val() & self.src_valid.val();
        self.ntt.in_lane0.next = self.word0.q.val();
        self.ntt.in_lane1.next = self.src_data.val();
        if self.src_valid.val() & self.take.val() {
            self.have0.d.next = !self.have0.q.val();
            if !self.have0.q.val() {
                self.word0.d.next = self.src_data.val();
            }
        }

        // NTT beats -> writer words: take a beat when empty, hand out lane 0 then lane 1.
        self.ntt.out_ready.next = self.pending.q.val() == self.zero2.val();
        if self.ntt.out_valid.val() & (self.pending.q.val() == self.zero2.val()) {
            self.out0.d.next = self.ntt.out_lane0.val();
            self.out1.d.next = self.ntt.out_lane1.val();
            self.pending.d.next = self.two2.val();
        }
        self.coeffs_wr.in_valid.next = (self.pending.q.val() != self.zero2.val()) & !self.lde_phase.q.val();
        self.leaves_wr.in_valid.next = (self.pending.q.val() != self.zero2.val()) & self.lde_phase.q.val();
        self.coeffs_wr.in_data.next = self.out1.q.val();
        self.leaves_wr.in_data.next = self.out1.q.val();
        if self.pending.q.val() == self.two2.val() {
            self.coeffs_wr.in_data.next = self.out0.q.val();
            self.leaves_wr.in_data.next = self.out0.q.val();
        }
        self.sink_ready.next = self.coeffs_wr.in_ready.val();
        if self.lde_phase.q.val() {
            self.sink_ready.next = self.leaves_wr.in_ready.val();
        }
        if (self.pending.q.val() != self.zero2.val()) & self.sink_ready.val() {
            self.pending.d.next = self.pending.q.val() - self.one2.val();
        }

        // Commit: the sequencer's items, each one read job (leaves or digests) into `item_buf`,
        // then offered to the hasher; short leaves (plonky2's hash_or_noop) are their own digest
        // and go straight to the digest slot. Each digest is written as one 4-word job (digests
        // or cap buffer) before the slot takes the next; `mem_idle` tells the sequencer when no
        // digest write is outstanding (its level barrier).
        self.commit.start.next = self.state.q.val() == self.states[6].val();
        self.commit.leaves.next = self.control.leaves.val();
        self.commit.digests.next = self.control.digests.val();
        self.commit.cap.next = self.control.cap.val();
        self.commit.log_lde.next = self.log_lde.val();
        self.commit.cap_height.next = self.control.cap_height.val();
        self.commit.columns.next = self.control.columns.val();
        self.commit.mem_idle.next = self.wr_st.q.val() == self.zero2.val();
        // (The readers are idle once their last word is in; checked all the same.)
        self.item_free.next = (self.item_st.q.val() == self.zero2.val()) & !self.leaves_rd.busy.val() & !self.digests_rd.busy.val();
        self.commit.item_ready.next = self.item_free.val();
        self.item_take.next = self.commit.item_valid.val() & self.item_free.val();
        self.leaves_rd.start.next = self.item_take.val() & self.commit.item_leaf.val();
        self.digests_rd.start.next = self.item_take.val() & !self.commit.item_leaf.val();
        self.leaves_rd.base.next = self.commit.item_addr.val();
        self.digests_rd.base.next = self.commit.item_addr.val();
        self.leaves_rd.words.next = bit_cast::<32, 4>(self.commit.item_words.val());
        self.digests_rd.words.next = bit_cast::<32, 4>(self.commit.item_words.val());
        self.rd_valid.next = self.digests_rd.out_valid.val();
        self.rd_data.next = self.digests_rd.out_data.val();
        if self.it_leaf.q.val() {
            self.rd_valid.next = self.leaves_rd.out_valid.val();
            self.rd_data.next = self.leaves_rd.out_data.val();
        }
        self.leaves_rd.out_ready.next = (self.item_st.q.val() == self.one2.val()) & self.it_leaf.q.val();
        self.digests_rd.out_ready.next = (self.item_st.q.val() == self.one2.val()) & !self.it_leaf.q.val();
        self.rd_beat.next = self.rd_valid.val() & (self.item_st.q.val() == self.one2.val());
        self.buf_shift.next = bit_cast::<10, 4>(self.it_count.q.val()) << 6;
        if self.item_take.val() {
            self.it_words.d.next = self.commit.item_words.val();
            self.it_first.d.next = self.commit.item_first.val();
            self.it_last.d.next = self.commit.item_last.val();
            self.it_leaf.d.next = self.commit.item_leaf.val();
            self.it_count.d.next = self.zero4.val();
            self.item_buf.d.next = self.zero512.val();
            self.item_st.d.next = self.one2.val();
        }
        if self.rd_beat.val() {
            self.item_buf.d.next = self.item_buf.q.val() | (bit_cast::<512, 64>(self.rd_data.val()) << self.buf_shift.val());
            self.it_count.d.next = self.it_count.q.val() + self.one4.val();
            if self.it_count.q.val() + self.one4.val() == self.it_words.q.val() {
                self.item_st.d.next = self.two2.val();
            }
        }
        self.short_item.next = self.commit.noop.val() & self.it_leaf.q.val();
        self.hasher.in_valid.next = (self.item_st.q.val() == self.two2.val()) & !self.short_item.val();
        self.hasher.in_data.next = self.item_buf.q.val();
        self.hasher.in_len.next = self.it_words.q.val();
        self.hasher.in_first.next = self.it_first.q.val();
        self.hasher.in_last.next = self.it_last.q.val();
        if (self.item_st.q.val() == self.two2.val()) & !self.short_item.val() & self.hasher.in_ready.val() {
            self.item_st.d.next = self.zero2.val();
        }
        // The digest slot: wr_st 0 empty, 1 holding a digest, 2 writing it.
        self.hasher.out_ready.next = self.wr_st.q.val() == self.zero2.val();
        if self.wr_st.q.val() == self.zero2.val() {
            if self.hasher.out_valid.val() {
                self.dig.d.next = self.hasher.out_digest.val();
                self.wr_st.d.next = self.one2.val();
            } else if (self.item_st.q.val() == self.two2.val()) & self.short_item.val() {
                self.dig.d.next = self.item_buf.q.val().get_bits::<256>(0);
                self.wr_st.d.next = self.one2.val();
                self.item_st.d.next = self.zero2.val();
            }
        }
        self.commit.dest_ready.next = self.wr_st.q.val() == self.one2.val();
        self.dest_take.next = self.commit.dest_valid.val() & (self.wr_st.q.val() == self.one2.val());
        self.digests_wr.start.next = self.dest_take.val() & !self.commit.dest_cap.val();
        self.cap_wr.start.next = self.dest_take.val() & self.commit.dest_cap.val();
        self.digests_wr.base.next = self.commit.dest_addr.val();
        self.cap_wr.base.next = self.commit.dest_addr.val();
        self.digests_wr.words.next = self.four32.val();
        self.cap_wr.words.next = self.four32.val();
        self.digests_wr.stride.next = self.one32.val();
        self.cap_wr.stride.next = self.one32.val();
        if self.dest_take.val() {
            self.wr_cap.d.next = self.commit.dest_cap.val();
            self.wr_cnt.d.next = self.zero3.val();
            self.wr_st.d.next = self.two2.val();
        }
        self.digests_wr.in_valid.next = (self.wr_st.q.val() == self.two2.val()) & (self.wr_cnt.q.val() != self.four3.val()) & !self.wr_cap.q.val();
        self.cap_wr.in_valid.next = (self.wr_st.q.val() == self.two2.val()) & (self.wr_cnt.q.val() != self.four3.val()) & self.wr_cap.q.val();
        self.digests_wr.in_data.next = self.dig.q.val().get_bits::<64>(0);
        self.cap_wr.in_data.next = self.dig.q.val().get_bits::<64>(0);
        self.wr_ready.next = self.digests_wr.in_ready.val();
        if self.wr_cap.q.val() {
            self.wr_ready.next = self.cap_wr.in_ready.val();
        }
        self.wr_busy.next = self.digests_wr.busy.val() | self.cap_wr.busy.val();
        if (self.wr_st.q.val() == self.two2.val()) & (self.wr_cnt.q.val() != self.four3.val()) & self.wr_ready.val() {
            self.dig.d.next = self.dig.q.val() >> 64;
            self.wr_cnt.d.next = self.wr_cnt.q.val() + self.one3.val();
        }
        if (self.wr_st.q.val() == self.two2.val()) & (self.wr_cnt.q.val() == self.four3.val()) & !self.wr_busy.val() {
            self.wr_st.d.next = self.zero2.val();
        }
        self.commit_errs.next = self.leaves_rd.error.val()
            | self.digests_rd.error.val()
            | self.digests_wr.error.val()
            | self.cap_wr.error.val();

        // The sequencer.
        self.control.done.next = self.state.q.val() == self.states[5].val();
        self.control.status.next = self.status.q.val();
        self.control.cycles.next = self.cycles.q.val();
        if self.state.q.val() != self.states[0].val() {
            self.cycles.d.next = self.cycles.q.val() + self.one64.val();
        }
        if (self.state.q.val() == self.states[0].val()) & self.control.start.val() {
            self.cycles.d.next = self.one64.val();
            self.col.d.next = self.zero32.val();
            self.col_off.d.next = self.zero64.val();
            self.leaf_off.d.next = self.zero64.val();
            self.mem_err.d.next = false;
            self.lde_phase.d.next = false;
            self.n.d.next = self.one32.val() << self.control.log_rows.val();
            self.cfg.d.next = self.inv_cfg.val();
            self.status.d.next = self.zero32.val();
            self.commit_err.d.next = false;
            self.then_commit.d.next = self.control.command.val() == self.cmd_both.val();
            self.state.d.next = self.states[1].val();
            if self.control.command.val() == self.cmd_commit.val() {
                self.state.d.next = self.states[6].val();
            }
            if !self.shape_ok.val() {
                self.status.d.next = self.err_shape.val();
                self.state.d.next = self.states[5].val();
            }
            if (self.control.command.val() != self.cmd_lde.val())
                & (self.control.command.val() != self.cmd_commit.val())
                & (self.control.command.val() != self.cmd_both.val())
            {
                self.status.d.next = self.err_command.val();
                self.state.d.next = self.states[5].val();
            }
        }
        if self.state.q.val() == self.states[1].val() {
            self.state.d.next = self.states[2].val();
        }
        // Coefficients are in memory once their writes are answered; then the LDE job.
        if (self.state.q.val() == self.states[2].val()) & !self.coeffs_wr.busy.val() & !self.values_rd.busy.val() {
            self.mem_err.d.next = self.mem_err.q.val() | self.values_rd.error.val() | self.coeffs_wr.error.val();
            self.cfg.d.next = self.lde_cfg.val();
            self.lde_phase.d.next = true;
            self.state.d.next = self.states[3].val();
        }
        if self.state.q.val() == self.states[3].val() {
            self.state.d.next = self.states[4].val();
        }
        if (self.state.q.val() == self.states[4].val()) & !self.leaves_wr.busy.val() & !self.coeffs_rd.busy.val() {
            self.mem_err.d.next = self.mem_err.q.val() | self.coeffs_rd.error.val() | self.leaves_wr.error.val();
            self.col.d.next = self.col.q.val() + self.one32.val();
            self.col_off.d.next = self.col_off.q.val() + (bit_cast::<64, 32>(self.n.q.val()) << 3);
            self.leaf_off.d.next = self.leaf_off.q.val() + self.leaf_step.val();
            self.cfg.d.next = self.inv_cfg.val();
            self.lde_phase.d.next = false;
            self.state.d.next = self.states[1].val();
            if self.col.q.val() + self.one32.val() == self.control.columns.val() {
                self.state.d.next = self.states[5].val();
                if self.then_commit.q.val() {
                    self.state.d.next = self.states[6].val();
                } else if self.mem_err.q.val() | self.coeffs_rd.error.val() | self.leaves_wr.error.val() {
                    self.status.d.next = self.err_memory.val();
                }
            }
        }
        // Commit, after the leaves' last writes were answered (Lde's state 4) or at once.
        if self.state.q.val() == self.states[6].val() {
            self.state.d.next = self.states[7].val();
        }
        if self.state.q.val() == self.states[7].val() {
            self.commit_err.d.next = self.commit_err.q.val() | self.commit_errs.val();
            if !self.commit.busy.val() {
                self.state.d.next = self.states[5].val();
                if self.mem_err.q.val() | self.commit_err.q.val() | self.commit_errs.val() {
                    self.status.d.next = self.err_memory.val();
                }
            }
        }
        if self.state.q.val() == self.states[5].val() {
            self.state.d.next = self.states[0].val();
        }
        if self.reset.val() {
            self.state.d.next = self.states[0].val();
            self.have0.d.next = false;
            self.pending.d.next = self.zero2.val();
            self.lde_phase.d.next = false;
            self.item_st.d.next = self.zero2.val();
            self.wr_st.d.next = self.zero2.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust-HDL's checks (no undriven signals, no logic loops) pass and the Verilog has the
    /// Vitis port names; the behaviour is tested in sim/tests/rtl_kernel.rs.
    #[test]
    fn generates_verilog_with_vitis_port_names() {
        // The Poseidon pipeline is deep: Rust-HDL walks it recursively.
        let v = std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(|| {
                let mut uut = Box::<ParallaxKernel>::default();
                uut.connect_all();
                generate_verilog(uut.as_ref())
            })
            .unwrap()
            .join()
            .unwrap();
        for port in [
            "ap_clk", "ap_rst_n", "interrupt", "s_axi_control_awaddr", "m_axi_gmem0_araddr", "m_axi_gmem1_wdata",
            "m_axi_gmem2_bready", "m_axi_gmem2_arvalid", "m_axi_gmem3_rdata", "m_axi_gmem4_wlast",
        ] {
            assert!(v.contains(port), "{port}");
        }
    }
}
