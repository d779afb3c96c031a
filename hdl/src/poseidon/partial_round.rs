use super::{is_full_round, Delay, Mds, SBox, ROUNDS};
use rust_hdl::prelude::*;

/// A partial round as the pipeline computes it: x^7 on lane 0 only, lanes 1..11 delayed to
/// match, then MDS plus the next round's constants. [PartialRound::LATENCY] = 28.
/// Lane i of `state_in` / `state_out` is bits 64i..64i+64. Build with [PartialRound::new].
#[derive(LogicBlock)]
pub struct PartialRound {
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
    sbox: SBox,
    linear: Delay<704, 24>,
    mds: Mds,
}

impl PartialRound {
    pub const LATENCY: usize = SBox::LATENCY + Mds::LATENCY;

    /// Partial round `round` (4..=25).
    pub fn new(round: usize) -> Self {
        assert!(
            round < ROUNDS && !is_full_round(round),
            "round {round} is not partial"
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
            linear: Default::default(),
            mds: Mds::new(round + 1),
        }
    }
}

impl Logic for PartialRound {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, sbox, linear, mds);
        self.sbox.reset.next = self.reset.val();
        self.mds.reset.next = self.reset.val();
        self.sbox.in_valid.next = self.in_valid.val();
        self.sbox.x.next = self.state_in.val().get_bits::<64>(0);
        self.linear.d.next = self.state_in.val().get_bits::<704>(64);
        self.mds.in_valid.next = self.sbox.out_valid.val();
        self.mds.v.next = bit_cast::<768, 64>(self.sbox.y.val())
            | (bit_cast::<768, 704>(self.linear.q.val()) << 64);
        self.state_out.next = self.mds.y.val();
        self.out_valid.next = self.mds.out_valid.val();
    }
}
