use rust_hdl::prelude::*;

const IDLE: u64 = 0;
const START: u64 = 1;
const DATA: u64 = 2;
const STOP: u64 = 3;

/// UART receiver, 8N1, LSB first, `clocks_per_bit` clocks per bit (>= 4; e.g. 868 for 115200
/// baud at 100 MHz). The line is synchronised through two flops; a falling edge starts a
/// frame, each bit is sampled mid-bit; a start bit that is high again at mid-bit is a glitch
/// (ignored), a low stop bit is a framing error (`frame_error` pulse, no byte).
#[derive(LogicBlock)]
pub struct UartRx {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // The serial line (idle high)
    pub rx: Signal<In, Bit>,
    // One-cycle pulse with each received byte
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<8>>,
    pub frame_error: Signal<Out, Bit>,
    // Internals
    s1: DFF<Bit>,
    s2: DFF<Bit>,
    state: DFF<Bits<2>>,
    count: DFF<Bits<16>>,
    bit_idx: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    out_valid: DFF<Bit>,
    out_err: DFF<Bit>,
    full: Constant<Bits<16>>,
    half: Constant<Bits<16>>,
    s_idle: Constant<Bits<2>>,
    s_start: Constant<Bits<2>>,
    s_data: Constant<Bits<2>>,
    s_stop: Constant<Bits<2>>,
    z16: Constant<Bits<16>>,
    o16: Constant<Bits<16>>,
    z3: Constant<Bits<3>>,
    o3: Constant<Bits<3>>,
    seven3: Constant<Bits<3>>,
    msb: Signal<Local, Bits<8>>,
    z8: Constant<Bits<8>>,
    c80: Constant<Bits<8>>,
}

impl UartRx {
    pub fn new(clocks_per_bit: u16) -> Self {
        assert!(clocks_per_bit >= 4, "at least 4 clocks per bit");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            frame_error: Default::default(),
            s1: Default::default(),
            s2: Default::default(),
            state: Default::default(),
            count: Default::default(),
            bit_idx: Default::default(),
            shift: Default::default(),
            out_valid: Default::default(),
            out_err: Default::default(),
            full: Constant::new((clocks_per_bit as u64 - 1).to_bits()),
            half: Constant::new((clocks_per_bit as u64 / 2 - 1).to_bits()),
            s_idle: Constant::new(IDLE.to_bits()),
            s_start: Constant::new(START.to_bits()),
            s_data: Constant::new(DATA.to_bits()),
            s_stop: Constant::new(STOP.to_bits()),
            z16: Constant::new(0u64.to_bits()),
            o16: Constant::new(1u64.to_bits()),
            z3: Constant::new(0u64.to_bits()),
            o3: Constant::new(1u64.to_bits()),
            seven3: Constant::new(7u64.to_bits()),
            msb: Default::default(),
            z8: Constant::new(0u64.to_bits()),
            c80: Constant::new(0x80u64.to_bits()),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, s1, s2, state, count, bit_idx, shift, out_valid, out_err);
        self.s1.d.next = self.rx.val();
        self.s2.d.next = self.s1.q.val();
        self.out_valid.d.next = false;
        self.out_err.d.next = false;
        self.msb.next = self.z8.val();
        if self.s2.q.val() {
            self.msb.next = self.c80.val();
        }
        if self.count.q.val() != self.z16.val() {
            self.count.d.next = self.count.q.val() - self.o16.val();
        }
        if self.state.q.val() == self.s_idle.val() {
            if !self.s2.q.val() {
                self.state.d.next = self.s_start.val();
                self.count.d.next = self.half.val();
            }
        }
        if (self.state.q.val() == self.s_start.val()) & (self.count.q.val() == self.z16.val()) {
            if self.s2.q.val() {
                self.state.d.next = self.s_idle.val();
            } else {
                self.state.d.next = self.s_data.val();
                self.count.d.next = self.full.val();
                self.bit_idx.d.next = self.z3.val();
            }
        }
        if (self.state.q.val() == self.s_data.val()) & (self.count.q.val() == self.z16.val()) {
            self.shift.d.next = (self.shift.q.val() >> 1) | self.msb.val();
            self.bit_idx.d.next = self.bit_idx.q.val() + self.o3.val();
            self.count.d.next = self.full.val();
            if self.bit_idx.q.val() == self.seven3.val() {
                self.state.d.next = self.s_stop.val();
            }
        }
        if (self.state.q.val() == self.s_stop.val()) & (self.count.q.val() == self.z16.val()) {
            self.state.d.next = self.s_idle.val();
            self.out_valid.d.next = self.s2.q.val();
            self.out_err.d.next = !self.s2.q.val();
        }
        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.count.d.next = self.z16.val();
            self.out_valid.d.next = false;
            self.out_err.d.next = false;
            self.s1.d.next = true;
            self.s2.d.next = true;
        }
        self.valid.next = self.out_valid.q.val();
        self.data.next = self.shift.q.val();
        self.frame_error.next = self.out_err.q.val();
    }
}
