/*
 * loombench workloads W1..W8: bulk inserts, indexed inserts, point lookups,
 * range scans, full scans/aggregates, sorts, updates/deletes and joins.
 *
 * Sizes are given for --scale 1 (each part takes roughly 0.1-2 s on C SQLite
 * on a 2-core VM); lb_size() multiplies them by --scale.
 *
 * Invariants:
 *  1. Every generated value comes from the part's seeded PRNG (or the
 *     workload's setup seed), so loom and C SQLite see identical data.
 *  2. Every query returning several rows has an ORDER BY (with a unique
 *     tie-breaker such as id) or a GROUP BY, so a correct engine has exactly
 *     one valid output order and the --verify hashes can be compared.
 *  3. Write parts run inside one explicit transaction and are followed by an
 *     untimed check query whose result goes into the hash.
 */
#include "lb.h"

#include <stdio.h>

#define POOL 4096
static char g_pool[POOL][48]; /* text values: syllable words, 8..40 chars */
static int g_pool_ready;

static void pool_init(Ctx *c) {
    if (g_pool_ready) return;
    uint64_t saved = c->rng;
    lb_seed(c, 42);
    for (int i = 0; i < POOL; i++) lb_text(c, g_pool[i], 8, 40);
    c->rng = saved;
    g_pool_ready = 1;
}

static const char *pool(Ctx *c) { return g_pool[lb_rand(c) & (POOL - 1)]; }

/* A bijection of [0, n): i -> (i * 1000003) mod n (1000003 is prime). */
static long long perm(long long i, long long n) { return (i * 1000003LL) % n; }

static void step_done(Ctx *c, sqlite3_stmt *s) { lb_run(c, s); }

/* ================= W1 bulk insert, no index ================= */

static void w1_setup(Ctx *c) {
    pool_init(c);
    lb_exec(c, "CREATE TABLE t1(a INTEGER, b INTEGER, c TEXT, d REAL)");
}

static void w1_run(Ctx *c) {
    long n = lb_size(c, 300000);
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, "INSERT INTO t1 VALUES(?, ?, ?, ?)");
    for (long i = 0; i < n; i++) {
        uint64_t r = lb_rand(c);
        lb_bind_int64(c, s, 1, i);
        lb_bind_int64(c, s, 2, (long long)(r % 1000000));
        lb_bind_text(c, s, 3, g_pool[(r >> 20) & (POOL - 1)]);
        lb_bind_double(c, s, 4, (double)(r >> 40) / 1024.0);
        step_done(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w1_check(Ctx *c) {
    lb_query(c, "SELECT count(*), sum(a), sum(b), sum(length(c)), max(d) FROM t1");
    lb_query(c, "SELECT rowid, a, b, c, d FROM t1 WHERE rowid % 10007 = 1");
}

static const Part W1_PARTS[] = {{"insert_noindex", NULL, w1_run, w1_check}, {0}};
const Workload lb_w1 = {"W1", "bulk_insert", "mem,file,wal", w1_setup, W1_PARTS};

/* ================= W2 bulk insert with 1 or 3 indexes ================= */

static void w2_create(Ctx *c, const char *t, int nidx) {
    char sql[200];
    snprintf(sql, sizeof sql, "CREATE TABLE %s(k INTEGER, a INTEGER, b TEXT, c REAL)", t);
    lb_exec(c, sql);
    snprintf(sql, sizeof sql, "CREATE INDEX %s_k ON %s(k)", t, t);
    lb_exec(c, sql);
    if (nidx < 3) return;
    snprintf(sql, sizeof sql, "CREATE INDEX %s_b ON %s(b)", t, t);
    lb_exec(c, sql);
    snprintf(sql, sizeof sql, "CREATE INDEX %s_ac ON %s(a, c)", t, t);
    lb_exec(c, sql);
}

static void w2_insert(Ctx *c, const char *t, int random_keys) {
    char sql[200];
    long n = lb_size(c, 80000);
    snprintf(sql, sizeof sql, "INSERT INTO %s VALUES(?, ?, ?, ?)", t);
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, sql);
    for (long i = 0; i < n; i++) {
        uint64_t r = lb_rand(c);
        lb_bind_int64(c, s, 1, random_keys ? (long long)(r % 1000000000ULL) : i);
        lb_bind_int64(c, s, 2, (long long)((r >> 30) % 1000));
        lb_bind_text(c, s, 3, g_pool[(r >> 40) & (POOL - 1)]);
        lb_bind_double(c, s, 4, (double)(r >> 44) / 16.0);
        step_done(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w2_check_t(Ctx *c, const char *t) {
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*), sum(k), sum(a), sum(c) FROM %s", t);
    lb_query(c, sql);
    snprintf(sql, sizeof sql, "SELECT k, a FROM %s WHERE k < 1000 ORDER BY k, a", t);
    lb_query(c, sql);
}

static void w2_pre_a(Ctx *c) { w2_create(c, "t2a", 1); }
static void w2_pre_b(Ctx *c) { w2_create(c, "t2b", 1); }
static void w2_pre_c(Ctx *c) { w2_create(c, "t2c", 3); }
static void w2_pre_d(Ctx *c) { w2_create(c, "t2d", 3); }
static void w2_run_a(Ctx *c) { w2_insert(c, "t2a", 0); }
static void w2_run_b(Ctx *c) { w2_insert(c, "t2b", 1); }
static void w2_run_c(Ctx *c) { w2_insert(c, "t2c", 0); }
static void w2_run_d(Ctx *c) { w2_insert(c, "t2d", 1); }
static void w2_chk_a(Ctx *c) { w2_check_t(c, "t2a"); }
static void w2_chk_b(Ctx *c) { w2_check_t(c, "t2b"); }
static void w2_chk_c(Ctx *c) { w2_check_t(c, "t2c"); }
static void w2_chk_d(Ctx *c) { w2_check_t(c, "t2d"); }

static const Part W2_PARTS[] = {{"idx1_ordered", w2_pre_a, w2_run_a, w2_chk_a},
                                {"idx1_random", w2_pre_b, w2_run_b, w2_chk_b},
                                {"idx3_ordered", w2_pre_c, w2_run_c, w2_chk_c},
                                {"idx3_random", w2_pre_d, w2_run_d, w2_chk_d},
                                {0}};
const Workload lb_w2 = {"W2", "indexed_insert", "mem,file,wal", pool_init, W2_PARTS};

/* ================= W3/W4 point lookups and range scans on t3 ================= */

static long g_n3;

static void t3_setup(Ctx *c) {
    pool_init(c);
    lb_seed(c, 3);
    g_n3 = lb_size(c, 200000);
    lb_exec(c, "CREATE TABLE t3(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)");
    lb_exec(c, "CREATE INDEX t3_k ON t3(k)");
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, "INSERT INTO t3(id, k, v) VALUES(?, ?, ?)");
    for (long i = 0; i < g_n3; i++) {
        lb_bind_int64(c, s, 1, i + 1);
        lb_bind_int64(c, s, 2, perm(i, g_n3));
        lb_bind_text(c, s, 3, pool(c));
        step_done(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w3_lookup(Ctx *c, const char *sql, long base) {
    long q = lb_size(c, 150000);
    sqlite3_stmt *s = lb_prep(c, sql);
    lb_exec(c, "BEGIN"); /* one read transaction: measure the engine, not locking */
    for (long i = 0; i < q; i++) {
        lb_bind_int64(c, s, 1, base + (long long)(lb_rand(c) % (uint64_t)g_n3));
        lb_run(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w3_rowid(Ctx *c) { w3_lookup(c, "SELECT v, k FROM t3 WHERE id = ?", 1); }
static void w3_index(Ctx *c) { w3_lookup(c, "SELECT id, v FROM t3 WHERE k = ?", 0); }

static const Part W3_PARTS[] = {{"by_rowid", NULL, w3_rowid, NULL},
                                {"by_index", NULL, w3_index, NULL},
                                {0}};
const Workload lb_w3 = {"W3", "point_lookup", "mem,file,wal", t3_setup, W3_PARTS};

static void w4_range(Ctx *c, const char *sql, double full_queries, long width) {
    long q = lb_size(c, full_queries);
    sqlite3_stmt *s = lb_prep(c, sql);
    lb_exec(c, "BEGIN");
    for (long i = 0; i < q; i++) {
        long long lo = (long long)(lb_rand(c) % (uint64_t)g_n3);
        lb_bind_int64(c, s, 1, lo);
        lb_bind_int64(c, s, 2, lo + width);
        lb_run(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w4_rowid(Ctx *c) {
    w4_range(c, "SELECT id, v FROM t3 WHERE id >= ? AND id < ? ORDER BY id", 10000, 100);
}
static void w4_index(Ctx *c) {
    w4_range(c, "SELECT id, v FROM t3 WHERE k >= ? AND k < ? ORDER BY k", 4000, 100);
}
static void w4_covering(Ctx *c) {
    w4_range(c, "SELECT k, id FROM t3 WHERE k BETWEEN ? AND ? ORDER BY k", 10000, 100);
}

static const Part W4_PARTS[] = {{"rowid_range", NULL, w4_rowid, NULL},
                                {"index_range", NULL, w4_index, NULL},
                                {"index_range_covering", NULL, w4_covering, NULL},
                                {0}};
const Workload lb_w4 = {"W4", "range_scan", "mem,file,wal", t3_setup, W4_PARTS};

/* ================= W5/W6 full scans, aggregates, sorts on t5 ================= */

static void t5_setup(Ctx *c) {
    pool_init(c);
    lb_seed(c, 5);
    long n = lb_size(c, 300000);
    lb_exec(c, "CREATE TABLE t5(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT, g INTEGER)");
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, "INSERT INTO t5 VALUES(?, ?, ?, ?, ?)");
    for (long i = 0; i < n; i++) {
        uint64_t r = lb_rand(c);
        lb_bind_int64(c, s, 1, i + 1);
        lb_bind_int64(c, s, 2, (long long)(r % 1000000));
        lb_bind_double(c, s, 3, (double)((r >> 20) % 100000) / 100.0);
        lb_bind_text(c, s, 4, g_pool[(r >> 40) & (POOL - 1)]);
        lb_bind_int64(c, s, 5, (long long)((r >> 52) % 100));
        step_done(c, s);
    }
    lb_exec(c, "COMMIT");
}

static void w5_filter(Ctx *c) {
    sqlite3_stmt *s =
        lb_prep(c, "SELECT count(*), sum(a), max(b) FROM t5 WHERE a BETWEEN ? AND ? AND b > ?");
    for (int i = 0; i < 5; i++) {
        lb_bind_int64(c, s, 1, i * 100000);
        lb_bind_int64(c, s, 2, i * 100000 + 400000);
        lb_bind_double(c, s, 3, 100.0 * i);
        lb_run(c, s);
    }
}

static void w5_like(Ctx *c) {
    static const char *const pats[] = {"%bako%", "zu%", "%shi ki%", "%XO%"};
    sqlite3_stmt *s = lb_prep(c, "SELECT count(*), min(id) FROM t5 WHERE c LIKE ?");
    for (int i = 0; i < 4; i++) {
        lb_bind_text(c, s, 1, pats[i]);
        lb_run(c, s);
    }
}

static void w5_aggregate(Ctx *c) {
    sqlite3_stmt *s = lb_prep(c, "SELECT count(*), sum(a), avg(b), min(a), max(b), min(c), "
                                 "max(c), total(g) FROM t5");
    for (int i = 0; i < 2; i++) lb_run(c, s);
}

static void w5_group_by(Ctx *c) {
    sqlite3_stmt *s =
        lb_prep(c, "SELECT g, count(*), sum(a), avg(b), min(c) FROM t5 GROUP BY g");
    lb_run(c, s);
    lb_query(c, "SELECT a / 10000, count(*), sum(b) FROM t5 GROUP BY a / 10000");
}

static const Part W5_PARTS[] = {{"numeric_filter", NULL, w5_filter, NULL},
                                {"like", NULL, w5_like, NULL},
                                {"aggregate", NULL, w5_aggregate, NULL},
                                {"group_by", NULL, w5_group_by, NULL},
                                {0}};
const Workload lb_w5 = {"W5", "full_scan", "mem,file,wal", t5_setup, W5_PARTS};

static void w6_text(Ctx *c) { lb_query(c, "SELECT id, c FROM t5 ORDER BY c, id"); }
static void w6_int(Ctx *c) { lb_query(c, "SELECT id, a, b FROM t5 ORDER BY a DESC, id"); }
static void w6_topn(Ctx *c) {
    sqlite3_stmt *s =
        lb_prep(c, "SELECT id, a, c FROM t5 WHERE g < ? ORDER BY b DESC, id LIMIT 20");
    for (int i = 1; i <= 10; i++) {
        lb_bind_int64(c, s, 1, i * 10);
        lb_run(c, s);
    }
}

static const Part W6_PARTS[] = {{"sort_text", NULL, w6_text, NULL},
                                {"sort_int", NULL, w6_int, NULL},
                                {"top_n_limit", NULL, w6_topn, NULL},
                                {0}};
const Workload lb_w6 = {"W6", "order_by", "mem,file,wal", t5_setup, W6_PARTS};

/* ================= W7 UPDATE and DELETE ================= */

static long g_n7;

static void w7_setup(Ctx *c) {
    pool_init(c);
    lb_seed(c, 7);
    g_n7 = lb_size(c, 200000);
    lb_exec(c, "CREATE TABLE t7(id INTEGER PRIMARY KEY, k INTEGER, v TEXT, n INTEGER)");
    lb_exec(c, "CREATE INDEX t7_k ON t7(k)");
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, "INSERT INTO t7 VALUES(?, ?, ?, 0)");
    for (long i = 0; i < g_n7; i++) {
        lb_bind_int64(c, s, 1, i + 1);
        lb_bind_int64(c, s, 2, perm(i, g_n7));
        lb_bind_text(c, s, 3, pool(c));
        step_done(c, s);
    }
    lb_exec(c, "COMMIT");
}

/* Runs count statements binding (lo, lo + width) or (key) and hashes changes(). */
static void w7_loop(Ctx *c, const char *sql, double full, long width, int with_text) {
    long q = lb_size(c, full);
    lb_exec(c, "BEGIN");
    sqlite3_stmt *s = lb_prep(c, sql);
    for (long i = 0; i < q; i++) {
        long long lo = (long long)(lb_rand(c) % (uint64_t)g_n7);
        int col = 1;
        if (with_text) lb_bind_text(c, s, col++, pool(c));
        lb_bind_int64(c, s, col++, lo);
        if (width > 0) lb_bind_int64(c, s, col, lo + width);
        lb_run(c, s);
        lb_hash_int(c, sqlite3_changes(c->db));
    }
    lb_exec(c, "COMMIT");
}

static void w7_update_key(Ctx *c) {
    w7_loop(c, "UPDATE t7 SET n = n + 1, v = ? WHERE id = ?", 50000, 0, 1);
}
static void w7_update_range(Ctx *c) {
    w7_loop(c, "UPDATE t7 SET n = n * 2 + 1 WHERE k BETWEEN ? AND ?", 200, 500, 0);
}
static void w7_delete_key(Ctx *c) { w7_loop(c, "DELETE FROM t7 WHERE k = ?", 20000, 0, 0); }
static void w7_delete_range(Ctx *c) {
    w7_loop(c, "DELETE FROM t7 WHERE id BETWEEN ? AND ?", 100, 500, 0);
}

static void w7_check(Ctx *c) {
    lb_query(c, "SELECT count(*), sum(n), sum(k), max(id), sum(length(v)) FROM t7");
    lb_query(c, "SELECT count(*), sum(n) FROM t7 WHERE k BETWEEN 1000 AND 5000");
}

static const Part W7_PARTS[] = {{"update_by_key", NULL, w7_update_key, w7_check},
                                {"update_by_range", NULL, w7_update_range, w7_check},
                                {"delete_by_key", NULL, w7_delete_key, w7_check},
                                {"delete_by_range", NULL, w7_delete_range, w7_check},
                                {0}};
const Workload lb_w7 = {"W7", "update_delete", "mem,file,wal", w7_setup, W7_PARTS};

/* ================= W8 joins ================= */

static void w8_fill(Ctx *c, const char *sql, long n, int kind) {
    sqlite3_stmt *s = lb_prep(c, sql);
    long ncust = lb_size(c, 20000), nprod = lb_size(c, 2000), nsmall = lb_size(c, 5000);
    for (long i = 0; i < n; i++) {
        uint64_t r = lb_rand(c);
        lb_bind_int64(c, s, 1, i + 1);
        switch (kind) {
        case 0: /* customers(cid, name, region) */
            lb_bind_text(c, s, 2, pool(c));
            lb_bind_int64(c, s, 3, (long long)(r % 10));
            break;
        case 1: /* orders(oid, cid, pid, amount, qty) */
            lb_bind_int64(c, s, 2, 1 + (long long)(r % (uint64_t)ncust));
            lb_bind_int64(c, s, 3, 1 + (long long)((r >> 20) % (uint64_t)nprod));
            lb_bind_double(c, s, 4, (double)((r >> 36) % 100000) / 100.0);
            lb_bind_int64(c, s, 5, 1 + (long long)((r >> 56) % 10));
            break;
        case 2: /* products(pid, cat, price) */
            lb_bind_int64(c, s, 2, (long long)(r % 20));
            lb_bind_double(c, s, 3, (double)((r >> 20) % 10000) / 100.0);
            break;
        default: /* na/nb(id, x, y): join on unindexed x */
            lb_bind_int64(c, s, 2, (long long)(r % (uint64_t)(nsmall * 2)));
            lb_bind_int64(c, s, 3, (long long)((r >> 32) % 1000));
            break;
        }
        lb_run(c, s);
    }
}

static void w8_setup(Ctx *c) {
    pool_init(c);
    lb_seed(c, 8);
    lb_exec(c, "CREATE TABLE customers(cid INTEGER PRIMARY KEY, name TEXT, region INTEGER)");
    lb_exec(c, "CREATE TABLE orders(oid INTEGER PRIMARY KEY, cid INTEGER, pid INTEGER, "
               "amount REAL, qty INTEGER)");
    lb_exec(c, "CREATE INDEX orders_cid ON orders(cid)");
    lb_exec(c, "CREATE TABLE products(pid INTEGER PRIMARY KEY, cat INTEGER, price REAL)");
    lb_exec(c, "CREATE TABLE regions(rid INTEGER PRIMARY KEY, rname TEXT)");
    lb_exec(c, "CREATE TABLE na(id INTEGER PRIMARY KEY, x INTEGER, y INTEGER)");
    lb_exec(c, "CREATE TABLE nb(id INTEGER PRIMARY KEY, x INTEGER, z INTEGER)");
    lb_exec(c, "BEGIN");
    w8_fill(c, "INSERT INTO customers VALUES(?, ?, ?)", lb_size(c, 20000), 0);
    w8_fill(c, "INSERT INTO orders VALUES(?, ?, ?, ?, ?)", lb_size(c, 200000), 1);
    w8_fill(c, "INSERT INTO products VALUES(?, ?, ?)", lb_size(c, 2000), 2);
    w8_fill(c, "INSERT INTO na VALUES(?, ?, ?)", lb_size(c, 5000), 3);
    w8_fill(c, "INSERT INTO nb VALUES(?, ?, ?)", lb_size(c, 5000), 3);
    for (int i = 0; i < 10; i++) {
        char sql[100];
        snprintf(sql, sizeof sql, "INSERT INTO regions VALUES(%d, 'region-%d')", i, i);
        lb_exec(c, sql);
    }
    lb_exec(c, "COMMIT");
}

static void w8_j2_rowid(Ctx *c) {
    lb_query(c, "SELECT c.region, count(*), sum(o.amount) FROM orders o "
                "JOIN customers c ON c.cid = o.cid GROUP BY c.region");
}
static void w8_j2_index(Ctx *c) {
    sqlite3_stmt *s = lb_prep(c, "SELECT count(*), sum(o.amount) FROM customers c "
                                 "JOIN orders o ON o.cid = c.cid WHERE c.region = ?");
    for (int r = 0; r < 5; r++) {
        lb_bind_int64(c, s, 1, r);
        lb_run(c, s);
    }
}
static void w8_j3(Ctx *c) {
    lb_query(c, "SELECT p.cat, count(*), sum(o.qty * p.price) FROM orders o "
                "JOIN customers c ON c.cid = o.cid JOIN products p ON p.pid = o.pid "
                "WHERE c.region < 5 GROUP BY p.cat");
}
static void w8_j4(Ctx *c) {
    lb_query(c, "SELECT r.rname, p.cat, count(*), sum(o.amount) FROM orders o "
                "JOIN customers c ON c.cid = o.cid JOIN products p ON p.pid = o.pid "
                "JOIN regions r ON r.rid = c.region WHERE p.cat < 3 GROUP BY r.rname, p.cat");
}
static void w8_noindex(Ctx *c) {
    lb_query(c, "SELECT count(*), sum(nb.z), sum(na.y) FROM na JOIN nb ON na.x = nb.x");
}
static void w8_correlated(Ctx *c) {
    lb_query(c, "SELECT c.cid, (SELECT count(*) FROM orders o WHERE o.cid = c.cid) "
                "FROM customers c WHERE c.region < 5 ORDER BY c.cid");
}

static const Part W8_PARTS[] = {{"join2_rowid", NULL, w8_j2_rowid, NULL},
                                {"join2_index", NULL, w8_j2_index, NULL},
                                {"join3", NULL, w8_j3, NULL},
                                {"join4", NULL, w8_j4, NULL},
                                {"join2_noindex", NULL, w8_noindex, NULL},
                                {"correlated_subquery", NULL, w8_correlated, NULL},
                                {0}};
const Workload lb_w8 = {"W8", "join", "mem,file,wal", w8_setup, W8_PARTS};
