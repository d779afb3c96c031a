//! Constraints written once. Every table states its constraints as one generic function over
//! [`Ops`]; [`Native`] evaluates them on packed field values (the prover and verifier) and
//! [`Circuit`] builds them into a plonky2 circuit (`eval_ext_circuit`, for recursion later). One
//! source for both forms means they cannot drift apart; `stark_testing` checks that they agree.

use std::marker::PhantomData;

use plonky2::field::extension::{Extendable, FieldExtension};
use plonky2::field::packed::PackedField;
use plonky2::field::types::Field;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use starky::constraint_consumer::{ConstraintConsumer, RecursiveConstraintConsumer};

use super::{D, F};

/// Arithmetic on constraint values and the four kinds of constraint starky knows.
pub trait Ops<T: Copy> {
    fn add(&mut self, a: T, b: T) -> T;
    fn sub(&mut self, a: T, b: T) -> T;
    fn mul(&mut self, a: T, b: T) -> T;
    fn constant(&mut self, c: F) -> T;
    /// Must vanish on every row.
    fn always(&mut self, c: T);
    /// Must vanish on every row but the last (it may read the next row).
    fn transition(&mut self, c: T);
    fn first_row(&mut self, c: T);
    fn last_row(&mut self, c: T);

    fn int(&mut self, c: i64) -> T {
        self.constant(F::from_noncanonical_i64(c))
    }
    fn one(&mut self) -> T {
        self.constant(F::ONE)
    }
    /// `1 - a`.
    fn not(&mut self, a: T) -> T {
        let one = self.one();
        self.sub(one, a)
    }
    fn sum(&mut self, xs: &[T]) -> T {
        let mut acc = self.constant(F::ZERO);
        for &x in xs {
            acc = self.add(acc, x);
        }
        acc
    }
    /// `sum c_i * x_i`.
    fn lin(&mut self, terms: &[(T, F)]) -> T {
        let mut acc = self.constant(F::ZERO);
        for &(x, c) in terms {
            let c = self.constant(c);
            let t = self.mul(x, c);
            acc = self.add(acc, t);
        }
        acc
    }
    /// `sum a_i * b_i`.
    fn dot(&mut self, a: &[T], b: &[T]) -> T {
        let mut acc = self.constant(F::ZERO);
        for (&x, &y) in a.iter().zip(b) {
            let t = self.mul(x, y);
            acc = self.add(acc, t);
        }
        acc
    }
    fn mul3(&mut self, a: T, b: T, c: T) -> T {
        let ab = self.mul(a, b);
        self.mul(ab, c)
    }
    /// `a * (a - 1)`: vanishes iff `a` is a bit.
    fn bit(&mut self, a: T) -> T {
        let na = self.not(a);
        self.mul(a, na)
    }
}

/// Evaluates constraints on (packed) field values.
pub struct Native<'a, P: PackedField, const D2: usize> {
    pub cc: &'a mut ConstraintConsumer<P>,
}

impl<P, const D2: usize> Ops<P> for Native<'_, P, D2>
where
    P: PackedField,
    P::Scalar: FieldExtension<D2, BaseField = F>,
{
    fn add(&mut self, a: P, b: P) -> P {
        a + b
    }
    fn sub(&mut self, a: P, b: P) -> P {
        a - b
    }
    fn mul(&mut self, a: P, b: P) -> P {
        a * b
    }
    fn constant(&mut self, c: F) -> P {
        P::from(P::Scalar::from_basefield(c))
    }
    fn always(&mut self, c: P) {
        self.cc.constraint(c)
    }
    fn transition(&mut self, c: P) {
        self.cc.constraint_transition(c)
    }
    fn first_row(&mut self, c: P) {
        self.cc.constraint_first_row(c)
    }
    fn last_row(&mut self, c: P) {
        self.cc.constraint_last_row(c)
    }
}

/// Builds constraints into a recursive circuit.
pub struct Circuit<'a, 'b> {
    pub builder: &'a mut CircuitBuilder<F, D>,
    pub cc: &'b mut RecursiveConstraintConsumer<F, D>,
    _p: PhantomData<()>,
}

impl<'a, 'b> Circuit<'a, 'b> {
    pub fn new(builder: &'a mut CircuitBuilder<F, D>, cc: &'b mut RecursiveConstraintConsumer<F, D>) -> Self {
        Circuit { builder, cc, _p: PhantomData }
    }
}

type Ext = ExtensionTarget<D>;

impl Ops<Ext> for Circuit<'_, '_> {
    fn add(&mut self, a: Ext, b: Ext) -> Ext {
        self.builder.add_extension(a, b)
    }
    fn sub(&mut self, a: Ext, b: Ext) -> Ext {
        self.builder.sub_extension(a, b)
    }
    fn mul(&mut self, a: Ext, b: Ext) -> Ext {
        self.builder.mul_extension(a, b)
    }
    fn constant(&mut self, c: F) -> Ext {
        self.builder.constant_extension(<<F as Extendable<D>>::Extension as FieldExtension<D>>::from_basefield(c))
    }
    /// One multiply-add gate operation per term (the default would spend a constant and a
    /// multiplication on each).
    fn lin(&mut self, terms: &[(Ext, F)]) -> Ext {
        let mut acc = self.builder.zero_extension();
        for &(x, c) in terms {
            acc = self.builder.mul_const_add_extension(c, x, acc);
        }
        acc
    }
    fn always(&mut self, c: Ext) {
        self.cc.constraint(self.builder, c)
    }
    fn transition(&mut self, c: Ext) {
        self.cc.constraint_transition(self.builder, c)
    }
    fn first_row(&mut self, c: Ext) {
        self.cc.constraint_first_row(self.builder, c)
    }
    fn last_row(&mut self, c: Ext) {
        self.cc.constraint_last_row(self.builder, c)
    }
}

/// Implements `Stark` for a table whose constraints are `fn eval<T, O: Ops<T>>(&self, o, local,
/// next, public_inputs)`, with `COLUMNS` columns and `PIS` public inputs.
macro_rules! impl_stark {
    ($ty:ty, $cols:expr, $pis:expr) => {
        impl starky::stark::Stark<$crate::prover::F, 2> for $ty {
            type EvaluationFrame<FE, P, const D2: usize>
                = starky::evaluation_frame::StarkFrame<P, P::Scalar, { $cols }, { $pis }>
            where
                FE: plonky2::field::extension::FieldExtension<D2, BaseField = $crate::prover::F>,
                P: plonky2::field::packed::PackedField<Scalar = FE>;

            type EvaluationFrameTarget = starky::evaluation_frame::StarkFrame<
                plonky2::iop::ext_target::ExtensionTarget<2>,
                plonky2::iop::ext_target::ExtensionTarget<2>,
                { $cols },
                { $pis },
            >;

            fn eval_packed_generic<FE, P, const D2: usize>(
                &self,
                vars: &Self::EvaluationFrame<FE, P, D2>,
                yield_constr: &mut starky::constraint_consumer::ConstraintConsumer<P>,
            ) where
                FE: plonky2::field::extension::FieldExtension<D2, BaseField = $crate::prover::F>,
                P: plonky2::field::packed::PackedField<Scalar = FE>,
            {
                use starky::evaluation_frame::StarkEvaluationFrame;
                let pis: [P; $pis] = core::array::from_fn(|i| P::from(vars.get_public_inputs()[i]));
                let mut o = $crate::prover::expr::Native::<P, D2> { cc: yield_constr };
                self.eval(&mut o, vars.get_local_values(), vars.get_next_values(), &pis);
            }

            fn eval_ext_circuit(
                &self,
                builder: &mut plonky2::plonk::circuit_builder::CircuitBuilder<$crate::prover::F, 2>,
                vars: &Self::EvaluationFrameTarget,
                yield_constr: &mut starky::constraint_consumer::RecursiveConstraintConsumer<$crate::prover::F, 2>,
            ) {
                use starky::evaluation_frame::StarkEvaluationFrame;
                let mut o = $crate::prover::expr::Circuit::new(builder, yield_constr);
                self.eval(&mut o, vars.get_local_values(), vars.get_next_values(), vars.get_public_inputs());
            }

            fn constraint_degree(&self) -> usize {
                3
            }

            fn requires_ctls(&self) -> bool {
                true
            }

            fn lookups(&self) -> Vec<starky::lookup::Lookup<$crate::prover::F>> {
                self.local_lookups()
            }
        }
    };
}
pub(crate) use impl_stark;

/// Evaluates a table's constraints row by row on a plain trace and collects the rows where one
/// fails: a forged-trace test can then name the constraint group that catches it, without a
/// proof and without the cross-table lookups (which only a proof checks).
pub struct Check {
    row: usize,
    last: usize,
    pub failing: Vec<usize>,
}

impl Check {
    fn fail_if(&mut self, on: bool, c: F) {
        if on && c != F::ZERO && self.failing.last() != Some(&self.row) {
            self.failing.push(self.row);
        }
    }

    /// The rows of `cols` (column-major, a power-of-two height) on which `eval` fails; the next
    /// row of the last row is the first, as in a STARK.
    pub fn failing_rows(cols: &[Vec<F>], pis: &[F], eval: impl Fn(&mut Check, &[F], &[F], &[F])) -> Vec<usize> {
        let n = cols[0].len();
        let mut check = Check { row: 0, last: n - 1, failing: vec![] };
        for r in 0..n {
            let lv: Vec<F> = cols.iter().map(|c| c[r]).collect();
            let nv: Vec<F> = cols.iter().map(|c| c[(r + 1) % n]).collect();
            check.row = r;
            eval(&mut check, &lv, &nv, pis);
        }
        check.failing
    }
}

impl Ops<F> for Check {
    fn add(&mut self, a: F, b: F) -> F {
        a + b
    }
    fn sub(&mut self, a: F, b: F) -> F {
        a - b
    }
    fn mul(&mut self, a: F, b: F) -> F {
        a * b
    }
    fn constant(&mut self, c: F) -> F {
        c
    }
    fn always(&mut self, c: F) {
        self.fail_if(true, c)
    }
    fn transition(&mut self, c: F) {
        self.fail_if(self.row != self.last, c)
    }
    fn first_row(&mut self, c: F) {
        self.fail_if(self.row == 0, c)
    }
    fn last_row(&mut self, c: F) {
        self.fail_if(self.row == self.last, c)
    }
}
