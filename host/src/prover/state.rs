//! The state table: proves a block's state transition, pre-state root → post-state root, as a
//! chain of single-slot updates `R_0 → R_1 → … → R_m` of the compacted state tree
//! (`chain::smt`, `docs/state.md`), one per touched slot, every hash looked up in the Poseidon
//! table. Update `i` shows the slot's old value under `R_i` (its pre-state value: no earlier
//! update touched the slot) and derives `R_{i+1}` by writing its new value, with the tree's
//! canonical shape forced (leaf split on insert, collapse on delete), since later blocks rely on
//! it. `proof::root_after_write` is the reference this table repeats.
//!
//! One segment of rows per update, root side first:
//! - a `HEAD` row: `(ADDR, KEY, OLD, NEW)` (looked up by the public slot list, `ctl.rs`), the
//!   key hash `KH` (looked up as the permutation of `[ADDR, KEY, 0.. | 1, 0, 0, 0]`), the 64
//!   bits of `KH[0]` in `BITS` and of `K2[0]` (`K2`: the key hash of the other key's leaf that
//!   ends the old side, if any) in `OBITS`, both boolean, summing to their element and canonical
//!   (`< p`); the registers shift by one bit per level and are reloaded with the next elements'
//!   bits (`WSEL` selects it) on the `RELOAD` rows at levels 64, 128 and 192, so paths run to 256
//!   levels, all a key hash has;
//! - one `PATH` row per level, sharing the sibling `S` between two sides: the old node
//!   `OH = two_to_one(OL, OR)` and the new node `NH = two_to_one(NL, NR)` at this depth, each
//!   with its path child (on the side of the level's bit `BITS[0]`) equal to the next row's
//!   node and its other child `S`. A side that is "off" on a level (`O_OFF`: the old side of a
//!   split, below the other key's leaf; `N_OFF`: the new side of a collapse, below the moved
//!   leaf) hashes nothing there and passes its node through; on such levels `S = 0` but on the
//!   last, where `S` is the lone leaf itself;
//! - a terminal row: the old side's end (`T_EMPTY`, `T_SAME`: the slot's leaf, or `T_OTHER`:
//!   another key's leaf) and the new side's (`N_LEAF`: the slot's new leaf, `N_EMPTY`: deleted,
//!   the last sibling opened as an internal node, `N_MOVED`: deleted, the last sibling a leaf
//!   that moves up, `N_COPY`: the value is unchanged, so is the root).
//!
//! Segment `i`'s `OROOT` is `R_i` (the first row's node), its `NROOT` is `R_{i+1}`; the public
//! inputs are `R_0` (pre-state root) and `R_m` (post-state root). Soundness argument:
//! `docs/proving.md` ("The state table").
//!
//! | columns | name | meaning |
//! | --- | --- | --- |
//! | 0..12 | `HEAD`, `PATH`, `T_*` (3), `N_*` (4), `O_OFF`, `N_OFF`, `RELOAD` | row kind, ends, off sides, reload |
//! | 12..17 | `ADDR`, `KEY`, `OLD`, `NEW`, `NINV` | the update (`NINV`: `1/NEW` for a new leaf) |
//! | 17..29 | `KH`, `OROOT`, `NROOT` | key hash, roots before and after (constant in a segment) |
//! | 29..101 | `BITS`, `LEFT`, `LINV`, `CINV`, `CZ`, `WSEL` | the current `KH` element's unused bits, bits left, canonicity, which element |
//! | 101..171 | `K2`, `OBITS`, `OCINV`, `OCZ` | the same for the other key's leaf |
//! | 171..195 | `OL`, `OR`, `OH`, `NL`, `NR`, `NH` | both sides' children and nodes |
//! | 195..204 | `S`, `SINV`, `SD` | the sibling; `SD = Σ S·SINV` (1 shows `S ≠ 0`) |
//! | 204..211 | `DINV`, `WINV` | other leaf's key ≠ `KH`; an opened sibling is not a leaf |

use plonky2::field::types::Field;

use super::expr::{impl_stark, Ops};
use super::F;
use crate::chain::hash::{hash_with_sibling, key_hash_input, leaf_hash, node_hash, Hash, KeyHash, EMPTY_HASH, LEAF_TAG};
use crate::chain::proof::{MerkleProof, NodeOpening};

pub const HEAD: usize = 0;
pub const PATH: usize = 1;
pub const T_EMPTY: usize = 2;
pub const T_SAME: usize = 3;
pub const T_OTHER: usize = 4;
pub const N_LEAF: usize = 5;
pub const N_EMPTY: usize = 6;
pub const N_MOVED: usize = 7;
pub const N_COPY: usize = 8;
pub const O_OFF: usize = 9;
pub const N_OFF: usize = 10;
pub const RELOAD: usize = 11;
const NUM_FLAGS: usize = 12;
pub const ADDR: usize = 12;
pub const KEY: usize = 13;
pub const OLD: usize = 14;
pub const NEW: usize = 15;
pub const NINV: usize = 16;
pub const KH: usize = 17;
pub const OROOT: usize = 21;
pub const NROOT: usize = 25;
pub const BITS: usize = 29;
pub const NUM_BITS: usize = 64;
pub const LEFT: usize = BITS + NUM_BITS;
pub const LINV: usize = LEFT + 1;
pub const CINV: usize = LEFT + 2;
pub const CZ: usize = LEFT + 3;
pub const WSEL: usize = CZ + 1;
pub const K2: usize = WSEL + 4;
pub const OBITS: usize = K2 + 4;
pub const OCINV: usize = OBITS + NUM_BITS;
pub const OCZ: usize = OCINV + 1;
pub const OL: usize = OCZ + 1;
pub const OR: usize = OL + 4;
pub const OH: usize = OR + 4;
pub const NL: usize = OH + 4;
pub const NR: usize = NL + 4;
pub const NH: usize = NR + 4;
pub const S: usize = NH + 4;
pub const SINV: usize = S + 4;
pub const SD: usize = SINV + 4;
pub const DINV: usize = SD + 1;
pub const WINV: usize = DINV + 4;
pub const NUM_COLUMNS: usize = WINV + 3;
/// Public inputs: the pre-state root, then the post-state root.
pub const NUM_PIS: usize = 8;

/// Deepest path the table proves: all 256 bits of a key hash.
pub const MAX_PATH: usize = 4 * NUM_BITS;

/// Columns constant within a segment.
const SEGMENT_CONSTANTS: [usize; 20] = [
    ADDR, KEY, OLD, NEW, KH, KH + 1, KH + 2, KH + 3, OROOT, OROOT + 1, OROOT + 2, OROOT + 3, NROOT, NROOT + 1, NROOT + 2, NROOT + 3, K2, K2 + 1, K2 + 2,
    K2 + 3,
];

#[derive(Clone, Copy, Debug, Default)]
pub struct StateStark;

/// `bits` (on `gate` rows) are boolean, sum to `x` and are canonical: `CZ` = [high half all
/// ones] (`cinv` inverts `high − (2^32 − 1)` otherwise), and then the low half is 0.
fn canonical_bits<T: Copy, O: Ops<T>>(o: &mut O, gate: T, bits: &[T], x: T, cinv: T, cz: T) {
    for &b in bits {
        let t = o.bit(b);
        let t = o.mul(gate, t);
        o.always(t);
    }
    let lo = o.lin(&(0..32).map(|j| (bits[j], F::from_canonical_u64(1 << j))).collect::<Vec<_>>());
    let hi = o.lin(&(32..64).map(|j| (bits[j], F::from_canonical_u64(1 << (j - 32)))).collect::<Vec<_>>());
    let two32 = o.constant(F::from_canonical_u64(1 << 32));
    let whole = o.mul(hi, two32);
    let whole = o.add(whole, lo);
    let t = o.sub(whole, x);
    let t = o.mul(gate, t);
    o.always(t);
    let m = o.constant(F::from_canonical_u64(u32::MAX as u64));
    let hm = o.sub(hi, m);
    let inv = o.mul(hm, cinv);
    let ncz = o.not(cz);
    let t = o.sub(inv, ncz);
    let t = o.mul(gate, t);
    o.always(t);
    let t = o.mul3(gate, cz, hm);
    o.always(t);
    let t = o.mul3(gate, cz, lo);
    o.always(t);
}

/// `(CINV, CZ)` for the bits of `x`, as [`canonical_bits`] checks them.
fn canonical_witness(x: u64) -> (F, F) {
    let hm = F::from_canonical_u64(x >> 32) - F::from_canonical_u64(u32::MAX as u64);
    if hm == F::ZERO {
        (F::ZERO, F::ONE)
    } else {
        (hm.inverse(), F::ZERO)
    }
}

impl StateStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], pis: &[T]) {
        let (head, path) = (lv[HEAD], lv[PATH]);
        let term = o.sum(&[lv[T_EMPTY], lv[T_SAME], lv[T_OTHER]]);
        let nterm = o.sum(&[nv[T_EMPTY], nv[T_SAME], nv[T_OTHER]]);
        let one = o.one();
        for f in 0..NUM_FLAGS {
            let t = o.bit(lv[f]);
            o.always(t);
        }
        let any = o.sum(&[head, path, term]);
        let t = o.bit(any);
        o.always(t);
        let ends = o.sum(&[lv[N_LEAF], lv[N_EMPTY], lv[N_MOVED], lv[N_COPY]]);
        let t = o.sub(ends, term);
        o.always(t);
        for f in [O_OFF, N_OFF] {
            let np = o.not(path);
            let t = o.mul(lv[f], np);
            o.always(t);
        }
        let t = o.mul(lv[O_OFF], lv[N_OFF]);
        o.always(t);

        // Segments: HEAD, PATH*, one terminal; nothing but padding or a HEAD after a terminal.
        let next_body = o.add(nv[PATH], nterm);
        let opens = o.add(head, path);
        let nopens = o.not(opens);
        let t = o.mul(next_body, nopens);
        o.transition(t);
        let nbody = o.not(next_body);
        let t = o.mul(opens, nbody);
        o.transition(t);
        o.last_row(opens);
        let body = o.add(path, term);
        o.first_row(body);
        for c in SEGMENT_CONSTANTS {
            let d = o.sub(nv[c], lv[c]);
            let t = o.mul(next_body, d);
            o.transition(t);
        }

        // The root chain: each segment starts from the root the previous one (or padding) ended
        // at; padding changes nothing; the first root is the pre-state root, the last the post.
        let nany = o.not(any);
        for i in 0..4 {
            let t = o.sub(nv[OROOT + i], lv[NROOT + i]);
            let t = o.mul(nbody, t);
            o.transition(t);
            let t = o.sub(lv[NROOT + i], lv[OROOT + i]);
            let t = o.mul(nany, t);
            o.always(t);
            let t = o.sub(lv[OROOT + i], pis[i]);
            o.first_row(t);
            let t = o.sub(lv[NROOT + i], pis[4 + i]);
            o.last_row(t);
            // the nodes at depth 0 are the segment's roots
            let t = o.sub(nv[OH + i], lv[OROOT + i]);
            let t = o.mul(head, t);
            o.transition(t);
            let t = o.sub(nv[NH + i], lv[NROOT + i]);
            let t = o.mul(head, t);
            o.transition(t);
        }

        // Key-hash bits: the element `WSEL` selects decomposed on HEAD (element 0) and on RELOAD
        // rows (the next element, once the last bit is used), one bit used per path level.
        let reload = lv[RELOAD];
        let t = o.not(path);
        let t = o.mul(reload, t);
        o.always(t);
        let t = o.mul(head, nv[RELOAD]);
        o.transition(t);
        let load = o.add(head, reload);
        let kw = o.dot(&lv[WSEL..WSEL + 4], &lv[KH..KH + 4]);
        let k2w = o.dot(&lv[WSEL..WSEL + 4], &lv[K2..K2 + 4]);
        canonical_bits(o, load, &lv[BITS..BITS + NUM_BITS], kw, lv[CINV], lv[CZ]);
        canonical_bits(o, load, &lv[OBITS..OBITS + NUM_BITS], k2w, lv[OCINV], lv[OCZ]);
        let width = o.constant(F::from_canonical_usize(NUM_BITS));
        let t = o.sub(lv[LEFT], width);
        let t = o.mul(load, t);
        o.always(t);
        let shifts = o.not(nv[RELOAD]);
        let shifts = o.mul(path, shifts);
        for reg in [BITS, OBITS] {
            for j in 0..NUM_BITS {
                let t = o.sub(nv[reg + j], lv[reg + j]);
                let t = o.mul(head, t);
                o.transition(t);
                if j + 1 < NUM_BITS {
                    let t = o.sub(nv[reg + j], lv[reg + j + 1]);
                    let t = o.mul(shifts, t);
                    o.transition(t);
                }
            }
        }
        let t = o.sub(nv[LEFT], lv[LEFT]);
        let t = o.mul(head, t);
        o.transition(t);
        let t = o.sub(nv[LEFT], lv[LEFT]);
        let t = o.add(t, one);
        let t = o.mul(shifts, t);
        o.transition(t);
        let t = o.sub(lv[LEFT], one);
        let t = o.mul3(path, nv[RELOAD], t);
        o.transition(t);
        let t = o.mul(lv[LEFT], lv[LINV]);
        let t = o.sub(t, one);
        let t = o.mul(path, t);
        o.always(t);
        // WSEL: element 0 on HEAD, the next one on a RELOAD row (there is none after 3).
        for w in 0..4 {
            let t = o.bit(lv[WSEL + w]);
            o.always(t);
        }
        let t = o.sub(lv[WSEL], one);
        let t = o.mul(head, t);
        o.always(t);
        let t = o.sum(&lv[WSEL + 1..WSEL + 4]);
        let t = o.mul(head, t);
        o.always(t);
        let nreload = o.not(nv[RELOAD]);
        let stays = o.mul(next_body, nreload);
        for w in 0..4 {
            let t = o.sub(nv[WSEL + w], lv[WSEL + w]);
            let t = o.mul(stays, t);
            o.transition(t);
            let moved = if w == 0 { nv[WSEL] } else { o.sub(nv[WSEL + w], lv[WSEL + w - 1]) };
            let t = o.mul(nv[RELOAD], moved);
            o.transition(t);
        }
        let t = o.mul(nv[RELOAD], lv[WSEL + 3]);
        o.transition(t);

        // Path levels: a hashing side's path child is the next row's node, its other child `S`;
        // an off side passes its node through.
        let bit = lv[BITS];
        let off = o.add(lv[O_OFF], lv[N_OFF]);
        for (l, r, h, side_off) in [(OL, OR, OH, O_OFF), (NL, NR, NH, N_OFF)] {
            let hashing = o.sub(path, lv[side_off]);
            for i in 0..4 {
                let lr = o.sub(lv[r + i], lv[l + i]);
                let child = o.mul(bit, lr);
                let child = o.add(lv[l + i], child);
                let t = o.sub(child, nv[h + i]);
                let t = o.mul(hashing, t);
                o.transition(t);
                let sib = o.sub(lv[r + i], child);
                let sib = o.add(sib, lv[l + i]);
                let t = o.sub(sib, lv[S + i]);
                let t = o.mul(hashing, t);
                o.always(t);
                let t = o.sub(nv[h + i], lv[h + i]);
                let t = o.mul(lv[side_off], t);
                o.transition(t);
                // the last off level's sibling is the lone leaf the off side carries
                let t = o.sub(lv[S + i], lv[h + i]);
                let t = o.mul3(lv[side_off], nterm, t);
                o.transition(t);
            }
            // off levels run to the segment's end
            let t = o.not(nv[side_off]);
            let t = o.mul3(lv[side_off], nv[PATH], t);
            o.transition(t);
        }
        for i in 0..4 {
            let t = o.mul3(off, nv[PATH], lv[S + i]);
            o.transition(t);
        }
        // Off levels belong to a split (old side off: another key's leaf, a new leaf) or a
        // collapse (new side off: the sibling leaf moves up); a split or collapse always has them.
        let ends_not_other = o.sub(nterm, nv[T_OTHER]);
        let t = o.mul(lv[O_OFF], ends_not_other);
        o.transition(t);
        let nl = o.sub(nterm, nv[N_LEAF]);
        let t = o.mul(lv[O_OFF], nl);
        o.transition(t);
        let nm = o.sub(nterm, nv[N_MOVED]);
        let t = o.mul(lv[N_OFF], nm);
        o.transition(t);
        let on = o.sub(opens, lv[O_OFF]);
        let t = o.mul3(on, nv[T_OTHER], nv[N_LEAF]);
        o.transition(t);
        let nn = o.sub(opens, lv[N_OFF]);
        let t = o.mul(nn, nv[N_MOVED]);
        o.transition(t);
        // A split hangs the two leaves below their first differing bit: the other key's bits
        // agree with `KH`'s on its off levels but the last.
        let ob = lv[OBITS];
        let t = o.sub(ob, bit);
        let t = o.mul3(lv[O_OFF], nv[PATH], t);
        o.transition(t);
        let t = o.add(ob, bit);
        let t = o.sub(t, one);
        let t = o.mul3(lv[O_OFF], nterm, t);
        o.transition(t);
        // A collapse stops at the first non-empty sibling.
        let dot = o.dot(&lv[S..S + 4], &lv[SINV..SINV + 4]);
        let t = o.sub(lv[SD], dot);
        o.always(t);
        let hashing = o.sub(path, lv[N_OFF]);
        let sd = o.sub(lv[SD], one);
        let t = o.mul3(hashing, nv[N_OFF], sd);
        o.transition(t);

        // Old ends.
        for i in 0..4 {
            let t = o.mul(lv[T_EMPTY], lv[OH + i]);
            o.always(t);
            let t = o.sub(lv[OL + i], lv[KH + i]);
            let t = o.mul(lv[T_SAME], t);
            o.always(t);
        }
        let t = o.mul(lv[T_EMPTY], lv[OLD]);
        o.always(t);
        let t = o.mul(lv[T_OTHER], lv[OLD]);
        o.always(t);
        let t = o.sub(lv[OLD], lv[OR]);
        let t = o.mul(lv[T_SAME], t);
        o.always(t);
        let leaf = o.add(lv[T_SAME], lv[T_OTHER]);
        leaf_layout(o, leaf, &lv[OR..OR + 4]);
        let diffs: Vec<T> = (0..4).map(|i| o.sub(lv[OL + i], lv[KH + i])).collect();
        let t = o.dot(&diffs, &lv[DINV..DINV + 4]);
        let t = o.sub(t, one);
        let t = o.mul(lv[T_OTHER], t);
        o.always(t);
        for i in 0..4 {
            let t = o.sub(lv[K2 + i], lv[OL + i]);
            let t = o.mul(lv[T_OTHER], t);
            o.always(t);
        }

        // New ends.
        for i in 0..4 {
            let t = o.sub(lv[NL + i], lv[KH + i]);
            let t = o.mul(lv[N_LEAF], t);
            o.always(t);
            let t = o.mul(lv[N_EMPTY], lv[NH + i]);
            o.always(t);
            let t = o.sub(lv[NH + i], lv[OH + i]);
            let t = o.mul(lv[N_COPY], t);
            o.always(t);
            let t = o.sub(lv[NH + i], lv[S + i]);
            let t = o.mul(lv[N_MOVED], t);
            o.always(t);
        }
        let t = o.sub(lv[NEW], lv[NR]);
        let t = o.mul(lv[N_LEAF], t);
        o.always(t);
        let t = o.mul(lv[NEW], lv[NINV]);
        let t = o.sub(t, one);
        let t = o.mul(lv[N_LEAF], t);
        o.always(t);
        leaf_layout(o, lv[N_LEAF], &lv[NR..NR + 4]);
        let t = o.sub(lv[NEW], lv[OLD]);
        let t = o.mul(lv[N_COPY], t);
        o.always(t);
        // A delete: of the slot's own leaf; its last sibling (opened on this row as `S`) is a
        // leaf that moves up, or not a leaf (`(NR[1] − 1, NR[2], NR[3]) ≠ 0`).
        let del = o.add(lv[N_EMPTY], lv[N_MOVED]);
        let t = o.mul(del, lv[NEW]);
        o.always(t);
        let ns = o.not(lv[T_SAME]);
        let t = o.mul(del, ns);
        o.always(t);
        leaf_layout(o, lv[N_MOVED], &lv[NR..NR + 4]);
        let ndel = o.add(nv[N_EMPTY], nv[N_MOVED]);
        for i in 0..4 {
            let t = o.sub(lv[S + i], nv[S + i]);
            let t = o.mul3(path, ndel, t);
            o.transition(t);
        }
        let tag = o.constant(LEAF_TAG);
        let r1 = o.sub(lv[NR + 1], tag);
        let t = o.dot(&[r1, lv[NR + 2], lv[NR + 3]], &lv[WINV..WINV + 3]);
        let t = o.sub(t, one);
        let t = o.mul(lv[N_EMPTY], t);
        o.always(t);
    }
}

/// On `gate` rows, `r` is a leaf preimage's second half: `[value, 1, 0, 0]`.
fn leaf_layout<T: Copy, O: Ops<T>>(o: &mut O, gate: T, r: &[T]) {
    let tag = o.constant(LEAF_TAG);
    let t = o.sub(r[1], tag);
    let t = o.mul(gate, t);
    o.always(t);
    for &x in &r[2..4] {
        let t = o.mul(gate, x);
        o.always(t);
    }
}

impl_stark!(StateStark, NUM_COLUMNS, NUM_PIS);

/// One update of the chain: a touched slot, its old (pre-state) and new (post-block) value, and
/// the Merkle proof of the old value under the root left by the updates before it.
#[derive(Clone, Debug)]
pub struct SlotUpdate {
    pub address: F,
    pub key: F,
    pub old: F,
    pub new: F,
    pub proof: MerkleProof,
}

/// The table's columns for the chain of `updates` from `pre_root`, at least `min_rows` rows, the
/// permutation inputs it looks up in the Poseidon table (one per lookup), and the root it ends
/// at. Proofs are taken as given (a proof that does not fit the chain makes a trace the verifier
/// rejects); fails on a path deeper than [`MAX_PATH`] or a delete's proof without its opening.
pub fn generate(updates: &[SlotUpdate], pre_root: Hash, min_rows: usize) -> Result<(Vec<Vec<F>>, Vec<[F; 12]>, Hash), String> {
    let plans = updates
        .iter()
        .enumerate()
        .map(|(n, u)| Plan::of(u).map_err(|e| format!("update {n} (slot {} of contract {}): {e}", u.key, u.address)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(generate_planned(updates, &plans, pre_root, min_rows))
}

/// [`generate`] with each update's shape given (tests forge shapes with it; a plan has one
/// sibling per level, `siblings.len() == depth`, as [`Plan::of`] makes it).
pub fn generate_planned(updates: &[SlotUpdate], plans: &[Plan], pre_root: Hash, min_rows: usize) -> (Vec<Vec<F>>, Vec<[F; 12]>, Hash) {
    let mut rows: Vec<[F; NUM_COLUMNS]> = Vec::new();
    let mut lookups = Vec::new();
    let mut root = pre_root;
    for (u, plan) in updates.iter().zip(plans) {
        root = plan.rows(u, root, &mut rows, &mut lookups);
    }
    let n = super::public::rows_for(rows.len()).max(min_rows);
    let mut cols = vec![vec![F::ZERO; n]; NUM_COLUMNS];
    for (i, row) in rows.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            cols[c][i] = v;
        }
    }
    for r in rows.len()..n {
        for i in 0..4 {
            cols[OROOT + i][r] = root.elements[i];
            cols[NROOT + i][r] = root.elements[i];
        }
    }
    (cols, lookups, root)
}

/// How an update ends on the new side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewEnd {
    Leaf,
    /// Deleted; the opened last sibling's preimage `(NL, NR)`.
    Empty([F; 8]),
    /// Deleted; the last sibling leaf's preimage, moved up to the given depth.
    Moved([F; 8], usize),
    Copy,
}

/// One update's shape: everything its rows follow from, with the update's proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Path levels (the deeper side's depth).
    pub depth: usize,
    /// Depth of the old side's end (`< depth` only in a split).
    pub old_depth: usize,
    /// The sibling on each level: the proof's, then in a split `EMPTY`s and the other key's leaf.
    pub siblings: Vec<Hash>,
    pub end: NewEnd,
    /// The key hash of the other key's leaf ending the old side (0 if none).
    pub k2: [u64; 4],
}

impl Plan {
    /// The shape `proof::root_after_write` gives `u`.
    pub fn of(u: &SlotUpdate) -> Result<Plan, String> {
        let kh = KeyHash::of(u.address, u.key);
        let p = &u.proof;
        let d = p.siblings.len();
        if d > MAX_PATH {
            return Err(format!("a path of {d} levels, deeper than {MAX_PATH}"));
        }
        let mut siblings = p.siblings.clone();
        let mut depth = d;
        let k2 = match p.terminal {
            NodeOpening::Leaf { key, .. } if key != kh => key.0,
            _ => [0; 4],
        };
        let end = if u.new == u.old {
            NewEnd::Copy
        } else if u.new != F::ZERO {
            if let NodeOpening::Leaf { key, value } = p.terminal {
                if key != kh {
                    let j = key.first_difference(&kh, d).ok_or("two leaves with one key hash")?;
                    siblings.resize(j, EMPTY_HASH);
                    siblings.push(leaf_hash(&key, value));
                    depth = j + 1;
                }
            }
            NewEnd::Leaf
        } else if d == 0 {
            NewEnd::Empty([F::ZERO; 8])
        } else {
            match p.terminal_sibling {
                Some(NodeOpening::Leaf { key, value }) => {
                    let mut top = d - 1;
                    while top > 0 && siblings[top - 1] == EMPTY_HASH {
                        top -= 1;
                    }
                    NewEnd::Moved(leaf_preimage(&key, value), top)
                }
                Some(NodeOpening::Internal { left, right }) => {
                    let mut x = [F::ZERO; 8];
                    x[..4].copy_from_slice(&left.elements);
                    x[4..].copy_from_slice(&right.elements);
                    NewEnd::Empty(x)
                }
                _ => return Err("a delete without its last sibling's opening".into()),
            }
        };
        Ok(Plan { depth, old_depth: d, siblings, end, k2 })
    }

    fn new_off(&self, level: usize) -> bool {
        matches!(self.end, NewEnd::Moved(_, top) if level >= top)
    }

    /// Appends the update's rows and lookups; returns the root it ends at.
    fn rows(&self, u: &SlotUpdate, root: Hash, rows: &mut Vec<[F; NUM_COLUMNS]>, lookups: &mut Vec<[F; 12]>) -> Hash {
        let kh = KeyHash::of(u.address, u.key);
        let (khf, depth) = (kh.to_hash().elements, self.depth);
        // Both sides' nodes by depth, bottom up.
        let old_end = u.proof.terminal.hash();
        let mut old_nodes = vec![old_end; depth + 1];
        for i in (0..self.old_depth.min(depth)).rev() {
            old_nodes[i] = hash_with_sibling(old_nodes[i + 1], self.siblings[i], kh.bit(i));
        }
        // A delete's opened last sibling, hashed once.
        let opened = match &self.end {
            NewEnd::Empty(x) | NewEnd::Moved(x, _) => {
                node_hash(Hash { elements: x[..4].try_into().unwrap() }, Hash { elements: x[4..].try_into().unwrap() })
            }
            _ => EMPTY_HASH,
        };
        let mut new_nodes = vec![EMPTY_HASH; depth + 1];
        new_nodes[depth] = match &self.end {
            NewEnd::Leaf => leaf_hash(&kh, u.new),
            NewEnd::Empty(_) => EMPTY_HASH,
            NewEnd::Moved(..) => opened,
            NewEnd::Copy => old_end,
        };
        for i in (0..depth).rev() {
            new_nodes[i] = if self.new_off(i) { new_nodes[i + 1] } else { hash_with_sibling(new_nodes[i + 1], self.siblings[i], kh.bit(i)) };
        }

        let mut base = [F::ZERO; NUM_COLUMNS];
        (base[ADDR], base[KEY], base[OLD], base[NEW]) = (u.address, u.key, u.old, u.new);
        base[KH..KH + 4].copy_from_slice(&khf);
        put(&mut base, OROOT, root);
        put(&mut base, NROOT, new_nodes[0]);
        for i in 0..4 {
            base[K2 + i] = F::from_canonical_u64(self.k2[i]);
        }
        // The registers at a level: element `w`, `s` bits used; a path row starting an element
        // loads it (HEAD, RELOAD), a terminal right after a full element keeps it used up.
        let at_level = |level: usize, path_row: bool| {
            let (w, s) = match level % NUM_BITS {
                0 if level > 0 && !path_row => (level / NUM_BITS - 1, NUM_BITS),
                s => (level / NUM_BITS, s),
            };
            let mut row = base;
            row[WSEL + w] = F::ONE;
            for j in 0..NUM_BITS - s {
                row[BITS + j] = F::from_bool((kh.0[w] >> (s + j)) & 1 == 1);
                row[OBITS + j] = F::from_bool((self.k2[w] >> (s + j)) & 1 == 1);
            }
            row[LEFT] = F::from_canonical_usize(NUM_BITS - s);
            if s == 0 && (level == 0 || path_row) {
                (row[CINV], row[CZ]) = canonical_witness(kh.0[w]);
                (row[OCINV], row[OCZ]) = canonical_witness(self.k2[w]);
                row[RELOAD] = F::from_bool(level > 0);
            }
            row
        };

        let mut head = at_level(0, false);
        head[HEAD] = F::ONE;
        lookups.push(key_hash_input(u.address, u.key));
        rows.push(head);

        for i in 0..depth {
            let mut row = at_level(i, true);
            row[PATH] = F::ONE;
            row[LINV] = row[LEFT].inverse();
            let s = self.siblings[i];
            put(&mut row, S, s);
            if let Some(j) = (0..4).find(|&j| s.elements[j] != F::ZERO) {
                row[SINV + j] = s.elements[j].inverse();
                row[SD] = F::ONE;
            }
            put(&mut row, OH, old_nodes[i]);
            if i < self.old_depth {
                let (l, r) = children(&kh, i, old_nodes[i + 1], s);
                put(&mut row, OL, l);
                put(&mut row, OR, r);
                lookups.push(hash_input(&row, OL));
            } else {
                row[O_OFF] = F::ONE;
            }
            put(&mut row, NH, new_nodes[i]);
            if self.new_off(i) {
                row[N_OFF] = F::ONE;
            } else {
                let (l, r) = children(&kh, i, new_nodes[i + 1], s);
                put(&mut row, NL, l);
                put(&mut row, NR, r);
                lookups.push(hash_input(&row, NL));
            }
            rows.push(row);
        }

        let mut term = at_level(depth, false);
        put(&mut term, OH, old_end);
        match u.proof.terminal {
            NodeOpening::Leaf { key, value } => {
                term[if key == kh { T_SAME } else { T_OTHER }] = F::ONE;
                let kf = key.to_hash().elements;
                term[OL..OL + 8].copy_from_slice(&leaf_preimage(&key, value));
                if let Some(i) = (0..4).find(|&i| kf[i] != khf[i]) {
                    term[DINV + i] = (kf[i] - khf[i]).inverse();
                }
                lookups.push(hash_input(&term, OL));
            }
            _ => term[T_EMPTY] = F::ONE,
        }
        put(&mut term, NH, new_nodes[depth]);
        match &self.end {
            NewEnd::Leaf => {
                term[N_LEAF] = F::ONE;
                term[NL..NL + 8].copy_from_slice(&leaf_preimage(&kh, u.new));
                term[NINV] = u.new.try_inverse().unwrap_or(F::ZERO);
                lookups.push(hash_input(&term, NL));
            }
            NewEnd::Copy => term[N_COPY] = F::ONE,
            NewEnd::Empty(x) | NewEnd::Moved(x, _) => {
                term[if matches!(self.end, NewEnd::Empty(_)) { N_EMPTY } else { N_MOVED }] = F::ONE;
                term[NL..NL + 8].copy_from_slice(x);
                put(&mut term, S, opened);
                let w = [x[5] - LEAF_TAG, x[6], x[7]];
                if let Some(i) = (0..3).find(|&i| w[i] != F::ZERO) {
                    term[WINV + i] = w[i].inverse();
                }
                lookups.push(hash_input(&term, NL));
            }
        }
        rows.push(term);
        new_nodes[0]
    }
}

/// A leaf's permutation input, first 8 elements: `[KH, value, 1, 0, 0]` (`chain::hash`).
fn leaf_preimage(key: &KeyHash, value: F) -> [F; 8] {
    let mut x = [F::ZERO; 8];
    x[..4].copy_from_slice(&key.to_hash().elements);
    (x[4], x[5]) = (value, LEAF_TAG);
    x
}

fn put(row: &mut [F; NUM_COLUMNS], at: usize, h: Hash) {
    row[at..at + 4].copy_from_slice(&h.elements);
}

/// `(left, right)` of the node at `depth` on `key`'s path, given its path child and the sibling.
fn children(key: &KeyHash, depth: usize, child: Hash, sibling: Hash) -> (Hash, Hash) {
    if key.bit(depth) {
        (sibling, child)
    } else {
        (child, sibling)
    }
}

/// The permutation input a hashing side looks up: `[left, right | 0, 0, 0, 0]` from column `l`.
fn hash_input(row: &[F; NUM_COLUMNS], l: usize) -> [F; 12] {
    let mut s = [F::ZERO; 12];
    s[..8].copy_from_slice(&row[l..l + 8]);
    s
}

/// Columns of the public slot list: `(address, key, pre-state value, post-block value, 1)` per
/// touched slot, in first-access order, then zero rows. Every column is public; the last is the
/// lookup's filter.
pub const SLOT_COLUMNS: usize = 5;

pub fn slots_public(slots: &[(F, F, F, F)], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<Vec<F>> = slots.iter().map(|&(a, k, old, new)| vec![a, k, old, new, F::ONE]).collect();
    super::public::table(&data, SLOT_COLUMNS, |_| vec![F::ZERO; SLOT_COLUMNS], rows)
}

/// The state-table inputs `(pre-state root, post-state root)` as its public inputs.
pub fn roots_public(pre: [F; 4], post: [F; 4]) -> [F; NUM_PIS] {
    let mut v = [F::ZERO; NUM_PIS];
    v[..4].copy_from_slice(&pre);
    v[4..].copy_from_slice(&post);
    v
}
