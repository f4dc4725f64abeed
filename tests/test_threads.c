/*
** test_threads.c: one context shared by 8 threads that parse, simplify,
** differentiate, print and evaluate at once must give every thread the
** same answers a single thread gets (and, under TSan, no race).
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define NTHREADS 8
#define ROUNDS 200

static const char *const sources[] = {
    "mish", "elu(x, alpha=0.5)", "x*tanh(softplus(x))", "gelu", "swish",
    "f(u, k=2) = u*k + sin(u); g(u) = f(u) - f(u, k=3); g(x)^2",
    "where(x < 0, exp(x), 1) + hardswish(x)",
};
#define NSRC (sizeof sources / sizeof *sources)

typedef struct job {
  actjit_ctx *ctx;
  int id;
  char *text[NSRC];  /* printed derivative, per source */
  double value[NSRC]; /* f'(0.75) */
  int errors;
} job;

static void one(job *j, size_t k, char **text, double *value) {
  actjit_error err;
  actjit_expr *e = NULL, *d = NULL;
  if (actjit_parse(j->ctx, sources[k], ACTJIT_NUL_TERMINATED, &e, &err) ||
      actjit_diff(e, "x", &d, &err) || actjit_print(d, text, &err)) {
    j->errors++;
  } else {
    double x = 0.75;
    if (actjit_eval(d, NULL, &x, value, 1, &err)) j->errors++;
  }
  actjit_expr_free(e);
  actjit_expr_free(d);
}

static void *worker(void *arg) {
  job *j = arg;
  for (int r = 0; r < ROUNDS; r++) {
    size_t k = (size_t)(r + j->id) % NSRC;
    char *text = NULL;
    double v = 0;
    one(j, k, &text, &v);
    if (!j->text[k]) {
      j->text[k] = text;
      j->value[k] = v;
    } else {
      if (!text || strcmp(text, j->text[k]) != 0 ||
          !tu_same_double(v, j->value[k]))
        j->errors++;
      actjit_free(text);
    }
  }
  return NULL;
}

static void run_threads(actjit_ctx *shared) {
  /* Reference answers from a private context, single-threaded. */
  actjit_ctx *ref_ctx = tu_ctx();
  job ref = {ref_ctx, 0, {0}, {0}, 0};
  for (size_t k = 0; k < NSRC; k++) one(&ref, k, &ref.text[k], &ref.value[k]);
  assert_int_equal(ref.errors, 0);

  pthread_t th[NTHREADS];
  job jobs[NTHREADS];
  actjit_ctx *own[NTHREADS] = {0};
  for (int i = 0; i < NTHREADS; i++) {
    if (!shared) own[i] = tu_ctx();
    jobs[i] = (job){shared ? shared : own[i], i, {0}, {0}, 0};
    assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(jobs[i].errors, 0);
    for (size_t k = 0; k < NSRC; k++) {
      assert_non_null(jobs[i].text[k]);
      assert_string_equal(jobs[i].text[k], ref.text[k]);
      assert_true(tu_same_double(jobs[i].value[k], ref.value[k]));
      actjit_free(jobs[i].text[k]);
    }
    actjit_ctx_free(own[i]);
  }
  for (size_t k = 0; k < NSRC; k++) actjit_free(ref.text[k]);
  actjit_ctx_free(ref_ctx);
}

static void shared_context(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  run_threads(ctx);
  actjit_ctx_free(ctx);
}

static void separate_contexts(void **state) {
  (void)state;
  run_threads(NULL);
}

/* Many threads evaluating one expression at once. */
typedef struct evaljob {
  const actjit_expr *e;
  double sum;
  int errors;
} evaljob;

static void *eval_worker(void *arg) {
  evaljob *j = arg;
  double x[64], y[64];
  for (int i = 0; i < 64; i++) x[i] = -8 + i * 0.25;
  for (int r = 0; r < 500; r++) {
    actjit_error err;
    if (actjit_eval(j->e, NULL, x, y, 64, &err)) j->errors++;
  }
  for (int i = 0; i < 64; i++) j->sum += y[i];
  return NULL;
}

static void shared_expression(void **state) {
  (void)state;
  actjit_ctx *ctx = tu_ctx();
  actjit_expr *e = tu_parse(ctx, "mish");
  actjit_expr *d = tu_diff(e, "x");
  pthread_t th[NTHREADS];
  evaljob jobs[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    jobs[i] = (evaljob){d, 0, 0};
    assert_int_equal(pthread_create(&th[i], NULL, eval_worker, &jobs[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(jobs[i].errors, 0);
    assert_true(tu_same_double(jobs[i].sum, jobs[0].sum));
  }
  assert_true(isfinite(jobs[0].sum));
  actjit_expr_free(d);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shared_context),
      cmocka_unit_test(separate_contexts),
      cmocka_unit_test(shared_expression),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
