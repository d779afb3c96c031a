use super::{mds_circ, mds_diag, round_constant, MDS_BITS, WIDTH};
use crate::field::{ValidPipe, EPSILON, P};
use rust_hdl::prelude::*;

/// The MDS layer plus the next round's constants: y = M * v + rc (mod p), [Mds::LATENCY] = 4.
///
/// M = circ(MDS_MATRIX_CIRC) + diag(MDS_MATRIX_DIAG); all entries are < 2^6, so no multipliers:
/// each output r is split into bit-planes, plane_b(r) = sum of the lanes v[(i + r) % 12] whose
/// coefficient MDS_MATRIX_CIRC[i] has bit b set (plus v[r] if MDS_MATRIX_DIAG[r] has). The
/// plane selection is an AND with an all-ones/zero constant mask, which synthesis folds away.
///
/// 1. `plane[6r+b]` = sum of up to 13 selected lanes (< 2^68), a balanced adder tree
/// 2. `total[r]` = sum_b plane[6r+b] << b + rc[r], exact (< 2^74)
/// 3. `fold[r]` = lo + hi<<32 - hi for total = lo + hi*2^64 (2^64 = 2^32 - 1 mod p); < 2^64 + 2^42
/// 4. `out[r]` = fold >= p ? fold - p : fold, via u = fold + (2^32 - 1) (u[64] set iff fold >= p)
///
/// Lane i of `v` / `y` is bits 64i..64i+64. Build with [Mds::new] (constants of the round that
/// follows; `next_round` = 30 adds zero).
#[derive(LogicBlock)]
pub struct Mds {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Input state (12 canonical lanes) and its valid bit
    pub in_valid: Signal<In, Bit>,
    pub v: Signal<In, Bits<768>>,
    // M * v + rc (canonical), valid LATENCY cycles later
    pub out_valid: Signal<Out, Bit>,
    pub y: Signal<Out, Bits<768>>,
    // Constants: plane masks (all ones where bit b of the coefficient is set), round constants
    circ_mask: [Constant<Bits<74>>; 72],
    diag_mask: [Constant<Bits<74>>; 72],
    rc: [Constant<Bits<74>>; 12],
    low64: Constant<Bits<74>>,
    eps: Constant<Bits<74>>,
    // Stages. Everything is 74 bits wide because Rust-HDL's `bit_cast` cannot take a
    // loop-indexed operand; the unused high bits are constant zero and synthesis trims them.
    v_pad: Signal<Local, Bits<778>>,
    lane: [Signal<Local, Bits<74>>; 12],
    plane: [DFF<Bits<74>>; 72],
    total: [DFF<Bits<74>>; 12],
    fold: [DFF<Bits<74>>; 12],
    fold_eps: [Signal<Local, Bits<74>>; 12],
    out: [DFF<Bits<64>>; 12],
    valid: ValidPipe<4>,
}

impl Mds {
    pub const LATENCY: usize = 4;

    /// The MDS layer followed by the constants of round `next_round` (0 for `next_round` = 30).
    pub fn new(next_round: usize) -> Self {
        assert_eq!(WIDTH * MDS_BITS, 72);
        let mask = |coef: u64, b: usize| {
            Constant::new(if coef >> b & 1 == 1 {
                Bits::<74>::mask()
            } else {
                Bits::<74>::default()
            })
        };
        let (circ, diag) = (mds_circ(), mds_diag());
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            v: Default::default(),
            out_valid: Default::default(),
            y: Default::default(),
            circ_mask: std::array::from_fn(|k| mask(circ[k / MDS_BITS], k % MDS_BITS)),
            diag_mask: std::array::from_fn(|k| mask(diag[k / MDS_BITS], k % MDS_BITS)),
            rc: std::array::from_fn(|i| Constant::new(round_constant(next_round, i).to_bits())),
            low64: Constant::new(u64::MAX.to_bits()),
            eps: Constant::new(EPSILON.to_bits()),
            v_pad: Default::default(),
            lane: Default::default(),
            plane: std::array::from_fn(|_| Default::default()),
            total: Default::default(),
            fold: Default::default(),
            fold_eps: Default::default(),
            out: Default::default(),
            valid: Default::default(),
        }
    }
}

impl Logic for Mds {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, valid);
        self.valid.reset.next = self.reset.val();
        self.valid.in_valid.next = self.in_valid.val();
        self.v_pad.next = bit_cast::<778, 768>(self.v.val());
        for i in 0..12 {
            self.total[i].clock.next = self.clock.val();
            self.fold[i].clock.next = self.clock.val();
            self.out[i].clock.next = self.clock.val();
            self.lane[i].next = self.v_pad.val().get_bits::<74>(i * 64) & self.low64.val();
        }
        for k in 0..72 {
            self.plane[k].clock.next = self.clock.val();
        }
        // Stage 1: bit-plane b of output r (circulant row r is row 0 rotated by r)
        for r in 0..12 {
            for b in 0..6 {
                self.plane[r * 6 + b].d.next = (((self.lane[r].val()
                    & self.circ_mask[b].val())
                    + (self.lane[(r + 1) % 12].val() & self.circ_mask[1 * 6 + b].val()))
                    + ((self.lane[(r + 2) % 12].val() & self.circ_mask[2 * 6 + b].val())
                        + (self.lane[(r + 3) % 12].val() & self.circ_mask[3 * 6 + b].val())))
                    + (((self.lane[(r + 4) % 12].val() & self.circ_mask[4 * 6 + b].val())
                        + (self.lane[(r + 5) % 12].val() & self.circ_mask[5 * 6 + b].val()))
                        + ((self.lane[(r + 6) % 12].val() & self.circ_mask[6 * 6 + b].val())
                            + (self.lane[(r + 7) % 12].val() & self.circ_mask[7 * 6 + b].val())))
                    + (((self.lane[(r + 8) % 12].val() & self.circ_mask[8 * 6 + b].val())
                        + (self.lane[(r + 9) % 12].val() & self.circ_mask[9 * 6 + b].val()))
                        + (((self.lane[(r + 10) % 12].val() & self.circ_mask[10 * 6 + b].val())
                            + (self.lane[(r + 11) % 12].val()
                                & self.circ_mask[11 * 6 + b].val()))
                            + (self.lane[r].val() & self.diag_mask[r * 6 + b].val())));
            }
        }
        // Stage 2: weight the planes, add the round constant
        for r in 0..12 {
            self.total[r].d.next = ((self.plane[r * 6].q.val()
                + (self.plane[r * 6 + 1].q.val() << 1))
                + ((self.plane[r * 6 + 2].q.val() << 2) + (self.plane[r * 6 + 3].q.val() << 3)))
                + (((self.plane[r * 6 + 4].q.val() << 4) + (self.plane[r * 6 + 5].q.val() << 5))
                    + self.rc[r].val());
        }
        // Stage 3: fold the 10 bits above 2^64
        for r in 0..12 {
            self.fold[r].d.next = ((self.total[r].q.val() & self.low64.val())
                + ((self.total[r].q.val() >> 64) << 32))
                - (self.total[r].q.val() >> 64);
        }
        // Stage 4: one conditional subtraction of p
        for r in 0..12 {
            self.fold_eps[r].next = self.fold[r].q.val() + self.eps.val();
            if self.fold_eps[r].val().get_bit(64) {
                self.out[r].d.next = self.fold_eps[r].val().get_bits::<64>(0);
            } else {
                self.out[r].d.next = self.fold[r].q.val().get_bits::<64>(0);
            }
        }
        self.y.next = bit_cast::<768, 64>(self.out[0].q.val())
            | (bit_cast::<768, 64>(self.out[1].q.val()) << 64)
            | (bit_cast::<768, 64>(self.out[2].q.val()) << 128)
            | (bit_cast::<768, 64>(self.out[3].q.val()) << 192)
            | (bit_cast::<768, 64>(self.out[4].q.val()) << 256)
            | (bit_cast::<768, 64>(self.out[5].q.val()) << 320)
            | (bit_cast::<768, 64>(self.out[6].q.val()) << 384)
            | (bit_cast::<768, 64>(self.out[7].q.val()) << 448)
            | (bit_cast::<768, 64>(self.out[8].q.val()) << 512)
            | (bit_cast::<768, 64>(self.out[9].q.val()) << 576)
            | (bit_cast::<768, 64>(self.out[10].q.val()) << 640)
            | (bit_cast::<768, 64>(self.out[11].q.val()) << 704);
        self.out_valid.next = self.valid.out_valid.val();
    }
}

/// P must be the Goldilocks prime for the stage-4 trick (p = 2^64 - (2^32 - 1)).
const _: () = assert!(P == 0u64.wrapping_sub(EPSILON));
