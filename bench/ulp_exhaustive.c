/* ulp_exhaustive.c: every float through the runtime's <= 1 ULP functions.
 *
 * Owns: the exhaustive accuracy check of the f32 x16 entry points of exp,
 * expm1, log, log1p, tanh, sigmoid, softplus, erf, erfc and normcdf (and of
 * sigmoid_fast and tanh_fast, <= 1.5 ULP, the kernels' last operation) on
 * all 2^32 inputs, and a quick speed comparison (ns per element, 4096 floats,
 * against SLEEF 3.5 AVX-512 calls and plain glibc loops in the same run).
 *
 * Reference: glibc's double functions (sigmoid as 1/(1+e^-x) for x >= 0
 * and e^x/(1+e^x) below, softplus as max(x,0) + log1p(e^-|x|), normcdf as
 * erfc(-x/sqrt2)/2, all in double), taken as exact: their error (a few
 * double ULP; for normcdf the rounding of -x/sqrt2 times erfc's condition
 * number, below 2^-44 relative where the f32 result is not 0) is 2^-19 of
 * a float ULP or less.  Error = |got - ref| / ulp, ulp of the float binade
 * of ref (2^-149 below FLT_MIN); a result that must round to inf must be
 * inf, a zero must have the reference's sign, NaN in must give NaN out.
 *
 * Usage: ulp_exhaustive [fn ...]      all twelve if none named
 *        ulp_exhaustive --speed
 * Two threads (the machine has two cores), progress on stderr.
 */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <immintrin.h>
#include <sleef.h>

#include "ajrt.h"
#include "ajrt_math.h" /* the inline versions, for the speed table */

static double sigmoid_ref(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}
static double softplus_ref(double x) {
  return (x > 0 ? x : 0) + log1p(exp(-fabs(x)));
}
static double normcdf_ref(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }

typedef struct {
  const char *name;
  ajrt_f32x16 (*fn)(ajrt_f32x16);
  double (*ref)(double);
} entry;

static const entry FNS[] = {
  {"exp", ajrt_exp_f32x16, exp},       {"expm1", ajrt_expm1_f32x16, expm1},
  {"log", ajrt_log_f32x16, log},       {"log1p", ajrt_log1p_f32x16, log1p},
  {"tanh", ajrt_tanh_f32x16, tanh},    {"sigmoid", ajrt_sigmoid_f32x16,
                                        sigmoid_ref},
  {"softplus", ajrt_softplus_f32x16, softplus_ref},
  {"erf", ajrt_erf_f32x16, erf},       {"erfc", ajrt_erfc_f32x16, erfc},
  {"normcdf", ajrt_normcdf_f32x16, normcdf_ref},
  {"sigmoid_fast", ajrt_sigmoid_fast_f32x16, sigmoid_ref},
  {"tanh_fast", ajrt_tanh_fast_f32x16, tanh},
  {"expm1_fast", ajrt_expm1_fast_f32x16, expm1},
  {"softplus_fast", ajrt_softplus_fast_f32x16, softplus_ref},
};
#define NF (sizeof FNS / sizeof FNS[0])

static double ulp_err(float got, double ref) {
  if (isnan(ref)) return isnan(got) ? 0 : INFINITY;
  if (isnan(got)) return INFINITY;
  float rf = (float)ref;
  if (isinf(rf) || isinf(got)) return got == rf ? 0 : INFINITY;
  if (ref == 0 && got == 0 && signbit(ref) != signbit(got)) return INFINITY;
  double a = fabs(ref), u;
  if (a < FLT_MIN) {
    u = 0x1p-149;
  } else {
    int e;
    frexp(a, &e); /* a in [2^(e-1), 2^e) */
    u = ldexp(1.0, e - 24);
  }
  return fabs((double)got - ref) / u;
}

typedef struct {
  const entry *f;
  uint64_t b, e; /* bit-pattern range [b, e) */
  double maxerr;
  uint32_t worst;
  uint64_t over1;
  volatile uint64_t done;
} job;

static void *run(void *arg) {
  job *j = arg;
  j->maxerr = 0;
  j->over1 = 0;
  for (uint64_t i = j->b; i < j->e; i += 16) {
    float x[16], y[16];
    for (int l = 0; l < 16; l++) {
      uint32_t u = (uint32_t)(i + l);
      memcpy(&x[l], &u, 4);
    }
    ajrt_f32x16 v;
    memcpy(&v, x, sizeof v);
    v = j->f->fn(v);
    memcpy(y, &v, sizeof v);
    for (int l = 0; l < 16; l++) {
      double err = ulp_err(y[l], j->f->ref((double)x[l]));
      if (err > 1) j->over1++;
      if (err > j->maxerr || err != err) {
        j->maxerr = err;
        j->worst = (uint32_t)(i + l);
      }
    }
    if (!(i & 0xffffff)) j->done = i - j->b;
  }
  j->done = j->e - j->b;
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int exhaustive(const entry *f) {
  enum { NT = 2 };
  job jobs[NT];
  pthread_t th[NT];
  double t0 = now();
  for (int t = 0; t < NT; t++) {
    jobs[t] = (job){.f = f, .b = (1ULL << 32) * t / NT,
                    .e = (1ULL << 32) * (t + 1) / NT};
    pthread_create(&th[t], NULL, run, &jobs[t]);
  }
  for (;;) {
    struct timespec ts = {5, 0};
    nanosleep(&ts, NULL);
    uint64_t d = 0, alld = 1;
    for (int t = 0; t < NT; t++) {
      d += jobs[t].done;
      alld &= jobs[t].done == jobs[t].e - jobs[t].b;
    }
    fprintf(stderr, "\r%-8s %5.1f%%  %6.0f s", f->name,
            100.0 * d / 4294967296.0, now() - t0);
    if (alld) break;
  }
  fprintf(stderr, "\n");
  double maxerr = 0;
  uint32_t worst = 0;
  uint64_t over = 0;
  for (int t = 0; t < NT; t++) {
    pthread_join(th[t], NULL);
    if (jobs[t].maxerr > maxerr || jobs[t].maxerr != jobs[t].maxerr)
      maxerr = jobs[t].maxerr, worst = jobs[t].worst;
    over += jobs[t].over1;
  }
  float wx;
  memcpy(&wx, &worst, 4);
  printf("%-8s %10.4f  %-16a %12llu  %6.0f s\n", f->name, maxerr, wx,
         (unsigned long long)over, now() - t0);
  fflush(stdout);
  return maxerr <= 1;
}

/* ---- speed: ns per element over 4096 floats in [-10, 10] ---------------- */
/* (log and log1p: |x|, in [0, 10]) */
#define N 4096
static float xin[N], xpos[N], yout[N];
static volatile float sink;

static double time_x16(ajrt_f32x16 (*fn)(ajrt_f32x16), const float *in) {
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now();
    for (int it = 0; it < 2000; it++) {
      for (int i = 0; i < N; i += 16) {
        ajrt_f32x16 v;
        memcpy(&v, in + i, sizeof v);
        v = fn(v);
        memcpy(yout + i, &v, sizeof v);
      }
      sink = yout[it & (N - 1)];
    }
    double t = (now() - t0) / (2000.0 * N) * 1e9;
    if (t < best) best = t;
  }
  return best;
}
static double time_libm(float (*fn)(float), const float *in) {
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now();
    for (int it = 0; it < 300; it++) {
      for (int i = 0; i < N; i++) yout[i] = fn(in[i]);
      sink = yout[it & (N - 1)];
    }
    double t = (now() - t0) / (300.0 * N) * 1e9;
    if (t < best) best = t;
  }
  return best;
}
static float sigmoidf_libm(float x) { return 1.0f / (1.0f + expf(-x)); }
static float softplusf_libm(float x) {
  return (x > 0 ? x : 0) + log1pf(expf(-fabsf(x)));
}
static float normcdff_libm(float x) {
  return 0.5f * erfcf(x * -0x1.6a09e6p-1f);
}

/* SLEEF 3.5 (u10 where it exists, erfc u15), called per 16 floats like
 * the "x16 call" column; sigmoid, softplus and normcdf composed as a C
 * programmer would (sigmoid as SLEEF's peers column: 1/(1+e^-x)). */
#define SL(x) ((ajrt_f32x16)(x))
#define SM(x) ((__m512)(x))
static ajrt_f32x16 sl_exp(ajrt_f32x16 x) {
  return SL(Sleef_expf16_u10avx512f(SM(x)));
}
static ajrt_f32x16 sl_expm1(ajrt_f32x16 x) {
  return SL(Sleef_expm1f16_u10avx512f(SM(x)));
}
static ajrt_f32x16 sl_log(ajrt_f32x16 x) {
  return SL(Sleef_logf16_u10avx512f(SM(x)));
}
static ajrt_f32x16 sl_log1p(ajrt_f32x16 x) {
  return SL(Sleef_log1pf16_u10avx512f(SM(x)));
}
static ajrt_f32x16 sl_tanh(ajrt_f32x16 x) {
  return SL(Sleef_tanhf16_u10avx512f(SM(x)));
}
static ajrt_f32x16 sl_erf(ajrt_f32x16 x) {
  return SL(Sleef_erff16_u10avx512f(SM(x)));
}
static ajrt_f32x16 sl_erfc(ajrt_f32x16 x) {
  return SL(Sleef_erfcf16_u15avx512f(SM(x)));
}
static ajrt_f32x16 sl_sigmoid(ajrt_f32x16 x) {
  __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(),
                                                   SM(x)));
  return SL(_mm512_div_ps(_mm512_set1_ps(1), _mm512_add_ps(_mm512_set1_ps(1),
                                                           e)));
}
static ajrt_f32x16 sl_softplus(ajrt_f32x16 x) {
  __m512 a = _mm512_abs_ps(SM(x));
  __m512 l = Sleef_log1pf16_u10avx512f(
      Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), a)));
  return SL(_mm512_add_ps(_mm512_max_ps(SM(x), _mm512_setzero_ps()), l));
}
static ajrt_f32x16 sl_normcdf(ajrt_f32x16 x) {
  __m512 a = _mm512_mul_ps(SM(x), _mm512_set1_ps(-0x1.6a09e6p-1f));
  return SL(_mm512_mul_ps(_mm512_set1_ps(0.5f),
                          Sleef_erfcf16_u15avx512f(a)));
}
static ajrt_f32x16 sl_sin(ajrt_f32x16 x) {
  return SL(Sleef_sinf16_u10avx512f(SM(x)));
}

/* The same loop with the implementation inlined, as in a JIT kernel. */
#define TIME_INLINE(fn)                                                      \
  static double time_inl_##fn(const float *in) {                             \
    double best = 1e9;                                                       \
    for (int rep = 0; rep < 7; rep++) {                                      \
      double t0 = now();                                                     \
      for (int it = 0; it < 2000; it++) {                                    \
        for (int i = 0; i < N; i += 16) {                                    \
          aj_f32x16 v;                                                       \
          memcpy(&v, in + i, sizeof v);                                      \
          v = fn##_f32x16(v);                                                \
          memcpy(yout + i, &v, sizeof v);                                    \
        }                                                                    \
        sink = yout[it & (N - 1)];                                           \
      }                                                                      \
      double t = (now() - t0) / (2000.0 * N) * 1e9;                          \
      if (t < best) best = t;                                                \
    }                                                                        \
    return best;                                                             \
  }
TIME_INLINE(exp) TIME_INLINE(sigmoid) TIME_INLINE(tanh) TIME_INLINE(erf)
TIME_INLINE(expm1) TIME_INLINE(log1p) TIME_INLINE(softplus) TIME_INLINE(erfc)
TIME_INLINE(log) TIME_INLINE(normcdf) TIME_INLINE(sin)

static void speed(void) {
  for (int i = 0; i < N; i++) {
    float g = i * 0.6180339f; /* golden-ratio sequence in [-10, 10] */
    xin[i] = -10.0f + 20.0f * (g - (int)g);
    xpos[i] = fabsf(xin[i]);
  }
  printf("ns/element, 4096 floats in [-10, 10] (log, log1p: [0, 10]), best "
         "of 7, one thread\n");
  printf("%-8s %10s %11s %10s %10s\n", "function", "x16 call", "x16 inlined",
         "sleef x16", "glibc loop");
  struct {
    const char *n;
    ajrt_f32x16 (*v)(ajrt_f32x16);
    double (*inl)(const float *);
    ajrt_f32x16 (*sl)(ajrt_f32x16);
    float (*s)(float);
    const float *in;
  } t[] = {
    {"exp", ajrt_exp_f32x16, time_inl_exp, sl_exp, expf, xin},
    {"sigmoid", ajrt_sigmoid_f32x16, time_inl_sigmoid, sl_sigmoid,
     sigmoidf_libm, xin},
    {"expm1", ajrt_expm1_f32x16, time_inl_expm1, sl_expm1, expm1f, xin},
    {"tanh", ajrt_tanh_f32x16, time_inl_tanh, sl_tanh, tanhf, xin},
    {"softplus", ajrt_softplus_f32x16, time_inl_softplus, sl_softplus,
     softplusf_libm, xin},
    {"log1p", ajrt_log1p_f32x16, time_inl_log1p, sl_log1p, log1pf, xpos},
    {"log", ajrt_log_f32x16, time_inl_log, sl_log, logf, xpos},
    {"erf", ajrt_erf_f32x16, time_inl_erf, sl_erf, erff, xin},
    {"erfc", ajrt_erfc_f32x16, time_inl_erfc, sl_erfc, erfcf, xin},
    {"normcdf", ajrt_normcdf_f32x16, time_inl_normcdf, sl_normcdf,
     normcdff_libm, xin},
    {"sin", ajrt_sin_f32x16, time_inl_sin, sl_sin, sinf, xin},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    double a = time_x16(t[i].v, t[i].in), b = t[i].inl(t[i].in);
    double c = time_x16(t[i].sl, t[i].in), d = time_libm(t[i].s, t[i].in);
    printf("%-8s %10.3f %11.3f %10.3f %10.3f\n", t[i].n, a, b, c, d);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--speed")) {
    speed();
    return 0;
  }
  printf("%-8s %10s  %-16s %12s  %8s\n", "function", "max ulp", "worst input",
         "inputs > 1", "time");
  int ok = 1;
  for (size_t k = 0; k < NF; k++) {
    int want = argc == 1;
    for (int a = 1; a < argc; a++) want |= !strcmp(argv[a], FNS[k].name);
    if (want) ok &= exhaustive(&FNS[k]);
  }
  return ok ? 0 : 1;
}
