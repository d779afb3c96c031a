//! `KernelControl`: the kernel's AXI4-Lite control slave (`s_axi_control`) with XRT's
//! `ap_ctrl_hs` register map, exactly as [crate::regmap] documents it and as the simulated card
//! (`sim/src/card.rs`) behaves:
//!
//! | register | behaviour |
//! |---|---|
//! | `CTRL` bit 0 `ap_start` | a host write of 1 sets it while idle; it reads 1 until the core reports done (a sequential `ap_ctrl_hs` kernel takes its start with `ap_ready` at the end) |
//! | `CTRL` bit 1 `ap_done`, bit 3 `ap_ready` | set when the core reports done; both cleared by a read of `CTRL` |
//! | `CTRL` bit 2 `ap_idle` | 1 unless a command runs |
//! | `GIE` bit 0, `IER` bits 1:0 | read/write |
//! | `ISR` bits 1:0 | set by done (bit 0) / ready (bit 1) when enabled in `IER`; a write toggles the bits written as 1 |
//! | arguments | read/write, 64-bit ones as two words, low first; a write while `ap_start` or a command is pending is ignored (SLVERR) |
//! | `STATUS`, `CYCLES` | read-only: the core's status and cycle count latched at done; writes answer SLVERR |
//!
//! Unaligned addresses and those at or above `regmap::SPACE` answer SLVERR (reads return 0,
//! and a CTRL read there clears nothing; as the simulated card refuses them); the unused upper words
//! of the scalar slots read 0 and ignore writes. Byte strobes apply to every writable register.
//! `interrupt` = `GIE & (ISR != 0)`.
//!
//! AXI4-Lite: AW and W are taken independently (either order, or together) into one-deep
//! holding registers; the write happens once both are held and the B channel is free, and
//! BVALID stays up until BREADY. AR is taken when the R channel is free, RVALID stays up until
//! RREADY. Every READY/VALID output is a register or depends on registers only, never
//! combinationally on the master's VALID/READY. Throughput: one write and one read every two
//! cycles, concurrently, which is plenty for a control interface.
//!
//! Core side: `start` is high for exactly one cycle when the kernel takes `ap_start`; the
//! argument outputs are registers that cannot change from then until `done` (a one-cycle pulse
//! from the core, ignored while no command runs), when `status` and `cycles` are latched.
//! Reset (`ap_rst_n` low, synchronous, as Vitis drives it) clears every register, arguments
//! included (as `Card::reset` does).

use crate::regmap::{self, ARGS};
use crate::vitis::CONTROL_ADDR_BITS;
use rust_hdl::prelude::*;

/// 32-bit argument words: one per scalar, two per buffer.
pub const ARG_WORDS: usize = 15;
/// Word address bits: byte address bits 11:2.
const WORD_BITS: usize = 10;
const ADDR_BITS: usize = CONTROL_ADDR_BITS as usize;
const _: () = assert!(regmap::SPACE <= 1 << CONTROL_ADDR_BITS, "the registers fit the aperture");

/// AXI response codes.
pub const RESP_OKAY: u64 = 0;
pub const RESP_SLVERR: u64 = 2;

/// Byte offsets of the argument words in [ARGS] order: a scalar's word, a buffer's low then
/// high word. The index here is the index of the `args` register in [KernelControl].
pub fn arg_word_offsets() -> [u32; ARG_WORDS] {
    let mut v = vec![];
    for a in &ARGS {
        v.push(a.offset);
        if a.buffer {
            v.push(a.offset + 4);
        }
    }
    v.try_into().expect("ARG_WORDS words of arguments")
}

fn word(byte_offset: u32) -> Constant<Bits<WORD_BITS>> {
    Constant::new(((byte_offset / 4) as u64).to_bits())
}

#[derive(LogicBlock)]
pub struct KernelControl {
    // Clocking (Vitis names: the kernel top exposes these ports unchanged)
    pub ap_clk: Signal<In, Clock>,
    pub ap_rst_n: Signal<In, Bit>,
    // AXI4-Lite write address and data
    pub s_axi_control_awvalid: Signal<In, Bit>,
    pub s_axi_control_awready: Signal<Out, Bit>,
    pub s_axi_control_awaddr: Signal<In, Bits<ADDR_BITS>>,
    pub s_axi_control_wvalid: Signal<In, Bit>,
    pub s_axi_control_wready: Signal<Out, Bit>,
    pub s_axi_control_wdata: Signal<In, Bits<32>>,
    pub s_axi_control_wstrb: Signal<In, Bits<4>>,
    // AXI4-Lite write response
    pub s_axi_control_bvalid: Signal<Out, Bit>,
    pub s_axi_control_bready: Signal<In, Bit>,
    pub s_axi_control_bresp: Signal<Out, Bits<2>>,
    // AXI4-Lite read address and data
    pub s_axi_control_arvalid: Signal<In, Bit>,
    pub s_axi_control_arready: Signal<Out, Bit>,
    pub s_axi_control_araddr: Signal<In, Bits<ADDR_BITS>>,
    pub s_axi_control_rvalid: Signal<Out, Bit>,
    pub s_axi_control_rready: Signal<In, Bit>,
    pub s_axi_control_rdata: Signal<Out, Bits<32>>,
    pub s_axi_control_rresp: Signal<Out, Bits<2>>,
    pub interrupt: Signal<Out, Bit>,
    // To the core: the start pulse and the arguments (regmap order)
    pub start: Signal<Out, Bit>,
    pub command: Signal<Out, Bits<32>>,
    pub log_rows: Signal<Out, Bits<32>>,
    pub columns: Signal<Out, Bits<32>>,
    pub rate_bits: Signal<Out, Bits<32>>,
    pub cap_height: Signal<Out, Bits<32>>,
    pub values: Signal<Out, Bits<64>>,
    pub coeffs: Signal<Out, Bits<64>>,
    pub leaves: Signal<Out, Bits<64>>,
    pub digests: Signal<Out, Bits<64>>,
    pub cap: Signal<Out, Bits<64>>,
    // From the core
    pub done: Signal<In, Bit>,
    pub status: Signal<In, Bits<32>>,
    pub cycles: Signal<In, Bits<64>>,
    // AXI channel state
    aw_held: DFF<Bit>,
    aw_addr: DFF<Bits<ADDR_BITS>>,
    w_held: DFF<Bit>,
    w_data: DFF<Bits<32>>,
    w_strb: DFF<Bits<4>>,
    b_valid: DFF<Bit>,
    b_resp: DFF<Bits<2>>,
    r_valid: DFF<Bit>,
    r_data: DFF<Bits<32>>,
    r_resp: DFF<Bits<2>>,
    // ap_ctrl_hs state
    // One-bit vectors, not `Bit`, so that CTRL and GIE read back as `bit_cast`s: Rust-HDL emits
    // `replace_bit` of a `Bit` as a shift in 32-bit context, where `~x` is not a one-bit NOT.
    ap_start: DFF<Bits<1>>,
    busy: DFF<Bit>,
    ap_done: DFF<Bits<1>>,
    ap_ready: DFF<Bits<1>>,
    idle: Signal<Local, Bits<1>>,
    gie: DFF<Bits<1>>,
    ier: DFF<Bits<2>>,
    isr: DFF<Bits<2>>,
    args: [DFF<Bits<32>>; ARG_WORDS],
    status_q: DFF<Bits<32>>,
    cycles_q: DFF<Bits<64>>,
    // Decoding
    w_word: Signal<Local, Bits<WORD_BITS>>,
    r_word: Signal<Local, Bits<WORD_BITS>>,
    do_write: Signal<Local, Bit>,
    do_read: Signal<Local, Bit>,
    finish: Signal<Local, Bit>,
    pending: Signal<Local, Bit>,
    w_slverr: Signal<Local, Bit>,
    wmask: Signal<Local, Bits<32>>,
    isr_w: Signal<Local, Bits<2>>,
    strb_masks: [Constant<Bits<32>>; 16],
    arg_word: [Constant<Bits<WORD_BITS>>; ARG_WORDS],
    word_ctrl: Constant<Bits<WORD_BITS>>,
    word_gie: Constant<Bits<WORD_BITS>>,
    word_ier: Constant<Bits<WORD_BITS>>,
    word_isr: Constant<Bits<WORD_BITS>>,
    word_status: Constant<Bits<WORD_BITS>>,
    word_cycles_lo: Constant<Bits<WORD_BITS>>,
    word_cycles_hi: Constant<Bits<WORD_BITS>>,
    word_args_begin: Constant<Bits<WORD_BITS>>,
    word_space: Constant<Bits<WORD_BITS>>,
    okay: Constant<Bits<2>>,
    slverr: Constant<Bits<2>>,
    zero1: Constant<Bits<1>>,
    one1: Constant<Bits<1>>,
    zero2: Constant<Bits<2>>,
    zero32: Constant<Bits<32>>,
    zero64: Constant<Bits<64>>,
}

impl Default for KernelControl {
    fn default() -> Self {
        let names: Vec<_> = ARGS.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            ["command", "log_rows", "columns", "rate_bits", "cap_height", "values", "coeffs", "leaves", "digests", "cap"],
            "the output ports follow regmap::ARGS"
        );
        let offsets = arg_word_offsets();
        assert!(offsets.iter().all(|o| (regmap::ARG_COMMAND..regmap::STATUS).contains(o)));
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
            start: Default::default(),
            command: Default::default(),
            log_rows: Default::default(),
            columns: Default::default(),
            rate_bits: Default::default(),
            cap_height: Default::default(),
            values: Default::default(),
            coeffs: Default::default(),
            leaves: Default::default(),
            digests: Default::default(),
            cap: Default::default(),
            done: Default::default(),
            status: Default::default(),
            cycles: Default::default(),
            aw_held: Default::default(),
            aw_addr: Default::default(),
            w_held: Default::default(),
            w_data: Default::default(),
            w_strb: Default::default(),
            b_valid: Default::default(),
            b_resp: Default::default(),
            r_valid: Default::default(),
            r_data: Default::default(),
            r_resp: Default::default(),
            ap_start: Default::default(),
            busy: Default::default(),
            idle: Default::default(),
            ap_done: Default::default(),
            ap_ready: Default::default(),
            gie: Default::default(),
            ier: Default::default(),
            isr: Default::default(),
            args: Default::default(),
            status_q: Default::default(),
            cycles_q: Default::default(),
            w_word: Default::default(),
            r_word: Default::default(),
            do_write: Default::default(),
            do_read: Default::default(),
            finish: Default::default(),
            pending: Default::default(),
            w_slverr: Default::default(),
            wmask: Default::default(),
            isr_w: Default::default(),
            // Byte-lane mask of each WSTRB value.
            strb_masks: std::array::from_fn(|s| {
                let m = (0..4)
                    .filter(|b| (s >> b) & 1 == 1)
                    .fold(0u64, |m, b| m | 0xFF << (8 * b));
                Constant::new(m.to_bits())
            }),
            arg_word: std::array::from_fn(|i| word(offsets[i])),
            word_ctrl: word(regmap::CTRL),
            word_gie: word(regmap::GIE),
            word_ier: word(regmap::IER),
            word_isr: word(regmap::ISR),
            word_status: word(regmap::STATUS),
            word_cycles_lo: word(regmap::CYCLES),
            word_cycles_hi: word(regmap::CYCLES + 4),
            word_args_begin: word(regmap::ARG_COMMAND),
            word_space: word(regmap::SPACE),
            okay: Constant::new(RESP_OKAY.to_bits()),
            slverr: Constant::new(RESP_SLVERR.to_bits()),
            zero1: Constant::new(0u64.to_bits()),
            one1: Constant::new(1u64.to_bits()),
            zero2: Constant::new(0u64.to_bits()),
            zero32: Constant::new(0u64.to_bits()),
            zero64: Constant::new(0u64.to_bits()),
        }
    }
}

impl Logic for KernelControl {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, ap_clk, aw_held, aw_addr, w_held, w_data, w_strb, b_valid, b_resp, r_valid,
            r_data, r_resp, ap_start, busy, ap_done, ap_ready, gie, ier, isr, status_q, cycles_q
        );
        for i in 0..ARG_WORDS {
            self.args[i].clock.next = self.ap_clk.val();
            self.args[i].d.next = self.args[i].q.val();
        }

        // Ready/valid outputs depend on registers only.
        self.s_axi_control_awready.next = !self.aw_held.q.val();
        self.s_axi_control_wready.next = !self.w_held.q.val();
        self.s_axi_control_bvalid.next = self.b_valid.q.val();
        self.s_axi_control_bresp.next = self.b_resp.q.val();
        self.s_axi_control_arready.next = !self.r_valid.q.val();
        self.s_axi_control_rvalid.next = self.r_valid.q.val();
        self.s_axi_control_rdata.next = self.r_data.q.val();
        self.s_axi_control_rresp.next = self.r_resp.q.val();

        // Address and data phases, each into its holding register.
        if self.s_axi_control_awvalid.val() & !self.aw_held.q.val() {
            self.aw_held.d.next = true;
            self.aw_addr.d.next = self.s_axi_control_awaddr.val();
        }
        if self.s_axi_control_wvalid.val() & !self.w_held.q.val() {
            self.w_held.d.next = true;
            self.w_data.d.next = self.s_axi_control_wdata.val();
            self.w_strb.d.next = self.s_axi_control_wstrb.val();
        }
        if self.b_valid.q.val() & self.s_axi_control_bready.val() {
            self.b_valid.d.next = false;
        }
        if self.r_valid.q.val() & self.s_axi_control_rready.val() {
            self.r_valid.d.next = false;
        }

        // A command is pending from the host's start until the core's done.
        self.pending.next = self.ap_start.q.val().any() | self.busy.q.val();
        self.finish.next = self.busy.q.val() & self.done.val();
        self.idle.next = self.zero1.val();
        if !self.busy.q.val() {
            self.idle.next = self.one1.val();
        }

        // The write: both phases held and the B channel free.
        self.do_write.next = self.aw_held.q.val() & self.w_held.q.val() & !self.b_valid.q.val();
        self.w_word.next = self.aw_addr.q.val().get_bits::<WORD_BITS>(2);
        self.wmask.next = self.strb_masks[0].val();
        for s in 1..16 {
            if self.w_strb.q.val() == s.to_bits() {
                self.wmask.next = self.strb_masks[s].val();
            }
        }
        // SLVERR: unaligned, out of the register space, read-only, or an argument while
        // pending.
        self.w_slverr.next = self.aw_addr.q.val().get_bits::<2>(0).any()
            | (self.w_word.val() >= self.word_space.val())
            | (self.w_word.val() == self.word_status.val())
            | (self.w_word.val() == self.word_cycles_lo.val())
            | (self.w_word.val() == self.word_cycles_hi.val())
            | (self.pending.val()
                & (self.w_word.val() >= self.word_args_begin.val())
                & (self.w_word.val() < self.word_status.val()));
        if self.do_write.val() {
            self.aw_held.d.next = false;
            self.w_held.d.next = false;
            self.b_valid.d.next = true;
            self.b_resp.d.next = self.okay.val();
            if self.w_slverr.val() {
                self.b_resp.d.next = self.slverr.val();
            }
        }
        for i in 0..ARG_WORDS {
            if self.do_write.val()
                & !self.w_slverr.val()
                & (self.w_word.val() == self.arg_word[i].val())
            {
                self.args[i].d.next = (self.args[i].q.val() & !self.wmask.val())
                    | (self.w_data.q.val() & self.wmask.val());
            }
        }
        if self.do_write.val() & !self.w_slverr.val() & self.w_strb.q.val().get_bit(0) {
            if self.w_word.val() == self.word_gie.val() {
                self.gie.d.next = self.w_data.q.val().get_bits::<1>(0);
            }
            if self.w_word.val() == self.word_ier.val() {
                self.ier.d.next = self.w_data.q.val().get_bits::<2>(0);
            }
            if (self.w_word.val() == self.word_ctrl.val())
                & !self.w_slverr.val()
                & self.w_data.q.val().get_bit(0)
                & !self.pending.val()
            {
                self.ap_start.d.next = self.one1.val();
            }
        }

        // The read: AR taken when R is free; the data is what the registers hold now.
        self.do_read.next = self.s_axi_control_arvalid.val() & !self.r_valid.q.val();
        self.r_word.next = self.s_axi_control_araddr.val().get_bits::<WORD_BITS>(2);
        if self.do_read.val() {
            self.r_valid.d.next = true;
            self.r_resp.d.next = self.okay.val();
            self.r_data.d.next = self.zero32.val();
            if self.r_word.val() == self.word_ctrl.val() {
                self.r_data.d.next = bit_cast::<32, 1>(self.ap_start.q.val())
                    | (bit_cast::<32, 1>(self.ap_done.q.val()) << 1)
                    | (bit_cast::<32, 1>(self.idle.val()) << 2)
                    | (bit_cast::<32, 1>(self.ap_ready.q.val()) << 3);
                // Clear on read; a done in this very cycle still sets them (below).
                self.ap_done.d.next = self.zero1.val();
                self.ap_ready.d.next = self.zero1.val();
            }
            if self.r_word.val() == self.word_gie.val() {
                self.r_data.d.next = bit_cast::<32, 1>(self.gie.q.val());
            }
            if self.r_word.val() == self.word_ier.val() {
                self.r_data.d.next = bit_cast::<32, 2>(self.ier.q.val());
            }
            if self.r_word.val() == self.word_isr.val() {
                self.r_data.d.next = bit_cast::<32, 2>(self.isr.q.val());
            }
            for i in 0..ARG_WORDS {
                if self.r_word.val() == self.arg_word[i].val() {
                    self.r_data.d.next = self.args[i].q.val();
                }
            }
            if self.r_word.val() == self.word_status.val() {
                self.r_data.d.next = self.status_q.q.val();
            }
            if self.r_word.val() == self.word_cycles_lo.val() {
                self.r_data.d.next = self.cycles_q.q.val().get_bits::<32>(0);
            }
            if self.r_word.val() == self.word_cycles_hi.val() {
                self.r_data.d.next = self.cycles_q.q.val().get_bits::<32>(32);
            }
            // Unaligned or out of the register space: SLVERR, data 0 (after the decode above,
            // which matched nothing for an out-of-space word).
            if self.s_axi_control_araddr.val().get_bits::<2>(0).any()
                | (self.r_word.val() >= self.word_space.val())
            {
                self.r_resp.d.next = self.slverr.val();
                self.r_data.d.next = self.zero32.val();
                self.ap_done.d.next = self.ap_done.q.val();
                self.ap_ready.d.next = self.ap_ready.q.val();
            }
        }

        // The kernel takes ap_start: one start pulse, then busy until the core's done.
        self.start.next = self.ap_start.q.val().any() & !self.busy.q.val();
        if self.ap_start.q.val().any() & !self.busy.q.val() {
            self.busy.d.next = true;
        }
        if self.finish.val() {
            self.busy.d.next = false;
            self.ap_start.d.next = self.zero1.val();
            self.ap_done.d.next = self.one1.val();
            self.ap_ready.d.next = self.one1.val();
            self.status_q.d.next = self.status.val();
            self.cycles_q.d.next = self.cycles.val();
        }
        // ISR: toggle on write; done and ready (which coincide) set the bits enabled in IER,
        // winning over a toggle in the same cycle.
        self.isr_w.next = self.isr.q.val();
        if self.do_write.val()
            & !self.w_slverr.val()
            & self.w_strb.q.val().get_bit(0)
            & (self.w_word.val() == self.word_isr.val())
        {
            self.isr_w.next = self.isr.q.val() ^ self.w_data.q.val().get_bits::<2>(0);
        }
        self.isr.d.next = self.isr_w.val();
        if self.finish.val() {
            self.isr.d.next = self.isr_w.val() | self.ier.q.val();
        }
        self.interrupt.next = self.gie.q.val().any() & self.isr.q.val().any();

        // The arguments as the core sees them.
        self.command.next = self.args[0].q.val();
        self.log_rows.next = self.args[1].q.val();
        self.columns.next = self.args[2].q.val();
        self.rate_bits.next = self.args[3].q.val();
        self.cap_height.next = self.args[4].q.val();
        self.values.next =
            bit_cast::<64, 32>(self.args[5].q.val()) | (bit_cast::<64, 32>(self.args[6].q.val()) << 32);
        self.coeffs.next =
            bit_cast::<64, 32>(self.args[7].q.val()) | (bit_cast::<64, 32>(self.args[8].q.val()) << 32);
        self.leaves.next =
            bit_cast::<64, 32>(self.args[9].q.val()) | (bit_cast::<64, 32>(self.args[10].q.val()) << 32);
        self.digests.next = bit_cast::<64, 32>(self.args[11].q.val())
            | (bit_cast::<64, 32>(self.args[12].q.val()) << 32);
        self.cap.next = bit_cast::<64, 32>(self.args[13].q.val())
            | (bit_cast::<64, 32>(self.args[14].q.val()) << 32);

        // Synchronous active-low reset of every register.
        if !self.ap_rst_n.val() {
            self.aw_held.d.next = false;
            self.w_held.d.next = false;
            self.b_valid.d.next = false;
            self.r_valid.d.next = false;
            self.ap_start.d.next = self.zero1.val();
            self.busy.d.next = false;
            self.ap_done.d.next = self.zero1.val();
            self.ap_ready.d.next = self.zero1.val();
            self.gie.d.next = self.zero1.val();
            self.ier.d.next = self.zero2.val();
            self.isr.d.next = self.zero2.val();
            self.status_q.d.next = self.zero32.val();
            self.cycles_q.d.next = self.zero64.val();
            for i in 0..ARG_WORDS {
                self.args[i].d.next = self.zero32.val();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_words_follow_the_register_map() {
        let w = arg_word_offsets();
        assert_eq!(w[0], regmap::ARG_COMMAND);
        assert_eq!(w[4], regmap::ARG_CAP_HEIGHT);
        // Buffers: low word at the argument's offset, high word 4 bytes above.
        for (k, &b) in regmap::BUFFER_ARGS.iter().enumerate() {
            assert_eq!((w[5 + 2 * k], w[6 + 2 * k]), (b, b + 4));
        }
    }

    #[test]
    fn synthesizes_to_verilog() {
        let mut uut = KernelControl::default();
        uut.connect_all();
        let v = generate_verilog(&uut);
        assert!(v.contains("s_axi_control_awvalid") && v.contains("ap_rst_n"));
    }
}
