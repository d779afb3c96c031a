use super::{round_constant, FullRound, PartialRound};
use crate::field::GlAdd;
use rust_hdl::prelude::*;

/// The Poseidon permutation as one always-advancing pipeline: a new state every cycle, result
/// [PoseidonPipe::LATENCY] = 2 + 30 * 28 = 842 cycles later, in order. No back-pressure (see
/// [super::PoseidonCore] for the ready/valid wrapper).
///
/// Round 0's constants are added by 12 [GlAdd]s; then 4 [FullRound]s, 22 [PartialRound]s and
/// 4 [FullRound]s, each ending with the next round's constants. Lane i is bits 64i..64i+64.
#[derive(LogicBlock)]
pub struct PoseidonPipe {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Input state (12 canonical lanes) and its valid bit
    pub in_valid: Signal<In, Bit>,
    pub state_in: Signal<In, Bits<768>>,
    // The permuted state, valid LATENCY cycles later
    pub out_valid: Signal<Out, Bit>,
    pub state_out: Signal<Out, Bits<768>>,
    // Internals
    rc0: [Constant<Bits<64>>; 12],
    add: [GlAdd; 12],
    first: [FullRound; 4],
    partial: [PartialRound; 22],
    last: [FullRound; 4],
}

impl PoseidonPipe {
    pub const LATENCY: usize = GlAdd::LATENCY + 30 * FullRound::LATENCY;
}

impl Default for PoseidonPipe {
    fn default() -> Self {
        assert_eq!(FullRound::LATENCY, PartialRound::LATENCY);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            state_in: Default::default(),
            out_valid: Default::default(),
            state_out: Default::default(),
            rc0: std::array::from_fn(|i| Constant::new(round_constant(0, i).to_bits())),
            add: Default::default(),
            first: std::array::from_fn(FullRound::new),
            partial: std::array::from_fn(|j| PartialRound::new(4 + j)),
            last: std::array::from_fn(|k| FullRound::new(26 + k)),
        }
    }
}

impl Logic for PoseidonPipe {
    #[hdl_gen]
    fn update(&mut self) {
        // Round 0's constants
        for i in 0..12 {
            self.add[i].clock.next = self.clock.val();
            self.add[i].reset.next = self.reset.val();
            self.add[i].in_valid.next = self.in_valid.val();
            self.add[i].a.next = self.state_in.val().get_bits::<64>(i * 64);
            self.add[i].b.next = self.rc0[i].val();
        }
        for k in 0..4 {
            self.first[k].clock.next = self.clock.val();
            self.first[k].reset.next = self.reset.val();
            self.last[k].clock.next = self.clock.val();
            self.last[k].reset.next = self.reset.val();
        }
        for j in 0..22 {
            self.partial[j].clock.next = self.clock.val();
            self.partial[j].reset.next = self.reset.val();
        }
        // Chain: adders -> first[0..4] -> partial[0..22] -> last[0..4]
        self.first[0].in_valid.next = self.add[0].out_valid.val();
        self.first[0].state_in.next = bit_cast::<768, 64>(self.add[0].y.val())
            | (bit_cast::<768, 64>(self.add[1].y.val()) << 64)
            | (bit_cast::<768, 64>(self.add[2].y.val()) << 128)
            | (bit_cast::<768, 64>(self.add[3].y.val()) << 192)
            | (bit_cast::<768, 64>(self.add[4].y.val()) << 256)
            | (bit_cast::<768, 64>(self.add[5].y.val()) << 320)
            | (bit_cast::<768, 64>(self.add[6].y.val()) << 384)
            | (bit_cast::<768, 64>(self.add[7].y.val()) << 448)
            | (bit_cast::<768, 64>(self.add[8].y.val()) << 512)
            | (bit_cast::<768, 64>(self.add[9].y.val()) << 576)
            | (bit_cast::<768, 64>(self.add[10].y.val()) << 640)
            | (bit_cast::<768, 64>(self.add[11].y.val()) << 704);
        for k in 1..4 {
            self.first[k].in_valid.next = self.first[k - 1].out_valid.val();
            self.first[k].state_in.next = self.first[k - 1].state_out.val();
            self.last[k].in_valid.next = self.last[k - 1].out_valid.val();
            self.last[k].state_in.next = self.last[k - 1].state_out.val();
        }
        self.partial[0].in_valid.next = self.first[3].out_valid.val();
        self.partial[0].state_in.next = self.first[3].state_out.val();
        for j in 1..22 {
            self.partial[j].in_valid.next = self.partial[j - 1].out_valid.val();
            self.partial[j].state_in.next = self.partial[j - 1].state_out.val();
        }
        self.last[0].in_valid.next = self.partial[21].out_valid.val();
        self.last[0].state_in.next = self.partial[21].state_out.val();
        self.out_valid.next = self.last[3].out_valid.val();
        self.state_out.next = self.last[3].state_out.val();
    }
}
