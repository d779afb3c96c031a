//! The state table: proves the pre-state value of every storage slot a block touches, against the
//! pre-state root (a public input), by a Merkle path of the compacted state tree
//! (`chain::smt`, `docs/state.md`) whose hashes are looked up in the Poseidon table.
//!
//! One segment of rows per touched slot, root side first:
//! - a `HEAD` row: `(ADDR, KEY, OLD)` (looked up by the public slot list, `ctl.rs`), the key hash
//!   `KH` (looked up in the Poseidon table as the permutation of `[ADDR, KEY, 0.. | 1, 0, 0, 0]`)
//!   and the 64 bits of `KH[0]` in `BITS` (boolean, summing to `KH[0]`, canonical: `< p`);
//! - one `PATH` row per level: the node at this depth is `H = two_to_one(L, R)` (looked up), and
//!   the path's child, `L` if the depth's bit `BITS[0]` is 0 else `R`, is the next row's `H`;
//!   `BITS` shifts by one per level and `LEFT` counts the bits left (paths are at most 64 deep:
//!   deeper ones need two key hashes sharing 64 bits, and are refused, never proven wrong);
//! - a terminal row, one of `T_EMPTY` (`H = 0`, `OLD = 0`), `T_SAME` (the slot's own leaf:
//!   `H = leaf_hash(KH, OLD)`, looked up as `(L = KH, R = [OLD, 1, 0, 0])`) or `T_OTHER` (another
//!   key's leaf on the path, `L ≠ KH` shown by `Σ (L_i - KH_i)·DINV_i = 1`; `OLD = 0`).
//!
//! The first path row's `H` (the terminal's, for a depth-0 path) is the pre-state root. Why this
//! is enough (no shape checks): the old tree is canonical, so an opening that differs from the
//! true nodes along the key's path needs a Poseidon collision, a node hash equal to a leaf's tag
//! pattern, an internal node hashing to 0, or a node preimage of a key hash (key hashes have a
//! non-zero capacity element, `chain::hash`). `docs/proving.md` ("The state table") argues it.
//!
//! | columns | name | meaning |
//! | --- | --- | --- |
//! | 0..5 | `HEAD`, `PATH`, `T_EMPTY`, `T_SAME`, `T_OTHER` | row kind (all 0: padding) |
//! | 5, 6, 7 | `ADDR`, `KEY`, `OLD` | the slot and its pre-state value (constant in a segment) |
//! | 8..12 | `KH` | the key hash (constant in a segment) |
//! | 12..76 | `BITS` | bits of `KH[0]` not yet used, next path bit first |
//! | 76, 77 | `LEFT`, `LINV` | bits left; its inverse on path rows |
//! | 78, 79 | `CINV`, `CZ` | canonicity of `BITS`: `CZ` = high half all ones, then low half 0 |
//! | 80..92 | `L`, `R`, `H` | the hashed children and the hash |
//! | 92..96 | `DINV` | witness that the terminal leaf's key is not `KH` |

use plonky2::field::types::Field;

use super::expr::{impl_stark, Ops};
use super::F;
use crate::chain::hash::{key_hash_input, node_hash, Hash, KeyHash, LEAF_TAG};
use crate::chain::proof::{MerkleProof, NodeOpening};

pub const HEAD: usize = 0;
pub const PATH: usize = 1;
pub const T_EMPTY: usize = 2;
pub const T_SAME: usize = 3;
pub const T_OTHER: usize = 4;
pub const ADDR: usize = 5;
pub const KEY: usize = 6;
pub const OLD: usize = 7;
pub const KH: usize = 8;
pub const BITS: usize = 12;
pub const NUM_BITS: usize = 64;
pub const LEFT: usize = BITS + NUM_BITS;
pub const LINV: usize = LEFT + 1;
pub const CINV: usize = LEFT + 2;
pub const CZ: usize = LEFT + 3;
pub const L: usize = LEFT + 4;
pub const R: usize = L + 4;
pub const H: usize = R + 4;
pub const DINV: usize = H + 4;
pub const NUM_COLUMNS: usize = DINV + 4;
/// Public inputs: the pre-state root.
pub const NUM_PIS: usize = 4;

/// Deepest path the table proves (the bits of one key-hash element).
pub const MAX_PATH: usize = NUM_BITS;

#[derive(Clone, Copy, Debug, Default)]
pub struct StateStark;

impl StateStark {
    fn local_lookups(&self) -> Vec<starky::lookup::Lookup<F>> {
        vec![]
    }

    pub fn eval<T: Copy, O: Ops<T>>(&self, o: &mut O, lv: &[T], nv: &[T], pis: &[T]) {
        let (head, path) = (lv[HEAD], lv[PATH]);
        let term = o.sum(&[lv[T_EMPTY], lv[T_SAME], lv[T_OTHER]]);
        let one = o.one();
        for f in [HEAD, PATH, T_EMPTY, T_SAME, T_OTHER] {
            let nf = o.not(lv[f]);
            let t = o.mul(lv[f], nf);
            o.always(t);
        }
        let any = o.sum(&[head, path, term]);
        let nany = o.not(any);
        let t = o.mul(any, nany);
        o.always(t);

        // Segments: HEAD, PATH*, one terminal; nothing but padding or a HEAD after a terminal.
        let next_body = o.sum(&[nv[PATH], nv[T_EMPTY], nv[T_SAME], nv[T_OTHER]]);
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
        for c in [ADDR, KEY, OLD, KH, KH + 1, KH + 2, KH + 3] {
            let d = o.sub(nv[c], lv[c]);
            let t = o.mul(next_body, d);
            o.transition(t);
        }

        // The key hash's bits: on HEAD, boolean, summing to KH[0], below p.
        let bits = &lv[BITS..BITS + NUM_BITS];
        for &b in bits {
            let nb = o.not(b);
            let t = o.mul3(head, b, nb);
            o.always(t);
        }
        let lo = o.lin(&(0..32).map(|j| (bits[j], F::from_canonical_u64(1 << j))).collect::<Vec<_>>());
        let hi = o.lin(&(32..64).map(|j| (bits[j], F::from_canonical_u64(1 << (j - 32)))).collect::<Vec<_>>());
        let two32 = o.constant(F::from_canonical_u64(1 << 32));
        let whole = o.mul(hi, two32);
        let whole = o.add(whole, lo);
        let t = o.sub(whole, lv[KH]);
        let t = o.mul(head, t);
        o.always(t);
        // CZ = [hi = 2^32 - 1] (CINV inverts hi - (2^32 - 1) otherwise); then lo = 0.
        let m = o.constant(F::from_canonical_u64(u32::MAX as u64));
        let hm = o.sub(hi, m);
        let inv = o.mul(hm, lv[CINV]);
        let ncz = o.not(lv[CZ]);
        let t = o.sub(inv, ncz);
        let t = o.mul(head, t);
        o.always(t);
        let t = o.mul3(head, lv[CZ], hm);
        o.always(t);
        let t = o.mul3(head, lv[CZ], lo);
        o.always(t);
        // HEAD: LEFT = 64 and the bits carry over; PATH: one bit used, LEFT ≠ 0.
        let width = o.constant(F::from_canonical_usize(NUM_BITS));
        let t = o.sub(lv[LEFT], width);
        let t = o.mul(head, t);
        o.always(t);
        for j in 0..NUM_BITS {
            let t = o.sub(nv[BITS + j], lv[BITS + j]);
            let t = o.mul(head, t);
            o.transition(t);
            if j + 1 < NUM_BITS {
                let t = o.sub(nv[BITS + j], lv[BITS + j + 1]);
                let t = o.mul(path, t);
                o.transition(t);
            }
        }
        let t = o.sub(nv[LEFT], lv[LEFT]);
        let t = o.mul(head, t);
        o.transition(t);
        let t = o.sub(nv[LEFT], lv[LEFT]);
        let t = o.add(t, one);
        let t = o.mul(path, t);
        o.transition(t);
        let t = o.mul(lv[LEFT], lv[LINV]);
        let t = o.sub(t, one);
        let t = o.mul(path, t);
        o.always(t);

        // The root, and the path: the child on the bit's side is the next row's node.
        let bit = lv[BITS];
        let nbit = o.not(bit);
        for i in 0..4 {
            let t = o.sub(nv[H + i], pis[i]);
            let t = o.mul(head, t);
            o.transition(t);
            let t = o.sub(lv[L + i], nv[H + i]);
            let t = o.mul3(path, nbit, t);
            o.transition(t);
            let t = o.sub(lv[R + i], nv[H + i]);
            let t = o.mul3(path, bit, t);
            o.transition(t);
        }

        // Terminals.
        for i in 0..4 {
            let t = o.mul(lv[T_EMPTY], lv[H + i]);
            o.always(t);
            let t = o.sub(lv[L + i], lv[KH + i]);
            let t = o.mul(lv[T_SAME], t);
            o.always(t);
        }
        let t = o.mul(lv[T_EMPTY], lv[OLD]);
        o.always(t);
        let t = o.mul(lv[T_OTHER], lv[OLD]);
        o.always(t);
        let t = o.sub(lv[OLD], lv[R]);
        let t = o.mul(lv[T_SAME], t);
        o.always(t);
        let leaf = o.add(lv[T_SAME], lv[T_OTHER]);
        let tag = o.constant(LEAF_TAG);
        let t = o.sub(lv[R + 1], tag);
        let t = o.mul(leaf, t);
        o.always(t);
        for i in [2, 3] {
            let t = o.mul(leaf, lv[R + i]);
            o.always(t);
        }
        let diffs: Vec<T> = (0..4).map(|i| o.sub(lv[L + i], lv[KH + i])).collect();
        let t = o.dot(&diffs, &lv[DINV..DINV + 4]);
        let t = o.sub(t, one);
        let t = o.mul(lv[T_OTHER], t);
        o.always(t);
    }
}

impl_stark!(StateStark, NUM_COLUMNS, NUM_PIS);

/// One touched slot: its pre-state value and the proof of it under the pre-state root.
#[derive(Clone, Debug)]
pub struct SlotProof {
    pub address: F,
    pub key: F,
    pub old: F,
    pub proof: MerkleProof,
}

/// The table's columns for `slots`, at least `min_rows` rows, and the permutation inputs it looks
/// up in the Poseidon table (one per lookup). Fails if a path is deeper than [`MAX_PATH`].
pub fn generate(slots: &[SlotProof], min_rows: usize) -> Result<(Vec<Vec<F>>, Vec<[F; 12]>), String> {
    let mut rows: Vec<[F; NUM_COLUMNS]> = Vec::new();
    let mut lookups = Vec::new();
    for s in slots {
        let depth = s.proof.siblings.len();
        if depth > MAX_PATH {
            return Err(format!("slot {} of contract {}: path of {depth} levels, deeper than {MAX_PATH}", s.key, s.address));
        }
        let kh = KeyHash::of(s.address, s.key);
        let khf = kh.to_hash().elements;
        let mut base = [F::ZERO; NUM_COLUMNS];
        (base[ADDR], base[KEY], base[OLD]) = (s.address, s.key, s.old);
        base[KH..KH + 4].copy_from_slice(&khf);
        let k0 = kh.0[0];
        let mut head = at_level(&base, k0, 0);
        head[HEAD] = F::ONE;
        let hm = F::from_canonical_u64(k0 >> 32) - F::from_canonical_u64(u32::MAX as u64);
        if hm == F::ZERO {
            head[CZ] = F::ONE;
        } else {
            head[CINV] = hm.inverse();
        }
        lookups.push(key_hash_input(s.address, s.key));
        let mut seg = vec![head];

        // Node hashes along the path, bottom up: node[i] is the node at depth i.
        let term_hash = s.proof.terminal.hash();
        let mut nodes = vec![term_hash; depth + 1];
        for i in (0..depth).rev() {
            let (l, r) = children(&kh, i, nodes[i + 1], s.proof.siblings[i]);
            nodes[i] = node_hash(l, r);
        }
        for i in 0..depth {
            let mut row = at_level(&base, k0, i);
            row[PATH] = F::ONE;
            row[LINV] = row[LEFT].inverse();
            let (l, r) = children(&kh, i, nodes[i + 1], s.proof.siblings[i]);
            row[L..L + 4].copy_from_slice(&l.elements);
            row[R..R + 4].copy_from_slice(&r.elements);
            row[H..H + 4].copy_from_slice(&nodes[i].elements);
            lookups.push(hash_input(&row));
            seg.push(row);
        }
        let mut term = at_level(&base, k0, depth);
        term[H..H + 4].copy_from_slice(&term_hash.elements);
        match s.proof.terminal {
            NodeOpening::Empty => term[T_EMPTY] = F::ONE,
            NodeOpening::Leaf { key, value } => {
                term[if key == kh { T_SAME } else { T_OTHER }] = F::ONE;
                let kf = key.to_hash().elements;
                term[L..L + 4].copy_from_slice(&kf);
                (term[R], term[R + 1]) = (value, LEAF_TAG);
                if key != kh {
                    let i = (0..4).find(|&i| kf[i] != khf[i]).expect("distinct keys");
                    term[DINV + i] = (kf[i] - khf[i]).inverse();
                }
                lookups.push(hash_input(&term));
            }
            NodeOpening::Internal { .. } => return Err("a Merkle proof ends in an internal node".into()),
        }
        seg.push(term);
        rows.extend(seg);
    }
    let n = super::public::rows_for(rows.len()).max(min_rows);
    let mut cols = vec![vec![F::ZERO; n]; NUM_COLUMNS];
    for (i, row) in rows.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            cols[c][i] = v;
        }
    }
    Ok((cols, lookups))
}

/// `base` with the key-hash bits from path level `level` on (`k0 = KH[0]`), next bit first.
fn at_level(base: &[F; NUM_COLUMNS], k0: u64, level: usize) -> [F; NUM_COLUMNS] {
    let mut row = *base;
    for j in 0..NUM_BITS - level {
        row[BITS + j] = F::from_bool((k0 >> (level + j)) & 1 == 1);
    }
    row[LEFT] = F::from_canonical_usize(NUM_BITS - level);
    row
}

/// `(left, right)` of the node at `depth` on `key`'s path, given its path child and the sibling.
fn children(key: &KeyHash, depth: usize, child: Hash, sibling: Hash) -> (Hash, Hash) {
    if key.bit(depth) {
        (sibling, child)
    } else {
        (child, sibling)
    }
}

/// The permutation input a hashing row looks up: `[L, R | 0, 0, 0, 0]`.
fn hash_input(row: &[F; NUM_COLUMNS]) -> [F; 12] {
    let mut s = [F::ZERO; 12];
    s[..8].copy_from_slice(&row[L..L + 8]);
    s
}

/// Columns of the public slot list: `(address, key, pre-state value, 1)` per touched slot, in
/// first-access order, then zero rows. Every column is public; the last is the lookup's filter.
pub const SLOT_COLUMNS: usize = 4;

pub fn slots_public(slots: &[(F, F, F)], rows: usize) -> Vec<Vec<F>> {
    let data: Vec<Vec<F>> = slots.iter().map(|&(a, k, v)| vec![a, k, v, F::ONE]).collect();
    super::public::table(&data, SLOT_COLUMNS, |_| vec![F::ZERO; SLOT_COLUMNS], rows)
}
