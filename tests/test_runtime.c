/* test_runtime.c: accuracy suite for the vector math runtime (runtime/).
 *
 * Owns: the check that every ajrt_<fn> f32 and f64 entry point is within
 * its ULP bound of MPFR (128 bits) on a sample spanning the whole range
 * (random bit patterns, log-uniform values in the interesting range, the
 * special values and the known hard cases), that the x1 and the widest
 * version agree bitwise, and that the special values (NaN, +-inf, +-0) come
 * out as C99 Annex F says.  Prints a table (function, samples, max ULP,
 * worst input).  The error at a point is |computed - exact| / ulp(exact),
 * ulp taken in the exact value's binade of the target format, and the
 * subnormal spacing below the smallest normal; a result that must round
 * to inf (or NaN) has to be exactly that.  No timing assertions.
 */
#include <float.h>
#include <math.h>
#include <mpfr.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ajrt.h"

/* ---- references (MPFR, 128 bits) --------------------------------------- */
typedef int (*mref)(mpfr_t, const mpfr_t, const mpfr_t);
#define R1(name, call)                                                       \
  static int ref_##name(mpfr_t r, const mpfr_t x, const mpfr_t y) {         \
    (void)y;                                                                 \
    return call;                                                             \
  }
R1(exp, mpfr_exp(r, x, MPFR_RNDN))
R1(expm1, mpfr_expm1(r, x, MPFR_RNDN))
R1(log, mpfr_log(r, x, MPFR_RNDN))
R1(log1p, mpfr_log1p(r, x, MPFR_RNDN))
R1(tanh, mpfr_tanh(r, x, MPFR_RNDN))
R1(erf, mpfr_erf(r, x, MPFR_RNDN))
R1(erfc, mpfr_erfc(r, x, MPFR_RNDN))
R1(exp2, mpfr_exp2(r, x, MPFR_RNDN))
R1(log2, mpfr_log2(r, x, MPFR_RNDN))
R1(log10, mpfr_log10(r, x, MPFR_RNDN))
R1(sin, mpfr_sin(r, x, MPFR_RNDN))
R1(cos, mpfr_cos(r, x, MPFR_RNDN))
R1(tan, mpfr_tan(r, x, MPFR_RNDN))
R1(atan, mpfr_atan(r, x, MPFR_RNDN))
R1(asin, mpfr_asin(r, x, MPFR_RNDN))
R1(acos, mpfr_acos(r, x, MPFR_RNDN))
R1(sinh, mpfr_sinh(r, x, MPFR_RNDN))
R1(cosh, mpfr_cosh(r, x, MPFR_RNDN))
R1(asinh, mpfr_asinh(r, x, MPFR_RNDN))
R1(acosh, mpfr_acosh(r, x, MPFR_RNDN))
R1(atanh, mpfr_atanh(r, x, MPFR_RNDN))
R1(cbrt, mpfr_cbrt(r, x, MPFR_RNDN))
R1(atan2, mpfr_atan2(r, x, y, MPFR_RNDN))
R1(pow, mpfr_pow(r, x, y, MPFR_RNDN))
R1(hypot, mpfr_hypot(r, x, y, MPFR_RNDN))

/* sigmoid = 1 / (1 + e^-x); softplus = max(x, 0) + log1p(e^-|x|). */
static int ref_sigmoid(mpfr_t r, const mpfr_t x, const mpfr_t y) {
  (void)y;
  if (mpfr_nan_p(x)) return mpfr_set_nan(r), 0;
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(r) + 32);
  mpfr_neg(t, x, MPFR_RNDN);
  mpfr_exp(t, t, MPFR_RNDN);
  mpfr_add_ui(t, t, 1, MPFR_RNDN);
  mpfr_ui_div(r, 1, t, MPFR_RNDN);
  mpfr_clear(t);
  return 0;
}
static int ref_softplus(mpfr_t r, const mpfr_t x, const mpfr_t y) {
  (void)y;
  if (mpfr_nan_p(x)) return mpfr_set_nan(r), 0;
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(r) + 32);
  mpfr_abs(t, x, MPFR_RNDN);
  mpfr_neg(t, t, MPFR_RNDN);
  mpfr_exp(t, t, MPFR_RNDN);
  mpfr_log1p(t, t, MPFR_RNDN);
  if (mpfr_sgn(x) > 0) mpfr_add(t, t, x, MPFR_RNDN);
  mpfr_set(r, t, MPFR_RNDN);
  mpfr_clear(t);
  return 0;
}

/* exp_hl(x, y) = e^(x + y), the sum exact (2200 bits hold any two
 * doubles' sum); y is a pair's low part (|y| <= 2^-20 |x|, see gen). */
static int ref_exp_hl(mpfr_t r, const mpfr_t x, const mpfr_t y) {
  mpfr_t s;
  mpfr_init2(s, 2200);
  mpfr_add(s, x, y, MPFR_RNDN);
  int inex = mpfr_exp(r, s, MPFR_RNDN);
  mpfr_clear(s);
  return inex;
}

/* normcdf = erfc(-x/sqrt2)/2: the argument is carried at 2 exp(x) + 32
 * more bits, so that its rounding, times erfc's condition number
 * x^2 + 1, stays below the 128-bit result's. */
static int ref_normcdf(mpfr_t r, const mpfr_t x, const mpfr_t y) {
  (void)y;
  mpfr_prec_t q = mpfr_get_prec(r) + 32;
  if (mpfr_regular_p(x) && mpfr_get_exp(x) > 0) q += 2 * mpfr_get_exp(x);
  mpfr_t u;
  mpfr_init2(u, q);
  mpfr_sqrt_ui(u, 2, MPFR_RNDN);
  mpfr_div(u, x, u, MPFR_RNDN);
  mpfr_neg(u, u, MPFR_RNDN);
  int inex = mpfr_erfc(r, u, MPFR_RNDN);
  mpfr_div_2ui(r, r, 1, MPFR_RNDN);
  mpfr_clear(u);
  return inex;
}

/* the fast variants approximate the same functions */
#define ref_sigmoid_fast ref_sigmoid
#define ref_tanh_fast ref_tanh
#define ref_expm1_fast ref_expm1
#define ref_softplus_fast ref_softplus

/* normcdf_vpdf(x, y) = Phi(x) + y phi(x): Phi as ref_normcdf, phi at
 * 2 exp(x) + 64 bits (its relative condition is x^2). */
static int ref_normcdf_vpdf(mpfr_t r, const mpfr_t x, const mpfr_t y) {
  mpfr_t p, q;
  mpfr_prec_t prec = 256 + 2 * (mpfr_zero_p(x) ? 0 : (mpfr_get_exp(x) > 0 ? mpfr_get_exp(x) : 0));
  mpfr_inits2(prec, p, q, (mpfr_ptr)0);
  ref_normcdf(p, x, y);                 /* rounded to r's 128 bits there */
  mpfr_sqr(q, x, MPFR_RNDN);
  mpfr_div_2ui(q, q, 1, MPFR_RNDN);
  mpfr_neg(q, q, MPFR_RNDN);
  mpfr_exp(q, q, MPFR_RNDN);
  mpfr_mul(q, q, y, MPFR_RNDN);
  mpfr_t c;
  mpfr_init2(c, prec);
  mpfr_const_pi(c, MPFR_RNDN);
  mpfr_mul_2ui(c, c, 1, MPFR_RNDN);
  mpfr_sqrt(c, c, MPFR_RNDN);
  mpfr_div(q, q, c, MPFR_RNDN);
  int inex = mpfr_add(r, p, q, MPFR_RNDN);
  mpfr_clears(p, q, c, (mpfr_ptr)0);
  return inex;
}

/* ---- the functions under test ------------------------------------------ */
typedef float (*s32fn)(float, float);
typedef void (*v32fn)(const float *, const float *, float *);
typedef double (*s64fn)(double, double);
typedef void (*v64fn)(const double *, const double *, double *);

/* Adapters: every entry point as (x, y) -> r, scalar and widest vector. */
#define AD1(fn)                                                              \
  static float s32_##fn(float x, float y) {                                  \
    (void)y;                                                                 \
    return ajrt_##fn##_f32x1(x);                                             \
  }                                                                          \
  static void v32_##fn(const float *x, const float *y, float *r) {          \
    (void)y;                                                                 \
    ajrt_f32x16 v;                                                           \
    memcpy(&v, x, sizeof v);                                                 \
    v = ajrt_##fn##_f32x16(v);                                               \
    memcpy(r, &v, sizeof v);                                                 \
  }                                                                          \
  static double s64_##fn(double x, double y) {                               \
    (void)y;                                                                 \
    return ajrt_##fn##_f64x1(x);                                             \
  }                                                                          \
  static void v64_##fn(const double *x, const double *y, double *r) {       \
    (void)y;                                                                 \
    ajrt_f64x8 v;                                                            \
    memcpy(&v, x, sizeof v);                                                 \
    v = ajrt_##fn##_f64x8(v);                                                \
    memcpy(r, &v, sizeof v);                                                 \
  }
#define AD2(fn)                                                              \
  static float s32_##fn(float x, float y) { return ajrt_##fn##_f32x1(x, y); } \
  static void v32_##fn(const float *x, const float *y, float *r) {          \
    ajrt_f32x16 v, w;                                                        \
    memcpy(&v, x, sizeof v);                                                 \
    memcpy(&w, y, sizeof w);                                                 \
    v = ajrt_##fn##_f32x16(v, w);                                            \
    memcpy(r, &v, sizeof v);                                                 \
  }                                                                          \
  static double s64_##fn(double x, double y) {                               \
    return ajrt_##fn##_f64x1(x, y);                                          \
  }                                                                          \
  static void v64_##fn(const double *x, const double *y, double *r) {       \
    ajrt_f64x8 v, w;                                                         \
    memcpy(&v, x, sizeof v);                                                 \
    memcpy(&w, y, sizeof w);                                                 \
    v = ajrt_##fn##_f64x8(v, w);                                             \
    memcpy(r, &v, sizeof v);                                                 \
  }
#define AD(fn, ar) AD##ar(fn)
AJRT_FUNCS(AD)

/* Where the log-uniform samples go: |x| in [lo, hi], both signs unless
 * pos.  Bound in ULP for f32 and f64, sample counts. */
typedef struct {
  const char *name;
  int arity;
  mref ref;
  s32fn s32;
  v32fn v32;
  s64fn s64;
  v64fn v64;
  double lo, hi;
  int pos;
  double ulp32, ulp64;
  int n32, n64;
} fdesc;

#define M 1000000
#define F(fn, ar, lo, hi, pos, u32, u64, n32, n64)                           \
  {#fn, ar, ref_##fn, s32_##fn, v32_##fn, s64_##fn, v64_##fn,                \
   lo, hi, pos, u32, u64, n32, n64}
static const fdesc FUNCS[] = {
  F(exp, 1, 1e-8, 110, 0, 1, 4, M, 100000),
  F(expm1, 1, 1e-9, 110, 0, 1, 4, M, 100000),
  F(log, 1, 1e-30, 1e30, 1, 1, 4, M, 100000),
  F(log1p, 1, 1e-9, 1e9, 0, 1, 4, M, 100000),
  F(tanh, 1, 1e-6, 12, 0, 1, 4, M, 100000),
  F(sigmoid, 1, 1e-6, 110, 0, 1, 4, M, 100000),
  F(erf, 1, 1e-6, 6, 0, 1, 4, M, 100000),
  F(erfc, 1, 1e-3, 28, 0, 1, 4, M, 100000),
  F(softplus, 1, 1e-6, 110, 0, 4, 4, 200000, 100000),
  F(exp2, 1, 1e-8, 160, 0, 4, 4, 200000, 100000),
  F(log2, 1, 1e-30, 1e30, 1, 4, 4, 200000, 100000),
  F(log10, 1, 1e-30, 1e30, 1, 4, 4, 200000, 100000),
  F(sin, 1, 1e-6, 1e6, 0, 4, 4, 200000, 100000),
  F(cos, 1, 1e-6, 1e6, 0, 4, 4, 200000, 100000),
  F(tan, 1, 1e-6, 1e6, 0, 4, 4, 200000, 100000),
  F(atan, 1, 1e-6, 1e6, 0, 4, 4, 200000, 100000),
  F(asin, 1, 1e-6, 1, 0, 4, 4, 200000, 100000),
  F(acos, 1, 1e-6, 1, 0, 4, 4, 200000, 100000),
  F(atan2, 2, 1e-6, 1e6, 0, 4, 4, 200000, 100000),
  F(sinh, 1, 1e-6, 100, 0, 4, 4, 200000, 100000),
  F(cosh, 1, 1e-6, 100, 0, 4, 4, 200000, 100000),
  F(asinh, 1, 1e-6, 1e30, 0, 4, 4, 200000, 100000),
  F(acosh, 1, 1, 1e30, 1, 4, 4, 200000, 100000),
  F(atanh, 1, 1e-6, 1, 0, 4, 4, 200000, 100000),
  F(cbrt, 1, 1e-30, 1e30, 0, 4, 4, 200000, 100000),
  F(pow, 2, 1e-3, 1e3, 1, 4, 4, 200000, 100000),
  F(hypot, 2, 1e-20, 1e20, 0, 4, 4, 200000, 100000),
  /* last, so that the others keep their sample seeds; down to -38.5,
   * where Phi underflows in f64 (f32: -14.1) */
  F(normcdf, 1, 1e-3, 38.5, 0, 1, 2, 200000, 100000),
  F(exp_hl, 2, 1e-6, 110, 0, 1, 4, 200000, 100000),
  F(normcdf_vpdf, 2, 1e-3, 38.5, 0, 3, 4, 200000, 100000),
  /* the kernels' last operation: <= 1.5 ULP in float (exhaustive 1.48,
   * 1.50, 1.50, 1.49), the accurate functions in double */
  F(sigmoid_fast, 1, 1e-6, 110, 0, 1.5, 4, 200000, 100000),
  F(tanh_fast, 1, 1e-6, 12, 0, 1.5, 4, 200000, 100000),
  F(expm1_fast, 1, 1e-6, 89, 0, 1.5, 4, 200000, 100000),
  F(softplus_fast, 1, 1e-6, 110, 0, 1.5, 4, 200000, 100000),
};
#define NFUNCS (sizeof FUNCS / sizeof FUNCS[0])

/* ---- random numbers (splitmix64, deterministic) ------------------------ */
static uint64_t rnd(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double unif(uint64_t *s) { return (rnd(s) >> 11) * 0x1p-53; }

/* ---- error measure ------------------------------------------------------ */
/* ULP error of got against exact (prec 128).  prec/emin describe the
 * target format: 24/-149 (f32) or 53/-1074 (f64). */
static double ulp_err(double got, const mpfr_t exact, int isf) {
  if (mpfr_nan_p(exact)) return isnan(got) ? 0 : INFINITY;
  double rounded = isf ? (double)mpfr_get_flt(exact, MPFR_RNDN)
                       : mpfr_get_d(exact, MPFR_RNDN);
  if (isnan(got)) return INFINITY;
  if (isinf(rounded) || isinf(got)) return got == rounded ? 0 : INFINITY;
  if (mpfr_zero_p(exact)) return got == 0 ? 0 : INFINITY;
  long e = mpfr_get_exp(exact) - 1; /* |exact| in [2^e, 2^(e+1)) */
  long ue = e - (isf ? 23 : 52);
  long umin = isf ? -149 : -1074;
  if (ue < umin) ue = umin;
  mpfr_t d;
  mpfr_init2(d, 256);
  mpfr_set_d(d, got, MPFR_RNDN);
  mpfr_sub(d, d, exact, MPFR_RNDN);
  mpfr_abs(d, d, MPFR_RNDN);
  mpfr_mul_2si(d, d, -ue, MPFR_RNDN);
  double r = mpfr_get_d(d, MPFR_RNDU);
  mpfr_clear(d);
  return r;
}

/* ---- sample generation -------------------------------------------------- */
static const float SPECIAL32[] = {
  0.0f, -0.0f, 0x1p-149f, -0x1p-149f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX,
  INFINITY, -INFINITY, NAN, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 0.5f, -0.5f,
  1.0f, -1.0f, 2.0f, -2.0f, 3.0f, -3.0f, 4.5f, -4.5f, 6, -6, 9, -9, 10, -10,
  13.24f, -13.24f, 15, -15, 17, -17, 20, -20, 30, -30, 88.7f, -88.7f, 89,
  -89, 1e20f, -1e20f,
  /* thresholds and hard cases */
  0x1.62e42ep6f, 0x1.62e430p6f, 0x1.62e432p6f, -0x1.5d589ep6f, -0x1.9fe368p6f,
  -0x1.9fe36ap6f, -0x1.9d1d9ep6f, -87.33f, -87.34f, -103.97f, -103.98f,
  -104, -150, 0x1p-12f, -0x1p-12f, 0x1p-13f, 0x1p-25f, -0x1p-25f, 0x1p-26f,
  0.3125f, -0.3125f, 0.3466f, 0.3467f, -0.3466f, -0.3467f, 0.6931472f,
  -0.6931472f, 1.0397f, 9.01f, 9.02f, -17.33f, -17.34f, 16.6f, 10.05f,
  10.0554f, 10.06f, 10.5f, 0.84f, 0.8f, 0.5f, 1.25f, 3.9f, 3.92f, 0.9999999f,
  -0.9999999f, 1.0000001f, 2.414213f, 0.414213f, 0x1.921fb6p0f, 0x1.921fb6p1f,
  0x1.921fb6p-1f, 1e38f, -1e38f, 0x1.2d97c8p3f, 102.0f, 128.0f, -126.0f,
  -149.0f, -150.0f, 127.9999f, 1e10f, 2.71828182f, 10.0f, 100.0f, 1000.0f,
};
static const double SPECIAL64[] = {
  0.0, -0.0, 0x1p-1074, -0x1p-1074, DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX,
  INFINITY, -INFINITY, NAN, 1e-300, -1e-300, 1e-7, -1e-7, 0.5, -0.5, 1, -1,
  2, -2, 3, -3, 6, -6, 10, -10, 20, -20, 30, -30, 88.7, -88.7, 0x1p-30,
  -0x1p-30, 0x1p-60, 709.78, 709.79, 710.47, 710.48, -708.39, -745.13,
  -745.14, -746, 19.1, 37.5, -37.5, 27.2, 27.3, 26.5, 0.3466, 0.3467,
  0.6931471805599453, 1e300, -1e300, 1e22, 1e100, 0x1.921fb54442d18p0,
  0x1.921fb54442d18p1, 0x1p1023, 1024, -1074, -1075, 0.9999999999,
  1.0000000001, 0x1p60, 0x1p61,
};

/* Fills n inputs for f: 45% random bit patterns, 45% log-uniform in
 * [lo, hi] (signed unless pos), 10% near 1, 0 and the specials; the
 * specials (and all pairs of them, for two arguments) first. */
static size_t gen(const fdesc *f, int isf, double *x, double *y, size_t n,
                  uint64_t seed) {
  uint64_t s = seed;
  size_t k = 0;
  size_t ns = isf ? sizeof SPECIAL32 / sizeof *SPECIAL32
                  : sizeof SPECIAL64 / sizeof *SPECIAL64;
#define SP(i) (isf ? (double)SPECIAL32[i] : SPECIAL64[i])
  for (size_t i = 0; i < ns && k < n; i++) {
    if (f->arity == 1) {
      x[k] = SP(i), y[k++] = 0;
    } else if (!strcmp(f->name, "normcdf_vpdf")) { /* v = 0 and |x| */
      x[k] = SP(i), y[k++] = 0;
      if (k < n && isfinite(SP(i))) x[k] = SP(i), y[k++] = fabs(SP(i));
    } else if (!strcmp(f->name, "exp_hl")) { /* a pair: l small or 0 */
      x[k] = SP(i), y[k++] = 0;
      if (k < n && isfinite(SP(i))) {
        x[k] = SP(i);
        y[k++] = isf ? (double)(float)(SP(i) * 0x1.8p-23) : SP(i) * 0x1.8p-52;
      }
    } else {
      for (size_t j = 0; j < ns && k < n; j += 3) x[k] = SP(i), y[k++] = SP(j);
    }
  }
  while (k < n) {
    double v[2];
    for (int a = 0; a < 2; a++) {
      uint64_t r = rnd(&s);
      int kind = r % 20;
      double t;
      if (kind < 9) { /* random bits: any finite value */
        if (isf) {
          uint32_t b = (uint32_t)(rnd(&s) >> 32);
          float fv;
          memcpy(&fv, &b, 4);
          t = isfinite(fv) ? fv : 1.5;
        } else {
          uint64_t b = rnd(&s);
          memcpy(&t, &b, 8);
          if (!isfinite(t)) t = 1.5;
        }
      } else if (kind < 18) { /* log-uniform in [lo, hi] */
        t = f->lo * pow(f->hi / f->lo, unif(&s));
        if (!f->pos && (rnd(&s) & 1)) t = -t;
      } else { /* around 1 and 0 */
        t = (rnd(&s) & 1) ? 1 + (unif(&s) - 0.5) * 1e-3
                          : (unif(&s) - 0.5) * 1e-3;
        if (f->pos) t = fabs(t);
      }
      if (isf) t = (float)t;
      v[a] = t;
    }
    /* pow: keep y so that the result has a chance to be finite */
    if (!strcmp(f->name, "pow") && (rnd(&s) % 4)) {
      double lx = fabs(log2(fabs(v[0])));
      double lim = (isf ? 140 : 1100) / (lx > 1e-3 ? lx : 1e-3);
      v[1] = (unif(&s) * 2 - 1) * lim;
      if (rnd(&s) % 4 == 0) v[1] = round(v[1]);
      if (rnd(&s) % 8 == 0) v[0] = -v[0];
      if (isf) v[1] = (float)v[1];
    }
    /* normcdf_vpdf: the contract's domain without cancellation,
     * 0 <= y <= 4 (1 + |x|), or y = x (gelu') for x > 0 */
    if (!strcmp(f->name, "normcdf_vpdf")) {
      v[1] = (rnd(&s) & 1) && v[0] > 0 ? v[0]
                                        : unif(&s) * 4 * (1 + fmin(fabs(v[0]), 1e6));
      if (isf) v[1] = (float)v[1];
    }
    /* exp_hl: pairs as the codegen makes them, |y| < 2^-22 |x| */
    if (!strcmp(f->name, "exp_hl")) {
      v[1] = v[0] * (unif(&s) - 0.5) * 0x1p-21;
      if (isf) v[1] = (float)v[1];
    }
    x[k] = v[0];
    y[k++] = v[1];
  }
  return k;
#undef SP
}

/* ---- the check ---------------------------------------------------------- */
typedef struct {
  const fdesc *f;
  int isf;
  const double *x, *y;
  size_t b, e;
  double maxerr, wx, wy;
  size_t mismatch;
  double mx, my;
} job;

static int same(double a, double b) {
  return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof a);
}

static void *run_job(void *arg) {
  job *j = arg;
  const fdesc *f = j->f;
  mpfr_t mx, my, r;
  mpfr_inits2(128, mx, my, r, (mpfr_ptr)0);
  j->maxerr = 0;
  j->wx = j->wy = 0;
  j->mismatch = 0;
  for (size_t i = j->b; i < j->e; i += 16) {
    size_t m = j->e - i < 16 ? j->e - i : 16;
    double got[16];
    if (j->isf) {
      float xs[16] = {0}, ys[16] = {0}, rv[16];
      for (size_t l = 0; l < m; l++) xs[l] = j->x[i + l], ys[l] = j->y[i + l];
      f->v32(xs, ys, rv);
      for (size_t l = 0; l < m; l++) {
        float s = f->s32(xs[l], ys[l]);
        if (!same(s, rv[l]) || (s == 0 && signbit(s) != signbit(rv[l]))) {
          if (!j->mismatch++) j->mx = xs[l], j->my = ys[l];
        }
        got[l] = rv[l];
      }
    } else {
      double rv[16];
      for (size_t h = 0; h < m; h += 8) {
        double xs[8] = {0}, ys[8] = {0};
        size_t mm = m - h < 8 ? m - h : 8;
        for (size_t l = 0; l < mm; l++)
          xs[l] = j->x[i + h + l], ys[l] = j->y[i + h + l];
        f->v64(xs, ys, rv + h);
        for (size_t l = 0; l < mm; l++) {
          double s = f->s64(xs[l], ys[l]);
          if (!same(s, rv[h + l])) {
            if (!j->mismatch++) j->mx = xs[l], j->my = ys[l];
          }
        }
      }
      for (size_t l = 0; l < m; l++) got[l] = rv[l];
    }
    for (size_t l = 0; l < m; l++) {
      mpfr_set_d(mx, j->x[i + l], MPFR_RNDN);
      mpfr_set_d(my, j->y[i + l], MPFR_RNDN);
      f->ref(r, mx, my);
      double e = ulp_err(got[l], r, j->isf);
      /* signed zeros: the sign must match the exact result's */
      if (e == 0 && got[l] == 0 && mpfr_zero_p(r) &&
          signbit(got[l]) != (mpfr_signbit(r) != 0))
        e = INFINITY;
      if (e > j->maxerr || e != e)
        j->maxerr = e, j->wx = j->x[i + l], j->wy = j->y[i + l];
    }
  }
  mpfr_clears(mx, my, r, (mpfr_ptr)0);
  mpfr_free_cache();
  return NULL;
}

#define NTHREADS 2
static double xs_buf[M + 64], ys_buf[M + 64];

static int check(const fdesc *f, int isf) {
  size_t n = isf ? f->n32 : f->n64;
  n = gen(f, isf, xs_buf, ys_buf, n, 0x5eed0000ULL + (uint64_t)(f - FUNCS));
  job jobs[NTHREADS];
  pthread_t th[NTHREADS];
  for (int t = 0; t < NTHREADS; t++) {
    jobs[t] = (job){.f = f, .isf = isf, .x = xs_buf, .y = ys_buf};
    jobs[t].b = n * t / NTHREADS / 16 * 16;
    jobs[t].e = t == NTHREADS - 1 ? n : n * (t + 1) / NTHREADS / 16 * 16;
    pthread_create(&th[t], NULL, run_job, &jobs[t]);
  }
  double maxerr = 0, wx = 0, wy = 0;
  size_t mism = 0;
  double mx = 0, my = 0;
  for (int t = 0; t < NTHREADS; t++) {
    pthread_join(th[t], NULL);
    if (jobs[t].maxerr > maxerr || jobs[t].maxerr != jobs[t].maxerr)
      maxerr = jobs[t].maxerr, wx = jobs[t].wx, wy = jobs[t].wy;
    if (jobs[t].mismatch && !mism) mx = jobs[t].mx, my = jobs[t].my;
    mism += jobs[t].mismatch;
  }
  double bound = isf ? f->ulp32 : f->ulp64;
  char in[64];
  if (f->arity == 1)
    snprintf(in, sizeof in, "%a", wx);
  else
    snprintf(in, sizeof in, "%a, %a", wx, wy);
  printf("%-9s %-4s %8zu %9.3f %5.0f  %s\n", f->name, isf ? "f32" : "f64", n,
         maxerr, bound, in);
  fflush(stdout);
  if (mism)
    printf("  x1 and x%d differ at %zu inputs, first %a %a\n", isf ? 16 : 8,
           mism, mx, my);
  return mism == 0 && maxerr <= bound;
}

/* ---- special values, spelled out --------------------------------------- */
static void t_special32(void **state) {
  (void)state;
  const float inf = INFINITY;
  struct {
    const char *fn;
    float x, want;
  } tab[] = {
    {"exp", -inf, 0}, {"exp", inf, inf}, {"exp", 0x1.62e430p6f, inf},
    {"exp", -0x1.9fe36ap6f, 0}, {"exp", -100, 0x1.bp-145f},
    {"expm1", -0.0f, -0.0f}, {"expm1", -inf, -1}, {"expm1", inf, inf},
    {"log", 0, -inf}, {"log", -0.0f, -inf}, {"log", inf, inf},
    {"log", 1, 0}, {"log1p", -0.0f, -0.0f}, {"log1p", -1, -inf},
    {"log1p", inf, inf}, {"tanh", -0.0f, -0.0f}, {"tanh", inf, 1},
    {"tanh", -inf, -1}, {"sigmoid", -inf, 0}, {"sigmoid", inf, 1},
    {"sigmoid", 0, 0.5f}, {"softplus", -inf, 0}, {"softplus", inf, inf},
    {"erf", -0.0f, -0.0f}, {"erf", inf, 1}, {"erf", -inf, -1},
    {"erfc", inf, 0}, {"erfc", -inf, 2}, {"erfc", 0, 1},
    {"normcdf", inf, 1}, {"normcdf", -inf, 0}, {"normcdf", 0, 0.5f},
    {"normcdf", -0.0f, 0.5f}, {"normcdf", -15, 0}, {"normcdf", 6, 1},
    {"exp2", 3, 8}, {"exp2", -149, 0x1p-149f}, {"exp2", 128, inf},
    {"log2", 8, 3}, {"log10", 1000, 3}, {"sin", -0.0f, -0.0f},
    {"tan", -0.0f, -0.0f}, {"atan", inf, 0x1.921fb6p0f},
    {"asin", -0.0f, -0.0f}, {"acos", 1, 0}, {"sinh", -0.0f, -0.0f},
    {"cosh", -inf, inf}, {"asinh", -0.0f, -0.0f}, {"acosh", 1, 0},
    {"atanh", 1, inf}, {"atanh", -0.0f, -0.0f}, {"cbrt", -8, -2},
    {"cbrt", -0.0f, -0.0f}, {"cbrt", -inf, -inf},
  };
  for (size_t i = 0; i < sizeof tab / sizeof *tab; i++) {
    const fdesc *f = NULL;
    for (size_t k = 0; k < NFUNCS; k++)
      if (!strcmp(FUNCS[k].name, tab[i].fn)) f = &FUNCS[k];
    assert_non_null(f);
    float got = f->s32(tab[i].x, 0);
    if (got != tab[i].want || signbit(got) != signbit(tab[i].want))
      fail_msg("%s(%a) = %a, want %a", tab[i].fn, tab[i].x, got, tab[i].want);
  }
  /* NaN in -> NaN out, both paths, every function */
  for (size_t k = 0; k < NFUNCS; k++) {
    float xs[16], ys[16], r[16];
    for (int l = 0; l < 16; l++) xs[l] = NAN, ys[l] = 1.5f;
    if (!strcmp(FUNCS[k].name, "pow")) ys[0] = 0; /* pow(NaN, 0) = 1 */
    FUNCS[k].v32(xs, ys, r);
    for (int l = 1; l < 16; l++)
      if (!isnan(r[l])) fail_msg("%s(NaN) = %a", FUNCS[k].name, r[l]);
    if (!isnan(FUNCS[k].s32(NAN, 1.5f)))
      fail_msg("%s(NaN) not NaN (x1)", FUNCS[k].name);
  }
  /* two-argument Annex F cases */
  assert_true(ajrt_pow_f32x1(NAN, 0) == 1);
  assert_true(ajrt_pow_f32x1(1, NAN) == 1);
  assert_true(ajrt_pow_f32x1(-1, inf) == 1);
  assert_true(ajrt_pow_f32x1(-2, 3) == -8);
  assert_true(isnan(ajrt_pow_f32x1(-2, 0.5f)));
  assert_true(ajrt_pow_f32x1(-0.0f, -3) == -inf);
  assert_true(ajrt_pow_f32x1(0, -2) == inf);
  assert_true(ajrt_pow_f32x1(-inf, 3) == -inf);
  assert_true(ajrt_pow_f32x1(0.5f, inf) == 0);
  assert_true(ajrt_hypot_f32x1(inf, NAN) == inf);
  assert_true(ajrt_atan2_f32x1(0.0f, -0.0f) == 0x1.921fb6p1f);
  assert_true(signbit(ajrt_atan2_f32x1(-0.0f, 0.0f)));
  assert_true(ajrt_atan2_f32x1(inf, -inf) == 0x1.2d97c8p1f);
}

static void t_special64(void **state) {
  (void)state;
  const double inf = INFINITY;
  assert_true(ajrt_exp_f64x1(-inf) == 0);
  assert_true(ajrt_exp_f64x1(710) == inf);
  assert_true(ajrt_exp_f64x1(-745.2) == 0);
  assert_true(ajrt_exp_f64x1(-745.1) == 0x1p-1074);
  assert_true(signbit(ajrt_expm1_f64x1(-0.0)));
  assert_true(ajrt_log_f64x1(0) == -inf);
  assert_true(isnan(ajrt_log_f64x1(-1)));
  assert_true(signbit(ajrt_log1p_f64x1(-0.0)));
  assert_true(ajrt_tanh_f64x1(-inf) == -1);
  assert_true(signbit(ajrt_tanh_f64x1(-0.0)));
  assert_true(ajrt_sigmoid_f64x1(-inf) == 0);
  assert_true(ajrt_erfc_f64x1(inf) == 0);
  assert_true(ajrt_erfc_f64x1(-inf) == 2);
  assert_true(ajrt_normcdf_f64x1(inf) == 1);
  assert_true(ajrt_normcdf_f64x1(-inf) == 0);
  assert_true(ajrt_normcdf_f64x1(0) == 0.5);
  assert_true(ajrt_normcdf_f64x1(-39) == 0);
  assert_true(ajrt_normcdf_f64x1(-38) > 0);
  assert_true(ajrt_normcdf_f64x1(9) == 1);
  assert_true(signbit(ajrt_erf_f64x1(-0.0)));
  assert_true(ajrt_exp2_f64x1(-1074) == 0x1p-1074);
  assert_true(ajrt_cbrt_f64x1(-27) == -3);
  assert_true(ajrt_pow_f64x1(2, 1024) == inf);
  assert_true(ajrt_pow_f64x1(-2, 3) == -8);
  assert_true(ajrt_hypot_f64x1(NAN, -inf) == inf);
  for (size_t k = 0; k < NFUNCS; k++) {
    double y = !strcmp(FUNCS[k].name, "pow") ? 1.5 : 1.5;
    if (!isnan(FUNCS[k].s64(NAN, y)))
      fail_msg("%s(NaN) not NaN (f64)", FUNCS[k].name);
  }
}

/* Every function is checked (and printed) before the suite fails. */
static void t_f32(void **state) {
  (void)state;
  int bad = 0;
  for (size_t k = 0; k < NFUNCS; k++) bad += !check(&FUNCS[k], 1);
  assert_int_equal(bad, 0);
}
static void t_f64(void **state) {
  (void)state;
  int bad = 0;
  for (size_t k = 0; k < NFUNCS; k++) bad += !check(&FUNCS[k], 0);
  assert_int_equal(bad, 0);
}

int main(void) {
  printf("%-9s %-4s %8s %9s %5s  %s\n", "function", "type", "samples",
         "max ulp", "bound", "worst input");
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_special32),
    cmocka_unit_test(t_special64),
    cmocka_unit_test(t_f32),
    cmocka_unit_test(t_f64),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
