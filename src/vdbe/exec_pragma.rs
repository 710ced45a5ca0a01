//! The `Pragma` opcode: PRAGMAs that read or change pager and b-tree state.
//!
//! SQLite counterpart: OP_PageCount, OP_MaxPgcnt, OP_JournalMode,
//! OP_IntegrityCk and the pager calls pragma.c makes directly
//! (`sqlite3BtreeSetPageSize`, `sqlite3BtreeSetCacheSize`, …).
//!
//! Invariants:
//! 1. A setting that cannot change now (page size of a non-empty database,
//!    journal mode the pager cannot switch to) is left as it is and the
//!    PRAGMA returns the value in force, as SQLite does.
//! 2. `integrity_check` returns "ok" or its messages joined by newlines.

use super::env::VdbeEnv;
use super::error::VdbeError;
use super::insn::{PragmaOp, Reg};
use super::mem::Mem;
use super::vm::{Flow, Vdbe};
use crate::btree::Btree;
use crate::pager::{CheckpointMode, JournalMode, Pager, PagerError, Synchronous};

fn journal_mode_name(m: JournalMode) -> &'static str {
    match m {
        JournalMode::Delete => "delete",
        JournalMode::Truncate => "truncate",
        JournalMode::Persist => "persist",
        JournalMode::Memory => "memory",
        JournalMode::Off => "off",
        JournalMode::Wal => "wal",
    }
}

fn journal_mode_of(name: &str) -> Option<JournalMode> {
    Some(match name.to_ascii_lowercase().as_str() {
        "delete" => JournalMode::Delete,
        "truncate" => JournalMode::Truncate,
        "persist" => JournalMode::Persist,
        "memory" => JournalMode::Memory,
        "off" => JournalMode::Off,
        "wal" => JournalMode::Wal,
        _ => return None,
    })
}

fn synchronous_of(level: i64) -> Synchronous {
    match level {
        0 => Synchronous::Off,
        1 => Synchronous::Normal,
        3 => Synchronous::Extra,
        _ => Synchronous::Full,
    }
}

/// Pages for a cache_size value (negative = KiB).
fn cache_pages(v: i64, page_size: usize) -> usize {
    if v >= 0 {
        v as usize
    } else {
        ((v.unsigned_abs() as usize) * 1024 / page_size.max(512)).max(1)
    }
}

impl Vdbe {
    pub(crate) fn op_pragma(
        &mut self,
        env: &mut VdbeEnv,
        db: usize,
        op: &PragmaOp,
        dest: Reg,
    ) -> Result<Flow, VdbeError> {
        let state = &mut *env.conn;
        let bt: &mut Btree<Pager> = env
            .dbs
            .get_mut(db)
            .ok_or_else(|| VdbeError::Internal(format!("no database {db}")))?;
        let result = match op {
            PragmaOp::PageSize(set) => {
                if let Some(n) = set {
                    if bt.pager().set_page_size(*n as usize).is_err() {
                        bt.set_next_page_size(*n as usize);
                    }
                }
                Mem::Int(bt.pager().page_size() as i64)
            }
            PragmaOp::PageCount => Mem::Int(i64::from(bt.pager().page_count())),
            PragmaOp::FreelistCount => {
                let n = if bt.pager().page_count() == 0 {
                    0
                } else {
                    bt.get_meta(0)?
                };
                Mem::Int(i64::from(n))
            }
            PragmaOp::JournalMode(set) => {
                let pager = bt.pager();
                if let Some(mode) = set.as_deref().and_then(journal_mode_of) {
                    let old = pager.journal_mode();
                    let wal_switch = (mode == JournalMode::Wal) != (old == JournalMode::Wal);
                    if wal_switch && !state.autocommit && !pager.is_memory() {
                        let dir = if mode == JournalMode::Wal {
                            "into"
                        } else {
                            "out of"
                        };
                        return Err(VdbeError::Error(format!(
                            "cannot change {dir} wal mode from within a transaction"
                        )));
                    }
                    if mode == JournalMode::Wal && pager.page_count() == 0 {
                        // Like sqlite3BtreeSetVersion: format page 1 first.
                        bt.begin_write(false)?;
                        bt.commit()?;
                    }
                    if let Err(e @ PagerError::Busy) = bt.pager().set_journal_mode(mode) {
                        return Err(e.into());
                    }
                }
                Mem::Text(
                    journal_mode_name(bt.pager().journal_mode())
                        .as_bytes()
                        .to_vec(),
                )
            }
            PragmaOp::WalCheckpoint(mode) => {
                if !state.autocommit {
                    // SQLite refuses while this connection has a transaction
                    // open (its snapshot would move).
                    return Err(VdbeError::Error("database table is locked".into()));
                }
                let mode = match mode.as_deref() {
                    Some("full") => CheckpointMode::Full,
                    Some("restart") => CheckpointMode::Restart,
                    Some("truncate") => CheckpointMode::Truncate,
                    _ => CheckpointMode::Passive,
                };
                let r = bt.pager().checkpoint(mode)?;
                self.set_reg(dest, Mem::Int(i64::from(r.busy)))?;
                self.set_reg(dest + 1, Mem::Int(r.log))?;
                Mem::Int(r.checkpointed)
            }
            PragmaOp::WalAutocheckpoint(n) => {
                Mem::Int(bt.pager().set_wal_autocheckpoint(n.unwrap_or(-1)))
            }
            PragmaOp::CacheSize(set) => {
                if let Some(v) = set {
                    state.cache_size = *v;
                    let pages = cache_pages(*v, bt.pager().page_size());
                    bt.pager().set_cache_size(pages);
                }
                Mem::Int(state.cache_size)
            }
            PragmaOp::Synchronous(set) => {
                if let Some(v) = set {
                    state.synchronous = (*v).clamp(0, 3);
                    bt.pager()
                        .set_synchronous(synchronous_of(state.synchronous));
                }
                Mem::Int(state.synchronous)
            }
            PragmaOp::MaxPageCount(set) => {
                let n = set.map_or(0, |v| v.clamp(0, i64::from(u32::MAX)) as u32);
                Mem::Int(i64::from(bt.pager().set_max_page_count(n)))
            }
            PragmaOp::LockingMode(set) => {
                let exclusive = set
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("exclusive"));
                if set.is_some() {
                    bt.pager().set_exclusive_mode(exclusive);
                }
                let name = if exclusive { "exclusive" } else { "normal" };
                Mem::Text(name.as_bytes().to_vec())
            }
            PragmaOp::AutoVacuum(set) => {
                if let Some(v) = set {
                    bt.set_auto_vacuum((*v).clamp(0, 3) as u8)?;
                }
                Mem::Int(i64::from(bt.auto_vacuum_mode()?))
            }
            PragmaOp::Encoding(set) => {
                if let Some(e) = set.as_deref().and_then(crate::record::TextEncoding::parse) {
                    bt.set_text_encoding(e)?;
                }
                if db == 0 {
                    state.enc = bt.text_encoding()?;
                    self.enc = state.enc;
                }
                Mem::Text(bt.text_encoding()?.name().as_bytes().to_vec())
            }
            PragmaOp::IncrementalVacuum(n) => {
                bt.incremental_vacuum(*n)?;
                Mem::Null
            }
            PragmaOp::IntegrityCheck { roots, max_errors } => {
                let errors = bt.integrity_check(roots, *max_errors)?;
                let text = if errors.is_empty() {
                    "ok".to_string()
                } else {
                    errors.join("\n")
                };
                Mem::Text(text.into_bytes())
            }
            PragmaOp::ForeignKeys(set) => {
                let fk = &mut state.fkey;
                if let Some(on) = *set {
                    if state.autocommit && fk.enabled != on {
                        fk.enabled = on;
                        fk.generation += 1;
                    }
                }
                Mem::Int(i64::from(fk.enabled))
            }
            PragmaOp::DeferForeignKeys(set) => {
                if let Some(on) = *set {
                    if state.fkey.defer != on {
                        state.fkey.defer = on;
                        state.fkey.generation += 1;
                    }
                }
                Mem::Int(i64::from(state.fkey.defer))
            }
        };
        let dest = if matches!(op, PragmaOp::WalCheckpoint(_)) {
            dest + 2
        } else {
            dest
        };
        self.set_reg(dest, result)?;
        Ok(Flow::Next)
    }
}
