//! Parallel execution equals serial execution in block order, bit for bit: receipts, net writes,
//! post-state root and every execution trace, for every thread count.

use std::sync::mpsc;
use std::time::Duration;

use plonky2::field::types::Field;
use proptest::prelude::*;

use parallax::chain::workload::{self, WorkloadParams};
use parallax::chain::{execute_parallel_with, execute_serial, Block, BlockError, Contract, ParallelConfig, ParallelExecutor, State, Status, StorageWrite, Transaction, F};

/// Reads `k_read`; writes `x + v` to `k_even` or `k_odd` by the parity of the value read; fails
/// when the value read reaches 200. Calldata: [sender, k_read, k_even, k_odd, v].
const RANDOM_ACCESS: &str = "
    cdload r1, 1
    sload r2, r1
    gte r7, r2, 200
    cjmp r7, fail
    and r3, r2, 1
    cdload r4, 4
    add r5, r2, r4
    cjmp r3, odd
    cdload r6, 2
    sstore r6, r5
    jmp done
odd:
    cdload r6, 3
    sstore r6, r5
done:
    out r5
    end
fail:
    assert r0, 1";

/// Plain Block-STM over the whole block (a task per transaction), Block-STM over batches of 5
/// in chunks of 37 (so batch and chunk boundaries fall anywhere), and the adaptive executor
/// (modes and batch sizes chosen by measured cost), all equal serial execution.
fn configs(threads: usize) -> [ParallelConfig; 3] {
    [
        ParallelConfig::block_stm(threads),
        ParallelConfig { chunk: 37, batch: 5, adaptive: false, threads },
        ParallelConfig { chunk: 37, ..ParallelConfig::new(threads) },
    ]
}

fn check_equal(block: &Block, threads: usize) {
    let serial = execute_serial(block, true);
    for cfg in configs(threads) {
        let parallel = execute_parallel_with(block, cfg, true);
        assert_eq!(parallel.receipts, serial.receipts, "receipts, {cfg:?}");
        assert_eq!(parallel.writes, serial.writes, "writes, {cfg:?}");
        assert_eq!(parallel.post_root(block), serial.post_root(block), "root, {cfg:?}");
        assert_eq!(parallel.traces.len(), block.txs.len());
        assert!(parallel.traces == serial.traces, "traces differ, {cfg:?}");
    }
}

#[test]
fn generated_blocks_match_serial_at_every_contention_and_thread_count() {
    for (i, contention) in [0.0, 0.1, 0.5, 1.0].into_iter().enumerate() {
        let block = workload::generate(WorkloadParams { txs: 300, accounts: 50, contention, seed: i as u64 }).unwrap();
        for threads in 1..=8 {
            check_equal(&block, threads);
        }
    }
}

#[test]
fn workloads_have_failures_and_value_dependent_paths() {
    let block = workload::generate(WorkloadParams { txs: 500, accounts: 20, contention: 0.5, seed: 7 }).unwrap();
    let out = execute_serial(&block, false);
    let post = out.post_state(&block);
    let failed = out.receipts.iter().filter(|r| matches!(r.status, Status::Failed(_))).count();
    assert!(failed > 0 && failed < 100, "{failed} failures");
    // Token supply is conserved by transfers, failed or not.
    let total: u64 = (0..20).map(|a| post.get(F::from_canonical_u64(workload::TOKEN), F::from_canonical_u64(a)).0).sum();
    assert_eq!(total, 20 * workload::INITIAL_BALANCE);
    // The counter saw every counter transaction.
    let counter_txs = block.txs.iter().filter(|t| t.contract == workload::COUNTER).count() as u64;
    assert_eq!(post.get(F::from_canonical_u64(workload::COUNTER), F::ZERO).0, counter_txs);
}

fn random_block(keys: u64, txs: &[(u64, u64, u64, u64)], pre: &[(u64, u64)]) -> Block {
    let contract = Contract::new(9, "random_access", 4, RANDOM_ACCESS).unwrap();
    let mut state = State::new();
    let writes: Vec<_> = pre
        .iter()
        .map(|&(k, v)| StorageWrite { address: F::from_canonical_u64(9), key: F::from_canonical_u64(k % keys), value: F::from_canonical_u64(v) })
        .collect();
    state.apply_writes(&writes);
    let txs = txs
        .iter()
        .enumerate()
        .map(|(i, &(r, e, o, v))| Transaction { sender: i as u64, contract: 9, calldata: vec![r % keys, e % keys, o % keys, v] })
        .collect();
    Block::new(vec![contract], state, txs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random read and write sets over a key space from 1 key (every transaction conflicts) to
    /// 64, with value-dependent branches and failures.
    #[test]
    fn random_blocks_match_serial(
        keys in prop_oneof![Just(1u64), Just(2), 1u64..64],
        txs in prop::collection::vec((0u64..64, 0u64..64, 0u64..64, 0u64..60), 0..120),
        pre in prop::collection::vec((0u64..64, 0u64..150), 0..20),
        threads in 1usize..=8,
    ) {
        let block = random_block(keys, &txs, &pre);
        let serial = execute_serial(&block, true);
        for cfg in configs(threads) {
            prop_assert!(execute_parallel_with(&block, cfg, true).same_result(&serial), "{:?}", cfg);
        }
    }
}

#[test]
fn stress_high_contention_eight_threads_bounded_in_time() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        for seed in 0..30 {
            let block = workload::generate(WorkloadParams { txs: 400, accounts: 4, contention: 1.0, seed: 100 + seed }).unwrap();
            let serial = execute_serial(&block, false);
            for cfg in configs(8) {
                let parallel = execute_parallel_with(&block, cfg, false);
                assert!(parallel.same_result(&serial), "divergence at seed {seed}, {cfg:?}");
            }
        }
        done.send(()).unwrap();
    });
    // A deadlock or livelock shows up as a time-out; a divergence as a dropped channel.
    match finished.recv_timeout(Duration::from_secs(240)) {
        Ok(()) => {}
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("parallel execution did not finish: deadlock or livelock"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the stress thread failed (divergence)"),
    }
}

#[test]
fn blocks_round_trip_through_json() {
    let block = workload::generate(WorkloadParams { txs: 50, accounts: 10, contention: 0.3, seed: 3 }).unwrap();
    let back = Block::from_json(&block.to_json()).unwrap();
    assert_eq!(back.txs, block.txs);
    assert_eq!(back.pre_state.root(), block.pre_state.root());
    assert!(execute_serial(&back, false).same_result(&execute_serial(&block, false)));
}

#[test]
fn malformed_blocks_are_clear_errors() {
    let good = workload::generate(WorkloadParams { txs: 3, accounts: 4, contention: 0.0, seed: 1 }).unwrap().to_json();
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let err = |v: &serde_json::Value| Block::from_json(&v.to_string()).unwrap_err().to_string();

    assert!(matches!(Block::from_json("{\"contracts\": ["), Err(BlockError::Json(_))));
    assert!(Block::from_json(&good[..good.len() / 2]).is_err());

    let mut unknown = v.clone();
    unknown["txs"][0]["contract"] = 77.into();
    assert!(err(&unknown).contains("transaction 0: calls address 77, where no contract is deployed"), "{}", err(&unknown));

    let mut short = v.clone();
    short["txs"][1]["contract"] = 1.into();
    short["txs"][1]["calldata"] = serde_json::json!([5]);
    assert!(err(&short).contains("transaction 1: `token` takes 2 calldata words, got 1"), "{}", err(&short));

    let mut big = v.clone();
    big["txs"][0]["sender"] = serde_json::json!(u64::MAX);
    assert!(err(&big).contains("not a canonical field element"), "{}", err(&big));

    let mut bad_asm = v.clone();
    bad_asm["contracts"][0]["source"] = "frob r1".into();
    assert!(err(&bad_asm).contains("contract `token` at address 1: token.asm:1:1: unknown mnemonic `frob`"), "{}", err(&bad_asm));

    let mut dup = v.clone();
    let first = dup["contracts"][0].clone();
    dup["contracts"].as_array_mut().unwrap().push(first);
    assert!(err(&dup).contains("two contracts at address 1"), "{}", err(&dup));

    v["pre_state"]["root"] = serde_json::json!([1, 2, 3, 4]);
    assert!(err(&v).contains("pre-state"), "{}", err(&v));
}

#[test]
fn adaptive_executor_runs_both_modes_and_matches_serial() {
    // The mode per chunk follows measured costs (unit-tested in `parallel.rs` with synthetic
    // timings); whatever it picks, the result is serial execution's, and with several chunks
    // both modes run (the second chunk is always a serial measurement).
    let block = workload::generate(WorkloadParams { txs: 3000, accounts: 2, contention: 1.0, seed: 9 }).unwrap();
    let cfg = ParallelConfig { chunk: 100, ..ParallelConfig::new(4) };
    let out = execute_parallel_with(&block, cfg, true);
    assert!(out.same_result(&execute_serial(&block, true)));
    assert!(out.stats.serial_txs >= 12 && out.stats.serial_txs < 3000, "serial chunks: {} txs", out.stats.serial_txs);
    assert_eq!(execute_parallel_with(&block, ParallelConfig::block_stm(4), false).stats.serial_txs, 0);
    // An executor kept across blocks, as a node runs them, gives each block serial execution's
    // result whatever it learnt from the blocks before.
    let mut executor = ParallelExecutor::new(cfg);
    for seed in 10..14 {
        let block = workload::generate(WorkloadParams { txs: 700, accounts: 3, contention: seed as f64 / 20.0, seed }).unwrap();
        assert!(executor.execute(&block, true).same_result(&execute_serial(&block, true)), "seed {seed}");
    }
}
