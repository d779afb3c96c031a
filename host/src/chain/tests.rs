//! Tests of the state tree against an independent naive root computation, plonky2's raw
//! Poseidon permutation, and forged proofs; and of the state file.

use std::collections::BTreeMap;

use plonky2::field::types::{Field, Field64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::{Poseidon, PoseidonHash};
use plonky2::plonk::config::Hasher;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn f(x: u64) -> F {
    F::from_canonical_u64(x)
}

/// Naive root: recursive definition over a key set, no sorting, no incremental state.
fn naive_subtree(entries: &[(KeyHash, F)], depth: usize) -> Hash {
    match entries {
        [] => EMPTY_HASH,
        [(k, v)] => {
            PoseidonHash::hash_no_pad(&[f(k.0[0]), f(k.0[1]), f(k.0[2]), f(k.0[3]), *v, F::ONE])
        }
        _ => {
            let bit = |k: &KeyHash| (k.0[depth / 64] >> (depth % 64)) & 1;
            let l: Vec<_> = entries
                .iter()
                .copied()
                .filter(|(k, _)| bit(k) == 0)
                .collect();
            let r: Vec<_> = entries
                .iter()
                .copied()
                .filter(|(k, _)| bit(k) == 1)
                .collect();
            PoseidonHash::two_to_one(naive_subtree(&l, depth + 1), naive_subtree(&r, depth + 1))
        }
    }
}

fn naive_root(map: &BTreeMap<KeyHash, F>) -> Hash {
    let entries: Vec<_> = map
        .iter()
        .filter(|(_, v)| **v != F::ZERO)
        .map(|(k, v)| (*k, *v))
        .collect();
    naive_subtree(&entries, 0)
}

fn random_key(rng: &mut StdRng) -> KeyHash {
    KeyHash::of(f(rng.gen_range(0..50)), F::from_noncanonical_u64(rng.gen()))
}

fn random_batch(rng: &mut StdRng, n: usize, known: &[KeyHash]) -> Vec<(KeyHash, F)> {
    (0..n)
        .map(|_| {
            let key = if !known.is_empty() && rng.gen_bool(0.4) {
                known[rng.gen_range(0..known.len())]
            } else {
                random_key(rng)
            };
            let value = if rng.gen_bool(0.25) {
                F::ZERO
            } else {
                f(rng.gen_range(1..1000))
            };
            (key, value)
        })
        .collect()
}

/// A key hash whose first `bits` path bits are those of `base`, and the rest random.
fn key_with_prefix(base: &KeyHash, bits: usize, rng: &mut StdRng) -> KeyHash {
    let mut w = [0u64; 4];
    for (i, word) in w.iter_mut().enumerate() {
        let lo = bits.saturating_sub(i * 64).min(64);
        let mask = if lo == 64 { u64::MAX } else { (1u64 << lo) - 1 };
        // Resample until canonical (a full-mask word is the canonical base word itself).
        *word = loop {
            let x = (base.0[i] & mask) | (rng.gen::<u64>() & !mask);
            if x < F::ORDER {
                break x;
            }
        };
    }
    KeyHash(w)
}

// ---- bit-exactness against plonky2's Poseidon ----

fn raw_perm(inputs: &[F]) -> Hash {
    let mut state = [F::ZERO; 12];
    state[..inputs.len()].copy_from_slice(inputs);
    let out = F::poseidon(state);
    HashOut {
        elements: [out[0], out[1], out[2], out[3]],
    }
}

#[test]
fn hashes_are_single_poseidon_permutations_with_documented_layout() {
    let (a, k, v) = (f(7), f(42), f(1234));
    let kh = KeyHash::of(a, k);
    // the key hash sets capacity element 0 (domain separation from node preimages)
    let mut state = [F::ZERO; 12];
    (state[0], state[1], state[8]) = (a, k, F::ONE);
    assert_eq!(kh.to_hash().elements, F::poseidon(state)[..4]);
    assert_ne!(kh.to_hash(), raw_perm(&[a, k]));
    let e = kh.to_hash().elements;
    assert_eq!(
        leaf_hash(&kh, v),
        raw_perm(&[e[0], e[1], e[2], e[3], v, F::ONE])
    );
    let (l, r) = (leaf_hash(&kh, v), leaf_hash(&kh, f(5)));
    let mut lr = l.elements.to_vec();
    lr.extend(r.elements);
    assert_eq!(node_hash(l, r), raw_perm(&lr));
    assert_eq!(node_hash(l, r), PoseidonHash::two_to_one(l, r));
}

#[test]
fn tiny_tree_root_by_hand() {
    // Three slots of contract 1: find keys a, b with bit 0 = 0 and parting only at bit 2 or
    // later, and c with bit 0 = 1. Expected shape:
    //   root = H(n0, leaf_c);  n0 = H(n1, 0) or H(0, n1) by bit 1;  n1 = leaves of a, b below.
    let slot = |i: u64| KeyHash::of(F::ONE, f(i));
    let keys: Vec<(u64, KeyHash)> = (0..200).map(|i| (i, slot(i))).collect();
    let c = keys.iter().find(|(_, k)| k.bit(0)).unwrap();
    let (a, b) = keys
        .iter()
        .filter(|(_, k)| !k.bit(0))
        .flat_map(|x| keys.iter().map(move |y| (x, y)))
        .find(|(x, y)| {
            x.0 != y.0 && !y.1.bit(0) && x.1.bit(1) == y.1.bit(1) && x.1.bit(2) != y.1.bit(2)
        })
        .unwrap();
    let (va, vb, vc) = (f(10), f(20), f(30));
    let mut state = State::new();
    state.apply_writes(&[
        StorageWrite {
            address: F::ONE,
            key: f(a.0),
            value: va,
        },
        StorageWrite {
            address: F::ONE,
            key: f(b.0),
            value: vb,
        },
        StorageWrite {
            address: F::ONE,
            key: f(c.0),
            value: vc,
        },
    ]);

    let leaf = |k: &KeyHash, v: F| {
        let e = k.to_hash().elements;
        PoseidonHash::hash_no_pad(&[e[0], e[1], e[2], e[3], v, F::ONE])
    };
    let (la, lb, lc) = (leaf(&a.1, va), leaf(&b.1, vb), leaf(&c.1, vc));
    let n2 = if a.1.bit(2) {
        PoseidonHash::two_to_one(lb, la)
    } else {
        PoseidonHash::two_to_one(la, lb)
    };
    let zero = HashOut::ZERO;
    let n1 = if a.1.bit(1) {
        PoseidonHash::two_to_one(zero, n2)
    } else {
        PoseidonHash::two_to_one(n2, zero)
    };
    let root = PoseidonHash::two_to_one(n1, lc);
    assert_eq!(state.root(), root);
    let s = state.tree().stats();
    assert_eq!(
        (s.leaves, s.internal, s.empty, s.max_leaf_depth),
        (3, 3, 1, 3)
    );
}

#[test]
fn empty_and_single_leaf_roots() {
    let mut t = Smt::new();
    assert_eq!(t.root(), HashOut::ZERO);
    let k = KeyHash::of(f(3), f(4));
    t.update(&[(k, f(9))]);
    assert_eq!(t.root(), leaf_hash(&k, f(9)));
    t.update(&[(k, F::ZERO)]);
    assert_eq!(t.root(), HashOut::ZERO);
    assert_eq!(t, Smt::new());
}

// ---- roots: incremental, from scratch, parallel, deletes ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn root_matches_naive(slots in proptest::collection::vec((0u64..8, any::<u64>(), 0u64..4), 0..120)) {
        let writes: Vec<(KeyHash, F)> = slots
            .iter()
            .map(|&(a, k, v)| (KeyHash::of(f(a), F::from_noncanonical_u64(k)), f(v)))
            .collect();
        let map: BTreeMap<KeyHash, F> = writes.iter().copied().collect(); // last write wins
        let t = Smt::from_entries(&writes);
        prop_assert_eq!(t.root(), naive_root(&map));
        for (k, v) in &map {
            prop_assert_eq!(t.get(k), *v);
        }
    }

    #[test]
    fn batches_match_single_writes(seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let batch = random_batch(&mut rng, 60, &[]);
        let mut batched = Smt::new();
        batched.update(&batch);
        let mut one_by_one = Smt::new();
        for w in &batch {
            one_by_one.update_serial(&[*w]);
        }
        prop_assert_eq!(batched, one_by_one);
    }
}

#[test]
fn incremental_matches_from_scratch_over_many_batches() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut tree = Smt::new();
    let mut map = BTreeMap::new();
    for round in 0..40 {
        let known: Vec<KeyHash> = map.keys().copied().collect();
        let n = rng.gen_range(0..300);
        let batch = random_batch(&mut rng, n, &known);
        tree.update(&batch);
        map.extend(batch.iter().copied());
        map.retain(|_, v| *v != F::ZERO);
        let live: Vec<(KeyHash, F)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(tree, Smt::from_entries(&live), "round {round}");
        if round % 8 == 0 {
            assert_eq!(tree.root(), naive_root(&map), "round {round}");
        }
        assert_eq!(tree.entries().len(), map.len());
    }
    assert!(map.len() > 1000);
}

#[test]
fn parallel_matches_serial() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    let base = random_batch(&mut rng, 20_000, &[]);
    let mut par = pool.install(|| Smt::from_entries(&base));
    let mut ser = Smt::new();
    ser.update_serial(&base);
    assert_eq!(par, ser);
    for _ in 0..5 {
        let known: Vec<KeyHash> = base.iter().map(|w| w.0).collect();
        let batch = random_batch(&mut rng, 5_000, &known);
        pool.install(|| par.update(&batch));
        ser.update_serial(&batch);
        assert_eq!(par.root(), ser.root());
        assert_eq!(par, ser);
    }
}

#[test]
fn deleting_restores_the_earlier_root_and_shape() {
    let mut rng = StdRng::seed_from_u64(3);
    let a = random_batch(&mut rng, 500, &[]);
    let mut t = Smt::from_entries(&a);
    let before = t.clone();
    let fresh: Vec<(KeyHash, F)> = (0..300)
        .map(|i| (KeyHash::of(f(1000), f(i)), f(i + 1)))
        .collect();
    t.update(&fresh);
    assert_ne!(t.root(), before.root());
    let deletes: Vec<_> = fresh.iter().map(|(k, _)| (*k, F::ZERO)).collect();
    t.update(&deletes);
    assert_eq!(t.root(), before.root());
    assert_eq!(t, before);
}

#[test]
fn deep_shared_prefixes_across_element_boundaries() {
    let mut rng = StdRng::seed_from_u64(4);
    let base = KeyHash::of(f(1), f(2));
    let mut map = BTreeMap::new();
    map.insert(base, f(1));
    for bits in [10, 63, 64, 65, 100, 128, 200, 255] {
        map.insert(key_with_prefix(&base, bits, &mut rng), f(bits as u64));
    }
    let mut t = Smt::new();
    let mut witnesses_ok = true;
    for (k, v) in &map {
        let w = t.write_with_witness(*k, *v);
        witnesses_ok &= w.check().is_ok();
    }
    assert!(witnesses_ok);
    assert_eq!(t.root(), naive_root(&map));
    assert!(t.stats().max_leaf_depth >= 200);
    for k in map.keys() {
        assert!(verify(t.root(), k, map[k], &t.prove(k)));
    }
    // Delete them again one by one, in an order that forces collapses from deep levels.
    for k in map.keys().rev() {
        let w = t.write_with_witness(*k, F::ZERO);
        w.check().unwrap();
    }
    assert_eq!(t.root(), EMPTY_HASH);
}

// ---- proofs ----

fn tree_and_map(seed: u64, n: usize) -> (Smt, BTreeMap<KeyHash, F>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let batch = random_batch(&mut rng, n, &[]);
    let mut map: BTreeMap<KeyHash, F> = batch.iter().copied().collect();
    map.retain(|_, v| *v != F::ZERO);
    (Smt::from_entries(&batch), map)
}

#[test]
fn membership_and_non_membership_proofs_verify() {
    let (t, map) = tree_and_map(5, 2000);
    let root = t.root();
    for (k, v) in map.iter().take(300) {
        let p = t.prove(k);
        assert_eq!(p.verify_value(root, k), Ok(*v));
        assert!(verify(root, k, *v, &p));
    }
    let mut rng = StdRng::seed_from_u64(6);
    let (mut via_empty, mut via_leaf) = (0, 0);
    for _ in 0..300 {
        let k = random_key(&mut rng);
        if map.contains_key(&k) {
            continue;
        }
        let p = t.prove(&k);
        assert!(verify(root, &k, F::ZERO, &p));
        match p.terminal {
            NodeOpening::Empty => via_empty += 1,
            NodeOpening::Leaf { .. } => via_leaf += 1,
            NodeOpening::Internal { .. } => unreachable!(),
        }
    }
    assert!(via_empty > 0 && via_leaf > 0, "{via_empty} {via_leaf}");
}

#[test]
fn forged_proofs_are_rejected() {
    let (t, map) = tree_and_map(7, 1000);
    let root = t.root();
    let mut rng = StdRng::seed_from_u64(8);
    let keys: Vec<KeyHash> = map.keys().copied().collect();
    for _ in 0..50 {
        let k = keys[rng.gen_range(0..keys.len())];
        let v = map[&k];
        let p = t.prove(&k);
        // Wrong value, and "absent".
        assert!(matches!(
            p.verify(root, &k, v + F::ONE),
            Err(ProofError::WrongValue { .. })
        ));
        assert!(!verify(root, &k, F::ZERO, &p));
        // Wrong key: another present key with this proof.
        let other = keys[rng.gen_range(0..keys.len())];
        if other != k {
            assert!(!verify(root, &other, v, &p));
            assert!(!verify(root, &other, map[&other], &p));
        }
        // Wrong sibling at each depth.
        for i in 0..p.siblings.len() {
            let mut q = p.clone();
            q.siblings[i].elements[i % 4] += F::ONE;
            assert!(!verify(root, &k, v, &q));
        }
        // Forged terminal value in the proof itself.
        let mut q = p.clone();
        q.terminal = NodeOpening::Leaf {
            key: k,
            value: v + F::ONE,
        };
        assert!(!verify(root, &k, v + F::ONE, &q));
        // Truncated or extended paths.
        let mut q = p.clone();
        q.siblings.pop();
        assert!(!verify(root, &k, v, &q));
        let mut q = p.clone();
        q.siblings.push(EMPTY_HASH);
        assert!(!verify(root, &k, v, &q));
        // Tampered sibling opening.
        let mut q = p.clone();
        q.terminal_sibling = Some(NodeOpening::Empty);
        assert!(!verify(root, &k, v, &q));
        // Wrong root.
        assert!(!verify(leaf_hash(&k, v), &k, v, &p));
    }
    // Non-membership claimed for a present key via an empty terminal.
    let k = keys[0];
    let mut q = t.prove(&k);
    q.terminal = NodeOpening::Empty;
    assert!(!verify(root, &k, F::ZERO, &q));
}

#[test]
fn root_after_write_matches_the_tree() {
    let (mut t, map) = tree_and_map(9, 1500);
    let keys: Vec<KeyHash> = map.keys().copied().collect();
    let mut rng = StdRng::seed_from_u64(10);
    let (mut splits, mut collapses) = (0, 0);
    for step in 0..600 {
        let (k, v) = match step % 5 {
            0 => (keys[rng.gen_range(0..keys.len())], f(rng.gen_range(1..100))), // update
            1 => (keys[rng.gen_range(0..keys.len())], F::ZERO),                  // delete
            2 => (random_key(&mut rng), f(rng.gen_range(1..100))),               // insert
            3 => (random_key(&mut rng), F::ZERO),                                // delete absent
            _ => (keys[rng.gen_range(0..keys.len())], f(rng.gen_range(1..100))), // re-insert
        };
        let old_root = t.root();
        let proof = t.prove(&k);
        match (proof.terminal, proof.terminal_sibling) {
            (NodeOpening::Leaf { key, .. }, _) if key != k && v != F::ZERO => splits += 1,
            (NodeOpening::Leaf { key, .. }, Some(NodeOpening::Leaf { .. }))
                if key == k && v == F::ZERO =>
            {
                collapses += 1
            }
            _ => {}
        }
        let predicted = root_after_write(old_root, &k, v, &proof).unwrap();
        let w = t.write_with_witness(k, v);
        assert_eq!(predicted, t.root(), "step {step}");
        assert_eq!(w.new_root, t.root());
        w.check().unwrap();
        // A forged sibling makes the transition fail rather than give a root.
        if !proof.siblings.is_empty() {
            let mut bad = proof.clone();
            bad.siblings[0].elements[0] += F::ONE;
            assert!(root_after_write(old_root, &k, v, &bad).is_err());
        }
    }
    assert!(
        splits > 20 && collapses > 20,
        "splits {splits}, collapses {collapses}"
    );
}

#[test]
fn witness_chain_equals_batch_update() {
    let (mut t, map) = tree_and_map(11, 800);
    let mut batch_tree = t.clone();
    let mut rng = StdRng::seed_from_u64(12);
    let known: Vec<KeyHash> = map.keys().copied().collect();
    let batch = random_batch(&mut rng, 400, &known);
    let start = t.root();
    let mut root = start;
    for &(k, v) in &batch {
        let w = t.write_with_witness(k, v);
        assert_eq!(w.old_root, root);
        w.check().unwrap();
        root = w.new_root;
    }
    batch_tree.update(&batch);
    assert_eq!(root, batch_tree.root());
    assert_ne!(root, start);
}

// ---- state and state file ----

fn sample_state() -> State {
    let mut rng = StdRng::seed_from_u64(13);
    let writes: Vec<StorageWrite> = (0..500)
        .map(|_| StorageWrite {
            address: f(rng.gen_range(0..20)),
            key: F::from_noncanonical_u64(rng.gen()),
            value: if rng.gen_bool(0.1) {
                F::ZERO
            } else {
                F::from_noncanonical_u64(rng.gen())
            },
        })
        .collect();
    let mut s = State::new();
    s.apply_writes(&writes);
    s
}

#[test]
fn state_map_and_tree_agree() {
    let s = sample_state();
    let map: BTreeMap<KeyHash, F> = s
        .entries()
        .iter()
        .map(|w| (KeyHash::of(w.address, w.key), w.value))
        .collect();
    assert_eq!(map.len(), s.len());
    assert_eq!(s.root(), naive_root(&map));
    for w in s.entries() {
        assert_eq!(s.get(w.address, w.key), w.value);
        assert!(verify(
            s.root(),
            &KeyHash::of(w.address, w.key),
            w.value,
            &s.prove(w.address, w.key)
        ));
    }
    assert_eq!(s.get(f(999), f(1)), F::ZERO);
}

#[test]
fn state_json_round_trip() {
    let s = sample_state();
    let text = s.to_json();
    let back = State::from_json(&text).unwrap();
    assert_eq!(back.root(), s.root());
    assert_eq!(back.entries(), s.entries());
    assert_eq!(back.to_json(), text);
    // Without the stored root the file still loads, to the same root.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let no_root = serde_json::json!({ "entries": v["entries"] }).to_string();
    assert_eq!(State::from_json(&no_root).unwrap().root(), s.root());
    // Through a file.
    let path = std::env::temp_dir().join(format!("parallax-state-{}.json", std::process::id()));
    s.save(&path).unwrap();
    assert_eq!(State::load(&path).unwrap().root(), s.root());
    std::fs::remove_file(&path).ok();
    assert!(matches!(State::load(&path), Err(StateError::Io(_))));
}

#[test]
fn corrupted_state_files_are_errors() {
    let s = sample_state();
    let text = s.to_json();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();

    // A changed value no longer matches the stored root.
    let mut w = v.clone();
    let old = w["entries"][3]["value"].as_u64().unwrap();
    w["entries"][3]["value"] = serde_json::json!((old + 1) % F::ORDER);
    let err = State::from_json(&w.to_string()).unwrap_err();
    assert!(matches!(err, StateError::RootMismatch { .. }), "{err}");
    assert!(err.to_string().contains("does not match"));

    // Non-canonical field element.
    let mut w = v.clone();
    w["entries"][0]["key"] = serde_json::json!(u64::MAX);
    assert!(matches!(
        State::from_json(&w.to_string()),
        Err(StateError::NonCanonical { .. })
    ));

    // Duplicate slot.
    let mut w = v.clone();
    let first = w["entries"][0].clone();
    w["entries"].as_array_mut().unwrap().push(first);
    assert!(matches!(
        State::from_json(&w.to_string()),
        Err(StateError::DuplicateEntry { .. })
    ));

    // Wrong shapes and broken syntax.
    v["entries"][1]["extra"] = serde_json::json!(1);
    assert!(matches!(
        State::from_json(&v.to_string()),
        Err(StateError::Json(_))
    ));
    assert!(matches!(
        State::from_json(&text[..text.len() / 2]),
        Err(StateError::Json(_))
    ));
    assert!(matches!(
        State::from_json(r#"{"entries": [{"address": -1, "key": 0, "value": 0}]}"#),
        Err(StateError::Json(_))
    ));
    assert!(matches!(
        State::from_json(r#"{"entries": [], "root": [1, 2, 3]}"#),
        Err(StateError::Json(_))
    ));
    assert!(matches!(
        State::from_json(r#"{"entries": [], "root": [0, 0, 0, 1]}"#),
        Err(StateError::RootMismatch { .. })
    ));
    assert!(State::from_json(r#"{"entries": [], "root": [0, 0, 0, 0]}"#)
        .unwrap()
        .is_empty());
}

#[test]
fn tree_stats_and_hash_counts_are_consistent() {
    let (mut t, map) = tree_and_map(14, 4096);
    let s = t.stats();
    // Building from scratch hashes every node once.
    let live: Vec<(KeyHash, F)> = map.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(Smt::new().update(&live), s.leaves + s.internal);
    // Updating one present key rehashes its leaf and each node above it.
    let k = *map.keys().nth(17).unwrap();
    let depth = t.prove(&k).siblings.len();
    assert_eq!(t.update_serial(&[(k, f(77))]), depth + 1);
    assert_eq!(s.leaves, map.len());
    // Every internal node has two children: leaves + empties = internal + 1.
    assert_eq!(s.leaves + s.empty, s.internal + 1);
    let mean = s.total_leaf_depth as f64 / s.leaves as f64;
    let log = (s.leaves as f64).log2();
    assert!(
        mean > log && mean < log + 3.0,
        "mean depth {mean}, log2 n {log}"
    );
}
