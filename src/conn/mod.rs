//! L6 — connections, schema cache, statements, transaction state.
//!
//! SQLite counterpart: main.c, prepare.c.
