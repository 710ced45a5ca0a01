/* Value subtypes (sqlite3_result_subtype / sqlite3_value_subtype: kept
** from an inner function's result to an enclosing function's argument,
** lost once stored), sqlite3_db_config switches (ENABLE_TRIGGER,
** ENABLE_VIEW, ENABLE_FKEY; loom has no TEMP triggers or views, which
** SQLite exempts from the first two) and sqlite3_wal_autocheckpoint's
** effect on the WAL hook argument. Runs the same on C SQLite (ORACLE=1). */
#include <stdint.h>
#include "sqlite3.h"
#include "check.h"

static int query_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) { *out = sqlite3_column_int(st, 0); rc = SQLITE_OK; }
  sqlite3_finalize(st);
  return rc;
}

/* Runs `sql` (one row, one integer column) and returns the value, or -1000
** minus the error code. */
static int q(sqlite3 *db, const char *sql) {
  int v = 0;
  int rc = query_int(db, sql, &v);
  return rc == SQLITE_OK ? v : -1000 - rc;
}

/* getsub(x): the subtype of x. */
static void getsub(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_int64(ctx, (sqlite3_int64)sqlite3_value_subtype(argv[0]));
}

/* setsub(x, t): x with subtype t. */
static void setsub(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_value(ctx, argv[0]);
  sqlite3_result_subtype(ctx, (unsigned)sqlite3_value_int64(argv[1]));
}

/* passthru(x): x as sqlite3_result_value copies it. */
static void passthru(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_value(ctx, argv[0]);
}

/* subthenint(x): sets subtype 8, then an integer result. */
static void subthenint(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc; (void)argv;
  sqlite3_result_subtype(ctx, 8);
  sqlite3_result_int(ctx, 1);
}

/* dupsub(x): the subtype of a sqlite3_value_dup copy of x. */
static void dupsub(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_value *d = sqlite3_value_dup(argv[0]);
  (void)argc;
  sqlite3_result_int64(ctx, d ? (sqlite3_int64)sqlite3_value_subtype(d) : -1);
  sqlite3_value_free(d);
}

static void test_subtypes(void) {
  sqlite3 *db = NULL;
  char name[160];
  size_t i;
  static const struct { const char *sql; int want; } cases[] = {
    {"SELECT getsub('x')", 0},
    {"SELECT getsub(setsub('x', 123))", 123},
    {"SELECT getsub(setsub(5, 300))", 44},
    {"SELECT getsub(setsub(NULL, 7))", 7},
    {"SELECT getsub(passthru(setsub('x', 5)))", 5},
    {"SELECT getsub(subthenint('x'))", 0},
    {"SELECT dupsub(setsub('x', 66))", 66},
    {"SELECT getsub(setsub('x', 9)) + getsub('y')", 9},
    {"SELECT getsub(a) FROM t", 0},
    {"SELECT getsub(a) FROM (SELECT setsub('x', 9) AS a)", 0},
    {"SELECT getsub(a) FROM (SELECT setsub('x', 9) AS a UNION ALL SELECT 1) LIMIT 1", 0},
    {"SELECT getsub(a) FROM (SELECT setsub('x', 9) AS a ORDER BY 1)", 0},
    {"WITH c(a) AS MATERIALIZED (SELECT setsub('x', 4)) SELECT getsub(a) FROM c", 0},
    {"SELECT getsub(CASE WHEN 1 THEN setsub('x', 3) END)", 3},
    {"SELECT getsub(x) FROM (SELECT setsub(a, 11) AS x FROM t)", 0},
    {"SELECT max(getsub(setsub(a, 12))) FROM t", 12},
  };
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "subtype: open");
  CHECK(sqlite3_create_function(db, "getsub", 1, SQLITE_UTF8, NULL, getsub, NULL, NULL) == SQLITE_OK &&
        sqlite3_create_function(db, "setsub", 2, SQLITE_UTF8, NULL, setsub, NULL, NULL) == SQLITE_OK &&
        sqlite3_create_function(db, "passthru", 1, SQLITE_UTF8, NULL, passthru, NULL, NULL) == SQLITE_OK &&
        sqlite3_create_function(db, "subthenint", 1, SQLITE_UTF8, NULL, subthenint, NULL, NULL) == SQLITE_OK &&
        sqlite3_create_function(db, "dupsub", 1, SQLITE_UTF8, NULL, dupsub, NULL, NULL) == SQLITE_OK,
        "subtype: functions registered");
  CHECK(sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES(setsub('s', 7));",
                     NULL, NULL, NULL) == SQLITE_OK, "subtype: stored value");
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = q(db, cases[i].sql);
    snprintf(name, sizeof name, "subtype: %s = %d (got %d)", cases[i].sql, cases[i].want, got);
    CHECK(got == cases[i].want, name);
  }
  sqlite3_close(db);
}

/* Reads (onoff < 0) or sets a boolean db_config option; -1 on error. */
static int dbconf(sqlite3 *db, int op, int onoff) {
  int res = -7;
  if (sqlite3_db_config(db, op, onoff, &res) != SQLITE_OK) return -1;
  return res;
}

static void test_trigger_switch(void) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "trigger: open");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1) == 1, "trigger: on by default");
  CHECK(sqlite3_exec(db,
    "CREATE TABLE t(a); CREATE TABLE log(x);"
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a); END;",
    NULL, NULL, NULL) == SQLITE_OK, "trigger: schema");
  CHECK(sqlite3_prepare_v2(db, "INSERT INTO t VALUES(2)", -1, &st, NULL) == SQLITE_OK,
        "trigger: prepared while on");
  CHECK(sqlite3_exec(db, "INSERT INTO t VALUES(1)", NULL, NULL, NULL) == SQLITE_OK &&
        q(db, "SELECT count(*) FROM log") == 1, "trigger: fires when on");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0) == 0, "trigger: switched off");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1) == 0, "trigger: reads back off");
  CHECK(sqlite3_step(st) == SQLITE_DONE && q(db, "SELECT count(*) FROM log") == 1,
        "trigger: statement prepared earlier does not fire it");
  sqlite3_finalize(st);
  CHECK(sqlite3_exec(db, "INSERT INTO t VALUES(3)", NULL, NULL, NULL) == SQLITE_OK &&
        q(db, "SELECT count(*) FROM log") == 1 && q(db, "SELECT count(*) FROM t") == 3,
        "trigger: does not fire when off");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1) == 1, "trigger: switched on again");
  CHECK(sqlite3_exec(db, "INSERT INTO t VALUES(5)", NULL, NULL, NULL) == SQLITE_OK &&
        q(db, "SELECT count(*) FROM log") == 2, "trigger: fires when on again");
  sqlite3_close(db);
}

static void test_view_switch(void) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc;
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "view: open");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_VIEW, -1) == 1, "view: on by default");
  CHECK(sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES(1),(2);"
                         "CREATE VIEW v AS SELECT a FROM t;", NULL, NULL, NULL) == SQLITE_OK,
        "view: schema");
  CHECK(q(db, "SELECT count(*) FROM v") == 2, "view: usable when on");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0) == 0, "view: switched off");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_VIEW, -1) == 0, "view: reads back off");
  rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM v", -1, &st, NULL);
  CHECK(rc == SQLITE_ERROR, "view: prepare fails when off");
  CHECK(streq(sqlite3_errmsg(db), "access to view \"v\" prohibited"), sqlite3_errmsg(db));
  sqlite3_finalize(st);
  CHECK(sqlite3_exec(db, "CREATE VIEW w AS SELECT 1 AS b", NULL, NULL, NULL) == SQLITE_OK,
        "view: CREATE VIEW while off");
  CHECK(q(db, "SELECT b FROM w") == -1001, "view: the new view is not usable either");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_VIEW, 1) == 1 && q(db, "SELECT count(*) FROM v") == 2,
        "view: usable when on again");
  CHECK(dbconf(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1) == 1 &&
        dbconf(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1) == 1 &&
        q(db, "PRAGMA foreign_keys") == 1, "fkey: switch matches the pragma");
  sqlite3_close(db);
}

static int walhook(void *arg, sqlite3 *db, const char *name, int n) {
  (void)arg; (void)db; (void)name; (void)n;
  return SQLITE_OK;
}

static void test_wal_autocheckpoint(void) {
  sqlite3 *db = NULL;
  int tag = 0;
  void *prev;
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "walhook: open");
  sqlite3_wal_hook(db, walhook, &tag);
  CHECK(sqlite3_wal_autocheckpoint(db, 321) == SQLITE_OK, "walhook: autocheckpoint 321");
  prev = sqlite3_wal_hook(db, walhook, &tag);
  CHECK(prev != &tag, "walhook: autocheckpoint replaced the hook's argument");
  CHECK((intptr_t)prev == 321, "walhook: previous argument is the frame count");
  CHECK(sqlite3_wal_autocheckpoint(db, 0) == SQLITE_OK, "walhook: autocheckpoint 0");
  CHECK(sqlite3_wal_hook(db, NULL, NULL) == NULL, "walhook: 0 leaves no argument");
  sqlite3_close(db);
}

int main(void) {
  test_subtypes();
  test_trigger_switch();
  test_view_switch();
  test_wal_autocheckpoint();
  return check_failures != 0;
}
