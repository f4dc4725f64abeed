/*
** diff.c: symbolic differentiation, forward mode over a tape.  The rule for
** each operator is its DERIV template in ops.def (the maths, written in the
** language), parsed once per context into a DAG over ARG 0..6 = a b c da db
** dc self and instantiated here with the operands and their derivatives.
**
** An operand that does not depend on the variable has derivative DZERO,
** meaning "no term": DZERO annihilates products and vanishes from sums, so
** d(u^2) is 2u, not 2u + log(u)*u^2*0 (which is NaN for u < 0).  This is
** exact calculus, not IEEE arithmetic: the term does not exist.  DZERO never
** reaches a finished derivative; a select branch with no term becomes 0.
** Every node made here goes through the simplifier (aj_simp_make).
*/
#include "node.h"
#include "parse.h"

aj_node *aj_diff_make(actjit_ctx *ctx, aj_op op, aj_node **a) {
  aj_node *z = ctx->dzero;
  const int arity = aj_ops[op].arity;
  int nz = 0;
  for (int i = 0; i < arity; i++) {
    if (!a[i]) return NULL;
    nz += a[i] == z;
  }
  if (nz == 0) return aj_simp_make(ctx, op, a);
  aj_node *t[3];
  switch (op) {
  case AJ_NEG: /* -(no term) */
    return z;
  case AJ_ADD: /* t + (no term) = t */
    return a[0] == z ? a[1] : a[0];
  case AJ_SUB:
    if (a[1] == z) return a[0];
    if (a[0] == z && a[1] != z) {
      t[0] = a[1];
      return aj_simp_make(ctx, AJ_NEG, t);
    }
    return z;
  case AJ_MUL: /* (no term) * t */
    return z;
  case AJ_DIV:
    if (a[0] == z) return z;
    break;
  case AJ_SELECT: /* c ? (no term) : t = c ? 0 : t */
    if (a[0] == z) break;
    if (a[1] == z && a[2] == z) return z;
    t[0] = a[0];
    t[1] = a[1] == z ? ctx->zero : a[1];
    t[2] = a[2] == z ? ctx->zero : a[2];
    return aj_simp_make(ctx, AJ_SELECT, t);
  default:
    break;
  }
  /* A template used "no term" where only a linear position allows it. */
  ctx->make_fail = ACTJIT_EINTERNAL;
  return NULL;
}

/* ---- Kink profiles ------------------------------------------------------
** A profile overrides the derivative rule of the constructs that have kinks
** (catalog.md, "Kink-convention profiles"); torch's rules are ops.def's own.
** Overrides see one more operand than ops.def's templates: k, the boundary
** predicate of a select's condition (1 exactly where one of its comparisons
** holds with equality).  A profile template receives 0, not "no term", for
** an operand without a derivative. */

/* The min-norm element of the subgradient hull of p and q: 0 when they
** straddle it, else the smaller in magnitude. */
#define MN(p, q) "(" p "*" q " <= 0 ? 0 : abs(" p ") <= abs(" q ") ? " p " : " q ")"

static const struct {
  uint8_t profile, op;
  const char *deriv;
} profile_rules[] = {
    /* oneDNN's clip/bounded_relu: the interval (lo, hi] is inside */
    {ACTJIT_PROFILE_ONEDNN, AJ_CLAMP, "a <= b ? db : a > c ? dc : da"},
    {ACTJIT_PROFILE_MINNORM, AJ_CLAMP,
     "a < b ? db : a > c ? dc : a == b ? " MN("da", "db") " : a == c ? "
     MN("da", "dc") " : da"},
    {ACTJIT_PROFILE_MINNORM, AJ_SELECT, "k ? " MN("db", "dc") " : a ? db : dc"},
};
#undef MN

actjit_status aj_load_profile_templates(actjit_ctx *ctx, actjit_error *err) {
  for (size_t i = 0; i < sizeof profile_rules / sizeof *profile_rules; i++) {
    actjit_status s = aj_parse_template(
        ctx, "d(a, b, c, da, db, dc, self, k) = ", profile_rules[i].deriv,
        "a profile's derivative rule",
        &ctx->ptmpl[profile_rules[i].profile][profile_rules[i].op], err);
    if (s) return s;
  }
  return ACTJIT_OK;
}

/* Boundary predicates: a comparison u OP v is on its boundary where u == v;
** !c where c is; c && d and c || d where either is.  Anything else used as
** a condition has no boundary (0). */
static aj_node *boundary_step(void *ud, actjit_ctx *ctx, const aj_tape_ent *e,
                              aj_node *const *out) {
  (void)ud;
  aj_node *n = e->node, *t[2];
  switch (n->op) {
  case AJ_LT: case AJ_LE: case AJ_GT: case AJ_GE: case AJ_EQ: case AJ_NE:
    t[0] = n->arg[0];
    t[1] = n->arg[1];
    return aj_simp_make(ctx, AJ_EQ, t);
  case AJ_NOT:
    return out[e->arg[0]];
  case AJ_AND: case AJ_OR:
    t[0] = out[e->arg[0]];
    t[1] = out[e->arg[1]];
    return aj_simp_make(ctx, AJ_OR, t);
  default:
    return ctx->zero;
  }
}

typedef struct diff_state {
  aj_node *var;
  uint8_t dep; /* AJ_N_X or AJ_N_PARAM: what depends on var */
  int profile;
} diff_state;

/* The derivative of one entry from its operands' derivatives (DZERO when
** it has no term): the op's template with a b c, da db dc and self. */
static aj_node *diff_step(void *ud, actjit_ctx *ctx, const aj_tape_ent *e,
                          aj_node *const *d) {
  const diff_state *st = ud;
  aj_node *n = e->node;
  if (n == st->var) return ctx->one;
  if (!(n->flags & st->dep) || n->nargs == 0 || !aj_ops[n->op].deriv)
    return ctx->dzero;
  aj_node *bind[7] = {NULL, NULL, NULL, ctx->dzero, ctx->dzero, ctx->dzero, n};
  int any = 0;
  for (int k = 0; k < n->nargs; k++) {
    bind[k] = n->arg[k];
    bind[3 + k] = d[e->arg[k]];
    any |= bind[3 + k] != ctx->dzero;
  }
  if (!any) return ctx->dzero;
  aj_node *over = ctx->ptmpl[st->profile][n->op];
  if (!over)
    return aj_subst_args(ctx, ctx->tmpl[n->op], bind, 7, AJ_BUILD_DIFF);
  aj_node *b8[8];
  for (int k = 0; k < 7; k++) b8[k] = bind[k] == ctx->dzero ? ctx->zero : bind[k];
  b8[7] = n->op == AJ_SELECT ? aj_tape_map(ctx, n->arg[0], 0, boundary_step, NULL)
                             : ctx->zero;
  if (!b8[7]) return NULL;
  return aj_subst_args(ctx, over, b8, 8, AJ_BUILD_SIMPLIFY);
}

aj_node *aj_derivative(actjit_ctx *ctx, aj_node *root, aj_node *var,
                       int profile) {
  if (profile < 0 || profile > 2) profile = ACTJIT_PROFILE_TORCH;
  diff_state st = {var, var->op == AJ_X ? AJ_N_X : AJ_N_PARAM, profile};
  aj_node *result = aj_tape_map(ctx, root, 0, diff_step, &st);
  return result == ctx->dzero ? ctx->zero : result;
}
