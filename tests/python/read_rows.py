"""Prints every row of every table of a database, for comparing readers."""
import sqlite3
import sys

con = sqlite3.connect(sys.argv[1])
for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
    rows = con.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
    print(name, len(rows))
    for r in rows:
        print(r)
