//! Index statistics from `sqlite_stat1`, and the logarithmic estimates
//! (LogEst) the query planner does its arithmetic in.
//!
//! SQLite counterpart: analyze.c (`sqlite3AnalysisLoad`, `analysisLoader`,
//! `decodeIntArray`), build.c (`sqlite3DefaultRowEst`,
//! `estimateTableWidth`, `estimateIndexWidth`) and util.c (`sqlite3LogEst`,
//! `sqlite3LogEstAdd`).
//!
//! A LogEst is ten times the base-2 logarithm of a count: 0 is 1, 10 is 2,
//! 33 is 10, 200 is about a million. Adding LogEsts multiplies counts.
//!
//! `sqlite_stat1.stat` text (fileformat2.html, "The sqlite_stat1 table"):
//!
//! | word            | meaning                                             |
//! |-----------------|-----------------------------------------------------|
//! | first integer   | rows of the index (or of the table when idx is NULL) |
//! | integer i (i>1) | average rows per distinct prefix of i-1 key columns  |
//! | `unordered`     | the index may not be used for range scans/sorting    |
//! | `sz=N`          | average row size estimate                            |
//! | `noskipscan`    | the index may not be used for a skip-scan            |
//!
//! Invariants:
//! 1. Rows are applied in `sqlite_stat1` order; a row naming an index of
//!    the table sets that index's estimates and, unless the index is
//!    partial, the table's row count; a row with idx NULL (or naming no
//!    known index) sets the table's row count. Unknown tables are ignored.
//! 2. Integers missing from a row keep the default estimates; an index
//!    without any row gets the defaults, computed after every row is
//!    applied from the table's row count (at least 1000 rows then).
//! 3. A table without any statistics is assumed to hold about a million
//!    rows (LogEst 200), as SQLite assumes.

use std::collections::HashMap;

use super::schema::{Index, Table};
use crate::record::Affinity;

/// Ten times log2 of a count.
pub type LogEst = i16;

/// Rows assumed in a table that has no statistics (about 2^20).
pub const DEFAULT_ROWS: LogEst = 200;

/// The LogEst of `x` (0 and 1 both give 0).
pub fn log_est(x: u64) -> LogEst {
    // log2 of the mantissa 8..15 in tenths, rounded: 8→0 … 15→9.
    const FRACTION: [LogEst; 8] = [0, 2, 3, 5, 6, 7, 8, 9];
    if x < 2 {
        return 0;
    }
    let bits = 64 - x.leading_zeros() as i16; // x in [2^(bits-1), 2^bits)
    let (mantissa, exp) = if bits <= 4 {
        (x << (4 - bits), bits - 4)
    } else {
        (x >> (bits - 4), bits - 4)
    };
    // x ≈ mantissa * 2^exp with mantissa in 8..15, log2(8) = 3.
    FRACTION[(mantissa & 7) as usize] + 30 + 10 * exp
}

/// The LogEst of the sum of two counts given as LogEsts.
pub fn log_est_add(a: LogEst, b: LogEst) -> LogEst {
    // 10*log2(1 + 2^(-d/10)) for d = 0..31, rounded to SQLite's values.
    const STEP: [LogEst; 32] = [
        10, 10, 9, 9, 8, 8, 7, 7, 7, 6, 6, 6, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2,
        2, 2,
    ];
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    let d = i32::from(hi) - i32::from(lo);
    if d > 49 {
        hi
    } else if d > 31 {
        hi + 1
    } else {
        hi + STEP[d as usize]
    }
}

/// The LogEst of log2 of the count `n` (a LogEst): the cost of one b-tree
/// search in a tree of `n` entries.
pub fn est_log(n: LogEst) -> LogEst {
    if n <= 10 {
        0
    } else {
        log_est(n as u64) - 33
    }
}

/// Statistics of one index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexStat {
    /// Entry 0: rows in the index; entry i: rows per distinct prefix of i
    /// key columns (LogEst). One entry per key column plus one.
    pub est: Vec<LogEst>,
    /// True when `sqlite_stat1` had a row for this index.
    pub from_stat1: bool,
    pub unordered: bool,
    pub no_skip_scan: bool,
    /// Estimated entry size (LogEst of 4 × the width in integer units).
    pub size: LogEst,
}

/// Statistics of one table and its indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableStat {
    /// Rows in the table (LogEst).
    pub rows: LogEst,
    /// Estimated row size, same unit as [`IndexStat::size`].
    pub size: LogEst,
    /// By lower-case index name.
    pub indexes: HashMap<String, IndexStat>,
}

/// Estimated width of a column in integer-size units: text and blob
/// columns count `n/4 + 1` for a declared size `n`, else 5; others 1.
fn column_width(t: &Table, col: Option<usize>) -> i64 {
    let Some(c) = col.and_then(|c| t.columns.get(c)) else {
        return 1;
    };
    let Some(decl) = c.decltype.as_deref() else {
        return 1;
    };
    if !matches!(c.affinity, Affinity::Text | Affinity::Blob) {
        return 1;
    }
    let lower = decl.to_ascii_lowercase();
    let sized_from = lower.find("char").or_else(|| {
        lower
            .find("blob")
            .filter(|&p| lower[p + 4..].starts_with('('))
    });
    let v = match sized_from {
        Some(p) => {
            let digits: String = lower[p..]
                .chars()
                .skip_while(|ch| !ch.is_ascii_digit())
                .take_while(|ch| ch.is_ascii_digit())
                .collect();
            digits.parse::<i64>().unwrap_or(0)
        }
        None => 16,
    };
    (v / 4 + 1).min(255)
}

/// The default row size estimate of a table.
pub fn table_size(t: &Table) -> LogEst {
    let mut w: i64 = (0..t.columns.len()).map(|c| column_width(t, Some(c))).sum();
    if t.ipk.is_none() {
        w += 1;
    }
    log_est((w * 4) as u64)
}

/// The default entry size estimate of an index (key columns plus the
/// rowid or PRIMARY KEY suffix).
pub fn index_size(t: &Table, idx: &Index) -> LogEst {
    let mut w: i64 = idx.columns.iter().map(|c| column_width(t, c.column)).sum();
    if t.without_rowid {
        if let Some(pk) = t.indexes.iter().find(|i| i.is_primary_key) {
            w += pk
                .columns
                .iter()
                .filter(|pc| !idx.columns.iter().any(|ic| ic.column == pc.column))
                .map(|pc| column_width(t, pc.column))
                .sum::<i64>();
        }
    } else {
        w += 1;
    }
    log_est((w * 4) as u64)
}

/// SQLite's guesses for an index without statistics in a table of
/// `rows` rows: 10 rows per first-column value, then 9, 8, 7, 6, then 5;
/// a unique index's full key finds one row; a partial index holds half.
pub fn default_index_est(idx: &Index, rows: LogEst) -> Vec<LogEst> {
    const GUESS: [LogEst; 5] = [33, 32, 30, 28, 26];
    let k = idx.columns.len();
    let mut est = Vec::with_capacity(k + 1);
    est.push(if idx.partial.is_some() {
        rows - 10
    } else {
        rows
    });
    for i in 0..k {
        est.push(GUESS.get(i).copied().unwrap_or(23));
    }
    if idx.unique {
        if let Some(last) = est.last_mut() {
            *last = 0;
        }
    }
    est
}

/// Parses a stat text into `out` (as many integers as fit) and its
/// keywords; returns (unordered, sz, noskipscan).
fn decode_stat(text: &str, out: &mut [LogEst]) -> (bool, Option<LogEst>, bool) {
    let mut words = text.split(' ').filter(|w| !w.is_empty()).peekable();
    let mut i = 0;
    while let Some(w) = words.peek() {
        if i >= out.len() || !w.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
        let v = digits.parse::<u64>().unwrap_or(u64::MAX);
        if let Some(slot) = out.get_mut(i) {
            *slot = log_est(v);
        }
        i += 1;
        words.next();
    }
    let (mut unordered, mut sz, mut noskip) = (false, None, false);
    for w in words {
        if w == "unordered" {
            unordered = true;
        } else if let Some(n) = w.strip_prefix("sz=") {
            let v: u64 = n
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            sz = Some(log_est(v.max(2)));
        } else if w == "noskipscan" {
            noskip = true;
        }
    }
    (unordered, sz, noskip)
}

/// One `sqlite_stat1` row: (tbl, idx, stat).
pub type Stat1Row = (Option<String>, Option<String>, Option<String>);

/// Builds the statistics of every table named in `rows` (invariants 1–3),
/// keyed by lower-case table name; `table` finds a table by name.
pub fn build_stats(
    rows: &[Stat1Row],
    table: &dyn Fn(&str) -> Option<std::sync::Arc<Table>>,
) -> HashMap<String, TableStat> {
    let mut out: HashMap<String, TableStat> = HashMap::new();
    for (tbl, idx, stat) in rows {
        let (Some(tbl), Some(stat)) = (tbl, stat) else {
            continue;
        };
        let Some(t) = table(tbl) else { continue };
        let key = t.name.to_ascii_lowercase();
        let ts = out.entry(key).or_insert_with(|| TableStat {
            rows: DEFAULT_ROWS,
            size: table_size(&t),
            indexes: HashMap::new(),
        });
        let index = idx.as_deref().and_then(|n| {
            if n.eq_ignore_ascii_case(tbl) {
                t.indexes
                    .iter()
                    .find(|i| i.is_primary_key && t.without_rowid)
            } else {
                t.indexes.iter().find(|i| i.name.eq_ignore_ascii_case(n))
            }
        });
        match index {
            Some(i) => {
                let name = i.name.to_ascii_lowercase();
                let mut est = default_index_est(i, DEFAULT_ROWS);
                if let Some(old) = ts.indexes.get(&name) {
                    est.clone_from(&old.est);
                }
                let (unordered, sz, noskip) = decode_stat(stat, &mut est);
                if i.partial.is_none() {
                    ts.rows = est.first().copied().unwrap_or(0);
                }
                let size = sz.unwrap_or_else(|| index_size(&t, i));
                ts.indexes.insert(
                    name,
                    IndexStat {
                        est,
                        from_stat1: true,
                        unordered,
                        no_skip_scan: noskip,
                        size,
                    },
                );
            }
            None => {
                let mut one = [ts.rows];
                let (_, sz, _) = decode_stat(stat, &mut one);
                ts.rows = one[0];
                if let Some(s) = sz {
                    ts.size = s;
                }
            }
        }
    }
    for (name, ts) in out.iter_mut() {
        let Some(t) = table(name) else { continue };
        let missing: Vec<&Index> = (t.indexes.iter())
            .filter(|i| !ts.indexes.contains_key(&i.name.to_ascii_lowercase()))
            .collect();
        if !missing.is_empty() && ts.rows < 99 {
            ts.rows = 99;
        }
        for i in missing {
            ts.indexes.insert(
                i.name.to_ascii_lowercase(),
                IndexStat {
                    est: default_index_est(i, ts.rows),
                    from_stat1: false,
                    unordered: false,
                    no_skip_scan: false,
                    size: index_size(&t, i),
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_estimates() {
        let cases = [
            (0, 0),
            (1, 0),
            (2, 10),
            (3, 16),
            (4, 20),
            (5, 23),
            (10, 33),
            (20, 43),
            (25, 46),
            (100, 66),
            (1000, 99),
            (1 << 20, 200),
        ];
        for (x, want) in cases {
            assert_eq!(log_est(x), want, "log_est({x})");
        }
        assert_eq!(log_est_add(0, 0), 10);
        assert_eq!(log_est_add(100, 40), 100);
        assert_eq!(log_est_add(33, 33), 43);
        assert_eq!(est_log(200), log_est(200) - 33);
        assert_eq!(est_log(10), 0);
    }

    #[test]
    fn decodes_stat_text() {
        let mut est = [0; 3];
        let (u, sz, ns) = decode_stat("10000 20 1 unordered sz=30 noskipscan", &mut est);
        assert_eq!(est, [log_est(10000), log_est(20), 0]);
        assert!(u && ns);
        assert_eq!(sz, Some(log_est(30)));
        let mut one = [7];
        decode_stat("x 5", &mut one);
        assert_eq!(one, [7]);
    }
}
