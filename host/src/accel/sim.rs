//! The `sim` backend: the cycle-accurate card simulator (`parallax-sim`), driven through the card's
//! one "LDE and commit" command.
//!
//! The card lives on a thread of its own and commands reach it over a channel, as a driver thread
//! owns a real device handle: one card serves every command in order (one kernel instance), and the
//! card model need not be `Send` (its engines are `Sync` only), since it is built on that thread and
//! never leaves it.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

use parallax_sim::{Card, CardConfig, EngineKind, Fault};
use plonky2::field::polynomial::{PolynomialCoeffs, PolynomialValues};
use plonky2::fri::oracle::PolynomialBatch;
use plonky2::hash::merkle_tree::{MerkleCap, MerkleTree};

use super::{AccelError, Accelerator, Committed};
use crate::prover::F;

type Job = Box<dyn FnOnce(&mut Card) + Send>;

/// One simulated card.
pub struct SimAccelerator {
    config: CardConfig,
    jobs: Option<mpsc::Sender<Job>>,
    worker: Option<thread::JoinHandle<()>>,
}

impl Default for SimAccelerator {
    /// The default card (`CardConfig::default()`) on the fast cycle model.
    fn default() -> Self {
        Self::new(CardConfig::default(), EngineKind::Fast)
    }
}

impl SimAccelerator {
    /// A card on its own thread. Panics if the thread cannot be started; see [`Self::try_new`].
    pub fn new(config: CardConfig, engine: EngineKind) -> Self {
        Self::try_new(config, engine).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_new(config: CardConfig, engine: EngineKind) -> Result<Self, AccelError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let card_config = config.clone();
        let worker = thread::Builder::new()
            .name("parallax-sim card".into())
            .spawn(move || {
                let mut card = Card::new(card_config.clone(), engine);
                for job in queue {
                    // A panicking command drops its reply (the caller sees a device error) and
                    // leaves a card in an unknown state: power-cycle it.
                    if panic::catch_unwind(AssertUnwindSafe(|| job(&mut card))).is_err() {
                        card = Card::new(card_config.clone(), engine);
                    }
                }
            })
            .map_err(|e| AccelError::Device(format!("cannot start the simulator thread: {e}")))?;
        Ok(Self { config, jobs: Some(jobs), worker: Some(worker) })
    }

    /// Arms `fault` for the card's next command (tests of the fallback path).
    pub fn inject(&self, fault: Fault) {
        // A card whose thread is gone runs no further commands, so nothing is lost.
        let _ = self.run(move |card| card.inject(fault));
    }

    pub fn config(&self) -> &CardConfig {
        &self.config
    }

    /// Runs `f` on the card and waits for its result.
    fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Card) -> T + Send + 'static) -> Result<T, AccelError> {
        let (reply, result) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |card| {
            let _ = reply.send(f(card));
        });
        let stopped = || AccelError::Device("the simulator stopped".into());
        self.jobs.as_ref().ok_or_else(stopped)?.send(job).map_err(|_| stopped())?;
        result.recv().map_err(|_| AccelError::Device("the simulator panicked during the command (see above)".into()))
    }
}

impl Drop for SimAccelerator {
    fn drop(&mut self) {
        self.jobs.take(); // closes the queue: the thread ends after the last command
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Accelerator for SimAccelerator {
    fn name(&self) -> &'static str {
        "sim"
    }

    fn commit(&self, trace: &[PolynomialValues<F>], rate_bits: usize, cap_height: usize) -> Result<Committed, AccelError> {
        let degree = trace.first().map_or(0, |c| c.len());
        if !degree.is_power_of_two() || trace.iter().any(|c| c.len() != degree) {
            return Err(AccelError::Unsupported(format!("columns must share one power-of-two length (got {degree})")));
        }
        // The copy is what the card's DMA reads; the trace stays the caller's.
        let columns = trace.to_vec();
        let c = self.run(move |card| card.lde_and_commit(&columns, rate_bits, cap_height))??;
        let batch = PolynomialBatch {
            polynomials: c.coeffs.into_iter().map(PolynomialCoeffs::new).collect(),
            merkle_tree: MerkleTree { leaves: c.leaves, digests: c.digests, cap: MerkleCap(c.cap) },
            degree_log: degree.trailing_zeros() as usize,
            rate_bits,
            blinding: false,
        };
        Ok(Committed { batch, report: Some(c.report) })
    }
}
