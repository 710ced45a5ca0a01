/* The C-variadic entry points: sqlite3_mprintf / snprintf / vmprintf /
** vsnprintf / str_appendf, with more arguments than fit in registers,
** and the configuration calls. */
#include <stdarg.h>
#include "sqlite3.h"
#include "check.h"

static char *wrap_vmprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return z;
}

static char *wrap_vsnprintf(int n, char *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = sqlite3_vsnprintf(n, buf, fmt, ap);
  va_end(ap);
  return z;
}

static void expect(char *z, const char *want, const char *name) {
  CHECK(streq(z, want), name);
  if (!streq(z, want)) printf("#   got [%s] want [%s]\n", z ? z : "(null)", want);
  sqlite3_free(z);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  expect(sqlite3_mprintf("%d-%s-%c", 42, "abc", 'x'), "42-abc-x", "mprintf int, string, char");
  expect(sqlite3_mprintf("%lld %x %o", (sqlite3_int64)-1234567890123LL, 255, 8), "-1234567890123 ff 10",
         "mprintf 64-bit, hex, octal");
  expect(sqlite3_mprintf("%.3f %g %e", 3.14159, 0.5, 12345.678), "3.142 0.5 1.234568e+04",
         "mprintf doubles");
  expect(sqlite3_mprintf("'%q' %Q %Q", "it's", "a'b", (char *)0), "'it''s' 'a''b' NULL", "mprintf %q and %Q");
  expect(sqlite3_mprintf("%d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
         "1 2 3 4 5 6 7 8 9 10", "mprintf with stack-passed integers");
  expect(sqlite3_mprintf("%.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %s",
                         1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, "end"),
         "1.0 2.0 3.0 4.0 5.0 6.0 7.0 8.0 9.0 10.0 end", "mprintf with stack-passed doubles");
  expect(sqlite3_mprintf("%5s|%-5s|%05d", "ab", "cd", 42), "   ab|cd   |00042", "mprintf widths");
  expect(wrap_vmprintf("%s=%d", "n", 7), "n=7", "vmprintf through a va_list");
  expect(sqlite3_mprintf("%s", ""), "", "mprintf empty result is an empty string");

  char buf[8];
  char *r = sqlite3_snprintf(sizeof buf, buf, "%s", "truncate me");
  CHECK(r == buf && streq(buf, "truncat"), "snprintf truncates to n-1 bytes");
  sqlite3_snprintf(sizeof buf, buf, "%d%d", 12, 34);
  CHECK(streq(buf, "1234"), "snprintf formats");
  wrap_vsnprintf(sizeof buf, buf, "%c%c", 'o', 'k');
  CHECK(streq(buf, "ok"), "vsnprintf through a va_list");

  sqlite3_str *s = sqlite3_str_new(NULL);
  sqlite3_str_appendf(s, "%d+%d", 1, 2);
  sqlite3_str_appendall(s, "=");
  sqlite3_str_appendf(s, "%.2f", 3.0);
  char *z = sqlite3_str_finish(s);
  expect(z, "1+2=3.00", "str_appendf builds text");

  sqlite3 *db = NULL;
  sqlite3_open(":memory:", &db);
  int on = -1;
  CHECK(sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &on) == SQLITE_OK && on == 1,
        "db_config reports triggers enabled");
  CHECK(sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &on) == SQLITE_OK && on == 0,
        "db_config reports foreign keys off by default");
  sqlite3_close(db);
  return check_failures ? 1 : 0;
}
