/*
** node.c: the node store and the intern table (hash-consing).  Every node
** is made here, once: equal structure gives the same pointer.  This file
** canonicalizes (sorted commutative operands, -(constant) folded into the
** constant) but never simplifies; simplify.c does that.
*/
#include <math.h>
#include <string.h>

#include "node.h"

/* 64-bit mixer (splitmix64 finalizer). */
static uint64_t mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

uint64_t aj_hash_bytes(const char *z, uint32_t n) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (uint32_t i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 0x100000001b3ull;
  return h;
}

static uint64_t dbits(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return u;
}

actjit_status aj_nodes_init(actjit_ctx *ctx) {
  ctx->nbuckets = 1024;
  ctx->buckets = aj_alloc(ctx, ctx->nbuckets * sizeof(aj_node *));
  if (!ctx->buckets) {
    ctx->nbuckets = 0;
    return ACTJIT_ENOMEM;
  }
  memset(ctx->buckets, 0, ctx->nbuckets * sizeof(aj_node *));
  ctx->x = aj_make(ctx, AJ_X, NULL, NULL, NULL);
  ctx->dzero = aj_make(ctx, AJ_DZERO, NULL, NULL, NULL);
  ctx->zero = aj_const(ctx, 0.0);
  ctx->one = aj_const(ctx, 1.0);
  return ctx->one ? ACTJIT_OK : ACTJIT_ENOMEM;
}

void aj_nodes_free(actjit_ctx *ctx) {
  for (uint32_t i = 0; i < ctx->nnodes; i++) {
    aj_node *n = aj_node_at(ctx, i);
    if (n->op == AJ_PARAM) aj_free(ctx, (void *)n->u.name.z, n->u.name.n + 1);
  }
  for (uint32_t i = 0; i < ctx->nchunks; i++)
    aj_free(ctx, ctx->chunks[i], sizeof(aj_node) << AJ_CHUNK_BITS);
  aj_free(ctx, ctx->chunks, ctx->cap_chunks * sizeof(aj_node *));
  aj_free(ctx, ctx->buckets, ctx->nbuckets * sizeof(aj_node *));
  ctx->chunks = NULL;
  ctx->buckets = NULL;
  ctx->nnodes = ctx->nchunks = ctx->cap_chunks = ctx->nbuckets = 0;
}

/* Doubles the intern table when it is fuller than 1 node per bucket.
** Failing to grow is harmless: chains just get longer. */
static void maybe_rehash(actjit_ctx *ctx) {
  if (ctx->nnodes < ctx->nbuckets || ctx->nbuckets >= (1u << 30)) return;
  uint32_t nb = ctx->nbuckets * 2;
  aj_node **b = aj_alloc(ctx, nb * sizeof(aj_node *));
  if (!b) return;
  memset(b, 0, nb * sizeof(aj_node *));
  /* Re-insert in id order so each chain stays newest-first. */
  for (uint32_t i = 0; i < ctx->nnodes; i++) {
    aj_node *n = aj_node_at(ctx, i);
    aj_node **slot = &b[n->hash & (nb - 1)];
    n->chain = *slot;
    *slot = n;
  }
  aj_free(ctx, ctx->buckets, ctx->nbuckets * sizeof(aj_node *));
  ctx->buckets = b;
  ctx->nbuckets = nb;
}

/* A fresh node slot with the next id, or NULL (make_fail set). */
static aj_node *new_slot(actjit_ctx *ctx) {
  if (ctx->make_fail != ACTJIT_OK) return NULL;
  if (ctx->nnodes >= ctx->node_limit || ctx->nnodes == UINT32_MAX - 1) {
    ctx->make_fail = ACTJIT_ELIMIT_NODES;
    return NULL;
  }
  uint32_t id = ctx->nnodes;
  if ((id >> AJ_CHUNK_BITS) >= ctx->nchunks) {
    if (aj_grow(ctx, (void **)&ctx->chunks, &ctx->cap_chunks,
                ctx->nchunks + 1, sizeof(aj_node *)) != 0)
      goto oom;
    aj_node *chunk = aj_alloc(ctx, sizeof(aj_node) << AJ_CHUNK_BITS);
    if (!chunk) goto oom;
    ctx->chunks[ctx->nchunks++] = chunk;
  }
  aj_node *n = aj_node_at(ctx, id);
  memset(n, 0, sizeof *n);
  n->id = id;
  return n;
oom:
  ctx->make_fail = ACTJIT_ENOMEM;
  return NULL;
}

static void insert(actjit_ctx *ctx, aj_node *n) {
  aj_node **slot = &ctx->buckets[n->hash & (ctx->nbuckets - 1)];
  n->chain = *slot;
  *slot = n;
  ctx->nnodes++;
  maybe_rehash(ctx);
}

aj_node *aj_const(actjit_ctx *ctx, double v) {
  uint64_t h = mix(dbits(v) ^ 0x1234567ull);
  for (aj_node *n = ctx->buckets[h & (ctx->nbuckets - 1)]; n; n = n->chain)
    if (n->hash == h && n->op == AJ_CONST && dbits(n->u.num) == dbits(v))
      return n;
  aj_node *n = new_slot(ctx);
  if (!n) return NULL;
  n->op = AJ_CONST;
  n->u.num = v;
  n->hash = h;
  n->height = 1;
  insert(ctx, n);
  return n;
}

aj_node *aj_param_node(actjit_ctx *ctx, const char *z, uint32_t len) {
  uint64_t h = mix(aj_hash_bytes(z, len) ^ AJ_PARAM);
  for (aj_node *n = ctx->buckets[h & (ctx->nbuckets - 1)]; n; n = n->chain)
    if (n->hash == h && n->op == AJ_PARAM && n->u.name.n == len &&
        memcmp(n->u.name.z, z, len) == 0)
      return n;
  char *copy = aj_alloc(ctx, (size_t)len + 1);
  if (!copy) {
    ctx->make_fail = ACTJIT_ENOMEM;
    return NULL;
  }
  aj_node *n = new_slot(ctx);
  if (!n) {
    aj_free(ctx, copy, (size_t)len + 1);
    return NULL;
  }
  memcpy(copy, z, len);
  copy[len] = 0;
  n->op = AJ_PARAM;
  n->u.name.z = copy;
  n->u.name.n = len;
  n->hash = h;
  n->height = 1;
  n->flags = AJ_N_PARAM;
  insert(ctx, n);
  return n;
}

aj_node *aj_arg(actjit_ctx *ctx, uint32_t index) {
  uint64_t h = mix(((uint64_t)index << 8) ^ AJ_ARG ^ 0xa5a5a5ull);
  for (aj_node *n = ctx->buckets[h & (ctx->nbuckets - 1)]; n; n = n->chain)
    if (n->hash == h && n->op == AJ_ARG && n->u.index == index) return n;
  aj_node *n = new_slot(ctx);
  if (!n) return NULL;
  n->op = AJ_ARG;
  n->u.index = index;
  n->hash = h;
  n->height = 1;
  n->flags = AJ_N_ARG;
  insert(ctx, n);
  return n;
}

/* Canonical order of commutative operands: for +, constants last (x + 1);
** otherwise constants first (2*x); then parameters, x, composites; ties by
** structural hash, then id. */
static int rank(aj_op op, const aj_node *n) {
  int r = n->op == AJ_CONST ? 0 : n->op == AJ_PARAM ? 1 : n->op == AJ_X ? 2 : 3;
  return op == AJ_ADD ? 3 - r : r;
}

static int before(aj_op op, const aj_node *a, const aj_node *b) {
  int ra = rank(op, a), rb = rank(op, b);
  if (ra != rb) return ra < rb;
  if (a->hash != b->hash) return a->hash < b->hash;
  return a->id < b->id;
}

void aj_canon_order(aj_op op, aj_node **args) {
  if ((aj_ops[op].flags & AJ_COMM) && before(op, args[1], args[0])) {
    aj_node *t = args[0];
    args[0] = args[1];
    args[1] = t;
  }
}

aj_node *aj_make(actjit_ctx *ctx, aj_op op, aj_node *a, aj_node *b,
                 aj_node *c) {
  aj_node *args[3] = {a, b, c};
  return aj_make_v(ctx, op, args);
}

aj_node *aj_make_v(actjit_ctx *ctx, aj_op op, aj_node **in) {
  const aj_opinfo *info = &aj_ops[op];
  aj_node *args[3] = {NULL, NULL, NULL};
  for (int i = 0; i < info->arity; i++) {
    if (!in[i]) return NULL; /* an operand's make failed */
    args[i] = in[i];
  }
  if (op == AJ_NEG && args[0]->op == AJ_CONST)
    return aj_const(ctx, -args[0]->u.num);
  aj_canon_order(op, args);
  uint64_t h = mix((uint64_t)op * 0x9e3779b97f4a7c15ull);
  uint32_t height = 0;
  uint8_t flags = op == AJ_X ? AJ_N_X : op == AJ_DZERO ? AJ_N_DZERO : 0;
  for (int i = 0; i < info->arity; i++) {
    h = mix(h ^ (args[i]->hash + (uint64_t)i * 0x632be59bd9b4e019ull));
    if (args[i]->height > height) height = args[i]->height;
    flags |= args[i]->flags;
  }
  for (aj_node *n = ctx->buckets[h & (ctx->nbuckets - 1)]; n; n = n->chain)
    if (n->hash == h && n->op == op && n->arg[0] == args[0] &&
        n->arg[1] == args[1] && n->arg[2] == args[2])
      return n;
  aj_node *n = new_slot(ctx);
  if (!n) return NULL;
  n->op = op;
  n->nargs = info->arity;
  memcpy(n->arg, args, sizeof args);
  n->hash = h;
  n->height = height + 1;
  n->flags = flags;
  insert(ctx, n);
  return n;
}
