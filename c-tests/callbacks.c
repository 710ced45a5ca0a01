/* Upward callbacks through the C API: user scalar functions and
** aggregates (user_data, aggregate_context, result_*, value_*, errors,
** re-entrant counter reads through context_db_handle), collations,
** commit/rollback/update hooks, the progress handler, the authorizer
** (statement-level and column reads), trace_v2, busy handler, txn_state,
** SQLITE_LIMIT_VARIABLE_NUMBER. Runs the same on C SQLite (ORACLE=1). */
#include <stdlib.h>
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

static const char *query_text(sqlite3 *db, const char *sql, char *buf, size_t n) {
  sqlite3_stmt *st = NULL;
  buf[0] = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, n, "%s", t ? (const char *)t : "(null)");
  }
  sqlite3_finalize(st);
  return buf;
}

/* times(x, k): x * k where k is the registration's user data. */
static void times_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  int k = *(int *)sqlite3_user_data(ctx);
  if (argc != 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL) { sqlite3_result_null(ctx); return; }
  sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]) * k);
}

/* shout(s): upper-case copy, returned with a destructor. */
static void shout_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const unsigned char *s = sqlite3_value_text(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  char *out = sqlite3_malloc(n + 1);
  for (int i = 0; i < n; i++) out[i] = (s[i] >= 'a' && s[i] <= 'z') ? s[i] - 32 : s[i];
  out[n] = 0;
  sqlite3_result_text(ctx, out, n, sqlite3_free);
}

static void fail_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc; (void)argv;
  sqlite3_result_error(ctx, "boom from C", -1);
}

static void code_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc; (void)argv;
  sqlite3_result_error_code(ctx, SQLITE_CONSTRAINT);
}

/* counters(): "changes,last_insert_rowid" read through the context's db. */
static void counters_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc; (void)argv;
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  char buf[64];
  snprintf(buf, sizeof buf, "%d,%lld", sqlite3_changes(db), (long long)sqlite3_last_insert_rowid(db));
  sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* mysum(x): integer sum in aggregate_context memory; NULL for no rows. */
static void sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  long long *acc = sqlite3_aggregate_context(ctx, sizeof(long long) * 2);
  if (acc[1] != 0 && acc[1] != 1) { sqlite3_result_error(ctx, "context not zeroed", -1); return; }
  acc[0] += sqlite3_value_int64(argv[0]);
  acc[1] = 1;
}
static void sum_final(sqlite3_context *ctx) {
  long long *acc = sqlite3_aggregate_context(ctx, 0);
  if (acc == NULL) sqlite3_result_null(ctx);
  else sqlite3_result_int64(ctx, acc[0]);
}

static int destroyed = 0;
static void on_destroy(void *p) { (void)p; destroyed++; }

static int reverse_cmp(void *arg, int na, const void *a, int nb, const void *b) {
  (void)arg;
  int n = na < nb ? na : nb;
  int c = memcmp(a, b, n);
  if (c == 0) c = na - nb;
  return -c;
}

static int commits, rollbacks, deny_commit;
static int commit_hook(void *arg) { (void)arg; commits++; return deny_commit; }
static void rollback_hook(void *arg) { (void)arg; rollbacks++; }
static int updates[3]; /* insert, update, delete */
static char last_table[64];
static sqlite3_int64 last_rowid;
static void update_hook(void *arg, int op, const char *db, const char *tbl, sqlite3_int64 rowid) {
  (void)arg; (void)db;
  if (op == SQLITE_INSERT) updates[0]++;
  if (op == SQLITE_UPDATE) updates[1]++;
  if (op == SQLITE_DELETE) updates[2]++;
  snprintf(last_table, sizeof last_table, "%s", tbl);
  last_rowid = rowid;
}

static int progress_calls, progress_stop;
static int progress(void *arg) { (void)arg; progress_calls++; return progress_stop; }

static int auth_mode; /* 0 allow, 1 deny inserts, 2 deny read of t.b, 3 ignore read of t.b */
static int auth_selects;
static int authorizer(void *arg, int action, const char *a1, const char *a2, const char *db, const char *trig) {
  (void)arg; (void)db; (void)trig;
  if (action == SQLITE_SELECT) auth_selects++;
  if (auth_mode == 1 && action == SQLITE_INSERT) return SQLITE_DENY;
  if (auth_mode >= 2 && action == SQLITE_READ && streq(a1, "t") && streq(a2, "b"))
    return auth_mode == 2 ? SQLITE_DENY : SQLITE_IGNORE;
  return SQLITE_OK;
}

static int traced_stmt, traced_profile;
static char traced_sql[128];
static int tracer(unsigned type, void *ctx, void *p, void *x) {
  (void)ctx;
  if (type == SQLITE_TRACE_STMT) {
    traced_stmt++;
    char *e = sqlite3_expanded_sql((sqlite3_stmt *)p);
    snprintf(traced_sql, sizeof traced_sql, "%s", e ? e : (const char *)x);
    sqlite3_free(e);
  }
  if (type == SQLITE_TRACE_PROFILE) traced_profile++;
  return 0;
}

static int busy_calls;
static int busy(void *arg, int n) { (void)arg; busy_calls++; return n < 2; }

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  sqlite3 *db = NULL;
  char buf[128];
  int v = 0;
  CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "open");
  sqlite3_exec(db, "create table t(a integer primary key, b text)", 0, 0, 0);

  /* scalar functions */
  static int three = 3;
  CHECK(sqlite3_create_function_v2(db, "times", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, &three,
                                   times_fn, NULL, NULL, on_destroy) == SQLITE_OK, "create_function_v2");
  CHECK(query_int(db, "select times(14)", &v) == SQLITE_OK && v == 42, "scalar with user_data");
  CHECK(streq(query_text(db, "select times(NULL) is null", buf, sizeof buf), "1"), "scalar returns NULL");
  sqlite3_create_function(db, "shout", 1, SQLITE_UTF8, NULL, shout_fn, NULL, NULL);
  CHECK(streq(query_text(db, "select shout('abc')", buf, sizeof buf), "ABC"), "text result with destructor");
  sqlite3_create_function(db, "fail", 0, SQLITE_UTF8, NULL, fail_fn, NULL, NULL);
  CHECK(query_int(db, "select fail()", &v) == SQLITE_ERROR && streq(sqlite3_errmsg(db), "boom from C"),
        "result_error message");
  sqlite3_create_function(db, "code", 0, SQLITE_UTF8, NULL, code_fn, NULL, NULL);
  CHECK(query_int(db, "select code()", &v) == SQLITE_CONSTRAINT, "result_error_code");
  CHECK(query_int(db, "select times(1, 2)", &v) == SQLITE_ERROR, "wrong arity is an error");

  /* re-entrant counter reads */
  sqlite3_create_function(db, "counters", 0, SQLITE_UTF8, NULL, counters_fn, NULL, NULL);
  sqlite3_exec(db, "insert into t values(7, 'x'); insert into t values(8, 'y')", 0, 0, 0);
  CHECK(streq(query_text(db, "select counters()", buf, sizeof buf), "1,8"), "changes/last_insert_rowid inside a function");

  /* redefinition re-prepares; deletion; xDestroy */
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(db, "select times(2)", -1, &st, NULL);
  static int ten = 10;
  CHECK(sqlite3_create_function_v2(db, "times", 1, SQLITE_UTF8, &ten, times_fn, NULL, NULL, on_destroy) == SQLITE_OK,
        "redefine function");
  CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 20, "old statement uses the new definition");
  sqlite3_reset(st);
  CHECK(sqlite3_step(st) == SQLITE_ROW, "statement running");
  CHECK(sqlite3_create_function_v2(db, "times", 1, SQLITE_UTF8, &three, times_fn, NULL, NULL, on_destroy) == SQLITE_BUSY,
        "redefining while a statement runs is SQLITE_BUSY");
  sqlite3_finalize(st);
  CHECK(sqlite3_create_function(db, "times", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL) == SQLITE_OK, "delete function");
  CHECK(query_int(db, "select times(1)", &v) == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "no such function") != NULL,
        "deleted function is gone");
  CHECK(destroyed >= 2, "xDestroy ran for replaced and deleted registrations");

  /* aggregates */
  sqlite3_create_function(db, "mysum", 1, SQLITE_UTF8, NULL, NULL, sum_step, sum_final);
  CHECK(query_int(db, "select mysum(a) from t", &v) == SQLITE_OK && v == 15, "aggregate with aggregate_context");
  CHECK(streq(query_text(db, "select mysum(a) is null from t where a > 100", buf, sizeof buf), "1"),
        "aggregate over no rows: no context allocated");
  sqlite3_exec(db, "insert into t values(1, 'p'); insert into t values(2, 'p')", 0, 0, 0);
  CHECK(streq(query_text(db, "select group_concat(s) from (select mysum(a) s from t group by b order by b)", buf, sizeof buf),
              "3,7,8"), "aggregate per group");

  /* collation */
  CHECK(sqlite3_create_collation_v2(db, "rev", SQLITE_UTF8, NULL, reverse_cmp, on_destroy) == SQLITE_OK, "create_collation_v2");
  CHECK(streq(query_text(db, "select group_concat(b) from (select b from t order by b collate rev)", buf, sizeof buf),
              "y,x,p,p"), "collation orders");
  CHECK(sqlite3_create_collation(db, "rev", SQLITE_UTF8, NULL, NULL) == SQLITE_OK, "delete collation");
  CHECK(query_int(db, "select 1 from t order by b collate rev", &v) == SQLITE_ERROR, "deleted collation is gone");

  /* hooks */
  CHECK(sqlite3_commit_hook(db, commit_hook, &commits) == NULL, "commit_hook: no previous");
  CHECK(sqlite3_commit_hook(db, commit_hook, &rollbacks) == &commits, "commit_hook returns previous arg");
  sqlite3_rollback_hook(db, rollback_hook, NULL);
  sqlite3_update_hook(db, update_hook, NULL);
  sqlite3_exec(db, "insert into t values(20, 'z')", 0, 0, 0);
  CHECK(commits == 1 && updates[0] == 1 && last_rowid == 20 && streq(last_table, "t"), "commit and update hooks on insert");
  sqlite3_exec(db, "update t set b='zz' where a=20; delete from t where a=20", 0, 0, 0);
  CHECK(updates[1] == 1 && updates[2] == 1, "update hook on update and delete");
  deny_commit = 1;
  CHECK(sqlite3_exec(db, "insert into t values(21, 'w')", 0, 0, 0) == SQLITE_CONSTRAINT, "commit hook turns commit into rollback");
  CHECK(sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_COMMITHOOK, "SQLITE_CONSTRAINT_COMMITHOOK");
  CHECK(rollbacks >= 1, "rollback hook called");
  CHECK(query_int(db, "select count(*) from t where a=21", &v) == SQLITE_OK && v == 0, "the row was rolled back");
  deny_commit = 0;
  sqlite3_commit_hook(db, NULL, NULL);
  sqlite3_rollback_hook(db, NULL, NULL);
  sqlite3_update_hook(db, NULL, NULL);

  /* progress handler */
  sqlite3_progress_handler(db, 1, progress, NULL);
  CHECK(query_int(db, "select count(*) from t", &v) == SQLITE_OK && progress_calls > 0, "progress handler called");
  progress_stop = 1;
  CHECK(query_int(db, "select count(*) from t", &v) == SQLITE_INTERRUPT, "progress handler interrupts");
  sqlite3_progress_handler(db, 0, NULL, NULL);
  CHECK(query_int(db, "select count(*) from t", &v) == SQLITE_OK, "progress handler cleared");

  /* authorizer */
  CHECK(sqlite3_set_authorizer(db, authorizer, NULL) == SQLITE_OK, "set_authorizer");
  CHECK(query_int(db, "select 1", &v) == SQLITE_OK && auth_selects > 0, "authorizer sees SQLITE_SELECT");
  auth_mode = 1;
  CHECK(sqlite3_exec(db, "insert into t values(30, 'q')", 0, 0, 0) == SQLITE_AUTH
        && streq(sqlite3_errmsg(db), "not authorized"), "denied INSERT is SQLITE_AUTH");
  auth_mode = 2;
  CHECK(query_int(db, "select length(b) from t", &v) == SQLITE_AUTH && strstr(sqlite3_errmsg(db), "prohibited") != NULL,
        "denied column read");
  CHECK(query_int(db, "select a from t where a = 1", &v) == SQLITE_OK && v == 1, "other columns readable");
  auth_mode = 3;
  CHECK(streq(query_text(db, "select b from t where a = 1", buf, sizeof buf), "(null)"), "ignored column reads NULL");
  sqlite3_set_authorizer(db, NULL, NULL);
  auth_mode = 0;

  /* trace_v2 */
  sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, tracer, NULL);
  sqlite3_prepare_v2(db, "select ?1 + 1", -1, &st, NULL);
  sqlite3_bind_int(st, 1, 41);
  CHECK(sqlite3_step(st) == SQLITE_ROW, "traced statement runs");
  CHECK(traced_stmt == 1 && streq(traced_sql, "select 41 + 1"), "TRACE_STMT with expanded SQL");
  sqlite3_step(st);
  sqlite3_finalize(st);
  CHECK(traced_profile == 1, "TRACE_PROFILE once per run");
  sqlite3_trace_v2(db, 0, NULL, NULL);

  /* txn_state, busy handler, limits */
  CHECK(sqlite3_txn_state(db, NULL) == SQLITE_TXN_NONE, "txn_state none");
  sqlite3_exec(db, "begin; select count(*) from t", 0, 0, 0);
  CHECK(sqlite3_txn_state(db, "main") == SQLITE_TXN_READ, "txn_state read");
  sqlite3_exec(db, "insert into t values(40, 'r')", 0, 0, 0);
  CHECK(sqlite3_txn_state(db, "main") == SQLITE_TXN_WRITE, "txn_state write");
  CHECK(sqlite3_txn_state(db, "nosuch") == -1, "txn_state unknown schema");
  sqlite3_exec(db, "commit", 0, 0, 0);
  CHECK(sqlite3_busy_handler(db, busy, NULL) == SQLITE_OK, "busy_handler installs");
  sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 1);
  CHECK(sqlite3_prepare_v2(db, "select ?, ?", -1, &st, NULL) == SQLITE_ERROR
        && streq(sqlite3_errmsg(db), "too many SQL variables"), "LIMIT_VARIABLE_NUMBER");

  CHECK(sqlite3_close(db) == SQLITE_OK, "close");
  CHECK(destroyed >= 3, "xDestroy of the collation ran");
  printf("%d failures\n", check_failures);
  return check_failures != 0;
}
