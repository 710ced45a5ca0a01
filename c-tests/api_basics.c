/* Engine-independent parts of the C API: identity, error strings, memory,
** string helpers, keywords, and API armor on NULL / invalid handles. */
#include <stdlib.h>
#include "sqlite3.h"
#include "check.h"

static void identity(void) {
  CHECK(streq(sqlite3_libversion(), "3.40.1"), "sqlite3_libversion is 3.40.1");
  CHECK(streq(sqlite3_libversion(), SQLITE_VERSION), "libversion matches SQLITE_VERSION");
  CHECK(streq(sqlite3_version, SQLITE_VERSION), "sqlite3_version data symbol");
  CHECK(sqlite3_libversion_number() == 3040001, "libversion_number is 3040001");
  CHECK(SQLITE_VERSION_NUMBER == sqlite3_libversion_number(), "SQLITE_VERSION_NUMBER matches");
  CHECK(strncmp(sqlite3_sourceid(), "2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd", 60) == 0,
        "sourceid starts with 3.40.1's check-in");
  CHECK(strncmp(sqlite3_sourceid(), SQLITE_SOURCE_ID, 60) == 0, "sourceid prefix matches SQLITE_SOURCE_ID");
  CHECK(sqlite3_threadsafe() == 1, "threadsafe is 1 (serialized)");
  CHECK(sqlite3_initialize() == SQLITE_OK, "initialize");
}

static void error_strings(void) {
  CHECK(streq(sqlite3_errstr(SQLITE_OK), "not an error"), "errstr(OK)");
  CHECK(streq(sqlite3_errstr(SQLITE_MISUSE), "bad parameter or other API misuse"), "errstr(MISUSE)");
  CHECK(streq(sqlite3_errstr(SQLITE_CONSTRAINT_UNIQUE), "constraint failed"), "errstr(CONSTRAINT_UNIQUE)");
  CHECK(streq(sqlite3_errstr(SQLITE_ROW), "another row available"), "errstr(ROW)");
  CHECK(streq(sqlite3_errstr(SQLITE_ABORT_ROLLBACK), "abort due to ROLLBACK"), "errstr(ABORT_ROLLBACK)");
  CHECK(streq(sqlite3_errstr(200), "unknown error"), "errstr(unknown)");
  CHECK(streq(sqlite3_errstr(9999), "locking protocol"), "errstr uses the low byte");
}

static void memory(void) {
  char *p = sqlite3_malloc(16);
  CHECK(p != NULL && sqlite3_msize(p) >= 16, "malloc + msize");
  p = sqlite3_realloc(p, 4096);
  CHECK(p != NULL && sqlite3_msize(p) >= 4096, "realloc grows");
  sqlite3_free(p);
  CHECK(sqlite3_malloc(0) == NULL && sqlite3_malloc(-1) == NULL, "malloc(0) and malloc(-1) are NULL");
  p = sqlite3_malloc64(8);
  CHECK(sqlite3_realloc64(p, 0) == NULL, "realloc64(p, 0) frees");
  sqlite3_free(NULL);
  unsigned char r[32] = {0};
  sqlite3_randomness(sizeof r, r);
  int nz = 0;
  for (unsigned i = 0; i < sizeof r; i++) nz |= r[i];
  CHECK(nz != 0, "randomness fills the buffer");
}

static void strings_and_keywords(void) {
  CHECK(sqlite3_stricmp("SeLeCt", "select") == 0, "stricmp equal");
  CHECK(sqlite3_stricmp("a", "b") < 0 && sqlite3_stricmp("b", "A") > 0, "stricmp order");
  CHECK(sqlite3_strnicmp("abcdef", "ABCxyz", 3) == 0, "strnicmp prefix");
  CHECK(sqlite3_keyword_count() == 147, "147 keywords");
  CHECK(sqlite3_keyword_check("select", 6) == 1 && sqlite3_keyword_check("selects", 7) == 0,
        "keyword_check");
  const char *z = NULL; int n = 0;
  CHECK(sqlite3_keyword_name(0, &z, &n) == SQLITE_OK && z != NULL && n > 0, "keyword_name(0)");
  CHECK(sqlite3_keyword_name(147, &z, &n) == SQLITE_ERROR, "keyword_name out of range");
}

static void armor(void) {
  CHECK(sqlite3_step(NULL) == SQLITE_MISUSE, "step(NULL) is MISUSE");
  CHECK(sqlite3_finalize(NULL) == SQLITE_OK, "finalize(NULL) is OK");
  CHECK(sqlite3_close(NULL) == SQLITE_OK, "close(NULL) is OK");
  CHECK(sqlite3_close_v2(NULL) == SQLITE_OK, "close_v2(NULL) is OK");
  CHECK(sqlite3_errcode(NULL) == SQLITE_NOMEM, "errcode(NULL) is NOMEM");
  CHECK(streq(sqlite3_errmsg(NULL), "out of memory"), "errmsg(NULL)");
  CHECK(sqlite3_column_count(NULL) == 0, "column_count(NULL) is 0");
  CHECK(sqlite3_column_text(NULL, 0) == NULL, "column_text(NULL) is NULL");
  CHECK(sqlite3_bind_int(NULL, 1, 1) == SQLITE_MISUSE, "bind_int(NULL) is MISUSE");
  CHECK(sqlite3_reset(NULL) == SQLITE_OK, "reset(NULL) is OK");

  sqlite3 *db = NULL;
  CHECK(sqlite3_open_v2(":memory:", &db, 0, NULL) == SQLITE_MISUSE,
        "open_v2 with no access flags is MISUSE");
  db = NULL;
  CHECK(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK,
        "open_v2 :memory:");
  CHECK(sqlite3_errcode(db) == SQLITE_OK && streq(sqlite3_errmsg(db), "not an error"),
        "fresh connection: not an error");
  sqlite3_stmt *st = (sqlite3_stmt *)1;
  const char *tail = NULL;
  const char *empty = "   ";
  CHECK(sqlite3_prepare_v2(db, empty, -1, &st, &tail) == SQLITE_OK && st == NULL,
        "prepare of blank SQL: OK with NULL statement");
  CHECK(tail == empty + 3, "tail points at the end of blank SQL");
  if (IS_LOOM()) {
    /* A NULL ppStmt crashes a stock build (no API armor). */
    CHECK(sqlite3_prepare_v2(db, "SELECT 1", -1, NULL, NULL) == SQLITE_MISUSE, "prepare with NULL ppStmt");
  }
  CHECK(sqlite3_prepare_v2(NULL, "SELECT 1", -1, &st, NULL) == SQLITE_MISUSE && st == NULL,
        "prepare on NULL db");
  CHECK(sqlite3_next_stmt(db, NULL) == NULL, "no statements yet");
  CHECK(sqlite3_get_autocommit(db) == 1, "autocommit on a fresh connection");
  CHECK(sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1) == 250000, "default variable-number limit");
  CHECK(sqlite3_limit(db, 99, -1) == -1, "unknown limit is -1");
  CHECK(sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100) == 2000 && sqlite3_limit(db, SQLITE_LIMIT_COLUMN, -1) == 100,
        "limit set and read back");
  CHECK(sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 1 << 30) == 100 && sqlite3_limit(db, SQLITE_LIMIT_COLUMN, -1) == 2000,
        "limit clamps to the hard maximum");
  CHECK(sqlite3_busy_timeout(db, 100) == SQLITE_OK, "busy_timeout");
  CHECK(sqlite3_db_filename(db, "main") != NULL && sqlite3_db_filename(db, "main")[0] == 0,
        "in-memory db_filename is empty");
  CHECK(sqlite3_close(db) == SQLITE_OK, "close");
  if (IS_LOOM()) {
    /* Undefined behaviour on a stock SQLite build; loom always detects it. */
    CHECK(sqlite3_close(db) == SQLITE_MISUSE, "second close is MISUSE");
    CHECK(sqlite3_errcode(db) == SQLITE_MISUSE, "errcode on a closed handle is MISUSE");
    CHECK(sqlite3_step((sqlite3_stmt *)db) == SQLITE_MISUSE, "step on a non-statement pointer");
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  identity();
  error_strings();
  memory();
  strings_and_keywords();
  armor();
  return check_failures ? 1 : 0;
}
