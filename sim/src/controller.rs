//! The kernel's controller: decodes a command from the argument registers and sequences it
//! over device memory and the cores (through an [Engine]), producing the phases' cycles.
//!
//! - LDE: per column, the inverse NTT (values -> coeffs) and the coset LDE (coeffs -> leaves,
//!   bit-reversed), each one core job up to 2^12 points or the four-step schedule above that
//!   (`parallax_hdl::ntt::four_step`); stage by stage, the jobs of all columns are dealt over the
//!   NTT cores; the leaves are written row-major (the transposition is in the write addresses).
//! - Commit: the Merkle schedule ([crate::merkle]) over the leaves; digests are written in
//!   plonky2's `MerkleTree::digests` layout and the cap after them in its own buffer.
//!
//! A phase takes the longer of its core cycles and its memory traffic streamed at the device
//! memory's bandwidth (cores and memory overlap); phases do not overlap each other.

use parallax_hdl::ntt::four_step::Projection;
use parallax_hdl::ntt::{NttConfig, MAX_LOG_N};
use parallax_hdl::regmap::{self, Command, Error};
use rayon::prelude::*;

use crate::config::CardConfig;
use crate::engine::{Engine, Stage};
use crate::memory::DeviceMemory;
use crate::merkle::{self, Schedule, DIGEST};
use crate::report::{RunReport, HASH, NTT};
use crate::{CardError, Region};

/// The argument registers of one command.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Args {
    pub command: u32,
    pub log_rows: u32,
    pub columns: u32,
    pub rate_bits: u32,
    pub cap_height: u32,
    pub values: u64,
    pub coeffs: u64,
    pub leaves: u64,
    pub digests: u64,
    pub cap: u64,
}

impl Args {
    pub fn from_regs(reg: impl Fn(u32) -> u32) -> Self {
        let addr = |o: u32| reg(o) as u64 | (reg(o + 4) as u64) << 32;
        Self {
            command: reg(regmap::ARG_COMMAND),
            log_rows: reg(regmap::ARG_LOG_ROWS),
            columns: reg(regmap::ARG_COLUMNS),
            rate_bits: reg(regmap::ARG_RATE_BITS),
            cap_height: reg(regmap::ARG_CAP_HEIGHT),
            values: addr(regmap::ARG_VALUES),
            coeffs: addr(regmap::ARG_COEFFS),
            leaves: addr(regmap::ARG_LEAVES),
            digests: addr(regmap::ARG_DIGESTS),
            cap: addr(regmap::ARG_CAP),
        }
    }
}

/// Why a command stopped: a kernel error code (reported in STATUS), or the engine failing.
#[derive(Debug)]
pub(crate) enum Failure {
    Kernel(Error),
    Engine(CardError),
}

impl From<CardError> for Failure {
    fn from(e: CardError) -> Self {
        Failure::Engine(e)
    }
}

/// A bit flip to apply once `region` has been written (fault injection).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flip {
    pub region: Region,
    pub word: usize,
    pub bit: u32,
}

struct Shape {
    command: Command,
    log_rows: usize,
    columns: usize,
    rate_bits: usize,
    cap_height: usize,
}

impl Shape {
    fn rows(&self) -> usize {
        1 << self.log_rows
    }
    fn lde_rows(&self) -> usize {
        1 << (self.log_rows + self.rate_bits)
    }
    fn digests(&self) -> usize {
        2 * (self.lde_rows() - (1 << self.cap_height))
    }
}

fn shape(a: &Args) -> Result<Shape, Error> {
    let command = Command::from_u32(a.command).ok_or(Error::BadCommand)?;
    let s = Shape {
        command,
        log_rows: a.log_rows as usize,
        columns: a.columns as usize,
        rate_bits: a.rate_bits as usize,
        cap_height: a.cap_height as usize,
    };
    let log_lde = s.log_rows + s.rate_bits;
    let ok = s.log_rows >= 1
        && (1..=regmap::MAX_COLUMNS).contains(&s.columns)
        && log_lde <= regmap::MAX_LOG_LDE
        && (log_lde <= MAX_LOG_N || s.log_rows >= 2)
        && s.cap_height <= log_lde;
    ok.then_some(s).ok_or(Error::BadShape)
}

/// One transform ([Engine::transform]): the output, its stages of core jobs and the
/// device-memory bytes it reads and writes (the four-step schedule, above the on-chip size,
/// writes its transposed intermediate and reads it back).
fn transform(engine: &dyn Engine, cfg: NttConfig, input: &[u64]) -> Result<(Vec<u64>, Vec<Stage>, Traffic), CardError> {
    let (out, stages) = engine.transform(&cfg, input)?;
    let mut t = Traffic { read: 8 * cfg.n_in() as u64, written: 8 * cfg.n() as u64 };
    if cfg.log_n > MAX_LOG_N {
        t.read += 8 * cfg.n() as u64;
        t.written += 8 * cfg.n() as u64;
        debug_assert_eq!(t.read + t.written, Projection::mem_bytes(cfg) as u64);
    }
    Ok((out, stages, t))
}

/// Core cycles of the NTT phase: stage by stage (every column's inverse-NTT stages, then every
/// column's LDE stages; a stage waits for the previous one), each stage's jobs of all columns
/// dealt over the cores.
fn ntt_phase_cycles(per_column: &[Vec<Stage>], cores: usize) -> u64 {
    let stages = per_column.first().map_or(0, |s| s.len());
    (0..stages)
        .map(|i| {
            let jobs: u64 = per_column.iter().map(|s| s[i].jobs).sum();
            let cycles = per_column.iter().map(|s| s[i].cycles).max().unwrap_or(0);
            jobs.div_ceil(cores as u64) * cycles
        })
        .sum()
}

#[derive(Clone, Copy, Default)]
struct Traffic {
    read: u64,
    written: u64,
}

impl std::ops::Add for Traffic {
    type Output = Traffic;
    fn add(self, o: Traffic) -> Traffic {
        Traffic { read: self.read + o.read, written: self.written + o.written }
    }
}

fn apply(mem: &mut DeviceMemory, flips: &[Flip], region: Region, base: u64) -> Result<(), CardError> {
    for f in flips.iter().filter(|f| f.region == region) {
        *mem.word_mut(base + 8 * f.word as u64)? ^= 1 << (f.bit % 64);
    }
    Ok(())
}

pub(crate) fn run(
    cfg: &CardConfig,
    mem: &mut DeviceMemory,
    engine: &dyn Engine,
    a: &Args,
    flips: &[Flip],
) -> Result<RunReport, Failure> {
    let s = shape(a).map_err(Failure::Kernel)?;
    let (n, big_n, c) = (s.rows(), s.lde_rows(), s.columns);
    let bad_address = |_| Failure::Kernel(Error::BadAddress);
    if s.command.lde() {
        mem.check(a.values, c * n).map_err(bad_address)?;
        mem.check(a.coeffs, c * n).map_err(bad_address)?;
    }
    mem.check(a.leaves, c * big_n).map_err(bad_address)?;
    if s.command.commit() {
        mem.check(a.digests, DIGEST * s.digests()).map_err(bad_address)?;
        mem.check(a.cap, DIGEST << s.cap_height).map_err(bad_address)?;
    }
    let mut report = RunReport { clock_mhz: cfg.clock_mhz, ..Default::default() };

    if s.command.lde() {
        apply(mem, flips, Region::Values, a.values)?;
        let values = mem.read(a.values, c * n)?;
        let per_column: Vec<_> = values
            .par_chunks(n)
            .map(|col| {
                let (coeffs, mut stages, t1) = transform(engine, NttConfig::inverse(s.log_rows), col)?;
                let (lde, lde_stages, t2) = transform(engine, NttConfig::lde(s.log_rows, s.rate_bits), &coeffs)?;
                stages.extend(lde_stages);
                Ok((coeffs, lde, stages, t1 + t2))
            })
            .collect::<Result<_, CardError>>()?;
        let mut traffic = Traffic::default();
        let mut stages = Vec::with_capacity(c);
        let mut coeffs = Vec::with_capacity(c * n);
        let mut leaves = vec![0u64; c * big_n];
        for (j, (co, lde, st, t)) in per_column.into_iter().enumerate() {
            stages.push(st);
            traffic = traffic + t;
            coeffs.extend_from_slice(&co);
            for (row, v) in lde.into_iter().enumerate() {
                leaves[row * c + j] = v;
            }
        }
        mem.write(a.coeffs, &coeffs)?;
        mem.write(a.leaves, &leaves)?;
        apply(mem, flips, Region::Coeffs, a.coeffs)?;
        apply(mem, flips, Region::Lde, a.leaves)?;
        let compute = ntt_phase_cycles(&stages, cfg.ntt_cores);
        report.push(NTT, compute.max(cfg.memory.stream_cycles(traffic.read + traffic.written)));
        report.device_bytes_read += traffic.read;
        report.device_bytes_written += traffic.written;
    }

    if s.command.commit() {
        let sched = Schedule { leaves: big_n, leaf_len: c, cap_height: s.cap_height };
        let leaves = mem.read(a.leaves, c * big_n)?.to_vec();
        let out = engine.merkle(&sched, &leaves, cfg.poseidon_cores)?;
        let (digests, cap) = merkle::layout(&out.levels);
        mem.write(a.digests, digests.as_flattened())?;
        mem.write(a.cap, cap.as_flattened())?;
        apply(mem, flips, Region::Digests, a.digests)?;
        let node_bytes = (DIGEST * 8) as u64;
        let compressions = (out.timing.permutations as usize).saturating_sub(big_n * sched.chunks()) as u64;
        let read = 8 * (c * big_n) as u64 + 2 * node_bytes * compressions;
        let written = node_bytes * (s.digests() + cap.len()) as u64;
        report.device_bytes_read += read;
        report.device_bytes_written += written;
        report.push(HASH, out.timing.cycles.max(cfg.memory.stream_cycles(read + written)));
    }
    Ok(report)
}
