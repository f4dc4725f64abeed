/*
** node.h: the engine's internal vocabulary: the context, the hash-consed
** expression node, the operator table, tapes (postorder schedules) and the
** passes over them.  Private to libactjit: nothing here is public API.
**
** Invariants every pass relies on:
**  - Nodes are interned per context: structurally equal means pointer-equal.
**    Nodes are immutable once made, never move, and live until the context
**    is freed (or until a failed operation rolls its new nodes back).
**  - A node's id is larger than its operands' ids, so id order is a
**    topological order.  No pass recurses over the DAG: they walk tapes.
**  - Everything that creates nodes runs under ctx->lock.  Reading nodes
**    reachable from a live actjit_expr needs no lock.
*/
#ifndef AJ_NODE_H
#define AJ_NODE_H

#include <locale.h>
#include <pthread.h>
#include <stdint.h>

#include "actjit.h"

#define AJ_INTERNAL __attribute__((visibility("hidden")))

/* ---- Operators (generated from ops.def) -------------------------------- */

enum { AJ_COMM = 1, AJ_BOOL = 2, AJ_RASSOC = 4, AJ_NONASSOC = 8 };
typedef enum aj_kind {
  AJ_K_LEAF,
  AJ_K_PREFIX,
  AJ_K_INFIX,
  AJ_K_SELECT,
  AJ_K_FN
} aj_kind;

typedef enum aj_op {
#define AJ_OP(id, sp, al, ar, k, p, f, ev, d) AJ_##id,
#include "ops.def"
#undef AJ_OP
  AJ_OP_COUNT
} aj_op;

typedef struct aj_opinfo {
  const char *spelling; /* function name or operator symbol */
  const char *alias;    /* second function name, or NULL */
  uint8_t arity;
  uint8_t kind;  /* aj_kind */
  uint8_t prec;  /* printing precedence, see ops.def */
  uint8_t flags; /* AJ_COMM | AJ_BOOL | ... */
  const char *deriv; /* derivative template, or NULL for 0 */
} aj_opinfo;

AJ_INTERNAL extern const aj_opinfo aj_ops[AJ_OP_COUNT];

/* The float64 value of op applied to a, b, c (unused operands ignored).
** Leaves are not evaluated here. */
AJ_INTERNAL double aj_op_eval(aj_op op, double a, double b, double c);
/* The built-in function called name[0, n), or -1. */
AJ_INTERNAL int aj_op_by_name(const char *name, uint32_t n);

/* The characters of a NAME of the language (also a C identifier):
** [A-Za-z_] first, then [A-Za-z0-9_]. */
static inline int aj_is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static inline int aj_is_name_char(char c) {
  return aj_is_name_start(c) || (c >= '0' && c <= '9');
}
/* 1 if the NUL-terminated name is a built-in function or a prelude entry. */
AJ_INTERNAL int aj_is_function_name(const actjit_ctx *ctx, const char *name);

/* ---- Nodes ------------------------------------------------------------- */

/* Node flags: what a node's value depends on (OR of its operands'). */
enum { AJ_N_X = 1, AJ_N_PARAM = 2, AJ_N_ARG = 4, AJ_N_DZERO = 8 };

typedef struct aj_node aj_node;
struct aj_node {
  uint64_t hash;      /* structural: equal across contexts */
  aj_node *chain;     /* next in the intern bucket */
  aj_node *arg[3];    /* operands; NULL past arity */
  union {
    double num;       /* CONST: the value (keyed by its bits) */
    struct {
      const char *z;  /* PARAM: the name, owned by the context */
      uint32_t n;
    } name;
    uint32_t index;   /* ARG: formal number */
  } u;
  uint32_t id;        /* dense, creation order */
  uint32_t height;    /* tree height: leaves are 1 */
  uint8_t op;         /* aj_op */
  uint8_t nargs;
  uint8_t flags;      /* AJ_N_* */
  /* Pass scratch, valid only under ctx->lock while mark == ctx->epoch. */
  uint32_t mark;
  aj_node *scratch;
};

/* ---- Context ----------------------------------------------------------- */

typedef struct aj_fn aj_fn; /* a helper or prelude function (parse.h) */

#define AJ_CHUNK_BITS 8 /* nodes are stored 256 to a chunk */

struct actjit_ctx {
  actjit_alloc_fn alloc;
  void *ud;
  actjit_limits lim;
  pthread_mutex_t lock;
  locale_t c_locale; /* for strtod_l: parsing ignores the host's locale */

  /* Node store: node id i lives at chunks[i >> 8][i & 255]. */
  aj_node **chunks;
  uint32_t nchunks, cap_chunks;
  uint32_t nnodes;
  aj_node **buckets; /* intern table, power-of-two size */
  uint32_t nbuckets;
  uint32_t epoch;    /* pass stamp for aj_node.mark */

  /* Per-operation state (under lock): node budget and why a make failed. */
  uint32_t node_limit;      /* making node id node_limit fails */
  actjit_status make_fail;  /* ENOMEM or ELIMIT_NODES once a make failed */
  uint64_t fired_rules;     /* bit i: stabilizer rule i fired (stabilize.c) */

  aj_node *x, *dzero, *zero, *one; /* common leaves */
  aj_node *tmpl[AJ_OP_COUNT];      /* derivative templates (ARG 0..6) */
  aj_node *ptmpl[3][AJ_OP_COUNT];  /* per-profile overrides (ARG 0..7), or
                                      NULL: use tmpl (diff.c) */
  struct aj_rule *rules;           /* the stabilizer's (stabilize.c) */
  uint32_t nrules;
  aj_fn *fns;                      /* the prelude's functions, then the
                                      user's definitions (define.c) */
  uint32_t nfns, cap_fns_;
  uint32_t nprelude;               /* fns[0, nprelude) are the prelude */
  char **fn_names;                 /* the prelude's names, NUL-terminated,
                                      for listing */
  struct aj_jit *jit;              /* made on first compile (jit/) */
  char *cache_dir;                 /* copy of the config's, or NULL */
  struct aj_pool *pool;            /* workers, made on first threaded use */
  unsigned pool_threads;
};

/* Allocation through the context's hook.  aj_alloc returns NULL on failure;
** aj_free accepts NULL. */
AJ_INTERNAL void *aj_alloc(actjit_ctx *ctx, size_t n);
AJ_INTERNAL void *aj_realloc(actjit_ctx *ctx, void *p, size_t o, size_t n);
AJ_INTERNAL void aj_free(actjit_ctx *ctx, void *p, size_t n);
/* Grows *arr (element size `size`, *cap elements) to hold need elements.
** Returns 0 on success, -1 on allocation failure (arr unchanged). */
AJ_INTERNAL int aj_grow(actjit_ctx *ctx, void **arr, uint32_t *cap,
                        uint32_t need, size_t size);

/* A string the caller frees with actjit_free: room for len bytes + NUL. */
AJ_INTERNAL char *aj_text_alloc(actjit_ctx *ctx, size_t len);

/* Fills err (if non-NULL) and returns code.  fmt is printf-style. */
AJ_INTERNAL actjit_status aj_error(actjit_error *err, actjit_status code,
                                   size_t off, size_t len, const char *fmt,
                                   ...) __attribute__((format(printf, 5, 6)));

/* The node with id. */
static inline aj_node *aj_node_at(const actjit_ctx *ctx, uint32_t id) {
  return &ctx->chunks[id >> AJ_CHUNK_BITS][id & ((1u << AJ_CHUNK_BITS) - 1)];
}

/* Operation brackets: lock the context, set the node budget (max new nodes,
** 0 = unlimited) and return the checkpoint; aj_op_end unlocks, rolling back
** every node made since the checkpoint when failed is nonzero. */
AJ_INTERNAL uint32_t aj_op_begin(actjit_ctx *ctx, uint32_t max_new_nodes);
AJ_INTERNAL void aj_op_end(actjit_ctx *ctx, uint32_t checkpoint, int failed);
/* A fresh epoch for aj_node.mark (under lock). */
AJ_INTERNAL uint32_t aj_new_epoch(actjit_ctx *ctx);

/* Interning constructors.  All return NULL when a make fails (then
** ctx->make_fail says why).  They canonicalize but never simplify:
** commutative operands are sorted, and -(constant) is the negated constant.
*/
AJ_INTERNAL aj_node *aj_const(actjit_ctx *ctx, double v);
AJ_INTERNAL aj_node *aj_param_node(actjit_ctx *ctx, const char *z, uint32_t n);
AJ_INTERNAL aj_node *aj_arg(actjit_ctx *ctx, uint32_t index);
AJ_INTERNAL aj_node *aj_make(actjit_ctx *ctx, aj_op op, aj_node *a,
                             aj_node *b, aj_node *c);
AJ_INTERNAL aj_node *aj_make_v(actjit_ctx *ctx, aj_op op, aj_node **args);
/* FNV-1a of z[0, n): names (parameters, the parser's symbol table). */
AJ_INTERNAL uint64_t aj_hash_bytes(const char *z, uint32_t n);
/* Puts the operands of a commutative op in canonical order (in place). */
AJ_INTERNAL void aj_canon_order(aj_op op, aj_node **args);
/* Frees every node and chunk (context teardown). */
AJ_INTERNAL void aj_nodes_free(actjit_ctx *ctx);
/* Sets up the store and the common leaves.  ACTJIT_OK or ENOMEM. */
AJ_INTERNAL actjit_status aj_nodes_init(actjit_ctx *ctx);

static inline int aj_is_const(const aj_node *n) { return n->op == AJ_CONST; }
/* n is the constant with exactly v's bits (so -0 is not 0). */
static inline int aj_is_num(const aj_node *n, double v) {
  return n->op == AJ_CONST && n->u.num == v &&
         __builtin_signbit(n->u.num) == __builtin_signbit(v);
}

/* ---- Tapes ------------------------------------------------------------- */

/* A postorder schedule of the nodes reachable from some roots: every
** operand comes before its users.  arg[k] indexes the tape. */
typedef struct aj_tape_ent {
  aj_node *node;
  uint32_t arg[3];
  uint32_t aux; /* PARAM: index in the owning expression's parameter list */
} aj_tape_ent;

typedef struct aj_tape {
  aj_tape_ent *ent;
  uint32_t n;
  uint32_t cap_;    /* allocated entries */
  uint32_t root[2]; /* tape index of each root */
} aj_tape;

/* Builds the tape of the nodes reachable from roots[0..nroots), visiting
** only nodes whose flags intersect `only` (0 = all; an unvisited operand
** gets index UINT32_MAX).  t->root[] holds the first two roots' indices;
** root_idx (optional, nroots entries) receives all of them.  Under lock.
** 0, or -1 on ENOMEM. */
AJ_INTERNAL int aj_tape_build_roots(actjit_ctx *ctx, aj_node *const *roots,
                                    uint32_t nroots, uint8_t only, aj_tape *t,
                                    uint32_t *root_idx);
AJ_INTERNAL int aj_tape_build(actjit_ctx *ctx, aj_node **roots,
                              uint32_t nroots, uint8_t only, aj_tape *t);
AJ_INTERNAL void aj_tape_free(actjit_ctx *ctx, aj_tape *t);

/* One step of a bottom-up map: the new node for entry e, given out[] for
** the entries before it (out[e->arg[k]]; an operand outside the map, index
** UINT32_MAX, is e->node->arg[k] unchanged).  NULL when a make failed. */
typedef aj_node *(*aj_map_step)(void *ud, actjit_ctx *ctx,
                                const aj_tape_ent *e, aj_node *const *out);
/* Maps the tape of root (nodes whose flags meet `only`; 0 = all) bottom-up
** and returns root's image, or NULL (then ctx->make_fail says why). */
AJ_INTERNAL aj_node *aj_tape_map(actjit_ctx *ctx, aj_node *root, uint8_t only,
                                 aj_map_step step, void *ud);

/* ---- Passes (under lock; NULL when a make fails) ----------------------- */

/* How substituted nodes are rebuilt. */
typedef enum aj_build {
  AJ_BUILD_RAW,      /* aj_make: the source's structure (parsing) */
  AJ_BUILD_SIMPLIFY, /* aj_simp_make */
  AJ_BUILD_DIFF      /* aj_diff_make: DZERO-aware, then simplifying */
} aj_build;

/* Replaces every ARG i in body by args[i] (i < nargs). */
AJ_INTERNAL aj_node *aj_subst_args(actjit_ctx *ctx, aj_node *body,
                                   aj_node **args, uint32_t nargs,
                                   aj_build how);
/* Replaces the PARAM node `param` by `value` in root. */
AJ_INTERNAL aj_node *aj_subst_param(actjit_ctx *ctx, aj_node *root,
                                    aj_node *param, aj_node *value,
                                    aj_build how);
/* Replaces x by value in root (simplifying). */
AJ_INTERNAL aj_node *aj_subst_x(actjit_ctx *ctx, aj_node *root,
                                aj_node *value);
/* Replaces each leaf from[i] (x or a PARAM node) by to[i], i < n, building
** the rest as it was (no simplification). */
AJ_INTERNAL aj_node *aj_subst_leaves(actjit_ctx *ctx, aj_node *root,
                                     aj_node *const *from,
                                     aj_node *const *to, uint32_t n);
/* op applied to simplified operands, simplified (IEEE-exact rules only). */
AJ_INTERNAL aj_node *aj_simp_make(actjit_ctx *ctx, aj_op op, aj_node **args);
/* The simplified form of root. */
AJ_INTERNAL aj_node *aj_simplify(actjit_ctx *ctx, aj_node *root);
/* op applied to operands where DZERO means "no term": propagates it, then
** aj_simp_make.  DZERO never escapes into a finished derivative. */
AJ_INTERNAL aj_node *aj_diff_make(actjit_ctx *ctx, aj_op op, aj_node **args);
/* d root / d var, where var is ctx->x or a PARAM node; root simplified.
** Kinks follow profile (actjit_profile). */
AJ_INTERNAL aj_node *aj_derivative(actjit_ctx *ctx, aj_node *root,
                                   aj_node *var, int profile);
/* Parses the per-profile derivative overrides into ctx->ptmpl (diff.c). */
AJ_INTERNAL actjit_status aj_load_profile_templates(actjit_ctx *ctx,
                                                    actjit_error *err);

/* ---- The stabilizer (stabilize.c, rules in rules.def) ------------------- */

/* Rule phases, run in this order, each to a fixpoint: (INV, opt-in: see
** below); CANON rules rewrite into stable building blocks and run before
** differentiation and again on derivatives; FUSE rules take a whole
** canonical sum or product to a form with fewer transcendentals (silu':
** one exp, one division), out of CANON's reach (its rules would take the
** form apart again); TAIL rules rescale whole products whose factor
** underflows (x sigmoid(x) near x = -90); EVAL rules choose fast, accurate
** evaluation forms.  FUSE, TAIL and EVAL run last, on f and on each
** derivative separately (a derivative is never taken of their forms:
** their quotients cancel). */
enum {
  AJ_PHASE_CANON = 1,
  AJ_PHASE_TAIL = 2,
  AJ_PHASE_EVAL = 4,
  AJ_PHASE_FUSE = 8,
  AJ_PHASE_ALL = 15,
  /* opt-in, first: f(f^-1(y)) = y for backward from y (invert.c) */
  AJ_PHASE_INV = 16
};

/* Parses rules.def into ctx->rules (at context creation). */
AJ_INTERNAL actjit_status aj_load_rules(actjit_ctx *ctx, actjit_error *err);
AJ_INTERNAL void aj_free_rules(actjit_ctx *ctx);
/* root with every rule of the given phases applied to a fixpoint (at most a
** few passes), bottom-up; the result is simplified. */
AJ_INTERNAL aj_node *aj_stabilize(actjit_ctx *ctx, aj_node *root,
                                  unsigned phases);
/* The number of rules, and rule i's name, pattern and result (tests). */
AJ_INTERNAL uint32_t aj_rule_count(const actjit_ctx *ctx);
AJ_INTERNAL void aj_rule_text(const actjit_ctx *ctx, uint32_t i,
                              const char **name, const char **pattern,
                              const char **result, unsigned *phase);

#endif
