use super::{ValidPipe, P};
use rust_hdl::prelude::*;

/// Goldilocks modular multiplier: `y = a * b mod p`, [GlMul::LATENCY] = 8 cycles, one new pair
/// accepted every cycle.
///
/// The exact 128-bit product is built from sixteen 16x16->32 tiles (schoolbook; see
/// docs/accelerator.md for why not Karatsuba), then reduced with 2^64 = 2^32 - 1 and
/// 2^96 = -1 (mod p). Stages (each is at most one ~66-bit carry chain plus a mux):
///
/// 1. `pp[4i+j] = a_i * b_j`, a_i = a[16i +: 16] (16 multipliers, i.e. 16 DSP tiles)
/// 2. column sums `c_k = sum_{i+j=k} pp[4i+j]` (32..34 bits, at most 4 terms)
/// 3. `e01 = c0 + c1<<16`, `e23 = c2 + c3<<16`, `e45 = c4 + c5<<16`, `e6 = c6`
/// 4. `f0 = e01 + e23<<32` (83 bits), `f1 = e45 + e6<<32` (64 bits)
/// 5. `prod = f0 + f1<<64` (exact 128-bit product)
/// 6. with prod = lo + hl*2^64 + hh*2^96: `ra = lo + hl<<32` (65 bits), `rb = hl + hh` (33 bits)
/// 7. `diff = ra - rb` as 66-bit two's complement; -(2^32-1) <= diff < 2p
/// 8. `y = diff < 0 ? diff + p : (diff >= p ? diff - p : diff)` (mod 2^64)
#[derive(LogicBlock)]
pub struct GlMul {
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
    // Internals, by stage
    pp: [DFF<Bits<32>>; 16],
    c0: DFF<Bits<32>>,
    c1: DFF<Bits<33>>,
    c2: DFF<Bits<34>>,
    c3: DFF<Bits<34>>,
    c4: DFF<Bits<34>>,
    c5: DFF<Bits<33>>,
    c6: DFF<Bits<32>>,
    e01: DFF<Bits<49>>,
    e23: DFF<Bits<50>>,
    e45: DFF<Bits<49>>,
    e6: DFF<Bits<32>>,
    f0: DFF<Bits<83>>,
    f1: DFF<Bits<64>>,
    prod: DFF<Bits<128>>,
    ra: DFF<Bits<65>>,
    rb: DFF<Bits<33>>,
    diff: DFF<Bits<66>>,
    p66: Constant<Bits<66>>,
    p64: Constant<Bits<64>>,
    lo_plus_p: Signal<Local, Bits<64>>,
    lo_minus_p: Signal<Local, Bits<64>>,
    out: DFF<Bits<64>>,
    valid: ValidPipe<8>,
}

impl GlMul {
    pub const LATENCY: usize = 8;
}

impl Default for GlMul {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            a: Default::default(),
            b: Default::default(),
            out_valid: Default::default(),
            y: Default::default(),
            pp: std::array::from_fn(|_| Default::default()),
            c0: Default::default(),
            c1: Default::default(),
            c2: Default::default(),
            c3: Default::default(),
            c4: Default::default(),
            c5: Default::default(),
            c6: Default::default(),
            e01: Default::default(),
            e23: Default::default(),
            e45: Default::default(),
            e6: Default::default(),
            f0: Default::default(),
            f1: Default::default(),
            prod: Default::default(),
            ra: Default::default(),
            rb: Default::default(),
            diff: Default::default(),
            p66: Constant::new(P.to_bits()),
            p64: Constant::new(P.to_bits()),
            lo_plus_p: Default::default(),
            lo_minus_p: Default::default(),
            out: Default::default(),
            valid: Default::default(),
        }
    }
}

impl Logic for GlMul {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, c0, c1, c2, c3, c4, c5, c6, e01, e23, e45, e6, f0, f1, prod, ra, rb, diff,
            out
        );
        for i in 0..16 {
            self.pp[i].clock.next = self.clock.val();
        }
        self.valid.clock.next = self.clock.val();
        self.valid.reset.next = self.reset.val();
        self.valid.in_valid.next = self.in_valid.val();
        // Stage 1: 16x16 tiles
        for i in 0..4 {
            for j in 0..4 {
                self.pp[i * 4 + j].d.next =
                    self.a.val().get_bits::<16>(i * 16) * self.b.val().get_bits::<16>(j * 16);
            }
        }
        // Stage 2: column sums (weight 2^(16k)); widths are exact for 1, 2, 3 and 4 terms
        self.c0.d.next = self.pp[0].q.val();
        self.c1.d.next =
            bit_cast::<33, 32>(self.pp[1].q.val()) + bit_cast::<33, 32>(self.pp[4].q.val());
        self.c2.d.next = bit_cast::<34, 32>(self.pp[2].q.val())
            + bit_cast::<34, 32>(self.pp[5].q.val())
            + bit_cast::<34, 32>(self.pp[8].q.val());
        self.c3.d.next = (bit_cast::<34, 32>(self.pp[3].q.val())
            + bit_cast::<34, 32>(self.pp[6].q.val()))
            + (bit_cast::<34, 32>(self.pp[9].q.val()) + bit_cast::<34, 32>(self.pp[12].q.val()));
        self.c4.d.next = bit_cast::<34, 32>(self.pp[7].q.val())
            + bit_cast::<34, 32>(self.pp[10].q.val())
            + bit_cast::<34, 32>(self.pp[13].q.val());
        self.c5.d.next =
            bit_cast::<33, 32>(self.pp[11].q.val()) + bit_cast::<33, 32>(self.pp[14].q.val());
        self.c6.d.next = self.pp[15].q.val();
        // Stage 3: pair adjacent columns
        self.e01.d.next =
            bit_cast::<49, 32>(self.c0.q.val()) + (bit_cast::<49, 33>(self.c1.q.val()) << 16);
        self.e23.d.next =
            bit_cast::<50, 34>(self.c2.q.val()) + (bit_cast::<50, 34>(self.c3.q.val()) << 16);
        self.e45.d.next =
            bit_cast::<49, 34>(self.c4.q.val()) + (bit_cast::<49, 33>(self.c5.q.val()) << 16);
        self.e6.d.next = self.c6.q.val();
        // Stage 4: low and high halves. f1 * 2^64 <= a * b, so f1 < 2^64 and 64 bits are exact.
        self.f0.d.next =
            bit_cast::<83, 49>(self.e01.q.val()) + (bit_cast::<83, 50>(self.e23.q.val()) << 32);
        self.f1.d.next =
            bit_cast::<64, 49>(self.e45.q.val()) + (bit_cast::<64, 32>(self.e6.q.val()) << 32);
        // Stage 5: exact 128-bit product
        self.prod.d.next =
            bit_cast::<128, 83>(self.f0.q.val()) + (bit_cast::<128, 64>(self.f1.q.val()) << 64);
        // Stage 6: fold 2^64 = 2^32 - 1 and 2^96 = -1
        self.ra.d.next = bit_cast::<65, 64>(self.prod.q.val().get_bits::<64>(0))
            + (bit_cast::<65, 32>(self.prod.q.val().get_bits::<32>(64)) << 32);
        self.rb.d.next = bit_cast::<33, 32>(self.prod.q.val().get_bits::<32>(64))
            + bit_cast::<33, 32>(self.prod.q.val().get_bits::<32>(96));
        // Stage 7: signed difference, in [-(2^32 - 1), 2p)
        self.diff.d.next =
            bit_cast::<66, 65>(self.ra.q.val()) - bit_cast::<66, 33>(self.rb.q.val());
        // Stage 8: one conditional +p or -p makes it canonical. The result fits 64 bits, so the
        // candidates need only the low 64 bits of diff (mod 2^64 arithmetic).
        self.lo_plus_p.next = self.diff.q.val().get_bits::<64>(0) + self.p64.val();
        self.lo_minus_p.next = self.diff.q.val().get_bits::<64>(0) - self.p64.val();
        if self.diff.q.val().get_bit(65) {
            self.out.d.next = self.lo_plus_p.val();
        } else if self.diff.q.val() >= self.p66.val() {
            self.out.d.next = self.lo_minus_p.val();
        } else {
            self.out.d.next = self.diff.q.val().get_bits::<64>(0);
        }
        self.y.next = self.out.q.val();
        self.out_valid.next = self.valid.out_valid.val();
    }
}
