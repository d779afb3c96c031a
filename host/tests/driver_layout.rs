//! The driver's calls, as the XRT backend will execute them: a recording `Device` around the
//! simulated card runs `parallax_sim::driver::lde_and_commit` and the recorded sequence is checked
//! against the register map (docs/accelerator.md, "Register map"): the five buffers' sizes, the
//! trace written before the arguments, every argument register written once, `ap_start` after
//! them, the results read only after `wait`, every buffer freed. The register writes are then fed
//! through the XRT backend's argument mapping (`accel::xrt::args`), which must yield each kernel
//! argument once, buffer arguments naming the allocated buffers, and one start.

use std::time::Duration;

use parallax::accel::xrt::args::{ArgLatch, Op, ARG_OFFSETS, FIRST_BUFFER_ARG, NUM_ARGS};
use parallax_hdl::regmap;
use parallax_sim::driver::{lde_and_commit, Device};
use parallax_sim::{Buffer, Card, CardConfig, CardError, EngineKind, Fault};
use plonky2::field::polynomial::PolynomialValues;
use plonky2::field::types::Sample;
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::util::timing::TimingTree;

use parallax::prover::{C, D, F};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    Alloc { words: usize, buf: Buffer },
    Free(Buffer),
    Write { buf: Buffer, offset: usize, len: usize },
    Read { buf: Buffer, offset: usize, len: usize },
    WriteReg { offset: u32, value: u32 },
    ReadReg(u32),
    Wait { ok: bool },
    Reset,
}

struct Recording {
    card: Card,
    calls: Vec<Call>,
}

impl Device for Recording {
    fn alloc(&mut self, words: usize) -> Result<Buffer, CardError> {
        let buf = self.card.alloc(words)?;
        self.calls.push(Call::Alloc { words, buf });
        Ok(buf)
    }
    fn free(&mut self, buf: Buffer) {
        self.calls.push(Call::Free(buf));
        self.card.free(buf)
    }
    fn write(&mut self, buf: Buffer, offset: usize, data: &[u64]) -> Result<(), CardError> {
        self.calls.push(Call::Write { buf, offset, len: data.len() });
        self.card.write(buf, offset, data)
    }
    fn read(&mut self, buf: Buffer, offset: usize, len: usize) -> Result<Vec<u64>, CardError> {
        self.calls.push(Call::Read { buf, offset, len });
        self.card.read(buf, offset, len)
    }
    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), CardError> {
        self.calls.push(Call::WriteReg { offset, value });
        self.card.write_reg(offset, value)
    }
    fn read_reg(&mut self, offset: u32) -> Result<u32, CardError> {
        self.calls.push(Call::ReadReg(offset));
        self.card.read_reg(offset)
    }
    fn wait(&mut self, timeout: Duration) -> Result<(), CardError> {
        let r = self.card.wait(timeout);
        self.calls.push(Call::Wait { ok: r.is_ok() });
        r
    }
    fn reset(&mut self) {
        self.calls.push(Call::Reset);
        self.card.reset()
    }
}

const TIMEOUT: Duration = Duration::from_secs(1);

fn trace(cols: usize, log_n: usize) -> Vec<PolynomialValues<F>> {
    (0..cols).map(|_| PolynomialValues::new(F::rand_vec(1 << log_n))).collect()
}

fn position(calls: &[Call], f: impl Fn(&Call) -> bool) -> Vec<usize> {
    calls.iter().enumerate().filter(|(_, c)| f(c)).map(|(i, _)| i).collect()
}

/// Runs the driver once on a recording card: (calls, result).
fn record(cols: usize, log_n: usize, rate_bits: usize, cap_height: usize, fault: Option<Fault>) -> (Vec<Call>, Result<parallax_sim::driver::Parts, CardError>, Vec<PolynomialValues<F>>) {
    let mut dev = Recording { card: Card::new(CardConfig::default(), EngineKind::Fast), calls: vec![] };
    if let Some(f) = fault {
        dev.card.inject(f);
    }
    let t = trace(cols, log_n);
    let r = lde_and_commit(&mut dev, &t, rate_bits, cap_height, TIMEOUT);
    (dev.calls, r, t)
}

#[test]
fn the_driver_follows_the_register_map() {
    let (cols, log_n, rate_bits, cap_height) = (3, 5, 2, 2);
    let (n, big_n) = (1usize << log_n, 1usize << (log_n + rate_bits));
    let (calls, result, t) = record(cols, log_n, rate_bits, cap_height, None);

    // Buffers, in argument order, with the sizes of docs/accelerator.md.
    let bufs: Vec<Buffer> = calls.iter().filter_map(|c| if let Call::Alloc { buf, .. } = c { Some(*buf) } else { None }).collect();
    let sizes: Vec<usize> = bufs.iter().map(|b| b.words).collect();
    assert_eq!(sizes, [cols * n, cols * n, cols * big_n, 4 * 2 * (big_n - (1 << cap_height)), 4 << cap_height]);

    // The trace goes in whole, before any register is written.
    let writes = position(&calls, |c| matches!(c, Call::Write { .. }));
    assert_eq!(writes.len(), 1);
    assert_eq!(calls[writes[0]], Call::Write { buf: bufs[0], offset: 0, len: cols * n });

    // Every argument register exactly once, with the shape and the buffers' addresses.
    let regs: Vec<(usize, u32, u32)> = calls.iter().enumerate().filter_map(|(i, c)| if let Call::WriteReg { offset, value } = c { Some((i, *offset, *value)) } else { None }).collect();
    let mut expected: Vec<(u32, u32)> = vec![
        (regmap::ARG_COMMAND, regmap::Command::LdeAndCommit as u32),
        (regmap::ARG_LOG_ROWS, log_n as u32),
        (regmap::ARG_COLUMNS, cols as u32),
        (regmap::ARG_RATE_BITS, rate_bits as u32),
        (regmap::ARG_CAP_HEIGHT, cap_height as u32),
    ];
    for (reg, b) in regmap::BUFFER_ARGS.iter().zip(&bufs) {
        expected.push((*reg, b.addr as u32));
        expected.push((reg + 4, (b.addr >> 32) as u32));
    }
    let (args, ctrl): (Vec<_>, Vec<_>) = regs.iter().partition(|(_, o, _)| *o != regmap::CTRL);
    let mut got: Vec<(u32, u32)> = args.iter().map(|&&(_, o, v)| (o, v)).collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "argument registers");
    assert!(regs.iter().all(|(i, _, _)| *i > writes[0]), "registers written before the trace was uploaded");

    // One start, after every argument; one wait after it; reads only after a successful wait.
    assert_eq!(ctrl.len(), 1);
    let (start, _, v) = *ctrl[0];
    assert_eq!(v, regmap::CTRL_START);
    assert!(args.iter().all(|(i, _, _)| *i < start));
    let waits = position(&calls, |c| matches!(c, Call::Wait { .. }));
    assert_eq!(waits.len(), 1);
    assert!(waits[0] > start && calls[waits[0]] == Call::Wait { ok: true });
    let reads: Vec<&Call> = calls.iter().filter(|c| matches!(c, Call::Read { .. })).collect();
    assert!(position(&calls, |c| matches!(c, Call::Read { .. })).iter().all(|&i| i > waits[0]));
    let want: Vec<Call> = (1..5).map(|i| Call::Read { buf: bufs[i], offset: 0, len: sizes[i] }).collect();
    assert_eq!(reads.into_iter().cloned().collect::<Vec<_>>(), want, "results read back whole");

    // Every buffer freed, last.
    let frees = position(&calls, |c| matches!(c, Call::Free(_)));
    assert_eq!(frees.len(), 5);
    assert!(frees.iter().all(|&i| i > *waits.last().unwrap()));
    assert!(!calls.contains(&Call::Reset));

    // What the XRT backend makes of the register writes: each argument once, then start.
    let mut latch = ArgLatch::default();
    let ops: Vec<Op> = regs.iter().filter_map(|&(_, o, v)| latch.write(o, v).unwrap()).collect();
    assert_eq!(ops.len(), NUM_ARGS + 1);
    assert_eq!(*ops.last().unwrap(), Op::Start);
    let mut seen = [false; NUM_ARGS];
    for op in &ops[..NUM_ARGS] {
        match *op {
            Op::Scalar { arg, value } => {
                assert!(arg < FIRST_BUFFER_ARG);
                assert_eq!(Some(&(ARG_OFFSETS[arg], value)), expected.iter().find(|(o, _)| *o == ARG_OFFSETS[arg]));
                seen[arg] = true;
            }
            Op::Buffer { arg, addr } => {
                assert_eq!(addr, bufs[arg - FIRST_BUFFER_ARG].addr, "argument {arg}");
                seen[arg] = true;
            }
            Op::Start => panic!("start before every argument"),
        }
    }
    assert!(seen.iter().all(|&s| s));

    // And the run itself is plonky2's commitment.
    let parts = result.unwrap();
    let reference: PolynomialBatch<F, C, D> = PolynomialBatch::from_values(t, rate_bits, false, cap_height, &mut TimingTree::default(), None);
    assert_eq!(parts.leaves, reference.merkle_tree.leaves);
    assert_eq!(parts.cap, reference.merkle_tree.cap.0);
}

#[test]
fn a_timed_out_run_is_reset_and_its_buffers_freed_without_reads() {
    let (calls, result, _) = record(2, 4, 1, 0, Some(Fault::HangCore));
    assert!(matches!(result, Err(CardError::Timeout { .. })), "{result:?}");
    let wait = position(&calls, |c| matches!(c, Call::Wait { ok: false }));
    assert_eq!(wait.len(), 1);
    assert_eq!(calls[wait[0] + 1], Call::Reset);
    assert!(!calls.iter().any(|c| matches!(c, Call::Read { .. })));
    assert_eq!(position(&calls, |c| matches!(c, Call::Free(_))).len(), 5);
}
