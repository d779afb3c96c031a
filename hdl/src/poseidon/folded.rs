use super::{mds_circ, mds_diag, round_constant, Delay, SBox, MDS_BITS, ROUNDS, WIDTH};
use plonky2::hash::poseidon::{HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS};
use crate::field::{GlAdd, ValidPipe, EPSILON};
use crate::ntt::CaseRom;
use rust_hdl::prelude::*;

/// The Poseidon permutation folded onto one S-box and one MDS row, for boards far smaller than
/// the streaming [super::PoseidonCore] (6,136 DSP, ~1.13 M LUT): one S-box (52 DSP), one lane of
/// the MDS layer (a twelfth of [super::Mds]), a 360-entry round-constant ROM and two 12-lane
/// shift registers. Same ports as the streaming core (ready/valid, lane i = bits 64i..64i+64);
/// one permutation at a time, [PoseidonFolded::CYCLES] cycles from acceptance to `out_valid`.
///
/// Per round (plonky2's naive rounds, as the streaming core):
/// 1. *S-box pass*: the 12 lanes leave `st` one a cycle (the register rotates, lane 0 first),
///    get their round constant (`CaseRom`, the address counts 0..360 over the permutation) in a
///    [GlAdd], and go through the [SBox]; a [Delay] beside it carries the lane unchanged, used
///    instead for lanes 1..12 of partial rounds. Results shift into `nx` in lane order.
/// 2. *MDS pass*: output r of circ(MDS_MATRIX_CIRC) + diag(MDS_MATRIX_DIAG) is row 0 applied to
///    the state rotated by r, so one fixed row of masked adds ([MdsRow]) serves all 12 outputs
///    while `st` rotates; results shift into `nx`.
///
/// After each pass `st` takes `nx`; after 30 rounds `st` is the output.
#[derive(LogicBlock)]
pub struct PoseidonFolded {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Input: the state is taken when in_valid & in_ready
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub state_in: Signal<In, Bits<768>>,
    // Output: the permuted state, taken when out_valid & out_ready
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub state_out: Signal<Out, Bits<768>>,
    // The state (rotating) and the results of the current pass (shifting in)
    st: [DFF<Bits<64>>; 12],
    nx: [DFF<Bits<64>>; 12],
    // Control: phase (Idle, Sbox, SboxWait, Mds, MdsWait, Out), round, lanes issued, results in
    phase: DFF<Bits<3>>,
    round: DFF<Bits<5>>,
    issued: DFF<Bits<4>>,
    got: DFF<Bits<4>>,
    rc_addr: DFF<Bits<9>>,
    // S-box path: lane register (lines up with the ROM), constant add, S-box, bypass
    rc: CaseRom<9>,
    lane_q: DFF<Bits<64>>,
    issue_q: DFF<Bit>,
    add: GlAdd,
    sbox: SBox,
    bypass: Delay<64, 24>,
    use_sbox: Delay<1, 27>,
    mds: MdsRow,
    /// The first partial round, and the first of the final full rounds.
    first_partial: Constant<Bits<5>>,
    final_full: Constant<Bits<5>>,
    last_round: Constant<Bits<5>>,
    s_idle: Constant<Bits<3>>,
    s_sbox: Constant<Bits<3>>,
    s_sbox_wait: Constant<Bits<3>>,
    s_mds: Constant<Bits<3>>,
    s_mds_wait: Constant<Bits<3>>,
    s_out: Constant<Bits<3>>,
    zero4: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    eleven4: Constant<Bits<4>>,
    twelve4: Constant<Bits<4>>,
    zero5: Constant<Bits<5>>,
    one5: Constant<Bits<5>>,
    zero9: Constant<Bits<9>>,
    one9: Constant<Bits<9>>,
    zero1: Constant<Bits<1>>,
    one1: Constant<Bits<1>>,
    sbox_flag: Signal<Local, Bits<1>>,
    st_bits: Signal<Local, Bits<768>>,
    full: Signal<Local, Bit>,
    result_valid: Signal<Local, Bit>,
    result: Signal<Local, Bits<64>>,
}

impl PoseidonFolded {
    /// Cycles per round: 12 issues, then the S-box path's depth (1 + GlAdd + SBox) and the
    /// hand-over; 12 issues, then the MDS row's depth and the hand-over.
    pub const ROUND_CYCLES: usize = (12 + 1 + GlAdd::LATENCY + SBox::LATENCY + 1) + (12 + MdsRow::LATENCY + 1);
    /// From the cycle that takes the input to the first cycle of `out_valid`.
    pub const CYCLES: usize = ROUNDS * Self::ROUND_CYCLES + 1;
}

impl Default for PoseidonFolded {
    fn default() -> Self {
        let mut table: Vec<u64> = (0..ROUNDS * WIDTH).map(|k| round_constant(k / WIDTH, k % WIDTH)).collect();
        table.resize(512, 0);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            state_in: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            state_out: Default::default(),
            st: Default::default(),
            nx: Default::default(),
            phase: Default::default(),
            round: Default::default(),
            issued: Default::default(),
            got: Default::default(),
            rc_addr: Default::default(),
            rc: CaseRom::new(table),
            lane_q: Default::default(),
            issue_q: Default::default(),
            add: Default::default(),
            sbox: Default::default(),
            bypass: Default::default(),
            use_sbox: Default::default(),
            mds: MdsRow::default(),
            first_partial: Constant::new((HALF_N_FULL_ROUNDS as u64).to_bits()),
            final_full: Constant::new(((HALF_N_FULL_ROUNDS + N_PARTIAL_ROUNDS) as u64).to_bits()),
            last_round: Constant::new(((ROUNDS - 1) as u64).to_bits()),
            s_idle: Constant::new(0u64.to_bits()),
            s_sbox: Constant::new(1u64.to_bits()),
            s_sbox_wait: Constant::new(2u64.to_bits()),
            s_mds: Constant::new(3u64.to_bits()),
            s_mds_wait: Constant::new(4u64.to_bits()),
            s_out: Constant::new(5u64.to_bits()),
            zero4: Constant::new(0u64.to_bits()),
            one4: Constant::new(1u64.to_bits()),
            eleven4: Constant::new(11u64.to_bits()),
            twelve4: Constant::new(12u64.to_bits()),
            zero5: Constant::new(0u64.to_bits()),
            one5: Constant::new(1u64.to_bits()),
            zero9: Constant::new(0u64.to_bits()),
            one9: Constant::new(1u64.to_bits()),
            zero1: Constant::new(0u64.to_bits()),
            one1: Constant::new(1u64.to_bits()),
            sbox_flag: Default::default(),
            st_bits: Default::default(),
            full: Default::default(),
            result_valid: Default::default(),
            result: Default::default(),
        }
    }
}

impl Logic for PoseidonFolded {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, phase, round, issued, got, rc_addr, lane_q, issue_q);
        clock!(self, clock, rc, sbox, add, bypass, use_sbox, mds);
        self.add.reset.next = self.reset.val();
        self.sbox.reset.next = self.reset.val();
        self.mds.reset.next = self.reset.val();
        for i in 0..12 {
            self.st[i].clock.next = self.clock.val();
            self.nx[i].clock.next = self.clock.val();
            self.st[i].d.next = self.st[i].q.val();
            self.nx[i].d.next = self.nx[i].q.val();
        }
        self.st_bits.next = bit_cast::<768, 64>(self.st[0].q.val())
            | (bit_cast::<768, 64>(self.st[1].q.val()) << 64)
            | (bit_cast::<768, 64>(self.st[2].q.val()) << 128)
            | (bit_cast::<768, 64>(self.st[3].q.val()) << 192)
            | (bit_cast::<768, 64>(self.st[4].q.val()) << 256)
            | (bit_cast::<768, 64>(self.st[5].q.val()) << 320)
            | (bit_cast::<768, 64>(self.st[6].q.val()) << 384)
            | (bit_cast::<768, 64>(self.st[7].q.val()) << 448)
            | (bit_cast::<768, 64>(self.st[8].q.val()) << 512)
            | (bit_cast::<768, 64>(self.st[9].q.val()) << 576)
            | (bit_cast::<768, 64>(self.st[10].q.val()) << 640)
            | (bit_cast::<768, 64>(self.st[11].q.val()) << 704);
        self.state_out.next = self.st_bits.val();
        self.in_ready.next = self.phase.q.val() == self.s_idle.val();
        self.out_valid.next = self.phase.q.val() == self.s_out.val();
        self.full.next = (self.round.q.val() < self.first_partial.val()) | (self.round.q.val() >= self.final_full.val());

        // S-box path: the lane issued in cycle t meets its constant (ROM read in t) in t + 1.
        self.rc.address.next = self.rc_addr.q.val();
        self.issue_q.d.next = false;
        self.lane_q.d.next = self.st[0].q.val();
        self.add.in_valid.next = self.issue_q.q.val();
        self.add.a.next = self.lane_q.q.val();
        self.add.b.next = self.rc.data.val();
        self.sbox.in_valid.next = self.add.out_valid.val();
        self.sbox.x.next = self.add.y.val();
        self.bypass.d.next = self.add.y.val();
        // Lane 0 always takes the S-box; the others in full rounds only.
        if self.full.val() | (self.issued.q.val() == self.zero4.val()) {
            self.sbox_flag.next = self.one1.val();
        } else {
            self.sbox_flag.next = self.zero1.val();
        }
        self.use_sbox.d.next = self.sbox_flag.val();
        // MDS path: row 0 on the state as it stands (rotated by the outputs already issued).
        self.mds.in_valid.next = false;
        self.mds.v.next = self.st_bits.val();
        self.mds.diag.next = self.issued.q.val() == self.zero4.val();

        // Results, from whichever pass runs, shift into nx in lane order.
        self.result_valid.next = self.sbox.out_valid.val() | self.mds.out_valid.val();
        if self.sbox.out_valid.val() {
            if self.use_sbox.q.val() == self.one1.val() {
                self.result.next = self.sbox.y.val();
            } else {
                self.result.next = self.bypass.q.val();
            }
        } else {
            self.result.next = self.mds.y.val();
        }
        if self.result_valid.val() {
            for i in 0..11 {
                self.nx[i].d.next = self.nx[i + 1].q.val();
            }
            self.nx[11].d.next = self.result.val();
            self.got.d.next = self.got.q.val() + self.one4.val();
        }

        if self.phase.q.val() == self.s_idle.val() {
            if self.in_valid.val() {
                for i in 0..12 {
                    self.st[i].d.next = self.state_in.val().get_bits::<64>(i * 64);
                }
                self.round.d.next = self.zero5.val();
                self.issued.d.next = self.zero4.val();
                self.got.d.next = self.zero4.val();
                self.rc_addr.d.next = self.zero9.val();
                self.phase.d.next = self.s_sbox.val();
            }
        }
        // SBOX or MDS: issue st[0] (to the S-box) or the rotated state (to the MDS row); rotate.
        if (self.phase.q.val() == self.s_sbox.val()) | (self.phase.q.val() == self.s_mds.val()) {
            if self.phase.q.val() == self.s_sbox.val() {
                self.issue_q.d.next = true;
                self.rc_addr.d.next = self.rc_addr.q.val() + self.one9.val();
            } else {
                self.mds.in_valid.next = true;
            }
            for i in 0..11 {
                self.st[i].d.next = self.st[i + 1].q.val();
            }
            self.st[11].d.next = self.st[0].q.val();
            self.issued.d.next = self.issued.q.val() + self.one4.val();
            if self.issued.q.val() == self.eleven4.val() {
                self.issued.d.next = self.zero4.val();
                if self.phase.q.val() == self.s_sbox.val() {
                    self.phase.d.next = self.s_sbox_wait.val();
                } else {
                    self.phase.d.next = self.s_mds_wait.val();
                }
            }
        }
        // SBOX_WAIT or MDS_WAIT: once all 12 results are in, they become the state.
        if (self.phase.q.val() == self.s_sbox_wait.val()) | (self.phase.q.val() == self.s_mds_wait.val()) {
            if self.got.q.val() == self.twelve4.val() {
                for i in 0..12 {
                    self.st[i].d.next = self.nx[i].q.val();
                }
                self.got.d.next = self.zero4.val();
                if self.phase.q.val() == self.s_sbox_wait.val() {
                    self.phase.d.next = self.s_mds.val();
                } else if self.round.q.val() == self.last_round.val() {
                    self.phase.d.next = self.s_out.val();
                } else {
                    self.round.d.next = self.round.q.val() + self.one5.val();
                    self.phase.d.next = self.s_sbox.val();
                }
            }
        }
        if self.phase.q.val() == self.s_out.val() {
            if self.out_ready.val() {
                self.phase.d.next = self.s_idle.val();
            }
        }
        if self.reset.val() {
            self.phase.d.next = self.s_idle.val();
            self.got.d.next = self.zero4.val();
        }
    }
}

/// Row 0 of the MDS layer, `y = sum_i MDS_MATRIX_CIRC[i] * v[i] + (diag ? MDS_MATRIX_DIAG[0] *
/// v[0] : 0) mod p`, [MdsRow::LATENCY] = 4: [super::Mds]'s bit-plane stages for one output.
/// Output r of the layer is this row on the state rotated left by r lanes, with `diag` set for
/// r = 0 only (plonky2's diagonal is non-zero at 0 alone, which `new` checks).
#[derive(LogicBlock)]
pub struct MdsRow {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub v: Signal<In, Bits<768>>,
    pub diag: Signal<In, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub y: Signal<Out, Bits<64>>,
    circ_mask: [Constant<Bits<74>>; 72],
    diag_mask: [Constant<Bits<74>>; 6],
    low64: Constant<Bits<74>>,
    eps: Constant<Bits<74>>,
    zero: Constant<Bits<74>>,
    v_pad: Signal<Local, Bits<778>>,
    lane: [Signal<Local, Bits<74>>; 12],
    lane0_diag: Signal<Local, Bits<74>>,
    plane: [DFF<Bits<74>>; 6],
    total: DFF<Bits<74>>,
    fold: DFF<Bits<74>>,
    fold_eps: Signal<Local, Bits<74>>,
    out: DFF<Bits<64>>,
    valid: ValidPipe<4>,
}

impl MdsRow {
    pub const LATENCY: usize = 4;
}

impl Default for MdsRow {
    fn default() -> Self {
        assert_eq!(WIDTH * MDS_BITS, 72);
        let (circ, diag) = (mds_circ(), mds_diag());
        assert!(diag[1..].iter().all(|&d| d == 0), "MdsRow assumes plonky2's diagonal is zero beyond lane 0");
        let mask = |coef: u64, b: usize| Constant::new(if coef >> b & 1 == 1 { Bits::<74>::mask() } else { Bits::<74>::default() });
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            v: Default::default(),
            diag: Default::default(),
            out_valid: Default::default(),
            y: Default::default(),
            circ_mask: std::array::from_fn(|k| mask(circ[k / MDS_BITS], k % MDS_BITS)),
            diag_mask: std::array::from_fn(|b| mask(diag[0], b)),
            low64: Constant::new(u64::MAX.to_bits()),
            eps: Constant::new(EPSILON.to_bits()),
            zero: Constant::new(Bits::<74>::default()),
            v_pad: Default::default(),
            lane: Default::default(),
            lane0_diag: Default::default(),
            plane: Default::default(),
            total: Default::default(),
            fold: Default::default(),
            fold_eps: Default::default(),
            out: Default::default(),
            valid: Default::default(),
        }
    }
}

impl Logic for MdsRow {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, total, fold, out);
        clock!(self, clock, valid);
        self.valid.reset.next = self.reset.val();
        self.valid.in_valid.next = self.in_valid.val();
        self.v_pad.next = bit_cast::<778, 768>(self.v.val());
        for i in 0..12 {
            self.lane[i].next = self.v_pad.val().get_bits::<74>(i * 64) & self.low64.val();
        }
        if self.diag.val() {
            self.lane0_diag.next = self.lane[0].val();
        } else {
            self.lane0_diag.next = self.zero.val();
        }
        // Stage 1: bit-plane b of the row
        for b in 0..6 {
            self.plane[b].clock.next = self.clock.val();
            self.plane[b].d.next = (((self.lane[0].val() & self.circ_mask[b].val())
                + (self.lane[1].val() & self.circ_mask[6 + b].val()))
                + ((self.lane[2].val() & self.circ_mask[2 * 6 + b].val())
                    + (self.lane[3].val() & self.circ_mask[3 * 6 + b].val())))
                + (((self.lane[4].val() & self.circ_mask[4 * 6 + b].val())
                    + (self.lane[5].val() & self.circ_mask[5 * 6 + b].val()))
                    + ((self.lane[6].val() & self.circ_mask[6 * 6 + b].val())
                        + (self.lane[7].val() & self.circ_mask[7 * 6 + b].val())))
                + (((self.lane[8].val() & self.circ_mask[8 * 6 + b].val())
                    + (self.lane[9].val() & self.circ_mask[9 * 6 + b].val()))
                    + (((self.lane[10].val() & self.circ_mask[10 * 6 + b].val())
                        + (self.lane[11].val() & self.circ_mask[11 * 6 + b].val()))
                        + (self.lane0_diag.val() & self.diag_mask[b].val())));
        }
        // Stage 2: weight the planes
        self.total.d.next = ((self.plane[0].q.val() + (self.plane[1].q.val() << 1))
            + ((self.plane[2].q.val() << 2) + (self.plane[3].q.val() << 3)))
            + ((self.plane[4].q.val() << 4) + (self.plane[5].q.val() << 5));
        // Stage 3: fold the bits above 2^64 (2^64 = 2^32 - 1 mod p)
        self.fold.d.next = ((self.total.q.val() & self.low64.val()) + ((self.total.q.val() >> 64) << 32))
            - (self.total.q.val() >> 64);
        // Stage 4: one conditional subtraction of p
        self.fold_eps.next = self.fold.q.val() + self.eps.val();
        if self.fold_eps.val().get_bit(64) {
            self.out.d.next = self.fold_eps.val().get_bits::<64>(0);
        } else {
            self.out.d.next = self.fold.q.val().get_bits::<64>(0);
        }
        self.y.next = self.out.q.val();
        self.out_valid.next = self.valid.out_valid.val();
    }
}

// The summary in `designs.rs` quotes the cycle count.
const _: () = assert!(PoseidonFolded::CYCLES == 1711);
