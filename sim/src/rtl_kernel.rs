//! The RTL kernel top (`parallax_hdl::kernel::top::ParallaxKernel`, issue 9) clocked cycle by
//! cycle against the card's device memory: each AXI4 master port is served by an AXI4 slave
//! model over the same [DeviceMemory] the [crate::Card] uses, and the host side is AXI4-Lite
//! register traffic in the register map's sequence (arguments, `ap_start`, poll `CTRL` until
//! `ap_done`). [run] runs one command this way ([lde] the LDE command). The memory answers every handshake at once
//! (no stalls: the engines' stall behaviour is covered by `hdl/tests/axi_engines_sim.rs`), with
//! SLVERR for addresses outside an allocation.

use parallax_hdl::kernel::top::ParallaxKernel;
use parallax_hdl::regmap;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

use crate::memory::DeviceMemory;
use crate::CardError;

/// An AXI4 slave read channel pair: bursts accepted on AR, answered one beat per cycle on R.
#[derive(Default)]
struct ReadPort {
    /// Open bursts: (next address, beats left).
    bursts: VecDeque<(u64, u64)>,
}

struct ReadOut {
    arready: bool,
    rvalid: bool,
    rdata: u64,
    rresp: u64,
    rlast: bool,
}

impl ReadPort {
    fn outputs(&self, mem: &DeviceMemory) -> ReadOut {
        match self.bursts.front() {
            Some(&(addr, left)) => {
                let (rdata, rresp) = match mem.read(addr, 1) {
                    Ok(w) => (w[0], 0),
                    Err(_) => (0, 2),
                };
                ReadOut { arready: true, rvalid: true, rdata, rresp, rlast: left == 1 }
            }
            None => ReadOut { arready: true, rvalid: false, rdata: 0, rresp: 0, rlast: false },
        }
    }
    /// Handshakes at the coming edge.
    fn edge(&mut self, ar: Option<(u64, u64)>, r_taken: bool) {
        if r_taken {
            let (addr, left) = self.bursts.pop_front().expect("a burst is open");
            if left > 1 {
                self.bursts.push_front((addr + 8, left - 1));
            }
        }
        if let Some((addr, len)) = ar {
            self.bursts.push_back((addr, len + 1));
        }
    }
}

/// An AXI4 slave write channel triple: one burst at a time, words written as they arrive, the
/// response the cycle after the last beat.
#[derive(Default)]
struct WritePort {
    /// The open burst: (next address, beats left, an error seen).
    open: Option<(u64, u64, bool)>,
    /// Responses owed: BRESP.
    responses: VecDeque<u64>,
}

struct WriteOut {
    awready: bool,
    wready: bool,
    bvalid: bool,
    bresp: u64,
}

impl WritePort {
    fn outputs(&self) -> WriteOut {
        WriteOut {
            awready: self.open.is_none(),
            wready: self.open.is_some(),
            bvalid: !self.responses.is_empty(),
            bresp: self.responses.front().copied().unwrap_or(0),
        }
    }
    fn edge(&mut self, mem: &mut DeviceMemory, aw: Option<(u64, u64)>, w: Option<u64>, b_taken: bool) {
        if b_taken {
            self.responses.pop_front();
        }
        if let Some(data) = w {
            let (addr, left, err) = self.open.take().expect("W inside a burst");
            let err = err || mem.write(addr, &[data]).is_err();
            if left > 1 {
                self.open = Some((addr + 8, left - 1, err));
            } else {
                self.responses.push_back(if err { 2 } else { 0 });
            }
        }
        if let Some((addr, len)) = aw {
            self.open = Some((addr, len + 1, false));
        }
    }
}

/// The kernel top with its memory ports (each channel its own slave model, all over one
/// device memory) and an AXI4-Lite host.
pub(crate) struct RtlKernel {
    uut: Box<ParallaxKernel>,
    values: ReadPort,
    coeffs_rd: ReadPort,
    coeffs_wr: WritePort,
    leaves_rd: ReadPort,
    leaves_wr: WritePort,
    digests_rd: ReadPort,
    digests_wr: WritePort,
    cap_wr: WritePort,
    /// Rising edges so far.
    pub cycle: u64,
}

impl RtlKernel {
    /// Out of reset; with `core` [PoseidonCore::StandIn] the permutation pipeline is simulated
    /// by its port model.
    pub(crate) fn new(core: PoseidonCore) -> Result<Self, CardError> {
        let mut uut = Box::<ParallaxKernel>::default();
        if core == PoseidonCore::StandIn {
            uut.stand_in_poseidon_core();
        }
        uut.connect_all();
        let mut k = Self {
            uut,
            values: ReadPort::default(),
            coeffs_rd: ReadPort::default(),
            coeffs_wr: WritePort::default(),
            leaves_rd: ReadPort::default(),
            leaves_wr: WritePort::default(),
            digests_rd: ReadPort::default(),
            digests_wr: WritePort::default(),
            cap_wr: WritePort::default(),
            cycle: 0,
        };
        k.reset()?;
        Ok(k)
    }

    /// `ap_rst_n` low for 4 cycles; the memory ports drop what was in flight.
    pub(crate) fn reset(&mut self) -> Result<(), CardError> {
        let mut mem = DeviceMemory::new(0);
        (self.values, self.coeffs_rd, self.leaves_rd, self.digests_rd) = Default::default();
        (self.coeffs_wr, self.leaves_wr, self.digests_wr, self.cap_wr) = Default::default();
        self.uut.ap_rst_n.next = false;
        for _ in 0..4 {
            self.tick(&mut mem)?;
        }
        self.uut.ap_rst_n.next = true;
        Ok(())
    }

    fn settle(&mut self) -> Result<(), CardError> {
        for _ in 0..1000 {
            self.uut.update_all();
            if !self.uut.has_changed() {
                return Ok(());
            }
        }
        Err(CardError::Device("RTL kernel: logic did not settle".into()))
    }

    /// One cycle: the memory ports answer, then a rising edge.
    fn tick(&mut self, mem: &mut DeviceMemory) -> Result<(), CardError> {
        let u = &mut self.uut;
        let r0 = self.values.outputs(mem);
        u.m_axi_gmem0_arready.next = r0.arready;
        u.m_axi_gmem0_rvalid.next = r0.rvalid;
        u.m_axi_gmem0_rdata.next = r0.rdata.to_bits();
        u.m_axi_gmem0_rresp.next = r0.rresp.to_bits();
        u.m_axi_gmem0_rlast.next = r0.rlast;
        let r1 = self.coeffs_rd.outputs(mem);
        u.m_axi_gmem1_arready.next = r1.arready;
        u.m_axi_gmem1_rvalid.next = r1.rvalid;
        u.m_axi_gmem1_rdata.next = r1.rdata.to_bits();
        u.m_axi_gmem1_rresp.next = r1.rresp.to_bits();
        u.m_axi_gmem1_rlast.next = r1.rlast;
        let r2 = self.leaves_rd.outputs(mem);
        u.m_axi_gmem2_arready.next = r2.arready;
        u.m_axi_gmem2_rvalid.next = r2.rvalid;
        u.m_axi_gmem2_rdata.next = r2.rdata.to_bits();
        u.m_axi_gmem2_rresp.next = r2.rresp.to_bits();
        u.m_axi_gmem2_rlast.next = r2.rlast;
        let r3 = self.digests_rd.outputs(mem);
        u.m_axi_gmem3_arready.next = r3.arready;
        u.m_axi_gmem3_rvalid.next = r3.rvalid;
        u.m_axi_gmem3_rdata.next = r3.rdata.to_bits();
        u.m_axi_gmem3_rresp.next = r3.rresp.to_bits();
        u.m_axi_gmem3_rlast.next = r3.rlast;
        let w1 = self.coeffs_wr.outputs();
        u.m_axi_gmem1_awready.next = w1.awready;
        u.m_axi_gmem1_wready.next = w1.wready;
        u.m_axi_gmem1_bvalid.next = w1.bvalid;
        u.m_axi_gmem1_bresp.next = w1.bresp.to_bits();
        let w2 = self.leaves_wr.outputs();
        u.m_axi_gmem2_awready.next = w2.awready;
        u.m_axi_gmem2_wready.next = w2.wready;
        u.m_axi_gmem2_bvalid.next = w2.bvalid;
        u.m_axi_gmem2_bresp.next = w2.bresp.to_bits();
        let w3 = self.digests_wr.outputs();
        u.m_axi_gmem3_awready.next = w3.awready;
        u.m_axi_gmem3_wready.next = w3.wready;
        u.m_axi_gmem3_bvalid.next = w3.bvalid;
        u.m_axi_gmem3_bresp.next = w3.bresp.to_bits();
        let w4 = self.cap_wr.outputs();
        u.m_axi_gmem4_awready.next = w4.awready;
        u.m_axi_gmem4_wready.next = w4.wready;
        u.m_axi_gmem4_bvalid.next = w4.bvalid;
        u.m_axi_gmem4_bresp.next = w4.bresp.to_bits();
        self.settle()?;
        let u = &self.uut;
        let r0_ar = (u.m_axi_gmem0_arvalid.val() && r0.arready)
            .then(|| (u.m_axi_gmem0_araddr.val().to_u64(), u.m_axi_gmem0_arlen.val().to_u64()));
        let r0_r = r0.rvalid && u.m_axi_gmem0_rready.val();
        let r1_ar = (u.m_axi_gmem1_arvalid.val() && r1.arready)
            .then(|| (u.m_axi_gmem1_araddr.val().to_u64(), u.m_axi_gmem1_arlen.val().to_u64()));
        let r1_r = r1.rvalid && u.m_axi_gmem1_rready.val();
        let r2_ar = (u.m_axi_gmem2_arvalid.val() && r2.arready)
            .then(|| (u.m_axi_gmem2_araddr.val().to_u64(), u.m_axi_gmem2_arlen.val().to_u64()));
        let r2_r = r2.rvalid && u.m_axi_gmem2_rready.val();
        let r3_ar = (u.m_axi_gmem3_arvalid.val() && r3.arready)
            .then(|| (u.m_axi_gmem3_araddr.val().to_u64(), u.m_axi_gmem3_arlen.val().to_u64()));
        let r3_r = r3.rvalid && u.m_axi_gmem3_rready.val();
        let w1_aw = (u.m_axi_gmem1_awvalid.val() && w1.awready)
            .then(|| (u.m_axi_gmem1_awaddr.val().to_u64(), u.m_axi_gmem1_awlen.val().to_u64()));
        let w1_w = (u.m_axi_gmem1_wvalid.val() && w1.wready).then(|| u.m_axi_gmem1_wdata.val().to_u64());
        let w1_b = w1.bvalid && u.m_axi_gmem1_bready.val();
        let w2_aw = (u.m_axi_gmem2_awvalid.val() && w2.awready)
            .then(|| (u.m_axi_gmem2_awaddr.val().to_u64(), u.m_axi_gmem2_awlen.val().to_u64()));
        let w2_w = (u.m_axi_gmem2_wvalid.val() && w2.wready).then(|| u.m_axi_gmem2_wdata.val().to_u64());
        let w2_b = w2.bvalid && u.m_axi_gmem2_bready.val();
        let w3_aw = (u.m_axi_gmem3_awvalid.val() && w3.awready)
            .then(|| (u.m_axi_gmem3_awaddr.val().to_u64(), u.m_axi_gmem3_awlen.val().to_u64()));
        let w3_w = (u.m_axi_gmem3_wvalid.val() && w3.wready).then(|| u.m_axi_gmem3_wdata.val().to_u64());
        let w3_b = w3.bvalid && u.m_axi_gmem3_bready.val();
        let w4_aw = (u.m_axi_gmem4_awvalid.val() && w4.awready)
            .then(|| (u.m_axi_gmem4_awaddr.val().to_u64(), u.m_axi_gmem4_awlen.val().to_u64()));
        let w4_w = (u.m_axi_gmem4_wvalid.val() && w4.wready).then(|| u.m_axi_gmem4_wdata.val().to_u64());
        let w4_b = w4.bvalid && u.m_axi_gmem4_bready.val();
        self.values.edge(r0_ar, r0_r);
        self.coeffs_rd.edge(r1_ar, r1_r);
        self.leaves_rd.edge(r2_ar, r2_r);
        self.digests_rd.edge(r3_ar, r3_r);
        self.coeffs_wr.edge(mem, w1_aw, w1_w, w1_b);
        self.leaves_wr.edge(mem, w2_aw, w2_w, w2_b);
        self.digests_wr.edge(mem, w3_aw, w3_w, w3_b);
        self.cap_wr.edge(mem, w4_aw, w4_w, w4_b);
        self.uut.ap_clk.next = Clock { clk: true };
        self.settle()?;
        self.uut.ap_clk.next = Clock { clk: false };
        self.settle()?;
        self.cycle += 1;
        Ok(())
    }

    /// An AXI4-Lite register write (both phases at once); an error response is an error.
    pub(crate) fn write_reg(&mut self, mem: &mut DeviceMemory, offset: u32, value: u32) -> Result<(), CardError> {
        let u = &mut self.uut;
        u.s_axi_control_awvalid.next = true;
        u.s_axi_control_awaddr.next = (offset as u64).to_bits();
        u.s_axi_control_wvalid.next = true;
        u.s_axi_control_wdata.next = (value as u64).to_bits();
        u.s_axi_control_wstrb.next = 0xFu64.to_bits();
        u.s_axi_control_bready.next = true;
        let (mut aw, mut w) = (false, false);
        for _ in 0..16 {
            self.settle()?;
            let u = &mut self.uut;
            aw |= u.s_axi_control_awvalid.val() && u.s_axi_control_awready.val();
            w |= u.s_axi_control_wvalid.val() && u.s_axi_control_wready.val();
            let b = u.s_axi_control_bvalid.val().then(|| u.s_axi_control_bresp.val().to_u64());
            self.tick(mem)?;
            let u = &mut self.uut;
            if aw {
                u.s_axi_control_awvalid.next = false;
            }
            if w {
                u.s_axi_control_wvalid.next = false;
            }
            if let Some(resp) = b {
                u.s_axi_control_bready.next = false;
                return match resp {
                    0 => Ok(()),
                    r => Err(CardError::Device(format!("register write {offset:#x}: BRESP {r}"))),
                };
            }
        }
        Err(CardError::Device(format!("register write {offset:#x}: no response")))
    }

    /// An AXI4-Lite register read.
    pub(crate) fn read_reg(&mut self, mem: &mut DeviceMemory, offset: u32) -> Result<u32, CardError> {
        let u = &mut self.uut;
        u.s_axi_control_arvalid.next = true;
        u.s_axi_control_araddr.next = (offset as u64).to_bits();
        u.s_axi_control_rready.next = true;
        for _ in 0..16 {
            self.settle()?;
            let u = &self.uut;
            let ar = u.s_axi_control_arvalid.val() && u.s_axi_control_arready.val();
            let r = u.s_axi_control_rvalid.val().then(|| {
                (u.s_axi_control_rdata.val().to_u64() as u32, u.s_axi_control_rresp.val().to_u64())
            });
            self.tick(mem)?;
            if ar {
                self.uut.s_axi_control_arvalid.next = false;
            }
            if let Some((v, resp)) = r {
                self.uut.s_axi_control_rready.next = false;
                return match resp {
                    0 => Ok(v),
                    r => Err(CardError::Device(format!("register read {offset:#x}: RRESP {r}"))),
                };
            }
        }
        Err(CardError::Device(format!("register read {offset:#x}: no response")))
    }

    /// Polls `CTRL` until `ap_done` (which reading clears), for at most `max_cycles`.
    pub(crate) fn wait(&mut self, mem: &mut DeviceMemory, max_cycles: u64) -> Result<(), CardError> {
        let start = self.cycle;
        while self.read_reg(mem, regmap::CTRL)? & regmap::CTRL_DONE == 0 {
            if self.cycle - start > max_cycles {
                return Err(CardError::Timeout { cycles: max_cycles });
            }
            for _ in 0..32 {
                self.tick(mem)?;
            }
        }
        Ok(())
    }

    /// Sets `ap_start` and waits for `ap_done`; returns (STATUS, CYCLES).
    pub(crate) fn run(&mut self, mem: &mut DeviceMemory, max_cycles: u64) -> Result<(u32, u64), CardError> {
        self.write_reg(mem, regmap::CTRL, regmap::CTRL_START)?;
        self.wait(mem, max_cycles)?;
        let status = self.read_reg(mem, regmap::STATUS)?;
        let lo = self.read_reg(mem, regmap::CYCLES)? as u64;
        let hi = self.read_reg(mem, regmap::CYCLES + 4)? as u64;
        Ok((status, lo | hi << 32))
    }
}

/// How the kernel's Poseidon permutation core is simulated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoseidonCore {
    /// The 842-stage pipeline itself (Rust-HDL: ~10 cycles/s).
    Rtl,
    /// Its port model (`parallax_hdl::poseidon::PoseidonCore::stand_in`: plonky2's permutation
    /// with the core's latency and credit); everything else stays the RTL.
    StandIn,
}

/// One command for the RTL kernel, in device memory allocated as the host driver does.
#[derive(Clone, Debug)]
pub struct Request {
    pub command: u32,
    pub log_rows: u32,
    pub columns: u32,
    pub rate_bits: u32,
    pub cap_height: u32,
    /// Column-major, `columns << log_rows` words (what Lde reads).
    pub values: Vec<u64>,
    /// Row-major, `columns << (log_rows + rate_bits)` words, in the leaves buffer beforehand
    /// (what Commit reads; Lde overwrites it).
    pub leaves: Vec<u64>,
    /// The buffer argument with this index (values, coeffs, leaves, digests, cap) points past
    /// the end of device memory, where reads and writes answer SLVERR.
    pub misplaced: Option<usize>,
    pub core: PoseidonCore,
}

impl Request {
    /// An Lde command on `values` (zero leaves, cap height 0, the stand-in core).
    pub fn lde(values: &[u64], log_rows: u32, columns: u32, rate_bits: u32) -> Self {
        let leaves = vec![0; (columns as usize) << (log_rows + rate_bits)];
        Self {
            command: regmap::Command::Lde as u32,
            log_rows,
            columns,
            rate_bits,
            cap_height: 0,
            values: values.to_vec(),
            leaves,
            misplaced: None,
            core: PoseidonCore::StandIn,
        }
    }
    /// A Commit command on `leaves` (2^log_lde rows of `columns`; as log_rows = log_lde,
    /// rate_bits = 0).
    pub fn commit(leaves: &[u64], log_lde: u32, columns: u32, cap_height: u32) -> Self {
        Self {
            command: regmap::Command::Commit as u32,
            cap_height,
            values: vec![0; (columns as usize) << log_lde],
            leaves: leaves.to_vec(),
            ..Self::lde(&[], log_lde, columns, 0)
        }
    }
}

/// What a run gives: the kernel's status and cycles, and the buffers read back.
#[derive(Clone, Debug)]
pub struct Run {
    pub status: u32,
    pub cycles: u64,
    /// Column-major, `columns << log_rows` words.
    pub coeffs: Vec<u64>,
    /// Row-major, rows bit-reversed, `columns << (log_rows + rate_bits)` words.
    pub leaves: Vec<u64>,
    /// plonky2's `MerkleTree::digests` and cap, 4 words each.
    pub digests: Vec<u64>,
    pub cap: Vec<u64>,
}

/// Runs the Lde command (see [Request::lde]).
pub fn lde(values: &[u64], log_rows: u32, columns: u32, rate_bits: u32) -> Result<Run, CardError> {
    run(&Request::lde(values, log_rows, columns, rate_bits))
}

/// Runs one command on a fresh RTL kernel ([RtlCard], whose thread has the large stack Rust-HDL
/// needs to build and connect the Poseidon pipeline).
pub fn run(req: &Request) -> Result<Run, CardError> {
    let card = RtlCard::new(1 << 30, crate::CardConfig::default().clock_mhz, req.core)?;
    let req = req.clone();
    card.call(move |c| run_on(c, &req))?
}

fn run_on(c: &mut Inner, req: &Request) -> Result<Run, CardError> {
    let (mem, k) = (&mut c.mem, &mut c.kernel);
    let log_lde = req.log_rows + req.rate_bits;
    let lde_rows = 1u64.checked_shl(log_lde).filter(|_| log_lde < 40).unwrap_or(0) as usize;
    let cap_rows = 1u64.checked_shl(req.cap_height).filter(|_| req.cap_height <= log_lde).unwrap_or(1) as usize;
    let vals = mem.alloc(req.values.len().max(1))?;
    let coeffs = mem.alloc(req.values.len().max(1))?;
    let leaves = mem.alloc(req.leaves.len().max(1))?;
    let digests = mem.alloc((4 * 2 * lde_rows.saturating_sub(cap_rows)).max(4))?;
    let cap = mem.alloc(4 * cap_rows)?;
    mem.write(vals.addr, &req.values)?;
    mem.write(leaves.addr, &req.leaves)?;
    k.write_reg(mem, regmap::ARG_COMMAND, req.command)?;
    k.write_reg(mem, regmap::ARG_LOG_ROWS, req.log_rows)?;
    k.write_reg(mem, regmap::ARG_COLUMNS, req.columns)?;
    k.write_reg(mem, regmap::ARG_RATE_BITS, req.rate_bits)?;
    k.write_reg(mem, regmap::ARG_CAP_HEIGHT, req.cap_height)?;
    for (i, (reg, buf)) in regmap::BUFFER_ARGS.iter().zip([vals, coeffs, leaves, digests, cap]).enumerate() {
        let addr = if req.misplaced == Some(i) { (1 << 40) + buf.addr } else { buf.addr };
        k.write_reg(mem, *reg, addr as u32)?;
        k.write_reg(mem, reg + 4, (addr >> 32) as u32)?;
    }
    // Lde: ~4 cycles per leaf word; Commit: ~40 per item and the core's latency per level.
    let items = (lde_rows * (req.columns as usize).div_ceil(8) + lde_rows) as u64;
    let levels = log_lde.saturating_sub(req.cap_height) as u64 + 2;
    let budget = 200 * (leaves.words as u64 + 64) * 4 + 40 * items + levels * 2 * parallax_hdl::poseidon::PoseidonCore::LATENCY as u64;
    let (status, cycles) = k.run(mem, budget)?;
    Ok(Run {
        status,
        cycles,
        coeffs: mem.read(coeffs.addr, req.values.len())?.to_vec(),
        leaves: mem.read(leaves.addr, req.leaves.len())?.to_vec(),
        digests: mem.read(digests.addr, digests.words)?.to_vec(),
        cap: mem.read(cap.addr, cap.words)?.to_vec(),
    })
}

/// The RTL kernel as a driver [Device] (`crate::driver`): device memory and the clocked top on
/// a thread of their own with a 1 GiB stack, so the host driver's whole sequence
/// (buffers, arguments, `ap_start`, wait, read-back) runs against the RTL itself. `wait`
/// converts its timeout to cycles at `clock_mhz`.
pub struct RtlCard {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    worker: Option<std::thread::JoinHandle<()>>,
    clock_mhz: u32,
}

struct Inner {
    mem: DeviceMemory,
    kernel: RtlKernel,
}

type Job = Box<dyn FnOnce(&mut Inner) + Send>;

impl RtlCard {
    /// A card with `capacity` bytes of device memory, clocked at `clock_mhz`.
    pub fn new(capacity: u64, clock_mhz: u32, core: PoseidonCore) -> Result<Self, CardError> {
        let (jobs, inbox) = std::sync::mpsc::channel::<Job>();
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("parallax-rtl-card".into())
            .stack_size(1 << 30)
            .spawn(move || {
                let mut inner = match RtlKernel::new(core) {
                    Ok(kernel) => Inner { mem: DeviceMemory::new(capacity), kernel },
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                let _ = ready_tx.send(Ok(()));
                for job in inbox {
                    job(&mut inner);
                }
            })
            .map_err(|e| CardError::Device(format!("RTL card: cannot start its thread: {e}")))?;
        let gone = || CardError::Device("RTL card: its thread ended".into());
        ready.recv().map_err(|_| gone())??;
        Ok(Self { jobs: Some(jobs), worker: Some(worker), clock_mhz })
    }

    fn call<T: Send + 'static>(&self, f: impl FnOnce(&mut Inner) -> T + Send + 'static) -> Result<T, CardError> {
        let gone = || CardError::Device("RTL card: its thread ended".into());
        let (tx, rx) = std::sync::mpsc::channel();
        let jobs = self.jobs.as_ref().ok_or_else(gone)?;
        jobs.send(Box::new(move |inner: &mut Inner| drop(tx.send(f(inner))))).map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())
    }
}

impl Drop for RtlCard {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl crate::driver::Device for RtlCard {
    fn alloc(&mut self, words: usize) -> Result<crate::Buffer, CardError> {
        self.call(move |c| c.mem.alloc(words))?
    }
    fn free(&mut self, buf: crate::Buffer) {
        let _ = self.call(move |c| c.mem.free(buf));
    }
    fn write(&mut self, buf: crate::Buffer, offset: usize, data: &[u64]) -> Result<(), CardError> {
        let addr = crate::Card::range(buf, offset, data.len())?;
        let data = data.to_vec();
        self.call(move |c| c.mem.write(addr, &data))?
    }
    fn read(&mut self, buf: crate::Buffer, offset: usize, len: usize) -> Result<Vec<u64>, CardError> {
        let addr = crate::Card::range(buf, offset, len)?;
        self.call(move |c| c.mem.read(addr, len).map(|w| w.to_vec()))?
    }
    fn write_reg(&mut self, offset: u32, value: u32) -> Result<(), CardError> {
        self.call(move |c| c.kernel.write_reg(&mut c.mem, offset, value))?
    }
    fn read_reg(&mut self, offset: u32) -> Result<u32, CardError> {
        self.call(move |c| c.kernel.read_reg(&mut c.mem, offset))?
    }
    fn wait(&mut self, timeout: std::time::Duration) -> Result<(), CardError> {
        let cycles = (timeout.as_secs_f64() * self.clock_mhz as f64 * 1e6).min(u64::MAX as f64) as u64;
        self.call(move |c| {
            c.kernel.wait(&mut c.mem, cycles)?;
            let status = c.kernel.read_reg(&mut c.mem, regmap::STATUS)?;
            regmap::check_status(status).map_err(CardError::Device)
        })?
    }
    fn reset(&mut self) {
        let _ = self.call(|c| c.kernel.reset());
    }
}
