//! Rust-HDL simulation of the AXI4 master engines (`hdl/src/kernel/axi_read.rs`,
//! `axi_write.rs`) against a memory model that is an AXI4 slave with random READY/VALID stalls
//! and latency, and that checks what the AXI4 spec asks of a master: aligned 8-byte INCR bursts
//! of at most 16 beats that do not cross 4 KiB, VALID held with a stable payload until READY,
//! WLAST on exactly the burst's last beat.

use parallax_hdl::kernel::axi_read::{AxiReadEngine, MAX_BURST};
use parallax_hdl::kernel::axi_write::AxiWriteEngine;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;
use std::collections::{BTreeMap, VecDeque};

fn settle<T: Block>(uut: &mut T) {
    for _ in 0..100 {
        uut.update_all();
        if !uut.has_changed() {
            return;
        }
    }
    panic!("the logic did not settle");
}

fn edge<T: Block>(uut: &mut T, clock: fn(&mut T) -> &mut Signal<In, Clock>) {
    settle(uut);
    clock(uut).next = Clock { clk: true };
    settle(uut);
    clock(uut).next = Clock { clk: false };
    settle(uut);
}

/// Device memory as the AXI4 slave sees it: words at byte addresses; reads or writes of the
/// words in `faulty` answer SLVERR.
struct Memory {
    words: BTreeMap<u64, u64>,
    faulty: Vec<u64>,
}

impl Memory {
    fn filled(base: u64, n: usize, rng: &mut StdRng) -> Self {
        let words = (0..n as u64).map(|k| (base + 8 * k, rng.gen())).collect();
        Self { words, faulty: vec![] }
    }
}

/// Checks one AXI4 burst request from the engines.
fn check_burst(addr: u64, len: u64, size: u64, burst: u64) -> u64 {
    let beats = len + 1;
    assert_eq!(addr % 8, 0, "unaligned burst at {addr:#x}");
    assert_eq!(size, 3, "beats are 8 bytes");
    assert_eq!(burst, 1, "INCR");
    assert!(beats <= MAX_BURST, "{beats} beats");
    assert_eq!(addr >> 12, (addr + 8 * beats - 1) >> 12, "burst at {addr:#x} of {beats} beats crosses 4 KiB");
    beats
}

/// How often (in 1/256) the memory withholds READY/VALID, and the consumer or producer stalls.
#[derive(Clone, Copy)]
struct Stalls {
    memory: u32,
    stream: u32,
}

fn stall(rng: &mut StdRng, p: u32) -> bool {
    p > 0 && rng.gen_range(0..256) < p
}

/// Reads `words` from `base` through the read engine; returns the stream, the error flag and
/// the number of bursts.
fn read(mem: &Memory, base: u64, words: u32, st: Stalls, rng: &mut StdRng) -> (Vec<u64>, bool, usize) {
    let mut u = Box::<AxiReadEngine>::default();
    u.connect_all();
    fn clock(u: &mut AxiReadEngine) -> &mut Signal<In, Clock> {
        &mut u.clock
    }
    u.reset.next = true;
    edge(u.as_mut(), clock);
    u.reset.next = false;
    u.start.next = true;
    u.base.next = base.to_bits();
    u.words.next = (words as u64).to_bits();
    edge(u.as_mut(), clock);
    u.start.next = false;
    let mut out = vec![];
    let mut bursts = 0;
    // Bursts accepted and not yet returned: (address, beats left), with a latency countdown.
    let mut pending: VecDeque<(u64, u64)> = VecDeque::new();
    let mut latency = 0;
    let mut held_ar: Option<(u64, u64)> = None;
    let mut held_r: Option<(u64, bool, u64)> = None;
    let mut last_seen = false;
    for cycle in 0.. {
        assert!(cycle < 200 + 20 * words as usize, "the read engine hangs");
        // Slave outputs for this cycle.
        u.arready.next = !stall(rng, st.memory);
        let beat = match (held_r, pending.front()) {
            (Some(b), _) => Some(b),
            (None, Some(&(a, left))) if latency == 0 && !stall(rng, st.memory) => {
                let resp = if mem.faulty.contains(&a) { 2 } else { 0 };
                Some((mem.words.get(&a).copied().unwrap_or(0xBAD), left == 1, resp))
            }
            _ => None,
        };
        u.rvalid.next = beat.is_some();
        if let Some((d, last, resp)) = beat {
            u.rdata.next = d.to_bits();
            u.rlast.next = last;
            u.rresp.next = resp.to_bits();
        }
        u.out_ready.next = !stall(rng, st.stream);
        settle(u.as_mut());
        if !u.busy.val() && pending.is_empty() && held_r.is_none() {
            break;
        }
        // The master's AR: held with a stable payload until taken.
        if u.arvalid.val() {
            let req = (u.araddr.val().to_u64(), u.arlen.val().to_u64());
            if let Some(prev) = held_ar {
                assert_eq!(prev, req, "AR payload changed while waiting");
            }
            if u.arready.val() {
                let beats = check_burst(req.0, req.1, u.arsize.val().to_u64(), u.arburst.val().to_u64());
                pending.push_back((req.0, beats));
                bursts += 1;
                latency = rng.gen_range(0..4);
                held_ar = None;
            } else {
                held_ar = Some(req);
            }
        } else {
            assert!(held_ar.is_none(), "ARVALID dropped before ARREADY");
        }
        if latency > 0 {
            latency -= 1;
        }
        if let Some(b) = beat {
            if u.rready.val() {
                let (a, left) = pending.pop_front().expect("a burst is open");
                if left > 1 {
                    pending.push_front((a + 8, left - 1));
                }
                held_r = None;
            } else {
                held_r = Some(b);
            }
        }
        if u.out_valid.val() && u.out_ready.val() {
            assert!(!last_seen, "words after out_last");
            out.push(u.out_data.val().to_u64());
            last_seen = u.out_last.val();
        }
        edge(u.as_mut(), clock);
    }
    assert_eq!(last_seen, words > 0, "out_last on the final word");
    (out, u.error.val(), bursts)
}

/// Writes `data` through the write engine at `base` with `stride`; returns the error flag and
/// the number of bursts. `busy` must stay up until the last response has been given.
fn write(mem: &mut Memory, base: u64, stride: u32, data: &[u64], st: Stalls, rng: &mut StdRng) -> (bool, usize) {
    let mut u = Box::<AxiWriteEngine>::default();
    u.connect_all();
    fn clock(u: &mut AxiWriteEngine) -> &mut Signal<In, Clock> {
        &mut u.clock
    }
    u.reset.next = true;
    edge(u.as_mut(), clock);
    u.reset.next = false;
    u.start.next = true;
    u.base.next = base.to_bits();
    u.words.next = (data.len() as u64).to_bits();
    u.stride.next = (stride as u64).to_bits();
    edge(u.as_mut(), clock);
    u.start.next = false;
    let mut sent = 0;
    let mut bursts = 0;
    // The open burst: (next address, beats left, SLVERR seen).
    let mut open: Option<(u64, u64, bool)> = None;
    let mut responses: VecDeque<(u64, u64)> = VecDeque::new(); // (delay, resp)
    let mut held_aw: Option<(u64, u64)> = None;
    let mut held_w: Option<(u64, bool)> = None;
    let mut outstanding = 0;
    for cycle in 0.. {
        assert!(cycle < 200 + 30 * data.len(), "the write engine hangs");
        u.awready.next = open.is_none() && !stall(rng, st.memory);
        u.wready.next = open.is_some() && !stall(rng, st.memory);
        let b = responses.front().filter(|r| r.0 == 0).map(|r| r.1);
        u.bvalid.next = b.is_some();
        u.bresp.next = b.unwrap_or(0).to_bits();
        // The producer: a word offered is held until taken.
        let offering = sent < data.len() && (held_w.is_some() || !stall(rng, st.stream));
        u.in_valid.next = offering;
        if sent < data.len() {
            u.in_data.next = data[sent].to_bits();
        }
        settle(u.as_mut());
        if !u.busy.val() {
            assert_eq!(outstanding, 0, "busy fell before the last write response");
            break;
        }
        if u.awvalid.val() {
            let req = (u.awaddr.val().to_u64(), u.awlen.val().to_u64());
            if let Some(prev) = held_aw {
                assert_eq!(prev, req, "AW payload changed while waiting");
            }
            if u.awready.val() {
                let beats = check_burst(req.0, req.1, u.awsize.val().to_u64(), u.awburst.val().to_u64());
                open = Some((req.0, beats, false));
                bursts += 1;
                outstanding += 1;
                held_aw = None;
            } else {
                held_aw = Some(req);
            }
        } else {
            assert!(held_aw.is_none(), "AWVALID dropped before AWREADY");
        }
        if u.wvalid.val() {
            let w = (u.wdata.val().to_u64(), u.wlast.val());
            if let Some(prev) = held_w {
                assert_eq!(prev, w, "W payload changed while waiting");
            }
            assert_eq!(u.wstrb.val().to_u64(), 0xFF);
            if u.wready.val() {
                let (a, left, err) = open.take().expect("W only inside a burst");
                assert_eq!(w.1, left == 1, "WLAST on the burst's last beat only");
                mem.words.insert(a, w.0);
                let err = err || mem.faulty.contains(&a);
                if left > 1 {
                    open = Some((a + 8, left - 1, err));
                } else {
                    responses.push_back((rng.gen_range(0..4), if err { 2 } else { 0 }));
                }
                held_w = None;
            } else {
                held_w = Some(w);
            }
        } else {
            assert!(held_w.is_none(), "WVALID dropped before WREADY");
        }
        if u.in_valid.val() && u.in_ready.val() {
            sent += 1;
        }
        if b.is_some() && u.bready.val() {
            responses.pop_front();
            outstanding -= 1;
        }
        for r in responses.iter_mut() {
            r.0 = r.0.saturating_sub(1);
        }
        edge(u.as_mut(), clock);
    }
    assert_eq!(sent, data.len(), "every word taken");
    (u.error.val(), bursts)
}

const STALL_SETS: [Stalls; 4] = [
    Stalls { memory: 0, stream: 0 },
    Stalls { memory: 128, stream: 0 },
    Stalls { memory: 0, stream: 160 },
    Stalls { memory: 100, stream: 100 },
];

/// Bases near a 4 KiB boundary, so that bursts must be split there.
fn base(rng: &mut StdRng) -> u64 {
    0x1_0000 + 4096 * rng.gen_range(0..4) + 8 * rng.gen_range(0..512)
}

#[test]
fn reads_stream_memory_in_order() {
    let mut rng = StdRng::seed_from_u64(1);
    for st in STALL_SETS {
        for words in [1u32, 2, 15, 16, 17, 100, 600] {
            let b = base(&mut rng);
            let mem = Memory::filled(b, words as usize, &mut rng);
            let (got, err, bursts) = read(&mem, b, words, st, &mut rng);
            let want: Vec<u64> = (0..words as u64).map(|k| mem.words[&(b + 8 * k)]).collect();
            assert_eq!(got, want, "{words} words at {b:#x}");
            assert!(!err);
            // Full bursts except at the ends and at 4 KiB boundaries.
            let crossings = ((b + 8 * words as u64 - 1) >> 12) - (b >> 12);
            assert!(bursts as u64 <= (words as u64).div_ceil(MAX_BURST) + crossings, "{bursts} bursts");
        }
    }
}

#[test]
fn contiguous_writes_land_in_order_and_nowhere_else() {
    let mut rng = StdRng::seed_from_u64(2);
    for st in STALL_SETS {
        for words in [1usize, 16, 17, 333] {
            let b = base(&mut rng);
            let data: Vec<u64> = (0..words).map(|_| rng.gen()).collect();
            let mut mem = Memory { words: BTreeMap::new(), faulty: vec![] };
            let (err, bursts) = write(&mut mem, b, 1, &data, st, &mut rng);
            assert!(!err);
            let want: BTreeMap<u64, u64> = data.iter().enumerate().map(|(k, &d)| (b + 8 * k as u64, d)).collect();
            assert_eq!(mem.words, want, "{words} words at {b:#x}");
            assert!(bursts >= words.div_ceil(MAX_BURST as usize));
        }
    }
}

#[test]
fn strided_writes_one_word_per_stride() {
    let mut rng = StdRng::seed_from_u64(3);
    for st in STALL_SETS {
        for (words, stride) in [(8usize, 3u32), (20, 64), (5, 0x200)] {
            let b = base(&mut rng);
            let data: Vec<u64> = (0..words).map(|_| rng.gen()).collect();
            let mut mem = Memory { words: BTreeMap::new(), faulty: vec![] };
            let (err, bursts) = write(&mut mem, b, stride, &data, st, &mut rng);
            assert!(!err);
            assert_eq!(bursts, words, "one single-beat burst per word");
            let want: BTreeMap<u64, u64> =
                data.iter().enumerate().map(|(k, &d)| (b + 8 * k as u64 * stride as u64, d)).collect();
            assert_eq!(mem.words, want);
        }
    }
}

#[test]
fn slverr_sets_error_until_the_next_start() {
    let mut rng = StdRng::seed_from_u64(4);
    let b = 0x2000;
    let mut mem = Memory::filled(b, 40, &mut rng);
    mem.faulty.push(b + 8 * 33);
    let (got, err, _) = read(&mem, b, 40, STALL_SETS[3], &mut rng);
    assert!(err, "RRESP SLVERR");
    assert_eq!(got.len(), 40, "the transfer still completes");
    let (_, err, _) = read(&mem, b, 30, STALL_SETS[3], &mut rng);
    assert!(!err, "words before the fault are fine");
    let data = vec![7u64; 40];
    let (err, _) = write(&mut mem, b, 1, &data, STALL_SETS[1], &mut rng);
    assert!(err, "BRESP SLVERR");
    let (err, _) = write(&mut mem, b, 1, &data[..30], STALL_SETS[1], &mut rng);
    assert!(!err);
}

#[test]
fn zero_words_is_no_transfer() {
    let mut rng = StdRng::seed_from_u64(5);
    let mem = Memory::filled(0x1000, 4, &mut rng);
    let (got, err, bursts) = read(&mem, 0x1000, 0, STALL_SETS[0], &mut rng);
    assert!(got.is_empty() && !err && bursts == 0);
    let mut mem = Memory { words: BTreeMap::new(), faulty: vec![] };
    let (err, bursts) = write(&mut mem, 0x1000, 1, &[], STALL_SETS[0], &mut rng);
    assert!(!err && bursts == 0 && mem.words.is_empty());
}

#[test]
fn engines_synthesize_to_verilog() {
    let mut r = AxiReadEngine::default();
    r.connect_all();
    assert!(generate_verilog(&r).contains("arvalid"));
    let mut w = AxiWriteEngine::default();
    w.connect_all();
    assert!(generate_verilog(&w).contains("awvalid"));
}
