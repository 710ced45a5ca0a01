//! Build script for the C ABI crate (SONAME and exported-symbol list come later).
fn main() {}
