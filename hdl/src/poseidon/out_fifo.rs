use rust_hdl::prelude::*;

/// Output FIFO for a credit-controlled pipeline: `W`-bit entries, 2^`N` slots in one RAM (block
/// RAM), first-word-fall-through ready/valid read side. It has no `full`: the writer must never
/// hold more than 2^N - 1 entries here (the core's credit counter guarantees it).
///
/// The RAM read is registered, so `data_out` is `mem[head]` as read at the last edge; an entry
/// is shown only once it was written at an earlier edge (`wr_seen` is the write pointer one
/// cycle late), so a write and a read of the same slot never coincide. A write reaches
/// `out_valid` 2 cycles after `write`.
#[derive(LogicBlock)]
pub struct OutFifo<const W: usize, const N: usize> {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Write side (no back-pressure)
    pub write: Signal<In, Bit>,
    pub data_in: Signal<In, Bits<W>>,
    // Read side: `data_out` is taken when out_valid & out_ready
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub data_out: Signal<Out, Bits<W>>,
    // Internals
    ram: RAM<Bits<W>, N>,
    head: DFF<Bits<N>>,
    wr: DFF<Bits<N>>,
    wr_seen: DFF<Bits<N>>,
    head_next: Signal<Local, Bits<N>>,
    // Typed 0 and 1 (a bare literal would be emitted as 32 bits)
    zero: Constant<Bits<N>>,
    one: Constant<Bits<N>>,
}

impl<const W: usize, const N: usize> Default for OutFifo<W, N> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            data_out: Default::default(),
            ram: Default::default(),
            head: Default::default(),
            wr: Default::default(),
            wr_seen: Default::default(),
            head_next: Default::default(),
            zero: Constant::new(0u64.to_bits()),
            one: Constant::new(1u64.to_bits()),
        }
    }
}

impl<const W: usize, const N: usize> Logic for OutFifo<W, N> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, head, wr, wr_seen);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        // Write side
        self.ram.write_enable.next = self.write.val();
        self.ram.write_address.next = self.wr.q.val();
        self.ram.write_data.next = self.data_in.val();
        if self.write.val() {
            self.wr.d.next = self.wr.q.val() + self.one.val();
        }
        self.wr_seen.d.next = self.wr.q.val();
        // Read side
        self.out_valid.next = self.head.q.val() != self.wr_seen.q.val();
        self.head_next.next = self.head.q.val();
        if self.out_valid.val() & self.out_ready.val() {
            self.head_next.next = self.head.q.val() + self.one.val();
        }
        self.head.d.next = self.head_next.val();
        self.ram.read_address.next = self.head_next.val();
        self.data_out.next = self.ram.read_data.val();
        if self.reset.val() {
            self.head.d.next = self.zero.val();
            self.wr.d.next = self.zero.val();
            self.wr_seen.d.next = self.zero.val();
        }
    }
}
