//! `parallax demo`: the main job on embedded defaults. For now it runs every example program and
//! prints a table; later stages (parallel blocks, proofs, the accelerator) join it as they land.

use std::time::Instant;

use anyhow::anyhow;

use crate::programs::EXAMPLES;
use crate::vm::isa::fmt_felt;
use crate::vm::{self, Inputs};

pub fn demo() -> anyhow::Result<()> {
    println!("Parallax demo: example programs on the VM\n");
    println!("{:<9} {:>9} {:>11}  {:<34} outputs", "program", "steps", "time", "what");
    for ex in EXAMPLES {
        let program = ex.assemble()?;
        let inputs = Inputs { calldata: (ex.calldata)(), ..Inputs::default() };
        let start = Instant::now();
        let out = vm::execute(&program, &inputs).map_err(|e| anyhow!("{}", program.describe_error(&e)))?;
        let micros = start.elapsed().as_secs_f64() * 1e6;
        let mut outs: Vec<_> = out.outputs.iter().map(|v| fmt_felt(*v)).collect();
        if outs.len() > 6 {
            let n = outs.len();
            outs.truncate(5);
            outs.push(format!("... ({n} words)"));
        }
        println!("{:<9} {:>9} {:>9.1}us  {:<34} [{}]", ex.name, out.steps, micros, ex.about, outs.join(", "));
    }
    Ok(())
}
