use super::{bits_to_lanes, lanes_to_bits, plonky2_permutation, OutFifo, PoseidonPipe, WIDTH};
use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// The streaming Poseidon permutation core: ready/valid on both sides, one permutation accepted
/// per cycle, [PoseidonCore::LATENCY] = 844 cycles from an accepted input to its output when
/// the output is not back-pressured. Outputs leave in input order.
///
/// Back-pressure without stalling the 842-stage pipeline: results go into an [OutFifo] of 1024
/// slots, and `used` counts the permutations accepted but not yet taken from the FIFO (in the
/// pipeline or in the FIFO). `in_ready` = used < 1023, so the FIFO can never overflow however
/// long `out_ready` stays low; with `out_ready` high, used settles at ~LATENCY and `in_ready`
/// stays high. Lane i of the state ports is bits 64i..64i+64.
///
/// In Rust-HDL simulation the core can be stood in for ([PoseidonCore::stand_in]) by a model of
/// its ports: plonky2's permutation, in order, out exactly [PoseidonCore::LATENCY] cycles after
/// it was accepted (later when the output is back-pressured), `in_ready` on the same credit.
/// Rust-HDL simulates the 842-stage pipeline at ~10 cycles/s, so whole-kernel simulations that
/// are about the logic around the core use the stand-in; the Verilog is always the real core,
/// which `hdl/tests/poseidon_sim.rs`, the simulator's RTL engine and the Verilator vectors check.
pub struct PoseidonCore {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Input: the state is taken when in_valid & in_ready
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub state_in: Signal<In, Bits<768>>,
    // Output: the permuted state is taken when out_valid & out_ready
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub state_out: Signal<Out, Bits<768>>,
    // Internals
    pipe: PoseidonPipe,
    fifo: OutFifo<768, 10>,
    used: DFF<Bits<11>>,
    limit: Constant<Bits<11>>,
    zero: Constant<Bits<11>>,
    one: Constant<Bits<11>>,
    accept: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
    // Simulation only: not part of the circuit
    stand_in: Option<Box<StandIn>>,
}

impl PoseidonCore {
    /// Slots in the output FIFO; at most SLOTS - 1 permutations are in flight.
    pub const SLOTS: usize = 1024;
    /// Pipeline plus the FIFO's write-to-output delay.
    pub const LATENCY: usize = PoseidonPipe::LATENCY + 2;
}

// The FIFO must cover the pipeline for full rate (in_ready stays high with out_ready high).
const _: () = assert!(PoseidonCore::LATENCY < PoseidonCore::SLOTS - 1);

impl Default for PoseidonCore {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            state_in: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            state_out: Default::default(),
            pipe: Default::default(),
            fifo: Default::default(),
            used: Default::default(),
            limit: Constant::new((Self::SLOTS as u64 - 1).to_bits()),
            zero: Constant::new(0u64.to_bits()),
            one: Constant::new(1u64.to_bits()),
            accept: Default::default(),
            take: Default::default(),
            stand_in: None,
        }
    }
}

impl PoseidonCore {
    /// From now on, simulate the core by its port model (see the type's docs).
    pub fn stand_in(&mut self) {
        self.stand_in = Some(Box::default());
    }
}

/// The stand-in's state: permuted states in order, with the cycle from which each is visible.
#[derive(Default)]
struct StandIn {
    cycle: u64,
    queue: VecDeque<(u64, [u64; WIDTH])>,
}

impl StandIn {
    /// One evaluation pass: at a rising edge the handshakes settled before it take effect (as a
    /// DFF samples its input); the outputs depend on this state only, as the core's registers.
    fn update(&mut self, c: &mut PoseidonCore) {
        if c.clock.pos_edge() {
            if c.out_valid.val() && c.out_ready.val() {
                self.queue.pop_front();
            }
            if c.in_valid.val() && c.in_ready.val() {
                let state = plonky2_permutation(&bits_to_lanes(c.state_in.val()));
                self.queue.push_back((self.cycle + PoseidonCore::LATENCY as u64, state));
            }
            if c.reset.val() {
                self.queue.clear();
            }
            self.cycle += 1;
        }
        c.in_ready.next = self.queue.len() < PoseidonCore::SLOTS - 1;
        let head = self.queue.front().filter(|(t, _)| *t <= self.cycle);
        c.out_valid.next = head.is_some();
        if let Some((_, s)) = head {
            c.state_out.next = lanes_to_bits(s);
        }
    }
}

// The derived Block, plus the stand-in: with it, only the ports are evaluated.
impl Block for PoseidonCore {
    fn connect_all(&mut self) {
        self.connect();
        self.clock.connect_all();
        self.reset.connect_all();
        self.in_valid.connect_all();
        self.in_ready.connect_all();
        self.state_in.connect_all();
        self.out_valid.connect_all();
        self.out_ready.connect_all();
        self.state_out.connect_all();
        self.pipe.connect_all();
        self.fifo.connect_all();
        self.used.connect_all();
        self.limit.connect_all();
        self.zero.connect_all();
        self.one.connect_all();
        self.accept.connect_all();
        self.take.connect_all();
    }
    fn update_all(&mut self) {
        if let Some(mut s) = self.stand_in.take() {
            s.update(self);
            self.stand_in = Some(s);
        } else {
            self.update();
            self.pipe.update_all();
            self.fifo.update_all();
            self.used.update_all();
            self.limit.update_all();
            self.zero.update_all();
            self.one.update_all();
            self.accept.update_all();
            self.take.update_all();
        }
        self.clock.update_all();
        self.reset.update_all();
        self.in_valid.update_all();
        self.in_ready.update_all();
        self.state_in.update_all();
        self.out_valid.update_all();
        self.out_ready.update_all();
        self.state_out.update_all();
    }
    fn has_changed(&self) -> bool {
        let ports = self.clock.has_changed()
            || self.reset.has_changed()
            || self.in_valid.has_changed()
            || self.in_ready.has_changed()
            || self.state_in.has_changed()
            || self.out_valid.has_changed()
            || self.out_ready.has_changed()
            || self.state_out.has_changed();
        ports
            || (self.stand_in.is_none()
                && (self.pipe.has_changed()
                    || self.fifo.has_changed()
                    || self.used.has_changed()
                    || self.limit.has_changed()
                    || self.zero.has_changed()
                    || self.one.has_changed()
                    || self.accept.has_changed()
                    || self.take.has_changed()))
    }
    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        self.clock.accept("clock", probe);
        self.reset.accept("reset", probe);
        self.in_valid.accept("in_valid", probe);
        self.in_ready.accept("in_ready", probe);
        self.state_in.accept("state_in", probe);
        self.out_valid.accept("out_valid", probe);
        self.out_ready.accept("out_ready", probe);
        self.state_out.accept("state_out", probe);
        self.pipe.accept("pipe", probe);
        self.fifo.accept("fifo", probe);
        self.used.accept("used", probe);
        self.limit.accept("limit", probe);
        self.zero.accept("zero", probe);
        self.one.accept("one", probe);
        self.accept.accept("accept", probe);
        self.take.accept("take", probe);
        probe.visit_end_scope(name, self);
    }
}

impl Logic for PoseidonCore {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, used);
        clock!(self, clock, pipe, fifo);
        self.pipe.reset.next = self.reset.val();
        self.fifo.reset.next = self.reset.val();
        // Credits
        self.in_ready.next = self.used.q.val() < self.limit.val();
        self.accept.next = self.in_valid.val() & self.in_ready.val();
        self.take.next = self.fifo.out_valid.val() & self.out_ready.val();
        if self.accept.val() & !self.take.val() {
            self.used.d.next = self.used.q.val() + self.one.val();
        }
        if !self.accept.val() & self.take.val() {
            self.used.d.next = self.used.q.val() - self.one.val();
        }
        if self.reset.val() {
            self.used.d.next = self.zero.val();
        }
        // Pipeline -> FIFO
        self.pipe.in_valid.next = self.accept.val();
        self.pipe.state_in.next = self.state_in.val();
        self.fifo.write.next = self.pipe.out_valid.val();
        self.fifo.data_in.next = self.pipe.state_out.val();
        self.fifo.out_ready.next = self.out_ready.val();
        self.out_valid.next = self.fifo.out_valid.val();
        self.state_out.next = self.fifo.data_out.val();
    }
}
