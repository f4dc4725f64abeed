/*
** codegen.c: tapes → LLVM IR.  Emits explicit <W x T> vector code, one body
** per kernel: an unmasked main path and a masked tail share the same
** computation (loads and stores branch around it), so the IR, and the
** backend's work, stay small.  No pass pipeline runs on the result: the DAG
** already gives CSE and folding.
**
** Value semantics are those of ops.c (the reference interpreter):
**  - comparisons and logic carry a NaN mask beside their truth mask, and a
**    select on a NaN condition is NaN;
**  - min/max are llvm.minimum/llvm.maximum (IEEE 754-2019);
**  - contraction is explicit: a product used once, by a sum, becomes
**    llvm.fmuladd; no fast-math flags are ever set (nnan/ninf turned
**    silu(-100) into NaN in the prototype).
** Transcendental functions call the runtime (ajrt_<name>_<t>x<W>), which is
** linked in and inlined by the engine.
*/
#include <llvm-c/Core.h>
#include <math.h>
#include <float.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "jit.h"

/* A tape entry's value: a number vector, and/or a boolean as a truth mask
** t and a NaN mask u (u NULL when it cannot be NaN). */
typedef struct val {
  LLVMValueRef v;
  LLVMValueRef t, u;
  int fused;   /* a product folded into its user's fmuladd */
  int nanprop; /* NaN whenever x is NaN (IEEE propagation from x) */
  LLVMValueRef ph, pl; /* the value as a pair (pair_eval), hot code only */
  double pbound;
} val;

typedef struct cg {
  LLVMContextRef c;
  LLVMModuleRef m;
  LLVMBuilderRef b;
  const aj_target *target;
  aj_dtype dt;
  unsigned W;
  LLVMTypeRef T, VT, MT, i64, ptr;
  const aj_tape *tape;
  val *vals;
  uint32_t *uses;        /* uses of each entry within the tape */
  uint8_t *cold;         /* per entry: COLD_ONLY, COLD_ARM1/2 (see plan_cold) */
  int in_cold;           /* emitting a cold block (see emit_cold_select) */
  LLVMValueRef *pvals;   /* runtime parameter k as a splat */
  const aj_kernel_spec *spec;
  uint8_t *final;        /* per entry, plan_final's level: 0, or 1 where
                            nothing rounds between it and the stored value
                            but dy's product (backward), 2 where one
                            product by a constant does too: its call may
                            be a _fast variant */
  const char *why;       /* first failure */
} cg;

/* ---- Small builders ---------------------------------------------------- */

static LLVMValueRef splat(cg *g, double v) {
  LLVMValueRef e[16];
  LLVMValueRef s = LLVMConstReal(g->T, v);
  for (unsigned i = 0; i < g->W; i++) e[i] = s;
  return LLVMConstVector(e, g->W);
}

/* A vector of W copies of a run-time scalar (of any element type). */
static LLVMValueRef splat_value(cg *g, LLVMValueRef scalar) {
  LLVMValueRef undef = LLVMGetUndef(LLVMVectorType(LLVMTypeOf(scalar), g->W));
  LLVMValueRef zero = LLVMConstInt(LLVMInt32TypeInContext(g->c), 0, 0);
  LLVMValueRef one = LLVMBuildInsertElement(g->b, undef, scalar, zero, "");
  LLVMValueRef mask[16];
  for (unsigned i = 0; i < g->W; i++) mask[i] = zero;
  return LLVMBuildShuffleVector(g->b, one, undef, LLVMConstVector(mask, g->W),
                                "");
}

/* Calls overloaded intrinsic `name`, overloaded on type ty. */
static LLVMValueRef intrinsic_t(cg *g, const char *name, LLVMTypeRef ty,
                                LLVMValueRef *args, unsigned nargs) {
  unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
  LLVMTypeRef tys[1] = {ty};
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->m, id, tys, 1);
  LLVMTypeRef fty = LLVMIntrinsicGetType(g->c, id, tys, 1);
  return LLVMBuildCall2(g->b, fty, fn, args, nargs, "");
}

/* Calls overloaded intrinsic `name` on <W x T> operands. */
static LLVMValueRef intrinsic(cg *g, const char *name, LLVMValueRef *args,
                              unsigned nargs) {
  return intrinsic_t(g, name, g->VT, args, nargs);
}

static LLVMValueRef intrinsic1(cg *g, const char *name, LLVMValueRef a) {
  return intrinsic(g, name, &a, 1);
}

static LLVMValueRef intrinsic2(cg *g, const char *name, LLVMValueRef a,
                               LLVMValueRef b) {
  LLVMValueRef args[2] = {a, b};
  return intrinsic(g, name, args, 2);
}

/* Calls the runtime's function ajrt_<name>_<t>x<lanes> on nargs (1 or 2)
** vectors of <lanes x elt> (passed as scalars when lanes is 1). */
static LLVMValueRef runtime_lanes(cg *g, const char *name, const char *t,
                                  unsigned lanes, LLVMTypeRef elt,
                                  LLVMValueRef *args, unsigned nargs) {
  char fname[64];
  snprintf(fname, sizeof fname, "ajrt_%s_%sx%u", name, t, lanes);
  LLVMTypeRef vty = LLVMVectorType(elt, lanes);
  LLVMTypeRef ety = lanes == 1 ? elt : vty;
  LLVMTypeRef params[2] = {ety, ety};
  LLVMTypeRef fty = LLVMFunctionType(ety, params, nargs, 0);
  LLVMValueRef fn = LLVMGetNamedFunction(g->m, fname);
  if (!fn) fn = LLVMAddFunction(g->m, fname, fty);
  LLVMValueRef a[2];
  LLVMValueRef zero = LLVMConstInt(LLVMInt32TypeInContext(g->c), 0, 0);
  for (unsigned i = 0; i < nargs; i++)
    a[i] = lanes == 1 ? LLVMBuildExtractElement(g->b, args[i], zero, "") : args[i];
  LLVMValueRef r = LLVMBuildCall2(g->b, fty, fn, a, nargs, "");
  if (lanes == 1) r = LLVMBuildInsertElement(g->b, LLVMGetUndef(vty), r, zero, "");
  return r;
}

/* Calls the runtime's vector function ajrt_<name>_<f32|f64>x<W>. */
static LLVMValueRef runtime(cg *g, const char *name, LLVMValueRef *args,
                            unsigned nargs) {
  return runtime_lanes(g, name, g->dt == AJ_F32 ? "f32" : "f64", g->W, g->T,
                       args, nargs);
}

static LLVMValueRef mask_or(cg *g, LLVMValueRef a, LLVMValueRef b) {
  if (!a) return b;
  if (!b) return a;
  return LLVMBuildOr(g->b, a, b, "");
}

/* ---- Values ------------------------------------------------------------ */

/* Entry i as a number: a boolean becomes 1/0, or NaN where its NaN mask is
** set. */
static LLVMValueRef num(cg *g, uint32_t i) {
  val *v = &g->vals[i];
  if (!v->v && !v->t) { /* only after a failure: keep the IR well-formed */
    if (!g->why) g->why = "internal error: operand without a value";
    v->v = splat(g, 0.0);
  }
  if (!v->v) {
    /* selects, not uitofp: one masked move each with AVX-512 */
    LLVMValueRef n = LLVMBuildSelect(g->b, v->t, splat(g, 1.0), splat(g, 0.0), "");
    if (v->u) n = LLVMBuildSelect(g->b, v->u, splat(g, NAN), n, "");
    v->v = n;
  }
  return v->v;
}

/* Entry i as a boolean: true where non-zero, NaN mask where NaN. */
static void boolean(cg *g, uint32_t i, LLVMValueRef *t, LLVMValueRef *u) {
  val *v = &g->vals[i];
  if (!v->t) {
    LLVMValueRef n = num(g, i); /* defined even after a failure */
    v->t = LLVMBuildFCmp(g->b, LLVMRealUNE, n, splat(g, 0.0), "");
    v->u = LLVMBuildFCmp(g->b, LLVMRealUNO, n, n, "");
  }
  *t = v->t;
  *u = v->u;
}

static int is_product(const cg *g, uint32_t i) {
  return g->tape->ent[i].node->op == AJ_MUL;
}

/* a*b + c as llvm.fmuladd when entry `prod` is a fused product, with the
** product's factors negated (neg_prod) or the addend negated (neg_c). */
static LLVMValueRef fused(cg *g, uint32_t prod, LLVMValueRef c, int neg_prod) {
  const aj_tape_ent *pe = &g->tape->ent[prod];
  LLVMValueRef args[3] = {num(g, pe->arg[0]), num(g, pe->arg[1]), c};
  if (neg_prod) args[0] = LLVMBuildFNeg(g->b, args[0], "");
  return intrinsic(g, "llvm.fmuladd", args, 3);
}

static LLVMValueRef compare(cg *g, LLVMRealPredicate p, uint32_t a, uint32_t b,
                            val *out) {
  LLVMValueRef x = num(g, a), y = num(g, b);
  out->t = LLVMBuildFCmp(g->b, p, x, y, "");
  out->u = LLVMBuildFCmp(g->b, LLVMRealUNO, x, y, "");
  return NULL;
}

/* 1/c as rh + rl for a finite constant c that is no power of two: rh is
** 1/c rounded toward zero in the kernel's type (so rl, the rest, has rh's
** sign), rl the rest rounded, rh + rl = 1/c to about 2^-48 (float) or
** 2^-106 (double) relative. */
static void reciprocal_pair(double c, int f32, double *rh, double *rl) {
  if (f32) { /* double holds 1/c to 2^-53 and the float rest exactly */
    double r = 1.0 / c;
    float h = (float)r;
    if (fabs((double)h) > fabs(r)) h = nextafterf(h, 0.0f);
    *rh = h, *rl = (float)(r - h);
    return;
  }
  double h = 1.0 / c, rest = fma(-h, c, 1.0); /* 1 - h c, exact */
  if (rest * c * h < 0) { /* the rest's sign is not h's */
    h = nextafter(h, 0.0);
    rest = fma(-h, c, 1.0);
  }
  *rh = h, *rl = rest / c;
}

/* a / b.  By a constant c (not a power of two, whose reciprocal is exact
** and LLVM's own business): q = fma(a, rh, a rl), 1/c = rh + rl
** (reciprocal_pair): one rounding of a value within about 2^-47 relative
** of a/c, which is no closer than that to a rounding boundary unless on
** it (a/c - m = (a - c m)/c, and a - c m is zero or at least a's grid
** spacing), so the division's correctly rounded result at two
** instructions; a vector division is ~5x slower here (hardswish's /6).
** rh and rl share a sign, so a = +-inf gives +-inf (no inf - inf) and a
** NaN gives NaN.  Where a rl falls below FLT_MIN (DBL_MIN) its rounding
** can add up to half an ULP to a result that is itself subnormal or
** nearly so. */
static LLVMValueRef divide(cg *g, const aj_tape_ent *e) {
  LLVMBuilderRef b = g->b;
  LLVMValueRef a = num(g, e->arg[0]);
  const aj_node *d = g->tape->ent[e->arg[1]].node;
  int ex;
  double c = d->op == AJ_CONST ? d->u.num : 0;
  int f32 = g->dt == AJ_F32;
  if (d->op != AJ_CONST || !isfinite(c) || c == 0 || fabs(frexp(c, &ex)) == 0.5 ||
      abs(ex) > (f32 ? 100 : 1000) || (f32 && (float)c != c))
    return LLVMBuildFDiv(b, a, num(g, e->arg[1]), "");
  double rh, rl; /* |c| within 2^+-100 (2^+-1000): rh, rl normal */
  reciprocal_pair(c, f32, &rh, &rl);
  LLVMValueRef args[3] = {a, splat(g, rh), LLVMBuildFMul(b, a, splat(g, rl), "")};
  return intrinsic(g, "llvm.fma", args, 3);
}

/* v c for a call v marked final (plan_final) and a constant c that
** float32 cannot hold (selu's scale*alpha), as fma(v, ch, v cl) with
** c = ch + cl: one rounding, instead of c's own (up to 0.5 ULP) and the
** product's, to leave v's _fast variant its budget.  NULL where that does
** not apply. */
static LLVMValueRef const_product(cg *g, const aj_tape_ent *e) {
  if (g->dt != AJ_F32) return NULL;
  for (int k = 0; k < 2; k++) {
    const aj_node *c = g->tape->ent[e->arg[k]].node;
    if (c->op != AJ_CONST || !isfinite(c->u.num) || g->final[e->arg[1 - k]] != 2)
      continue;
    double ch = (float)c->u.num, cl = c->u.num - ch;
    if (cl == 0 || !isfinite(ch)) return NULL;
    LLVMValueRef v = num(g, e->arg[1 - k]);
    LLVMValueRef args[3] = {v, splat(g, ch), LLVMBuildFMul(g->b, v, splat(g, cl), "")};
    return intrinsic(g, "llvm.fma", args, 3);
  }
  return NULL;
}

/* x^c for a constant c: small integer powers by multiplication. */
static LLVMValueRef power(cg *g, const aj_tape_ent *e) {
  const aj_node *exp_node = g->tape->ent[e->arg[1]].node;
  LLVMValueRef x = num(g, e->arg[0]);
  if (exp_node->op == AJ_CONST) {
    double c = exp_node->u.num;
    if (c == 2) return LLVMBuildFMul(g->b, x, x, "");
    if (c == 3) return LLVMBuildFMul(g->b, LLVMBuildFMul(g->b, x, x, ""), x, "");
    if (c == 4) {
      LLVMValueRef x2 = LLVMBuildFMul(g->b, x, x, "");
      return LLVMBuildFMul(g->b, x2, x2, "");
    }
    if (c == -1) return LLVMBuildFDiv(g->b, splat(g, 1.0), x, "");
  }
  LLVMValueRef args[2] = {x, num(g, e->arg[1])};
  return runtime(g, "pow", args, 2);
}

/* c ? a : b where c compares x with a non-NaN constant, so c is NaN exactly
** when x is: if the branch taken on NaN already is NaN there (nanprop), an
** ordered or unordered compare gives the NaN for free, no second select.
** NULL when the pattern does not apply. */
static LLVMValueRef select_x_vs_const(cg *g, const aj_tape_ent *e) {
  const aj_tape_ent *c = &g->tape->ent[e->arg[0]];
  static const LLVMRealPredicate ordered[] = {
      [AJ_LT] = LLVMRealOLT, [AJ_LE] = LLVMRealOLE, [AJ_GT] = LLVMRealOGT,
      [AJ_GE] = LLVMRealOGE, [AJ_EQ] = LLVMRealOEQ, [AJ_NE] = LLVMRealONE};
  static const LLVMRealPredicate unordered[] = {
      [AJ_LT] = LLVMRealULT, [AJ_LE] = LLVMRealULE, [AJ_GT] = LLVMRealUGT,
      [AJ_GE] = LLVMRealUGE, [AJ_EQ] = LLVMRealUEQ, [AJ_NE] = LLVMRealUNE};
  aj_op op = (aj_op)c->node->op;
  if (op < AJ_LT || op > AJ_NE || c->node->nargs != 2) return NULL;
  const aj_node *l = c->node->arg[0], *r = c->node->arg[1];
  int x_vs_const = (l->op == AJ_X && r->op == AJ_CONST && !isnan(r->u.num)) ||
                   (r->op == AJ_X && l->op == AJ_CONST && !isnan(l->u.num));
  if (!x_vs_const) return NULL;
  LLVMRealPredicate p;
  if (g->vals[e->arg[1]].nanprop) p = unordered[op];    /* NaN takes a */
  else if (g->vals[e->arg[2]].nanprop) p = ordered[op]; /* NaN takes b */
  else return NULL;
  LLVMValueRef t = LLVMBuildFCmp(g->b, p, num(g, c->arg[0]), num(g, c->arg[1]), "");
  return LLVMBuildSelect(g->b, t, num(g, e->arg[1]), num(g, e->arg[2]), "");
}

/* Whether entry i is NaN whenever x is: x itself, or an operator that
** propagates a NaN operand (not pow: pow(NaN, 0) = 1; not hypot:
** hypot(inf, NaN) = inf). */
static int propagates_nan(const cg *g, const aj_tape_ent *e) {
  const aj_node *n = e->node;
  if (n->op == AJ_X) return 1;
  if (n->nargs == 0 || n->op == AJ_POW || n->op == AJ_HYPOT) return 0;
  if (n->op == AJ_SELECT) return g->vals[e->arg[0]].nanprop;
  for (int k = 0; k < n->nargs; k++)
    if (g->vals[e->arg[k]].nanprop) return 1;
  return 0;
}

/* Emits tape entry i. */
static int tail_sensitive(aj_op op);
static unsigned op_cost(aj_op op);
static LLVMValueRef wide_call(cg *g, const char *fname, uint32_t arg,
                              LLVMValueRef x);

/* The runtime function to call for fname when its result is final
** (plan_final): sigmoid_fast, tanh_fast, expm1_fast and softplus_fast
** (<= 1.5 ULP, 30-50% faster) within the forward target of 2 ULP and,
** times dy, the backward one of 4; fname itself for every other function. */
static const char *last_op_variant(const char *fname) {
  if (strcmp(fname, "sigmoid") == 0) return "sigmoid_fast";
  if (strcmp(fname, "tanh") == 0) return "tanh_fast";
  if (strcmp(fname, "expm1") == 0) return "expm1_fast";
  if (strcmp(fname, "softplus") == 0) return "softplus_fast";
  return fname;
}

static void emit(cg *g, uint32_t i, LLVMValueRef x) {
  const aj_tape_ent *e = &g->tape->ent[i];
  const aj_node *n = e->node;
  val *out = &g->vals[i];
  LLVMBuilderRef b = g->b;
  LLVMValueRef r = NULL;
  switch ((aj_op)n->op) {
  case AJ_CONST: r = splat(g, n->u.num); break;
  case AJ_X: r = x; break;
  case AJ_PARAM:
    for (uint32_t k = 0; k < g->spec->nrparams && !r; k++)
      if (g->spec->rparam[k] == n) r = g->pvals[k];
    if (!r) g->why = "a parameter is neither bound nor runtime";
    break;
  case AJ_NEG: r = LLVMBuildFNeg(b, num(g, e->arg[0]), ""); break;
  case AJ_ADD:
  case AJ_SUB: {
    uint32_t a = e->arg[0], c = e->arg[1];
    int sub = n->op == AJ_SUB;
    if (g->vals[c].fused) {        /* a ± p*q */
      r = fused(g, c, num(g, a), sub);
    } else if (g->vals[a].fused) { /* p*q ± c */
      LLVMValueRef addend = num(g, c);
      if (sub) addend = LLVMBuildFNeg(b, addend, "");
      r = fused(g, a, addend, 0);
    } else {
      r = sub ? LLVMBuildFSub(b, num(g, a), num(g, c), "")
              : LLVMBuildFAdd(b, num(g, a), num(g, c), "");
    }
    break;
  }
  case AJ_MUL:
    if (out->fused) return; /* emitted by its user */
    if (g->final[i] && (r = const_product(g, e)))
      break;
    r = LLVMBuildFMul(b, num(g, e->arg[0]), num(g, e->arg[1]), "");
    break;
  case AJ_DIV: r = divide(g, e); break;
  case AJ_POW: r = power(g, e); break;
  case AJ_LT: compare(g, LLVMRealOLT, e->arg[0], e->arg[1], out); return;
  case AJ_LE: compare(g, LLVMRealOLE, e->arg[0], e->arg[1], out); return;
  case AJ_GT: compare(g, LLVMRealOGT, e->arg[0], e->arg[1], out); return;
  case AJ_GE: compare(g, LLVMRealOGE, e->arg[0], e->arg[1], out); return;
  case AJ_EQ: compare(g, LLVMRealOEQ, e->arg[0], e->arg[1], out); return;
  case AJ_NE: compare(g, LLVMRealONE, e->arg[0], e->arg[1], out); return;
  case AJ_NOT: {
    LLVMValueRef t, u;
    boolean(g, e->arg[0], &t, &u);
    out->t = LLVMBuildNot(b, t, "");
    out->u = u;
    return;
  }
  case AJ_AND:
  case AJ_OR: {
    LLVMValueRef t1, u1, t2, u2;
    boolean(g, e->arg[0], &t1, &u1);
    boolean(g, e->arg[1], &t2, &u2);
    out->t = n->op == AJ_AND ? LLVMBuildAnd(b, t1, t2, "")
                             : LLVMBuildOr(b, t1, t2, "");
    out->u = mask_or(g, u1, u2);
    return;
  }
  case AJ_SELECT: {
    if ((r = select_x_vs_const(g, e))) break;
    LLVMValueRef t, u;
    boolean(g, e->arg[0], &t, &u);
    r = LLVMBuildSelect(b, t, num(g, e->arg[1]), num(g, e->arg[2]), "");
    if (u) r = LLVMBuildSelect(b, u, splat(g, NAN), r, "");
    break;
  }
  case AJ_MIN: r = intrinsic2(g, "llvm.minimum", num(g, e->arg[0]), num(g, e->arg[1])); break;
  case AJ_MAX: r = intrinsic2(g, "llvm.maximum", num(g, e->arg[0]), num(g, e->arg[1])); break;
  case AJ_CLAMP:
    r = intrinsic2(g, "llvm.minimum",
                   intrinsic2(g, "llvm.maximum", num(g, e->arg[0]),
                              num(g, e->arg[1])),
                   num(g, e->arg[2]));
    break;
  case AJ_ABS: r = intrinsic1(g, "llvm.fabs", num(g, e->arg[0])); break;
  case AJ_SQRT: r = intrinsic1(g, "llvm.sqrt", num(g, e->arg[0])); break;
  case AJ_FLOOR: r = intrinsic1(g, "llvm.floor", num(g, e->arg[0])); break;
  case AJ_CEIL: r = intrinsic1(g, "llvm.ceil", num(g, e->arg[0])); break;
  case AJ_TRUNC: r = intrinsic1(g, "llvm.trunc", num(g, e->arg[0])); break;
  case AJ_ROUND: r = intrinsic1(g, "llvm.roundeven", num(g, e->arg[0])); break;
  case AJ_SIGN: { /* 1, -1, or x itself for ±0 and NaN */
    LLVMValueRef a = num(g, e->arg[0]);
    LLVMValueRef neg = LLVMBuildFCmp(b, LLVMRealOLT, a, splat(g, 0.0), "");
    LLVMValueRef pos = LLVMBuildFCmp(b, LLVMRealOGT, a, splat(g, 0.0), "");
    r = LLVMBuildSelect(b, pos, splat(g, 1.0),
                        LLVMBuildSelect(b, neg, splat(g, -1.0), a, ""), "");
    break;
  }
  case AJ_ARG:
  case AJ_DZERO:
    g->why = "placeholder node in a kernel";
    return;
  default: { /* a transcendental function: the runtime */
    /* the runtime calls the exact softplus by its usual name */
    const char *fname = n->op == AJ_LOG1PEXP ? "softplus" : aj_ops[n->op].spelling;
    if (tail_sensitive((aj_op)n->op) && (r = wide_call(g, fname, e->arg[0], x)))
      break;
    LLVMValueRef args[2];
    unsigned na = n->nargs;
    for (unsigned k = 0; k < na && k < 2; k++) args[k] = num(g, e->arg[k]);
    if (g->final[i]) fname = last_op_variant(fname);
    r = runtime(g, fname, args, na);
    break;
  }
  }
  out->v = r;
}

/* ---- Ill-conditioned arguments in float32 kernels ----------------------
** exp, expm1, sigmoid, softplus and erfc amplify the relative error of
** their argument by |u| (2u^2 for erfc) in their tails: erfc(-x/sqrt(2))
** in float32 is 10 ULP off at x = -6 only because x/sqrt(2) was rounded to
** float (gelu), sigma(1.702x) 60 ULP at x = -54 (quick_gelu).  When such
** a function's argument is a small polynomial-like expression of x and
** constants, a float32 kernel evaluates that argument in double, calls the
** function's float64 version and rounds once: the argument's rounding and
** the constants' float rounding both disappear. */

static int tail_sensitive(aj_op op) {
  return op == AJ_EXP || op == AJ_EXPM1 || op == AJ_SIGMOID ||
         op == AJ_LOG1PEXP || op == AJ_ERFC || op == AJ_NORMCDF;
}

#define WIDE_MAX_NODES 24

/* The argument subtree of n (entries in tape order), if every node is one
** the double path can emit; 0 if not.  *worth: it rounds somewhere (not
** just x, -x or a power-of-two scaling of them). */
static int wide_plan(cg *g, uint32_t root, uint32_t *idx, int *worth) {
  const aj_tape *t = g->tape;
  uint32_t n = 0, stack[WIDE_MAX_NODES];
  int sp = 0;
  *worth = 0;
  stack[sp++] = root;
  while (sp) {
    uint32_t i = stack[--sp];
    int seen = 0;
    for (uint32_t k = 0; k < n; k++) seen |= idx[k] == i;
    if (seen) continue;
    if (n == WIDE_MAX_NODES) return 0;
    idx[n++] = i;
    const aj_node *m = t->ent[i].node;
    switch ((aj_op)m->op) {
    case AJ_X: case AJ_CONST: case AJ_PARAM: break;
    case AJ_NEG: case AJ_ABS: case AJ_ADD: case AJ_SUB: case AJ_MIN:
    case AJ_MAX: case AJ_CLAMP: case AJ_DIV: case AJ_MUL:
      if (m->op == AJ_ADD || m->op == AJ_SUB || m->op == AJ_DIV) *worth = 1;
      if (m->op == AJ_MUL) {
        const aj_node *c = m->arg[0]->op == AJ_CONST ? m->arg[0] : m->arg[1];
        int e;
        if (c->op != AJ_CONST || fabs(frexp(c->u.num, &e)) != 0.5) *worth = 1;
      }
      break;
    case AJ_POW: /* small integer powers, as products */
      if (m->arg[1]->op != AJ_CONST || (m->arg[1]->u.num != 2 &&
                                        m->arg[1]->u.num != 3))
        return 0;
      *worth = 1;
      break;
    default:
      return 0;
    }
    for (int k = 0; k < m->nargs; k++) {
      if (sp == WIDE_MAX_NODES) return 0;
      stack[sp++] = t->ent[i].arg[k];
    }
  }
  /* tape order: operands first */
  for (uint32_t a = 1; a < n; a++)
    for (uint32_t b2 = a; b2 > 0 && idx[b2 - 1] > idx[b2]; b2--) {
      uint32_t tmp = idx[b2];
      idx[b2] = idx[b2 - 1];
      idx[b2 - 1] = tmp;
    }
  return (int)n;
}

/* ---- Float pairs: an argument to 2^-44 without leaving float ----------
** A value as h + l (|l| <= ulp(h)): exact products by fma, sums by
** TwoSum, so a small polynomial argument of x costs a few float
** instructions instead of conversions to double and back. */
typedef struct fpair {
  LLVMValueRef h, l;
  double bound; /* |h + l| <= bound on every lane (INFINITY: unknown) */
} fpair;

/* |v| < inf (false for NaN). */
static LLVMValueRef is_finite(cg *g, LLVMValueRef v) {
  return LLVMBuildFCmp(g->b, LLVMRealOLT, intrinsic1(g, "llvm.fabs", v),
                       splat(g, INFINITY), "");
}

/* a + b, skipping a constant-zero operand (x + 0 is not folded: -0). */
static LLVMValueRef add_lo(cg *g, LLVMValueRef a, LLVMValueRef b) {
  if (LLVMIsNull(a)) return b;
  if (LLVMIsNull(b)) return a;
  return LLVMBuildFAdd(g->b, a, b, "");
}

/* fma(a, b, c), or c where a or b is a constant zero (the low part of an
** exact value: x, a parameter, a constant exact in the type). */
static LLVMValueRef fma_lo(cg *g, LLVMValueRef a, LLVMValueRef b,
                          LLVMValueRef c) {
  if (LLVMIsNull(a) || LLVMIsNull(b)) return c;
  LLVMValueRef args[3] = {a, b, c};
  return intrinsic(g, "llvm.fma", args, 3);
}

/* -l, or l itself where it is a constant zero (kept null for fma_lo). */
static LLVMValueRef neg_lo(cg *g, LLVMValueRef l) {
  return LLVMIsNull(l) ? l : LLVMBuildFNeg(g->b, l, "");
}

/* The low part of min/max's result h: a where h = ha (the operand a was
** chosen), else b; a constant zero where both are (x's, a constant's
** exact one), which later fmas then skip (fma_lo). */
static LLVMValueRef select_lo(cg *g, LLVMValueRef h, LLVMValueRef ha,
                              LLVMValueRef a, LLVMValueRef b) {
  if (LLVMIsNull(a) && LLVMIsNull(b)) return a;
  return LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, LLVMRealOEQ, h, ha, ""), a, b, "");
}

/* Below this a sum of bounded pairs cannot overflow: no guard. */
#define PAIR_SAFE_BOUND 1e30

static fpair pair_add(cg *g, fpair a, fpair b) {
  LLVMBuilderRef bl = g->b;
  LLVMValueRef s = LLVMBuildFAdd(bl, a.h, b.h, "");
  LLVMValueRef bb = LLVMBuildFSub(bl, s, a.h, "");
  LLVMValueRef e = LLVMBuildFAdd(bl, LLVMBuildFSub(bl, a.h, LLVMBuildFSub(bl, s, bb, ""), ""),
                                 LLVMBuildFSub(bl, b.h, bb, ""), "");
  LLVMValueRef l = add_lo(g, e, add_lo(g, a.l, b.l));
  double bound = a.bound + b.bound;
  /* where s overflowed l is NaN, and s stands */
  if (!(bound < PAIR_SAFE_BOUND))
    l = LLVMBuildSelect(bl, is_finite(g, l), l, splat(g, 0.0), "");
  /* s + l as it is, not renormalized (|l| may reach ulp(s)): the users,
  ** products, exp_hl and the sigmoid correction, only need |l| << |s| */
  fpair r = {s, l, bound};
  return r;
}

static fpair pair_mul(cg *g, fpair a, fpair b) {
  LLVMValueRef p = LLVMBuildFMul(g->b, a.h, b.h, "");
  LLVMValueRef e = fma_lo(g, a.h, b.h, LLVMBuildFNeg(g->b, p, "")); /* exact */
  e = fma_lo(g, a.l, b.h, e);
  fpair r = {p, fma_lo(g, a.h, b.l, e), a.bound * b.bound};
  return r;
}

static fpair pair_div(cg *g, fpair a, fpair b) {
  LLVMBuilderRef bl = g->b;
  LLVMValueRef q = LLVMBuildFDiv(bl, a.h, b.h, "");
  LLVMValueRef r1[3] = {LLVMBuildFNeg(bl, q, ""), b.h, a.h};
  LLVMValueRef r = intrinsic(g, "llvm.fma", r1, 3);          /* exact */
  LLVMValueRef r2[3] = {LLVMBuildFNeg(bl, q, ""), b.l, LLVMBuildFAdd(bl, r, a.l, "")};
  fpair out = {q, LLVMBuildFDiv(bl, intrinsic(g, "llvm.fma", r2, 3), b.h, ""),
               INFINITY};
  return out;
}

/* The pair of entries idx[0..n) (wide_plan's order), the last one's.
** Pairs made in hot code are kept in vals[] (an argument shared by a hot
** call and a cold arm, gelu_tanh's, is evaluated once); emit_entry clears
** them with the entry's value. */
static fpair pair_eval(cg *g, const uint32_t *idx, int n, LLVMValueRef x) {
  fpair v[WIDE_MAX_NODES];
  LLVMBuilderRef b = g->b;
  for (int j = 0; j < n; j++) {
    val *cache = &g->vals[idx[j]];
    if (cache->ph) {
      fpair c = {cache->ph, cache->pl, cache->pbound};
      v[j] = c;
      continue;
    }
    const aj_tape_ent *e = &g->tape->ent[idx[j]];
    const aj_node *m = e->node;
    fpair o[3];
    memset(o, 0, sizeof o);
    for (int k = 0; k < m->nargs; k++)
      for (int q = 0; q < j; q++)
        if (idx[q] == e->arg[k]) o[k] = v[q];
    LLVMValueRef zero = splat(g, 0.0);
    v[j].bound = INFINITY;
    switch ((aj_op)m->op) {
    case AJ_X: v[j].h = x, v[j].l = zero; break;
    case AJ_PARAM: v[j].h = num(g, idx[j]), v[j].l = zero; break;
    case AJ_CONST: { /* float32: the double constant as float + float */
      double h = g->dt == AJ_F32 ? (float)m->u.num : m->u.num;
      v[j].h = splat(g, h);
      v[j].l = splat(g, g->dt == AJ_F32 ? (float)(m->u.num - h) : 0.0);
      v[j].bound = fabs(m->u.num);
      break;
    }
    case AJ_NEG:
      v[j].h = LLVMBuildFNeg(b, o[0].h, "");
      v[j].l = neg_lo(g, o[0].l);
      v[j].bound = o[0].bound;
      break;
    case AJ_ABS: {
      LLVMValueRef neg = LLVMBuildFCmp(b, LLVMRealOLT, o[0].h, zero, "");
      v[j].h = intrinsic1(g, "llvm.fabs", o[0].h);
      v[j].l = LLVMIsNull(o[0].l) ? o[0].l
                                  : LLVMBuildSelect(b, neg, neg_lo(g, o[0].l), o[0].l, "");
      v[j].bound = o[0].bound;
      break;
    }
    case AJ_ADD: v[j] = pair_add(g, o[0], o[1]); break;
    case AJ_SUB: {
      fpair nb = {LLVMBuildFNeg(b, o[1].h, ""), neg_lo(g, o[1].l), o[1].bound};
      v[j] = pair_add(g, o[0], nb);
      break;
    }
    case AJ_MUL: v[j] = pair_mul(g, o[0], o[1]); break;
    case AJ_DIV: v[j] = pair_div(g, o[0], o[1]); break;
    case AJ_POW:
      v[j] = pair_mul(g, o[0], o[0]);
      if (m->arg[1]->u.num == 3) v[j] = pair_mul(g, v[j], o[0]);
      break;
    default: { /* min, max, clamp: on h, l following the chosen operand */
      LLVMValueRef h = intrinsic2(g, m->op == AJ_MIN ? "llvm.minimum" : "llvm.maximum",
                                  o[0].h, o[1].h);
      LLVMValueRef l = select_lo(g, h, o[0].h, o[0].l, o[1].l);
      v[j].bound = fmax(o[0].bound, o[1].bound);
      if (m->op == AJ_CLAMP) { /* within [lo, hi] whatever the operand */
        LLVMValueRef h2 = intrinsic2(g, "llvm.minimum", h, o[2].h);
        l = select_lo(g, h2, h, l, o[2].l);
        h = h2;
        v[j].bound = fmax(o[1].bound, o[2].bound);
      }
      v[j].h = h, v[j].l = l;
      break;
    }
    }
    if (v[j].bound != v[j].bound) v[j].bound = INFINITY; /* inf * 0 */
    if (!g->in_cold) {
      cache->ph = v[j].h;
      cache->pl = v[j].l;
      cache->pbound = v[j].bound;
    }
  }
  return v[n - 1];
}

/* fn(h + l) from a pair (float + float, or double + double in float64
** kernels), fn being exp or sigmoid (has_pair_form).  exp: the runtime's
** exp_hl, which reduces h + l
** exactly and rounds once (exp(h)(1 + l) rounds twice, which cost gelu'
** 4.9 ULP near its root).  sigmoid(h + l) = s + s (1 - s) l with
** s = sigmoid(h) (the second-order term is below 2^-48 relative; 1 - s is
** exact for s >= 1/2). */
static LLVMValueRef pair_call(cg *g, const char *fname, fpair u) {
  LLVMBuilderRef b = g->b;
  /* l is not finite where h overflowed or is NaN: h alone stands there
  ** (a bounded pair cannot overflow, and where h is NaN so is fn(h)) */
  LLVMValueRef l = u.l;
  if (!(u.bound < PAIR_SAFE_BOUND))
    l = LLVMBuildSelect(b, is_finite(g, u.l), u.l, splat(g, 0.0), "");
  if (strcmp(fname, "exp") == 0) {
    LLVMValueRef hl[2] = {u.h, l};
    return runtime(g, "exp_hl", hl, 2);
  }
  LLVMValueRef f = runtime(g, fname, &u.h, 1);
  LLVMValueRef d = LLVMBuildFMul(b, f, LLVMBuildFSub(b, splat(g, 1.0), f, ""), "");
  /* where f is not finite, f stands (inf * 0 would be NaN) */
  LLVMValueRef args[3] = {d, l, f};
  LLVMValueRef r = intrinsic(g, "llvm.fma", args, 3);
  return LLVMBuildSelect(b, is_finite(g, f), r, f, "");
}

/* Whether fn has a pair form (pair_call). */
static int has_pair_form(const char *fname) {
  return strcmp(fname, "exp") == 0 || strcmp(fname, "sigmoid") == 0;
}

/* fn(argument) for an argument that rounds somewhere (wide_plan): as a
** pair where fn has a pair form (both dtypes); otherwise, in float32
** kernels, in double with fn's float64 version, rounded once.  NULL where
** neither applies (the caller evaluates the argument as it is). */
static LLVMValueRef wide_call(cg *g, const char *fname, uint32_t arg,
                              LLVMValueRef x) {
  uint32_t idx[WIDE_MAX_NODES];
  int worth;
  int n = wide_plan(g, arg, idx, &worth);
  if (n <= 0 || !worth) return NULL;
  /* the argument as a pair where fn has a pair form */
  if (has_pair_form(fname))
    return pair_call(g, fname, pair_eval(g, idx, n, x));
  if (g->dt != AJ_F32) return NULL; /* float64: no wider type to go to */
  LLVMBuilderRef b = g->b;
  LLVMTypeRef D = LLVMDoubleTypeInContext(g->c), DV = LLVMVectorType(D, g->W);
  LLVMValueRef v[WIDE_MAX_NODES];
  for (int j = 0; j < n; j++) {
    const aj_tape_ent *e = &g->tape->ent[idx[j]];
    const aj_node *m = e->node;
    LLVMValueRef o[3] = {NULL, NULL, NULL};
    for (int k = 0; k < m->nargs; k++)
      for (int q = 0; q < j; q++)
        if (idx[q] == e->arg[k]) o[k] = v[q];
    switch ((aj_op)m->op) {
    case AJ_X: v[j] = LLVMBuildFPExt(b, x, DV, ""); break;
    case AJ_PARAM: v[j] = LLVMBuildFPExt(b, num(g, idx[j]), DV, ""); break;
    case AJ_CONST: {
      LLVMValueRef c[16];
      for (unsigned l = 0; l < g->W; l++) c[l] = LLVMConstReal(D, m->u.num);
      v[j] = LLVMConstVector(c, g->W);
      break;
    }
    case AJ_NEG: v[j] = LLVMBuildFNeg(b, o[0], ""); break;
    case AJ_ABS: v[j] = intrinsic_t(g, "llvm.fabs", DV, o, 1); break;
    case AJ_ADD: v[j] = LLVMBuildFAdd(b, o[0], o[1], ""); break;
    case AJ_SUB: v[j] = LLVMBuildFSub(b, o[0], o[1], ""); break;
    case AJ_MUL: v[j] = LLVMBuildFMul(b, o[0], o[1], ""); break;
    case AJ_DIV: v[j] = LLVMBuildFDiv(b, o[0], o[1], ""); break;
    case AJ_POW:
      v[j] = LLVMBuildFMul(b, o[0], o[0], "");
      if (m->arg[1]->u.num == 3) v[j] = LLVMBuildFMul(b, v[j], o[0], "");
      break;
    default: { /* min, max, clamp: IEEE 754-2019 on doubles */
      LLVMValueRef a2[2] = {o[0], o[1]};
      v[j] = intrinsic_t(g, m->op == AJ_MIN ? "llvm.minimum" : "llvm.maximum",
                         DV, a2, 2);
      if (m->op == AJ_CLAMP) {
        LLVMValueRef a3[2] = {v[j], o[2]};
        v[j] = intrinsic_t(g, "llvm.minimum", DV, a3, 2);
      }
      break;
    }
    }
  }
  LLVMValueRef ud = v[n - 1], rd;
  unsigned h = g->W > 1 ? g->W / 2 : 1;
  if (g->W == 1) {
    rd = runtime_lanes(g, fname, "f64", 1, D, &ud, 1);
  } else {
    LLVMValueRef lo[8], hi[8], all[16], half[2];
    LLVMTypeRef i32 = LLVMInt32TypeInContext(g->c);
    for (unsigned l = 0; l < h; l++) {
      lo[l] = LLVMConstInt(i32, l, 0);
      hi[l] = LLVMConstInt(i32, h + l, 0);
    }
    for (unsigned l = 0; l < g->W; l++) all[l] = LLVMConstInt(i32, l, 0);
    LLVMValueRef undef = LLVMGetUndef(DV);
    LLVMValueRef part[2] = {
        LLVMBuildShuffleVector(b, ud, undef, LLVMConstVector(lo, h), ""),
        LLVMBuildShuffleVector(b, ud, undef, LLVMConstVector(hi, h), "")};
    for (int k = 0; k < 2; k++)
      half[k] = runtime_lanes(g, fname, "f64", h, D, &part[k], 1);
    rd = LLVMBuildShuffleVector(b, half[0], half[1], LLVMConstVector(all, g->W), "");
  }
  return LLVMBuildFPTrunc(b, rd, g->VT, "");
}

/* Marks products whose single use is a sum, so the sum emits fmuladd. */
static void plan_fusion(cg *g) {
  const aj_tape *t = g->tape;
  for (uint32_t i = 0; i < t->n; i++) {
    const aj_tape_ent *e = &t->ent[i];
    if (e->node->op != AJ_ADD && e->node->op != AJ_SUB) continue;
    for (int k = 0; k < 2; k++) {
      uint32_t a = e->arg[k];
      if (is_product(g, a) && g->uses[a] == 1 && !g->vals[e->arg[1 - k]].fused) {
        g->vals[a].fused = 1;
        break;
      }
    }
  }
}

/* Marks the entries whose value reaches the output with at most one more
** rounding, in float32 kernels: level 1 for the forward root (stored as
** it is) and the backward dx root (dy times it, one rounding within the
** backward target of 4 ULP), when nothing else uses them; the same level
** for the arms of such a select and the operand of such a negation that
** nothing else uses (neither rounds); level 2 for a call under such a
** product by a constant (selu's expm1(x) times scale*alpha:
** const_product rounds it once).  Their calls may be _fast variants
** (last_op_variant): <= 1.5 ULP plus one rounding is within the forward
** target of 2 ULP, plus two within the backward one of 4. */
static void plan_final(cg *g, int backward) {
  const aj_tape *t = g->tape;
  memset(g->final, 0, t->n);
  if (g->dt != AJ_F32) return;
  uint32_t root = backward ? g->spec->bwd_roots[0] : t->root[0];
  if (g->uses[root] != 2) return; /* the kernel's own two uses only */
  g->final[root] = 1;
  for (uint32_t i = root + 1; i-- > 0;) {
    const aj_tape_ent *e = &t->ent[i];
    if (!g->final[i]) continue;
    if (e->node->op == AJ_SELECT) {
      for (int k = 1; k < 3; k++)
        if (g->uses[e->arg[k]] == 1) g->final[e->arg[k]] = g->final[i];
    } else if (e->node->op == AJ_NEG) { /* exact too (logsigmoid) */
      if (g->uses[e->arg[0]] == 1) g->final[e->arg[0]] = g->final[i];
    } else if (e->node->op == AJ_MUL && g->final[i] == 1) {
      for (int k = 0; k < 2; k++)
        if (t->ent[e->arg[k]].node->op == AJ_CONST && g->uses[e->arg[1 - k]] == 1 &&
            op_cost((aj_op)t->ent[e->arg[1 - k]].node->op) >= 30)
          g->final[e->arg[1 - k]] = 2; /* a call; one rounding spent */
    }
  }
}

/* A rough instruction count of one operator: a runtime function is some
** 30 instructions once inlined. */
static unsigned op_cost(aj_op op) {
  switch (op) {
  case AJ_CONST: case AJ_X: case AJ_PARAM: return 0;
  case AJ_NEG: case AJ_ADD: case AJ_SUB: case AJ_MUL: case AJ_DIV:
  case AJ_LT: case AJ_LE: case AJ_GT: case AJ_GE: case AJ_EQ: case AJ_NE:
  case AJ_NOT: case AJ_AND: case AJ_OR: case AJ_SELECT: case AJ_MIN:
  case AJ_MAX: case AJ_CLAMP: case AJ_ABS: case AJ_SQRT: case AJ_FLOOR:
  case AJ_CEIL: case AJ_TRUNC: case AJ_ROUND: case AJ_SIGN:
    return 1;
  default: return 30; /* pow and the transcendentals */
  }
}

/* ---- Cold selects ------------------------------------------------------
** The stabilizer guards far tails with selects such as u < -80 ? A : B
** (TAIL rules), and a vector select computes both arms on every lane.
** When one arm is only taken past a far threshold (a comparison with a
** constant of magnitude >= 16: rare for activations' inputs) and needs
** work nothing else needs (a transcendental), that work moves to a cold
** block run only when some lane of the vector takes the rare arm; the
** other vectors take the hot arm directly.  Values are unchanged. */

enum { COLD_ONLY = 1, COLD_ARM1 = 2, COLD_ARM2 = 4 };
static LLVMValueRef reduce_or(cg *g, LLVMValueRef m);
#define COLD_THRESHOLD 16.0

/* Which arm of select entry i is rare (COLD_ARM1 for the true arm,
** COLD_ARM2 for the false one), or 0. */
static unsigned rare_arm(const aj_tape *t, uint32_t i) {
  const aj_tape_ent *e = &t->ent[i];
  if (e->node->op != AJ_SELECT) return 0;
  const aj_node *c = t->ent[e->arg[0]].node;
  aj_op op = (aj_op)c->op;
  if (op != AJ_LT && op != AJ_LE && op != AJ_GT && op != AJ_GE) return 0;
  const aj_node *l = c->arg[0], *r = c->arg[1];
  if ((l->op == AJ_CONST) == (r->op == AJ_CONST)) return 0;
  double k = l->op == AJ_CONST ? l->u.num : r->u.num;
  int less = op == AJ_LT || op == AJ_LE; /* u < k, with u on the left */
  if (l->op == AJ_CONST) less = !less;
  if (!(fabs(k) >= COLD_THRESHOLD)) return 0;
  return (less == (k < 0)) ? COLD_ARM1 : COLD_ARM2;
}

/* Marks the entries the roots need outside the rare arms of the selects
** flagged in g->cold (hot), then flags as COLD_ONLY the rest. */
static void mark_hot(cg *g, const uint32_t *roots, unsigned nroots,
                     uint8_t *hot) {
  const aj_tape *t = g->tape;
  memset(hot, 0, t->n);
  for (unsigned r = 0; r < nroots; r++) hot[roots[r]] = 1;
  for (uint32_t i = t->n; i-- > 0;) {
    if (!hot[i]) continue;
    const aj_tape_ent *e = &t->ent[i];
    for (int k = 0; k < e->node->nargs; k++) {
      if ((g->cold[i] & COLD_ARM1 && k == 1) || (g->cold[i] & COLD_ARM2 && k == 2))
        continue;
      hot[e->arg[k]] = 1;
    }
  }
  for (uint32_t i = 0; i < t->n; i++)
    g->cold[i] = (uint8_t)((g->cold[i] & ~COLD_ONLY) | (hot[i] ? 0 : COLD_ONLY));
}

/* The cost of the COLD_ONLY entries under entry i (marking them in seen). */
static unsigned cold_cost(cg *g, uint32_t i, uint8_t *seen) {
  if (!(g->cold[i] & COLD_ONLY) || seen[i]) return 0;
  seen[i] = 1;
  const aj_tape_ent *e = &g->tape->ent[i];
  unsigned c = op_cost((aj_op)e->node->op);
  for (int k = 0; k < e->node->nargs; k++) c += cold_cost(g, e->arg[k], seen);
  return c;
}

/* Chooses the cold selects: candidates by rare_arm, kept while their rare
** arm has exclusive work worth a branch (dropping one can make another's
** arm hot, hence the loop). */
static void plan_cold(cg *g, const uint32_t *roots, unsigned nroots,
                      uint8_t *scratch) {
  const aj_tape *t = g->tape;
  for (uint32_t i = 0; i < t->n; i++) g->cold[i] = (uint8_t)rare_arm(t, i);
  for (int changed = 1; changed;) {
    changed = 0;
    mark_hot(g, roots, nroots, scratch);
    for (uint32_t i = 0; i < t->n; i++) {
      unsigned arm = g->cold[i] & (COLD_ARM1 | COLD_ARM2);
      if (!arm) continue;
      memset(scratch, 0, t->n);
      uint32_t a = t->ent[i].arg[arm == COLD_ARM1 ? 1 : 2];
      if ((g->cold[i] & COLD_ONLY) || cold_cost(g, a, scratch) < 30) {
        g->cold[i] &= (uint8_t)~arm;
        changed = 1;
      }
    }
  }
  mark_hot(g, roots, nroots, scratch);
}

static void emit_entry(cg *g, uint32_t i, LLVMValueRef x) {
  val keep = g->vals[i];
  memset(&g->vals[i], 0, sizeof g->vals[i]);
  g->vals[i].fused = keep.fused;
  g->vals[i].nanprop = propagates_nan(g, &g->tape->ent[i]);
  emit(g, i, x);
}

/* Emits the COLD_ONLY entries under entry i that have no value yet, in
** tape order (operands first), recording them in done[] for clearing. */
static void emit_cold_cone(cg *g, uint32_t i, LLVMValueRef x, uint8_t *done) {
  if (!(g->cold[i] & COLD_ONLY) || done[i]) return;
  done[i] = 1;
  const aj_tape_ent *e = &g->tape->ent[i];
  for (int k = 0; k < e->node->nargs; k++) emit_cold_cone(g, e->arg[k], x, done);
  emit_entry(g, i, x);
}

/* Cold select s: the hot arm's value unless some lane takes the rare arm,
** in which case the cold block computes the rare arm and the select. */
static void emit_cold_select(cg *g, uint32_t s, LLVMValueRef x, uint8_t *done) {
  LLVMBuilderRef b = g->b;
  const aj_tape_ent *e = &g->tape->ent[s];
  int arm1 = (g->cold[s] & COLD_ARM1) != 0;
  LLVMValueRef t, u;
  boolean(g, e->arg[0], &t, &u);
  LLVMValueRef rare = arm1 ? t : LLVMBuildNot(b, t, "");
  LLVMValueRef hot = num(g, e->arg[arm1 ? 2 : 1]);
  if (u) hot = LLVMBuildSelect(b, u, splat(g, NAN), hot, "");
  LLVMValueRef any = reduce_or(g, rare);
  LLVMBasicBlockRef from = LLVMGetInsertBlock(b);
  LLVMValueRef fn = LLVMGetBasicBlockParent(from);
  LLVMBasicBlockRef cold = LLVMAppendBasicBlockInContext(g->c, fn, "cold");
  LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(g->c, fn, "cold.join");
  LLVMBuildCondBr(b, any, cold, join);
  LLVMPositionBuilderAtEnd(b, cold);
  memset(done, 0, g->tape->n);
  g->in_cold = 1;
  emit_cold_cone(g, e->arg[arm1 ? 1 : 2], x, done);
  emit_entry(g, s, x); /* the select itself, both arms now at hand */
  g->in_cold = 0;
  LLVMValueRef full = num(g, s);
  LLVMBasicBlockRef cold_end = LLVMGetInsertBlock(b);
  LLVMBuildBr(b, join);
  LLVMPositionBuilderAtEnd(b, join);
  LLVMValueRef phi = LLVMBuildPhi(b, g->VT, "");
  LLVMValueRef in[2] = {hot, full};
  LLVMBasicBlockRef bb[2] = {from, cold_end};
  LLVMAddIncoming(phi, in, bb, 2);
  /* the cone's values live in the cold block only: forget them */
  for (uint32_t i = 0; i < g->tape->n; i++)
    if (done[i]) {
      int fused = g->vals[i].fused;
      memset(&g->vals[i], 0, sizeof g->vals[i]);
      g->vals[i].fused = fused;
    }
  int fused = g->vals[s].fused, nanprop = g->vals[s].nanprop;
  memset(&g->vals[s], 0, sizeof g->vals[s]);
  g->vals[s].v = phi;
  g->vals[s].fused = fused;
  g->vals[s].nanprop = nanprop;
}

/* Emits the body for the lanes x: every tape entry in order, the
** COLD_ONLY ones inside their cold select's block. */
static void emit_body(cg *g, LLVMValueRef x) {
  uint8_t *done = g->cold + g->tape->n; /* scratch after cold[] */
  for (uint32_t i = 0; i < g->tape->n; i++) {
    if (g->cold[i] & COLD_ONLY) continue;
    if (g->cold[i] & (COLD_ARM1 | COLD_ARM2)) emit_cold_select(g, i, x, done);
    else emit_entry(g, i, x);
  }
}

/* ---- Kernels ----------------------------------------------------------- */

static LLVMValueRef element_ptr(cg *g, LLVMValueRef base, LLVMValueRef i) {
  return LLVMBuildGEP2(g->b, g->T, base, &i, 1, "");
}

static LLVMValueRef masked_load(cg *g, LLVMValueRef p, LLVMValueRef mask) {
  unsigned id = LLVMLookupIntrinsicID("llvm.masked.load", 16);
  LLVMTypeRef tys[2] = {g->VT, g->ptr};
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->m, id, tys, 2);
  LLVMTypeRef fty = LLVMIntrinsicGetType(g->c, id, tys, 2);
  LLVMValueRef args[4] = {
      p,
      LLVMConstInt(LLVMInt32TypeInContext(g->c), g->dt == AJ_F32 ? 4 : 8, 0),
      mask, LLVMConstNull(g->VT)};
  return LLVMBuildCall2(g->b, fty, fn, args, 4, "");
}

static void masked_store(cg *g, LLVMValueRef v, LLVMValueRef p,
                         LLVMValueRef mask) {
  unsigned id = LLVMLookupIntrinsicID("llvm.masked.store", 17);
  LLVMTypeRef tys[2] = {g->VT, g->ptr};
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->m, id, tys, 2);
  LLVMTypeRef fty = LLVMIntrinsicGetType(g->c, id, tys, 2);
  LLVMValueRef args[4] = {
      v, p,
      LLVMConstInt(LLVMInt32TypeInContext(g->c), g->dt == AJ_F32 ? 4 : 8, 0),
      mask};
  LLVMBuildCall2(g->b, fty, fn, args, 4, "");
}

static LLVMValueRef load_vec(cg *g, LLVMValueRef p) {
  LLVMValueRef v = LLVMBuildLoad2(g->b, g->VT, p, "");
  LLVMSetAlignment(v, g->dt == AJ_F32 ? 4 : 8);
  return v;
}

static void store_vec(cg *g, LLVMValueRef v, LLVMValueRef p) {
  LLVMValueRef s = LLVMBuildStore(g->b, v, p);
  LLVMSetAlignment(s, g->dt == AJ_F32 ? 4 : 8);
}

void aj_codegen_target_attrs(aj_llvm_value fn, const aj_target *target) {
  LLVMAddTargetDependentFunctionAttr(fn, "target-cpu", target->cpu);
  if (target->features)
    LLVMAddTargetDependentFunctionAttr(fn, "target-features",
                                       target->features);
  unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
  LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(fn));
  LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(c, kind, 0));
}

/* The kernel being emitted: its arguments and accumulators. */
typedef struct kern {
  int backward;
  LLVMValueRef fn;
  LLVMTypeRef fty;
  LLVMValueRef px, pdy, pout, n, pparams, pdparams;
  LLVMTypeRef AT; /* <W x double>: parameter-gradient accumulators */
  uint32_t nacc;
  /* Limits at +-inf: without runtime parameters the sides to clamp x on
  ** (limit_input: bit 0 -inf, bit 1 +inf), with them fix_infinities and
  ** its scratch arrays for the call. */
  int limit_x, fix_inf;
  LLVMValueRef tx, tdy, tout, tdp;
} kern;

static LLVMValueRef reduce_or(cg *g, LLVMValueRef m) {
  unsigned id = LLVMLookupIntrinsicID("llvm.vector.reduce.or", 21);
  LLVMTypeRef tys[1] = {g->MT};
  LLVMValueRef fn = LLVMGetIntrinsicDeclaration(g->m, id, tys, 1);
  LLVMTypeRef fty = LLVMIntrinsicGetType(g->c, id, tys, 1);
  return LLVMBuildCall2(g->b, fty, fn, &m, 1, "");
}

static LLVMValueRef scalar_at(cg *g, LLVMValueRef base, unsigned j) {
  return LLVMBuildLoad2(g->b, g->T, element_ptr(g, base, LLVMConstInt(g->i64, j, 0)), "");
}

/* Limits at +-inf.  Where x is +-inf and IEEE arithmetic meets an
** indeterminate form (inf*0, inf-inf, inf/inf: x*sigmoid(x) at -inf), a
** root's lane is NaN though the limit exists.  The kernel's own value at
** +-MAX, the largest finite input, is the limit: there the same formula
** is finite and, for every limit of the exponential and polynomial kind,
** already equal to the limit to the dtype's precision.
**
** limit_input, without runtime parameters: the interpreter has found the
** sides where f (f') is indeterminate (spec->fix_inf), and x is clamped
** to -MAX (+MAX) there before the body, one vmaxps (vminps) whose
** unordered case keeps x, so NaN stays NaN.  No branch, and the loop can
** still be unrolled. */
static double largest_finite(const cg *g) {
  return g->dt == AJ_F32 ? FLT_MAX : DBL_MAX;
}

static LLVMValueRef limit_input(cg *g, int sides, LLVMValueRef xv) {
  double big = largest_finite(g);
  LLVMBuilderRef b = g->b;
  if (sides & 1) {
    LLVMValueRef lo = splat(g, -big);
    xv = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, xv, lo, ""), lo, xv, "");
  }
  if (sides & 2) {
    LLVMValueRef hi = splat(g, big);
    xv = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, xv, hi, ""), hi, xv, "");
  }
  return xv;
}

/* fix_infinities, with runtime parameters (the sides can depend on their
** values): lanes at +-inf whose root is NaN (rare: a branch around a cold
** block) take the value at +-MAX got by calling this kernel on it.
** vals[r] are the roots' values (f, or f' then df/dp_k) and are replaced
** in place. */
static void fix_infinities(cg *g, const kern *k, LLVMValueRef xv,
                           LLVMValueRef *vals, unsigned nroots) {
  LLVMBuilderRef b = g->b;
  LLVMValueRef isinf = LLVMBuildFCmp(b, LLVMRealOEQ, intrinsic1(g, "llvm.fabs", xv),
                                     splat(g, INFINITY), "");
  LLVMValueRef bad[65], any = NULL;
  for (unsigned r = 0; r < nroots; r++) {
    bad[r] = LLVMBuildAnd(b, isinf, LLVMBuildFCmp(b, LLVMRealUNO, vals[r], vals[r], ""), "");
    any = mask_or(g, any, bad[r]);
  }
  LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(b));
  LLVMBasicBlockRef from = LLVMGetInsertBlock(b);
  LLVMBasicBlockRef fix = LLVMAppendBasicBlockInContext(g->c, fn, "inf.fix");
  LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(g->c, fn, "inf.join");
  LLVMBuildCondBr(b, reduce_or(g, any), fix, join);
  LLVMPositionBuilderAtEnd(b, fix);
  double big = largest_finite(g);
  LLVMValueRef lim[2][65];
  for (int side = 0; side < 2; side++) {
    LLVMBuildStore(b, LLVMConstReal(g->T, side ? big : -big), k->tx);
    LLVMValueRef one = LLVMConstInt(g->i64, 1, 0);
    if (k->backward) {
      LLVMBuildStore(b, LLVMConstReal(g->T, 1.0), k->tdy);
      for (uint32_t j = 0; j < k->nacc; j++)
        LLVMBuildStore(b, LLVMConstReal(g->T, 0.0), element_ptr(g, k->tdp, LLVMConstInt(g->i64, j, 0)));
      LLVMValueRef a[6] = {k->tx, k->tdy, k->tout, one, k->pparams, k->tdp};
      LLVMBuildCall2(b, k->fty, k->fn, a, 6, "");
    } else {
      LLVMValueRef a[4] = {k->tx, k->tout, one, k->pparams};
      LLVMBuildCall2(b, k->fty, k->fn, a, 4, "");
    }
    lim[side][0] = scalar_at(g, k->tout, 0);
    for (unsigned r = 1; r < nroots; r++) lim[side][r] = scalar_at(g, k->tdp, r - 1);
  }
  LLVMValueRef neg = LLVMBuildFCmp(b, LLVMRealOLT, xv, splat(g, 0.0), "");
  LLVMValueRef fixed[65];
  for (unsigned r = 0; r < nroots; r++) {
    LLVMValueRef l = LLVMBuildSelect(b, neg, splat_value(g, lim[0][r]),
                                     splat_value(g, lim[1][r]), "");
    fixed[r] = LLVMBuildSelect(b, bad[r], l, vals[r], "");
  }
  LLVMBasicBlockRef fix_end = LLVMGetInsertBlock(b);
  LLVMBuildBr(b, join);
  LLVMPositionBuilderAtEnd(b, join);
  for (unsigned r = 0; r < nroots; r++) {
    LLVMValueRef phi = LLVMBuildPhi(b, g->VT, "");
    LLVMValueRef in[2] = {vals[r], fixed[r]};
    LLVMBasicBlockRef bb[2] = {from, fix_end};
    LLVMAddIncoming(phi, in, bb, 2);
    vals[r] = phi;
  }
}

/* The body on one vector: roots from xv, then dx = dy*f' (backward) or
** y = f.  acc[j] += dy*df/dp_j on the lanes of mask (NULL: all lanes).
** Returns the vector to store. */
static LLVMValueRef emit_compute(cg *g, const kern *k, LLVMValueRef xv,
                                 LLVMValueRef dyv, LLVMValueRef mask,
                                 LLVMValueRef *acc) {
  LLVMBuilderRef b = g->b;
  if (k->limit_x) xv = limit_input(g, k->limit_x, xv); /* or fix_inf */
  emit_body(g, xv);
  LLVMValueRef roots[65];
  unsigned nroots = k->backward ? 1 + k->nacc : 1;
  for (unsigned r = 0; r < nroots; r++)
    roots[r] = num(g, k->backward ? g->spec->bwd_roots[r] : g->tape->root[0]);
  if (k->fix_inf) fix_infinities(g, k, xv, roots, nroots);
  if (!k->backward) return roots[0];
  for (uint32_t j = 0; j < k->nacc; j++) {
    LLVMValueRef c = LLVMBuildFMul(b, dyv, roots[1 + j], "");
    if (mask) c = LLVMBuildSelect(b, mask, c, splat(g, 0.0), ""); /* tail: 0 */
    if (g->dt == AJ_F32) c = LLVMBuildFPExt(b, c, k->AT, "");
    acc[j] = LLVMBuildFAdd(b, acc[j], c, "");
  }
  return LLVMBuildFMul(b, dyv, roots[0], "dx");
}

/* Unmasked loads at index i: *xv and, backward, *dyv. */
static void load_inputs(cg *g, const kern *k, LLVMValueRef i, LLVMValueRef mask,
                        LLVMValueRef *xv, LLVMValueRef *dyv) {
  LLVMValueRef px = element_ptr(g, k->px, i);
  *xv = mask ? masked_load(g, px, mask) : load_vec(g, px);
  *dyv = NULL;
  if (k->backward) {
    LLVMValueRef pdy = element_ptr(g, k->pdy, i);
    *dyv = mask ? masked_load(g, pdy, mask) : load_vec(g, pdy);
  }
}

static LLVMValueRef index_const(cg *g, unsigned v) {
  return LLVMConstInt(g->i64, v, 0);
}

/* A rough instruction count of the body (see op_cost).  It decides the
** unrolling: a cheap body needs it to hide the loop's overhead; an
** expensive one has enough independent work and would only cost compile
** time. */
static unsigned body_cost(const aj_tape *t) {
  unsigned cost = 0;
  for (uint32_t i = 0; i < t->n; i++) cost += op_cost((aj_op)t->ent[i].node->op);
  return cost;
}

/* Appends a phi of type ty with incoming (v[j], bb[j]), j < n. */
static LLVMValueRef phi_of(cg *g, LLVMTypeRef ty, LLVMValueRef *v,
                           LLVMBasicBlockRef *bb, unsigned n) {
  LLVMValueRef p = LLVMBuildPhi(g->b, ty, "");
  LLVMAddIncoming(p, v, bb, n);
  return p;
}

/* Streaming stores: a call whose output is at least this large (and
** float-aligned) stores whole vectors with non-temporal stores, which do
** not read the destination's lines first (a DRAM-bound copy moves 8
** instead of 12 bytes per float: 0.21 vs 0.28 ns/element measured here);
** smaller outputs stay in the caches for whoever reads them next. */
#define NT_MIN_BYTES (16u << 20)

/* Whether this target gets the streaming path (x86 with whole vectors of
** at least 16 bytes; the sfence at the end is x86's). */
static int has_streaming(const cg *g) {
  return strncmp(g->target->triple, "x86_64", 6) == 0 && g->W > 1 &&
         g->W * (g->dt == AJ_F32 ? 4u : 8u) >= 16;
}

/* Emits one kernel.  backward: inputs (x, dy), outputs dx and the
** parameter gradients; else x -> y.  Shape (one copy of the body, plus U
** more for a cheap one):
**   entry: streaming = n * sizeof(T) >= NT_MIN_BYTES and the output is
**          T-aligned; then peel = the elements before its next vector-
**          aligned address (0 when not streaming)
**   main:  while n - i >= U*W: U unmasked steps (U > 1, not streaming)
**   loop:  cnt = min(n - i, peel - i if i < peel);
**          cnt >= W: unmasked loads -> body -> store (non-temporal when
**          streaming); 0 < cnt < W: masked loads -> the same body ->
**          masked store (never touching memory past n); cnt = 0: exit
**   exit:  sfence when streaming; dparams[k] += the accumulators' lane
**          sum, in double */
static void emit_kernel(cg *g, const char *name, int backward) {
  kern k;
  memset(&k, 0, sizeof k);
  k.backward = backward;
  LLVMTypeRef args[6] = {g->ptr, g->ptr, g->ptr, g->i64, g->ptr, g->ptr};
  LLVMTypeRef fargs[4] = {g->ptr, g->ptr, g->i64, g->ptr};
  LLVMTypeRef fty = backward
                        ? LLVMFunctionType(LLVMVoidTypeInContext(g->c), args, 6, 0)
                        : LLVMFunctionType(LLVMVoidTypeInContext(g->c), fargs, 4, 0);
  LLVMValueRef fn = LLVMAddFunction(g->m, name, fty);
  aj_codegen_target_attrs(fn, g->target);
  k.fn = fn;
  k.fty = fty;
  k.fix_inf = g->spec->nrparams ? g->spec->fix_inf[backward] : 0;
  k.limit_x = g->spec->nrparams ? 0 : g->spec->fix_inf[backward];
  k.px = LLVMGetParam(fn, 0);
  k.pdy = backward ? LLVMGetParam(fn, 1) : NULL;
  k.pout = LLVMGetParam(fn, backward ? 2 : 1);
  k.n = LLVMGetParam(fn, backward ? 3 : 2);
  k.pparams = LLVMGetParam(fn, backward ? 4 : 3);
  k.pdparams = backward ? LLVMGetParam(fn, 5) : NULL;
  LLVMTypeRef D = LLVMDoubleTypeInContext(g->c);
  LLVMTypeRef I1 = LLVMInt1TypeInContext(g->c);
  k.AT = LLVMVectorType(D, g->W);
  k.nacc = backward ? g->spec->nrparams : 0;
  if (k.nacc > 64) k.nacc = 64, g->why = "more than 64 runtime parameters";
  unsigned cost = body_cost(g->tape);
  unsigned unroll = k.fix_inf ? 1 : cost <= 8 ? 4 : cost <= 24 ? 2 : 1;
  unsigned esize = g->dt == AJ_F32 ? 4 : 8, vbytes = g->W * esize;
  int streaming = has_streaming(g);

  LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->c, fn, "entry");
  LLVMBasicBlockRef mhead = NULL, mbody = NULL;
  if (unroll > 1) {
    mhead = LLVMAppendBasicBlockInContext(g->c, fn, "main.head");
    mbody = LLVMAppendBasicBlockInContext(g->c, fn, "main.body");
  }
  LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(g->c, fn, "loop.head");
  LLVMBasicBlockRef full = LLVMAppendBasicBlockInContext(g->c, fn, "loop.full");
  LLVMBasicBlockRef check = LLVMAppendBasicBlockInContext(g->c, fn, "loop.check");
  LLVMBasicBlockRef tail = LLVMAppendBasicBlockInContext(g->c, fn, "loop.tail");
  LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->c, fn, "loop.body");
  LLVMBasicBlockRef fstore = LLVMAppendBasicBlockInContext(g->c, fn, "loop.store");
  LLVMBasicBlockRef ntstore = streaming ? LLVMAppendBasicBlockInContext(g->c, fn, "loop.ntstore") : NULL;
  LLVMBasicBlockRef next = streaming ? LLVMAppendBasicBlockInContext(g->c, fn, "loop.next") : NULL;
  LLVMBasicBlockRef tstore = LLVMAppendBasicBlockInContext(g->c, fn, "tail.store");
  LLVMBasicBlockRef exit = LLVMAppendBasicBlockInContext(g->c, fn, "exit");
  LLVMBuilderRef b = g->b;
  LLVMValueRef zero_acc[64];
  for (uint32_t j = 0; j < k.nacc; j++) zero_acc[j] = LLVMConstNull(k.AT);

  /* entry: scratch for the limits at +-inf; runtime parameters as splats;
  ** the streaming decision and the peel */
  LLVMPositionBuilderAtEnd(b, entry);
  if (k.fix_inf) {
    k.tx = LLVMBuildAlloca(b, g->T, "lim.x");
    k.tdy = LLVMBuildAlloca(b, g->T, "lim.dy");
    k.tout = LLVMBuildAlloca(b, g->T, "lim.out");
    k.tdp = LLVMBuildArrayAlloca(b, g->T, LLVMConstInt(g->i64, k.nacc ? k.nacc : 1, 0), "lim.dp");
  }
  for (uint32_t j = 0; j < g->spec->nrparams; j++) {
    LLVMValueRef p = LLVMBuildLoad2(b, g->T, element_ptr(g, k.pparams, index_const(g, j)), "");
    g->pvals[j] = splat_value(g, p);
  }
  LLVMValueRef nt = LLVMConstInt(I1, 0, 0), peel = index_const(g, 0);
  if (streaming) {
    LLVMValueRef addr = LLVMBuildPtrToInt(b, k.pout, g->i64, "");
    LLVMValueRef big = LLVMBuildICmp(b, LLVMIntUGE, k.n,
                                     index_const(g, NT_MIN_BYTES / esize), "");
    LLVMValueRef aligned = LLVMBuildICmp(
        b, LLVMIntEQ, LLVMBuildAnd(b, addr, index_const(g, esize - 1), ""),
        index_const(g, 0), "");
    nt = LLVMBuildAnd(b, big, aligned, "streaming");
    LLVMValueRef mis = LLVMBuildAnd(b, LLVMBuildSub(b, index_const(g, 0), addr, ""),
                                    index_const(g, vbytes - 1), "");
    peel = LLVMBuildSelect(b, nt, LLVMBuildUDiv(b, mis, index_const(g, esize), ""),
                           index_const(g, 0), "peel");
  }
  if (mhead && streaming) LLVMBuildCondBr(b, nt, head, mhead);
  else LLVMBuildBr(b, mhead ? mhead : head);

  /* main (cheap bodies, not streaming): U unmasked steps per iteration */
  LLVMValueRef macc[64], acc[64], mi = NULL;
  if (mhead) {
    LLVMPositionBuilderAtEnd(b, mhead);
    mi = LLVMBuildPhi(b, g->i64, "i");
    for (uint32_t j = 0; j < k.nacc; j++) macc[j] = LLVMBuildPhi(b, k.AT, "acc");
    LLVMValueRef left = LLVMBuildSub(b, k.n, mi, "");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntUGE, left,
                                     index_const(g, unroll * g->W), ""),
                    mbody, head);
    LLVMPositionBuilderAtEnd(b, mbody);
    for (uint32_t j = 0; j < k.nacc; j++) acc[j] = macc[j];
    for (unsigned u = 0; u < unroll; u++) {
      LLVMValueRef iu = LLVMBuildAdd(b, mi, index_const(g, u * g->W), "");
      LLVMValueRef xv, dyv;
      load_inputs(g, &k, iu, NULL, &xv, &dyv);
      store_vec(g, emit_compute(g, &k, xv, dyv, NULL, acc),
                element_ptr(g, k.pout, iu));
    }
    LLVMValueRef mnext = LLVMBuildAdd(b, mi, index_const(g, unroll * g->W), "");
    LLVMBasicBlockRef mbody_end = LLVMGetInsertBlock(b);
    LLVMBuildBr(b, mhead);
    LLVMValueRef mi_in[2] = {index_const(g, 0), mnext};
    LLVMBasicBlockRef mi_bb[2] = {entry, mbody_end};
    LLVMAddIncoming(mi, mi_in, mi_bb, 2);
    for (uint32_t j = 0; j < k.nacc; j++) {
      LLVMValueRef in[2] = {zero_acc[j], acc[j]};
      LLVMAddIncoming(macc[j], in, mi_bb, 2);
    }
  }

  /* loop.head: i and the accumulators; cnt, this step's element count */
  LLVMPositionBuilderAtEnd(b, head);
  LLVMValueRef i = LLVMBuildPhi(b, g->i64, "j");
  LLVMValueRef racc[64];
  for (uint32_t j = 0; j < k.nacc; j++) racc[j] = LLVMBuildPhi(b, k.AT, "racc");
  LLVMValueRef rem = LLVMBuildSub(b, k.n, i, "rem");
  LLVMValueRef cnt = rem;
  if (streaming) {
    LLVMValueRef to_peel = LLVMBuildSub(b, peel, i, "");
    LLVMValueRef peeling = LLVMBuildICmp(b, LLVMIntULT, i, peel, "");
    LLVMValueRef want = LLVMBuildSelect(b, peeling, to_peel, rem, "");
    cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, want, rem, ""), want,
                          rem, "cnt");
  }
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntUGE, cnt, index_const(g, g->W), ""),
                  full, check);
  LLVMValueRef fx, fdy, tx, tdy;
  LLVMPositionBuilderAtEnd(b, full);
  load_inputs(g, &k, i, NULL, &fx, &fdy);
  LLVMBuildBr(b, body);
  LLVMPositionBuilderAtEnd(b, check);
  LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, cnt, index_const(g, 0), ""),
                  exit, tail);
  LLVMPositionBuilderAtEnd(b, tail);
  LLVMValueRef lanes[16];
  for (unsigned l = 0; l < g->W; l++) lanes[l] = index_const(g, l);
  LLVMValueRef tmask = LLVMBuildICmp(b, LLVMIntULT, LLVMConstVector(lanes, g->W),
                                     splat_value(g, cnt), "mask");
  load_inputs(g, &k, i, tmask, &tx, &tdy);
  LLVMBuildBr(b, body);

  /* loop.body: the one copy, on a whole vector or on a masked part */
  LLVMPositionBuilderAtEnd(b, body);
  LLVMBasicBlockRef in_bb[2] = {full, tail};
  LLVMValueRef in_x[2] = {fx, tx}, in_dy[2] = {fdy, tdy};
  LLVMValueRef xv = phi_of(g, g->VT, in_x, in_bb, 2);
  LLVMValueRef dyv = backward ? phi_of(g, g->VT, in_dy, in_bb, 2) : NULL;
  LLVMValueRef ones[2] = {LLVMConstAllOnes(g->MT), tmask};
  LLVMValueRef mask = phi_of(g, g->MT, ones, in_bb, 2);
  LLVMValueRef flags[2] = {LLVMConstInt(I1, 0, 0), LLVMConstInt(I1, 1, 0)};
  LLVMValueRef is_tail = phi_of(g, I1, flags, in_bb, 2);
  for (uint32_t j = 0; j < k.nacc; j++) acc[j] = racc[j];
  LLVMValueRef result = emit_compute(g, &k, xv, dyv, k.nacc ? mask : NULL, acc);
  LLVMValueRef pout = element_ptr(g, k.pout, i);
  LLVMBuildCondBr(b, is_tail, tstore, fstore);
  LLVMPositionBuilderAtEnd(b, fstore);
  LLVMValueRef inext = LLVMBuildAdd(b, i, index_const(g, g->W), "");
  if (streaming) {
    LLVMBuildCondBr(b, nt, ntstore, next);
    LLVMPositionBuilderAtEnd(b, ntstore);
    LLVMValueRef st = LLVMBuildStore(b, result, pout);
    LLVMSetAlignment(st, vbytes); /* the peel aligned it */
    LLVMMetadataRef one = LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(g->c), 1, 0));
    LLVMSetMetadata(st, LLVMGetMDKindIDInContext(g->c, "nontemporal", 11),
                    LLVMMetadataAsValue(g->c, LLVMMDNodeInContext2(g->c, &one, 1)));
    LLVMBuildBr(b, head);
    LLVMPositionBuilderAtEnd(b, next);
  }
  store_vec(g, result, pout);
  LLVMBuildBr(b, head);
  LLVMPositionBuilderAtEnd(b, tstore);
  masked_store(g, result, pout, mask);
  LLVMValueRef tnext = LLVMBuildAdd(b, i, cnt, "");
  LLVMBuildBr(b, head);
  /* i's incoming edges: the start (entry or main.head), the stores */
  LLVMValueRef i_in[5];
  LLVMBasicBlockRef i_bb[5];
  LLVMValueRef *a_in[5];
  unsigned ne = 0;
  if (mhead) {
    i_in[ne] = mi, i_bb[ne] = mhead, a_in[ne++] = macc;
    if (streaming) i_in[ne] = index_const(g, 0), i_bb[ne] = entry, a_in[ne++] = zero_acc;
  } else {
    i_in[ne] = index_const(g, 0), i_bb[ne] = entry, a_in[ne++] = zero_acc;
  }
  if (streaming) i_in[ne] = inext, i_bb[ne] = ntstore, a_in[ne++] = acc;
  i_in[ne] = inext, i_bb[ne] = streaming ? next : fstore, a_in[ne++] = acc;
  i_in[ne] = tnext, i_bb[ne] = tstore, a_in[ne++] = acc;
  LLVMAddIncoming(i, i_in, i_bb, ne);
  for (uint32_t j = 0; j < k.nacc; j++) {
    LLVMValueRef in[5];
    for (unsigned e = 0; e < ne; e++) in[e] = a_in[e][j];
    LLVMAddIncoming(racc[j], in, i_bb, ne);
  }

  /* exit: the streaming stores' fence; dparams[j] += the lanes' sum (in
  ** lane order, in double: one rounding to T at the end; deterministic) */
  LLVMPositionBuilderAtEnd(b, exit);
  if (streaming) {
    LLVMBasicBlockRef fence = LLVMAppendBasicBlockInContext(g->c, fn, "fence");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->c, fn, "done");
    LLVMBuildCondBr(b, nt, fence, done);
    LLVMPositionBuilderAtEnd(b, fence);
    unsigned id = LLVMLookupIntrinsicID("llvm.x86.sse.sfence", 19);
    LLVMBuildCall2(b, LLVMIntrinsicGetType(g->c, id, NULL, 0),
                   LLVMGetIntrinsicDeclaration(g->m, id, NULL, 0), NULL, 0, "");
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
  }
  for (uint32_t j = 0; j < k.nacc; j++) {
    unsigned id = LLVMLookupIntrinsicID("llvm.vector.reduce.fadd", 23);
    LLVMTypeRef tys[1] = {k.AT};
    LLVMValueRef rf = LLVMGetIntrinsicDeclaration(g->m, id, tys, 1);
    LLVMTypeRef rty = LLVMIntrinsicGetType(g->c, id, tys, 1);
    LLVMValueRef p = element_ptr(g, k.pdparams, index_const(g, j));
    LLVMValueRef old = LLVMBuildLoad2(b, g->T, p, "");
    if (g->dt == AJ_F32) old = LLVMBuildFPExt(b, old, D, "");
    LLVMValueRef ra[2] = {old, racc[j]};
    LLVMValueRef sum = LLVMBuildCall2(b, rty, rf, ra, 2, "");
    if (g->dt == AJ_F32) sum = LLVMBuildFPTrunc(b, sum, g->T, "");
    LLVMBuildStore(b, sum, p);
  }
  LLVMBuildRetVoid(b);
}

/* Emits fwd and/or bwd (kinds) for one dtype. */
static void emit_dtype(cg *g, aj_dtype dt, const char *prefix, unsigned kinds) {
  g->dt = dt;
  g->T = dt == AJ_F32 ? LLVMFloatTypeInContext(g->c)
                      : LLVMDoubleTypeInContext(g->c);
  unsigned w32 = g->spec->width32 ? g->spec->width32 : g->target->width32;
  g->W = dt == AJ_F32 ? w32 : (w32 > 1 ? w32 / 2 : 1);
  g->VT = LLVMVectorType(g->T, g->W);
  g->MT = LLVMVectorType(LLVMInt1TypeInContext(g->c), g->W);
  char name[96];
  for (int backward = 0; backward < 2; backward++) {
    if (!(kinds & (backward ? AJ_KERNEL_BWD : AJ_KERNEL_FWD))) continue;
    g->tape = backward ? g->spec->bwd : g->spec->fwd;
    const aj_tape *t = g->tape;
    memset(g->vals, 0, t->n * sizeof *g->vals);
    memset(g->uses, 0, t->n * sizeof *g->uses);
    for (uint32_t i = 0; i < t->n; i++)
      for (int k = 0; k < t->ent[i].node->nargs; k++) g->uses[t->ent[i].arg[k]]++;
    /* roots are used by the kernel itself: never fuse them away */
    if (backward)
      for (uint32_t k = 0; k <= g->spec->nrparams; k++)
        g->uses[g->spec->bwd_roots[k]] += 2;
    else
      g->uses[t->root[0]] += 2;
    plan_final(g, backward);
    plan_fusion(g);
    uint32_t roots[65];
    unsigned nroots = 1;
    if (backward)
      for (nroots = 0; nroots <= g->spec->nrparams && nroots < 65; nroots++)
        roots[nroots] = g->spec->bwd_roots[nroots];
    else
      roots[0] = t->root[0];
    plan_cold(g, roots, nroots, g->cold + t->n);
    snprintf(name, sizeof name, "%s_%s", prefix, backward ? "bwd" : "fwd");
    emit_kernel(g, name, backward);
  }
}

aj_llvm_module aj_codegen(aj_llvm_context lctx, const aj_target *target,
                          const aj_kernel_spec *spec, const char *prefix,
                          unsigned kinds, const char **why) {
  cg g;
  memset(&g, 0, sizeof g);
  g.c = lctx;
  g.target = target;
  g.spec = spec;
  g.m = LLVMModuleCreateWithNameInContext(prefix, lctx);
  g.b = LLVMCreateBuilderInContext(lctx);
  g.i64 = LLVMInt64TypeInContext(lctx);
  g.ptr = LLVMPointerTypeInContext(lctx, 0);
  uint32_t nmax = spec->fwd->n > spec->bwd->n ? spec->fwd->n : spec->bwd->n;
  LLVMValueRef pv[64];
  g.pvals = pv;
  g.vals = calloc(nmax ? nmax : 1, sizeof *g.vals);
  g.uses = calloc(nmax ? nmax : 1, sizeof *g.uses);
  g.cold = calloc(2 * (size_t)(nmax ? nmax : 1), 1); /* cold[] + scratch */
  g.final = calloc(nmax ? nmax : 1, 1);
  if (!g.vals || !g.uses || !g.cold || !g.final) g.why = "out of memory";
  if (spec->nrparams > 64) g.why = "more than 64 runtime parameters";
  if (!g.why) {
    emit_dtype(&g, spec->dtype, prefix, kinds);
  }
  free(g.vals);
  free(g.uses);
  free(g.cold);
  free(g.final);
  LLVMDisposeBuilder(g.b);
  if (g.why) {
    *why = g.why;
    LLVMDisposeModule(g.m);
    return NULL;
  }
  return g.m;
}
