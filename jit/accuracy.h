/*
** accuracy.h: measuring kernels against MPFR (accuracy.c, mpfr_eval.c).
** The reference is the DAG itself evaluated by MPFR at 128 bits; the error
** measure is numerics.md's (see actjit_accuracy_part in actjit.h).  Used by
** actjit_accuracy, by the y-mode check in activation.c and by the tests
** that verify the stabilizer's rules.
*/
#ifndef AJ_ACCURACY_H
#define AJ_ACCURACY_H

#include "expr.h"
#include "jit.h"

/* The exact value of e at x, rounded to double: e's DAG evaluated by MPFR
** at prec bits or more (a running error bound doubles the precision, up to
** 2048 bits, while fewer than 64 bits are good: x - tanh(x) at 1e-30),
** with parameter k = params[k] (params may be NULL when e has none).
** x = +-inf gives the limit: the value at +-2^80, 2^160 and DBL_MAX when
** they round to one double; else the IEEE value at +-inf when it is not
** NaN; else +-inf or +-0 when the values grow or shrink; else NaN (sin).
** NaN also on allocation failure.  Thread-safe; no lock needed (reads e's
** tape only). */
AJ_INTERNAL double aj_mpfr_eval(const actjit_expr *e, const double *params,
                                double x, unsigned prec);

/* The error of got against the exact value want, in ULP of dtype dt, as
** numerics.md defines it; local is the largest |exact value| within +-0.25
** of x (pass 0 to use the relative error alone).  0 when both are NaN or
** equal; +inf when got is NaN/inf and want is finite. */
AJ_INTERNAL double aj_ulp_error(aj_dtype dt, double got, double want,
                                double local);

/* A kernel under test: got[i] = its result at x[i] (converted to double),
** i < n. */
typedef void (*aj_acc_kernel)(void *ud, const double *x, double *got,
                              size_t n);

/* Measures kernel k (results in dtype dt) against the exact value of ref
** (parameters params) over the value grid plus nrandom log-uniform inputs in
** [-1e4, 1e4] from seed.  ACTJIT_OK or ENOMEM. */
AJ_INTERNAL actjit_status aj_acc_measure(const actjit_expr *ref,
                                         const double *params, aj_dtype dt,
                                         aj_acc_kernel k, void *ud,
                                         size_t nrandom, uint64_t seed,
                                         actjit_accuracy_part *out);

/* aj_acc_measure of one of a's kernels (kind: ACTJIT_ACC_FORWARD,
** _BACKWARD or _BACKWARD_Y, dtype dt) against ref, for an activation
** without runtime parameters.  ACTJIT_OK, ENOMEM or the kernel call's
** error. */
AJ_INTERNAL actjit_status aj_acc_measure_kernel(const actjit_activation *a,
                                                int kind, aj_dtype dt,
                                                const actjit_expr *ref,
                                                size_t nrandom, uint64_t seed,
                                                actjit_accuracy_part *out);

/* activation.c's parts, for actjit_accuracy: which = 0 f, 1 f' (NULL in y
** mode: there is no backward from x), 2 g(y) (NULL unless y mode), 3 f'
** (always).  Runtime parameters are left in. */
AJ_INTERNAL const actjit_expr *aj_activation_expr(const actjit_activation *a,
                                                  int which);

#endif
