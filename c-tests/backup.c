/* The online backup API and sqlite3_serialize/deserialize: file <-> memory
** copies, step-by-step progress, restart after a concurrent write, the
** error cases (distinct connections, unknown database, destination in use,
** busy source, page size mismatch), and database images. */
#include <stdlib.h>
#include <unistd.h>
#include "sqlite3.h"
#include "check.h"

static const char *DB1 = "/tmp/loom-ctest-backup-1.db";
static const char *DB2 = "/tmp/loom-ctest-backup-2.db";

static void rm(const char *p) {
  char j[512];
  unlink(p);
  snprintf(j, sizeof j, "%s-journal", p);
  unlink(j);
}

static sqlite3 *open_db(const char *name) {
  sqlite3 *db = NULL;
  if (sqlite3_open(name, &db) != SQLITE_OK) return NULL;
  return db;
}

static long long scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -2;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* A source with about 60 pages: 300 rows of 600 bytes. */
static void fill(sqlite3 *db) {
  sqlite3_exec(db,
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b);"
    "CREATE INDEX tb ON t(b);"
    "INSERT INTO t VALUES(1, printf('%600d', 1));", NULL, NULL, NULL);
  for (int i = 0; i < 8; i++)  /* doubles the rows: 256 */
    sqlite3_exec(db, "INSERT INTO t SELECT a + (SELECT max(a) FROM t), printf('%600d', a) FROM t",
                 NULL, NULL, NULL);
  sqlite3_exec(db, "INSERT INTO t SELECT a + 256, b FROM t WHERE a <= 44", NULL, NULL, NULL);
}

static void whole_copy(void) {
  rm(DB1);
  sqlite3 *src = open_db(DB1), *dst = open_db(":memory:");
  fill(src);
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
  CHECK(b != NULL, "backup_init file -> memory");
  if (!b) { printf("# %s\n", sqlite3_errmsg(dst)); return; }
  CHECK(sqlite3_backup_step(b, -1) == SQLITE_DONE, "step(-1) is DONE");
  CHECK(sqlite3_backup_remaining(b) == 0, "remaining 0 after DONE");
  CHECK(sqlite3_backup_pagecount(b) == scalar(src, "PRAGMA page_count"), "pagecount = source page_count");
  CHECK(sqlite3_backup_finish(b) == SQLITE_OK, "finish OK");
  CHECK(scalar(dst, "SELECT count(*) FROM t") == 300, "copy has all rows");
  CHECK(scalar(dst, "SELECT sum(length(b)) FROM t") == 300 * 600, "copy has all bytes");
  CHECK(scalar(dst, "PRAGMA page_count") == scalar(src, "PRAGMA page_count"), "same page count");
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &st, NULL);
  CHECK(sqlite3_step(st) == SQLITE_ROW && streq((const char *)sqlite3_column_text(st, 0), "ok"),
        "copy passes integrity_check");
  sqlite3_finalize(st);

  /* memory -> file, a few pages per step */
  rm(DB2);
  sqlite3 *dst2 = open_db(DB2);
  sqlite3_exec(dst2, "CREATE TABLE old(x); INSERT INTO old VALUES(1);", NULL, NULL, NULL);
  b = sqlite3_backup_init(dst2, "main", dst, "main");
  CHECK(b != NULL, "backup_init memory -> file");
  int steps = 0, rc, ok = 1, total;
  while ((rc = sqlite3_backup_step(b, 7)) == SQLITE_OK) {
    steps++;
    total = sqlite3_backup_pagecount(b);
    if (sqlite3_backup_remaining(b) != total - 7 * steps) ok = 0;
  }
  CHECK(rc == SQLITE_DONE, "stepwise backup ends with DONE");
  CHECK(ok, "remaining decreases by 7 per step");
  CHECK(steps == (sqlite3_backup_pagecount(b) + 6) / 7 - 1, "number of OK steps");
  CHECK(sqlite3_backup_finish(b) == SQLITE_OK, "finish OK (stepwise)");
  CHECK(scalar(dst2, "SELECT count(*) FROM t") == 300, "file copy has all rows");
  CHECK(scalar(dst2, "SELECT count(*) FROM sqlite_schema WHERE name='old'") == 0, "old content replaced");
  sqlite3 *other = open_db(DB2);
  CHECK(scalar(other, "SELECT count(*) FROM t") == 300, "another connection sees the copy");
  sqlite3_close(other);
  sqlite3_close(dst2);
  sqlite3_close(dst);
  sqlite3_close(src);
}

static void errors(void) {
  sqlite3 *a = open_db(":memory:"), *b2 = open_db(":memory:");
  sqlite3_exec(a, "CREATE TABLE x(y); INSERT INTO x VALUES(1);", NULL, NULL, NULL);
  CHECK(sqlite3_backup_init(a, "main", a, "main") == NULL, "same connection refused");
  CHECK(streq(sqlite3_errmsg(a), "source and destination must be distinct"), "distinct message");
  CHECK(sqlite3_backup_init(b2, "main", a, "nosuch") == NULL, "unknown source database");
  CHECK(streq(sqlite3_errmsg(b2), "unknown database nosuch"), "unknown source message on dest");
  CHECK(sqlite3_backup_init(b2, "zzz", a, "main") == NULL, "unknown destination database");
  CHECK(streq(sqlite3_errmsg(b2), "unknown database zzz"), "unknown dest message");
  sqlite3_exec(b2, "BEGIN; CREATE TABLE q(r);", NULL, NULL, NULL);
  CHECK(sqlite3_backup_init(b2, "main", a, "main") == NULL, "destination in a transaction refused");
  CHECK(streq(sqlite3_errmsg(b2), "destination database is in use"), "in use message");
  CHECK(sqlite3_errcode(b2) == SQLITE_ERROR, "in use is SQLITE_ERROR");
  sqlite3_exec(b2, "ROLLBACK", NULL, NULL, NULL);

  /* a source in a write transaction: BUSY, retryable */
  sqlite3_backup *bk = sqlite3_backup_init(b2, "main", a, "main");
  CHECK(bk != NULL, "init ok");
  sqlite3_exec(a, "BEGIN; INSERT INTO x VALUES(2);", NULL, NULL, NULL);
  CHECK(sqlite3_backup_step(bk, -1) == SQLITE_BUSY, "source writing: BUSY");
  sqlite3_exec(a, "COMMIT", NULL, NULL, NULL);
  CHECK(sqlite3_backup_step(bk, -1) == SQLITE_DONE, "retry after commit: DONE");
  CHECK(sqlite3_backup_finish(bk) == SQLITE_OK, "finish after retry");
  CHECK(scalar(b2, "SELECT count(*) FROM x") == 2, "copy after retry has both rows");

  /* the source cannot close while a backup uses it */
  bk = sqlite3_backup_init(b2, "main", a, "main");
  CHECK(sqlite3_close(a) == SQLITE_BUSY, "close(source) during backup is BUSY");
  CHECK(sqlite3_backup_finish(bk) == SQLITE_OK, "finish unstarted backup");

  /* page sizes: an in-memory destination with content and another size */
  sqlite3 *c = open_db(":memory:");
  sqlite3_exec(c, "PRAGMA page_size=1024; CREATE TABLE z(w);", NULL, NULL, NULL);
  bk = sqlite3_backup_init(c, "main", a, "main");
  CHECK(sqlite3_backup_step(bk, -1) == SQLITE_READONLY, "memory dest with other page size: READONLY");
  CHECK(sqlite3_backup_finish(bk) == SQLITE_READONLY, "finish reports READONLY");
  CHECK(scalar(c, "SELECT count(*) FROM z") == 0, "failed backup left dest unchanged");

  /* an empty destination takes the source's page size */
  sqlite3 *e = open_db(":memory:");
  sqlite3_exec(a, "PRAGMA page_size", NULL, NULL, NULL);
  bk = sqlite3_backup_init(e, "main", c, "main");
  CHECK(sqlite3_backup_step(bk, -1) == SQLITE_DONE, "into empty dest: DONE");
  sqlite3_backup_finish(bk);
  CHECK(scalar(e, "PRAGMA page_size") == 1024, "empty dest took page size 1024");

  /* read-only destination */
  rm(DB2);
  sqlite3 *w = open_db(DB2);
  sqlite3_exec(w, "CREATE TABLE k(v)", NULL, NULL, NULL);
  sqlite3_close(w);
  sqlite3 *ro = NULL;
  sqlite3_open_v2(DB2, &ro, SQLITE_OPEN_READONLY, NULL);
  bk = sqlite3_backup_init(ro, "main", a, "main");
  CHECK(bk != NULL, "init on read-only dest");
  CHECK(sqlite3_backup_step(bk, -1) == SQLITE_READONLY, "read-only dest: READONLY");
  CHECK(sqlite3_backup_step(bk, -1) == SQLITE_READONLY, "READONLY is sticky");
  CHECK(sqlite3_backup_finish(bk) == SQLITE_READONLY, "finish READONLY");
  sqlite3_close(ro);

  CHECK(sqlite3_backup_finish(NULL) == SQLITE_OK, "finish(NULL) is OK");
  sqlite3_close(e);
  sqlite3_close(c);
  sqlite3_close(b2);
  CHECK(sqlite3_close(a) == SQLITE_OK, "close source after finish");
}

/* Another connection writes the source between steps: restart. */
static void restart(void) {
  rm(DB1);
  sqlite3 *src = open_db(DB1), *w = open_db(DB1), *dst = open_db(":memory:");
  fill(src);
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
  CHECK(sqlite3_backup_step(b, 5) == SQLITE_OK, "first 5 pages");
  int before = sqlite3_backup_remaining(b);
  sqlite3_exec(w, "INSERT INTO t VALUES(1000, 'late row')", NULL, NULL, NULL);
  CHECK(sqlite3_backup_step(b, 5) == SQLITE_OK, "step after external write");
  CHECK(sqlite3_backup_remaining(b) == sqlite3_backup_pagecount(b) - 5, "restarted from page 1");
  CHECK(before > 0, "pages were left before the write");
  int rc;
  while ((rc = sqlite3_backup_step(b, 5)) == SQLITE_OK) {}
  CHECK(rc == SQLITE_DONE, "restarted backup completes");
  sqlite3_backup_finish(b);
  CHECK(scalar(dst, "SELECT count(*) FROM t") == 301, "copy includes the late row");
  sqlite3_close(dst);
  sqlite3_close(w);
  sqlite3_close(src);
}

static void images(void) {
  sqlite3 *a = open_db(":memory:");
  fill(a);
  sqlite3_int64 n = 0;
  unsigned char *img = sqlite3_serialize(a, "main", &n, 0);
  CHECK(img != NULL, "serialize returns an image");
  CHECK(n == scalar(a, "PRAGMA page_count") * scalar(a, "PRAGMA page_size"), "image size = pages * page size");
  CHECK(img != NULL && memcmp(img, "SQLite format 3", 16) == 0, "image starts with the header");
  sqlite3_int64 saved = n;
  CHECK(sqlite3_serialize(a, "nosuch", &n, 0) == NULL, "unknown schema: NULL");
  CHECK(n == -1, "unknown schema: *pSize is -1");
  n = saved;

  sqlite3 *b = open_db(":memory:");
  unsigned char *copy = sqlite3_malloc64(n);
  sqlite3_int64 len = n;
  sqlite3_serialize(a, "main", &len, 0);
  memcpy(copy, img, n);
  CHECK(sqlite3_deserialize(b, "main", copy, n, n,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) == SQLITE_OK,
        "deserialize FREEONCLOSE|RESIZEABLE");
  CHECK(scalar(b, "SELECT count(*) FROM t") == 300, "deserialized rows");
  CHECK(sqlite3_exec(b, "INSERT INTO t VALUES(999, zeroblob(100000))", NULL, NULL, NULL) == SQLITE_OK,
        "resizeable image grows");

  sqlite3 *c = open_db(":memory:");
  CHECK(sqlite3_deserialize(c, "main", img, n, n, SQLITE_DESERIALIZE_READONLY) == SQLITE_OK,
        "deserialize READONLY");
  CHECK(scalar(c, "SELECT count(*) FROM t") == 300, "read-only image readable");
  CHECK(sqlite3_exec(c, "DELETE FROM t", NULL, NULL, NULL) == SQLITE_READONLY, "read-only image refuses writes");

  sqlite3 *d = open_db(":memory:");
  CHECK(sqlite3_deserialize(d, "main", img, n, n, 0) == SQLITE_OK, "deserialize fixed size");
  CHECK(sqlite3_exec(d, "INSERT INTO t VALUES(999, zeroblob(100000))", NULL, NULL, NULL) == SQLITE_FULL,
        "fixed-size image: FULL when it would grow");
  CHECK(sqlite3_deserialize(d, "nosuch", img, n, n, 0) == SQLITE_ERROR, "deserialize unknown schema");
  sqlite3_free(img);
  sqlite3_close(d);
  sqlite3_close(c);
  sqlite3_close(b);
  sqlite3_close(a);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  whole_copy();
  errors();
  restart();
  images();
  rm(DB1);
  rm(DB2);
  return check_failures != 0;
}
