//! L3 — table and index b-trees and their cursors.
//!
//! SQLite counterpart: btree.c.
