//! Recursive verification of a [`Statement`]'s table proofs (an [`ExecutionProof`] or a
//! [`BlockProof`]) inside a Plonky2 circuit.
//!
//! The circuit replays the native verifier (`system::verify_statement`) step by step:
//! 1. the statement's transcript elements (`Claim`: [`PublicInputs::to_elements`], 36 elements;
//!    block: [`BlockPublicInputs::to_elements`], 24 elements: pre-state root, post-state root,
//!    block hash, storage-log hash, contracts hash, receipts hash), the CPU table's 21 public
//!    inputs ([`Statement::cpu_inputs`]) and the public columns of the six public tables (ROM,
//!    calldata, outputs, storage, transactions, with the layouts of `rom::public_columns` and
//!    `io::*_public`) are witnesses;
//! 2. the challenger observes the transcript elements, then every table's trace cap, then draws
//!    the cross-table-lookup challenges, then verifies each of the 12 tables' Starky proofs in
//!    index order (`verify_stark_proof_with_challenges_circuit`, with its CTL variables);
//! 3. each public column's opening at the table's ζ equals the barycentric interpolation of the
//!    witnessed column (`public::eval_at`);
//! 4. the cross-table sums balance (`verify_cross_table_lookups_circuit`).
//!
//! The recursive proof's public inputs ([`expected_public_inputs`]) are: the transcript elements
//! (for a block, its first 12 elements are the pre-state root, the post-state root and the block
//! hash), the CPU inputs, and a Poseidon commitment (`hash_no_pad` of all public columns, table
//! after table, column after column) to the public columns. The data → columns/transcript step is
//! not in circuit: the recursive verifier ([`verify_execution`], [`verify_block`]) validates the
//! claim as the native verifier does (`vm::exec::validate`, `check_block_claim`), computes those
//! elements natively from the claim and compares them. Moving that derivation into the circuit
//! (so an aggregation circuit can chain blocks on their roots alone) is listed in
//! `docs/aggregation.md`.
//!
//! A circuit depends only on the proof's [`Shape`] (every table's degree bits and the transcript
//! length); circuits are built once per shape and cached ([`circuit_for`]).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::types::Field;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::challenger::RecursiveChallenger;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::config::Hasher;
use plonky2::plonk::proof::ProofWithPublicInputs;
use starky::config::StarkConfig;
use starky::cross_table_lookup::{verify_cross_table_lookups_circuit, CrossTableLookup, CtlCheckVarsTarget};
use starky::lookup::{get_grand_product_challenge_set_target, GrandProductChallengeSet};
use starky::proof::{StarkProof, StarkProofTarget};
use starky::recursive_verifier::{add_virtual_stark_proof, set_stark_proof_target, verify_stark_proof_with_challenges_circuit};
use starky::stark::Stark;

use super::bitwise::BitwiseStark;
use super::poseidon::PoseidonStark;
use super::block::{check_block_claim, BlockProof};
use super::cpu::CpuStark;
use super::memory::MemoryStark;
use super::public::PublicStark;
use super::range::RangeStark;
use super::state::StateStark;
use super::statement::{BlockClaim, BlockPublicInputs, Claim, PublicInputs, Statement};
use super::system::{public_tables, stark_config, ExecutionProof};
use super::tables::*;
use super::{ctl, io, rom, state, C, D, F};
use crate::vm::isa::NUM_REGS;
use crate::vm::{self, Program};

type FE = <F as Extendable<D>>::Extension;

/// Transcript elements of a single-program claim ([`PublicInputs::to_elements`]).
pub const CLAIM_TRANSCRIPT: usize = 16 + 2 * NUM_REGS;
/// Transcript elements of a block claim ([`BlockPublicInputs::to_elements`]).
pub const BLOCK_TRANSCRIPT: usize = 24;
/// The CPU table's public inputs ([`Statement::cpu_inputs`]).
pub const CPU_INPUTS: usize = 2 * NUM_REGS + 1;
/// Offsets of the block's pre-state root, post-state root and block hash in a recursive block
/// proof's public inputs (4 elements each).
pub const PRE_ROOT: usize = 0;
pub const POST_ROOT: usize = 4;
pub const BLOCK_HASH: usize = 8;

/// The public tables and their number of public columns, in the order of `system.rs`.
const PUBLICS: [(usize, usize); 6] = [
    (ROM, rom::NUM_PUBLIC),
    (CALLDATA, io::CD_PUBLIC),
    (OUTPUT, io::OUT_COLUMNS),
    (STORAGE, io::ST_COLUMNS),
    (TXS, io::TX_COLUMNS),
    (SLOTS, state::SLOT_COLUMNS),
];

/// Degree bits of every table's Starky proof (in table order) and the transcript length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    pub degree_bits: [usize; NUM_TABLES],
    pub transcript: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RecursionError {
    #[error("malformed proof: {0}")]
    Shape(String),
    #[error("invalid claim: {0}")]
    Claim(String),
    #[error("the recursive proof could not be generated (the inner proof is invalid): {0}")]
    Prove(String),
    #[error("the recursive proof is invalid: {0}")]
    Verify(String),
}

/// Every table's degree bits, read from its FRI openings.
pub fn degree_bits_of(proofs: &[StarkProof<F, C, D>]) -> Result<[usize; NUM_TABLES], RecursionError> {
    if proofs.len() != NUM_TABLES {
        return Err(RecursionError::Shape(format!("expected {NUM_TABLES} table proofs, got {}", proofs.len())));
    }
    let config = stark_config();
    let mut bits = [0; NUM_TABLES];
    for (t, p) in proofs.iter().enumerate() {
        let first = p.opening_proof.query_round_proofs.first().and_then(|q| q.initial_trees_proof.evals_proofs.first());
        let Some(first) = first else {
            return Err(RecursionError::Shape(format!("{} table: no FRI openings", NAMES[t])));
        };
        let lde_bits = config.fri_config.cap_height + first.1.siblings.len();
        if lde_bits < 5 + config.fri_config.rate_bits || lde_bits > 28 + config.fri_config.rate_bits {
            return Err(RecursionError::Shape(format!("{} table: height out of range", NAMES[t])));
        }
        bits[t] = lde_bits - config.fri_config.rate_bits;
    }
    Ok(bits)
}

/// The shape of the table proofs `proofs` of `stmt`.
pub fn shape_of(stmt: &Statement, proofs: &[StarkProof<F, C, D>]) -> Result<Shape, RecursionError> {
    Ok(Shape { degree_bits: degree_bits_of(proofs)?, transcript: stmt.transcript.len() })
}

/// The public columns of `stmt`'s public tables at `shape`'s heights, as the native verifier
/// derives them.
pub fn public_columns(stmt: &Statement, shape: &Shape) -> [Vec<Vec<F>>; 6] {
    public_tables(stmt, &shape.degree_bits).map(|(_, cols)| cols)
}

/// The public inputs a recursive proof of `stmt` at `shape` has: transcript elements, CPU
/// inputs, then the commitment to the public columns.
pub fn expected_public_inputs(stmt: &Statement, shape: &Shape) -> Vec<F> {
    let mut v = stmt.transcript.clone();
    v.extend(stmt.cpu_inputs());
    let flat: Vec<F> = public_columns(stmt, shape).iter().flatten().flatten().copied().collect();
    v.extend(PoseidonHash::hash_no_pad(&flat).elements);
    v
}

/// Checks `opening == Σ values[i] L_i(ζ)` for each column (barycentric form over the subgroup of
/// the columns' size), as `public::eval_at` natively.
fn bind_columns(b: &mut CircuitBuilder<F, D>, cols: &[Vec<Target>], zeta: ExtensionTarget<D>, openings: &[ExtensionTarget<D>]) {
    let n = cols[0].len();
    let log_n = n.trailing_zeros() as usize;
    let g = F::primitive_root_of_unity(log_n);
    let weights: Vec<ExtensionTarget<D>> = g
        .powers()
        .take(n)
        .map(|x| {
            let xe = b.constant_extension(<FE as FieldExtension<D>>::from_basefield(x));
            let denom = b.sub_extension(zeta, xe);
            b.div_extension(xe, denom)
        })
        .collect();
    let zn = b.exp_power_of_2_extension(zeta, log_n);
    let one = b.one_extension();
    let zn1 = b.sub_extension(zn, one);
    let inv_n = b.constant(F::from_canonical_usize(n).inverse());
    let factor = b.scalar_mul_ext(inv_n, zn1);
    for (col, &opening) in cols.iter().zip(openings) {
        let mut acc = b.zero_extension();
        for (&v, &w) in col.iter().zip(&weights) {
            acc = b.scalar_mul_add_extension(v, w, acc);
        }
        let value = b.mul_extension(acc, factor);
        b.connect_extension(value, opening);
    }
}

struct Verifying<'a> {
    config: &'a StarkConfig,
    ctls: &'a [CrossTableLookup<F>],
    ctl_challenges: GrandProductChallengeSet<Target>,
    challenger: RecursiveChallenger<F, PoseidonHash, D>,
}

impl Verifying<'_> {
    /// Verifies one table's proof in circuit; returns its ζ.
    fn table<S: Stark<F, D>>(
        &mut self,
        b: &mut CircuitBuilder<F, D>,
        stark: &S,
        table: usize,
        proof: &StarkProofTarget<D>,
        public_inputs: &[Target],
        degree_bits: usize,
    ) -> ExtensionTarget<D> {
        let (helpers, _, by_ctl) = CrossTableLookup::num_ctl_helpers_zs_all(self.ctls, table, self.config.num_challenges, 3);
        let ctl_vars = CtlCheckVarsTarget::from_proof(
            table,
            proof,
            self.ctls,
            &self.ctl_challenges,
            stark.num_lookup_helper_columns(self.config),
            helpers,
            &by_ctl,
        );
        let bits = b.constant(F::from_canonical_usize(degree_bits));
        b.connect(proof.degree_bits, bits);
        let challenges = proof.get_challenges::<F, C, S>(
            b,
            stark,
            public_inputs,
            &mut self.challenger,
            Some(&self.ctl_challenges),
            Some(&ctl_vars),
            degree_bits,
            true,
            self.config,
        );
        let zeta = challenges.stark_zeta;
        verify_stark_proof_with_challenges_circuit::<F, C, S, D>(
            b,
            stark,
            proof,
            public_inputs,
            challenges,
            Some(&ctl_vars),
            self.config,
            degree_bits,
            None,
        );
        zeta
    }
}

fn add_table_proof<S: Stark<F, D>>(
    b: &mut CircuitBuilder<F, D>,
    stark: &S,
    table: usize,
    config: &StarkConfig,
    ctls: &[CrossTableLookup<F>],
    degree_bits: usize,
) -> StarkProofTarget<D> {
    let (helpers, zs, _) = CrossTableLookup::num_ctl_helpers_zs_all(ctls, table, config.num_challenges, 3);
    add_virtual_stark_proof(b, stark, config, degree_bits, helpers + zs, zs)
}

/// The Plonky2 circuit that verifies table proofs of one shape.
pub struct StatementCircuit {
    pub shape: Shape,
    pub data: CircuitData<F, C, D>,
    proofs: Vec<StarkProofTarget<D>>,
    transcript: Vec<Target>,
    cpu_inputs: Vec<Target>,
    columns: Vec<Vec<Vec<Target>>>,
    zero: Target,
}

/// The Plonky2 configuration of the recursive circuits.
pub fn circuit_config() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

impl StatementCircuit {
    pub fn build(shape: Shape) -> Self {
        let config = stark_config();
        let ctls = ctl::all_ctls();
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let bits = shape.degree_bits;

        // The witnessed statement and its public inputs.
        let transcript = b.add_virtual_targets(shape.transcript);
        let cpu_inputs = b.add_virtual_targets(CPU_INPUTS);
        let flag = cpu_inputs[CPU_INPUTS - 1];
        b.assert_bool(plonky2::iop::target::BoolTarget::new_unsafe(flag));
        let columns: Vec<Vec<Vec<Target>>> =
            PUBLICS.iter().map(|&(t, n)| (0..n).map(|_| b.add_virtual_targets(1 << bits[t])).collect()).collect();
        let flat: Vec<Target> = columns.iter().flatten().flatten().copied().collect();
        let commitment = b.hash_n_to_hash_no_pad::<PoseidonHash>(flat);
        b.register_public_inputs(&transcript);
        b.register_public_inputs(&cpu_inputs);
        b.register_public_inputs(&commitment.elements);

        // The transcript, as `system::verify_statement`.
        let proofs = vec![
            add_table_proof(&mut b, &CpuStark, CPU, &config, &ctls, bits[CPU]),
            add_table_proof(&mut b, &PublicStark::<6>, ROM, &config, &ctls, bits[ROM]),
            add_table_proof(&mut b, &PublicStark::<5>, CALLDATA, &config, &ctls, bits[CALLDATA]),
            add_table_proof(&mut b, &PublicStark::<4>, OUTPUT, &config, &ctls, bits[OUTPUT]),
            add_table_proof(&mut b, &PublicStark::<7>, STORAGE, &config, &ctls, bits[STORAGE]),
            add_table_proof(&mut b, &MemoryStark, MEMORY, &config, &ctls, bits[MEMORY]),
            add_table_proof(&mut b, &RangeStark, RANGE, &config, &ctls, bits[RANGE]),
            add_table_proof(&mut b, &BitwiseStark, BITWISE, &config, &ctls, bits[BITWISE]),
            add_table_proof(&mut b, &PublicStark::<4>, TXS, &config, &ctls, bits[TXS]),
            add_table_proof(&mut b, &PoseidonStark, POSEIDON, &config, &ctls, bits[POSEIDON]),
            add_table_proof(&mut b, &StateStark, STATE, &config, &ctls, bits[STATE]),
            add_table_proof(&mut b, &PublicStark::<5>, SLOTS, &config, &ctls, bits[SLOTS]),
        ];
        // The state table's public inputs, the pre- and post-state roots: a block's first
        // transcript elements; zero (the empty tree) for a single execution, which touches no slot.
        let zero = b.zero();
        let roots: Vec<Target> =
            if shape.transcript == BLOCK_TRANSCRIPT { transcript[PRE_ROOT..POST_ROOT + 4].to_vec() } else { vec![zero; 8] };
        let mut challenger = RecursiveChallenger::<F, PoseidonHash, D>::new(&mut b);
        challenger.observe_elements(&transcript);
        for p in &proofs {
            challenger.observe_cap(&p.trace_cap);
        }
        let ctl_challenges = get_grand_product_challenge_set_target(&mut b, &mut challenger, config.num_challenges);
        let mut v = Verifying { config: &config, ctls: &ctls, ctl_challenges, challenger };
        let p = &proofs;
        let zetas = [
            v.table(&mut b, &CpuStark, CPU, &p[CPU], &cpu_inputs, bits[CPU]),
            v.table(&mut b, &PublicStark::<6>, ROM, &p[ROM], &[], bits[ROM]),
            v.table(&mut b, &PublicStark::<5>, CALLDATA, &p[CALLDATA], &[], bits[CALLDATA]),
            v.table(&mut b, &PublicStark::<4>, OUTPUT, &p[OUTPUT], &[], bits[OUTPUT]),
            v.table(&mut b, &PublicStark::<7>, STORAGE, &p[STORAGE], &[], bits[STORAGE]),
            v.table(&mut b, &MemoryStark, MEMORY, &p[MEMORY], &[], bits[MEMORY]),
            v.table(&mut b, &RangeStark, RANGE, &p[RANGE], &[], bits[RANGE]),
            v.table(&mut b, &BitwiseStark, BITWISE, &p[BITWISE], &[], bits[BITWISE]),
            v.table(&mut b, &PublicStark::<4>, TXS, &p[TXS], &[], bits[TXS]),
            v.table(&mut b, &PoseidonStark, POSEIDON, &p[POSEIDON], &[], bits[POSEIDON]),
            v.table(&mut b, &StateStark, STATE, &p[STATE], &roots, bits[STATE]),
            v.table(&mut b, &PublicStark::<5>, SLOTS, &p[SLOTS], &[], bits[SLOTS]),
        ];

        // Public columns equal the witnessed data at ζ.
        for (&(t, n), cols) in PUBLICS.iter().zip(&columns) {
            let openings = p[t].openings.local_values[..n].to_vec();
            bind_columns(&mut b, cols, zetas[t], &openings);
        }

        // Cross-table sums. Explicit zero extra sums: with none, starky 1.1 adds
        // `Target::default()` (the circuit's first virtual target) to every looking sum.
        let zs_first: [Vec<Target>; NUM_TABLES] =
            core::array::from_fn(|t| p[t].openings.ctl_zs_first.clone().unwrap_or_default());
        let extra: hashbrown::HashMap<usize, Vec<Target>> =
            (0..ctls.len()).map(|i| (i, vec![zero; config.num_challenges])).collect();
        verify_cross_table_lookups_circuit::<F, D, NUM_TABLES>(&mut b, ctls.clone(), zs_first, &extra, &config);

        let data = b.build::<C>();
        StatementCircuit { shape, data, proofs, transcript, cpu_inputs, columns, zero }
    }

    /// Fills the witness for `stmt` and its table proofs (no check beyond the shape: an invalid
    /// inner proof makes witness generation fail, or gives a proof that does not verify).
    fn witness(&self, stmt: &Statement, proofs: &[StarkProof<F, C, D>]) -> Result<PartialWitness<F>, RecursionError> {
        let shape = shape_of(stmt, proofs)?;
        if shape != self.shape {
            return Err(RecursionError::Shape(format!("proof of shape {shape:?}, circuit for {:?}", self.shape)));
        }
        let mut pw = PartialWitness::new();
        let err = |e: anyhow::Error| RecursionError::Claim(e.to_string());
        for (&t, &v) in self.transcript.iter().zip(&stmt.transcript) {
            pw.set_target(t, v).map_err(err)?;
        }
        for (&t, v) in self.cpu_inputs.iter().zip(stmt.cpu_inputs()) {
            pw.set_target(t, v).map_err(err)?;
        }
        for (((table, _), targets), values) in PUBLICS.iter().zip(&self.columns).zip(public_columns(stmt, &self.shape)) {
            if values.len() != targets.len() || values[0].len() != targets[0].len() {
                return Err(RecursionError::Claim(format!("the {} table's height does not fit the claim", NAMES[*table])));
            }
            for (tc, vc) in targets.iter().zip(&values) {
                for (&t, &v) in tc.iter().zip(vc) {
                    pw.set_target(t, v).map_err(err)?;
                }
            }
        }
        for (t, (target, p)) in self.proofs.iter().zip(proofs).enumerate() {
            let r = catch_unwind(AssertUnwindSafe(|| set_stark_proof_target(&mut pw, target, p, self.shape.degree_bits[t], self.zero)));
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(RecursionError::Shape(format!("{} table: {e}", NAMES[t]))),
                Err(_) => return Err(RecursionError::Shape(format!("{} table: wrong proof structure", NAMES[t]))),
            }
        }
        Ok(pw)
    }

    /// Proves that `proofs` verify for `stmt`. The public inputs are
    /// [`expected_public_inputs`]`(stmt, shape)`.
    pub fn prove(&self, stmt: &Statement, proofs: &[StarkProof<F, C, D>]) -> Result<ProofWithPublicInputs<F, C, D>, RecursionError> {
        if stmt.txs.is_empty() {
            return Err(RecursionError::Claim("no transactions".into()));
        }
        let pw = self.witness(stmt, proofs)?;
        match catch_unwind(AssertUnwindSafe(|| self.data.prove(pw))) {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => Err(RecursionError::Prove(e.to_string())),
            Err(_) => Err(RecursionError::Prove("witness generation failed".into())),
        }
    }

    /// Checks the Plonky2 proof alone (its public inputs are not compared with any claim).
    pub fn verify(&self, proof: &ProofWithPublicInputs<F, C, D>) -> Result<(), RecursionError> {
        self.data.verify(proof.clone()).map_err(|e| RecursionError::Verify(e.to_string()))
    }

    /// Checks the Plonky2 proof and that its public inputs are `stmt`'s.
    pub fn verify_statement(&self, stmt: &Statement, proof: &ProofWithPublicInputs<F, C, D>) -> Result<(), RecursionError> {
        if proof.public_inputs != expected_public_inputs(stmt, &self.shape) {
            return Err(RecursionError::Verify("the public inputs are not the claim's".into()));
        }
        self.verify(proof)
    }
}

/// Backwards-compatible name.
pub type ExecutionCircuit = StatementCircuit;

static CIRCUITS: OnceLock<Mutex<HashMap<Shape, Arc<StatementCircuit>>>> = OnceLock::new();

/// The circuit for `shape`, built on first use and cached for the process.
pub fn circuit_for(shape: Shape) -> Arc<StatementCircuit> {
    let cache = CIRCUITS.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(shape).or_insert_with(|| Arc::new(StatementCircuit::build(shape))).clone()
}

fn check_claim(claim: &Claim) -> Result<(), RecursionError> {
    let program = Program::from_instructions("claim", claim.program.clone());
    vm::exec::validate(&program).map_err(|e| RecursionError::Claim(e.to_string()))?;
    if program.is_empty() {
        return Err(RecursionError::Claim("empty program".into()));
    }
    Ok(())
}

fn check_block(claim: &BlockClaim) -> Result<(), RecursionError> {
    match catch_unwind(AssertUnwindSafe(|| check_block_claim(claim))) {
        Ok(r) => r.map_err(|e| RecursionError::Claim(e.to_string())),
        Err(_) => Err(RecursionError::Claim("malformed block claim".into())),
    }
}

/// Proves recursively that an execution proof verifies (the claim is checked as `system::verify`
/// does).
pub fn prove_execution(proof: &ExecutionProof) -> Result<(Arc<StatementCircuit>, ProofWithPublicInputs<F, C, D>), RecursionError> {
    check_claim(&proof.claim)?;
    let stmt = proof.claim.statement();
    let circuit = circuit_for(shape_of(&stmt, &proof.proofs)?);
    let p = circuit.prove(&stmt, &proof.proofs)?;
    Ok((circuit, p))
}

/// Proves recursively that a block proof verifies (the claim is checked as
/// `block::verify_block` does). The recursive proof's public inputs start with the pre-state
/// root, post-state root and block hash ([`PRE_ROOT`], [`POST_ROOT`], [`BLOCK_HASH`]).
pub fn prove_block(proof: &BlockProof) -> Result<(Arc<StatementCircuit>, ProofWithPublicInputs<F, C, D>), RecursionError> {
    check_block(&proof.claim)?;
    let stmt = proof.claim.statement();
    let circuit = circuit_for(shape_of(&stmt, &proof.proofs)?);
    let p = circuit.prove(&stmt, &proof.proofs)?;
    Ok((circuit, p))
}

/// Verifies a recursive proof of an execution against its claim.
pub fn verify_execution(claim: &Claim, shape: Shape, proof: &ProofWithPublicInputs<F, C, D>) -> Result<(), RecursionError> {
    check_claim(claim)?;
    circuit_for(shape).verify_statement(&claim.statement(), proof)
}

/// Verifies a recursive proof of a block against its claim.
pub fn verify_block(claim: &BlockClaim, shape: Shape, proof: &ProofWithPublicInputs<F, C, D>) -> Result<(), RecursionError> {
    check_block(claim)?;
    circuit_for(shape).verify_statement(&claim.statement(), proof)
}

/// The statement elements of a single-program claim ([`PublicInputs::to_elements`]): the first
/// [`CLAIM_TRANSCRIPT`] public inputs of its recursive proof.
pub fn statement_of(claim: &Claim) -> Vec<F> {
    PublicInputs::to_elements(&claim.public_inputs())
}

/// The transcript elements of a block claim: the first [`BLOCK_TRANSCRIPT`] public inputs of its
/// recursive proof.
pub fn block_statement_of(claim: &BlockClaim) -> Vec<F> {
    BlockPublicInputs::to_elements(&claim.public_inputs())
}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;

    use super::*;
    use crate::vm::assemble;

    /// The in-circuit commitment to the public columns agrees with [`expected_public_inputs`].
    #[test]
    fn column_commitment_matches_native() {
        let program = assemble("t.asm", "cdload r1, 0\n out r1\n sstore r1, r1\n end").unwrap();
        let claim = Claim {
            program: program.instructions.clone(),
            initial_regs: [F::ZERO; NUM_REGS],
            final_regs: [F::ONE; NUM_REGS],
            calldata: vec![F::from_canonical_u64(7)],
            outputs: vec![F::from_canonical_u64(7)],
            storage: vec![],
        };
        let stmt = claim.statement();
        // the public tables one size up from their data's (a padded proof's shape)
        let mut bits = [5; NUM_TABLES];
        for (t, rows) in crate::prover::system::public_min_rows(&stmt) {
            bits[t] = rows.trailing_zeros() as usize + 1;
        }
        let shape = Shape { degree_bits: bits, transcript: stmt.transcript.len() };
        let cols = public_columns(&stmt, &shape);
        assert_eq!(cols[0][0].len(), 64);
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let targets: Vec<Vec<Vec<Target>>> =
            cols.iter().map(|t| t.iter().map(|c| b.add_virtual_targets(c.len())).collect()).collect();
        let flat: Vec<Target> = targets.iter().flatten().flatten().copied().collect();
        let h = b.hash_n_to_hash_no_pad::<PoseidonHash>(flat);
        b.register_public_inputs(&h.elements);
        let circuit = b.build::<C>();
        let mut pw = PartialWitness::new();
        for (t, v) in targets.iter().flatten().flatten().zip(cols.iter().flatten().flatten()) {
            pw.set_target(*t, *v).unwrap();
        }
        let proof = circuit.prove(pw).unwrap();
        let expect = expected_public_inputs(&stmt, &shape);
        assert_eq!(proof.public_inputs, expect[expect.len() - 4..]);
        assert_eq!(expect.len(), CLAIM_TRANSCRIPT + CPU_INPUTS + 4);
        assert_eq!(&expect[..CLAIM_TRANSCRIPT], statement_of(&claim));
    }
}
