"""The end-to-end workload: run unchanged under CPython's sqlite3 module.

Run once with the system SQLite and once with loom's libsqlite3.so.0
(LD_LIBRARY_PATH); the printed output must be identical. The first line
names the library actually loaded (from /proc/self/maps), which the driver
checks but does not compare.
"""
import hashlib
import sqlite3
import sys


def loaded_library():
    with open("/proc/self/maps") as f:
        for line in f:
            if "libsqlite3.so" in line:
                return line.split()[-1]
    return "?"


def digest(rows):
    h = hashlib.sha256()
    for r in rows:
        h.update(repr(r).encode())
    return h.hexdigest()[:16]


def main(path):
    print("LIBRARY", loaded_library())
    print("version", sqlite3.sqlite_version)
    con = sqlite3.connect(path)
    cur = con.cursor()
    cur.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, grp INTEGER, note)")
    rows = [(i, "name%06d" % ((i * 7919) % 100000), (i % 1000) / 8.0, i % 17, None if i % 5 else b"\x00\x01")
            for i in range(1, 100001)]
    cur.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", rows)
    con.commit()
    print("count", cur.execute("SELECT count(*) FROM t").fetchone())
    cur.execute("UPDATE t SET score = score * 2, note = 'upd' WHERE grp = 3")
    print("updated", cur.rowcount)
    cur.execute("DELETE FROM t WHERE id % 10 = 0")
    print("deleted", cur.rowcount)
    for i in range(1, 2001, 7):
        cur.execute("UPDATE t SET name = ? WHERE id = ?", ("point%d" % i, i))
    con.commit()
    q = "SELECT id, name, score, grp, note FROM t WHERE score > 50 AND grp < 5 ORDER BY name DESC, id LIMIT 200"
    res = cur.execute(q).fetchall()
    print("ordered", len(res), digest(res), res[:3])
    res = cur.execute("SELECT * FROM t WHERE id BETWEEN 500 AND 800 ORDER BY score, id").fetchall()
    print("range", len(res), digest(res))
    res = cur.execute("SELECT grp, count(*), sum(score), min(name), max(id) FROM t GROUP BY grp ORDER BY grp").fetchall()
    print("groups", res)
    res = cur.execute("SELECT * FROM t ORDER BY id").fetchall()
    print("all", len(res), digest(res))
    print("typeof", cur.execute("SELECT typeof(id), typeof(name), typeof(score), typeof(note) FROM t WHERE id = 7").fetchone())
    con.execute("CREATE TABLE u(a TEXT UNIQUE, b)")
    con.execute("INSERT INTO u VALUES ('x', 1)")
    try:
        con.execute("INSERT INTO u VALUES ('x', 2)")
    except sqlite3.IntegrityError as e:
        print("integrity", e)
    try:
        con.execute("SELEC 1")
    except sqlite3.OperationalError as e:
        print("syntax", e)
    try:
        con.execute("SELECT nope FROM t")
    except sqlite3.OperationalError as e:
        print("resolve", e)
    con.commit()
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])
