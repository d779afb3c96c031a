//! Aggregation of block proofs into one chain proof (`prover::aggregate`): a chain of blocks
//! aggregates in any tree order and verifies, exposing the first pre-state root, the last
//! post-state root, the block count and a commitment to the blocks; a broken link, swapped or
//! forged children and altered public inputs are rejected. The circuits and the three blocks'
//! leaf proofs are built once for the file.

use std::sync::OnceLock;

use plonky2::field::types::Field;
use plonky2::util::timing::TimingTree;

use parallax::chain::workload::{self, WorkloadParams};
use parallax::prover::aggregate::{self, circuits, ChainProof, Tree, BLOCK_CAPACITY, POST_ROOT, PRE_ROOT};
use parallax::prover::{self, BlockClaim, CpuCommitter};

type F = prover::F;

struct Fixture {
    claims: Vec<BlockClaim>,
    leaves: Vec<ChainProof>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let params = WorkloadParams { txs: 24, accounts: 8, contention: 0.3, seed: 11 };
        let blocks = workload::generate_chain(params, 3).unwrap();
        let t = std::time::Instant::now();
        let c = circuits();
        eprintln!("circuits built in {:?}; leaf and node: 2^{} rows", t.elapsed(), c.degree_bits());
        let mut claims = Vec::new();
        let mut leaves = Vec::new();
        for b in &blocks {
            let p = prover::prove_block(b, &BLOCK_CAPACITY, &CpuCommitter, &mut TimingTree::default()).unwrap();
            let t = std::time::Instant::now();
            leaves.push(c.prove_leaf(&p).unwrap());
            eprintln!("block wrapped into a leaf in {:?}", t.elapsed());
            claims.push(p.claim);
        }
        Fixture { claims, leaves }
    })
}

fn node(l: &ChainProof, r: &ChainProof) -> ChainProof {
    let t = std::time::Instant::now();
    let p = circuits().aggregate(l, r).unwrap();
    eprintln!("node proved in {:?}; {} bytes", t.elapsed(), p.proof.to_bytes().len());
    p
}

#[test]
fn chain_of_three_blocks_verifies_in_either_order_of_aggregation() {
    let f = fixture();
    let c = circuits();
    let [a, b, d] = [&f.leaves[0], &f.leaves[1], &f.leaves[2]];
    let left = node(&node(a, b), d);
    let right = node(a, &node(b, d));
    for chain in [&left, &right] {
        let t = std::time::Instant::now();
        let s = c.verify(chain).unwrap();
        eprintln!("chain proof verified in {:?}", t.elapsed());
        assert_eq!(s.blocks, 3);
        assert_eq!(s.pre_root, f.claims[0].pre_root.elements);
        assert_eq!(s.post_root, f.claims[2].post_root.elements);
        aggregate::verify_blocks(chain, &f.claims).unwrap();
        // other blocks, or the same blocks in another order, are not what the proof covers
        let swapped = [f.claims[1].clone(), f.claims[0].clone(), f.claims[2].clone()];
        assert!(aggregate::verify_blocks(chain, &swapped).is_err());
        assert!(aggregate::verify_blocks(chain, &f.claims[..2]).is_err());
        // a middle block with other contents (same roots): not the block the proof commits to
        let mut other = f.claims.clone();
        other[1].txs[0].sender += 1;
        let e = aggregate::verify_blocks(chain, &other).unwrap_err().to_string();
        assert!(e.contains("not the ones the proof commits to"), "{e}");
    }
    // The two orders commit to the blocks differently (the tree is part of what is committed).
    assert_ne!(left.summary().digest, right.summary().digest);
    let leaf = || Box::new(Tree::Leaf);
    assert_eq!(left.tree, Tree::Node(Box::new(Tree::Node(leaf(), leaf())), leaf()));
    // A one-block chain is its leaf.
    let s = c.verify(a).unwrap();
    assert_eq!((s.blocks, s.digest), (1, aggregate::claim_digest(&f.claims[0])));
}

#[test]
fn broken_or_swapped_links_are_rejected() {
    let f = fixture();
    let c = circuits();
    let [a, b, d] = [&f.leaves[0], &f.leaves[1], &f.leaves[2]];
    // b then a, a then d: the post-state root of the left is not the pre-state root of the right.
    for (l, r) in [(b, a), (a, d)] {
        assert!(c.aggregate(l, r).is_err());
        // and the circuit itself refuses them, without the native check
        match c.aggregate_unchecked(l, r) {
            Err(_) => {}
            Ok(p) => assert!(c.verify(&p).is_err()),
        }
    }
}

#[test]
fn forged_children_and_altered_inputs_are_rejected() {
    let f = fixture();
    let c = circuits();
    let [a, b, d] = [&f.leaves[0], &f.leaves[1], &f.leaves[2]];
    // A leaf whose pre-state root is made to fit after `a`... that its proof does not prove.
    let mut forged = d.clone();
    forged.proof.public_inputs[PRE_ROOT..PRE_ROOT + 4].copy_from_slice(&a.summary().post_root);
    assert!(c.verify(&forged).is_err());
    assert!(c.aggregate(a, &forged).is_err());
    match c.aggregate_unchecked(a, &forged) {
        Err(_) => {}
        Ok(p) => assert!(c.verify(&p).is_err()),
    }
    // A node proof passed as a leaf (and the other way round) is rejected.
    let ab = node(a, b);
    assert!(c.verify(&ChainProof { tree: Tree::Leaf, proof: ab.proof.clone() }).is_err());
    let as_node = ChainProof { tree: Tree::Node(Box::new(Tree::Leaf), Box::new(Tree::Leaf)), proof: a.proof.clone() };
    assert!(c.verify(&as_node).is_err());
    // A leaf passed to the circuit as a node child, and a node as a leaf child: the circuit
    // verifies each with the other key (and a node child must carry the node's key).
    let chain_of = |n: u64| (1..n).fold(Tree::Leaf, |t, _| Tree::Node(Box::new(t), Box::new(Tree::Leaf)));
    let leaf_as_node = ChainProof { tree: Tree::Node(Box::new(Tree::Leaf), Box::new(Tree::Leaf)), proof: b.proof.clone() };
    let node_as_leaf = ChainProof { tree: Tree::Leaf, proof: ab.proof.clone() };
    for (l, r) in [(a, &leaf_as_node), (&node_as_leaf, d)] {
        match c.aggregate_unchecked(l, r) {
            Err(_) => {}
            Ok(mut p) => {
                p.tree = chain_of(p.summary().blocks);
                assert!(c.verify(&p).is_err(), "a child verified with the wrong key");
            }
        }
    }
    // Altered public inputs of a node: each chain input.
    for i in [PRE_ROOT, POST_ROOT + 3, aggregate::BLOCKS, aggregate::DIGEST] {
        let mut p = ab.clone();
        p.proof.public_inputs[i] += F::ONE;
        assert!(c.verify(&p).is_err(), "public input {i} altered");
    }
    // Another verifier key in the node's inputs.
    let mut p = ab.clone();
    let last = p.proof.public_inputs.len() - 1;
    p.proof.public_inputs[last] += F::ONE;
    assert!(c.verify(&p).is_err());
}

#[test]
fn a_leaf_needs_a_block_proven_at_the_capacity() {
    let f = fixture();
    let block = workload::generate(WorkloadParams { txs: 4, accounts: 4, contention: 0.0, seed: 2 }).unwrap();
    let p = prover::prove_block(&block, &prover::system::NATURAL, &CpuCommitter, &mut TimingTree::default()).unwrap();
    assert!(circuits().prove_leaf(&p).is_err());
    assert!(!f.leaves.is_empty());
}

#[test]
fn chain_proof_files_round_trip_and_bad_files_are_clear_errors() {
    use parallax::prover::file::{self, AnyProof};
    let f = fixture();
    let c = circuits();
    eprintln!(
        "statement circuit at the capacity: 2^{} rows; leaf and node: 2^{}",
        c.statement.data.common.degree_bits(),
        c.degree_bits()
    );
    let chain = node(&f.leaves[0], &f.leaves[1]);
    let bytes = chain.to_bytes();
    let AnyProof::Chain(read) = file::read_any(&bytes).unwrap() else { panic!("not a chain proof") };
    let back = aggregate::decode(read).unwrap();
    assert_eq!(back.tree, chain.tree);
    c.verify(&back).unwrap();
    aggregate::verify_blocks(&back, &f.claims[..2]).unwrap();
    // Truncated anywhere: an error, never a panic.
    for cut in [9, 13, 40, 60, bytes.len() / 2, bytes.len() - 1] {
        let r = file::read_any(&bytes[..cut]).map_err(|e| e.to_string()).and_then(|p| match p {
            AnyProof::Chain(f) => aggregate::decode(f).map(|_| ()).map_err(|e| e.to_string()),
            _ => Err("another kind".into()),
        });
        assert!(r.is_err(), "cut at {cut}");
    }
    // Another capacity; a tree that does not parse; a proof that does not verify.
    let mut other = bytes.clone();
    other[13] ^= 1;
    let AnyProof::Chain(read) = file::read_any(&other).unwrap() else { panic!() };
    assert!(aggregate::decode(read).unwrap_err().to_string().contains("capacity"));
    let tree_at = 13 + 4 * parallax::prover::tables::NUM_TABLES;
    let mut other = bytes.clone();
    other[tree_at] = 7;
    assert!(file::read_any(&other).is_err());
    let mut other = bytes.clone();
    let last = other.len() - 100;
    other[last] ^= 0x40;
    let verdict = match file::read_any(&other) {
        Ok(AnyProof::Chain(read)) => aggregate::decode(read).map_err(|e| e.to_string()).and_then(|p| c.verify(&p).map_err(|e| e.to_string())),
        _ => Err("unreadable".into()),
    };
    assert!(verdict.is_err());
}
