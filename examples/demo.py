"""A plain sqlite3-module program; run it under loom with scripts/demo.sh."""
import sqlite3
import sys

con = sqlite3.connect(sys.argv[1] if len(sys.argv) > 1 else ":memory:")
print("library:", sqlite3.sqlite_version, "|", con.execute("SELECT sqlite_source_id()").fetchone()[0])
con.execute("CREATE TABLE IF NOT EXISTS fruit(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)")
con.executemany("INSERT INTO fruit(name, price) VALUES (?, ?)",
                [("apple", 1.25), ("banana", 0.5), ("cherry", 4.0), ("damson", 2.75)])
con.commit()
for row in con.execute("SELECT name, price FROM fruit WHERE price > 1 ORDER BY price DESC"):
    print(row)
print("total:", con.execute("SELECT count(*), sum(price) FROM fruit").fetchone())
