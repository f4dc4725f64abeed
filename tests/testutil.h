/*
** testutil.h: helpers shared by the CMocka suites: a context per test,
** parse-or-fail, evaluation at one point, and a counting allocator that
** can fail its Nth allocation (for ENOMEM injection and leak checks).
*/
#ifndef AJ_TESTUTIL_H
#define AJ_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "actjit.h"

/* A counting allocator.  fail_at = N > 0 makes the Nth allocation (counting
** fresh allocations and growing reallocations) return NULL; 0 never fails. */
typedef struct tu_alloc {
  size_t live_bytes;   /* bytes currently allocated */
  size_t live_blocks;  /* blocks currently allocated */
  size_t count;        /* allocations attempted so far */
  size_t fail_at;
  size_t failures;     /* how many times it returned NULL */
} tu_alloc;
void *tu_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize);

/* New context with default config; fails the test if it cannot. */
actjit_ctx *tu_ctx(void);
/* A context without the on-disk kernel cache: every kernel comes from this
** build's code generator (identical ones are still shared in-process). */
actjit_ctx *tu_ctx_nocache(void);
/* A context without the disk cache whose allocations go through *al's
** counting allocator (leak checks, ENOMEM injection; NULL: the C
** library's, as tu_ctx_nocache); fails the test if it cannot be made. */
actjit_ctx *tu_ctx_counting(tu_alloc *al);
/* Parses src or fails the test, printing the error. */
actjit_expr *tu_parse(actjit_ctx *ctx, const char *src);
/* Parses, and returns the error code (and fills *err) expecting failure;
** returns ACTJIT_OK if it parsed (and frees the result). */
actjit_status tu_parse_status(actjit_ctx *ctx, const char *src, size_t len,
                              actjit_error *err);
/* Evaluates e at x with default parameters; fails the test on error. */
double tu_eval1(const actjit_expr *e, double x);
/* d e / d wrt, or fails the test. */
actjit_expr *tu_diff(const actjit_expr *e, const char *wrt);
/* actjit_print into a malloc'd string (caller frees with actjit_free). */
char *tu_print(const actjit_expr *e);
/* Bitwise equality, or both NaN. */
int tu_same_double(double a, double b);
/* Relative closeness: |a-b| <= rtol*max(|a|,|b|) + atol, or both NaN, or
** equal infinities. */
int tu_close(double a, double b, double rtol, double atol);

/* ---- Maths helpers (test_catalog, test_diff, test_simplify, test_print) -- */

/* e at x with parameter values params (NULL: the defaults); fails the test
** on error. */
double tu_evalp(const actjit_expr *e, const double *params, double x);
/* Fourth-order central difference (f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h))
** / 12h of e: with respect to x when param < 0, else with respect to
** parameter index `param` at x (params must then be non-NULL). */
double tu_fd4(const actjit_expr *e, const double *params, long param,
              double x, double h);
/* A deterministic generator (splitmix64); *seed is its whole state. */
uint64_t tu_rand(uint64_t *seed);
/* Uniform in [0, n) for n > 0. */
unsigned tu_rand_below(uint64_t *seed, unsigned n);
/* Uniform double in [lo, hi). */
double tu_rand_range(uint64_t *seed, double lo, double hi);
/* A random expression of x as source text, fully parenthesized so that it
** parses one way only, at most `depth` operators deep; malloc'd (free()).
** smooth_only != 0: no parameters, only constructs that are smooth on all
** the reals and tame on [-3, 3] (safe denominators like (1 + u^2), exp of
** bounded arguments, real powers of positive bases, integer powers), for
** checks against finite differences.  smooth_only == 0: every operator and
** built-in function, selects, comparisons, && || !, min/max/clamp, abs,
** sign, rounding, a few prelude calls (with keywords), special constants
** (0, -0, 1, -1, 2, 0.5, inf, -inf, nan, 1e308, 5e-324, ...), parameters
** p and q, and the patterns simplifiers like (u*1, u*0, u-u, u/u, --u, 2*3,
** c ? u : u, ...). */
char *tu_random_expr(uint64_t *seed, int depth, int smooth_only);

#endif
