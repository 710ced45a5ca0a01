#!/bin/sh
# Smoke runs of Debian's SQLite clients, unchanged, on loom: PHP (sqlite3
# and pdo_sqlite), Perl DBD::SQLite, Ruby sqlite3 and Tcl's sqlite3
# package. Each script in this directory exercises connect, DDL,
# parameterised DML, SELECT, transactions, a user function and error
# reporting; it runs once on the system libsqlite3.so.0 and once with
# LD_LIBRARY_PATH=<loom lib>. The first output line ("SOURCE <source id>")
# proves which library was loaded; the rest must be byte-identical.
# Installs the Debian packages it needs (apt-get) when missing.
#
#   tests/clients/run.sh [LIBDIR]    (default: stage loom, use target/loom/lib)
#
# Prints one line per client and "N passed, N failed" last.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ $# -ge 1 ]; then
  LIB=$(cd "$1" && pwd) || exit 1
else
  "$ROOT/scripts/stage.sh" >/dev/null || { echo "FAIL - staging"; echo "0 passed, 1 failed"; exit 1; }
  LIB=$ROOT/target/loom/lib
fi

need=""
command -v php >/dev/null || need="$need php-cli"
php -m 2>/dev/null | grep -qx sqlite3 || need="$need php-sqlite3"
perl -MDBD::SQLite -e1 2>/dev/null || need="$need libdbd-sqlite3-perl"
ruby -e 'require "sqlite3"' 2>/dev/null || need="$need ruby-sqlite3"
echo 'package require sqlite3' | tclsh >/dev/null 2>&1 || need="$need libsqlite3-tcl"
if [ -n "$need" ]; then
  echo "installing$need"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need) >/dev/null 2>&1 ||
    echo "note - could not install$need"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
client() { # $1 = label, $2... = command
  label=$1; shift
  (cd "$TMP" && "$@") > "$TMP/$label.sys" 2>&1
  (cd "$TMP" && LD_LIBRARY_PATH=$LIB "$@") > "$TMP/$label.loom" 2>&1
  sys_src=$(head -1 "$TMP/$label.sys"); loom_src=$(head -1 "$TMP/$label.loom")
  if ! grep -q '^done$' "$TMP/$label.sys"; then
    echo "FAIL - $label: did not run on the system library:"; head -5 "$TMP/$label.sys" | sed 's/^/    /'
    fail=$((fail + 1)); return
  fi
  case "$loom_src" in
    SOURCE*loom*) ;;
    *) echo "FAIL - $label: loom's library was not loaded ($loom_src)"; fail=$((fail + 1)); return ;;
  esac
  case "$sys_src" in
    SOURCE*loom*) echo "FAIL - $label: system run loaded loom"; fail=$((fail + 1)); return ;;
  esac
  tail -n +2 "$TMP/$label.sys" > "$TMP/$label.sys.body"
  tail -n +2 "$TMP/$label.loom" > "$TMP/$label.loom.body"
  if cmp -s "$TMP/$label.sys.body" "$TMP/$label.loom.body"; then
    echo "ok - $label ($(wc -l < "$TMP/$label.sys") lines identical)"; pass=$((pass + 1))
  else
    echo "FAIL - $label output differs (system < > loom):"
    diff "$TMP/$label.sys.body" "$TMP/$label.loom.body" | head -20 | sed 's/^/    /'
    fail=$((fail + 1))
  fi
}
client php-sqlite3 php "$HERE/php_sqlite3.php"
client php-pdo_sqlite php "$HERE/php_pdo.php"
client perl-DBD-SQLite perl "$HERE/perl_dbd.pl"
client ruby-sqlite3 ruby "$HERE/ruby_sqlite3.rb"
client tcl-sqlite3 tclsh "$HERE/tcl_sqlite3.tcl"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
