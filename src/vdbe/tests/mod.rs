//! Tests of the VDBE: value semantics against the sqlite3 3.40.1 oracle and
//! hand-assembled programs.
//!
//! Expected values were produced by the system `sqlite3` shell (3.40.1),
//! e.g. `sqlite3 :memory: "select 1+'2', 5/2, 5/0, …"`.

mod btree_programs;
mod harness;
mod programs;
mod programs_more;
mod semantics;
