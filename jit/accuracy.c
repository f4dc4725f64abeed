/*
** accuracy.c: measuring kernels against MPFR: numerics.md's error measure
** (aj_ulp_error), one kernel over the value grid and log-uniform random
** inputs (aj_acc_measure), and the public report over an activation's
** forward, backward and backward-from-y kernels in both dtypes
** (actjit_accuracy).  The exact values come from mpfr_eval.c.
**
** The exact values of a measurement are computed on a private worker pool
** (one thread per core, at most MAX_THREADS) when MPFR keeps its state per
** thread; each input's result is independent of which thread computed it,
** and the summary is made in input order, so the report is the same.
**
** Never prints or aborts; everything it allocates goes through the
** context's allocator and is freed before it returns.
*/
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpfr.h>

#include "accuracy.h"

#define REF_PREC 128    /* bits of the exact value */
#define LOCAL_PREC 64   /* bits of the samples of the local magnitude */
#define LOCAL_POINTS 17 /* samples in [x - 0.25, x + 0.25] */
#define CHUNK 256       /* inputs per kernel call */
#define RAND_LO 1e-8    /* random |x| is log-uniform in [RAND_LO, RAND_HI] */
#define RAND_HI 1e4
#define BLOCK 256       /* inputs per task of the pool */
#define MAX_THREADS 16  /* threads computing exact values, the caller's too */

/* ---- The error measure --------------------------------------------------- */

/* The ULP of v in dtype dt: 2^(floor(log2 |v|) - mantissa bits) for normal
** v, the smallest subnormal below the smallest normal. */
static double ulp_of(aj_dtype dt, double v) {
  double a = fabs(v);
  if (dt == AJ_F32) {
    if (a < FLT_MIN) return FLT_TRUE_MIN;
  } else {
    if (a < DBL_MIN) return DBL_TRUE_MIN;
  }
  int e;
  frexp(a, &e); /* a = m 2^e, m in [0.5, 1): floor(log2 a) = e - 1 */
  return ldexp(1.0, e - 1 - (dt == AJ_F32 ? 23 : 52));
}

double aj_ulp_error(aj_dtype dt, double got, double want, double local) {
  if (isnan(got) && isnan(want)) return 0;
  if (isnan(got) || isnan(want)) return INFINITY;
  double want_dt = dt == AJ_F32 ? (double)(float)want : want;
  double dmin = dt == AJ_F32 ? FLT_MIN : DBL_MIN;
  double dmax = dt == AJ_F32 ? FLT_MAX : DBL_MAX;
  if (got == want_dt || got == want) return 0;
  if (isinf(got) || isinf(want)) return INFINITY;
  if (fabs(got) < dmin && fabs(want) < dmin) return 0;
  double diff = fabs(got - want);
  double rel = diff / ulp_of(dt, want);
  if (local > 0 && isfinite(local)) {
    double abs = diff / ulp_of(dt, fmin(local, dmax));
    if (abs < rel) return abs;
  }
  return rel;
}

/* ---- The sample set ---------------------------------------------------- */

/* numerics.md's grid: magnitudes, each with both signs (then NaN). */
static const double grid_mag[] = {
    0,    -1 /* denorm_min of the dtype */,
    FLT_MIN, 1e-30, 1e-7, 0.5, 1, 3, 4.5, 6, 9, 10, 13.24, 15, 20, 30,
    88.7, 89, 1e20, FLT_MAX, INFINITY};
#define NGRID (2 * sizeof grid_mag / sizeof *grid_mag + 1)

/* splitmix64: the whole state is *s. */
static uint64_t next_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* Fills x[0, NGRID + nrandom) with the grid and the random inputs, rounded
** to dt. */
static void fill_inputs(aj_dtype dt, size_t nrandom, uint64_t seed,
                        double *x) {
  size_t k = 0;
  for (size_t i = 0; i < sizeof grid_mag / sizeof *grid_mag; i++) {
    double m = grid_mag[i];
    if (m < 0) m = dt == AJ_F32 ? FLT_TRUE_MIN : DBL_TRUE_MIN;
    if (dt == AJ_F32) m = (double)(float)m;
    x[k++] = m;
    x[k++] = -m;
  }
  x[k++] = NAN;
  uint64_t s = seed;
  double lo = log(RAND_LO), hi = log(RAND_HI);
  for (size_t i = 0; i < nrandom; i++) {
    uint64_t r = next_rand(&s);
    double u = (double)(r >> 11) * 0x1p-53;
    double m = exp(lo + u * (hi - lo));
    if (m > RAND_HI) m = RAND_HI;
    if (dt == AJ_F32) m = (double)(float)m;
    x[k++] = (r & 1) ? -m : m;
  }
}

/* ---- One kernel ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Records (x, ulp) among out's worst inputs if it is one: distinct x,
** worst first, errors > 0 only. */
static void note_worst(actjit_accuracy_part *out, double x, double ulp,
                       double got, double want) {
  int n = ACTJIT_ACCURACY_WORST, at = -1;
  if (!(ulp > 0)) return;
  for (int i = 0; i < n; i++) /* the same x already there */
    if (out->worst_ulp[i] >= 0 && out->worst_x[i] == x &&
        signbit(out->worst_x[i]) == signbit(x)) {
      if (out->worst_ulp[i] >= ulp) return;
      at = i;
      break;
    }
  if (at < 0) {
    if (ulp <= out->worst_ulp[n - 1]) return;
    at = n - 1;
  }
  while (at > 0 && out->worst_ulp[at - 1] < ulp) { /* move up */
    out->worst_x[at] = out->worst_x[at - 1];
    out->worst_ulp[at] = out->worst_ulp[at - 1];
    out->worst_got[at] = out->worst_got[at - 1];
    out->worst_want[at] = out->worst_want[at - 1];
    at--;
  }
  out->worst_x[at] = x;
  out->worst_ulp[at] = ulp;
  out->worst_got[at] = got;
  out->worst_want[at] = want;
}

/* An empty part: nothing measured. */
static void part_clear(actjit_accuracy_part *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < ACTJIT_ACCURACY_WORST; i++) {
    out->worst_ulp[i] = -1;
    out->worst_x[i] = out->worst_got[i] = out->worst_want[i] = NAN;
  }
}

/* The largest |ref| over LOCAL_POINTS points evenly in [x - 0.25,
** x + 0.25], and |want| (the value at x).  The float64 interpreter finds
** which sample is largest; MPFR evaluates that one and the two ends (an
** interpreter wrong by cancellation can only make the magnitude smaller,
** and the error larger, never the reverse). */
static double local_magnitude(const actjit_expr *ref, const double *params,
                              double x, double want) {
  double xs[LOCAL_POINTS], ys[LOCAL_POINTS], m = fabs(want);
  int best = -1;
  for (int j = 0; j < LOCAL_POINTS; j++)
    xs[j] = x + (j - (LOCAL_POINTS - 1) / 2) * (0.5 / (LOCAL_POINTS - 1));
  if (actjit_eval(ref, params, xs, ys, LOCAL_POINTS, NULL) == ACTJIT_OK)
    for (int j = 1; j < LOCAL_POINTS - 1; j++)
      if (fabs(ys[j]) > (best < 0 ? -1 : fabs(ys[best]))) best = j;
  for (int j = 0; j < LOCAL_POINTS; j++) {
    if (j != 0 && j != LOCAL_POINTS - 1 && j != best && best >= 0) continue;
    double v = fabs(aj_mpfr_eval(ref, params, xs[j], LOCAL_PREC));
    if (v > m) m = v; /* NaN never wins */
  }
  return m;
}

/* The exact values and errors of one measurement, block by block. */
typedef struct measure_job {
  const actjit_expr *ref;
  const double *params;
  aj_dtype dt;
  const double *x, *got;
  double *want, *err; /* err[i] NaN: input i not measured */
  size_t n;
} measure_job;

/* Pool task: inputs [BLOCK task, BLOCK (task + 1)) of the job. */
static void measure_block(void *arg, unsigned task) {
  measure_job *j = arg;
  size_t lo = (size_t)task * BLOCK, hi = lo + BLOCK < j->n ? lo + BLOCK : j->n;
  for (size_t i = lo; i < hi; i++) {
    double x = j->x[i], got = j->got[i];
    double want = aj_mpfr_eval(j->ref, j->params, x, REF_PREC);
    j->want[i] = want;
    if (isinf(x) && isnan(want)) { /* no limit at +-inf */
      j->err[i] = NAN;
      continue;
    }
    double e = aj_ulp_error(j->dt, got, want, 0);
    if (e > 1 && isfinite(got) && isfinite(want) && isfinite(x))
      e = aj_ulp_error(j->dt, got, want,
                       local_magnitude(j->ref, j->params, x, want));
    j->err[i] = e;
  }
  /* A worker's MPFR caches would outlive it unreachable: free them. */
  mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
}

/* A pool for one measurement of n inputs, or NULL (then the caller does
** it all): none for small jobs, on one core, or when MPFR's state is not
** per thread. */
static aj_pool *measure_pool(actjit_ctx *ctx, size_t n, unsigned *nthreads) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  *nthreads = 0;
  if (n < 4 * BLOCK || cores < 2 || !mpfr_buildopt_tls_p()) return NULL;
  *nthreads = (unsigned)(cores < MAX_THREADS ? cores : MAX_THREADS) - 1;
  return aj_pool_new(ctx, *nthreads);
}

actjit_status aj_acc_measure(const actjit_expr *ref, const double *params,
                             aj_dtype dt, aj_acc_kernel k, void *ud,
                             size_t nrandom, uint64_t seed,
                             actjit_accuracy_part *out) {
  part_clear(out);
  actjit_ctx *ctx = ref->ctx;
  size_t n = NGRID + nrandom;
  if (nrandom > (SIZE_MAX / 8) / sizeof(double) - NGRID) return ACTJIT_ENOMEM;
  size_t bytes = 4 * n * sizeof(double);
  double *x = aj_alloc(ctx, bytes);
  if (!x) return ACTJIT_ENOMEM;
  double *got = x + n, *want = got + n, *err = want + n;
  fill_inputs(dt, nrandom, seed, x);
  for (size_t i = 0; i < n; i += CHUNK)
    k(ud, x + i, got + i, n - i < CHUNK ? n - i : CHUNK);
  measure_job job = {ref, params, dt, x, got, want, err, n};
  unsigned nthreads;
  aj_pool *pool = measure_pool(ctx, n, &nthreads);
  aj_pool_run(pool, (unsigned)((n + BLOCK - 1) / BLOCK), measure_block, &job);
  aj_pool_free(pool, ctx, nthreads);
  /* The summary, in input order. */
  size_t m = 0; /* measured inputs; their errors move to err[0, m) */
  double max = 0;
  for (size_t i = 0; i < n; i++) {
    double e = err[i];
    if (isnan(e)) continue;
    double want_dt = dt == AJ_F32 ? (double)(float)want[i] : want[i];
    if (!isfinite(got[i]) && isfinite(want_dt)) out->nonfinite++;
    err[m++] = e;
    if (e > max) max = e;
    note_worst(out, x[i], e, got[i], want[i]);
  }
  out->samples = m;
  out->max_ulp = max;
  if (m) {
    qsort(err, m, sizeof *err, cmp_double);
    out->median_ulp = m % 2 ? err[m / 2] : (err[m / 2 - 1] + err[m / 2]) / 2;
  }
  aj_free(ctx, x, bytes);
  return ACTJIT_OK;
}

/* ---- The report ---------------------------------------------------------- */

/* Which kernel a measurement calls, and with what. */
typedef struct kernel_call {
  const actjit_activation *a;
  int kind;           /* ACTJIT_ACC_FORWARD, _BACKWARD or _BACKWARD_Y */
  aj_dtype dt;
  const float *p32;   /* runtime parameters, runtime order */
  const double *p64;
  actjit_status status; /* the first failed call's */
} kernel_call;

/* aj_acc_kernel for the activation's kernels: got = the kernel's result at
** x (rounded to the dtype first); backward with dy = 1; backward from y
** with y = the forward kernel's result. */
static void call_kernel(void *ud, const double *x, double *got, size_t n) {
  kernel_call *kc = ud;
  actjit_status s = ACTJIT_OK;
  if (kc->dt == AJ_F32) {
    float xs[CHUNK], ys[CHUNK], ones[CHUNK];
    for (size_t i = 0; i < n; i++) {
      xs[i] = (float)x[i];
      ones[i] = 1.0f;
    }
    if (kc->kind == ACTJIT_ACC_FORWARD) {
      s = actjit_forward_f32_p(kc->a, kc->p32, xs, ys, n);
    } else if (kc->kind == ACTJIT_ACC_BACKWARD) {
      s = actjit_backward_f32_p(kc->a, kc->p32, xs, ones, ys, n, NULL);
    } else {
      s = actjit_forward_f32_p(kc->a, kc->p32, xs, xs, n);
      if (s == ACTJIT_OK) s = actjit_backward_y_f32(kc->a, xs, ones, ys, n);
    }
    for (size_t i = 0; i < n; i++) got[i] = s ? NAN : (double)ys[i];
  } else {
    double xs[CHUNK], ones[CHUNK];
    for (size_t i = 0; i < n; i++) {
      xs[i] = x[i];
      ones[i] = 1.0;
    }
    if (kc->kind == ACTJIT_ACC_FORWARD) {
      s = actjit_forward_f64_p(kc->a, kc->p64, xs, got, n);
    } else if (kc->kind == ACTJIT_ACC_BACKWARD) {
      s = actjit_backward_f64_p(kc->a, kc->p64, xs, ones, got, n, NULL);
    } else {
      s = actjit_forward_f64_p(kc->a, kc->p64, xs, xs, n);
      if (s == ACTJIT_OK) s = actjit_backward_y_f64(kc->a, xs, ones, got, n);
    }
    if (s)
      for (size_t i = 0; i < n; i++) got[i] = NAN;
  }
  if (s && !kc->status) kc->status = s;
}

actjit_status aj_acc_measure_kernel(const actjit_activation *a, int kind,
                                    aj_dtype dt, const actjit_expr *ref,
                                    size_t nrandom, uint64_t seed,
                                    actjit_accuracy_part *out) {
  kernel_call kc = {a, kind, dt, NULL, NULL, ACTJIT_OK};
  actjit_status s = aj_acc_measure(ref, NULL, dt, call_kernel, &kc, nrandom,
                                   seed, out);
  return s ? s : kc.status;
}

/* The reports's message for a failed measurement. */
static actjit_status failed(actjit_error *err, actjit_status s, int dt,
                            int kind) {
  static const char *const kinds[] = {"forward", "backward",
                                      "backward from y"};
  if (s == ACTJIT_ENOMEM)
    return aj_error(err, s, 0, 0, "out of memory");
  return aj_error(err, s, 0, 0, "the %s %s kernel failed: %s",
                  dt == AJ_F32 ? "float32" : "float64", kinds[kind],
                  actjit_status_str(s));
}

actjit_status actjit_accuracy(const actjit_activation *a, size_t nrandom,
                              uint64_t seed, actjit_accuracy_report *report,
                              actjit_error *err) {
  if (!a || !report)
    return aj_error(err, ACTJIT_EINVAL, 0, 0,
                    "actjit_accuracy: NULL argument");
  for (int dt = 0; dt < 2; dt++)
    for (int kind = 0; kind < 3; kind++) part_clear(&report->part[dt][kind]);
  report->has_y = 0;
  const actjit_expr *f = aj_activation_expr(a, 0);
  const actjit_expr *df = aj_activation_expr(a, 1);
  const actjit_expr *gy = aj_activation_expr(a, 2);
  const actjit_expr *dfx = aj_activation_expr(a, 3);
  if (!f) return aj_error(err, ACTJIT_EINTERNAL, 0, 0, "no expression");
  actjit_ctx *ctx = f->ctx;
  /* The parameters left in f are the runtime ones: their defaults, in f's
  ** order (for the reference) and in runtime order (for the kernels), once
  ** as doubles and once rounded to float. */
  size_t np = actjit_param_count(f), nr = actjit_runtime_count(a);
  size_t bytes = (np ? np : 1) * 2 * sizeof(double) +
                 (nr ? nr : 1) * (sizeof(double) + sizeof(float));
  char *mem = aj_alloc(ctx, bytes);
  if (!mem) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  double *ref64 = (double *)mem, *ref32 = ref64 + (np ? np : 1);
  double *k64 = ref32 + (np ? np : 1);
  float *k32 = (float *)(k64 + (nr ? nr : 1));
  actjit_status s = ACTJIT_OK;
  for (size_t i = 0; i < np; i++) {
    if (!actjit_param_default(f, i, &ref64[i])) {
      const aj_param *p = &f->params[i];
      s = aj_error(err, ACTJIT_EUNBOUND, p->off, p->len,
                   "runtime parameter '%.64s' has no default to measure "
                   "the kernels with", actjit_param_name(f, i));
      goto done;
    }
    ref32[i] = (double)(float)ref64[i];
  }
  for (size_t k = 0; k < nr; k++) {
    long i = actjit_param_index(f, actjit_runtime_name(a, k));
    if (i < 0) {
      s = aj_error(err, ACTJIT_EINTERNAL, 0, 0, "runtime parameter lost");
      goto done;
    }
    k64[k] = ref64[i];
    k32[k] = (float)ref64[i];
  }
  for (int dt = 0; dt < 2 && s == ACTJIT_OK; dt++) {
    const double *rp = dt == AJ_F32 ? ref32 : ref64;
    const actjit_expr *refs[3] = {f, df, gy ? dfx : NULL};
    for (int kind = 0; kind < 3 && s == ACTJIT_OK; kind++) {
      if (!refs[kind]) continue;
      kernel_call kc = {a, kind, (aj_dtype)dt, k32, k64, ACTJIT_OK};
      double x1 = 0.5, y1;
      call_kernel(&kc, &x1, &y1, 1); /* compiles the f64 kernels if needed */
      s = kc.status;
      if (s == ACTJIT_OK)
        s = aj_acc_measure(refs[kind], np ? rp : NULL, (aj_dtype)dt,
                         call_kernel, &kc, nrandom, seed,
                         &report->part[dt][kind]);
      if (s == ACTJIT_OK) s = kc.status;
      if (s != ACTJIT_OK) {
        part_clear(&report->part[dt][kind]);
        s = failed(err, s, dt, kind);
      }
    }
  }
  if (s == ACTJIT_OK) report->has_y = gy != NULL;
done:
  aj_free(ctx, mem, bytes);
  return s;
}
