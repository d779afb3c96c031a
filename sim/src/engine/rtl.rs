//! The RTL engine: the Rust-HDL cores themselves (`parallax_hdl::ntt::NttCore`,
//! `parallax_hdl::poseidon::MerkleHasher`: the Merkle mode layer on the Poseidon core), clocked
//! cycle by cycle with the controller's handshakes. Slow (Rust-HDL simulates ~10k NTT-core cycles/s and ~15 Poseidon-core cycles/s
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
use parallax_hdl::poseidon::{lanes_to_bits, MerkleHasher, WIDTH};
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
    /// `merkle_hasher.vcd` there (one waveform per core for the card's lifetime).
    pub fn new(vcd_dir: Option<PathBuf>) -> Result<Self, CardError> {
        let (tx, rx) = channel::<Request>();
        let worker = std::thread::Builder::new()
            .name("parallax-sim-rtl".into())
            .stack_size(1 << 30)
            .spawn(move || {
                let mut cores = Cores { vcd_dir, ntt: None, merkle: None };
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
    merkle: Option<Clocked<MerkleHasher>>,
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

    fn merkle_hasher(&mut self) -> Result<&mut Clocked<MerkleHasher>, CardError> {
        if self.merkle.is_none() {
            self.merkle = Some(self.build("merkle_hasher.vcd", |u: &mut MerkleHasher| &mut u.clock, |u, r| u.reset.next = r)?);
        }
        Ok(self.merkle.as_mut().expect("built"))
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

    /// Walks the schedule through the Merkle hasher (the mode layer on the core): every item
    /// is offered in order, a leaf's later chunk as soon as it is next (the hasher takes it when
    /// its state is at the core's output head), a compression once its two digests are out.
    fn merkle(&mut self, s: &Schedule, leaves: &[u64]) -> Result<MerkleOut, CardError> {
        let items = super::fast::items(s);
        let leaf = |l: usize| &leaves[l * s.leaf_len..(l + 1) * s.leaf_len];
        let mut levels: Vec<Vec<[u64; DIGEST]>> = (0..=s.levels()).map(|l| vec![[0; DIGEST]; s.leaves >> l]).collect();
        if s.chunks() == 0 {
            for (l, d) in levels[0].iter_mut().enumerate() {
                *d = Schedule::noop_digest(leaf(l));
            }
        }
        let mut timeline = Timeline::new(s);
        // Items whose digest is still to come, in order.
        let mut pending: VecDeque<Item> = VecDeque::new();
        let emits = items.iter().filter(|&&it| s.emits(it)).count();
        let budget = 2 * items.len() as u64 * (1 + s.levels() as u64) + 4 * super::POSEIDON_ACCEPT_TO_TAKE * (2 + s.chunks() as u64 + s.levels() as u64);
        let c = self.merkle_hasher()?;
        let (start, mut next, mut taken) = (c.cycle, 0usize, 0usize);
        while taken < emits {
            let t = c.cycle - start;
            let offer = items.get(next).copied().filter(|&it| match it {
                Item::Absorb { .. } => true,
                Item::Compress { .. } => timeline.ready(it) <= t,
            });
            c.uut.in_valid.next = offer.is_some();
            if let Some(it) = offer {
                let (data, first) = match it {
                    Item::Absorb { leaf: l, chunk } => (Schedule::chunk(leaf(l), chunk).to_vec(), chunk == 0),
                    Item::Compress { level, node } => {
                        let below = &levels[level - 1];
                        ([below[2 * node], below[2 * node + 1]].concat(), true)
                    }
                };
                let mut lanes = [0u64; WIDTH];
                lanes[..data.len()].copy_from_slice(&data);
                c.uut.in_data.next = lanes_to_bits(&lanes).get_bits::<512>(0);
                c.uut.in_len.next = (data.len() as u64).to_bits();
                c.uut.in_first.next = first;
                c.uut.in_last.next = s.emits(it);
            }
            c.uut.out_ready.next = true;
            c.eval()?;
            let accepted = offer.is_some() && c.uut.in_ready.val();
            let out = c.uut.out_valid.val().then(|| c.uut.out_digest.val());
            c.edge()?;
            if accepted {
                let it = items[next];
                timeline.issue(it);
                if s.emits(it) {
                    pending.push_back(it);
                }
                next += 1;
            }
            if let Some(d) = out {
                let it = pending.pop_front().ok_or_else(|| CardError::Device("Merkle hasher: a digest nobody asked for".into()))?;
                let digest: [u64; DIGEST] = std::array::from_fn(|i| d.get_bits::<64>(64 * i).to_u64());
                match it {
                    Item::Absorb { leaf: l, .. } => levels[0][l] = digest,
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
