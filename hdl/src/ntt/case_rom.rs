use rust_hdl::core::timing::TimingInfo;
use rust_hdl::prelude::*;

/// A synchronous ROM (`data` = table[`address`] one clock after the address, like Rust-HDL's
/// `SyncROM`) emitted as a `case` statement instead of an `initial` block of per-word writes:
/// yosys 0.23 takes ~5x longer on the latter for a 4096 x 64 table, and the case form still maps
/// to block RAM (proc_rom) and simulates the same under Icarus and Verilator.
#[derive(LogicBlock)]
pub struct CaseRom<const A: usize> {
    pub clock: Signal<In, Clock>,
    pub address: Signal<In, Bits<A>>,
    pub data: Signal<Out, Bits<64>>,
    _table: Vec<u64>,
}

impl<const A: usize> CaseRom<A> {
    /// `table` must have exactly 2^A entries.
    pub fn new(table: Vec<u64>) -> Self {
        assert_eq!(table.len(), 1 << A, "CaseRom table size");
        Self {
            clock: Default::default(),
            address: Default::default(),
            data: Default::default(),
            _table: table,
        }
    }
}

impl<const A: usize> Logic for CaseRom<A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.data.next = self._table[self.address.val().index()].to_bits();
        }
    }

    fn connect(&mut self) {
        self.data.connect();
    }

    fn hdl(&self) -> Verilog {
        let digits = A.div_ceil(4);
        let mut body = String::from("always @(posedge clock) begin\n    case (address)\n");
        for (i, v) in self._table.iter().enumerate() {
            body.push_str(&format!(
                "        {A}'h{i:0digits$x}: data <= 64'h{v:016x};\n"
            ));
        }
        body.push_str("    endcase\nend\n");
        Verilog::Custom(body)
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "case_rom".into(),
            clock: "clock".into(),
            inputs: vec!["address".into()],
            outputs: vec!["data".into()],
        }]
    }
}
