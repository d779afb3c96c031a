//! The `sim` backend: the cycle-accurate card simulator (`parallax-sim`), driven through the card's
//! one "LDE and commit" command. One card serves every command in order (one kernel instance), as
//! one driver handle owns a real device.

use std::sync::{Mutex, PoisonError};

use parallax_sim::{Card, CardConfig, EngineKind, Fault};
use plonky2::field::polynomial::PolynomialValues;

use super::{into_batch, AccelError, Accelerator, Committed};
use crate::prover::F;

/// One simulated card.
pub struct SimAccelerator {
    config: CardConfig,
    card: Mutex<Card>,
}

impl Default for SimAccelerator {
    /// The default card (`CardConfig::default()`) on the fast cycle model.
    fn default() -> Self {
        Self::new(CardConfig::default(), EngineKind::Fast)
    }
}

impl SimAccelerator {
    pub fn new(config: CardConfig, engine: EngineKind) -> Self {
        Self { card: Mutex::new(Card::new(config.clone(), engine)), config }
    }

    /// Arms `fault` for the card's next command (tests of the fallback path).
    pub fn inject(&self, fault: Fault) {
        self.card().inject(fault);
    }

    pub fn config(&self) -> &CardConfig {
        &self.config
    }

    /// The card. A command that panicked (the committer catches it and falls back) leaves it in
    /// an unknown state, so a poisoned lock power-cycles the card.
    fn card(&self) -> std::sync::MutexGuard<'_, Card> {
        self.card.lock().unwrap_or_else(|poisoned: PoisonError<_>| {
            let mut card = poisoned.into_inner();
            *card = Card::new(self.config.clone(), card.engine());
            self.card.clear_poison();
            card
        })
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
        let c = self.card().lde_and_commit(trace, rate_bits, cap_height)?;
        let batch = into_batch(c.coeffs, c.leaves, c.digests, c.cap, degree.trailing_zeros() as usize, rate_bits);
        Ok(Committed { batch, report: Some(c.report) })
    }
}
