/*
** pool.c: a small fork-join worker pool, one per context, made on the first
** call that asks for more than one thread.  A job is `ntasks` calls of
** fn(arg, task); the caller runs tasks too and returns when all are done.
** Workers adopt the caller's floating-point environment (rounding, MXCSR's
** flush-to-zero) for the job, so an element's result never depends on
** which thread computed it.  If the pool is busy with another caller's job,
** the tasks run on the calling thread: same results, no waiting.
*/
#include <fenv.h>
#include <pthread.h>
#include <string.h>

#include "jit.h"

struct aj_pool {
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  pthread_mutex_t busy; /* held by the caller owning the current job */
  pthread_t *threads;
  unsigned nthreads;
  /* the current job */
  void (*fn)(void *, unsigned);
  void *arg;
  unsigned ntasks, next_task, finished;
  unsigned generation;
  fenv_t env;
  int stop;
};

/* Takes tasks until none are left.  Called with mu held; returns with it. */
static void work(aj_pool *p) {
  while (p->next_task < p->ntasks) {
    unsigned task = p->next_task++;
    pthread_mutex_unlock(&p->mu);
    p->fn(p->arg, task);
    pthread_mutex_lock(&p->mu);
    if (++p->finished == p->ntasks) pthread_cond_broadcast(&p->done);
  }
}

static void *worker(void *arg) {
  aj_pool *p = arg;
  fenv_t own;
  unsigned seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->stop && (p->generation == seen || p->next_task >= p->ntasks))
      pthread_cond_wait(&p->wake, &p->mu);
    if (p->stop) break;
    seen = p->generation;
    fegetenv(&own);
    fesetenv(&p->env);
    work(p);
    fesetenv(&own);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

aj_pool *aj_pool_new(actjit_ctx *ctx, unsigned nthreads) {
  aj_pool *p = aj_alloc(ctx, sizeof *p);
  if (!p) return NULL;
  memset(p, 0, sizeof *p);
  p->threads = aj_alloc(ctx, nthreads * sizeof *p->threads);
  if (!p->threads) {
    aj_free(ctx, p, sizeof *p);
    return NULL;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_mutex_init(&p->busy, NULL);
  pthread_cond_init(&p->wake, NULL);
  pthread_cond_init(&p->done, NULL);
  for (unsigned i = 0; i < nthreads; i++) {
    if (pthread_create(&p->threads[i], NULL, worker, p) != 0) break;
    p->nthreads++;
  }
  return p;
}

void aj_pool_free(aj_pool *p, actjit_ctx *ctx, unsigned cap) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->stop = 1;
  pthread_cond_broadcast(&p->wake);
  pthread_mutex_unlock(&p->mu);
  for (unsigned i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  pthread_mutex_destroy(&p->mu);
  pthread_mutex_destroy(&p->busy);
  pthread_cond_destroy(&p->wake);
  pthread_cond_destroy(&p->done);
  aj_free(ctx, p->threads, cap * sizeof *p->threads);
  aj_free(ctx, p, sizeof *p);
}

void aj_pool_run(aj_pool *p, unsigned ntasks, void (*fn)(void *, unsigned),
                 void *arg) {
  if (!p || p->nthreads == 0 || ntasks < 2 || pthread_mutex_trylock(&p->busy)) {
    for (unsigned t = 0; t < ntasks; t++) fn(arg, t);
    return;
  }
  pthread_mutex_lock(&p->mu);
  p->fn = fn;
  p->arg = arg;
  p->ntasks = ntasks;
  p->next_task = 0;
  p->finished = 0;
  p->generation++;
  fegetenv(&p->env);
  pthread_cond_broadcast(&p->wake);
  work(p);
  while (p->finished < p->ntasks) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
  pthread_mutex_unlock(&p->busy);
}
