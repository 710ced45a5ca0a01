//! SQLite result codes, primary and extended, shared by every layer.
//!
//! SQLite counterpart: the `SQLITE_*` result-code macros of `sqlite3.h` and
//! `sqlite3ErrStr()` in main.c.
//!
//! Every layer has its own `thiserror` enum; each enum maps, with an
//! exhaustive `match`, to one [`ResultCode`] here. This module is the floor
//! of the layer stack: it depends on nothing and everything may use it.
//!
//! Invariants:
//! 1. `ResultCode(x).primary()` is `x & 0xff`, as SQLite defines it.
//! 2. [`ResultCode::errstr`] returns exactly the text `sqlite3_errstr()` of
//!    SQLite 3.40.1 returns for the same code.

/// A SQLite result code (primary or extended), as the C API returns it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ResultCode(pub i32);

macro_rules! codes {
    ($($name:ident = $val:expr;)*) => {
        impl ResultCode {
            $(pub const $name: ResultCode = ResultCode($val);)*
        }
    };
}

const fn ext(primary: i32, n: i32) -> i32 {
    primary | (n << 8)
}

codes! {
    OK = 0; ERROR = 1; INTERNAL = 2; PERM = 3; ABORT = 4; BUSY = 5; LOCKED = 6;
    NOMEM = 7; READONLY = 8; INTERRUPT = 9; IOERR = 10; CORRUPT = 11; NOTFOUND = 12;
    FULL = 13; CANTOPEN = 14; PROTOCOL = 15; EMPTY = 16; SCHEMA = 17; TOOBIG = 18;
    CONSTRAINT = 19; MISMATCH = 20; MISUSE = 21; NOLFS = 22; AUTH = 23; FORMAT = 24;
    RANGE = 25; NOTADB = 26; NOTICE = 27; WARNING = 28; ROW = 100; DONE = 101;

    ERROR_MISSING_COLLSEQ = ext(1, 1); ERROR_RETRY = ext(1, 2); ERROR_SNAPSHOT = ext(1, 3);
    IOERR_READ = ext(10, 1); IOERR_SHORT_READ = ext(10, 2); IOERR_WRITE = ext(10, 3);
    IOERR_FSYNC = ext(10, 4); IOERR_DIR_FSYNC = ext(10, 5); IOERR_TRUNCATE = ext(10, 6);
    IOERR_FSTAT = ext(10, 7); IOERR_UNLOCK = ext(10, 8); IOERR_RDLOCK = ext(10, 9);
    IOERR_DELETE = ext(10, 10); IOERR_BLOCKED = ext(10, 11); IOERR_NOMEM = ext(10, 12);
    IOERR_ACCESS = ext(10, 13); IOERR_CHECKRESERVEDLOCK = ext(10, 14);
    IOERR_LOCK = ext(10, 15); IOERR_CLOSE = ext(10, 16); IOERR_DIR_CLOSE = ext(10, 17);
    IOERR_SHMOPEN = ext(10, 18); IOERR_SHMSIZE = ext(10, 19); IOERR_SHMLOCK = ext(10, 20);
    IOERR_SHMMAP = ext(10, 21); IOERR_SEEK = ext(10, 22); IOERR_DELETE_NOENT = ext(10, 23);
    IOERR_MMAP = ext(10, 24); IOERR_GETTEMPPATH = ext(10, 25); IOERR_CONVPATH = ext(10, 26);
    IOERR_VNODE = ext(10, 27); IOERR_AUTH = ext(10, 28); IOERR_BEGIN_ATOMIC = ext(10, 29);
    IOERR_COMMIT_ATOMIC = ext(10, 30); IOERR_ROLLBACK_ATOMIC = ext(10, 31);
    IOERR_DATA = ext(10, 32); IOERR_CORRUPTFS = ext(10, 33);
    LOCKED_SHAREDCACHE = ext(6, 1); LOCKED_VTAB = ext(6, 2);
    BUSY_RECOVERY = ext(5, 1); BUSY_SNAPSHOT = ext(5, 2); BUSY_TIMEOUT = ext(5, 3);
    CANTOPEN_NOTEMPDIR = ext(14, 1); CANTOPEN_ISDIR = ext(14, 2);
    CANTOPEN_FULLPATH = ext(14, 3); CANTOPEN_CONVPATH = ext(14, 4);
    CANTOPEN_DIRTYWAL = ext(14, 5); CANTOPEN_SYMLINK = ext(14, 6);
    CORRUPT_VTAB = ext(11, 1); CORRUPT_SEQUENCE = ext(11, 2); CORRUPT_INDEX = ext(11, 3);
    READONLY_RECOVERY = ext(8, 1); READONLY_CANTLOCK = ext(8, 2);
    READONLY_ROLLBACK = ext(8, 3); READONLY_DBMOVED = ext(8, 4);
    READONLY_CANTINIT = ext(8, 5); READONLY_DIRECTORY = ext(8, 6);
    ABORT_ROLLBACK = ext(4, 2);
    CONSTRAINT_CHECK = ext(19, 1); CONSTRAINT_COMMITHOOK = ext(19, 2);
    CONSTRAINT_FOREIGNKEY = ext(19, 3); CONSTRAINT_FUNCTION = ext(19, 4);
    CONSTRAINT_NOTNULL = ext(19, 5); CONSTRAINT_PRIMARYKEY = ext(19, 6);
    CONSTRAINT_TRIGGER = ext(19, 7); CONSTRAINT_UNIQUE = ext(19, 8);
    CONSTRAINT_VTAB = ext(19, 9); CONSTRAINT_ROWID = ext(19, 10);
    CONSTRAINT_PINNED = ext(19, 11); CONSTRAINT_DATATYPE = ext(19, 12);
    NOTICE_RECOVER_WAL = ext(27, 1); NOTICE_RECOVER_ROLLBACK = ext(27, 2);
    WARNING_AUTOINDEX = ext(28, 1); AUTH_USER = ext(23, 1);
    OK_LOAD_PERMANENTLY = ext(0, 1); OK_SYMLINK = ext(0, 2);
}

impl ResultCode {
    /// The primary code: the low eight bits.
    pub const fn primary(self) -> ResultCode {
        ResultCode(self.0 & 0xff)
    }

    /// True for `SQLITE_OK`, `SQLITE_ROW` and `SQLITE_DONE`.
    pub const fn is_success(self) -> bool {
        matches!(self.0 & 0xff, 0 | 100 | 101)
    }

    /// The English text of `sqlite3_errstr()` for this code.
    pub fn errstr(self) -> &'static str {
        match self.0 {
            x if x == Self::ABORT_ROLLBACK.0 => return "abort due to ROLLBACK",
            100 => return "another row available",
            101 => return "no more rows available",
            _ => {}
        }
        match self.0 & 0xff {
            0 => "not an error",
            1 => "SQL logic error",
            3 => "access permission denied",
            4 => "query aborted",
            5 => "database is locked",
            6 => "database table is locked",
            7 => "out of memory",
            8 => "attempt to write a readonly database",
            9 => "interrupted",
            10 => "disk I/O error",
            11 => "database disk image is malformed",
            12 => "unknown operation",
            13 => "database or disk is full",
            14 => "unable to open database file",
            15 => "locking protocol",
            17 => "database schema has changed",
            18 => "string or blob too big",
            19 => "constraint failed",
            20 => "datatype mismatch",
            21 => "bad parameter or other API misuse",
            22 => "large file support is disabled",
            23 => "authorization denied",
            25 => "column index out of range",
            26 => "file is not a database",
            27 => "notification message",
            28 => "warning message",
            _ => "unknown error",
        }
    }
}

impl std::fmt::Display for ResultCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.errstr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_strips_extended_bits() {
        assert_eq!(ResultCode::IOERR_FSYNC.primary(), ResultCode::IOERR);
        assert_eq!(ResultCode::CONSTRAINT_UNIQUE.0, 2067);
        assert_eq!(ResultCode::BUSY_TIMEOUT.0, 773);
    }

    #[test]
    fn errstr_texts() {
        assert_eq!(ResultCode::OK.errstr(), "not an error");
        assert_eq!(ResultCode::INTERNAL.errstr(), "unknown error");
        assert_eq!(
            ResultCode::CORRUPT_INDEX.errstr(),
            "database disk image is malformed"
        );
        assert_eq!(ResultCode::DONE.errstr(), "no more rows available");
    }
}
