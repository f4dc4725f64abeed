/*
** test_tiers.c: tiered compiles (jit/engine.c, "Tiers").  The quick
** kernels a compile returns with and the optimized ones that replace them
** give the same bits for every catalog entry; the swap happens while the
** kernels are in use; an activation freed while its background compile
** runs waits for it and leaks nothing; the flags that pick a tier; quick
** compiles on several threads at once share the runtime functions they
** call out of line.
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define NV 4096

/* The value grid of numerics.md, then log-uniform values in [-1e4, 1e4]. */
static void inputs(float *x32, double *x64, float *dy32, double *dy64) {
  static const double grid[] = {
      0, 1.4e-45, 1.17549435e-38, 1e-30, 1e-7, 0.5, 1, 3, 4.5, 6, 9, 10,
      13.24, 15, 20, 30, 88.7, 89, 1e20, 3.40282347e38, INFINITY};
  int n = 0;
  for (size_t i = 0; i < sizeof grid / sizeof *grid; i++) {
    x64[n++] = grid[i];
    x64[n++] = -grid[i];
  }
  x64[n++] = NAN;
  unsigned s = 12345;
  while (n < NV) {
    s = s * 1664525u + 1013904223u;
    double u = (s >> 8) / 16777216.0; /* [0, 1) */
    double v = pow(10, -4 + 8 * u);
    x64[n] = (s & 1) ? v : -v;
    n++;
  }
  for (int i = 0; i < NV; i++) {
    x32[i] = (float)x64[i];
    dy64[i] = 0.5 + (i % 7) * 0.25;
    dy32[i] = (float)dy64[i];
  }
}

typedef struct outputs {
  float y32[NV], dx32[NV];
  double y64[NV], dx64[NV];
} outputs;

static float X32[NV], DY32[NV];
static double X64[NV], DY64[NV];

/* a's outputs through the checked calls (which use whichever tier is in). */
static void run(const actjit_activation *a, outputs *o) {
  assert_int_equal(actjit_forward_f32(a, X32, o->y32, NV), ACTJIT_OK);
  assert_int_equal(actjit_backward_f32(a, X32, DY32, o->dx32, NV), ACTJIT_OK);
  assert_int_equal(actjit_forward_f64(a, X64, o->y64, NV), ACTJIT_OK);
  assert_int_equal(actjit_backward_f64(a, X64, DY64, o->dx64, NV), ACTJIT_OK);
}

static actjit_activation *compile(actjit_ctx *ctx, const char *src,
                                  unsigned flags) {
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = flags;
  actjit_error err;
  actjit_activation *a = NULL;
  actjit_status s = actjit_compile(ctx, src, &opt, &a, &err);
  if (s != ACTJIT_OK)
    fail_msg("compile %s: %s: %s", src, actjit_status_name(s), err.message);
  return a;
}

/* The same bits, except that a NaN may have either sign: x86 returns the
** first operand's NaN, and the two codegen levels may order an addition's
** operands differently. */
static int same32(float a, float b) {
  return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}
static int same64(double a, double b) {
  return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void same_outputs(const char *src, const outputs *a, const outputs *b) {
  for (int i = 0; i < NV; i++)
    if (!same32(a->y32[i], b->y32[i]) || !same32(a->dx32[i], b->dx32[i]) ||
        !same64(a->y64[i], b->y64[i]) || !same64(a->dx64[i], b->dx64[i]))
      fail_msg("%s: the tiers differ at x = %.9g: y %.9g / %.9g, "
               "dx %.9g / %.9g, f64 y %.17g / %.17g, dx %.17g / %.17g", src,
               X64[i], a->y32[i], b->y32[i], a->dx32[i], b->dx32[i],
               a->y64[i], b->y64[i], a->dx64[i], b->dx64[i]);
}

/* Every catalog activation (and a few with runtime parameters): quick-only
** kernels and optimized ones give the same bits, f32 and f64. */
static void tiers_same_bits(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx_nocache();
  static outputs quick, full;
  int compared = 0;
  for (size_t i = 0;; i++) {
    int act = 0;
    const char *name = actjit_catalog_name(ctx, i, &act);
    if (!name) break;
    if (act != 1) continue;
    actjit_error err;
    actjit_activation *q = NULL;
    actjit_options opt;
    memset(&opt, 0, sizeof opt);
    opt.flags = ACTJIT_COMPILE_QUICK;
    if (actjit_compile(ctx, name, &opt, &q, &err) != ACTJIT_OK)
      continue; /* a parameter without a default (threshold) */
    actjit_activation *f = compile(ctx, name, ACTJIT_COMPILE_WAIT);
    actjit_info iq, iff;
    actjit_activation_info(q, &iq);
    actjit_activation_info(f, &iff);
    assert_int_equal(iq.origin, ACTJIT_ORIGIN_LLVM); /* not shared */
    assert_int_equal(iff.origin, ACTJIT_ORIGIN_LLVM);
    run(q, &quick);
    run(f, &full);
    same_outputs(name, &quick, &full);
    actjit_activation_free(q);
    actjit_activation_free(f);
    compared++;
  }
  assert_true(compared >= 20);
  actjit_activation_free(NULL);
  actjit_ctx_free(ctx);
}

/* A runtime parameter's gradient sums come out the same from both tiers. */
static void tiers_same_parameter_gradients(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx_nocache();
  const char *names[] = {"alpha"};
  float dq[1] = {0}, df[1] = {0}, alpha[1] = {0.7f};
  float *dx = malloc(NV * sizeof *dx);
  assert_non_null(dx);
  actjit_activation *k[2];
  for (int t = 0; t < 2; t++) {
    actjit_options opt;
    memset(&opt, 0, sizeof opt);
    opt.runtime = names;
    opt.nruntime = 1;
    opt.flags = t ? ACTJIT_COMPILE_WAIT : ACTJIT_COMPILE_QUICK;
    actjit_error err;
    assert_int_equal(actjit_compile(ctx, "elu(x, alpha)", &opt, &k[t], &err),
                     ACTJIT_OK);
    assert_int_equal(actjit_backward_f32_p(k[t], alpha, X32, DY32, dx, NV,
                                           t ? df : dq),
                     ACTJIT_OK);
  }
  assert_memory_equal(dq, df, sizeof dq);
  assert_true(dq[0] != 0);
  actjit_activation_free(k[0]);
  actjit_activation_free(k[1]);
  free(dx);
  actjit_ctx_free(ctx);
}

/* The default compile calls through whichever kernels are in while the
** optimized ones arrive; after actjit_activation_wait they are in. */
static void tiered_swap_while_calling(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx_nocache();
  const char *src = "x * tanh(softplus(1.25 * x))";
  actjit_activation *ref = compile(ctx, src, ACTJIT_COMPILE_QUICK);
  static outputs want, got;
  run(ref, &want);
  actjit_activation *a = compile(ctx, src, 0);
  actjit_info info;
  actjit_activation_info(a, &info);
  assert_int_equal(info.origin, ACTJIT_ORIGIN_LLVM);
  for (int i = 0; i < 20; i++) { /* some of these run during the swap */
    run(a, &got);
    same_outputs(src, &want, &got);
  }
  assert_int_equal(actjit_activation_wait(a), ACTJIT_OK);
  actjit_activation_info(a, &info);
  assert_int_equal(info.optimized, 1);
  run(a, &got);
  same_outputs(src, &want, &got);
  /* the raw getters hand out the optimized kernels */
  float y[8];
  actjit_kernel_fwd_f32(a)(X32, y, 8, NULL);
  assert_memory_equal(y, want.y32, sizeof y);
  assert_int_equal(actjit_activation_wait(NULL), ACTJIT_EINVAL);
  actjit_activation_free(a);
  actjit_activation_free(ref);
  actjit_ctx_free(ctx);
}

/* Activations freed at once, while their background compiles run, and one
** sharing kernels whose first user is gone: no leak, no crash, and the
** survivor still gets its optimized kernels. */
static void free_during_background_compile(void **state) {
  (void)state;
  tu_alloc al = {0};
  actjit_ctx *ctx = tu_ctx_counting(&al);
  char src[64];
  for (int i = 0; i < 8; i++) {
    snprintf(src, sizeof src, "x * sigmoid(%d.5 * x)", i + 1);
    actjit_activation *a = compile(ctx, src, 0);
    actjit_activation_free(a);
  }
  actjit_activation *first = compile(ctx, "gelu_tanh", 0);
  actjit_activation *second = compile(ctx, "gelu_tanh", 0);
  actjit_info info;
  actjit_activation_info(second, &info);
  assert_int_equal(info.origin, ACTJIT_ORIGIN_SHARED);
  actjit_activation_free(first); /* waits for the compile it started */
  assert_int_equal(actjit_activation_wait(second), ACTJIT_OK);
  actjit_activation_info(second, &info);
  assert_int_equal(info.optimized, 1);
  float y[11]; /* X32[10] = 0.5 */
  assert_int_equal(actjit_forward_f32(second, X32, y, 11), ACTJIT_OK);
  double want = 0.25 * (1 + tanh(sqrt(2 / M_PI) * (0.5 + 0.044715 * 0.125)));
  assert_true(X32[10] == 0.5f && fabs(y[10] - want) < 1e-7);
  actjit_activation_free(second);
  actjit_ctx_free(ctx);
  assert_int_equal(al.live_blocks, 0);
  assert_int_equal(al.live_bytes, 0);
}

/* fork() right after a tiered compile: it waits for the background
** compile, so the child has the optimized kernels and its waits and frees
** return (a child waiting for a thread it has no copy of would hang). */
static void fork_after_compile(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx_nocache();
  actjit_activation *a = compile(ctx, "x * sigmoid(2.75 * x) - 0.125", 0);
  float want[16];
  assert_int_equal(actjit_forward_f32(a, X32, want, 16), ACTJIT_OK);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) { /* the child: exit status says what failed */
    alarm(30);    /* a hang becomes SIGALRM */
    actjit_info info;
    actjit_activation_info(a, &info);
    if (!info.optimized) _exit(2);
    float y[16];
    if (actjit_forward_f32(a, X32, y, 16) != ACTJIT_OK) _exit(3);
    if (memcmp(y, want, sizeof y) != 0) _exit(4);
    actjit_activation_wait(a);
    actjit_activation_free(a);
    actjit_activation *b = compile(ctx, "x * sigmoid(3.25 * x)", 0);
    actjit_activation_free(b); /* a tiered compile in the child works */
    actjit_ctx_free(ctx);
    _exit(0);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("child: %s %d", WIFEXITED(status) ? "exit" : "signal",
             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

/* One quick compile on a thread of its own, started at the barrier. */
typedef struct quick_job {
  actjit_ctx *ctx;
  const char *src;
  pthread_barrier_t *go;
  actjit_activation *a;
  actjit_status status;
} quick_job;

static void *quick_worker(void *arg) {
  quick_job *j = arg;
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = ACTJIT_COMPILE_QUICK;
  actjit_error err;
  pthread_barrier_wait(j->go);
  j->status = actjit_compile(j->ctx, j->src, &opt, &j->a, &err);
  return NULL;
}

/* Quick compiles on four threads at once in a fresh context, all calling
** runtime functions (erf, tanh) that no kernel there has called yet: the
** JIT compiles each once, out of line, and every thread's kernels give
** the bits of optimized ones (which inline them) from another context. */
static void quick_runtime_shared(void **state) {
  (void)state;
  static const char *const srcs[] = {"erf(x)*tanh(x)", "tanh(x) - erf(0.5*x)",
                                     "x*erf(x) + tanh(2*x)", "erf(tanh(x))"};
  enum { N = sizeof srcs / sizeof *srcs };
  actjit_ctx *ctx = tu_ctx_nocache(), *ref_ctx = tu_ctx_nocache();
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, N);
  pthread_t th[N];
  quick_job jobs[N];
  for (int i = 0; i < N; i++) {
    jobs[i] = (quick_job){ctx, srcs[i], &go, NULL, ACTJIT_EINTERNAL};
    assert_int_equal(pthread_create(&th[i], NULL, quick_worker, &jobs[i]), 0);
  }
  for (int i = 0; i < N; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
  pthread_barrier_destroy(&go);
  static outputs quick, full;
  for (int i = 0; i < N; i++) {
    assert_int_equal(jobs[i].status, ACTJIT_OK);
    actjit_activation *ref = compile(ref_ctx, srcs[i], ACTJIT_COMPILE_WAIT);
    run(jobs[i].a, &quick);
    run(ref, &full);
    same_outputs(srcs[i], &quick, &full);
    actjit_activation_free(ref);
    actjit_activation_free(jobs[i].a);
  }
  actjit_ctx_free(ref_ctx);
  actjit_ctx_free(ctx);
}

/* The tier flags: both at once is EINVAL; each alone says what it gives. */
static void tier_flags(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx_nocache();
  actjit_options opt;
  memset(&opt, 0, sizeof opt);
  opt.flags = ACTJIT_COMPILE_WAIT | ACTJIT_COMPILE_QUICK;
  actjit_error err;
  actjit_activation *a = (actjit_activation *)1;
  assert_int_equal(actjit_compile(ctx, "relu", &opt, &a, &err), ACTJIT_EINVAL);
  assert_null(a);
  assert_non_null(strstr(err.message, "exclude"));
  actjit_info info;
  a = compile(ctx, "silu", ACTJIT_COMPILE_WAIT);
  actjit_activation_info(a, &info);
  assert_int_equal(info.optimized, 1);
  /* quick-only kernels are final, and not shared with optimized ones */
  actjit_activation *q = compile(ctx, "silu", ACTJIT_COMPILE_QUICK);
  actjit_activation_info(q, &info);
  assert_int_equal(info.optimized, 1);
  assert_int_equal(info.origin, ACTJIT_ORIGIN_LLVM);
  assert_int_equal(actjit_activation_wait(q), ACTJIT_OK);
  actjit_activation *shared = compile(ctx, "silu", 0);
  actjit_activation_info(shared, &info);
  assert_int_equal(info.origin, ACTJIT_ORIGIN_SHARED);
  assert_int_equal(info.optimized, 1);
  actjit_activation_free(shared);
  actjit_activation_free(q);
  actjit_activation_free(a);
  actjit_ctx_free(ctx);
}

int main(void) {
  inputs(X32, X64, DY32, DY64);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tiers_same_bits),
      cmocka_unit_test(tiers_same_parameter_gradients),
      cmocka_unit_test(tiered_swap_while_calling),
      cmocka_unit_test(free_during_background_compile),
      cmocka_unit_test(fork_after_compile),
      cmocka_unit_test(tier_flags),
      cmocka_unit_test(quick_runtime_shared),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
