use super::{FrameDecoder, UartRx, UartTx};
use rust_hdl::prelude::*;

/// The serial board's front end: [UartRx] -> [FrameDecoder] -> [UartTx], with the decoder's
/// Poseidon port brought out to connect a `PoseidonCore` or `PoseidonFolded` (ready/valid on both sides).
#[derive(LogicBlock)]
pub struct UartFrontend {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // The UART pins
    pub rx: Signal<In, Bit>,
    pub tx: Signal<Out, Bit>,
    // A received byte's stop bit was low (wrong baud rate or line noise), for a status LED
    pub rx_error: Signal<Out, Bit>,
    // To and from the Poseidon core
    pub perm_valid: Signal<Out, Bit>,
    pub perm_ready: Signal<In, Bit>,
    pub perm_state: Signal<Out, Bits<768>>,
    pub res_valid: Signal<In, Bit>,
    pub res_ready: Signal<Out, Bit>,
    pub res_state: Signal<In, Bits<768>>,
    // Internals
    urx: UartRx,
    utx: UartTx,
    dec: FrameDecoder,
}

impl UartFrontend {
    /// 100 MHz / 115200 baud.
    pub const DEFAULT_CLOCKS_PER_BIT: u16 = 868;
    /// 20 ms at 100 MHz.
    pub const DEFAULT_IDLE_CYCLES: u32 = 2_000_000;

    pub fn new(clocks_per_bit: u16, idle_cycles: u32) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            tx: Default::default(),
            rx_error: Default::default(),
            perm_valid: Default::default(),
            perm_ready: Default::default(),
            perm_state: Default::default(),
            res_valid: Default::default(),
            res_ready: Default::default(),
            res_state: Default::default(),
            urx: UartRx::new(clocks_per_bit),
            utx: UartTx::new(clocks_per_bit),
            dec: FrameDecoder::new(idle_cycles),
        }
    }
}

impl Default for UartFrontend {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CLOCKS_PER_BIT, Self::DEFAULT_IDLE_CYCLES)
    }
}

impl Logic for UartFrontend {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, urx, utx, dec);
        self.urx.reset.next = self.reset.val();
        self.utx.reset.next = self.reset.val();
        self.dec.reset.next = self.reset.val();
        self.urx.rx.next = self.rx.val();
        self.tx.next = self.utx.tx.val();
        self.rx_error.next = self.urx.frame_error.val();
        self.dec.in_valid.next = self.urx.valid.val();
        self.dec.in_data.next = self.urx.data.val();
        self.utx.start.next = self.dec.out_start.val();
        self.utx.data.next = self.dec.out_data.val();
        self.dec.out_busy.next = self.utx.busy.val();
        self.perm_valid.next = self.dec.perm_valid.val();
        self.dec.perm_ready.next = self.perm_ready.val();
        self.perm_state.next = self.dec.perm_state.val();
        self.dec.res_valid.next = self.res_valid.val();
        self.res_ready.next = self.dec.res_ready.val();
        self.dec.res_state.next = self.res_state.val();
    }
}
