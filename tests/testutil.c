/* testutil.c: see testutil.h. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Atomic counters: the library allocates from its own threads too (the
** compile helper, the tiered compile's background thread). */
#define TU_ADD(field, v) __atomic_add_fetch(&(field), (v), __ATOMIC_RELAXED)

void *tu_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize) {
  tu_alloc *a = ud;
  if (nsize == 0) {
    if (ptr) {
      TU_ADD(a->live_bytes, -osize);
      TU_ADD(a->live_blocks, (size_t)-1);
      free(ptr);
    }
    return NULL;
  }
  if (ptr == NULL || nsize > osize) {
    size_t n = TU_ADD(a->count, 1);
    if (a->fail_at && n == a->fail_at) {
      TU_ADD(a->failures, 1);
      return NULL;
    }
  }
  void *p = realloc(ptr, nsize);
  if (!p) return NULL;
  if (ptr == NULL) {
    TU_ADD(a->live_blocks, 1);
    TU_ADD(a->live_bytes, nsize);
  } else {
    TU_ADD(a->live_bytes, nsize - osize);
  }
  return p;
}

actjit_ctx *tu_ctx(void) {
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(NULL, &err);
  if (!ctx) fail_msg("actjit_ctx_new: %s", err.message);
  return ctx;
}

actjit_ctx *tu_ctx_counting(tu_alloc *al) {
  actjit_config cfg;
  actjit_config_init(&cfg);
  if (al) {
    cfg.alloc = tu_alloc_fn;
    cfg.alloc_ud = al;
  }
  cfg.cache_dir = "";
  actjit_error err;
  actjit_ctx *ctx = actjit_ctx_new(&cfg, &err);
  if (!ctx) fail_msg("actjit_ctx_new: %s", err.message);
  return ctx;
}

actjit_expr *tu_parse(actjit_ctx *ctx, const char *src) {
  actjit_error err;
  actjit_expr *e = NULL;
  actjit_status s = actjit_parse(ctx, src, ACTJIT_NUL_TERMINATED, &e, &err);
  if (s != ACTJIT_OK)
    fail_msg("parse \"%s\": %s at %zu+%zu: %s", src, actjit_status_name(s),
             err.offset, err.length, err.message);
  return e;
}

actjit_status tu_parse_status(actjit_ctx *ctx, const char *src, size_t len,
                              actjit_error *err) {
  actjit_expr *e = NULL;
  memset(err, 0, sizeof *err);
  actjit_status s = actjit_parse(ctx, src, len, &e, err);
  if (s == ACTJIT_OK) {
    actjit_expr_free(e);
  } else {
    assert_null(e);
    assert_int_equal(err->code, s);
  }
  return s;
}

double tu_eval1(const actjit_expr *e, double x) {
  actjit_error err;
  double y = 0;
  actjit_status s = actjit_eval(e, NULL, &x, &y, 1, &err);
  if (s != ACTJIT_OK) fail_msg("eval: %s", err.message);
  return y;
}

actjit_expr *tu_diff(const actjit_expr *e, const char *wrt) {
  actjit_error err;
  actjit_expr *d = NULL;
  actjit_status s = actjit_diff(e, wrt, &d, &err);
  if (s != ACTJIT_OK) fail_msg("diff wrt %s: %s", wrt, err.message);
  return d;
}

char *tu_print(const actjit_expr *e) {
  actjit_error err;
  char *t = NULL;
  if (actjit_print(e, &t, &err) != ACTJIT_OK) fail_msg("print: %s", err.message);
  return t;
}

int tu_same_double(double a, double b) {
  if (isnan(a) && isnan(b)) return 1;
  uint64_t ua, ub;
  memcpy(&ua, &a, 8);
  memcpy(&ub, &b, 8);
  return ua == ub;
}

int tu_close(double a, double b, double rtol, double atol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (isinf(a) || isinf(b)) return a == b;
  double m = fmax(fabs(a), fabs(b));
  return fabs(a - b) <= rtol * m + atol;
}

/* ---- Maths helpers ------------------------------------------------------ */

double tu_evalp(const actjit_expr *e, const double *params, double x) {
  actjit_error err;
  double y = 0;
  actjit_status s = actjit_eval(e, params, &x, &y, 1, &err);
  if (s != ACTJIT_OK)
    fail_msg("eval at %.17g: %s: %s", x, actjit_status_name(s), err.message);
  return y;
}

double tu_fd4(const actjit_expr *e, const double *params, long param,
              double x, double h) {
  static const double k[4] = {-2, -1, 1, 2};
  double f[4];
  if (param < 0) {
    for (int i = 0; i < 4; i++) f[i] = tu_evalp(e, params, x + k[i] * h);
  } else {
    size_t n = actjit_param_count(e);
    double p[64];
    if (!params || (size_t)param >= n || n > 64)
      fail_msg("tu_fd4: bad parameter %ld", param);
    for (int i = 0; i < 4; i++) {
      memcpy(p, params, n * sizeof *p);
      p[param] += k[i] * h;
      f[i] = tu_evalp(e, p, x);
    }
  }
  return (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
}

uint64_t tu_rand(uint64_t *seed) {
  uint64_t z = (*seed += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

unsigned tu_rand_below(uint64_t *seed, unsigned n) {
  return (unsigned)(tu_rand(seed) % n);
}

double tu_rand_range(uint64_t *seed, double lo, double hi) {
  return lo + (hi - lo) * ((double)(tu_rand(seed) >> 11) * 0x1p-53);
}

/* Productions are templates: '@', '#' and '$' stand for operands A, B, C;
** a letter used twice is the same text twice (u - u, c ? u : u). */
static const char *const smooth_leaves[] = {
  "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x",
  "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "0.5", "1.5", "2", "3",
  "0.25", "0.75", "(-1.25)", "(-0.5)"};
static const char *const smooth_rules[] = {
  "(@ + #)", "(@ - #)", "(@ * #)", "(@ + #)", "(@ - #)", "(@ * #)",
  "(@ / (1 + (#)^2))", "(@ / (2 + sin(#)))", "(-@)", "(@ * @)",
  "(@ / (1 + (@)^2))", "exp(tanh(@))", "exp(sin(@))", "exp((-((@)^2)))",
  "sin(@)", "cos(@)", "tanh(@)", "sigmoid(@)", "log1p((@)^2)",
  "sqrt(1 + (@)^2)", "atan(@)", "erf(@)", "erfc(@)", "asinh(@)", "((@)^2)",
  "((@)^3)", "((1 + (@)^2)^0.5)", "((1 + (@)^2)^(-1.5))",
  "((2 + tanh(@))^(tanh(#)))", "(2^(tanh(@)))", "((1.5 + sin(@))^(cos(#)))",
  "pow(1 + (@)^2, 0.75)", "hypot(@, 1.5)", "log(2 + cos(@))",
  "exp2(sin(@))", "cosh(tanh(@))", "sinh(tanh(@))", "atan2(@, 2 + (#)^2)",
  "log((1 + (@)^2))", "log2(3 + tanh(@))", "log10(1 + (@)^2)",
  "cbrt(2 + (@)^2)", "expm1(tanh(@))", "tan(0.5*tanh(@))",
  "asin(0.5*tanh(@))", "acos(0.5*sin(@))", "acosh(2 + (@)^2)",
  "atanh(0.5*tanh(@))", "softplus(@)", "mish(@)", "silu(@)", "gelu(@)",
  "gelu_tanh(@)", "swish(@)", "quick_gelu(@)", "squareplus(@)",
  "logsigmoid(@)", "tanhshrink(@)", "log1pexp(@)", "(@ * sigmoid(#))",
  "sigmoid(@ * #)", "(@ / 2)", "(3 * @)"};
static const char *const leaves[] = {
  "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x",
  "p", "p", "p", "q", "q", "0", "(-0)", "1", "(-1)", "2", "0.5", "3", "inf",
  "(-inf)", "nan", "1e308", "1e-300", "pi", "e", "5e-324", "0.1", "(-2.5)",
  "0x1.8p1", "1e-7", "709.5", "0", "1", "2"};
static const char *const rules[] = {
  /* prefix */
  "(-@)", "(!@)", "(+@)", "(-@)",
  /* infix */
  "(@ + #)", "(@ - #)", "(@ * #)", "(@ / #)", "(@ ^ #)", "(@ + #)",
  "(@ - #)", "(@ * #)", "(@ / #)", "(@ < #)", "(@ <= #)", "(@ > #)",
  "(@ >= #)", "(@ == #)", "(@ != #)", "(@ && #)", "(@ || #)",
  /* selects, clamp */
  "(@ ? # : $)", "where(@, #, $)", "clamp(@, #, $)", "(@ ? # : $)",
  /* functions of one argument */
  "exp(@)", "exp2(@)", "expm1(@)", "log(@)", "log2(@)", "log10(@)",
  "log1p(@)", "sqrt(@)", "cbrt(@)", "abs(@)", "sign(@)", "sin(@)", "cos(@)",
  "tan(@)", "asin(@)", "acos(@)", "atan(@)", "sinh(@)", "cosh(@)",
  "tanh(@)", "asinh(@)", "acosh(@)", "atanh(@)", "erf(@)", "erfc(@)",
  "floor(@)", "ceil(@)", "round(@)", "trunc(@)", "sigmoid(@)",
  "softplus(@)", "abs(@)", "sign(@)", "floor(@)", "round(@)", "log1pexp(@)",
  /* functions of two */
  "min(@, #)", "max(@, #)", "atan2(@, #)", "pow(@, #)", "hypot(@, #)",
  "min(@, #)", "max(@, #)",
  /* prelude calls */
  "relu(@)", "hardtanh(@)", "leaky_relu(@, #)", "elu(@, alpha=#)",
  "mish(@)", "threshold(@, #, $)", "softshrink(@, lambd=#)",
  "hardswish(@)", "selu(@)", "celu(@, alpha=#)", "relu6(@)",
  "hardsigmoid(@)", "hardshrink(@, #)", "softplus(@, beta=#)",
  /* what simplifiers like (valid or not under IEEE) */
  "(@ * 1)", "(1 * @)", "(@ / 1)", "(-(-@))", "(@ ^ 1)", "(@ + 0)",
  "(0 + @)", "(@ - 0)", "(0 - @)", "(@ * 0)", "(0 * @)", "(@ - @)",
  "(@ / @)", "(@ + @)", "(@ * @)", "(@ * (-1))", "(@ * 2)", "(@ ^ 2)",
  "(@ ^ 0)", "(@ ^ 0.5)", "(@ ^ (-1))", "(@ ? # : #)", "(!(!@))",
  "(@ == @)", "(@ != @)", "(@ < @)", "(@ <= @)", "min(@, @)", "max(@, @)",
  "abs(abs(@))", "abs((-@))", "(@ - (-#))", "(@ + (-#))", "(-(@ - #))",
  "((@ + #) - #)", "(@ && 1)", "(@ || 0)", "(1 && @)", "((@ * #) * $)",
  "(@ * (# * $))", "(@ / (# / $))", "sqrt((@)^2)", "exp(log(@))",
  "log(exp(@))", "(2 * 3)", "(1 - 1)", "(0 * 5)", "(1e308 * 10)",
  "(0 / 0)", "(1 / 3)", "(-(2))", "(@ ? 1 : 0)", "(@ ? 0 : 1)",
  "where(@, #, #)", "clamp(@, #, #)", "((@ ? # : $) * 1)", "(@ - # + #)",
  "(@ * 0.5 * 2)", "(@ / 2 * 2)", "(-0 + @)", "(@ + (-0))", "(@ - (-0))",
  "(0 - (-@))", "(@ * @ - @ * @)", "(+(-@))", "sign(sign(@))",
  "floor(floor(@))", "((@ ^ #) ^ $)", "(exp(@) * exp(#))", "(inf - inf)",
  "(@ > # ? @ : #)", "(@ < 0 ? -@ : @)", "(nan * 0)", "(@ * inf)"};

typedef struct tu_sb {
  char *p;
  size_t n, cap;
} tu_sb;

static void sb_put(tu_sb *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) fail_msg("tu_random_expr: out of memory");
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

static void gen_expr(tu_sb *out, uint64_t *seed, int depth, int smooth,
                     int root) {
  const char *const *lv = smooth ? smooth_leaves : leaves;
  size_t nlv = smooth ? sizeof smooth_leaves / sizeof *smooth_leaves
                      : sizeof leaves / sizeof *leaves;
  const char *const *rl = smooth ? smooth_rules : rules;
  size_t nrl = smooth ? sizeof smooth_rules / sizeof *smooth_rules
                      : sizeof rules / sizeof *rules;
  if (depth <= 0 || (!root && tu_rand_below(seed, 100) < 22)) {
    const char *s = lv[tu_rand_below(seed, (unsigned)nlv)];
    sb_put(out, s, strlen(s));
    return;
  }
  const char *t = rl[tu_rand_below(seed, (unsigned)nrl)];
  tu_sb arg[3] = {{0}};
  int made[3] = {0, 0, 0};
  for (const char *c = t; *c; c++) {
    int k = *c == '@' ? 0 : *c == '#' ? 1 : *c == '$' ? 2 : -1;
    if (k < 0) {
      sb_put(out, c, 1);
      continue;
    }
    if (!made[k]) {
      gen_expr(&arg[k], seed, depth - 1, smooth, 0);
      made[k] = 1;
    }
    sb_put(out, arg[k].p, arg[k].n);
  }
  for (int k = 0; k < 3; k++) free(arg[k].p);
}

char *tu_random_expr(uint64_t *seed, int depth, int smooth_only) {
  tu_sb b = {0};
  gen_expr(&b, seed, depth, smooth_only, 1);
  return b.p;
}

actjit_ctx *tu_ctx_nocache(void) { return tu_ctx_counting(NULL); }
