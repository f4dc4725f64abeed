/*
** activation.c: the public activation API.  Compiling is: parse, bind the
** given parameters and fold the defaults of the rest (runtime ones stay),
** simplify, differentiate with respect to x and each runtime parameter,
** schedule f and the derivatives as tapes (f' and df/dp share one tape, so
** the backward computes what they share once), and hand them to the JIT.
** The front-end work runs under the context lock; LLVM runs outside it.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accuracy.h"
#include "expr.h"
#include "jit.h"
#include "parse.h"

struct actjit_activation {
  actjit_ctx *ctx;
  aj_jit *jit;
  actjit_expr *f;          /* simplified, runtime parameters left */
  actjit_expr *df;         /* f' */
  actjit_expr **dp;        /* df/dp_k */
  actjit_expr *gy;         /* y mode: g(y) = f'(f^-1(y)), in x; else NULL */
  actjit_expr *f_plain;    /* f as written: simplified, never stabilized
                              (ACTJIT_PART_C) */
  actjit_profile profile;  /* kinks of f_plain's derivative */
  uint32_t nrparams;
  aj_node **rparam;        /* runtime parameter k's node */
  float *def32;            /* defaults of the runtime parameters */
  double *def64;
  int has_defaults;        /* every runtime parameter has a default */
  aj_tape fwd, bwd;
  uint32_t *bwd_roots;     /* 1 + nrparams */
  unsigned width32;
  unsigned threads;        /* chunks per large call (1: no splitting) */
  int fix_inf[2];          /* kernels need the limits at +-inf (fwd, bwd) */
  double compile_ms;
  /* k[AJ_F32] is made by actjit_compile; k[AJ_F64] on first use (most hosts
  ** never call it, and it halves compile time).  ready[] is read without
  ** the lock (acquire) and set under it (release). */
  aj_kernels k[2];
  int ready[2];
  aj_tier tier;            /* how LLVM makes them (ACTJIT_COMPILE_*) */
  pthread_mutex_t lazy;
};

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define MIN_SPLIT 65536u   /* smallest call that is split over threads */

/* Frees everything a owns except the kernels. */
static void free_parts(actjit_activation *a) {
  actjit_ctx *ctx = a->ctx;
  actjit_expr_free(a->f);
  actjit_expr_free(a->df);
  actjit_expr_free(a->gy);
  actjit_expr_free(a->f_plain);
  for (uint32_t i = 0; a->dp && i < a->nrparams; i++) actjit_expr_free(a->dp[i]);
  aj_free(ctx, a->dp, (a->nrparams ? a->nrparams : 1) * sizeof *a->dp);
  aj_free(ctx, a->rparam, (a->nrparams ? a->nrparams : 1) * sizeof *a->rparam);
  aj_free(ctx, a->def32, (a->nrparams ? a->nrparams : 1) * sizeof *a->def32);
  aj_free(ctx, a->def64, (a->nrparams ? a->nrparams : 1) * sizeof *a->def64);
  aj_free(ctx, a->bwd_roots, (a->nrparams + 1) * sizeof *a->bwd_roots);
  aj_tape_free(ctx, &a->fwd);
  aj_tape_free(ctx, &a->bwd);
}

void actjit_activation_free(actjit_activation *a) {
  if (!a) return;
  for (int dt = 0; dt < 2; dt++)
    if (a->jit && a->ready[dt]) aj_jit_release(a->jit, a->ctx, &a->k[dt]);
  pthread_mutex_destroy(&a->lazy);
  free_parts(a);
  aj_free(a->ctx, a, sizeof *a);
}

/* Replaces *e by the result of binding name to value. */
static actjit_status rebind(actjit_expr **e, const char *name, double value,
                            actjit_error *err) {
  actjit_expr *b = NULL;
  actjit_status s = actjit_bind(*e, name, value, &b, err);
  if (s == ACTJIT_OK) {
    actjit_expr_free(*e);
    *e = b;
  }
  return s;
}

static int is_runtime(const actjit_options *opt, const char *name) {
  for (size_t i = 0; i < opt->nruntime; i++)
    if (opt->runtime[i] && strcmp(opt->runtime[i], name) == 0) return 1;
  return 0;
}

/* Binds opt's bindings, then every parameter that is not runtime to its
** default.  What is left are the runtime parameters. */
static actjit_status bind_all(actjit_expr **e, const actjit_options *opt,
                              actjit_error *err) {
  for (size_t i = 0; i < opt->nbind; i++) {
    if (!opt->bind[i].name)
      return aj_error(err, ACTJIT_EINVAL, 0, 0, "binding %zu has no name", i);
    actjit_status s = rebind(e, opt->bind[i].name, opt->bind[i].value, err);
    if (s) return s;
  }
  for (size_t i = 0; i < opt->nruntime; i++)
    if (!opt->runtime[i] || actjit_param_index(*e, opt->runtime[i]) < 0)
      return aj_error(err, ACTJIT_EUNKNOWN, 0, 0,
                      "runtime parameter '%.64s' is not a parameter",
                      opt->runtime[i] ? opt->runtime[i] : "(null)");
  for (size_t k = 0; k < actjit_param_count(*e);) {
    const aj_param *p = &(*e)->params[k];
    const char *name = p->node->u.name.z;
    if (is_runtime(opt, name)) {
      k++;
      continue;
    }
    if (!p->has_def)
      return aj_error(err, ACTJIT_EUNBOUND, p->off, p->len,
                      "parameter '%.64s' has no value: bind it or make it "
                      "a runtime parameter", name);
    actjit_status s = rebind(e, name, p->def, err);
    if (s) return s;
  }
  return ACTJIT_OK;
}

/* Replaces *e by its stabilized form. */
static actjit_status restabilize(actjit_expr **e, unsigned phases,
                                 actjit_error *err) {
  actjit_expr *st = NULL;
  actjit_status s = aj_expr_stabilize(*e, phases, &st, err);
  if (s == ACTJIT_OK) {
    st->rewrites |= (*e)->rewrites;
    actjit_expr_free(*e);
    *e = st;
  }
  return s;
}

/* Where e's kernel needs the limits at +-inf (codegen.c, limit_input and
** fix_infinities): bit 0 at -inf, bit 1 at +inf, set where the reference
** interpreter meets an indeterminate form there (both where it could, for
** some value of a runtime parameter).  0 where x enters sin, cos or tan:
** those have no limit, and NaN is right. */
static int needs_inf_fix(const actjit_expr *e, int has_runtime) {
  for (uint32_t i = 0; i < e->tape.n; i++) {
    const aj_node *n = e->tape.ent[i].node;
    if ((n->op == AJ_SIN || n->op == AJ_COS || n->op == AJ_TAN) &&
        (n->flags & AJ_N_X))
      return 0;
  }
  if (has_runtime) return 3;
  double x[2] = {-INFINITY, INFINITY}, y[2];
  if (actjit_eval(e, NULL, x, y, 2, NULL) != ACTJIT_OK) return 3;
  return isnan(y[0]) | isnan(y[1]) << 1;
}

/* Backward from the output: a->gy = f'(f^-1(y)), from the canonical f. */
static actjit_status derive_from_y(actjit_activation *a, unsigned phases,
                                   actjit_error *err) {
  actjit_ctx *ctx = a->ctx;
  if (a->nrparams)
    return aj_error(err, ACTJIT_EINVAL, 0, 0,
                    "backward from y needs every parameter bound (no "
                    "runtime parameters)");
  const char *why = NULL;
  uint32_t cp = aj_op_begin(ctx, ctx->lim.max_diff_nodes);
  aj_node *g = aj_backward_from_y(ctx, a->f, &why);
  if (g && phases) g = aj_stabilize(ctx, g, phases | AJ_PHASE_INV);
  if (g) a->gy = aj_expr_new(ctx, g, NULL, 0);
  actjit_status fail = ctx->make_fail;
  aj_op_end(ctx, cp, a->gy == NULL);
  if (a->gy) return ACTJIT_OK;
  if (why)
    return aj_error(err, ACTJIT_ENOINVERSE, 0, 0, "no backward from y: %s",
                    why);
  if (fail == ACTJIT_ELIMIT_NODES)
    return aj_error(err, fail, 0, 0, "backward from y: the result would "
                    "exceed max_diff_nodes");
  return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
}

/* Refuses y mode (EACCURACY) when the float32 chain a y-mode host runs
** (y = f(x) by the forward kernel, then g(y)) strays from f' past the
** bound. */
static actjit_status check_from_y(const actjit_activation *a, double bound,
                                  actjit_error *err) {
  actjit_accuracy_part part;
  actjit_status s = aj_acc_measure_kernel(a, ACTJIT_ACC_BACKWARD_Y, AJ_F32,
                                          a->df, 20000, 0x9e3779b97f4a7c15ull,
                                          &part);
  if (s == ACTJIT_ENOMEM) return aj_error(err, s, 0, 0, "out of memory");
  if (s)
    return aj_error(err, s, 0, 0, "backward from y: the kernels failed: %s",
                    actjit_status_str(s));
  if (!(part.max_ulp <= bound))
    return aj_error(err, ACTJIT_EACCURACY, 0, 0,
                    "backward from y is too inaccurate: %.3g ULP at x = %.9g "
                    "(g(y) = %.9g, f'(x) = %.9g); the bound is %g ULP",
                    part.max_ulp, part.worst_x[0], part.worst_got[0],
                    part.worst_want[0], bound);
  return ACTJIT_OK;
}

/* Derivatives and tapes: the front end's share of compiling. */
static actjit_status prepare(actjit_activation *a, const actjit_options *opt,
                             actjit_error *err) {
  actjit_ctx *ctx = a->ctx;
  uint32_t nr = (uint32_t)opt->nruntime;
  a->nrparams = nr;
  a->dp = aj_alloc(ctx, (nr ? nr : 1) * sizeof *a->dp);
  a->rparam = aj_alloc(ctx, (nr ? nr : 1) * sizeof *a->rparam);
  a->def32 = aj_alloc(ctx, (nr ? nr : 1) * sizeof *a->def32);
  a->def64 = aj_alloc(ctx, (nr ? nr : 1) * sizeof *a->def64);
  a->bwd_roots = aj_alloc(ctx, (nr + 1) * sizeof *a->bwd_roots);
  if (!a->dp || !a->rparam || !a->def32 || !a->def64 || !a->bwd_roots)
    return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  memset(a->dp, 0, (nr ? nr : 1) * sizeof *a->dp);
  unsigned phases = (opt->flags & ACTJIT_NO_STABILIZE) ? 0 : AJ_PHASE_ALL;
  actjit_status s = aj_expr_diff(a->f, "x", opt->profile, phases, &a->df, err);
  a->has_defaults = 1;
  for (uint32_t k = 0; k < nr && s == ACTJIT_OK; k++) {
    long i = actjit_param_index(a->f, opt->runtime[k]);
    a->rparam[k] = a->f->params[i].node;
    a->has_defaults &= a->f->params[i].has_def;
    a->def64[k] = a->f->params[i].has_def ? a->f->params[i].def : NAN;
    a->def32[k] = (float)a->def64[k];
    s = aj_expr_diff(a->f, opt->runtime[k], opt->profile, phases, &a->dp[k],
                     err);
  }
  if (s == ACTJIT_OK && (opt->flags & ACTJIT_BACKWARD_FROM_Y))
    s = derive_from_y(a, phases, err);
  /* f itself gets its evaluation forms only now: the derivatives above are
  ** of the canonical form (an EVAL form's quotient would cancel). */
  if (s == ACTJIT_OK && phases) s = restabilize(&a->f, AJ_PHASE_ALL, err);
  if (s) return s;
  /* f' and every df/dp_k on one tape: what they share is computed once. */
  aj_node *stack_roots[16];
  aj_node **roots = nr + 1 <= 16 ? stack_roots
                                  : aj_alloc(ctx, (nr + 1) * sizeof *roots);
  if (!roots) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  roots[0] = a->gy ? a->gy->root : a->df->root;
  for (uint32_t k = 0; k < nr; k++) roots[1 + k] = a->dp[k]->root;
  pthread_mutex_lock(&ctx->lock);
  int rc = aj_tape_build(ctx, &a->f->root, 1, 0, &a->fwd);
  if (!rc)
    rc = aj_tape_build_roots(ctx, roots, nr + 1, 0, &a->bwd, a->bwd_roots);
  pthread_mutex_unlock(&ctx->lock);
  if (roots != stack_roots) aj_free(ctx, roots, (nr + 1) * sizeof *roots);
  if (rc) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  a->fix_inf[0] = needs_inf_fix(a->f, nr > 0);
  a->fix_inf[1] = needs_inf_fix(a->gy ? a->gy : a->df, nr > 0);
  for (uint32_t k = 0; k < nr; k++) a->fix_inf[1] |= needs_inf_fix(a->dp[k], 1);
  return ACTJIT_OK;
}

/* Makes the context's worker pool if it has none yet. */
static actjit_status ensure_pool(actjit_ctx *ctx, unsigned threads,
                                 actjit_error *err) {
  actjit_status s = ACTJIT_OK;
  pthread_mutex_lock(&ctx->lock);
  if (!ctx->pool) {
    ctx->pool = aj_pool_new(ctx, threads - 1);
    if (ctx->pool) ctx->pool_threads = threads - 1;
    else s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "cannot start worker threads");
  }
  pthread_mutex_unlock(&ctx->lock);
  return s;
}

void aj_activation_spec(const actjit_activation *a, aj_dtype dt,
                        aj_kernel_spec *spec) {
  spec->dtype = dt;
  spec->fwd = &a->fwd;
  spec->bwd = &a->bwd;
  spec->bwd_roots = a->bwd_roots;
  spec->rparam = a->rparam;
  spec->nrparams = a->nrparams;
  spec->width32 = a->width32;
  spec->fix_inf[0] = a->fix_inf[0];
  spec->fix_inf[1] = a->fix_inf[1];
}

actjit_status aj_activation_front(actjit_ctx *ctx, const char *src,
                                  const actjit_options *opt,
                                  actjit_activation **out, actjit_error *err) {
  *out = NULL;
  unsigned w = opt->vector_width;
  if (w != 0 && w != 1 && w != 4 && w != 8 && w != 16)
    return aj_error(err, ACTJIT_EINVAL, 0, 0,
                    "vector_width must be 0, 1, 4, 8 or 16");
  if (opt->nruntime > 64)
    return aj_error(err, ACTJIT_EINVAL, 0, 0,
                    "at most 64 runtime parameters");
  if (opt->threads > 64)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "at most 64 threads");
  if ((opt->flags & ACTJIT_COMPILE_WAIT) && (opt->flags & ACTJIT_COMPILE_QUICK))
    return aj_error(err, ACTJIT_EINVAL, 0, 0,
                    "ACTJIT_COMPILE_WAIT and ACTJIT_COMPILE_QUICK exclude "
                    "each other");
  if ((unsigned)opt->profile > ACTJIT_PROFILE_MINNORM)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "unknown kink profile %d",
                    (int)opt->profile);
  actjit_activation *a = aj_alloc(ctx, sizeof *a);
  if (!a) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  memset(a, 0, sizeof *a);
  pthread_mutex_init(&a->lazy, NULL);
  a->ctx = ctx;
  a->width32 = w;
  a->threads = opt->threads > 1 ? opt->threads : 1;
  a->profile = opt->profile;
  a->tier = (opt->flags & ACTJIT_COMPILE_WAIT)    ? AJ_TIER_FULL
            : (opt->flags & ACTJIT_COMPILE_QUICK) ? AJ_TIER_QUICK
                                                  : AJ_TIER_TIERED;
  actjit_expr *e = NULL;
  actjit_status s = aj_parse_user(ctx, src, strlen(src), opt->profile, &e, err);
  if (s == ACTJIT_OK) s = bind_all(&e, opt, err);
  if (s == ACTJIT_OK) s = actjit_simplify(e, &a->f_plain, err);
  if (s == ACTJIT_OK)
    s = (opt->flags & ACTJIT_NO_STABILIZE)
            ? actjit_simplify(e, &a->f, err)
            : aj_expr_stabilize(e, AJ_PHASE_CANON, &a->f, err);
  actjit_expr_free(e);
  if (s == ACTJIT_OK) s = prepare(a, opt, err);
  if (s != ACTJIT_OK) {
    actjit_activation_free(a); /* nothing is loaded */
    return s;
  }
  *out = a;
  return ACTJIT_OK;
}

actjit_status actjit_compile(actjit_ctx *ctx, const char *src,
                             const actjit_options *opt,
                             actjit_activation **out, actjit_error *err) {
  if (out) *out = NULL;
  if (!ctx || !src || !out)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_compile: NULL argument");
  static const actjit_options none;
  if (!opt) opt = &none;
  double start = seconds();
  actjit_activation *a = NULL;
  actjit_status s = aj_activation_front(ctx, src, opt, &a, err);
  if (s != ACTJIT_OK) return s;
  s = aj_jit_get(ctx, &a->jit, err);
  if (s == ACTJIT_OK && a->threads > 1) s = ensure_pool(ctx, a->threads, err);
  aj_kernel_spec spec;
  aj_activation_spec(a, AJ_F32, &spec);
  if (s == ACTJIT_OK)
    s = aj_jit_compile(a->jit, ctx, &spec, a->tier, &a->k[AJ_F32], err);
  if (s != ACTJIT_OK) {
    actjit_activation_free(a); /* nothing is loaded */
    return s;
  }
  a->ready[AJ_F32] = 1;
  if (a->gy) {
    s = check_from_y(a, opt->y_max_ulp > 0 ? opt->y_max_ulp : 8, err);
    if (s != ACTJIT_OK) {
      actjit_activation_free(a);
      return s;
    }
  }
  a->compile_ms = (seconds() - start) * 1e3;
  *out = a;
  return ACTJIT_OK;
}

void actjit_activation_info(const actjit_activation *a, actjit_info *info) {
  memset(info, 0, sizeof *info);
  info->compile_ms = a->compile_ms;
  info->origin = a->k[AJ_F32].from_cache == 2   ? ACTJIT_ORIGIN_SHARED
                 : a->k[AJ_F32].from_cache == 1 ? ACTJIT_ORIGIN_DISK
                                                : ACTJIT_ORIGIN_LLVM;
  info->vector_width = a->width32 ? a->width32 : aj_target_host()->width32;
  info->threads = a->threads;
  info->optimized = aj_jit_final(&a->k[AJ_F32]);
  info->f_nodes = actjit_node_count(a->f);
  info->df_nodes = actjit_node_count(a->df);
}

const actjit_expr *aj_activation_expr(const actjit_activation *a, int which) {
  if (which == 0) return a->f;
  if (which == 1) return a->gy ? NULL : a->df;
  if (which == 3) return a->df;
  return a->gy;
}

size_t actjit_runtime_count(const actjit_activation *a) {
  return a ? a->nrparams : 0;
}

const char *actjit_runtime_name(const actjit_activation *a, size_t k) {
  if (!a || k >= a->nrparams) return NULL;
  return a->rparam[k]->u.name.z;
}

/* ---- Calls ------------------------------------------------------------- */

/* Makes the kernels of dtype dt if they are not made yet (thread-safe). */
static actjit_status ensure(const actjit_activation *ca, aj_dtype dt) {
  if (__atomic_load_n(&ca->ready[dt], __ATOMIC_ACQUIRE)) return ACTJIT_OK;
  actjit_activation *a = (actjit_activation *)ca; /* lazy state only */
  actjit_status s = ACTJIT_OK;
  pthread_mutex_lock(&a->lazy);
  if (!a->ready[dt]) {
    aj_kernel_spec spec;
    aj_activation_spec(a, dt, &spec);
    s = aj_jit_compile(a->jit, a->ctx, &spec, a->tier, &a->k[dt], NULL);
    if (s == ACTJIT_OK) __atomic_store_n(&a->ready[dt], 1, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&a->lazy);
  return s;
}

/* The checks every entry point makes before calling a kernel. */
static actjit_status check(const actjit_activation *a, aj_dtype dt,
                           const void *in, const void *out, size_t n,
                           const void *params) {
  if (!a || (n && (!in || !out))) return ACTJIT_EINVAL;
  if (a->nrparams && !params) return ACTJIT_EUNBOUND;
  return n ? ensure(a, dt) : ACTJIT_OK;
}

/* One call, split into chunks over the pool when it is large. */
typedef struct job {
  const actjit_activation *a;
  aj_dtype dt;
  int backward;
  const char *x, *dy;
  char *out;
  size_t n, chunk;
  const void *params;
  char *partials; /* backward: per-chunk parameter gradients, zeroed */
} job;

static void run_chunk(void *arg, unsigned c) {
  const job *j = arg;
  size_t size = j->dt == AJ_F32 ? sizeof(float) : sizeof(double);
  size_t lo = c * j->chunk;
  size_t hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
  if (lo >= hi) return;
  size_t off = lo * size;
  if (j->backward)
    aj_jit_bwd(&j->a->k[j->dt])(j->x + off, j->dy + off, j->out + off,
                                hi - lo, j->params,
                                j->partials +
                                    (size_t)c * j->a->nrparams * size);
  else
    aj_jit_fwd(&j->a->k[j->dt])(j->x + off, j->out + off, hi - lo, j->params);
}

/* Runs the kernel over n elements; dparams (backward) receives the sum. */
static void call(const actjit_activation *a, aj_dtype dt, int backward,
                 const void *x, const void *dy, void *out, size_t n,
                 const void *params, void *dparams) {
  unsigned chunks = a->threads;
  if (chunks < 2 || n < MIN_SPLIT) {
    if (backward) aj_jit_bwd(&a->k[dt])(x, dy, out, n, params, dparams);
    else aj_jit_fwd(&a->k[dt])(x, out, n, params);
    return;
  }
  size_t size = dt == AJ_F32 ? sizeof(float) : sizeof(double);
  /* chunk boundaries on 64-element lines */
  size_t chunk = ((n + chunks - 1) / chunks + 63) & ~(size_t)63;
  char stack[64 * 8 * 8];
  size_t psize = (size_t)chunks * a->nrparams * size;
  char *partials = NULL;
  if (backward && a->nrparams) {
    partials = psize <= sizeof stack ? stack : aj_alloc(a->ctx, psize);
    if (!partials) { /* no memory for partials: one thread, still correct */
      aj_jit_bwd(&a->k[dt])(x, dy, out, n, params, dparams);
      return;
    }
    memset(partials, 0, psize);
  }
  job j = {a, dt, backward, x, dy, out, n, chunk, params, partials};
  aj_pool_run(a->ctx->pool, chunks, run_chunk, &j);
  if (partials) { /* dparams[k] += chunk 0's + chunk 1's + ..., in order */
    for (uint32_t k = 0; k < a->nrparams; k++) {
      if (dt == AJ_F32) { /* in double, as the kernels do */
        float *d = dparams;
        double sum = d[k];
        for (unsigned c = 0; c < chunks; c++)
          sum += ((float *)partials)[(size_t)c * a->nrparams + k];
        d[k] = (float)sum;
      } else {
        double *d = dparams, sum = 0;
        for (unsigned c = 0; c < chunks; c++)
          sum += ((double *)partials)[(size_t)c * a->nrparams + k];
        d[k] += sum;
      }
    }
    if (partials != stack) aj_free(a->ctx, partials, psize);
  }
}

/* The checked forward call, for either dtype. */
static actjit_status forward(const actjit_activation *a, aj_dtype dt,
                             const void *params, const void *x, void *y,
                             size_t n) {
  actjit_status s = check(a, dt, x, y, n, params);
  if (s == ACTJIT_OK && n) call(a, dt, 0, x, NULL, y, n, params, NULL);
  return s;
}

/* The checked backward call, for either dtype.  dparams may be NULL.  In y
** mode the kernel's input is y (from_y must say so), else x. */
static actjit_status backward_any(const actjit_activation *a, aj_dtype dt,
                                  int from_y, const void *params,
                                  const void *x, const void *dy, void *dx,
                                  size_t n, void *dparams) {
  if ((n && !dy) || !a || (a->gy != NULL) != from_y) return ACTJIT_EINVAL;
  actjit_status s = check(a, dt, x, dx, n, params);
  if (s != ACTJIT_OK || !n) return s;
  double scratch[64]; /* gradients not wanted: room for 64 of either type */
  if (!dparams && a->nrparams) dparams = scratch;
  call(a, dt, 1, x, dy, dx, n, params, dparams);
  return ACTJIT_OK;
}

static actjit_status backward(const actjit_activation *a, aj_dtype dt,
                              const void *params, const void *x,
                              const void *dy, void *dx, size_t n,
                              void *dparams) {
  return backward_any(a, dt, 0, params, x, dy, dx, n, dparams);
}

actjit_status actjit_backward_y_f32(const actjit_activation *a, const float *y,
                                    const float *dy, float *dx, size_t n) {
  return backward_any(a, AJ_F32, 1, NULL, y, dy, dx, n, NULL);
}

actjit_status actjit_backward_y_f64(const actjit_activation *a,
                                    const double *y, const double *dy,
                                    double *dx, size_t n) {
  return backward_any(a, AJ_F64, 1, NULL, y, dy, dx, n, NULL);
}

actjit_status actjit_forward_f32_p(const actjit_activation *a,
                                   const float *params, const float *x,
                                   float *y, size_t n) {
  return forward(a, AJ_F32, params, x, y, n);
}

actjit_status actjit_forward_f64_p(const actjit_activation *a,
                                   const double *params, const double *x,
                                   double *y, size_t n) {
  return forward(a, AJ_F64, params, x, y, n);
}

actjit_status actjit_backward_f32_p(const actjit_activation *a,
                                    const float *params, const float *x,
                                    const float *dy, float *dx, size_t n,
                                    float *dparams) {
  return backward(a, AJ_F32, params, x, dy, dx, n, dparams);
}

actjit_status actjit_backward_f64_p(const actjit_activation *a,
                                    const double *params, const double *x,
                                    const double *dy, double *dx, size_t n,
                                    double *dparams) {
  return backward(a, AJ_F64, params, x, dy, dx, n, dparams);
}

/* The default runtime parameters, or NULL (then EUNBOUND) if one has none. */
static const float *defaults32(const actjit_activation *a) {
  return a && a->has_defaults ? a->def32 : NULL;
}
static const double *defaults64(const actjit_activation *a) {
  return a && a->has_defaults ? a->def64 : NULL;
}

actjit_status actjit_forward_f32(const actjit_activation *a, const float *x,
                                 float *y, size_t n) {
  return actjit_forward_f32_p(a, defaults32(a), x, y, n);
}

actjit_status actjit_forward_f64(const actjit_activation *a, const double *x,
                                 double *y, size_t n) {
  return actjit_forward_f64_p(a, defaults64(a), x, y, n);
}

actjit_status actjit_backward_f32(const actjit_activation *a, const float *x,
                                  const float *dy, float *dx, size_t n) {
  return actjit_backward_f32_p(a, defaults32(a), x, dy, dx, n, NULL);
}

actjit_status actjit_backward_f64(const actjit_activation *a, const double *x,
                                  const double *dy, double *dx, size_t n) {
  return actjit_backward_f64_p(a, defaults64(a), x, dy, dx, n, NULL);
}

actjit_status actjit_activation_wait(const actjit_activation *a) {
  if (!a) return ACTJIT_EINVAL;
  for (int dt = AJ_F32; dt <= AJ_F64; dt++)
    if (__atomic_load_n(&a->ready[dt], __ATOMIC_ACQUIRE))
      aj_jit_wait(a->jit, &a->k[dt]);
  return ACTJIT_OK;
}

/* a's kernels of dtype dt, made if needed and optimized (waiting for the
** background compile); NULL if they cannot be made. */
static const aj_kernels *final_kernels(const actjit_activation *a,
                                       aj_dtype dt) {
  if (!a || ensure(a, dt) != ACTJIT_OK) return NULL;
  aj_jit_wait(a->jit, &a->k[dt]);
  return &a->k[dt];
}

actjit_fwd_f32_fn actjit_kernel_fwd_f32(const actjit_activation *a) {
  const aj_kernels *k = final_kernels(a, AJ_F32);
  return k ? (actjit_fwd_f32_fn)aj_jit_fwd(k) : NULL;
}
actjit_bwd_f32_fn actjit_kernel_bwd_f32(const actjit_activation *a) {
  const aj_kernels *k = final_kernels(a, AJ_F32);
  return k ? (actjit_bwd_f32_fn)aj_jit_bwd(k) : NULL;
}
actjit_fwd_f64_fn actjit_kernel_fwd_f64(const actjit_activation *a) {
  const aj_kernels *k = final_kernels(a, AJ_F64);
  return k ? (actjit_fwd_f64_fn)aj_jit_fwd(k) : NULL;
}
actjit_bwd_f64_fn actjit_kernel_bwd_f64(const actjit_activation *a) {
  const aj_kernels *k = final_kernels(a, AJ_F64);
  return k ? (actjit_bwd_f64_fn)aj_jit_bwd(k) : NULL;
}

/* ---- Introspection ----------------------------------------------------- */

/* "label[k] = e[k]" lines, k < n (n <= 66). */
static actjit_status lines_text(const actjit_activation *a,
                                char (*label)[72], actjit_expr *const *e,
                                uint32_t n, char **text, actjit_error *err) {
  size_t total = 1;
  char *parts[66];
  actjit_status s = ACTJIT_OK;
  uint32_t made = 0;
  for (; made < n && s == ACTJIT_OK; made++) {
    s = actjit_print(e[made], &parts[made], err);
    if (s != ACTJIT_OK) break;
    total += strlen(parts[made]) + strlen(label[made]) + 4;
  }
  if (s == ACTJIT_OK && !(*text = aj_text_alloc(a->ctx, total)))
    s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  if (s == ACTJIT_OK) {
    char *p = *text;
    *p = 0;
    for (uint32_t i = 0; i < made; i++)
      p += snprintf(p, total - (size_t)(p - *text), "%s = %s\n", label[i],
                    parts[i]);
  }
  for (uint32_t i = 0; i < made; i++) actjit_free(parts[i]);
  return s;
}

/* "df/dNAME" for runtime parameter k. */
static void dparam_label(const actjit_activation *a, uint32_t k,
                         char label[72]) {
  snprintf(label, 72, "df/d%.64s", actjit_runtime_name(a, k));
}

static actjit_status dparam_text(const actjit_activation *a, char **text,
                                 actjit_error *err) {
  char label[64][72];
  for (uint32_t k = 0; k < a->nrparams; k++) dparam_label(a, k, label[k]);
  return lines_text(a, label, a->dp, a->nrparams, text, err);
}

/* f as written (simplified, not stabilized), f' and each df/dp of it
** under the activation's profile: "f = ...", "f' = ...", "df/dp = ...". */
static actjit_status written_text(const actjit_activation *a, char **text,
                                  actjit_error *err) {
  actjit_expr *e[66] = {a->f_plain};
  char label[66][72] = {"f", "f'"};
  uint32_t n = 1;
  actjit_status s = ACTJIT_OK;
  for (uint32_t k = 0; k <= a->nrparams && s == ACTJIT_OK; k++, n++) {
    const char *wrt = k ? actjit_runtime_name(a, k - 1) : "x";
    s = aj_expr_diff(a->f_plain, wrt, a->profile, 0, &e[n], err);
    if (k) dparam_label(a, k - 1, label[n]);
  }
  if (s == ACTJIT_OK) s = lines_text(a, label, e, n, text, err);
  for (uint32_t i = 1; i < n; i++) actjit_expr_free(e[i]);
  return s;
}

/* "name: pattern -> result" per stabilizer rule that fired making f, f',
** the df/dp or g(y). */
static actjit_status rewrites_text(const actjit_activation *a, char **text,
                                   actjit_error *err) {
  uint64_t fired = a->f->rewrites | a->df->rewrites;
  for (uint32_t k = 0; k < a->nrparams; k++) fired |= a->dp[k]->rewrites;
  if (a->gy) fired |= a->gy->rewrites;
  size_t total = 1;
  const char *name, *pattern, *result;
  unsigned phase;
  for (int pass = 0; pass < 2; pass++) {
    char *p = pass ? *text : NULL;
    for (uint32_t i = 0; i < aj_rule_count(a->ctx); i++) {
      if (!(fired >> i & 1)) continue;
      aj_rule_text(a->ctx, i, &name, &pattern, &result, &phase);
      size_t n = strlen(name) + strlen(pattern) + strlen(result) + 7;
      if (pass) p += snprintf(p, n + 1, "%s: %s -> %s\n", name, pattern, result);
      else total += n;
    }
    if (!pass && !(*text = aj_text_alloc(a->ctx, total)))
      return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    if (!pass) **text = 0;
  }
  return ACTJIT_OK;
}

/* f as written and its derivative (the activation's kinks, no stabilizing
** rewrites) as a C99 translation unit with libm. */
static actjit_status c_text(const actjit_activation *a, char **text,
                            actjit_error *err) {
  actjit_expr *d = NULL;
  actjit_status s = aj_expr_diff(a->f_plain, "x", a->profile, 0, &d, err);
  if (s == ACTJIT_OK)
    s = aj_print_c(a->f_plain, d, a->rparam, a->nrparams, text, err);
  actjit_expr_free(d);
  return s;
}

actjit_status actjit_describe(const actjit_activation *a, actjit_part part,
                              char **text, actjit_error *err) {
  if (text) *text = NULL;
  if (!a || !text)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_describe: NULL argument");
  aj_kernel_spec spec;
  switch (part) {
  case ACTJIT_PART_F: return actjit_print(a->f, text, err);
  case ACTJIT_PART_DF: return actjit_print(a->df, text, err);
  case ACTJIT_PART_DPARAM: return dparam_text(a, text, err);
  case ACTJIT_PART_REWRITES: return rewrites_text(a, text, err);
  case ACTJIT_PART_C: return c_text(a, text, err);
  case ACTJIT_PART_WRITTEN: return written_text(a, text, err);
  case ACTJIT_PART_DY:
    if (!a->gy)
      return aj_error(err, ACTJIT_EINVAL, 0, 0,
                      "not compiled with ACTJIT_BACKWARD_FROM_Y");
    return actjit_print(a->gy, text, err);
  case ACTJIT_PART_IR:
  case ACTJIT_PART_ASM:
    aj_activation_spec(a, AJ_F32, &spec);
    return aj_jit_text(a->ctx, &spec, part == ACTJIT_PART_ASM, text, err);
  case ACTJIT_PART_IR_F64:
  case ACTJIT_PART_ASM_F64:
    aj_activation_spec(a, AJ_F64, &spec);
    return aj_jit_text(a->ctx, &spec, part == ACTJIT_PART_ASM_F64, text, err);
  }
  return aj_error(err, ACTJIT_EINVAL, 0, 0, "unknown part %d", (int)part);
}
