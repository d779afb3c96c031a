//! The state table's constraint groups, each against a forged trace that only it rejects,
//! checked row by row (`expr::Check`) on traces from the table's own generator. The
//! cross-table lookups are checked by the proofs in `block_prover.rs`.

use parallax::chain::hash::hash_with_sibling;
use parallax::chain::{node_hash, Hash, KeyHash, EMPTY_HASH, MerkleProof, NodeOpening, State, StorageWrite, F};
use parallax::prover::expr::Check;
use parallax::prover::state::{self, NewEnd, Plan, SlotUpdate, StateStark};
use plonky2::field::types::{Field, Field64, Sample};

type Cols = Vec<Vec<F>>;

fn failing(cols: &Cols, pis: &[F]) -> Vec<usize> {
    Check::failing_rows(cols, pis, |o, lv, nv, pis| StateStark.eval(o, lv, nv, pis))
}

fn state(n: u64) -> State {
    let mut s = State::new();
    let w: Vec<StorageWrite> =
        (0..n).map(|k| StorageWrite { address: F::ONE, key: F::from_canonical_u64(k), value: F::from_canonical_u64(k + 7) }).collect();
    s.apply_writes(&w);
    s
}

/// The chain of updates writing `writes` `(address, key, new)` in order to `s` (each slot once),
/// and the root it must end at.
fn chain(s: &State, writes: &[(u64, u64, u64)]) -> (Vec<SlotUpdate>, Hash) {
    let mut tree = s.tree().clone();
    let ups = writes
        .iter()
        .map(|&(a, k, v)| {
            let (address, key, new) = (F::from_canonical_u64(a), F::from_canonical_u64(k), F::from_canonical_u64(v));
            let w = tree.write_with_witness(KeyHash::of(address, key), new);
            SlotUpdate { address, key, old: w.old_value, new, proof: w.proof }
        })
        .collect();
    (ups, tree.root())
}

/// The table for `writes` on `s`, with its public inputs; checks it ends at the tree's root.
fn table(s: &State, writes: &[(u64, u64, u64)]) -> (Cols, Vec<F>) {
    let (ups, post) = chain(s, writes);
    let (cols, _, end) = state::generate(&ups, s.root(), 0).unwrap();
    assert_eq!(end, post, "the table's post-state root is the tree's");
    (cols, pis(s.root(), post))
}

fn pis(pre: Hash, post: Hash) -> Vec<F> {
    state::roots_public(pre.elements, post.elements).to_vec()
}

fn rows_of(cols: &Cols, kind: usize) -> Vec<usize> {
    (0..cols[0].len()).filter(|&r| cols[kind][r] == F::ONE).collect()
}

/// Removes row `r`, keeping the height with a padding row at the end.
fn remove_row(cols: &mut Cols, r: usize) {
    let last: Vec<F> = cols.iter().map(|c| c[c.len() - 1]).collect();
    for (c, v) in cols.iter_mut().zip(last) {
        c.remove(r);
        c.push(v);
    }
}

fn insert_row(cols: &mut Cols, r: usize, row: &[F]) {
    for (c, &v) in cols.iter_mut().zip(row) {
        c.insert(r, v);
        c.pop();
    }
}

/// Reads of three present slots and two absent ones (an empty end and another key's leaf).
fn honest() -> (Cols, Vec<F>) {
    let s = state(40);
    let writes: Vec<(u64, u64, u64)> = [(1, 3), (1, 17), (2, 5), (1, 39), (9, 9)].iter().map(|&(a, k)| (a, k, s.get(F::from_canonical_u64(a), F::from_canonical_u64(k)).0)).collect();
    let (cols, pis) = table(&s, &writes);
    assert_eq!(rows_of(&cols, state::T_SAME).len(), 3);
    assert_eq!(rows_of(&cols, state::T_EMPTY).len() + rows_of(&cols, state::T_OTHER).len(), 2);
    assert_eq!(rows_of(&cols, state::N_COPY).len(), 5);
    (cols, pis)
}

#[test]
fn honest_trace_satisfies_every_constraint() {
    let (cols, pis) = honest();
    assert_eq!(failing(&cols, &pis), Vec::<usize>::new());
    let mut other = pis.clone();
    other[2] += F::ONE;
    assert!(!failing(&cols, &other).is_empty(), "the root is bound to the public inputs");
}

/// A segment must open with its head row: at the table's start, after a terminal, and never
/// on the last row; a head or path row is followed by the rest of its segment.
#[test]
fn segment_row_order_is_enforced() {
    let (cols, pis) = honest();
    let heads = rows_of(&cols, state::HEAD);
    let n = cols[0].len();

    let mut t = cols.clone();
    remove_row(&mut t, 0);
    assert_eq!(failing(&t, &pis), vec![0], "a path row first");

    let mut t = cols.clone();
    remove_row(&mut t, heads[1]);
    assert_eq!(failing(&t, &pis), vec![heads[1] - 1], "a terminal followed by a path row");

    let mut t = cols.clone();
    let term = heads[1] - 1;
    remove_row(&mut t, term);
    assert!(failing(&t, &pis).contains(&(term - 1)), "a path row followed by a head");

    let mut t = cols.clone();
    let mut head: Vec<F> = t.iter().map(|c| c[n - 1]).collect();
    head[state::HEAD] = F::ONE;
    head[state::LEFT] = F::from_canonical_u64(64);
    head[state::CINV] = (F::ZERO - F::from_canonical_u64(u32::MAX as u64)).inverse();
    head[state::OCINV] = head[state::CINV];
    let last = rows_of(&t, state::HEAD).len();
    for (c, v) in t.iter_mut().zip(&head) {
        c[n - 1] = *v;
    }
    assert_eq!(rows_of(&t, state::HEAD).len(), last + 1);
    assert_eq!(failing(&t, &pis), vec![n - 1], "a segment opened on the last row");
}

/// The key hash's bits are canonical: for `KH[0] < 2^32 - 1`, the 64 bits of `KH[0] + p` also
/// sum to `KH[0]` in the field, and would give the key a second path.
#[test]
fn key_hash_bits_must_be_canonical() {
    let s = state(1);
    let (cols, pis) = table(&s, &[(1, 0, 7)]);
    assert_eq!(rows_of(&cols, state::T_SAME), vec![1], "a one-slot tree: the root is the leaf");
    let with_bits = |x: u64, bits: u64| {
        let mut t = cols.clone();
        for r in 0..2 {
            t[state::KH][r] = F::from_canonical_u64(x);
            for j in 0..64 {
                t[state::BITS + j][r] = F::from_bool((bits >> j) & 1 == 1);
            }
        }
        t[state::OL][1] = F::from_canonical_u64(x);
        let hm = F::from_canonical_u64(bits >> 32) - F::from_canonical_u64(u32::MAX as u64);
        (t[state::CZ][0], t[state::CINV][0]) = if hm == F::ZERO { (F::ONE, F::ZERO) } else { (F::ZERO, hm.inverse()) };
        failing(&t, &pis)
    };
    let x = 5u64;
    assert_eq!(with_bits(x, x), Vec::<usize>::new(), "the canonical bits of another key hash");
    assert_eq!(with_bits(x, x + F::ORDER), vec![0], "bits of KH[0] + p");
}

/// Paths run through all 256 key-hash bits, element after element (reloaded at levels 64, 128
/// and 192), and no further: a 257th level has no bit left. The reload takes the next element.
#[test]
fn paths_run_to_256_levels_and_no_further() {
    let (address, key) = (F::ONE, F::TWO);
    let kh = KeyHash::of(address, key);
    let rand = || Hash { elements: F::rand_array() };
    let (left, right) = (rand(), rand());
    let mut siblings: Vec<Hash> = (0..255).map(|_| rand()).collect();
    siblings.push(node_hash(left, right));
    let root = (0..256).rev().fold(EMPTY_HASH, |h, i| hash_with_sibling(h, siblings[i], kh.bit(i)));
    let proof = MerkleProof { siblings, terminal: NodeOpening::Empty, terminal_sibling: Some(NodeOpening::Internal { left, right }) };
    let read = SlotUpdate { address, key, old: F::ZERO, new: F::ZERO, proof };
    let (cols, _, end) = state::generate(&[read.clone()], root, 0).unwrap();
    assert_eq!(end, root);
    let pis = pis(root, root);
    assert_eq!(failing(&cols, &pis), Vec::<usize>::new(), "256 levels are proven");
    assert_eq!(rows_of(&cols, state::RELOAD), vec![65, 129, 193]);

    let mut long = read.clone();
    long.proof.siblings.insert(0, rand());
    assert!(state::generate(&[long], root, 0).is_err(), "the generator refuses a 257th level");

    // a 257th path row after row 256, with every other constraint kept: all bits used, LEFT = 0
    let mut t = cols.clone();
    let mut row: Vec<F> = t.iter().map(|c| c[256]).collect();
    for j in 0..64 {
        row[state::BITS + j] = F::ZERO;
    }
    row[state::LEFT] = F::ZERO;
    row[state::LINV] = F::ZERO;
    let right = cols[state::BITS][256] == F::ONE;
    for (l, r, h) in [(state::OL, state::OR, state::OH), (state::NL, state::NR, state::NH)] {
        for i in 0..4 {
            row[h + i] = cols[if right { r } else { l } + i][256];
            row[l + i] = cols[h + i][257];
            row[r + i] = row[state::S + i];
        }
    }
    insert_row(&mut t, 257, &row);
    t[state::LEFT][258] = F::NEG_ONE;
    assert_eq!(rows_of(&t, state::PATH).len(), 257);
    assert_eq!(failing(&t, &pis), vec![257]);

    // a reload row whose bits are not the next element's (level 127's bit flipped throughout)
    let mut t = cols.clone();
    for r in 65..129 {
        let b = &mut t[state::BITS + 63 - (r - 65)][r];
        *b = F::ONE - *b;
    }
    assert!(failing(&t, &pis).contains(&65));

    // the second element's levels read with the first element's selector
    let mut t = cols.clone();
    for r in 65..129 {
        t[state::WSEL][r] = F::ONE;
        t[state::WSEL + 1][r] = F::ZERO;
    }
    assert!(failing(&t, &pis).contains(&64));
}

fn count(cols: &Cols, kind: usize) -> usize {
    rows_of(cols, kind).len()
}

/// Every shape of `proof::root_after_write` (update, insert into an empty subtree, split onto
/// another key's leaf, delete keeping an internal sibling, delete moving a leaf up, unchanged
/// slots) satisfies the constraints and ends at the chain model's root.
#[test]
fn every_update_shape_satisfies_the_constraints() {
    let s = state(40);
    let mut writes: Vec<(u64, u64, u64)> = vec![(1, 3, 100), (1, 17, 17 + 7), (1, 500, 0)];
    writes.extend((100..120).map(|k| (1, k, k * 3)));
    writes.extend((20..32).map(|k| (1, k, 0)));
    let (cols, pis) = table(&s, &writes);
    assert_eq!(failing(&cols, &pis), Vec::<usize>::new());
    let kinds = |t: usize, n: usize| {
        rows_of(&cols, t).into_iter().filter(|&r| cols[n][r] == F::ONE).count()
    };
    assert_eq!(kinds(state::T_SAME, state::N_LEAF), 1, "one update in place");
    assert!(kinds(state::T_EMPTY, state::N_LEAF) > 0, "inserts into empty subtrees");
    assert!(kinds(state::T_OTHER, state::N_LEAF) > 0, "splits");
    assert!(count(&cols, state::O_OFF) > 0);
    assert!(count(&cols, state::N_EMPTY) > 0, "deletes keeping an internal sibling");
    assert!(count(&cols, state::N_MOVED) > 0, "deletes moving a leaf up");
    assert!(count(&cols, state::N_OFF) > count(&cols, state::N_MOVED), "some leaf moves up more than one level");
    assert_eq!(count(&cols, state::N_COPY), 2, "an unchanged slot and an absent one written 0");
}

/// The depth-0 cases: the first leaf of an empty tree, a split of the root leaf, the root leaf
/// deleted, a delete that leaves the other leaf at the root.
#[test]
fn root_level_updates_satisfy_the_constraints() {
    let empty = State::new();
    let one = state(1);
    let two = state(2);
    for (s, writes) in [
        (&empty, vec![(1, 5, 9)]),
        (&one, vec![(1, 1, 9)]),
        (&one, vec![(1, 0, 0)]),
        (&two, vec![(1, 1, 0)]),
        (&two, vec![(1, 0, 0), (1, 1, 0)]),
        (&empty, vec![(1, 5, 9), (1, 6, 2), (1, 5, 0)]),
    ] {
        let (cols, pis) = table(s, &writes);
        assert_eq!(failing(&cols, &pis), Vec::<usize>::new(), "{writes:?}");
    }
}

/// One update writing `v` at `(1, k)` of `s`, and its honest plan.
fn single(s: &State, k: u64, v: u64) -> (SlotUpdate, Plan) {
    let (mut ups, _) = chain(s, &[(1, k, v)]);
    let u = ups.remove(0);
    let plan = Plan::of(&u).unwrap();
    (u, plan)
}

/// The rows failing for `u` with shape `plan` (its own end root as the post-state root).
fn failing_plan(s: &State, u: &SlotUpdate, plan: &Plan) -> Vec<usize> {
    let (cols, _, end) = state::generate_planned(&[u.clone()], &[plan.clone()], s.root(), 0);
    failing(&cols, &pis(s.root(), end))
}

/// The first key among `keys` whose write of `v` has a plan satisfying `want`.
fn find(s: &State, keys: std::ops::Range<u64>, v: u64, want: impl Fn(&Plan) -> bool) -> (SlotUpdate, Plan) {
    keys.map(|k| single(s, k, v)).find(|(_, p)| want(p)).expect("such a key")
}

/// A split hangs the two leaves exactly below the keys' first differing bit: not higher (the
/// bits still agree there) nor lower (they differ above, where the sibling is empty).
#[test]
fn split_depth_is_forced() {
    let s = state(40);
    let (u, honest) = find(&s, 100..10_000, 5, |p| p.depth >= p.old_depth + 2);
    assert_eq!(failing_plan(&s, &u, &honest), Vec::<usize>::new());
    let mut shallow = honest.clone();
    shallow.siblings.remove(honest.old_depth);
    shallow.depth -= 1;
    assert_eq!(failing_plan(&s, &u, &shallow), vec![honest.depth - 1]);
    let mut deep = honest.clone();
    deep.siblings.insert(honest.old_depth, EMPTY_HASH);
    deep.depth += 1;
    assert!(failing_plan(&s, &u, &deep).contains(&honest.depth));
    // no split at all: the new leaf where the other key's leaf was
    let mut none = honest.clone();
    none.siblings.truncate(honest.old_depth);
    none.depth = honest.old_depth;
    assert_eq!(failing_plan(&s, &u, &none), vec![honest.old_depth]);
}

/// A delete moves a lone sibling leaf up to the first non-empty sibling: not less, not more.
#[test]
fn collapse_height_is_forced() {
    let s = state(40);
    let (u, honest) = find(&s, 0..40, 0, |p| matches!(p.end, NewEnd::Moved(_, top) if top >= 1 && p.depth >= top + 2));
    let NewEnd::Moved(x, top) = honest.end else { unreachable!() };
    assert_eq!(failing_plan(&s, &u, &honest), Vec::<usize>::new());
    let early = Plan { end: NewEnd::Moved(x, top + 1), ..honest.clone() };
    assert_eq!(failing_plan(&s, &u, &early), vec![top + 1]);
    let far = Plan { end: NewEnd::Moved(x, top - 1), ..honest.clone() };
    assert!(failing_plan(&s, &u, &far).contains(&top));
    // not collapsed: the not-a-leaf witness fails on the opened sibling
    let kept = Plan { end: NewEnd::Empty(x), ..honest.clone() };
    assert_eq!(failing_plan(&s, &u, &kept), vec![honest.depth + 1]);
    // another leaf moved up than the sibling
    let mut y = x;
    y[4] += F::ONE;
    let other = Plan { end: NewEnd::Moved(y, top), ..honest.clone() };
    assert!(failing_plan(&s, &u, &other).contains(&honest.depth));
}

/// A delete next to an internal sibling keeps it; it cannot be opened as a leaf that moves up.
#[test]
fn internal_sibling_is_not_collapsed() {
    let s = state(40);
    let (u, honest) = find(&s, 0..40, 0, |p| matches!(p.end, NewEnd::Empty(_)) && p.depth >= 1);
    let NewEnd::Empty(x) = honest.end else { unreachable!() };
    assert_eq!(failing_plan(&s, &u, &honest), Vec::<usize>::new());
    let moved = Plan { end: NewEnd::Moved(x, honest.depth - 1), ..honest.clone() };
    assert_eq!(failing_plan(&s, &u, &moved), vec![honest.depth + 1]);
}

/// The new side's end matches the update: an unchanged root only for an unchanged value, a
/// new leaf only for a non-zero value, a delete only of the slot's own leaf.
#[test]
fn new_end_matches_the_value() {
    let s = state(40);
    let (u, honest) = single(&s, 3, 99);
    assert_eq!(honest.end, NewEnd::Leaf);
    let copy = Plan { end: NewEnd::Copy, ..honest.clone() };
    assert_eq!(failing_plan(&s, &u, &copy), vec![honest.depth + 1]);
    let (u0, zero) = find(&s, 100..10_000, 0, |p| p.old_depth == p.depth && p.k2 == [0; 4]);
    assert_eq!(zero.end, NewEnd::Copy);
    let leaf = Plan { end: NewEnd::Leaf, ..zero.clone() };
    assert_eq!(failing_plan(&s, &u0, &leaf), vec![zero.depth + 1], "a leaf of value 0");
    let del = Plan { end: NewEnd::Empty([F::ZERO; 8]), ..zero.clone() };
    assert!(failing_plan(&s, &u0, &del).contains(&(zero.depth + 1)), "a delete of an absent slot");
}

/// Both sides share each level's sibling, and segment `i + 1` starts at segment `i`'s new root.
#[test]
fn sides_share_siblings_and_roots_chain() {
    let s = state(40);
    let (cols, pis) = table(&s, &[(1, 3, 99), (1, 5, 0), (1, 200, 4)]);
    let heads = rows_of(&cols, state::HEAD);
    let r = heads[0] + 2;
    assert_eq!(cols[state::PATH][r], F::ONE);
    let mut t = cols.clone();
    let side = if cols[state::BITS][r] == F::ONE { state::NL } else { state::NR };
    t[side][r] += F::ONE;
    assert_eq!(failing(&t, &pis), vec![r], "the new side's sibling differs");

    let mut t = cols.clone();
    for row in heads[1]..heads[2] {
        t[state::OROOT][row] += F::ONE;
    }
    assert!(failing(&t, &pis).contains(&(heads[1] - 1)), "a segment off the chain");
    let mut t = cols.clone();
    let n = t[0].len();
    t[state::NROOT][n - 1] += F::ONE;
    assert_eq!(failing(&t, &pis), vec![n - 1], "padding changes the root");
}
