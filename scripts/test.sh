#!/usr/bin/env bash
# The whole test suite: what README's second command and CI (.ci/run) run.
# Installs what it needs (Debian's sqlite3 shell and libsqlite3-dev as the
# oracle), then: format and lint checks, the Rust tests, the staged C
# library's exports, the C tests and the Python end-to-end run.
# Every suite prints a line "N passed, N failed"; any failure fails the run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
status=0
step() { echo; echo "=== $*"; }

need_pkgs=()
command -v sqlite3 >/dev/null || need_pkgs+=(sqlite3)
[ -f /usr/include/sqlite3.h ] || need_pkgs+=(libsqlite3-dev)
command -v gcc >/dev/null || need_pkgs+=(gcc)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    step "installing ${need_pkgs[*]}"
    (apt-get update -qq && apt-get install -y -qq "${need_pkgs[@]}") >/dev/null || status=1
fi

step "cargo fmt --check"
if cargo fmt --all -- --check >/dev/null; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; cargo fmt --all -- --check | head -40; status=1; fi

step "cargo clippy -D warnings"
if cargo clippy --workspace --all-targets -q -- -D warnings && cargo clippy -p loomdb --test slt -q -- -D warnings; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; status=1; fi

step "cargo test"
cargo test --workspace -q > /tmp/loom-cargo-test.log 2>&1
rc=$?
grep -E "^test result|FAILED|panicked|^error" /tmp/loom-cargo-test.log
[ $rc = 0 ] || { echo "cargo test exited with $rc"; tail -40 /tmp/loom-cargo-test.log; status=1; }

step "sqllogictest corpus (release build: the runner reports loom/C time per file)"
cargo test --release -p loomdb --test slt -q -- --nocapture > /tmp/loom-slt.log 2>&1
rc=$?
grep -E "loom/C|pass rate|passed, .* failed|UNEXPECTED|now passes" /tmp/loom-slt.log | grep -v "^  finished"
[ $rc = 0 ] || { echo "sqllogictest exited with $rc"; tail -40 /tmp/loom-slt.log; status=1; }

step "stage the C library"
bash scripts/stage.sh >/dev/null || status=1
LIB="$ROOT/target/loom/lib"

step "exported symbols"
bash scripts/check_exports.sh "$LIB/libsqlite3.so.0" || status=1

step "C tests"
if [ -f c-tests/run.sh ]; then bash c-tests/run.sh || status=1; fi

step "Python end to end"
python3 tests/python/run.py "$LIB" || status=1

step "CPython test_sqlite3 against loom"
python3 tests/python/cpython_suite.py "$LIB" || status=1

step "sqlite3 shell session (system lib vs loom)"
bash tests/shell/run.sh "$LIB" || status=1

step "client libraries (PHP, Perl, Ruby, Tcl) on loom"
bash tests/clients/run.sh "$LIB" || status=1

step "rusqlite's own test suite against loom"
bash scripts/rusqlite_suite.sh "$LIB" || status=1

echo
[ $status = 0 ] && echo "ALL SUITES PASSED" || echo "SOME SUITES FAILED"
exit $status
