//! `ParallaxKernel`: the kernel top for the LDE command on on-chip sizes: the control slave
//! ([KernelControl]), two read and two write engines and one [NttCore]. Per column c, with
//! n = 2^log_rows:
//!
//! 1. `values[c n ..]` (port `m_axi_gmem0`) -> inverse NTT -> `coeffs[c n ..]` (`m_axi_gmem1`);
//! 2. once those writes are answered, `coeffs[c n ..]` back (`m_axi_gmem1`) -> coset LDE with
//!    bit-reversed output -> `leaves[r columns + c]` for r = 0 .. n 2^rate_bits (`m_axi_gmem2`,
//!    strided single-beat writes).
//!
//! which is plonky2's `from_values` LDE with the leaves in `MerkleTree::leaves` order (the same
//! two core jobs as the simulator's controller). Then `done` with the status and the cycles from
//! start to done. Scope, for now: the `Lde` command only (`Commit` and `LdeAndCommit` answer
//! `BadCommand`: the Poseidon path and the `digests`/`cap` ports are not wired), log_rows +
//! rate_bits <= 12 (no four-step schedule), no address range check (`BadAddress` is never
//! reported), one column at a time. A memory error on any transfer ends the command with
//! `MemoryFault` after the transfers of that column.

use super::axi_read::AxiReadEngine;
use super::axi_write::AxiWriteEngine;
use super::control::KernelControl;
use crate::ntt::{NttCore, CFG_BITS, MAX_LOG_N};
use crate::regmap;
use crate::vitis::CONTROL_ADDR_BITS;
use rust_hdl::prelude::*;

const ADDR_BITS: usize = CONTROL_ADDR_BITS as usize;

// Sequencer states (`states[i]`): 0 idle, 1 start the inverse job (values -> coeffs), 2 wait
// for it, 3 start the LDE job (coeffs -> leaves), 4 wait for it, 5 report done.

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
    // m_axi_gmem2 (leaves): write only
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
    // m_axi_gmem3 (digests), m_axi_gmem4 (cap): the Commit path's, idle until it is wired
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
    // Constants
    states: [Constant<Bits<3>>; 6],
    one32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    max_log_n: Constant<Bits<32>>,
    max_columns: Constant<Bits<32>>,
    cmd_lde: Constant<Bits<32>>,
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
    zero8: Constant<Bits<8>>,
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
            states: std::array::from_fn(|i| k(i as u64)),
            one32: k(1),
            zero32: k(0),
            max_log_n: k(MAX_LOG_N as u64),
            max_columns: k(regmap::MAX_COLUMNS as u64),
            cmd_lde: k(regmap::Command::Lde as u64),
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
            zero8: k(0),
            one2: k(1),
            two2: k(2),
        }
    }
}

impl Logic for ParallaxKernel {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, ap_clk, state, lde_phase, col, n, col_off, leaf_off, cfg, mem_err, status, cycles,
            have0, word0, pending, out0, out1
        );
        self.reset.next = !self.ap_rst_n.val();
        clock!(self, ap_clk, values_rd, coeffs_rd, coeffs_wr, leaves_wr);
        self.control.ap_clk.next = self.ap_clk.val();
        self.ntt.clock.next = self.ap_clk.val();
        self.control.ap_rst_n.next = self.ap_rst_n.val();
        self.ntt.reset.next = self.reset.val();
        self.values_rd.reset.next = self.reset.val();
        self.coeffs_rd.reset.next = self.reset.val();
        self.coeffs_wr.reset.next = self.reset.val();
        self.leaves_wr.reset.next = self.reset.val();

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
        // m_axi_gmem2: the leaves writer.
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

        // The Commit path's ports stay idle (BREADY high, so a stray response cannot hang).
        self.m_axi_gmem3_awaddr.next = self.zero64.val();
        self.m_axi_gmem3_awlen.next = self.zero8.val();
        self.m_axi_gmem3_awsize.next = self.zero3.val();
        self.m_axi_gmem3_awburst.next = self.zero2.val();
        self.m_axi_gmem3_awvalid.next = false;
        self.m_axi_gmem3_wdata.next = self.zero64.val();
        self.m_axi_gmem3_wstrb.next = self.zero8.val();
        self.m_axi_gmem3_wlast.next = false;
        self.m_axi_gmem3_wvalid.next = false;
        self.m_axi_gmem3_bready.next = true;
        self.m_axi_gmem4_awaddr.next = self.zero64.val();
        self.m_axi_gmem4_awlen.next = self.zero8.val();
        self.m_axi_gmem4_awsize.next = self.zero3.val();
        self.m_axi_gmem4_awburst.next = self.zero2.val();
        self.m_axi_gmem4_awvalid.next = false;
        self.m_axi_gmem4_wdata.next = self.zero64.val();
        self.m_axi_gmem4_wstrb.next = self.zero8.val();
        self.m_axi_gmem4_wlast.next = false;
        self.m_axi_gmem4_wvalid.next = false;
        self.m_axi_gmem4_bready.next = true;

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
            self.state.d.next = self.states[1].val();
            if !self.shape_ok.val() {
                self.status.d.next = self.err_shape.val();
                self.state.d.next = self.states[5].val();
            }
            if self.control.command.val() != self.cmd_lde.val() {
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
                if self.mem_err.q.val() | self.coeffs_rd.error.val() | self.leaves_wr.error.val() {
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
        let mut uut = ParallaxKernel::default();
        uut.connect_all();
        let v = generate_verilog(&uut);
        for port in ["ap_clk", "ap_rst_n", "interrupt", "s_axi_control_awaddr", "m_axi_gmem0_araddr", "m_axi_gmem1_wdata", "m_axi_gmem2_bready"] {
            assert!(v.contains(port), "{port}");
        }
    }
}
