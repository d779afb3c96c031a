use super::{OutFifo, PoseidonPipe};
use rust_hdl::prelude::*;

/// The streaming Poseidon permutation core: ready/valid on both sides, one permutation accepted
/// per cycle, [PoseidonCore::LATENCY] = 844 cycles from an accepted input to its output when
/// the output is not back-pressured. Outputs leave in input order.
///
/// Back-pressure without stalling the 842-stage pipeline: results go into an [OutFifo] of 1024
/// slots, and `used` counts the permutations accepted but not yet taken from the FIFO (in the
/// pipeline or in the FIFO). `in_ready` = used < 1023, so the FIFO can never overflow however
/// long `out_ready` stays low; with `out_ready` high, used settles at ~LATENCY and `in_ready`
/// stays high. Lane i of the state ports is bits 64i..64i+64.
#[derive(LogicBlock)]
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
        }
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
