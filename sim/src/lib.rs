//! Cycle-accurate simulator of the Parallax accelerator card (see `docs/accelerator.md`).
