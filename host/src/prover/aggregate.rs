//! Aggregation: block proofs folded pairwise into one Plonky2 proof of a chain of blocks.
//!
//! Three circuits, built once per process ([`circuits`]):
//! - the **statement circuit** (`recursion.rs`) for blocks proven at [`BLOCK_CAPACITY`]: every
//!   aggregated block is padded to this one shape, so one circuit (one verifier key) serves all;
//! - the **leaf**, which verifies a statement proof (constant verifier key) and exposes the
//!   chain inputs: pre-state root, post-state root, one block, and the block's digest (Poseidon
//!   of all the statement proof's public inputs: transcript, CPU inputs, column commitment);
//! - the **node**, which verifies two children, each a leaf (constant verifier key) or a node
//!   (its own verifier key, by cyclic recursion), checks that the left child's
//!   post-state root is the right child's pre-state root, and exposes the left pre-root, the
//!   right post-root, the sum of the block counts and Poseidon(left digest ‖ right digest).
//!
//! Leaf and node share one `CommonCircuitData` (found by [`fixed_point`]), as cyclic recursion
//! requires. A verifier holding the node's verifier key checks any tree with one Plonky2
//! verification plus `check_cyclic_proof_verifier_data`. `docs/aggregation.md` says what the
//! chain proof guarantees without the blocks' data, and what [`verify_blocks`] adds with it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use plonky2::gates::gate::GateRef;
use plonky2::gates::noop::NoopGate;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitData, CommonCircuitData, VerifierCircuitTarget};
use plonky2::plonk::config::Hasher;
use plonky2::plonk::proof::{ProofWithPublicInputs, ProofWithPublicInputsTarget};
use plonky2::recursion::cyclic_recursion::check_cyclic_proof_verifier_data;

use super::block::BlockProof;
use super::file::ChainFile;
use super::recursion::{self, circuit_config, RecursionError, Shape, StatementCircuit, BLOCK_TRANSCRIPT};
use super::statement::BlockClaim;
use super::system::Bits;
use super::{C, D, F};

/// Log2 of each table's rows in an aggregated block (cpu, rom, calldata, output, storage,
/// memory, range, bitwise, transactions, poseidon, state, slots): 2^11 VM steps, 2^7 contract
/// instructions, 2^9 calldata words, 2^7 outputs, 2^10 storage accesses, 2^6 memory accesses,
/// 2^9 range checks, 2^6 bitwise operations, 128 transactions, 2^10 distinct permutations
/// (`poseidon` instructions and the state table's path hashes), 2^10 state rows (a path level
/// each), 2^7 touched slots. About 100 transactions of the generated workload fit.
pub const BLOCK_CAPACITY: Bits = [11, 7, 9, 7, 10, 6, 9, 6, 7, 10, 10, 7];

/// Offsets of the chain inputs in leaf and node public inputs (the node's verifier key follows).
pub const PRE_ROOT: usize = 0;
pub const POST_ROOT: usize = 4;
pub const BLOCKS: usize = 8;
pub const DIGEST: usize = 9;
pub const CHAIN_INPUTS: usize = 13;

/// The statement shape of an aggregated block.
pub fn capacity_shape() -> Shape {
    Shape { degree_bits: BLOCK_CAPACITY, transcript: BLOCK_TRANSCRIPT }
}

/// The order in which a chain proof combined its blocks: the node's children, left to right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tree {
    Leaf,
    Node(Box<Tree>, Box<Tree>),
}

impl Tree {
    pub fn blocks(&self) -> usize {
        match self {
            Tree::Leaf => 1,
            Tree::Node(l, r) => l.blocks() + r.blocks(),
        }
    }

    /// The digest commitment of this tree over block digests `leaves` (in order).
    pub fn commitment(&self, leaves: &[[F; 4]]) -> [F; 4] {
        fn go(t: &Tree, leaves: &mut std::slice::Iter<'_, [F; 4]>) -> [F; 4] {
            match t {
                Tree::Leaf => *leaves.next().expect("one digest per leaf"),
                Tree::Node(l, r) => {
                    let mut v = go(l, leaves).to_vec();
                    v.extend(go(r, leaves));
                    PoseidonHash::hash_no_pad(&v).elements
                }
            }
        }
        assert_eq!(leaves.len(), self.blocks());
        go(self, &mut leaves.iter())
    }
}

/// A proof that a chain of blocks (with the given tree's order) was proven.
#[derive(Clone, Debug)]
pub struct ChainProof {
    pub tree: Tree,
    pub proof: ProofWithPublicInputs<F, C, D>,
}

/// What a chain proof proves: its public chain inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainSummary {
    pub pre_root: [F; 4],
    pub post_root: [F; 4],
    pub blocks: u64,
    pub digest: [F; 4],
}

impl ChainProof {
    pub fn summary(&self) -> ChainSummary {
        let pis = &self.proof.public_inputs;
        let four = |o: usize| core::array::from_fn(|i| pis[o + i]);
        ChainSummary {
            pre_root: four(PRE_ROOT),
            post_root: four(POST_ROOT),
            blocks: plonky2::field::types::PrimeField64::to_canonical_u64(&pis[BLOCKS]),
            digest: four(DIGEST),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        super::file::chain_to_bytes(&BLOCK_CAPACITY, &self.tree, &self.proof.to_bytes())
    }
}

/// The digest a chain proof holds for `claim` (a block proven at the capacity shape): Poseidon
/// of its statement proof's public inputs, as the leaf hashes them.
pub fn claim_digest(claim: &BlockClaim) -> [F; 4] {
    PoseidonHash::hash_no_pad(&recursion::expected_public_inputs(&claim.statement(), &capacity_shape())).elements
}

struct Leaf {
    data: CircuitData<F, C, D>,
    inner: ProofWithPublicInputsTarget<D>,
}

struct Child {
    is_node: BoolTarget,
    proof: ProofWithPublicInputsTarget<D>,
}

struct Node {
    data: CircuitData<F, C, D>,
    children: [Child; 2],
    own_key: VerifierCircuitTarget,
}

/// The aggregation circuits.
pub struct Circuits {
    pub statement: Arc<StatementCircuit>,
    leaf: Leaf,
    node: Node,
}

/// Public inputs of leaf and node: the chain inputs and the node's verifier key.
fn num_public_inputs() -> usize {
    CHAIN_INPUTS + 4 + 4 * circuit_config().fri_config.num_cap_elements()
}

/// Pads `b` to a gate set and degree (leaving a few rows for what `build` adds).
fn pad(b: &mut CircuitBuilder<F, D>, gates: &[GateRef<F, D>], degree_bits: usize) {
    for g in gates {
        b.add_gate_to_gate_set(g.clone());
    }
    while b.num_gates() < (1usize << degree_bits).saturating_sub(64) {
        b.add_gate(NoopGate, vec![]);
    }
}

/// The leaf circuit, padded to `common` (unpadded when `None`).
fn build_leaf(statement: &StatementCircuit, common: Option<&CommonCircuitData<F, D>>) -> Leaf {
    let mut b = CircuitBuilder::<F, D>::new(circuit_config());
    let inner = b.add_virtual_proof_with_pis(&statement.data.common);
    let key = b.constant_verifier_data(&statement.data.verifier_only);
    b.verify_proof::<C>(&inner, &key, &statement.data.common);
    let pis = &inner.public_inputs;
    b.register_public_inputs(&pis[recursion::PRE_ROOT..recursion::PRE_ROOT + 4]);
    b.register_public_inputs(&pis[recursion::POST_ROOT..recursion::POST_ROOT + 4]);
    let one = b.one();
    b.register_public_input(one);
    let digest = b.hash_n_to_hash_no_pad::<PoseidonHash>(pis.clone());
    b.register_public_inputs(&digest.elements);
    // the node's verifier-key slots, unused by a leaf
    let zero = b.zero();
    while b.num_public_inputs() < num_public_inputs() {
        b.register_public_input(zero);
    }
    if let Some(c) = common {
        pad(&mut b, &c.gates, c.degree_bits());
    }
    Leaf { data: b.build::<C>(), inner }
}

/// The node circuit over children of shape `common`; `ok` if the circuit has that shape.
///
/// Cyclic recursion as plonky2's `conditionally_verify_cyclic_proof`, with one proof per child:
/// the child is verified with the node's own key (its public inputs, which a node child must
/// carry too and the final verifier checks) or the leaf's (a constant), so that only the key is
/// selected, not the whole proof, which keeps the node at 2^13 rows.
fn build_node(leaf: &CircuitData<F, C, D>, common: &CommonCircuitData<F, D>) -> (Node, bool) {
    let mut b = CircuitBuilder::<F, D>::new(circuit_config());
    let out = b.add_virtual_targets(CHAIN_INPUTS);
    b.register_public_inputs(&out);
    let own_key = b.add_verifier_data_public_inputs();
    let own: Vec<Target> = own_key.circuit_digest.elements.iter().chain(own_key.constants_sigmas_cap.0.iter().flat_map(|h| &h.elements)).copied().collect();
    let leaf_key = b.constant_verifier_data(&leaf.verifier_only);
    let mut children = Vec::new();
    let mut inputs: Vec<Vec<Target>> = Vec::new();
    for _ in 0..2 {
        let is_node = b.add_virtual_bool_target_safe();
        let proof = b.add_virtual_proof_with_pis(common);
        let key = b.select_verifier_data(is_node, &own_key, &leaf_key);
        b.verify_proof::<C>(&proof, &key, common);
        for (&mine, &theirs) in own.iter().zip(&proof.public_inputs[CHAIN_INPUTS..]) {
            b.conditional_assert_eq(is_node.target, mine, theirs);
        }
        inputs.push(proof.public_inputs[..CHAIN_INPUTS].to_vec());
        children.push(Child { is_node, proof });
    }
    let (l, r) = (&inputs[0], &inputs[1]);
    for i in 0..4 {
        b.connect(l[POST_ROOT + i], r[PRE_ROOT + i]);
        b.connect(out[PRE_ROOT + i], l[PRE_ROOT + i]);
        b.connect(out[POST_ROOT + i], r[POST_ROOT + i]);
    }
    let blocks = b.add(l[BLOCKS], r[BLOCKS]);
    b.connect(out[BLOCKS], blocks);
    let digest = b.hash_n_to_hash_no_pad::<PoseidonHash>([&l[DIGEST..DIGEST + 4], &r[DIGEST..DIGEST + 4]].concat());
    for i in 0..4 {
        b.connect(out[DIGEST + i], digest.elements[i]);
    }
    pad(&mut b, &common.gates, common.degree_bits());
    let data = b.build::<C>();
    let ok = data.common == *common;
    let children: [Child; 2] = children.try_into().unwrap_or_else(|_| unreachable!());
    (Node { data, children, own_key }, ok)
}

/// A common circuit shape with `gates`, `2^degree_bits` rows and the chain's public inputs.
fn padded_common(gates: &[GateRef<F, D>], degree_bits: usize) -> CommonCircuitData<F, D> {
    let mut b = CircuitBuilder::<F, D>::new(circuit_config());
    let zero = b.zero();
    for _ in 0..num_public_inputs() {
        b.register_public_input(zero);
    }
    pad(&mut b, gates, degree_bits);
    b.build::<C>().common
}

/// Finds the shape shared by leaf and node: start from the leaf's own, grow the gate set and
/// degree to what both need, until building both at that shape reproduces it.
fn fixed_point(statement: &StatementCircuit) -> (Leaf, Node) {
    let probe = build_leaf(statement, None).data.common;
    let mut common = padded_common(&probe.gates, probe.degree_bits());
    for _ in 0..8 {
        let leaf = build_leaf(statement, Some(&common));
        let (node, ok) = build_node(&leaf.data, &common);
        if ok && leaf.data.common == common && node.data.common == common {
            return (leaf, node);
        }
        let mut gates = common.gates.clone();
        for g in leaf.data.common.gates.iter().chain(&node.data.common.gates) {
            if !gates.contains(g) {
                gates.push(g.clone());
            }
        }
        let degree = [&common, &leaf.data.common, &node.data.common].iter().map(|c| c.degree_bits()).max().unwrap_or(0);
        common = padded_common(&gates, degree);
    }
    panic!("leaf and node circuits found no common shape");
}

impl Circuits {
    fn build() -> Self {
        let statement = recursion::circuit_for(capacity_shape());
        let (leaf, node) = fixed_point(&statement);
        Circuits { statement, leaf, node }
    }

    pub fn common(&self) -> &CommonCircuitData<F, D> {
        &self.node.data.common
    }

    /// Gates of the leaf and node circuits (log2).
    pub fn degree_bits(&self) -> usize {
        self.common().degree_bits()
    }

    /// Wraps a block proof (at the capacity shape) into a one-block chain proof.
    pub fn prove_leaf(&self, block: &BlockProof) -> Result<ChainProof, RecursionError> {
        let shape = recursion::shape_of(&block.claim.statement(), &block.proofs)?;
        if shape != capacity_shape() {
            return Err(RecursionError::Shape(format!(
                "the block proof's tables have degree bits {:?}; aggregation needs them proven at the capacity {:?}",
                shape.degree_bits, BLOCK_CAPACITY
            )));
        }
        let (_, inner) = recursion::prove_block(block)?;
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&self.leaf.inner, &inner).map_err(|e| RecursionError::Prove(e.to_string()))?;
        let proof = prove(&self.leaf.data, pw)?;
        Ok(ChainProof { tree: Tree::Leaf, proof })
    }

    /// Proves the chain `left` then `right` (left's post-state root must be right's pre-state
    /// root). Both children are verified first, so a forged child is an error here.
    pub fn aggregate(&self, left: &ChainProof, right: &ChainProof) -> Result<ChainProof, RecursionError> {
        for (side, c) in [("left", left), ("right", right)] {
            self.verify(c).map_err(|e| RecursionError::Prove(format!("the {side} child: {e}")))?;
        }
        let (l, r) = (left.summary(), right.summary());
        if l.post_root != r.pre_root {
            return Err(RecursionError::Claim("the chain is broken: the left child's post-state root is not the right child's pre-state root".into()));
        }
        self.aggregate_unchecked(left, right)
    }

    /// [`Circuits::aggregate`] without checking the children first: what the circuit alone
    /// enforces (for the soundness tests).
    #[doc(hidden)]
    pub fn aggregate_unchecked(&self, left: &ChainProof, right: &ChainProof) -> Result<ChainProof, RecursionError> {
        let mut pw = PartialWitness::new();
        let err = |e: anyhow::Error| RecursionError::Prove(e.to_string());
        for (slot, child) in self.node.children.iter().zip([left, right]) {
            pw.set_bool_target(slot.is_node, child.tree != Tree::Leaf).map_err(err)?;
            pw.set_proof_with_pis_target(&slot.proof, &child.proof).map_err(err)?;
        }
        pw.set_verifier_data_target(&self.node.own_key, &self.node.data.verifier_only).map_err(err)?;
        let proof = prove(&self.node.data, pw)?;
        Ok(ChainProof { tree: Tree::Node(Box::new(left.tree.clone()), Box::new(right.tree.clone())), proof })
    }

    /// Checks a chain proof: Plonky2's verifier with the leaf's or the node's key (and, for a
    /// node, that the key in its public inputs is the node's), and the tree's block count.
    pub fn verify(&self, chain: &ChainProof) -> Result<ChainSummary, RecursionError> {
        let bad = |m: String| Err(RecursionError::Verify(m));
        if chain.proof.public_inputs.len() != num_public_inputs() {
            return bad("wrong number of public inputs".into());
        }
        let summary = chain.summary();
        if summary.blocks != chain.tree.blocks() as u64 {
            return bad(format!("the proof counts {} blocks, its tree {}", summary.blocks, chain.tree.blocks()));
        }
        let r = catch_unwind(AssertUnwindSafe(|| match chain.tree {
            Tree::Leaf => self.leaf.data.verify(chain.proof.clone()),
            Tree::Node(..) => check_cyclic_proof_verifier_data(&chain.proof, &self.node.data.verifier_only, self.common())
                .and_then(|()| self.node.data.verify(chain.proof.clone())),
        }));
        match r {
            Ok(Ok(())) => Ok(summary),
            Ok(Err(e)) => bad(e.to_string()),
            Err(_) => bad("the verifier rejected the proof's structure".into()),
        }
    }
}

fn prove(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) -> Result<ProofWithPublicInputs<F, C, D>, RecursionError> {
    match catch_unwind(AssertUnwindSafe(|| data.prove(pw))) {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(RecursionError::Prove(e.to_string())),
        Err(_) => Err(RecursionError::Prove("witness generation failed (a child proof does not verify)".into())),
    }
}

/// The aggregation circuits, built on first use (tens of seconds) and kept for the process.
pub fn circuits() -> &'static Circuits {
    static CIRCUITS: OnceLock<Circuits> = OnceLock::new();
    CIRCUITS.get_or_init(Circuits::build)
}

/// Reads a chain proof file's Plonky2 proof (this builds the aggregation circuits, whose shape
/// the proof's layout depends on).
pub fn decode(file: ChainFile) -> Result<ChainProof, RecursionError> {
    if file.capacity != BLOCK_CAPACITY {
        return Err(RecursionError::Shape(format!(
            "the chain proof is for blocks of capacity {:?}; this build aggregates capacity {:?}",
            file.capacity, BLOCK_CAPACITY
        )));
    }
    let common = circuits().common();
    let bytes = file.proof;
    let parsed = catch_unwind(AssertUnwindSafe(|| ProofWithPublicInputs::<F, C, D>::from_bytes(bytes.clone(), common)));
    match parsed {
        Ok(Ok(proof)) if proof.to_bytes() == bytes => Ok(ChainProof { tree: file.tree, proof }),
        Ok(Ok(_)) => Err(RecursionError::Shape("the chain proof has trailing or non-canonical bytes".into())),
        Ok(Err(e)) => Err(RecursionError::Shape(format!("the chain proof cannot be read: {e}"))),
        Err(_) => Err(RecursionError::Shape("the chain proof cannot be read".into())),
    }
}

/// Checks a verified chain proof against the blocks it claims, in order: their claims' digests
/// committed as the proof's tree commits them, the first pre-state root and the last
/// post-state root.
pub fn verify_blocks(chain: &ChainProof, claims: &[BlockClaim]) -> Result<(), RecursionError> {
    let bad = |m: String| Err(RecursionError::Claim(m));
    let s = chain.summary();
    if claims.len() != chain.tree.blocks() {
        return bad(format!("the proof covers {} blocks, {} given", chain.tree.blocks(), claims.len()));
    }
    let root = |h: &crate::chain::Hash| h.elements;
    if root(&claims[0].pre_root) != s.pre_root || root(&claims[claims.len() - 1].post_root) != s.post_root {
        return bad("the blocks' first pre-state root or last post-state root is not the proof's".into());
    }
    let digests: Vec<[F; 4]> = claims.iter().map(claim_digest).collect();
    if chain.tree.commitment(&digests) != s.digest {
        return bad("the blocks are not the ones the proof commits to (or not in its order)".into());
    }
    Ok(())
}

/// Times of [`prove_chain`]'s stages (seconds, wall clock; stages overlap across blocks).
#[derive(Clone, Debug, Default)]
pub struct ChainTimes {
    pub circuits: f64,
    /// Execution and Starky proof, per block.
    pub blocks: Vec<f64>,
    /// Statement and leaf proofs, per block.
    pub leaves: Vec<f64>,
    /// Each aggregation node.
    pub nodes: Vec<f64>,
    pub total: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("block {index}: {source}")]
    Block { index: usize, source: super::ProveError },
    #[error("block {index}: {source}")]
    Leaf { index: usize, source: RecursionError },
    #[error("block {index}'s pre-state root is not block {}'s post-state root: the blocks do not form a chain", index - 1)]
    Broken { index: usize },
    #[error(transparent)]
    Aggregate(#[from] RecursionError),
    #[error("no blocks")]
    Empty,
}

/// How [`prove_chain`] runs the blocks' and a level's nodes' proofs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// At once, on rayon's pool (each proof's own parallel kernels share it).
    Parallel,
    /// One after another (each proof still uses every core inside): the baseline.
    Sequential,
}

/// Proves `blocks` (a chain, in order) into one chain proof: every block is executed, proven at
/// [`BLOCK_CAPACITY`] and wrapped into a leaf (with [`Schedule::Parallel`], all at once: a
/// block's execution overlaps other blocks' proving), then the tree is aggregated level by level,
/// pairs in order. `committer` runs the Starky trace commitments.
pub fn prove_chain(
    blocks: &[crate::chain::Block],
    committer: &dyn super::TraceCommitter,
    schedule: Schedule,
) -> Result<(ChainProof, Vec<BlockClaim>, ChainTimes), ChainError> {
    use rayon::prelude::*;
    use std::time::Instant;
    if blocks.is_empty() {
        return Err(ChainError::Empty);
    }
    // The links first (execution is cheap next to proving): the pre-state each block states is
    // the post-state of the block before it.
    let posts: Vec<_> = blocks.par_iter().map(|b| crate::chain::execute_serial(b, false).post_root(b)).collect();
    if let Some(index) = (1..blocks.len()).find(|&i| blocks[i].pre_state.root() != posts[i - 1]) {
        return Err(ChainError::Broken { index });
    }
    let start = Instant::now();
    let c = circuits();
    let mut times = ChainTimes { circuits: start.elapsed().as_secs_f64(), ..Default::default() };
    let prove_one = |(index, b): (usize, &crate::chain::Block)| {
        let t = Instant::now();
        let mut timing = plonky2::util::timing::TimingTree::default();
        let p = super::prove_block(b, &BLOCK_CAPACITY, committer, &mut timing).map_err(|source| ChainError::Block { index, source })?;
        let t_block = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let leaf = c.prove_leaf(&p).map_err(|source| ChainError::Leaf { index, source })?;
        Ok((p.claim, leaf, t_block, t.elapsed().as_secs_f64()))
    };
    let proven: Vec<Result<(BlockClaim, ChainProof, f64, f64), ChainError>> = match schedule {
        Schedule::Parallel => blocks.par_iter().enumerate().map(prove_one).collect(),
        Schedule::Sequential => blocks.iter().enumerate().map(prove_one).collect(),
    };
    let mut claims = Vec::with_capacity(blocks.len());
    let mut level = Vec::with_capacity(blocks.len());
    for r in proven {
        let (claim, leaf, t_block, t_leaf) = r?;
        times.blocks.push(t_block);
        times.leaves.push(t_leaf);
        claims.push(claim);
        level.push(leaf);
    }
    // Pairs in order; an odd last proof moves up a level as it is (the tree is recorded in the
    // proof).
    while level.len() > 1 {
        let pairs: Vec<&[ChainProof]> = level.chunks(2).collect();
        let join = |pair: &&[ChainProof]| match pair {
            [l, r] => {
                let t = Instant::now();
                c.aggregate(l, r).map(|p| (p, Some(t.elapsed().as_secs_f64())))
            }
            [one] => Ok((one.clone(), None)),
            _ => unreachable!("chunks of two"),
        };
        let next: Vec<Result<(ChainProof, Option<f64>), RecursionError>> = match schedule {
            Schedule::Parallel => pairs.par_iter().map(join).collect(),
            Schedule::Sequential => pairs.iter().map(join).collect(),
        };
        level = Vec::with_capacity(next.len());
        for r in next {
            let (p, t) = r?;
            times.nodes.extend(t);
            level.push(p);
        }
    }
    times.total = start.elapsed().as_secs_f64();
    let chain = level.pop().ok_or(ChainError::Empty)?;
    Ok((chain, claims, times))
}
