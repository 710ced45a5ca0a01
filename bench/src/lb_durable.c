/*
 * loombench W9 (many small durable transactions), W10 (prepare-heavy
 * work and connection open on large schemas) and W11 (bulk load of
 * 1,000,000 rows into a file in one transaction, larger than the cache).
 *
 * W9 runs autocommit INSERTs with synchronous=FULL on a file database and
 * reports commits/s; right after, in the same process (so within the same
 * minute), an untimed probe measures the disk's raw fdatasync/s with a
 * write(4 KiB)+fdatasync loop, so the commit rate can be read against what
 * the disk allows (rollback-journal commits need several syncs each).
 *
 * W10 prepares and finalizes a fixed set of varied statements, and opens
 * database files whose schemas hold 1, 1,000 and 10,000 tables (open +
 * first prepare, which loads the schema, + close).
 *
 * Invariants:
 *  1. Schema files for W10 come from --schema-dir (bench/run builds them
 *     once with the system C SQLite, so both libraries open identical
 *     bytes); without it they are created untimed (in `pre`) by the
 *     library under test and removed in `check`.
 *  2. Errors on the extra connections of W10 fail the part like any other
 *     library error (longjmp through c->jb), after closing the handle.
 */
#define _GNU_SOURCE
#include "lb.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ================= W9 durable commits ================= */

static void w9_setup(Ctx *c) {
    lb_exec(c, "CREATE TABLE t9(id INTEGER PRIMARY KEY, v TEXT, n INTEGER)");
}

static double fdatasync_probe(Ctx *c) {
    char path[1100];
    snprintf(path, sizeof path, "%s.probe", c->path);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return -1;
    char buf[4096];
    memset(buf, 'p', sizeof buf);
    double t0 = lb_now(), t = t0;
    long n = 0;
    while (n < 20 || (t - t0 < 0.5 && n < 5000)) {
        if (pwrite(fd, buf, sizeof buf, (off_t)(n % 16) * 4096) < 0) break;
        if (fdatasync(fd) != 0) break;
        n++;
        t = lb_now();
    }
    close(fd);
    unlink(path);
    return t > t0 ? (double)n / (t - t0) : -1;
}

static void w9_commits(Ctx *c) {
    long n = lb_size(c, 100);
    if (n < 20) n = 20; /* a rate needs a few commits even at tiny scales */
    sqlite3_stmt *s = lb_prep(c, "INSERT INTO t9(v, n) VALUES(?, ?)");
    char text[64];
    double t0 = lb_now();
    for (long i = 0; i < n; i++) {
        snprintf(text, sizeof text, "commit number %ld", i);
        lb_bind_text(c, s, 1, text);
        lb_bind_int64(c, s, 2, i);
        lb_run(c, s);
        lb_hash_int(c, sqlite3_last_insert_rowid(c->db));
    }
    double dt = lb_now() - t0;
    lb_metric(c, "commits_per_s", dt > 0 ? (double)n / dt : 0);
}

static void w9_check(Ctx *c) {
    lb_query(c, "SELECT count(*), sum(n), max(id) FROM t9");
    lb_metric(c, "fdatasync_per_s", fdatasync_probe(c));
}

static const Part W9_PARTS[] = {{"autocommit_insert_sync_full", NULL, w9_commits, w9_check},
                                {0}};
const Workload lb_w9 = {"W9", "durable_commit", "file,wal", w9_setup, W9_PARTS};

/* ================= W10 prepare-heavy and open ================= */

static const char *const W10_SQL[] = {
    "SELECT id, x, y FROM a WHERE id = ?",
    "SELECT count(*) FROM a WHERE x BETWEEN ? AND ?",
    "INSERT INTO a(x, y, z) VALUES(?, ?, ?)",
    "UPDATE a SET y = ?, z = z + 1 WHERE id = ?",
    "DELETE FROM b WHERE a_id = ?",
    "SELECT a.id, b.w FROM a JOIN b ON b.a_id = a.id WHERE a.x > ? ORDER BY a.id LIMIT 10",
    "SELECT x, count(*), avg(z) FROM a GROUP BY x ORDER BY x",
    "SELECT upper(y), length(y), substr(y, 2, 3), coalesce(z, 0) FROM a WHERE y LIKE 'ba%'",
    "INSERT INTO b(a_id, w) VALUES(?, ?)",
    "SELECT id, a_id, w FROM b WHERE w = ? AND a_id >= ?",
    "SELECT id FROM a WHERE y IS NOT NULL AND z IS NULL",
    "SELECT abs(z), round(z, 2), x + id * 2 FROM a WHERE id < 100",
    "SELECT max(id), min(x), total(z) FROM a",
    "SELECT a.x, b.w FROM a JOIN b ON b.a_id = a.id WHERE a.id BETWEEN ? AND ?",
    "UPDATE b SET w = w || 'x' WHERE id = ?",
    "SELECT x FROM a ORDER BY x DESC LIMIT 5",
    NULL};

static void w10_setup(Ctx *c) {
    lb_exec(c, "CREATE TABLE a(id INTEGER PRIMARY KEY, x INTEGER, y TEXT, z REAL)");
    lb_exec(c, "CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER, w TEXT)");
    lb_exec(c, "CREATE INDEX a_x ON a(x)");
    lb_exec(c, "CREATE INDEX b_a ON b(a_id)");
    lb_exec(c, "INSERT INTO a(x, y, z) VALUES(1, 'bar', 1.5)");
    lb_exec(c, "INSERT INTO b(a_id, w) VALUES(1, 'w')");
}

static void w10_prepare(Ctx *c) {
    long k = lb_size(c, 2500);
    for (long i = 0; i < k; i++) {
        for (int j = 0; W10_SQL[j]; j++) {
            sqlite3_stmt *s = NULL;
            int rc = sqlite3_prepare_v2(c->db, W10_SQL[j], -1, &s, NULL);
            if (rc != SQLITE_OK || !s) {
                char what[300];
                snprintf(what, sizeof what, "prepare [%s] rc=%d", W10_SQL[j], rc);
                lb_fail(c, what);
            }
            if (i == 0) lb_hash_int(c, sqlite3_column_count(s));
            sqlite3_finalize(s);
        }
    }
}

static const int SCHEMA_TABLES[3] = {1, 1000, 10000};
static const double OPEN_REPS[3] = {1000, 60, 6};

/* The schema file: shared pre-built copy (--schema-dir) or a private one. */
static int schema_path(Ctx *c, int which, char *buf, size_t n) {
    if (c->schema_dir) {
        snprintf(buf, n, "%s/schema%d.db", c->schema_dir, SCHEMA_TABLES[which]);
        if (access(buf, R_OK | W_OK) == 0) return 1;
    }
    snprintf(buf, n, "%s-schema%d.db", c->path, SCHEMA_TABLES[which]);
    return 0;
}

/* Fails the part with db2's error after closing it. */
static void fail_db(Ctx *c, sqlite3 *db2, const char *what) {
    snprintf(c->err, sizeof c->err, "%s: %s", what, db2 ? sqlite3_errmsg(db2) : "no handle");
    if (db2) sqlite3_close(db2);
    longjmp(*c->jb, 1);
}

static void exec2(Ctx *c, sqlite3 *db2, const char *sql) {
    if (sqlite3_exec(db2, sql, NULL, NULL, NULL) != SQLITE_OK) fail_db(c, db2, sql);
}

static void schema_create(Ctx *c, int which) {
    char path[1100], sql[200];
    if (schema_path(c, which, path, sizeof path)) return; /* pre-built */
    lb_remove_db(path);
    sqlite3 *db2 = NULL;
    if (sqlite3_open_v2(path, &db2, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL))
        fail_db(c, db2, "open_v2 (schema file)");
    sqlite3_exec(db2, "PRAGMA page_size=4096", NULL, NULL, NULL);
    exec2(c, db2, "BEGIN");
    for (int i = 0; i < SCHEMA_TABLES[which]; i++) {
        snprintf(sql, sizeof sql,
                 "CREATE TABLE t%d(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)", i);
        exec2(c, db2, sql);
    }
    exec2(c, db2, "COMMIT");
    sqlite3_close(db2);
}

static void schema_open(Ctx *c, int which) {
    char path[1100];
    schema_path(c, which, path, sizeof path);
    long reps = lb_size(c, OPEN_REPS[which]);
    for (long i = 0; i < reps; i++) {
        sqlite3 *db2 = NULL;
        if (sqlite3_open_v2(path, &db2, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            fail_db(c, db2, "open_v2");
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db2, "SELECT count(*) FROM t0", -1, &s, NULL) != SQLITE_OK || !s)
            fail_db(c, db2, "prepare after open");
        int rc = sqlite3_step(s);
        if (rc != SQLITE_ROW) {
            sqlite3_finalize(s);
            fail_db(c, db2, "step after open");
        }
        if (i == 0) lb_hash_int(c, sqlite3_column_int64(s, 0));
        sqlite3_finalize(s);
        if (sqlite3_close(db2) != SQLITE_OK) fail_db(c, NULL, "close");
    }
}

static void schema_remove(Ctx *c, int which) {
    char path[1100];
    if (!schema_path(c, which, path, sizeof path)) lb_remove_db(path);
}

static void w10_pre1(Ctx *c) { schema_create(c, 0); }
static void w10_pre2(Ctx *c) { schema_create(c, 1); }
static void w10_pre3(Ctx *c) { schema_create(c, 2); }
static void w10_run1(Ctx *c) { schema_open(c, 0); }
static void w10_run2(Ctx *c) { schema_open(c, 1); }
static void w10_run3(Ctx *c) { schema_open(c, 2); }
static void w10_rm1(Ctx *c) { schema_remove(c, 0); }
static void w10_rm2(Ctx *c) { schema_remove(c, 1); }
static void w10_rm3(Ctx *c) { schema_remove(c, 2); }

static const Part W10_PARTS[] = {{"prepare_finalize", NULL, w10_prepare, NULL},
                                 {"open_1_table", w10_pre1, w10_run1, w10_rm1},
                                 {"open_1000_tables", w10_pre2, w10_run2, w10_rm2},
                                 {"open_10000_tables", w10_pre3, w10_run3, w10_rm3},
                                 {0}};
const Workload lb_w10 = {"W10", "prepare_open", "file", w10_setup, W10_PARTS};

/* ================= W11 bulk load of a file ================= */

/* 1,000,000 rows (scale 1) in one transaction into a file database: the
 * rows far exceed the 16 MiB page cache, so both libraries spill dirty
 * pages to the database file before COMMIT (rollback journal) or write
 * uncommitted frames (WAL). */
static void w11_setup(Ctx *c) {
    lb_exec(c, "CREATE TABLE t11(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL)");
}

static void w11_run(Ctx *c) {
    long n = lb_size(c, 1000000);
    char text[48];
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, "INSERT INTO t11(a, b, c) VALUES(?, ?, ?)");
    for (long i = 0; i < n; i++) {
        uint64_t r = lb_rand(c);
        lb_text(c, text, 8, 40);
        lb_bind_int64(c, s, 1, (long long)(r % 1000000));
        lb_bind_text(c, s, 2, text);
        lb_bind_double(c, s, 3, (double)(r >> 40) / 1024.0);
        lb_run(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w11_check(Ctx *c) {
    lb_query(c, "SELECT count(*), sum(a), sum(length(b)), max(c) FROM t11");
    lb_query(c, "PRAGMA integrity_check");
}

static const Part W11_PARTS[] = {{"load_1m_rows_one_txn", NULL, w11_run, w11_check}, {0}};
const Workload lb_w11 = {"W11", "bulk_load_file", "file,wal", w11_setup, W11_PARTS};
