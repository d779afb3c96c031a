use super::Crc32Serial;
use crate::boardproto::{self, caps, cmd, nak, ACK, MAX_PAYLOAD, NAK, PERMUTE_BYTES, SYNC};
use crate::field::P;
use rust_hdl::prelude::*;

// States
const HUNT: u64 = 0;
const CMD: u64 = 1;
const SEQ: u64 = 2;
const LEN0: u64 = 3;
const LEN1: u64 = 4;
const PAY: u64 = 5;
const CRC: u64 = 6;
const CHECK: u64 = 7;
const PERM_ISSUE: u64 = 8;
const PERM_WAIT: u64 = 9;
const SEND: u64 = 10;

/// The board's frame decoder and command unit (docs/boards.md), between a UART and the Poseidon
/// core. Receive: hunt for SYNC; take cmd, seq, len (a len above MAX_PAYLOAD drops the frame);
/// the payload (the first 96 bytes are kept, each completed 8-byte word checked canonical);
/// the CRC-32, checked by a bit-serial [Crc32Serial]. An idle gap of `idle_cycles` inside a
/// frame drops it. Then answer: a bad CRC -> NAK BAD_CRC; PING (empty) -> ACK with the PING
/// payload; PERMUTE (96 bytes, canonical) -> the state goes to the core, its result comes back
/// as the ACK's payload; a wrong length or non-canonical word -> NAK BAD_PAYLOAD; anything else
/// -> NAK UNKNOWN_COMMAND. The answer is framed with the request's seq and its own CRC (a
/// second [Crc32Serial], fed as bytes leave). Bytes arriving while it answers are dropped.
///
/// The Poseidon port is the cores' ready/valid interface (`PoseidonCore`, `PoseidonFolded`): lane i of
/// `perm_state`/`res_state` is bits 64i..64i+64, i.e. payload bytes 8i..8i+8, little-endian.
#[derive(LogicBlock)]
pub struct FrameDecoder {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Bytes from the UART receiver
    pub in_valid: Signal<In, Bit>,
    pub in_data: Signal<In, Bits<8>>,
    // Bytes to the UART transmitter
    pub out_start: Signal<Out, Bit>,
    pub out_data: Signal<Out, Bits<8>>,
    pub out_busy: Signal<In, Bit>,
    // To the Poseidon core
    pub perm_valid: Signal<Out, Bit>,
    pub perm_ready: Signal<In, Bit>,
    pub perm_state: Signal<Out, Bits<768>>,
    // From the Poseidon core
    pub res_valid: Signal<In, Bit>,
    pub res_ready: Signal<Out, Bit>,
    pub res_state: Signal<In, Bits<768>>,
    // Receive state
    state: DFF<Bits<4>>,
    cmd: DFF<Bits<8>>,
    seq: DFF<Bits<8>>,
    len_lo: DFF<Bits<8>>,
    len: DFF<Bits<16>>,
    count: DFF<Bits<16>>,
    rcrc: DFF<Bits<32>>,
    crc_idx: DFF<Bits<2>>,
    pay_buf: DFF<Bits<768>>,
    word_check: DFF<Bit>,
    noncanon: DFF<Bit>,
    idle: DFF<Bits<32>>,
    crc_rx: Crc32Serial,
    // Answer state
    code: DFF<Bits<8>>,
    resp_len: DFF<Bits<16>>,
    out_buf: DFF<Bits<768>>,
    pos: DFF<Bits<16>>,
    crc_out: DFF<Bits<32>>,
    crc_tx: Crc32Serial,
    // Locals
    len16: Signal<Local, Bits<16>>,
    in_frame: Signal<Local, Bit>,
    fire: Signal<Local, Bit>,
    body_end: Signal<Local, Bits<16>>,
    tx_byte: Signal<Local, Bits<8>>,
    // Constants
    c_sync: Constant<Bits<8>>,
    c_ack: Constant<Bits<8>>,
    c_nak: Constant<Bits<8>>,
    c_ping: Constant<Bits<8>>,
    c_permute: Constant<Bits<8>>,
    c_bad_crc: Constant<Bits<768>>,
    c_bad_payload: Constant<Bits<768>>,
    c_unknown: Constant<Bits<768>>,
    c_ping_payload: Constant<Bits<768>>,
    c_max_payload: Constant<Bits<16>>,
    c_perm_bytes: Constant<Bits<16>>,
    c_p: Constant<Bits<64>>,
    c_idle_limit: Constant<Bits<32>>,
    s_hunt: Constant<Bits<4>>,
    s_cmd: Constant<Bits<4>>,
    s_seq: Constant<Bits<4>>,
    s_len0: Constant<Bits<4>>,
    s_len1: Constant<Bits<4>>,
    s_pay: Constant<Bits<4>>,
    s_crc: Constant<Bits<4>>,
    s_check: Constant<Bits<4>>,
    s_perm_issue: Constant<Bits<4>>,
    s_perm_wait: Constant<Bits<4>>,
    s_send: Constant<Bits<4>>,
    z16: Constant<Bits<16>>,
    o16: Constant<Bits<16>>,
    three16: Constant<Bits<16>>,
    four16: Constant<Bits<16>>,
    five16: Constant<Bits<16>>,
    two16: Constant<Bits<16>>,
    eight16: Constant<Bits<16>>,
    z2: Constant<Bits<2>>,
    o2: Constant<Bits<2>>,
    three2: Constant<Bits<2>>,
    seven3: Constant<Bits<3>>,
    z32: Constant<Bits<32>>,
    o32: Constant<Bits<32>>,
}

/// The HDL front end's PING answer: PERMUTE only, payloads it acts on up to 96 bytes.
pub fn ping_payload() -> [u8; 8] {
    boardproto::ping_payload(caps::PERMUTE, PERMUTE_BYTES as u16)
}

fn c8(v: u8) -> Constant<Bits<8>> {
    Constant::new((v as u64).to_bits())
}
fn c4(v: u64) -> Constant<Bits<4>> {
    Constant::new(v.to_bits())
}
fn wide(v: u64) -> Constant<Bits<768>> {
    Constant::new(bit_cast::<768, 64>(v.to_bits()))
}

impl FrameDecoder {
    /// `idle_cycles`: how long a partial frame may stall before it is dropped.
    pub fn new(idle_cycles: u32) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_data: Default::default(),
            out_start: Default::default(),
            out_data: Default::default(),
            out_busy: Default::default(),
            perm_valid: Default::default(),
            perm_ready: Default::default(),
            perm_state: Default::default(),
            res_valid: Default::default(),
            res_ready: Default::default(),
            res_state: Default::default(),
            state: Default::default(),
            cmd: Default::default(),
            seq: Default::default(),
            len_lo: Default::default(),
            len: Default::default(),
            count: Default::default(),
            rcrc: Default::default(),
            crc_idx: Default::default(),
            pay_buf: Default::default(),
            word_check: Default::default(),
            noncanon: Default::default(),
            idle: Default::default(),
            crc_rx: Default::default(),
            code: Default::default(),
            resp_len: Default::default(),
            out_buf: Default::default(),
            pos: Default::default(),
            crc_out: Default::default(),
            crc_tx: Default::default(),
            len16: Default::default(),
            in_frame: Default::default(),
            fire: Default::default(),
            body_end: Default::default(),
            tx_byte: Default::default(),
            c_sync: c8(SYNC),
            c_ack: c8(ACK),
            c_nak: c8(NAK),
            c_ping: c8(cmd::PING),
            c_permute: c8(cmd::PERMUTE),
            c_bad_crc: wide(nak::BAD_CRC as u64),
            c_bad_payload: wide(nak::BAD_PAYLOAD as u64),
            c_unknown: wide(nak::UNKNOWN_COMMAND as u64),
            c_ping_payload: wide(u64::from_le_bytes(ping_payload())),
            c_max_payload: Constant::new((MAX_PAYLOAD as u64).to_bits()),
            c_perm_bytes: Constant::new((PERMUTE_BYTES as u64).to_bits()),
            c_p: Constant::new(P.to_bits()),
            c_idle_limit: Constant::new((idle_cycles as u64).to_bits()),
            s_hunt: c4(HUNT),
            s_cmd: c4(CMD),
            s_seq: c4(SEQ),
            s_len0: c4(LEN0),
            s_len1: c4(LEN1),
            s_pay: c4(PAY),
            s_crc: c4(CRC),
            s_check: c4(CHECK),
            s_perm_issue: c4(PERM_ISSUE),
            s_perm_wait: c4(PERM_WAIT),
            s_send: c4(SEND),
            z16: Constant::new(0u64.to_bits()),
            o16: Constant::new(1u64.to_bits()),
            three16: Constant::new(3u64.to_bits()),
            four16: Constant::new(4u64.to_bits()),
            five16: Constant::new(5u64.to_bits()),
            two16: Constant::new(2u64.to_bits()),
            eight16: Constant::new(8u64.to_bits()),
            z2: Constant::new(0u64.to_bits()),
            o2: Constant::new(1u64.to_bits()),
            three2: Constant::new(3u64.to_bits()),
            seven3: Constant::new(7u64.to_bits()),
            z32: Constant::new(0u64.to_bits()),
            o32: Constant::new(1u64.to_bits()),
        }
    }
}

impl Logic for FrameDecoder {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, cmd, seq, len_lo, len, count, rcrc, crc_idx, pay_buf, word_check, noncanon, idle, code,
            resp_len, out_buf, pos, crc_out
        );
        clock!(self, clock, crc_rx, crc_tx);
        // Defaults
        self.crc_rx.clear.next = false;
        self.crc_rx.load.next = false;
        self.crc_rx.data_in.next = self.in_data.val();
        self.crc_tx.clear.next = false;
        self.crc_tx.load.next = false;
        self.perm_valid.next = false;
        self.perm_state.next = self.pay_buf.q.val();
        self.res_ready.next = false;
        self.word_check.d.next = false;
        self.len16.next = (bit_cast::<16, 8>(self.in_data.val()) << 8) | bit_cast::<16, 8>(self.len_lo.q.val());
        self.in_frame.next = (self.state.q.val() != self.s_hunt.val()) & (self.state.q.val() < self.s_check.val());

        // Receive
        if self.in_valid.val() {
            if self.state.q.val() == self.s_hunt.val() {
                if self.in_data.val() == self.c_sync.val() {
                    self.state.d.next = self.s_cmd.val();
                    self.crc_rx.clear.next = true;
                    self.noncanon.d.next = false;
                    self.count.d.next = self.z16.val();
                    self.crc_idx.d.next = self.z2.val();
                }
            }
            if self.state.q.val() == self.s_cmd.val() {
                self.cmd.d.next = self.in_data.val();
                self.crc_rx.load.next = true;
                self.state.d.next = self.s_seq.val();
            }
            if self.state.q.val() == self.s_seq.val() {
                self.seq.d.next = self.in_data.val();
                self.crc_rx.load.next = true;
                self.state.d.next = self.s_len0.val();
            }
            if self.state.q.val() == self.s_len0.val() {
                self.len_lo.d.next = self.in_data.val();
                self.crc_rx.load.next = true;
                self.state.d.next = self.s_len1.val();
            }
            if self.state.q.val() == self.s_len1.val() {
                self.len.d.next = self.len16.val();
                self.crc_rx.load.next = true;
                if self.len16.val() > self.c_max_payload.val() {
                    self.state.d.next = self.s_hunt.val();
                } else if self.len16.val() == self.z16.val() {
                    self.state.d.next = self.s_crc.val();
                } else {
                    self.state.d.next = self.s_pay.val();
                }
            }
            if self.state.q.val() == self.s_pay.val() {
                self.crc_rx.load.next = true;
                if self.count.q.val() < self.c_perm_bytes.val() {
                    self.pay_buf.d.next = (self.pay_buf.q.val() >> 8) | (bit_cast::<768, 8>(self.in_data.val()) << 760);
                    if self.count.q.val().get_bits::<3>(0) == self.seven3.val() {
                        self.word_check.d.next = true;
                    }
                }
                self.count.d.next = self.count.q.val() + self.o16.val();
                if self.count.q.val() + self.o16.val() == self.len.q.val() {
                    self.state.d.next = self.s_crc.val();
                }
            }
            if self.state.q.val() == self.s_crc.val() {
                self.rcrc.d.next = (self.rcrc.q.val() >> 8) | (bit_cast::<32, 8>(self.in_data.val()) << 24);
                self.crc_idx.d.next = self.crc_idx.q.val() + self.o2.val();
                if self.crc_idx.q.val() == self.three2.val() {
                    self.state.d.next = self.s_check.val();
                }
            }
        }
        // The word completed last cycle sits in the top 64 bits of pay_buf.
        if self.word_check.q.val() {
            if self.pay_buf.q.val().get_bits::<64>(704) >= self.c_p.val() {
                self.noncanon.d.next = true;
            }
        }
        // An idle gap inside a frame drops it.
        if self.in_frame.val() & !self.in_valid.val() {
            self.idle.d.next = self.idle.q.val() + self.o32.val();
            if self.idle.q.val() == self.c_idle_limit.val() {
                self.state.d.next = self.s_hunt.val();
            }
        } else {
            self.idle.d.next = self.z32.val();
        }

        // Decide
        if (self.state.q.val() == self.s_check.val()) & !self.crc_rx.busy.val() & !self.word_check.q.val() {
            self.pos.d.next = self.z16.val();
            self.code.d.next = self.c_nak.val();
            self.resp_len.d.next = self.o16.val();
            self.state.d.next = self.s_send.val();
            if self.crc_rx.crc.val() != self.rcrc.q.val() {
                self.out_buf.d.next = self.c_bad_crc.val();
            } else if self.cmd.q.val() == self.c_ping.val() {
                if self.len.q.val() == self.z16.val() {
                    self.code.d.next = self.c_ack.val();
                    self.resp_len.d.next = self.eight16.val();
                    self.out_buf.d.next = self.c_ping_payload.val();
                } else {
                    self.out_buf.d.next = self.c_bad_payload.val();
                }
            } else if self.cmd.q.val() == self.c_permute.val() {
                if (self.len.q.val() == self.c_perm_bytes.val()) & !self.noncanon.q.val() {
                    self.state.d.next = self.s_perm_issue.val();
                } else {
                    self.out_buf.d.next = self.c_bad_payload.val();
                }
            } else {
                self.out_buf.d.next = self.c_unknown.val();
            }
        }
        // Permute: hand the state to the core, wait for its result.
        if self.state.q.val() == self.s_perm_issue.val() {
            self.perm_valid.next = true;
            if self.perm_ready.val() {
                self.state.d.next = self.s_perm_wait.val();
            }
        }
        if self.state.q.val() == self.s_perm_wait.val() {
            self.res_ready.next = true;
            if self.res_valid.val() {
                self.out_buf.d.next = self.res_state.val();
                self.code.d.next = self.c_ack.val();
                self.resp_len.d.next = self.c_perm_bytes.val();
                self.state.d.next = self.s_send.val();
            }
        }

        // Answer: SYNC, code, seq, len, payload, CRC, one byte per free transmitter.
        self.body_end.next = self.resp_len.q.val() + self.five16.val();
        self.fire.next = (self.state.q.val() == self.s_send.val()) & !self.out_busy.val() & !self.crc_tx.busy.val();
        self.tx_byte.next = self.crc_out.q.val().get_bits::<8>(0);
        if self.pos.q.val() == self.z16.val() {
            self.tx_byte.next = self.c_sync.val();
        }
        if self.pos.q.val() == self.o16.val() {
            self.tx_byte.next = self.code.q.val();
        }
        if self.pos.q.val() == self.two16.val() {
            self.tx_byte.next = self.seq.q.val();
        }
        if self.pos.q.val() == self.three16.val() {
            self.tx_byte.next = self.resp_len.q.val().get_bits::<8>(0);
        }
        if self.pos.q.val() == self.four16.val() {
            self.tx_byte.next = self.resp_len.q.val().get_bits::<8>(8);
        }
        if (self.pos.q.val() >= self.five16.val()) & (self.pos.q.val() < self.body_end.val()) {
            self.tx_byte.next = self.out_buf.q.val().get_bits::<8>(0);
        }
        if self.pos.q.val() == self.body_end.val() {
            self.tx_byte.next = self.crc_tx.crc.val().get_bits::<8>(0);
        }
        self.out_start.next = self.fire.val();
        self.out_data.next = self.tx_byte.val();
        self.crc_tx.data_in.next = self.tx_byte.val();
        if self.fire.val() {
            self.pos.d.next = self.pos.q.val() + self.o16.val();
            if self.pos.q.val() == self.z16.val() {
                self.crc_tx.clear.next = true;
            }
            if (self.pos.q.val() >= self.o16.val()) & (self.pos.q.val() < self.body_end.val()) {
                self.crc_tx.load.next = true;
            }
            if (self.pos.q.val() >= self.five16.val()) & (self.pos.q.val() < self.body_end.val()) {
                self.out_buf.d.next = self.out_buf.q.val() >> 8;
            }
            if self.pos.q.val() == self.body_end.val() {
                self.crc_out.d.next = self.crc_tx.crc.val() >> 8;
            }
            if self.pos.q.val() > self.body_end.val() {
                self.crc_out.d.next = self.crc_out.q.val() >> 8;
            }
            if self.pos.q.val() == self.body_end.val() + self.three16.val() {
                self.state.d.next = self.s_hunt.val();
            }
        }
        if self.reset.val() {
            self.state.d.next = self.s_hunt.val();
            self.idle.d.next = self.z32.val();
        }
    }
}
