//! `AxiWriteEngine`: writes a stream of `words` 64-bit words over an AXI4 master's AW/W/B
//! channels, word k at `base + 8 * k * stride`. With `stride` 1 the words go out as INCR bursts
//! of at most [MAX_BURST] beats that never cross a 4 KiB boundary; any other stride (the LDE's
//! row-major leaves: one column's words are `columns` apart) writes one beat per word. One burst
//! is outstanding at a time and `busy` stays high until the last write response, so memory
//! holds every word once `busy` falls. `error` is set by a BRESP other than OKAY and held until
//! the next `start`.
//!
//! Stream side: WVALID/WDATA are `in_valid`/`in_data` passed through during a burst's data phase
//! and `in_ready` is WREADY then, so no combinational path runs from the memory system into a
//! producer whose VALID depends on registers only (the NTT core's output).

pub use super::axi_read::MAX_BURST;
use rust_hdl::prelude::*;

const IDLE: u64 = 0;
const ADDR: u64 = 1;
const DATA: u64 = 2;
const RESP: u64 = 3;

#[derive(LogicBlock)]
pub struct AxiWriteEngine {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Command: a pulse of `start` with the transfer; `busy` until its last response
    pub start: Signal<In, Bit>,
    pub base: Signal<In, Bits<64>>,
    pub words: Signal<In, Bits<32>>,
    pub stride: Signal<In, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    // Word stream in
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_data: Signal<In, Bits<64>>,
    // AXI4 write address
    pub awaddr: Signal<Out, Bits<64>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    // AXI4 write data
    pub wdata: Signal<Out, Bits<64>>,
    pub wstrb: Signal<Out, Bits<8>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    // AXI4 write response
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    // State
    state: DFF<Bits<2>>,
    addr: DFF<Bits<64>>,
    remaining: DFF<Bits<32>>,
    burst_left: DFF<Bits<32>>,
    step: DFF<Bits<64>>,
    contiguous: DFF<Bit>,
    err: DFF<Bit>,
    // Burst length: 1, or min(MAX_BURST, remaining, beats to the next 4 KiB boundary)
    to_4k: Signal<Local, Bits<32>>,
    len_a: Signal<Local, Bits<32>>,
    len_b: Signal<Local, Bits<32>>,
    len: Signal<Local, Bits<32>>,
    max_burst: Constant<Bits<32>>,
    beats_4k: Constant<Bits<32>>,
    one8: Constant<Bits<8>>,
    one32: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    all_bytes: Constant<Bits<8>>,
    size_8b: Constant<Bits<3>>,
    incr: Constant<Bits<2>>,
    okay: Constant<Bits<2>>,
    s_idle: Constant<Bits<2>>,
    s_addr: Constant<Bits<2>>,
    s_data: Constant<Bits<2>>,
    s_resp: Constant<Bits<2>>,
}

impl Default for AxiWriteEngine {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            base: Default::default(),
            words: Default::default(),
            stride: Default::default(),
            busy: Default::default(),
            error: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            in_data: Default::default(),
            awaddr: Default::default(),
            awlen: Default::default(),
            awsize: Default::default(),
            awburst: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wlast: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            state: Default::default(),
            addr: Default::default(),
            remaining: Default::default(),
            burst_left: Default::default(),
            step: Default::default(),
            contiguous: Default::default(),
            err: Default::default(),
            to_4k: Default::default(),
            len_a: Default::default(),
            len_b: Default::default(),
            len: Default::default(),
            max_burst: Constant::new(MAX_BURST.to_bits()),
            beats_4k: Constant::new(512u64.to_bits()),
            one8: Constant::new(1u64.to_bits()),
            one32: Constant::new(1u64.to_bits()),
            zero32: Constant::new(0u64.to_bits()),
            all_bytes: Constant::new(0xFFu64.to_bits()),
            size_8b: Constant::new(3u64.to_bits()),
            incr: Constant::new(1u64.to_bits()),
            okay: Constant::new(0u64.to_bits()),
            s_idle: Constant::new(IDLE.to_bits()),
            s_addr: Constant::new(ADDR.to_bits()),
            s_data: Constant::new(DATA.to_bits()),
            s_resp: Constant::new(RESP.to_bits()),
        }
    }
}

impl Logic for AxiWriteEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, addr, remaining, burst_left, step, contiguous, err);
        self.to_4k.next = self.beats_4k.val() - bit_cast::<32, 9>(self.addr.q.val().get_bits::<9>(3));
        self.len_a.next = self.max_burst.val();
        if self.remaining.q.val() < self.max_burst.val() {
            self.len_a.next = self.remaining.q.val();
        }
        self.len_b.next = self.len_a.val();
        if self.to_4k.val() < self.len_a.val() {
            self.len_b.next = self.to_4k.val();
        }
        self.len.next = self.one32.val();
        if self.contiguous.q.val() {
            self.len.next = self.len_b.val();
        }

        self.busy.next = self.state.q.val() != self.s_idle.val();
        self.error.next = self.err.q.val();
        self.awaddr.next = self.addr.q.val();
        // len <= MAX_BURST; sliced before the subtraction (Verilog cannot slice an expression).
        self.awlen.next = self.len.val().get_bits::<8>(0) - self.one8.val();
        self.awsize.next = self.size_8b.val();
        self.awburst.next = self.incr.val();
        self.awvalid.next = self.state.q.val() == self.s_addr.val();
        self.wvalid.next = self.in_valid.val() & (self.state.q.val() == self.s_data.val());
        self.in_ready.next = self.wready.val() & (self.state.q.val() == self.s_data.val());
        self.wdata.next = self.in_data.val();
        self.wstrb.next = self.all_bytes.val();
        self.wlast.next = self.burst_left.q.val() == self.one32.val();
        self.bready.next = self.state.q.val() == self.s_resp.val();

        if (self.state.q.val() == self.s_idle.val()) & self.start.val() {
            self.addr.d.next = self.base.val();
            self.remaining.d.next = self.words.val();
            self.contiguous.d.next = self.stride.val() == self.one32.val();
            self.step.d.next = bit_cast::<64, 32>(self.stride.val()) << 3;
            self.err.d.next = false;
            if self.words.val() != self.zero32.val() {
                self.state.d.next = self.s_addr.val();
            }
        }
        if (self.state.q.val() == self.s_addr.val()) & self.awready.val() {
            self.burst_left.d.next = self.len.val();
            self.remaining.d.next = self.remaining.q.val() - self.len.val();
            // Contiguous: past the burst; strided: one stride on.
            self.addr.d.next = self.addr.q.val() + self.step.q.val();
            if self.contiguous.q.val() {
                self.addr.d.next = self.addr.q.val() + (bit_cast::<64, 32>(self.len.val()) << 3);
            }
            self.state.d.next = self.s_data.val();
        }
        if self.in_valid.val() & self.wready.val() & (self.state.q.val() == self.s_data.val()) {
            self.burst_left.d.next = self.burst_left.q.val() - self.one32.val();
            if self.burst_left.q.val() == self.one32.val() {
                self.state.d.next = self.s_resp.val();
            }
        }
        if (self.state.q.val() == self.s_resp.val()) & self.bvalid.val() {
            if self.bresp.val() != self.okay.val() {
                self.err.d.next = true;
            }
            self.state.d.next = self.s_addr.val();
            if self.remaining.q.val() == self.zero32.val() {
                self.state.d.next = self.s_idle.val();
            }
        }
        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.err.d.next = false;
        }
    }
}
