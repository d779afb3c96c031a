//! Prophets: built-in non-deterministic helpers. The executor computes the answer outside the
//! instruction set and writes it to the output registers; the program must then check it with
//! ordinary instructions. A prophet's answer is never trusted: the proof constrains only the
//! checking instructions, so [`Oracle`] is pluggable and tests inject dishonest ones.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::{Field, PrimeField64};

use super::error::ErrorKind;
use super::isa::U32_LIMIT;
use super::memory::Memory;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Prophet {
    /// `(q, r) <- (a / b, a % b)` on u32 values.
    Divmod = 0,
    /// `s <- floor(sqrt(a))` on a u32 value.
    Sqrt = 1,
    /// `x <- a^-1` in the field.
    Inv = 2,
    /// `(hi, lo)` with `a = hi * 2^32 + lo`, both < 2^32, `a` taken canonical.
    Split = 3,
    /// `j <- index of the i-th smallest element` of the length-prefixed array at address `a`
    /// (`mem[a] = n`, elements at `mem[a+1..=a+n]`), `i = b`; ties keep the original order.
    Argsort = 4,
}

impl Prophet {
    pub const ALL: [Prophet; 5] =
        [Prophet::Divmod, Prophet::Sqrt, Prophet::Inv, Prophet::Split, Prophet::Argsort];

    pub fn name(self) -> &'static str {
        match self {
            Prophet::Divmod => "divmod",
            Prophet::Sqrt => "sqrt",
            Prophet::Inv => "inv",
            Prophet::Split => "split",
            Prophet::Argsort => "argsort",
        }
    }

    pub fn from_name(s: &str) -> Option<Prophet> {
        Prophet::ALL.iter().copied().find(|p| p.name() == s)
    }

    /// Number of input registers (`a`, then `b`).
    pub fn inputs(self) -> usize {
        match self {
            Prophet::Divmod | Prophet::Argsort => 2,
            Prophet::Sqrt | Prophet::Inv | Prophet::Split => 1,
        }
    }

    /// Number of output registers (`dst`, then the second output kept in `aux`).
    pub fn outputs(self) -> usize {
        match self {
            Prophet::Divmod | Prophet::Split => 2,
            Prophet::Sqrt | Prophet::Inv | Prophet::Argsort => 1,
        }
    }

    /// `aux = id | second_output_register << 8`.
    pub fn to_aux(self, dst2: u8) -> u32 {
        self as u32 | (dst2 as u32) << 8
    }

    pub fn from_aux(aux: u32) -> Option<(Prophet, u8)> {
        let p = *Prophet::ALL.get((aux & 0xff) as usize)?;
        let d2 = (aux >> 8) as u8;
        (aux >> 12 == 0).then_some((p, d2))
    }
}

/// Answers prophet calls. `inputs` holds the values of the input registers (the second one is 0
/// for one-input prophets); the result holds the outputs (the second one ignored for one-output
/// prophets).
pub trait Oracle {
    fn answer(&mut self, prophet: Prophet, inputs: [F; 2], mem: &Memory) -> Result<[F; 2], ErrorKind>;
}

/// The honest oracle: computes every prophet's true answer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Honest;

fn as_u32(p: Prophet, v: F) -> Result<u64, ErrorKind> {
    let x = v.to_canonical_u64();
    if x < U32_LIMIT {
        Ok(x)
    } else {
        Err(ErrorKind::ProphetInput { prophet: p.name(), value: x })
    }
}

fn isqrt(a: u64) -> u64 {
    // f64 is exact enough to land within one of the answer for a < 2^32; then correct.
    let mut s = (a as f64).sqrt() as u64;
    while s * s > a {
        s -= 1;
    }
    while (s + 1) * (s + 1) <= a {
        s += 1;
    }
    s
}

impl Oracle for Honest {
    fn answer(&mut self, p: Prophet, [a, b]: [F; 2], mem: &Memory) -> Result<[F; 2], ErrorKind> {
        let f = F::from_canonical_u64;
        match p {
            Prophet::Divmod => {
                let (a, b) = (as_u32(p, a)?, as_u32(p, b)?);
                if b == 0 {
                    return Err(ErrorKind::DivisionByZero);
                }
                Ok([f(a / b), f(a % b)])
            }
            Prophet::Sqrt => Ok([f(isqrt(as_u32(p, a)?)), F::ZERO]),
            Prophet::Inv => {
                let x = a.try_inverse().ok_or(ErrorKind::DivisionByZero)?;
                Ok([x, F::ZERO])
            }
            Prophet::Split => {
                let x = a.to_canonical_u64();
                Ok([f(x >> 32), f(x & 0xffff_ffff)])
            }
            Prophet::Argsort => {
                let base = as_u32(p, a)?;
                let i = b.to_canonical_u64();
                let n = mem.read(base)?.to_canonical_u64();
                if i >= n {
                    return Err(ErrorKind::ProphetInput { prophet: p.name(), value: i });
                }
                let mut keyed = (0..n)
                    .map(|k| Ok((mem.read(base + 1 + k)?.to_canonical_u64(), k)))
                    .collect::<Result<Vec<_>, ErrorKind>>()?;
                keyed.sort_unstable();
                Ok([f(keyed[i as usize].1), F::ZERO])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isqrt_edges() {
        for a in [0u64, 1, 2, 3, 4, 15, 16, 17, 99, 100, (1 << 32) - 1, 65535 * 65535, 65536 * 65535] {
            let s = isqrt(a);
            assert!(s * s <= a && (s + 1) * (s + 1) > a, "isqrt({a}) = {s}");
        }
    }

    #[test]
    fn aux_round_trip() {
        for p in Prophet::ALL {
            assert_eq!(Prophet::from_aux(p.to_aux(7)), Some((p, 7)));
        }
        assert_eq!(Prophet::from_aux(99), None);
    }
}
