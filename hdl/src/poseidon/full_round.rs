use super::{is_full_round, Mds, SBox, ROUNDS};
use rust_hdl::prelude::*;

/// A full round as the pipeline computes it: x^7 on all 12 lanes, then MDS plus the next
/// round's constants. [FullRound::LATENCY] = [SBox::LATENCY] + [Mds::LATENCY] = 28.
/// Lane i of `state_in` / `state_out` is bits 64i..64i+64. Build with [FullRound::new].
#[derive(LogicBlock)]
pub struct FullRound {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // State in (12 canonical lanes, round constants already added) and its valid bit
    pub in_valid: Signal<In, Bit>,
    pub state_in: Signal<In, Bits<768>>,
    // State out (with the next round's constants added), valid LATENCY cycles later
    pub out_valid: Signal<Out, Bit>,
    pub state_out: Signal<Out, Bits<768>>,
    // Internals
    sbox: [SBox; 12],
    mds: Mds,
}

impl FullRound {
    pub const LATENCY: usize = SBox::LATENCY + Mds::LATENCY;

    /// Full round `round` (0..=3 or 26..=29).
    pub fn new(round: usize) -> Self {
        assert!(
            round < ROUNDS && is_full_round(round),
            "round {round} is not full"
        );
        assert_eq!(SBox::LATENCY, 24);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            state_in: Default::default(),
            out_valid: Default::default(),
            state_out: Default::default(),
            sbox: Default::default(),
            mds: Mds::new(round + 1),
        }
    }
}

impl Logic for FullRound {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, mds);
        self.mds.reset.next = self.reset.val();
        for i in 0..12 {
            self.sbox[i].clock.next = self.clock.val();
            self.sbox[i].reset.next = self.reset.val();
            self.sbox[i].in_valid.next = self.in_valid.val();
            self.sbox[i].x.next = self.state_in.val().get_bits::<64>(i * 64);
        }
        // All 12 S-boxes see the same valid; lane 0's stands for all.
        self.mds.in_valid.next = self.sbox[0].out_valid.val();
        self.mds.v.next = bit_cast::<768, 64>(self.sbox[0].y.val())
            | (bit_cast::<768, 64>(self.sbox[1].y.val()) << 64)
            | (bit_cast::<768, 64>(self.sbox[2].y.val()) << 128)
            | (bit_cast::<768, 64>(self.sbox[3].y.val()) << 192)
            | (bit_cast::<768, 64>(self.sbox[4].y.val()) << 256)
            | (bit_cast::<768, 64>(self.sbox[5].y.val()) << 320)
            | (bit_cast::<768, 64>(self.sbox[6].y.val()) << 384)
            | (bit_cast::<768, 64>(self.sbox[7].y.val()) << 448)
            | (bit_cast::<768, 64>(self.sbox[8].y.val()) << 512)
            | (bit_cast::<768, 64>(self.sbox[9].y.val()) << 576)
            | (bit_cast::<768, 64>(self.sbox[10].y.val()) << 640)
            | (bit_cast::<768, 64>(self.sbox[11].y.val()) << 704);
        self.state_out.next = self.mds.y.val();
        self.out_valid.next = self.mds.out_valid.val();
    }
}
