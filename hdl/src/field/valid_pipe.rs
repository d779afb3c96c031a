use rust_hdl::prelude::*;

/// A valid bit delayed by exactly `N` cycles (`N >= 1`), cleared by a synchronous `reset`.
/// Use it beside any fixed-latency datapath so `out_valid` lines up with the data.
#[derive(LogicBlock)]
pub struct ValidPipe<const N: usize> {
    // Clocking
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Valid in, valid out `N` cycles later
    pub in_valid: Signal<In, Bit>,
    pub out_valid: Signal<Out, Bit>,
    stages: [DFF<Bit>; N],
}

impl<const N: usize> Default for ValidPipe<N> {
    fn default() -> Self {
        assert!(N >= 1, "ValidPipe needs at least one stage");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            out_valid: Default::default(),
            stages: std::array::from_fn(|_| Default::default()),
        }
    }
}

impl<const N: usize> Logic for ValidPipe<N> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..N {
            self.stages[i].clock.next = self.clock.val();
        }
        self.stages[0].d.next = self.in_valid.val();
        for i in 1..N {
            self.stages[i].d.next = self.stages[i - 1].q.val();
        }
        if self.reset.val() {
            for i in 0..N {
                self.stages[i].d.next = false;
            }
        }
        // A one-iteration loop: Rust-HDL cannot emit `stages[N - 1]` directly (the index must be
        // a literal or a loop variable), but loop bounds are evaluated in Rust.
        for i in (N - 1)..N {
            self.out_valid.next = self.stages[i].q.val();
        }
    }
}
