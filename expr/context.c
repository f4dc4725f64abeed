/*
** context.c: the context's life cycle (config, limits, allocator, lock,
** prelude loading), operation brackets with rollback, library-owned
** strings, and the catalog listing.
*/
#include <stdlib.h>
#include <string.h>

#include "jit.h"
#include "node.h"
#include "parse.h"

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

void *aj_alloc(actjit_ctx *ctx, size_t n) {
  return ctx->alloc(ctx->ud, NULL, 0, n);
}

void *aj_realloc(actjit_ctx *ctx, void *p, size_t o, size_t n) {
  return ctx->alloc(ctx->ud, p, o, n);
}

void aj_free(actjit_ctx *ctx, void *p, size_t n) {
  if (p) ctx->alloc(ctx->ud, p, n, 0);
}

int aj_grow(actjit_ctx *ctx, void **arr, uint32_t *cap, uint32_t need,
            size_t size) {
  if (need <= *cap) return 0;
  uint64_t ncap = *cap ? *cap : 8;
  while (ncap < need) ncap *= 2;
  if (ncap > UINT32_MAX) return -1;
  void *p = aj_realloc(ctx, *arr, (size_t)*cap * size, (size_t)ncap * size);
  if (!p) return -1;
  *arr = p;
  *cap = (uint32_t)ncap;
  return 0;
}

void actjit_config_init(actjit_config *cfg) {
  if (!cfg) return;
  memset(cfg, 0, sizeof *cfg);
  cfg->limits.max_input_bytes = ACTJIT_DEFAULT_MAX_INPUT_BYTES;
  cfg->limits.max_depth = ACTJIT_DEFAULT_MAX_DEPTH;
  cfg->limits.max_parse_nodes = ACTJIT_DEFAULT_MAX_PARSE_NODES;
  cfg->limits.max_diff_nodes = ACTJIT_DEFAULT_MAX_DIFF_NODES;
  cfg->limits.max_literal_len = ACTJIT_DEFAULT_MAX_LITERAL_LEN;
}

/* Resolves 0 to the default and rejects values over the hard maximum. */
static actjit_status check_limits(const actjit_limits *in, actjit_limits *out,
                                  actjit_error *err) {
#define LIMIT_(field, DEF, MAX)                                                \
  out->field = in->field ? in->field : DEF;                                    \
  if (out->field > MAX)                                                        \
    return aj_error(err, ACTJIT_EINVAL, 0, 0,                                  \
                    "limit " #field " exceeds its hard maximum");
  LIMIT_(max_input_bytes, ACTJIT_DEFAULT_MAX_INPUT_BYTES,
         ACTJIT_HARD_MAX_INPUT_BYTES)
  LIMIT_(max_depth, ACTJIT_DEFAULT_MAX_DEPTH, ACTJIT_HARD_MAX_DEPTH)
  LIMIT_(max_parse_nodes, ACTJIT_DEFAULT_MAX_PARSE_NODES,
         ACTJIT_HARD_MAX_PARSE_NODES)
  LIMIT_(max_diff_nodes, ACTJIT_DEFAULT_MAX_DIFF_NODES,
         ACTJIT_HARD_MAX_DIFF_NODES)
  LIMIT_(max_literal_len, ACTJIT_DEFAULT_MAX_LITERAL_LEN,
         ACTJIT_HARD_MAX_LITERAL_LEN)
#undef LIMIT_
  return ACTJIT_OK;
}

actjit_ctx *actjit_ctx_new(const actjit_config *cfg, actjit_error *err) {
  actjit_config defaults;
  if (!cfg) {
    actjit_config_init(&defaults);
    cfg = &defaults;
  }
  actjit_limits lim;
  if (check_limits(&cfg->limits, &lim, err) != ACTJIT_OK) return NULL;
  actjit_alloc_fn alloc = cfg->alloc ? cfg->alloc : default_alloc;
  actjit_ctx *ctx = alloc(cfg->alloc_ud, NULL, 0, sizeof *ctx);
  if (!ctx) {
    aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory creating a context");
    return NULL;
  }
  memset(ctx, 0, sizeof *ctx);
  ctx->alloc = alloc;
  ctx->ud = cfg->alloc_ud;
  ctx->lim = lim;
  ctx->node_limit = UINT32_MAX;
  if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
    alloc(cfg->alloc_ud, ctx, sizeof *ctx, 0);
    aj_error(err, ACTJIT_ENOMEM, 0, 0, "cannot create the context's lock");
    return NULL;
  }
  if (cfg->cache_dir) {
    size_t n = strlen(cfg->cache_dir) + 1;
    ctx->cache_dir = aj_alloc(ctx, n);
    if (!ctx->cache_dir) {
      aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory creating a context");
      actjit_ctx_free(ctx);
      return NULL;
    }
    memcpy(ctx->cache_dir, cfg->cache_dir, n);
  }
  /* glibc's "C" locale object is static: this allocates nothing. */
  ctx->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  actjit_status s = ctx->c_locale ? aj_nodes_init(ctx) : ACTJIT_ENOMEM;
  if (s == ACTJIT_OK) s = aj_load_builtins(ctx, err);
  else aj_error(err, s, 0, 0, "out of memory creating a context");
  if (s == ACTJIT_OK) s = aj_load_user_file(ctx, cfg->activations_file, err);
  if (s != ACTJIT_OK) {
    actjit_ctx_free(ctx);
    return NULL;
  }
  return ctx;
}

void actjit_ctx_free(actjit_ctx *ctx) {
  if (!ctx) return;
  aj_pool_free(ctx->pool, ctx, ctx->pool_threads);
  aj_jit_free(ctx->jit, ctx);
  aj_unload_builtins(ctx);
  aj_nodes_free(ctx);
  if (ctx->cache_dir) aj_free(ctx, ctx->cache_dir, strlen(ctx->cache_dir) + 1);
  if (ctx->c_locale) freelocale(ctx->c_locale);
  pthread_mutex_destroy(&ctx->lock);
  ctx->alloc(ctx->ud, ctx, sizeof *ctx, 0);
}

uint32_t aj_op_begin(actjit_ctx *ctx, uint32_t max_new_nodes) {
  pthread_mutex_lock(&ctx->lock);
  ctx->make_fail = ACTJIT_OK;
  ctx->fired_rules = 0;
  uint64_t limit = (uint64_t)ctx->nnodes + max_new_nodes;
  ctx->node_limit =
      max_new_nodes == 0 || limit > UINT32_MAX ? UINT32_MAX : (uint32_t)limit;
  return ctx->nnodes;
}

void aj_op_end(actjit_ctx *ctx, uint32_t checkpoint, int failed) {
  if (failed) {
    /* Unlink the nodes made since the checkpoint, newest first, and free
    ** their names and any chunk that held only them. */
    while (ctx->nnodes > checkpoint) {
      aj_node *n = aj_node_at(ctx, ctx->nnodes - 1);
      aj_node **pp = &ctx->buckets[n->hash & (ctx->nbuckets - 1)];
      while (*pp != n) pp = &(*pp)->chain;
      *pp = n->chain;
      if (n->op == AJ_PARAM) aj_free(ctx, (void *)n->u.name.z, n->u.name.n + 1);
      ctx->nnodes--;
    }
    uint32_t keep = (ctx->nnodes + (1u << AJ_CHUNK_BITS) - 1) >> AJ_CHUNK_BITS;
    while (ctx->nchunks > keep) {
      ctx->nchunks--;
      aj_free(ctx, ctx->chunks[ctx->nchunks],
              sizeof(aj_node) << AJ_CHUNK_BITS);
    }
  }
  ctx->node_limit = UINT32_MAX;
  ctx->make_fail = ACTJIT_OK;
  pthread_mutex_unlock(&ctx->lock);
}

uint32_t aj_new_epoch(actjit_ctx *ctx) {
  if (++ctx->epoch == 0) { /* wrapped: clear every stale mark */
    for (uint32_t i = 0; i < ctx->nnodes; i++) aj_node_at(ctx, i)->mark = 0;
    ctx->epoch = 1;
  }
  return ctx->epoch;
}

/* Library-owned strings carry their allocator and size in a header. */
typedef struct text_header {
  actjit_alloc_fn alloc;
  void *ud;
  size_t size;
  max_align_t align_;
} text_header;

char *aj_text_alloc(actjit_ctx *ctx, size_t len) {
  size_t size = sizeof(text_header) + len + 1;
  text_header *h = aj_alloc(ctx, size);
  if (!h) return NULL;
  h->alloc = ctx->alloc;
  h->ud = ctx->ud;
  h->size = size;
  return (char *)(h + 1);
}

void actjit_free(void *text) {
  if (!text) return;
  text_header *h = (text_header *)text - 1;
  h->alloc(h->ud, h, h->size, 0);
}

int aj_is_function_name(const actjit_ctx *ctx, const char *name) {
  if (aj_op_by_name(name, (uint32_t)strlen(name)) >= 0) return 1;
  size_t n = strlen(name);
  int found = 0;
  actjit_ctx *mut = (actjit_ctx *)ctx; /* the lock: definitions may grow fns */
  pthread_mutex_lock(&mut->lock);
  for (uint32_t i = 0; i < ctx->nfns && !found; i++)
    found = ctx->fns[i].nlen == n && memcmp(ctx->fns[i].name, name, n) == 0;
  pthread_mutex_unlock(&mut->lock);
  return found;
}

/* 1 if name is a per-profile variant of a catalog entry (NAME_onednn,
** NAME_minnorm): the parser picks those by profile; they are not listed. */
static int is_profile_variant(const char *name) {
  const char *u = strrchr(name, '_');
  return u && actjit_profile_by_name(u + 1) > 0;
}

/* Whether fns[k] is listed: not a profile variant, and not a definition
** that a later one of the same name replaced. */
static int is_listed(const actjit_ctx *ctx, uint32_t k) {
  const aj_fn *f = &ctx->fns[k];
  const char *name = k < ctx->nprelude ? ctx->fn_names[k] : f->owned;
  if (is_profile_variant(name)) return 0;
  if (k < ctx->nprelude) return 1; /* definitions never take its names */
  for (uint32_t j = k + 1; j < ctx->nfns; j++)
    if (ctx->fns[j].nlen == f->nlen &&
        memcmp(ctx->fns[j].name, f->name, f->nlen) == 0)
      return 0;
  return 1;
}

const char *actjit_catalog_name(const actjit_ctx *ctx, size_t i,
                                int *is_activation) {
  if (!ctx) return NULL;
  actjit_ctx *mut = (actjit_ctx *)ctx; /* the lock: definitions may grow fns */
  const char *found = NULL;
  pthread_mutex_lock(&mut->lock);
  for (uint32_t k = 0; k < ctx->nfns && !found; k++) {
    if (!is_listed(ctx, k) || i-- != 0) continue;
    if (is_activation) *is_activation = k < ctx->nprelude ? 1 : 2;
    found = k < ctx->nprelude ? ctx->fn_names[k] : ctx->fns[k].owned;
  }
  pthread_mutex_unlock(&mut->lock);
  if (found) return found;
  for (int op = 0; op < AJ_OP_COUNT; op++) {
    const aj_opinfo *o = &aj_ops[op];
    if (o->kind != AJ_K_FN && !o->alias) continue;
    if (i == 0) {
      if (is_activation) *is_activation = 0;
      return o->kind == AJ_K_FN ? o->spelling : o->alias;
    }
    i--;
  }
  return NULL;
}
