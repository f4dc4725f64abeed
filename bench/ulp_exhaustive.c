/* ulp_exhaustive.c: every float through the runtime's <= 1 ULP functions.
 *
 * Owns: the exhaustive accuracy check of the f32 x16 entry points of exp,
 * expm1, log, log1p, tanh, sigmoid, erf and erfc on all 2^32 inputs, and a
 * quick speed comparison (ns per element, 4096 floats, against plain glibc
 * loops in the same run).
 *
 * Reference: glibc's double functions (sigmoid as 1/(1+e^-x) for x >= 0
 * and e^x/(1+e^x) below, in double), taken as exact: their error (< 1
 * double ULP) is 2^-29 of a float ULP.  Error = |got - ref| / ulp, ulp of
 * the float binade of ref (2^-149 below FLT_MIN); a result that must round
 * to inf must be inf, NaN in must give NaN out.
 *
 * Usage: ulp_exhaustive [fn ...]      all eight if none named
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

#include "ajrt.h"
#include "ajrt_math.h" /* the inline versions, for the speed table */

static double sigmoid_ref(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}

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
  {"erf", ajrt_erf_f32x16, erf},       {"erfc", ajrt_erfc_f32x16, erfc},
};
#define NF (sizeof FNS / sizeof FNS[0])

static double ulp_err(float got, double ref) {
  if (isnan(ref)) return isnan(got) ? 0 : INFINITY;
  if (isnan(got)) return INFINITY;
  float rf = (float)ref;
  if (isinf(rf) || isinf(got)) return got == rf ? 0 : INFINITY;
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
#define N 4096
static float xin[N], yout[N];
static volatile float sink;

static double time_x16(ajrt_f32x16 (*fn)(ajrt_f32x16)) {
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now();
    for (int it = 0; it < 2000; it++) {
      for (int i = 0; i < N; i += 16) {
        ajrt_f32x16 v;
        memcpy(&v, xin + i, sizeof v);
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
static double time_libm(float (*fn)(float)) {
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now();
    for (int it = 0; it < 300; it++) {
      for (int i = 0; i < N; i++) yout[i] = fn(xin[i]);
      sink = yout[it & (N - 1)];
    }
    double t = (now() - t0) / (300.0 * N) * 1e9;
    if (t < best) best = t;
  }
  return best;
}
static float sigmoidf_libm(float x) { return 1.0f / (1.0f + expf(-x)); }

/* The same loop with the implementation inlined, as in a JIT kernel. */
#define TIME_INLINE(fn)                                                      \
  static double time_inl_##fn(void) {                                        \
    double best = 1e9;                                                       \
    for (int rep = 0; rep < 7; rep++) {                                      \
      double t0 = now();                                                     \
      for (int it = 0; it < 2000; it++) {                                    \
        for (int i = 0; i < N; i += 16) {                                    \
          aj_f32x16 v;                                                       \
          memcpy(&v, xin + i, sizeof v);                                     \
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
TIME_INLINE(sin)

static void speed(void) {
  for (int i = 0; i < N; i++) {
    float g = i * 0.6180339f; /* golden-ratio sequence in [-10, 10] */
    xin[i] = -10.0f + 20.0f * (g - (int)g);
  }
  printf("ns/element, 4096 floats in [-10, 10], best of 7, one thread\n");
  printf("%-8s %12s %12s %12s\n", "function", "x16 call", "x16 inlined",
         "glibc loop");
  struct {
    const char *n;
    ajrt_f32x16 (*v)(ajrt_f32x16);
    double (*inl)(void);
    float (*s)(float);
  } t[] = {
    {"exp", ajrt_exp_f32x16, time_inl_exp, expf},
    {"sigmoid", ajrt_sigmoid_f32x16, time_inl_sigmoid, sigmoidf_libm},
    {"tanh", ajrt_tanh_f32x16, time_inl_tanh, tanhf},
    {"erf", ajrt_erf_f32x16, time_inl_erf, erff},
    {"expm1", ajrt_expm1_f32x16, time_inl_expm1, expm1f},
    {"log1p", ajrt_log1p_f32x16, time_inl_log1p, log1pf},
    {"softplus", ajrt_softplus_f32x16, time_inl_softplus, NULL},
    {"erfc", ajrt_erfc_f32x16, time_inl_erfc, erfcf},
    {"sin", ajrt_sin_f32x16, time_inl_sin, sinf},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    double a = time_x16(t[i].v), b = t[i].inl();
    if (t[i].s)
      printf("%-8s %12.3f %12.3f %12.3f\n", t[i].n, a, b, time_libm(t[i].s));
    else
      printf("%-8s %12.3f %12.3f %12s\n", t[i].n, a, b, "-");
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
