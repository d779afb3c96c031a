use rust_hdl::prelude::*;

/// UART transmitter, 8N1, LSB first, `clocks_per_bit` clocks per bit. `start` with `data` when
/// `busy` is low queues one byte; `busy` is high from the next cycle until the stop bit ends.
/// The 10-bit frame (start 0, 8 data bits, stop 1) is shifted out of one register.
#[derive(LogicBlock)]
pub struct UartTx {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Byte in
    pub start: Signal<In, Bit>,
    pub data: Signal<In, Bits<8>>,
    pub busy: Signal<Out, Bit>,
    // The serial line (idle high)
    pub tx: Signal<Out, Bit>,
    // Internals
    shift: DFF<Bits<10>>,
    bits: DFF<Bits<4>>,
    count: DFF<Bits<16>>,
    full: Constant<Bits<16>>,
    z4: Constant<Bits<4>>,
    stop: Constant<Bits<10>>,
    o4: Constant<Bits<4>>,
    ten4: Constant<Bits<4>>,
    z16: Constant<Bits<16>>,
    o16: Constant<Bits<16>>,
}

impl UartTx {
    pub fn new(clocks_per_bit: u16) -> Self {
        assert!(clocks_per_bit >= 4, "at least 4 clocks per bit");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            data: Default::default(),
            busy: Default::default(),
            tx: Default::default(),
            shift: Default::default(),
            bits: Default::default(),
            count: Default::default(),
            full: Constant::new((clocks_per_bit as u64 - 1).to_bits()),
            z4: Constant::new(0u64.to_bits()),
            stop: Constant::new(0x200u64.to_bits()),
            o4: Constant::new(1u64.to_bits()),
            ten4: Constant::new(10u64.to_bits()),
            z16: Constant::new(0u64.to_bits()),
            o16: Constant::new(1u64.to_bits()),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, bits, count);
        self.busy.next = self.bits.q.val() != self.z4.val();
        self.tx.next = true;
        if self.bits.q.val() != self.z4.val() {
            self.tx.next = self.shift.q.val().get_bit(0);
            if self.count.q.val() == self.z16.val() {
                self.shift.d.next = self.shift.q.val() >> 1;
                self.bits.d.next = self.bits.q.val() - self.o4.val();
                self.count.d.next = self.full.val();
            } else {
                self.count.d.next = self.count.q.val() - self.o16.val();
            }
        } else if self.start.val() {
            // stop bit (1), data, start bit (0)
            self.shift.d.next = (bit_cast::<10, 8>(self.data.val()) << 1) | self.stop.val();
            self.bits.d.next = self.ten4.val();
            self.count.d.next = self.full.val();
        }
        if self.reset.val() {
            self.bits.d.next = self.z4.val();
        }
    }
}
