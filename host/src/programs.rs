//! The example programs of `host/programs/`, embedded so `parallax demo` needs no files.

use plonky2::field::goldilocks_field::GoldilocksField as F;
use plonky2::field::types::Field;

use crate::vm::{assemble, AsmError, Program};

/// An embedded example with demo calldata.
pub struct Example {
    pub name: &'static str,
    pub source: &'static str,
    pub calldata: fn() -> Vec<F>,
    pub about: &'static str,
}

impl Example {
    pub fn assemble(&self) -> Result<Program, AsmError> {
        assemble(&format!("programs/{}.asm", self.name), self.source)
    }
}

fn words(xs: &[u64]) -> Vec<F> {
    xs.iter().map(|&x| F::from_canonical_u64(x)).collect()
}

pub const EXAMPLES: &[Example] = &[
    Example {
        name: "fib",
        source: include_str!("../programs/fib.asm"),
        calldata: || words(&[1000]),
        about: "fib(1000) in the field",
    },
    Example {
        name: "sqrt",
        source: include_str!("../programs/sqrt.asm"),
        calldata: || words(&[4_000_000_000]),
        about: "isqrt(4e9) via prophet",
    },
    Example {
        name: "divmod",
        source: include_str!("../programs/divmod.asm"),
        calldata: || words(&[4_000_000_007, 97]),
        about: "4000000007 divmod 97 via prophet",
    },
    Example {
        name: "pow",
        source: include_str!("../programs/pow.asm"),
        calldata: || words(&[7, 0xffff_ffff]),
        about: "7^(2^32-1) by square-and-multiply",
    },
    Example {
        name: "inverse",
        source: include_str!("../programs/inverse.asm"),
        calldata: || words(&[12345]),
        about: "1/12345 via prophet",
    },
    Example {
        name: "split",
        source: include_str!("../programs/split.asm"),
        calldata: || vec![F::NEG_ONE],
        about: "p-1 into 32-bit halves via prophet",
    },
    Example {
        name: "sort",
        source: include_str!("../programs/sort.asm"),
        calldata: || {
            let mut v = vec![64];
            v.extend((0..64u64).map(|i| (i * 2_654_435_761) % 1000));
            words(&v)
        },
        about: "sort 64 u32 values via prophet",
    },
];

pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}
