//! The RTL kernel top (`parallax_hdl::kernel::top::ParallaxKernel`, issue 9) clocked cycle by
//! cycle against the card's device memory: each AXI4 master port is served by an AXI4 slave
//! model over the same [DeviceMemory] the [crate::Card] uses, and the host side is AXI4-Lite
//! register traffic in the register map's sequence (arguments, `ap_start`, poll `CTRL` until
//! `ap_done`). [lde] runs one LDE command this way. The memory answers every handshake at once
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

/// The kernel top with its memory ports and an AXI4-Lite host.
pub(crate) struct RtlKernel {
    uut: Box<ParallaxKernel>,
    values: ReadPort,
    coeffs_rd: ReadPort,
    coeffs_wr: WritePort,
    leaves: WritePort,
    /// Rising edges so far.
    pub cycle: u64,
}

impl RtlKernel {
    /// Out of reset.
    pub(crate) fn new() -> Result<Self, CardError> {
        let mut uut = Box::<ParallaxKernel>::default();
        uut.connect_all();
        let mut k = Self {
            uut,
            values: ReadPort::default(),
            coeffs_rd: ReadPort::default(),
            coeffs_wr: WritePort::default(),
            leaves: WritePort::default(),
            cycle: 0,
        };
        let mut mem = DeviceMemory::new(0);
        k.uut.ap_rst_n.next = false;
        for _ in 0..4 {
            k.tick(&mut mem)?;
        }
        k.uut.ap_rst_n.next = true;
        Ok(k)
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
        let w1 = self.coeffs_wr.outputs();
        u.m_axi_gmem1_awready.next = w1.awready;
        u.m_axi_gmem1_wready.next = w1.wready;
        u.m_axi_gmem1_bvalid.next = w1.bvalid;
        u.m_axi_gmem1_bresp.next = w1.bresp.to_bits();
        let w2 = self.leaves.outputs();
        u.m_axi_gmem2_awready.next = w2.awready;
        u.m_axi_gmem2_wready.next = w2.wready;
        u.m_axi_gmem2_bvalid.next = w2.bvalid;
        u.m_axi_gmem2_bresp.next = w2.bresp.to_bits();
        self.settle()?;
        let u = &self.uut;
        let ar0 = (u.m_axi_gmem0_arvalid.val() && r0.arready)
            .then(|| (u.m_axi_gmem0_araddr.val().to_u64(), u.m_axi_gmem0_arlen.val().to_u64()));
        let r0_taken = r0.rvalid && u.m_axi_gmem0_rready.val();
        let ar1 = (u.m_axi_gmem1_arvalid.val() && r1.arready)
            .then(|| (u.m_axi_gmem1_araddr.val().to_u64(), u.m_axi_gmem1_arlen.val().to_u64()));
        let r1_taken = r1.rvalid && u.m_axi_gmem1_rready.val();
        let aw1 = (u.m_axi_gmem1_awvalid.val() && w1.awready)
            .then(|| (u.m_axi_gmem1_awaddr.val().to_u64(), u.m_axi_gmem1_awlen.val().to_u64()));
        let wd1 = (u.m_axi_gmem1_wvalid.val() && w1.wready).then(|| u.m_axi_gmem1_wdata.val().to_u64());
        let b1 = w1.bvalid && u.m_axi_gmem1_bready.val();
        let aw2 = (u.m_axi_gmem2_awvalid.val() && w2.awready)
            .then(|| (u.m_axi_gmem2_awaddr.val().to_u64(), u.m_axi_gmem2_awlen.val().to_u64()));
        let wd2 = (u.m_axi_gmem2_wvalid.val() && w2.wready).then(|| u.m_axi_gmem2_wdata.val().to_u64());
        let b2 = w2.bvalid && u.m_axi_gmem2_bready.val();
        self.values.edge(ar0, r0_taken);
        self.coeffs_rd.edge(ar1, r1_taken);
        self.coeffs_wr.edge(mem, aw1, wd1, b1);
        self.leaves.edge(mem, aw2, wd2, b2);
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

    /// Sets `ap_start` and polls `CTRL` until `ap_done`; returns (STATUS, CYCLES).
    pub(crate) fn run(&mut self, mem: &mut DeviceMemory, max_cycles: u64) -> Result<(u32, u64), CardError> {
        self.write_reg(mem, regmap::CTRL, regmap::CTRL_START)?;
        let start = self.cycle;
        loop {
            if self.read_reg(mem, regmap::CTRL)? & regmap::CTRL_DONE != 0 {
                break;
            }
            if self.cycle - start > max_cycles {
                return Err(CardError::Timeout { cycles: max_cycles });
            }
            for _ in 0..32 {
                self.tick(mem)?;
            }
        }
        let status = self.read_reg(mem, regmap::STATUS)?;
        let lo = self.read_reg(mem, regmap::CYCLES)? as u64;
        let hi = self.read_reg(mem, regmap::CYCLES + 4)? as u64;
        Ok((status, lo | hi << 32))
    }
}

/// What [lde] returns: the kernel's status and cycles, and the buffers read back.
pub struct LdeRun {
    pub status: u32,
    pub cycles: u64,
    /// Column-major, `columns << log_rows` words.
    pub coeffs: Vec<u64>,
    /// Row-major, rows bit-reversed, `columns << (log_rows + rate_bits)` words.
    pub leaves: Vec<u64>,
}

/// Runs the LDE command on the RTL kernel: `values` column-major (`columns` columns of
/// 2^log_rows words), in device memory allocated as the host driver does.
pub fn lde(values: &[u64], log_rows: u32, columns: u32, rate_bits: u32) -> Result<LdeRun, CardError> {
    run_command(regmap::Command::Lde as u32, values, log_rows, columns, rate_bits, false)
}

/// [lde] with any `command`; with `misplaced_values` the values argument points past the end of
/// its buffer, where device memory answers SLVERR.
pub fn run_command(
    command: u32,
    values: &[u64],
    log_rows: u32,
    columns: u32,
    rate_bits: u32,
    misplaced_values: bool,
) -> Result<LdeRun, CardError> {
    let rows = 1usize << log_rows;
    let mut mem = DeviceMemory::new(1 << 30);
    let vals = mem.alloc(values.len().max(1))?;
    let coeffs = mem.alloc(values.len().max(1))?;
    let leaves = mem.alloc((columns as usize * rows) << rate_bits)?;
    // Unused by Lde, but set as the driver does.
    let digests = mem.alloc(4)?;
    let cap = mem.alloc(4)?;
    mem.write(vals.addr, values)?;
    let mut k = RtlKernel::new()?;
    k.write_reg(&mut mem, regmap::ARG_COMMAND, command)?;
    k.write_reg(&mut mem, regmap::ARG_LOG_ROWS, log_rows)?;
    k.write_reg(&mut mem, regmap::ARG_COLUMNS, columns)?;
    k.write_reg(&mut mem, regmap::ARG_RATE_BITS, rate_bits)?;
    k.write_reg(&mut mem, regmap::ARG_CAP_HEIGHT, 0)?;
    for (reg, buf) in regmap::BUFFER_ARGS.iter().zip([vals, coeffs, leaves, digests, cap]) {
        let addr = if misplaced_values && buf == vals { (1 << 40) + buf.addr } else { buf.addr };
        k.write_reg(&mut mem, *reg, addr as u32)?;
        k.write_reg(&mut mem, reg + 4, (addr >> 32) as u32)?;
    }
    let budget = 200 * (leaves.words as u64 + 64) * 4;
    let (status, cycles) = k.run(&mut mem, budget)?;
    Ok(LdeRun {
        status,
        cycles,
        coeffs: mem.read(coeffs.addr, values.len())?.to_vec(),
        leaves: mem.read(leaves.addr, leaves.words)?.to_vec(),
    })
}
