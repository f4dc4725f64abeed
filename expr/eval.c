/*
** eval.c: the reference interpreter: float64 evaluation of an expression's
** tape.  Lock-free (reads only immutable nodes through the tape); the
** arithmetic is aj_op_eval, the same that constant folding uses.
*/
#include <string.h>

#include "expr.h"

actjit_status actjit_eval(const actjit_expr *e, const double *params,
                          const double *x, double *y, size_t n,
                          actjit_error *err) {
  if (!e || (n && (!x || !y)))
    return aj_error(err, ACTJIT_EINVAL, 0, 0, "actjit_eval: NULL argument");
  const aj_tape *t = &e->tape;
  /* Parameter values: the caller's, or the defaults. */
  double pbuf[16];
  double *pv = pbuf;
  if (!params && e->nparams > 16) {
    pv = aj_alloc(e->ctx, e->nparams * sizeof *pv);
    if (!pv) return aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
  }
  if (!params) {
    /* The first parameter the expression uses (in order of first use in
    ** the source) that has no default is the error. */
    uint32_t unbound = UINT32_MAX;
    for (uint32_t i = 0; i < t->n; i++) {
      uint32_t k = t->ent[i].aux;
      if (t->ent[i].node->op == AJ_PARAM && k < e->nparams &&
          !e->params[k].has_def && k < unbound)
        unbound = k;
    }
    if (unbound != UINT32_MAX) {
      const aj_param *p = &e->params[unbound];
      const char *name = p->node->u.name.z;
      int fn = aj_is_function_name(e->ctx, name);
      if (pv != pbuf) aj_free(e->ctx, pv, e->nparams * sizeof *pv);
      return aj_error(err, ACTJIT_EUNBOUND, p->off, p->len,
                      "parameter '%.64s' has no value: bind it or pass "
                      "it%s%.64s%s", name, fn ? " (did you mean " : "",
                      fn ? name : "", fn ? "(x)?)" : "");
    }
    for (uint32_t k = 0; k < e->nparams; k++) pv[k] = e->params[k].def;
    params = pv;
  }
  double vbuf[256];
  double *v = t->n <= 256 ? vbuf : aj_alloc(e->ctx, t->n * sizeof *v);
  actjit_status s = ACTJIT_OK;
  if (!v) {
    s = aj_error(err, ACTJIT_ENOMEM, 0, 0, "out of memory");
    goto done;
  }
  for (size_t j = 0; j < n; j++) {
    for (uint32_t i = 0; i < t->n; i++) {
      const aj_tape_ent *te = &t->ent[i];
      const aj_node *nd = te->node;
      switch (nd->op) {
      case AJ_CONST: v[i] = nd->u.num; break;
      case AJ_X: v[i] = x[j]; break;
      case AJ_PARAM:
        if (te->aux == UINT32_MAX) {
          s = aj_error(err, ACTJIT_EINTERNAL, 0, 0, "unlisted parameter");
          goto done;
        }
        v[i] = params[te->aux];
        break;
      case AJ_ARG:
      case AJ_DZERO:
        s = aj_error(err, ACTJIT_EINTERNAL, 0, 0, "unbound placeholder");
        goto done;
      default:
        v[i] = aj_op_eval((aj_op)nd->op, v[te->arg[0]],
                          nd->nargs > 1 ? v[te->arg[1]] : 0,
                          nd->nargs > 2 ? v[te->arg[2]] : 0);
      }
    }
    y[j] = v[t->root[0]];
  }
done:
  if (v && v != vbuf) aj_free(e->ctx, v, t->n * sizeof *v);
  if (pv != pbuf) aj_free(e->ctx, pv, e->nparams * sizeof *pv);
  return s;
}
