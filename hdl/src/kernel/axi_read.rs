//! `AxiReadEngine`: reads `words` 64-bit words from `base` over an AXI4 master's AR/R channels
//! and streams them out in order. Bursts are INCR, 8-byte beats, at most [MAX_BURST] beats and
//! never across a 4 KiB boundary (an AXI4 rule); one burst is outstanding at a time, so a burst
//! of B beats costs B + ~3 cycles. `error` is set by any RRESP other than OKAY (or an RLAST off
//! the burst's last beat) and held until the next `start`; the data still streams out (the top
//! decides what an error means).
//!
//! Stream side: `out_valid`/`out_data` are RVALID/RDATA passed through and RREADY is
//! `out_ready`, so a consumer whose READY depends on registers only (the NTT core) adds no
//! combinational path back into the memory system. `out_last` marks the transfer's final word.

use rust_hdl::prelude::*;

/// Beats per burst: 16 x 8 bytes = 128 bytes, a DDR4 burst-friendly size.
pub const MAX_BURST: u64 = 16;

const IDLE: u64 = 0;
const ADDR: u64 = 1;
const DATA: u64 = 2;

#[derive(LogicBlock)]
pub struct AxiReadEngine {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Command: a pulse of `start` with the transfer; `busy` until its last word is taken
    pub start: Signal<In, Bit>,
    pub base: Signal<In, Bits<64>>,
    pub words: Signal<In, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    // AXI4 read address
    pub araddr: Signal<Out, Bits<64>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    // AXI4 read data
    pub rdata: Signal<In, Bits<64>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
    // Word stream out
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_data: Signal<Out, Bits<64>>,
    pub out_last: Signal<Out, Bit>,
    // State
    state: DFF<Bits<2>>,
    addr: DFF<Bits<64>>,
    remaining: DFF<Bits<32>>,
    burst_left: DFF<Bits<32>>,
    err: DFF<Bit>,
    // Burst length: min(MAX_BURST, remaining, beats to the next 4 KiB boundary)
    to_4k: Signal<Local, Bits<32>>,
    len_a: Signal<Local, Bits<32>>,
    len: Signal<Local, Bits<32>>,
    beat: Signal<Local, Bit>,
    max_burst: Constant<Bits<32>>,
    beats_4k: Constant<Bits<32>>,
    one8: Constant<Bits<8>>,
    one32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    size_8b: Constant<Bits<3>>,
    incr: Constant<Bits<2>>,
    okay: Constant<Bits<2>>,
    s_idle: Constant<Bits<2>>,
    s_addr: Constant<Bits<2>>,
    s_data: Constant<Bits<2>>,
}

impl Default for AxiReadEngine {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            base: Default::default(),
            words: Default::default(),
            busy: Default::default(),
            error: Default::default(),
            araddr: Default::default(),
            arlen: Default::default(),
            arsize: Default::default(),
            arburst: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            out_data: Default::default(),
            out_last: Default::default(),
            state: Default::default(),
            addr: Default::default(),
            remaining: Default::default(),
            burst_left: Default::default(),
            err: Default::default(),
            to_4k: Default::default(),
            len_a: Default::default(),
            len: Default::default(),
            beat: Default::default(),
            max_burst: Constant::new(MAX_BURST.to_bits()),
            beats_4k: Constant::new(512u64.to_bits()),
            one8: Constant::new(1u64.to_bits()),
            one32: Constant::new(1u64.to_bits()),
            zero32: Constant::new(0u64.to_bits()),
            size_8b: Constant::new(3u64.to_bits()),
            incr: Constant::new(1u64.to_bits()),
            okay: Constant::new(0u64.to_bits()),
            s_idle: Constant::new(IDLE.to_bits()),
            s_addr: Constant::new(ADDR.to_bits()),
            s_data: Constant::new(DATA.to_bits()),
        }
    }
}

impl Logic for AxiReadEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, addr, remaining, burst_left, err);
        self.to_4k.next = self.beats_4k.val() - bit_cast::<32, 9>(self.addr.q.val().get_bits::<9>(3));
        self.len_a.next = self.max_burst.val();
        if self.remaining.q.val() < self.max_burst.val() {
            self.len_a.next = self.remaining.q.val();
        }
        self.len.next = self.len_a.val();
        if self.to_4k.val() < self.len_a.val() {
            self.len.next = self.to_4k.val();
        }

        self.busy.next = self.state.q.val() != self.s_idle.val();
        self.error.next = self.err.q.val();
        self.araddr.next = self.addr.q.val();
        // len <= MAX_BURST; sliced before the subtraction (Verilog cannot slice an expression).
        self.arlen.next = self.len.val().get_bits::<8>(0) - self.one8.val();
        self.arsize.next = self.size_8b.val();
        self.arburst.next = self.incr.val();
        self.arvalid.next = self.state.q.val() == self.s_addr.val();
        // R passes through to the stream while a burst is open.
        self.out_valid.next = self.rvalid.val() & (self.state.q.val() == self.s_data.val());
        self.rready.next = self.out_ready.val() & (self.state.q.val() == self.s_data.val());
        self.out_data.next = self.rdata.val();
        self.out_last.next = (self.burst_left.q.val() == self.one32.val())
            & (self.remaining.q.val() == self.zero32.val());
        self.beat.next = self.rvalid.val() & self.out_ready.val() & (self.state.q.val() == self.s_data.val());

        if (self.state.q.val() == self.s_idle.val()) & self.start.val() {
            self.addr.d.next = self.base.val();
            self.remaining.d.next = self.words.val();
            self.err.d.next = false;
            if self.words.val() != self.zero32.val() {
                self.state.d.next = self.s_addr.val();
            }
        }
        if (self.state.q.val() == self.s_addr.val()) & self.arready.val() {
            self.burst_left.d.next = self.len.val();
            self.remaining.d.next = self.remaining.q.val() - self.len.val();
            self.addr.d.next = self.addr.q.val() + (bit_cast::<64, 32>(self.len.val()) << 3);
            self.state.d.next = self.s_data.val();
        }
        if self.beat.val() {
            self.burst_left.d.next = self.burst_left.q.val() - self.one32.val();
            // A SLVERR/DECERR, or RLAST not on the burst's last beat, is an error.
            if (self.rresp.val() != self.okay.val())
                | (self.rlast.val() != (self.burst_left.q.val() == self.one32.val()))
            {
                self.err.d.next = true;
            }
            // The burst ends at its last beat by count.
            if self.burst_left.q.val() == self.one32.val() {
                self.state.d.next = self.s_addr.val();
                if self.remaining.q.val() == self.zero32.val() {
                    self.state.d.next = self.s_idle.val();
                }
            }
        }
        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.err.d.next = false;
        }
    }
}
