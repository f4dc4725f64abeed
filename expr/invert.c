/*
** invert.c: backward from the output.  For f invertible where its slope is
** not constant, g(y) = f'(f^-1(y)) lets a host keep y instead of x.
**
** f is taken apart at its selects into pieces P_i, each guarded by
** comparisons of x with constants.  On each piece:
**   - if P_i' does not depend on x (relu's 0 and x, hardtanh's bounds), g is
**     that constant;
**   - else x = P_i^-1(y) is found by peeling P_i from the top: every node
**     on the way must have exactly one operand that depends on x, and an
**     inverse (u + c = y -> u = y - c, e^u = y -> u = log y,
**     log1pexp(u) = y -> u = log(expm1 y), sigmoid(u) = y -> u = log(y/(1 - y)),
**     ...), and g = P_i'(P_i^-1(y)).
** The guards move to y: with f nondecreasing (checked on a grid), x > k is
** y > f(k); with f nonincreasing the comparison turns around.  Ties at a
** kink go the way the comparison of y says, as torch's do for x.
*/
#include <math.h>
#include <stdlib.h>

#include "expr.h"

#define MAX_PIECE_DEPTH 32

typedef struct inv_state {
  actjit_ctx *ctx;
  const actjit_expr *f; /* for f(k) at the guards */
  int decreasing;
  actjit_status status;
  const char *why;
} inv_state;

static aj_node *mk(actjit_ctx *ctx, aj_op op, aj_node *a, aj_node *b) {
  aj_node *t[3] = {a, b, NULL};
  return aj_simp_make(ctx, op, t);
}

static int has_x(const aj_node *n) { return (n->flags & AJ_N_X) != 0; }

/* x = P^-1(y) for a piece P, as an expression in y (the node x), or NULL. */
static aj_node *inverse(inv_state *st, aj_node *p) {
  actjit_ctx *ctx = st->ctx;
  aj_node *y = ctx->x, *inv = y;
  while (p != ctx->x) {
    aj_node *u = NULL, *c = NULL;
    int which = -1;
    for (int k = 0; k < p->nargs; k++)
      if (has_x(p->arg[k])) {
        if (u) return NULL; /* x on both sides: no closed form */
        u = p->arg[k];
        which = k;
      }
    if (!u) return NULL;
    if (p->nargs == 2) c = p->arg[1 - which];
    switch (p->op) {
    case AJ_NEG: inv = mk(ctx, AJ_NEG, inv, NULL); break;
    case AJ_ADD: inv = mk(ctx, AJ_SUB, inv, c); break;
    case AJ_SUB:
      inv = which == 0 ? mk(ctx, AJ_ADD, inv, c) : mk(ctx, AJ_SUB, c, inv);
      break;
    case AJ_MUL: inv = mk(ctx, AJ_DIV, inv, c); break;
    case AJ_DIV:
      inv = which == 0 ? mk(ctx, AJ_MUL, inv, c) : mk(ctx, AJ_DIV, c, inv);
      break;
    case AJ_EXP: inv = mk(ctx, AJ_LOG, inv, NULL); break;
    case AJ_EXPM1: inv = mk(ctx, AJ_LOG1P, inv, NULL); break;
    case AJ_LOG: inv = mk(ctx, AJ_EXP, inv, NULL); break;
    case AJ_LOG1P: inv = mk(ctx, AJ_EXPM1, inv, NULL); break;
    case AJ_SINH: inv = mk(ctx, AJ_ASINH, inv, NULL); break;
    case AJ_ASINH: inv = mk(ctx, AJ_SINH, inv, NULL); break;
    case AJ_TANH: inv = mk(ctx, AJ_ATANH, inv, NULL); break;
    case AJ_ATANH: inv = mk(ctx, AJ_TANH, inv, NULL); break;
    case AJ_ATAN: inv = mk(ctx, AJ_TAN, inv, NULL); break;
    case AJ_CBRT: inv = mk(ctx, AJ_POW, inv, aj_const(ctx, 3)); break;
    case AJ_LOG1PEXP: /* y = log(1 + e^u): u = log(e^y - 1) */
      inv = mk(ctx, AJ_LOG, mk(ctx, AJ_EXPM1, inv, NULL), NULL);
      break;
    case AJ_SIGMOID: /* y = 1/(1 + e^-u): u = log(y) - log(1 - y) */
      inv = mk(ctx, AJ_SUB, mk(ctx, AJ_LOG, inv, NULL),
               mk(ctx, AJ_LOG1P, mk(ctx, AJ_NEG, inv, NULL), NULL));
      break;
    default:
      return NULL;
    }
    if (!inv) return NULL;
    p = u;
  }
  return inv;
}

/* The guard c (a comparison of x with a constant) as a comparison of y. */
static aj_node *guard_in_y(inv_state *st, aj_node *c) {
  static const aj_op flip[AJ_OP_COUNT] = {
      [AJ_LT] = AJ_GT, [AJ_LE] = AJ_GE, [AJ_GT] = AJ_LT, [AJ_GE] = AJ_LE,
      [AJ_EQ] = AJ_EQ, [AJ_NE] = AJ_NE};
  if (c->nargs != 2 || !flip[c->op]) return NULL;
  aj_node *a = c->arg[0], *b = c->arg[1];
  aj_op op = (aj_op)c->op;
  if (b == st->ctx->x && !has_x(a)) { /* k OP x  ->  x OP' k */
    aj_node *t = a;
    a = b;
    b = t;
    op = flip[op];
  }
  if (a != st->ctx->x || b->op != AJ_CONST) return NULL;
  double k = b->u.num, fk;
  if (actjit_eval(st->f, NULL, &k, &fk, 1, NULL) != ACTJIT_OK || isnan(fk))
    return NULL;
  if (st->decreasing) op = flip[op];
  return mk(st->ctx, op, st->ctx->x, aj_const(st->ctx, fk));
}

/* g on the select tree rooted at p. */
static aj_node *g_of(inv_state *st, aj_node *p, int depth) {
  actjit_ctx *ctx = st->ctx;
  if (depth > MAX_PIECE_DEPTH) return NULL;
  if (p->op == AJ_SELECT && has_x(p->arg[0])) {
    aj_node *c = guard_in_y(st, p->arg[0]);
    if (!c) {
      st->why = "a select's condition is not a comparison of x with a "
                "constant";
      return NULL;
    }
    aj_node *a = g_of(st, p->arg[1], depth + 1);
    aj_node *b = a ? g_of(st, p->arg[2], depth + 1) : NULL;
    if (!b) return NULL;
    aj_node *t[3] = {c, a, b};
    return aj_simp_make(ctx, AJ_SELECT, t);
  }
  aj_node *dp = aj_derivative(ctx, p, ctx->x, ACTJIT_PROFILE_TORCH);
  if (!dp) return NULL;
  if (!has_x(dp)) return dp; /* a constant slope: nothing to invert */
  aj_node *inv = inverse(st, p);
  if (!inv) {
    if (!ctx->make_fail && !st->why)
      st->why = "a piece of f has no inverse the library knows";
    return NULL;
  }
  return aj_subst_x(ctx, dp, inv);
}

aj_node *aj_backward_from_y(actjit_ctx *ctx, const actjit_expr *f,
                            const char **why) {
  /* f must be monotone: sample it. */
  enum { N = 801 };
  double xs[N], ys[N];
  for (int i = 0; i < N; i++) {
    int k = i - N / 2; /* ascending: -1e20 .. -1e-20, 0, 1e-20 .. 1e20 */
    xs[i] = k == 0 ? 0 : (k < 0 ? -1 : 1) * pow(10, -20 + 40.0 * (abs(k) - 1) / (N / 2 - 1));
  }
  *why = NULL;
  if (actjit_eval(f, NULL, xs, ys, N, NULL) != ACTJIT_OK) {
    *why = "f has parameters without a value";
    return NULL;
  }
  int up = 1, down = 1;
  for (int i = 1; i < N; i++) {
    if (isnan(ys[i]) || isnan(ys[i - 1])) continue;
    up &= ys[i] >= ys[i - 1];
    down &= ys[i] <= ys[i - 1];
  }
  if (!up && !down) {
    *why = "f is not monotone, so y does not determine x";
    return NULL;
  }
  inv_state st = {ctx, f, !up, ACTJIT_OK, NULL};
  aj_node *g = g_of(&st, f->root, 0);
  if (!g && !*why) *why = st.why;
  return g;
}
