/*
** ops.c: the operator table instantiated from ops.def, the float64
** semantics of every operator (the reference interpreter's arithmetic,
** shared with constant folding so the two can never disagree), and the
** lookup of built-in function names.
*/
#include <math.h>
#include <string.h>

#include "node.h"

/* NaN-propagating logic: a comparison with a NaN operand is NaN, and a
** select on NaN is NaN (docs/semantics.md). */
static double aj_lt(double a, double b) {
  return isnan(a) || isnan(b) ? NAN : (double)(a < b);
}
static double aj_le(double a, double b) {
  return isnan(a) || isnan(b) ? NAN : (double)(a <= b);
}
static double aj_eq(double a, double b) {
  return isnan(a) || isnan(b) ? NAN : (double)(a == b);
}
static double aj_not(double a) { return isnan(a) ? NAN : (double)(a == 0); }
static double aj_and(double a, double b) {
  return isnan(a) || isnan(b) ? NAN : (double)(a != 0 && b != 0);
}
static double aj_or(double a, double b) {
  return isnan(a) || isnan(b) ? NAN : (double)(a != 0 || b != 0);
}
static double aj_select(double c, double a, double b) {
  return isnan(c) ? NAN : c != 0 ? a : b;
}
/* IEEE 754-2019 maximum/minimum (torch.maximum/minimum): NaN wins and
** -0 < +0, so both are commutative to the bit (LLVM: llvm.maximum). */
static double aj_max(double a, double b) {
  if (isnan(a) || isnan(b)) return NAN;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
static double aj_min(double a, double b) {
  if (isnan(a) || isnan(b)) return NAN;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}
/* torch.clamp(v, lo, hi) = min(max(v, lo), hi). */
static double aj_clamp(double v, double lo, double hi) {
  return aj_min(aj_max(v, lo), hi);
}
/* sign(±0) = ±0, sign(NaN) = NaN. */
static double aj_sign(double a) { return a > 0 ? 1.0 : a < 0 ? -1.0 : a; }
/* Round half to even, independent of the current rounding mode. */
static double aj_round_even(double a) {
  double r = round(a); /* half away from zero */
  if (fabs(a - trunc(a)) == 0.5) r = 2.0 * round(a / 2.0);
  return r;
}
/* 1/(1+e^-u) without overflow: e = e^-|u| is in (0, 1]. */
static double aj_sigmoid(double u) {
  double e = exp(-fabs(u));
  return u >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}
/* log(1+e^u) = max(u,0) + log1p(e^-|u|). */
static double aj_log1pexp(double u) {
  if (isnan(u)) return u;
  return fmax(u, 0.0) + log1p(exp(-fabs(u)));
}

/* Phi(u) = erfc(-u/sqrt2)/2 with -u/sqrt2 = a + al exactly enough (1/sqrt2
** in two parts, the product's rounding from fma): erfc(a + al) =
** erfc(a) - al 2/sqrt(pi) e^(-a^2) to first order.  Without al, erfc's
** condition number 2a^2 + 1 turns the rounding of a into 6 ULP at u = -6. */
static double aj_normcdf(double u) {
  const double hi = 0x1.6a09e667f3bcdp-1, lo = -0x1.bdd3413b26456p-55;
  double a = -u * hi;
  if (!isfinite(a)) return 0.5 * erfc(a);
  double al = fma(-u, hi, -a) - u * lo;
  return 0.5 * (erfc(a) - al * M_2_SQRTPI * exp(-a * a));
}

/* Phi(u) + v phi(u), phi(u) = e^(-u^2/2)/sqrt(2 pi), the square exact
** (fma) so that e^(-u^2/2) is good to 2^-52 relative; phi is 0 beyond
** |u| = 40 (below 2^-1154). */
static double aj_normcdf_vpdf(double u, double v) {
  double phi = 0;
  if (fabs(u) < 40) {
    double h = u * u, l = fma(u, u, -h);
    phi = exp(-0.5 * h) * (1 - 0.5 * l) * 0.3989422804014327;
  }
  return aj_normcdf(u) + v * (isnan(u) ? u : phi);
}

const aj_opinfo aj_ops[AJ_OP_COUNT] = {
#define AJ_OP(id, sp, al, ar, k, p, f, ev, d) \
  {sp, al, ar, AJ_K_##k, p, f, d},
#include "ops.def"
#undef AJ_OP
};

double aj_op_eval(aj_op op, double a, double b, double c) {
  (void)b;
  (void)c;
  switch (op) {
#define AJ_OP(id, sp, al, ar, k, p, f, ev, d) \
  case AJ_##id:                               \
    return (double)(ev);
#include "ops.def"
#undef AJ_OP
  default:
    return NAN;
  }
}

int aj_op_by_name(const char *name, uint32_t n) {
  for (int op = 0; op < AJ_OP_COUNT; op++) {
    const aj_opinfo *o = &aj_ops[op];
    if (o->kind == AJ_K_FN && strlen(o->spelling) == n &&
        memcmp(o->spelling, name, n) == 0)
      return op;
    if (o->alias && strlen(o->alias) == n && memcmp(o->alias, name, n) == 0)
      return op;
  }
  return -1;
}
