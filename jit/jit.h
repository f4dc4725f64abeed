/*
** jit.h: the JIT's internal interface.  Only jit/ includes llvm-c; the rest
** of the engine hands it tapes (postorder schedules of DAG nodes) and gets
** back native function pointers.
**
** Kernel ABI (C calling convention, T = float or double):
**   fwd(const T *x, T *y, size_t n, const T *params)
**       y[i] = f(x[i])
**   bwd(const T *x, const T *dy, T *dx, size_t n, const T *params,
**       T *dparams)
**       dx[i] = dy[i] * f'(x[i]);  dparams[k] += sum_i dy[i] * df/dp_k(x[i])
** Any n >= 0, any alignment, y == x and dx == dy allowed.  params[k] is the
** value of runtime parameter k (NULL when there are none).
*/
#ifndef AJ_JIT_H
#define AJ_JIT_H

#include <stddef.h>

#include "node.h"

typedef enum aj_dtype { AJ_F32 = 0, AJ_F64 = 1 } aj_dtype;

typedef void (*aj_fwd_fn)(const void *x, void *y, size_t n,
                          const void *params);
typedef void (*aj_bwd_fn)(const void *x, const void *dy, void *dx, size_t n,
                          const void *params, void *dparams);

/* What to compile: the tapes of f (root 0) and of f', df/dp_0.. (roots of
** the backward tape, in that order: root[0] = f', then one per runtime
** parameter).  Runtime parameter k is the PARAM node rparam[k]. */
typedef struct aj_kernel_spec {
  const aj_tape *fwd;          /* one root: f */
  const aj_tape *bwd;          /* roots: f', then df/dp_k */
  const uint32_t *bwd_roots;   /* tape indices, 1 + nrparams of them */
  aj_node *const *rparam;
  uint32_t nrparams;
  unsigned width32;            /* f32 lanes; 0 = the host's */
  aj_dtype dtype;              /* the element type of this pair of kernels */
  int fix_inf[2];              /* [fwd, bwd]: the limits at +-inf need
                                  emitting, bit 0 at -inf, bit 1 at +inf
                                  (codegen.c, limit_input and
                                  fix_infinities) */
} aj_kernel_spec;

/* Host facts (jit/target.c). */
typedef struct aj_target {
  char triple[64];
  char cpu[64];
  char *features;   /* LLVM feature string (owned, from LLVMGetHostCPUFeatures) */
  unsigned width32; /* f32 lanes per vector: 16 (AVX-512), 8 (AVX2), 4, 1 */
} aj_target;

/* Detects the host once per process (thread-safe).  Never fails: an
** unknown host gets the scalar width. */
AJ_INTERNAL const aj_target *aj_target_host(void);

/* A JIT, one per context, created on first use. */
typedef struct aj_jit aj_jit;

/* The context's JIT, creating it if needed.  ACTJIT_OK or an error. */
AJ_INTERNAL actjit_status aj_jit_get(actjit_ctx *ctx, aj_jit **out,
                                     actjit_error *err);
/* Frees a JIT and every kernel still in it (context teardown).  NULL ok. */
AJ_INTERNAL void aj_jit_free(aj_jit *jit, actjit_ctx *ctx);

/* A compiled forward/backward pair (one dtype).  Kernels with equal keys
** are loaded once per JIT and shared (entry is refcounted).  Call them
** through aj_jit_fwd / aj_jit_bwd: a tiered compile swaps the optimized
** kernels in while they are in use. */
typedef struct aj_kernels {
  void *entry;      /* the JIT's record of the loaded objects */
  int from_cache;   /* 2: already loaded here, 1: from the disk cache,
                       0: compiled by LLVM */
  int started;      /* this one started the entry's background compile
                       (it reads the spec): release waits for it */
} aj_kernels;

/* How aj_jit_compile uses LLVM when the kernels are neither loaded nor in
** the disk cache (engine.c, "Tiers"). */
typedef enum aj_tier {
  AJ_TIER_FULL,   /* the optimized kernels, before returning */
  AJ_TIER_TIERED, /* quick kernels now, the optimized ones swapped in by a
                     background thread; spec's tapes must live until
                     aj_jit_release */
  AJ_TIER_QUICK   /* quick kernels only (never cached) */
} aj_tier;

/* Generates, compiles and loads the kernels of spec.  Safe to call from
** several threads at once.  On failure nothing is left loaded. */
AJ_INTERNAL actjit_status aj_jit_compile(aj_jit *jit, actjit_ctx *ctx,
                                         const aj_kernel_spec *spec,
                                         aj_tier tier, aj_kernels *out,
                                         actjit_error *err);
/* The kernels to call now (the quick ones until the optimized ones are in;
** both give the same bits). */
AJ_INTERNAL aj_fwd_fn aj_jit_fwd(const aj_kernels *k);
AJ_INTERNAL aj_bwd_fn aj_jit_bwd(const aj_kernels *k);
/* 1 once k's kernels will not change any more (optimized, or a quick-only
** or failed upgrade). */
AJ_INTERNAL int aj_jit_final(const aj_kernels *k);
/* Blocks until aj_jit_final(k). */
AJ_INTERNAL void aj_jit_wait(aj_jit *jit, const aj_kernels *k);
/* Drops k's share of its kernels, unloading them when it was the last
** (after waiting for the background compile k started, if any). */
AJ_INTERNAL void aj_jit_release(aj_jit *jit, actjit_ctx *ctx, aj_kernels *k);

/* The kernels' LLVM IR (want_asm == 0) or host assembly for spec->dtype,
** regenerated (codegen is deterministic), as a string freed with
** actjit_free. */
AJ_INTERNAL actjit_status aj_jit_text(actjit_ctx *ctx,
                                      const aj_kernel_spec *spec,
                                      int want_asm, char **text,
                                      actjit_error *err);

/* Compiles specs[i]'s kernels (prefixes[i]_fwd, prefixes[i]_bwd, external
** symbols) for target t into one relocatable object (ctx allocator, *objlen
** bytes): actjit_aot's.  Nothing is loaded. */
AJ_INTERNAL actjit_status aj_jit_emit_object(actjit_ctx *ctx,
                                             const aj_target *t,
                                             const aj_kernel_spec *specs,
                                             const char *const *prefixes,
                                             unsigned n, void **obj,
                                             size_t *objlen,
                                             actjit_error *err);

/* ---- pool.c ---- */

typedef struct aj_pool aj_pool;
/* A pool of nthreads workers (the caller makes one more).  NULL on ENOMEM. */
AJ_INTERNAL aj_pool *aj_pool_new(actjit_ctx *ctx, unsigned nthreads);
/* Stops and frees the pool (cap: the nthreads it was made with). */
AJ_INTERNAL void aj_pool_free(aj_pool *p, actjit_ctx *ctx, unsigned cap);
/* Runs fn(arg, t) for t < ntasks on the pool and the caller; returns when
** all are done.  Runs them on the caller alone if p is NULL or busy. */
AJ_INTERNAL void aj_pool_run(aj_pool *p, unsigned ntasks,
                             void (*fn)(void *, unsigned), void *arg);

/* ---- cache.c ---- */

/* The key of spec's kernels (see cache.c) in *key (ctx allocator, *len
** bytes).  0, or -1 on ENOMEM. */
AJ_INTERNAL int aj_kernel_key(actjit_ctx *ctx, const aj_kernel_spec *spec,
                              const aj_target *t, unsigned char **key,
                              uint32_t *len);
/* The symbol prefix for a key: "actjit_" + 32 hex digits. */
AJ_INTERNAL void aj_kernel_name(const unsigned char *key, uint32_t len,
                                char out[40]);
/* 1 and *obj (ctx allocator, *objlen bytes) if the disk cache holds the
** object for exactly this key; else 0. */
AJ_INTERNAL int aj_cache_load(actjit_ctx *ctx, const char *name,
                              const unsigned char *key, uint32_t keylen,
                              void **obj, size_t *objlen);
/* Stores an object for key (best effort, atomic rename). */
AJ_INTERNAL void aj_cache_store(actjit_ctx *ctx, const char *name,
                                const unsigned char *key, uint32_t keylen,
                                const void *obj, size_t objlen);

/* ---- The runtime's functions as bitcode (generated: runtime_blobs.c) ---- */

typedef struct aj_blob {
  const char *name; /* ajrt_<fn>_<t>x<W> */
  const unsigned char *data;
  size_t len;
} aj_blob;
/* Terminated by an entry with name NULL. */
AJ_INTERNAL extern const aj_blob aj_runtime_blobs[];
/* SHA-256 of the runtime's bitcode and the code generator's sources: part
** of every cache key, so a rebuilt actjit never reuses stale objects. */
AJ_INTERNAL extern const char aj_code_fingerprint[];

/* ---- codegen.c ---- */

/* Opaque here so that only the files in jit/ see llvm-c types. */
typedef struct LLVMOpaqueModule *aj_llvm_module;
typedef struct LLVMOpaqueContext *aj_llvm_context;
typedef struct LLVMOpaqueValue *aj_llvm_value;

/* Which kernels aj_codegen emits. */
enum { AJ_KERNEL_FWD = 1, AJ_KERNEL_BWD = 2, AJ_KERNEL_BOTH = 3 };

/* Emits spec's kernels (for spec->dtype) selected by `kinds` into a new
** module in lctx, named <prefix>_fwd and <prefix>_bwd.  NULL on failure
** (*why says what). */
AJ_INTERNAL aj_llvm_module aj_codegen(aj_llvm_context lctx,
                                      const aj_target *target,
                                      const aj_kernel_spec *spec,
                                      const char *prefix, unsigned kinds,
                                      const char **why);

/* Gives function fn the kernels' target attributes for target (cpu,
** features, nounwind): the kernels get them, and so do the runtime
** functions compiled out of line for the quick tier, so that both compile
** to the same code as when inlined. */
AJ_INTERNAL void aj_codegen_target_attrs(aj_llvm_value fn,
                                         const aj_target *target);

/* ---- activation.c, for aot.c ---- */

/* Everything actjit_compile does before LLVM: parse, bind, simplify,
** stabilize, differentiate, tapes.  *out has no kernels loaded (free with
** actjit_activation_free).  opt must not be NULL. */
AJ_INTERNAL actjit_status aj_activation_front(actjit_ctx *ctx,
                                              const char *src,
                                              const actjit_options *opt,
                                              actjit_activation **out,
                                              actjit_error *err);
/* The kernel spec of a's dtype dt kernels. */
AJ_INTERNAL void aj_activation_spec(const actjit_activation *a, aj_dtype dt,
                                    aj_kernel_spec *spec);

#endif
