/*
** expr.c: the public expression API: making expressions (parse, simplify,
** diff, bind), their parameter lists, and freeing them.  Each call that
** makes nodes is one operation under the context lock; a failed one rolls
** back every node it made.
*/
#include <string.h>

#include "expr.h"
#include "parse.h"

actjit_expr *aj_expr_new(actjit_ctx *ctx, aj_node *root,
                         const aj_param *params, uint32_t nparams) {
  actjit_expr *e = aj_alloc(ctx, sizeof *e);
  if (!e) return NULL;
  memset(e, 0, sizeof *e);
  e->ctx = ctx;
  e->root = root;
  e->rewrites = ctx->fired_rules;
  if (nparams) {
    e->params = aj_alloc(ctx, nparams * sizeof *params);
    if (!e->params) goto fail;
    memcpy(e->params, params, nparams * sizeof *params);
    e->nparams = nparams;
  }
  if (aj_tape_build(ctx, &root, 1, 0, &e->tape)) goto fail;
  /* Tell each PARAM entry its index in the list. */
  uint32_t epoch = aj_new_epoch(ctx);
  for (uint32_t k = 0; k < nparams; k++) {
    params[k].node->mark = epoch;
    params[k].node->scratch = (aj_node *)(uintptr_t)k;
  }
  for (uint32_t i = 0; i < e->tape.n; i++) {
    aj_node *n = e->tape.ent[i].node;
    e->tape.ent[i].aux = UINT32_MAX;
    if (n->op == AJ_PARAM && n->mark == epoch)
      e->tape.ent[i].aux = (uint32_t)(uintptr_t)n->scratch;
  }
  return e;
fail:
  actjit_expr_free(e);
  return NULL;
}

void actjit_expr_free(actjit_expr *e) {
  if (!e) return;
  actjit_ctx *ctx = e->ctx;
  aj_tape_free(ctx, &e->tape);
  aj_free(ctx, e->params, e->nparams * sizeof *e->params);
  aj_free(ctx, e, sizeof *e);
}

actjit_status actjit_parse(actjit_ctx *ctx, const char *src, size_t len,
                           actjit_expr **out, actjit_error *err) {
  if (out) *out = NULL;
  if (!ctx || !out || (!src && len != 0))
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_parse: NULL argument");
  if (!src) src = "";
  if (len == ACTJIT_NUL_TERMINATED) len = strlen(src);
  return aj_parse_user(ctx, src, len, ACTJIT_PROFILE_TORCH, out, err);
}

/* Ends an operation that made `root` (or failed): wraps it as an
** expression with e's parameters, or reports why the make failed. */
static actjit_status finish(actjit_ctx *ctx, uint32_t cp, aj_node *root,
                            const aj_param *params, uint32_t nparams,
                            actjit_expr **out, actjit_error *err) {
  actjit_status s = ACTJIT_OK;
  if (root) {
    *out = aj_expr_new(ctx, root, params, nparams);
    if (!*out) s = ACTJIT_ENOMEM;
  } else {
    s = ctx->make_fail ? ctx->make_fail : ACTJIT_EINTERNAL;
  }
  aj_op_end(ctx, cp, s != ACTJIT_OK);
  if (s == ACTJIT_ENOMEM) return aj_error(err, s, 0, 0, "out of memory");
  if (s == ACTJIT_ELIMIT_NODES)
    return aj_error(err, s, 0, 0,
                    "the result would exceed %u new nodes (max_diff_nodes)",
                    (unsigned)ctx->lim.max_diff_nodes);
  if (s != ACTJIT_OK) return aj_error(err, s, 0, 0, "internal error");
  return s;
}

actjit_status actjit_simplify(const actjit_expr *e, actjit_expr **out,
                              actjit_error *err) {
  if (out) *out = NULL;
  if (!e || !out)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_simplify: NULL argument");
  actjit_ctx *ctx = e->ctx;
  uint32_t cp = aj_op_begin(ctx, ctx->lim.max_diff_nodes);
  aj_node *r = aj_simplify(ctx, e->root);
  return finish(ctx, cp, r, e->params, e->nparams, out, err);
}

/* The PARAM node of e called name, or NULL. */
static aj_node *find_param(const actjit_expr *e, const char *name,
                           uint32_t *index) {
  size_t n = strlen(name);
  for (uint32_t k = 0; k < e->nparams; k++) {
    aj_node *p = e->params[k].node;
    if (p->u.name.n == n && memcmp(p->u.name.z, name, n) == 0) {
      if (index) *index = k;
      return p;
    }
  }
  return NULL;
}

actjit_status actjit_stabilize(const actjit_expr *e, actjit_expr **out,
                               actjit_error *err) {
  return aj_expr_stabilize(e, AJ_PHASE_ALL, out, err);
}

actjit_status aj_expr_stabilize(const actjit_expr *e, unsigned phases,
                                actjit_expr **out, actjit_error *err) {
  if (out) *out = NULL;
  if (!e || !out)
    return aj_error(err, ACTJIT_EINVAL, 0, 0,
                    "actjit_stabilize: NULL argument");
  actjit_ctx *ctx = e->ctx;
  uint32_t cp = aj_op_begin(ctx, ctx->lim.max_diff_nodes);
  aj_node *r = aj_simplify(ctx, e->root);
  if (r) r = aj_stabilize(ctx, r, phases);
  return finish(ctx, cp, r, e->params, e->nparams, out, err);
}

actjit_status actjit_diff(const actjit_expr *e, const char *wrt,
                          actjit_expr **out, actjit_error *err) {
  return aj_expr_diff(e, wrt, ACTJIT_PROFILE_TORCH, 0, out, err);
}

actjit_status aj_expr_diff(const actjit_expr *e, const char *wrt, int profile,
                           unsigned phases, actjit_expr **out,
                           actjit_error *err) {
  if (out) *out = NULL;
  if (!e || !wrt || !out)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_diff: NULL argument");
  actjit_ctx *ctx = e->ctx;
  aj_node *var = strcmp(wrt, "x") == 0 ? ctx->x : find_param(e, wrt, NULL);
  if (!var)
    return aj_error(err, ACTJIT_EUNKNOWN, 0, 0,
                    "cannot differentiate with respect to '%.64s': not x or "
                    "a parameter", wrt);
  uint32_t cp = aj_op_begin(ctx, ctx->lim.max_diff_nodes);
  aj_node *r = aj_simplify(ctx, e->root);
  if (r) r = aj_derivative(ctx, r, var, profile);
  if (r && phases) r = aj_stabilize(ctx, r, phases);
  return finish(ctx, cp, r, e->params, e->nparams, out, err);
}

actjit_status actjit_bind(const actjit_expr *e, const char *name,
                          double value, actjit_expr **out,
                          actjit_error *err) {
  if (out) *out = NULL;
  if (!e || !name || !out)
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_bind: NULL argument");
  actjit_ctx *ctx = e->ctx;
  uint32_t k;
  aj_node *p = find_param(e, name, &k);
  if (!p)
    return aj_error(err, ACTJIT_EUNKNOWN, 0, 0,
                    "'%.64s' is not a parameter of this expression", name);
  uint32_t cp = aj_op_begin(ctx, ctx->lim.max_diff_nodes);
  aj_node *v = aj_const(ctx, value);
  aj_node *r = v ? aj_subst_param(ctx, e->root, p, v, AJ_BUILD_SIMPLIFY) : NULL;
  if (r) r = aj_simplify(ctx, r);
  /* The bound parameter leaves the list. */
  aj_param *rest = NULL;
  if (r && e->nparams > 1) {
    rest = aj_alloc(ctx, (e->nparams - 1) * sizeof *rest);
    if (!rest) {
      ctx->make_fail = ACTJIT_ENOMEM;
      r = NULL;
    } else {
      memcpy(rest, e->params, k * sizeof *rest);
      memcpy(rest + k, e->params + k + 1, (e->nparams - k - 1) * sizeof *rest);
    }
  }
  actjit_status s = finish(ctx, cp, r, rest, e->nparams - 1, out, err);
  aj_free(ctx, rest, (e->nparams - 1) * sizeof *rest);
  return s;
}

size_t actjit_param_count(const actjit_expr *e) { return e ? e->nparams : 0; }

const char *actjit_param_name(const actjit_expr *e, size_t i) {
  if (!e || i >= e->nparams) return NULL;
  return e->params[i].node->u.name.z;
}

int actjit_param_default(const actjit_expr *e, size_t i, double *value) {
  if (!e || i >= e->nparams || !e->params[i].has_def) return 0;
  if (value) *value = e->params[i].def;
  return 1;
}

long actjit_param_index(const actjit_expr *e, const char *name) {
  uint32_t k;
  if (!e || !name || !find_param(e, name, &k)) return -1;
  return (long)k;
}

size_t actjit_node_count(const actjit_expr *e) { return e ? e->tape.n : 0; }

int actjit_expr_same(const actjit_expr *a, const actjit_expr *b) {
  return a && b && a->root == b->root;
}
