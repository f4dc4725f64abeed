/*
** jit_bench.c: actjit's own measurements (issue 4): compile latency per
** catalog activation, and kernel speed next to a plain libm C loop in the
** same run.  The peers' full table (oneDNN, SLEEF, PyTorch ...) is bench/'s
** later job; this one needs nothing but libactjit and libm.
**
** Timing rules from performance.md: time batches (clock_gettime costs
** ~350 ns here), warm up, interleave the columns round by round so drift
** hits all alike, report the median and the spread (min..max of rounds).
**
** Usage: jit_bench [--quick] [--csv FILE]
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actjit.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- The libm peer: the formula as a C programmer writes it ---------- */

typedef void (*loop_fn)(const float *x, const float *dy, float *out, size_t n);

static float sigm(float x) { return 1.0f / (1.0f + expf(-x)); }

#define LOOP(name, expr)                                                       \
  static void name(const float *x, const float *dy, float *out, size_t n) {   \
    (void)dy;                                                                  \
    for (size_t i = 0; i < n; i++) {                                           \
      float v = x[i];                                                          \
      out[i] = (expr);                                                         \
    }                                                                          \
  }
#define LOOPB(name, expr)                                                      \
  static void name(const float *x, const float *dy, float *out, size_t n) {   \
    for (size_t i = 0; i < n; i++) {                                           \
      float v = x[i];                                                          \
      out[i] = dy[i] * (expr);                                                 \
    }                                                                          \
  }

LOOP(relu_f, v > 0 ? v : 0)
LOOPB(relu_b, v > 0 ? 1.0f : 0.0f)
LOOP(hardswish_f, v <= -3 ? 0 : v >= 3 ? v : v * (v + 3) / 6)
LOOPB(hardswish_b, v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6)
LOOP(elu_f, v > 0 ? v : expm1f(v))
LOOPB(elu_b, v > 0 ? 1 : expf(v))
LOOP(sigmoid_f, sigm(v))
LOOPB(sigmoid_b, sigm(v) * (1 - sigm(v)))
LOOP(tanh_f, tanhf(v))
LOOPB(tanh_b, 1 - tanhf(v) * tanhf(v))
LOOP(silu_f, v * sigm(v))
LOOPB(silu_b, sigm(v) * (1 + v * (1 - sigm(v))))
LOOP(mish_f, v * tanhf(log1pf(expf(v))))
LOOPB(mish_b, tanhf(log1pf(expf(v))) +
                  v * sigm(v) * (1 - tanhf(log1pf(expf(v))) *
                                         tanhf(log1pf(expf(v)))))
LOOP(gelu_f, 0.5f * v * (1 + erff(v * 0.70710678f)))
LOOPB(gelu_b, 0.5f * (1 + erff(v * 0.70710678f)) +
                  v * 0.39894228f * expf(-0.5f * v * v))

typedef struct act {
  const char *name;
  loop_fn libm_fwd, libm_bwd;
} act;

static const act acts[] = {
    {"relu", relu_f, relu_b},          {"hardswish", hardswish_f, hardswish_b},
    {"elu", elu_f, elu_b},             {"sigmoid", sigmoid_f, sigmoid_b},
    {"tanh", tanh_f, tanh_b},          {"silu", silu_f, silu_b},
    {"mish", mish_f, mish_b},          {"gelu", gelu_f, gelu_b},
};
#define NACTS (sizeof acts / sizeof *acts)

/* ---- Compile latency --------------------------------------------------- */

static void latency(FILE *csv, int quick) {
  static const char *const catalog[] = {
      "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "sigmoid",
      "tanh", "softplus", "silu", "swish", "mish", "gelu", "gelu_tanh",
      "softsign", "tanhshrink", "logsigmoid", "hardsigmoid", "hardswish",
      "hardshrink", "softshrink"};
  const int n = sizeof catalog / sizeof *catalog;
  char dir[] = "/tmp/actjit-bench-cache-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return;
  }
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = dir;
  actjit_error err;
  printf("\n## Compile latency: parse -> float32 forward+backward kernels "
         "ready (ms)\n\n");
  actjit_ctx *first = actjit_ctx_new(&cfg, &err);
  {
    actjit_activation *a = NULL;
    double t0 = now();
    actjit_compile(first, "x*x + 1", NULL, &a, &err);
    printf("cold (first compile in the process, starts the JIT): %.2f ms\n\n",
           (now() - t0) * 1e3);
    actjit_activation_free(a);
  }
  printf("| activation | warm (LLVM) | disk cache hit | shared in process "
         "|\n|---|---|---|---|\n");
  double total_cold = 0, total_hit = 0;
  int ok = 0;
  for (int i = 0; i < n; i++) {
    actjit_activation *a = NULL, *b = NULL;
    double t0 = now();
    if (actjit_compile(first, catalog[i], NULL, &a, &err)) {
      printf("| %s | %s | | |\n", catalog[i], actjit_status_name(err.code));
      continue;
    }
    double t1 = now();
    actjit_compile(first, catalog[i], NULL, &b, &err);
    double t2 = now();
    actjit_activation_free(b);
    actjit_activation_free(a);
    /* a fresh context: nothing loaded, the object comes from disk */
    actjit_ctx *fresh = actjit_ctx_new(&cfg, &err);
    actjit_activation *warmup = NULL;
    actjit_compile(fresh, "x*x", NULL, &warmup, &err); /* JIT made */
    double t3 = now();
    actjit_compile(fresh, catalog[i], NULL, &a, &err);
    double t4 = now();
    actjit_activation_free(a);
    actjit_activation_free(warmup);
    actjit_ctx_free(fresh);
    printf("| %s | %.2f | %.3f | %.3f |\n", catalog[i], (t1 - t0) * 1e3,
           (t4 - t3) * 1e3, (t2 - t1) * 1e3);
    if (csv)
      fprintf(csv, "latency,%s,%.4f,%.4f,%.4f\n", catalog[i], (t1 - t0) * 1e3,
              (t2 - t1) * 1e3, (t4 - t3) * 1e3);
    total_cold += t1 - t0;
    total_hit += t4 - t3;
    ok++;
    if (quick && i >= 5) break;
  }
  actjit_ctx_free(first);
  if (ok > 0)
    printf("\nmean over the catalog: warm LLVM %.2f ms, disk hit %.3f ms\n",
           total_cold * 1e3 / ok, total_hit * 1e3 / ok);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* ---- Kernel speed ------------------------------------------------------ */

typedef struct column {
  const char *name;
  int backward;
  loop_fn loop;                 /* libm column */
  const actjit_activation *a;   /* actjit column */
} column;

static void run_column(const column *c, const float *x, const float *dy,
                       float *out, size_t n) {
  if (c->loop) c->loop(x, dy, out, n);
  else if (c->backward) actjit_backward_f32(c->a, x, dy, out, n);
  else actjit_forward_f32(c->a, x, out, n);
}

static void speed(FILE *csv, int quick) {
  static const size_t sizes[] = {4096, 16777216};
  const int rounds = quick ? 5 : 15;
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = "";
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  size_t nmax = sizes[1];
  float *x = aligned_alloc(64, nmax * 4), *dy = aligned_alloc(64, nmax * 4);
  float *out = aligned_alloc(64, nmax * 4);
  uint64_t seed = 42;
  for (size_t i = 0; i < nmax; i++) { /* x ~ U[-10, 10], dy ~ U[-1, 1] */
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    x[i] = (float)((seed >> 11) * 0x1.0p-53 * 20 - 10);
    dy[i] = (float)((seed >> 40) * 0x1.0p-24 * 2 - 1);
    out[i] = 0;
  }
  printf("\n## Kernel speed, float32, ns/element: median of %d rounds "
         "[min..max]; x ~ U[-10,10]\n\n", rounds);
  printf("| act | op | N | actjit | libm loop | libm / actjit |\n"
         "|---|---|---|---|---|---|\n");
  for (size_t k = 0; k < NACTS; k++) {
    actjit_activation *a = NULL;
    if (actjit_compile(ctx, acts[k].name, NULL, &a, &err)) {
      printf("| %s | | | %s | | |\n", acts[k].name, actjit_status_name(err.code));
      continue;
    }
    for (int backward = 0; backward < 2; backward++) {
      for (size_t si = 0; si < 2; si++) {
        size_t n = sizes[si];
        /* batch small sizes so each timing spans >= ~2 ms */
        int reps = n < 65536 ? (int)(2e6 / n) + 1 : 1;
        if (quick && n > 65536 && si) reps = 1;
        column cols[2] = {
            {"actjit", backward, NULL, a},
            {"libm", backward, backward ? acts[k].libm_bwd : acts[k].libm_fwd,
             NULL}};
        double t[2][64];
        for (int c = 0; c < 2; c++) run_column(&cols[c], x, dy, out, n);
        for (int r = 0; r < rounds; r++)
          for (int c = 0; c < 2; c++) {
            double t0 = now();
            for (int i = 0; i < reps; i++) run_column(&cols[c], x, dy, out, n);
            t[c][r] = (now() - t0) / ((double)n * reps) * 1e9;
          }
        double lo[2], hi[2], med[2];
        for (int c = 0; c < 2; c++) {
          lo[c] = hi[c] = t[c][0];
          for (int r = 0; r < rounds; r++) {
            lo[c] = fmin(lo[c], t[c][r]);
            hi[c] = fmax(hi[c], t[c][r]);
          }
          med[c] = median(t[c], rounds);
        }
        printf("| %s | %s | %zu | %.3f [%.3f..%.3f] | %.3f [%.3f..%.3f] | "
               "%.2fx |\n", acts[k].name, backward ? "bwd" : "fwd", n, med[0],
               lo[0], hi[0], med[1], lo[1], hi[1], med[1] / med[0]);
        if (csv)
          fprintf(csv, "speed,%s,%s,%zu,%.4f,%.4f\n", acts[k].name,
                  backward ? "bwd" : "fwd", n, med[0], med[1]);
      }
    }
    actjit_activation_free(a);
  }
  free(x);
  free(dy);
  free(out);
  actjit_ctx_free(ctx);
}

int main(int argc, char **argv) {
  int quick = 0;
  FILE *csv = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) quick = 1;
    else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) csv = fopen(argv[++i], "w");
  }
  printf("# actjit %s: JIT benchmark%s\n", actjit_version_string(),
         quick ? " (quick)" : "");
  latency(csv, quick);
  speed(csv, quick);
  if (csv) fclose(csv);
  return 0;
}
