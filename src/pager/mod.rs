//! L1 — the pager: page cache, transactions, rollback journal, savepoints
//! and hot-journal recovery.
//!
//! SQLite counterpart: pager.c and pcache.c / pcache1.c.
//!
//! # State diagram
//!
//! ```text
//!              begin_read                 begin_write
//!   ┌──────┐ ───────────▶ ┌──────┐ ───────────────────▶ ┌───────┐
//!   │ None │              │ Read │                      │ Write │──┐ data_mut / allocate /
//!   └──────┘ ◀─────────── └──────┘ ◀─────────────────── └───────┘◀─┘ truncate_to / savepoints
//!   no lock    end_read    SHARED     commit / rollback   RESERVED (EXCLUSIVE during commit)
//! ```
//!
//! | from | call | to | lock afterwards |
//! |---|---|---|---|
//! | None | `begin_read` | Read | SHARED (hot journal rolled back first, under EXCLUSIVE) |
//! | None/Read | `begin_write` | Write | RESERVED, or EXCLUSIVE with `exclusive` |
//! | Write | `commit` | Read | SHARED (EXCLUSIVE while pages are written) |
//! | Write | `rollback` | Read | SHARED |
//! | Read | `end_read` | None | none |
//!
//! A failed write or sync inside Write puts the pager in a sticky error
//! state: write calls and `commit` return the error until `rollback`.
//! `check_invariants()` (debug builds) runs at every transition.
//!
//! Page handles ([`PageRef`]) are short-lived: a clean page may be evicted
//! by a later `get`, after which its old handle returns
//! [`PagerError::StaleHandle`]; callers re-`get` by page number. Dirty pages
//! are never evicted; when they fill the cache they are spilled to the
//! database file (after a journal sync, `spill.rs`) and become clean, so a
//! rollback-journal transaction of any size runs in a bounded cache.
//!
//! `set_exclusive_mode(true)` (`PRAGMA locking_mode=EXCLUSIVE`) keeps the
//! lock between transactions, so the None state may then hold a lock.
//!
//! WAL mode (`JournalMode::Wal`, the `wal` module) is SQLite-compatible:
//! the WAL file, the `-shm` wal-index and its locks are shared with C
//! SQLite processes.
//!
//! A transaction writing several database files commits through a
//! super-journal (`super_journal.rs`): [`Pager::commit_phase_one`] with the
//! super-journal's name on each, delete the super-journal, then
//! [`Pager::commit_phase_two`] on each.
//!
//! Not implemented yet: cache spill in WAL mode and with MEMORY/OFF
//! journals (those transactions stay in memory), memory-mapped I/O.
#![deny(unsafe_code)]

mod cache;
mod error;
mod journal;
#[allow(clippy::module_inception)]
mod pager;
mod resize;
mod savepoint;
mod spill;
mod super_journal;
mod wal;
mod write;

pub use cache::{FxBuild, FxHasher, PageRef, Pgno, PgnoMap};
pub use error::PagerError;
pub use journal::lock_byte_page;
pub use pager::{
    BusyHandler, JournalMode, Pager, Synchronous, TxnState, MAX_PAGE_COUNT, SQLITE_MAGIC,
};
pub use resize::PageSource;
pub use wal::{CheckpointMode, CheckpointResult};
