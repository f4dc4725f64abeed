/*
** test_numerics.c: issue 5's promises, checked against MPFR.
**  - the naive forms users type compile to finite, accurate f and f'
**    (<= 8 ULP on the grid, +-100, +-1000, +-1e-8 and +-inf included);
**  - every stabilizer rule (rules.def) is an identity and never less
**    accurate than its pattern, on 10^5 samples per rule;
**  - every kink profile gives catalog.md's derivative values;
**  - backward from y: accepted for softplus and relu, refused for sigmoid,
**    tanh and elu at a tight bound, ENOINVERSE where f is not monotone.
** The exact values come from aj_mpfr_eval (jit/accuracy.h), which raises
** its precision until its running error bound is met.
*/
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accuracy.h"
#include "expr.h"
#include "testutil.h"

static actjit_activation *compile(actjit_ctx *ctx, const char *src,
                                  unsigned flags, int profile) {
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = flags;
  opt.profile = (actjit_profile)profile;
  actjit_activation *a = NULL;
  actjit_error err;
  if (actjit_compile(ctx, src, &opt, &a, &err) != ACTJIT_OK)
    fail_msg("compile \"%s\": %s", src, err.message);
  return a;
}

/* ---- Naive forms -------------------------------------------------------- */

static const char *const naive[] = {
    "log(1+exp(x))",          "x*tanh(log(1+exp(x)))",
    "log(sigmoid(x))",        "log(1/(1+exp(-x)))",
    "x/(1+exp(-x))",          "x*sigmoid(x)",
    "where(x<0, exp(x), 1)",  "where(x>0, sqrt(x), 0)",
    "0.5*x*(1+erf(x/sqrt(2)))", "exp(x)-1",
    "x - tanh(x)",            "1 - sigmoid(x)",
};

/* The grid: numerics.md's points up to 1000 (beyond, the exact value of
** a naive form like log(1 + e^-x) is past even MPFR's exponent range), and
** +-inf, where the reference is the stabilized form's limit (the naive
** form's own exact value there is NaN: inf/inf). */
static const double grid[] = {
    0,  1e-30, 1e-8, 1e-7, 0.5,  1,  3,   4.5, 6,    9,       10, 13.24,
    15, 20,    30,   88.7, 89,   100, 200, 1000, INFINITY};

/* The error of got at x against the exact value of ref (MPFR), with the
** local magnitude near a root (numerics.md). */
static double error_at(const actjit_expr *ref, aj_dtype dt, double x,
                       double got) {
  double want = aj_mpfr_eval(ref, NULL, x, 128);
  double e = aj_ulp_error(dt, got, want, 0);
  if (e > 1 && isfinite(x) && isfinite(want)) {
    double m = fabs(want);
    for (int k = -8; k <= 8; k++)
      m = fmax(m, fabs(aj_mpfr_eval(ref, NULL, x + k / 32.0, 64)));
    e = aj_ulp_error(dt, got, want, m);
  }
  return e;
}

static void test_naive_forms(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  int failures = 0;
  for (size_t i = 0; i < sizeof naive / sizeof *naive; i++) {
    actjit_activation *a = compile(ctx, naive[i], 0, 0);
    /* the exact f and f' of the formula as typed */
    actjit_expr *f = tu_parse(ctx, naive[i]);
    actjit_expr *df = tu_diff(f, "x");
    actjit_expr *fs = NULL, *dfs = NULL; /* for the limits at +-inf */
    assert_int_equal(aj_expr_stabilize(f, AJ_PHASE_CANON, &fs, NULL), 0);
    assert_int_equal(aj_expr_diff(fs, "x", 0, AJ_PHASE_CANON, &dfs, NULL), 0);
    double worst[2][2] = {{0, 0}, {0, 0}};
    for (size_t g = 0; g < sizeof grid / sizeof *grid; g++) {
      for (int sign = -1; sign <= 1; sign += 2) {
        double x = sign * grid[g];
        float x32 = (float)x, y32, d32, one32 = 1;
        double x64 = x, y64, d64, one64 = 1;
        assert_int_equal(actjit_forward_f32(a, &x32, &y32, 1), 0);
        assert_int_equal(actjit_backward_f32(a, &x32, &one32, &d32, 1), 0);
        assert_int_equal(actjit_forward_f64(a, &x64, &y64, 1), 0);
        assert_int_equal(actjit_backward_f64(a, &x64, &one64, &d64, 1), 0);
        const actjit_expr *rf = isinf(x) ? fs : f, *rdf = isinf(x) ? dfs : df;
        double e[2][2] = {
            {error_at(rf, AJ_F32, x32, y32), error_at(rdf, AJ_F32, x32, d32)},
            {error_at(rf, AJ_F64, x64, y64), error_at(rdf, AJ_F64, x64, d64)}};
        for (int dt = 0; dt < 2; dt++)
          for (int p = 0; p < 2; p++) {
            if (e[dt][p] > worst[dt][p]) worst[dt][p] = e[dt][p];
            if (e[dt][p] <= 8) continue;
            failures++;
            fprintf(stderr, "  FAIL %s: %s %s at x = %g: %.17g, exact %.17g (%.3g ULP)\n",
                    naive[i], dt ? "f64" : "f32", p ? "f'" : "f", x,
                    p ? (dt ? d64 : d32) : (dt ? y64 : y32),
                    aj_mpfr_eval(p ? rdf : rf, NULL, dt ? x64 : x32, 128), e[dt][p]);
          }
      }
    }
    printf("test_numerics: %-26s f32 %.2f / %.2f ULP, f64 %.2f / %.2f ULP (f / f')\n",
           naive[i], worst[0][0], worst[0][1], worst[1][0], worst[1][1]);
    actjit_expr_free(f), actjit_expr_free(df);
    actjit_expr_free(fs), actjit_expr_free(dfs);
    actjit_activation_free(a);
  }
  actjit_ctx_free(ctx);
  assert_int_equal(failures, 0);
}

/* NaN in, NaN out; and the untaken branch of a select never leaks into the
** gradient (torch: where(x<0, exp(x), 1) has a NaN gradient at x = 100). */
static void test_nan_policy(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  for (size_t i = 0; i < sizeof naive / sizeof *naive; i++) {
    actjit_activation *a = compile(ctx, naive[i], 0, 0);
    float x[3] = {NAN, 100, -100}, y[3], one[3] = {1, 1, 1}, d[3];
    assert_int_equal(actjit_forward_f32(a, x, y, 3), 0);
    assert_int_equal(actjit_backward_f32(a, x, one, d, 3), 0);
    assert_true(isnan(y[0]) && isnan(d[0]));
    assert_true(isfinite(y[2]) && isfinite(d[2]));
    if (strcmp(naive[i], "exp(x)-1") != 0) /* e^100 is past FLT_MAX */
      assert_true(isfinite(y[1]) && isfinite(d[1]));
    actjit_activation_free(a);
  }
  actjit_ctx_free(ctx);
}

/* ---- The rules ---------------------------------------------------------- */

#define RULE_SAMPLES 100000

/* Sample k of a rule's inputs: log-uniform |u| in [1e-6, 700], both signs,
** as float (so the f32 and f64 kernels see the same input). */
static double rule_input(uint64_t *seed) {
  double m = exp(log(1e-6) + (log(700.0) - log(1e-6)) *
                                 (double)(tu_rand(seed) >> 11) * 0x1p-53);
  return (float)((tu_rand(seed) & 1) ? -m : m);
}

/* The worst errors of a compiled side of a rule against the exact pattern,
** f32 and f64. */
static void rule_side_errors(const actjit_activation *a,
                             const actjit_expr *exact, const double *x,
                             const double *want, size_t n, int local,
                             double worst[2]) {
  float *x32 = malloc(n * sizeof *x32), *y32 = malloc(n * sizeof *y32);
  double *y64 = malloc(n * sizeof *y64);
  for (size_t i = 0; i < n; i++) x32[i] = (float)x[i];
  assert_int_equal(actjit_forward_f32(a, x32, y32, n), 0);
  assert_int_equal(actjit_forward_f64(a, x, y64, n), 0);
  worst[0] = worst[1] = 0;
  for (size_t i = 0; i < n; i++) {
    double w = want[i];
    if (isnan(w)) continue; /* outside the pattern's domain */
    double e32 = aj_ulp_error(AJ_F32, y32[i], w, 0);
    double e64 = aj_ulp_error(AJ_F64, y64[i], w, 0);
    /* near a root, numerics.md's absolute measure (for the result only:
    ** the pattern's error is an upper bound either way) */
    if (local && e32 > 2) e32 = error_at(exact, AJ_F32, x[i], y32[i]);
    if (local && e64 > 4) e64 = error_at(exact, AJ_F64, x[i], y64[i]);
    if (e32 > worst[0]) worst[0] = e32;
    if (e64 > worst[1]) worst[1] = e64;
  }
  free(x32), free(y32), free(y64);
}

static void test_rules_against_mpfr(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  uint32_t nrules = aj_rule_count(ctx);
  assert_true(nrules >= 18);
  double *x = malloc(RULE_SAMPLES * sizeof *x);
  double *want = malloc(RULE_SAMPLES * sizeof *want);
  int failures = 0;
  for (uint32_t r = 0; r < nrules; r++) {
    const char *name, *pat, *res;
    unsigned phase;
    aj_rule_text(ctx, r, &name, &pat, &res, &phase);
    /* u is x; v, where a rule has one, an independent smooth function */
    char src[2][1024];
    snprintf(src[0], sizeof src[0], "u = x; v = 0.75*x + 0.5; w = x; %s", pat);
    snprintf(src[1], sizeof src[1], "u = x; v = 0.75*x + 0.5; w = x; %s", res);
    actjit_expr *exact = tu_parse(ctx, src[0]);
    actjit_activation *lhs = compile(ctx, src[0], ACTJIT_NO_STABILIZE, 0);
    actjit_activation *rhs = compile(ctx, src[1], ACTJIT_NO_STABILIZE, 0);
    uint64_t seed = 0x5eed + r;
    for (size_t i = 0; i < RULE_SAMPLES; i++) {
      x[i] = rule_input(&seed);
      want[i] = aj_mpfr_eval(exact, NULL, x[i], 128);
    }
    /* the identity: the result's exact value is the pattern's */
    actjit_expr *exact_res = tu_parse(ctx, src[1]);
    for (size_t i = 0; i < RULE_SAMPLES; i += 97) {
      double v = aj_mpfr_eval(exact_res, NULL, x[i], 128);
      if (isnan(want[i]) && isnan(v)) continue;
      /* INV rules hold on f's range only, where the pattern is defined */
      if (isnan(want[i]) && phase == AJ_PHASE_INV) continue;
      /* gelu_grad's pattern holds log(2 pi)/2 rounded to a double, the
      ** result the exact constant: where the sum cancels they differ by
      ** an ULP of its terms (local: their magnitude), not of the sum */
      double local = 0, u = x[i];
      if (strcmp(name, "gelu_grad") == 0)
        local = 0.5 * erfc(-u / sqrt(2.0)) +
                fabs(0.75 * u + 0.5) * exp(-0.5 * u * u) / sqrt(2 * M_PI);
      if (aj_ulp_error(AJ_F64, v, want[i], local) > 1) {
        failures++;
        fprintf(stderr, "  FAIL rule %s: at u = %.17g the result is %.17g, the pattern %.17g\n",
                name, x[i], v, want[i]);
        break;
      }
    }
    double wl[2], wr[2];
    rule_side_errors(lhs, exact, x, want, RULE_SAMPLES, 0, wl);
    rule_side_errors(rhs, exact, x, want, RULE_SAMPLES, 1, wr);
    printf("test_numerics: rule %-18s pattern f32 %-9.3g f64 %-9.3g result f32 %.3g f64 %.3g ULP\n",
           name, wl[0], wl[1], wr[0], wr[1]);
    /* never less accurate: at most the pattern's error, or within the
    ** targets (2 ULP f32; 4 ULP f64) where the pattern is accurate too */
    for (int dt = 0; dt < 2; dt++) {
      double target = dt ? 4 : 2.5;
      if (wr[dt] <= fmax(wl[dt], target)) continue;
      failures++;
      fprintf(stderr, "  FAIL rule %s: %s result %.3g ULP > pattern %.3g ULP\n",
              name, dt ? "f64" : "f32", wr[dt], wl[dt]);
    }
    actjit_expr_free(exact_res);
    actjit_expr_free(exact);
    actjit_activation_free(lhs);
    actjit_activation_free(rhs);
  }
  free(x), free(want);
  actjit_ctx_free(ctx);
  assert_int_equal(failures, 0);
}

/* ---- Kink profiles (catalog.md) ----------------------------------------- */

typedef struct kink {
  const char *src;
  double x;
  double d[3]; /* f'(x) under torch, onednn, minnorm */
} kink;

#define SELU_L 1.0507009873554805
#define SELU_A 1.6732632423543772
static const kink kinks[] = {
    {"relu", 0, {0, 0, 0}},
    {"relu6", 0, {0, 0, 0}},
    {"relu6", 6, {0, 1, 0}},
    {"hardtanh", -1, {0, 0, 0}},
    {"hardtanh", 1, {0, 1, 0}},
    {"leaky_relu", 0, {0.01, 0.01, 0.01}},
    {"prelu", 0, {0.25, 0.25, 0.25}},
    {"elu(x, alpha=0.5)", 0, {0.5, 0.5, 0.5}},
    {"celu(x, alpha=0.5)", 0, {1, 1, 1}},
    {"selu", 0, {SELU_L * SELU_A, SELU_L * SELU_A, SELU_L}},
    {"hardsigmoid", -3, {0, 0, 0}},
    {"hardsigmoid", 3, {0, 0, 0}},
    {"hardswish", -3, {-0.5, 0, 0}},
    {"hardswish", 3, {1.5, 1, 1}},
    {"hardshrink", 0.5, {0, 0, 0}},
    {"hardshrink", -0.5, {0, 0, 0}},
    {"softshrink", 0.5, {0, 0, 0}},
    {"softshrink", -0.5, {0, 0, 0}},
    {"threshold(x, 1, 0.5)", 1, {0, 0, 0}},
    {"max(x, 0)", 0, {0.5, 0.5, 0.5}},
    {"min(x, 1)", 1, {0.5, 0.5, 0.5}},
    {"clamp(x, -1, 2)", -1, {1, 0, 0}},
    {"clamp(x, -1, 2)", 2, {1, 1, 0}},
    {"abs(x)", 0, {0, 0, 0}},
    {"where(x > 0, 2*x, -x)", 0, {-1, -1, 0}},
    {"where(x >= 1, 3*x, 2*x)", 1, {3, 3, 2}},
    {"x < 0 ? 0.1*x : x", 0, {1, 1, 0.1}},
};

static void test_profiles(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  int failures = 0;
  for (size_t i = 0; i < sizeof kinks / sizeof *kinks; i++)
    for (int p = 0; p < 3; p++) {
      actjit_activation *a = compile(ctx, kinks[i].src, 0, p);
      double x = kinks[i].x, one = 1, d64;
      float x32 = (float)x, one32 = 1, d32;
      assert_int_equal(actjit_backward_f64(a, &x, &one, &d64, 1), 0);
      assert_int_equal(actjit_backward_f32(a, &x32, &one32, &d32, 1), 0);
      double want = kinks[i].d[p];
      if (fabs(d64 - want) > 1e-15 * fabs(want) ||
          fabs(d32 - (float)want) > 1e-7 * fabs(want)) {
        failures++;
        fprintf(stderr, "  FAIL profile %s: %s'(%g) = %.17g (f64), %.9g (f32); want %.17g\n",
                actjit_profile_name(p), kinks[i].src, x, d64, d32, want);
      }
      actjit_activation_free(a);
    }
  assert_int_equal(actjit_profile_by_name("onednn"), ACTJIT_PROFILE_ONEDNN);
  assert_int_equal(actjit_profile_by_name("pytorch"), -1);
  /* an unknown profile is an error, not a crash */
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.profile = (actjit_profile)7;
  actjit_activation *a = NULL;
  actjit_error err;
  assert_int_equal(actjit_compile(ctx, "relu", &opt, &a, &err), ACTJIT_EINVAL);
  assert_null(a);
  actjit_ctx_free(ctx);
  assert_int_equal(failures, 0);
}

/* ---- Backward from y ---------------------------------------------------- */

static actjit_status compile_y(actjit_ctx *ctx, const char *src, double bound,
                               actjit_activation **a, actjit_error *err) {
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = ACTJIT_BACKWARD_FROM_Y;
  opt.y_max_ulp = bound;
  return actjit_compile(ctx, src, &opt, a, err);
}

static void test_backward_from_y(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  actjit_activation *a = NULL;
  actjit_error err;
  const char *accept[] = {"softplus", "relu", "relu6", "leaky_relu",
                          "log(1+exp(x))"};
  for (size_t i = 0; i < sizeof accept / sizeof *accept; i++) {
    if (compile_y(ctx, accept[i], 8, &a, &err) != ACTJIT_OK)
      fail_msg("y mode refused for %s: %s", accept[i], err.message);
    /* dx = dy g(y) agrees with dy f'(x), in place from y */
    actjit_activation *ax = compile(ctx, accept[i], 0, 0);
    float x[6] = {-30, -1, -1e-3, 0.5, 3, 30}, y[6], dy[6] = {1, 2, -1, 1, 0.5, 1};
    float dx[6], want[6];
    assert_int_equal(actjit_forward_f32(a, x, y, 6), 0);
    assert_int_equal(actjit_backward_y_f32(a, y, dy, y, 6), 0); /* in place */
    memcpy(dx, y, sizeof dx);
    assert_int_equal(actjit_backward_f32(ax, x, dy, want, 6), 0);
    for (int k = 0; k < 6; k++)
      if (fabs(dx[k] - want[k]) > 8 * 0x1p-23 * fabs(want[k]))
        fail_msg("%s from y at x = %g: %.9g, want %.9g", accept[i], x[k],
                 dx[k], want[k]);
    /* the x-based backward is not this activation's */
    assert_int_equal(actjit_backward_f32(a, x, dy, dx, 6), ACTJIT_EINVAL);
    assert_int_equal(actjit_backward_y_f32(ax, x, dy, dx, 6), ACTJIT_EINVAL);
    char *text = NULL;
    assert_int_equal(actjit_describe(a, ACTJIT_PART_DY, &text, NULL), 0);
    actjit_free(text);
    actjit_accuracy_report rep;
    assert_int_equal(actjit_accuracy(a, 1000, 1, &rep, &err), 0);
    assert_true(rep.has_y);
    assert_true(rep.part[ACTJIT_ACC_F32][ACTJIT_ACC_BACKWARD_Y].max_ulp <= 8);
    actjit_activation_free(ax);
    actjit_activation_free(a);
  }
  const char *refuse[] = {"sigmoid", "tanh", "elu"};
  for (size_t i = 0; i < sizeof refuse / sizeof *refuse; i++) {
    a = NULL;
    assert_int_equal(compile_y(ctx, refuse[i], 16, &a, &err), ACTJIT_EACCURACY);
    assert_null(a);
    assert_non_null(strstr(err.message, "ULP"));
  }
  /* not monotone, or no inverse known, or parameters left */
  assert_int_equal(compile_y(ctx, "mish", 8, &a, &err), ACTJIT_ENOINVERSE);
  assert_int_equal(compile_y(ctx, "gelu", 8, &a, &err), ACTJIT_ENOINVERSE);
  assert_int_equal(compile_y(ctx, "x + erf(x)", 8, &a, &err), ACTJIT_ENOINVERSE);
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = ACTJIT_BACKWARD_FROM_Y;
  const char *rt[] = {"alpha"};
  opt.runtime = rt;
  opt.nruntime = 1;
  assert_int_equal(actjit_compile(ctx, "elu", &opt, &a, &err), ACTJIT_EINVAL);
  actjit_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_naive_forms),
      cmocka_unit_test(test_nan_policy),
      cmocka_unit_test(test_profiles),
      cmocka_unit_test(test_backward_from_y),
      cmocka_unit_test(test_rules_against_mpfr),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
