/*
** subst.c: substitution.  Inlines helpers (ARG i := actual i), instantiates
** derivative templates, and binds parameters to values.  Only nodes that
** contain what is replaced are visited and rebuilt; the rest is shared.
*/
#include "node.h"

/* Rebuilds the nodes of t (visited subset) bottom-up with leaf
** replacements already stored in ent->node->scratch for this epoch. */
static aj_node *rebuild(actjit_ctx *ctx, aj_tape *t, aj_node **out,
                        aj_node *(*leaf)(void *, aj_node *), void *ud,
                        aj_build how) {
  for (uint32_t i = 0; i < t->n; i++) {
    aj_node *n = t->ent[i].node;
    if (n->nargs == 0) {
      out[i] = leaf(ud, n);
      continue;
    }
    aj_node *args[3] = {NULL, NULL, NULL};
    for (int k = 0; k < n->nargs; k++) {
      uint32_t j = t->ent[i].arg[k];
      args[k] = j == UINT32_MAX ? n->arg[k] : out[j];
    }
    switch (how) {
    case AJ_BUILD_RAW:
      out[i] = aj_make_v(ctx, (aj_op)n->op, args);
      break;
    case AJ_BUILD_SIMPLIFY:
      out[i] = aj_simp_make(ctx, (aj_op)n->op, args);
      break;
    case AJ_BUILD_DIFF:
      out[i] = aj_diff_make(ctx, (aj_op)n->op, args);
      break;
    }
    if (!out[i]) return NULL;
  }
  return out[t->root[0]];
}

static aj_node *subst(actjit_ctx *ctx, aj_node *root, uint8_t only,
                      aj_node *(*leaf)(void *, aj_node *), void *ud,
                      aj_build how) {
  if (!(root->flags & only)) return root;
  aj_tape t;
  if (aj_tape_build(ctx, &root, 1, only, &t)) {
    ctx->make_fail = ACTJIT_ENOMEM;
    return NULL;
  }
  aj_node *result = NULL;
  aj_node **out = aj_alloc(ctx, (size_t)t.n * sizeof *out);
  if (out) result = rebuild(ctx, &t, out, leaf, ud, how);
  else ctx->make_fail = ACTJIT_ENOMEM;
  aj_free(ctx, out, (size_t)t.n * sizeof *out);
  aj_tape_free(ctx, &t);
  return result;
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
