/*
** test_define.c: user definitions (actjit_define) and the activations
** file.  A defined name must mean exactly its source wherever it is used
** (bare, called, with keywords, under each kink profile); bad definitions
** must fail with a code and the offending bytes and change nothing; the
** catalog lists the newest definition once; a context loads the file of
** its config (or the default path), and a bad line names file and line.
** Also ACTJIT_PART_REWRITES, the stabilizer's report.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static actjit_ctx *ctx_with_file(const char *file, actjit_error *err) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = "";
  cfg.activations_file = file;
  return actjit_ctx_new(&cfg, err);
}

static actjit_status parse_code(actjit_ctx *ctx, const char *src) {
  actjit_error err;
  return tu_parse_status(ctx, src, strlen(src), &err);
}

static void define_ok(actjit_ctx *ctx, const char *def) {
  actjit_error err;
  actjit_status s = actjit_define(ctx, def, ACTJIT_NUL_TERMINATED, &err);
  if (s != ACTJIT_OK)
    fail_msg("define \"%s\": %s at %zu+%zu: %s", def, actjit_status_name(s),
             err.offset, err.length, err.message);
}

/* The values of src (its parameters at their defaults, or bound to p) at
** a few points, by the reference interpreter. */
static void values(actjit_ctx *ctx, const char *src, const double *p,
                   double *y) {
  static const double xs[6] = {-7.5, -1, -0.25, 0, 0.5, 3};
  actjit_expr *e = tu_parse(ctx, src);
  double params[8];
  for (size_t k = 0; k < actjit_param_count(e); k++) {
    double d = NAN;
    if (!p) assert_true(actjit_param_default(e, k, &d));
    params[k] = p ? p[k] : d;
  }
  actjit_error err;
  actjit_status s = actjit_eval(e, params, xs, y, 6, &err);
  if (s != ACTJIT_OK) fail_msg("eval \"%s\": %s", src, err.message);
  actjit_expr_free(e);
}

static void assert_same_values(actjit_ctx *ctx, const char *a,
                               const char *b) {
  double ya[6], yb[6];
  values(ctx, a, NULL, ya);
  values(ctx, b, NULL, yb);
  for (int i = 0; i < 6; i++)
    if (!tu_same_double(ya[i], yb[i]))
      fail_msg("\"%s\" gives %.17g at point %d, \"%s\" %.17g", a, ya[i], i, b,
               yb[i]);
}

/* Each use of a definition against the source it stands for. */
static void t_uses(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_with_file("", NULL);
  assert_non_null(ctx);
  define_ok(ctx, "swishb = x*sigmoid(beta*x)");
  define_ok(ctx, "myelu(x, a=0.5) = x > 0 ? x : a*expm1(x)");
  define_ok(ctx, "  e2 = elu # a comment");
  define_ok(ctx, "twice = a = 2; a*x");
  define_ok(ctx, "chain = myelu(swishb(x, beta=1), a=2)");
  static const struct {
    const char *use, *meaning;
  } table[] = {
      {"swishb(x, beta=2)", "x*sigmoid(2*x)"},
      {"swishb(x - 1, 3)", "(x - 1)*sigmoid(3*(x - 1))"},
      {"myelu", "x > 0 ? x : 0.5*expm1(x)"},
      {"myelu(x, a=2)", "x > 0 ? x : 2*expm1(x)"},
      {"2*myelu(x) + 1", "2*(x > 0 ? x : 0.5*expm1(x)) + 1"},
      {"e2", "elu"},
      {"e2(x, alpha=0.3)", "elu(x, alpha=0.3)"},
      {"twice", "2*x"},
      {"chain", "myelu(x*sigmoid(x), a=2)"},
      /* keywords only: the call applies to x */
      {"swish(beta=1.5)", "x*sigmoid(1.5*x)"},
      {"2*elu(alpha=0.5) + 1", "2*(x > 0 ? x : 0.5*expm1(x)) + 1"},
      {"myelu(a=3)", "x > 0 ? x : 3*expm1(x)"},
  };
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    assert_same_values(ctx, table[i].use, table[i].meaning);
  /* a parameter without a default stays one: bare swishb needs beta */
  actjit_expr *e = tu_parse(ctx, "swishb");
  assert_int_equal(actjit_param_count(e), 1);
  assert_string_equal(actjit_param_name(e, 0), "beta");
  double d;
  assert_false(actjit_param_default(e, 0, &d));
  double p = 1.5, y1[6], y2[6];
  values(ctx, "swishb", &p, y1);
  values(ctx, "x*sigmoid(1.5*x)", NULL, y2);
  for (int i = 0; i < 6; i++) assert_true(tu_same_double(y1[i], y2[i]));
  actjit_expr_free(e);
  /* defaults carry over: myelu's a */
  e = tu_parse(ctx, "myelu");
  assert_int_equal(actjit_param_count(e), 1);
  assert_true(actjit_param_default(e, 0, &d));
  assert_true(d == 0.5);
  actjit_expr_free(e);
  /* redefinition: later sources see the new meaning, older exprs keep
  ** theirs */
  actjit_expr *old = tu_parse(ctx, "twice");
  define_ok(ctx, "twice = 3*x");
  assert_same_values(ctx, "twice", "3*x");
  assert_true(tu_eval1(old, 1) == 2);
  actjit_expr_free(old);
  actjit_ctx_free(ctx);
}

/* Bad definitions: code and bytes, and nothing defined. */
static void t_errors(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_with_file("", NULL);
  static const struct {
    const char *def;
    actjit_status code;
    size_t off, len;
  } table[] = {
      {"relu = x", ACTJIT_EREDEFINE, 0, 4},
      {"  exp = x", ACTJIT_EREDEFINE, 2, 3},
      {"x = 1", ACTJIT_EREDEFINE, 0, 1},
      {"pi(x) = x", ACTJIT_EREDEFINE, 0, 2},
      {"foo_onednn = x", ACTJIT_EREDEFINE, 0, 10},
      {"foo = x +* 2", ACTJIT_ESYNTAX, 9, 1},
      {"foo(x) = x +* 2", ACTJIT_ESYNTAX, 12, 1},
      {"foo = nosuch(x)", ACTJIT_EUNKNOWN, 6, 6},
      {"foo = (x", ACTJIT_EUNBALANCED, 6, 1},
      {"foo == 1", ACTJIT_ESYNTAX, 0, 8},
      {"x*2", ACTJIT_ESYNTAX, 0, 3},
      {"", ACTJIT_ESYNTAX, 0, 0},
      {"foo =", ACTJIT_EINCOMPLETE, 5, 0},
      {"foo(x = x", ACTJIT_ESYNTAX, 0, 9},
  };
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    actjit_error err;
    memset(&err, 0x5a, sizeof err);
    actjit_status s = actjit_define(ctx, table[i].def, ACTJIT_NUL_TERMINATED,
                                    &err);
    if (s != table[i].code || err.offset != table[i].off ||
        err.length != table[i].len)
      fail_msg("define \"%s\": %s at %zu+%zu (%s), want %s at %zu+%zu",
               table[i].def, actjit_status_name(s), err.offset, err.length,
               err.message, actjit_status_name(table[i].code), table[i].off,
               table[i].len);
    assert_true(err.message[0] != 0);
    assert_non_null(memchr(err.message, 0, sizeof err.message));
  }
  assert_int_equal(parse_code(ctx, "foo"), ACTJIT_OK); /* a parameter */
  assert_int_equal(parse_code(ctx, "foo(x)"), ACTJIT_EUNKNOWN);
  /* keywords-only calls are for the catalog's and the user's activations,
  ** not for a helper of the source */
  assert_int_equal(parse_code(ctx, "h(u, k=1) = k*u; h(k=2)"), ACTJIT_EARITY);
  assert_int_equal(parse_code(ctx, "mish()"), ACTJIT_EARITY); /* no args */
  assert_int_equal(actjit_define(NULL, "a = x", 5, NULL), ACTJIT_EINVAL);
  assert_int_equal(actjit_define(ctx, NULL, 0, NULL), ACTJIT_EINVAL);
  /* the input limit applies */
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.activations_file = "";
  cfg.cache_dir = "";
  cfg.limits.max_input_bytes = 16;
  actjit_ctx *small = actjit_ctx_new(&cfg, NULL);
  assert_non_null(small);
  assert_int_equal(actjit_define(small, "abc = x + 1 + 2 + 3", 19, NULL),
                   ACTJIT_ELIMIT_INPUT);
  assert_int_equal(actjit_define(small, "abc = x + 1", 11, NULL), ACTJIT_OK);
  actjit_ctx_free(small);
  actjit_ctx_free(ctx);
}

static void t_definition_name(void **state) {
  (void)state;
  static const struct {
    const char *text;
    size_t off, len; /* len 0: not a definition */
  } table[] = {
      {"foo = x", 0, 3},         {"  foo_1 = x", 2, 5},
      {"foo(x, a=1) = x", 0, 3}, {"foo (x) = x", 0, 3},
      {"foo == x", 0, 0},        {"foo(x) == 1", 0, 0},
      {"x*2", 0, 0},             {"1 = x", 0, 0},
      {"foo(x = x", 0, 0},       {"foo(x) # = x", 0, 0},
      {"", 0, 0},
  };
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    size_t off = 99;
    size_t n = actjit_definition_name(table[i].text, ACTJIT_NUL_TERMINATED,
                                      &off);
    if (n != table[i].len || (n && off != table[i].off))
      fail_msg("\"%s\": %zu at %zu, want %zu at %zu", table[i].text, n, off,
               table[i].len, table[i].off);
  }
  assert_int_equal(actjit_definition_name(NULL, 0, NULL), 0);
}

/* How many times name is listed, and its kind. */
static int listed(actjit_ctx *ctx, const char *name, int *kind) {
  int count = 0;
  const char *n;
  for (size_t i = 0; (n = actjit_catalog_name(ctx, i, NULL)); i++) {
    if (strcmp(n, name) != 0) continue;
    count++;
    actjit_catalog_name(ctx, i, kind);
  }
  return count;
}

static void t_catalog(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_with_file("", NULL);
  int kind = -1;
  assert_int_equal(listed(ctx, "mine", &kind), 0);
  define_ok(ctx, "mine = x*2");
  define_ok(ctx, "mine = x*3");
  assert_int_equal(listed(ctx, "mine", &kind), 1);
  assert_int_equal(kind, 2);
  assert_int_equal(listed(ctx, "mine_onednn", &kind), 0);
  assert_int_equal(listed(ctx, "relu", &kind), 1);
  assert_int_equal(kind, 1);
  assert_int_equal(listed(ctx, "exp", &kind), 1);
  assert_int_equal(kind, 0);
  actjit_ctx_free(ctx);
}

/* f' at x of src compiled under profile, by the kernels. */
static float backward_at(actjit_ctx *ctx, const char *src, int profile,
                         float x) {
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.profile = (actjit_profile)profile;
  actjit_activation *a = NULL;
  actjit_error err;
  if (actjit_compile(ctx, src, &opt, &a, &err) != ACTJIT_OK)
    fail_msg("compile \"%s\": %s", src, err.message);
  float dy = 1, dx = NAN;
  assert_int_equal(actjit_backward_f32(a, &x, &dy, &dx, 1), ACTJIT_OK);
  actjit_activation_free(a);
  return dx;
}

/* A definition follows the profile it is compiled under. */
static void t_profiles(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_with_file("", NULL);
  define_ok(ctx, "r6 = relu6(x)");
  define_ok(ctx, "ht(x, lo=-1) = hardtanh(x, min_val=lo)");
  for (int p = 0; p <= 2; p++) {
    for (float x = -1; x <= 6; x += 7) {
      float want = backward_at(ctx, "relu6", p, x);
      float got = backward_at(ctx, "r6", p, x);
      if (!tu_same_double(want, got))
        fail_msg("profile %d, x = %g: r6' = %g, relu6' = %g", p, x, got, want);
      want = backward_at(ctx, "hardtanh", p, x);
      got = backward_at(ctx, "ht", p, x);
      if (!tu_same_double(want, got))
        fail_msg("profile %d, x = %g: ht' = %g, hardtanh' = %g", p, x, got,
                 want);
    }
  }
  /* the torch and onednn kinks differ, so the test above can tell */
  assert_true(backward_at(ctx, "r6", 0, 6) != backward_at(ctx, "r6", 1, 6));
  actjit_ctx_free(ctx);
}

static char g_dir[64];

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

static void t_file(void **state) {
  (void)state;
  strcpy(g_dir, "/tmp/actjit-define-XXXXXX");
  assert_non_null(mkdtemp(g_dir));
  char path[128], bad[128], sub[128];
  snprintf(path, sizeof path, "%s/good.act", g_dir);
  snprintf(bad, sizeof bad, "%s/bad.act", g_dir);
  write_text(path, "# my activations\n"
                   "\n"
                   "sq = x^2\n"
                   "   \n"
                   "lin(x, k=3) = k*x\n"
                   "sq = x^3\n");
  actjit_error err;
  actjit_ctx *ctx = ctx_with_file(path, &err);
  if (!ctx) fail_msg("ctx_new: %s", err.message);
  assert_same_values(ctx, "sq", "x^3"); /* the later line wins */
  assert_same_values(ctx, "lin", "3*x");
  actjit_ctx_free(ctx);
  /* a bad line: the context is not made; file, line and bytes named */
  const char *text = "ok = x\n# fine\nbroken = x +* 1\nlater = x\n";
  write_text(bad, text);
  memset(&err, 0, sizeof err);
  ctx = ctx_with_file(bad, &err);
  assert_null(ctx);
  assert_int_equal(err.code, ACTJIT_ESYNTAX);
  assert_non_null(strstr(err.message, "bad.act:3:"));
  assert_int_equal(err.offset, (size_t)(strstr(text, "*") - text));
  assert_int_equal(err.length, 1);
  /* an explicit file must exist */
  snprintf(sub, sizeof sub, "%s/missing.act", g_dir);
  ctx = ctx_with_file(sub, &err);
  assert_null(ctx);
  assert_int_equal(err.code, ACTJIT_EIO);
  assert_non_null(strstr(err.message, "missing.act"));
  /* the default path: $XDG_CONFIG_HOME/actjit/activations.act when it
  ** exists, nothing when it does not */
  char *saved = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME"))
                                          : NULL;
  setenv("XDG_CONFIG_HOME", g_dir, 1);
  char want[256], got[256];
  snprintf(want, sizeof want, "%s/actjit/activations.act", g_dir);
  assert_int_equal(actjit_activations_path(got, sizeof got), strlen(want));
  assert_string_equal(got, want);
  assert_int_equal(actjit_activations_path(got, 8), 0);
  ctx = ctx_with_file(NULL, &err);
  assert_non_null(ctx);
  assert_int_equal(parse_code(ctx, "sq(x)"), ACTJIT_EUNKNOWN);
  actjit_ctx_free(ctx);
  snprintf(sub, sizeof sub, "%s/actjit", g_dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  write_text(want, "sq = x^2\n");
  ctx = ctx_with_file(NULL, &err);
  assert_non_null(ctx);
  assert_same_values(ctx, "sq", "x^2");
  actjit_ctx_free(ctx);
  /* the default file's bad lines are skipped (one bad line must not stop
  ** every program); the good ones still load */
  write_text(want, "sq = x^2\nbroken = x +* 1\nuses = nosuch(x)\nlin = 3*x\n");
  ctx = ctx_with_file(NULL, &err);
  assert_non_null(ctx);
  assert_same_values(ctx, "sq", "x^2");
  assert_same_values(ctx, "lin", "3*x");
  assert_int_equal(parse_code(ctx, "broken(x)"), ACTJIT_EUNKNOWN);
  actjit_ctx_free(ctx);
  ctx = ctx_with_file(want, &err); /* the same file named: strict */
  assert_null(ctx);
  assert_non_null(strstr(err.message, "activations.act:2:"));
  ctx = ctx_with_file("", &err); /* "" : none */
  assert_int_equal(parse_code(ctx, "sq(x)"), ACTJIT_EUNKNOWN);
  actjit_ctx_free(ctx);
  if (saved) setenv("XDG_CONFIG_HOME", saved, 1);
  else unsetenv("XDG_CONFIG_HOME");
  free(saved);
  unlink(want);
  rmdir(sub);
  unlink(path);
  unlink(bad);
  rmdir(g_dir);
}

static char *describe(actjit_ctx *ctx, const char *src) {
  actjit_activation *a = NULL;
  actjit_error err;
  if (actjit_compile(ctx, src, NULL, &a, &err) != ACTJIT_OK)
    fail_msg("compile \"%s\": %s", src, err.message);
  char *t = NULL;
  assert_int_equal(actjit_describe(a, ACTJIT_PART_REWRITES, &t, &err),
                   ACTJIT_OK);
  actjit_activation_free(a);
  return t;
}

/* The stabilizer's report names the rules that fired. */
static void t_rewrites(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_with_file("", NULL);
  char *t = describe(ctx, "log(1 + exp(x))");
  assert_non_null(strstr(t, "softplus: log(1 + exp(u)) -> log1pexp(u)\n"));
  actjit_free(t);
  t = describe(ctx, "mish");
  assert_non_null(strstr(t, "mish_tanh: "));
  actjit_free(t);
  t = describe(ctx, "relu");
  assert_string_equal(t, "");
  actjit_free(t);
  actjit_ctx_free(ctx);
}

/* ACTJIT_PART_WRITTEN: f as written and its derivatives, before the
** rewrites, under the activation's profile. */
static void t_written(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_with_file("", NULL);
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  const char *runtime[1] = {"alpha"};
  opt.runtime = runtime;
  opt.nruntime = 1;
  actjit_activation *a = NULL;
  actjit_error err;
  assert_int_equal(actjit_compile(ctx, "elu", &opt, &a, &err), ACTJIT_OK);
  char *t = NULL;
  assert_int_equal(actjit_describe(a, ACTJIT_PART_WRITTEN, &t, &err),
                   ACTJIT_OK);
  assert_string_equal(t, "f = x > 0 ? x : alpha*expm1(x)\n"
                         "f' = x > 0 ? 1 : alpha*exp(x)\n"
                         "df/dalpha = x > 0 ? 0 : expm1(x)\n");
  actjit_free(t);
  actjit_activation_free(a);
  /* before the rewrites: log(1 + exp(x)) stays, the kernels' f has none */
  assert_int_equal(actjit_compile(ctx, "log(1 + exp(x))", NULL, &a, &err),
                   ACTJIT_OK);
  assert_int_equal(actjit_describe(a, ACTJIT_PART_WRITTEN, &t, &err),
                   ACTJIT_OK);
  assert_non_null(strstr(t, "f = log(exp(x) + 1)\n")); /* simplified */
  actjit_free(t);
  assert_int_equal(actjit_describe(a, ACTJIT_PART_F, &t, &err), ACTJIT_OK);
  assert_null(strstr(t, "log(1 + exp(x))"));
  actjit_free(t);
  actjit_activation_free(a);
  /* the profile: clamp's f' at a bound */
  opt.runtime = NULL;
  opt.nruntime = 0;
  opt.profile = ACTJIT_PROFILE_MINNORM;
  assert_int_equal(actjit_compile(ctx, "relu6", &opt, &a, &err), ACTJIT_OK);
  assert_int_equal(actjit_describe(a, ACTJIT_PART_WRITTEN, &t, &err),
                   ACTJIT_OK);
  assert_non_null(strstr(t, "f' = "));
  actjit_free(t);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_uses),    cmocka_unit_test(t_errors),
      cmocka_unit_test(t_definition_name),
      cmocka_unit_test(t_catalog), cmocka_unit_test(t_profiles),
      cmocka_unit_test(t_file),    cmocka_unit_test(t_rewrites),
      cmocka_unit_test(t_written),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
