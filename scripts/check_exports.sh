#!/usr/bin/env bash
# Checks the shared library's dynamic section and exports:
# SONAME libsqlite3.so.0, only sqlite3* symbols exported, and every function
# CPython's _sqlite3 imports (tests/data/python-sqlite3.txt) present.
set -uo pipefail
LIBFILE=$1
HERE=$(cd "$(dirname "$0")/.." && pwd)
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
readelf -d "$LIBFILE" | grep -q 'SONAME.*\[libsqlite3.so.0\]' && ok "SONAME libsqlite3.so.0" || bad "SONAME"
exports=$(nm -D --defined-only "$LIBFILE" | awk '{print $3}' | sort -u)
others=$(echo "$exports" | grep -v '^sqlite3' | grep -v '^$' || true)
[ -z "$others" ] && ok "only sqlite3* symbols exported" || bad "non-sqlite3 exports: $(echo $others | head -c 300)"
missing=$(comm -23 <(sort -u "$HERE/tests/data/python-sqlite3.txt") <(echo "$exports"))
[ -z "$missing" ] && ok "all $(wc -l < "$HERE/tests/data/python-sqlite3.txt") Python imports exported" || bad "missing: $missing"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
