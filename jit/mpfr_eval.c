/*
** mpfr_eval.c: the exact reference: an expression's tape evaluated by MPFR,
** with the float64 interpreter's structure (eval.c) and ops.c's semantics
** for every operator (NaN-propagating logic, IEEE 754-2019 min/max, round
** half to even, sigmoid and log1pexp without overflow).
**
** "Exact" is checked, not assumed.  Next to each value the evaluation keeps
** a first-order bound on its relative error, in units of 2^-prec (a running
** error analysis: every rounding adds one unit; a sum carries its operands'
** absolute errors, so a cancellation scales the bound up; a function
** multiplies it by its condition number).  A comparison, select, rounding
** to an integer or sign whose outcome is within the bound of flipping makes
** the bound infinite.  When the root's bound leaves fewer than 64 good bits
** (prec >= 128), the tape is evaluated again at twice the precision, up to
** MAX_PREC bits: x - tanh(x) at x = 1e-30 or exp(x) - 1 at x = 1e-20 come
** out right, not as the 128-bit rounding noise.
**
** At x = +-inf the result is the limit as doubles see it (aj_mpfr_eval):
** the IEEE value where the values at the largest doubles do not settle on
** one double, and a growth or decay test where the IEEE value is NaN.  erfc of
** arguments >= 3.5 goes through its continued fraction (mpfr_erfc takes up
** to a millisecond there), and so does normcdf below -4.95 (its argument
** -x/sqrt2 carried at the extra precision that erfc's condition number
** asks for); everything else is MPFR's, correctly rounded.
**
** Thread-safe: the only state besides the caller's is MPFR's own, which is
** per thread (the exponent range is widened for the call; it and the
** flags are restored).
** Must not print, abort or leak; on allocation failure the result is NaN.
*/
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <mpfr.h>

#include "accuracy.h"

#define MAX_PREC 2048      /* the most bits a retry goes to */
#define STACK_ENTS 64      /* tapes this short are evaluated on the stack */
#define STACK_LIMBS 4      /* ... when prec needs at most this many limbs */
#define NTEMP 3            /* scratch values after the tape's */

/* The values of one evaluation: v[0..n) the tape's, v[n..n+NTEMP) scratch;
** err[i] bounds v[i]'s relative error in units of 2^-prec (0: exact,
** +inf: unknown, even in sign or in being zero). */
typedef struct work {
  mpfr_t *v;
  double *err;
  mpfr_prec_t prec;
} work;

/* ---- Error bounds ------------------------------------------------------- */

/* 1 if the value v with error bound e might be zero (or is NaN-free but of
** unknown sign): its relative error may reach 1. */
static int maybe_zero(const work *w, double e) {
  return !(e < ldexp(1.0, (int)w->prec - 1));
}

/* log2 of |v|'s upper bound 2^exp (v finite, nonzero). */
static double lg2(const mpfr_t v) { return (double)mpfr_get_exp(v); }

/* 1 if the order of a and b (bounds ea, eb) may differ from the exact
** values' order: |a - b| is within twice their absolute errors.  Exact or
** non-finite operands compare for certain.  t is scratch. */
static int maybe_equal(work *w, mpfr_ptr t, const mpfr_t a, double ea,
                       const mpfr_t b, double eb) {
  if ((ea == 0 && eb == 0) || !mpfr_number_p(a) || !mpfr_number_p(b))
    return 0;
  if (isinf(ea) || isinf(eb) || isnan(ea) || isnan(eb)) return 1;
  mpfr_sub(t, a, b, MPFR_RNDN);
  if (mpfr_zero_p(t)) return 1;
  double bound = -INFINITY; /* log2 of the absolute error bound */
  if (ea > 0 && !mpfr_zero_p(a)) bound = lg2(a) + log2(ea);
  if (eb > 0 && !mpfr_zero_p(b) && lg2(b) + log2(eb) > bound)
    bound = lg2(b) + log2(eb);
  /* |t| >= 2^(exp(t)-1); the errors add up to < 2^(bound+1-prec) */
  return lg2(t) - 1 <= bound + 2 - (double)w->prec;
}

/* 1 if v (bound e, |v| < 2^52) is within its error of a point where a
** step function jumps: an integer, or (half) an integer plus one half. */
static int near_jump(work *w, mpfr_ptr t, const mpfr_t v, double e, int half) {
  if (e == 0 || !mpfr_number_p(v)) return 0;
  if (isinf(e) || isnan(e)) return 1;
  if (half) {
    mpfr_floor(t, v);
    mpfr_add_d(t, t, 0.5, MPFR_RNDN);
  } else {
    mpfr_rint(t, v, MPFR_RNDN);
  }
  mpfr_sub(t, v, t, MPFR_RNDN);
  if (mpfr_zero_p(t)) return 1;
  if (mpfr_zero_p(v)) return 0;
  return lg2(t) - 1 <= lg2(v) + log2(e) + 2 - (double)w->prec;
}

/* The condition number |a f'(a) / f(a)| of unary op at a (result r), or an
** upper bound of it; +inf where it is unbounded. */
static double condition(aj_op op, const mpfr_t a, const mpfr_t r) {
  double x = mpfr_get_d(a, MPFR_RNDN), y = mpfr_get_d(r, MPFR_RNDN);
  double ax = fabs(x), c;
  switch (op) {
  case AJ_EXP: return ax;
  case AJ_EXP2: return ax * M_LN2;
  case AJ_EXPM1: return x > 0 ? x + 1 : 1;
  case AJ_LOG: c = 1 / fabs(y); break;
  case AJ_LOG2: c = 1 / fabs(y * M_LN2); break;
  case AJ_LOG10: c = 1 / fabs(y * M_LN10); break;
  case AJ_LOG1P: c = fabs(x / ((1 + x) * y)); break;
  case AJ_SQRT: return 0.5;
  case AJ_CBRT: return 1.0 / 3;
  case AJ_SIN:
  case AJ_COS: c = ax / fabs(y); break;
  case AJ_TAN: c = ax * (1 / fabs(y) + fabs(y)); break;
  case AJ_ASIN:
  case AJ_ACOS: c = ax / (sqrt((1 - x) * (1 + x)) * fabs(y)); break;
  case AJ_SINH: return ax + 1;
  case AJ_COSH: return ax;
  case AJ_ACOSH: c = ax / (sqrt(x - 1) * sqrt(x + 1) * fabs(y)); break;
  case AJ_ATANH: c = ax / ((1 - x) * (1 + x) * fabs(y)); break;
  case AJ_ERFC: return x > 0 ? 2 * x * x + 1 : 1;
  /* x phi(x)/Phi(x) < x^2 + 1 for x < 0 (Mills' ratio), < 0.49 above */
  case AJ_NORMCDF: return x < 0 ? x * x + 1 : 1;
  case AJ_SIGMOID:
  case AJ_LOG1PEXP: return x < 0 ? ax + 1 : 1;
  default: return 1; /* atan, tanh, asinh, erf: at most 1 */
  }
  return isnan(c) ? INFINITY : c;
}

/* ---- Semantics (ops.c) --------------------------------------------------- */

/* IEEE 754-2019 maximum/minimum: NaN wins, -0 < +0.  Returns which operand
** is the result (0: a, 1: b), or -1 for NaN (r set). */
static int pick_max(mpfr_ptr r, const mpfr_t a, const mpfr_t b, int is_max) {
  if (mpfr_nan_p(a) || mpfr_nan_p(b)) {
    mpfr_set_nan(r);
    return -1;
  }
  int take_b;
  if (mpfr_equal_p(a, b))
    take_b = is_max ? mpfr_signbit(a) != 0 : mpfr_signbit(a) == 0;
  else
    take_b = is_max ? mpfr_less_p(a, b) : mpfr_greater_p(a, b);
  mpfr_set(r, take_b ? b : a, MPFR_RNDN);
  return take_b;
}

/* 1/(1+e^-u) without overflow: e = e^-|u| in (0, 1]. */
static void sigmoid(mpfr_ptr r, const mpfr_t u, mpfr_ptr e) {
  if (mpfr_nan_p(u)) {
    mpfr_set_nan(r);
    return;
  }
  mpfr_abs(e, u, MPFR_RNDN);
  mpfr_neg(e, e, MPFR_RNDN);
  mpfr_exp(e, e, MPFR_RNDN);
  if (mpfr_sgn(u) >= 0) {
    mpfr_add_ui(r, e, 1, MPFR_RNDN);
    mpfr_ui_div(r, 1, r, MPFR_RNDN);
  } else {
    mpfr_add_ui(r, e, 1, MPFR_RNDN);
    mpfr_div(r, e, r, MPFR_RNDN);
  }
}

/* log(1+e^u) = u + log1p(e^-u) for u > 0, else log1p(e^u). */
static void log1pexp(mpfr_ptr r, const mpfr_t u, mpfr_ptr e) {
  if (mpfr_nan_p(u)) {
    mpfr_set_nan(r);
    return;
  }
  if (mpfr_sgn(u) > 0) {
    mpfr_neg(e, u, MPFR_RNDN);
    mpfr_exp(e, e, MPFR_RNDN);
    mpfr_log1p(e, e, MPFR_RNDN);
    mpfr_add(r, u, e, MPFR_RNDN);
  } else {
    mpfr_exp(e, u, MPFR_RNDN);
    mpfr_log1p(r, e, MPFR_RNDN);
  }
}

/* The denominator t_n = a + (1/2)/(a + (2/2)/(a + ... (n/2)/a)) of erfc's
** continued fraction, evaluated backward at t's precision. */
static void erfc_cf_den(mpfr_ptr t, mpfr_ptr u, mpfr_srcptr a, long n) {
  mpfr_set(t, a, MPFR_RNDN);
  for (long k = n; k >= 1; k--) {
    mpfr_ui_div(u, (unsigned long)k, t, MPFR_RNDN);
    mpfr_div_2ui(u, u, 1, MPFR_RNDN);
    mpfr_add(t, a, u, MPFR_RNDN);
  }
}

/* erfc(a) for a >= 3.5 at precision p <= 320, where mpfr_erfc takes up to
** a millisecond (it cancels 1 - erf):
**   erfc(a) = e^(-a^2) / (sqrt(pi) (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))))
** The fraction's coefficients are positive, so consecutive convergents
** bracket the value: depth n is accepted when depths n and n + 1 agree to
** 2^-(p+8).  Returns 0 with r rounded to p bits (error < 2 units), or -1
** when it did not converge (the caller then uses mpfr_erfc). */
static int erfc_cf(mpfr_ptr r, mpfr_srcptr a, mpfr_prec_t p) {
  double ad = mpfr_get_d(a, MPFR_RNDN), scale = (double)p / 128;
  mpfr_prec_t q = p + 32 + 2 * (mpfr_prec_t)mpfr_get_exp(a);
  long n = (long)(scale * scale * (1500 / (ad * ad) + 20)) + 1;
  int ok = -1;
  mpfr_t t, t1, u;
  mpfr_inits2(q, t, t1, u, (mpfr_ptr)0);
  for (int tries = 0; tries < 3 && ok; tries++, n *= 2) {
    erfc_cf_den(t, u, a, n);
    erfc_cf_den(t1, u, a, n + 1);
    mpfr_sub(u, t, t1, MPFR_RNDN);
    if (mpfr_zero_p(u) ||
        mpfr_get_exp(u) < mpfr_get_exp(t) - (mpfr_exp_t)p - 8)
      ok = 0;
  }
  if (!ok) {
    mpfr_sqr(u, a, MPFR_RNDN);
    mpfr_neg(u, u, MPFR_RNDN);
    mpfr_exp(u, u, MPFR_RNDN);
    mpfr_div(u, u, t, MPFR_RNDN);
    mpfr_const_pi(t1, MPFR_RNDN);
    mpfr_sqrt(t1, t1, MPFR_RNDN);
    mpfr_div(r, u, t1, MPFR_RNDN);
  }
  mpfr_clears(t, t1, u, (mpfr_ptr)0);
  return ok;
}

/* Phi(a) = erfc(-a/sqrt2)/2 at precision p, a exact.  -a/sqrt2 is carried
** at p + 16 + 2 exp(a) bits, so that its rounding times erfc's condition
** number a^2 + 1 stays below 2^-(p+12); the halving is exact (the exponent
** range is wide).  Returns the error of r in units of 2^-p: erfc's (1, or
** 2 from the continued fraction), plus 1 for the argument. */
static int normcdf(mpfr_ptr r, mpfr_srcptr a, mpfr_prec_t p) {
  mpfr_prec_t q = p + 16;
  if (mpfr_regular_p(a) && mpfr_get_exp(a) > 0) q += 2 * mpfr_get_exp(a);
  mpfr_t u;
  mpfr_init2(u, q);
  mpfr_sqrt_ui(u, 2, MPFR_RNDN);
  int iu = mpfr_div(u, a, u, MPFR_RNDN) != 0;
  mpfr_neg(u, u, MPFR_RNDN);
  int inex;
  if (mpfr_number_p(u) && mpfr_cmp_d(u, 3.5) >= 0 && p <= 320 &&
      erfc_cf(r, u, p) == 0)
    inex = 2;
  else
    inex = mpfr_erfc(r, u, MPFR_RNDN) != 0;
  mpfr_div_2ui(r, r, 1, MPFR_RNDN);
  mpfr_clear(u);
  return inex + iu;
}

/* Phi(a) + b phi(a), phi(a) = e^(-a^2/2)/sqrt(2 pi), rounded to r's
** precision p from terms computed at q = p + 24 + 2 exp(a) bits (e^(-a^2/2)
** has condition a^2; Phi's argument is carried by normcdf itself).
** Returns the error of r in units of 2^-p: 1 for the final rounding plus
** the terms' errors (a few units of 2^-q each) scaled by the cancellation
** (|Phi| + |b phi|)/|r|; INT_MAX where the sum cancels to 0. */
static int normcdf_vpdf(mpfr_ptr r, mpfr_srcptr a, mpfr_srcptr b,
                        mpfr_prec_t p) {
  mpfr_prec_t q = p + 24;
  if (mpfr_regular_p(a) && mpfr_get_exp(a) > 0) q += 2 * mpfr_get_exp(a);
  mpfr_t P, f, c;
  mpfr_inits2(q, P, f, c, (mpfr_ptr)0);
  normcdf(P, a, q);
  mpfr_sqr(f, a, MPFR_RNDN);
  mpfr_div_2ui(f, f, 1, MPFR_RNDN);
  mpfr_neg(f, f, MPFR_RNDN);
  mpfr_exp(f, f, MPFR_RNDN);
  mpfr_const_pi(c, MPFR_RNDN);
  mpfr_mul_2ui(c, c, 1, MPFR_RNDN);
  mpfr_sqrt(c, c, MPFR_RNDN);
  mpfr_div(f, f, c, MPFR_RNDN);
  mpfr_mul(f, f, b, MPFR_RNDN);
  mpfr_add(r, P, f, MPFR_RNDN);
  int units = 1;
  if (mpfr_zero_p(r) && !(mpfr_zero_p(P) && mpfr_zero_p(f))) {
    units = INT_MAX;
  } else if (mpfr_regular_p(r)) {
    /* 8 units of 2^-q on each term, relative to r */
    long er = (long)mpfr_get_exp(r);
    long et = mpfr_regular_p(P) ? (long)mpfr_get_exp(P) : er;
    if (mpfr_regular_p(f) && (long)mpfr_get_exp(f) > et) et = mpfr_get_exp(f);
    double extra = ldexp(16.0, (int)fmin(4096, (double)(et - er - (q - p))));
    units += extra >= INT_MAX - 2 ? INT_MAX - 2 : (int)ceil(extra);
  }
  mpfr_clears(P, f, c, (mpfr_ptr)0);
  return units;
}

/* ---- The tape ------------------------------------------------------------ */

/* Evaluates e's tape at x into w.  Returns 0, or -1 for a tape the
** interpreter would refuse too (an unlisted parameter, a placeholder). */
static int run_tape(const actjit_expr *e, const double *params, double x,
                    work *w) {
  const aj_tape *t = &e->tape;
  mpfr_t *v = w->v;
  double *E = w->err;
  mpfr_ptr t0 = v[t->n], t1 = v[t->n + 1];
  for (uint32_t i = 0; i < t->n; i++) {
    const aj_tape_ent *te = &t->ent[i];
    const aj_node *nd = te->node;
    mpfr_ptr r = v[i];
    mpfr_srcptr a = nd->nargs > 0 ? v[te->arg[0]] : NULL;
    mpfr_srcptr b = nd->nargs > 1 ? v[te->arg[1]] : NULL;
    mpfr_srcptr c = nd->nargs > 2 ? v[te->arg[2]] : NULL;
    double ea = nd->nargs > 0 ? E[te->arg[0]] : 0;
    double eb = nd->nargs > 1 ? E[te->arg[1]] : 0;
    double ec = nd->nargs > 2 ? E[te->arg[2]] : 0;
    int inex = 0;   /* MPFR's ternary value of the one rounding */
    double prop = 0; /* the operands' errors carried into the result */
    int unary = 0;  /* a unary function: prop = condition * ea */
    int k;
    mpfr_clear_flags();
    switch ((aj_op)nd->op) {
    case AJ_CONST: inex = mpfr_set_d(r, nd->u.num, MPFR_RNDN); break;
    case AJ_X: inex = mpfr_set_d(r, x, MPFR_RNDN); break;
    case AJ_PARAM:
      if (te->aux >= e->nparams) return -1;
      inex = mpfr_set_d(r,
                 params ? params[te->aux]
                 : e->params[te->aux].has_def ? e->params[te->aux].def
                                              : NAN,
                 MPFR_RNDN);
      break;
    case AJ_ARG:
    case AJ_DZERO: return -1;
    case AJ_NEG:
      mpfr_neg(r, a, MPFR_RNDN);
      prop = ea;
      break;
    case AJ_ADD:
    case AJ_SUB:
      inex = nd->op == AJ_ADD ? mpfr_add(r, a, b, MPFR_RNDN)
                              : mpfr_sub(r, a, b, MPFR_RNDN);
      if (ea == 0 && eb == 0) break;
      if (!mpfr_number_p(r)) {
        prop = isinf(ea) || isinf(eb) ? INFINITY : 0;
      } else if (mpfr_zero_p(r)) {
        prop = INFINITY; /* cancelled to nothing: sign unknown */
      } else {
        /* |a| ea / |r| + |b| eb / |r|, with |v| < 2^exp(v) */
        long er = (long)mpfr_get_exp(r) - 1;
        if (ea > 0 && mpfr_number_p(a) && !mpfr_zero_p(a))
          prop += ldexp(ea, (int)fmin(4096, (double)(mpfr_get_exp(a) - er)));
        if (eb > 0 && mpfr_number_p(b) && !mpfr_zero_p(b))
          prop += ldexp(eb, (int)fmin(4096, (double)(mpfr_get_exp(b) - er)));
        if (isinf(ea) || isinf(eb)) prop = INFINITY;
      }
      break;
    case AJ_MUL:
      inex = mpfr_mul(r, a, b, MPFR_RNDN);
      prop = ea + eb;
      break;
    case AJ_DIV:
      inex = mpfr_div(r, a, b, MPFR_RNDN);
      prop = ea + eb;
      break;
    case AJ_POW:
      inex = mpfr_pow(r, a, b, MPFR_RNDN);
      if (mpfr_number_p(r) && !mpfr_zero_p(r) && (ea > 0 || eb > 0)) {
        /* d log r = b d log a + b log a d log b */
        double bd = fabs(mpfr_get_d(b, MPFR_RNDN));
        double la = 0;
        if (eb > 0 && mpfr_number_p(a) && !mpfr_zero_p(a)) {
          long ex;
          double m = mpfr_get_d_2exp(&ex, a, MPFR_RNDN);
          la = fabs(log(fabs(m)) + (double)ex * M_LN2);
        }
        prop = (ea > 0 ? bd * ea : 0) + (eb > 0 ? bd * la * eb : 0);
        if (isnan(prop)) prop = INFINITY;
      } else {
        prop = isinf(ea) || isinf(eb) ? INFINITY : 0;
      }
      break;
    case AJ_NOT:
      mpfr_set_d(r, mpfr_nan_p(a) ? NAN : mpfr_zero_p(a) ? 1 : 0, MPFR_RNDN);
      prop = maybe_zero(w, ea) ? INFINITY : 0;
      break;
    case AJ_LT:
    case AJ_LE:
    case AJ_GT:
    case AJ_GE:
    case AJ_EQ:
    case AJ_NE:
      if (mpfr_nan_p(a) || mpfr_nan_p(b)) {
        mpfr_set_nan(r);
        break;
      }
      switch ((aj_op)nd->op) {
      case AJ_LT: k = mpfr_less_p(a, b); break;
      case AJ_LE: k = mpfr_lessequal_p(a, b); break;
      case AJ_GT: k = mpfr_greater_p(a, b); break;
      case AJ_GE: k = mpfr_greaterequal_p(a, b); break;
      case AJ_EQ: k = mpfr_equal_p(a, b); break;
      default: k = !mpfr_equal_p(a, b); break;
      }
      mpfr_set_ui(r, (unsigned)k, MPFR_RNDN);
      prop = maybe_equal(w, t0, a, ea, b, eb) ? INFINITY : 0;
      break;
    case AJ_AND:
    case AJ_OR:
      if (mpfr_nan_p(a) || mpfr_nan_p(b)) {
        mpfr_set_nan(r);
        break;
      }
      k = nd->op == AJ_AND ? !mpfr_zero_p(a) && !mpfr_zero_p(b)
                           : !mpfr_zero_p(a) || !mpfr_zero_p(b);
      mpfr_set_ui(r, (unsigned)k, MPFR_RNDN);
      prop = maybe_zero(w, ea) || maybe_zero(w, eb) ? INFINITY : 0;
      break;
    case AJ_SELECT:
      if (mpfr_nan_p(a)) {
        mpfr_set_nan(r);
        break;
      }
      k = !mpfr_zero_p(a);
      mpfr_set(r, k ? b : c, MPFR_RNDN);
      prop = maybe_zero(w, ea) ? INFINITY : k ? eb : ec;
      break;
    case AJ_EXP: inex = mpfr_exp(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_EXP2: inex = mpfr_exp2(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_EXPM1: inex = mpfr_expm1(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_LOG: inex = mpfr_log(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_LOG2: inex = mpfr_log2(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_LOG10: inex = mpfr_log10(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_LOG1P: inex = mpfr_log1p(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_SQRT: inex = mpfr_sqrt(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_CBRT: inex = mpfr_cbrt(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ABS:
      mpfr_abs(r, a, MPFR_RNDN);
      prop = ea;
      break;
    case AJ_SIGN: /* sign(+-0) = +-0, sign(NaN) = NaN */
      if (mpfr_nan_p(a) || mpfr_zero_p(a))
        mpfr_set(r, a, MPFR_RNDN);
      else
        mpfr_set_si(r, mpfr_sgn(a) > 0 ? 1 : -1, MPFR_RNDN);
      prop = maybe_zero(w, ea) ? INFINITY : 0;
      break;
    case AJ_SIN: inex = mpfr_sin(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_COS: inex = mpfr_cos(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_TAN: inex = mpfr_tan(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ASIN: inex = mpfr_asin(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ACOS: inex = mpfr_acos(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ATAN: inex = mpfr_atan(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ATAN2:
      inex = mpfr_atan2(r, a, b, MPFR_RNDN);
      if (ea > 0 || eb > 0) {
        /* |y x| / (x^2 + y^2) <= 1/2, over |atan2(y, x)| */
        double th = fabs(mpfr_get_d(r, MPFR_RNDN));
        prop = (ea + eb) * 0.5 / th;
        if (isnan(prop)) prop = INFINITY;
      }
      break;
    case AJ_SINH: inex = mpfr_sinh(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_COSH: inex = mpfr_cosh(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_TANH: inex = mpfr_tanh(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ASINH: inex = mpfr_asinh(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ACOSH: inex = mpfr_acosh(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ATANH: inex = mpfr_atanh(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ERF: inex = mpfr_erf(r, a, MPFR_RNDN); unary = 1; break;
    case AJ_ERFC:
      if (mpfr_number_p(a) && mpfr_cmp_d(a, 3.5) >= 0 && w->prec <= 320 &&
          erfc_cf(r, a, w->prec) == 0)
        inex = 2;
      else
        inex = mpfr_erfc(r, a, MPFR_RNDN);
      unary = 1;
      break;
    case AJ_NORMCDF:
      inex = normcdf(r, a, w->prec);
      unary = 1;
      break;
    case AJ_FLOOR:
    case AJ_CEIL:
    case AJ_ROUND:
    case AJ_TRUNC:
      switch ((aj_op)nd->op) {
      case AJ_FLOOR: mpfr_floor(r, a); break;
      case AJ_CEIL: mpfr_ceil(r, a); break;
      case AJ_ROUND: mpfr_rint(r, a, MPFR_RNDN); break; /* ties to even */
      default: mpfr_trunc(r, a); break;
      }
      if (ea > 0 && mpfr_number_p(a) && mpfr_get_exp(a) > 52)
        prop = ea; /* already an integer: relative error carries over */
      else
        prop = near_jump(w, t0, a, ea, nd->op == AJ_ROUND) ? INFINITY : 0;
      break;
    case AJ_MIN:
    case AJ_MAX:
      k = pick_max(r, a, b, nd->op == AJ_MAX);
      prop = k < 0 ? 0 : k ? eb : ea;
      if (k >= 0 && maybe_equal(w, t0, a, ea, b, eb))
        prop = fmax(ea, eb) * 2; /* continuous: the closer one's error */
      break;
    case AJ_CLAMP: /* min(max(v, lo), hi) */
      k = pick_max(t1, a, b, 1);
      prop = k < 0 ? 0 : k ? eb : ea;
      if (k >= 0 && maybe_equal(w, t0, a, ea, b, eb))
        prop = fmax(ea, eb) * 2;
      k = pick_max(r, t1, c, 0);
      if (k > 0) prop = ec;
      if (k >= 0 && maybe_equal(w, t0, t1, prop, c, ec))
        prop = fmax(prop, ec) * 2;
      break;
    case AJ_SIGMOID:
      sigmoid(r, a, t0);
      inex = 3; /* three roundings */
      unary = 1;
      break;
    case AJ_LOG1PEXP:
      log1pexp(r, a, t0);
      inex = 3;
      unary = 1;
      break;
    case AJ_HYPOT:
      inex = mpfr_hypot(r, a, b, MPFR_RNDN);
      prop = fmax(ea, eb);
      break;
    case AJ_NORMCDF_VPDF:
      inex = normcdf_vpdf(r, a, b, w->prec);
      if (inex == INT_MAX) {
        inex = 1;
        prop = INFINITY;
      } else if ((ea > 0 || eb > 0) && mpfr_regular_p(r)) {
        /* d log r = a phi (1 - a b)/r d log a + b phi/r d log b */
        double ad = mpfr_get_d(a, MPFR_RNDN), bd = mpfr_get_d(b, MPFR_RNDN);
        double rd = mpfr_get_d(r, MPFR_RNDN);
        double phi = fabs(ad) < 40 ? exp(-0.5 * ad * ad) * 0.3989422804014327 : 0;
        prop = (ea > 0 ? fabs(ad * phi * (1 - ad * bd) / rd) * ea : 0) +
               (eb > 0 ? fabs(bd * phi / rd) * eb : 0);
        if (isnan(prop) || rd == 0) prop = INFINITY;
      }
      break;
    case AJ_OP_COUNT: return -1;
    }
    int range = mpfr_underflow_p() || mpfr_overflow_p();
    if (unary && ea > 0) {
      if (mpfr_nan_p(r))
        prop = 0; /* outside the domain (by more than the error) */
      else if (!mpfr_number_p(r) || mpfr_zero_p(r))
        prop = range && !isinf(ea) ? 0 : INFINITY; /* a root or a pole */
      else
        prop = condition((aj_op)nd->op, a, r) * ea;
    }
    if (isnan(prop)) prop = INFINITY;
    /* A zero is exactly zero (0) or of unknown sign (inf). */
    if (mpfr_zero_p(r))
      E[i] = maybe_zero(w, prop) ? INFINITY : 0;
    else
      E[i] = prop + (inex ? abs(inex) > 1 ? abs(inex) : 1 : 0);
  }
  return 0;
}

/* e at x rounded to double, evaluated at prec bits and, where the error
** bound says that is not enough, at more (up to MAX_PREC). */
static double eval_point(const actjit_expr *e, const double *params,
                         double x, unsigned prec) {
  const aj_tape *t = &e->tape;
  if (t->n == 0) return NAN;
  size_t nv = (size_t)t->n + NTEMP;
  mpfr_t sv[STACK_ENTS + NTEMP];
  mp_limb_t slimbs[(STACK_ENTS + NTEMP) * STACK_LIMBS];
  double serr[STACK_ENTS];
  double result = NAN;
  mpfr_prec_t p = prec < MPFR_PREC_MIN ? MPFR_PREC_MIN : (mpfr_prec_t)prec;
  for (;;) {
    size_t sig = mpfr_custom_get_size(p);
    size_t bytes = 0;
    char *heap = NULL;
    work w;
    w.prec = p;
    if (t->n <= STACK_ENTS && sig <= STACK_LIMBS * sizeof(mp_limb_t)) {
      w.v = sv;
      w.err = serr;
      for (size_t i = 0; i < nv; i++) {
        void *s = slimbs + i * STACK_LIMBS;
        mpfr_custom_init(s, p);
        mpfr_custom_init_set(sv[i], MPFR_NAN_KIND, 0, p, s);
      }
    } else {
      sig = (sig + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t) *
            sizeof(mp_limb_t);
      bytes = nv * (sizeof(mpfr_t) + sig) + t->n * sizeof(double);
      heap = aj_alloc(e->ctx, bytes);
      if (!heap) return NAN;
      w.v = (mpfr_t *)heap;
      char *limbs = heap + nv * sizeof(mpfr_t);
      w.err = (double *)(limbs + nv * sig);
      for (size_t i = 0; i < nv; i++) {
        void *s = limbs + i * sig;
        mpfr_custom_init(s, p);
        mpfr_custom_init_set(w.v[i], MPFR_NAN_KIND, 0, p, s);
      }
    }
    int rc = run_tape(e, params, x, &w);
    double bound = rc ? 0 : w.err[t->root[0]];
    if (!rc) result = mpfr_get_d(w.v[t->root[0]], MPFR_RNDN);
    if (heap) aj_free(e->ctx, heap, bytes);
    if (rc) return NAN;
    int good_bits = p >= 128 ? (int)p - 64 : (int)p / 2;
    if (bound <= ldexp(1.0, good_bits) || p >= MAX_PREC) return result;
    p = p * 2 > MAX_PREC ? MAX_PREC : p * 2;
  }
}

double aj_mpfr_eval(const actjit_expr *e, const double *params, double x,
                    unsigned prec) {
  if (!e) return NAN;
  mpfr_flags_t flags = mpfr_flags_save();
  mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  double r = eval_point(e, params, x, prec);
  if (isinf(x)) {
    /* The limit, as doubles see it: the values at +-2^80, 2^160 and
    ** DBL_MAX when they are one double (x*sigmoid(x) at -inf: -0, even
    ** where a constant as tiny as e^-1974 times x makes the IEEE value
    ** -inf); else the IEEE value at +-inf when it is not NaN; else +-inf
    ** when the values at +-2^40, 2^80, 2^160 grow by 1.9x or more per
    ** squaring of x, with one sign, and +-0 when they shrink so (1/x^2);
    ** else there is none (NaN: sin). */
    double s = x > 0 ? 1 : -1, v[4];
    for (int k = 0; k < 3; k++)
      v[k] = eval_point(e, params, s * ldexp(1.0, 40 << k), prec);
    v[3] = eval_point(e, params, s * DBL_MAX, prec);
    if (v[1] == v[2] && v[2] == v[3] && signbit(v[2]) == signbit(v[3]))
      r = v[3];
    else if (!isnan(r))
      ;
    else if (fabs(v[1]) >= 1.9 * fabs(v[0]) &&
             fabs(v[2]) >= 1.9 * fabs(v[1]) &&
             signbit(v[0]) == signbit(v[1]) && signbit(v[1]) == signbit(v[2]))
      r = copysign(INFINITY, v[2]);
    else if (fabs(v[1]) <= fabs(v[0]) / 1.9 && fabs(v[2]) <= fabs(v[1]) / 1.9 &&
             signbit(v[0]) == signbit(v[1]) && signbit(v[1]) == signbit(v[2]))
      r = copysign(0.0, v[2]);
    else
      r = NAN;
  }
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  mpfr_flags_restore(flags, MPFR_FLAGS_ALL);
  return r;
}
