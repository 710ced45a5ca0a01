#!/bin/sh
# rusqlite's own test suite against loom's libsqlite3.so.0.
#
# Takes rusqlite's published source (the version in our Cargo.lock, 0.37)
# from cargo's registry cache (`cargo fetch` puts it there), copies it to a
# scratch directory and builds its tests once, with libsqlite3-sys linking
# the system libsqlite3 dynamically (SQLITE3_LIB_DIR; never the `bundled`
# feature). The same test binaries then run twice:
#   1. on the system SQLite 3.40.1 (the oracle), and
#   2. on loom (LD_LIBRARY_PATH=<loom lib>).
# Features: backup blob collation functions hooks limits trace
# column_decltype i128_blob extra_check vtab series (not `csvtab`: its
# `csv` crate is not in the offline registry cache; not `array` (it implies
# `modern_sqlite`), `modern_sqlite`/`window`/`serialize`: they need
# SQLite >= 3.41 symbols the 3.40.1 oracle lacks).
#
# Tests failing on loom are compared with scripts/rusqlite-expected-failures.txt
# (one test name per line, then " -- reason"); the run fails only on an
# unlisted failure, or on any failure against the system library.
#
#   scripts/rusqlite_suite.sh [LOOM_LIBDIR]   (default: stage loom, use target/loom/lib)
#
# Needs network once (cargo fetch of rusqlite's dev-dependencies); later
# runs reuse $RUSQLITE_WORK (default /tmp/loom-rusqlite). Prints per-run
# counts and "N passed, N failed" last (failed = unexpected failures).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=${RUSQLITE_WORK:-/tmp/loom-rusqlite}
EXPECTED=$HERE/rusqlite-expected-failures.txt
FEATURES="backup blob collation functions hooks limits trace column_decltype i128_blob extra_check vtab series"
SYSLIB=${SYSTEM_SQLITE_LIB_DIR:-/usr/lib/x86_64-linux-gnu}

if [ $# -ge 1 ]; then
  LIB=$(cd "$1" && pwd) || { echo "FAIL - no directory $1"; echo "0 passed, 1 failed"; exit 1; }
else
  "$ROOT/scripts/stage.sh" >/dev/null || { echo "FAIL - staging"; echo "0 passed, 1 failed"; exit 1; }
  LIB=$ROOT/target/loom/lib
fi

VERSION=$(awk '/^name = "rusqlite"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock")
[ -n "$VERSION" ] || VERSION=0.37.0
(cd "$ROOT" && cargo fetch -q) 2>/dev/null || echo "note - cargo fetch failed; using the registry cache as it is"
SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/rusqlite-"$VERSION" 2>/dev/null | head -1)
[ -n "$SRC" ] || { echo "FAIL - rusqlite-$VERSION source not in the cargo registry cache"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$WORK"
rm -rf "$WORK/rusqlite"
cp -r "$SRC" "$WORK/rusqlite"
echo "building rusqlite $VERSION tests (features: $FEATURES) against $SYSLIB"
(cd "$WORK/rusqlite" && CARGO_TARGET_DIR="$WORK/target" SQLITE3_LIB_DIR="$SYSLIB" \
  cargo test --no-run --features "$FEATURES" --message-format=json 2>"$WORK/build.err") \
  > "$WORK/build.json" || {
  if grep -qiE "failed to (download|get|load source)|could not resolve|network|spurious" "$WORK/build.err"; then
    # No network for rusqlite's dev-dependencies: nothing to measure.
    echo "skipped - rusqlite's dependencies cannot be downloaded (offline)"; echo "0 passed, 0 failed"; exit 0
  fi
  tail -20 "$WORK/build.err"; echo "FAIL - build"; echo "0 passed, 1 failed"; exit 1; }
BINS=$(sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' "$WORK/build.json")

# Runs every test binary; writes "ok NAME" / "FAILED NAME" lines to $2.
run_all() { # $1 = label, $2 = output, $3 = LD_LIBRARY_PATH value
  : > "$2"
  for b in $BINS; do
    (cd "$WORK/rusqlite" && LD_LIBRARY_PATH=$3 RUST_TEST_THREADS=2 timeout 600 "$b" 2>&1) |
      sed -n 's/^test \(.*\) \.\.\. \(ok\|FAILED\)$/\2 \1/p' >> "$2"
  done
  p=$(grep -c '^ok ' "$2"); f=$(grep -c '^FAILED ' "$2")
  echo "[$1] $p passed, $f failed"
}
run_all system "$WORK/system.txt" ""
run_all loom "$WORK/loom.txt" "$LIB"

pass=0; fail=0; xfail=0
sysfail=$(grep -c '^FAILED ' "$WORK/system.txt")
if [ "$sysfail" -ne 0 ]; then
  echo "FAIL - $sysfail tests fail on the system library:"; grep '^FAILED ' "$WORK/system.txt" | sed 's/^/    /'
  fail=$((fail + 1))
fi
listed() { grep -v '^#' "$EXPECTED" 2>/dev/null | sed 's/ -- .*//' | grep -qxF "$1"; }
while read -r st name; do
  if [ "$st" = ok ]; then
    pass=$((pass + 1))
    listed "$name" && echo "note - listed as failing but passes now: $name"
  elif listed "$name"; then
    xfail=$((xfail + 1))
  else
    echo "FAIL - $name (not in $(basename "$EXPECTED"))"; fail=$((fail + 1))
  fi
done < "$WORK/loom.txt"
echo "($xfail listed failures on loom)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
