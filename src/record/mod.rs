//! L2 — varints, serial types, records, values, affinity, collations.
//!
//! SQLite counterpart: vdbeaux.c (records), vdbemem.c (values), utf.c.
