/* File names that are not UTF-8 through the C API: sqlite3_open_v2 with
** raw bytes, a file: URI with %XX escapes of those bytes, the -journal,
** -wal and -shm files named from them, ATTACH of a bound byte name,
** sqlite3_db_filename and PRAGMA database_list returning the exact bytes. */
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>
#include "sqlite3.h"
#include "check.h"

static char dir[32];

static void join(char out[200], const char *name) {
  snprintf(out, 200, "%s/%s", dir, name);
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

static int exec(sqlite3 *db, const char *sql) {
  return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* The single text value of `sql`, copied into out (empty on error). */
static void text_of(sqlite3 *db, const char *sql, int col, char *out) {
  sqlite3_stmt *st = NULL;
  out[0] = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, col)) {
    snprintf(out, 256, "%s", (const char *)sqlite3_column_text(st, col));
  }
  sqlite3_finalize(st);
}

static int count_rows(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  int n = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  return n;
}

static void open_by_bytes(const char *name) {
  sqlite3 *db = NULL;
  char buf[256], journal[256];
  int rc = sqlite3_open_v2(name, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  CHECK(rc == SQLITE_OK, "open_v2 with a non-UTF-8 name");
  CHECK(exists(name), "the file has the exact bytes");
  CHECK(exec(db, "PRAGMA journal_mode=PERSIST; CREATE TABLE t(x); INSERT INTO t VALUES(1)") == SQLITE_OK,
        "create and insert");
  snprintf(journal, sizeof journal, "%s-journal", name);
  CHECK(exists(journal), "the journal is <bytes>-journal");
  CHECK(streq(sqlite3_db_filename(db, "main"), name), "db_filename(main) is the bytes");
  text_of(db, "PRAGMA database_list", 2, buf);
  CHECK(streq(buf, name), "database_list shows the bytes");
  CHECK(sqlite3_close(db) == SQLITE_OK, "close");
  unlink(journal);
}

static void open_by_uri(const char *name) {
  sqlite3 *db = NULL;
  char uri[256], wal[256], shm[256];
  snprintf(uri, sizeof uri, "file:%s/c%%FF%%fe.db?mode=rw", dir);
  int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);
  CHECK(rc == SQLITE_OK, "open_v2 of a URI with %FF%fe");
  CHECK(count_rows(db) == 1, "the URI names the same file");
  CHECK(streq(sqlite3_db_filename(db, "main"), name), "db_filename of the URI is the decoded bytes");
  CHECK(exec(db, "PRAGMA journal_mode=WAL; INSERT INTO t VALUES(2)") == SQLITE_OK, "WAL write");
  snprintf(wal, sizeof wal, "%s-wal", name);
  snprintf(shm, sizeof shm, "%s-shm", name);
  CHECK(exists(wal), "the WAL is <bytes>-wal");
  CHECK(exists(shm), "the wal-index is <bytes>-shm");
  CHECK(count_rows(db) == 2, "rows in WAL mode");
  CHECK(sqlite3_close(db) == SQLITE_OK, "close the URI connection");
  CHECK(!exists(wal), "the WAL is deleted at the last close");
}

static void attach_bound_name(const char *name) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char aux[200];
  join(aux, "aux\x80.db");
  CHECK(sqlite3_open_v2(name, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK,
        "reopen");
  int rc = sqlite3_prepare_v2(db, "ATTACH ? AS aux", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, aux, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) printf("# attach: %s\n", sqlite3_errmsg(db));
  CHECK(rc == SQLITE_DONE, "ATTACH of a bound non-UTF-8 name");
  CHECK(exec(db, "CREATE TABLE aux.t(y); INSERT INTO aux.t VALUES(3)") == SQLITE_OK, "write aux");
  CHECK(exists(aux), "the attached file has the exact bytes");
  CHECK(streq(sqlite3_db_filename(db, "aux"), aux), "db_filename(aux) is the bytes");
  CHECK(sqlite3_close(db) == SQLITE_OK, "close");
  unlink(aux);
}

int main(void) {
  char name[200];
  snprintf(dir, sizeof dir, "/tmp/loom-cpaths-XXXXXX");
  if (mkdtemp(dir) == NULL) {
    printf("FAIL - mkdtemp\n");
    return 1;
  }
  join(name, "c\xff\xfe.db");
  open_by_bytes(name);
  open_by_uri(name);
  attach_bound_name(name);
  unlink(name);
  char shm[256];
  snprintf(shm, sizeof shm, "%s-shm", name);
  unlink(shm);
  CHECK(rmdir(dir) == 0, "every file was removed (no stray names)");
  return check_failures != 0;
}
