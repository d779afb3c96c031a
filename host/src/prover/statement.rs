//! What a proof claims.
//!
//! - [`Claim`]: one program, run from given registers on given calldata, ended with given
//!   registers, produced given outputs and made given storage accesses. Its public inputs
//!   ([`PublicInputs`]) are Poseidon commitments plus the registers.
//! - [`BlockClaim`]: every transaction of a block, run one after another (each from its
//!   contract's pc 0 with fresh registers and memory, on calldata `[sender, calldata...]`), each
//!   ending in `end` or in a failing `assert`; with the outputs each emitted, the block's storage
//!   log and the pre/post state roots. Public inputs: [`BlockPublicInputs`].
//!
//! Both reduce to a [`Statement`]: the data the tables are built from and checked against.

use plonky2::field::types::{Field, PrimeField64};
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use super::io::StorageEntry;
use super::F;
use crate::chain::Transaction;
use crate::vm::isa::{Instruction, NUM_REGS};
use crate::vm::{Inputs, Program};

#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub program: Vec<Instruction>,
    pub initial_regs: [F; NUM_REGS],
    pub final_regs: [F; NUM_REGS],
    pub calldata: Vec<F>,
    pub outputs: Vec<F>,
    pub storage: Vec<StorageEntry>,
}

/// The public inputs, in transcript order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicInputs {
    /// [`Program::hash`] of the program.
    pub program_hash: HashOut<F>,
    /// `hash_no_pad([len, words...])` of the calldata.
    pub calldata_hash: HashOut<F>,
    /// `hash_no_pad([len, words...])` of the outputs.
    pub outputs_hash: HashOut<F>,
    /// `hash_no_pad([len, key, value, write, ...])` of the storage-access log, in execution order.
    pub storage_hash: HashOut<F>,
    pub initial_regs: [F; NUM_REGS],
    pub final_regs: [F; NUM_REGS],
}

fn hash_words(words: &[F]) -> HashOut<F> {
    let mut v = vec![F::from_canonical_usize(words.len())];
    v.extend_from_slice(words);
    PoseidonHash::hash_no_pad(&v)
}

impl Claim {
    pub fn public_inputs(&self) -> PublicInputs {
        let log: Vec<F> = self.storage.iter().flat_map(|e| [e.key, e.value, F::from_bool(e.write)]).collect();
        let mut st = vec![F::from_canonical_usize(self.storage.len())];
        st.extend(log);
        PublicInputs {
            program_hash: Program::from_instructions("", self.program.clone()).hash(),
            calldata_hash: hash_words(&self.calldata),
            outputs_hash: hash_words(&self.outputs),
            storage_hash: PoseidonHash::hash_no_pad(&st),
            initial_regs: self.initial_regs,
            final_regs: self.final_regs,
        }
    }

    /// The statement the tables prove: one transaction (index 0) of contract 0.
    pub fn statement(&self) -> Statement {
        Statement {
            roms: vec![(F::ZERO, self.program.clone())],
            txs: vec![TxInfo { contract: F::ZERO, calldata: self.calldata.clone(), failed: false }],
            outputs: self.outputs.iter().map(|&v| (0, v)).collect(),
            slots: Vec::new(),
            pre_root: [F::ZERO; 4],
            post_root: [F::ZERO; 4],
            storage: self
                .storage
                .iter()
                .map(|e| LogEntry { tx: 0, address: F::ZERO, key: e.key, value: e.value, write: e.write })
                .collect(),
            initial_regs: self.initial_regs,
            final_regs: Some(self.final_regs),
            transcript: self.public_inputs().to_elements(),
        }
    }
}

impl PublicInputs {
    pub fn to_elements(&self) -> Vec<F> {
        let mut v = Vec::with_capacity(16 + 2 * NUM_REGS);
        for h in [self.program_hash, self.calldata_hash, self.outputs_hash, self.storage_hash] {
            v.extend_from_slice(&h.elements);
        }
        v.extend_from_slice(&self.initial_regs);
        v.extend_from_slice(&self.final_regs);
        v
    }

    /// The CPU table's public inputs: initial then final registers, then 1 (final registers
    /// checked).
    pub fn cpu_inputs(&self) -> Vec<F> {
        let mut v = self.initial_regs.to_vec();
        v.extend_from_slice(&self.final_regs);
        v.push(F::ONE);
        v
    }
}

/// One storage access of a block: transaction index, contract address, key, value read or
/// written, and whether it was a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub tx: u32,
    pub address: F,
    pub key: F,
    pub value: F,
    pub write: bool,
}

/// A block's execution, as its proof claims it.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockClaim {
    /// Deployed contracts `(address, code)`, by increasing address.
    pub contracts: Vec<(u64, Vec<Instruction>)>,
    pub txs: Vec<Transaction>,
    /// Per transaction: whether it failed (then its proof ends in a failing `assert`).
    pub failed: Vec<bool>,
    /// Per transaction: the words it emitted with `out` (before failing, for a failed one).
    pub outputs: Vec<Vec<F>>,
    /// Every storage access, in execution order (failed transactions' included).
    pub storage: Vec<LogEntry>,
    /// The pre-state value of every slot the log touches, in the order the slots first appear
    /// ([`touched_slots`]); proven under `pre_root` by the state table.
    pub pre_values: Vec<F>,
    /// State roots before and after the block, both proven: the state table's chain of updates
    /// starts at the first and ends at the second (`docs/proving.md`).
    pub pre_root: HashOut<F>,
    pub post_root: HashOut<F>,
}

/// A block proof's public inputs, in transcript order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockPublicInputs {
    pub pre_root: HashOut<F>,
    pub post_root: HashOut<F>,
    /// `hash_no_pad([n, (sender, contract, len, calldata...) per tx])`.
    pub block_hash: HashOut<F>,
    /// `hash_no_pad([n, (tx, address, key, value, write) per access, m, pre-values...])`.
    pub storage_hash: HashOut<F>,
    /// `hash_no_pad([n, (address, program hash) per contract])`.
    pub contracts_hash: HashOut<F>,
    /// `hash_no_pad([n, (failed, len, outputs...) per tx])`.
    pub receipts_hash: HashOut<F>,
}

impl BlockPublicInputs {
    pub fn to_elements(&self) -> Vec<F> {
        [self.pre_root, self.post_root, self.block_hash, self.storage_hash, self.contracts_hash, self.receipts_hash]
            .iter()
            .flat_map(|h| h.elements)
            .collect()
    }
}

fn felt(x: u64) -> F {
    F::from_noncanonical_u64(x)
}

/// `hash_no_pad([n, (sender, contract, len, calldata...) per tx])`: the block hash.
pub fn block_hash(txs: &[Transaction]) -> HashOut<F> {
    let mut v = vec![F::from_canonical_usize(txs.len())];
    for t in txs {
        v.extend([felt(t.sender), felt(t.contract), F::from_canonical_usize(t.calldata.len())]);
        v.extend(t.calldata.iter().map(|&w| felt(w)));
    }
    PoseidonHash::hash_no_pad(&v)
}

/// `hash_no_pad([n, (tx, address, key, value, write) per access, m, pre-values...])`: the log and
/// the pre-state values of its `m` touched slots (in the transcript before any challenge, so the
/// prover cannot pick them after seeing one).
pub fn storage_log_hash(log: &[LogEntry], pre_values: &[F]) -> HashOut<F> {
    let mut v = vec![F::from_canonical_usize(log.len())];
    for e in log {
        v.extend([F::from_canonical_u32(e.tx), e.address, e.key, e.value, F::from_bool(e.write)]);
    }
    v.push(F::from_canonical_usize(pre_values.len()));
    v.extend_from_slice(pre_values);
    PoseidonHash::hash_no_pad(&v)
}

/// The distinct slots `(address, key)` of a storage log, in the order they first appear.
pub fn touched_slots(log: &[LogEntry]) -> Vec<(F, F)> {
    let mut seen = std::collections::HashSet::new();
    log.iter()
        .filter(|e| seen.insert((e.address.to_canonical_u64(), e.key.to_canonical_u64())))
        .map(|e| (e.address, e.key))
        .collect()
}

impl BlockClaim {
    pub fn public_inputs(&self) -> BlockPublicInputs {
        let mut c = vec![F::from_canonical_usize(self.contracts.len())];
        for (a, code) in &self.contracts {
            c.push(felt(*a));
            c.extend(Program::from_instructions("", code.clone()).hash().elements);
        }
        let mut r = vec![F::from_canonical_usize(self.txs.len())];
        for (i, outs) in self.outputs.iter().enumerate() {
            r.push(F::from_bool(self.failed.get(i).copied().unwrap_or(false)));
            r.push(F::from_canonical_usize(outs.len()));
            r.extend_from_slice(outs);
        }
        BlockPublicInputs {
            pre_root: self.pre_root,
            post_root: self.post_root,
            block_hash: block_hash(&self.txs),
            storage_hash: storage_log_hash(&self.storage, &self.pre_values),
            contracts_hash: PoseidonHash::hash_no_pad(&c),
            receipts_hash: PoseidonHash::hash_no_pad(&r),
        }
    }

    /// Per touched slot ([`touched_slots`] order): `(address, key, pre-state value, value after
    /// the block)`, the last from the log's last write by a transaction that did not fail.
    pub fn slot_updates(&self) -> Vec<(F, F, F, F)> {
        let mut last = std::collections::HashMap::new();
        for e in &self.storage {
            if e.write && !self.failed.get(e.tx as usize).copied().unwrap_or(true) {
                last.insert((e.address.to_canonical_u64(), e.key.to_canonical_u64()), e.value);
            }
        }
        touched_slots(&self.storage)
            .into_iter()
            .zip(&self.pre_values)
            .map(|((a, k), &old)| (a, k, old, *last.get(&(a.to_canonical_u64(), k.to_canonical_u64())).unwrap_or(&old)))
            .collect()
    }

    /// The statement the tables prove (the caller has checked the claim's shape).
    pub fn statement(&self) -> Statement {
        Statement {
            roms: self.contracts.iter().map(|(a, code)| (felt(*a), code.clone())).collect(),
            txs: self
                .txs
                .iter()
                .zip(&self.failed)
                .map(|(t, &failed)| {
                    let mut calldata = vec![felt(t.sender)];
                    calldata.extend(t.calldata.iter().map(|&w| felt(w)));
                    TxInfo { contract: felt(t.contract), calldata, failed }
                })
                .collect(),
            outputs: self.outputs.iter().enumerate().flat_map(|(i, o)| o.iter().map(move |&v| (i as u32, v))).collect(),
            storage: self.storage.clone(),
            slots: self.slot_updates(),
            pre_root: self.pre_root.elements,
            post_root: self.post_root.elements,
            initial_regs: Inputs::default().regs,
            final_regs: None,
            transcript: self.public_inputs().to_elements(),
        }
    }
}

/// One transaction of a statement.
#[derive(Clone, Debug, PartialEq)]
pub struct TxInfo {
    /// The contract's address (its ROM rows carry it).
    pub contract: F,
    /// The words `cdload` reads.
    pub calldata: Vec<F>,
    pub failed: bool,
}

/// What the tables prove, whichever claim it came from: the ROM of every contract, the
/// transactions in order, the outputs and storage log tagged by transaction, the registers every
/// transaction starts from, the last transaction's final registers (checked when given) and the
/// public-input elements the transcript starts with.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub roms: Vec<(F, Vec<Instruction>)>,
    pub txs: Vec<TxInfo>,
    pub outputs: Vec<(u32, F)>,
    pub storage: Vec<LogEntry>,
    /// Touched slots `(address, key, pre-state value, value after)` the state table updates,
    /// from `pre_root` to `post_root` (none for a single execution, which starts from empty
    /// storage and whose roots are zero).
    pub slots: Vec<(F, F, F, F)>,
    pub pre_root: [F; 4],
    pub post_root: [F; 4],
    pub initial_regs: [F; NUM_REGS],
    pub final_regs: Option<[F; NUM_REGS]>,
    pub transcript: Vec<F>,
}

impl Statement {
    /// The CPU table's public inputs: initial registers, final registers, and 1 if the final
    /// registers are checked (0: they are not, and the final-register inputs are 0).
    pub fn cpu_inputs(&self) -> Vec<F> {
        let mut v = self.initial_regs.to_vec();
        v.extend_from_slice(&self.final_regs.unwrap_or([F::ZERO; NUM_REGS]));
        v.push(F::from_bool(self.final_regs.is_some()));
        v
    }
}
