//! SQLite's printf: the format engine of `sqlite3_mprintf` and the REAL-to-text rendering.
//!
//! SQLite counterpart: printf.c.
