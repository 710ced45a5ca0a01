#!/bin/sh
# Measures a large external sort on loom: ORDER BY over N rows (default
# 10,000,000) of random text, run by the system sqlite3 shell on loom's
# libsqlite3 (staged by scripts/stage.sh), under /usr/bin/time -v.
# Prints the row count, a checksum of the sorted output order, wall time and
# peak RSS (max resident set size). Usage: scripts/sort_10m.sh [rows]
# Env: LOOM_LIB (default <repo>/target/loom/lib), LOOM_SORT_DB (scratch db).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROWS=${1:-10000000}
LIB=${LOOM_LIB:-$ROOT/target/loom/lib}
DB=${LOOM_SORT_DB:-${TMPDIR:-/tmp}/loom_sort_10m.db}
[ -f "$LIB/libsqlite3.so.0" ] || { echo "no $LIB/libsqlite3.so.0: run scripts/stage.sh" >&2; exit 1; }
rm -f "$DB" "$DB-journal"
run() { LD_LIBRARY_PATH=$LIB sqlite3 "$DB" "$@"; }
echo "loading $ROWS rows of random text into $DB"
run "CREATE TABLE t(x TEXT, n INTEGER);
     BEGIN;
     WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<$ROWS)
     INSERT INTO t SELECT hex(randomblob(12)), i FROM c;
     COMMIT;" 2>/dev/null || {
  # No recursive CTEs: insert in doubling batches instead.
  run "CREATE TABLE IF NOT EXISTS t(x TEXT, n INTEGER); DELETE FROM t;
       INSERT INTO t VALUES(hex(randomblob(12)), 1);"
  have=1
  while [ "$have" -lt "$ROWS" ]; do
    run "INSERT INTO t SELECT hex(randomblob(12)), n + $have FROM t WHERE n + $have <= $ROWS;"
    have=$((have * 2))
  done
}
run "SELECT count(*) FROM t;"
OUT=${TMPDIR:-/tmp}/loom_sort_10m.time
echo "sorting: SELECT x, n FROM t ORDER BY x (output piped to a checksum)"
/usr/bin/time -v -o "$OUT" sh -c "LD_LIBRARY_PATH='$LIB' sqlite3 '$DB' 'SELECT x, n FROM t ORDER BY x;' | awk 'NR>1 && \$0<prev {bad++} {prev=\$0} END {print NR \" rows, \" bad+0 \" out of order\"}'"
grep -E "Elapsed|Maximum resident" "$OUT"
echo "(max RSS is the largest of the shell and awk processes: the sqlite3 process)"
rm -f "$DB" "$OUT"
