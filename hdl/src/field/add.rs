use super::{ValidPipe, EPSILON};
use rust_hdl::prelude::*;

/// Goldilocks modular adder: `y = a + b mod p`, [GlAdd::LATENCY] = 2 cycles.
///
/// Stage 1 registers the 65-bit sum s = a + b. Stage 2 forms u = s + (2^32 - 1); since
/// s <= 2p - 2, u < 2^65 and u[64] is set exactly when s >= p, and then u[63:0] = s - p.
/// Each stage is one carry chain (64/65 bits) plus a 2:1 mux.
#[derive(LogicBlock)]
pub struct GlAdd {
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
    eps: Constant<Bits<65>>,
    sum: DFF<Bits<65>>,
    sum_eps: Signal<Local, Bits<65>>,
    out: DFF<Bits<64>>,
    valid: ValidPipe<2>,
}

impl GlAdd {
    pub const LATENCY: usize = 2;
}

impl Default for GlAdd {
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
            sum: Default::default(),
            sum_eps: Default::default(),
            out: Default::default(),
            valid: Default::default(),
        }
    }
}

impl Logic for GlAdd {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sum, out);
        self.valid.clock.next = self.clock.val();
        self.valid.reset.next = self.reset.val();
        self.valid.in_valid.next = self.in_valid.val();
        // Stage 1
        self.sum.d.next = bit_cast::<65, 64>(self.a.val()) + bit_cast::<65, 64>(self.b.val());
        // Stage 2
        self.sum_eps.next = self.sum.q.val() + self.eps.val();
        if self.sum_eps.val().get_bit(64) {
            self.out.d.next = self.sum_eps.val().get_bits::<64>(0);
        } else {
            self.out.d.next = self.sum.q.val().get_bits::<64>(0);
        }
        self.y.next = self.out.q.val();
        self.out_valid.next = self.valid.out_valid.val();
    }
}
