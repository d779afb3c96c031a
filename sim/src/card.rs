//! The card as the host sees it: an AXI4-Lite register file in XRT's `ap_ctrl_hs` convention
//! (`parallax_hdl::regmap`), device memory with buffers, DMA over PCIe, and the kernel
//! ([crate::controller]) behind an [Engine]. Time advances only in `wait`, as on a real card
//! where the host sleeps until `ap_done`.

use std::path::PathBuf;
use std::time::Duration;

use parallax_hdl::regmap::{self, Error};

use crate::config::CardConfig;
use crate::controller::{self, Args, Failure, Flip};
use crate::engine::{fast::Fast, rtl::Rtl, Engine};
use crate::memory::{Buffer, DeviceMemory};
use crate::report::{RunReport, DMA_IN, DMA_OUT};
use crate::{CardError, EngineKind, Fault};

enum State {
    Idle,
    /// A command in flight: `remaining` kernel cycles until `ap_done` (`None`: it never ends).
    Running { remaining: Option<u64>, report: RunReport, status: Error },
}

/// The card as the host sees it.
pub struct Card {
    config: CardConfig,
    kind: EngineKind,
    engine: Option<Box<dyn Engine>>,
    vcd_dir: Option<PathBuf>,
    mem: DeviceMemory,
    regs: Vec<u32>,
    state: State,
    done_unread: bool,
    faults: Vec<Fault>,
    ledger: RunReport,
}

impl Card {
    pub fn new(config: CardConfig, engine: EngineKind) -> Self {
        let mem = DeviceMemory::new(config.memory.capacity);
        let ledger = RunReport { clock_mhz: config.clock_mhz, ..Default::default() };
        Self {
            config,
            kind: engine,
            engine: None,
            vcd_dir: None,
            mem,
            regs: vec![0; (regmap::SPACE / 4) as usize],
            state: State::Idle,
            done_unread: false,
            faults: vec![],
            ledger,
        }
    }
    pub fn config(&self) -> &CardConfig {
        &self.config
    }
    pub fn engine(&self) -> EngineKind {
        self.kind
    }
    /// With the RTL engine, write the cores' waveforms (`ntt_core.vcd`, `merkle_hasher.vcd`)
    /// into `dir`. Takes effect before the first command.
    pub fn set_vcd_dir(&mut self, dir: PathBuf) {
        self.vcd_dir = Some(dir);
    }
    /// Arms a fault: a bit flip or a hang for the next command, a DMA error for the next
    /// transfer.
    pub fn inject(&mut self, fault: Fault) {
        self.faults.push(fault);
    }
    /// Everything since the last call: DMA transfers and kernel phases, in order.
    pub fn take_report(&mut self) -> RunReport {
        let fresh = RunReport { clock_mhz: self.config.clock_mhz, ..Default::default() };
        std::mem::replace(&mut self.ledger, fresh)
    }

    pub fn alloc(&mut self, words: usize) -> Result<Buffer, CardError> {
        self.mem.alloc(words)
    }
    pub fn free(&mut self, buf: Buffer) {
        self.mem.free(buf);
    }

    fn dma(&mut self, phase: &'static str, words: usize) -> Result<(), CardError> {
        if let Some(i) = self.faults.iter().position(|f| *f == Fault::DmaError) {
            self.faults.remove(i);
            return Err(CardError::Dma(format!("the DMA engine reported an error during {phase} ({} bytes)", 8 * words)));
        }
        let bytes = 8 * words as u64;
        self.ledger.push(phase, self.config.dma_cycles(bytes));
        if phase == DMA_IN {
            self.ledger.bytes_to_card += bytes;
        } else {
            self.ledger.bytes_from_card += bytes;
        }
        Ok(())
    }
    pub(crate) fn range(buf: Buffer, offset: usize, len: usize) -> Result<u64, CardError> {
        if offset.checked_add(len).is_none_or(|end| end > buf.words) {
            return Err(CardError::Device(format!("{len} words at offset {offset} overrun a buffer of {} words", buf.words)));
        }
        Ok(buf.addr + 8 * offset as u64)
    }
    /// Host -> card DMA into `buf` at word `offset`.
    pub fn write(&mut self, buf: Buffer, offset: usize, data: &[u64]) -> Result<(), CardError> {
        let addr = Self::range(buf, offset, data.len())?;
        self.dma(DMA_IN, data.len())?;
        self.mem.write(addr, data)
    }
    /// Card -> host DMA of `len` words of `buf` from word `offset`.
    pub fn read(&mut self, buf: Buffer, offset: usize, len: usize) -> Result<Vec<u64>, CardError> {
        let addr = Self::range(buf, offset, len)?;
        self.dma(DMA_OUT, len)?;
        Ok(self.mem.read(addr, len)?.to_vec())
    }

    fn reg_index(offset: u32) -> Result<usize, CardError> {
        if offset % 4 != 0 || offset >= regmap::SPACE {
            return Err(CardError::Device(format!("no register at {offset:#x}")));
        }
        Ok((offset / 4) as usize)
    }
    pub fn read_reg(&mut self, offset: u32) -> Result<u32, CardError> {
        let i = Self::reg_index(offset)?;
        if offset == regmap::CTRL {
            return Ok(match self.state {
                State::Running { .. } => regmap::CTRL_START,
                State::Idle => {
                    let done = std::mem::take(&mut self.done_unread);
                    regmap::CTRL_IDLE | if done { regmap::CTRL_DONE | regmap::CTRL_READY } else { 0 }
                }
            });
        }
        Ok(self.regs[i])
    }
    pub fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), CardError> {
        let i = Self::reg_index(offset)?;
        if offset == regmap::STATUS || offset == regmap::CYCLES || offset == regmap::CYCLES + 4 {
            return Err(CardError::Device(format!("register {offset:#x} is read-only")));
        }
        if matches!(self.state, State::Running { .. }) && offset != regmap::CTRL {
            return Err(CardError::Device("the kernel is busy: arguments cannot change while it runs".into()));
        }
        if offset == regmap::CTRL {
            return if value & regmap::CTRL_START != 0 { self.start() } else { Ok(()) };
        }
        self.regs[i] = value;
        Ok(())
    }

    fn start(&mut self) -> Result<(), CardError> {
        if matches!(self.state, State::Running { .. }) {
            return Err(CardError::Device("the kernel is busy".into()));
        }
        self.config.validate().map_err(CardError::Device)?;
        if self.engine.is_none() {
            self.engine = Some(match self.kind {
                EngineKind::Fast => Box::new(Fast),
                EngineKind::Rtl => Box::new(Rtl::new(self.vcd_dir.clone())?),
            });
        }
        let args = Args::from_regs(|o| self.regs[(o / 4) as usize]);
        let (mut flips, mut hang) = (vec![], false);
        self.faults.retain(|f| match *f {
            Fault::FlipBit { region, word, bit } => {
                flips.push(Flip { region, word, bit });
                false
            }
            Fault::HangCore => {
                hang = true;
                false
            }
            Fault::DmaError => true,
        });
        let engine = self.engine.as_deref().expect("engine built");
        let (report, status) = match controller::run(&self.config, &mut self.mem, engine, &args, &flips) {
            Ok(r) => (r, Error::None),
            Err(Failure::Kernel(e)) => (RunReport { clock_mhz: self.config.clock_mhz, ..Default::default() }, e),
            Err(Failure::Engine(e)) => return Err(e),
        };
        let remaining = (!hang).then_some(report.total_cycles);
        self.state = State::Running { remaining, report, status };
        Ok(())
    }

    /// Waits up to `timeout` of card time for the running command's `ap_done`.
    pub fn wait(&mut self, timeout: Duration) -> Result<(), CardError> {
        let budget = (timeout.as_secs_f64() * self.config.clock_mhz as f64 * 1e6).min(u64::MAX as f64) as u64;
        match &mut self.state {
            State::Idle => Err(CardError::Device("wait: no command is running".into())),
            State::Running { remaining: Some(r), .. } if *r <= budget => {
                let State::Running { report, status, .. } = std::mem::replace(&mut self.state, State::Idle) else {
                    unreachable!("matched Running")
                };
                self.regs[(regmap::STATUS / 4) as usize] = status as u32;
                self.regs[(regmap::CYCLES / 4) as usize] = report.total_cycles as u32;
                self.regs[(regmap::CYCLES / 4 + 1) as usize] = (report.total_cycles >> 32) as u32;
                self.ledger.absorb(&report);
                self.done_unread = true;
                regmap::check_status(status as u32).map_err(CardError::Device)
            }
            State::Running { remaining, .. } => {
                if let Some(r) = remaining {
                    *r -= budget;
                }
                Err(CardError::Timeout { cycles: budget })
            }
        }
    }

    /// Aborts a running command and clears armed faults and the argument registers (what
    /// resetting the kernel does); device memory keeps its buffers.
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.faults.clear();
        self.regs.iter_mut().for_each(|r| *r = 0);
        self.done_unread = false;
    }
}

// The host shares one card between threads behind a lock.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Card>();
};
