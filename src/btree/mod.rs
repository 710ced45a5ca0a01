//! L3 — table and index b-trees and their cursors.
//!
//! SQLite counterpart: btree.c (and btreeInt.h, whose header comment is the
//! model for the format notes in each file here).
//!
//! | file | job |
//! |---|---|
//! | `tree.rs` | the [`Btree`] handle: transactions, header/meta, create/clear/drop |
//! | `page.rs` | page format: header, cell pointers, cells, freeblocks |
//! | `cursor.rs` | [`BtCursor`]: first/last/next/prev, seeks, payload access |
//! | `modify.rs` | insert, index insert, delete |
//! | `balance.rs` | split/merge/redistribute, root deeper/shallower |
//! | `overflow.rs` | overflow chains |
//! | `freelist.rs` | freelist trunk/leaf pages |
//! | `integrity.rs` | `integrity_check` |
//! | `copy.rs` | tree and file copies for VACUUM |
//! | `ptrmap.rs` | pointer-map pages of auto-vacuum databases |
//! | `autovacuum.rs` | root placement, page relocation, vacuum on commit |
//! | `store.rs` | [`PageStore`]: what the b-tree needs from the pager |
//! | `error.rs` | [`BtreeError`] → `ResultCode` |
//!
//! Page numbers: [`Pgno`]. Trees are identified by their root page, which
//! only moves when a tree is dropped from an auto-vacuum database (the last
//! root then moves into the dropped slot; see `autovacuum.rs`).

mod autovacuum;
mod balance;
mod copy;
mod cursor;
mod error;
mod freelist;
mod integrity;
mod modify;
mod overflow;
mod page;
mod ptrmap;
mod store;
mod tree;

#[cfg(test)]
mod tests;

pub use cursor::BtCursor;
pub use error::{BtreeError, Pgno};
pub use store::PageStore;
pub use tree::Btree;

/// The two kinds of b-tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TreeKind {
    /// A table b-tree: 64-bit rowid keys, data in the leaves (intkey).
    Table,
    /// An index b-tree: record keys, no data.
    Index,
}

/// Where a seek left the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekResult {
    /// On an entry equal to the key (index seeks: equal on the key prefix).
    Found,
    /// On an entry smaller than the key (the nearest one, or the one the
    /// bias asked for).
    Before,
    /// On an entry greater than the key.
    After,
    /// No entry: the tree is empty (rowid seeks) or no entry satisfies the
    /// bias (key seeks). The cursor is at EOF.
    Empty,
}

/// Which entry an index seek looks for, relative to the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekBias {
    /// First entry ≥ key.
    Ge,
    /// First entry > key.
    Gt,
    /// Last entry ≤ key.
    Le,
    /// Last entry < key.
    Lt,
}
