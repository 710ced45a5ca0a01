/* Virtual tables through the C API: a "series" table-valued function
** (xBestIndex on equality of its hidden columns, argvIndex/omit, idxNum)
** and a writable key/value table "kv" (xUpdate, xBegin/xCommit/xRollback,
** sqlite3_vtab_on_conflict, xDestroy). Every expectation holds on the
** system SQLite too (ORACLE=1 c-tests/run.sh). */
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include "sqlite3.h"
#include "check.h"

static char logbuf[4096];
static void logf_(const char *s) {
  if (strlen(logbuf) + strlen(s) + 2 < sizeof logbuf) { strcat(logbuf, s); strcat(logbuf, ";"); }
}

/* ---- series(start, stop): rows start..stop ---- */
typedef struct { sqlite3_vtab base; } SeriesTab;
typedef struct { sqlite3_vtab_cursor base; sqlite3_int64 v, stop; } SeriesCur;

static int sConnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                    sqlite3_vtab **pp, char **err) {
  (void)aux; (void)argc; (void)argv; (void)err;
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(value, start HIDDEN, stop HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  SeriesTab *t = sqlite3_malloc(sizeof *t);
  memset(t, 0, sizeof *t);
  *pp = &t->base;
  return SQLITE_OK;
}
static int sDisconnect(sqlite3_vtab *v) { sqlite3_free(v); return SQLITE_OK; }
static int sBestIndex(sqlite3_vtab *v, sqlite3_index_info *info) {
  int n = 0, mask = 0, unusable = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    if (!info->aConstraint[i].usable && info->aConstraint[i].iColumn > 0) unusable = 1;
  }
  for (int col = 1; col <= 2; col++) {
    for (int i = 0; i < info->nConstraint; i++) {
      const struct sqlite3_index_constraint *c = &info->aConstraint[i];
      if (c->usable && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->iColumn == col) {
        info->aConstraintUsage[i].argvIndex = ++n;
        info->aConstraintUsage[i].omit = 1;
        mask |= col;
        break;
      }
    }
  }
  if (mask != 3 && unusable) return SQLITE_CONSTRAINT;
  if (mask != 3) {
    sqlite3_free(v->zErrMsg);
    v->zErrMsg = sqlite3_mprintf("series needs start and stop");
    return SQLITE_ERROR;
  }
  info->idxNum = mask;
  info->idxStr = sqlite3_mprintf("se%d", mask);
  info->needToFreeIdxStr = 1;
  info->estimatedCost = 10;
  return SQLITE_OK;
}
static int sOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **pp) {
  (void)v;
  SeriesCur *c = sqlite3_malloc(sizeof *c);
  memset(c, 0, sizeof *c);
  *pp = &c->base;
  return SQLITE_OK;
}
static int sClose(sqlite3_vtab_cursor *c) { sqlite3_free(c); return SQLITE_OK; }
static int sFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
  SeriesCur *c = (SeriesCur *)cur;
  if (idxNum != 3 || !streq(idxStr, "se3") || argc != 2) return SQLITE_ERROR;
  c->v = sqlite3_value_int64(argv[0]);
  c->stop = sqlite3_value_int64(argv[1]);
  return SQLITE_OK;
}
static int sNext(sqlite3_vtab_cursor *cur) { ((SeriesCur *)cur)->v++; return SQLITE_OK; }
static int sEof(sqlite3_vtab_cursor *cur) { SeriesCur *c = (SeriesCur *)cur; return c->v > c->stop; }
static int sColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  SeriesCur *c = (SeriesCur *)cur;
  if (i == 0) sqlite3_result_int64(ctx, c->v); else sqlite3_result_null(ctx);
  return SQLITE_OK;
}
static int sRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *r) { *r = ((SeriesCur *)cur)->v; return SQLITE_OK; }

static sqlite3_module seriesModule = {
  0, sConnect, sConnect, sBestIndex, sDisconnect, sDisconnect, sOpen, sClose,
  sFilter, sNext, sEof, sColumn, sRowid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/* ---- kv: a writable table (k, v) kept in an array ---- */
#define KV_MAX 64
static sqlite3 *gdb;
typedef struct { sqlite3_int64 rowid; char k[32]; sqlite3_int64 v; int used; } KvRow;
static KvRow kvRows[KV_MAX];
typedef struct { sqlite3_vtab base; } KvTab;
typedef struct { sqlite3_vtab_cursor base; int i; } KvCur;

static int kvInit(sqlite3 *db, sqlite3_vtab **pp, const char *what, int argc, const char *const *argv) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s %s", what, argc > 3 ? argv[3] : "-");
  logf_(msg);
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(k TEXT, v INTEGER)");
  if (rc != SQLITE_OK) return rc;
  KvTab *t = sqlite3_malloc(sizeof *t);
  memset(t, 0, sizeof *t);
  *pp = &t->base;
  return SQLITE_OK;
}
static int kvCreate(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  (void)aux;
  if (argc > 3 && streq(argv[3], "fail")) { *err = sqlite3_mprintf("kv refuses"); return SQLITE_ERROR; }
  return kvInit(db, pp, "create", argc, argv);
}
static int kvConnect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **pp, char **err) {
  (void)aux; (void)err;
  return kvInit(db, pp, "connect", argc, argv);
}
static int kvDisconnect(sqlite3_vtab *v) { sqlite3_free(v); return SQLITE_OK; }
static int kvDestroy(sqlite3_vtab *v) { logf_("destroy"); memset(kvRows, 0, sizeof kvRows); sqlite3_free(v); return SQLITE_OK; }
static int kvBestIndex(sqlite3_vtab *v, sqlite3_index_info *info) {
  (void)v;
  info->estimatedCost = 1000;
  return SQLITE_OK;
}
static int kvOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **pp) {
  (void)v;
  KvCur *c = sqlite3_malloc(sizeof *c);
  memset(c, 0, sizeof *c);
  *pp = &c->base;
  return SQLITE_OK;
}
static int kvClose(sqlite3_vtab_cursor *c) { sqlite3_free(c); return SQLITE_OK; }
static void kvSkip(KvCur *c) { while (c->i < KV_MAX && !kvRows[c->i].used) c->i++; }
static int kvFilter(sqlite3_vtab_cursor *cur, int n, const char *s, int argc, sqlite3_value **argv) {
  (void)n; (void)s; (void)argc; (void)argv;
  KvCur *c = (KvCur *)cur; c->i = 0; kvSkip(c); return SQLITE_OK;
}
static int kvNext(sqlite3_vtab_cursor *cur) { KvCur *c = (KvCur *)cur; c->i++; kvSkip(c); return SQLITE_OK; }
static int kvEof(sqlite3_vtab_cursor *cur) { return ((KvCur *)cur)->i >= KV_MAX; }
static int kvColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  KvRow *r = &kvRows[((KvCur *)cur)->i];
  if (i == 0) sqlite3_result_text(ctx, r->k, -1, SQLITE_TRANSIENT); else sqlite3_result_int64(ctx, r->v);
  return SQLITE_OK;
}
static int kvRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *r) { *r = kvRows[((KvCur *)cur)->i].rowid; return SQLITE_OK; }
static int kvFind(sqlite3_int64 rowid) {
  for (int i = 0; i < KV_MAX; i++) if (kvRows[i].used && kvRows[i].rowid == rowid) return i;
  return -1;
}
static int kvUpdate(sqlite3_vtab *v, int argc, sqlite3_value **argv, sqlite3_int64 *pRowid) {
  char msg[64];
  snprintf(msg, sizeof msg, "update%d/%d", argc, sqlite3_vtab_on_conflict(gdb));
  logf_(msg);
  if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
    int at = kvFind(sqlite3_value_int64(argv[0]));
    if (at >= 0) kvRows[at].used = 0;
  }
  if (argc == 1) return SQLITE_OK;
  sqlite3_int64 rowid;
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    rowid = 0;
    for (int i = 0; i < KV_MAX; i++) if (kvRows[i].used && kvRows[i].rowid > rowid) rowid = kvRows[i].rowid;
    rowid++;
  } else {
    rowid = sqlite3_value_int64(argv[1]);
  }
  if (kvFind(rowid) >= 0) {
    v->zErrMsg = sqlite3_mprintf("duplicate rowid %lld", rowid);
    return SQLITE_CONSTRAINT;
  }
  for (int i = 0; i < KV_MAX; i++) {
    if (!kvRows[i].used) {
      kvRows[i].used = 1;
      kvRows[i].rowid = rowid;
      snprintf(kvRows[i].k, sizeof kvRows[i].k, "%s", (const char *)sqlite3_value_text(argv[2]));
      kvRows[i].v = sqlite3_value_int64(argv[3]);
      *pRowid = rowid;
      return SQLITE_OK;
    }
  }
  return SQLITE_FULL;
}
static int kvBegin(sqlite3_vtab *v) { (void)v; logf_("begin"); return SQLITE_OK; }
static int kvCommit(sqlite3_vtab *v) { (void)v; logf_("commit"); return SQLITE_OK; }
static int kvRollback(sqlite3_vtab *v) { (void)v; logf_("rollback"); return SQLITE_OK; }

static sqlite3_module kvModule = {
  0, kvCreate, kvConnect, kvBestIndex, kvDisconnect, kvDestroy, kvOpen, kvClose,
  kvFilter, kvNext, kvEof, kvColumn, kvRowid, kvUpdate, kvBegin, 0, kvCommit, kvRollback,
  0, 0, 0, 0, 0, 0
};

/* Runs `sql`; returns rows as "a|b c|d" or "error: msg". */
static char out[2048];
static const char *q(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  out[0] = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    snprintf(out, sizeof out, "error: %s", sqlite3_errmsg(db));
    return out;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (out[0]) strcat(out, " ");
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const char *t = (const char *)sqlite3_column_text(st, i);
      if (i) strcat(out, "|");
      strncat(out, t ? t : "NULL", sizeof out - strlen(out) - 64);
    }
  }
  if (rc != SQLITE_DONE) snprintf(out, sizeof out, "error: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return out;
}

static int destroyed = 0;
static void auxDestroy(void *p) { (void)p; destroyed++; }

int main(void) {
  sqlite3 *db;
  char path[128];
  snprintf(path, sizeof path, "/tmp/loom-vtab-c-%ld.db", (long)clock());
  remove(path);
  CHECK(sqlite3_open(path, &db) == SQLITE_OK, "open");
  gdb = db;
  CHECK(sqlite3_declare_vtab(db, "CREATE TABLE x(a)") == SQLITE_MISUSE, "declare_vtab outside xCreate is MISUSE");
  CHECK(sqlite3_create_module_v2(db, "series", &seriesModule, (void *)1, auxDestroy) == SQLITE_OK, "create_module_v2");
  CHECK(sqlite3_create_module(db, "kv", &kvModule, NULL) == SQLITE_OK, "create_module");

  CHECK(streq(q(db, "SELECT * FROM series(1, 5)"), "1 2 3 4 5"), "series table-valued function");
  CHECK(streq(q(db, "SELECT value FROM series WHERE start = 3 AND stop = 4"), "3 4"), "series via WHERE on hidden columns");
  CHECK(streq(q(db, "SELECT sum(value), count(*) FROM series(1, 100) WHERE value % 2 = 0"), "2550|50"), "aggregate over series");
  CHECK(streq(q(db, "SELECT a.value, b.value FROM series(1,2) a, series(a.value, 2) b"), "1|1 1|2 2|2"), "correlated series join");
  CHECK(streq(q(db, "SELECT start, stop FROM series(7, 7)"), "7|7") || streq(out, "NULL|NULL"), "hidden columns readable");
  CHECK(streq(q(db, "SELECT * FROM series"), "error: series needs start and stop"), "xBestIndex error message");

  CHECK(streq(q(db, "CREATE VIRTUAL TABLE bad USING kv(fail)"), "error: kv refuses"), "xCreate error message");
  CHECK(streq(q(db, "CREATE VIRTUAL TABLE t USING kv(alpha, 'b c')"), ""), "create virtual table");
  CHECK(streq(q(db, "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema"),
              "table|t|t|0|CREATE VIRTUAL TABLE t USING kv(alpha, 'b c')"), "sqlite_schema row");
  CHECK(streq(q(db, "CREATE VIRTUAL TABLE t USING kv"), "error: table t already exists"), "duplicate name");
  CHECK(streq(q(db, "CREATE VIRTUAL TABLE u USING nomod"), "error: no such module: nomod"), "unknown module");
  logbuf[0] = 0;
  CHECK(streq(q(db, "INSERT INTO t VALUES ('x', 1), ('y', 2)"), ""), "insert");
  CHECK(sqlite3_last_insert_rowid(db) == 2, "last_insert_rowid");
  CHECK(streq(q(db, "INSERT INTO t(v, k) VALUES (3, 'z')"), ""), "insert with column list");
  CHECK(streq(q(db, "SELECT rowid, * FROM t"), "1|x|1 2|y|2 3|z|3"), "scan");
  /* (SQLite also reconnects once here: only the order of calls is checked.) */
  CHECK(strstr(logbuf, "begin;update4/4;update4/4;commit;begin;update4/4;commit;") != NULL, "xBegin/xUpdate/xCommit order");
  CHECK(streq(q(db, "UPDATE t SET v = v * 10 WHERE k >= 'y'"), "") && sqlite3_changes(db) == 2, "update");
  CHECK(streq(q(db, "DELETE FROM t WHERE k = 'x'"), "") && sqlite3_changes(db) == 1, "delete");
  CHECK(streq(q(db, "SELECT k, v FROM t ORDER BY v DESC"), "z|30 y|20"), "after update and delete");
  CHECK(streq(q(db, "INSERT INTO t(rowid, k, v) VALUES (2, 'dup', 0)"), "error: duplicate rowid 2"), "xUpdate constraint error");
  logbuf[0] = 0;
  CHECK(streq(q(db, "INSERT OR REPLACE INTO t(rowid, k, v) VALUES (9, 'r', 0)"), ""), "insert or replace");
  CHECK(strstr(logbuf, "update4/5") != NULL, "vtab_on_conflict = SQLITE_REPLACE");
  logbuf[0] = 0;
  CHECK(streq(q(db, "BEGIN"), "") && streq(q(db, "INSERT INTO t VALUES ('w', 4)"), "")
        && streq(q(db, "ROLLBACK"), ""), "explicit transaction");
  CHECK(streq(logbuf, "begin;update4/4;rollback;"), "xRollback at ROLLBACK");
  if (!streq(logbuf, "begin;update4/4;rollback;")) printf("# log: %s\n", logbuf);
  sqlite3_close(db);

  /* A second connection reconnects (xConnect) from the schema. */
  CHECK(sqlite3_open(path, &db) == SQLITE_OK, "reopen");
  gdb = db;
  CHECK(streq(q(db, "SELECT * FROM t"), "error: no such module: kv"), "module missing on new connection");
  sqlite3_create_module(db, "kv", &kvModule, NULL);
  logbuf[0] = 0;
  CHECK(streq(q(db, "SELECT count(*) FROM t"), "4"), "rows after reconnect");
  CHECK(streq(logbuf, "connect alpha;"), "xConnect with arguments");
  CHECK(streq(q(db, "DROP TABLE t"), "") && strstr(logbuf, "destroy") != NULL, "drop table calls xDestroy");
  CHECK(streq(q(db, "SELECT count(*) FROM sqlite_schema"), "0"), "schema row removed");
  CHECK(sqlite3_drop_modules(db, NULL) == SQLITE_OK, "drop_modules");
  CHECK(streq(q(db, "SELECT * FROM series(1,2)"), "error: no such table: series"), "module gone");
  sqlite3_close(db);
  remove(path);
  CHECK(destroyed == 1, "xDestroy of client data ran once");
  return check_failures != 0;
}
