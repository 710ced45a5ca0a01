//! Write-ahead logging for the pager: the WAL file, the wal-index in shared
//! memory, read snapshots, frame commits, recovery and checkpoints — byte-
//! and lock-compatible with SQLite 3.40.1, so loom and C SQLite processes
//! can use one WAL database at the same time.
//!
//! SQLite counterpart: wal.c and the WAL parts of pager.c; wal.html,
//! walformat.html, fileformat2.html §4.
//!
//! | file | contents |
//! |---|---|
//! | `format.rs` | WAL header, frame header, checksum |
//! | `index.rs` | wal-index header, checkpoint info, hash tables, lock slots |
//! | `log.rs` | [`Wal`]: snapshots, write lock, frames, recovery |
//! | `checkpoint.rs` | PASSIVE / FULL / RESTART / TRUNCATE checkpoints |
//! | `hooks.rs` | the [`Pager`](super::Pager) side of WAL mode |
//!
//! Invariants: see each file; in short, a reader never sees a frame past
//! its snapshot's `mxFrame`, and no frame a reader may need is overwritten
//! or backfilled past its read mark.

mod checkpoint;
mod format;
mod hooks;
mod index;
mod log;

pub use checkpoint::{CheckpointMode, CheckpointResult};
pub(crate) use hooks::read_from_wal;
pub use log::Wal;
