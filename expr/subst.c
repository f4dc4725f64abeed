/*
** subst.c: substitution.  Inlines helpers (ARG i := actual i), instantiates
** derivative templates, and binds parameters to values.  Only nodes that
** contain what is replaced are visited and rebuilt; the rest is shared.
*/
#include "node.h"

typedef struct rebuild_state {
  aj_node *(*leaf)(void *, aj_node *); /* a leaf's replacement */
  void *ud;
  aj_build how;
} rebuild_state;

/* Rebuilds one entry over its rebuilt operands. */
static aj_node *rebuild_step(void *ud, actjit_ctx *ctx, const aj_tape_ent *e,
                             aj_node *const *out) {
  const rebuild_state *st = ud;
  aj_node *n = e->node;
  if (n->nargs == 0) return st->leaf(st->ud, n);
  aj_node *args[3] = {NULL, NULL, NULL};
  for (int k = 0; k < n->nargs; k++) {
    uint32_t j = e->arg[k];
    args[k] = j == UINT32_MAX ? n->arg[k] : out[j];
  }
  switch (st->how) {
  case AJ_BUILD_RAW: return aj_make_v(ctx, (aj_op)n->op, args);
  case AJ_BUILD_SIMPLIFY: return aj_simp_make(ctx, (aj_op)n->op, args);
  case AJ_BUILD_DIFF: return aj_diff_make(ctx, (aj_op)n->op, args);
  }
  return NULL;
}

/* Rebuilds the part of root that contains `only`, leaves mapped by leaf. */
static aj_node *subst(actjit_ctx *ctx, aj_node *root, uint8_t only,
                      aj_node *(*leaf)(void *, aj_node *), void *ud,
                      aj_build how) {
  if (!(root->flags & only)) return root;
  rebuild_state st = {leaf, ud, how};
  return aj_tape_map(ctx, root, only, rebuild_step, &st);
}

typedef struct args_map {
  aj_node **args;
  uint32_t nargs;
} args_map;

static aj_node *map_arg(void *ud, aj_node *leaf) {
  args_map *m = ud;
  if (leaf->op == AJ_ARG && leaf->u.index < m->nargs)
    return m->args[leaf->u.index];
  return leaf;
}

aj_node *aj_subst_args(actjit_ctx *ctx, aj_node *body, aj_node **args,
                       uint32_t nargs, aj_build how) {
  args_map m = {args, nargs};
  return subst(ctx, body, AJ_N_ARG, map_arg, &m, how);
}

typedef struct param_map {
  aj_node *param, *value;
} param_map;

static aj_node *map_param(void *ud, aj_node *leaf) {
  param_map *m = ud;
  return leaf == m->param ? m->value : leaf;
}

aj_node *aj_subst_param(actjit_ctx *ctx, aj_node *root, aj_node *param,
                        aj_node *value, aj_build how) {
  param_map m = {param, value};
  return subst(ctx, root, AJ_N_PARAM, map_param, &m, how);
}

static aj_node *map_x(void *ud, aj_node *leaf) {
  return leaf->op == AJ_X ? (aj_node *)ud : leaf;
}

aj_node *aj_subst_x(actjit_ctx *ctx, aj_node *root, aj_node *value) {
  return subst(ctx, root, AJ_N_X, map_x, value, AJ_BUILD_SIMPLIFY);
}

typedef struct leaves_map {
  aj_node *const *from, *const *to;
  uint32_t n;
} leaves_map;

static aj_node *map_leaf(void *ud, aj_node *leaf) {
  const leaves_map *m = ud;
  for (uint32_t i = 0; i < m->n; i++)
    if (leaf == m->from[i]) return m->to[i];
  return leaf;
}

aj_node *aj_subst_leaves(actjit_ctx *ctx, aj_node *root, aj_node *const *from,
                         aj_node *const *to, uint32_t n) {
  return subst(ctx, root, AJ_N_X | AJ_N_PARAM, map_leaf,
               &(leaves_map){from, to, n}, AJ_BUILD_RAW);
}
