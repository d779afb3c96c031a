//! The example programs give known answers (computed here independently, with plonky2's field
//! where it applies), and every dishonest prophet answer makes the checking program fail.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, Field64, PrimeField64};
use rand::{Rng, SeedableRng};

use parallax::programs::example;
use parallax::vm::memory::Memory;
use parallax::vm::{self, ErrorKind, Honest, Inputs, MapStorage, NoTrace, Oracle, Outcome, Prophet};

fn f(x: u64) -> F {
    F::from_canonical_u64(x)
}

fn words(xs: &[u64]) -> Vec<F> {
    xs.iter().map(|&x| f(x)).collect()
}

fn run_with<O: Oracle>(name: &str, calldata: Vec<F>, oracle: &mut O) -> Result<Outcome, vm::ExecError> {
    let p = example(name).unwrap().assemble().unwrap();
    let inputs = Inputs { calldata, ..Inputs::default() };
    vm::run(&p, &inputs, &mut NoTrace, oracle, &mut MapStorage::default())
}

fn outs(name: &str, calldata: &[u64]) -> Vec<u64> {
    run_with(name, words(calldata), &mut Honest).unwrap().outputs.iter().map(|v| v.to_canonical_u64()).collect()
}

/// An oracle that lies: `tamper` sees the prophet, its inputs and the honest answer.
struct Liar<T: FnMut(Prophet, [F; 2], [F; 2]) -> [F; 2]>(T);

impl<T: FnMut(Prophet, [F; 2], [F; 2]) -> [F; 2]> Oracle for Liar<T> {
    fn answer(&mut self, p: Prophet, inputs: [F; 2], mem: &Memory) -> Result<[F; 2], ErrorKind> {
        let honest = Honest.answer(p, inputs, mem)?;
        Ok((self.0)(p, inputs, honest))
    }
}

/// Running `name` with this lie must fail with a program check, never succeed.
fn caught(name: &str, calldata: &[u64], tamper: impl FnMut(Prophet, [F; 2], [F; 2]) -> [F; 2]) {
    let r = run_with(name, words(calldata), &mut Liar(tamper));
    match r {
        Err(e) => assert!(
            matches!(
                e.kind,
                ErrorKind::AssertFailed { .. }
                    | ErrorKind::RangeCheck { .. }
                    | ErrorKind::NotU32 { .. }
                    | ErrorKind::AddressOutOfRange { .. }
            ),
            "{name}: a lie should fail a check, got {e}"
        ),
        Ok(out) => panic!("{name} {calldata:?}: a dishonest prophet was accepted, outputs {:?}", out.outputs),
    }
}

const EDGES_U32: [u64; 8] = [0, 1, 2, 3, 4, 0xffff, 0x1_0000, 0xffff_ffff];

#[test]
fn fib_matches_field_recurrence() {
    for n in [0u64, 1, 2, 10, 93, 94, 500] {
        let (mut a, mut b) = (F::ZERO, F::ONE);
        for _ in 0..n {
            (a, b) = (b, a + b);
        }
        assert_eq!(outs("fib", &[n]), [a.to_canonical_u64()], "fib({n})");
    }
    assert_eq!(outs("fib", &[10]), [55]);
}

#[test]
fn sqrt_is_floor_sqrt() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let xs = EDGES_U32.into_iter().chain([65535 * 65535, 65535 * 65535 - 1, 99]).chain((0..50).map(|_| rng.gen::<u32>() as u64));
    for x in xs {
        let s = outs("sqrt", &[x])[0] as u128;
        assert!(s * s <= x as u128 && (s + 1) * (s + 1) > x as u128, "sqrt({x}) = {s}");
    }
}

#[test]
fn divmod_divides() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let mut cases = vec![(0, 1), (1, 1), (0xffff_ffff, 1), (0xffff_ffff, 0xffff_ffff), (0xffff_fffe, 0xffff_ffff), (7, 2)];
    cases.extend((0..50).map(|_| (rng.gen::<u32>() as u64, rng.gen_range(1..=u32::MAX) as u64)));
    for (a, b) in cases {
        assert_eq!(outs("divmod", &[a, b]), [a / b, a % b], "{a} divmod {b}");
    }
    let e = run_with("divmod", words(&[5, 0]), &mut Honest).unwrap_err();
    assert_eq!(e.kind, ErrorKind::DivisionByZero);
}

#[test]
fn pow_matches_plonky2() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let mut cases = vec![(0, 0), (0, 5), (2, 63), (2, 64), (F::ORDER - 1, 0xffff_ffff), (7, 0xffff_ffff)];
    cases.extend((0..20).map(|_| (rng.gen_range(0..F::ORDER), rng.gen::<u32>() as u64)));
    for (x, e) in cases {
        assert_eq!(outs("pow", &[x, e]), [f(x).exp_u64(e).to_canonical_u64()], "{x}^{e}");
    }
}

#[test]
fn inverse_matches_plonky2() {
    for x in [1, 2, F::ORDER - 1, 1 << 32, 12345] {
        assert_eq!(outs("inverse", &[x]), [f(x).inverse().to_canonical_u64()]);
    }
    assert_eq!(run_with("inverse", words(&[0]), &mut Honest).unwrap_err().kind, ErrorKind::DivisionByZero);
}

#[test]
fn split_gives_canonical_halves() {
    for x in [0, 1, 0xffff_ffff, 1 << 32, F::ORDER - 1, F::ORDER - 2, 0xdead_beef_cafe_f00d % F::ORDER] {
        assert_eq!(outs("split", &[x]), [x >> 32, x & 0xffff_ffff], "split({x:#x})");
    }
}

#[test]
fn sort_sorts() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    for n in [0usize, 1, 2, 5, 40] {
        let xs: Vec<u64> = (0..n).map(|_| rng.gen_range(0..20u64) * 0x0800_0000 + rng.gen_range(0..3)).collect();
        let mut calldata = vec![n as u64];
        calldata.extend(&xs);
        let mut sorted = xs.clone();
        sorted.sort();
        assert_eq!(outs("sort", &calldata), sorted, "sort {xs:?}");
    }
}

#[test]
fn lying_divmod_is_caught() {
    let (a, b) = (1_000_003u64, 1000u64);
    let (q, r) = (f(a / b), f(a % b));
    let fb = f(b);
    caught("divmod", &[a, b], |_, _, _| [q + F::ONE, r - fb]); // r - b wraps to a huge value
    caught("divmod", &[a, b], |_, _, _| [q - F::ONE, r + fb]); // r + b >= b
    caught("divmod", &[a, b], |_, _, _| [q, r + F::ONE]);
    caught("divmod", &[a, b], |_, _, _| [q + F::ONE, r]);
    // A solution of q*b + r = a modulo p with q out of range.
    caught("divmod", &[a, b], |_, _, _| [q + f(b).inverse(), r - F::ONE]);
    caught("divmod", &[0xffff_ffff, 1], |_, _, [q, r]| [q - F::ONE, r + F::ONE]);
}

#[test]
fn lying_sqrt_is_caught() {
    for x in [0u64, 1, 15, 16, 17, 0xffff_ffff, 65535 * 65535] {
        for delta in [F::ONE, F::NEG_ONE, f(1 << 32), f(1 << 16)] {
            caught("sqrt", &[x], move |_, _, [s, _]| [s + delta, F::ZERO]);
        }
        caught("sqrt", &[x], |_, _, [s, _]| [-s - F::ONE, F::ZERO]);
    }
}

#[test]
fn lying_inverse_is_caught() {
    for x in [1u64, 2, 12345, F::ORDER - 1] {
        caught("inverse", &[x], |_, _, [i, _]| [i + F::ONE, F::ZERO]);
        caught("inverse", &[x], |_, _, _| [F::ZERO, F::ZERO]);
    }
    // x itself is a lie except for x = ±1.
    for x in [2u64, 12345] {
        caught("inverse", &[x], |_, [x, _], _| [x, F::ZERO]);
    }
}

#[test]
fn lying_split_is_caught() {
    for x in [0u64, 5, 0xffff_fffd, F::ORDER - 1] {
        caught("split", &[x], |_, _, [h, l]| [h, l + F::ONE]);
        caught("split", &[x], |_, _, [h, l]| [h + F::ONE, l]);
        caught("split", &[x], |_, _, [h, l]| [h + F::ONE, l - f(1 << 32)]);
    }
    // The non-canonical decomposition x + p = (2^32 - 1) * 2^32 + (x + 1), for x < 2^32 - 1.
    for x in [0u64, 5, 0xffff_fffd] {
        caught("split", &[x], move |_, _, _| [f(0xffff_ffff), f(x + 1)]);
    }
}

#[test]
fn lying_pow_is_caught() {
    // Flip one exponent bit (keeping e = 2q + bit false), or claim a bit of 2, or a wrapped q.
    caught("pow", &[3, 13], |_, _, [q, b]| [q, F::ONE - b]);
    caught("pow", &[3, 13], |_, _, [q, _]| [q, F::TWO]);
    caught("pow", &[3, 12], |_, _, [q, b]| [q - F::ONE, b + F::TWO]);
    caught("pow", &[3, 12], |_, _, [q, b]| [q + f(2).inverse(), b - F::ONE]);
}

#[test]
fn lying_argsort_is_caught() {
    let calldata = [5u64, 50, 10, 40, 20, 30];
    // Always the first index: not a permutation.
    caught("sort", &calldata, |_, _, _| [F::ZERO, F::ZERO]);
    // The identity permutation: a permutation, but not sorted.
    caught("sort", &calldata, |_, [_, i], _| [i, F::ZERO]);
    // Out of range.
    caught("sort", &calldata, |_, _, _| [f(5), F::ZERO]);
    caught("sort", &calldata, |_, _, _| [F::NEG_ONE, F::ZERO]);
    // A permutation in descending order (50, 40, 30, 20, 10).
    let descending = [0u64, 2, 4, 3, 1];
    caught("sort", &calldata, move |_, [_, i], _| [f(descending[i.to_canonical_u64() as usize]), F::ZERO]);
}

#[test]
fn every_example_runs_with_its_demo_inputs() {
    for ex in parallax::programs::EXAMPLES {
        let p = ex.assemble().unwrap();
        let out = vm::execute(&p, &Inputs { calldata: (ex.calldata)(), ..Inputs::default() });
        assert!(out.is_ok(), "{}: {:?}", ex.name, out);
    }
}

/// `merkle.asm` recomputes plonky2's `MerkleTree` root from any leaf's path (`poseidon` is
/// `two_to_one`), and a wrong sibling gives another root.
#[test]
fn merkle_root_equals_plonky2s() {
    use plonky2::hash::merkle_tree::MerkleTree;
    use plonky2::hash::poseidon::PoseidonHash;
    use plonky2::field::types::Sample;
    let leaves: Vec<Vec<F>> = (0..32).map(|_| F::rand_vec(4)).collect();
    let root = MerkleTree::<F, PoseidonHash>::new(leaves.clone(), 0).cap.0[0];
    for index in [0, 1, 17, 31] {
        let cd = parallax::programs::merkle_calldata(&leaves, index);
        let out = run_with("merkle", cd.clone(), &mut Honest).unwrap().outputs;
        assert_eq!(out, root.elements.to_vec(), "leaf {index}");
        let mut bad = cd;
        bad[7] += F::ONE; // a word of the first sibling
        assert_ne!(run_with("merkle", bad, &mut Honest).unwrap().outputs, root.elements.to_vec());
    }
}

/// The `poseidon` instruction is plonky2's `hash_no_pad` of r0..r7 into r0..r3; r4..r9 keep.
#[test]
fn poseidon_instruction_is_plonky2_hash_no_pad() {
    use plonky2::hash::poseidon::PoseidonHash;
    use plonky2::plonk::config::Hasher;
    let src = "mov r0, 1\nmov r1, 2\nmov r5, -1\nposeidon\nout r0\nout r1\nout r2\nout r3\nout r5\nend";
    let p = vm::assemble("h.asm", src).unwrap();
    let out = vm::execute(&p, &Inputs::default()).unwrap().outputs;
    let h = PoseidonHash::hash_no_pad(&[f(1), f(2), F::ZERO, F::ZERO, F::ZERO, F::NEG_ONE, F::ZERO, F::ZERO]);
    assert_eq!(out[..4], h.elements);
    assert_eq!(out[4], F::NEG_ONE);
}
