/*
** peers.c: the C half of the peer benchmark (bench/run), built into
** $BUILD_DIR/bench/libajbench.so and driven by bench/bench.py via ctypes.
** Owns: the shared buffers (allocated and first-touched once), the C
** columns (actjit, onednn, onednn_dst, sleef, libm, libm_fm, roof), their
** per-cell state, batch timing, and the output comparison.
**
** A cell is (act, op, n, threads); op 0 = forward (out = f(x)), 1 = backward
** (out = dy * f'(x)).  Every column reads x (and dy, or y = f(x) for the
** *_dst and torch y-based backward) and writes the shared `out` buffer.
** 2-thread cells: actjit splits on its own pool (threads = 2 activations
** and the checked calls); oneDNN runs on omp_set_num_threads(2); the plain
** loops (sleef, libm, libm_fm, roof) split in two halves under OpenMP.
** Call ajb_init before pinning the process to one core: the worker
** threads made there keep the affinity they were born with.
*/
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sleef.h>

#include "actjit.h"
#include "peers.h"

static const char *const act_names[AJB_NACTS] = {
    "relu", "leaky_relu", "elu",  "selu", "sigmoid",   "tanh",
    "softplus", "silu",   "mish", "gelu", "gelu_tanh", "hardswish"};

enum { BUF_X, BUF_DY, BUF_Y, BUF_OUT, BUF_REF, NBUF };

static struct {
  size_t nmax;
  float *buf[NBUF];
  actjit_ctx *ctx;
  actjit_activation *a1[AJB_NACTS], *a2[AJB_NACTS]; /* 1 and 2 threads */
  actjit_activation *y1[AJB_NACTS], *y2[AJB_NACTS]; /* backward from y */
  int y_failed[AJB_NACTS];                          /* ENOINVERSE ... */
  ajb_onednn_cell dnn[2]; /* onednn, onednn_dst */
  long dnn_key[2];        /* the cell each holds, see cell_key */
  char error[512];
} S;

static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(S.error, sizeof S.error, fmt, ap);
  va_end(ap);
  return -1;
}

/* Contract: the last error message of a call that returned < 0 ("" if
** none).  Static storage. */
const char *ajb_error(void) { return S.error; }

/* Contract: the catalog name of activation act (0 <= act < 12), else NULL. */
const char *ajb_act_name(int act) {
  return act >= 0 && act < AJB_NACTS ? act_names[act] : NULL;
}

/* Contract: the number of activations (12). */
int ajb_act_count(void) { return AJB_NACTS; }

/* ---- Buffers ------------------------------------------------------------ */

static int alloc_buffers(size_t nmax) {
  size_t bytes = ((nmax * sizeof(float)) + 4095) & ~(size_t)4095;
  for (int b = 0; b < NBUF; b++) {
    S.buf[b] = aligned_alloc(4096, bytes);
    if (!S.buf[b]) return fail("cannot allocate %zu bytes", bytes);
    memset(S.buf[b], 0, bytes); /* first touch, once */
  }
  S.nmax = nmax;
  return 0;
}

/* x ~ U[-10, 10], dy ~ U[-1, 1], from a fixed 64-bit LCG. */
static void fill_inputs(uint64_t seed) {
  float *x = S.buf[BUF_X], *dy = S.buf[BUF_DY];
  for (size_t i = 0; i < S.nmax; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    x[i] = (float)((seed >> 11) * 0x1.0p-53 * 20 - 10);
    dy[i] = (float)((seed >> 40) * 0x1.0p-24 * 2 - 1);
  }
}

/* Contract: buffer `which` (0 x, 1 dy, 2 y, 3 out, 4 ref) of ajb_init's
** nmax floats, or NULL before ajb_init. */
float *ajb_buffer(int which) {
  return which >= 0 && which < NBUF ? S.buf[which] : NULL;
}

/* ---- actjit ------------------------------------------------------------- */

static actjit_status compile_flags(int act, unsigned threads, unsigned flags,
                                   actjit_activation **out,
                                   actjit_error *err) {
  if (*out) return ACTJIT_OK;
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.threads = threads;
  /* the optimized kernels are measured, not the quick tier's */
  opt.flags = flags | ACTJIT_COMPILE_WAIT;
  /* like onednn_dst and torch's y-based backward: accept the tails'
  ** loss (f' from a saturated y), measure the speed */
  if (flags & ACTJIT_BACKWARD_FROM_Y) opt.y_max_ulp = 1e300;
  return actjit_compile(S.ctx, act_names[act], &opt, out, err);
}

static int compile_act(int act, unsigned threads, actjit_activation **out) {
  actjit_error err;
  if (compile_flags(act, threads, 0, out, &err) != ACTJIT_OK)
    return fail("actjit_compile(%s, threads %u): %s: %s", act_names[act],
                threads, actjit_status_name(err.code), err.message);
  return 0;
}

/* The ACTJIT_BACKWARD_FROM_Y activation: 0, 1 when actjit refuses it
** (not invertible, accuracy bound), -1 on other errors. */
static int compile_y(int act, unsigned threads) {
  actjit_activation **a = threads > 1 ? &S.y2[act] : &S.y1[act];
  if (S.y_failed[act]) return 1;
  actjit_error err;
  actjit_status s = compile_flags(act, threads, ACTJIT_BACKWARD_FROM_Y, a, &err);
  if (s == ACTJIT_ENOINVERSE || s == ACTJIT_EACCURACY) {
    S.y_failed[act] = 1;
    return 1;
  }
  if (s != ACTJIT_OK)
    return fail("actjit_compile(%s, BACKWARD_FROM_Y): %s: %s", act_names[act],
                actjit_status_name(err.code), err.message);
  return 0;
}

static int start_actjit(void) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = ""; /* always this build's code generator, never a stale
                         cache */
  actjit_error err;
  S.ctx = actjit_ctx_new(&cfg, &err);
  if (!S.ctx) return fail("actjit_ctx_new: %s", err.message);
  /* a threads = 2 activation starts the context's worker pool now */
  return compile_act(AJB_RELU, 2, &S.a2[AJB_RELU]);
}

/* Runs a 2-thread OpenMP region so libgomp's worker exists (born here). */
static void start_openmp(void) {
  volatile int sink = 0;
#pragma omp parallel num_threads(2)
  { sink += omp_get_thread_num(); }
  (void)sink;
}

/* Contract: allocates and first-touches the five buffers of nmax floats,
** fills x and dy (seeded), makes the actjit context (no disk cache) with its
** worker pool, and starts OpenMP's second thread.  Call once, before any
** other ajb_ call and before pinning.  Returns 0 or -1 (see ajb_error). */
int ajb_init(size_t nmax, uint64_t seed) {
  if (S.nmax) return fail("ajb_init called twice");
  if (alloc_buffers(nmax) || start_actjit()) return -1;
  fill_inputs(seed);
  start_openmp();
  return 0;
}

/* Contract: y[i] = f_act(x[i]) for i < n, by actjit (1 thread).  For the
** backward-from-output columns.  Returns 0 or -1. */
int ajb_fill_y(int act, size_t n) {
  if (act < 0 || act >= AJB_NACTS || n > S.nmax) return fail("bad cell");
  if (compile_act(act, 1, &S.a1[act])) return -1;
  actjit_kernel_fwd_f32(S.a1[act])(S.buf[BUF_X], S.buf[BUF_Y], n, NULL);
  return 0;
}

/* ---- Columns ------------------------------------------------------------ */

enum { C_ACTJIT, C_ACTJIT_Y, C_ONEDNN, C_ONEDNN_DST, C_SLEEF, C_LIBM,
       C_LIBMFM, C_ROOF, NCOLS };
static const char *const col_names[NCOLS] = {
    "actjit", "actjit_y", "onednn", "onednn_dst", "sleef", "libm", "libm_fm",
    "roof"};

static int col_index(const char *name) {
  for (int c = 0; c < NCOLS; c++)
    if (strcmp(name, col_names[c]) == 0) return c;
  return -1;
}

static long cell_key(int act, int op, size_t n, int threads) {
  return (((long)n * 16 + act) * 2 + op) * 8 + threads;
}

/* Plain loops, kept loops (not memcpy, whose large-size path uses
** non-temporal stores): the limit of a kernel that stores normally. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void roof_copy(const float *x, const float *dy, float *out, size_t n) {
  (void)dy;
  for (size_t i = 0; i < n; i++) out[i] = x[i];
}
static void roof_mul(const float *x, const float *dy, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = x[i] * dy[i];
}

/* The plain loop of column c for the cell, or NULL. */
static ajb_loop loop_of(int c, int act, int op) {
  const ajb_loops *t = c == C_SLEEF    ? &ajb_sleef_loops
                       : c == C_LIBM   ? &ajb_libm_loops
                       : c == C_LIBMFM ? &ajb_libmfm_loops
                                       : NULL;
  if (c == C_ROOF) return op ? roof_mul : roof_copy;
  if (!t) return NULL;
  return op ? t->bwd[act] : t->fwd[act];
}

/* f over n elements on `threads` threads: equal halves, 64-byte aligned. */
static void run_loop(ajb_loop f, int op, size_t n, int threads) {
  const float *x = S.buf[BUF_X], *dy = op ? S.buf[BUF_DY] : NULL;
  float *out = S.buf[BUF_OUT];
  if (threads <= 1) {
    f(x, dy, out, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    size_t nt = (size_t)omp_get_num_threads(), t = (size_t)omp_get_thread_num();
    size_t chunk = ((n + nt - 1) / nt + 15) & ~(size_t)15;
    size_t lo = t * chunk, hi = lo + chunk < n ? lo + chunk : n;
    if (lo < hi) f(x + lo, dy ? dy + lo : NULL, out + lo, hi - lo);
  }
}

static void run_actjit(int act, int op, size_t n, int threads, long calls) {
  const float *x = S.buf[BUF_X], *dy = S.buf[BUF_DY];
  float *out = S.buf[BUF_OUT];
  if (threads > 1) {
    const actjit_activation *a = S.a2[act];
    for (long i = 0; i < calls; i++)
      op ? actjit_backward_f32(a, x, dy, out, n)
         : actjit_forward_f32(a, x, out, n);
    return;
  }
  if (op) {
    actjit_bwd_f32_fn k = actjit_kernel_bwd_f32(S.a1[act]);
    for (long i = 0; i < calls; i++) k(x, dy, out, n, NULL, NULL);
  } else {
    actjit_fwd_f32_fn k = actjit_kernel_fwd_f32(S.a1[act]);
    for (long i = 0; i < calls; i++) k(x, out, n, NULL);
  }
}

/* actjit's backward from y (dx = dy * g(y)), y from ajb_fill_y. */
static void run_actjit_y(int act, size_t n, int threads, long calls) {
  const float *y = S.buf[BUF_Y], *dy = S.buf[BUF_DY];
  float *out = S.buf[BUF_OUT];
  if (threads > 1) {
    for (long i = 0; i < calls; i++)
      actjit_backward_y_f32(S.y2[act], y, dy, out, n);
    return;
  }
  actjit_bwd_f32_fn k = actjit_kernel_bwd_f32(S.y1[act]); /* takes y */
  for (long i = 0; i < calls; i++) k(y, dy, out, n, NULL, NULL);
}

static int prepare_onednn(int c, int act, int op, size_t n, int threads) {
  int d = c == C_ONEDNN_DST;
  long key = cell_key(act, op, n, threads);
  if (S.dnn[d].prim && S.dnn_key[d] == key) return 0;
  ajb_onednn_free(&S.dnn[d]);
  if (!ajb_onednn_has(act, d) || (d && !op)) return 1;
  if (d && ajb_fill_y(act, n)) return -1;
  omp_set_num_threads(threads);
  if (ajb_onednn_make(&S.dnn[d], act, op, d, n, S.buf[BUF_X], S.buf[BUF_Y],
                      S.buf[BUF_DY], S.buf[BUF_OUT]))
    return fail("oneDNN primitive for %s %s n=%zu", act_names[act],
                op ? "bwd" : "fwd", n);
  S.dnn_key[d] = key;
  return 0;
}

/* Contract: makes column `col`'s state for the cell (compiles actjit's
** activation, creates oneDNN's primitive on `threads` OpenMP threads,
** computes y for onednn_dst).  Returns 0 when the column has the cell, 1
** when it has not (selu in oneDNN, onednn_dst without a dst algorithm or
** for forward, actjit_y for forward or where actjit refuses
** ACTJIT_BACKWARD_FROM_Y), -1 on error (see ajb_error).  The y-based
** columns (actjit_y, onednn_dst) read y: call ajb_fill_y first. */
int ajb_prepare(const char *col, int act, int op, size_t n, int threads) {
  int c = col_index(col);
  if (c < 0) return fail("unknown column %s", col);
  if (act < 0 || act >= AJB_NACTS || op < 0 || op > 1 || n > S.nmax ||
      threads < 1 || threads > 2)
    return fail("bad cell");
  switch (c) {
  case C_ACTJIT:
    return compile_act(act, threads, threads > 1 ? &S.a2[act] : &S.a1[act]);
  case C_ACTJIT_Y: return op ? compile_y(act, (unsigned)threads) : 1;
  case C_ONEDNN:
  case C_ONEDNN_DST: return prepare_onednn(c, act, op, n, threads);
  default: return loop_of(c, act, op) ? 0 : 1;
  }
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Contract: runs `calls` calls of column `col` on the cell (prepared by
** ajb_prepare; outputs to the out buffer) and returns their total wall
** time in seconds; -1 on error (not prepared, unknown column). */
double ajb_time(const char *col, int act, int op, size_t n, int threads,
                long calls) {
  int c = col_index(col);
  if (c < 0) return fail("unknown column %s", col);
  double t0;
  if (c == C_ACTJIT) {
    if (!(threads > 1 ? S.a2[act] : S.a1[act])) return fail("not prepared");
    t0 = now();
    run_actjit(act, op, n, threads, calls);
  } else if (c == C_ACTJIT_Y) {
    if (!op || !(threads > 1 ? S.y2[act] : S.y1[act]))
      return fail("not prepared");
    t0 = now();
    run_actjit_y(act, n, threads, calls);
  } else if (c == C_ONEDNN || c == C_ONEDNN_DST) {
    int d = c == C_ONEDNN_DST;
    if (!S.dnn[d].prim || S.dnn_key[d] != cell_key(act, op, n, threads))
      return fail("oneDNN cell not prepared");
    omp_set_num_threads(threads);
    t0 = now();
    for (long i = 0; i < calls; i++)
      if (ajb_onednn_exec(&S.dnn[d])) return fail("oneDNN execute failed");
  } else {
    ajb_loop f = loop_of(c, act, op);
    if (!f) return fail("no loop");
    t0 = now();
    for (long i = 0; i < calls; i++) run_loop(f, op, n, threads);
  }
  return now() - t0;
}

/* ---- Checks ------------------------------------------------------------- */

/* Contract: copies out[0..n) to ref (the reference for ajb_compare). */
void ajb_save_ref(size_t n) {
  memcpy(S.buf[BUF_REF], S.buf[BUF_OUT], n * sizeof(float));
}

/* Contract: compares out[0..n) with ref (a = ref, b = out) under two
** measures, skipping elements where both are NaN:
**   rel = |a-b| / max(|a|,|b|), over elements with max(|a|,|b|) >= 1e-30
**         (naive formulas lose the tails and cancel near zeros: large rel
**         at few elements);
**   mix = |a-b| / max(|a|,|b|,1): relative above 1, absolute below (a
**         different function, e.g. a wrong softplus beta, is large here).
** Either is inf where exactly one of a, b is NaN/inf (or they differ).
** r[0] = max rel, r[1] = max mix, r[2] = elements with mix > 1e-3,
** r[3] = the index of the largest mix (-1 if none), r[4..6] = x, a, b
** there. */
void ajb_compare(size_t n, double r[7]) {
  const float *a = S.buf[BUF_REF], *b = S.buf[BUF_OUT], *x = S.buf[BUF_X];
  double rel = 0, mix = 0, over = 0;
  long worst = -1;
  for (size_t i = 0; i < n; i++) {
    double u = a[i], v = b[i], m = fmax(fabs(u), fabs(v)), dr, dm;
    if (isnan(u) && isnan(v)) continue;
    if (!isfinite(u) || !isfinite(v)) dr = dm = u == v ? 0 : INFINITY;
    else {
      dr = m < 1e-30 ? 0 : fabs(u - v) / m;
      dm = fabs(u - v) / fmax(m, 1.0);
    }
    if (dr > rel) rel = dr;
    if (dm > 1e-3) over++;
    if (dm > mix) mix = dm, worst = (long)i;
  }
  r[0] = rel, r[1] = mix, r[2] = over, r[3] = (double)worst;
  r[4] = worst >= 0 ? x[worst] : 0;
  r[5] = worst >= 0 ? a[worst] : 0;
  r[6] = worst >= 0 ? b[worst] : 0;
}

/* Contract: actjit's float32 max ULP error for act's forward (op 0) or
** backward (op 1) kernel, from actjit_accuracy (numerics.md's value grid
** plus nrandom log-uniform inputs, seed 1).  -1 on error. */
double ajb_actjit_ulp(int act, int op, size_t nrandom) {
  if (act < 0 || act >= AJB_NACTS || compile_act(act, 1, &S.a1[act]))
    return -1;
  static actjit_accuracy_report rep;
  actjit_error err;
  if (actjit_accuracy(S.a1[act], nrandom, 1, &rep, &err) != ACTJIT_OK)
    return fail("actjit_accuracy(%s): %s", act_names[act], err.message);
  return rep.part[ACTJIT_ACC_F32][op ? ACTJIT_ACC_BACKWARD : ACTJIT_ACC_FORWARD]
      .max_ulp;
}

/* Contract: the version of `what` ("actjit", "onednn", "sleef") as a
** static string; "?" for anything else. */
const char *ajb_version(const char *what) {
  static char sleef[32];
  if (strcmp(what, "actjit") == 0) return actjit_version_string();
  if (strcmp(what, "onednn") == 0) return ajb_onednn_version();
  if (strcmp(what, "sleef") == 0) {
    snprintf(sleef, sizeof sleef, "%d.%d.%d", SLEEF_VERSION_MAJOR,
             SLEEF_VERSION_MINOR, SLEEF_VERSION_PATCHLEVEL);
    return sleef;
  }
  return "?";
}

/* Contract: sets the calling thread's OpenMP thread count (the one oneDNN
** and torch's intra-op parallelism read). */
void ajb_set_omp_threads(int n) { omp_set_num_threads(n); }
