//! Rust-HDL simulation of the serial board's front end (hdl/src/uart) at 4 clocks per bit: the
//! UART pieces and CRC unit on their own, then `UartFrontend` driven through its rx pin with
//! frames built by `boardproto::frame_model`, its tx pin decoded by a software UART, and a
//! software Poseidon core (`poseidon::permutation_model`) on its core port (the Rust-HDL model of
//! the real core simulates far too slowly for this). Answers must be the exact bytes the
//! protocol prescribes, which are also what the host's simulated board sends.

use parallax_hdl::boardproto::{self, cmd, nak, ACK, NAK, SYNC};
use parallax_hdl::field::P;
use parallax_hdl::poseidon::{bits_to_lanes, lanes_to_bits, permutation_model};
use parallax_hdl::uart::{ping_payload, Crc32Serial, UartFrontend, UartRx, UartTx};
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::VecDeque;

const DIV: usize = 4;

fn settle<T: Block>(uut: &mut T) {
    for _ in 0..200 {
        uut.update_all();
        if !uut.has_changed() {
            return;
        }
    }
    panic!("the logic did not settle");
}

/// One rising and falling edge of `clock` (inputs as set before).
macro_rules! tick {
    ($uut:expr) => {{
        settle(&mut *$uut);
        $uut.clock.next = Clock { clk: true };
        settle(&mut *$uut);
        $uut.clock.next = Clock { clk: false };
        settle(&mut *$uut);
    }};
}

/// The line levels of `bytes` in 8N1, DIV clocks per bit.
fn line(bytes: &[u8]) -> VecDeque<bool> {
    let mut v = VecDeque::new();
    for &b in bytes {
        let bits = std::iter::once(false).chain((0..8).map(|i| b >> i & 1 == 1)).chain(std::iter::once(true));
        for bit in bits {
            v.extend(std::iter::repeat(bit).take(DIV));
        }
    }
    v
}

/// A software UART receiver sampling the tx pin once per clock, mid-bit.
#[derive(Default)]
struct Monitor {
    at: Option<usize>,
    byte: u8,
    got: Vec<u8>,
    framing_errors: usize,
}

impl Monitor {
    fn sample(&mut self, level: bool) {
        match self.at {
            None if !level => self.at = Some(0),
            None => {}
            Some(c) => {
                let c = c + 1;
                self.at = Some(c);
                if c >= DIV + DIV / 2 && (c - DIV / 2) % DIV == 0 {
                    let k = (c - DIV / 2) / DIV; // 1..=8 data, 9 stop
                    if k <= 8 {
                        self.byte = (self.byte >> 1) | ((level as u8) << 7);
                    } else {
                        if level {
                            self.got.push(self.byte);
                        } else {
                            self.framing_errors += 1;
                        }
                        self.at = None;
                    }
                }
            }
        }
    }
}

#[test]
fn uart_tx_sends_8n1_bytes() {
    let mut uut = Box::new(UartTx::new(DIV as u16));
    uut.connect_all();
    uut.reset.next = true;
    tick!(uut);
    uut.reset.next = false;
    let bytes = [0x00u8, 0xFF, SYNC, 0x3C];
    let mut mon = Monitor::default();
    let mut queue: VecDeque<u8> = bytes.iter().copied().collect();
    for _ in 0..(bytes.len() * 10 * DIV + 40) {
        settle(&mut *uut);
        uut.start.next = false;
        if !uut.busy.val() {
            if let Some(b) = queue.pop_front() {
                uut.start.next = true;
                uut.data.next = (b as u64).to_bits();
            }
        }
        mon.sample(uut.tx.val());
        tick!(uut);
    }
    assert_eq!(mon.got, bytes);
    assert_eq!(mon.framing_errors, 0);
}

#[test]
fn uart_rx_receives_bytes_and_flags_a_bad_stop_bit() {
    let mut uut = Box::new(UartRx::new(DIV as u16));
    uut.connect_all();
    uut.rx.next = true;
    uut.reset.next = true;
    tick!(uut);
    uut.reset.next = false;
    let mut levels = line(&[0xA5, 0x00, 0xFF, 0x81]);
    // A byte whose stop bit is low, then the line idles.
    let mut bad = line(&[0x42]);
    for _ in 0..DIV {
        bad.pop_back();
    }
    levels.extend(bad);
    levels.extend(std::iter::repeat(false).take(DIV));
    levels.extend(std::iter::repeat(true).take(4 * DIV));
    levels.extend(line(&[0x5A]));
    levels.extend(std::iter::repeat(true).take(4 * DIV));
    let (mut got, mut errors) = (vec![], 0);
    while let Some(l) = levels.pop_front() {
        uut.rx.next = l;
        tick!(uut);
        if uut.valid.val() {
            got.push(uut.data.val().to_u64() as u8);
        }
        errors += uut.frame_error.val() as usize;
    }
    assert_eq!(got, vec![0xA5, 0x00, 0xFF, 0x81, 0x5A]);
    assert_eq!(errors, 1);
}

#[test]
fn crc_unit_matches_the_model() {
    let mut uut = Box::new(Crc32Serial::default());
    uut.connect_all();
    uut.clear.next = true;
    tick!(uut);
    uut.clear.next = false;
    for &b in b"123456789" {
        uut.load.next = true;
        uut.data_in.next = (b as u64).to_bits();
        tick!(uut);
        uut.load.next = false;
        for _ in 0..8 {
            tick!(uut);
        }
        assert!(!uut.busy.val());
    }
    assert_eq!(uut.crc.val().to_u64() as u32, boardproto::crc32_model(b"123456789"));
    assert_eq!(boardproto::crc32_model(b"123456789"), 0xCBF4_3926);
}

/// The front end with a software Poseidon core answering `LATENCY` cycles after a request.
struct Tb {
    uut: Box<UartFrontend>,
    rx: VecDeque<bool>,
    mon: Monitor,
    pending: Option<(usize, [u64; 12])>,
    permutes: usize,
}

const IDLE_LIMIT: u32 = 400;
const LATENCY: usize = 30;

impl Tb {
    fn new() -> Self {
        let mut uut = Box::new(UartFrontend::new(DIV as u16, IDLE_LIMIT));
        uut.connect_all();
        uut.rx.next = true;
        uut.perm_ready.next = true;
        uut.reset.next = true;
        tick!(uut);
        tick!(uut);
        uut.reset.next = false;
        Self { uut, rx: VecDeque::new(), mon: Monitor::default(), pending: None, permutes: 0 }
    }

    fn cycle(&mut self) {
        let u = &mut *self.uut;
        u.rx.next = self.rx.pop_front().unwrap_or(true);
        settle(u);
        // The core's side of both handshakes, as seen before this edge.
        let took_req = u.perm_valid.val() && u.perm_ready.val();
        let state_in = bits_to_lanes(u.perm_state.val());
        let gave_res = u.res_valid.val() && u.res_ready.val();
        self.mon.sample(u.tx.val());
        tick!(u);
        if gave_res {
            self.pending = None;
            self.uut.res_valid.next = false;
        }
        if took_req {
            assert!(self.pending.is_none(), "one permutation in flight at a time");
            self.pending = Some((LATENCY, permutation_model(&state_in)));
            self.permutes += 1;
        }
        if let Some((left, out)) = &mut self.pending {
            if *left == 0 {
                self.uut.res_valid.next = true;
                self.uut.res_state.next = lanes_to_bits(out);
            } else {
                *left -= 1;
            }
        }
    }

    /// Sends `bytes` and runs until the line has been quiet for a while; returns what came back.
    fn exchange(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.rx.extend(line(bytes));
        let mut quiet = 0;
        let before = self.mon.got.len();
        while !self.rx.is_empty() || quiet < 14 * DIV + LATENCY + 20 {
            let was = self.mon.got.len();
            self.cycle();
            quiet = if self.mon.got.len() != was || self.mon.at.is_some() || !self.rx.is_empty() { 0 } else { quiet + 1 };
        }
        assert_eq!(self.mon.framing_errors, 0);
        self.mon.got[before..].to_vec()
    }
}

fn le_bytes(w: &[u64]) -> Vec<u8> {
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn frontend_answers_ping_and_permute() {
    let mut tb = Tb::new();
    assert_eq!(tb.exchange(&boardproto::frame_model(cmd::PING, 7, &[])), boardproto::frame_model(ACK, 7, &ping_payload()));
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let s: [u64; 12] = std::array::from_fn(|i| if i == 0 { P - 1 } else { rng.gen_range(0..P) });
    let got = tb.exchange(&boardproto::frame_model(cmd::PERMUTE, 8, &le_bytes(&s)));
    assert_eq!(got, boardproto::frame_model(ACK, 8, &le_bytes(&permutation_model(&s))));
    assert_eq!(tb.permutes, 1);
}

#[test]
fn frontend_naks_bad_frames_and_drops_broken_ones() {
    let mut tb = Tb::new();
    // Garbage, then a ping whose CRC is wrong.
    let mut f = boardproto::frame_model(cmd::PING, 1, &[]);
    *f.last_mut().unwrap() ^= 0x10;
    let mut bytes = vec![0x00, 0x37];
    bytes.extend(&f);
    assert_eq!(tb.exchange(&bytes), boardproto::frame_model(NAK, 1, &[nak::BAD_CRC]));
    // An upload command: the fabric does not take uploads.
    assert_eq!(tb.exchange(&boardproto::frame_model(cmd::UPLOAD_STATUS, 2, &[])), boardproto::frame_model(NAK, 2, &[nak::UNKNOWN_COMMAND]));
    // PING with a payload; PERMUTE with a non-canonical lane.
    assert_eq!(tb.exchange(&boardproto::frame_model(cmd::PING, 3, &[1])), boardproto::frame_model(NAK, 3, &[nak::BAD_PAYLOAD]));
    let mut s = [5u64; 12];
    s[11] = P;
    assert_eq!(tb.exchange(&boardproto::frame_model(cmd::PERMUTE, 4, &le_bytes(&s))), boardproto::frame_model(NAK, 4, &[nak::BAD_PAYLOAD]));
    assert_eq!(tb.permutes, 0);
    // A header announcing 1025 bytes is dropped; the next frame is answered.
    let mut bytes = vec![SYNC, cmd::PING, 5, 0x01, 0x04];
    bytes.extend(boardproto::frame_model(cmd::PING, 6, &[]));
    assert_eq!(tb.exchange(&bytes), boardproto::frame_model(ACK, 6, &ping_payload()));
    // A partial frame abandoned (idle gap), then a whole one.
    let partial = &boardproto::frame_model(cmd::PING, 9, &[])[..4];
    assert_eq!(tb.exchange(partial), Vec::<u8>::new());
    for _ in 0..IDLE_LIMIT as usize + 10 {
        tb.cycle();
    }
    assert_eq!(tb.exchange(&boardproto::frame_model(cmd::PING, 10, &[])), boardproto::frame_model(ACK, 10, &ping_payload()));
}
