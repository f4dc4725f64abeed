/*
** test_print_c.c: ACTJIT_PART_C, an activation as plain C.  Each source of
** a table, and one source per operator of ops.def, is compiled by actjit;
** its C text is built by cc (-Werror) and run, and its f and f' compared
** with the reference interpreter on the parsed source and its derivative.
** The text is f as written (no stabilizing rewrites, the same with
** ACTJIT_NO_STABILIZE), follows the kink profile, defines only the helpers
** it uses, spells NaN and the infinities as <math.h>'s macros and numbers
** with '.' under a comma locale; allocation failures are clean.  The parts
** that need cc are skipped, saying so, when cc is not on PATH.
*/
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof *(a))

static char tmpdir[64]; /* made by the group setup */

static int have_cc(void) {
  static int known = -1;
  if (known < 0) known = system("command -v cc >/dev/null 2>&1") == 0;
  return known;
}

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/aj_print_c_XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  const char *files[] = {"prog.c", "prog", "cc.log"};
  char path[128];
  for (size_t i = 0; i < NELEM(files); i++) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
    unlink(path);
  }
  rmdir(tmpdir);
  return 0;
}

static actjit_ctx *ctx_new(tu_alloc *a) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = "";
  cfg.activations_file = "";
  if (a) {
    cfg.alloc = tu_alloc_fn;
    cfg.alloc_ud = a;
  }
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  if (!ctx) fail_msg("actjit_ctx_new: %s", err.message);
  return ctx;
}

static actjit_activation *compile(actjit_ctx *ctx, const char *src,
                                  const actjit_options *opt) {
  actjit_activation *a = NULL;
  actjit_error err;
  actjit_status s = actjit_compile(ctx, src, opt, &a, &err);
  if (s != ACTJIT_OK)
    fail_msg("compile \"%s\": %s: %s", src, actjit_status_name(s),
             err.message);
  return a;
}

/* a's part, or fails the test.  Free with actjit_free. */
static char *part(const actjit_activation *a, actjit_part p, const char *src) {
  char *text = NULL;
  actjit_error err;
  actjit_status s = actjit_describe(a, p, &text, &err);
  if (s != ACTJIT_OK)
    fail_msg("describe %d of \"%s\": %s: %s", (int)p, src,
             actjit_status_name(s), err.message);
  assert_non_null(text);
  return text;
}

/* ACTJIT_PART_C of src compiled with opt (NULL: defaults). */
static char *c_text(actjit_ctx *ctx, const char *src,
                    const actjit_options *opt) {
  actjit_activation *a = compile(ctx, src, opt);
  char *text = part(a, ACTJIT_PART_C, src);
  actjit_activation_free(a);
  return text;
}

/* Builds text with a main that prints actjit_c_f and actjit_c_df (p[] =
** params) at each of xs[0..n), runs it and reads the results.  0 when cc
** is missing (nothing is filled); fails the test when the text does not
** build. */
static int run_c(const char *text, const char *src, const double *params,
                 size_t np, const double *xs, size_t n, double *f,
                 double *df) {
  if (!have_cc()) return 0;
  char path[128], cmd[512];
  snprintf(path, sizeof path, "%s/prog.c", tmpdir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "%s\n#include <stdio.h>\n\nint main(void) {\n", text);
  fprintf(fp, "  static const double p[] = {");
  for (size_t k = 0; k < np; k++) fprintf(fp, "%a, ", params[k]);
  fprintf(fp, "0};\n  static const double xs[] = {");
  for (size_t i = 0; i < n; i++) fprintf(fp, "%a, ", xs[i]);
  fprintf(fp, "0};\n"
              "  for (int i = 0; i < %zu; i++)\n"
              "    printf(\"%%a %%a\\n\", actjit_c_f(xs[i], p), "
              "actjit_c_df(xs[i], p));\n"
              "  return 0;\n}\n",
          n);
  assert_int_equal(fclose(fp), 0);
  snprintf(cmd, sizeof cmd,
           "cc -std=c99 -O2 -Wall -Wextra -pedantic -Werror "
           "-Wno-unused-function -o %s/prog %s/prog.c -lm >%s/cc.log 2>&1",
           tmpdir, tmpdir, tmpdir);
  if (system(cmd) != 0) {
    char log[4096] = "";
    snprintf(path, sizeof path, "%s/cc.log", tmpdir);
    FILE *lf = fopen(path, "r");
    if (lf) {
      size_t got = fread(log, 1, sizeof log - 1, lf);
      log[got] = 0;
      fclose(lf);
    }
    fail_msg("the C of \"%s\" does not build:\n%s\n---\n%s", src, text, log);
  }
  snprintf(cmd, sizeof cmd, "%s/prog", tmpdir);
  FILE *pp = popen(cmd, "r");
  assert_non_null(pp);
  char line[128];
  size_t i = 0;
  while (i < n && fgets(line, sizeof line, pp)) {
    char *end;
    f[i] = strtod(line, &end);
    df[i] = strtod(end, NULL);
    i++;
  }
  assert_int_equal(pclose(pp), 0);
  assert_int_equal(i, n);
  return 1;
}

/* Parameter values for the parsed source, by name: runtime ones from
** rt/rv, the bound one, else the default.  Returns the count. */
static size_t param_values(const actjit_expr *e, const char *const *rt,
                           const double *rv, size_t nrt, const char *bind,
                           double bound, double *out) {
  size_t np = actjit_param_count(e);
  assert_true(np <= 8);
  for (size_t k = 0; k < np; k++) {
    const char *name = actjit_param_name(e, k);
    int found = 0;
    for (size_t r = 0; r < nrt && !found; r++)
      if (strcmp(rt[r], name) == 0) out[k] = rv[r], found = 1;
    if (!found && bind && strcmp(bind, name) == 0) out[k] = bound, found = 1;
    if (!found && !actjit_param_default(e, k, &out[k]))
      fail_msg("parameter %s has no value", name);
  }
  return np;
}

/* Compares the C of src (compiled with opt) with the interpreter on the
** parsed source and its derivative at xs.  Returns the number of points
** that disagree (0 when cc is missing), printing each. */
static int check_source(actjit_ctx *ctx, const char *src,
                        const actjit_options *opt, const char *const *rt,
                        const double *rv, size_t nrt, const char *bind,
                        double bound, const double *xs, size_t n) {
  char *text = c_text(ctx, src, opt);
  double f[32], df[32];
  assert_true(n <= 32);
  int ran = run_c(text, src, rv, nrt, xs, n, f, df);
  int bad = 0;
  if (ran) {
    actjit_expr *e = tu_parse(ctx, src);
    actjit_expr *d = tu_diff(e, "x");
    double params[8];
    size_t np = param_values(e, rt, rv, nrt, bind, bound, params);
    for (size_t i = 0; i < n; i++) {
      double wf = tu_evalp(e, np ? params : NULL, xs[i]);
      double wd = tu_evalp(d, np ? params : NULL, xs[i]);
      if (!tu_close(f[i], wf, 1e-9, 1e-300) ||
          !tu_close(df[i], wd, 1e-9, 1e-300)) {
        print_message("  %s at x = %g: C f = %.17g, f' = %.17g; "
                      "interpreter f = %.17g, f' = %.17g\n",
                      src, xs[i], f[i], df[i], wf, wd);
        bad++;
      }
    }
    if (bad) print_message("%s\n", text);
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_free(text);
  return bad;
}

static const double grid[] = {-20,  -10,  -6.5, -3,  -2.25, -1.5, -1,
                              -0.5, -0.25, 0,   0.25, 0.5,  1,   1.5,
                              2.25, 3,    4.75, 6.5, 10,   20};

typedef struct row {
  const char *src;
  const char *rt[2]; /* runtime parameters, in call order */
  double rv[2];      /* their values */
  const char *bind;  /* a parameter bound at compile time, or NULL */
  double bound;
} row;

static const row rows[] = {
    {"relu", {NULL}, {0}, NULL, 0},
    {"mish", {NULL}, {0}, NULL, 0},
    {"gelu", {NULL}, {0}, NULL, 0},
    {"gelu_tanh", {NULL}, {0}, NULL, 0},
    {"silu", {NULL}, {0}, NULL, 0},
    {"elu", {NULL}, {0}, NULL, 0},
    {"selu", {NULL}, {0}, NULL, 0},
    {"softplus", {NULL}, {0}, NULL, 0},
    {"hardswish", {NULL}, {0}, NULL, 0},
    {"sigmoid", {NULL}, {0}, NULL, 0},
    {"tanh", {NULL}, {0}, NULL, 0},
    {"x*tanh(softplus(x))", {NULL}, {0}, NULL, 0},
    {"x^3 - 2*x", {NULL}, {0}, NULL, 0},
    {"where(x > 1, log(x), atan2(x, 2))", {NULL}, {0}, NULL, 0},
    {"clamp(x, -1, 2)*sign(x)", {NULL}, {0}, NULL, 0},
    {"hypot(x, 3) + cbrt(x) + erf(x) + normcdf(x)", {NULL}, {0}, NULL, 0},
    {"log(1 + exp(x))", {NULL}, {0}, NULL, 0},
    {"x*sigmoid(b*x)", {"b"}, {1.5}, NULL, 0},
    /* call order differs from the order of first use */
    {"a*x*sigmoid(b*x) + a", {"b", "a"}, {0.75, -2}, NULL, 0},
    {"elu", {NULL}, {0}, "alpha", 0.7},
    {"softplus", {"beta"}, {2}, "threshold", 15},
    {"x > 50 ? inf : x < -50 ? -inf : x", {NULL}, {0}, NULL, 0},
    {"x > 50 ? nan : x*x", {NULL}, {0}, NULL, 0},
    {"x", {NULL}, {0}, NULL, 0},
    {"x < 100 ? x : 1/0 - 0/0", {NULL}, {0}, NULL, 0}, /* not int 1/0 */
    {"(x > 0.5) + 2*(x >= 0.5) + 4*(x < -0.5) + 8*(x <= 0) + 16*(x == 0) + "
     "32*(x != 3) + 64*(x > 0 && x < 2) + 128*(x < -1 || x > 1) + "
     "256*!(x > 0)",
     {NULL},
     {0},
     NULL,
     0},
};

static void t_table(void **state) {
  (void)state;
  if (!have_cc()) skip(); /* print_message in main says why */
  actjit_ctx *ctx = ctx_new(NULL);
  int bad = 0;
  for (size_t r = 0; r < NELEM(rows); r++) {
    const row *w = &rows[r];
    size_t nrt = w->rt[0] ? (w->rt[1] ? 2 : 1) : 0;
    actjit_binding b = {w->bind, w->bound};
    actjit_options opt;
    memset(&opt, 0, sizeof opt);
    opt.runtime = w->rt;
    opt.nruntime = nrt;
    opt.bind = &b;
    opt.nbind = w->bind ? 1 : 0;
    bad += check_source(ctx, w->src, &opt, w->rt, w->rv, nrt, w->bind,
                        w->bound, grid, NELEM(grid));
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* One source per operator of ops.def, so every operator's C spelling is
** built and run (a new operator is covered without touching this file). */
static void t_every_operator(void **state) {
  (void)state;
  if (!have_cc()) skip();
  static const double xs[] = {-2.5, -1.5, -0.75, -0.5, 0,   0.3,
                              0.5,  0.75, 1.5,   2.5,  3};
  static const char *const args[] = {"", "x", "x, 0.75", "x, -1, 2"};
  actjit_ctx *ctx = ctx_new(NULL);
  int bad = 0, covered = 0;
  for (int op = 0; op < AJ_OP_COUNT; op++) {
    const aj_opinfo *o = &aj_ops[op];
    char src[64];
    switch (o->kind) {
    case AJ_K_LEAF: continue;
    case AJ_K_PREFIX: snprintf(src, sizeof src, "%s(x - 0.5)", o->spelling);
      break;
    case AJ_K_INFIX: snprintf(src, sizeof src, "x %s 0.75", o->spelling);
      break;
    case AJ_K_SELECT: snprintf(src, sizeof src, "x ? x*x : 3*x"); break;
    default:
      assert_true(o->arity <= 3);
      snprintf(src, sizeof src, "%s(%s)", o->spelling, args[o->arity]);
    }
    bad += check_source(ctx, src, NULL, NULL, NULL, 0, NULL, 0, xs,
                        NELEM(xs));
    covered++;
  }
  actjit_ctx_free(ctx);
  assert_true(covered > 40);
  assert_int_equal(bad, 0);
}

/* Whether text has the identifier id (not as part of a longer one). */
static int has_ident(const char *text, const char *id) {
  size_t n = strlen(id);
  for (const char *s = strstr(text, id); s; s = strstr(s + 1, id)) {
    int before = s > text && (isalnum((unsigned char)s[-1]) || s[-1] == '_');
    int after = isalnum((unsigned char)s[n]) || s[n] == '_';
    if (!before && !after) return 1;
  }
  return 0;
}

/* The shape: both functions, only the helpers used, macros for NaN and
** the infinities, f as written. */
static void t_text(void **state) {
  (void)state;
  actjit_ctx *ctx = ctx_new(NULL);
  char *relu = c_text(ctx, "relu", NULL);
  assert_non_null(strstr(relu, "#include <math.h>"));
  assert_non_null(strstr(relu, "double actjit_c_f(double x, const double *p)"));
  assert_non_null(
      strstr(relu, "double actjit_c_df(double x, const double *p)"));
  assert_non_null(strstr(relu, "(void)p;"));
  assert_non_null(strstr(relu, "static double aj_lt("));
  assert_null(strstr(relu, "aj_sigmoid"));
  assert_null(strstr(relu, "aj_normcdf"));
  actjit_free(relu);

  char *sig = c_text(ctx, "silu", NULL);
  assert_non_null(strstr(sig, "static double aj_sigmoid(double a)"));
  assert_null(strstr(sig, "aj_lt"));
  actjit_free(sig);

  /* clamp's definition calls min and max: they come first */
  char *cl = c_text(ctx, "clamp(x, -1, 2)", NULL);
  const char *mn = strstr(cl, "static double aj_min("),
             *mx = strstr(cl, "static double aj_max("),
             *c = strstr(cl, "static double aj_clamp(");
  assert_non_null(mn);
  assert_non_null(mx);
  assert_non_null(c);
  assert_true(mn < c && mx < c);
  actjit_free(cl);

  /* a runtime parameter is p[k] in actjit_runtime_name order */
  const char *rt[] = {"b", "a"};
  actjit_options opt = {0};
  opt.runtime = rt;
  opt.nruntime = 2;
  char *pr = c_text(ctx, "a*x + b", &opt);
  assert_non_null(strstr(pr, "p[0]"));
  assert_non_null(strstr(pr, "p[1]"));
  assert_null(strstr(pr, "(void)p;"));
  actjit_free(pr);

  char *sp = c_text(ctx, "x > 50 ? inf : x < -50 ? -inf : x > 40 ? nan : x",
                    NULL);
  assert_non_null(strstr(sp, "INFINITY"));
  assert_non_null(strstr(sp, "(-INFINITY)"));
  assert_true(has_ident(sp, "NAN"));
  assert_false(has_ident(sp, "nan"));
  assert_false(has_ident(sp, "inf"));
  assert_false(has_ident(sp, "infinity"));
  actjit_free(sp);

  /* numbers read as doubles: 1/2 is not an integer division */
  char *half = c_text(ctx, "x*(1 + x > 0 ? 2 : 3)", NULL);
  assert_non_null(strstr(half, "2.0"));
  assert_non_null(strstr(half, "3.0"));
  actjit_free(half);

  /* as written: the stabilizer turns log(1 + e^x) into log1pexp (PART_F),
  ** PART_C keeps the formula, the same with ACTJIT_NO_STABILIZE */
  actjit_activation *a = compile(ctx, "log(1 + exp(x))", NULL);
  char *f = part(a, ACTJIT_PART_F, "log(1 + exp(x))");
  char *cc = part(a, ACTJIT_PART_C, "log(1 + exp(x))");
  assert_non_null(strstr(f, "log1pexp"));
  assert_null(strstr(cc, "log1pexp"));
  assert_non_null(strstr(cc, "exp(x)"));
  assert_true(has_ident(cc, "log"));
  actjit_options ns = {0};
  ns.flags = ACTJIT_NO_STABILIZE;
  actjit_activation *b = compile(ctx, "log(1 + exp(x))", &ns);
  char *cc2 = part(b, ACTJIT_PART_C, "log(1 + exp(x))");
  assert_string_equal(cc, cc2);
  actjit_free(f);
  actjit_free(cc);
  actjit_free(cc2);
  actjit_activation_free(a);
  actjit_activation_free(b);

  /* mish too: the stabilized f has no log1pexp, the plain one does */
  char *m = c_text(ctx, "mish", NULL);
  assert_non_null(strstr(m, "aj_log1pexp"));
  assert_non_null(strstr(m, "tanh("));
  actjit_free(m);
  actjit_ctx_free(ctx);
}

/* f' follows the activation's kink profile: clamp's ends are 1 under
** torch, 0 under minnorm. */
static void t_profile(void **state) {
  (void)state;
  if (!have_cc()) skip();
  actjit_ctx *ctx = ctx_new(NULL);
  const double xs[] = {0, 6, 3};
  double f[3], df[3];
  for (int prof = 0; prof < 2; prof++) {
    actjit_options opt = {0};
    opt.profile = prof ? ACTJIT_PROFILE_MINNORM : ACTJIT_PROFILE_TORCH;
    char *text = c_text(ctx, "clamp(x, 0, 6)", &opt);
    assert_true(run_c(text, "clamp(x, 0, 6)", NULL, 0, xs, 3, f, df));
    assert_true(f[0] == 0 && f[1] == 6 && f[2] == 3);
    assert_true(df[0] == (prof ? 0 : 1));
    assert_true(df[1] == (prof ? 0 : 1));
    assert_true(df[2] == 1);
    actjit_free(text);
  }
  actjit_ctx_free(ctx);
}

/* Numbers are written with '.' whatever LC_NUMERIC says. */
static void t_locale(void **state) {
  (void)state;
  static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE",
                                      "fr_FR.UTF-8", "fr_FR.utf8"};
  const char *got = NULL;
  for (size_t i = 0; i < NELEM(names) && !got; i++)
    got = setlocale(LC_NUMERIC, names[i]);
  if (!got || strcmp(localeconv()->decimal_point, ",") != 0) {
    setlocale(LC_NUMERIC, "C");
    print_message("  [ SKIPPED  ] no locale with a decimal comma is "
                  "installed\n");
    skip();
  }
  char probe[16];
  snprintf(probe, sizeof probe, "%g", 0.5);
  assert_string_equal(probe, "0,5"); /* the locale is in force */
  actjit_ctx *ctx = ctx_new(NULL);
  char *text = c_text(ctx, "x*0.5 + 1.25", NULL);
  setlocale(LC_NUMERIC, "C");
  assert_non_null(strstr(text, "0.5"));
  assert_non_null(strstr(text, "1.25"));
  assert_null(strstr(text, "0,5"));
  assert_null(strstr(text, "1,25"));
  actjit_free(text);
  actjit_ctx_free(ctx);
}

/* Allocation N of describe fails, for N = 1, 2, ... until it succeeds:
** each failure is a clean ENOMEM that leaves nothing allocated. */
static void t_enomem(void **state) {
  (void)state;
  tu_alloc al;
  memset(&al, 0, sizeof al);
  actjit_ctx *ctx = ctx_new(&al);
  const char *rt[] = {"b"};
  actjit_options opt = {0};
  opt.runtime = rt;
  opt.nruntime = 1;
  /* the optimized kernels first: a background compile would allocate
  ** (and meet the injected failures) while the counts are compared */
  opt.flags = ACTJIT_COMPILE_WAIT;
  const char *src = "x*sigmoid(b*x) + clamp(x, -1, 2) + gelu_tanh(x)";
  actjit_activation *a = compile(ctx, src, &opt);
  char *want = part(a, ACTJIT_PART_C, src); /* makes f''s nodes */
  size_t blocks = al.live_blocks, bytes = al.live_bytes;
  size_t failures = 0;
  for (size_t n = 1;; n++) {
    assert_true(n < 10000);
    al.fail_at = al.count + n;
    size_t f0 = al.failures;
    char *text = (char *)1;
    actjit_error err;
    memset(&err, 0, sizeof err);
    actjit_status s = actjit_describe(a, ACTJIT_PART_C, &text, &err);
    al.fail_at = 0;
    if (al.failures == f0) { /* no allocation failed: done */
      assert_int_equal(s, ACTJIT_OK);
      assert_string_equal(text, want);
      actjit_free(text);
      break;
    }
    failures++;
    if (s != ACTJIT_ENOMEM)
      fail_msg("fail_at=%zu: %s (%s), want ENOMEM", n, actjit_status_name(s),
               err.message);
    assert_int_equal(err.code, ACTJIT_ENOMEM);
    assert_null(text);
    if (al.live_blocks != blocks || al.live_bytes != bytes)
      fail_msg("fail_at=%zu: %zu blocks / %zu bytes allocated, want %zu / "
               "%zu", n, al.live_blocks, al.live_bytes, blocks, bytes);
  }
  assert_true(failures >= 3);
  actjit_free(want);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
  /* every block handed back with the size it was allocated with */
  assert_int_equal(al.live_blocks, 0);
  assert_int_equal(al.live_bytes, 0);
}

/* Bad arguments. */
static void t_errors(void **state) {
  (void)state;
  char *text = (char *)1;
  actjit_error err;
  assert_int_equal(actjit_describe(NULL, ACTJIT_PART_C, &text, &err),
                   ACTJIT_EINVAL);
  assert_null(text);
}

int main(void) {
  if (!have_cc())
    print_message("test_print_c: cc is not on PATH: the checks that build "
                  "and run the C text are skipped\n");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(t_text),    cmocka_unit_test(t_table),
      cmocka_unit_test(t_every_operator), cmocka_unit_test(t_profile),
      cmocka_unit_test(t_locale),  cmocka_unit_test(t_enomem),
      cmocka_unit_test(t_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
