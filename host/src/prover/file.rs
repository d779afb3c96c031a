//! The proof file: `PLXPROOF` (8 bytes), format version (u32 little-endian), a kind byte (0: an
//! execution proof, 1: a block proof, 2: a chain proof), then the claim and one Starky proof per
//! table; or, for a chain proof, the block capacity (9 u32), the aggregation tree (u32 count,
//! then one byte per tree node in preorder: 1 node, 0 leaf) and the Plonky2 proof's bytes (u32
//! length, then plonky2's own serialization, read by `aggregate::decode`).
//! Version 2 (this one) added the kind byte, block proofs and the ninth (transactions) table. Integers are u32 LE (lengths, counts); field elements u64 LE and
//! must be canonical; extension elements are two field elements; hashes four. Reading checks every
//! length against the bytes left, so a truncated or corrupted file is an error, never a panic or
//! a huge allocation.

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::polynomial::PolynomialCoeffs;
use plonky2::field::types::{Field, Field64, PrimeField64};
use plonky2::fri::proof::{FriInitialTreeProof, FriProof, FriQueryRound, FriQueryStep};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::merkle_proofs::MerkleProof;
use plonky2::hash::merkle_tree::MerkleCap;
use starky::proof::{StarkOpeningSet, StarkProof};

use super::io::StorageEntry;
use super::block::BlockProof;
use super::statement::{BlockClaim, Claim, LogEntry};
use crate::chain::Transaction;
use super::aggregate::Tree;
use super::system::{Bits, ExecutionProof};
use super::tables::NUM_TABLES;
use super::{C, D, F};
use crate::vm::isa::{Instruction, NUM_REGS};

pub const MAGIC: &[u8; 8] = b"PLXPROOF";
pub const VERSION: u32 = 5;
pub const KIND_EXECUTION: u8 = 0;
pub const KIND_BLOCK: u8 = 1;
pub const KIND_CHAIN: u8 = 2;
/// Most blocks a chain proof file may describe.
pub const MAX_CHAIN_BLOCKS: usize = 1 << 20;

type FE = <F as Extendable<D>>::Extension;
type H = <C as plonky2::plonk::config::GenericConfig<D>>::Hasher;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("not a Parallax proof file (bad magic)")]
    BadMagic,
    #[error("unsupported proof format version {found} (this build reads version {VERSION})")]
    Version { found: u32 },
    #[error("proof file is truncated")]
    Truncated,
    #[error("proof file is corrupted: {0}")]
    Corrupted(&'static str),
    #[error("this is {found}, not {expected}")]
    WrongKind { found: &'static str, expected: &'static str },
}

/// A chain proof as stored: the Plonky2 proof is parsed against the aggregation circuits'
/// shape by `aggregate::decode`.
#[derive(Clone, Debug)]
pub struct ChainFile {
    pub capacity: Bits,
    pub tree: Tree,
    pub proof: Vec<u8>,
}

/// Any kind of proof a file may hold.
#[derive(Clone, Debug)]
pub enum AnyProof {
    Execution(ExecutionProof),
    Block(BlockProof),
    Chain(ChainFile),
}

fn kind_name(k: u8) -> &'static str {
    match k {
        KIND_BLOCK => "a block proof",
        KIND_CHAIN => "a chain proof",
        _ => "an execution proof",
    }
}

fn header(w: &mut Writer, kind: u8) {
    w.0.extend_from_slice(MAGIC);
    w.u32(VERSION);
    w.0.push(kind);
}

/// Reads a proof file of either kind.
pub fn read_any(bytes: &[u8]) -> Result<AnyProof, FileError> {
    let mut r = Reader { b: bytes, pos: 0 };
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(FileError::BadMagic);
    }
    r.pos = 8;
    let version = r.u32()?;
    if version != VERSION {
        return Err(FileError::Version { found: version });
    }
    let proof = match r.u8()? {
        KIND_EXECUTION => AnyProof::Execution(r.execution()?),
        KIND_BLOCK => AnyProof::Block(r.block()?),
        KIND_CHAIN => AnyProof::Chain(r.chain()?),
        _ => return Err(FileError::Corrupted("unknown proof kind")),
    };
    if r.pos != bytes.len() {
        return Err(FileError::Corrupted("trailing bytes"));
    }
    Ok(proof)
}

impl AnyProof {
    fn kind(&self) -> u8 {
        match self {
            AnyProof::Execution(_) => KIND_EXECUTION,
            AnyProof::Block(_) => KIND_BLOCK,
            AnyProof::Chain(_) => KIND_CHAIN,
        }
    }

    fn wrong_kind<T>(&self, expected: u8) -> Result<T, FileError> {
        Err(FileError::WrongKind { found: kind_name(self.kind()), expected: kind_name(expected) })
    }
}

pub fn from_bytes(bytes: &[u8]) -> Result<ExecutionProof, FileError> {
    match read_any(bytes)? {
        AnyProof::Execution(p) => Ok(p),
        other => other.wrong_kind(KIND_EXECUTION),
    }
}

pub fn block_from_bytes(bytes: &[u8]) -> Result<BlockProof, FileError> {
    match read_any(bytes)? {
        AnyProof::Block(p) => Ok(p),
        other => other.wrong_kind(KIND_BLOCK),
    }
}

pub fn chain_to_bytes(capacity: &Bits, tree: &Tree, proof: &[u8]) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    header(&mut w, KIND_CHAIN);
    for &b in capacity {
        w.u32(b as u32);
    }
    let mut pre = Vec::new();
    fn walk(t: &Tree, out: &mut Vec<u8>) {
        match t {
            Tree::Leaf => out.push(0),
            Tree::Node(l, r) => {
                out.push(1);
                walk(l, out);
                walk(r, out);
            }
        }
    }
    walk(tree, &mut pre);
    w.u32(pre.len() as u32);
    w.0.extend_from_slice(&pre);
    w.u32(proof.len() as u32);
    w.0.extend_from_slice(proof);
    w.0
}

pub fn block_to_bytes(proof: &BlockProof) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    header(&mut w, KIND_BLOCK);
    let c = &proof.claim;
    w.u32(c.contracts.len() as u32);
    for (a, code) in &c.contracts {
        w.0.extend_from_slice(&a.to_le_bytes());
        w.u32(code.len() as u32);
        for ins in code {
            w.felts(&ins.encode());
        }
    }
    w.u32(c.txs.len() as u32);
    for (i, t) in c.txs.iter().enumerate() {
        w.0.extend_from_slice(&t.sender.to_le_bytes());
        w.0.extend_from_slice(&t.contract.to_le_bytes());
        w.u32(t.calldata.len() as u32);
        for x in &t.calldata {
            w.0.extend_from_slice(&x.to_le_bytes());
        }
        w.0.push(c.failed[i] as u8);
        w.felt_vec(&c.outputs[i]);
    }
    w.u32(c.storage.len() as u32);
    for e in &c.storage {
        w.u32(e.tx);
        w.felts(&[e.address, e.key, e.value, F::from_bool(e.write)]);
    }
    w.felt_vec(&c.pre_values);
    w.felts(&c.pre_root.elements);
    w.felts(&c.post_root.elements);
    w.u32(proof.proofs.len() as u32);
    for p in &proof.proofs {
        w.stark_proof(p);
    }
    w.0
}

pub fn to_bytes(proof: &ExecutionProof) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    header(&mut w, KIND_EXECUTION);
    let c = &proof.claim;
    w.u32(c.program.len() as u32);
    for ins in &c.program {
        w.felts(&ins.encode());
    }
    w.felts(&c.initial_regs);
    w.felts(&c.final_regs);
    w.felt_vec(&c.calldata);
    w.felt_vec(&c.outputs);
    w.u32(c.storage.len() as u32);
    for e in &c.storage {
        w.felts(&[e.key, e.value, F::from_bool(e.write)]);
    }
    w.u32(proof.proofs.len() as u32);
    for p in &proof.proofs {
        w.stark_proof(p);
    }
    w.0
}

impl Reader<'_> {
    fn program(&mut self) -> Result<Vec<Instruction>, FileError> {
        let n = self.len(16)?;
        let mut program = Vec::with_capacity(n);
        for _ in 0..n {
            let words = [self.felt()?, self.felt()?];
            program.push(Instruction::decode(words).ok_or(FileError::Corrupted("invalid instruction"))?);
        }
        Ok(program)
    }

    fn bit(&mut self) -> Result<bool, FileError> {
        match self.felt()?.to_canonical_u64() {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(FileError::Corrupted("storage write flag")),
        }
    }

    fn proofs(&mut self) -> Result<Vec<StarkProof<F, C, D>>, FileError> {
        let n = self.u32()? as usize;
        if n != NUM_TABLES {
            return Err(FileError::Corrupted("number of table proofs"));
        }
        (0..n).map(|_| self.stark_proof()).collect()
    }

    fn execution(&mut self) -> Result<ExecutionProof, FileError> {
        let program = self.program()?;
        let initial_regs: [F; NUM_REGS] = self.felts(NUM_REGS)?.try_into().unwrap();
        let final_regs: [F; NUM_REGS] = self.felts(NUM_REGS)?.try_into().unwrap();
        let calldata = self.felt_vec()?;
        let outputs = self.felt_vec()?;
        let n = self.len(24)?;
        let mut storage = Vec::with_capacity(n);
        for _ in 0..n {
            let (key, value) = (self.felt()?, self.felt()?);
            storage.push(StorageEntry { key, value, write: self.bit()? });
        }
        let proofs = self.proofs()?;
        Ok(ExecutionProof { claim: Claim { program, initial_regs, final_regs, calldata, outputs, storage }, proofs })
    }

    fn u64(&mut self) -> Result<u64, FileError> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into().unwrap()))
    }

    fn block(&mut self) -> Result<BlockProof, FileError> {
        let n = self.len(12)?;
        let mut contracts = Vec::with_capacity(n);
        for _ in 0..n {
            let a = self.u64()?;
            contracts.push((a, self.program()?));
        }
        let n = self.len(21)?;
        let (mut txs, mut failed, mut outputs) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let (sender, contract) = (self.u64()?, self.u64()?);
            let k = self.len(8)?;
            let calldata = (0..k).map(|_| self.u64()).collect::<Result<Vec<_>, _>>()?;
            txs.push(Transaction { sender, contract, calldata });
            failed.push(match self.u8()? {
                0 => false,
                1 => true,
                _ => return Err(FileError::Corrupted("transaction status")),
            });
            outputs.push(self.felt_vec()?);
        }
        let n = self.len(36)?;
        let mut storage = Vec::with_capacity(n);
        for _ in 0..n {
            let tx = self.u32()?;
            let (address, key, value) = (self.felt()?, self.felt()?, self.felt()?);
            storage.push(LogEntry { tx, address, key, value, write: self.bit()? });
        }
        let pre_values = self.felt_vec()?;
        let pre_root = HashOut { elements: self.felts(4)?.try_into().unwrap() };
        let post_root = HashOut { elements: self.felts(4)?.try_into().unwrap() };
        let proofs = self.proofs()?;
        Ok(BlockProof { claim: BlockClaim { contracts, txs, failed, outputs, storage, pre_values, pre_root, post_root }, proofs })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn felt(&mut self, x: F) {
        self.0.extend_from_slice(&x.to_canonical_u64().to_le_bytes());
    }
    fn felts(&mut self, xs: &[F]) {
        xs.iter().for_each(|&x| self.felt(x));
    }
    fn felt_vec(&mut self, xs: &[F]) {
        self.u32(xs.len() as u32);
        self.felts(xs);
    }
    fn ext_vec(&mut self, xs: &[FE]) {
        self.u32(xs.len() as u32);
        for x in xs {
            self.felts(&<FE as FieldExtension<D>>::to_basefield_array(x));
        }
    }
    fn opt<T: ?Sized>(&mut self, x: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match x {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                f(self, v)
            }
        }
    }
    fn hashes(&mut self, hs: &[HashOut<F>]) {
        self.u32(hs.len() as u32);
        hs.iter().for_each(|h| self.felts(&h.elements));
    }
    fn stark_proof(&mut self, p: &StarkProof<F, C, D>) {
        self.hashes(&p.trace_cap.0);
        self.opt(p.auxiliary_polys_cap.as_ref(), |w, c| w.hashes(&c.0));
        self.opt(p.quotient_polys_cap.as_ref(), |w, c| w.hashes(&c.0));
        let o = &p.openings;
        self.ext_vec(&o.local_values);
        self.ext_vec(&o.next_values);
        self.opt(o.auxiliary_polys.as_deref(), |w, v| w.ext_vec(v));
        self.opt(o.auxiliary_polys_next.as_deref(), |w, v| w.ext_vec(v));
        self.opt(o.ctl_zs_first.as_deref(), |w, v| w.felt_vec(v));
        self.opt(o.quotient_polys.as_deref(), |w, v| w.ext_vec(v));
        let fri = &p.opening_proof;
        self.u32(fri.commit_phase_merkle_caps.len() as u32);
        fri.commit_phase_merkle_caps.iter().for_each(|c| self.hashes(&c.0));
        self.u32(fri.query_round_proofs.len() as u32);
        for q in &fri.query_round_proofs {
            self.u32(q.initial_trees_proof.evals_proofs.len() as u32);
            for (evals, mp) in &q.initial_trees_proof.evals_proofs {
                self.felt_vec(evals);
                self.hashes(&mp.siblings);
            }
            self.u32(q.steps.len() as u32);
            for s in &q.steps {
                self.ext_vec(&s.evals);
                self.hashes(&s.merkle_proof.siblings);
            }
        }
        self.ext_vec(&fri.final_poly.coeffs);
        self.felt(fri.pow_witness);
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn chain(&mut self) -> Result<ChainFile, FileError> {
        let mut capacity = [0; NUM_TABLES];
        for b in &mut capacity {
            *b = self.u32()? as usize;
        }
        let n = self.len(1)?;
        if n > 2 * MAX_CHAIN_BLOCKS {
            return Err(FileError::Corrupted("aggregation tree too large"));
        }
        let pre = self.bytes(n)?.to_vec();
        // Preorder to tree without recursion on the input (a deep tree is not a stack overflow).
        // each entry: a node still missing its right child, with its left child once read
        let mut stack: Vec<Option<Tree>> = Vec::new();
        let mut done = None;
        for &b in &pre {
            if done.is_some() {
                return Err(FileError::Corrupted("aggregation tree: trailing entries"));
            }
            let mut t = match b {
                0 => Tree::Leaf,
                1 => {
                    stack.push(None);
                    continue;
                }
                _ => return Err(FileError::Corrupted("aggregation tree: bad entry")),
            };
            loop {
                match stack.pop() {
                    None => {
                        done = Some(t);
                        break;
                    }
                    Some(None) => {
                        stack.push(Some(t));
                        break;
                    }
                    Some(Some(left)) => t = Tree::Node(Box::new(left), Box::new(t)),
                }
            }
        }
        let tree = done.ok_or(FileError::Corrupted("aggregation tree: incomplete"))?;
        let len = self.len(1)?;
        let proof = self.bytes(len)?.to_vec();
        Ok(ChainFile { capacity, tree, proof })
    }

    fn bytes(&mut self, n: usize) -> Result<&[u8], FileError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len()).ok_or(FileError::Truncated)?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, FileError> {
        Ok(self.bytes(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, FileError> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into().unwrap()))
    }
    /// A count of items of at least `item_bytes` bytes each, checked against the bytes left.
    fn len(&mut self, item_bytes: usize) -> Result<usize, FileError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(item_bytes) > self.b.len() - self.pos {
            return Err(FileError::Truncated);
        }
        Ok(n)
    }
    fn felt(&mut self) -> Result<F, FileError> {
        let x = u64::from_le_bytes(self.bytes(8)?.try_into().unwrap());
        if x >= F::ORDER {
            return Err(FileError::Corrupted("non-canonical field element"));
        }
        Ok(F::from_canonical_u64(x))
    }
    fn felts(&mut self, n: usize) -> Result<Vec<F>, FileError> {
        (0..n).map(|_| self.felt()).collect()
    }
    fn felt_vec(&mut self) -> Result<Vec<F>, FileError> {
        let n = self.len(8)?;
        self.felts(n)
    }
    fn ext_vec(&mut self) -> Result<Vec<FE>, FileError> {
        let n = self.len(16)?;
        (0..n).map(|_| Ok(<FE as FieldExtension<D>>::from_basefield_array([self.felt()?, self.felt()?]))).collect()
    }
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, FileError>) -> Result<Option<T>, FileError> {
        match self.u8()? {
            0 => Ok(None),
            1 => f(self).map(Some),
            _ => Err(FileError::Corrupted("option tag")),
        }
    }
    fn hashes(&mut self) -> Result<Vec<HashOut<F>>, FileError> {
        let n = self.len(32)?;
        (0..n).map(|_| Ok(HashOut { elements: self.felts(4)?.try_into().unwrap() })).collect()
    }
    fn stark_proof(&mut self) -> Result<StarkProof<F, C, D>, FileError> {
        let trace_cap = MerkleCap::<F, H>(self.hashes()?);
        let auxiliary_polys_cap = self.opt(|r| Ok(MerkleCap::<F, H>(r.hashes()?)))?;
        let quotient_polys_cap = self.opt(|r| Ok(MerkleCap::<F, H>(r.hashes()?)))?;
        let openings = StarkOpeningSet {
            local_values: self.ext_vec()?,
            next_values: self.ext_vec()?,
            auxiliary_polys: self.opt(|r| r.ext_vec())?,
            auxiliary_polys_next: self.opt(|r| r.ext_vec())?,
            ctl_zs_first: self.opt(|r| r.felt_vec())?,
            quotient_polys: self.opt(|r| r.ext_vec())?,
        };
        let n = self.len(36)?;
        let commit_phase_merkle_caps = (0..n).map(|_| Ok(MerkleCap(self.hashes()?))).collect::<Result<_, FileError>>()?;
        let n = self.len(8)?;
        let mut query_round_proofs = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.len(8)?;
            let mut evals_proofs = Vec::with_capacity(k);
            for _ in 0..k {
                let evals = self.felt_vec()?;
                evals_proofs.push((evals, MerkleProof { siblings: self.hashes()? }));
            }
            let k = self.len(8)?;
            let mut steps = Vec::with_capacity(k);
            for _ in 0..k {
                let evals = self.ext_vec()?;
                steps.push(FriQueryStep { evals, merkle_proof: MerkleProof { siblings: self.hashes()? } });
            }
            query_round_proofs.push(FriQueryRound { initial_trees_proof: FriInitialTreeProof { evals_proofs }, steps });
        }
        let final_poly = PolynomialCoeffs::new(self.ext_vec()?);
        let pow_witness = self.felt()?;
        Ok(StarkProof {
            trace_cap,
            auxiliary_polys_cap,
            quotient_polys_cap,
            openings,
            opening_proof: FriProof { commit_phase_merkle_caps, query_round_proofs, final_poly, pow_witness },
        })
    }
}

#[cfg(test)]
mod chain_tests {
    use super::*;

    fn node(l: Tree, r: Tree) -> Tree {
        Tree::Node(Box::new(l), Box::new(r))
    }

    /// Trees of every form round-trip; incomplete, overlong and bad trees are errors.
    #[test]
    fn aggregation_trees_round_trip() {
        let trees = [
            Tree::Leaf,
            node(Tree::Leaf, Tree::Leaf),
            node(node(Tree::Leaf, Tree::Leaf), Tree::Leaf),
            node(Tree::Leaf, node(Tree::Leaf, node(Tree::Leaf, Tree::Leaf))),
            node(node(Tree::Leaf, Tree::Leaf), node(node(Tree::Leaf, Tree::Leaf), Tree::Leaf)),
        ];
        for tree in trees {
            let bytes = chain_to_bytes(&[1; NUM_TABLES], &tree, &[7, 8, 9]);
            let Ok(AnyProof::Chain(f)) = read_any(&bytes) else { panic!("{tree:?} unreadable") };
            assert_eq!((f.tree, f.capacity, f.proof), (tree, [1; NUM_TABLES], vec![7, 8, 9]));
        }
        let tree_at = 8 + 4 + 1 + 4 * NUM_TABLES;
        let with_tree = |pre: &[u8]| {
            let mut b = chain_to_bytes(&[1; NUM_TABLES], &Tree::Leaf, &[]);
            b.truncate(tree_at);
            b.extend((pre.len() as u32).to_le_bytes());
            b.extend(pre);
            b.extend(0u32.to_le_bytes());
            read_any(&b).map(|_| ())
        };
        assert!(with_tree(&[0]).is_ok());
        for bad in [&[][..], &[1], &[1, 0], &[0, 0], &[1, 0, 0, 0], &[2]] {
            assert!(matches!(with_tree(bad), Err(FileError::Corrupted(_))), "{bad:?}");
        }
    }
}
