//! L4 — built-in SQL functions.
//!
//! SQLite counterpart: func.c, date.c.
