/*
** fe_check.h: helpers private to the front-end suites (test_lexer,
** test_parser, test_errors, test_limits, test_alloc, test_hostile):
** checked parse with sentinels, the shape every error must have,
** printable names for table rows, and one CMocka test per table row.
** Header-only (static inline), so testutil.[ch], shared with other
** suites, stays as it is.
*/
#ifndef AJ_FE_CHECK_H
#define AJ_FE_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Offset/length value meaning "not checked". */
#define FE_ANY ((size_t)-2)
/* Offset value meaning "the length of the source" (EINCOMPLETE). */
#define FE_END ((size_t)-3)

/* A printable copy of src[0, len) (escapes, truncated to about max
** bytes of input); malloc'd, never NULL. */
static inline char *fe_escape(const char *s, size_t len, size_t max) {
  size_t cap = (len < max ? len : max) * 4 + 16;
  char *o = malloc(cap);
  size_t j = 0;
  if (!o)
    return (char *)"(oom)";
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (i >= max) {
      j += (size_t)snprintf(o + j, cap - j, "...(%zu bytes)", len);
      break;
    }
    if (c == '\n') {
      o[j++] = '\\';
      o[j++] = 'n';
    } else if (c == '\t') {
      o[j++] = '\\';
      o[j++] = 't';
    } else if (c == '\\') {
      o[j++] = '\\';
      o[j++] = '\\';
    } else if (c < 0x20 || c >= 0x7f) {
      j += (size_t)snprintf(o + j, cap - j, "\\x%02x", c);
    } else {
      o[j++] = (char)c;
    }
  }
  o[j] = 0;
  return o;
}

/* Asserts the shape every error must have: code == s, a message that is
** non-empty, NUL-terminated inside the buffer and one line, and a span
** inside the source (srclen bytes; FE_ANY to skip that check). */
static inline void fe_check_shape(const char *what, actjit_status s,
                                  const actjit_error *err, size_t srclen) {
  if (err->code != s)
    fail_msg("%s: returned %s but err.code is %d", what, actjit_status_name(s),
             (int)err->code);
  if (!memchr(err->message, 0, sizeof err->message))
    fail_msg("%s: err.message is not NUL-terminated", what);
  if (err->message[0] == 0)
    fail_msg("%s: err.message is empty", what);
  if (strchr(err->message, '\n'))
    fail_msg("%s: err.message is not one line: %s", what, err->message);
  if (srclen != FE_ANY &&
      (err->offset > srclen || err->length > srclen - err->offset))
    fail_msg("%s: error span %zu+%zu outside the source (%zu bytes)", what,
             err->offset, err->length, srclen);
}

/* Parses src[0, len) expecting failure with `code` at off/length (FE_ANY:
** unchecked; off FE_END: the source length).  Checks *out is NULL and the
** error's shape.  Returns the error for further checks. */
static inline actjit_error fe_expect(actjit_ctx *ctx, const char *src,
                                     size_t len, actjit_status code, size_t off,
                                     size_t length) {
  actjit_error err;
  memset(&err, 0x5a, sizeof err);
  actjit_expr *out = (actjit_expr *)&err; /* a sentinel, never freed */
  size_t n = len == ACTJIT_NUL_TERMINATED ? strlen(src) : len;
  char *name = fe_escape(src, n, 80);
  actjit_status s = actjit_parse(ctx, src, len, &out, &err);
  if (s == ACTJIT_OK) {
    actjit_expr_free(out);
    fail_msg("\"%s\": parsed, want %s", name, actjit_status_name(code));
  }
  if (out != NULL)
    fail_msg("\"%s\": failed with %s but *out is not NULL", name,
             actjit_status_name(s));
  fe_check_shape(name, s, &err, n);
  if (s != code)
    fail_msg("\"%s\": got %s at %zu+%zu (%s), want %s", name,
             actjit_status_name(s), err.offset, err.length, err.message,
             actjit_status_name(code));
  if (off == FE_END)
    off = n;
  if ((off != FE_ANY && err.offset != off) ||
      (length != FE_ANY && err.length != length))
    fail_msg("\"%s\": %s at %zu+%zu (%s), want at %zu+%zu", name,
             actjit_status_name(s), err.offset, err.length, err.message,
             off == FE_ANY ? err.offset : off,
             length == FE_ANY ? err.length : length);
  free(name);
  return err;
}

/* Parses src[0, len) or fails the test with the error. */
static inline actjit_expr *fe_parse(actjit_ctx *ctx, const char *src,
                                    size_t len) {
  actjit_error err;
  memset(&err, 0, sizeof err);
  actjit_expr *out = NULL;
  actjit_status s = actjit_parse(ctx, src, len, &out, &err);
  if (s != ACTJIT_OK) {
    size_t n = len == ACTJIT_NUL_TERMINATED ? strlen(src) : len;
    char *name = fe_escape(src, n, 80);
    fail_msg("\"%s\": %s at %zu+%zu: %s", name, actjit_status_name(s),
             err.offset, err.length, err.message);
  }
  if (out == NULL)
    fail_msg("parse returned OK with *out NULL");
  return out;
}

/* e at x with default parameters, or fails the test. */
static inline double fe_eval1(const actjit_expr *e, double x,
                              const char *what) {
  actjit_error err;
  double y = 0;
  actjit_status s = actjit_eval(e, NULL, &x, &y, 1, &err);
  if (s != ACTJIT_OK)
    fail_msg("eval %s at %g: %s: %s", what, x, actjit_status_name(s),
             err.message);
  return y;
}

/* A context with the given limits (default allocator), or fails. */
static inline actjit_ctx *fe_ctx_limits(const actjit_limits *lim) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  if (lim)
    cfg.limits = *lim;
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  if (!ctx)
    fail_msg("actjit_ctx_new: %s", err.message);
  return ctx;
}

/* A growable array of CMocka tests: fixed tests plus one per table row. */
typedef struct fe_group {
  struct CMUnitTest *t;
  size_t n, cap;
  char **owned; /* malloc'd names, freed by fe_run */
  size_t nowned, capowned;
} fe_group;

/* Hands p (malloc'd) to the group, which frees it after the run. */
static inline char *fe_own(fe_group *g, char *p) {
  if (g->nowned == g->capowned) {
    g->capowned = g->capowned ? 2 * g->capowned : 64;
    g->owned = realloc(g->owned, g->capowned * sizeof *g->owned);
    if (!g->owned)
      abort();
  }
  g->owned[g->nowned++] = p;
  return p;
}

static inline void fe_add(fe_group *g, const char *name, CMUnitTestFunction fn,
                          void *state) {
  if (g->n == g->cap) {
    g->cap = g->cap ? 2 * g->cap : 64;
    g->t = realloc(g->t, g->cap * sizeof *g->t);
    if (!g->t)
      abort();
  }
  struct CMUnitTest u = {name, fn, NULL, NULL, state};
  g->t[g->n++] = u;
}

/* "prefix: escaped src" as a test name (owned by the group). */
static inline const char *fe_row_name(fe_group *g, const char *prefix,
                                      const char *src, size_t len) {
  size_t n = len == ACTJIT_NUL_TERMINATED ? strlen(src) : len;
  char *e = fe_escape(src, n, 60);
  size_t cap = strlen(prefix) + strlen(e) + 8;
  char *name = malloc(cap);
  if (!name)
    abort();
  snprintf(name, cap, "%s: %s", prefix, e);
  free(e);
  return fe_own(g, name);
}

static inline int fe_run(fe_group *g, const char *group_name) {
  int rc = _cmocka_run_group_tests(group_name, g->t, g->n, NULL, NULL);
  free(g->t);
  for (size_t i = 0; i < g->nowned; i++)
    free(g->owned[i]);
  free(g->owned);
  memset(g, 0, sizeof *g);
  return rc;
}

/* A malloc'd string: `pre`, then `mid` n times, then `post`. */
static inline char *fe_repeat(const char *pre, const char *mid, size_t n,
                              const char *post) {
  size_t a = strlen(pre), b = strlen(mid), c = strlen(post);
  char *s = malloc(a + b * n + c + 1);
  if (!s)
    abort();
  memcpy(s, pre, a);
  for (size_t i = 0; i < n; i++)
    memcpy(s + a + i * b, mid, b);
  memcpy(s + a + b * n, post, c + 1);
  return s;
}

#endif
