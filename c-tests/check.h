/* Tiny test harness for loom's C tests: each CHECK prints "ok - ..." or
** "FAIL - ..." on its own line; run.sh counts them. */
#ifndef LOOM_CHECK_H
#define LOOM_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures = 0;

#define CHECK(cond, name) do { \
    if (cond) { printf("ok - %s\n", name); } \
    else { printf("FAIL - %s (%s:%d)\n", name, __FILE__, __LINE__); check_failures++; } \
  } while (0)

/* Compares two C strings; NULL only equals NULL. */
static int streq(const char *a, const char *b) {
  if (a == NULL || b == NULL) return a == b;
  return strcmp(a, b) == 0;
}

/* True when running against loom (whose source id carries " loom "):
** loom always has SQLite's API armor, so misuse checks that would be
** undefined behaviour on a stock build are only run then. */
#define IS_LOOM() (strstr(sqlite3_sourceid(), " loom ") != NULL)

#endif
