/*
 * loombench core: context, error handling (longjmp to the running part),
 * connection setup with the shared configuration pragmas, result hashing,
 * deterministic data generation, and main().
 *
 * Usage (normally driven by bench/run):
 *   loombench --plan
 *   loombench --run W3 --storage mem [--scale 0.1] [--verify] [--callgrind]
 *             [--dir DIR] [--schema-dir DIR]
 *
 * Configuration applied on every connection (both libraries):
 *   PRAGMA page_size=4096; PRAGMA cache_size=-16384 (16 MiB);
 *   PRAGMA temp_store=MEMORY; PRAGMA synchronous=NORMAL (W9: FULL);
 *   PRAGMA journal_mode=DELETE (file) / WAL (wal); in-memory dbs keep theirs.
 * A pragma the library rejects is reported as a NOTE and the run continues,
 * except journal_mode=WAL: without it the wal storage is "unsupported".
 */
#define _GNU_SOURCE
#include "lb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glob.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static volatile uint64_t lb_sink; /* keeps column reads from being elided */

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double lb_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

long lb_size(Ctx *c, double full) {
    double v = full * c->scale;
    return v < 1.0 ? 1 : (long)(v + 0.5);
}

void lb_seed(Ctx *c, uint64_t seed) { c->rng = seed ? seed : 0x9e3779b97f4a7c15ULL; }

/* splitmix64 */
uint64_t lb_rand(Ctx *c) {
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const char *const SYLLABLES[16] = {"ba", "ko", "mi", "zu", "te", "ra", "no", "shi",
                                          "ki", "lo", "pe", "da", "vu", "xo", "gi", "ha"};

/* Words made of syllables, separated by spaces; length in [minlen, maxlen]. */
void lb_text(Ctx *c, char *buf, int minlen, int maxlen) {
    int target = minlen + (int)(lb_rand(c) % (uint64_t)(maxlen - minlen + 1));
    int n = 0, inword = 0;
    while (n < target) {
        uint64_t r = lb_rand(c);
        if (inword >= 2 && (r & 7) == 0 && n + 1 < target) {
            buf[n++] = ' ';
            inword = 0;
            continue;
        }
        const char *s = SYLLABLES[(r >> 8) & 15];
        for (; *s && n < target; s++) buf[n++] = *s;
        inword++;
    }
    buf[n] = 0;
}

static void hash_bytes(Ctx *c, const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = c->hash;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * FNV_PRIME;
    c->hash = h;
}

void lb_hash_int(Ctx *c, long long v) {
    if (!c->verify) return;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "i%lld;", v);
    hash_bytes(c, buf, (size_t)n);
}

/* ---- errors ---- */

void lb_fail(Ctx *c, const char *what) {
    const char *msg = c->db ? sqlite3_errmsg(c->db) : "no connection";
    snprintf(c->err, sizeof c->err, "%s: %s", what, msg ? msg : "(null)");
    longjmp(*c->jb, 1);
}

void lb_check_rc(Ctx *c, int rc, const char *what) {
    if (rc != SQLITE_OK) lb_fail(c, what);
}

sqlite3_stmt *lb_prep(Ctx *c, const char *sql) {
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK || s == NULL) {
        char what[300];
        snprintf(what, sizeof what, "prepare [%.200s] rc=%d", sql, rc);
        if (s) sqlite3_finalize(s);
        lb_fail(c, what);
    }
    if (c->nstmt < LB_MAX_STMTS) c->stmts[c->nstmt++] = s;
    return s;
}

void lb_exec(Ctx *c, const char *sql) {
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(c->err, sizeof c->err, "exec [%.200s] rc=%d: %s", sql, rc, sqlite3_errmsg(c->db));
        longjmp(*c->jb, 1);
    }
}

void lb_bind_int64(Ctx *c, sqlite3_stmt *s, int i, long long v) {
    lb_check_rc(c, sqlite3_bind_int64(s, i, v), "bind_int64");
}
void lb_bind_double(Ctx *c, sqlite3_stmt *s, int i, double v) {
    lb_check_rc(c, sqlite3_bind_double(s, i, v), "bind_double");
}
void lb_bind_text(Ctx *c, sqlite3_stmt *s, int i, const char *v) {
    lb_check_rc(c, sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT), "bind_text");
}
void lb_bind_null(Ctx *c, sqlite3_stmt *s, int i) {
    lb_check_rc(c, sqlite3_bind_null(s, i), "bind_null");
}

/* Reads every column of the current row (as an application would) and, in
 * verify mode, folds it into the part's hash. Doubles hash as %.15g. */
static void consume_row(Ctx *c, sqlite3_stmt *s) {
    int n = sqlite3_column_count(s);
    uint64_t acc = 0;
    for (int i = 0; i < n; i++) {
        int t = sqlite3_column_type(s, i);
        char buf[48];
        switch (t) {
        case SQLITE_INTEGER: {
            long long v = sqlite3_column_int64(s, i);
            acc += (uint64_t)v;
            if (c->verify) {
                int k = snprintf(buf, sizeof buf, "i%lld;", v);
                hash_bytes(c, buf, (size_t)k);
            }
            break;
        }
        case SQLITE_FLOAT: {
            double v = sqlite3_column_double(s, i);
            acc += (uint64_t)(int64_t)v;
            if (c->verify) {
                int k = snprintf(buf, sizeof buf, "f%.15g;", v);
                hash_bytes(c, buf, (size_t)k);
            }
            break;
        }
        case SQLITE_NULL:
            if (c->verify) hash_bytes(c, "n;", 2);
            break;
        default: { /* TEXT (and BLOB, which no workload produces) */
            const unsigned char *p = sqlite3_column_text(s, i);
            int len = sqlite3_column_bytes(s, i);
            acc += (uint64_t)len;
            if (c->verify) {
                hash_bytes(c, "t", 1);
                if (p) hash_bytes(c, p, (size_t)len);
                hash_bytes(c, ";", 1);
            }
        }
        }
    }
    if (c->verify) hash_bytes(c, "|", 1);
    lb_sink += acc;
    c->rows++;
}

/* Steps to completion, consuming rows; resets; returns the row count. */
long long lb_run(Ctx *c, sqlite3_stmt *s) {
    long long rows = 0;
    for (;;) {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            consume_row(c, s);
            rows++;
        } else if (rc == SQLITE_DONE) {
            break;
        } else {
            char what[300];
            snprintf(what, sizeof what, "step rc=%d", rc);
            sqlite3_reset(s);
            lb_fail(c, what);
        }
    }
    sqlite3_reset(s);
    return rows;
}

void lb_query(Ctx *c, const char *sql) {
    sqlite3_stmt *s = lb_prep(c, sql);
    lb_run(c, s);
}

void lb_note(Ctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("NOTE %s %s ", c->wid, c->storage);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

void lb_metric(Ctx *c, const char *name, double v) {
    printf("METRIC %s %s %s %.6g\n", c->wid, c->storage, name, v);
}

/* ---- connections ---- */

void lb_remove_db(const char *path) {
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    char buf[1100];
    if (!path || !*path) return;
    for (int i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "%s%s", path, suffixes[i]);
        unlink(buf);
    }
}

static void pragma_soft(Ctx *c, const char *sql) {
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        lb_note(c, "config [%s] rejected (rc=%d: %s); continuing with the library default", sql,
                rc, sqlite3_errmsg(c->db));
}

/* journal_mode returns the mode in effect as a row; check it. */
static void journal_mode(Ctx *c, const char *want) {
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", want);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &s, NULL);
    const char *got = NULL;
    char gotbuf[32] = "";
    if (rc == SQLITE_OK && s) {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && (got = (const char *)sqlite3_column_text(s, 0)))
            snprintf(gotbuf, sizeof gotbuf, "%s", got);
    }
    int ok = (rc == SQLITE_ROW || rc == SQLITE_DONE || rc == SQLITE_OK);
    char msg[300];
    snprintf(msg, sizeof msg, "%s", ok ? "" : sqlite3_errmsg(c->db));
    if (s) sqlite3_finalize(s);
    if (ok && strcasecmp(gotbuf, want) == 0) return;
    if (strcasecmp(want, "wal") == 0) {
        if (ok)
            snprintf(c->err, sizeof c->err, "unsupported: journal_mode=WAL not applied (got '%s')",
                     gotbuf);
        else
            snprintf(c->err, sizeof c->err, "unsupported: PRAGMA journal_mode=WAL rejected: %s", msg);
        longjmp(*c->jb, 1);
    }
    lb_note(c, "config [%s] %s%s; continuing with the library default", sql,
            ok ? "returned " : "rejected: ", ok ? gotbuf : msg);
}

/* Opens path (NULL = :memory:) and applies the shared configuration. */
void lb_open(Ctx *c, const char *path, int apply_journal) {
    int rc = sqlite3_open_v2(path ? path : ":memory:", &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) lb_fail(c, "open_v2");
    pragma_soft(c, "PRAGMA page_size=4096");
    pragma_soft(c, "PRAGMA cache_size=-16384");
    pragma_soft(c, "PRAGMA temp_store=MEMORY");
    pragma_soft(c, c->synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    if (apply_journal && path) journal_mode(c, strcmp(c->storage, "wal") == 0 ? "wal" : "delete");
}

void lb_close(Ctx *c) {
    for (int i = 0; i < c->nstmt; i++) sqlite3_finalize(c->stmts[i]);
    c->nstmt = 0;
    if (c->db) sqlite3_close(c->db);
    c->db = NULL;
}

/* ---- parts ---- */

static int guarded(Ctx *c, void (*fn)(Ctx *)) {
    jmp_buf jb;
    jmp_buf *saved = c->jb;
    c->jb = &jb;
    if (setjmp(jb)) {
        c->jb = saved;
        return 0;
    }
    fn(c);
    c->jb = saved;
    return 1;
}

static const char *classify(const char *err) {
    if (strstr(err, "not supported") || strstr(err, "unsupported")) return "unsupported";
    return "fail";
}

static void finalize_all(Ctx *c) {
    for (int i = 0; i < c->nstmt; i++) sqlite3_finalize(c->stmts[i]);
    c->nstmt = 0;
}

static uint64_t name_seed(const char *a, const char *b) {
    uint64_t h = FNV_OFFSET;
    for (; *a; a++) h = (h ^ (unsigned char)*a) * FNV_PRIME;
    for (; *b; b++) h = (h ^ (unsigned char)*b) * FNV_PRIME;
    return h;
}

static void run_part(Ctx *c, const Part *p) {
    c->hash = FNV_OFFSET;
    c->rows = 0;
    c->err[0] = 0;
    lb_seed(c, name_seed(c->wid, p->name));
    int ok = p->pre ? guarded(c, p->pre) : 1;
    double t0 = 0, t1 = 0, cpu0 = 0, cpu1 = 0;
    if (ok) {
        if (c->callgrind) CALLGRIND_START_INSTRUMENTATION;
        cpu0 = cpu_now();
        t0 = lb_now();
        ok = guarded(c, p->run);
        t1 = lb_now();
        cpu1 = cpu_now();
        if (c->callgrind) {
            CALLGRIND_STOP_INSTRUMENTATION;
            char name[128];
            snprintf(name, sizeof name, "%s.%s.%s", c->wid, c->storage, p->name);
            CALLGRIND_DUMP_STATS_AT(name);
        }
    }
    if (ok && p->check) ok = guarded(c, p->check);
    finalize_all(c);
    if (!ok) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        printf("PART %s %s %s %s - %s\n", c->wid, c->storage, p->name, classify(c->err), c->err);
    } else {
        printf("PART %s %s %s ok %.6f %.6f\n", c->wid, c->storage, p->name, t1 - t0,
               cpu1 - cpu0);
        if (c->verify)
            printf("HASH %s %s %s %016llx rows=%lld\n", c->wid, c->storage, p->name,
                   (unsigned long long)c->hash, c->rows);
    }
    fflush(stdout);
}

static void open_main(Ctx *c) {
    lb_open(c, c->path[0] ? c->path : NULL, 1);
}

static const Workload *const WORKLOADS[] = {&lb_w1, &lb_w2, &lb_w3, &lb_w4, &lb_w5,
                                            &lb_w6, &lb_w7, &lb_w8, &lb_w9, &lb_w10, &lb_w11,
                                            NULL};

static int has_storage(const Workload *w, const char *st) {
    size_t n = strlen(st);
    for (const char *p = w->storages; (p = strstr(p, st)); p += n)
        if ((p == w->storages || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

static int run_workload(Ctx *c, const Workload *w) {
    if (!has_storage(w, c->storage)) {
        fprintf(stderr, "%s does not run on storage %s\n", w->id, c->storage);
        return 2;
    }
    if (strcmp(c->storage, "mem") != 0)
        snprintf(c->path, sizeof c->path, "%s/lb-%s-%s-%d.db", c->dir, w->id, c->storage,
                 (int)getpid());
    lb_remove_db(c->path);
    c->synchronous_full = strcmp(w->id, "W9") == 0;
    int ok = guarded(c, open_main);
    if (ok && w->setup) ok = guarded(c, w->setup);
    finalize_all(c);
    if (!ok) {
        for (const Part *p = w->parts; p->name; p++)
            printf("PART %s %s %s %s - setup: %s\n", c->wid, c->storage, p->name, classify(c->err),
                   c->err);
    } else {
        for (const Part *p = w->parts; p->name; p++) run_part(c, p);
    }
    lb_close(c);
    if (c->path[0]) { /* the database and every side file named after it */
        char pat[1100];
        glob_t g;
        snprintf(pat, sizeof pat, "%s*", c->path);
        if (glob(pat, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++) unlink(g.gl_pathv[i]);
            globfree(&g);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    Ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    Ctx *c = &ctx;
    const char *wid = NULL;
    int plan = 0;
    c->storage = "mem";
    c->dir = ".";
    c->scale = 1.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--plan")) plan = 1;
        else if (!strcmp(a, "--verify")) c->verify = 1;
        else if (!strcmp(a, "--callgrind")) c->callgrind = 1;
        else if (!strcmp(a, "--run") && v) wid = argv[++i];
        else if (!strcmp(a, "--storage") && v) c->storage = argv[++i];
        else if (!strcmp(a, "--scale") && v) c->scale = atof(argv[++i]);
        else if (!strcmp(a, "--dir") && v) c->dir = argv[++i];
        else if (!strcmp(a, "--schema-dir") && v) c->schema_dir = argv[++i];
        else {
            fprintf(stderr, "usage: %s --plan | --run Wn --storage mem|file|wal [--scale X] "
                            "[--verify] [--callgrind] [--dir DIR] [--schema-dir DIR]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (plan) {
        for (int i = 0; WORKLOADS[i]; i++) {
            printf("WORKLOAD %s %s %s", WORKLOADS[i]->id, WORKLOADS[i]->name,
                   WORKLOADS[i]->storages);
            for (const Part *p = WORKLOADS[i]->parts; p->name; p++) printf(" %s", p->name);
            printf("\n");
        }
        return 0;
    }
    printf("LIB %s %s\n", sqlite3_libversion(), sqlite3_sourceid());
    if (!wid) {
        fprintf(stderr, "--run Wn required\n");
        return 2;
    }
    for (int i = 0; WORKLOADS[i]; i++) {
        if (strcmp(WORKLOADS[i]->id, wid) == 0) {
            c->wid = WORKLOADS[i]->id;
            return run_workload(c, WORKLOADS[i]);
        }
    }
    fprintf(stderr, "unknown workload %s\n", wid);
    return 2;
}
