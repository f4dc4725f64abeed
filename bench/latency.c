/*
** latency.c: the compile-latency child of the peer benchmark (bench/run
** builds it as $BUILD_DIR/bench/ajb_latency; bench/bench.py runs it once
** per activation and system, so "first in process" is honest).
**
** Usage: ajb_latency actjit NAME REPS
**          cold: the first actjit_compile in the process (no disk cache);
**          warm: REPS more compiles in that context, each freed before the
**                next (LLVM every time; origin checked), median and min:
**                until actjit_compile returns with callable (quick)
**                kernels; cold_opt/warm_opt: until the optimized kernels
**                of the tiered compile are in (actjit_activation_wait);
**          hit:  REPS compiles of NAME, each in a fresh context on a temp
**                cache directory primed once (origin checked), median/min;
**                hit_used: the same in a fresh context that already
**                compiled another expression (the JIT is up).
**        ajb_latency onednn ACT_INDEX REPS
**          oneDNN eltwise primitive creation (primitive cache off), forward
**          (forward_inference) and backward (backward_data with its
**          forward_training hint): the first in the process, then the
**          median of REPS.
** Prints one line of key=value pairs (milliseconds), or error=... .
*/
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actjit.h"
#include "peers.h"

#define MAX_REPS 64

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static actjit_ctx *make_ctx(const char *cache_dir) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.cache_dir = cache_dir;
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  if (!ctx) printf("error=ctx_new:%s\n", actjit_status_name(err.code));
  return ctx;
}

/* Compiles name in ctx and returns the milliseconds until actjit_compile
** returned, ready to call (-1 on error, -2 when the kernels did not come
** from `want`); *opt_ms (if not NULL): until the optimized kernels were in
** (actjit_activation_wait: the tiered compile's background half). */
static double timed_compile(actjit_ctx *ctx, const char *name, int want,
                            double *opt_ms) {
  actjit_activation *a = NULL;
  actjit_error err;
  double t0 = now_ms();
  actjit_status s = actjit_compile(ctx, name, NULL, &a, &err);
  double ms = now_ms() - t0;
  if (s != ACTJIT_OK) {
    printf("error=compile:%s:%s\n", actjit_status_name(s), err.message);
    return -1;
  }
  if (opt_ms) {
    actjit_activation_wait(a);
    *opt_ms = now_ms() - t0;
  }
  actjit_info info;
  actjit_activation_info(a, &info);
  actjit_activation_free(a); /* after the background compile, if any */
  return want >= 0 && (int)info.origin != want ? -2 : ms;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* Median of reps disk-cache hits of name in fresh contexts on dir; with
** used, each context first compiles another expression.  -1 on error, -2
** when a hit did not come from disk. */
static double cache_hits(const char *dir, const char *name, int reps,
                         int used) {
  double t[MAX_REPS];
  for (int r = 0; r < reps; r++) {
    actjit_ctx *ctx = make_ctx(dir);
    if (!ctx) return -1;
    t[r] = used ? timed_compile(ctx, "x*x + 0.5", -1, NULL) : 0;
    if (t[r] >= 0) t[r] = timed_compile(ctx, name, ACTJIT_ORIGIN_DISK, NULL);
    actjit_ctx_free(ctx);
    if (t[r] < 0) return t[r];
  }
  return median(t, reps);
}

/* Fills warm[0..reps) with LLVM compiles of name in ctx (each freed; the
** next starts once the last one's background compile is done), and opt[]
** with the times to the optimized kernels.  Returns 0, or -1 (-2: one was
** not compiled by LLVM). */
static int warm_compiles(actjit_ctx *ctx, const char *name, int reps,
                         double *warm, double *opt) {
  for (int r = 0; r < reps; r++)
    if ((warm[r] = timed_compile(ctx, name, ACTJIT_ORIGIN_LLVM, &opt[r])) < 0)
      return (int)warm[r];
  return 0;
}

/* Primes a temporary cache directory with name, measures the hits, and
** removes the directory.  Returns 0 or -1. */
static int disk_hits(const char *name, int reps, double *hit,
                     double *hit_used) {
  char dir[] = "/tmp/ajb-cache-XXXXXX";
  if (!mkdtemp(dir)) return printf("error=mkdtemp\n"), -1;
  actjit_ctx *prime = make_ctx(dir);
  *hit = *hit_used = -1;
  int primed = prime && timed_compile(prime, name, -1, NULL) >= 0 &&
               timed_compile(prime, "x*x + 0.5", -1, NULL) >= 0;
  actjit_ctx_free(prime);
  if (primed) {
    *hit = cache_hits(dir, name, reps, 0);
    *hit_used = cache_hits(dir, name, reps, 1);
  }
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (*hit == -2 || *hit_used == -2)
    printf("error=cache hit did not come from disk\n");
  return *hit < 0 || *hit_used < 0 ? -1 : 0;
}

static int run_actjit(const char *name, int reps) {
  double t0 = now_ms();
  actjit_ctx *ctx = make_ctx("");
  if (!ctx) return 1;
  double ctx_ms = now_ms() - t0;
  double cold_opt, warm[MAX_REPS], opt[MAX_REPS];
  double cold = timed_compile(ctx, name, ACTJIT_ORIGIN_LLVM, &cold_opt);
  int r = cold < 0 ? (int)cold : warm_compiles(ctx, name, reps, warm, opt);
  actjit_ctx_free(ctx);
  if (r == -2) printf("error=compile did not come from LLVM\n");
  double hit, hit_used;
  if (r || disk_hits(name, reps, &hit, &hit_used)) return 1;
  double wmed = median(warm, reps); /* sorts warm */
  double omed = median(opt, reps);
  printf("ctx_ms=%.4f cold_ms=%.4f warm_ms=%.4f warm_min_ms=%.4f "
         "cold_opt_ms=%.4f warm_opt_ms=%.4f hit_ms=%.4f hit_used_ms=%.4f "
         "reps=%d\n",
         ctx_ms, cold, wmed, warm[0], cold_opt, omed, hit, hit_used, reps);
  return 0;
}

/* Milliseconds to make (and free) the primitive of (act, backward). */
static double onednn_once(int act, int backward, float *buf) {
  ajb_onednn_cell cell;
  double t0 = now_ms();
  if (ajb_onednn_make(&cell, act, backward, 0, 4096, buf, buf, buf, buf))
    return -1;
  double ms = now_ms() - t0;
  ajb_onednn_free(&cell);
  return ms;
}

static int run_onednn(int act, int reps) {
  static float buf[4096];
  if (!ajb_onednn_has(act, 0)) return printf("error=none\n"), 0;
  if (ajb_onednn_cache_off()) return printf("error=cache_off\n"), 1;
  double first_f = onednn_once(act, 0, buf), first_b = onednn_once(act, 1, buf);
  double f[MAX_REPS], b[MAX_REPS];
  for (int r = 0; r < reps; r++) {
    f[r] = onednn_once(act, 0, buf);
    b[r] = onednn_once(act, 1, buf);
    if (f[r] < 0 || b[r] < 0) first_f = -1;
  }
  if (first_f < 0 || first_b < 0) return printf("error=onednn create\n"), 1;
  printf("first_fwd_ms=%.4f first_bwd_ms=%.4f fwd_ms=%.4f bwd_ms=%.4f "
         "reps=%d\n",
         first_f, first_b, median(f, reps), median(b, reps), reps);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: ajb_latency actjit NAME REPS | onednn ACT REPS\n");
    return 2;
  }
  int reps = atoi(argv[3]);
  if (reps < 1) reps = 1;
  if (reps > MAX_REPS) reps = MAX_REPS;
  if (strcmp(argv[1], "actjit") == 0) return run_actjit(argv[2], reps);
  if (strcmp(argv[1], "onednn") == 0) return run_onednn(atoi(argv[2]), reps);
  fprintf(stderr, "ajb_latency: unknown system %s\n", argv[1]);
  return 2;
}
