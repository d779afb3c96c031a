//! `CommitSequencer`: the Commit command's address generator. It walks the Merkle schedule
//! (`sim::merkle::Schedule`, the controller's) and says, per hasher item, where in device memory
//! its elements are, and, per digest the hasher gives, where it goes in plonky2's
//! `MerkleTree` layout. Nothing here touches data: the kernel top reads the items, feeds the
//! [crate::poseidon::MerkleHasher] and writes its digests.
//!
//! With n = 2^log_lde leaves of `columns` elements (row-major at `leaves`) and h = log_lde -
//! cap_height levels under each cap entry:
//!
//! - item stream, in the hasher's issue order: leaf chunks in groups of
//!   [MerkleHasher::MAX_GROUP](crate::poseidon::MerkleHasher::MAX_GROUP) leaves, chunk-major
//!   inside a group (chunk j of leaf r: `min(8, columns - 8 j)` elements at `leaves + 8 (r
//!   columns + 8 j)`); then level by level, node i of level l (1..=h) reads its two children,
//!   adjacent in the digests buffer, as one 8-element item. Leaves of at most 4 elements are
//!   their own digest (plonky2's `hash_or_noop`): `noop` is set and each leaf is one item for
//!   the top to pass by the hasher, zero-padded.
//! - destination stream, one address per digest in output order (leaf digests in leaf order,
//!   then each level's nodes): node i of level l < h at `digests + 32 digest_index(h, l, i)`,
//!   level h at `cap + 32 i`.
//!
//! A level's items are read from memory the previous level wrote, so they wait until every
//! earlier destination was taken and `mem_idle` (no digest write outstanding) is high; the top
//! must lower `mem_idle` from the cycle after it takes a destination (a register set by that
//! handshake) until the write is answered. `busy` falls once the last destination was taken and
//! `mem_idle` is high again. The top checks the shape before `start` (1 <= log_lde <= 32,
//! cap_height <= log_lde, columns >= 1).

use crate::poseidon::MerkleHasher;
use rust_hdl::prelude::*;

/// plonky2's `MerkleTree::digests` index of node `node` of level `level` (0: leaf digests) for
/// `levels` levels under each cap entry (sim's `merkle::digest_index`, in logic): subtree t =
/// node >> (levels - level) starts at t 2 (2^levels - 1); in it the sibling pair q of level l
/// starts at 2 (q 2^(l+1) + 2^l - 1). Combinational; levels are 6 bits, so shift amounts stay
/// below 64 for any input (meaningful for level < levels <= 32).
#[derive(LogicBlock)]
pub struct DigestIndex {
    pub levels: Signal<In, Bits<6>>,
    pub level: Signal<In, Bits<6>>,
    pub node: Signal<In, Bits<32>>,
    pub index: Signal<Out, Bits<64>>,
    above: Signal<Local, Bits<6>>,
    node64: Signal<Local, Bits<64>>,
    subtree: Signal<Local, Bits<64>>,
    in_subtree: Signal<Local, Bits<64>>,
    pair: Signal<Local, Bits<64>>,
    one6: Constant<Bits<6>>,
    one64: Constant<Bits<64>>,
}

impl Default for DigestIndex {
    fn default() -> Self {
        Self {
            levels: Default::default(),
            level: Default::default(),
            node: Default::default(),
            index: Default::default(),
            above: Default::default(),
            node64: Default::default(),
            subtree: Default::default(),
            in_subtree: Default::default(),
            pair: Default::default(),
            one6: Constant::new(1u64.to_bits()),
            one64: Constant::new(1u64.to_bits()),
        }
    }
}

impl Logic for DigestIndex {
    #[hdl_gen]
    fn update(&mut self) {
        self.above.next = self.levels.val() - self.level.val();
        self.node64.next = bit_cast::<64, 32>(self.node.val());
        self.subtree.next = self.node64.val() >> self.above.val();
        self.in_subtree.next = self.node64.val() & ((self.one64.val() << self.above.val()) - self.one64.val());
        self.pair.next = self.in_subtree.val() >> self.one6.val();
        // t 2 (2^levels - 1) = t 2^(levels+1) - 2 t
        self.index.next = (self.subtree.val() << (self.levels.val() + self.one6.val()))
            - (self.subtree.val() << self.one6.val())
            + (((self.pair.val() << (self.level.val() + self.one6.val())) + (self.one64.val() << self.level.val())
                - self.one64.val())
                << self.one6.val())
            + (self.in_subtree.val() & self.one64.val());
    }
}

const IDLE: u64 = 0;
const LEAVES: u64 = 1;
const LEVELS: u64 = 2;
const DRAIN: u64 = 3;

#[derive(LogicBlock)]
pub struct CommitSequencer {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Command: a pulse of `start` with the shape; `busy` until the last digest is written
    pub start: Signal<In, Bit>,
    pub leaves: Signal<In, Bits<64>>,
    pub digests: Signal<In, Bits<64>>,
    pub cap: Signal<In, Bits<64>>,
    pub log_lde: Signal<In, Bits<32>>,
    pub cap_height: Signal<In, Bits<32>>,
    pub columns: Signal<In, Bits<32>>,
    pub mem_idle: Signal<In, Bit>,
    pub busy: Signal<Out, Bit>,
    /// Leaves of at most 4 elements: every leaf item is its own digest (held from `start`).
    pub noop: Signal<Out, Bit>,
    // Items: `item_words` elements at `item_addr`, read from the leaves (`item_leaf`) or the
    // digests buffer; first/last chunk of a sponge as the hasher takes them
    pub item_valid: Signal<Out, Bit>,
    pub item_ready: Signal<In, Bit>,
    pub item_addr: Signal<Out, Bits<64>>,
    pub item_words: Signal<Out, Bits<4>>,
    pub item_first: Signal<Out, Bit>,
    pub item_last: Signal<Out, Bit>,
    pub item_leaf: Signal<Out, Bit>,
    // Destinations, one per digest in output order
    pub dest_valid: Signal<Out, Bit>,
    pub dest_ready: Signal<In, Bit>,
    pub dest_addr: Signal<Out, Bits<64>>,
    /// The destination is in the cap buffer (else in the digests buffer).
    pub dest_cap: Signal<Out, Bit>,
    // Shape, latched at start
    state: DFF<Bits<2>>,
    n_leaves: DFF<Bits<32>>,
    levels: DFF<Bits<32>>,
    is_noop: DFF<Bit>,
    chunks: DFF<Bits<32>>,
    cols: DFF<Bits<32>>,
    row_step: DFF<Bits<64>>,
    digests_base: DFF<Bits<64>>,
    cap_base: DFF<Bits<64>>,
    // Leaf walk: `leaf` in group [group_start, group_end), its row at `row_addr`
    leaf: DFF<Bits<32>>,
    chunk: DFF<Bits<32>>,
    group_start: DFF<Bits<32>>,
    group_end: DFF<Bits<32>>,
    row_addr: DFF<Bits<64>>,
    group_addr: DFF<Bits<64>>,
    // Level walk
    lvl: DFF<Bits<32>>,
    node: DFF<Bits<32>>,
    // Destination walk
    dlevel: DFF<Bits<32>>,
    dnode: DFF<Bits<32>>,
    dests_done: DFF<Bit>,
    // Combinational
    item_index: DigestIndex,
    dest_index: DigestIndex,
    n_in: Signal<Local, Bits<32>>,
    words_left: Signal<Local, Bits<32>>,
    next_end: Signal<Local, Bits<32>>,
    take_item: Signal<Local, Bit>,
    take_dest: Signal<Local, Bit>,
    // Constants
    s_idle: Constant<Bits<2>>,
    s_leaves: Constant<Bits<2>>,
    s_levels: Constant<Bits<2>>,
    s_drain: Constant<Bits<2>>,
    group: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    one32: Constant<Bits<32>>,
    four32: Constant<Bits<32>>,
    seven32: Constant<Bits<32>>,
    eight32: Constant<Bits<32>>,
    eight4: Constant<Bits<4>>,
    one6: Constant<Bits<6>>,
}

fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.to_bits())
}

impl Default for CommitSequencer {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            leaves: Default::default(),
            digests: Default::default(),
            cap: Default::default(),
            log_lde: Default::default(),
            cap_height: Default::default(),
            columns: Default::default(),
            mem_idle: Default::default(),
            busy: Default::default(),
            noop: Default::default(),
            item_valid: Default::default(),
            item_ready: Default::default(),
            item_addr: Default::default(),
            item_words: Default::default(),
            item_first: Default::default(),
            item_last: Default::default(),
            item_leaf: Default::default(),
            dest_valid: Default::default(),
            dest_ready: Default::default(),
            dest_addr: Default::default(),
            dest_cap: Default::default(),
            state: Default::default(),
            n_leaves: Default::default(),
            levels: Default::default(),
            is_noop: Default::default(),
            chunks: Default::default(),
            cols: Default::default(),
            row_step: Default::default(),
            digests_base: Default::default(),
            cap_base: Default::default(),
            leaf: Default::default(),
            chunk: Default::default(),
            group_start: Default::default(),
            group_end: Default::default(),
            row_addr: Default::default(),
            group_addr: Default::default(),
            lvl: Default::default(),
            node: Default::default(),
            dlevel: Default::default(),
            dnode: Default::default(),
            dests_done: Default::default(),
            item_index: Default::default(),
            dest_index: Default::default(),
            n_in: Default::default(),
            words_left: Default::default(),
            next_end: Default::default(),
            take_item: Default::default(),
            take_dest: Default::default(),
            s_idle: k(IDLE),
            s_leaves: k(LEAVES),
            s_levels: k(LEVELS),
            s_drain: k(DRAIN),
            group: k(MerkleHasher::MAX_GROUP as u64),
            zero32: k(0),
            one32: k(1),
            four32: k(4),
            seven32: k(7),
            eight32: k(8),
            eight4: k(8),
            one6: k(1),
        }
    }
}

impl Logic for CommitSequencer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, n_leaves, levels, is_noop, chunks, cols, row_step, digests_base, cap_base, leaf,
            chunk, group_start, group_end, row_addr, group_addr, lvl, node, dlevel, dnode, dests_done
        );
        self.busy.next = self.state.q.val() != self.s_idle.val();
        self.noop.next = self.is_noop.q.val();

        // Items. A level waits for the digests of the one below: all taken and written.
        self.item_index.levels.next = self.levels.q.val().get_bits::<6>(0);
        self.item_index.level.next = self.lvl.q.val().get_bits::<6>(0) - self.one6.val();
        self.item_index.node.next = self.node.q.val() << self.one32.val();
        self.words_left.next = self.cols.q.val() - (self.chunk.q.val() << 3);
        self.item_leaf.next = self.state.q.val() == self.s_leaves.val();
        self.item_valid.next = (self.state.q.val() == self.s_leaves.val())
            | ((self.state.q.val() == self.s_levels.val()) & (self.dlevel.q.val() >= self.lvl.q.val()) & self.mem_idle.val());
        self.item_addr.next = self.digests_base.q.val() + (self.item_index.index.val() << 5);
        self.item_words.next = self.eight4.val();
        self.item_first.next = true;
        self.item_last.next = true;
        if self.state.q.val() == self.s_leaves.val() {
            self.item_addr.next = self.row_addr.q.val() + (bit_cast::<64, 32>(self.chunk.q.val()) << 6);
            if self.words_left.val() < self.eight32.val() {
                self.item_words.next = self.words_left.val().get_bits::<4>(0);
            }
            self.item_first.next = self.chunk.q.val() == self.zero32.val();
            self.item_last.next = self.chunk.q.val() + self.one32.val() == self.chunks.q.val();
        }
        self.take_item.next = self.item_valid.val() & self.item_ready.val();

        // Destinations: the cap for the top level, the digests buffer below it.
        self.dest_index.levels.next = self.levels.q.val().get_bits::<6>(0);
        self.dest_index.level.next = self.dlevel.q.val().get_bits::<6>(0);
        self.dest_index.node.next = self.dnode.q.val();
        self.dest_valid.next = (self.state.q.val() != self.s_idle.val()) & !self.dests_done.q.val();
        self.dest_addr.next = self.digests_base.q.val() + (self.dest_index.index.val() << 5);
        self.dest_cap.next = self.dlevel.q.val() == self.levels.q.val();
        if self.dlevel.q.val() == self.levels.q.val() {
            self.dest_addr.next = self.cap_base.q.val() + (bit_cast::<64, 32>(self.dnode.q.val()) << 5);
        }
        self.take_dest.next = self.dest_valid.val() & self.dest_ready.val();

        // Start: latch the shape.
        self.n_in.next = self.one32.val() << self.log_lde.val().get_bits::<6>(0);
        if (self.state.q.val() == self.s_idle.val()) & self.start.val() {
            self.n_leaves.d.next = self.n_in.val();
            self.levels.d.next = self.log_lde.val() - self.cap_height.val();
            self.is_noop.d.next = self.columns.val() <= self.four32.val();
            self.chunks.d.next = (self.columns.val() + self.seven32.val()) >> 3;
            if self.columns.val() <= self.four32.val() {
                self.chunks.d.next = self.one32.val();
            }
            self.cols.d.next = self.columns.val();
            self.row_step.d.next = bit_cast::<64, 32>(self.columns.val()) << 3;
            self.digests_base.d.next = self.digests.val();
            self.cap_base.d.next = self.cap.val();
            self.leaf.d.next = self.zero32.val();
            self.chunk.d.next = self.zero32.val();
            self.group_start.d.next = self.zero32.val();
            self.group_end.d.next = self.group.val();
            if self.n_in.val() < self.group.val() {
                self.group_end.d.next = self.n_in.val();
            }
            self.row_addr.d.next = self.leaves.val();
            self.group_addr.d.next = self.leaves.val();
            self.lvl.d.next = self.one32.val();
            self.node.d.next = self.zero32.val();
            self.dlevel.d.next = self.zero32.val();
            self.dnode.d.next = self.zero32.val();
            self.dests_done.d.next = false;
            self.state.d.next = self.s_leaves.val();
        }

        // Leaf walk: leaves of the group for one chunk, then the next chunk, then the next group.
        self.next_end.next = self.group_end.q.val() + self.group.val();
        if self.next_end.val() > self.n_leaves.q.val() {
            self.next_end.next = self.n_leaves.q.val();
        }
        if (self.state.q.val() == self.s_leaves.val()) & self.take_item.val() {
            self.leaf.d.next = self.leaf.q.val() + self.one32.val();
            self.row_addr.d.next = self.row_addr.q.val() + self.row_step.q.val();
            if self.leaf.q.val() + self.one32.val() == self.group_end.q.val() {
                if self.chunk.q.val() + self.one32.val() == self.chunks.q.val() {
                    self.group_start.d.next = self.group_end.q.val();
                    self.group_end.d.next = self.next_end.val();
                    self.group_addr.d.next = self.row_addr.q.val() + self.row_step.q.val();
                    self.chunk.d.next = self.zero32.val();
                    if self.group_end.q.val() == self.n_leaves.q.val() {
                        self.state.d.next = self.s_levels.val();
                        if self.levels.q.val() == self.zero32.val() {
                            self.state.d.next = self.s_drain.val();
                        }
                    }
                } else {
                    self.chunk.d.next = self.chunk.q.val() + self.one32.val();
                    self.leaf.d.next = self.group_start.q.val();
                    self.row_addr.d.next = self.group_addr.q.val();
                }
            }
        }

        // Level walk.
        if (self.state.q.val() == self.s_levels.val()) & self.take_item.val() {
            self.node.d.next = self.node.q.val() + self.one32.val();
            if self.node.q.val() + self.one32.val() == (self.n_leaves.q.val() >> self.lvl.q.val()) {
                self.node.d.next = self.zero32.val();
                self.lvl.d.next = self.lvl.q.val() + self.one32.val();
                if self.lvl.q.val() == self.levels.q.val() {
                    self.state.d.next = self.s_drain.val();
                }
            }
        }

        // Destination walk.
        if self.take_dest.val() {
            self.dnode.d.next = self.dnode.q.val() + self.one32.val();
            if self.dnode.q.val() + self.one32.val() == (self.n_leaves.q.val() >> self.dlevel.q.val()) {
                self.dnode.d.next = self.zero32.val();
                self.dlevel.d.next = self.dlevel.q.val() + self.one32.val();
                if self.dlevel.q.val() == self.levels.q.val() {
                    self.dlevel.d.next = self.dlevel.q.val();
                    self.dests_done.d.next = true;
                }
            }
        }

        if (self.state.q.val() == self.s_drain.val()) & self.dests_done.q.val() & self.mem_idle.val() {
            self.state.d.next = self.s_idle.val();
        }
        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.dests_done.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust-HDL's checks (no undriven signals, no logic loops) pass; the behaviour is tested
    /// against the simulator's schedule and plonky2's `MerkleTree` in sim/tests/commit_seq.rs.
    #[test]
    fn generates_verilog() {
        let mut uut = CommitSequencer::default();
        uut.connect_all();
        let v = generate_verilog(&uut);
        assert!(v.contains("module top"));
    }
}
