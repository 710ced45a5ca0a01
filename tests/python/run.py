"""End-to-end checks of loom's libsqlite3.so.0 under CPython's sqlite3 module.

Usage: python3 tests/python/run.py <loom lib dir>

Each check prints `ok` or `FAIL` and the run ends with `N passed, N failed`.
The system SQLite (the oracle) is used unmodified for comparison; the
`sqlite3` shell checks files loom wrote.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = []


def check(name, cond, detail=""):
    RESULTS.append(bool(cond))
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:2000]))


def run_py(script, args, loom_dir=None, stdin=None):
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    if loom_dir:
        env["LD_LIBRARY_PATH"] = loom_dir
    return subprocess.run([sys.executable, script] + args, env=env, capture_output=True, text=True, input=stdin, timeout=600)


def shell(db, sql):
    return subprocess.run(["sqlite3", db], input=sql, capture_output=True, text=True, timeout=300)


def workload(loom_dir, tmp):
    script = os.path.join(HERE, "workload.py")
    c_db, l_db = os.path.join(tmp, "c.db"), os.path.join(tmp, "loom.db")
    c = run_py(script, [c_db])
    l = run_py(script, [l_db], loom_dir)
    check("workload runs on system SQLite", c.returncode == 0, c.stderr)
    check("workload runs on loom", l.returncode == 0, l.stderr)
    c_lines, l_lines = c.stdout.splitlines(), l.stdout.splitlines()
    check("loom library is the one loaded", l_lines[:1] and loom_dir in l_lines[0], l_lines[:1])
    check("workload output identical", c_lines[1:] == l_lines[1:], "\n".join(
        f"C: {a}\nL: {b}" for a, b in zip(c_lines, l_lines) if a != b) or (len(c_lines), len(l_lines)))
    return c_db, l_db


def interop(loom_dir, c_db, l_db):
    r = shell(l_db, "PRAGMA integrity_check;")
    check("sqlite3 shell: integrity_check of loom's file", r.stdout.strip() == "ok", r.stdout + r.stderr)
    dump_sql = "SELECT * FROM t ORDER BY id;\nSELECT * FROM u;\n"
    a, b = shell(c_db, dump_sql), shell(l_db, dump_sql)
    check("loom's file has the same rows as SQLite's", a.stdout == b.stdout and a.stdout, (len(a.stdout), len(b.stdout)))
    reader = os.path.join(HERE, "read_rows.py")
    x = run_py(reader, [c_db])
    y = run_py(reader, [c_db], loom_dir)
    check("loom reads SQLite's file identically", x.returncode == 0 and x.stdout == y.stdout and y.returncode == 0,
          y.stderr or (x.stdout[:200], y.stdout[:200]))


def identity(loom_dir):
    code = "import sqlite3; c=sqlite3.connect(':memory:'); print(sqlite3.sqlite_version); print(c.execute('select sqlite_source_id()').fetchone()[0])"
    r = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, LD_LIBRARY_PATH=loom_dir), capture_output=True, text=True)
    lines = r.stdout.splitlines()
    check("sqlite_version is 3.40.1", lines[:1] == ["3.40.1"], r.stdout + r.stderr)
    check("sqlite_source_id() carries the loom marker", len(lines) > 1 and " loom " in lines[1], r.stdout + r.stderr)


def main():
    loom_dir = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        identity(loom_dir)
        c_db, l_db = workload(loom_dir, tmp)
        if os.path.exists(l_db):
            interop(loom_dir, c_db, l_db)
    passed = sum(RESULTS)
    print(f"{passed} passed, {len(RESULTS) - passed} failed")
    sys.exit(0 if passed == len(RESULTS) else 1)


if __name__ == "__main__":
    main()
