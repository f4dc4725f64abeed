/*
** actjit.h: the whole public API of libactjit.
**
** actjit turns an activation function written as text ("x*tanh(softplus(x))",
** "elu(x, alpha=0.5)", "mish") into an expression DAG, its exact symbolic
** derivatives, and (later) native vectorized kernels.  Anything not declared
** here is private.
**
** Conventions, for every function below:
**  - Fallible calls return an actjit_status and fill the optional
**    actjit_error (NULL is allowed).  There is no "last error" global, and the
**    library never prints, aborts or exits.
**  - Ownership is stated in each comment.  Every *_free(NULL) is a no-op.
**  - Text is UTF-8.  Byte offsets and lengths in errors index the source
**    exactly as the caller passed it.
*/
#ifndef ACTJIT_H
#define ACTJIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ACTJIT_BUILDING) && defined(__GNUC__)
#define ACTJIT_API __attribute__((visibility("default")))
#else
#define ACTJIT_API
#endif

/* ---- Version ----------------------------------------------------------- */

#define ACTJIT_VERSION_MAJOR 0
#define ACTJIT_VERSION_MINOR 1
#define ACTJIT_VERSION_PATCH 0
#define ACTJIT_VERSION_STRING "0.1.0"
/* (major << 16) | (minor << 8) | patch */
#define ACTJIT_VERSION_HEX                                                     \
  ((ACTJIT_VERSION_MAJOR << 16) | (ACTJIT_VERSION_MINOR << 8) |                \
   ACTJIT_VERSION_PATCH)

/* The version of the library actually linked, as ACTJIT_VERSION_HEX. */
ACTJIT_API unsigned actjit_version_number(void);
/* The same as a static string ("0.1.0"); never NULL, never freed. */
ACTJIT_API const char *actjit_version_string(void);

/* ---- Status codes and errors ------------------------------------------ */

/* X(NAME, one-line description).  ACTJIT_OK is 0; every error is > 0. */
#define ACTJIT_STATUS_MAP(X)                                                   \
  X(OK, "success")                                                             \
  X(ENOMEM, "out of memory")                                                   \
  X(EINVAL, "invalid argument")                                                \
  X(ESYNTAX, "syntax error")                                                   \
  X(EINCOMPLETE, "incomplete input")                                           \
  X(EUNBALANCED, "unbalanced bracket")                                         \
  X(ECHAR, "invalid character")                                                \
  X(ENUMBER, "invalid number")                                                 \
  X(EUNKNOWN, "unknown identifier")                                            \
  X(EARITY, "wrong number of arguments")                                       \
  X(EKEYWORD, "bad keyword argument")                                          \
  X(EUNBOUND, "unbound parameter")                                             \
  X(ERECURSION, "recursive helper")                                            \
  X(EREDEFINE, "name defined twice")                                           \
  X(ENOTCONST, "not a constant")                                               \
  X(ELIMIT_INPUT, "input too long")                                            \
  X(ELIMIT_DEPTH, "nesting too deep")                                          \
  X(ELIMIT_NODES, "expression too large")                                      \
  X(ELIMIT_LITERAL, "numeric literal too long")                                \
  X(EJIT, "native code generation failed")                                     \
  X(ENOINVERSE, "not invertible")                                              \
  X(EACCURACY, "accuracy bound exceeded")                                      \
  X(EINTERNAL, "internal error")                                              \
  X(EIO, "cannot read or write a file")

typedef enum actjit_status {
#define ACTJIT_STATUS_ENUM_(name, text) ACTJIT_##name,
  ACTJIT_STATUS_MAP(ACTJIT_STATUS_ENUM_)
#undef ACTJIT_STATUS_ENUM_
  ACTJIT_STATUS_COUNT_
} actjit_status;

/* "ESYNTAX" for ACTJIT_ESYNTAX; "EUNKNOWNSTATUS" for out-of-range values.
** Static strings. */
ACTJIT_API const char *actjit_status_name(actjit_status s);
/* "syntax error" for ACTJIT_ESYNTAX.  Static strings. */
ACTJIT_API const char *actjit_status_str(actjit_status s);

/* Filled by every fallible call when non-NULL.  offset/length locate the
** offending bytes of the source (both 0 when no source is involved).  The
** message is one line, NUL-terminated, never longer than the buffer. */
typedef struct actjit_error {
  actjit_status code;
  size_t offset;
  size_t length;
  char message[256];
} actjit_error;

/* ---- Context ----------------------------------------------------------- */

typedef struct actjit_ctx actjit_ctx;

/* One allocator for everything the library allocates, Lua style:
**   nsize == 0          free ptr (of size osize); return NULL
**   ptr == NULL         allocate nsize bytes (osize is 0)
**   otherwise           resize ptr from osize to nsize bytes
** Returning NULL for nsize > 0 is an allocation failure; the library then
** returns ACTJIT_ENOMEM, frees what the failed call allocated, and leaves
** the context usable.  Must be thread-safe: it is called from every thread
** that uses the context and from the library's own (a compile's helper
** thread, a tiered compile's background thread). */
typedef void *(*actjit_alloc_fn)(void *ud, void *ptr, size_t osize,
                                 size_t nsize);

/* Limits.  0 means "the default"; a value above the hard maximum is
** ACTJIT_EINVAL at actjit_ctx_new.  Defaults / hard maxima:
**   max_input_bytes   1 MiB   / 64 MiB  source text length
**   max_depth         256     / 1024    tree height and bracket nesting
**   max_parse_nodes   100000  / 1000000 new DAG nodes one parse may create
**   max_diff_nodes    20000   / 1000000 new DAG nodes one simplify, bind or
**                                       derivative may create
**   max_literal_len   512     / 512     characters in one numeric literal */
typedef struct actjit_limits {
  size_t max_input_bytes;
  uint32_t max_depth;
  uint32_t max_parse_nodes;
  uint32_t max_diff_nodes;
  uint32_t max_literal_len;
} actjit_limits;

#define ACTJIT_DEFAULT_MAX_INPUT_BYTES ((size_t)1 << 20)
#define ACTJIT_HARD_MAX_INPUT_BYTES ((size_t)64 << 20)
#define ACTJIT_DEFAULT_MAX_DEPTH 256u
#define ACTJIT_HARD_MAX_DEPTH 1024u
#define ACTJIT_DEFAULT_MAX_PARSE_NODES 100000u
#define ACTJIT_HARD_MAX_PARSE_NODES 1000000u
#define ACTJIT_DEFAULT_MAX_DIFF_NODES 20000u
#define ACTJIT_HARD_MAX_DIFF_NODES 1000000u
#define ACTJIT_DEFAULT_MAX_LITERAL_LEN 512u
#define ACTJIT_HARD_MAX_LITERAL_LEN 512u

typedef struct actjit_config {
  actjit_alloc_fn alloc; /* NULL: the C library's realloc/free */
  void *alloc_ud;        /* passed to alloc unchanged */
  actjit_limits limits;
  const char *cache_dir; /* compiled kernels on disk: NULL for
                            $XDG_CACHE_HOME/actjit (else ~/.cache/actjit),
                            "" for no disk cache; copied */
  const char *activations_file; /* user definitions (actjit_define's
                            forms, one per line) loaded by actjit_ctx_new:
                            NULL for actjit_activations_path()'s file when
                            it exists, its lines that do not load skipped;
                            "" for none; else a file that must exist and
                            load whole (the error names file and line) */
} actjit_config;

/* Fills *cfg with the defaults (NULL allocator, default limits spelled out).
** A zero-initialized config means the same thing. */
ACTJIT_API void actjit_config_init(actjit_config *cfg);

/* A context owns the interned expression DAG and the built-in prelude.
** Every actjit_expr made in it borrows from it: free them first.  One
** context may be used from several threads at once.
** Returns a new context (free with actjit_ctx_free), or NULL with *err
** filled (ENOMEM, EINVAL for a bad limit). cfg may be NULL (defaults). */
ACTJIT_API actjit_ctx *actjit_ctx_new(const actjit_config *cfg,
                                             actjit_error *err);
/* Frees the context and everything it owns.  NULL is fine. */
ACTJIT_API void actjit_ctx_free(actjit_ctx *ctx);

/* Frees a string the library returned (actjit_print ...).  NULL is fine. */
ACTJIT_API void actjit_free(void *text);

/* ---- Expressions ------------------------------------------------------- */

/* Every call below that makes an expression sets *out to NULL when it
** fails. */

/* An immutable expression: the DAG of one function of x, plus its parameter
** list (free names other than x, in order of first appearance).  Made by
** actjit_parse, actjit_simplify, actjit_diff and actjit_bind; freed by
** actjit_expr_free.  Expressions derived from e (its derivative, ...) keep
** e's parameter list, so parameter indices stay the same across them.
** Reading an expression (print, eval, queries) is safe from any thread. */
typedef struct actjit_expr actjit_expr;

/* len == ACTJIT_NUL_TERMINATED means strlen(src). */
#define ACTJIT_NUL_TERMINATED ((size_t)-1)

/* Parses src (language.md) into *out, resolving names: local bindings,
** helpers (inlined), the prelude, built-in functions, constants pi e inf
** nan, and parameters.  A source that is just the name of a function
** ("mish", "elu") means that function applied to x; the function's other
** arguments become parameters with their defaults.  The result is exactly
** the source's structure (no simplification).  On error *out is NULL. */
ACTJIT_API actjit_status actjit_parse(actjit_ctx *ctx, const char *src,
                                      size_t len, actjit_expr **out,
                                      actjit_error *err);

/* *out = e simplified by IEEE-safe rules only: the value is bitwise the same
** (or NaN where e is NaN) at every x and parameter value.  When no rule
** applies, *out has the same root as e. */
ACTJIT_API actjit_status actjit_simplify(const actjit_expr *e,
                                         actjit_expr **out,
                                         actjit_error *err);

/* *out = d e / d wrt, simplified.  wrt is "x" or the name of one of e's
** parameters (EUNKNOWN otherwise).  Kinks follow the `torch` profile of
** catalog.md. */
ACTJIT_API actjit_status actjit_diff(const actjit_expr *e, const char *wrt,
                                     actjit_expr **out, actjit_error *err);

/* *out = e simplified and stabilized: the rewrite rules of numerics.md
** (softplus, log-sigmoid, expm1, log1p, erfc, 1 - sigmoid, sech^2, the
** evaluation forms of mish and tanhshrink, ...) applied until none fires.
** Every rule is an identity; the result is never less accurate. */
ACTJIT_API actjit_status actjit_stabilize(const actjit_expr *e,
                                          actjit_expr **out,
                                          actjit_error *err);

/* *out = e with parameter `name` replaced by `value`, simplified; the
** parameter leaves the list.  EUNKNOWN if e has no such parameter. */
ACTJIT_API actjit_status actjit_bind(const actjit_expr *e, const char *name,
                                     double value, actjit_expr **out,
                                     actjit_error *err);

/* Frees e.  The nodes stay in the context (others may share them). */
ACTJIT_API void actjit_expr_free(actjit_expr *e);

/* *text = e as source text with minimal parentheses; parsing it back in the
** same context gives an expression with the same root.  Large shared
** subexpressions are written as local bindings ("_1 = ...; ...").
** Free *text with actjit_free. */
ACTJIT_API actjit_status actjit_print(const actjit_expr *e, char **text,
                                      actjit_error *err);

/* Evaluates e in float64 (the reference interpreter): y[i] = e(x[i]) for
** i < n.  params[k] is the value of parameter k; params == NULL uses every
** parameter's default, and a parameter without one is EUNBOUND (offset and
** length of its first use in the source).  y may alias x. */
ACTJIT_API actjit_status actjit_eval(const actjit_expr *e,
                                     const double *params, const double *x,
                                     double *y, size_t n, actjit_error *err);

/* Number of parameters of e. */
ACTJIT_API size_t actjit_param_count(const actjit_expr *e);
/* Name of parameter i (< count), owned by e; NULL when i is out of range. */
ACTJIT_API const char *actjit_param_name(const actjit_expr *e, size_t i);
/* 1 and *value = the default of parameter i if it has one, else 0. */
ACTJIT_API int actjit_param_default(const actjit_expr *e, size_t i,
                                    double *value);
/* Index of the parameter called name, or -1. */
ACTJIT_API long actjit_param_index(const actjit_expr *e, const char *name);

/* Number of distinct DAG nodes reachable from e's root. */
ACTJIT_API size_t actjit_node_count(const actjit_expr *e);
/* 1 if a and b have the same root node (structural equality: nodes are
** hash-consed per context), else 0. */
ACTJIT_API int actjit_expr_same(const actjit_expr *a, const actjit_expr *b);

/* ---- Activations: native kernels --------------------------------------- */

/* A compiled activation: immutable forward and backward kernels for float32
** and float64.  Callable from any number of threads at once.  The float64
** pair is compiled on its first use (thread-safe; a failure there is
** reported by that call). */
typedef struct actjit_activation actjit_activation;

/* A parameter bound to a number at compile time (folded into the code). */
typedef struct actjit_binding {
  const char *name;
  double value;
} actjit_binding;

/* Kink-convention profiles (catalog.md): the derivative's value where f is
** not differentiable, for selects and `where` (which branch owns the
** boundary), max/min ties, clamp ends, abs and sign, in the catalog and in
** any user expression alike.
**   TORCH    PyTorch 1.13 CPU (the default): a select's boundary belongs to
**            the branch its condition picks; max/min ties split 0.5/0.5;
**            clamp is closed (1 at the ends); |x|' = 0 at 0.
**   ONEDNN   oneDNN 2.x eltwise backward: as TORCH, but clamp, relu6 and
**            hardtanh are (lo, hi] (0 at lo, 1 at hi) and hardswish takes
**            the outside branch at both ends (0 at -3, 1 at 3).
**   MINNORM  the minimum-norm subgradient at every boundary: relu'(0) = 0,
**            leaky_relu'(0) = slope, clamp ends 0; ties still 0.5/0.5. */
typedef enum actjit_profile {
  ACTJIT_PROFILE_TORCH = 0,
  ACTJIT_PROFILE_ONEDNN = 1,
  ACTJIT_PROFILE_MINNORM = 2
} actjit_profile;

/* The profile called name ("torch", "onednn", "minnorm"), or -1. */
ACTJIT_API int actjit_profile_by_name(const char *name);
/* The name of profile p, or NULL. */
ACTJIT_API const char *actjit_profile_name(int p);

/* Flags of actjit_options. */
enum {
  /* Compile f and its derivatives exactly as written (simplified only), with
  ** no stabilizing rewrites: for comparing against the naive formula. */
  ACTJIT_NO_STABILIZE = 1u << 0,
  /* Backward from the output: compile dx = dy * g(y) with g(f(x)) = f'(x)
  ** (actjit_backward_y_*), so a host may run the forward in place.  f must
  ** be invertible on each piece where f' is not constant, and every
  ** parameter bound; the compile measures g's float32 error against MPFR on
  ** the value grid and refuses (ACTJIT_EACCURACY) when it exceeds
  ** y_max_ulp (ACTJIT_ENOINVERSE when no inverse is found). */
  ACTJIT_BACKWARD_FROM_Y = 1u << 1,
  /* How LLVM is used when the kernels are neither loaded in the context nor
  ** in the disk cache.  By default (tiered) actjit_compile returns with
  ** quick kernels (about a third of the compile time, 1.3-6x slower code)
  ** while a background thread compiles the optimized ones, which then
  ** replace them (and go to the disk cache); both give the same bits.
  ** ACTJIT_COMPILE_WAIT: return only with the optimized kernels.
  ** ACTJIT_COMPILE_QUICK: quick kernels only, never replaced or cached (the
  ** least CPU for a few calls).  Both set: ACTJIT_EINVAL. */
  ACTJIT_COMPILE_WAIT = 1u << 2,
  ACTJIT_COMPILE_QUICK = 1u << 3
};

typedef struct actjit_options {
  const actjit_binding *bind;   /* bound parameters */
  size_t nbind;
  const char *const *runtime;   /* runtime parameters, passed on each call in
                                   this order (and their gradients) */
  size_t nruntime;
  unsigned vector_width;        /* f32 lanes: 0 = the host's best; 1, 4, 8
                                   or 16 force a width (testing) */
  unsigned threads;             /* split calls of at least 65536 elements
                                   into this many chunks run on the
                                   context's worker pool (0 or 1: the
                                   calling thread only; at most 64).  The
                                   outputs are identical to one thread's;
                                   parameter gradients are summed per chunk
                                   in chunk order (deterministic). */
  actjit_profile profile;       /* kink convention (0 = ACTJIT_PROFILE_TORCH) */
  unsigned flags;               /* ACTJIT_NO_STABILIZE, ACTJIT_BACKWARD_FROM_Y,
                                   ACTJIT_COMPILE_WAIT, ACTJIT_COMPILE_QUICK */
  double y_max_ulp;             /* ACTJIT_BACKWARD_FROM_Y: the largest float32
                                   error of g(y) accepted, in ULP as
                                   numerics.md measures it (0: 8 ULP) */
} actjit_options;
/* Parameters neither bound nor runtime take their defaults (folded); one
** without a default is ACTJIT_EUNBOUND. */

/* Compiles src (as actjit_parse reads it) into *out (free with
** actjit_activation_free).  opt may be NULL.  Errors: those of
** actjit_parse, EUNBOUND, EUNKNOWN (a bound or runtime name that is not a
** parameter), ELIMIT_NODES, EJIT.  Safe from several threads at once. */
ACTJIT_API actjit_status actjit_compile(actjit_ctx *ctx, const char *src,
                                        const actjit_options *opt,
                                        actjit_activation **out,
                                        actjit_error *err);
/* Unloads the kernels and frees a (after the background compile a started,
** if it still runs).  NULL is fine.  Free activations before their
** context. */
ACTJIT_API void actjit_activation_free(actjit_activation *a);
/* Blocks until a's kernels (those made so far: float32, and float64 once
** used) are the optimized ones or will not change any more.  At once after
** ACTJIT_COMPILE_WAIT, a disk-cache hit or a shared compile that is done.
** EINVAL for NULL. */
ACTJIT_API actjit_status actjit_activation_wait(const actjit_activation *a);

/* Number of runtime parameters, and the name of parameter k (owned by a). */
ACTJIT_API size_t actjit_runtime_count(const actjit_activation *a);
ACTJIT_API const char *actjit_runtime_name(const actjit_activation *a,
                                           size_t k);

/* Checked entry points.  Contiguous arrays of n elements, any n >= 0 (NULL
** allowed when n == 0), any alignment; y may be x and dx may be dy.
**   forward:  y[i] = f(x[i])
**   backward: dx[i] = dy[i] * f'(x[i]);
**             dparams[k] += sum over i of dy[i] * df/dp_k(x[i])
** params[k] is runtime parameter k's value; the calls without params use
** the parameters' defaults (EUNBOUND when one has none).  dparams may be
** NULL to skip the parameter gradients.  EINVAL for NULL arrays with n > 0.
** Element i's result does not depend on n, alignment or threads. */
ACTJIT_API actjit_status actjit_forward_f32(const actjit_activation *a,
                                            const float *x, float *y,
                                            size_t n);
ACTJIT_API actjit_status actjit_backward_f32(const actjit_activation *a,
                                             const float *x, const float *dy,
                                             float *dx, size_t n);
ACTJIT_API actjit_status actjit_forward_f64(const actjit_activation *a,
                                            const double *x, double *y,
                                            size_t n);
ACTJIT_API actjit_status actjit_backward_f64(const actjit_activation *a,
                                             const double *x,
                                             const double *dy, double *dx,
                                             size_t n);
ACTJIT_API actjit_status actjit_forward_f32_p(const actjit_activation *a,
                                              const float *params,
                                              const float *x, float *y,
                                              size_t n);
ACTJIT_API actjit_status actjit_backward_f32_p(const actjit_activation *a,
                                               const float *params,
                                               const float *x,
                                               const float *dy, float *dx,
                                               size_t n, float *dparams);
ACTJIT_API actjit_status actjit_forward_f64_p(const actjit_activation *a,
                                              const double *params,
                                              const double *x, double *y,
                                              size_t n);
ACTJIT_API actjit_status actjit_backward_f64_p(const actjit_activation *a,
                                               const double *params,
                                               const double *x,
                                               const double *dy, double *dx,
                                               size_t n, double *dparams);

/* Raw kernels for hosts that call in a loop: no checks at all.  The same
** contract as the checked calls, except that params must hold every
** runtime parameter and dparams must not be NULL when there are any.  The
** f64 getters compile the f64 pair if needed; NULL if that fails.  A
** getter returns the optimized kernel, waiting for a tiered compile's
** background thread if it still runs (the pointer stays valid until
** actjit_activation_free). */
typedef void (*actjit_fwd_f32_fn)(const float *x, float *y, size_t n,
                                  const float *params);
typedef void (*actjit_bwd_f32_fn)(const float *x, const float *dy, float *dx,
                                  size_t n, const float *params,
                                  float *dparams);
typedef void (*actjit_fwd_f64_fn)(const double *x, double *y, size_t n,
                                  const double *params);
typedef void (*actjit_bwd_f64_fn)(const double *x, const double *dy,
                                  double *dx, size_t n, const double *params,
                                  double *dparams);
ACTJIT_API actjit_fwd_f32_fn actjit_kernel_fwd_f32(const actjit_activation *a);
ACTJIT_API actjit_bwd_f32_fn actjit_kernel_bwd_f32(const actjit_activation *a);
ACTJIT_API actjit_fwd_f64_fn actjit_kernel_fwd_f64(const actjit_activation *a);
ACTJIT_API actjit_bwd_f64_fn actjit_kernel_bwd_f64(const actjit_activation *a);

/* Backward from the output (activations compiled with
** ACTJIT_BACKWARD_FROM_Y): dx[i] = dy[i] * g(y[i]) where y = f(x), as the
** forward computed it.  dx may be y or dy.  EINVAL on an activation compiled
** without the flag (and actjit_backward_* is EINVAL on one compiled with
** it: its backward kernel takes y, not x). */
ACTJIT_API actjit_status actjit_backward_y_f32(const actjit_activation *a,
                                              const float *y, const float *dy,
                                              float *dx, size_t n);
ACTJIT_API actjit_status actjit_backward_y_f64(const actjit_activation *a,
                                              const double *y,
                                              const double *dy, double *dx,
                                              size_t n);

/* ---- Accuracy against MPFR --------------------------------------------- */

#define ACTJIT_ACCURACY_WORST 4

/* The error of one kernel (one direction, one dtype) in ULP of the dtype,
** measured as numerics.md defines it: at each input, the smaller of the
** relative error in ULP of the exact value and the absolute error in ULP of
** the local magnitude (the largest |exact value| within +-0.25 of x); two
** results both below the dtype's smallest normal agree.  The exact value is
** the same DAG evaluated by MPFR at 128 bits. */
typedef struct actjit_accuracy_part {
  double max_ulp;      /* +inf when a result is NaN/inf but the exact is finite */
  double median_ulp;
  size_t samples;      /* inputs measured */
  size_t nonfinite;    /* inputs with a finite exact value and a NaN/inf result */
  /* The worst inputs, worst first (unused entries have ulp = -1). */
  double worst_x[ACTJIT_ACCURACY_WORST];
  double worst_ulp[ACTJIT_ACCURACY_WORST];
  double worst_got[ACTJIT_ACCURACY_WORST];  /* the kernel's result */
  double worst_want[ACTJIT_ACCURACY_WORST]; /* the exact value, rounded */
} actjit_accuracy_part;

enum { ACTJIT_ACC_F32 = 0, ACTJIT_ACC_F64 = 1 };
enum { ACTJIT_ACC_FORWARD = 0, ACTJIT_ACC_BACKWARD = 1, ACTJIT_ACC_BACKWARD_Y = 2 };

typedef struct actjit_accuracy_report {
  /* part[dtype][kind]: kind BACKWARD is f'(x) (dy = 1); BACKWARD_Y is g(y)
  ** from the forward kernel's y, filled only when has_y. */
  actjit_accuracy_part part[2][3];
  int has_y;
} actjit_accuracy_report;

/* Measures a's kernels against MPFR on numerics.md's value grid (finite
** points, and +-inf where a limit exists) plus nrandom log-uniform inputs in
** [-1e4, 1e4] drawn from seed.  Runtime parameters take their defaults
** (EUNBOUND when one has none).  Errors: EINVAL, EUNBOUND, ENOMEM, and those
** of compiling the f64 kernels. */
ACTJIT_API actjit_status actjit_accuracy(const actjit_activation *a,
                                        size_t nrandom, uint64_t seed,
                                        actjit_accuracy_report *report,
                                        actjit_error *err);

/* Facts about a compiled activation. */
typedef enum actjit_origin {
  ACTJIT_ORIGIN_LLVM,   /* compiled by LLVM for this call */
  ACTJIT_ORIGIN_DISK,   /* loaded from the on-disk cache */
  ACTJIT_ORIGIN_SHARED  /* identical kernels were already loaded here */
} actjit_origin;

typedef struct actjit_info {
  double compile_ms;     /* wall time actjit_compile took */
  actjit_origin origin;
  unsigned vector_width; /* f32 lanes of the kernels (f64: half) */
  unsigned threads;      /* chunks per large call */
  size_t f_nodes, df_nodes; /* DAG sizes of f and f' */
  int optimized;         /* 1: the float32 kernels are the optimized ones (or
                            final: ACTJIT_COMPILE_QUICK), 0: the quick ones
                            while the optimized compile runs */
} actjit_info;

/* Fills *info.  a and info must not be NULL. */
ACTJIT_API void actjit_activation_info(const actjit_activation *a,
                                       actjit_info *info);

/* What actjit_describe returns. */
typedef enum actjit_part {
  ACTJIT_PART_F,      /* the simplified f, as source text */
  ACTJIT_PART_DF,     /* f' */
  ACTJIT_PART_DPARAM, /* "df/dp = ..." lines, one per runtime parameter */
  ACTJIT_PART_IR,     /* the float32 kernels' LLVM IR */
  ACTJIT_PART_ASM,    /* the float32 kernels' host assembly */
  ACTJIT_PART_IR_F64, /* the same for the float64 kernels */
  ACTJIT_PART_ASM_F64,
  ACTJIT_PART_DY,     /* g(y) = f'(f^-1(y)) (ACTJIT_BACKWARD_FROM_Y), in y */
  ACTJIT_PART_REWRITES, /* the stabilizing rewrites applied to f and its
                           derivatives, "name: pattern -> result" per line
                           ("" when none) */
  ACTJIT_PART_C,      /* f and f' as written, a C99 file with libm */
  ACTJIT_PART_WRITTEN /* f as written (simplified, before the stabilizing
                         rewrites) and its derivatives: "f = ...",
                         "f' = ...", then "df/dNAME = ..." per runtime
                         parameter, one per line */
} actjit_part;

/* *text = the part, freed with actjit_free. */
ACTJIT_API actjit_status actjit_describe(const actjit_activation *a,
                                         actjit_part part, char **text,
                                         actjit_error *err);

/* ---- Ahead of time ------------------------------------------------------ */

/* One kernel set of actjit_aot: src's kernels, named after name (a C
** identifier of at most 80 characters). */
typedef struct actjit_aot_kernel {
  const char *name;
  const char *src;
} actjit_aot_kernel;

/* Compiles kernels[0..n) ahead of time into one relocatable object file
** (object_path) and a C header declaring them (header_path): for each
** NAME, NAME_f32_fwd, NAME_f32_bwd, NAME_f64_fwd and NAME_f64_bwd with
** the raw kernel signatures above (actjit_fwd_f32_fn ...).  A C program
** links the object with no LLVM or libactjit at run time.  cpu: NULL or
** "host" for this machine's CPU and features, or an x86-64 psABI level
** ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4") for any CPU that has
** it; the kernels use that CPU's vector width and run only on such CPUs.
** opt (may be NULL) applies to every source: its bindings and runtime
** parameters must exist in each; threads and ACTJIT_BACKWARD_FROM_Y are
** not available.  Per element the results are the JIT's for the same
** CPU.  Errors: the sources' (offsets into that source, its name in the
** message), EINVAL (a bad name, cpu or duplicate), EJIT, EIO. */
ACTJIT_API actjit_status actjit_aot(actjit_ctx *ctx,
                                   const actjit_aot_kernel *kernels, size_t n,
                                   const actjit_options *opt, const char *cpu,
                                   const char *object_path,
                                   const char *header_path, actjit_error *err);

/* ---- The catalog ------------------------------------------------------- */

/* Names of the built-in activations (the prelude), the user's definitions
** (actjit_define) and the built-in functions: actjit_catalog_name(ctx, i)
** for i = 0, 1, ... until NULL.  Strings are owned by ctx and live as long
** as it does.  *is_activation (optional) is 1 for prelude entries, 2 for
** user definitions, 0 for functions. */
ACTJIT_API const char *actjit_catalog_name(const actjit_ctx *ctx, size_t i,
                                           int *is_activation);

/* Defines a named activation in ctx, in one of two forms:
**   NAME = SOURCE            NAME means SOURCE, any source actjit_compile
**                            takes; SOURCE's parameters become NAME's
**                            keyword parameters, with their defaults
**   NAME(x, p=1, q) = EXPR   the helper form: the formals after the first
**                            are NAME's keyword parameters
** Afterwards sources compiled in ctx use NAME like a built-in activation
** (`NAME`, `NAME(2*x, p=3)`); inside it, catalog entries follow the
** profile the source is compiled under.  Defining NAME again replaces it
** for later sources.  The built-in functions and activations, x, pi, e,
** inf, nan and names ending in a profile's suffix (_onednn) cannot be
** defined (EREDEFINE).  Errors locate bytes of def.  len may be
** ACTJIT_NUL_TERMINATED.  Safe while other threads use ctx. */
ACTJIT_API actjit_status actjit_define(actjit_ctx *ctx, const char *def,
                                       size_t len, actjit_error *err);

/* The length of NAME when text has a definition's shape (NAME = ... or
** NAME(...) = ..., not NAME == ...), with *name_off (optional) its offset;
** 0 when it does not.  Does not check the rest. */
ACTJIT_API size_t actjit_definition_name(const char *text, size_t len,
                                         size_t *name_off);

/* Writes the default activations file's path, $XDG_CONFIG_HOME/actjit/
** activations.act (else ~/.config/actjit/activations.act), to buf.
** Returns its length, or 0 when neither variable is usable or size is too
** small. */
ACTJIT_API size_t actjit_activations_path(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* ACTJIT_H */
