//! The RTL engine: the Rust-HDL cores themselves (`parallax_hdl::ntt::NttCore`,
//! `parallax_hdl::poseidon::PoseidonCore`), clocked cycle by cycle with the controller's
//! handshakes. Slow (Rust-HDL simulates ~10k NTT-core cycles/s and ~15 Poseidon-core cycles/s
//! here), so it runs small workloads: it is the reference the fast engine is checked against.
//!
//! The cores live on one worker thread with a large stack (Rust-HDL's update of the 842-stage
//! Poseidon pipeline recurses deeply); requests are served in order.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::sync::Mutex;

use parallax_hdl::ntt::{NttConfig, NttCore};
use parallax_hdl::poseidon::{bits_to_lanes, lanes_to_bits, PoseidonCore, WIDTH};
use rust_hdl::core::vcd_probe::VCDProbe;
use rust_hdl::prelude::*;

use super::Engine;
use crate::merkle::{Item, MerkleOut, PoseidonTiming, Schedule, Timeline, DIGEST};
use crate::CardError;

type Reply<T> = Sender<Result<T, CardError>>;

enum Request {
    Ntt(NttConfig, Vec<u64>, Reply<(Vec<u64>, u64)>),
    Merkle(Schedule, Vec<u64>, Reply<MerkleOut>),
}

pub struct Rtl {
    requests: Mutex<Option<Sender<Request>>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Rtl {
    /// Stops the worker and waits for it, so that waveforms are complete on disk.
    fn drop(&mut self) {
        if let Ok(mut tx) = self.requests.lock() {
            tx.take();
        }
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Rtl {
    /// Starts the worker. With `vcd_dir`, every core run appends to `ntt_core.vcd` /
    /// `poseidon_core.vcd` there (one waveform per core for the card's lifetime).
    pub fn new(vcd_dir: Option<PathBuf>) -> Result<Self, CardError> {
        let (tx, rx) = channel::<Request>();
        let worker = std::thread::Builder::new()
            .name("parallax-sim-rtl".into())
            .stack_size(1 << 30)
            .spawn(move || {
                let mut cores = Cores { vcd_dir, ntt: None, poseidon: None };
                for req in rx {
                    match req {
                        Request::Ntt(cfg, input, reply) => {
                            let _ = reply.send(cores.ntt(&cfg, &input));
                        }
                        Request::Merkle(s, leaves, reply) => {
                            let _ = reply.send(cores.merkle(&s, &leaves));
                        }
                    }
                }
            })
            .map_err(|e| CardError::Device(format!("cannot start the RTL engine: {e}")))?;
        Ok(Self { requests: Mutex::new(Some(tx)), worker: Some(worker) })
    }

    fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, CardError> {
        let (tx, rx) = channel();
        let lost = || CardError::Device("the RTL engine stopped".into());
        let requests = self.requests.lock().map_err(|_| lost())?;
        requests.as_ref().ok_or_else(lost)?.send(make(tx)).map_err(|_| lost())?;
        drop(requests);
        rx.recv().map_err(|_| lost())?
    }
}

impl Engine for Rtl {
    fn ntt(&self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, u64), CardError> {
        self.call(|r| Request::Ntt(*cfg, input.to_vec(), r))
    }
    fn merkle(&self, s: &Schedule, leaves: &[u64], cores: usize) -> Result<MerkleOut, CardError> {
        if cores != 1 {
            return Err(CardError::Unsupported(format!(
                "the RTL engine simulates one Poseidon core, not {cores} (the fast engine models any number)"
            )));
        }
        self.call(|r| Request::Merkle(*s, leaves.to_vec(), r))
    }
}

/// A block clocked by hand: inputs are set through `.next`, [Clocked::eval] settles them,
/// outputs are read, [Clocked::edge] applies one rising clock edge.
struct Clocked<T: Block> {
    uut: Box<T>,
    clock: fn(&mut T) -> &mut Signal<In, Clock>,
    /// Rising edges so far.
    cycle: u64,
    vcd: Option<VCDProbe<BufWriter<File>>>,
}

impl<T: Block> Clocked<T> {
    fn new(mut uut: Box<T>, clock: fn(&mut T) -> &mut Signal<In, Clock>, vcd: Option<File>) -> Result<Self, CardError> {
        uut.connect_all();
        let vcd = vcd.map(|f| write_vcd_dump(write_vcd_header(BufWriter::new(f), uut.as_ref()), uut.as_ref()));
        let mut c = Self { uut, clock, cycle: 0, vcd };
        c.eval()?;
        Ok(c)
    }
    /// Propagates changed inputs (and the previous falling edge) through the logic.
    fn eval(&mut self) -> Result<(), CardError> {
        for _ in 0..1000 {
            self.uut.update_all();
            if !self.uut.has_changed() {
                self.dump(10 * self.cycle + 5);
                return Ok(());
            }
        }
        Err(CardError::Device("RTL simulation failed to converge (combinational loop?)".into()))
    }
    /// One rising edge; the clock falls again before the next `eval`.
    fn edge(&mut self) -> Result<(), CardError> {
        (self.clock)(&mut self.uut).next = Clock { clk: true };
        self.cycle += 1;
        for _ in 0..1000 {
            self.uut.update_all();
            if !self.uut.has_changed() {
                self.dump(10 * self.cycle);
                (self.clock)(&mut self.uut).next = Clock { clk: false };
                return Ok(());
            }
        }
        Err(CardError::Device("RTL simulation failed to converge after a clock edge".into()))
    }
    fn dump(&mut self, t: u64) {
        if let Some(mut vcd) = self.vcd.take() {
            // A failed write only loses the waveform, never the run.
            if vcd.timestamp(t).is_ok() {
                self.vcd = Some(write_vcd_change(vcd, self.uut.as_ref()));
            }
        }
    }
}

struct Cores {
    vcd_dir: Option<PathBuf>,
    ntt: Option<Clocked<NttCore>>,
    poseidon: Option<Clocked<PoseidonCore>>,
}

/// Cycles with reset held when a core is first built.
const RESET_CYCLES: u64 = 4;


impl Cores {
    fn vcd(&self, name: &str) -> Result<Option<File>, CardError> {
        self.vcd_dir
            .as_ref()
            .map(|d| File::create(d.join(name)).map_err(|e| CardError::Device(format!("cannot write {}: {e}", d.join(name).display()))))
            .transpose()
    }

    fn ntt_core(&mut self) -> Result<&mut Clocked<NttCore>, CardError> {
        if self.ntt.is_none() {
            self.ntt = Some(self.build("ntt_core.vcd", |u: &mut NttCore| &mut u.clock, |u, r| u.reset.next = r)?);
        }
        Ok(self.ntt.as_mut().expect("built"))
    }

    fn poseidon_core(&mut self) -> Result<&mut Clocked<PoseidonCore>, CardError> {
        if self.poseidon.is_none() {
            self.poseidon = Some(self.build("poseidon_core.vcd", |u: &mut PoseidonCore| &mut u.clock, |u, r| u.reset.next = r)?);
        }
        Ok(self.poseidon.as_mut().expect("built"))
    }

    /// A core out of reset.
    fn build<T: Block + Default>(
        &self,
        vcd: &str,
        clock: fn(&mut T) -> &mut Signal<In, Clock>,
        reset: fn(&mut T, bool),
    ) -> Result<Clocked<T>, CardError> {
        let mut c = Clocked::new(Box::<T>::default(), clock, self.vcd(vcd)?)?;
        for _ in 0..RESET_CYCLES {
            reset(&mut c.uut, true);
            c.eval()?;
            c.edge()?;
        }
        reset(&mut c.uut, false);
        Ok(c)
    }

    fn ntt(&mut self, cfg: &NttConfig, input: &[u64]) -> Result<(Vec<u64>, u64), CardError> {
        cfg.check(parallax_hdl::ntt::MAX_LOG_N).map_err(CardError::Unsupported)?;
        let budget = 4 * cfg.cycles() as u64 + 64;
        let c = self.ntt_core()?;
        let (beats, n) = (input.len() / 2, cfg.n());
        let (start, mut next, mut out) = (c.cycle, 0usize, Vec::with_capacity(n));
        loop {
            let offering = next < beats;
            c.uut.in_valid.next = offering;
            if offering {
                c.uut.cfg.next = cfg.word().to_bits();
                c.uut.in_lane0.next = input[2 * next].to_bits();
                c.uut.in_lane1.next = input[2 * next + 1].to_bits();
            }
            c.uut.out_ready.next = true;
            c.eval()?;
            let accepted = offering && c.uut.in_ready.val();
            let took = c.uut.out_valid.val();
            let last = c.uut.out_last.val();
            if took {
                out.push(c.uut.out_lane0.val().to_u64());
                out.push(c.uut.out_lane1.val().to_u64());
            }
            c.edge()?;
            next += accepted as usize;
            if took && (out.len() == n) != last {
                return Err(CardError::Device(format!("NTT core: out_last wrong at output {} of {n}", out.len())));
            }
            if out.len() == n {
                c.uut.in_valid.next = false;
                return Ok((out, c.cycle - start));
            }
            if c.cycle - start > budget {
                return Err(CardError::Timeout { cycles: c.cycle - start });
            }
        }
    }

    fn merkle(&mut self, s: &Schedule, leaves: &[u64]) -> Result<MerkleOut, CardError> {
        let items = super::fast::items(s);
        let leaf = |l: usize| &leaves[l * s.leaf_len..(l + 1) * s.leaf_len];
        let mut levels: Vec<Vec<[u64; DIGEST]>> = (0..=s.levels()).map(|l| vec![[0; DIGEST]; s.leaves >> l]).collect();
        let mut states: Vec<Option<[u64; WIDTH]>> = vec![None; s.leaves];
        if s.chunks() == 0 {
            for (l, d) in levels[0].iter_mut().enumerate() {
                *d = Schedule::noop_digest(leaf(l));
            }
        }
        let mut timeline = Timeline::new(s);
        let mut in_flight: VecDeque<Item> = VecDeque::new();
        let budget = 2 * items.len() as u64 * (1 + s.levels() as u64) + 4 * super::POSEIDON_ACCEPT_TO_TAKE * (2 + s.chunks() as u64 + s.levels() as u64);
        let c = self.poseidon_core()?;
        let (start, mut next, mut taken) = (c.cycle, 0usize, 0usize);
        while taken < items.len() {
            let t = c.cycle - start;
            let offer = items.get(next).copied().filter(|&it| timeline.ready(it) <= t);
            c.uut.in_valid.next = offer.is_some();
            if let Some(it) = offer {
                let state = match it {
                    Item::Absorb { leaf: l, chunk } => Schedule::absorb_state(leaf(l), chunk, states[l].as_ref()),
                    Item::Compress { level, node } => {
                        Schedule::compress_state(&levels[level - 1][2 * node], &levels[level - 1][2 * node + 1])
                    }
                };
                c.uut.state_in.next = lanes_to_bits(&state);
            }
            c.uut.out_ready.next = true;
            c.eval()?;
            let accepted = offer.is_some() && c.uut.in_ready.val();
            let out = c.uut.out_valid.val().then(|| bits_to_lanes(c.uut.state_out.val()));
            c.edge()?;
            if accepted {
                timeline.issue(items[next]);
                in_flight.push_back(items[next]);
                next += 1;
            }
            if let Some(state) = out {
                let it = in_flight.pop_front().ok_or_else(|| CardError::Device("Poseidon core: an output nobody asked for".into()))?;
                let digest: [u64; DIGEST] = state[..DIGEST].try_into().expect("4 lanes");
                match it {
                    Item::Absorb { leaf: l, chunk } => {
                        states[l] = Some(state);
                        if chunk + 1 == s.chunks() {
                            levels[0][l] = digest;
                        }
                    }
                    Item::Compress { level, node } => levels[level][node] = digest,
                }
                timeline.record(it, t);
                taken += 1;
            }
            if t > budget {
                return Err(CardError::Timeout { cycles: t });
            }
        }
        c.uut.in_valid.next = false;
        let timing = PoseidonTiming {
            cycles: if items.is_empty() { 0 } else { timeline.last_out + 1 },
            out_sum: timeline.out_sum,
            permutations: items.len() as u64,
        };
        Ok(MerkleOut { levels, timing })
    }
}
