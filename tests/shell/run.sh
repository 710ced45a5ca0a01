#!/bin/sh
# Drives Debian's sqlite3 shell through tests/shell/session.sql twice: on
# the system libsqlite3.so.0 and on loom's (LD_LIBRARY_PATH). The outputs
# (stdout + stderr) are split at "-- SECTION name" lines and compared
# section by section; every section must be byte-identical. Then the
# interactive shell (prompts, .help) is compared the same way.
#
#   tests/shell/run.sh [LIBDIR]     (default: stage loom, use target/loom/lib)
#
# Prints one line per section and "N passed, N failed" last.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ $# -ge 1 ]; then
  LIB=$1
else
  "$ROOT/scripts/stage.sh" >/dev/null || { echo "FAIL - staging"; echo "0 passed, 1 failed"; exit 1; }
  LIB=$ROOT/target/loom/lib
fi
command -v sqlite3 >/dev/null || { echo "FAIL - no sqlite3 shell (apt-get install sqlite3)"; echo "0 passed, 1 failed"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass=0; fail=0
run_session() { # $1 = label, $2 = libdir or "" (system)
  rm -f "$TMP/backup.db"
  sed -e "s|@HERE@|$HERE|g" -e "s|@TMP@|$TMP|g" "$HERE/session.sql" > "$TMP/session.sql"
  if [ -n "$2" ]; then
    LD_LIBRARY_PATH=$2 sqlite3 :memory: < "$TMP/session.sql" > "$TMP/$1.out" 2>&1
  else
    sqlite3 :memory: < "$TMP/session.sql" > "$TMP/$1.out" 2>&1
  fi
  # one file per section
  mkdir -p "$TMP/$1"
  awk -v dir="$TMP/$1" '
    /^-- SECTION / { name = $3; printf "" > (dir "/" name); next }
    { if (name == "") name = "prologue"; print > (dir "/" name) }
  ' "$TMP/$1.out"
}
run_session system ""
run_session loom "$LIB"
for f in $(awk '/^-- SECTION / { print $3 }' "$TMP/system.out"); do
  if [ -f "$TMP/loom/$f" ] && cmp -s "$TMP/system/$f" "$TMP/loom/$f"; then
    echo "ok - session section $f"; pass=$((pass + 1))
  else
    echo "FAIL - session section $f differs:"
    diff "$TMP/system/$f" "$TMP/loom/$f" 2>&1 | head -20 | sed 's/^/    /'
    fail=$((fail + 1))
  fi
done

# The interactive shell: prompts, continuation prompt, .help.
interactive() { # $1 = label, $2 = libdir or ""
  printf '.help\nSELECT 1\n, 2;\n.quit\n' > "$TMP/inter.in"
  if [ -n "$2" ]; then
    LD_LIBRARY_PATH=$2 sqlite3 -interactive :memory: < "$TMP/inter.in" > "$TMP/inter-$1.out" 2>&1
  else
    sqlite3 -interactive :memory: < "$TMP/inter.in" > "$TMP/inter-$1.out" 2>&1
  fi
}
interactive system ""
interactive loom "$LIB"
if cmp -s "$TMP/inter-system.out" "$TMP/inter-loom.out" && grep -q '^\.help' "$TMP/inter-loom.out"; then
  echo "ok - interactive shell (-interactive: banner, prompts, .help)"; pass=$((pass + 1))
else
  echo "FAIL - interactive shell differs:"
  diff "$TMP/inter-system.out" "$TMP/inter-loom.out" | head -20 | sed 's/^/    /'
  fail=$((fail + 1))
fi
# A real pseudo-terminal, when util-linux's script(1) is available.
if command -v script >/dev/null; then
  for v in system loom; do
    lib=""; [ $v = loom ] && lib=$LIB
    # The terminal echoes the typed lines whenever script(1) writes them,
    # before or after the banner depending on load: drop those bare echo
    # lines (the prompt lines "sqlite> .help" stay).
    printf '.help\n.quit\n' | LD_LIBRARY_PATH=$lib script -qec "sqlite3 :memory:" /dev/null \
      2>&1 | tr -d '\r' | grep -vx -e '\.help' -e '\.quit' > "$TMP/pty-$v.out"
  done
  if cmp -s "$TMP/pty-system.out" "$TMP/pty-loom.out" && grep -q 'sqlite>' "$TMP/pty-loom.out"; then
    echo "ok - shell on a pty (script)"; pass=$((pass + 1))
  else
    echo "FAIL - shell on a pty differs:"
    diff "$TMP/pty-system.out" "$TMP/pty-loom.out" | head -20 | sed 's/^/    /'
    fail=$((fail + 1))
  fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
