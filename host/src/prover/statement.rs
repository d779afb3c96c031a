//! What a proof claims: a program, run from given registers on given calldata, ended with given
//! registers, produced given outputs and made given storage accesses. The verifier holds the
//! [`Claim`]; the proof's public inputs ([`PublicInputs`]) are its Poseidon commitments plus the
//! registers, observed first by the Fiat–Shamir transcript. A block of transactions will chain
//! such statements (one per transaction, linked by state roots) once the chain model lands.

use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::plonk::config::Hasher;

use super::io::StorageEntry;
use super::F;
use crate::vm::isa::{Instruction, NUM_REGS};
use crate::vm::Program;

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

    /// The CPU table's public inputs: initial then final registers.
    pub fn cpu_inputs(&self) -> Vec<F> {
        let mut v = self.initial_regs.to_vec();
        v.extend_from_slice(&self.final_regs);
        v
    }
}
