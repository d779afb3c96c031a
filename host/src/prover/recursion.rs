//! Recursive verification of an [`ExecutionProof`] inside a Plonky2 circuit.
//!
//! The circuit replays the native verifier (`system.rs`) step by step:
//! 1. the public data (program, calldata, outputs, storage log) and the registers are witnesses;
//!    the circuit hashes the data exactly as [`Claim::public_inputs`] does (Poseidon `hash_no_pad`
//!    of `[len, words...]`, variable length up to the table height) and exposes the statement
//!    ([`PublicInputs::to_elements`], 36 elements) as the Plonky2 public inputs;
//! 2. the challenger observes those elements, then every table's trace cap, then draws the
//!    cross-table-lookup challenges, then verifies each table's Starky proof in index order
//!    (`verify_stark_proof_with_challenges_circuit`, with its CTL variables);
//! 3. the cross-table sums balance (`verify_cross_table_lookups_circuit`);
//! 4. each public column's opening at the table's ζ equals the barycentric interpolation of the
//!    column the verifier derives from the data (the ROM by decoding the instruction words in
//!    circuit, with the checks of `vm::exec::validate`).
//!
//! A circuit depends only on the proof's [`Shape`] (every table's degree bits); circuits are built
//! once per shape and cached ([`circuit_for`]).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock};

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOutTarget;
use plonky2::hash::hashing::PlonkyPermutation;
use plonky2::hash::poseidon::{PoseidonHash, PoseidonPermutation};
use plonky2::iop::challenger::RecursiveChallenger;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
use plonky2::plonk::proof::ProofWithPublicInputs;
use starky::config::StarkConfig;
use starky::cross_table_lookup::{verify_cross_table_lookups_circuit, CrossTableLookup, CtlCheckVarsTarget};
use starky::lookup::{get_grand_product_challenge_set_target, GrandProductChallengeSet};
use starky::proof::StarkProofTarget;
use starky::recursive_verifier::{add_virtual_stark_proof, set_stark_proof_target, verify_stark_proof_with_challenges_circuit};
use starky::stark::Stark;

use super::bitwise::BitwiseStark;
use super::cpu::CpuStark;
use super::memory::MemoryStark;
use super::public::PublicStark;
use super::range::RangeStark;
use super::statement::{Claim, PublicInputs};
use super::system::{stark_config, ExecutionProof};
use super::tables::*;
use super::{ctl, rom, C, D, F, MIN_ROWS};
use crate::vm::isa::{Opcode, NO_REG, NUM_REGS};
use crate::vm::prophet::Prophet;

type FE = <F as Extendable<D>>::Extension;

/// Number of public inputs of an execution circuit: [`PublicInputs::to_elements`].
pub const NUM_STATEMENT_ELEMENTS: usize = 16 + 2 * NUM_REGS;

/// Degree bits of every table's Starky proof, in table order.
pub type Shape = [usize; NUM_TABLES];

#[derive(Debug, thiserror::Error)]
pub enum RecursionError {
    #[error("malformed execution proof: {0}")]
    Shape(String),
    #[error("the claim does not fit the circuit: {0}")]
    Claim(String),
    #[error("the recursive proof could not be generated (the inner proof is invalid): {0}")]
    Prove(String),
    #[error("the recursive proof is invalid: {0}")]
    Verify(String),
}

/// The shape of `proof`: each table's degree bits, read from its FRI openings.
pub fn shape_of(proof: &ExecutionProof) -> Result<Shape, RecursionError> {
    if proof.proofs.len() != NUM_TABLES {
        return Err(RecursionError::Shape(format!("expected {NUM_TABLES} table proofs, got {}", proof.proofs.len())));
    }
    let config = stark_config();
    let mut shape = [0; NUM_TABLES];
    for (t, p) in proof.proofs.iter().enumerate() {
        let first = p.opening_proof.query_round_proofs.first().and_then(|q| q.initial_trees_proof.evals_proofs.first());
        let Some(first) = first else {
            return Err(RecursionError::Shape(format!("{} table: no FRI openings", NAMES[t])));
        };
        let lde_bits = config.fri_config.cap_height + first.1.siblings.len();
        if lde_bits < 5 + config.fri_config.rate_bits || lde_bits > 28 + config.fri_config.rate_bits {
            return Err(RecursionError::Shape(format!("{} table: height out of range", NAMES[t])));
        }
        shape[t] = lde_bits - config.fri_config.rate_bits;
    }
    Ok(shape)
}

/// Public data of one table as witnesses: `rows` rows of `width` words, and a prefix of `real`
/// rows (`real[i+1] ⇒ real[i]`), whose count is the data's length.
struct DataTargets {
    words: Vec<Vec<Target>>,
    real: Vec<BoolTarget>,
    len: Target,
}

impl DataTargets {
    fn new(b: &mut CircuitBuilder<F, D>, rows: usize, width: usize) -> Self {
        let words = (0..rows).map(|_| b.add_virtual_targets(width)).collect();
        let real: Vec<BoolTarget> = (0..rows).map(|_| b.add_virtual_bool_target_safe()).collect();
        for i in 0..rows - 1 {
            let not_prev = b.not(real[i]);
            let bad = b.and(real[i + 1], not_prev);
            b.assert_zero(bad.target);
        }
        // The table has the height its data implies (`rows_for(len)`): more than half full
        // unless it has the minimum height.
        if rows > MIN_ROWS {
            b.assert_one(real[rows / 2].target);
        }
        let len = b.add_many(real.iter().map(|r| r.target));
        DataTargets { words, real, len }
    }

    fn set(&self, pw: &mut PartialWitness<F>, data: &[Vec<F>], what: &str) -> Result<(), RecursionError> {
        let rows = self.words.len();
        if data.len() > rows || (rows > MIN_ROWS && data.len() <= rows / 2) {
            return Err(RecursionError::Claim(format!("{what} has {} entries, the circuit's table {rows} rows", data.len())));
        }
        let err = |e: anyhow::Error| RecursionError::Claim(e.to_string());
        for i in 0..rows {
            let real = i < data.len();
            pw.set_bool_target(self.real[i], real).map_err(err)?;
            for (j, &t) in self.words[i].iter().enumerate() {
                pw.set_target(t, if real { data[i][j] } else { F::ZERO }).map_err(err)?;
            }
        }
        Ok(())
    }

    /// Poseidon `hash_no_pad([len, words of the real rows...])`: the sponge overwrites the rate
    /// with the real words only and permutes only for chunks that start with a real word.
    fn hash(&self, b: &mut CircuitBuilder<F, D>) -> HashOutTarget {
        let mut input: Vec<(Target, Option<BoolTarget>)> = vec![(self.len, None)];
        for (row, &real) in self.words.iter().zip(&self.real) {
            input.extend(row.iter().map(|&w| (w, Some(real))));
        }
        let zero = b.zero();
        let mut state: Vec<Target> = vec![zero; 12];
        for chunk in input.chunks(8) {
            let mut next = state.clone();
            for (j, &(w, real)) in chunk.iter().enumerate() {
                next[j] = match real {
                    None => w,
                    Some(r) => b.select(r, w, state[j]),
                };
            }
            let permuted = b.permute::<PoseidonHash>(PoseidonPermutation::new(next));
            let permuted: Vec<Target> = permuted.as_ref().to_vec();
            state = match chunk[0].1 {
                None => permuted,
                Some(r) => (0..12).map(|j| b.select(r, permuted[j], state[j])).collect(),
            };
        }
        HashOutTarget::from_vec(state[..4].to_vec())
    }

    /// A column: the word `j` on real rows, `pad` elsewhere.
    fn column(&self, b: &mut CircuitBuilder<F, D>, j: usize, pad: F) -> Vec<Target> {
        let pad = b.constant(pad);
        self.words.iter().zip(&self.real).map(|(w, &r)| b.select(r, w[j], pad)).collect()
    }

    fn real_column(&self) -> Vec<Target> {
        self.real.iter().map(|r| r.target).collect()
    }
}

fn consts(b: &mut CircuitBuilder<F, D>, xs: impl Iterator<Item = F>) -> Vec<Target> {
    xs.map(|x| b.constant(x)).collect()
}

/// The ROM's public columns (`PC`, `CODE`, `IMM`, `AUX`) from the instruction words
/// (`Instruction::encode`), with `Instruction::decode`'s canonical-form checks and
/// `vm::exec::validate`'s rules, as `rom::public_columns` computes them natively.
fn rom_columns(b: &mut CircuitBuilder<F, D>, prog: &DataTargets) -> Vec<Vec<Target>> {
    let rows = prog.words.len();
    let mut code_col = Vec::with_capacity(rows);
    let mut imm_col = Vec::with_capacity(rows);
    let mut aux_col = Vec::with_capacity(rows);
    let c = |b: &mut CircuitBuilder<F, D>, x: u64| b.constant(F::from_canonical_u64(x));
    for (words, &real) in prog.words.iter().zip(&prog.real) {
        let (w0, w1) = (words[0], words[1]);
        let bits = b.split_le(w0, 63);
        let op = b.le_sum(bits[0..8].iter());
        let dst = b.le_sum(bits[8..12].iter());
        let a = b.le_sum(bits[12..16].iter());
        let b_reg = b.le_sum(bits[16..20].iter());
        let b_imm = bits[20];
        for bit in &bits[21..32] {
            b.assert_zero(bit.target);
        }
        let aux = b.le_sum(bits[32..63].iter());
        // op is an opcode; registers in range.
        let last_op = c(b, Opcode::End as u64);
        let t = b.sub(last_op, op);
        b.range_check(t, 8);
        let nine = c(b, NUM_REGS as u64 - 1);
        let t = b.sub(nine, dst);
        b.range_check(t, 4);
        // a: a register, or "none" for an absolute mload/mstore address.
        let none = c(b, NO_REG as u64);
        let a_none = b.is_equal(a, none);
        let is_mload = { let k = c(b, Opcode::Mload as u64); b.is_equal(op, k) };
        let is_mstore = { let k = c(b, Opcode::Mstore as u64); b.is_equal(op, k) };
        let is_mem = b.add(is_mload.target, is_mstore.target);
        let one = b.one();
        let not_mem = b.sub(one, is_mem);
        let bad = b.mul(a_none.target, not_mem);
        b.assert_zero(bad);
        let zero = b.zero();
        let a_reg = b.select(a_none, zero, a);
        let t = b.sub(nine, a_reg);
        b.range_check(t, 4);
        // b: an immediate (register field 0) or a register in range (immediate word 0).
        let bad = b.mul(b_imm.target, b_reg);
        b.assert_zero(bad);
        let not_imm = b.not(b_imm);
        let bad = b.mul(not_imm.target, w1);
        b.assert_zero(bad);
        let b_reg_checked = b.select(b_imm, zero, b_reg);
        let t = b.sub(nine, b_reg_checked);
        b.range_check(t, 4);
        // call: frame size at least 2.
        let is_call = { let k = c(b, Opcode::Call as u64); b.is_equal(op, k) };
        let two = b.two();
        let aux_m2 = b.sub(aux, two);
        let t = b.select(is_call, aux_m2, zero);
        b.range_check(t, 31);
        // prophet: a known prophet, aux < 2^12, a valid distinct second output register, and
        // register inputs for two-input prophets.
        let is_prophet = { let k = c(b, Opcode::Prophet as u64); b.is_equal(op, k) };
        let p_idx = b.le_sum(bits[32..40].iter());
        let d2 = b.le_sum(bits[40..44].iter());
        let high = b.le_sum(bits[44..63].iter());
        let bad = b.mul(is_prophet.target, high);
        b.assert_zero(bad);
        let n_prophets = c(b, Prophet::ALL.len() as u64 - 1);
        let idx_checked = b.select(is_prophet, p_idx, zero);
        let t = b.sub(n_prophets, idx_checked);
        b.range_check(t, 8);
        let mut two_out = zero;
        let mut two_in = zero;
        for (k, p) in Prophet::ALL.iter().enumerate() {
            let kt = c(b, k as u64);
            let is_k = b.is_equal(p_idx, kt);
            if p.outputs() == 2 {
                two_out = b.add(two_out, is_k.target);
            }
            if p.inputs() == 2 {
                two_in = b.add(two_in, is_k.target);
            }
        }
        let two_out = b.mul(two_out, is_prophet.target);
        let two_out = BoolTarget::new_unsafe(two_out);
        let two_in = b.mul(two_in, is_prophet.target);
        let bad = b.mul(two_in, b_imm.target);
        b.assert_zero(bad);
        let d2_checked = b.select(two_out, d2, zero);
        let t = b.sub(nine, d2_checked);
        b.range_check(t, 4);
        let same = b.is_equal(d2, dst);
        let bad = b.mul(same.target, two_out.target);
        b.assert_zero(bad);
        // The ROM fields (`rom::fields`).
        let b_plain = b.select(b_imm, none, b_reg);
        let b_prophet = b.select(two_out, d2, none);
        let b_field = b.select(is_prophet, b_prophet, b_plain);
        let aux_field = b.select(is_call, aux, zero);
        let code = b.add(op, zero);
        let code = b.mul_const_add(F::from_canonical_u64(rom::CODE_DST), dst, code);
        let code = b.mul_const_add(F::from_canonical_u64(rom::CODE_A), a, code);
        let code = b.mul_const_add(F::from_canonical_u64(rom::CODE_B), b_field, code);
        let neg_one = b.neg_one();
        code_col.push(b.select(real, code, neg_one));
        imm_col.push(b.select(real, w1, zero));
        aux_col.push(b.select(real, aux_field, zero));
    }
    let pcs = consts(b, (0..rows).map(F::from_canonical_usize));
    vec![pcs, code_col, imm_col, aux_col]
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
        check: bool,
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
        if !check {
            return zeta;
        }
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

/// The Plonky2 circuit that verifies execution proofs of one shape.
pub struct ExecutionCircuit {
    pub shape: Shape,
    pub data: CircuitData<F, C, D>,
    proofs: Vec<StarkProofTarget<D>>,
    program: DataTargets,
    calldata: DataTargets,
    outputs: DataTargets,
    storage: DataTargets,
    initial_regs: Vec<Target>,
    final_regs: Vec<Target>,
    zero: Target,
}

/// The Plonky2 configuration of the recursive circuits.
pub fn circuit_config() -> CircuitConfig {
    CircuitConfig::standard_recursion_config()
}

impl ExecutionCircuit {
    pub fn build(shape: Shape) -> Self {
        Self::build_parts(shape, u32::MAX)
    }

    /// `parts`: bit 0..8 verify table t; bit 8 bind public columns; bit 9 cross-table sums
    /// (all set except in debugging tests).
    fn build_parts(shape: Shape, parts: u32) -> Self {
        let config = stark_config();
        let ctls = ctl::all_ctls();
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let rows = |t: usize| 1usize << shape[t];

        // Public data and its hashes: the statement.
        let program = DataTargets::new(&mut b, rows(ROM), 2);
        b.assert_one(program.real[0].target); // a program is not empty
        let calldata = DataTargets::new(&mut b, rows(CALLDATA), 1);
        let outputs = DataTargets::new(&mut b, rows(OUTPUT), 1);
        let storage = DataTargets::new(&mut b, rows(STORAGE), 3);
        for row in &storage.words {
            b.assert_bool(BoolTarget::new_unsafe(row[2]));
        }
        let initial_regs = b.add_virtual_targets(NUM_REGS);
        let final_regs = b.add_virtual_targets(NUM_REGS);
        let mut statement = Vec::with_capacity(NUM_STATEMENT_ELEMENTS);
        for d in [&program, &calldata, &outputs, &storage] {
            let h = d.hash(&mut b);
            statement.extend(h.elements);
        }
        statement.extend(&initial_regs);
        statement.extend(&final_regs);
        b.register_public_inputs(&statement);

        // The transcript, as `system::verify`.
        let proofs = vec![
            add_table_proof(&mut b, &CpuStark, CPU, &config, &ctls, shape[CPU]),
            add_table_proof(&mut b, &PublicStark::<5>, ROM, &config, &ctls, shape[ROM]),
            add_table_proof(&mut b, &PublicStark::<4>, CALLDATA, &config, &ctls, shape[CALLDATA]),
            add_table_proof(&mut b, &PublicStark::<3>, OUTPUT, &config, &ctls, shape[OUTPUT]),
            add_table_proof(&mut b, &PublicStark::<5>, STORAGE, &config, &ctls, shape[STORAGE]),
            add_table_proof(&mut b, &MemoryStark, MEMORY, &config, &ctls, shape[MEMORY]),
            add_table_proof(&mut b, &RangeStark, RANGE, &config, &ctls, shape[RANGE]),
            add_table_proof(&mut b, &BitwiseStark, BITWISE, &config, &ctls, shape[BITWISE]),
        ];
        let mut challenger = RecursiveChallenger::<F, PoseidonHash, D>::new(&mut b);
        challenger.observe_elements(&statement);
        for p in &proofs {
            challenger.observe_cap(&p.trace_cap);
        }
        let ctl_challenges = get_grand_product_challenge_set_target(&mut b, &mut challenger, config.num_challenges);
        let mut v = Verifying { config: &config, ctls: &ctls, ctl_challenges, challenger };
        let mut cpu_pis = initial_regs.clone();
        cpu_pis.extend(&final_regs);
        let p = &proofs;
        let mut zetas = Vec::new();
        let on = |t: usize| parts & (1 << t) != 0;
        zetas.push(v.table(&mut b, &CpuStark, CPU, &p[CPU], &cpu_pis, shape[CPU], on(CPU)));
        zetas.push(v.table(&mut b, &PublicStark::<5>, ROM, &p[ROM], &[], shape[ROM], on(ROM)));
        zetas.push(v.table(&mut b, &PublicStark::<4>, CALLDATA, &p[CALLDATA], &[], shape[CALLDATA], on(CALLDATA)));
        zetas.push(v.table(&mut b, &PublicStark::<3>, OUTPUT, &p[OUTPUT], &[], shape[OUTPUT], on(OUTPUT)));
        zetas.push(v.table(&mut b, &PublicStark::<5>, STORAGE, &p[STORAGE], &[], shape[STORAGE], on(STORAGE)));
        v.table(&mut b, &MemoryStark, MEMORY, &p[MEMORY], &[], shape[MEMORY], on(MEMORY));
        v.table(&mut b, &RangeStark, RANGE, &p[RANGE], &[], shape[RANGE], on(RANGE));
        v.table(&mut b, &BitwiseStark, BITWISE, &p[BITWISE], &[], shape[BITWISE], on(BITWISE));

        // Public columns equal the data (`rom::public_columns`, `io::*_public`).
        let rom_cols = rom_columns(&mut b, &program);
        let idx = |b: &mut CircuitBuilder<F, D>, n: usize| consts(b, (0..n).map(F::from_canonical_usize));
        let cd_cols = vec![idx(&mut b, rows(CALLDATA)), calldata.column(&mut b, 0, F::ZERO), calldata.real_column()];
        let out_cols = vec![idx(&mut b, rows(OUTPUT)), outputs.column(&mut b, 0, F::ZERO), outputs.real_column()];
        let st_cols = vec![
            idx(&mut b, rows(STORAGE)),
            storage.column(&mut b, 0, F::ZERO),
            storage.column(&mut b, 1, F::ZERO),
            storage.column(&mut b, 2, F::ZERO),
            storage.real_column(),
        ];
        for (t, cols) in [(ROM, rom_cols), (CALLDATA, cd_cols), (OUTPUT, out_cols), (STORAGE, st_cols)] {
            if parts & (1 << 8) == 0 {
                continue;
            }
            let openings = p[t].openings.local_values[..cols.len()].to_vec();
            bind_columns(&mut b, &cols, zetas[t], &openings);
        }

        // Cross-table sums.
        let zs_first: [Vec<Target>; NUM_TABLES] =
            core::array::from_fn(|t| p[t].openings.ctl_zs_first.clone().unwrap_or_default());
        if parts & (1 << 9) != 0 {
            // Explicit zero extra sums: with none, starky 1.1 adds `Target::default()` (the
            // circuit's first virtual target, here a program word) to every looking sum.
            let zero = b.zero();
            let extra: hashbrown::HashMap<usize, Vec<Target>> =
                (0..ctls.len()).map(|i| (i, vec![zero; config.num_challenges])).collect();
            verify_cross_table_lookups_circuit::<F, D, NUM_TABLES>(&mut b, ctls.clone(), zs_first, &extra, &config);
        }

        let zero = b.zero();
        let data = b.build::<C>();
        ExecutionCircuit { shape, data, proofs, program, calldata, outputs, storage, initial_regs, final_regs, zero }
    }

    /// Fills the witness for `proof` (no check beyond the shape: an invalid inner proof makes
    /// witness generation fail, or gives a proof that does not verify).
    fn witness(&self, proof: &ExecutionProof) -> Result<PartialWitness<F>, RecursionError> {
        let shape = shape_of(proof)?;
        if shape != self.shape {
            return Err(RecursionError::Shape(format!("proof of shape {shape:?}, circuit for {:?}", self.shape)));
        }
        let claim: &Claim = &proof.claim;
        let mut pw = PartialWitness::new();
        self.program.set(&mut pw, &claim.program.iter().map(|i| i.encode().to_vec()).collect::<Vec<_>>(), "the program")?;
        self.calldata.set(&mut pw, &claim.calldata.iter().map(|&x| vec![x]).collect::<Vec<_>>(), "the calldata")?;
        self.outputs.set(&mut pw, &claim.outputs.iter().map(|&x| vec![x]).collect::<Vec<_>>(), "the outputs")?;
        let log: Vec<Vec<F>> = claim.storage.iter().map(|e| vec![e.key, e.value, F::from_bool(e.write)]).collect();
        self.storage.set(&mut pw, &log, "the storage log")?;
        let err = |e: anyhow::Error| RecursionError::Shape(e.to_string());
        for (&t, &v) in self.initial_regs.iter().zip(&claim.initial_regs) {
            pw.set_target(t, v).map_err(err)?;
        }
        for (&t, &v) in self.final_regs.iter().zip(&claim.final_regs) {
            pw.set_target(t, v).map_err(err)?;
        }
        for (t, (target, p)) in self.proofs.iter().zip(&proof.proofs).enumerate() {
            let r = catch_unwind(AssertUnwindSafe(|| set_stark_proof_target(&mut pw, target, p, self.shape[t], self.zero)));
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(RecursionError::Shape(format!("{} table: {e}", NAMES[t]))),
                Err(_) => return Err(RecursionError::Shape(format!("{} table: wrong proof structure", NAMES[t]))),
            }
        }
        Ok(pw)
    }

    /// Proves that `proof` verifies. Its public inputs are the statement's elements
    /// ([`PublicInputs::to_elements`] of the claim).
    pub fn prove(&self, proof: &ExecutionProof) -> Result<ProofWithPublicInputs<F, C, D>, RecursionError> {
        let pw = self.witness(proof)?;
        match catch_unwind(AssertUnwindSafe(|| self.data.prove(pw))) {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => Err(RecursionError::Prove(e.to_string())),
            Err(_) => Err(RecursionError::Prove("witness generation failed".into())),
        }
    }

    pub fn verify(&self, proof: &ProofWithPublicInputs<F, C, D>) -> Result<(), RecursionError> {
        self.data.verify(proof.clone()).map_err(|e| RecursionError::Verify(e.to_string()))
    }
}

/// The statement a recursive execution proof's public inputs encode.
pub fn statement_of(claim: &Claim) -> Vec<F> {
    PublicInputs::to_elements(&claim.public_inputs())
}

static CIRCUITS: OnceLock<Mutex<HashMap<Shape, Arc<ExecutionCircuit>>>> = OnceLock::new();

/// The execution circuit for `shape`, built on first use and cached for the process.
pub fn circuit_for(shape: Shape) -> Arc<ExecutionCircuit> {
    let cache = CIRCUITS.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(shape).or_insert_with(|| Arc::new(ExecutionCircuit::build(shape))).clone()
}

/// Proves recursively that `proof` verifies, with the cached circuit of its shape.
pub fn prove_execution(proof: &ExecutionProof) -> Result<(Arc<ExecutionCircuit>, ProofWithPublicInputs<F, C, D>), RecursionError> {
    let circuit = circuit_for(shape_of(proof)?);
    let p = circuit.prove(proof)?;
    Ok((circuit, p))
}

#[cfg(test)]
mod tests {
    use plonky2::iop::witness::PartialWitness;

    use super::*;
    use crate::prover::public::rows_for;
    use crate::vm::assemble;

    /// Which part of the circuit rejects a valid proof (debugging aid).
    #[test]
    #[ignore]
    fn bisect_parts() {
        let src = std::fs::read_to_string("tests/all_opcodes.asm").unwrap();
        let p = assemble("t.asm", &src).unwrap();
        let inputs = crate::vm::Inputs { calldata: vec![F::from_canonical_u64(1000), F::from_canonical_u64(37)], ..Default::default() };
        let proof = crate::prover::prove(&p, &inputs, &crate::prover::CpuCommitter, &mut Default::default()).unwrap();
        let shape = shape_of(&proof).unwrap();
        for parts in [1 << 9] {
            let c = ExecutionCircuit::build_parts(shape, parts);
            let r = c.prove(&proof).map(|_| ());
            eprintln!("parts {parts:#x}: {:?}", r.err());
        }
    }

    /// The in-circuit hash and ROM decoding agree with `Program::hash` and `rom::public_columns`.
    #[test]
    fn public_data_matches_native() {
        let src = "cdload r1, 0\n add r3, r1, 7\n mstore [100], r3\n mload r2, [fp + 1]\n prophet divmod r2, r3, r1, r2\n prophet sqrt r4, r1\n call f, 3\n out r6\n end\nf:\n ret";
        let program = assemble("t.asm", src).unwrap();
        let rows = rows_for(program.len());
        let mut b = CircuitBuilder::<F, D>::new(circuit_config());
        let data = DataTargets::new(&mut b, rows, 2);
        let h = data.hash(&mut b);
        b.register_public_inputs(&h.elements);
        let cols = rom_columns(&mut b, &data);
        for c in &cols {
            b.register_public_inputs(c);
        }
        let circuit = b.build::<C>();
        let mut pw = PartialWitness::new();
        data.set(&mut pw, &program.instructions.iter().map(|i| i.encode().to_vec()).collect::<Vec<_>>(), "p").unwrap();
        let proof = circuit.prove(pw).unwrap();
        let mut expect = program.hash().elements.to_vec();
        for c in rom::public_columns(&program.instructions, rows) {
            expect.extend(c);
        }
        assert_eq!(proof.public_inputs, expect);
    }
}
