use super::Delay;
use crate::field::GlMul;
use rust_hdl::prelude::*;

/// The Poseidon S-box y = x^7 (mod p), [SBox::LATENCY] = 24 cycles, one input per cycle.
///
/// Three multiplier levels, four [GlMul]s (as plonky2's `sbox_monomial`):
/// 1. x2 = x * x
/// 2. x4 = x2 * x2 and x3 = x * x2 (x delayed by one multiplier latency)
/// 3. y = x3 * x4
#[derive(LogicBlock, Default)]
pub struct SBox {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Input (canonical) and its valid bit
    pub in_valid: Signal<In, Bit>,
    pub x: Signal<In, Bits<64>>,
    // x^7 (canonical), valid LATENCY cycles after x
    pub out_valid: Signal<Out, Bit>,
    pub y: Signal<Out, Bits<64>>,
    // Internals
    sq: GlMul,
    quad: GlMul,
    cube: GlMul,
    seventh: GlMul,
    x_delay: Delay<64, 8>,
}

impl SBox {
    pub const LATENCY: usize = 3 * GlMul::LATENCY;
}

impl Logic for SBox {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, sq, quad, cube, seventh, x_delay);
        self.sq.reset.next = self.reset.val();
        self.quad.reset.next = self.reset.val();
        self.cube.reset.next = self.reset.val();
        self.seventh.reset.next = self.reset.val();
        // Level 1
        self.sq.in_valid.next = self.in_valid.val();
        self.sq.a.next = self.x.val();
        self.sq.b.next = self.x.val();
        self.x_delay.d.next = self.x.val();
        // Level 2
        self.quad.in_valid.next = self.sq.out_valid.val();
        self.quad.a.next = self.sq.y.val();
        self.quad.b.next = self.sq.y.val();
        self.cube.in_valid.next = self.sq.out_valid.val();
        self.cube.a.next = self.x_delay.q.val();
        self.cube.b.next = self.sq.y.val();
        // Level 3
        self.seventh.in_valid.next = self.quad.out_valid.val();
        self.seventh.a.next = self.cube.y.val();
        self.seventh.b.next = self.quad.y.val();
        self.y.next = self.seventh.y.val();
        self.out_valid.next = self.seventh.out_valid.val();
    }
}
