/*
** simplify.c: IEEE-exact simplification.  A rule fires only when the result
** is bitwise the value the original would have had (NaN for NaN) for every
** input, so `x*0`, `x - x`, `x/x`, `x + 0` and `c ? a : a` never fire.
** Constant folding uses aj_op_eval, the interpreter's own arithmetic, and
** refuses to make NaN, ±0 or ±inf out of finite constants (the kernel may
** compute in float32, where such a fold would be wrong).
*/
#include <math.h>

#include "node.h"

/* Folds op over constant operands when allowed; NULL when not. */
static aj_node *fold(actjit_ctx *ctx, aj_op op, aj_node **a) {
  const aj_opinfo *info = &aj_ops[op];
  double v[3] = {0, 0, 0};
  int all_finite = 1;
  for (int i = 0; i < info->arity; i++) {
    if (a[i]->op != AJ_CONST) return NULL;
    v[i] = a[i]->u.num;
    all_finite &= isfinite(v[i]) != 0;
  }
  double r = aj_op_eval(op, v[0], v[1], v[2]);
  if (isnan(r)) return NULL;
  if (all_finite && (r == 0 || isinf(r))) return NULL; /* even 2 > 3 */
  return aj_const(ctx, r);
}

static int is_bool(const aj_node *n) {
  return (aj_ops[n->op].flags & AJ_BOOL) != 0;
}

/* 1/c when c is a power of two whose reciprocal is a normal number (then
** a/c == a*(1/c) exactly), else 0. */
static double exact_reciprocal(double c) {
  int e;
  double m = frexp(c, &e);
  if (!isnormal(c) || fabs(m) != 0.5) return 0;
  double r = 1.0 / c;
  return isnormal(r) ? r : 0;
}

aj_node *aj_simp_make(actjit_ctx *ctx, aj_op op, aj_node **in) {
  aj_node *a[3] = {in[0], aj_ops[op].arity > 1 ? in[1] : NULL,
                   aj_ops[op].arity > 2 ? in[2] : NULL};
  for (int i = 0; i < aj_ops[op].arity; i++)
    if (!a[i]) return NULL;
  aj_canon_order(op, a); /* the rules below see constants first (but last
                            for +) */
  aj_node *f = fold(ctx, op, a);
  if (f || ctx->make_fail) return f;
  aj_node *t[3];
#define MK1(o, x) (t[0] = (x), aj_simp_make(ctx, o, t))
#define MK2(o, x, y) (t[0] = (x), t[1] = (y), aj_simp_make(ctx, o, t))
  switch (op) {
  case AJ_NEG: /* --u = u */
    if (a[0]->op == AJ_NEG) return a[0]->arg[0];
    break;
  case AJ_ADD:
    /* u + -0 = u (but u + 0 is not: -0 + 0 = +0) */
    if (aj_is_num(a[1], -0.0)) return a[0];
    if (aj_is_num(a[0], -0.0)) return a[1];
    /* u + -v = u - v;  u + (-c) = u - c */
    if (a[1]->op == AJ_NEG) return MK2(AJ_SUB, a[0], a[1]->arg[0]);
    if (a[0]->op == AJ_NEG) return MK2(AJ_SUB, a[1], a[0]->arg[0]);
    if (a[1]->op == AJ_CONST && signbit(a[1]->u.num) && !isnan(a[1]->u.num))
      return MK2(AJ_SUB, a[0], aj_const(ctx, -a[1]->u.num));
    /* u + u = 2u */
    if (a[0] == a[1]) return MK2(AJ_MUL, aj_const(ctx, 2.0), a[0]);
    break;
  case AJ_SUB:
    /* u - 0 = u;  -0 - u = -u */
    if (aj_is_num(a[1], 0.0)) return a[0];
    if (aj_is_num(a[0], -0.0)) return MK1(AJ_NEG, a[1]);
    /* u - -v = u + v;  u - (-c) = u + c */
    if (a[1]->op == AJ_NEG) return MK2(AJ_ADD, a[0], a[1]->arg[0]);
    if (a[1]->op == AJ_CONST && signbit(a[1]->u.num) && !isnan(a[1]->u.num))
      return MK2(AJ_ADD, a[0], aj_const(ctx, -a[1]->u.num));
    break;
  case AJ_MUL:
    /* constants sort first: 1*u = u, -1*u = -u */
    if (aj_is_num(a[0], 1.0)) return a[1];
    if (aj_is_num(a[0], -1.0)) return MK1(AJ_NEG, a[1]);
    /* (-u)(-v) = uv;  (-u)c = u(-c);  (-u)v = -(uv) */
    if (a[0]->op == AJ_NEG && a[1]->op == AJ_NEG)
      return MK2(AJ_MUL, a[0]->arg[0], a[1]->arg[0]);
    for (int i = 0; i < 2; i++) {
      if (a[i]->op != AJ_NEG) continue;
      aj_node *other = a[1 - i];
      if (other->op == AJ_CONST && !isnan(other->u.num))
        return MK2(AJ_MUL, a[i]->arg[0], aj_const(ctx, -other->u.num));
      return MK1(AJ_NEG, MK2(AJ_MUL, a[i]->arg[0], other));
    }
    break;
  case AJ_DIV:
    if (aj_is_num(a[1], 1.0)) return a[0];
    if (aj_is_num(a[1], -1.0)) return MK1(AJ_NEG, a[0]);
    if (a[0]->op == AJ_NEG && a[1]->op == AJ_NEG)
      return MK2(AJ_DIV, a[0]->arg[0], a[1]->arg[0]);
    /* u/c = u*(1/c) when 1/c is exact */
    if (a[1]->op == AJ_CONST) {
      double r = exact_reciprocal(a[1]->u.num);
      if (r != 0) return MK2(AJ_MUL, aj_const(ctx, r), a[0]);
    }
    break;
  case AJ_POW:
    /* u^1 = u;  u^0 = 1 (C's pow: even for NaN u) */
    if (aj_is_num(a[1], 1.0)) return a[0];
    if (a[1]->op == AJ_CONST && a[1]->u.num == 0) return ctx->one;
    break;
  case AJ_NOT: /* !!c = c for a boolean c */
    if (a[0]->op == AJ_NOT && is_bool(a[0]->arg[0])) return a[0]->arg[0];
    break;
  case AJ_ABS: /* |-u| = |u|, ||u|| = |u| */
    if (a[0]->op == AJ_NEG) return MK1(AJ_ABS, a[0]->arg[0]);
    if (a[0]->op == AJ_ABS) return a[0];
    break;
  case AJ_MIN:
  case AJ_MAX:
    if (a[0] == a[1]) return a[0];
    break;
  case AJ_SELECT:
    /* a constant condition picks a branch (a NaN one stays: it is NaN) */
    if (a[0]->op == AJ_CONST && !isnan(a[0]->u.num))
      return a[0]->u.num != 0 ? a[1] : a[2];
    /* !c ? u : v = c ? v : u */
    if (a[0]->op == AJ_NOT) {
      t[0] = a[0]->arg[0];
      t[1] = a[2];
      t[2] = a[1];
      return aj_simp_make(ctx, AJ_SELECT, t);
    }
    /* for a boolean c: c ? 1 : 0 = c;  c ? 0 : 1 = !c */
    if (is_bool(a[0]) && aj_is_num(a[1], 1.0) && aj_is_num(a[2], 0.0))
      return a[0];
    if (is_bool(a[0]) && aj_is_num(a[1], 0.0) && aj_is_num(a[2], 1.0))
      return MK1(AJ_NOT, a[0]);
    break;
  default:
    break;
  }
#undef MK1
#undef MK2
  return aj_make_v(ctx, op, a);
}

/* Simplifies one entry over its simplified operands. */
static aj_node *simplify_step(void *ud, actjit_ctx *ctx, const aj_tape_ent *e,
                              aj_node *const *out) {
  (void)ud;
  aj_node *n = e->node;
  if (n->nargs == 0) return n;
  aj_node *args[3] = {NULL, NULL, NULL};
  for (int k = 0; k < n->nargs; k++) args[k] = out[e->arg[k]];
  return aj_simp_make(ctx, (aj_op)n->op, args);
}

aj_node *aj_simplify(actjit_ctx *ctx, aj_node *root) {
  return aj_tape_map(ctx, root, 0, simplify_step, NULL);
}
