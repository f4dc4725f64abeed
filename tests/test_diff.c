/*
** test_diff.c: actjit_diff.  Every built-in function and operator against
** fourth-order central differences; 1,000 random smooth expressions
** likewise; the pow rule's terms; selects that must not poison the
** result (0*inf); derivative DAGs that stay linear in size; derivatives
** with respect to parameters; and every derivative already simplified.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof *(a))

/* d e / d wrt.  (Whether it comes back simplified is checked separately,
** by test_diff_is_simplified, so that one failure there does not hide the
** values checked here.) */
static actjit_expr *diff_simplified(const actjit_expr *e, const char *wrt) {
  return tu_diff(e, wrt);
}

/* 1 if simplify(d) has d's root; prints the first few that do not. */
static int is_simplified(const actjit_expr *d, const char *src, int verbose) {
  actjit_expr *s = NULL;
  actjit_error err;
  if (actjit_simplify(d, &s, &err) != ACTJIT_OK)
    fail_msg("simplify of a derivative: %s", err.message);
  int same = actjit_expr_same(d, s);
  if (!same && verbose) {
    char *a = tu_print(d), *b = tu_print(s);
    print_message("  d/dx %s = %.300s\n    simplifies further, to %.300s\n",
                  src, a, b);
    actjit_free(a);
    actjit_free(b);
  }
  actjit_expr_free(s);
  return same;
}

/* Compares d(x) with a fourth-order central difference of e, step h =
** 1e-4 max(1,|x|).  Returns 1 when they agree. */
static int agrees_fd(const actjit_expr *e, const actjit_expr *d,
                     const double *params, double x, const char *src) {
  double h = 1e-4 * fmax(1, fabs(x));
  double g = tu_evalp(d, params, x), fd = tu_fd4(e, params, -1, x, h);
  if (tu_close(g, fd, 1e-7, 1e-9))
    return 1;
  print_message("  d/dx %s at %.17g = %.17g, central difference %.17g\n", src,
                x, g, fd);
  return 0;
}

/* ---- (a) every built-in function and operator ------------------------- */

typedef struct fd_case {
  const char *src;
  double x[6];
  int n;
} fd_case;

static const fd_case builtin_cases[] = {
    {"exp(x)", {-3, -0.5, 0, 1.5, 4}, 5},
    {"exp2(x)", {-3, -0.5, 0, 1.5, 4}, 5},
    {"expm1(x)", {-2, -0.01, 0, 0.3, 2}, 5},
    {"log(x)", {0.05, 0.5, 1, 3, 50}, 5},
    {"log2(x)", {0.05, 0.5, 1, 3, 50}, 5},
    {"log10(x)", {0.05, 0.5, 1, 3, 50}, 5},
    {"log1p(x)", {-0.9, -0.3, 0, 2, 30}, 5},
    {"sqrt(x)", {0.04, 0.5, 2, 100}, 4},
    {"cbrt(x)", {-8, -0.3, 0.2, 5}, 4},
    {"abs(x)", {-2, -0.3, 0.4, 3}, 4},
    {"sign(x)", {-2, 0.5, 3}, 3},
    {"sin(x)", {-3, -1, 0, 0.5, 2.5}, 5},
    {"cos(x)", {-3, -1, 0, 0.5, 2.5}, 5},
    {"tan(x)", {-1.2, -0.5, 0, 0.7, 1.3}, 5},
    {"asin(x)", {-0.9, -0.4, 0, 0.3, 0.85}, 5},
    {"acos(x)", {-0.9, -0.4, 0, 0.3, 0.85}, 5},
    {"atan(x)", {-5, -1, 0, 0.5, 3}, 5},
    {"atan2(x, 0.7)", {-2, -0.5, 0.3, 1.5}, 4},
    {"atan2(0.7, x)", {-2, -0.5, 0.3, 1.5}, 4},
    {"atan2(x, -0.7)", {-2, -0.5, 0.3, 1.5}, 4},
    {"atan2(-0.7, x)", {-2, -0.5, 0.3, 1.5}, 4},
    {"atan2(x, x^2 + 1)", {-2, -0.5, 0.3, 1.5}, 4},
    {"sinh(x)", {-3, -0.5, 0.2, 2}, 4},
    {"cosh(x)", {-3, -0.5, 0.2, 2}, 4},
    {"tanh(x)", {-3, -0.5, 0, 0.7, 2}, 5},
    {"asinh(x)", {-5, -0.5, 0, 2}, 4},
    {"acosh(x)", {1.1, 2, 10}, 3},
    {"atanh(x)", {-0.9, -0.2, 0, 0.5, 0.8}, 5},
    {"erf(x)", {-2.5, -0.5, 0, 1, 3}, 5},
    {"erfc(x)", {-2.5, -0.5, 0, 1, 3}, 5},
    {"floor(x)", {-2.3, -0.7, 0.3, 1.6}, 4},
    {"ceil(x)", {-2.3, -0.7, 0.3, 1.6}, 4},
    {"round(x)", {-2.3, -0.7, 0.3, 1.6}, 4},
    {"trunc(x)", {-2.3, -0.7, 0.3, 1.6}, 4},
    {"min(x, 0.3)", {-1, 0, 1}, 3},
    {"max(x, 0.3)", {-1, 0, 1}, 3},
    {"min(0.3, x)", {-1, 0, 1}, 3},
    {"max(0.3, x)", {-1, 0, 1}, 3},
    {"min(x, x^2)", {-0.5, 0.5, 2}, 3},
    {"max(sin(x), cos(x))", {-1, 0, 1.5}, 3},
    {"clamp(x, -1, 2)", {-3, -0.5, 1, 3}, 4},
    {"clamp(0.5, x, 2)", {0, 1, 1.5}, 3},
    {"clamp(0.5, -1, x)", {-0.5, 0.2, 1}, 3},
    {"clamp(x^2, x, 2)", {-2, 0.5, 1.2, 3}, 4},
    {"pow(x, 2.5)", {0.3, 1, 4}, 3},
    {"pow(2.5, x)", {-2, 0, 1.5}, 3},
    {"pow(x, x)", {0.3, 1, 2.5}, 3},
    {"pow(x, 3)", {-2, -0.5, 0.7}, 3},
    {"x^(-2)", {-2, 0.5, 3}, 3},
    {"x^sin(x)", {0.4, 1.5, 3}, 3},
    {"hypot(x, 1.5)", {-2, 0, 1}, 3},
    {"hypot(1.5, x)", {-2, 0, 1}, 3},
    {"hypot(x, 2*x)", {-1, 2}, 2},
    {"where(x > 0, sin(x), cos(x))", {-1, 0.5, 2}, 3},
    {"x > 0 ? x^2 : -x", {-1, 2}, 2},
    {"sigmoid(x)", {-30, -2, 0, 1.5, 30}, 5},
    {"softplus(x)", {-30, -2, 0, 1.5, 30}, 5},
    {"log1pexp(x)", {-30, -2, 0, 1.5, 30, 800}, 6},
    {"log1pexp(-x)", {-800, -2, 0, 1.5, 30}, 5},
    {"x + x^2", {-2, 0, 3}, 3},
    {"x - 3*x^3", {-2, 0, 3}, 3},
    {"x * sin(x)", {-2, 0, 3}, 3},
    {"sin(x) / (1 + x^2)", {-2, 0, 3}, 3},
    {"1 / x", {-2, 0.5, 3}, 3},
    {"-x^3", {-2, 0.5, 3}, 3},
    {"+x", {-2, 0.5}, 2},
    {"2 - x", {-2, 0.5}, 2},
    {"x / 3", {-2, 0.5}, 2},
    {"3 / (x^2 + 1)", {-2, 0.5}, 2},
    {"(x < 1) * x^2", {-2, 0.5, 2}, 3},
    {"(x > 0 && x < 2) * x", {-1, 0.5, 3}, 3},
    {"!(x > 0) * x", {-1, 0.5}, 2},
    {"exp(sin(x))", {-2, 0.5, 3}, 3},
    {"log(1 + x^2)", {-2, 0.5, 3}, 3},
    {"tanh(x^2 - 1)", {-2, 0.5, 3}, 3},
};

static void test_diff_builtins(void **state) {
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(builtin_cases); i++) {
    const fd_case *c = &builtin_cases[i];
    actjit_expr *e = tu_parse(ctx, c->src);
    actjit_expr *d = diff_simplified(e, "x");
    for (int j = 0; j < c->n; j++)
      bad += !agrees_fd(e, d, NULL, c->x[j], c->src);
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* Exact derivative values of the built-ins at simple points. */
static void test_diff_builtin_values(void **state) {
  const struct {
    const char *src;
    double x, want;
  } t[] = {
      {"exp(x)", 0, 1},
      {"log(x)", 2, 0.5},
      {"sqrt(x)", 4, 0.25},
      {"sin(x)", 0, 1},
      {"cos(x)", 0, 0},
      {"tanh(x)", 0, 1},
      {"atan(x)", 1, 0.5},
      {"log1p(x)", 1, 0.5},
      {"expm1(x)", 0, 1},
      {"sigmoid(x)", 0, 0.25},
      {"abs(x)", -3, -1},
      {"abs(x)", 3, 1},
      {"sign(x)", 2, 0},
      {"floor(x)", 2.5, 0},
      {"round(x)", 0.2, 0},
      {"x^2", 3, 6},
      {"x^3", -2, 12},
      {"x*x", 3, 6},
      {"1/x", 2, -0.25},
      {"-x", 5, -1},
      {"x + x", 1, 2},
      {"x - x", 7, 0},
      {"min(x, 1)", 0, 1},
      {"min(x, 1)", 2, 0},
      {"max(x, 1)", 0, 0},
      {"max(x, 1)", 2, 1},
      {"clamp(x, 0, 1)", 2, 0},
      {"clamp(x, 0, 1)", 0.5, 1},
      {"x < 1", 0, 0},
      {"hypot(x, 0)", 3, 1},
      {"atan2(x, 1)", 0, 1},
      {"atan2(1, x)", 0, -1},
      {"cbrt(x)", 8, 1.0 / 12},
      {"asinh(x)", 0, 1},
      {"atanh(x)", 0, 1},
      {"erf(x)", 0, M_2_SQRTPI},
      {"exp2(x)", 0, M_LN2},
      {"log2(x)", 1, 1 / M_LN2},
      {"log10(x)", 1, 1 / M_LN10},
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *e = tu_parse(ctx, t[i].src);
    actjit_expr *d = diff_simplified(e, "x");
    double g = tu_evalp(d, NULL, t[i].x);
    if (!tu_close(g, t[i].want, 4 * DBL_EPSILON, 0)) {
      print_message("  d/dx %s at %g = %.17g, want %.17g\n", t[i].src, t[i].x,
                    g, t[i].want);
      bad++;
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* ---- (b) random smooth expressions --------------------------------------- */

static double fd4_at(const actjit_expr *e, double x, double h) {
  return tu_fd4(e, NULL, -1, x, h);
}

static void test_diff_random_smooth(void **state) {
  actjit_ctx *ctx = tu_ctx();
  uint64_t seed = 0x5eed0001;
  int bad = 0, points = 0, skipped = 0;
  for (int i = 0; i < 1000; i++) {
    char *src = tu_random_expr(&seed, 4, 1);
    actjit_expr *e = tu_parse(ctx, src);
    assert_int_equal(actjit_param_count(e), 0);
    actjit_expr *d = diff_simplified(e, "x");
    for (int j = 0; j < 6; j++) {
      double x = j == 0 ? 0 : tu_rand_range(&seed, -2.5, 2.5);
      double h = 1e-3 * fmax(1, fabs(x));
      double d1 = fd4_at(e, x, h), d2 = fd4_at(e, x, h / 2);
      double scale = fmax(1, fabs(d2));
      points++;
      /* ill-conditioned for differences (or a softplus threshold kink) */
      if (!isfinite(d1) || !isfinite(d2) || fabs(d1 - d2) > 1e-7 * scale) {
        skipped++;
        continue;
      }
      double g = tu_evalp(d, NULL, x);
      if (!(fabs(g - d2) <= 1e-6 * scale)) {
        if (bad < 20)
          print_message("  d/dx %s at %.17g = %.17g, central difference "
                        "%.17g\n",
                        src, x, g, d2);
        bad++;
      }
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
    free(src);
  }
  actjit_ctx_free(ctx);
  print_message("  %d points, %d skipped as ill-conditioned, %d bad\n", points,
                skipped, bad);
  assert_true(skipped * 50 <= points);
  assert_int_equal(bad, 0);
}

/* ---- (c) pow, constants, parameters -------------------------------------- */

static void test_diff_pow(void **state) {
  actjit_ctx *ctx = tu_ctx();
  /* x^2 -> 2*x: no log(x) term, so no NaN at negative x */
  actjit_expr *e = tu_parse(ctx, "x^2");
  actjit_expr *d = diff_simplified(e, "x");
  static const double xs[] = {-3, -1, -0.5, 0, 2, 1e10, -1e300};
  for (size_t i = 0; i < NELEM(xs); i++)
    if (!(tu_evalp(d, NULL, xs[i]) == 2 * xs[i]))
      fail_msg("d x^2 at %g = %.17g", xs[i], tu_evalp(d, NULL, xs[i]));
  actjit_expr *two_x = tu_parse(ctx, "2*x"), *x_two = tu_parse(ctx, "x*2");
  if (!actjit_expr_same(d, two_x) && !actjit_expr_same(d, x_two)) {
    char *t = tu_print(d);
    fail_msg("d x^2 = %s, want 2*x", t);
  }
  actjit_expr_free(two_x);
  actjit_expr_free(x_two);
  actjit_expr_free(d);
  actjit_expr_free(e);

  /* 2^x -> log(2)*2^x: no x*2^(x-1) term, so d(inf) = inf, d(-inf) = 0 */
  e = tu_parse(ctx, "2^x");
  d = diff_simplified(e, "x");
  for (double x = -3; x <= 3; x += 0.75)
    assert_true(tu_close(tu_evalp(d, NULL, x), log(2) * pow(2, x), 1e-15, 0));
  assert_true(tu_evalp(d, NULL, INFINITY) == INFINITY);
  assert_true(tu_evalp(d, NULL, -INFINITY) == 0);
  assert_true(actjit_node_count(d) <= 5);
  actjit_expr_free(d);
  actjit_expr_free(e);

  /* x^x -> x^x (log x + 1) */
  e = tu_parse(ctx, "x^x");
  d = diff_simplified(e, "x");
  static const double xx[] = {0.25, 0.5, 1, 2, 3.5};
  for (size_t i = 0; i < NELEM(xx); i++) {
    double want = pow(xx[i], xx[i]) * (log(xx[i]) + 1);
    if (!tu_close(tu_evalp(d, NULL, xx[i]), want, 1e-14, 0))
      fail_msg("d x^x at %g = %.17g, want %.17g", xx[i],
               tu_evalp(d, NULL, xx[i]), want);
  }
  actjit_expr_free(d);
  actjit_expr_free(e);

  /* constant exponents: u^c -> c*u^(c-1)*u', finite for negative u */
  const struct {
    const char *src;
    double x, want;
  } t[] = {
      {"x^3", -2, 12},       {"x^0.5", 4, 0.25},
      {"x^(-1)", -2, -0.25}, {"(2*x)^2", -1, -8},
      {"x^1", -5, 1},        {"x^0", 3, 0},
      {"pow(x, 2)", -3, -6}, {"(x^2)^3", -1, -6},
      {"x^p", 2, 3 * 4},     {"p^x", 2, 9 * 1.0986122886681098},
  };
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *f = tu_parse(ctx, t[i].src);
    actjit_expr *g = diff_simplified(f, "x");
    double pv[1] = {3};
    double v = tu_evalp(g, actjit_param_count(f) ? pv : NULL, t[i].x);
    if (!tu_close(v, t[i].want, 1e-15, 0))
      fail_msg("d/dx %s at %g = %.17g, want %.17g", t[i].src, t[i].x, v,
               t[i].want);
    actjit_expr_free(g);
    actjit_expr_free(f);
  }
  actjit_ctx_free(ctx);
}

static void test_diff_constants(void **state) {
  static const char *const srcs[] = {"3.5",    "pi",  "2^3", "exp(2)", "p*2",
                                     "sin(q)", "nan", "inf", "-0",     "p + q"};
  actjit_ctx *ctx = tu_ctx();
  for (size_t i = 0; i < NELEM(srcs); i++) {
    actjit_expr *e = tu_parse(ctx, srcs[i]);
    actjit_expr *d = diff_simplified(e, "x");
    if (actjit_node_count(d) != 1) {
      char *t = tu_print(d);
      fail_msg("d/dx %s = %s, want the constant 0", srcs[i], t);
    }
    double pv[2] = {1.5, -2};
    static const double xs[] = {-1e300, -2, 0, 0.5, 3, INFINITY, -INFINITY};
    for (size_t j = 0; j < NELEM(xs); j++) {
      double v = tu_evalp(d, actjit_param_count(e) ? pv : NULL, xs[j]);
      if (!tu_same_double(v, 0.0))
        fail_msg("d/dx %s at %g = %g", srcs[i], xs[j], v);
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
}

static void test_diff_params(void **state) {
  actjit_ctx *ctx = tu_ctx();
  /* d/dp (p*x^2 + sin(p*x)) = x^2 + x cos(p x) */
  actjit_expr *e = tu_parse(ctx, "p*x^2 + sin(p*x)");
  assert_int_equal(actjit_param_count(e), 1);
  actjit_expr *d = diff_simplified(e, "p");
  assert_int_equal(actjit_param_count(d), 1);
  assert_string_equal(actjit_param_name(d, 0), "p");
  double p[2] = {0.7, 0};
  for (double x = -2; x <= 2; x += 0.5) {
    double want = x * x + x * cos(0.7 * x);
    assert_true(tu_close(tu_evalp(d, p, x), want, 1e-14, 1e-300));
  }
  actjit_expr_free(d);
  actjit_expr_free(e);

  /* the derivative keeps the parameter list and its order */
  e = tu_parse(ctx, "q*x + p^2 + q");
  assert_int_equal(actjit_param_count(e), 2);
  assert_string_equal(actjit_param_name(e, 0), "q");
  assert_string_equal(actjit_param_name(e, 1), "p");
  d = diff_simplified(e, "p");
  assert_int_equal(actjit_param_count(d), 2);
  assert_string_equal(actjit_param_name(d, 0), "q");
  assert_string_equal(actjit_param_name(d, 1), "p");
  p[0] = 5;    /* q */
  p[1] = -1.5; /* p */
  assert_true(tu_evalp(d, p, 1) == -3);
  actjit_expr_free(d);
  d = diff_simplified(e, "x");
  assert_int_equal(actjit_param_count(d), 2);
  assert_true(tu_evalp(d, p, 1) == 5);
  actjit_expr_free(d);
  d = diff_simplified(e, "q");
  assert_true(tu_evalp(d, p, 2) == 3);
  actjit_expr_free(d);
  actjit_expr_free(e);

  /* parameters against central differences */
  const struct {
    const char *src, *wrt;
  } t[] = {
      {"exp(p*x)", "p"},
      {"x > p ? x : p", "p"},
      {"p*x^2 + q*sin(x)", "q"},
      {"x^p", "p"},
      {"p^x", "p"},
      {"elu(x, alpha=p)", "p"},
      {"softplus(x, beta=p)", "p"},
      {"sigmoid(p*x + q)", "q"},
      {"clamp(x, p, q)", "p"},
      {"clamp(x, p, q)", "q"},
      {"max(x, p)", "p"},
      {"atan2(p, x)", "p"},
      {"hypot(x, p)", "p"},
      {"where(x < 0, exp(p*x), 1)", "p"},
  };
  static const double xs[] = {-1.7, -0.6, 0.35, 1.3, 2.2};
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *f = tu_parse(ctx, t[i].src);
    actjit_expr *g = diff_simplified(f, t[i].wrt);
    long k = actjit_param_index(f, t[i].wrt);
    assert_true(k >= 0);
    double pv[2];
    for (size_t j = 0; j < actjit_param_count(f); j++)
      pv[j] = strcmp(actjit_param_name(f, j), "p") == 0 ? 0.8 : 1.9;
    for (size_t j = 0; j < NELEM(xs); j++) {
      double v = tu_evalp(g, pv, xs[j]);
      double fd = tu_fd4(f, pv, k, xs[j], 1e-4);
      if (!tu_close(v, fd, 1e-7, 1e-9)) {
        print_message("  d/d%s %s at %g = %.17g, central difference %.17g\n",
                      t[i].wrt, t[i].src, xs[j], v, fd);
        bad++;
      }
    }
    actjit_expr_free(g);
    actjit_expr_free(f);
  }
  assert_int_equal(bad, 0);

  /* wrt a name that is not a parameter: EUNKNOWN at offset 0, length 0 */
  static const char *const notparams[] = {"zz", "pi", "e", "p2", "", "X"};
  e = tu_parse(ctx, "x + p");
  for (size_t i = 0; i < NELEM(notparams); i++) {
    actjit_error err;
    memset(&err, 0x55, sizeof err);
    actjit_expr *out = (actjit_expr *)&err; /* must become NULL */
    assert_int_equal(actjit_diff(e, notparams[i], &out, &err), ACTJIT_EUNKNOWN);
    assert_null(out);
    assert_int_equal(err.code, ACTJIT_EUNKNOWN);
    assert_int_equal(err.offset, 0);
    assert_int_equal(err.length, 0);
  }
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* ---- (d) selects ------------------------------------------------------------
 */

static void test_diff_selects(void **state) {
  const struct {
    const char *src;
    double x, want;
  } t[] = {
      /* the untaken branch does not poison the result (no 0*inf) */
      {"where(x<0, exp(x), 1)", 100, 0},
      {"where(x<0, exp(x), 1)", 1000, 0},
      {"where(x<0, exp(x), 1)", -1, 0.36787944117144233},
      {"x > 0 ? sqrt(x) : 0", -4, 0},
      {"x > 0 ? sqrt(x) : 0", 4, 0.25},
      {"x < 0 ? log(-x) : x", 2, 1},
      {"x < 0 ? log(-x) : x", -2, -0.5},
      {"where(x > 1, 1/(x - 1), 0)", 1, 0},
      {"where(x > 1, 1/(x - 1), 0)", 0, 0},
      {"x > 0 ? x : exp(x)", 0, 1},
      {"x >= 0 ? x : exp(x)", 0, 1},
      {"x > 0 ? log(x) : x^2", -3, -6},
      {"x > 0 ? 1 : exp(1000*x)", 5, 0},
      {"x > 0 ? 1 : exp(-1000*x)", 5, 0},
      {"x < 1 ? 2*x : x > 2 ? 3*x : x^2", 1.5, 3},
      {"x < 1 ? 2*x : x > 2 ? 3*x : x^2", 3, 3},
      {"x < 1 ? 2*x : x > 2 ? 3*x : x^2", 0, 2},
      {"where(x != 0, sin(x)/x, 1)", 0, 0},
      {"clamp(x, 0, 1) * log(x)", -1, NAN}, /* log'(-1)*0 + 0*NaN: NaN */
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *e = tu_parse(ctx, t[i].src);
    actjit_expr *d = diff_simplified(e, "x");
    double g = tu_evalp(d, NULL, t[i].x);
    if (!tu_same_double(g, t[i].want) && !(g == t[i].want)) { /* -0 == 0 */
      print_message("  d/dx %s at %g = %.17g, want %.17g\n", t[i].src, t[i].x,
                    g, t[i].want);
      bad++;
    }
    /* NaN condition: NaN derivative */
    if (!isnan(tu_evalp(d, NULL, NAN))) {
      print_message("  d/dx %s at NaN is not NaN\n", t[i].src);
      bad++;
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* ---- (e), (f) derivative DAG sizes -------------------------------------- */

static char *nest(const char *open, const char *close, int depth,
                  const char *core) {
  size_t n = strlen(core) + (size_t)depth * (strlen(open) + strlen(close)) + 1;
  char *s = malloc(n);
  assert_non_null(s);
  s[0] = 0;
  for (int i = 0; i < depth; i++)
    strcat(s, open);
  strcat(s, core);
  for (int i = 0; i < depth; i++)
    strcat(s, close);
  return s;
}

/* The derivative of `depth` nested open...close around x: right against
** central differences, and of size at most max_nodes(nf, depth). */
static size_t check_nest(actjit_ctx *ctx, const char *open, const char *close,
                         int depth, const double *xs, int nx, int swish_bound) {
  char *src = nest(open, close, depth, "x");
  actjit_expr *e = tu_parse(ctx, src);
  actjit_expr *d = diff_simplified(e, "x");
  size_t nf = actjit_node_count(e), nd = actjit_node_count(d);
  print_message("  %s...x...%s x%d: f %zu nodes, f' %zu nodes\n", open, close,
                depth, nf, nd);
  /* (e): 4 nf + 32.  (f): linear, with room for rules like erf' that add
  ** several nodes per level where f adds one. */
  size_t bound = swish_bound ? 4 * nf + 32 : 4 * nf + 8 * (size_t)depth + 32;
  if (nd > bound)
    fail_msg("%s... (%d deep): f' has %zu nodes for f's %zu (bound %zu)", open,
             depth, nd, nf, bound);
  for (int i = 0; i < nx; i++)
    if (!agrees_fd(e, d, NULL, xs[i], src))
      fail_msg("wrong derivative");
  actjit_expr_free(d);
  actjit_expr_free(e);
  free(src);
  return nd;
}

static void test_diff_swish_nest(void **state) {
  static const double xs[] = {-1.3, 0.4, 2.1};
  actjit_ctx *ctx = tu_ctx();
  check_nest(ctx, "swish(", ")", 12, xs, 3, 1);
  check_nest(ctx, "swish(", ", beta=1.5)", 12, xs, 3, 1);
  actjit_ctx_free(ctx);
}

static void test_diff_deep_nests(void **state) {
  static const double xs[] = {-0.7, 0.3};
  static const char *const opens[] = {
      "tanh(",      "sigmoid(",    "sin(",      "softplus(",  "mish(",
      "gelu(",      "silu(",       "elu(",      "gelu_tanh(", "log1p(",
      "atan(",      "erf(",        "sqrt(1 + ", "celu(",      "softsign(",
      "hardswish(", "logsigmoid(", "cos(",      "tanh(2*",    "exp(-",
  };
  actjit_ctx *ctx = tu_ctx();
  for (size_t i = 0; i < NELEM(opens); i++) {
    /* linear: doubling the depth at most doubles the growth */
    size_t n0 = check_nest(ctx, opens[i], ")", 1, xs, 2, 0);
    size_t n10 = check_nest(ctx, opens[i], ")", 10, xs, 2, 0);
    size_t n20 = check_nest(ctx, opens[i], ")", 20, xs, 2, 0);
    if (n20 - n10 > (n10 - n0) * 3 / 2 + 8)
      fail_msg("%s: f' grows superlinearly: %zu, %zu, %zu nodes at depth 1, "
               "10, 20",
               opens[i], n0, n10, n20);
  }
  /* x*f(x) shapes share x at every level */
  check_nest(ctx, "x*tanh(", ")", 20, xs, 2, 0);
  check_nest(ctx, "(x + sin(", "))", 20, xs, 2, 0);
  actjit_ctx_free(ctx);
}

/* Every derivative comes back simplified: simplify(d) has d's root. */
static void test_diff_is_simplified(void **state) {
  static const char *const extra[] = {"x^2",
                                      "2^x",
                                      "x^x",
                                      "x^(-1)",
                                      "p*x^2 + sin(p*x)",
                                      "hypot(x, p)",
                                      "where(x<0, exp(x), 1)",
                                      "x > 0 ? sqrt(x) : 0",
                                      "mish",
                                      "gelu",
                                      "elu",
                                      "swish(swish(swish(x)))",
                                      "tanh(tanh(tanh(tanh(x))))",
                                      "sin(sin(sin(sin(x))))"};
  actjit_ctx *ctx = tu_ctx();
  uint64_t seed = 0x5eed0002;
  int total = 0, bad = 0;
  for (size_t i = 0; i < NELEM(builtin_cases) + NELEM(extra) + 300; i++) {
    char *rnd = NULL;
    const char *src;
    if (i < NELEM(builtin_cases))
      src = builtin_cases[i].src;
    else if (i < NELEM(builtin_cases) + NELEM(extra))
      src = extra[i - NELEM(builtin_cases)];
    else
      src = rnd = tu_random_expr(&seed, 4, 1);
    actjit_expr *e = tu_parse(ctx, src);
    actjit_expr *d = tu_diff(e, "x");
    total++;
    bad += !is_simplified(d, src, bad < 10);
    actjit_expr_free(d);
    actjit_expr_free(e);
    free(rnd);
  }
  actjit_ctx_free(ctx);
  print_message("  %d of %d derivatives simplify further\n", bad, total);
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_diff_builtins),
      cmocka_unit_test(test_diff_builtin_values),
      cmocka_unit_test(test_diff_random_smooth),
      cmocka_unit_test(test_diff_pow),
      cmocka_unit_test(test_diff_constants),
      cmocka_unit_test(test_diff_params),
      cmocka_unit_test(test_diff_selects),
      cmocka_unit_test(test_diff_swish_nest),
      cmocka_unit_test(test_diff_deep_nests),
      cmocka_unit_test(test_diff_is_simplified),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
