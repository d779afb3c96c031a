//! The state table's constraint groups, each against a forged trace that only it rejects,
//! checked row by row (`expr::Check`) on traces from the table's own generator. The
//! cross-table lookups are checked by the proofs in `block_prover.rs`.

use parallax::chain::{Hash, MerkleProof, NodeOpening, State, StorageWrite, F};
use parallax::prover::expr::Check;
use parallax::prover::state::{self, SlotProof, StateStark};
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

fn slot(s: &State, address: u64, key: u64) -> SlotProof {
    let (address, key) = (F::from_canonical_u64(address), F::from_canonical_u64(key));
    SlotProof { address, key, old: s.get(address, key), proof: s.prove(address, key) }
}

fn pis(root: Hash) -> Vec<F> {
    root.elements.to_vec()
}

fn rows_of(cols: &Cols, kind: usize) -> Vec<usize> {
    (0..cols[0].len()).filter(|&r| cols[kind][r] == F::ONE).collect()
}

/// Removes row `r`, keeping the height with a padding row at the end.
fn remove_row(cols: &mut Cols, r: usize) {
    for c in cols.iter_mut() {
        c.remove(r);
        c.push(F::ZERO);
    }
}

fn insert_row(cols: &mut Cols, r: usize, row: &[F]) {
    for (c, &v) in cols.iter_mut().zip(row) {
        c.insert(r, v);
        c.pop();
    }
}

/// Three present slots and two absent ones (an empty terminal and another key's leaf).
fn honest() -> (Cols, Vec<F>) {
    let s = state(40);
    let slots: Vec<SlotProof> = [(1, 3), (1, 17), (2, 5), (1, 39), (9, 9)].iter().map(|&(a, k)| slot(&s, a, k)).collect();
    let (cols, _) = state::generate(&slots, 0).unwrap();
    assert_eq!(rows_of(&cols, state::T_SAME).len(), 3);
    assert_eq!(rows_of(&cols, state::T_EMPTY).len() + rows_of(&cols, state::T_OTHER).len(), 2);
    (cols, pis(s.root()))
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
    let mut head = vec![F::ZERO; state::NUM_COLUMNS];
    head[state::HEAD] = F::ONE;
    head[state::LEFT] = F::from_canonical_u64(64);
    head[state::CINV] = (F::ZERO - F::from_canonical_u64(u32::MAX as u64)).inverse();
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
    let (cols, pis) = {
        let (c, _) = state::generate(&[slot(&s, 1, 0)], 0).unwrap();
        (c, pis(s.root()))
    };
    assert_eq!(rows_of(&cols, state::T_SAME), vec![1], "a one-slot tree: the root is the leaf");
    let with_bits = |x: u64, bits: u64| {
        let mut t = cols.clone();
        for r in 0..2 {
            t[state::KH][r] = F::from_canonical_u64(x);
            for j in 0..64 {
                t[state::BITS + j][r] = F::from_bool((bits >> j) & 1 == 1);
            }
        }
        t[state::L][1] = F::from_canonical_u64(x);
        let hm = F::from_canonical_u64(bits >> 32) - F::from_canonical_u64(u32::MAX as u64);
        (t[state::CZ][0], t[state::CINV][0]) = if hm == F::ZERO { (F::ONE, F::ZERO) } else { (F::ZERO, hm.inverse()) };
        failing(&t, &pis)
    };
    let x = 5u64;
    assert_eq!(with_bits(x, x), Vec::<usize>::new(), "the canonical bits of another key hash");
    assert_eq!(with_bits(x, x + F::ORDER), vec![0], "bits of KH[0] + p");
}

/// Paths use at most the 64 bits of `KH[0]`: a 65th level has no bit left.
#[test]
fn depth_counter_stops_at_64_levels() {
    let siblings: Vec<Hash> = (0..64).map(|_| Hash { elements: F::rand_array() }).collect();
    let proof = MerkleProof { siblings, terminal: NodeOpening::Empty, terminal_sibling: None };
    let slot = SlotProof { address: F::ONE, key: F::TWO, old: F::ZERO, proof };
    let (cols, _) = state::generate(&[slot.clone()], 0).unwrap();
    let pis: Vec<F> = (0..4).map(|i| cols[state::H + i][1]).collect();
    assert_eq!(failing(&cols, &pis), Vec::<usize>::new(), "64 levels are proven");

    let mut long = slot.clone();
    long.proof.siblings.push(Hash { elements: F::rand_array() });
    assert!(state::generate(&[long], 0).is_err(), "the generator refuses a 65th level");

    // a 65th path row after row 64, with every other constraint kept: all bits used, LEFT = 0
    let mut t = cols.clone();
    let mut row: Vec<F> = t.iter().map(|c| c[64]).collect();
    for j in 0..64 {
        row[state::BITS + j] = F::ZERO;
    }
    row[state::LEFT] = F::ZERO;
    row[state::LINV] = F::ZERO;
    let child = if cols[state::BITS][64] == F::ONE { state::R } else { state::L };
    for i in 0..4 {
        row[state::H + i] = cols[child + i][64];
        row[state::L + i] = cols[state::H + i][65];
    }
    insert_row(&mut t, 65, &row);
    t[state::LEFT][66] = F::NEG_ONE;
    assert_eq!(rows_of(&t, state::PATH).len(), 65);
    assert_eq!(failing(&t, &pis), vec![65]);
}
