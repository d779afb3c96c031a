//! The `parallax` binary: commands, outputs, and clear errors with a non-zero exit status.

use std::process::Command;

fn parallax(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn programs() -> String {
    format!("{}/programs", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_prints_outputs_steps_and_profile() {
    let fib = format!("{}/fib.asm", programs());
    let (ok, out, err) = parallax(&["run", &fib, "--input", "calldata=10"]);
    assert!(ok, "{err}");
    assert!(out.contains("outputs: [55]"), "{out}");
    assert!(out.contains("steps: 67"), "{out}");
    let (ok, out, _) = parallax(&["run", &fib, "--input", "calldata=10", "--profile"]);
    assert!(ok);
    assert!(out.lines().any(|l| l.starts_with("loop") && l.contains("60")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("cjmp") && l.contains("11")), "{out}");
}

#[test]
fn run_writes_a_trace() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("t.csv");
    let (ok, _, err) = parallax(&["run", &format!("{}/divmod.asm", programs()), "--input", "calldata=17,5", "--trace", trace.to_str().unwrap()]);
    assert!(ok, "{err}");
    let csv = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert!(lines[0].starts_with("step,pc,instruction,r0"));
    assert_eq!(lines.len(), 1 + 16);
    assert!(lines[3].contains("\"call 6, 2\"") && lines[3].contains("mw@1073741824=1073741824;mw@1073741825=3"), "{}", lines[3]);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn errors_are_clear_and_exit_non_zero() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-err-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.asm");
    std::fs::write(&bad, "mov r1, 1\n  frob r2\n").unwrap();
    let (ok, _, err) = parallax(&["run", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("bad.asm:2:3: unknown mnemonic `frob`"), "{err}");

    let (ok, _, err) = parallax(&["run", "/nonexistent/x.asm"]);
    assert!(!ok && err.contains("cannot read program /nonexistent/x.asm"), "{err}");

    let (ok, _, err) = parallax(&["run", &format!("{}/fib.asm", programs()), "--input", "calldata=1000000000", "--max-steps", "100"]);
    assert!(!ok && err.contains("step limit of 100 reached"), "{err}");

    let (ok, _, err) = parallax(&["run", &format!("{}/divmod.asm", programs()), "--input", "calldata=1,0"]);
    assert!(!ok && err.contains("divmod.asm:15") && err.contains("division by zero"), "{err}");

    let (ok, _, err) = parallax(&["run", &format!("{}/fib.asm", programs()), "--input", "x=1"]);
    assert!(!ok && err.contains("unknown key `x`"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn asm_prints_the_encoding() {
    let (ok, out, err) = parallax(&["asm", &format!("{}/sqrt.asm", programs())]);
    assert!(ok, "{err}");
    assert!(out.contains("prophet sqrt r2, r1"), "{out}");
    assert!(out.contains("14 instructions, program hash"), "{out}");
}

#[test]
fn demo_runs_every_example() {
    let (ok, out, err) = parallax(&["demo"]);
    assert!(ok, "{err}");
    for ex in parallax::programs::EXAMPLES {
        assert!(out.lines().any(|l| l.starts_with(ex.name)), "{} missing from\n{out}", ex.name);
    }
    assert!(out.contains("blocks: 3") && out.contains("chain proof") && out.contains("checked against the blocks"), "{out}");
}

#[test]
fn prove_chain_and_verify_via_cli() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (ok, out, err) = parallax(&["block", "gen", "--txs", "8", "--accounts", "4", "--blocks", "2", "-o", &p("c.json")]);
    assert!(ok, "{err}");
    assert_eq!(out.matches("wrote 8 transactions").count(), 2, "{out}");
    let (b0, b1, chain) = (p("c-0.json"), p("c-1.json"), p("chain.proof"));
    let (ok, out, err) = parallax(&["prove-chain", &b0, &b1, "-o", &chain]);
    assert!(ok, "{err}");
    assert!(out.contains("blocks: 2") && out.contains("aggregation nodes"), "{out}");
    let (ok, out, err) = parallax(&["verify", &chain, "--blocks", &b0, &b1]);
    assert!(ok, "{err}");
    assert!(out.contains("chain proof verified") && out.contains("covers the 2 given blocks"), "{out}");
    // The blocks in another order are not what the proof covers.
    let (ok, _, err) = parallax(&["verify", &chain, "--blocks", &b1, &b0]);
    assert!(!ok && err.contains("is not the proof's") && !err.contains("panicked"), "{err}");
    // Blocks that do not chain are refused before any proving.
    let (ok, _, err) = parallax(&["prove-chain", &b1, &b0, "-o", &p("bad.proof")]);
    assert!(!ok && err.contains("do not form a chain"), "{err}");
    // Bad inputs: a truncated chain proof, an execution proof to aggregate, a missing file.
    let bytes = std::fs::read(&chain).unwrap();
    std::fs::write(&chain, &bytes[..bytes.len() / 2]).unwrap();
    let (ok, _, err) = parallax(&["verify", &chain]);
    assert!(!ok && err.contains("truncated"), "{err}");
    let fib = p("fib.proof");
    let (ok, _, err) = parallax(&["prove", &format!("{}/fib.asm", programs()), "--input", "calldata=5", "-o", &fib]);
    assert!(ok, "{err}");
    let (ok, _, err) = parallax(&["aggregate", &fib, &fib, "-o", &p("x.proof")]);
    assert!(!ok && err.contains("is an execution proof"), "{err}");
    let (ok, _, err) = parallax(&["aggregate", &p("missing.proof"), &fib, "-o", &p("x.proof")]);
    assert!(!ok && err.contains("cannot read"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn block_gen_and_exec_agree_serial_and_parallel() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-block-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("b.json");
    let p = path.to_str().unwrap();
    let (ok, out, err) = parallax(&["block", "gen", "--txs", "300", "--accounts", "20", "--contention", "0.5", "--seed", "4", "-o", p]);
    assert!(ok, "{err}");
    assert!(out.contains("wrote 300 transactions"), "{out}");
    let root = |out: &str| out.lines().find(|l| l.contains("post-state root")).unwrap().split_whitespace().last().unwrap().to_string();
    let (ok, serial, err) = parallax(&["block", "exec", p, "--serial"]);
    assert!(ok, "{err}");
    let (ok, parallel, err) = parallax(&["block", "exec", p, "--threads", "4"]);
    assert!(ok, "{err}");
    assert_eq!(root(&serial), root(&parallel));
    assert!(parallel.contains("parallel, 4 threads") && parallel.contains("failures"), "{parallel}");

    std::fs::write(&path, "{\"contracts\": 3}").unwrap();
    let (ok, _, err) = parallax(&["block", "exec", p]);
    assert!(!ok && err.contains("cannot load block") && err.contains("not valid JSON"), "{err}");
    let (ok, _, err) = parallax(&["block", "gen", "--contention", "2", "-o", p]);
    assert!(!ok && err.contains("--contention must be between 0 and 1"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn prove_then_verify_via_cli() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-prove-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proof = dir.join("fib.proof");
    let proof_path = proof.to_str().unwrap();
    let prog = format!("{}/fib.asm", programs());
    let (ok, _, err) = parallax(&["prove", &prog, "--input", "calldata=30", "-o", proof_path]);
    assert!(ok, "{err}");
    let (ok, out, err) = parallax(&["verify", proof_path, "--program", &prog]);
    assert!(ok, "{err}");
    assert!(out.contains("outputs: [832040]"), "{out}");
    // A truncated file is a clear error, not a panic.
    let bytes = std::fs::read(&proof).unwrap();
    std::fs::write(&proof, &bytes[..bytes.len() / 3]).unwrap();
    let (ok, _, err) = parallax(&["verify", proof_path]);
    assert!(!ok && err.contains("truncated") && !err.contains("panicked"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

/// As `parallax`, on one rayon thread: plonky2's parallel proof-of-work search picks any witness,
/// so only single-threaded proofs are reproducible byte for byte.
fn parallax_one_thread(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parallax")).args(args).env("RAYON_NUM_THREADS", "1").output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn prove_with_the_sim_backend() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prog = format!("{}/fib.asm", programs());
    let (cpu, sim) = (dir.join("cpu.proof"), dir.join("sim.proof"));
    let (ok, _, err) = parallax_one_thread(&["prove", &prog, "--input", "calldata=10", "-o", cpu.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, out, err) = parallax_one_thread(&["prove", &prog, "--input", "calldata=10", "-o", sim.to_str().unwrap(), "--backend", "sim", "--timings"]);
    assert!(ok, "{err}");
    let expect = format!("accelerator (sim): {} commitments, 0 fallbacks to the CPU", parallax::prover::tables::NUM_TABLES);
    assert!(out.contains(&expect), "{out}");
    assert!(out.contains("spot checks"), "{out}");
    assert!(!err.contains("warning: accelerator"), "{err}");
    assert!(std::fs::read(&cpu).unwrap() == std::fs::read(&sim).unwrap(), "the sim backend's proof differs from the cpu backend's");
    let (ok, out, err) = parallax(&["verify", sim.to_str().unwrap(), "--program", &prog]);
    assert!(ok && out.contains("outputs: [55]"), "{out}{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unknown_backends_are_clear_errors() {
    let prog = format!("{}/fib.asm", programs());
    let (ok, _, err) = parallax(&["prove", &prog, "-o", "/dev/null", "--backend", "gpu"]);
    assert!(!ok && err.contains("unknown backend `gpu` (expected cpu, sim or xrt)"), "{err}");
    let (ok, _, err) = parallax(&["prove", &prog, "-o", "/dev/null", "--backend", "xrt"]);
    let expected = if cfg!(feature = "xrt") { "needs --xclbin FILE" } else { "this build has no XRT support" };
    assert!(!ok && err.contains(expected), "{err}");
    let (ok, _, err) = parallax(&["bench", "--backend", "cpu"]);
    assert!(!ok && err.contains("use --backend sim"), "{err}");
}

#[test]
fn devices_always_names_the_simulator() {
    let (ok, out, err) = parallax(&["devices"]);
    assert!(ok, "{err}");
    assert!(out.contains("sim: the simulated card is always available"), "{out}");
    if !cfg!(feature = "xrt") {
        assert!(out.contains("this build has no XRT support"), "{out}");
    }
}

#[test]
fn bench_compares_host_and_card() {
    let dir = std::env::temp_dir().join(format!("parallax-cli-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("bench.svg");
    let (ok, out, err) = parallax(&["bench", "--max-log-rows", "12", "--min-log-rows", "10", "--cols", "8", "--plot", svg.to_str().unwrap()]);
    assert!(ok, "{err}");
    for k in 10..=12 {
        assert!(out.lines().any(|l| l.trim_start().starts_with(&format!("2^{k} ")) && l.trim_end().ends_with("yes")), "2^{k} missing from\n{out}");
    }
    assert!(out.contains("host s") && out.contains("compute s") && out.contains("transfer s") && out.contains("sim Mcyc/s"), "{out}");
    assert!(err.contains("bench [1/3]: 2^10 rows x 8 columns") && err.contains("bench [3/3]"), "{err}");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("host CPU (measured)"));
    // Without a card, `--backend xrt` says so and prints the simulator's projection.
    let (ok, out, err) = parallax(&["bench", "--backend", "xrt", "--max-log-rows", "10", "--min-log-rows", "10", "--cols", "4"]);
    assert!(ok, "{err}");
    assert!(out.contains("xrt: no card to time") && out.contains("simulated card's projection"), "{out}");
    assert!(out.lines().any(|l| l.trim_start().starts_with("2^10 ") && l.trim_end().ends_with("yes")), "{out}");
    for (args, msg) in [
        (&["bench", "--backend", "cpu"][..], "use --backend sim"),
        (&["bench", "--min-log-rows", "12", "--max-log-rows", "10"][..], "--min-log-rows (12) is larger than --max-log-rows (10)"),
        (&["bench", "--max-log-rows", "40"][..], "must be between 4 and 24"),
        (&["bench", "--cols", "0"][..], "--cols must be between 1 and 1024"),
        (&["bench", "--max-log-rows", "23", "--cols", "64"][..], "too large"),
        (&["bench", "--max-log-rows", "10", "--min-log-rows", "10", "--plot", "/nonexistent/dir/x.svg"][..], "cannot write the plot"),
    ] {
        let (ok, _, err) = parallax(args);
        assert!(!ok && err.contains(msg) && !err.contains("panicked"), "{args:?}: {err}");
    }
    std::fs::remove_dir_all(dir).ok();
}
