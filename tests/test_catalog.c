/*
** test_catalog.c: every built-in activation of the prelude (catalog.md)
** against closed forms written in C: f and f' = actjit_diff(., "x") on a
** core grid, near every kink, in the tails and with non-default
** parameters; the exact kink values of the `torch` profile; parameter
** gradients against central differences; NaN in, NaN out; keyword calls.
**
** The closed forms are the stable ones (sigmoid from e^-|x|, softplus as
** max(u,0) + log1p(e^-|u|), sech^2 from e^-2|x|, gelu from erfc), so a
** mismatch in a tail is the library's inaccuracy, not the reference's.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define RTOL 1e-12
#define ATOL 1e-300

/* ---- Stable closed forms ---------------------------------------------- */

static double sig(double x) {
  if (x >= 0)
    return 1 / (1 + exp(-x));
  double t = exp(x);
  return t / (1 + t);
}
/* softplus(u) = log(1 + e^u) */
static double splus(double u) {
  return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u));
}
/* 1 - tanh(x)^2 = 4 e^-2|x| / (1 + e^-2|x|)^2 */
static double sech2(double x) {
  double t = exp(-2 * fabs(x));
  return 4 * t / ((1 + t) * (1 + t));
}

typedef double (*ref_fn)(double x, const double *p);

static double relu_f(double x, const double *p) { return x > 0 ? x : 0; }
static double relu_d(double x, const double *p) { return x > 0 ? 1 : 0; }
static double relu6_f(double x, const double *p) {
  return x <= 0 ? 0 : x >= 6 ? 6 : x;
}
static double relu6_d(double x, const double *p) {
  return x > 0 && x < 6 ? 1 : 0;
}
/* hardtanh(x, min_val, max_val) */
static double hardtanh_f(double x, const double *p) {
  return x < p[0] ? p[0] : x > p[1] ? p[1] : x;
}
static double hardtanh_d(double x, const double *p) {
  return x > p[0] && x < p[1] ? 1 : 0;
}
/* leaky_relu(x, negative_slope), prelu(x, a) */
static double leaky_f(double x, const double *p) {
  return x > 0 ? x : p[0] * x;
}
static double leaky_d(double x, const double *p) { return x > 0 ? 1 : p[0]; }
/* elu(x, alpha) */
static double elu_f(double x, const double *p) {
  return x > 0 ? x : p[0] * expm1(x);
}
static double elu_d(double x, const double *p) {
  return x > 0 ? 1 : p[0] * exp(x);
}
/* celu(x, alpha) = max(0,x) + min(0, alpha*expm1(x/alpha)) */
static double celu_f(double x, const double *p) {
  return x > 0 ? x : p[0] * expm1(x / p[0]);
}
static double celu_d(double x, const double *p) {
  return x > 0 ? 1 : exp(x / p[0]);
}
/* selu(x, scale, alpha) */
static double selu_f(double x, const double *p) {
  return p[0] * (x > 0 ? x : p[1] * expm1(x));
}
static double selu_d(double x, const double *p) {
  return p[0] * (x > 0 ? 1 : p[1] * exp(x));
}
static double sigmoid_f(double x, const double *p) { return sig(x); }
static double sigmoid_d(double x, const double *p) { return sig(x) * sig(-x); }
static double tanh_f(double x, const double *p) { return tanh(x); }
static double tanh_d(double x, const double *p) { return sech2(x); }
/* softplus(x, beta, threshold) */
static double softplus_f(double x, const double *p) {
  return p[0] * x > p[1] ? x : splus(p[0] * x) / p[0];
}
static double softplus_d(double x, const double *p) {
  return p[0] * x > p[1] ? 1 : sig(p[0] * x);
}
static double silu_f(double x, const double *p) { return x * sig(x); }
static double silu_d(double x, const double *p) {
  return sig(x) * (1 + x * sig(-x));
}
/* swish(x, beta) */
static double swish_f(double x, const double *p) { return x * sig(p[0] * x); }
static double swish_d(double x, const double *p) {
  double u = p[0] * x;
  return sig(u) * (1 + u * sig(-u));
}
static double mish_f(double x, const double *p) { return x * tanh(splus(x)); }
static double mish_d(double x, const double *p) {
  double sp = splus(x);
  return tanh(sp) + x * sig(x) * sech2(sp);
}
/* gelu = x/2 (1 + erf(x/sqrt2)) = x/2 erfc(-x/sqrt2) */
static double gelu_f(double x, const double *p) {
  return 0.5 * x * erfc(-x / M_SQRT2);
}
static double gelu_d(double x, const double *p) {
  return 0.5 * erfc(-x / M_SQRT2) + x * exp(-0.5 * x * x) / sqrt(2 * M_PI);
}
/* gelu_tanh: 1/2 (1 + tanh z) = sigma(2z), 1 - tanh^2 z = 4 sigma(2z)
** sigma(-2z), z = sqrt(2/pi) (x + 0.044715 x^3). */
static double gelu_tanh_f(double x, const double *p) {
  double k = sqrt(2 / M_PI), z = k * (x + 0.044715 * x * x * x);
  return x * sig(2 * z);
}
static double gelu_tanh_d(double x, const double *p) {
  double k = sqrt(2 / M_PI), z = k * (x + 0.044715 * x * x * x);
  return sig(2 * z) +
         2 * x * sig(2 * z) * sig(-2 * z) * k * (1 + 0.134145 * x * x);
}
static double softsign_f(double x, const double *p) {
  return x / (1 + fabs(x));
}
static double softsign_d(double x, const double *p) {
  return 1 / ((1 + fabs(x)) * (1 + fabs(x)));
}
static double tanhshrink_f(double x, const double *p) { return x - tanh(x); }
static double tanhshrink_d(double x, const double *p) {
  return tanh(x) * tanh(x);
}
static double logsigmoid_f(double x, const double *p) { return -splus(-x); }
static double logsigmoid_d(double x, const double *p) { return sig(-x); }
static double hardsigmoid_f(double x, const double *p) {
  /* (x + 3)/6: exact near -3, as the prelude writes it */
  return x <= -3 ? 0 : x >= 3 ? 1 : (x + 3) / 6;
}
static double hardsigmoid_d(double x, const double *p) {
  return x > -3 && x < 3 ? 1.0 / 6 : 0;
}
static double hardswish_f(double x, const double *p) {
  return x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6;
}
static double hardswish_d(double x, const double *p) {
  return x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6;
}
/* hardshrink(x, lambd), softshrink(x, lambd) */
static double hardshrink_f(double x, const double *p) {
  return fabs(x) > p[0] ? x : 0;
}
static double shrink_d(double x, const double *p) {
  return fabs(x) > p[0] ? 1 : 0;
}
static double softshrink_f(double x, const double *p) {
  return x > p[0] ? x - p[0] : x < -p[0] ? x + p[0] : 0;
}
/* threshold(x, threshold, value) */
static double threshold_f(double x, const double *p) {
  return x > p[0] ? x : p[1];
}
static double threshold_d(double x, const double *p) {
  return x > p[0] ? 1 : 0;
}
/* rrelu(x, lower, upper), eval mode: slope (lower + upper)/2 */
static double rrelu_f(double x, const double *p) {
  return x >= 0 ? x : x * ((p[0] + p[1]) / 2);
}
static double rrelu_d(double x, const double *p) {
  return x > 0 ? 1 : (p[0] + p[1]) / 2;
}
/* squareplus(x, b) = (x + sqrt(x^2 + b))/2, without cancellation for x<0 */
static double squareplus_f(double x, const double *p) {
  double s = sqrt(x * x + p[0]);
  return x >= 0 ? (x + s) / 2 : p[0] / (2 * (s - x));
}
static double squareplus_d(double x, const double *p) {
  double s = sqrt(x * x + p[0]);
  return x >= 0 ? (1 + x / s) / 2 : p[0] / (2 * s * (s - x));
}
static double quick_gelu_f(double x, const double *p) {
  return x * sig(1.702 * x);
}
static double quick_gelu_d(double x, const double *p) {
  double u = 1.702 * x;
  return sig(u) * (1 + u * sig(-u));
}

/* ---- The table ------------------------------------------------------------
 */

#define SELU_SCALE 1.0507009873554805
#define SELU_ALPHA 1.6732632423543772

typedef struct cat_entry {
  const char *name;  /* whole source: the activation applied to x */
  int np;            /* parameters lifted from its formals */
  const char *pn[2]; /* their names */
  int has_def[2];    /* whether each has a default ... */
  double def[2];     /* ... and its value */
  double val[2];     /* values for the default-grid tests (= def) */
  double alt[2];     /* non-default values */
  ref_fn f, d;
  int nk; /* kinks at the default parameter values */
  double kink[2];
} cat_entry;

/* clang-format off */
#define P0 0, {0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}
static const cat_entry cat[] = {
  {"relu", P0, relu_f, relu_d, 1, {0}},
  {"relu6", P0, relu6_f, relu6_d, 2, {0, 6}},
  {"hardtanh", 2, {"min_val", "max_val"}, {1, 1}, {-1, 1}, {-1, 1},
   {-2, 0.5}, hardtanh_f, hardtanh_d, 2, {-1, 1}},
  {"leaky_relu", 1, {"negative_slope"}, {1}, {0.01}, {0.01}, {0.2},
   leaky_f, leaky_d, 1, {0}},
  {"prelu", 1, {"a"}, {1}, {0.25}, {0.25}, {-0.5}, leaky_f, leaky_d, 1,
   {0}},
  {"elu", 1, {"alpha"}, {1}, {1}, {1}, {0.5}, elu_f, elu_d, 1, {0}},
  {"celu", 1, {"alpha"}, {1}, {1}, {1}, {2}, celu_f, celu_d, 1, {0}},
  {"selu", 2, {"scale", "alpha"}, {1, 1}, {SELU_SCALE, SELU_ALPHA},
   {SELU_SCALE, SELU_ALPHA}, {1.5, 0.5}, selu_f, selu_d, 1, {0}},
  {"sigmoid", P0, sigmoid_f, sigmoid_d, 0, {0}},
  {"tanh", P0, tanh_f, tanh_d, 0, {0}},
  {"softplus", 2, {"beta", "threshold"}, {1, 1}, {1, 20}, {1, 20},
   {2, 10}, softplus_f, softplus_d, 1, {20}},
  {"silu", P0, silu_f, silu_d, 0, {0}},
  {"swish", 1, {"beta"}, {1}, {1}, {1}, {1.5}, swish_f, swish_d, 0, {0}},
  {"mish", P0, mish_f, mish_d, 0, {0}},
  {"gelu", P0, gelu_f, gelu_d, 0, {0}},
  {"gelu_tanh", P0, gelu_tanh_f, gelu_tanh_d, 0, {0}},
  {"softsign", P0, softsign_f, softsign_d, 1, {0}},
  {"tanhshrink", P0, tanhshrink_f, tanhshrink_d, 0, {0}},
  {"logsigmoid", P0, logsigmoid_f, logsigmoid_d, 0, {0}},
  {"hardsigmoid", P0, hardsigmoid_f, hardsigmoid_d, 2, {-3, 3}},
  {"hardswish", P0, hardswish_f, hardswish_d, 2, {-3, 3}},
  {"hardshrink", 1, {"lambd"}, {1}, {0.5}, {0.5}, {1.2}, hardshrink_f,
   shrink_d, 2, {-0.5, 0.5}},
  {"softshrink", 1, {"lambd"}, {1}, {0.5}, {0.5}, {1.2}, softshrink_f,
   shrink_d, 2, {-0.5, 0.5}},
  /* no defaults: val is what the tests bind */
  {"threshold", 2, {"threshold", "value"}, {0, 0}, {0, 0}, {0.5, -2},
   {-1, 3}, threshold_f, threshold_d, 1, {0.5}},
  {"rrelu", 2, {"lower", "upper"}, {1, 1}, {0.125, 1.0 / 3},
   {0.125, 1.0 / 3}, {0.1, 0.3}, rrelu_f, rrelu_d, 1, {0}},
  {"squareplus", 1, {"b"}, {1}, {4}, {4}, {1}, squareplus_f, squareplus_d,
   0, {0}},
  {"quick_gelu", P0, quick_gelu_f, quick_gelu_d, 0, {0}},
};
/* clang-format on */
#define NCAT (sizeof cat / sizeof *cat)

/* The core grid: moderate arguments where every reasonable formula of the
** catalog is accurate to 1e-12.  The tail grid is where only stable ones
** are. */
static const double core_grid[] = {
    -3.5, -3.1, -2.9, -2.5, -2, -1.5, -1.25, -1, -0.75, -0.5, -0.25, -0.1,
    0.1,  0.25, 0.5,  0.75, 1,  1.25, 1.5,   2,  2.5,   2.9,  3.1,   3.5};
static const double tail_grid[] = {
    -1000, -700, -100, -40, -30, -25,  -20.5, -19.5, -15, -10, -7.5, -5,  -4,
    4,     5,    7.5,  10,  15,  19.5, 20.5,  25,    30,  40,  100,  700, 1000};
#define NELEM(a) (sizeof(a) / sizeof *(a))

/* ---- Helpers --------------------------------------------------------------
 */

/* Parameter values of c in e's own order: out[param_index(name)] = v[k]. */
static void order_params(const actjit_expr *e, const cat_entry *c,
                         const double *v, double *out) {
  assert_int_equal(actjit_param_count(e), c->np);
  for (int k = 0; k < c->np; k++) {
    long i = actjit_param_index(e, c->pn[k]);
    if (i < 0 || i >= c->np)
      fail_msg("%s: no parameter %s (index %ld)", c->name, c->pn[k], i);
    out[i] = v[k];
  }
}

/* Compares f and f' of entry c at the points xs with parameters v;
** returns the number of mismatches, each printed. */
static int check_points(actjit_ctx *ctx, const cat_entry *c, const char *src,
                        const double *v, const double *xs, size_t n) {
  actjit_expr *e = tu_parse(ctx, src);
  actjit_expr *d = tu_diff(e, "x");
  double p[2] = {0, 0};
  if (actjit_param_count(e) > 0)
    order_params(e, c, v, p);
  const double *pp = actjit_param_count(e) > 0 ? p : NULL;
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    double x = xs[i];
    double f = tu_evalp(e, pp, x), fw = c->f(x, v);
    double g = tu_evalp(d, pp, x), gw = c->d(x, v);
    if (!tu_close(f, fw, RTOL, ATOL)) {
      print_message("  %s: f(%.17g) = %.17g, want %.17g (rel %.2g)\n", src, x,
                    f, fw, fabs(f - fw) / fmax(fabs(fw), DBL_MIN));
      bad++;
    }
    if (!tu_close(g, gw, RTOL, ATOL)) {
      print_message("  %s: f'(%.17g) = %.17g, want %.17g (rel %.2g)\n", src, x,
                    g, gw, fabs(g - gw) / fmax(fabs(gw), DBL_MIN));
      bad++;
    }
  }
  actjit_expr_free(d);
  actjit_expr_free(e);
  return bad;
}

static const cat_entry *find_entry(const char *name) {
  for (size_t i = 0; i < NCAT; i++)
    if (strcmp(cat[i].name, name) == 0)
      return &cat[i];
  fail_msg("no entry %s", name);
  return NULL;
}

/* ---- Tests ----------------------------------------------------------------
 */

/* Every entry is listed by actjit_catalog_name as an activation. */
static void test_catalog_names(void **state) {
  actjit_ctx *ctx = tu_ctx();
  for (size_t k = 0; k < NCAT; k++) {
    int found = 0;
    for (size_t i = 0;; i++) {
      int act = -1;
      const char *n = actjit_catalog_name(ctx, i, &act);
      if (!n)
        break;
      if (strcmp(n, cat[k].name) == 0 && act == 1)
        found = 1;
    }
    if (!found)
      fail_msg("%s is not listed as an activation", cat[k].name);
  }
  /* built-in functions are listed too, not as activations */
  static const char *const fns[] = {"exp",   "log1p", "erf",
                                    "where", "clamp", "hypot",
                                    "atan2", "round", "log1pexp"};
  for (size_t k = 0; k < NELEM(fns); k++) {
    int found = 0;
    for (size_t i = 0;; i++) {
      int act = -1;
      const char *n = actjit_catalog_name(ctx, i, &act);
      if (!n)
        break;
      if (strcmp(n, fns[k]) == 0) {
        assert_int_equal(act, 0);
        found = 1;
      }
    }
    if (!found)
      fail_msg("%s is not listed", fns[k]);
  }
  actjit_ctx_free(ctx);
}

/* A whole-source name lifts the formals after x to parameters, with the
** catalog's defaults. */
static void test_catalog_parameters(void **state) {
  actjit_ctx *ctx = tu_ctx();
  for (size_t k = 0; k < NCAT; k++) {
    const cat_entry *c = &cat[k];
    actjit_expr *e = tu_parse(ctx, c->name);
    if (actjit_param_count(e) != (size_t)c->np)
      fail_msg("%s: %zu parameters, want %d", c->name, actjit_param_count(e),
               c->np);
    for (int j = 0; j < c->np; j++) {
      long i = actjit_param_index(e, c->pn[j]);
      if (i < 0)
        fail_msg("%s: no parameter %s", c->name, c->pn[j]);
      assert_string_equal(actjit_param_name(e, (size_t)i), c->pn[j]);
      double v = -12345;
      int has = actjit_param_default(e, (size_t)i, &v);
      if (has != c->has_def[j])
        fail_msg("%s: %s has_default %d", c->name, c->pn[j], has);
      if (has && v != c->def[j])
        fail_msg("%s: %s default %.17g, want %.17g", c->name, c->pn[j], v,
                 c->def[j]);
    }
    assert_null(actjit_param_name(e, (size_t)c->np));
    actjit_expr_free(e);
  }
  /* threshold has no defaults: evaluating without values is EUNBOUND */
  actjit_expr *e = tu_parse(ctx, "threshold");
  actjit_error err;
  double x = 1, y = 0;
  assert_int_equal(actjit_eval(e, NULL, &x, &y, 1, &err), ACTJIT_EUNBOUND);
  assert_int_equal(err.code, ACTJIT_EUNBOUND);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* f and f' on the core grid and next to every kink, default parameters. */
static void test_catalog_core(void **state) {
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t k = 0; k < NCAT; k++) {
    const cat_entry *c = &cat[k];
    double xs[NELEM(core_grid) + 8];
    size_t n = NELEM(core_grid);
    memcpy(xs, core_grid, sizeof core_grid);
    for (int j = 0; j < c->nk; j++) {
      double s = fmax(1, fabs(c->kink[j]));
      xs[n++] = c->kink[j] - 1e-9 * s;
      xs[n++] = c->kink[j] + 1e-9 * s;
      xs[n++] = c->kink[j] - 1e-6 * s;
      xs[n++] = c->kink[j] + 1e-6 * s;
    }
    bad += check_points(ctx, c, c->name, c->val, xs, n);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* f and f' in the tails (|x| from 4 to 1000), default parameters. */
static void test_catalog_tails(void **state) {
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t k = 0; k < NCAT; k++)
    bad += check_points(ctx, &cat[k], cat[k].name, cat[k].val, tail_grid,
                        NELEM(tail_grid));
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* f and f' with non-default parameter values passed to actjit_eval. */
static void test_catalog_other_params(void **state) {
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t k = 0; k < NCAT; k++)
    if (cat[k].np > 0)
      bad += check_points(ctx, &cat[k], cat[k].name, cat[k].alt, core_grid,
                          NELEM(core_grid));
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* Keyword and positional calls fold the arguments in: no parameters. */
static void test_catalog_keyword_forms(void **state) {
  static const struct {
    const char *src, *entry;
    double v[2];
  } t[] = {
      {"elu(x, alpha=0.5)", "elu", {0.5}},
      {"elu(x, 0.5)", "elu", {0.5}},
      {"elu(x)", "elu", {1}},
      {"celu(x, alpha=2)", "celu", {2}},
      {"selu(x)", "selu", {SELU_SCALE, SELU_ALPHA}},
      {"selu(x, alpha=0.5, scale=1.5)", "selu", {1.5, 0.5}},
      {"leaky_relu(x, negative_slope=0.2)", "leaky_relu", {0.2}},
      {"leaky_relu(x)", "leaky_relu", {0.01}},
      {"prelu(x, a=0.1)", "prelu", {0.1}},
      {"hardtanh(x, min_val=-2, max_val=3)", "hardtanh", {-2, 3}},
      {"hardtanh(x, max_val=0.5)", "hardtanh", {-1, 0.5}},
      {"softplus(x, beta=2, threshold=10)", "softplus", {2, 10}},
      {"softplus(x, beta=0.5)", "softplus", {0.5, 20}},
      {"swish(x, beta=1.5)", "swish", {1.5}},
      {"hardshrink(x, lambd=1)", "hardshrink", {1}},
      {"softshrink(x, 1)", "softshrink", {1}},
      {"threshold(x, 0.5, -1)", "threshold", {0.5, -1}},
      {"threshold(x, threshold=0.5, value=-1)", "threshold", {0.5, -1}},
      {"threshold(x, value=2, threshold=-1)", "threshold", {-1, 2}},
      {"softplus(x)", "softplus", {1, 20}},
      {"softplus(x, threshold=5)", "softplus", {1, 5}},
      {"rrelu(x, lower=0.1, upper=0.3)", "rrelu", {0.1, 0.3}},
      {"rrelu(x)", "rrelu", {0.125, 1.0 / 3}},
      {"squareplus(x, b=1)", "squareplus", {1}},
      {"squareplus(x, 9)", "squareplus", {9}},
      {"mish(x)", "mish", {0}},
      {"gelu(x)", "gelu", {0}},
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *e = tu_parse(ctx, t[i].src);
    if (actjit_param_count(e) != 0)
      fail_msg("%s: %zu parameters, want none", t[i].src,
               actjit_param_count(e));
    actjit_expr_free(e);
    bad += check_points(ctx, find_entry(t[i].entry), t[i].src, t[i].v,
                        core_grid, NELEM(core_grid));
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* Kink values of the `torch` profile (catalog.md), exactly. */
static void test_catalog_kinks_torch(void **state) {
  double lam_alpha = SELU_SCALE * SELU_ALPHA;
  double sig20 = sig(20);
  const struct {
    const char *src, *wrt;
    double x, want;
  } t[] = {
      {"relu", "x", 0, 0},
      {"relu", "x", -0.0, 0},
      {"relu6", "x", 0, 0},
      {"relu6", "x", 6, 0},
      {"hardtanh", "x", -1, 0},
      {"hardtanh", "x", 1, 0},
      {"hardtanh(x, min_val=-2, max_val=3)", "x", -2, 0},
      {"hardtanh(x, min_val=-2, max_val=3)", "x", 3, 0},
      {"leaky_relu", "x", 0, 0.01},
      {"leaky_relu(x, negative_slope=0.2)", "x", 0, 0.2},
      {"prelu", "x", 0, 0.25},
      {"prelu", "a", -2, -2},
      {"prelu", "a", 0, 0},
      {"prelu", "a", 3, 0},
      {"elu", "x", 0, 1},
      {"elu(x, alpha=0.5)", "x", 0, 0.5},
      {"celu", "x", 0, 1},
      {"celu(x, alpha=2)", "x", 0, 1},
      {"selu", "x", 0, lam_alpha},
      {"softplus", "x", 20, sig20},
      {"softplus(x)", "x", 20, sig20},
      {"softplus(x, beta=2)", "x", 10, sig20},
      {"softplus(x, beta=2, threshold=10)", "x", 5, sig(10)},
      {"hardsigmoid", "x", -3, 0},
      {"hardsigmoid", "x", 3, 0},
      {"hardswish", "x", -3, -0.5},
      {"hardswish", "x", 3, 1.5},
      {"hardshrink", "x", -0.5, 0},
      {"hardshrink", "x", 0.5, 0},
      {"softshrink", "x", -0.5, 0},
      {"softshrink", "x", 0.5, 0},
      {"hardshrink(x, lambd=1)", "x", 1, 0},
      {"softshrink(x, lambd=1)", "x", -1, 0},
      {"threshold(x, 1, 2)", "x", 1, 0},
      {"threshold(x, -0.5, 2)", "x", -0.5, 0},
      {"abs(x)", "x", 0, 0},
      {"max(x, 0)", "x", 0, 0.5},
      {"max(0, x)", "x", 0, 0.5},
      {"min(x, 0)", "x", 0, 0.5},
      {"min(0, x)", "x", 0, 0.5},
      {"max(x, 2)", "x", 2, 0.5},
      {"min(2*x, 2)", "x", 1, 1},
      {"clamp(x, -1, 1)", "x", -1, 1},
      {"clamp(x, -1, 1)", "x", 1, 1},
      {"clamp(x, 0, 6)", "x", 0, 1},
      {"clamp(x, 0, 6)", "x", 6, 1},
      {"x > 0 ? x : 0", "x", 0, 0},
      {"where(x >= 0, x, 0)", "x", 0, 1},
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *e = tu_parse(ctx, t[i].src);
    actjit_expr *d = tu_diff(e, t[i].wrt);
    double g = tu_evalp(d, NULL, t[i].x);
    if (!(g == t[i].want)) {
      print_message("  d/d%s %s at %g = %.17g, want %.17g\n", t[i].wrt,
                    t[i].src, t[i].x, g, t[i].want);
      bad++;
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  /* rrelu at 0: the negative branch, slope (lower + upper)/2 */
  actjit_expr *e = tu_parse(ctx, "rrelu");
  actjit_expr *d = tu_diff(e, "x");
  double g = tu_evalp(d, NULL, 0);
  if (!tu_close(g, (0.125 + 1.0 / 3) / 2, 1e-15, 0)) {
    print_message("  rrelu'(0) = %.17g\n", g);
    bad++;
  }
  actjit_expr_free(d);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* d/dparam against a fourth-order central difference in the parameter. */
static void test_catalog_param_gradients(void **state) {
  static const struct {
    const char *entry, *param;
  } t[] = {
      {"hardtanh", "min_val"},
      {"hardtanh", "max_val"},
      {"leaky_relu", "negative_slope"},
      {"prelu", "a"},
      {"elu", "alpha"},
      {"celu", "alpha"},
      {"selu", "scale"},
      {"selu", "alpha"},
      {"softplus", "beta"},
      {"softplus", "threshold"},
      {"swish", "beta"},
      {"hardshrink", "lambd"},
      {"softshrink", "lambd"},
      {"threshold", "threshold"},
      {"threshold", "value"},
      {"rrelu", "lower"},
      {"rrelu", "upper"},
      {"squareplus", "b"},
  };
  static const double xs[] = {-2.6, -1.7, -1.1, -0.7, -0.2, 0.3,
                              0.8,  1.3,  1.7,  2.6,  7,    -7};
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    const cat_entry *c = find_entry(t[i].entry);
    actjit_expr *e = tu_parse(ctx, c->name);
    actjit_expr *d = tu_diff(e, t[i].param);
    long pi = actjit_param_index(e, t[i].param);
    assert_true(pi >= 0);
    assert_int_equal(actjit_param_count(d), actjit_param_count(e));
    for (int set = 0; set < 2; set++) {
      double p[2];
      order_params(e, c, set ? c->alt : c->val, p);
      for (size_t j = 0; j < NELEM(xs); j++) {
        double h = 1e-4 * fmax(1, fabs(p[pi]));
        double g = tu_evalp(d, p, xs[j]);
        double fd = tu_fd4(e, p, pi, xs[j], h);
        if (!tu_close(g, fd, 1e-7, 1e-9)) {
          print_message("  d %s / d %s at x=%g (%s params) = %.17g, "
                        "central difference %.17g\n",
                        c->name, t[i].param, xs[j], set ? "alt" : "default", g,
                        fd);
          bad++;
        }
      }
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* NaN in, NaN out, forward and backward (semantics.md, numerics.md P2). */
static void test_catalog_nan(void **state) {
  static const char *const extra[] = {"abs(x)",
                                      "max(x, 0)",
                                      "min(x, 0)",
                                      "clamp(x, -1, 1)",
                                      "x > 0 ? x : 0",
                                      "where(x < 0, exp(x), 1)",
                                      "x > 0 ? 1 : 2*x",
                                      "max(0, x)",
                                      "elu(x, alpha=0.5)",
                                      "hardtanh(x, min_val=-2)",
                                      "threshold(x, 1, 2)",
                                      "softshrink(x, lambd=1)"};
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t k = 0; k < NCAT + NELEM(extra); k++) {
    const char *src = k < NCAT ? cat[k].name : extra[k - NCAT];
    actjit_expr *e = tu_parse(ctx, src);
    double p[2] = {0, 0};
    const double *pp = NULL;
    if (k < NCAT && cat[k].np > 0) {
      order_params(e, &cat[k], cat[k].val, p);
      pp = p;
    }
    actjit_expr *d = tu_diff(e, "x");
    double xs[2] = {NAN, -NAN};
    for (int j = 0; j < 2; j++) {
      double f = tu_evalp(e, pp, xs[j]), g = tu_evalp(d, pp, xs[j]);
      if (!isnan(f) || !isnan(g)) {
        print_message("  %s at NaN: f = %g, f' = %g\n", src, f, g);
        bad++;
      }
    }
    actjit_expr_free(d);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

/* The exact values at the kinks themselves, forward (f, not f'). */
static void test_catalog_kink_values(void **state) {
  static const struct {
    const char *src;
    double x, want;
  } t[] = {
      {"relu", 0, 0},          {"relu6", 6, 6},
      {"relu6", 0, 0},         {"hardtanh", 1, 1},
      {"hardtanh", -1, -1},    {"hardsigmoid", 3, 1},
      {"hardsigmoid", -3, 0},  {"hardsigmoid", 0, 0.5},
      {"hardswish", 3, 3},     {"hardswish", -3, 0},
      {"hardshrink", 0.5, 0},  {"softshrink", 0.5, 0},
      {"softshrink", 1.5, 1},  {"threshold(x, 1, 2)", 1, 2},
      {"softplus(x)", 21, 21}, {"elu", 0, 0},
      {"celu", 0, 0},          {"selu", 0, 0},
      {"relu", 2.5, 2.5},      {"leaky_relu", -2, -0.02},
  };
  actjit_ctx *ctx = tu_ctx();
  int bad = 0;
  for (size_t i = 0; i < NELEM(t); i++) {
    actjit_expr *e = tu_parse(ctx, t[i].src);
    double f = tu_evalp(e, NULL, t[i].x);
    if (!(f == t[i].want)) {
      print_message("  %s at %g = %.17g, want %.17g\n", t[i].src, t[i].x, f,
                    t[i].want);
      bad++;
    }
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_catalog_names),
      cmocka_unit_test(test_catalog_parameters),
      cmocka_unit_test(test_catalog_core),
      cmocka_unit_test(test_catalog_tails),
      cmocka_unit_test(test_catalog_other_params),
      cmocka_unit_test(test_catalog_keyword_forms),
      cmocka_unit_test(test_catalog_kinks_torch),
      cmocka_unit_test(test_catalog_kink_values),
      cmocka_unit_test(test_catalog_param_gradients),
      cmocka_unit_test(test_catalog_nan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
