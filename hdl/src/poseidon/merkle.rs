//! The Merkle mode layer: plonky2's two Merkle-tree uses of the permutation on the streaming
//! core, with a sponge's state kept in the core's own output FIFO between chunks.
//!
//! One item = one permutation: `len` (1..=8) elements overwrite lanes 0..len of either the zero
//! state (`first`) or the state the core produced for the previous chunk of the same sponge,
//! which must then be at the head of the core's output (recirculated, never leaving the
//! layer); with `last` the permuted state's lanes 0..4 leave as a digest. So
//! - `PoseidonHash::two_to_one(l, r)` is one item: `[l, r]`, len 8, first and last;
//! - `hash_no_pad(leaf)` (plonky2's `hash_or_noop` for leaves of more than 4 elements) is
//!   `ceil(n/8)` items, chunk j = elements 8j..8j+8, first on chunk 0, last on the final one.
//!
//! Several sponges interleave chunk-major (chunk j of every leaf of a group, then chunk j + 1),
//! which keeps the pipeline full when a group is at least the core's latency long. The rule
//! that makes this work without any state memory: a non-first item is taken only when the
//! core's output head is a state to recirculate (it is then that sponge's, as outputs leave in
//! input order); until then `in_ready` stays low. A group of G sponges keeps G states in the
//! core, and the core holds at most [PoseidonCore::SLOTS] - 1, of which one must stay free for
//! the next chunk to enter before a state leaves: G <= [MerkleHasher::MAX_GROUP].

use super::PoseidonCore;
use super::OutFifo;
use rust_hdl::prelude::*;

/// The layer without the core: the item stream in, digests out, and the core's two ports.
/// [MerkleHasher] joins it to a [PoseidonCore]; the tests drive it against a software core.
///
/// Combinational from the item inputs to the core: the state into the core is a lane mux of
/// `in_data`, zero and `core_state_out`; `in_ready` depends on `in_first` (a non-first item
/// waits for its state), so a producer must not make `in_first` depend on `in_ready`. The core
/// side needs `core_in_ready` and `core_out_valid` to depend on registers only, as
/// [PoseidonCore]'s do, and a latency of at least 2 cycles (the tag FIFO's).
#[derive(LogicBlock)]
pub struct MerkleFront {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Items: taken when in_valid & in_ready. Element i of the chunk = in_data[64i +: 64].
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_data: Signal<In, Bits<512>>,
    pub in_len: Signal<In, Bits<4>>,
    pub in_first: Signal<In, Bit>,
    pub in_last: Signal<In, Bit>,
    // Digests of `last` items, in item order: taken when out_valid & out_ready
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_digest: Signal<Out, Bits<256>>,
    // The permutation core's ports, seen from the layer
    pub core_in_valid: Signal<Out, Bit>,
    pub core_in_ready: Signal<In, Bit>,
    pub core_state_in: Signal<Out, Bits<768>>,
    pub core_out_valid: Signal<In, Bit>,
    pub core_out_ready: Signal<Out, Bit>,
    pub core_state_out: Signal<In, Bits<768>>,
    // Internals: one tag per permutation in the core, in order (1 = a digest to emit)
    tags: OutFifo<1, 10>,
    index: [Constant<Bits<4>>; 8],
    zero: Constant<Bits<64>>,
    no: Constant<Bits<1>>,
    yes: Constant<Bits<1>>,
    lane: [Signal<Local, Bits<64>>; 12],
    tag_emit: Signal<Local, Bit>,
    head_recirc: Signal<Local, Bit>,
    head_emit: Signal<Local, Bit>,
    can_feed: Signal<Local, Bit>,
    take_recirc: Signal<Local, Bit>,
}

impl Default for MerkleFront {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            in_data: Default::default(),
            in_len: Default::default(),
            in_first: Default::default(),
            in_last: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            out_digest: Default::default(),
            core_in_valid: Default::default(),
            core_in_ready: Default::default(),
            core_state_in: Default::default(),
            core_out_valid: Default::default(),
            core_out_ready: Default::default(),
            core_state_out: Default::default(),
            tags: Default::default(),
            index: std::array::from_fn(|i| Constant::new((i as u64).to_bits())),
            zero: Constant::new(0u64.to_bits()),
            no: Constant::new(0u64.to_bits()),
            yes: Constant::new(1u64.to_bits()),
            lane: Default::default(),
            tag_emit: Default::default(),
            head_recirc: Default::default(),
            head_emit: Default::default(),
            can_feed: Default::default(),
            take_recirc: Default::default(),
        }
    }
}

impl Logic for MerkleFront {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, tags);
        self.tags.reset.next = self.reset.val();
        // What the core's output head is (a tag is there whenever an output is)
        self.tag_emit.next = self.tags.data_out.val() == self.yes.val();
        self.head_recirc.next = self.core_out_valid.val() & self.tags.out_valid.val() & !self.tag_emit.val();
        self.head_emit.next = self.core_out_valid.val() & self.tags.out_valid.val() & self.tag_emit.val();
        // A first chunk enters on its own; a later one together with its recirculated state
        self.can_feed.next = self.in_first.val() | self.head_recirc.val();
        self.core_in_valid.next = self.in_valid.val() & self.can_feed.val();
        self.in_ready.next = self.core_in_ready.val() & self.can_feed.val();
        self.take_recirc.next = self.in_valid.val() & self.in_ready.val() & !self.in_first.val();
        self.core_out_ready.next = self.take_recirc.val() | (self.head_emit.val() & self.out_ready.val());
        self.tags.out_ready.next = self.core_out_ready.val();
        self.tags.write.next = self.in_valid.val() & self.in_ready.val();
        self.tags.data_in.next = self.no.val();
        if self.in_last.val() {
            self.tags.data_in.next = self.yes.val();
        }
        self.out_valid.next = self.head_emit.val();
        self.out_digest.next = self.core_state_out.val().get_bits::<256>(0);
        // The state into the core: chunk lanes, else zero (first) or the recirculated state
        for i in 0..8 {
            self.lane[i].next = self.core_state_out.val().get_bits::<64>(i * 64);
            if self.in_first.val() {
                self.lane[i].next = self.zero.val();
            }
            if self.in_len.val() > self.index[i].val() {
                self.lane[i].next = self.in_data.val().get_bits::<64>(i * 64);
            }
        }
        for i in 8..12 {
            self.lane[i].next = self.core_state_out.val().get_bits::<64>(i * 64);
            if self.in_first.val() {
                self.lane[i].next = self.zero.val();
            }
        }
        self.core_state_in.next = bit_cast::<768, 64>(self.lane[0].val())
            | (bit_cast::<768, 64>(self.lane[1].val()) << 64)
            | (bit_cast::<768, 64>(self.lane[2].val()) << 128)
            | (bit_cast::<768, 64>(self.lane[3].val()) << 192)
            | (bit_cast::<768, 64>(self.lane[4].val()) << 256)
            | (bit_cast::<768, 64>(self.lane[5].val()) << 320)
            | (bit_cast::<768, 64>(self.lane[6].val()) << 384)
            | (bit_cast::<768, 64>(self.lane[7].val()) << 448)
            | (bit_cast::<768, 64>(self.lane[8].val()) << 512)
            | (bit_cast::<768, 64>(self.lane[9].val()) << 576)
            | (bit_cast::<768, 64>(self.lane[10].val()) << 640)
            | (bit_cast::<768, 64>(self.lane[11].val()) << 704);
    }
}

/// The Merkle hasher: [MerkleFront] on a [PoseidonCore]. Items in, digests out; latency
/// [PoseidonCore::LATENCY] from a `last` item's edge to its digest when nothing waits.
#[derive(LogicBlock, Default)]
pub struct MerkleHasher {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Items (see [MerkleFront])
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_data: Signal<In, Bits<512>>,
    pub in_len: Signal<In, Bits<4>>,
    pub in_first: Signal<In, Bit>,
    pub in_last: Signal<In, Bit>,
    // Digests
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_digest: Signal<Out, Bits<256>>,
    // Internals
    front: MerkleFront,
    core: PoseidonCore,
}

impl MerkleHasher {
    /// The most sponges one chunk-major group may interleave (see the module docs).
    pub const MAX_GROUP: usize = PoseidonCore::SLOTS - 2;
    /// Simulate the permutation core by its port model ([PoseidonCore::stand_in]).
    pub fn stand_in_core(&mut self) {
        self.core.stand_in();
    }
}

impl Logic for MerkleHasher {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, front, core);
        self.front.reset.next = self.reset.val();
        self.core.reset.next = self.reset.val();
        self.front.in_valid.next = self.in_valid.val();
        self.in_ready.next = self.front.in_ready.val();
        self.front.in_data.next = self.in_data.val();
        self.front.in_len.next = self.in_len.val();
        self.front.in_first.next = self.in_first.val();
        self.front.in_last.next = self.in_last.val();
        self.out_valid.next = self.front.out_valid.val();
        self.front.out_ready.next = self.out_ready.val();
        self.out_digest.next = self.front.out_digest.val();
        self.core.in_valid.next = self.front.core_in_valid.val();
        self.front.core_in_ready.next = self.core.in_ready.val();
        self.core.state_in.next = self.front.core_state_in.val();
        self.front.core_out_valid.next = self.core.out_valid.val();
        self.core.out_ready.next = self.front.core_out_ready.val();
        self.front.core_state_out.next = self.core.state_out.val();
    }
}
