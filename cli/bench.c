/*
** cli/bench.c: `:bench` and `actjit bench`.  Times the activation's
** forward and backward kernels next to a plain libm loop of the same
** formula: the library writes f and f' as C (ACTJIT_PART_C: the formula
** as written, no stabilizing rewrites, double precision, libm), the
** system's C compiler ($CC, else cc) builds it at -O2 -march=native into a
** shared object in a temporary directory, and both run on the same inputs
** in alternating rounds.  Reports the median ns/element of 7 rounds and
** the spread (max/min - 1).  Without a C compiler the libm column is
** skipped with a note.
*/
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define ROUNDS 7
#define MIN_ROUND_NS 2e7 /* each round runs at least 20 ms */

typedef void (*loop_fn)(const double *x, const double *dy, double *out,
                        size_t n, const double *p);

/* The harness appended to the library's C: one loop per kernel. */
static const char harness[] =
    "\n#include <stddef.h>\n"
    "void actjit_loop_f(const double *x, const double *dy, double *y,\n"
    "                   size_t n, const double *p) {\n"
    "  (void)dy;\n"
    "  for (size_t i = 0; i < n; i++) y[i] = actjit_c_f(x[i], p);\n"
    "}\n"
    "void actjit_loop_df(const double *x, const double *dy, double *dx,\n"
    "                    size_t n, const double *p) {\n"
    "  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * actjit_c_df(x[i], p);\n"
    "}\n";

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The libm loops: built from act's C into dir.  0 with *handle, or -1
** with a one-line reason in why. */
static int build_libm(const cli_act *act, char *dir, void **handle,
                      loop_fn *f, loop_fn *df, char *why, size_t whylen) {
  char *text = NULL;
  actjit_error err = {0};
  if (actjit_describe(act->a, ACTJIT_PART_C, &text, &err) != ACTJIT_OK) {
    snprintf(why, whylen, "no C for this activation: %.180s", err.message);
    return -1;
  }
  char src[300], so[300], cmd[1400];
  snprintf(src, sizeof src, "%s/f.c", dir);
  snprintf(so, sizeof so, "%s/f.so", dir);
  FILE *out = fopen(src, "w");
  if (out) {
    fputs(text, out);
    fputs(harness, out);
    if (fclose(out) != 0)
      out = NULL;
  }
  actjit_free(text);
  if (!out) {
    snprintf(why, whylen, "cannot write %.200s", src);
    return -1;
  }
  const char *cc = getenv("CC") && getenv("CC")[0] ? getenv("CC") : "cc";
  snprintf(cmd, sizeof cmd,
           "%s -std=c99 -O2 -march=native -fPIC -shared -o '%s' '%s' -lm "
           ">'%s/cc.log' 2>&1",
           cc, so, src, dir);
  int rc = system(cmd);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    snprintf(why, whylen,
             WIFEXITED(rc) && WEXITSTATUS(rc) == 127
                 ? "no C compiler (%s) to build the libm loop"
                 : "%s could not compile the libm loop",
             cc);
    return -1;
  }
  *handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  *f = *handle ? (loop_fn)(uintptr_t)dlsym(*handle, "actjit_loop_f") : NULL;
  *df = *handle ? (loop_fn)(uintptr_t)dlsym(*handle, "actjit_loop_df") : NULL;
  if (!*f || !*df) {
    snprintf(why, whylen, "cannot load the libm loop: %s", dlerror());
    return -1;
  }
  return 0;
}

/* The buffers of one timing: inputs, dy, outputs, in the dtype. */
typedef struct bufs {
  size_t n;
  int f64;
  double *x, *dy, *out;  /* double: the libm loop's, and f64 kernels' */
  float *x32, *dy32, *out32;
  float p32[64], dp32[64];
  double dp[64];
} bufs;

/* One kernel call of act: which 0 = forward, 1 = backward.  (The _p
** calls take any params when there are no runtime parameters.) */
static actjit_status call_kernel(const cli_act *act, bufs *b, int which) {
  size_t n = b->n;
  if (b->f64)
    return which == 0
               ? actjit_forward_f64_p(act->a, act->pvalue, b->x, b->out, n)
               : actjit_backward_f64_p(act->a, act->pvalue, b->x, b->dy,
                                       b->out, n, b->dp);
  return which == 0
             ? actjit_forward_f32_p(act->a, b->p32, b->x32, b->out32, n)
             : actjit_backward_f32_p(act->a, b->p32, b->x32, b->dy32,
                                     b->out32, n, b->dp32);
}

/* ns/element of one round: reps calls, reps chosen so the round lasts. */
static double round_ns(const cli_act *act, bufs *b, int which, loop_fn libm,
                       size_t reps) {
  double t0 = now_ns();
  for (size_t r = 0; r < reps; r++) {
    if (libm)
      libm(b->x, b->dy, b->out, b->n, act->pvalue);
    else if (call_kernel(act, b, which) != ACTJIT_OK)
      return NAN;
  }
  return (now_ns() - t0) / ((double)reps * (double)b->n);
}

/* Median and spread of ROUNDS rounds of each of ncols columns, taken in
** alternation so a noisy moment hits every column. */
static void measure(const cli_act *act, bufs *b, int which, loop_fn libm,
                    double *median, double *spread) {
  loop_fn cols[2] = {NULL, libm};
  int ncols = libm ? 2 : 1;
  size_t reps[2];
  double t[2][ROUNDS];
  for (int c = 0; c < ncols; c++) { /* warm up, and size the rounds */
    double ns = round_ns(act, b, which, cols[c], 1);
    double per_call = ns * (double)b->n;
    reps[c] = per_call > 0 ? (size_t)(MIN_ROUND_NS / per_call) + 1 : 1;
  }
  for (int r = 0; r < ROUNDS; r++)
    for (int c = 0; c < ncols; c++)
      t[c][r] = round_ns(act, b, which, cols[c], reps[c]);
  for (int c = 0; c < ncols; c++) {
    qsort(t[c], ROUNDS, sizeof(double), cmp_double);
    median[c] = t[c][ROUNDS / 2];
    spread[c] = t[c][0] > 0 ? t[c][ROUNDS - 1] / t[c][0] - 1 : NAN;
  }
}

static void remove_dir(const char *dir) {
  static const char *const files[] = {"f.c", "f.so", "cc.log"};
  char path[256];
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

int cli_bench(FILE *out, json *j, const cli_act *act, int f64, size_t n) {
  int rc = cli_act_check_values(act);
  if (rc != 0)
    return rc;
  bufs b;
  memset(&b, 0, sizeof b);
  b.n = n, b.f64 = f64;
  b.x = malloc(n * sizeof *b.x);
  b.dy = malloc(n * sizeof *b.dy);
  b.out = malloc(n * sizeof *b.out);
  b.x32 = malloc(n * sizeof *b.x32);
  b.dy32 = malloc(n * sizeof *b.dy32);
  b.out32 = malloc(n * sizeof *b.out32);
  if (!b.x || !b.dy || !b.out || !b.x32 || !b.dy32 || !b.out32) {
    rc = cli_report_status(ACTJIT_ENOMEM);
    goto done;
  }
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++) { /* uniform in [-5, 5), dy in [0.5, 1.5) */
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    b.x[i] = -5 + 10 * (double)(s >> 11) * 0x1p-53;
    b.dy[i] = 0.5 + (double)(s & 0xffff) / 65536.0;
    b.x32[i] = (float)b.x[i];
    b.dy32[i] = (float)b.dy[i];
  }
  for (size_t k = 0; k < act->nparams; k++)
    b.p32[k] = (float)act->pvalue[k];
  char dir[] = "/tmp/actjit-bench-XXXXXX", why[256] = "";
  void *handle = NULL;
  loop_fn lf = NULL, ldf = NULL;
  if (!mkdtemp(dir))
    snprintf(why, sizeof why, "no temporary directory for the libm loop");
  else if (build_libm(act, dir, &handle, &lf, &ldf, why, sizeof why) != 0)
    lf = ldf = NULL;
  /* the kernels of the dtype made, and optimized: time those, not the
  ** quick tier a compile returns with */
  call_kernel(act, &b, 0);
  call_kernel(act, &b, 1);
  actjit_activation_wait(act->a);
  double med[2][2] = {{NAN, NAN}, {NAN, NAN}}, spr[2][2] = {{NAN, NAN}, {NAN, NAN}};
  measure(act, &b, 0, lf, med[0], spr[0]);
  measure(act, &b, 1, ldf, med[1], spr[1]);
  if (handle)
    dlclose(handle);
  if (dir[sizeof dir - 2] != 'X')
    remove_dir(dir);
  if (isnan(med[0][0]) || isnan(med[1][0])) {
    rc = cli_report_status(ACTJIT_EINVAL);
    goto done;
  }
  static const char *const kname[2] = {"forward", "backward"};
  if (j) {
    json_begin_object(j);
    json_key(j, "source");
    json_string(j, act->src);
    json_key(j, "dtype");
    json_string(j, f64 ? "f64" : "f32");
    json_key(j, "n");
    json_int(j, (long long)n);
    json_key(j, "rounds");
    json_int(j, ROUNDS);
    for (int k = 0; k < 2; k++) {
      json_key(j, kname[k]);
      json_begin_object(j);
      json_key(j, "actjit_ns");
      json_number(j, med[k][0]);
      json_key(j, "actjit_spread");
      json_number(j, spr[k][0]);
      json_key(j, "libm_ns");
      if (lf) json_number(j, med[k][1]); else json_null(j);
      json_key(j, "libm_spread");
      if (lf) json_number(j, spr[k][1]); else json_null(j);
      json_end_object(j);
    }
    json_key(j, "libm_note");
    if (lf) json_null(j); else json_string(j, why);
    json_end_object(j);
  } else {
    fprintf(out, "  %zu %s elements, x uniform in [-5, 5); median of %d rounds "
                 "(spread max/min - 1)\n",
            n, f64 ? "float64" : "float32", ROUNDS);
    fprintf(out, "  %-9s %14s %16s %10s\n", "kernel", "actjit ns/elt",
            "libm loop ns/elt", "speedup");
    for (int k = 0; k < 2; k++) {
      fprintf(out, "  %-9s %7.3f (%3.0f%%)", kname[k], med[k][0],
              100 * spr[k][0]);
      if (lf)
        fprintf(out, " %9.3f (%3.0f%%) %9.1fx\n", med[k][1], 100 * spr[k][1],
                med[k][1] / med[k][0]);
      else
        fputs("              -          -\n", out);
    }
    if (!lf)
      fprintf(out, "  (libm loop skipped: %s)\n", why);
    else
      fputs("  libm loop: the formula as written, in double, cc -O2 "
            "-march=native\n",
            out);
  }
done:
  free(b.x);
  free(b.dy);
  free(b.out);
  free(b.x32);
  free(b.dy32);
  free(b.out32);
  return rc;
}
