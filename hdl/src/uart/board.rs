use super::UartFrontend;
use crate::poseidon::PoseidonFolded;
use rust_hdl::prelude::*;

/// The serial board's top level: [UartFrontend] joined to the folded Poseidon core
/// ([PoseidonFolded]: one S-box, 52 DSP, ~6 k LUT, so that it fits a small board such as the
/// Arty A7-35T; a UART feeds ~550 permutations a second, the core does ~58 k at 100 MHz), with
/// only board pins as ports (emitted as `bitstreams/rtl/serial_board.v`; pin map for the Arty A7
/// in `bitstreams/boards/arty-a7-35t/`). The core's port is the streaming core's, so a larger
/// board can take that one instead.
///
/// Reset: `rst` (a push button, active high, asynchronous to `clk`) goes through two flops; a
/// 4-bit power-on counter, which starts at 0 with the configuration's initial flop values,
/// holds the design in reset for its first 15 cycles, so the board needs no button press.
/// `led` latches a UART framing error (wrong baud rate or a noisy line) until reset.
#[derive(LogicBlock)]
pub struct SerialBoard {
    pub clk: Signal<In, Clock>,
    pub rst: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    pub led: Signal<Out, Bit>,
    // Internals
    front: UartFrontend,
    core: PoseidonFolded,
    rst_s1: DFF<Bit>,
    rst_s2: DFF<Bit>,
    por: DFF<Bits<4>>,
    err_seen: DFF<Bit>,
    por_done: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    reset: Signal<Local, Bit>,
}

impl SerialBoard {
    /// Clocks per UART bit and the decoder's idle timeout, as for [UartFrontend::new].
    pub fn new(clocks_per_bit: u16, idle_cycles: u32) -> Self {
        Self {
            clk: Default::default(),
            rst: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            led: Default::default(),
            front: UartFrontend::new(clocks_per_bit, idle_cycles),
            core: PoseidonFolded::default(),
            rst_s1: Default::default(),
            rst_s2: Default::default(),
            por: Default::default(),
            err_seen: Default::default(),
            por_done: Constant::new(15u64.to_bits()),
            one4: Constant::new(1u64.to_bits()),
            reset: Default::default(),
        }
    }
}

/// 115200 baud at the board's 100 MHz clock.
impl Default for SerialBoard {
    fn default() -> Self {
        Self::new(
            UartFrontend::DEFAULT_CLOCKS_PER_BIT,
            UartFrontend::DEFAULT_IDLE_CYCLES,
        )
    }
}

impl Logic for SerialBoard {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clk, rst_s1, rst_s2, por, err_seen);
        clock!(self, clk, front, core);
        // Reset: synchronised button, or the power-on count not yet done
        self.rst_s1.d.next = self.rst.val();
        self.rst_s2.d.next = self.rst_s1.q.val();
        if self.por.q.val() != self.por_done.val() {
            self.por.d.next = self.por.q.val() + self.one4.val();
        }
        self.reset.next = self.rst_s2.q.val() | (self.por.q.val() != self.por_done.val());
        self.front.reset.next = self.reset.val();
        self.core.reset.next = self.reset.val();
        // Pins
        self.front.rx.next = self.uart_rx.val();
        self.uart_tx.next = self.front.tx.val();
        if self.front.rx_error.val() {
            self.err_seen.d.next = true;
        }
        if self.reset.val() {
            self.err_seen.d.next = false;
        }
        self.led.next = self.err_seen.q.val();
        // Front end <-> core, ready/valid both ways
        self.core.in_valid.next = self.front.perm_valid.val();
        self.front.perm_ready.next = self.core.in_ready.val();
        self.core.state_in.next = self.front.perm_state.val();
        self.front.res_valid.next = self.core.out_valid.val();
        self.core.out_ready.next = self.front.res_ready.val();
        self.front.res_state.next = self.core.state_out.val();
    }
}
