//! L1 — the pager: page cache, transactions, rollback journal.
//!
//! SQLite counterpart: pager.c, pcache.c (to be filled in by the storage work).
