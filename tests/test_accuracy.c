/*
** test_accuracy.c: the accuracy machinery (jit/accuracy.c, jit/mpfr_eval.c).
**
** Tests: (a) aj_mpfr_eval against the float64 interpreter for every operator
** of ops.def (a table of expressions whose tapes are checked to cover every
** operator) at special and ordinary points, including NaN, +-inf and +-0
** semantics, and where the exact value needs more than 128 bits
** (cancellation) or a limit at +-inf; (b) aj_ulp_error's cases: relative,
** the local magnitude near a root, both below the smallest normal, NaN,
** infinities, float overflow; (c) actjit_accuracy on compiled catalog
** entries (bounds, sample counts, determinism, threads), runtime
** parameters, a naive formula the report must flag, errors and allocation
** failures.
*/
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpfr.h>

#include "testutil.h"
#include "accuracy.h"
#include "expr.h"

/* A context without the on-disk kernel cache. */
static actjit_ctx *actx(void) { return tu_ctx_nocache(); }

static actjit_activation *compile(actjit_ctx *ctx, const char *src,
                                  const actjit_options *opt) {
  actjit_error err;
  actjit_activation *a = NULL;
  actjit_status s = actjit_compile(ctx, src, opt, &a, &err);
  if (s != ACTJIT_OK)
    fail_msg("compile \"%s\": %s: %s", src, actjit_status_name(s),
             err.message);
  return a;
}

static actjit_accuracy_report measure(const actjit_activation *a,
                                      size_t nrandom, uint64_t seed) {
  actjit_accuracy_report r;
  actjit_error err;
  actjit_status s = actjit_accuracy(a, nrandom, seed, &r, &err);
  if (s != ACTJIT_OK)
    fail_msg("actjit_accuracy: %s: %s", actjit_status_name(s), err.message);
  return r;
}

/* ---- (a) aj_mpfr_eval against the interpreter ---------------------------- */

/* Every operator, with parameter p = 2.5 where the source uses it. */
static const char *const op_exprs[] = {
    "1.5", "x", "p*x + p", "-x", "x + 0.1", "x - 0.3", "x*1.1", "x/3",
    "x^3", "abs(x)^0.5", "pow(2, x)", "x^x", "!x", "!(x - 1)",
    "x < 0.5 ? 1 : 2", "x <= 0.5", "x > 0.5", "x >= 0.5", "x == 0.5",
    "x != 0.5", "x > 0 && x < 2", "x < 0 || x > 2", "where(x, 3, 4)",
    "x && 1", "exp(x)", "exp2(x)", "expm1(x)", "log(x)", "log2(x)",
    "log10(x)", "log1p(x)", "sqrt(x)", "cbrt(x)", "abs(x)", "sign(x)",
    "sin(x)", "cos(x)", "tan(x)", "asin(x)", "acos(x)", "atan(x)",
    "atan2(x, 0.5)", "atan2(1, x)", "atan2(x, -1)", "sinh(x)", "cosh(x)",
    "tanh(x)", "asinh(x)", "acosh(x)", "atanh(x)", "erf(x)", "erfc(x)",
    "normcdf(x)", "floor(x)", "ceil(x)", "round(x)", "round(2*x)", "trunc(x)",
    "min(x, -x)", "max(x, -x)", "min(x, 0.5)", "max(x, 0)", "max(0, x)",
    "clamp(x, -1, 2)", "clamp(x, 2, -1)", "sigmoid(x)", "log1pexp(x)",
    "hypot(x, 3)", "hypot(x, x)", "normcdf_vpdf(x, 0.5)",
    "normcdf_vpdf(x, 2)"};

static const double op_points[] = {
    0.0,    -0.0, 1e-300, -1e-300, 1e-20, -1e-20, 0.25,  -0.25, 0.5,
    -0.5,   0.75, 1,      -1,      1.5,   -1.5,   2,     2.5,   -2.5,
    3,      -3,   3.5,    10,      -10,   30,     -30,   100,   -100,
    700,    -700, 1e10,   -1e10,   1e300, -1e300, 0.1,   -0.7,  INFINITY,
    -INFINITY, NAN};

static void test_mpfr_matches_interpreter(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  int covered[AJ_OP_COUNT] = {0};
  const double p = 2.5;
  for (size_t i = 0; i < sizeof op_exprs / sizeof *op_exprs; i++) {
    actjit_expr *e = tu_parse(ctx, op_exprs[i]);
    for (uint32_t k = 0; k < e->tape.n; k++) covered[e->tape.ent[k].node->op] = 1;
    const double *params = actjit_param_count(e) ? &p : NULL;
    for (size_t j = 0; j < sizeof op_points / sizeof *op_points; j++) {
      double x = op_points[j], y;
      actjit_error err;
      assert_int_equal(actjit_eval(e, params, &x, &y, 1, &err), ACTJIT_OK);
      double m = aj_mpfr_eval(e, params, x, 128);
      if (isinf(x) && isnan(y)) continue; /* there mpfr gives the limit */
      double ulp = aj_ulp_error(AJ_F64, y, m, 0);
      /* libm is not correctly rounded: a few ULP; the zero's sign exact */
      if (!(ulp <= 4) || (y == 0 && m == 0 && signbit(y) != signbit(m)))
        fail_msg("%s at x = %.17g: interpreter %.17g, mpfr %.17g (%g ULP)",
                 op_exprs[i], x, y, m, ulp);
    }
    actjit_expr_free(e);
  }
  for (int op = 0; op < AJ_OP_COUNT; op++)
    if (op != AJ_ARG && op != AJ_DZERO && !covered[op])
      fail_msg("operator %s has no expression in the table",
               aj_ops[op].spelling);
  actjit_ctx_free(ctx);
}

/* Exact values the float64 interpreter cannot give, and limits at inf. */
static void test_mpfr_exact(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  static const struct {
    const char *src;
    double x, want; /* the correctly rounded double */
  } cases[] = {
      /* cancellation beyond 128 bits: redone at more precision */
      {"exp(x) - 1", 1e-30, 1e-30},
      {"exp(x) - 1", 0x1p-200, 0x1p-200},
      {"x - tanh(x)", 1e-30, 3.3333333333333342e-91},
      {"(1 + x) - 1", 0x1p-300, 0x1p-300},
      {"log(1 + x)", 1e-40, 1e-40},
      {"(x + 1) - x", 1e300, 1},
      {"1 - sigmoid(x)", 50, 1.9287498479639178e-22},
      {"x < 1e-30 ? 1 : 2", 1e-30, 2},
      {"(x + 1e-200) - x > 0", 1, 1},
      {"floor((x + 1e-100) - x + 3)", 1, 3},
      {"sign((1 + x) - 1)", 1e-60, 1},
      /* limits at +-inf where IEEE gives NaN */
      {"x*sigmoid(x)", -INFINITY, 0},
      {"x*exp(-x)", INFINITY, 0},
      {"x/(1 + abs(x))", INFINITY, 1},
      {"(x^2 - 1)/(x + 1)", INFINITY, INFINITY},
      {"(x^2 - 1)/(x + 1)", -INFINITY, -INFINITY},
      {"sin(x)", INFINITY, NAN},
      {"x/(x*x*x + x)", -INFINITY, 0},
      {"(x - sin(x))/x^2", INFINITY, 0},
      {"x - x", INFINITY, 0},
      {"x*sigmoid(66*clamp(x, -30, 30))", -INFINITY, 0},
      {"x/(1 + abs(x))", -INFINITY, -1},
      /* IEEE values at +-inf */
      {"sigmoid(x)", -INFINITY, 0},
      {"sigmoid(x)", INFINITY, 1},
      {"log1pexp(x)", INFINITY, INFINITY},
      {"x*tanh(log1pexp(x))", INFINITY, INFINITY},
      /* no overflow inside: the exponent range is wide */
      {"exp(x)/exp(x - 1)", 1000, 2.7182818284590451},
      {"sqrt(x*x)", 1e300, 1e300},
      {"log1pexp(x) - x", 800, 0},
      {"sigmoid(x)", -800, 0},
      {"log(1 + x)", 1e-45, 1e-45},
      {"atanh(tanh(x))", 50, 50},
      /* Phi without the rounding of x/sqrt2 (erfc's condition number
      ** 2a^2 + 1 would show it); subnormal at -38 */
      {"normcdf(x)", -6, 9.86587645037698e-10},
      {"normcdf(x)", -20, 2.7536241186062337e-89},
      {"normcdf(x)", -38, 2.88542835e-316},
      {"normcdf(x)", 3, 0.9986501019683699},
      {"normcdf(x)", -INFINITY, 0},
      {"normcdf(x)", INFINITY, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    actjit_expr *e = tu_parse(ctx, cases[i].src);
    double m = aj_mpfr_eval(e, NULL, cases[i].x, 128);
    double want = cases[i].want;
    int ok = isnan(want) ? isnan(m)
             : isinf(want) ? m == want
                           : aj_ulp_error(AJ_F64, m, want, 0) <= 1;
    if (!ok)
      fail_msg("%s at %.17g: mpfr %.17g, expected %.17g", cases[i].src,
               cases[i].x, m, want);
    actjit_expr_free(e);
  }
  actjit_ctx_free(ctx);
}

/* erfc for arguments >= 3.5 takes mpfr_eval's continued fraction: the same
** double as mpfr_erfc at 300 bits, at 128 and 256 bits. */
static void test_mpfr_erfc(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  actjit_expr *e = tu_parse(ctx, "erfc(x)");
  mpfr_t a, r;
  mpfr_inits2(300, a, r, (mpfr_ptr)0);
  mpfr_exp_t emin = mpfr_get_emin();
  mpfr_set_emin(mpfr_get_emin_min());
  uint64_t seed = 42;
  for (int i = 0; i < 400; i++) {
    double x = i < 100 ? 3.5 + i * 0.07
                       : exp(tu_rand_range(&seed, log(3.5), log(3e4)));
    mpfr_set_d(a, x, MPFR_RNDN);
    mpfr_erfc(r, a, MPFR_RNDN);
    double want = mpfr_get_d(r, MPFR_RNDN);
    for (unsigned prec = 128; prec <= 256; prec *= 2) {
      double got = aj_mpfr_eval(e, NULL, x, prec);
      if (!tu_same_double(got, want))
        fail_msg("erfc(%.17g) at %u bits: %.17g, mpfr_erfc %.17g", x, prec,
                 got, want);
    }
  }
  mpfr_set_emin(emin);
  mpfr_clears(a, r, (mpfr_ptr)0);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* Parameters: the caller's values, or the defaults when params is NULL;
** and the exponent range is restored for the caller's own MPFR use. */
static void test_mpfr_params(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  actjit_expr *e = tu_parse(ctx, "elu"); /* alpha = 1 */
  double p = 2;
  assert_int_equal(actjit_param_count(e), 1);
  assert_true(aj_ulp_error(AJ_F64, aj_mpfr_eval(e, NULL, -1, 128),
                           expm1(-1), 0) <= 1);
  assert_true(aj_ulp_error(AJ_F64, aj_mpfr_eval(e, &p, -1, 128),
                           2 * expm1(-1), 0) <= 1);
  actjit_expr_free(e);
  /* x = -1e-300 at 53 bits: the result is rounded from the tape's value */
  e = tu_parse(ctx, "x*x");
  assert_true(aj_mpfr_eval(e, NULL, 1e-200, 53) == 0); /* below denorm */
  assert_true(aj_mpfr_eval(e, NULL, 1e160, 200) == INFINITY);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* ---- (b) the error measure ----------------------------------------------- */

static void test_ulp_error(void **state) {
  (void)state;
  /* relative: in ULP of the exact value's binade */
  assert_true(aj_ulp_error(AJ_F32, 1 + 0x1p-23 * 3, 1, 0) == 3);
  assert_true(aj_ulp_error(AJ_F32, 1, 1 + 0x1p-23 * 3, 0) == 3);
  assert_true(aj_ulp_error(AJ_F64, 2 + 0x1p-51 * 2, 2, 0) == 2);
  assert_true(aj_ulp_error(AJ_F32, 1 - 0x1p-24, 1 - 0x1p-22, 0) == 3);
  /* exact in the dtype: 0 (the exact value rounds to got) */
  assert_true(aj_ulp_error(AJ_F32, 1.5, 1.5, 0) == 0);
  assert_true(aj_ulp_error(AJ_F32, 1.0, 1 + 0x1p-30, 0) == 0);
  assert_true(aj_ulp_error(AJ_F64, -0.0, 0.0, 0) == 0);
  /* near a root: in ULP of the local magnitude (0.25: ulp 2^-25 in f32) */
  double want = 1e-10, got = 1e-10 + 0x1p-25;
  assert_true(aj_ulp_error(AJ_F32, got, want, 0) > 1e5);
  assert_true(fabs(aj_ulp_error(AJ_F32, got, want, 0.25) - 1) < 1e-6);
  /* the local magnitude never makes it worse than relative */
  assert_true(aj_ulp_error(AJ_F32, 1 + 0x1p-22, 1, 1e-3) == 2);
  /* both below the smallest normal agree; one above does not */
  assert_true(aj_ulp_error(AJ_F32, 1e-39, 5e-40, 0) == 0);
  assert_true(aj_ulp_error(AJ_F32, 0, -1e-40, 0) == 0);
  assert_true(aj_ulp_error(AJ_F64, 1e-310, 3e-320, 0) == 0);
  assert_true(aj_ulp_error(AJ_F32, 0, 2 * FLT_MIN, 0) == 0x1p23);
  assert_true(aj_ulp_error(AJ_F32, 1e-20, 1e-39, 0) > 1e10);
  /* NaN and infinities */
  assert_true(aj_ulp_error(AJ_F32, NAN, NAN, 0) == 0);
  assert_true(aj_ulp_error(AJ_F32, NAN, 1, 0) == INFINITY);
  assert_true(aj_ulp_error(AJ_F32, 1, NAN, 0) == INFINITY);
  assert_true(aj_ulp_error(AJ_F64, INFINITY, 1e300, 0) == INFINITY);
  assert_true(aj_ulp_error(AJ_F64, INFINITY, INFINITY, 0) == 0);
  assert_true(aj_ulp_error(AJ_F64, -INFINITY, INFINITY, 0) == INFINITY);
  assert_true(aj_ulp_error(AJ_F64, 1e308, INFINITY, 0) == INFINITY);
  assert_true(aj_ulp_error(AJ_F32, NAN, 1, 0.5) == INFINITY);
  /* float overflow: the exact value rounds to inf in f32 */
  assert_true(aj_ulp_error(AJ_F32, INFINITY, 1e39, 0) == 0);
  assert_true(aj_ulp_error(AJ_F32, FLT_MAX, 1e39, 0) > 1e6);
  assert_true(aj_ulp_error(AJ_F32, FLT_MAX, FLT_MAX * (1 + 0x1p-25), 0) <
              1);
}

/* ---- (c) actjit_accuracy ------------------------------------------------- */

#define NRANDOM 2000
#define NGRID 43 /* 21 magnitudes with both signs, and NaN */

static void check_part_sane(const actjit_accuracy_part *p, size_t nmin) {
  assert_true(p->samples >= nmin);
  assert_true(p->median_ulp >= 0 && p->median_ulp <= p->max_ulp);
  if (p->worst_ulp[0] >= 0) assert_true(p->worst_ulp[0] == p->max_ulp);
  for (int i = 1; i < ACTJIT_ACCURACY_WORST; i++) {
    assert_true(p->worst_ulp[i] <= p->worst_ulp[i - 1]);
    if (p->worst_ulp[i] >= 0)
      for (int j = 0; j < i; j++) assert_true(p->worst_x[j] != p->worst_x[i]);
  }
}

static void test_catalog_bounds(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  static const struct {
    const char *name;
    double fwd32; /* bound on f32 forward max ULP */
  } cases[] = {{"relu", 0}, {"sigmoid", 2}, {"tanh", 2}, {"elu", 2}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    actjit_activation *a = compile(ctx, cases[i].name, NULL);
    actjit_accuracy_report r = measure(a, NRANDOM, 1);
    assert_false(r.has_y);
    for (int dt = 0; dt < 2; dt++)
      for (int kind = 0; kind < 2; kind++)
        check_part_sane(&r.part[dt][kind], NRANDOM + NGRID - 2);
    /* relu has a limit everywhere: every input is measured */
    if (i == 0) assert_int_equal(r.part[0][0].samples, NRANDOM + NGRID);
    const actjit_accuracy_part *f = &r.part[ACTJIT_ACC_F32][ACTJIT_ACC_FORWARD];
    if (!(f->max_ulp <= cases[i].fwd32))
      fail_msg("%s: f32 forward max %g ULP at x = %.9g (got %.9g, want "
               "%.9g)", cases[i].name, f->max_ulp, f->worst_x[0],
               f->worst_got[0], f->worst_want[0]);
    assert_int_equal(f->nonfinite, 0);
    assert_int_equal(r.part[0][2].samples, 0); /* no y mode */
    assert_true(r.part[0][2].worst_ulp[0] == -1);
    actjit_activation_free(a);
  }
  actjit_ctx_free(ctx);
}

/* The report catches naive formulas: gelu with 1 + erf (cancels to 0 in
** the left tail) and log(1 + exp(x)) (inf for x > 88.7 in f32). */
static void test_catches_naive(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = ACTJIT_NO_STABILIZE;
  actjit_activation *a = compile(ctx, "0.5*x*(1 + erf(x/sqrt(2)))", &opt);
  actjit_accuracy_report r = measure(a, NRANDOM, 7);
  const actjit_accuracy_part *f = &r.part[ACTJIT_ACC_F32][ACTJIT_ACC_FORWARD];
  assert_true(f->max_ulp > 1000);
  assert_true(f->worst_x[0] < -5);
  actjit_activation_free(a);

  a = compile(ctx, "log(1 + exp(x))", &opt);
  r = measure(a, NRANDOM, 7);
  f = &r.part[ACTJIT_ACC_F32][ACTJIT_ACC_FORWARD];
  assert_true(f->max_ulp == INFINITY);
  assert_true(f->nonfinite > 0);
  assert_true(f->worst_x[0] > 88);
  actjit_activation_free(a);

  /* exp(x) - 1 near 0: the absolute error is one rounding of e^x ~ 1,
  ** within 2 ULP of the local magnitude e^0.25 - 1 (numerics.md's measure
  ** forgives cancellation at a root of f); relative to |f| it is huge */
  a = compile(ctx, "exp(x) - 1", &opt);
  r = measure(a, NRANDOM, 7);
  f = &r.part[ACTJIT_ACC_F32][ACTJIT_ACC_FORWARD];
  assert_true(f->max_ulp <= 4);
  double x = 1e-4;
  float xf = (float)x, yf;
  assert_int_equal(actjit_forward_f32(a, &xf, &yf, 1), ACTJIT_OK);
  if (yf != (float)expm1((double)xf)) /* naive indeed */
    assert_true(aj_ulp_error(AJ_F32, yf, expm1((double)xf), 0) > 100);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

/* 1 if the reports are the same (field by field: not the padding). */
static int same_report(const actjit_accuracy_report *a,
                       const actjit_accuracy_report *b) {
  if (a->has_y != b->has_y) return 0;
  for (int dt = 0; dt < 2; dt++)
    for (int kind = 0; kind < 3; kind++) {
      const actjit_accuracy_part *p = &a->part[dt][kind];
      const actjit_accuracy_part *q = &b->part[dt][kind];
      if (p->max_ulp != q->max_ulp || p->median_ulp != q->median_ulp ||
          p->samples != q->samples || p->nonfinite != q->nonfinite)
        return 0;
      for (int i = 0; i < ACTJIT_ACCURACY_WORST; i++)
        if (!tu_same_double(p->worst_x[i], q->worst_x[i]) ||
            !tu_same_double(p->worst_ulp[i], q->worst_ulp[i]) ||
            !tu_same_double(p->worst_got[i], q->worst_got[i]) ||
            !tu_same_double(p->worst_want[i], q->worst_want[i]))
          return 0;
    }
  return 1;
}

/* Same seed, same report; another seed, other random inputs. */
static void test_deterministic(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  actjit_activation *a = compile(ctx, "mish", NULL);
  actjit_accuracy_report r1 = measure(a, 500, 3);
  actjit_accuracy_report r2 = measure(a, 500, 3);
  assert_true(same_report(&r1, &r2));
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

typedef struct thread_arg {
  const actjit_activation *a;
  actjit_accuracy_report r;
  actjit_status s;
} thread_arg;

static void *measure_thread(void *p) {
  thread_arg *t = p;
  t->s = actjit_accuracy(t->a, 300, 11, &t->r, NULL);
  return NULL;
}

/* Concurrent reports on one activation agree with a lone one. */
static void test_threads(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  actjit_activation *a = compile(ctx, "gelu", NULL);
  actjit_accuracy_report want = measure(a, 300, 11);
  thread_arg t[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    t[i].a = a;
    assert_int_equal(pthread_create(&th[i], NULL, measure_thread, &t[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(t[i].s, ACTJIT_OK);
    assert_true(same_report(&t[i].r, &want));
  }
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

/* Runtime parameters take their defaults; one without is EUNBOUND. */
static void test_runtime_params(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  const char *rt[] = {"alpha"};
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.runtime = rt;
  opt.nruntime = 1;
  actjit_activation *a = compile(ctx, "elu", &opt);
  actjit_accuracy_report r = measure(a, NRANDOM, 5);
  for (int dt = 0; dt < 2; dt++) {
    check_part_sane(&r.part[dt][0], NRANDOM + NGRID - 2);
    assert_true(r.part[dt][0].max_ulp <= 2);
    assert_true(r.part[dt][1].max_ulp <= 4);
  }
  actjit_activation_free(a);

  /* two runtime parameters, given in the other order than f's */
  const char *rt2[] = {"threshold", "beta"};
  opt.runtime = rt2;
  opt.nruntime = 2;
  a = compile(ctx, "softplus", &opt);
  r = measure(a, NRANDOM, 5);
  assert_true(r.part[0][0].max_ulp <= 2 && r.part[1][0].max_ulp <= 4);
  actjit_activation_free(a);

  const char *rt3[] = {"v", "t"};
  opt.runtime = rt3;
  a = compile(ctx, "x > t ? x : v", &opt); /* no defaults */
  actjit_error err;
  assert_int_equal(actjit_accuracy(a, 10, 1, &r, &err), ACTJIT_EUNBOUND);
  assert_int_equal(err.code, ACTJIT_EUNBOUND);
  assert_non_null(strstr(err.message, "'t'"));
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

/* Backward from y, where the compiler offers it: the y rows are filled. */
static void test_y_mode(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = ACTJIT_BACKWARD_FROM_Y;
  opt.y_max_ulp = 1e30;
  actjit_activation *a = NULL;
  actjit_status s = actjit_compile(ctx, "softplus", &opt, &a, NULL);
  if (s == ACTJIT_OK) {
    actjit_accuracy_report r = measure(a, NRANDOM, 9);
    if (r.has_y) {
      for (int dt = 0; dt < 2; dt++) {
        assert_int_equal(r.part[dt][ACTJIT_ACC_BACKWARD].samples, 0);
        check_part_sane(&r.part[dt][ACTJIT_ACC_BACKWARD_Y],
                        NRANDOM + NGRID - 2);
      }
    }
  }
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

static void test_errors(void **state) {
  (void)state;
  actjit_accuracy_report r;
  actjit_error err;
  assert_int_equal(actjit_accuracy(NULL, 10, 1, &r, &err), ACTJIT_EINVAL);
  assert_int_equal(err.code, ACTJIT_EINVAL);
  actjit_ctx *ctx = actx();
  actjit_activation *a = compile(ctx, "relu", NULL);
  assert_int_equal(actjit_accuracy(a, 10, 1, NULL, NULL), ACTJIT_EINVAL);
  /* nrandom = 0: the grid alone */
  r = measure(a, 0, 1);
  assert_int_equal(r.part[0][0].samples, NGRID);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

/* Every allocation actjit_accuracy makes may fail: ENOMEM, no leak. */
static void test_alloc_failures(void **state) {
  (void)state;
  tu_alloc al = {0};
  actjit_ctx *ctx = tu_ctx_counting(&al);
  const char *rt[] = {"alpha"};
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.runtime = rt;
  opt.nruntime = 1;
  /* the optimized kernels first: a background compile would allocate
  ** (and meet the injected failures) while the counts are compared */
  opt.flags = ACTJIT_COMPILE_WAIT;
  actjit_activation *a = compile(ctx, "celu", &opt);
  double x = 1, y;
  double p = 1;
  assert_int_equal(actjit_forward_f64_p(a, &p, &x, &y, 1), ACTJIT_OK);
  actjit_accuracy_report r;
  int done = 0;
  for (size_t n = 1; n < 100 && !done; n++) {
    size_t live = al.live_blocks;
    al.fail_at = al.count + n;
    actjit_error err;
    actjit_status s = actjit_accuracy(a, 50, 1, &r, &err);
    al.fail_at = 0;
    assert_int_equal(al.live_blocks, live);
    if (s == ACTJIT_OK) done = 1;
    else assert_int_equal(s, ACTJIT_ENOMEM);
  }
  assert_true(done);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
  assert_int_equal(al.live_blocks, 0);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Speed: 10^4 random inputs of mish, all six... four kernels, in seconds. */
static void test_speed(void **state) {
  (void)state;
  actjit_ctx *ctx = actx();
  actjit_activation *a = compile(ctx, "mish", NULL);
  double t = now_s();
  actjit_accuracy_report r = measure(a, 10000, 1);
  t = now_s() - t;
  print_message("mish, 10^4 random inputs, 4 kernels: %.2f s; f32 forward "
                "max %.3g ULP, backward %.3g ULP\n", t, r.part[0][0].max_ulp,
                r.part[0][1].max_ulp);
  assert_true(t < 30);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mpfr_matches_interpreter),
      cmocka_unit_test(test_mpfr_exact),
      cmocka_unit_test(test_mpfr_erfc),
      cmocka_unit_test(test_mpfr_params),
      cmocka_unit_test(test_ulp_error),
      cmocka_unit_test(test_catalog_bounds),
      cmocka_unit_test(test_catches_naive),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_threads),
      cmocka_unit_test(test_runtime_params),
      cmocka_unit_test(test_y_mode),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_alloc_failures),
      cmocka_unit_test(test_speed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
