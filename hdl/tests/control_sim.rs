//! Rust-HDL simulation of the AXI4-Lite control slave (`hdl/src/kernel/control.rs`) driven by a
//! small AXI4-Lite master model: every channel (AW, W, B, AR, R) is a ready/valid handshake the
//! model can stall, and the slave's side of each is checked against the AXI rules (VALID held
//! until READY, payload stable while waiting).

use parallax_hdl::kernel::control::{KernelControl, RESP_OKAY, RESP_SLVERR};
use parallax_hdl::regmap::{self, ARGS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::{HashMap, VecDeque};

const CTRL_IDLE_ONLY: u32 = regmap::CTRL_IDLE;
const CTRL_FINISHED: u32 = regmap::CTRL_IDLE | regmap::CTRL_DONE | regmap::CTRL_READY;

/// The block clocked by hand, with a count of `start` pulses seen at rising edges.
struct Tb {
    uut: Box<KernelControl>,
    cycle: u64,
    starts: usize,
}

impl Tb {
    /// Out of reset (4 cycles with `ap_rst_n` low).
    fn new() -> Self {
        let mut uut = Box::<KernelControl>::default();
        uut.connect_all();
        let mut tb = Self { uut, cycle: 0, starts: 0 };
        tb.idle_inputs();
        tb.reset(4);
        tb
    }
    fn idle_inputs(&mut self) {
        let u = &mut self.uut;
        u.s_axi_control_awvalid.next = false;
        u.s_axi_control_wvalid.next = false;
        u.s_axi_control_bready.next = false;
        u.s_axi_control_arvalid.next = false;
        u.s_axi_control_rready.next = false;
        u.done.next = false;
    }
    fn reset(&mut self, cycles: usize) {
        self.uut.ap_rst_n.next = false;
        for _ in 0..cycles {
            self.tick();
        }
        self.uut.ap_rst_n.next = true;
        self.settle();
    }
    fn settle(&mut self) {
        for _ in 0..100 {
            self.uut.update_all();
            if !self.uut.has_changed() {
                return;
            }
        }
        panic!("the logic did not settle (combinational loop?)");
    }
    /// One rising edge (inputs as set), then the clock falls.
    fn tick(&mut self) {
        self.settle();
        if self.uut.start.val() {
            self.starts += 1;
        }
        self.uut.ap_clk.next = Clock { clk: true };
        self.settle();
        self.uut.ap_clk.next = Clock { clk: false };
        self.settle();
        self.cycle += 1;
    }
    /// The core's `done` for one cycle, with its results.
    fn done(&mut self, status: u32, cycles: u64) {
        self.uut.done.next = true;
        self.uut.status.next = (status as u64).to_bits();
        self.uut.cycles.next = cycles.to_bits();
        self.tick();
        self.uut.done.next = false;
        self.settle();
    }
    fn interrupt(&mut self) -> bool {
        self.settle();
        self.uut.interrupt.val()
    }
}

#[derive(Clone, Copy, Debug)]
struct Write {
    addr: u32,
    data: u32,
    strb: u8,
}

fn w(addr: u32, data: u32) -> Write {
    Write { addr, data, strb: 0xF }
}

/// How often each channel's VALID (master side) or READY (master side) is withheld, in 1/256.
#[derive(Clone, Copy)]
struct Stalls {
    aw: u32,
    w: u32,
    b: u32,
    ar: u32,
    r: u32,
}

const NO_STALLS: Stalls = Stalls { aw: 0, w: 0, b: 0, ar: 0, r: 0 };

/// What a burst of transactions returned.
struct Outcome {
    bresp: Vec<u64>,
    reads: Vec<(u32, u64)>,
    cycles: u64,
}

/// The AXI4-Lite master: issues `writes` on AW/W and `reads` on AR concurrently, in order on
/// each channel, with random stalls, and collects the responses in order.
fn run(tb: &mut Tb, writes: &[Write], reads: &[u32], stalls: Stalls, rng: &mut StdRng) -> Outcome {
    let (mut aw_q, mut w_q): (VecDeque<_>, VecDeque<_>) = (writes.iter().copied().collect(), writes.iter().copied().collect());
    let mut ar_q: VecDeque<u32> = reads.iter().copied().collect();
    let mut out = Outcome { bresp: vec![], reads: vec![], cycles: 0 };
    let (mut aw_on, mut w_on, mut ar_on) = (false, false, false);
    // The slave's B/R payload seen while VALID waited for READY, to check it is held.
    let (mut b_wait, mut r_wait): (Option<u64>, Option<(u32, u64)>) = (None, None);
    let start = tb.cycle;
    let stall = |rng: &mut StdRng, p: u32| p > 0 && rng.gen_range(0..256) < p;
    while out.bresp.len() < writes.len() || out.reads.len() < reads.len() {
        assert!(tb.cycle - start < 100 + 20 * (writes.len() + reads.len()) as u64, "the slave hangs");
        // Master VALIDs: once raised, held with the same payload until the handshake.
        aw_on = aw_on || (!aw_q.is_empty() && !stall(rng, stalls.aw));
        w_on = w_on || (!w_q.is_empty() && !stall(rng, stalls.w));
        ar_on = ar_on || (!ar_q.is_empty() && !stall(rng, stalls.ar));
        let bready = !stall(rng, stalls.b);
        let rready = !stall(rng, stalls.r);
        {
            let u = &mut tb.uut;
            u.s_axi_control_awvalid.next = aw_on;
            if let Some(x) = aw_q.front() {
                u.s_axi_control_awaddr.next = (x.addr as u64).to_bits();
            }
            u.s_axi_control_wvalid.next = w_on;
            if let Some(x) = w_q.front() {
                u.s_axi_control_wdata.next = (x.data as u64).to_bits();
                u.s_axi_control_wstrb.next = (x.strb as u64).to_bits();
            }
            u.s_axi_control_arvalid.next = ar_on;
            if let Some(&a) = ar_q.front() {
                u.s_axi_control_araddr.next = (a as u64).to_bits();
            }
            u.s_axi_control_bready.next = bready;
            u.s_axi_control_rready.next = rready;
        }
        tb.settle();
        let u = &tb.uut;
        // Handshakes happen at the coming edge.
        if aw_on && u.s_axi_control_awready.val() {
            aw_q.pop_front();
            aw_on = false;
        }
        if w_on && u.s_axi_control_wready.val() {
            w_q.pop_front();
            w_on = false;
        }
        if ar_on && u.s_axi_control_arready.val() {
            ar_q.pop_front();
            ar_on = false;
        }
        if u.s_axi_control_bvalid.val() {
            let resp = u.s_axi_control_bresp.val().to_u64();
            if let Some(prev) = b_wait {
                assert_eq!(prev, resp, "BRESP changed while BVALID waited");
            }
            if bready {
                out.bresp.push(resp);
                b_wait = None;
            } else {
                b_wait = Some(resp);
            }
        } else {
            assert!(b_wait.is_none(), "BVALID dropped before BREADY");
        }
        if u.s_axi_control_rvalid.val() {
            let beat = (u.s_axi_control_rdata.val().to_u64() as u32, u.s_axi_control_rresp.val().to_u64());
            if let Some(prev) = r_wait {
                assert_eq!(prev, beat, "RDATA/RRESP changed while RVALID waited");
            }
            if rready {
                out.reads.push(beat);
                r_wait = None;
            } else {
                r_wait = Some(beat);
            }
        } else {
            assert!(r_wait.is_none(), "RVALID dropped before RREADY");
        }
        tb.tick();
    }
    assert!(out.bresp.len() == writes.len() && out.reads.len() == reads.len(), "more responses than requests");
    tb.idle_inputs();
    tb.settle();
    out.cycles = tb.cycle - start;
    out
}

fn write(tb: &mut Tb, addr: u32, data: u32) -> u64 {
    let mut rng = StdRng::seed_from_u64(0);
    run(tb, &[w(addr, data)], &[], NO_STALLS, &mut rng).bresp[0]
}

fn read(tb: &mut Tb, addr: u32) -> (u32, u64) {
    let mut rng = StdRng::seed_from_u64(0);
    run(tb, &[], &[addr], NO_STALLS, &mut rng).reads[0]
}

fn read_ok(tb: &mut Tb, addr: u32) -> u32 {
    let (v, resp) = read(tb, addr);
    assert_eq!(resp, RESP_OKAY, "read of {addr:#x}");
    v
}

/// What the core sees of argument `i` of [ARGS].
fn core_arg(tb: &mut Tb, i: usize) -> u64 {
    tb.settle();
    let u = &tb.uut;
    match i {
        0 => u.command.val().to_u64(),
        1 => u.log_rows.val().to_u64(),
        2 => u.columns.val().to_u64(),
        3 => u.rate_bits.val().to_u64(),
        4 => u.cap_height.val().to_u64(),
        5 => u.values.val().to_u64(),
        6 => u.coeffs.val().to_u64(),
        7 => u.leaves.val().to_u64(),
        8 => u.digests.val().to_u64(),
        9 => u.cap.val().to_u64(),
        _ => unreachable!(),
    }
}

/// Writes every argument (64-bit ones low word first), as the host driver does.
fn write_args(tb: &mut Tb, values: &[u64]) {
    for (a, &v) in ARGS.iter().zip(values) {
        assert_eq!(write(tb, a.offset, v as u32), RESP_OKAY, "{}", a.name);
        if a.buffer {
            assert_eq!(write(tb, a.offset + 4, (v >> 32) as u32), RESP_OKAY, "{}", a.name);
        }
    }
}

fn random_args(rng: &mut StdRng) -> Vec<u64> {
    ARGS.iter()
        .map(|a| if a.buffer { rng.gen::<u64>() } else { rng.gen::<u32>() as u64 })
        .collect()
}

#[test]
fn reset_state() {
    let mut tb = Tb::new();
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_IDLE_ONLY);
    for r in [regmap::GIE, regmap::IER, regmap::ISR, regmap::STATUS, regmap::CYCLES, regmap::CYCLES + 4] {
        assert_eq!(read_ok(&mut tb, r), 0, "{r:#x}");
    }
    for (i, a) in ARGS.iter().enumerate() {
        assert_eq!(read_ok(&mut tb, a.offset), 0, "{}", a.name);
        assert_eq!(core_arg(&mut tb, i), 0, "{}", a.name);
    }
    assert!(!tb.interrupt());
    assert_eq!(tb.starts, 0);
}

#[test]
fn every_argument_round_trips_and_reaches_the_core() {
    let mut tb = Tb::new();
    let mut rng = StdRng::seed_from_u64(9);
    for _ in 0..3 {
        let values = random_args(&mut rng);
        write_args(&mut tb, &values);
        for (i, (a, &v)) in ARGS.iter().zip(&values).enumerate() {
            assert_eq!(read_ok(&mut tb, a.offset), v as u32, "{} (low word)", a.name);
            if a.buffer {
                assert_eq!(read_ok(&mut tb, a.offset + 4), (v >> 32) as u32, "{} (high word)", a.name);
            } else {
                // The unused upper word of a scalar slot reads 0 and ignores writes.
                assert_eq!(write(&mut tb, a.offset + 4, 0xDEAD_BEEF), RESP_OKAY);
                assert_eq!(read_ok(&mut tb, a.offset + 4), 0, "{} + 4", a.name);
            }
            assert_eq!(core_arg(&mut tb, i), v, "{} at the core", a.name);
        }
    }
    assert_eq!(tb.starts, 0, "argument writes never start the kernel");
}

#[test]
fn byte_strobes_select_lanes() {
    let mut tb = Tb::new();
    let mut rng = StdRng::seed_from_u64(1);
    let a = regmap::ARG_COLUMNS;
    run(&mut tb, &[w(a, 0x1122_3344)], &[], NO_STALLS, &mut rng);
    run(&mut tb, &[Write { addr: a, data: 0xAABB_CCDD, strb: 0b0101 }], &[], NO_STALLS, &mut rng);
    assert_eq!(read_ok(&mut tb, a), 0x11BB_33DD);
    run(&mut tb, &[Write { addr: a, data: 0, strb: 0 }], &[], NO_STALLS, &mut rng);
    assert_eq!(read_ok(&mut tb, a), 0x11BB_33DD, "no strobe, no change");
    // ap_start is in byte 0: a write without that strobe does not start the kernel.
    run(&mut tb, &[Write { addr: regmap::CTRL, data: 1, strb: 0b1110 }], &[], NO_STALLS, &mut rng);
    tb.tick();
    assert_eq!(tb.starts, 0);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_IDLE_ONLY);
}

#[test]
fn start_busy_done_with_done_cleared_on_read() {
    let mut tb = Tb::new();
    let mut rng = StdRng::seed_from_u64(2);
    let values = random_args(&mut rng);
    write_args(&mut tb, &values);
    assert_eq!(write(&mut tb, regmap::CTRL, regmap::CTRL_START), RESP_OKAY);
    for _ in 0..5 {
        tb.tick();
    }
    assert_eq!(tb.starts, 1, "one start pulse");
    // Running: ap_start reads 1, not idle, not done.
    assert_eq!(read_ok(&mut tb, regmap::CTRL), regmap::CTRL_START);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), regmap::CTRL_START, "reading does not clear ap_start");
    // Arguments are ignored while running, with SLVERR; the core keeps seeing the old ones.
    for (i, a) in ARGS.iter().enumerate() {
        assert_eq!(write(&mut tb, a.offset, !(values[i] as u32)), RESP_SLVERR, "{}", a.name);
        assert_eq!(read_ok(&mut tb, a.offset), values[i] as u32, "{}", a.name);
        assert_eq!(core_arg(&mut tb, i), values[i], "{}", a.name);
    }
    // A second start while running is ignored.
    assert_eq!(write(&mut tb, regmap::CTRL, regmap::CTRL_START), RESP_OKAY);
    tb.tick();
    assert_eq!(tb.starts, 1);
    // The core finishes: done, ready and idle; STATUS and CYCLES latched.
    tb.done(3, 0x1_2345_6789);
    tb.uut.status.next = 0.into();
    tb.uut.cycles.next = 0.into();
    assert_eq!(read_ok(&mut tb, regmap::STATUS), 3);
    assert_eq!(read_ok(&mut tb, regmap::CYCLES), 0x2345_6789);
    assert_eq!(read_ok(&mut tb, regmap::CYCLES + 4), 1);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_FINISHED);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_IDLE_ONLY, "ap_done and ap_ready clear on read");
    assert!(regmap::check_status(read_ok(&mut tb, regmap::STATUS)).is_err());
    // Idle again: arguments writable, and the next start runs.
    assert_eq!(write(&mut tb, regmap::ARG_COMMAND, regmap::Command::Lde as u32), RESP_OKAY);
    assert_eq!(core_arg(&mut tb, 0), 1);
    assert_eq!(write(&mut tb, regmap::CTRL, regmap::CTRL_START), RESP_OKAY);
    tb.tick();
    assert_eq!(tb.starts, 2);
    tb.done(0, 42);
    assert_eq!(read_ok(&mut tb, regmap::STATUS), 0);
    assert_eq!(read_ok(&mut tb, regmap::CYCLES), 42);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_FINISHED);
}

#[test]
fn done_without_a_command_is_ignored() {
    let mut tb = Tb::new();
    tb.done(4, 7);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_IDLE_ONLY);
    assert_eq!(read_ok(&mut tb, regmap::STATUS), 0);
}

#[test]
fn done_in_the_cycle_of_a_ctrl_read_is_not_lost() {
    let mut tb = Tb::new();
    write(&mut tb, regmap::CTRL, regmap::CTRL_START);
    tb.tick();
    // AR handshake and the core's done at the same edge: the read sees the old value...
    tb.uut.s_axi_control_arvalid.next = true;
    tb.uut.s_axi_control_araddr.next = (regmap::CTRL as u64).to_bits();
    tb.uut.s_axi_control_rready.next = true;
    tb.settle();
    assert!(tb.uut.s_axi_control_arready.val());
    tb.done(0, 1);
    tb.uut.s_axi_control_arvalid.next = false;
    tb.settle();
    assert!(tb.uut.s_axi_control_rvalid.val());
    assert_eq!(tb.uut.s_axi_control_rdata.val().to_u64() as u32, regmap::CTRL_START);
    tb.tick();
    tb.idle_inputs();
    // ...and ap_done is still there for the next one.
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_FINISHED);
}

#[test]
fn interrupts_follow_gie_ier_and_isr_toggles_on_write() {
    let mut tb = Tb::new();
    let finish = |tb: &mut Tb| {
        assert_eq!(write(tb, regmap::CTRL, regmap::CTRL_START), RESP_OKAY);
        tb.tick();
        tb.done(0, 5);
    };
    // Nothing enabled: ISR stays 0, no interrupt.
    finish(&mut tb);
    assert_eq!(read_ok(&mut tb, regmap::ISR), 0);
    assert!(!tb.interrupt());
    // IER done only, GIE off: ISR bit 0 set, interrupt held low by GIE.
    write(&mut tb, regmap::IER, 1);
    assert_eq!(read_ok(&mut tb, regmap::IER), 1);
    finish(&mut tb);
    assert_eq!(read_ok(&mut tb, regmap::ISR), 1);
    assert!(!tb.interrupt());
    write(&mut tb, regmap::GIE, 1);
    assert_eq!(read_ok(&mut tb, regmap::GIE), 1);
    assert!(tb.interrupt(), "GIE and a pending ISR bit");
    // Reading CTRL clears ap_done, not ISR.
    read_ok(&mut tb, regmap::CTRL);
    assert!(tb.interrupt());
    // Toggle on write: writing 0 leaves it, writing 1 clears it.
    write(&mut tb, regmap::ISR, 0);
    assert_eq!(read_ok(&mut tb, regmap::ISR), 1);
    write(&mut tb, regmap::ISR, 1);
    assert_eq!(read_ok(&mut tb, regmap::ISR), 0);
    assert!(!tb.interrupt());
    // Writing 1 to a clear bit sets it (toggle), and it interrupts.
    write(&mut tb, regmap::ISR, 2);
    assert_eq!(read_ok(&mut tb, regmap::ISR), 2);
    assert!(tb.interrupt());
    write(&mut tb, regmap::ISR, 2);
    // Both enabled: done and ready set both bits.
    write(&mut tb, regmap::IER, 3);
    finish(&mut tb);
    assert_eq!(read_ok(&mut tb, regmap::ISR), 3);
    assert!(tb.interrupt());
    write(&mut tb, regmap::GIE, 0);
    assert!(!tb.interrupt());
    // Only the defined bits are stored.
    write(&mut tb, regmap::IER, 0xFFFF_FFFC);
    assert_eq!(read_ok(&mut tb, regmap::IER), 0);
    write(&mut tb, regmap::GIE, 0xFFFF_FFFE);
    assert_eq!(read_ok(&mut tb, regmap::GIE), 0);
}

#[test]
fn read_only_and_unmapped_registers_answer_slverr() {
    let mut tb = Tb::new();
    write(&mut tb, regmap::CTRL, regmap::CTRL_START);
    tb.tick();
    tb.done(2, 0xABCD);
    for r in [regmap::STATUS, regmap::CYCLES, regmap::CYCLES + 4] {
        assert_eq!(write(&mut tb, r, 0x5555_5555), RESP_SLVERR, "{r:#x}");
    }
    assert_eq!(read_ok(&mut tb, regmap::STATUS), 2);
    assert_eq!(read_ok(&mut tb, regmap::CYCLES), 0xABCD);
    assert_eq!(read_ok(&mut tb, regmap::CYCLES + 4), 0);
    for r in [regmap::SPACE, regmap::SPACE + 4, 0x800, 0xFFC] {
        assert_eq!(write(&mut tb, r, 1), RESP_SLVERR, "write {r:#x}");
        assert_eq!(read(&mut tb, r), (0, RESP_SLVERR), "read {r:#x}");
    }
    // Unaligned addresses: SLVERR, and nothing happens (no start, ap_done not cleared).
    for r in [regmap::CTRL + 1, regmap::CTRL + 2, regmap::ARG_COMMAND + 3] {
        assert_eq!(write(&mut tb, r, 1), RESP_SLVERR, "write {r:#x}");
        assert_eq!(read(&mut tb, r), (0, RESP_SLVERR), "read {r:#x}");
    }
    assert_eq!(tb.starts, 1);
    // The status word's upper half is reserved inside the space: reads 0, OKAY.
    assert_eq!(read(&mut tb, regmap::STATUS + 4), (0, RESP_OKAY));
    // Nothing of that reached a writable register.
    for a in &ARGS {
        assert_eq!(read_ok(&mut tb, a.offset), 0, "{}", a.name);
    }
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_FINISHED);
}

#[test]
fn reset_clears_a_running_command_and_the_arguments() {
    let mut tb = Tb::new();
    let mut rng = StdRng::seed_from_u64(3);
    write_args(&mut tb, &random_args(&mut rng));
    write(&mut tb, regmap::GIE, 1);
    write(&mut tb, regmap::CTRL, regmap::CTRL_START);
    tb.tick();
    tb.reset(2);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_IDLE_ONLY);
    assert_eq!(read_ok(&mut tb, regmap::GIE), 0);
    for (i, a) in ARGS.iter().enumerate() {
        assert_eq!(read_ok(&mut tb, a.offset), 0, "{}", a.name);
        assert_eq!(core_arg(&mut tb, i), 0);
    }
    // A done for the aborted command is ignored.
    tb.done(1, 1);
    assert_eq!(read_ok(&mut tb, regmap::CTRL), CTRL_IDLE_ONLY);
}

/// The registers a random traffic test may touch freely: (offset, bits kept).
fn plain_registers() -> Vec<(u32, u32)> {
    let mut v = vec![(regmap::GIE, 1), (regmap::IER, 3)];
    for a in &ARGS {
        v.push((a.offset, u32::MAX));
        if a.buffer {
            v.push((a.offset + 4, u32::MAX));
        }
    }
    v
}

#[test]
fn back_to_back_transactions_at_full_rate() {
    let mut tb = Tb::new();
    let mut rng = StdRng::seed_from_u64(4);
    let regs = plain_registers();
    let writes: Vec<Write> = regs.iter().map(|&(a, _)| w(a, rng.gen())).collect();
    let out = run(&mut tb, &writes, &[], NO_STALLS, &mut rng);
    assert!(out.bresp.iter().all(|&r| r == RESP_OKAY));
    // One write per two cycles (hold, then commit while the next is being offered).
    assert!(out.cycles <= 2 * writes.len() as u64 + 3, "{} writes took {} cycles", writes.len(), out.cycles);
    let addrs: Vec<u32> = regs.iter().map(|&(a, _)| a).collect();
    let out = run(&mut tb, &[], &addrs, NO_STALLS, &mut rng);
    assert!(out.cycles <= 2 * addrs.len() as u64 + 3, "{} reads took {} cycles", addrs.len(), out.cycles);
    for ((&(a, mask), wr), (v, resp)) in regs.iter().zip(&writes).zip(out.reads) {
        assert_eq!((v, resp), (wr.data & mask, RESP_OKAY), "{a:#x}");
    }
}

#[test]
fn random_traffic_with_stalls_on_every_channel() {
    let mut tb = Tb::new();
    let mut rng = StdRng::seed_from_u64(5);
    let regs = plain_registers();
    let mut model: HashMap<u32, u32> = regs.iter().map(|&(a, _)| (a, 0)).collect();
    let stall_sets = [
        Stalls { aw: 128, w: 0, b: 0, ar: 0, r: 0 },
        Stalls { aw: 0, w: 160, b: 0, ar: 0, r: 0 },
        Stalls { aw: 0, w: 0, b: 200, ar: 0, r: 200 },
        Stalls { aw: 100, w: 100, b: 100, ar: 100, r: 100 },
        Stalls { aw: 230, w: 20, b: 120, ar: 230, r: 20 },
    ];
    for (round, stalls) in stall_sets.iter().enumerate() {
        // Writes to one half of the registers while reading the other half (so the order
        // between the two channels does not matter), then the roles swap.
        let (mut wr, mut rd): (Vec<_>, Vec<_>) = regs.iter().partition(|_| rng.gen_bool(0.5));
        if round % 2 == 1 {
            std::mem::swap(&mut wr, &mut rd);
        }
        let writes: Vec<Write> = wr
            .iter()
            .map(|&&(a, _)| Write { addr: a, data: rng.gen(), strb: rng.gen_range(0..16) })
            .collect();
        let reads: Vec<u32> = rd.iter().map(|&&(a, _)| a).collect();
        let expect: Vec<(u32, u64)> = reads.iter().map(|a| (model[a], RESP_OKAY)).collect();
        let out = run(&mut tb, &writes, &reads, *stalls, &mut rng);
        assert!(out.bresp.iter().all(|&r| r == RESP_OKAY), "round {round}");
        assert_eq!(out.reads, expect, "round {round}: reads during writes");
        for x in &writes {
            let mask = regs.iter().find(|r| r.0 == x.addr).unwrap().1;
            let lanes = (0..4).filter(|b| x.strb >> b & 1 == 1).fold(0u32, |m, b| m | 0xFF << (8 * b));
            let lanes = if x.addr == regmap::GIE || x.addr == regmap::IER {
                if x.strb & 1 == 1 { u32::MAX } else { 0 }
            } else {
                lanes
            };
            let old = model[&x.addr];
            model.insert(x.addr, ((old & !lanes) | (x.data & lanes)) & mask);
        }
        // Read everything back with stalls and compare with the model.
        let all: Vec<u32> = regs.iter().map(|&(a, _)| a).collect();
        let out = run(&mut tb, &[], &all, *stalls, &mut rng);
        let expect: Vec<(u32, u64)> = all.iter().map(|a| (model[a], RESP_OKAY)).collect();
        assert_eq!(out.reads, expect, "round {round}: read-back");
    }
    assert_eq!(tb.starts, 0);
}

/// The harness's random operations (hdl/src/kernel/harness.rs, the ones `scripts/hdl-check.sh`
/// runs on the emitted Verilog), replayed on the Rust-HDL block: responses, read data, the
/// interrupt line and start pulses must equal the transaction model's.
#[test]
fn agrees_with_the_transaction_model_on_random_operations() {
    let mut rng = StdRng::seed_from_u64(1);
    let vectors = parallax_hdl::kernel::harness::vectors(&mut rng, 3000);
    let mut tb = Tb::new();
    for (n, v) in vectors.iter().enumerate() {
        let (op, addr, data, strb, cycles) =
            (v.inputs[0][0], v.inputs[1][0] as u32, v.inputs[2][0] as u32, v.inputs[3][0] as u8, v.inputs[4][0]);
        let before = tb.starts;
        let (resp, rdata) = match op {
            0 => (run(&mut tb, &[Write { addr, data, strb }], &[], NO_STALLS, &mut rng).bresp[0], 0),
            1 => {
                let (d, r) = read(&mut tb, addr);
                (r, d as u64)
            }
            _ => {
                tb.done(data, cycles);
                (0, 0)
            }
        };
        tb.tick();
        tb.tick();
        let got = (resp, rdata, tb.interrupt() as u64, (tb.starts - before) as u64);
        let want = (v.outputs[0][0], v.outputs[1][0], v.outputs[2][0], v.outputs[3][0]);
        assert_eq!(got, want, "vector {n}: op {op} addr {addr:#x} data {data:#x} strb {strb:#x}");
    }
}
