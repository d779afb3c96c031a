use crate::boardproto::{CRC_INIT, CRC_POLY};
use rust_hdl::prelude::*;

/// Bit-serial CRC-32 (ISO-HDLC): `clear` sets the register to all ones; `load` with `data_in`
/// feeds one byte, LSB first, one bit per clock (`busy` for 8 cycles, well inside a UART byte
/// time). `crc` is the register with the final XOR: the frame's CRC once all bytes are in.
/// The model is `boardproto::crc32_model`.
#[derive(LogicBlock)]
pub struct Crc32Serial {
    pub clock: Signal<In, Clock>,
    pub clear: Signal<In, Bit>,
    pub load: Signal<In, Bit>,
    pub data_in: Signal<In, Bits<8>>,
    pub busy: Signal<Out, Bit>,
    pub crc: Signal<Out, Bits<32>>,
    creg: DFF<Bits<32>>,
    shift: DFF<Bits<8>>,
    left: DFF<Bits<4>>,
    poly: Constant<Bits<32>>,
    init: Constant<Bits<32>>,
    z4: Constant<Bits<4>>,
    o4: Constant<Bits<4>>,
    eight4: Constant<Bits<4>>,
}

impl Default for Crc32Serial {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            clear: Default::default(),
            load: Default::default(),
            data_in: Default::default(),
            busy: Default::default(),
            crc: Default::default(),
            creg: Default::default(),
            shift: Default::default(),
            left: Default::default(),
            poly: Constant::new((CRC_POLY as u64).to_bits()),
            init: Constant::new((CRC_INIT as u64).to_bits()),
            z4: Constant::new(0u64.to_bits()),
            o4: Constant::new(1u64.to_bits()),
            eight4: Constant::new(8u64.to_bits()),
        }
    }
}

impl Logic for Crc32Serial {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, creg, shift, left);
        self.busy.next = self.left.q.val() != self.z4.val();
        self.crc.next = self.creg.q.val() ^ self.init.val();
        if self.left.q.val() != self.z4.val() {
            self.shift.d.next = self.shift.q.val() >> 1;
            self.left.d.next = self.left.q.val() - self.o4.val();
            if self.creg.q.val().get_bit(0) ^ self.shift.q.val().get_bit(0) {
                self.creg.d.next = (self.creg.q.val() >> 1) ^ self.poly.val();
            } else {
                self.creg.d.next = self.creg.q.val() >> 1;
            }
        } else if self.load.val() {
            self.shift.d.next = self.data_in.val();
            self.left.d.next = self.eight4.val();
        }
        if self.clear.val() {
            self.creg.d.next = self.init.val();
            self.left.d.next = self.z4.val();
        }
    }
}
