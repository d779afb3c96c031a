//! The multi-table prover and verifier. Transcript order (both sides): the public inputs, each
//! table's trace cap, then the cross-table-lookup challenges; then each table in index order
//! (config, auxiliary cap, quotient cap, openings, FRI). After that the verifier checks every
//! public column at the table's ζ (`public.rs`) and the cross-table sums.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Field;
use plonky2::hash::hash_types::HashOut;
use plonky2::iop::challenger::Challenger;
use plonky2::plonk::config::GenericConfig;
use plonky2::timed;
use plonky2::util::timing::TimingTree;
use starky::config::StarkConfig;
use starky::cross_table_lookup::{get_ctl_data, verify_cross_table_lookups, CrossTableLookup, CtlCheckVars, CtlData};
use starky::lookup::{get_grand_product_challenge_set, GrandProductChallengeSet};
use starky::proof::StarkProof;
use starky::prover::prove_with_commitment;
use starky::stark::Stark;
use starky::verifier::verify_stark_proof_with_challenges;

use super::bitwise::BitwiseStark;
use super::commit::TraceCommitter;
use super::cpu::CpuStark;
use super::io::StorageEntry;
use super::memory::MemoryStark;
use super::poseidon::PoseidonStark;
use super::public::{eval_at, rows_for, PublicStark};
use super::range::RangeStark;
use super::state::StateStark;
use super::statement::{Claim, Statement};
use super::tables::*;
use super::{bitwise, cpu, ctl, io, memory, poseidon, range, rom, state, C, D, F, MIN_ROWS};
use crate::chain::MerkleProof;
use crate::vm::isa::Opcode;
use crate::vm::{self, ExecError, Inputs, Program, Trace};

/// One trace per table, in table order.
pub type Traces = Vec<Vec<PolynomialValues<F>>>;

/// A proof of one execution: the claim and one Starky proof per table (in `tables` order).
#[derive(Clone, Debug)]
pub struct ExecutionProof {
    pub claim: Claim,
    pub proofs: Vec<StarkProof<F, C, D>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    #[error("execution failed: {0}")]
    Execution(#[from] ExecError),
    #[error("proving failed: {0}")]
    Starky(String),
    #[error("cannot prove the block: {0}")]
    Unprovable(String),
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("invalid claim: {0}")]
    Claim(String),
    #[error("malformed proof of the {table} table: {msg}")]
    Shape { table: &'static str, msg: String },
    #[error("the {table} table's proof is invalid: {msg}")]
    Table { table: &'static str, msg: String },
    #[error("public column {column} of the {table} table does not match the claim")]
    PublicColumn { table: &'static str, column: usize },
    #[error("cross-table lookups do not balance: {0}")]
    CrossTable(String),
}

/// Rate 1/4, 42 queries, 16 bits of grinding, cap height 4: 42 · 2 + 16 = 100 bits of conjectured
/// security (see `docs/proving.md`). Rate 1/4 rather than starky's `standard_fast_config` (rate
/// 1/2, 84 queries): half the queries halve what the recursive verifier hashes, which keeps the
/// statement circuit of a block at 2^15 rows instead of 2^16 (a block's Plonky2 wrap costs far
/// more than its Starky proof; `docs/aggregation.md`).
pub fn stark_config() -> StarkConfig {
    let mut config = StarkConfig::standard_fast_config();
    config.fri_config.rate_bits = 2;
    config.fri_config.num_query_rounds = 42;
    config
}

/// Runs `program` (honest oracle, fresh storage) and proves the run.
pub fn prove(
    program: &Program,
    inputs: &Inputs,
    committer: &dyn TraceCommitter,
    timing: &mut TimingTree,
) -> Result<ExecutionProof, ProveError> {
    let (outcome, trace) = timed!(timing, "execute", vm::execute_traced(program, inputs)?);
    let claim = Claim {
        program: program.instructions.clone(),
        initial_regs: inputs.regs,
        final_regs: outcome.regs,
        calldata: inputs.calldata.clone(),
        outputs: outcome.outputs.clone(),
        storage: trace.storage.iter().map(|s| StorageEntry { key: s.key, value: s.value, write: s.write }).collect(),
    };
    let traces = timed!(timing, "generate traces", build_traces(&claim, &trace));
    let proofs = prove_traces(&claim, &traces, committer, timing)?;
    Ok(ExecutionProof { claim, proofs })
}

/// The tables' traces for an execution.
pub fn build_traces(claim: &Claim, trace: &Trace) -> Traces {
    // A single execution touches no pre-state slot, and only a slot's path can fail to fit.
    build_statement_traces(&claim.statement(), &[trace], &[], &NATURAL).unwrap_or_else(|e| unreachable!("{e}"))
}

/// Log2 of each table's rows, in table order.
pub type Bits = [usize; NUM_TABLES];

/// No padding: every table as small as its data allows.
pub const NATURAL: Bits = [0; NUM_TABLES];

fn log2(rows: usize) -> usize {
    rows.trailing_zeros() as usize
}

/// The fewest rows each public table needs for `stmt`'s data, as (table, rows).
pub fn public_min_rows(stmt: &Statement) -> [(usize, usize); 6] {
    [
        (ROM, rows_for(rom::len(&stmt.roms))),
        (CALLDATA, rows_for(io::calldata_len(&stmt.txs))),
        (OUTPUT, rows_for(stmt.outputs.len())),
        (STORAGE, rows_for(stmt.storage.len())),
        (TXS, rows_for(stmt.txs.len())),
        (SLOTS, rows_for(stmt.slots.len())),
    ]
}

/// The public tables' columns for `stmt`, table `t` over `1 << bits[t]` rows (callers check that
/// this is at least [`public_min_rows`]).
pub fn public_tables(stmt: &Statement, bits: &Bits) -> [(usize, Vec<Vec<F>>); 6] {
    [
        (ROM, rom::public_columns(&stmt.roms, 1 << bits[ROM])),
        (CALLDATA, io::calldata_public(&stmt.txs, 1 << bits[CALLDATA])),
        (OUTPUT, io::outputs_public(&stmt.outputs, 1 << bits[OUTPUT])),
        (STORAGE, io::storage_public(&stmt.storage, 1 << bits[STORAGE])),
        (TXS, io::txs_public(&stmt.txs, 1 << bits[TXS])),
        (SLOTS, state::slots_public(&stmt.slots, 1 << bits[SLOTS])),
    ]
}

/// The tables' traces for a statement, its transactions' execution traces (in order) and the
/// proofs of its touched slots (in `stmt.slots` order, each under the root the updates before it
/// leave: [`crate::prover::block::slot_proofs`]), table `t`
/// padded to at least `1 << min_bits[t]` rows (a block capacity, so that blocks of one chain
/// share one proof shape; [`NATURAL`] for none).
pub fn build_statement_traces(
    stmt: &Statement,
    traces: &[&Trace],
    slot_proofs: &[MerkleProof],
    min_bits: &Bits,
) -> Result<Traces, ProveError> {
    use Opcode::*;
    if stmt.txs.len() != traces.len() || stmt.slots.len() != slot_proofs.len() {
        return Err(ProveError::Unprovable(format!(
            "{} traces for {} transactions, {} slot proofs for {} touched slots",
            traces.len(),
            stmt.txs.len(),
            slot_proofs.len(),
            stmt.slots.len()
        )));
    }
    let at_least = |t: usize, rows: usize| rows.max(1 << min_bits[t]);
    let mut base = HashMap::new();
    let mut acc = 0;
    for (c, code) in &stmt.roms {
        base.insert(c.0, (acc, code.as_slice()));
        acc += code.len();
    }
    let segments: Vec<cpu::Segment> = stmt
        .txs
        .iter()
        .zip(traces)
        .map(|(t, tr)| cpu::Segment { program: base[&t.contract.0].1, contract: t.contract, trace: tr, failed: t.failed })
        .collect();
    let steps: usize = traces.iter().map(|t| t.len()).sum();
    let cpu_rows = at_least(CPU, steps.next_power_of_two().max(MIN_ROWS));
    let cpu_cols = cpu::generate(&segments, cpu_rows);
    let col = |c: usize, i: usize| cpu_cols[c].values[i];
    let is = |o: Opcode, i: usize| col(cpu::op(o), i) == F::ONE;

    let mut bits = NATURAL;
    for (t, rows) in public_min_rows(stmt) {
        bits[t] = log2(at_least(t, rows));
    }
    let out_cols = io::outputs_public(&stmt.outputs, 1 << bits[OUTPUT]);
    let st_cols = io::storage_public(&stmt.storage, 1 << bits[STORAGE]);
    let tx_cols = io::txs_public(&stmt.txs, 1 << bits[TXS]);
    let rom_rows = (0..cpu_rows).map(|i| base[&col(cpu::CONTRACT, i).0].0 + col(cpu::PC, i).0 as usize);
    let rom_cols = rom::generate(&stmt.roms, rom_rows, 1 << bits[ROM]);
    let cd_reads = (0..cpu_rows)
        .filter(|&i| is(Cdload, i))
        .map(|i| (col(cpu::TX, i).0 as usize, col(cpu::B_VAL, i).0 as usize));
    let cd_cols = io::calldata_generate(&stmt.txs, cd_reads, 1 << bits[CALLDATA]);

    // memory accesses with global timestamps (2 clk + slot)
    let mut accesses = Vec::new();
    let mut clk0 = 0u64;
    for (t, tr) in traces.iter().enumerate() {
        let mut last_step = u32::MAX;
        let mut slot = 0;
        for m in &tr.mem {
            slot = if m.step == last_step { slot + 1 } else { 0 };
            last_step = m.step;
            accesses.push(memory::Access {
                tx: t as u32,
                addr: m.addr as u64,
                ts: 2 * (clk0 + m.step as u64) + slot,
                value: m.value,
                write: m.write,
            });
        }
        clk0 += tr.len() as u64;
    }
    let mem_addrs: Vec<F> = accesses.iter().map(|a| F::from_canonical_u64(a.addr)).collect();
    let (mem_cols, mem_checks) = memory::generate(accesses, at_least(MEMORY, rows_for(mem_addrs.len())));

    let mut checks = mem_checks;
    checks.extend(mem_addrs);
    let mut bit_ops = Vec::new();
    let mut hashes = Vec::new();
    for i in 0..cpu_rows {
        if is(Poseidon, i) {
            hashes.push(core::array::from_fn(|r| if r < 8 { col(cpu::REGS + r, i) } else { F::ZERO }));
        }
        let (a, b, auxv, res) = (col(cpu::A_VAL, i), col(cpu::B_VAL, i), col(cpu::AUXV, i), col(cpu::RES, i));
        if is(Lt, i) || is(Gte, i) {
            checks.extend([a, b, auxv]);
        } else if is(Not, i) {
            checks.push(b);
        } else if is(Range, i) {
            checks.push(a);
        } else {
            for op in [And, Or, Xor] {
                if is(op, i) {
                    bit_ops.push((op, a, b, res));
                }
            }
        }
    }
    let range_cols = range::generate(checks.into_iter(), 1 << min_bits[RANGE]);
    let bit_cols = bitwise::generate(&bit_ops, at_least(BITWISE, rows_for(bit_ops.len())));
    let updates: Vec<state::SlotUpdate> = stmt
        .slots
        .iter()
        .zip(slot_proofs)
        .map(|(&(address, key, old, new), proof)| state::SlotUpdate { address, key, old, new, proof: proof.clone() })
        .collect();
    let pre_root = HashOut { elements: stmt.pre_root };
    let (state_cols, state_hashes, _) = state::generate(&updates, pre_root, 1 << min_bits[STATE]).map_err(ProveError::Unprovable)?;
    hashes.extend(state_hashes);
    let slot_cols = state::slots_public(&stmt.slots, 1 << bits[SLOTS]);
    let hash_cols = poseidon::generate(&hashes, 1 << min_bits[POSEIDON]);

    let polys = |cols: Vec<Vec<F>>| cols.into_iter().map(PolynomialValues::new).collect::<Vec<_>>();
    Ok(vec![
        cpu_cols,
        polys(rom_cols),
        polys(cd_cols),
        polys(out_cols),
        polys(st_cols),
        polys(mem_cols),
        polys(range_cols),
        polys(bit_cols),
        polys(tx_cols),
        polys(hash_cols),
        polys(state_cols),
        polys(slot_cols),
    ])
}

fn observe_public(challenger: &mut Challenger<F, <C as GenericConfig<D>>::Hasher>, transcript: &[F]) {
    challenger.observe_elements(transcript);
}

fn prove_table<S: Stark<F, D>>(
    stark: &S,
    config: &StarkConfig,
    trace: &[PolynomialValues<F>],
    commitment: &plonky2::fri::oracle::PolynomialBatch<F, C, D>,
    ctl_data: &CtlData<F>,
    ctl_challenges: &GrandProductChallengeSet<F>,
    challenger: &mut Challenger<F, <C as GenericConfig<D>>::Hasher>,
    public_inputs: &[F],
    timing: &mut TimingTree,
) -> Result<StarkProof<F, C, D>, ProveError> {
    config.observe(challenger);
    prove_with_commitment(
        stark,
        config,
        trace,
        commitment,
        Some(ctl_data),
        Some(ctl_challenges),
        challenger,
        public_inputs,
        None,
        None,
        timing,
    )
    .map(|p| p.proof)
    .map_err(|e| ProveError::Starky(e.to_string()))
}

/// Proves the tables' traces for `claim`. The traces are not checked: a wrong trace gives a proof
/// that the verifier rejects (which is what the soundness tests rely on).
pub fn prove_traces(
    claim: &Claim,
    traces: &Traces,
    committer: &dyn TraceCommitter,
    timing: &mut TimingTree,
) -> Result<Vec<StarkProof<F, C, D>>, ProveError> {
    prove_statement(&claim.statement(), traces, committer, timing)
}

/// Proves the tables' traces for a statement (unchecked, as [`prove_traces`]).
pub fn prove_statement(
    stmt: &Statement,
    traces: &Traces,
    committer: &dyn TraceCommitter,
    timing: &mut TimingTree,
) -> Result<Vec<StarkProof<F, C, D>>, ProveError> {
    let config = stark_config();
    let ctls = ctl::all_ctls();
    let rate_bits = config.fri_config.rate_bits;
    let cap_height = config.fri_config.cap_height;
    let commitments = timed!(timing, "commit traces", {
        traces.iter().map(|t| committer.commit(t, rate_bits, cap_height, timing)).collect::<Vec<_>>()
    });
    let mut challenger = Challenger::<F, <C as GenericConfig<D>>::Hasher>::new();
    observe_public(&mut challenger, &stmt.transcript);
    for c in &commitments {
        challenger.observe_cap(&c.merkle_tree.cap);
    }
    let traces_arr: [Vec<PolynomialValues<F>>; NUM_TABLES] =
        traces.clone().try_into().map_err(|_| ProveError::Starky("wrong number of traces".into()))?;
    let (ctl_challenges, ctl_data) = timed!(
        timing,
        "cross-table lookup data",
        get_ctl_data::<F, C, D, NUM_TABLES>(&config, &traces_arr, &ctls, &mut challenger, 3)
    );
    let cpu_pis = stmt.cpu_inputs();
    let mut proofs = Vec::with_capacity(NUM_TABLES);
    macro_rules! one {
        ($idx:expr, $stark:expr, $pis:expr) => {
            proofs.push(timed!(
                timing,
                &format!("prove {} table", NAMES[$idx]),
                prove_table(&$stark, &config, &traces[$idx], &commitments[$idx], &ctl_data[$idx], &ctl_challenges, &mut challenger, $pis, timing)
            )?)
        };
    }
    one!(CPU, CpuStark, &cpu_pis);
    one!(ROM, PublicStark::<6>, &[]);
    one!(CALLDATA, PublicStark::<5>, &[]);
    one!(OUTPUT, PublicStark::<4>, &[]);
    one!(STORAGE, PublicStark::<7>, &[]);
    one!(MEMORY, MemoryStark, &[]);
    one!(RANGE, RangeStark, &[]);
    one!(BITWISE, BitwiseStark, &[]);
    one!(TXS, PublicStark::<4>, &[]);
    one!(POSEIDON, PoseidonStark, &[]);
    one!(STATE, StateStark, &state::roots_public(stmt.pre_root, stmt.post_root));
    one!(SLOTS, PublicStark::<5>, &[]);
    Ok(proofs)
}

/// Checks the parts of a proof's shape that starky's verifier indexes without checking, so a
/// malformed proof is an error rather than a panic.
fn check_shape<S: Stark<F, D>>(
    stark: &S,
    table: usize,
    proof: &StarkProof<F, C, D>,
    ctls: &[CrossTableLookup<F>],
    config: &StarkConfig,
) -> Result<(), VerifyError> {
    let bad = |msg: &str| Err(VerifyError::Shape { table: NAMES[table], msg: msg.to_string() });
    let (helpers, zs, _) = CrossTableLookup::num_ctl_helpers_zs_all(ctls, table, config.num_challenges, 3);
    let aux = stark.num_lookup_helper_columns(config) + helpers + zs;
    let o = &proof.openings;
    if o.local_values.len() != S::COLUMNS || o.next_values.len() != S::COLUMNS {
        return bad("wrong number of trace openings");
    }
    if o.auxiliary_polys.as_ref().map(|v| v.len()) != Some(aux)
        || o.auxiliary_polys_next.as_ref().map(|v| v.len()) != Some(aux)
    {
        return bad("wrong number of auxiliary openings");
    }
    if o.ctl_zs_first.as_ref().map(|v| v.len()) != Some(zs) {
        return bad("wrong number of cross-table openings");
    }
    if o.quotient_polys.as_ref().map(|v| v.len()) != Some(stark.num_quotient_polys(config)) {
        return bad("wrong number of quotient openings");
    }
    let caps = [Some(&proof.trace_cap), proof.auxiliary_polys_cap.as_ref(), proof.quotient_polys_cap.as_ref()];
    if caps.iter().any(|c| c.map(|c| c.0.len()) != Some(1 << config.fri_config.cap_height)) {
        return bad("wrong Merkle cap size");
    }
    let fri = &proof.opening_proof;
    if fri.query_round_proofs.len() != config.fri_config.num_query_rounds {
        return bad("wrong number of FRI queries");
    }
    let Some(first) = fri.query_round_proofs[0].initial_trees_proof.evals_proofs.first() else {
        return bad("missing FRI initial openings");
    };
    let lde_bits = config.fri_config.cap_height + first.1.siblings.len();
    if lde_bits < 5 + config.fri_config.rate_bits || lde_bits > 28 + config.fri_config.rate_bits {
        return bad("trace length out of range");
    }
    Ok(())
}

struct Verifying<'a> {
    config: StarkConfig,
    ctls: &'a [CrossTableLookup<F>],
    ctl_challenges: GrandProductChallengeSet<F>,
    challenger: Challenger<F, <C as GenericConfig<D>>::Hasher>,
}

impl Verifying<'_> {
    /// Verifies one table's proof; returns its ζ.
    fn table<S: Stark<F, D>>(
        &mut self,
        stark: &S,
        table: usize,
        proof: &StarkProof<F, C, D>,
        public_inputs: &[F],
    ) -> Result<<F as plonky2::field::extension::Extendable<D>>::Extension, VerifyError> {
        let (helpers, _, by_ctl) = CrossTableLookup::num_ctl_helpers_zs_all(self.ctls, table, self.config.num_challenges, 3);
        let ctl_vars = CtlCheckVars::from_proof(
            table,
            proof,
            self.ctls,
            &self.ctl_challenges,
            stark.num_lookup_helper_columns(&self.config),
            helpers,
            &by_ctl,
        );
        let challenges = proof.get_challenges(
            stark,
            public_inputs,
            &mut self.challenger,
            Some(&self.ctl_challenges),
            Some(&ctl_vars),
            true,
            &self.config,
            None,
        );
        verify_stark_proof_with_challenges(stark, proof, &challenges, Some(&ctl_vars), public_inputs, &self.config)
            .map_err(|e| VerifyError::Table { table: NAMES[table], msg: e.to_string() })?;
        Ok(challenges.stark_zeta)
    }
}

/// Verifies `proof` against its claim.
pub fn verify(proof: &ExecutionProof) -> Result<(), VerifyError> {
    match catch_unwind(AssertUnwindSafe(|| verify_inner(proof))) {
        Ok(r) => r,
        Err(_) => Err(VerifyError::Shape { table: "any", msg: "the verifier rejected the proof's structure".into() }),
    }
}

fn verify_inner(proof: &ExecutionProof) -> Result<(), VerifyError> {
    let claim = &proof.claim;
    let program = Program::from_instructions("claim", claim.program.clone());
    vm::exec::validate(&program).map_err(|e| VerifyError::Claim(e.to_string()))?;
    if program.is_empty() {
        return Err(VerifyError::Claim("empty program".into()));
    }
    verify_statement(&claim.statement(), &proof.proofs)
}

/// Verifies the table proofs of a statement (whose programs the caller has validated).
pub fn verify_statement(stmt: &Statement, p: &[StarkProof<F, C, D>]) -> Result<(), VerifyError> {
    if p.len() != NUM_TABLES {
        return Err(VerifyError::Claim(format!("expected {NUM_TABLES} table proofs, got {}", p.len())));
    }
    if stmt.txs.is_empty() {
        return Err(VerifyError::Claim("no transactions".into()));
    }
    let config = stark_config();
    let ctls = ctl::all_ctls();
    check_shape(&CpuStark, CPU, &p[CPU], &ctls, &config)?;
    check_shape(&PublicStark::<6>, ROM, &p[ROM], &ctls, &config)?;
    check_shape(&PublicStark::<5>, CALLDATA, &p[CALLDATA], &ctls, &config)?;
    check_shape(&PublicStark::<4>, OUTPUT, &p[OUTPUT], &ctls, &config)?;
    check_shape(&PublicStark::<7>, STORAGE, &p[STORAGE], &ctls, &config)?;
    check_shape(&MemoryStark, MEMORY, &p[MEMORY], &ctls, &config)?;
    check_shape(&RangeStark, RANGE, &p[RANGE], &ctls, &config)?;
    check_shape(&BitwiseStark, BITWISE, &p[BITWISE], &ctls, &config)?;
    check_shape(&PublicStark::<4>, TXS, &p[TXS], &ctls, &config)?;
    check_shape(&PoseidonStark, POSEIDON, &p[POSEIDON], &ctls, &config)?;
    check_shape(&StateStark, STATE, &p[STATE], &ctls, &config)?;
    check_shape(&PublicStark::<5>, SLOTS, &p[SLOTS], &ctls, &config)?;

    // The public tables hold the claim's data at the height of their proofs (which may be padded
    // beyond the data, up to a block capacity).
    let mut bits = NATURAL;
    for (t, min_rows) in public_min_rows(stmt) {
        bits[t] = p[t].recover_degree_bits(&config);
        if 1usize << bits[t] < min_rows {
            return Err(VerifyError::Shape { table: NAMES[t], msg: "too short for the claim's data".into() });
        }
    }
    let publics = public_tables(stmt, &bits);

    let mut challenger = Challenger::<F, <C as GenericConfig<D>>::Hasher>::new();
    observe_public(&mut challenger, &stmt.transcript);
    for q in p {
        challenger.observe_cap(&q.trace_cap);
    }
    let ctl_challenges = get_grand_product_challenge_set(&mut challenger, config.num_challenges);
    let mut v = Verifying { config: config.clone(), ctls: &ctls, ctl_challenges, challenger };
    let mut zetas = vec![];
    zetas.push(v.table(&CpuStark, CPU, &p[CPU], &stmt.cpu_inputs())?);
    zetas.push(v.table(&PublicStark::<6>, ROM, &p[ROM], &[])?);
    zetas.push(v.table(&PublicStark::<5>, CALLDATA, &p[CALLDATA], &[])?);
    zetas.push(v.table(&PublicStark::<4>, OUTPUT, &p[OUTPUT], &[])?);
    zetas.push(v.table(&PublicStark::<7>, STORAGE, &p[STORAGE], &[])?);
    zetas.push(v.table(&MemoryStark, MEMORY, &p[MEMORY], &[])?);
    zetas.push(v.table(&RangeStark, RANGE, &p[RANGE], &[])?);
    zetas.push(v.table(&BitwiseStark, BITWISE, &p[BITWISE], &[])?);
    zetas.push(v.table(&PublicStark::<4>, TXS, &p[TXS], &[])?);
    zetas.push(v.table(&PoseidonStark, POSEIDON, &p[POSEIDON], &[])?);
    zetas.push(v.table(&StateStark, STATE, &p[STATE], &state::roots_public(stmt.pre_root, stmt.post_root))?);
    zetas.push(v.table(&PublicStark::<5>, SLOTS, &p[SLOTS], &[])?);

    // Public columns equal the claim's data (at ζ, after all caps were observed).
    for (t, cols) in &publics {
        for (c, values) in cols.iter().enumerate() {
            if eval_at(values, zetas[*t]) != p[*t].openings.local_values[c] {
                return Err(VerifyError::PublicColumn { table: NAMES[*t], column: c });
            }
        }
    }

    let zs_first: [Vec<F>; NUM_TABLES] =
        core::array::from_fn(|t| p[t].openings.ctl_zs_first.clone().unwrap_or_default());
    verify_cross_table_lookups::<F, D, NUM_TABLES>(&ctls, zs_first, &Default::default(), &config)
        .map_err(|e| VerifyError::CrossTable(e.to_string()))
}
