//! The state transition's share of a block proof: one transfer block (200 transactions over
//! 1,000 accounts, contention 0.1) proven with the state table (pre-state root → post-state root)
//! and without it (the same traces with no slot updates: no state rows, no path hashes in the
//! Poseidon table), side by side in one run. Throughput is VM steps, so criterion's rate is the
//! block proof's steps per second. Prints the state and Poseidon rows per touched slot first.
//!
//! `cargo bench -p parallax-benches --bench state_update`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plonky2::util::timing::TimingTree;

use parallax::chain::workload::{self, WorkloadParams};
use parallax::chain::execute_serial;
use parallax::prover::statement::Statement;
use parallax::prover::system::{build_statement_traces, prove_statement, NATURAL};
use parallax::prover::tables::{POSEIDON, STATE};
use parallax::prover::{block, CpuCommitter};

fn bench_state_update(c: &mut Criterion) {
    let b = workload::generate(WorkloadParams { txs: 200, accounts: 1000, contention: 0.1, seed: 5 }).unwrap();
    let outcome = execute_serial(&b, true);
    let claim = block::block_claim(&b, &outcome).unwrap();
    let traces: Vec<_> = outcome.traces.iter().collect();
    let steps: u64 = outcome.traces.iter().map(|t| t.rows().count() as u64).sum();
    let with = claim.statement();
    let (paths, _) = block::slot_proofs(&b, &with.slots);
    let without = Statement { slots: vec![], pre_root: Default::default(), post_root: Default::default(), ..with.clone() };

    let rows = |stmt: &Statement, paths: &[_]| {
        let t = build_statement_traces(stmt, &traces, paths, &NATURAL).unwrap();
        (t[STATE][0].len(), t[POSEIDON][0].len())
    };
    let (sw, pw) = rows(&with, &paths);
    let (_, po) = rows(&without, &[]);
    let slots = with.slots.len();
    let written = with.slots.iter().filter(|s| s.2 != s.3).count();
    let levels: usize = paths.iter().map(|p| p.siblings.len()).sum();
    println!(
        "{slots} touched slots ({written} changed), mean depth {:.1}; state table {sw} rows, Poseidon table {pw} rows with, {po} without",
        levels as f64 / slots as f64
    );

    let mut g = c.benchmark_group("block_state_update");
    g.sample_size(10);
    g.throughput(Throughput::Elements(steps));
    for (name, stmt, paths) in [("with_state_table", &with, paths.as_slice()), ("without", &without, &[][..])] {
        g.bench_function(name, |bch| {
            bch.iter(|| {
                let t = build_statement_traces(stmt, &traces, paths, &NATURAL).unwrap();
                prove_statement(stmt, &t, &CpuCommitter, &mut TimingTree::default()).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_state_update);
criterion_main!(benches);
