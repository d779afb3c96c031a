use crate::field::{GlAdd, GlMul, GlSub};
use rust_hdl::prelude::*;

/// Gentleman-Sande (decimation-in-frequency) butterfly: `x = a + b`, `y = (a - b) * w`,
/// [NttButterfly::LATENCY] = 10 cycles, one triple per cycle, no back-pressure.
///
/// The adder and subtractor run side by side (2 cycles); `w` waits 2 cycles so it meets
/// `a - b` at the multiplier (8 cycles), and `a + b` waits 8 cycles so both results leave
/// together. With `b = 0` the block is a plain multiplier `y = a * w`, which the NTT core uses to
/// scale its input (coset powers, 1/n) without a second multiplier.
#[derive(LogicBlock, Default)]
pub struct NttButterfly {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Operands (canonical) and twiddle
    pub in_valid: Signal<In, Bit>,
    pub a: Signal<In, Bits<64>>,
    pub b: Signal<In, Bits<64>>,
    pub w: Signal<In, Bits<64>>,
    // Results (canonical), LATENCY cycles after the operands
    pub out_valid: Signal<Out, Bit>,
    pub x: Signal<Out, Bits<64>>,
    pub y: Signal<Out, Bits<64>>,
    // Internals
    add: GlAdd,
    sub: GlSub,
    mul: GlMul,
    w_delay: [DFF<Bits<64>>; 2],
    sum_delay: [DFF<Bits<64>>; 8],
}

impl NttButterfly {
    pub const LATENCY: usize = GlSub::LATENCY + GlMul::LATENCY;
}

impl Logic for NttButterfly {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..2 {
            self.w_delay[i].clock.next = self.clock.val();
        }
        for i in 0..8 {
            self.sum_delay[i].clock.next = self.clock.val();
        }
        self.add.clock.next = self.clock.val();
        self.add.reset.next = self.reset.val();
        self.add.in_valid.next = self.in_valid.val();
        self.add.a.next = self.a.val();
        self.add.b.next = self.b.val();
        self.sub.clock.next = self.clock.val();
        self.sub.reset.next = self.reset.val();
        self.sub.in_valid.next = self.in_valid.val();
        self.sub.a.next = self.a.val();
        self.sub.b.next = self.b.val();
        // w meets a - b at the multiplier
        self.w_delay[0].d.next = self.w.val();
        self.w_delay[1].d.next = self.w_delay[0].q.val();
        self.mul.clock.next = self.clock.val();
        self.mul.reset.next = self.reset.val();
        self.mul.in_valid.next = self.sub.out_valid.val() & self.add.out_valid.val();
        self.mul.a.next = self.sub.y.val();
        self.mul.b.next = self.w_delay[1].q.val();
        // a + b waits for the product
        self.sum_delay[0].d.next = self.add.y.val();
        for i in 1..8 {
            self.sum_delay[i].d.next = self.sum_delay[i - 1].q.val();
        }
        self.x.next = self.sum_delay[7].q.val();
        self.y.next = self.mul.y.val();
        self.out_valid.next = self.mul.out_valid.val();
    }
}
