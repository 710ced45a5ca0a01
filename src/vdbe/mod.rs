//! L4 — the VDBE, the register bytecode machine that runs statements.
//!
//! SQLite counterpart: vdbe.c, vdbeaux.c.
