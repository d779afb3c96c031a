//! The kernel's register writes, as XRT kernel arguments. The driver
//! (`parallax_sim::driver::lde_and_commit`) writes registers at the offsets of
//! `parallax_hdl::regmap`; XRT's `xrt::run` takes arguments by index, 64-bit buffer addresses as
//! `xrt::bo`s. [ArgLatch] turns one into the other, so the same driver runs on a real card and the
//! mapping is testable without one (host/tests/driver_layout.rs).

use parallax_hdl::regmap;
use parallax_sim::CardError;

/// Argument `i` sits at `0x10 + 8 i` (ap_ctrl_hs: one 8-byte slot per argument).
pub const NUM_ARGS: usize = 10;
pub const ARG_OFFSETS: [u32; NUM_ARGS] = {
    let mut o = [0; NUM_ARGS];
    let mut i = 0;
    while i < NUM_ARGS {
        o[i] = regmap::ARG_COMMAND + 8 * i as u32;
        i += 1;
    }
    o
};
/// Index of the first 64-bit buffer argument (`VALUES`).
pub const FIRST_BUFFER_ARG: usize = 5;
const _: () = assert!(ARG_OFFSETS[FIRST_BUFFER_ARG] == regmap::BUFFER_ARGS[0] && ARG_OFFSETS[NUM_ARGS - 1] == regmap::ARG_CAP);

/// What one register write becomes on XRT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `run.set_arg(arg, value)`.
    Scalar { arg: usize, value: u32 },
    /// `run.set_arg(arg, bo)` for the buffer at device address `addr`.
    Buffer { arg: usize, addr: u64 },
    /// `run.start()`.
    Start,
}

/// Collects the halves of 64-bit arguments; checks that every argument is set before a start.
#[derive(Clone, Debug, Default)]
pub struct ArgLatch {
    low: [Option<u32>; NUM_ARGS],
    high: [Option<u32>; NUM_ARGS],
    set: [bool; NUM_ARGS],
}

impl ArgLatch {
    /// The XRT operation for `write_reg(offset, value)`, or `None` while a 64-bit argument has
    /// one half written.
    pub fn write(&mut self, offset: u32, value: u32) -> Result<Option<Op>, CardError> {
        if offset == regmap::CTRL {
            if value & regmap::CTRL_START == 0 {
                return Err(CardError::Unsupported(format!("CTRL write {value:#x}: XRT's scheduler owns ap_ctrl_hs; only ap_start is passed on")));
            }
            if let Some(arg) = (0..NUM_ARGS).find(|&a| !self.set[a]) {
                return Err(CardError::Device(format!("start with kernel argument {arg} (register {:#x}) unset", ARG_OFFSETS[arg])));
            }
            *self = Self::default();
            return Ok(Some(Op::Start));
        }
        let slot = offset.checked_sub(regmap::ARG_COMMAND).map(|d| (d / 8) as usize);
        let Some(arg) = slot.filter(|&a| a < NUM_ARGS && offset.is_multiple_of(4)) else {
            return Err(CardError::Unsupported(format!("register {offset:#x} is not a kernel argument (XRT owns the control and interrupt registers; STATUS and CYCLES are read-only)")));
        };
        let high = offset % 8 == 4;
        if arg < FIRST_BUFFER_ARG {
            if high {
                return Err(CardError::Unsupported(format!("register {offset:#x}: scalar argument {arg} is 32-bit")));
            }
            self.set[arg] = true;
            return Ok(Some(Op::Scalar { arg, value }));
        }
        *if high { &mut self.high[arg] } else { &mut self.low[arg] } = Some(value);
        match (self.low[arg], self.high[arg]) {
            (Some(lo), Some(hi)) => {
                (self.low[arg], self.high[arg], self.set[arg]) = (None, None, true);
                Ok(Some(Op::Buffer { arg, addr: (hi as u64) << 32 | lo as u64 }))
            }
            _ => Ok(None),
        }
    }
}

/// What XRT 2.13 reports as the offset of an argument it has no offset for (`u64::MAX`, cut to
/// 32 bits): seen for an xclbin with kernel metadata but no IP layout.
pub const UNKNOWN_OFFSET: u32 = u32::MAX;

/// Checks an xclbin's argument offsets (from its kernel metadata) against the register map:
/// ten arguments, each at its register unless XRT does not know the offset.
pub fn check_offsets(kernel: &str, offsets: &[u32]) -> Result<(), String> {
    let agree = offsets.len() == NUM_ARGS && offsets.iter().zip(ARG_OFFSETS).all(|(&o, e)| o == e || o == UNKNOWN_OFFSET);
    if !agree {
        let hex = |o: &[u32]| o.iter().map(|x| format!("{x:#x}")).collect::<Vec<_>>().join(", ");
        return Err(format!(
            "the xclbin's kernel '{kernel}' has arguments at [{}], but hdl/src/regmap.rs puts them at [{}]",
            hex(offsets),
            hex(&ARG_OFFSETS)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_halves_combine_and_start_needs_every_argument() {
        let mut l = ArgLatch::default();
        for (i, &o) in ARG_OFFSETS[..FIRST_BUFFER_ARG].iter().enumerate() {
            assert_eq!(l.write(o, i as u32).unwrap(), Some(Op::Scalar { arg: i, value: i as u32 }));
        }
        assert!(l.write(regmap::CTRL, regmap::CTRL_START).unwrap_err().to_string().contains("argument 5 (register 0x38) unset"));
        for &o in &regmap::BUFFER_ARGS {
            assert_eq!(l.write(o + 4, 1).unwrap(), None);
            assert!(matches!(l.write(o, 0x2000).unwrap(), Some(Op::Buffer { addr: 0x1_0000_2000, .. })));
        }
        assert_eq!(l.write(regmap::CTRL, regmap::CTRL_START).unwrap(), Some(Op::Start));
        assert!(l.write(regmap::STATUS, 0).is_err() && l.write(regmap::ISR, 1).is_err() && l.write(regmap::ARG_COMMAND + 4, 0).is_err());
        assert!(check_offsets("k", &ARG_OFFSETS).is_ok());
        assert!(check_offsets("k", &ARG_OFFSETS[1..]).unwrap_err().contains("regmap.rs"));
        assert!(check_offsets("k", &[UNKNOWN_OFFSET; NUM_ARGS]).is_ok());
        let mut swapped = ARG_OFFSETS;
        swapped.swap(5, 6);
        assert!(check_offsets("k", &swapped).unwrap_err().contains("0x40, 0x38"));
    }
}
