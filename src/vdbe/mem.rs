//! The register type of the VM.
//!
//! SQLite counterpart: `struct Mem` and the conversion routines of
//! vdbemem.c (`sqlite3VdbeIntValue`, `sqlite3VdbeRealValue`,
//! `sqlite3VdbeBooleanValue`, `sqlite3VdbeMemStringify`), plus rowset.c for
//! the rowid sets of two-pass UPDATE/DELETE.
//!
//! A register holds either an SQL value (NULL, INTEGER, REAL, TEXT, BLOB)
//! or VM-internal state: an aggregate accumulator or a rowid set. A Gosub
//! return address is an ordinary INTEGER, as in SQLite.
//!
//! Invariants:
//! 1. Internal states never escape as SQL values: [`Mem::as_value_ref`] sees
//!    them as NULL, so a codegen bug cannot leak them into a result row.
//! 2. TEXT is raw bytes (UTF-8 expected, never assumed valid).
//! 3. Conversions never fail: a value that does not look like a number
//!    converts to 0 / 0.0, exactly as SQLite's prefix parsing does.

use std::fmt;

use crate::func::AggregateState;
use crate::record::{value_to_f64, value_to_i64, value_to_text, Value, ValueRef};

/// One VM register (SQLite's `Mem`).
#[derive(Default)]
pub enum Mem {
    #[default]
    Null,
    Int(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
    /// The accumulator of an aggregate between `AggStep` and `AggFinal`.
    Agg(Box<dyn AggregateState>),
    /// A rowid set (`RowSetAdd` / `RowSetRead`), boxed so that a register
    /// stays 32 bytes (every register move copies the whole `Mem`).
    RowSet(Box<RowSet>),
}

impl fmt::Debug for Mem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mem::Null => f.write_str("NULL"),
            Mem::Int(i) => write!(f, "Int({i})"),
            Mem::Real(r) => write!(f, "Real({r})"),
            Mem::Text(t) => write!(f, "Text({:?})", String::from_utf8_lossy(t)),
            Mem::Blob(b) => write!(f, "Blob({} bytes)", b.len()),
            Mem::Agg(_) => f.write_str("Agg(..)"),
            Mem::RowSet(s) => write!(f, "RowSet({} rowids)", s.len()),
        }
    }
}

impl Clone for Mem {
    /// Copies the SQL value; internal states copy as NULL (SQLite's
    /// `sqlite3VdbeMemCopy` never copies an aggregate context either).
    fn clone(&self) -> Mem {
        match self {
            Mem::Null | Mem::Agg(_) => Mem::Null,
            Mem::Int(i) => Mem::Int(*i),
            Mem::Real(r) => Mem::Real(*r),
            Mem::Text(t) => Mem::Text(t.clone()),
            Mem::Blob(b) => Mem::Blob(b.clone()),
            Mem::RowSet(s) => Mem::RowSet(s.clone()),
        }
    }
}

impl From<Value> for Mem {
    fn from(v: Value) -> Mem {
        match v {
            Value::Null => Mem::Null,
            Value::Integer(i) => Mem::Int(i),
            Value::Real(r) => Mem::Real(r),
            Value::Text(t) => Mem::Text(t),
            Value::Blob(b) => Mem::Blob(b),
        }
    }
}

impl From<ValueRef<'_>> for Mem {
    fn from(v: ValueRef<'_>) -> Mem {
        match v {
            ValueRef::Null => Mem::Null,
            ValueRef::Integer(i) => Mem::Int(i),
            ValueRef::Real(r) => Mem::Real(r),
            ValueRef::Text(t) => Mem::Text(t.to_vec()),
            ValueRef::Blob(b) => Mem::Blob(b.to_vec()),
        }
    }
}

impl Mem {
    /// Overwrites the register with `m`. A register without heap data
    /// (NULL, INTEGER, REAL) is replaced without running a destructor:
    /// there is nothing to free, and the write is the hot path of the VM.
    #[inline(always)]
    pub fn assign(&mut self, m: Mem) {
        if matches!(self, Mem::Null | Mem::Int(_) | Mem::Real(_)) {
            std::mem::forget(std::mem::replace(self, m));
        } else {
            *self = m;
        }
    }

    /// Sets this register to INTEGER `i`.
    #[inline(always)]
    pub fn set_int(&mut self, i: i64) {
        match self {
            Mem::Int(x) => *x = i,
            _ => self.assign(Mem::Int(i)),
        }
    }

    /// Sets this register to `v`, reusing its text/blob buffer when it has
    /// one (no allocation per row on scan paths).
    #[inline(always)]
    pub fn set_from_ref(&mut self, v: ValueRef<'_>) {
        match v {
            ValueRef::Integer(i) => self.set_int(i),
            ValueRef::Real(r) => match self {
                Mem::Real(x) => *x = r,
                _ => self.assign(Mem::Real(r)),
            },
            ValueRef::Null => self.assign(Mem::Null),
            ValueRef::Text(t) => self.set_bytes(t, true),
            ValueRef::Blob(b) => self.set_bytes(b, false),
        }
    }

    /// Sets this register to TEXT (`text`) or BLOB bytes, reusing a
    /// text/blob buffer it already holds.
    #[inline(never)]
    fn set_bytes(&mut self, bytes: &[u8], text: bool) {
        match self {
            Mem::Text(buf) if text => {
                buf.clear();
                buf.extend_from_slice(bytes);
            }
            Mem::Blob(buf) if !text => {
                buf.clear();
                buf.extend_from_slice(bytes);
            }
            _ => self.set_bytes_converting(bytes, text),
        }
    }

    /// `set_bytes` when the register holds another kind of value.
    fn set_bytes_converting(&mut self, bytes: &[u8], text: bool) {
        let mut buf = match std::mem::take(self) {
            Mem::Text(b) | Mem::Blob(b) => b,
            _ => Vec::new(),
        };
        buf.clear();
        buf.extend_from_slice(bytes);
        // `self` is NULL after the take: nothing to drop.
        self.assign(if text { Mem::Text(buf) } else { Mem::Blob(buf) });
    }

    /// Borrows the SQL value (internal states read as NULL).
    #[inline]
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        match self {
            Mem::Int(i) => ValueRef::Integer(*i),
            Mem::Real(r) => ValueRef::Real(*r),
            Mem::Text(t) => ValueRef::Text(t),
            Mem::Blob(b) => ValueRef::Blob(b),
            Mem::Null | Mem::Agg(_) | Mem::RowSet(_) => ValueRef::Null,
        }
    }

    /// Moves the SQL value out (internal states become NULL).
    pub fn into_value(self) -> Value {
        match self {
            Mem::Int(i) => Value::Integer(i),
            Mem::Real(r) => Value::Real(r),
            Mem::Text(t) => Value::Text(t),
            Mem::Blob(b) => Value::Blob(b),
            Mem::Null | Mem::Agg(_) | Mem::RowSet(_) => Value::Null,
        }
    }

    /// Copies the SQL value into an owned [`Value`].
    pub fn to_value(&self) -> Value {
        self.as_value_ref().to_owned()
    }

    /// True for NULL (and for internal states, which read as NULL).
    pub fn is_null(&self) -> bool {
        self.as_value_ref().is_null()
    }

    /// `sqlite3VdbeIntValue`: REAL truncates (saturating), TEXT/BLOB use the
    /// longest integer prefix, NULL is 0.
    pub fn int_value(&self) -> i64 {
        value_to_i64(&self.as_value_ref())
    }

    /// `sqlite3VdbeRealValue`.
    pub fn real_value(&self) -> f64 {
        value_to_f64(&self.as_value_ref())
    }

    /// The value rendered as TEXT (numbers as SQLite prints them).
    pub fn text_value(&self) -> Vec<u8> {
        value_to_text(&self.as_value_ref())
    }

    /// `sqlite3VdbeBooleanValue`: the truth of the value, `if_null` for
    /// NULL. Integers are true when non-zero; everything else goes through
    /// its REAL value.
    pub fn truth(&self, if_null: bool) -> bool {
        match self.as_value_ref() {
            ValueRef::Null => if_null,
            ValueRef::Integer(i) => i != 0,
            other => value_to_f64(&other) != 0.0,
        }
    }
}

/// A set of rowids, read back in ascending order without duplicates
/// (SQLite's `RowSet`).
#[derive(Clone, Debug, Default)]
pub struct RowSet {
    /// Inserted rowids; sorted and deduplicated from `read` on once reading starts.
    ids: Vec<i64>,
    /// Index of the next rowid to return, once reading has started.
    read: Option<usize>,
    /// WITHOUT ROWID key blobs, returned in the order added (duplicates
    /// skipped), before any integer rowid.
    keys: std::collections::VecDeque<Vec<u8>>,
    seen: std::collections::HashSet<Vec<u8>>,
}

impl RowSet {
    /// Adds a rowid. Adding after reading started re-sorts what remains.
    pub fn insert(&mut self, id: i64) {
        if let Some(pos) = self.read.take() {
            self.ids.drain(..pos.min(self.ids.len()));
        }
        self.ids.push(id);
    }

    /// Adds a WITHOUT ROWID key blob (ignored if added before).
    pub fn insert_key(&mut self, key: Vec<u8>) {
        if self.seen.insert(key.clone()) {
            self.keys.push_back(key);
        }
    }

    /// The next key blob not yet returned.
    pub fn next_key(&mut self) -> Option<Vec<u8>> {
        self.keys.pop_front()
    }

    /// The next smallest rowid not yet returned.
    pub fn next_rowid(&mut self) -> Option<i64> {
        let pos = match self.read {
            Some(p) => p,
            None => {
                self.ids.sort_unstable();
                self.ids.dedup();
                0
            }
        };
        let id = self.ids.get(pos).copied();
        self.read = Some(pos + usize::from(id.is_some()));
        id
    }

    /// Number of rowids held (before deduplication).
    pub fn len(&self) -> usize {
        self.ids.len() + self.keys.len()
    }

    /// True when no rowid was added.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_values() {
        assert!(Mem::Int(2).truth(false));
        assert!(!Mem::Int(0).truth(true));
        assert!(Mem::Real(0.5).truth(false));
        assert!(Mem::Text(b"1abc".to_vec()).truth(false));
        assert!(!Mem::Text(b"abc".to_vec()).truth(true));
        assert!(Mem::Text(b"0.1".to_vec()).truth(false));
        assert!(Mem::Null.truth(true));
        assert!(!Mem::Null.truth(false));
    }

    #[test]
    fn rowset_sorted_unique() {
        let mut s = RowSet::default();
        for id in [5, 3, 9, 3, -1] {
            s.insert(id);
        }
        let got: Vec<i64> = std::iter::from_fn(|| s.next_rowid()).collect();
        assert_eq!(got, vec![-1, 3, 5, 9]);
        assert_eq!(s.next_rowid(), None);
    }

    #[test]
    fn internal_states_read_as_null() {
        let m = Mem::RowSet(Box::default());
        assert!(m.is_null());
        assert_eq!(m.to_value(), Value::Null);
        assert_eq!(Mem::from(Value::Integer(4)).int_value(), 4);
        assert_eq!(Mem::Real(2.0).text_value(), b"2.0");
    }
}
