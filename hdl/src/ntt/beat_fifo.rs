use rust_hdl::prelude::*;

/// Entries of [BeatFifo]: the NTT core's read pipeline is 2 cycles deep, so 4 entries let it
/// issue a read every cycle while `out_ready` stays high (count + in flight <= 3 < 4).
pub const BEAT_FIFO_DEPTH: usize = 4;

/// A 4-entry first-word-fall-through FIFO of output beats (two 64-bit lanes and a `last` flag),
/// in registers. The NTT core only pushes when it has counted a free slot, so there is no `full`.
#[derive(LogicBlock)]
pub struct BeatFifo {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Write side
    pub push: Signal<In, Bit>,
    pub push_lane0: Signal<In, Bits<64>>,
    pub push_lane1: Signal<In, Bits<64>>,
    pub push_last: Signal<In, Bit>,
    // Read side: head is valid while `valid`; `pop` removes it
    pub pop: Signal<In, Bit>,
    pub valid: Signal<Out, Bit>,
    pub lane0: Signal<Out, Bits<64>>,
    pub lane1: Signal<Out, Bits<64>>,
    pub last: Signal<Out, Bit>,
    // Occupancy, 0..=4
    pub count: Signal<Out, Bits<3>>,
    // Internals
    lane0_mem: [DFF<Bits<64>>; 4],
    lane1_mem: [DFF<Bits<64>>; 4],
    last_mem: [DFF<Bit>; 4],
    rd: DFF<Bits<2>>,
    wr: DFF<Bits<2>>,
    used: DFF<Bits<3>>,
    one2: Constant<Bits<2>>,
    one3: Constant<Bits<3>>,
    z2: Constant<Bits<2>>,
    z3: Constant<Bits<3>>,
}

impl Default for BeatFifo {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            push: Default::default(),
            push_lane0: Default::default(),
            push_lane1: Default::default(),
            push_last: Default::default(),
            pop: Default::default(),
            valid: Default::default(),
            lane0: Default::default(),
            lane1: Default::default(),
            last: Default::default(),
            count: Default::default(),
            lane0_mem: Default::default(),
            lane1_mem: Default::default(),
            last_mem: Default::default(),
            rd: Default::default(),
            wr: Default::default(),
            used: Default::default(),
            one2: Constant::new(1u64.to_bits()),
            one3: Constant::new(1u64.to_bits()),
            z2: Constant::new(0u64.to_bits()),
            z3: Constant::new(0u64.to_bits()),
        }
    }
}

impl Logic for BeatFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rd, wr, used);
        for i in 0..4 {
            self.lane0_mem[i].clock.next = self.clock.val();
            self.lane1_mem[i].clock.next = self.clock.val();
            self.last_mem[i].clock.next = self.clock.val();
        }
        for i in 0..4 {
            self.lane0_mem[i].d.next = self.lane0_mem[i].q.val();
            self.lane1_mem[i].d.next = self.lane1_mem[i].q.val();
            self.last_mem[i].d.next = self.last_mem[i].q.val();
            if self.push.val() & (self.wr.q.val() == i.to_bits()) {
                self.lane0_mem[i].d.next = self.push_lane0.val();
                self.lane1_mem[i].d.next = self.push_lane1.val();
                self.last_mem[i].d.next = self.push_last.val();
            }
        }
        self.lane0.next = self.lane0_mem[0].q.val();
        self.lane1.next = self.lane1_mem[0].q.val();
        self.last.next = self.last_mem[0].q.val();
        for i in 1..4 {
            if self.rd.q.val() == i.to_bits() {
                self.lane0.next = self.lane0_mem[i].q.val();
                self.lane1.next = self.lane1_mem[i].q.val();
                self.last.next = self.last_mem[i].q.val();
            }
        }
        self.valid.next = self.used.q.val().any();
        self.count.next = self.used.q.val();
        if self.push.val() {
            self.wr.d.next = self.wr.q.val() + self.one2.val();
        }
        if self.pop.val() & self.used.q.val().any() {
            self.rd.d.next = self.rd.q.val() + self.one2.val();
        }
        if self.push.val() & !(self.pop.val() & self.used.q.val().any()) {
            self.used.d.next = self.used.q.val() + self.one3.val();
        } else if !self.push.val() & self.pop.val() & self.used.q.val().any() {
            self.used.d.next = self.used.q.val() - self.one3.val();
        }
        if self.reset.val() {
            self.rd.d.next = self.z2.val();
            self.wr.d.next = self.z2.val();
            self.used.d.next = self.z3.val();
        }
    }
}
