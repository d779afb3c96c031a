use super::{
    coset_rom, twiddle_rom, BeatFifo, CaseRom, NttButterfly, BANK_BITS, BEAT_FIFO_DEPTH, CFG_BITS,
    DRAIN, MAX_LOG_N,
};
use crate::field::P;
use rust_hdl::prelude::*;

// Kinds of operation in the read/butterfly pipeline.
const LOAD: u64 = 0;
const BUTTERFLY: u64 = 1;
const OUTPUT: u64 = 2;
// Controller states.
const S_LOAD: u64 = 0;
const S_RUN: u64 = 1;
const S_DRAIN: u64 = 2;
const S_OUT: u64 = 3;
/// Depth of the write-back metadata pipe: the operand register plus the butterfly.
const META: usize = 1 + NttButterfly::LATENCY;

/// In-place radix-2 decimation-in-frequency NTT over two parity-interleaved banks, one
/// butterfly per cycle; see docs/accelerator.md ("NTT core") for ports, timing and throughput.
///
/// A transform: (1) LOAD accepts `n_in / 2` beats and multiplies each element by its factor
/// (coset power, 1/n or 1) in the butterfly (`b = 0`), one element per cycle; (2) `log_n` DIF
/// stages of `n / 2` butterflies each, separated by [DRAIN] idle cycles so a stage never reads a
/// value the previous one has not written; (3) OUTPUT streams `n / 2` beats in natural or
/// bit-reversed order through a 4-entry FIFO. Element i lives in bank `parity(i)` at address
/// `i >> 1`: the two indices of a butterfly or of an output beat differ in one bit, so each bank
/// serves one read and one write per cycle.
#[derive(LogicBlock)]
pub struct NttCore {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Configuration word (NttConfig::word), sampled with the first input beat of a transform
    pub cfg: Signal<In, Bits<CFG_BITS>>,
    // Input stream (valid/ready); lane 0 carries the even element
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_lane0: Signal<In, Bits<64>>,
    pub in_lane1: Signal<In, Bits<64>>,
    // Output stream (valid/ready); out_last marks the final beat of a transform
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_lane0: Signal<Out, Bits<64>>,
    pub out_lane1: Signal<Out, Bits<64>>,
    pub out_last: Signal<Out, Bit>,
    // Storage: data banks and twiddle / coset-power ROMs
    bank0: RAM<Bits<64>, BANK_BITS>,
    bank1: RAM<Bits<64>, BANK_BITS>,
    twiddles: CaseRom<MAX_LOG_N>,
    cosets: CaseRom<MAX_LOG_N>,
    // Datapath
    bf: NttButterfly,
    fifo: BeatFifo,
    // Latched configuration and values derived from it
    started: DFF<Bit>,
    log_n: DFF<Bits<4>>,
    log_blowup: DFF<Bits<4>>,
    inverse: DFF<Bit>,
    coset: DFF<Bit>,
    bitrev: DFF<Bit>,
    ninv: DFF<Bits<64>>,
    n_half: Signal<Local, Bits<13>>,
    n_in: Signal<Local, Bits<13>>,
    // Controller
    state: DFF<Bits<2>>,
    after_drain: DFF<Bits<2>>,
    drain: DFF<Bits<5>>,
    count: DFF<Bits<13>>,
    accepted: DFF<Bits<13>>,
    hold: DFF<Bit>,
    lane: DFF<Bit>,
    in0: DFF<Bits<64>>,
    in1: DFF<Bits<64>>,
    stage: DFF<Bits<4>>,
    span: DFF<Bits<12>>,
    mask: DFF<Bits<12>>,
    tw_acc: DFF<Bits<12>>,
    tw_step: DFF<Bits<12>>,
    // Issue helpers
    accept: Signal<Local, Bit>,
    j: Signal<Local, Bits<12>>,
    ia: Signal<Local, Bits<12>>,
    ib: Signal<Local, Bits<12>>,
    even: Signal<Local, Bits<12>>,
    even_rev: Signal<Local, Bits<12>>,
    out_a: Signal<Local, Bits<12>>,
    inflight: Signal<Local, Bits<3>>,
    // P1: bank / ROM addresses
    p1_valid: DFF<Bit>,
    p1_kind: DFF<Bits<2>>,
    p1_ia: DFF<Bits<12>>,
    p1_ib: DFF<Bits<12>>,
    p1_pa: DFF<Bit>,
    p1_mask_a: DFF<Bit>,
    p1_mask_b: DFF<Bit>,
    p1_tw: DFF<Bits<12>>,
    p1_data: DFF<Bits<64>>,
    p1_last: DFF<Bit>,
    // P2: bank / ROM data
    p2_valid: DFF<Bit>,
    p2_kind: DFF<Bits<2>>,
    p2_ia: DFF<Bits<12>>,
    p2_ib: DFF<Bits<12>>,
    p2_pa: DFF<Bit>,
    p2_mask_a: DFF<Bit>,
    p2_mask_b: DFF<Bit>,
    p2_data: DFF<Bits<64>>,
    p2_last: DFF<Bit>,
    qa: Signal<Local, Bits<64>>,
    qb: Signal<Local, Bits<64>>,
    // P3: butterfly operands; write-back metadata travels beside the butterfly
    p3_valid: DFF<Bit>,
    p3_a: DFF<Bits<64>>,
    p3_b: DFF<Bits<64>>,
    p3_w: DFF<Bits<64>>,
    m_bf: [DFF<Bit>; META],
    m_ybank: [DFF<Bit>; META],
    m_ax: [DFF<Bits<BANK_BITS>>; META],
    m_ay: [DFF<Bits<BANK_BITS>>; META],
    // Constants: operation kinds and controller states (see the consts at the top)
    k_load: Constant<Bits<2>>,
    k_bf: Constant<Bits<2>>,
    k_out: Constant<Bits<2>>,
    s_load: Constant<Bits<2>>,
    s_run: Constant<Bits<2>>,
    s_drain: Constant<Bits<2>>,
    s_out: Constant<Bits<2>>,
    one12: Constant<Bits<12>>,
    one13: Constant<Bits<13>>,
    two13: Constant<Bits<13>>,
    one3: Constant<Bits<3>>,
    one4: Constant<Bits<4>>,
    one5: Constant<Bits<5>>,
    z3: Constant<Bits<3>>,
    z4: Constant<Bits<4>>,
    z12: Constant<Bits<12>>,
    z13: Constant<Bits<13>>,
    z64: Constant<Bits<64>>,
    twelve: Constant<Bits<4>>,
    fifo_depth: Constant<Bits<3>>,
    // DRAIN - 1: the drain state lasts counter + 1 cycles
    drain_cycles: Constant<Bits<5>>,
    p: Constant<Bits<64>>,
    p_minus_1: Constant<Bits<64>>,
    one64: Constant<Bits<64>>,
}

impl Default for NttCore {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            cfg: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            in_lane0: Default::default(),
            in_lane1: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            out_lane0: Default::default(),
            out_lane1: Default::default(),
            out_last: Default::default(),
            bank0: Default::default(),
            bank1: Default::default(),
            twiddles: CaseRom::new(twiddle_rom()),
            cosets: CaseRom::new(coset_rom()),
            bf: Default::default(),
            fifo: Default::default(),
            started: Default::default(),
            log_n: Default::default(),
            log_blowup: Default::default(),
            inverse: Default::default(),
            coset: Default::default(),
            bitrev: Default::default(),
            ninv: Default::default(),
            n_half: Default::default(),
            n_in: Default::default(),
            state: Default::default(),
            after_drain: Default::default(),
            drain: Default::default(),
            count: Default::default(),
            accepted: Default::default(),
            hold: Default::default(),
            lane: Default::default(),
            in0: Default::default(),
            in1: Default::default(),
            stage: Default::default(),
            span: Default::default(),
            mask: Default::default(),
            tw_acc: Default::default(),
            tw_step: Default::default(),
            accept: Default::default(),
            j: Default::default(),
            ia: Default::default(),
            ib: Default::default(),
            even: Default::default(),
            even_rev: Default::default(),
            out_a: Default::default(),
            inflight: Default::default(),
            p1_valid: Default::default(),
            p1_kind: Default::default(),
            p1_ia: Default::default(),
            p1_ib: Default::default(),
            p1_pa: Default::default(),
            p1_mask_a: Default::default(),
            p1_mask_b: Default::default(),
            p1_tw: Default::default(),
            p1_data: Default::default(),
            p1_last: Default::default(),
            p2_valid: Default::default(),
            p2_kind: Default::default(),
            p2_ia: Default::default(),
            p2_ib: Default::default(),
            p2_pa: Default::default(),
            p2_mask_a: Default::default(),
            p2_mask_b: Default::default(),
            p2_data: Default::default(),
            p2_last: Default::default(),
            qa: Default::default(),
            qb: Default::default(),
            p3_valid: Default::default(),
            p3_a: Default::default(),
            p3_b: Default::default(),
            p3_w: Default::default(),
            m_bf: std::array::from_fn(|_| Default::default()),
            m_ybank: std::array::from_fn(|_| Default::default()),
            m_ax: std::array::from_fn(|_| Default::default()),
            m_ay: std::array::from_fn(|_| Default::default()),
            k_load: Constant::new(LOAD.to_bits()),
            k_bf: Constant::new(BUTTERFLY.to_bits()),
            k_out: Constant::new(OUTPUT.to_bits()),
            s_load: Constant::new(S_LOAD.to_bits()),
            s_run: Constant::new(S_RUN.to_bits()),
            s_drain: Constant::new(S_DRAIN.to_bits()),
            s_out: Constant::new(S_OUT.to_bits()),
            one12: Constant::new(1u64.to_bits()),
            one13: Constant::new(1u64.to_bits()),
            two13: Constant::new(2u64.to_bits()),
            one3: Constant::new(1u64.to_bits()),
            one4: Constant::new(1u64.to_bits()),
            one5: Constant::new(1u64.to_bits()),
            z3: Constant::new(0u64.to_bits()),
            z4: Constant::new(0u64.to_bits()),
            z12: Constant::new(0u64.to_bits()),
            z13: Constant::new(0u64.to_bits()),
            z64: Constant::new(0u64.to_bits()),
            twelve: Constant::new((MAX_LOG_N as u64).to_bits()),
            fifo_depth: Constant::new((BEAT_FIFO_DEPTH as u64).to_bits()),
            drain_cycles: Constant::new((DRAIN as u64 - 1).to_bits()),
            p: Constant::new(P.to_bits()),
            p_minus_1: Constant::new((P - 1).to_bits()),
            one64: Constant::new(1u64.to_bits()),
        }
    }
}

impl Logic for NttCore {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            started,
            log_n,
            log_blowup,
            inverse,
            coset,
            bitrev,
            ninv,
            state,
            after_drain,
            drain,
            count,
            accepted,
            hold,
            lane,
            in0,
            in1,
            stage,
            span,
            mask,
            tw_acc,
            tw_step,
            p1_valid,
            p1_kind,
            p1_ia,
            p1_ib,
            p1_pa,
            p1_mask_a,
            p1_mask_b,
            p1_tw,
            p1_data,
            p1_last,
            p2_valid,
            p2_kind,
            p2_ia,
            p2_ib,
            p2_pa,
            p2_mask_a,
            p2_mask_b,
            p2_data,
            p2_last,
            p3_valid,
            p3_a,
            p3_b,
            p3_w
        );
        for i in 0..META {
            self.m_bf[i].clock.next = self.clock.val();
            self.m_ybank[i].clock.next = self.clock.val();
            self.m_ax[i].clock.next = self.clock.val();
            self.m_ay[i].clock.next = self.clock.val();
        }
        self.bank0.read_clock.next = self.clock.val();
        self.bank0.write_clock.next = self.clock.val();
        self.bank1.read_clock.next = self.clock.val();
        self.bank1.write_clock.next = self.clock.val();
        self.twiddles.clock.next = self.clock.val();
        self.cosets.clock.next = self.clock.val();
        self.bf.clock.next = self.clock.val();
        self.bf.reset.next = self.reset.val();
        self.fifo.clock.next = self.clock.val();
        self.fifo.reset.next = self.reset.val();

        // Sizes from the latched configuration; 1/n = p - (p - 1) / n
        self.n_half.next = (self.one13.val() << self.log_n.q.val()) >> 1;
        self.n_in.next = self.one13.val() << (self.log_n.q.val() - self.log_blowup.q.val());
        self.ninv.d.next = self.p.val() - (self.p_minus_1.val() >> self.log_n.q.val());

        // ---- Issue (P0): at most one load element, butterfly or output beat per cycle ----
        self.p1_valid.d.next = false;
        self.p1_kind.d.next = self.k_load.val();
        self.p1_mask_a.d.next = false;
        self.p1_mask_b.d.next = false;
        self.p1_last.d.next = false;
        self.p1_data.d.next = self.in0.q.val();
        self.p1_tw.d.next = self.tw_acc.q.val();
        // Butterfly j of the stage: (ia, ib) = j with a 0 / 1 inserted at the span bit
        self.j.next = self.count.q.val().get_bits::<12>(0);
        self.ia.next =
            ((self.j.val() & !self.mask.q.val()) << 1) | (self.j.val() & self.mask.q.val());
        self.ib.next = self.ia.val() | self.span.q.val();
        // Output beat: elements 2m, 2m + 1 of the (natural or bit-reversed) output order
        self.even.next = self.count.q.val().get_bits::<12>(0) << 1;
        // 12-bit reversal of 2m (bit 0 is zero); hdl_gen has no variable-bit loop for this
        self.even_rev.next = (bit_cast::<12, 1>(self.even.val().get_bits::<1>(1)) << 10)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(2)) << 9)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(3)) << 8)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(4)) << 7)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(5)) << 6)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(6)) << 5)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(7)) << 4)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(8)) << 3)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(9)) << 2)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(10)) << 1)
            | (bit_cast::<12, 1>(self.even.val().get_bits::<1>(11)) << 0);
        self.out_a.next = self.even_rev.val() >> (self.twelve.val() - self.log_n.q.val());
        self.inflight.next = self.z3.val();
        if self.p1_valid.q.val() & (self.p1_kind.q.val() == self.k_out.val()) {
            self.inflight.next = self.inflight.val() + self.one3.val();
        }
        if self.p2_valid.q.val() & (self.p2_kind.q.val() == self.k_out.val()) {
            self.inflight.next = self.inflight.val() + self.one3.val();
        }

        self.in_ready.next = (self.state.q.val() == self.s_load.val())
            & !(self.started.q.val() & (self.accepted.q.val() == self.n_in.val()))
            & (!self.hold.q.val() | self.lane.q.val());
        self.accept.next = self.in_valid.val() & self.in_ready.val();

        if self.state.q.val() == self.s_load.val() {
            if self.hold.q.val() {
                // One element of the held beat into the multiplier
                self.p1_valid.d.next = true;
                self.p1_kind.d.next = self.k_load.val();
                self.p1_ia.d.next = self.count.q.val().get_bits::<12>(0);
                self.p1_pa.d.next = self.count.q.val().get_bits::<12>(0).xor();
                if self.lane.q.val() {
                    self.p1_data.d.next = self.in1.q.val();
                }
                self.count.d.next = self.count.q.val() + self.one13.val();
                self.lane.d.next = !self.lane.q.val();
                if self.lane.q.val() {
                    self.hold.d.next = false;
                    if self.count.q.val() + self.one13.val() == self.n_in.val() {
                        // Last element: set up stage 0 and wait for the writes
                        self.count.d.next = self.z13.val();
                        self.stage.d.next = self.z4.val();
                        self.span.d.next = self.n_half.val().get_bits::<12>(0);
                        self.mask.d.next = self.n_half.val().get_bits::<12>(0) - self.one12.val();
                        self.tw_acc.d.next = self.z12.val();
                        self.tw_step.d.next =
                            self.one12.val() << (self.twelve.val() - self.log_n.q.val());
                        self.drain.d.next = self.drain_cycles.val();
                        self.after_drain.d.next = self.s_run.val();
                        self.state.d.next = self.s_drain.val();
                    }
                }
            }
            if self.accept.val() {
                self.in0.d.next = self.in_lane0.val();
                self.in1.d.next = self.in_lane1.val();
                self.hold.d.next = true;
                self.lane.d.next = false;
                self.accepted.d.next = self.accepted.q.val() + self.two13.val();
                if !self.started.q.val() {
                    self.started.d.next = true;
                    self.log_n.d.next = self.cfg.val().get_bits::<4>(0);
                    self.log_blowup.d.next = self.cfg.val().get_bits::<4>(4);
                    self.inverse.d.next = self.cfg.val().get_bit(8);
                    self.coset.d.next = self.cfg.val().get_bit(9);
                    self.bitrev.d.next = self.cfg.val().get_bit(10);
                }
            }
        } else if self.state.q.val() == self.s_drain.val() {
            self.drain.d.next = self.drain.q.val() - self.one5.val();
            if !self.drain.q.val().any() {
                self.state.d.next = self.after_drain.q.val();
            }
        } else if self.state.q.val() == self.s_run.val() {
            self.p1_valid.d.next = true;
            self.p1_kind.d.next = self.k_bf.val();
            self.p1_ia.d.next = self.ia.val();
            self.p1_ib.d.next = self.ib.val();
            self.p1_pa.d.next = self.ia.val().xor();
            // Stage 0 reads zeros past the input (the LDE's padding)
            self.p1_mask_a.d.next =
                !self.stage.q.val().any() & (bit_cast::<13, 12>(self.ia.val()) >= self.n_in.val());
            self.p1_mask_b.d.next =
                !self.stage.q.val().any() & (bit_cast::<13, 12>(self.ib.val()) >= self.n_in.val());
            // Inverse twiddles w^-k = w^(2^12 - k)
            if self.inverse.q.val() {
                self.p1_tw.d.next = !self.tw_acc.q.val() + self.one12.val();
            }
            self.count.d.next = self.count.q.val() + self.one13.val();
            if (self.j.val() & self.mask.q.val()) == self.mask.q.val() {
                self.tw_acc.d.next = self.z12.val();
            } else {
                self.tw_acc.d.next = self.tw_acc.q.val() + self.tw_step.q.val();
            }
            if self.count.q.val() + self.one13.val() == self.n_half.val() {
                self.count.d.next = self.z13.val();
                self.tw_acc.d.next = self.z12.val();
                self.stage.d.next = self.stage.q.val() + self.one4.val();
                self.span.d.next = self.span.q.val() >> 1;
                self.mask.d.next = self.mask.q.val() >> 1;
                self.tw_step.d.next = self.tw_step.q.val() << 1;
                self.drain.d.next = self.drain_cycles.val();
                self.state.d.next = self.s_drain.val();
                if self.stage.q.val() + self.one4.val() == self.log_n.q.val() {
                    self.after_drain.d.next = self.s_out.val();
                } else {
                    self.after_drain.d.next = self.s_run.val();
                }
            }
        } else {
            // S_OUT: issue a read only when the FIFO will have room for it
            if self.fifo.count.val() + self.inflight.val() < self.fifo_depth.val() {
                self.p1_valid.d.next = true;
                self.p1_kind.d.next = self.k_out.val();
                if self.bitrev.q.val() {
                    self.p1_ia.d.next = self.even.val();
                    self.p1_ib.d.next = self.even.val() | self.one12.val();
                    self.p1_pa.d.next = self.even.val().xor();
                } else {
                    self.p1_ia.d.next = self.out_a.val();
                    self.p1_ib.d.next = self.out_a.val() | self.n_half.val().get_bits::<12>(0);
                    self.p1_pa.d.next = self.out_a.val().xor();
                }
                self.count.d.next = self.count.q.val() + self.one13.val();
                if self.count.q.val() + self.one13.val() == self.n_half.val() {
                    self.p1_last.d.next = true;
                    self.count.d.next = self.z13.val();
                    self.accepted.d.next = self.z13.val();
                    self.started.d.next = false;
                    self.state.d.next = self.s_load.val();
                }
            }
        }

        // ---- P1: addresses to the banks (bank parity(ia) reads ia) and ROMs ----
        if self.p1_pa.q.val() {
            self.bank0.read_address.next = self.p1_ib.q.val().get_bits::<BANK_BITS>(1);
            self.bank1.read_address.next = self.p1_ia.q.val().get_bits::<BANK_BITS>(1);
        } else {
            self.bank0.read_address.next = self.p1_ia.q.val().get_bits::<BANK_BITS>(1);
            self.bank1.read_address.next = self.p1_ib.q.val().get_bits::<BANK_BITS>(1);
        }
        self.twiddles.address.next = self.p1_tw.q.val();
        self.cosets.address.next = self.p1_ia.q.val();
        self.p2_valid.d.next = self.p1_valid.q.val();
        self.p2_kind.d.next = self.p1_kind.q.val();
        self.p2_ia.d.next = self.p1_ia.q.val();
        self.p2_ib.d.next = self.p1_ib.q.val();
        self.p2_pa.d.next = self.p1_pa.q.val();
        self.p2_mask_a.d.next = self.p1_mask_a.q.val();
        self.p2_mask_b.d.next = self.p1_mask_b.q.val();
        self.p2_data.d.next = self.p1_data.q.val();
        self.p2_last.d.next = self.p1_last.q.val();

        // ---- P2: data from the banks, to the output FIFO or the butterfly operands ----
        if self.p2_pa.q.val() {
            self.qa.next = self.bank1.read_data.val();
            self.qb.next = self.bank0.read_data.val();
        } else {
            self.qa.next = self.bank0.read_data.val();
            self.qb.next = self.bank1.read_data.val();
        }
        self.fifo.push.next = self.p2_valid.q.val() & (self.p2_kind.q.val() == self.k_out.val());
        self.fifo.push_lane0.next = self.qa.val();
        self.fifo.push_lane1.next = self.qb.val();
        self.fifo.push_last.next = self.p2_last.q.val();
        self.p3_valid.d.next = self.p2_valid.q.val() & (self.p2_kind.q.val() != self.k_out.val());
        self.m_bf[0].d.next = self.p2_kind.q.val() == self.k_bf.val();
        self.m_ax[0].d.next = self.p2_ia.q.val().get_bits::<BANK_BITS>(1);
        if self.p2_kind.q.val() == self.k_load.val() {
            // y = (x - 0) * factor, written to the element's own bank
            self.p3_a.d.next = self.p2_data.q.val();
            self.p3_b.d.next = self.z64.val();
            if self.coset.q.val() {
                self.p3_w.d.next = self.cosets.data.val();
            } else if self.inverse.q.val() {
                self.p3_w.d.next = self.ninv.q.val();
            } else {
                self.p3_w.d.next = self.one64.val();
            }
            self.m_ybank[0].d.next = self.p2_pa.q.val();
            self.m_ay[0].d.next = self.p2_ia.q.val().get_bits::<BANK_BITS>(1);
        } else {
            self.p3_a.d.next = self.qa.val();
            if self.p2_mask_a.q.val() {
                self.p3_a.d.next = self.z64.val();
            }
            self.p3_b.d.next = self.qb.val();
            if self.p2_mask_b.q.val() {
                self.p3_b.d.next = self.z64.val();
            }
            self.p3_w.d.next = self.twiddles.data.val();
            self.m_ybank[0].d.next = !self.p2_pa.q.val();
            self.m_ay[0].d.next = self.p2_ib.q.val().get_bits::<BANK_BITS>(1);
        }
        for i in 1..META {
            self.m_bf[i].d.next = self.m_bf[i - 1].q.val();
            self.m_ybank[i].d.next = self.m_ybank[i - 1].q.val();
            self.m_ax[i].d.next = self.m_ax[i - 1].q.val();
            self.m_ay[i].d.next = self.m_ay[i - 1].q.val();
        }

        // ---- P3: butterfly; its results go back to the banks ----
        self.bf.in_valid.next = self.p3_valid.q.val();
        self.bf.a.next = self.p3_a.q.val();
        self.bf.b.next = self.p3_b.q.val();
        self.bf.w.next = self.p3_w.q.val();
        self.bank0.write_enable.next = false;
        self.bank1.write_enable.next = false;
        self.bank0.write_data.next = self.bf.x.val();
        self.bank1.write_data.next = self.bf.x.val();
        // A one-iteration loop: hdl_gen indexes arrays only by literals or loop variables
        for i in (META - 1)..META {
            if self.m_ybank[i].q.val() {
                self.bank1.write_enable.next = self.bf.out_valid.val();
                self.bank1.write_address.next = self.m_ay[i].q.val();
                self.bank1.write_data.next = self.bf.y.val();
                self.bank0.write_enable.next = self.bf.out_valid.val() & self.m_bf[i].q.val();
                self.bank0.write_address.next = self.m_ax[i].q.val();
            } else {
                self.bank0.write_enable.next = self.bf.out_valid.val();
                self.bank0.write_address.next = self.m_ay[i].q.val();
                self.bank0.write_data.next = self.bf.y.val();
                self.bank1.write_enable.next = self.bf.out_valid.val() & self.m_bf[i].q.val();
                self.bank1.write_address.next = self.m_ax[i].q.val();
            }
        }

        // ---- Output stream ----
        self.fifo.pop.next = self.out_ready.val();
        self.out_valid.next = self.fifo.valid.val();
        self.out_lane0.next = self.fifo.lane0.val();
        self.out_lane1.next = self.fifo.lane1.val();
        self.out_last.next = self.fifo.last.val();

        if self.reset.val() {
            self.state.d.next = self.s_load.val();
            self.started.d.next = false;
            self.hold.d.next = false;
            self.lane.d.next = false;
            self.count.d.next = self.z13.val();
            self.accepted.d.next = self.z13.val();
            self.p1_valid.d.next = false;
            self.p2_valid.d.next = false;
            self.p3_valid.d.next = false;
        }
    }
}
