//! `ControlModel`: the control slave's register semantics at the transaction level, the naive
//! twin of [super::KernelControl]. The emitted RTL is run against it by the harness
//! ([super::harness]) and the Rust-HDL block in `hdl/tests/control_sim.rs`. Transactions are
//! one at a time (a write's response, a read's data, or one cycle of the core's `done`), so the
//! one cycle between the start write and the kernel taking it is not visible here.

use super::control::{arg_word_offsets, RESP_OKAY, RESP_SLVERR};
use crate::regmap;

#[derive(Clone, Debug, Default)]
pub struct ControlModel {
    /// `ap_start` set and not yet finished (the RTL's `ap_start | busy`).
    pending: bool,
    ap_done: bool,
    ap_ready: bool,
    gie: bool,
    ier: u32,
    isr: u32,
    /// Argument words, by byte offset.
    args: Vec<(u32, u32)>,
    status: u32,
    cycles: u64,
}

/// The byte-lane mask of a write strobe.
pub fn strobe_mask(strb: u8) -> u32 {
    (0..4)
        .filter(|b| (strb >> b) & 1 == 1)
        .fold(0, |m, b| m | (0xFF << (8 * b)))
}

impl ControlModel {
    /// The state after reset.
    pub fn new() -> Self {
        Self {
            args: arg_word_offsets().iter().map(|&o| (o, 0)).collect(),
            ..Default::default()
        }
    }

    fn word(addr: u32) -> u32 {
        addr & !3
    }

    /// A host write; returns BRESP. The kernel takes a start at once (`starts` counts it).
    pub fn write(&mut self, addr: u32, data: u32, strb: u8) -> (u64, bool) {
        let a = Self::word(addr);
        let in_args = (regmap::ARG_COMMAND..regmap::STATUS).contains(&a);
        let read_only = a == regmap::STATUS || a == regmap::CYCLES || a == regmap::CYCLES + 4;
        if !addr.is_multiple_of(4) || a >= regmap::SPACE || read_only || (self.pending && in_args) {
            return (RESP_SLVERR, false);
        }
        let mask = strobe_mask(strb);
        if let Some(slot) = self.args.iter_mut().find(|(o, _)| *o == a) {
            slot.1 = (slot.1 & !mask) | (data & mask);
        }
        let mut started = false;
        if strb & 1 == 1 {
            match a {
                regmap::GIE => self.gie = data & 1 == 1,
                regmap::IER => self.ier = data & 3,
                regmap::ISR => self.isr ^= data & 3,
                regmap::CTRL if data & regmap::CTRL_START != 0 && !self.pending => {
                    self.pending = true;
                    started = true;
                }
                _ => {}
            }
        }
        (RESP_OKAY, started)
    }

    /// A host read; returns (RDATA, RRESP).
    pub fn read(&mut self, addr: u32) -> (u32, u64) {
        let a = Self::word(addr);
        if !addr.is_multiple_of(4) || a >= regmap::SPACE {
            return (0, RESP_SLVERR);
        }
        let v = match a {
            regmap::CTRL => {
                let bit = |on: bool, b: u32| if on { b } else { 0 };
                let v = bit(self.pending, regmap::CTRL_START)
                    | bit(self.ap_done, regmap::CTRL_DONE)
                    | bit(!self.pending, regmap::CTRL_IDLE)
                    | bit(self.ap_ready, regmap::CTRL_READY);
                self.ap_done = false;
                self.ap_ready = false;
                v
            }
            regmap::GIE => self.gie as u32,
            regmap::IER => self.ier,
            regmap::ISR => self.isr,
            regmap::STATUS => self.status,
            regmap::CYCLES => self.cycles as u32,
            a if a == regmap::CYCLES + 4 => (self.cycles >> 32) as u32,
            a => self.args.iter().find(|(o, _)| *o == a).map_or(0, |s| s.1),
        };
        (v, RESP_OKAY)
    }

    /// The core's `done` with its results; ignored unless a command is pending.
    pub fn done(&mut self, status: u32, cycles: u64) {
        if !self.pending {
            return;
        }
        self.pending = false;
        self.ap_done = true;
        self.ap_ready = true;
        self.status = status;
        self.cycles = cycles;
        self.isr |= self.ier;
    }

    pub fn pending(&self) -> bool {
        self.pending
    }

    pub fn interrupt(&self) -> bool {
        self.gie && self.isr != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_follows_the_documented_sequence() {
        let mut m = ControlModel::new();
        assert_eq!(m.read(regmap::CTRL), (regmap::CTRL_IDLE, RESP_OKAY));
        assert_eq!(m.write(regmap::ARG_VALUES + 4, 7, 0xF), (RESP_OKAY, false));
        assert_eq!(m.write(regmap::CTRL, 1, 0xF), (RESP_OKAY, true));
        assert_eq!(m.write(regmap::ARG_VALUES, 7, 0xF), (RESP_SLVERR, false));
        assert_eq!(m.read(regmap::CTRL).0, regmap::CTRL_START);
        m.done(2, 9);
        assert_eq!(
            m.read(regmap::CTRL).0,
            regmap::CTRL_IDLE | regmap::CTRL_DONE | regmap::CTRL_READY
        );
        assert_eq!(m.read(regmap::CTRL).0, regmap::CTRL_IDLE);
        assert_eq!(m.read(regmap::STATUS).0, 2);
        assert_eq!(m.read(regmap::ARG_VALUES + 4).0, 7);
        assert_eq!(strobe_mask(0b1001), 0xFF00_00FF);
        assert_eq!(m.read(regmap::CTRL + 1), (0, RESP_SLVERR));
        assert_eq!(m.write(regmap::CTRL + 2, 1, 0xF), (RESP_SLVERR, false));
    }
}
