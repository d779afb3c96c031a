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
    Example {
        name: "merkle",
        source: include_str!("../programs/merkle.asm"),
        calldata: || {
            let leaves: Vec<Vec<F>> = (0..16u64).map(|i| words(&[i, i * i, 7, 1 << 40])).collect();
            merkle_calldata(&leaves, 11)
        },
        about: "root of a 16-leaf Merkle tree from a path, via poseidon",
    },
];

/// Calldata for `merkle.asm`: `[depth, leaf, (bit, sibling) per level]` for leaf `index` of
/// plonky2's `MerkleTree` over `leaves` (4 words each, a power of two of them), cap height 0.
pub fn merkle_calldata(leaves: &[Vec<F>], index: usize) -> Vec<F> {
    use plonky2::hash::merkle_tree::MerkleTree;
    use plonky2::hash::poseidon::PoseidonHash;
    let tree = MerkleTree::<F, PoseidonHash>::new(leaves.to_vec(), 0);
    let proof = tree.prove(index);
    let mut cd = vec![F::from_canonical_usize(proof.siblings.len())];
    cd.extend(&leaves[index]);
    for (level, sibling) in proof.siblings.iter().enumerate() {
        cd.push(F::from_bool((index >> level) & 1 == 1));
        cd.extend(sibling.elements);
    }
    cd
}

pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}
