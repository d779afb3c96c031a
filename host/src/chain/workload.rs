//! Workload generator: token transfers among N accounts, swaps on a constant-product AMM and a
//! counter, with a contention knob: the fraction of transactions that touch a few hot keys (the
//! AMM's reserves, the counter, one hot account). Some transfers overdraw and fail on purpose.

use plonky2::field::types::Field;
use rand::{Rng, SeedableRng};

use super::block::{Block, BlockError, Contract};
use super::hash::F;
use super::state::{State, StorageWrite};
use super::tx::Transaction;

pub const TOKEN: u64 = 1;
pub const AMM: u64 = 2;
pub const COUNTER: u64 = 3;

/// Starting token balance of every account, and each AMM reserve.
pub const INITIAL_BALANCE: u64 = 1_000_000;
/// Each account's starting balance of both AMM assets.
pub const INITIAL_AMM_BALANCE: u64 = 10_000;

#[derive(Clone, Copy, Debug)]
pub struct WorkloadParams {
    pub txs: usize,
    pub accounts: u64,
    /// Fraction of transactions on hot keys, 0 to 1.
    pub contention: f64,
    pub seed: u64,
}

pub fn contracts() -> Vec<Contract> {
    let c = |address, name, len, src| Contract::new(address, name, len, src).expect("embedded contracts assemble");
    vec![
        c(TOKEN, "token", 2, include_str!("../../programs/contracts/token.asm")),
        c(AMM, "amm", 2, include_str!("../../programs/contracts/amm.asm")),
        c(COUNTER, "counter", 0, include_str!("../../programs/contracts/counter.asm")),
    ]
}

/// The pre-state: every account funded in the token and on the AMM; reserves filled.
pub fn genesis(accounts: u64) -> State {
    let w = |address: u64, key: u64, value: u64| StorageWrite {
        address: F::from_canonical_u64(address),
        key: F::from_canonical_u64(key),
        value: F::from_canonical_u64(value),
    };
    let mut writes = vec![w(AMM, 0, INITIAL_BALANCE), w(AMM, 1, INITIAL_BALANCE)];
    for a in 0..accounts {
        writes.push(w(TOKEN, a, INITIAL_BALANCE));
        writes.push(w(AMM, 2 + 2 * a, INITIAL_AMM_BALANCE));
        writes.push(w(AMM, 3 + 2 * a, INITIAL_AMM_BALANCE));
    }
    let mut state = State::new();
    state.apply_writes(&writes);
    state
}

pub fn generate(p: WorkloadParams) -> Result<Block, BlockError> {
    Block::new(contracts(), genesis(p.accounts.max(2)), transactions(p))
}

/// `n` blocks from genesis, each on the state the one before leaves (serial execution), block
/// `i` with seed `p.seed + i`.
pub fn generate_chain(p: WorkloadParams, n: usize) -> Result<Vec<Block>, BlockError> {
    let mut blocks: Vec<Block> = Vec::with_capacity(n);
    for i in 0..n {
        let pre_state = match blocks.last() {
            Some(b) => super::execute_serial(b, false).post_state(b),
            None => genesis(p.accounts.max(2)),
        };
        let txs = transactions(WorkloadParams { seed: p.seed + i as u64, ..p });
        blocks.push(Block::new(contracts(), pre_state, txs)?);
    }
    Ok(blocks)
}

fn transactions(p: WorkloadParams) -> Vec<Transaction> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(p.seed);
    let accounts = p.accounts.max(2);
    (0..p.txs)
        .map(|_| {
            let sender = rng.gen_range(0..accounts);
            if rng.gen_bool(p.contention.clamp(0.0, 1.0)) {
                match rng.gen_range(0..3) {
                    0 => Transaction { sender, contract: AMM, calldata: vec![rng.gen_range(0..2), rng.gen_range(1..1000)] },
                    1 => Transaction { sender, contract: COUNTER, calldata: vec![] },
                    _ => Transaction { sender, contract: TOKEN, calldata: vec![0, rng.gen_range(1..100)] },
                }
            } else {
                let to = rng.gen_range(0..accounts);
                // One transfer in 50 overdraws and fails.
                let amount = if rng.gen_ratio(1, 50) { 2 * INITIAL_BALANCE } else { rng.gen_range(1..100) };
                Transaction { sender, contract: TOKEN, calldata: vec![to, amount] }
            }
        })
        .collect()
}
