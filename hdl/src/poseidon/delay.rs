use rust_hdl::prelude::*;

/// A `W`-bit value delayed by exactly `N` cycles (`N >= 1`); no reset (data only). Runs beside a
/// pipelined unit to line up operands, e.g. the 11 linear lanes of a partial round.
#[derive(LogicBlock)]
pub struct Delay<const W: usize, const N: usize> {
    // Clocking
    pub clock: Signal<In, Clock>,
    // Value in, the same value `N` cycles later
    pub d: Signal<In, Bits<W>>,
    pub q: Signal<Out, Bits<W>>,
    stages: [DFF<Bits<W>>; N],
}

impl<const W: usize, const N: usize> Default for Delay<W, N> {
    fn default() -> Self {
        assert!(N >= 1, "Delay needs at least one stage");
        Self {
            clock: Default::default(),
            d: Default::default(),
            q: Default::default(),
            stages: std::array::from_fn(|_| Default::default()),
        }
    }
}

impl<const W: usize, const N: usize> Logic for Delay<W, N> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..N {
            self.stages[i].clock.next = self.clock.val();
        }
        self.stages[0].d.next = self.d.val();
        for i in 1..N {
            self.stages[i].d.next = self.stages[i - 1].q.val();
        }
        // One-iteration loop: the index of an array must be a literal or a loop variable.
        for i in (N - 1)..N {
            self.q.next = self.stages[i].q.val();
        }
    }
}
