/*
** test_alloc.c: allocation-failure injection through the allocator hook
** (Lua's ltests style).  Each scenario runs with tu_alloc failing its
** Nth allocation, for N = 1, 2, 3, ... until a run sees no failure.  At
** every N: the call during which the allocation failed returns
** ACTJIT_ENOMEM (ctx_new: NULL with err.code ENOMEM), with *out NULL and
** a proper message; the same call then succeeds when retried (the
** context is still usable), the rest of the scenario gives bitwise the
** same values as a run without failures, and after everything is freed
** live_blocks == 0 and live_bytes == 0.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"

/* Checks inside a scenario record the problem and jump back to the loop,
** so that one run reports every bad N, not only the first. */
static jmp_buf g_jmp;
static char g_msg[1024];
static void soft_fail(const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);
static void soft_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_msg, sizeof g_msg, fmt, ap);
  va_end(ap);
  longjmp(g_jmp, 1);
}
#define fail_msg_hard(...)                                                     \
  do {                                                                         \
    print_error("ERROR: " __VA_ARGS__);                                        \
    print_error("\n");                                                         \
    fail();                                                                    \
  } while (0)
#undef fail_msg
#define fail_msg(...) soft_fail(__VA_ARGS__)

#include "fe_check.h"

#define NPTS 100

typedef struct run {
  tu_alloc a;
  size_t n; /* fail_at, for messages */
  actjit_config cfg;
  /* results, compared with the run without failures */
  double y[6][NPTS];
  char *text; /* a copy of the printed text (plain malloc) */
} run;

static double xs[NPTS];

/* After a call that began when a.failures was f0: if an allocation failed
** inside it, the call must have returned ENOMEM cleanly; returns 1 to say
** "call it again" (the retry cannot fail: fail_at is behind us). */
static int retry(run *r, const char *what, actjit_status s,
                 const actjit_error *err, size_t f0, int out_is_null) {
  if (r->a.failures == f0)
    return 0;
  if (s != ACTJIT_ENOMEM)
    fail_msg("fail_at=%zu: allocation failed inside %s, which returned %s "
             "(%s)",
             r->n, what, actjit_status_name(s),
             s == ACTJIT_OK ? "" : err->message);
  fe_check_shape(what, s, err, FE_ANY);
  if (!out_is_null)
    fail_msg("fail_at=%zu: %s failed with ENOMEM but left *out set", r->n,
             what);
  return 1;
}

#define SENT ((actjit_expr *)&xs) /* a sentinel *out, never freed */

static actjit_ctx *ctx_new(run *r) {
  actjit_error err;
  actjit_ctx *ctx;
  size_t f0;
  do {
    f0 = r->a.failures;
    memset(&err, 0x5a, sizeof err);
    ctx = actjit_ctx_new(&r->cfg, &err);
    if (!ctx && r->a.failures != f0 && r->a.live_blocks != 0)
      fail_msg("fail_at=%zu: failed ctx_new leaked %zu blocks", r->n,
               r->a.live_blocks);
  } while (retry(r, "ctx_new", ctx ? ACTJIT_OK : err.code, &err, f0, 1));
  if (!ctx)
    fail_msg("fail_at=%zu: ctx_new: %s", r->n, err.message);
  return ctx;
}

/* Parses; the result must have status `want` (OK or an error code). */
static actjit_expr *parse(run *r, actjit_ctx *ctx, const char *src,
                          actjit_status want) {
  actjit_error err;
  actjit_expr *e;
  actjit_status s;
  size_t f0;
  do {
    f0 = r->a.failures;
    e = SENT;
    memset(&err, 0x5a, sizeof err);
    s = actjit_parse(ctx, src, ACTJIT_NUL_TERMINATED, &e, &err);
  } while (retry(r, "parse", s, &err, f0, e == NULL));
  if (s != want)
    fail_msg("fail_at=%zu: parse \"%s\": %s (%s), want %s", r->n, src,
             actjit_status_name(s), s ? err.message : "",
             actjit_status_name(want));
  if (s != ACTJIT_OK) {
    if (e != NULL)
      fail_msg("parse failed with *out set");
    fe_check_shape(src, s, &err, strlen(src));
  }
  return e;
}

enum { OP_SIMPLIFY, OP_DIFF, OP_BIND };

static actjit_expr *op(run *r, int which, const actjit_expr *e,
                       const char *name, double v, actjit_status want) {
  static const char *names[] = {"simplify", "diff", "bind"};
  actjit_error err;
  actjit_expr *o;
  actjit_status s;
  size_t f0;
  do {
    f0 = r->a.failures;
    o = NULL;
    memset(&err, 0x5a, sizeof err);
    s = which == OP_SIMPLIFY ? actjit_simplify(e, &o, &err)
        : which == OP_DIFF   ? actjit_diff(e, name, &o, &err)
                             : actjit_bind(e, name, v, &o, &err);
  } while (retry(r, names[which], s, &err, f0, o == NULL));
  if (s != want)
    fail_msg("fail_at=%zu: %s %s: %s (%s), want %s", r->n, names[which],
             name ? name : "", actjit_status_name(s), s ? err.message : "",
             actjit_status_name(want));
  if (s != ACTJIT_OK) {
    if (o != NULL)
      fail_msg("%s failed with *out set", names[which]);
    fe_check_shape(names[which], s, &err, FE_ANY);
  }
  return o;
}

/* Prints e, keeps a plain copy in r->text, re-parses it (same root). */
static void print_check(run *r, actjit_ctx *ctx, const actjit_expr *e) {
  actjit_error err;
  char *t;
  actjit_status s;
  size_t f0;
  do {
    f0 = r->a.failures;
    t = NULL;
    memset(&err, 0x5a, sizeof err);
    s = actjit_print(e, &t, &err);
  } while (retry(r, "print", s, &err, f0, t == NULL));
  if (s != ACTJIT_OK)
    fail_msg("print: %s", err.message);
  r->text = strdup(t);
  actjit_expr *p = parse(r, ctx, t, ACTJIT_OK);
  if (!actjit_expr_same(p, e))
    fail_msg("fail_at=%zu: printed \"%s\" parses to another root", r->n, t);
  actjit_expr_free(p);
  actjit_free(t);
}

static void eval(run *r, const actjit_expr *e, const double *params, double *y,
                 actjit_status want) {
  actjit_error err;
  actjit_status s;
  size_t f0;
  do {
    f0 = r->a.failures;
    memset(&err, 0x5a, sizeof err);
    s = actjit_eval(e, params, xs, y, NPTS, &err);
  } while (retry(r, "eval", s, &err, f0, 1));
  if (s != want)
    fail_msg("fail_at=%zu: eval: %s (%s), want %s", r->n, actjit_status_name(s),
             s ? err.message : "", actjit_status_name(want));
  if (s != ACTJIT_OK)
    fe_check_shape("eval", s, &err, FE_ANY);
}

/* ---- Scenarios ---------------------------------------------------------- */

/* ctx_new; parse; simplify; diff wrt x; print; eval 100 points; free */
static void scenario_basic(run *r) {
  actjit_ctx *ctx = ctx_new(r);
  actjit_expr *e =
      parse(r, ctx, "x*tanh(softplus(x)) + elu(x, alpha=0.5)", ACTJIT_OK);
  actjit_expr *s = op(r, OP_SIMPLIFY, e, NULL, 0, ACTJIT_OK);
  actjit_expr *d = op(r, OP_DIFF, e, "x", 0, ACTJIT_OK);
  print_check(r, ctx, d);
  eval(r, e, NULL, r->y[0], ACTJIT_OK);
  eval(r, s, NULL, r->y[1], ACTJIT_OK);
  eval(r, d, NULL, r->y[2], ACTJIT_OK);
  actjit_expr_free(d);
  actjit_expr_free(s);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* helpers, bindings, parameters, bind, diff wrt a parameter, errors */
static void scenario_helpers(run *r) {
  actjit_ctx *ctx = ctx_new(r);
  actjit_expr *e = parse(r, ctx,
                         "k = 0.5\n"
                         "f(u, a=2) = u*sigmoid(a*u)\n"
                         "g(u) = f(u) + k*u\n"
                         "g(x) + s*x",
                         ACTJIT_OK);
  assert_int_equal(actjit_param_count(e), 1);
  actjit_expr *b = op(r, OP_BIND, e, "s", 3, ACTJIT_OK);
  actjit_expr *ds = op(r, OP_DIFF, e, "s", 0, ACTJIT_OK);
  actjit_expr *db = op(r, OP_DIFF, b, "x", 0, ACTJIT_OK);
  print_check(r, ctx, db);
  actjit_expr *el = parse(r, ctx, "elu", ACTJIT_OK);
  actjit_expr *elb = op(r, OP_BIND, el, "alpha", 0.25, ACTJIT_OK);
  /* errors, under allocation failure too */
  parse(r, ctx, "x + foo(x)", ACTJIT_EUNKNOWN);
  parse(r, ctx, "elu(x, beta=1)", ACTJIT_EKEYWORD);
  parse(r, ctx, "f(u) = f(u); f(x)", ACTJIT_ERECURSION);
  parse(r, ctx, "x*tanh(softplus(x)", ACTJIT_EUNBALANCED);
  parse(r, ctx, "a = 1; a = 2; x", ACTJIT_EREDEFINE);
  parse(r, ctx, "x + * 2", ACTJIT_ESYNTAX);
  op(r, OP_DIFF, e, "nope", 0, ACTJIT_EUNKNOWN);
  op(r, OP_BIND, e, "nope", 1, ACTJIT_EUNKNOWN);
  actjit_expr *q = parse(r, ctx, "x*q", ACTJIT_OK);
  double scratch[NPTS];
  eval(r, q, NULL, scratch, ACTJIT_EUNBOUND);
  double p = 1.5;
  eval(r, b, NULL, r->y[0], ACTJIT_OK);
  eval(r, ds, &p, r->y[1], ACTJIT_OK);
  eval(r, db, NULL, r->y[2], ACTJIT_OK);
  eval(r, elb, NULL, r->y[3], ACTJIT_OK);
  eval(r, e, &p, r->y[4], ACTJIT_OK);
  actjit_expr_free(q);
  actjit_expr_free(elb);
  actjit_expr_free(el);
  actjit_expr_free(db);
  actjit_expr_free(ds);
  actjit_expr_free(b);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* limit errors under allocation failure: clean up on every path */
static void scenario_limits(run *r) {
  actjit_ctx *ctx = ctx_new(r);
  char *chain = fe_repeat("1001", "+1001.5", 40, "");
  parse(r, ctx, chain, ACTJIT_ELIMIT_NODES);
  free(chain);
  char *deep = fe_repeat("", "(", 70, "x");
  parse(r, ctx, deep, ACTJIT_ELIMIT_DEPTH);
  free(deep);
  char *lit = fe_repeat("x+1", "0", 40, "");
  parse(r, ctx, lit, ACTJIT_ELIMIT_LITERAL);
  free(lit);
  parse(r, ctx, "1e999", ACTJIT_ENUMBER);
  parse(r, ctx, "x @", ACTJIT_ECHAR);
  actjit_expr *e = parse(r, ctx, "sin(x)*exp(x)*tanh(x)*cos(x)", ACTJIT_OK);
  op(r, OP_DIFF, e, "x", 0, ACTJIT_ELIMIT_NODES);
  eval(r, e, NULL, r->y[0], ACTJIT_OK);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

/* Defines under allocation failure; the result must have status want. */
static void define(run *r, actjit_ctx *ctx, const char *def,
                   actjit_status want) {
  actjit_error err;
  actjit_status s;
  size_t f0;
  do {
    f0 = r->a.failures;
    memset(&err, 0x5a, sizeof err);
    s = actjit_define(ctx, def, ACTJIT_NUL_TERMINATED, &err);
  } while (retry(r, "define", s, &err, f0, 1));
  if (s != want)
    fail_msg("fail_at=%zu: define \"%s\": %s (%s), want %s", r->n, def,
             actjit_status_name(s), s ? err.message : "",
             actjit_status_name(want));
  if (s != ACTJIT_OK) fe_check_shape(def, s, &err, strlen(def));
}

/* user definitions: the activations file at ctx_new, actjit_define, uses */
static void scenario_define(run *r) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/actjit-alloc-%d.act", (int)getpid());
  FILE *f = fopen(path, "w");
  if (!f) fail_msg("cannot write %s", path);
  fputs("# defs\nsq = x^2\nlin(x, k=3) = k*x\n", f);
  fclose(f);
  r->cfg.activations_file = path;
  actjit_ctx *ctx = ctx_new(r);
  unlink(path);
  define(r, ctx, "sw = x*sigmoid(b*x)", ACTJIT_OK);
  define(r, ctx, "el(x, a=0.5) = elu(x, alpha=a)", ACTJIT_OK);
  define(r, ctx, "sq = x^3", ACTJIT_OK);
  define(r, ctx, "relu = x", ACTJIT_EREDEFINE);
  define(r, ctx, "bad = x +* 2", ACTJIT_ESYNTAX);
  actjit_expr *e = parse(r, ctx, "sq(x) + lin(x) + el(x) + sw(x, b=2)", ACTJIT_OK);
  eval(r, e, NULL, r->y[0], ACTJIT_OK);
  actjit_expr_free(e);
  actjit_ctx_free(ctx);
}

typedef struct scenario {
  const char *name;
  void (*fn)(run *r);
  actjit_limits lim;
} scenario;

static const scenario scenarios[] = {
    {"basic: parse, simplify, diff, print, eval",
     scenario_basic,
     {0, 0, 0, 0, 0}},
    {"helpers, bindings, bind, errors", scenario_helpers, {0, 0, 0, 0, 0}},
    {"limit errors", scenario_limits, {0, 64, 30, 5, 32}},
    {"user definitions", scenario_define, {0, 0, 0, 0, 0}},
};

static void run_once(const scenario *sc, run *r, size_t fail_at) {
  memset(r, 0, sizeof *r);
  r->n = fail_at;
  r->a.fail_at = fail_at;
  actjit_config_init(&r->cfg);
  r->cfg.alloc = tu_alloc_fn;
  r->cfg.alloc_ud = &r->a;
  r->cfg.limits = sc->lim;
  for (int i = 0; i < 6; i++)
    for (int k = 0; k < NPTS; k++)
      r->y[i][k] = -12345.0;
  sc->fn(r);
  if (r->a.live_blocks != 0 || r->a.live_bytes != 0)
    fail_msg("fail_at=%zu: %zu blocks / %zu bytes still allocated after "
             "freeing everything",
             fail_at, r->a.live_blocks, r->a.live_bytes);
}

static void t_scenario(void **state) {
  const scenario *sc = *state;
  static run ref, r;
  if (setjmp(g_jmp)) {
    print_error("ERROR: reference run (no failures): %s\n", g_msg);
    fail();
  }
  run_once(sc, &ref, 0);
  size_t total = ref.a.count;
  assert_true(total > 0); /* the allocator hook is used at all */
  volatile size_t n = 1, bad = 0, first_bad = 0;
  for (;; n++) {
    if (setjmp(g_jmp)) { /* a check failed inside this run */
      if (bad++ < 30)
        print_error("ERROR: %s\n", g_msg);
      if (!first_bad)
        first_bad = n;
      if (n > total + 10)
        break;
      continue;
    }
    run_once(sc, &r, n);
    for (int i = 0; i < 6; i++)
      for (int k = 0; k < NPTS; k++)
        if (!tu_same_double(r.y[i][k], ref.y[i][k]))
          fail_msg("fail_at=%zu: result %d at x=%g is %.17g, %.17g without "
                   "failures",
                   n, i, xs[k], r.y[i][k], ref.y[i][k]);
    free(r.text);
    if (r.a.failures == 0)
      break;
    if (n > total + 10)
      fail_msg("fail_at=%zu: still failing after %zu allocations in the "
               "reference run",
               n, total);
  }
  free(ref.text);
  print_message("      %s: %zu allocations; %zu of them failed badly%s\n",
                sc->name, total, (size_t)bad,
                bad ? " (first listed above)" : "");
  if (bad)
    fail_msg_hard("%s: %zu bad failure points of %zu (first: fail_at=%zu)",
                  sc->name, (size_t)bad, total, (size_t)first_bad);
}

/* ENOMEM at ctx_new with a NULL err, and the system allocator (cfg NULL). */
static void t_misc(void **state) {
  (void)state;
  tu_alloc a;
  memset(&a, 0, sizeof a);
  a.fail_at = 1;
  actjit_config cfg;
  actjit_config_init(&cfg);
  cfg.alloc = tu_alloc_fn;
  cfg.alloc_ud = &a;
  assert_null(actjit_ctx_new(&cfg, NULL));
  assert_int_equal(a.failures, 1);
  assert_int_equal(a.live_blocks, 0);
  actjit_ctx *ctx = actjit_ctx_new(NULL, NULL);
  assert_non_null(ctx);
  actjit_ctx_free(ctx);
  /* every *_free(NULL) is a no-op */
  actjit_ctx_free(NULL);
  actjit_expr_free(NULL);
  actjit_free(NULL);
}

int main(void) {
  for (int i = 0; i < NPTS; i++)
    xs[i] = -6.0 + 12.0 * i / (NPTS - 1);
  xs[50] = 0.0;
  xs[51] = -0.0;
  fe_group g = {0};
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    fe_add(&g, scenarios[i].name, t_scenario, (void *)&scenarios[i]);
  fe_add(&g, "misc: ENOMEM with NULL err; free(NULL)", t_misc, NULL);
  return fe_run(&g, "alloc");
}
