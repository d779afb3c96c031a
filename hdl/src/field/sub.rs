use super::{ValidPipe, EPSILON};
use rust_hdl::prelude::*;

/// Goldilocks modular subtractor: `y = a - b mod p`, [GlSub::LATENCY] = 2 cycles.
///
/// Stage 1 registers d = a - b mod 2^65, whose bit 64 is the borrow. Stage 2 adds p back when
/// it borrowed, which modulo 2^64 is subtracting 2^32 - 1 (d[63:0] >= 2^32 then, so no wrap).
#[derive(LogicBlock)]
pub struct GlSub {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Operands (canonical) and their valid bit
    pub in_valid: Signal<In, Bit>,
    pub a: Signal<In, Bits<64>>,
    pub b: Signal<In, Bits<64>>,
    // Result (canonical), valid LATENCY cycles after the operands
    pub out_valid: Signal<Out, Bit>,
    pub y: Signal<Out, Bits<64>>,
    // Internals
    eps: Constant<Bits<64>>,
    diff: DFF<Bits<65>>,
    out: DFF<Bits<64>>,
    valid: ValidPipe<2>,
}

impl GlSub {
    pub const LATENCY: usize = 2;
}

impl Default for GlSub {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            a: Default::default(),
            b: Default::default(),
            out_valid: Default::default(),
            y: Default::default(),
            eps: Constant::new(EPSILON.to_bits()),
            diff: Default::default(),
            out: Default::default(),
            valid: Default::default(),
        }
    }
}

impl Logic for GlSub {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, diff, out);
        self.valid.clock.next = self.clock.val();
        self.valid.reset.next = self.reset.val();
        self.valid.in_valid.next = self.in_valid.val();
        // Stage 1
        self.diff.d.next = bit_cast::<65, 64>(self.a.val()) - bit_cast::<65, 64>(self.b.val());
        // Stage 2
        if self.diff.q.val().get_bit(64) {
            self.out.d.next = self.diff.q.val().get_bits::<64>(0) - self.eps.val();
        } else {
            self.out.d.next = self.diff.q.val().get_bits::<64>(0);
        }
        self.y.next = self.out.q.val();
        self.out_valid.next = self.valid.out_valid.val();
    }
}
